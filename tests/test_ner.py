"""Unit tests of the NER machinery (no ../shared needed): conlleval entity reading, the
Polars Viterbi against brute force, the committed model's size and provenance note."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import polars as pl
import pytest

from transforms import ner

ROOT = Path(__file__).resolve().parent.parent


def _frame(tags: list[list[str]]) -> pl.DataFrame:
    rows = [(sid, pos, tg) for sid, sent in enumerate(tags) for pos, tg in enumerate(sent)]
    return pl.DataFrame(rows, schema=["sid", "pos", "tag"], orient="row")


def test_conlleval_semantics_stray_i_starts_an_entity():
    f = _frame([["O", "I-PER", "I-PER", "O", "B-LOC", "I-ORG", "B-ORG", "I-ORG"], ["I-LOC", "O"]])
    got = ner.bio_entities(f, "tag").sort("sid", "start").rows()
    assert got == [(0, 1, 2, "PER"), (0, 4, 4, "LOC"), (0, 5, 5, "ORG"), (0, 6, 7, "ORG"), (1, 0, 0, "LOC")]


def test_score_micro_over_per_loc_org_only():
    f = _frame([["B-PER", "I-PER", "O", "B-MISC", "B-LOC"]]).with_columns(
        pred=pl.Series(["B-PER", "O", "O", "B-MISC", "B-LOC"])
    )
    sc = {r["type"]: r for r in ner.score(f, "tag", "pred").iter_rows(named=True)}
    assert (sc["micro"]["tp"], sc["micro"]["n_gold"], sc["micro"]["n_pred"]) == (1, 2, 2)
    assert sc["PER"]["f1"] == 0.0 and sc["LOC"]["f1"] == 1.0


def _brute(em: list[list[float]], T: list[list[float]]) -> list[int]:
    n = len(T)
    best, arg = None, None
    for path in itertools.product(range(n), repeat=len(em)):
        s = sum(em[i][y] for i, y in enumerate(path)) + sum(T[a][b] for a, b in zip(path, path[1:]))
        if best is None or s > best:
            best, arg = s, path
    return list(arg)


def _random_case(rnd: random.Random, labels: list[str], n_seqs: int, max_len: int):
    """Random transitions and emissions for ``n_seqs`` sequences of 1..max_len tokens:
    (weights, rows (r, sid, pos), emissions per row, brute-force best labels per row)."""
    n = len(labels)
    T = [[rnd.uniform(-2, 2) for _ in range(n)] for _ in range(n)]
    W = ner.Weights(attrs=pl.DataFrame(), trans=T, labels=labels, roles={}, const={}, wide=pl.DataFrame())
    lens = [rnd.randint(1, max_len) for _ in range(n_seqs)]
    rows, ems, want = [], [], []
    for sid, L in enumerate(lens):
        seq = [[rnd.uniform(-3, 3) for _ in range(n)] for _ in range(L)]
        rows += [(len(rows) + pos, sid, pos) for pos in range(L)]
        ems += seq
        want += _brute(seq, T)
    return W, rows, ems, want


def _frames(rows, ems, n):
    t = pl.DataFrame(rows, schema=["r", "sid", "pos"], orient="row")
    return t, pl.DataFrame({f"s{i}": [e[i] for e in ems] for i in range(n)})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_viterbi_is_exact(seed):
    W, rows, ems, want = _random_case(random.Random(seed), ["O", "B-PER", "I-PER"], 7, 6)
    t, em = _frames(rows, ems, 3)
    assert ner.viterbi(t, em, W).to_list() == want


def test_viterbi_ties_go_to_the_lowest_label():
    """Equal scores everywhere: every path ties, and the decoder keeps label 0 at each step
    (CRFsuite's order of labels; the cached and fresh runs of a batch must agree)."""
    W = ner.Weights(attrs=pl.DataFrame(), trans=[[0.0] * 3 for _ in range(3)], labels=["O", "B-PER", "I-PER"],
                    roles={}, const={}, wide=pl.DataFrame())
    t = pl.DataFrame({"r": [0, 1, 2, 3], "sid": [0, 0, 0, 1], "pos": [0, 1, 2, 0]})
    em = pl.DataFrame({"s0": [1.0, 0.5, 0.0, 2.0], "s1": [1.0, 0.5, 0.0, 2.0], "s2": [1.0, 0.5, 0.0, 2.0]})
    assert ner._viterbi_core(t, em, W).to_list() == [0, 0, 0, 0]


@pytest.mark.parametrize("seed", [4, 5])
def test_viterbi_core_is_exact_with_nine_labels(seed):
    """The decoder's own steps (no forced-O shortcut) against brute force, 9 labels as the
    model has, sequences of 1 to 4 tokens given in shuffled row order."""
    rnd = random.Random(seed)
    W, rows, ems, want = _random_case(rnd, ner.LABELS, 6, 4)
    perm = list(range(len(rows)))
    rnd.shuffle(perm)
    t, em = _frames([rows[j] for j in perm], [ems[j] for j in perm], len(ner.LABELS))
    assert ner._viterbi_core(t, em, W).to_list() == [want[j] for j in perm]


def _score_inputs():
    from transforms.resources import load_resources

    res = load_resources()
    return ner.load_weights(str(ner.MODEL_PATH)), ner.load_lexicon(res.seeds_dir)


def test_key_score_cache_gives_the_fresh_scores_for_seen_and_new_keys():
    W, lex = _score_inputs()
    cache = ner.KeyScoreCache(W, lex, max_keys=1000)
    first = pl.DataFrame({"key": ["قال", "طرابلس", "حفتر", "قال"]})
    second = pl.DataFrame({"key": ["حفتر", "المحجوب", "زززز"]})
    cache.scores(first)
    got = cache.scores(second).sort("key")
    want = ner.key_scores(second, W, lex).sort("key")
    from polars.testing import assert_frame_equal

    assert_frame_equal(got, want)
    assert (cache.hits, cache.misses) == (1, 5)  # حفتر came from the first call
    assert sorted(cache.frame["key"].to_list()) == sorted(["قال", "طرابلس", "حفتر", "المحجوب", "زززز"])
    # an unknown word has no weighted attribute... but its shape/length attributes do
    assert got.filter(pl.col("key") == "زززز").height == 1


def test_key_score_cache_is_bounded_by_its_setting():
    W, lex = _score_inputs()
    cache = ner.KeyScoreCache(W, lex, max_keys=3)
    cache.scores(pl.DataFrame({"key": ["قال", "طرابلس"]}))
    assert cache.frame.height == 2
    cache.scores(pl.DataFrame({"key": ["حفتر", "المحجوب"]}))  # 4 > 3: starts again from this call's keys
    assert sorted(cache.frame["key"].to_list()) == ["المحجوب", "حفتر"]
    cache.scores(pl.DataFrame({"key": ["ا", "ب", "ت", "ث"]}))  # one call's keys alone are more: kept empty
    assert cache.frame is None
    off = ner.KeyScoreCache(W, lex, max_keys=0)
    off.scores(pl.DataFrame({"key": ["قال"]}))
    assert off.frame is None


def test_emissions_with_the_cache_equal_emissions_without():
    from polars.testing import assert_frame_equal

    W, lex = _score_inputs()
    t = pl.DataFrame({"sid": [0, 0, 0, 0, 1, 1], "key": ["وقال", "اللواء", "خالد", "المحجوب", "حفتر", "قال"],
                      "rt": ["O", "O", "B-PER", "I-PER", "B-PER", "O"]})
    cache = ner.KeyScoreCache(W, lex, max_keys=1000)
    cache.scores(pl.DataFrame({"key": ["حفتر", "خالد"]}))  # some keys already cached
    assert_frame_equal(ner.emissions(t, W, lex, "rt", cache=cache), ner.emissions(t, W, lex, "rt"))


def test_model_is_small_and_has_a_licence_note():
    model = ROOT / "models" / "ner.crfsuite"
    # ~3.3 MB since c2 = 0.3 (more non-zero weights; dev +0.01, see models/README.md)
    assert model.exists() and model.stat().st_size < 4_000_000
    clusters = ROOT / "models" / "ner_clusters.csv"
    assert clusters.exists() and clusters.stat().st_size < 4_000_000
    note = (ROOT / "models" / "README.md").read_text(encoding="utf-8")
    assert "ANERcorp" in note and "CC BY-SA 4.0" in note
    assert "ANT" in note and "SaudiNewsNet" in note


def test_model_adds_names_the_rules_miss_without_breaking_offsets():
    from transforms.clean import clean_documents
    from transforms.entities import entity_mentions
    from transforms.segment import sentences, tokens

    docs = pl.DataFrame({"article_id": ["x"], "title": ["زيارة"],
                         "body": ["وصل الرئيس الفرنسي إيمانويل ماكرون إلى بيروت أمس، والتقى رئيس الحكومة نجيب ميقاتي."]})
    arts = clean_documents(docs)
    toks = tokens(sentences(arts))
    text = arts["text"][0]
    rules = entity_mentions(toks, model=False)
    both = entity_mentions(toks)
    assert both.height >= rules.height
    for r in both.iter_rows(named=True):
        assert text[r["start_char"]:r["end_char"]] == r["surface"]
    assert "بيروت" in both["surface"].to_list()


def test_cluster_features_known_word_gets_its_cluster_unknown_word_none(tmp_path, monkeypatch):
    """A word of models/ner_clusters.csv gets ``k<K>_<id>`` for itself (``L=``), through its
    clitic-stripped form (``Ls=``: وماكرون -> ماكرون), and for the ±1 neighbours only when
    ``CLUSTER_WINDOW`` says so; an unknown word gets no cluster attribute."""
    from transforms.ner_clusters import write

    cl = pl.DataFrame({"key": ["بيروت", "ماكرون"], "k100": [7, 3], "k500": [41, 12]})
    path = tmp_path / "clusters.csv"
    write(cl, path, "test")
    lex = ner.load_lexicon("", "", str(path))
    keys = pl.DataFrame({"key": ["بيروت", "وماكرون", "زززز"]})
    va = {r["key"]: r for r in ner.vocab_attributes(keys, lex).iter_rows(named=True)}
    assert {"L=k100_7", "L=k500_41"} <= set(va["بيروت"]["a0"])
    assert {"Ls=k100_3", "Ls=k500_12"} <= set(va["وماكرون"]["a0"])
    assert "L=k100_3" not in va["وماكرون"]["a0"]
    assert not [a for a in va["زززز"]["a0"] + va["زززز"]["aw"] if "=k" in a and "_" in a]
    t = pl.DataFrame({"r": [0, 1, 2], "sid": [0, 0, 0], "key": ["ماكرون", "بيروت", "زززز"]})
    attrs = ner.training_attributes(t, lex, None)
    assert "L=k100_3" in attrs[0] and "L=k100_3" not in attrs[1]
    # default (CLUSTER_WINDOW = 0): the neighbours' clusters are not features
    assert not [a for a in attrs[0] + attrs[1] if a[:2] in ("+1", "-1", "+2", "-2") and "=k" in a]
    assert "+1:w=بيروت" in attrs[0]
    monkeypatch.setattr(ner, "CLUSTER_WINDOW", 1)  # ±1 only
    attrs = ner.training_attributes(t, lex, None)
    assert "+1:L=k100_7" in attrs[0] and "-1:L=k500_12" in attrs[1]
    assert "-2:L=k100_3" not in attrs[2] and "-2:w=ماكرون" in attrs[2]


def test_stem_clusters_are_read_beside_the_word_clusters(tmp_path):
    """``ner_clusters_stem.csv`` (clusters of clitic-stripped stems) beside the clusters file
    gives ``s<K>_<id>`` classes, found through the token's stem (``Ls=``: وماكرون -> ماكرون)."""
    from transforms.ner_clusters import stem_expr, write

    path = tmp_path / "ner_clusters.csv"
    write(pl.DataFrame({"key": ["بيروت"], "k100": [7]}), path, "test")
    write(pl.DataFrame({"key": ["ماكرون"], "s100": [5]}), tmp_path / "ner_clusters_stem.csv", "test")
    lex = ner.load_lexicon("", "", str(path))
    va = {r["key"]: r["a0"] for r in ner.vocab_attributes(
        pl.DataFrame({"key": ["وماكرون", "بيروت", "زززز"]}), lex).iter_rows(named=True)}
    assert "Ls=s100_5" in va["وماكرون"] and "L=k100_7" in va["بيروت"]
    assert not [a for a in va["زززز"] if a.startswith(("L=s", "Ls=s", "La=s", "L=k", "Ls=k", "La=k"))
                and a.split("=")[1][1:2].isdigit()]
    # the corpus is clustered on the same stems the tagger's ``s=`` feature uses
    got = pl.DataFrame({"key": ["وماكرون", "للرئيس", "والقاهره"]}).select(stem_expr(pl.col("key")))["key"]
    assert got.to_list() == ["ماكرون", "رئيس", "قاهره"]
