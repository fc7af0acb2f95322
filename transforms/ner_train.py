"""Training and evaluation of the NER model (``akhbar ner train`` / ``akhbar ner eval``).

``train`` is deterministic: same ANERcorp file + seeds + corpus lexicon -> the same model
bytes (CRFsuite's L-BFGS has no randomness; attributes are appended in file order).
The dev split used for every choice (features, c1/c2) is every 10th block of 50 sentences
of the train file (``dev_mask``); the test split is only read by ``evaluate``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl

from transforms import ner
from transforms.resources import load_resources

SHARED = Path(os.environ.get("AKHBAR_SHARED", ner.REPO.parent / "shared"))
ANER_DIR = SHARED / "data" / "ner" / "anercorp"
TRAIN_FILE = ANER_DIR / "ANERCorp_CamelLab_train.txt"
TEST_FILE = ANER_DIR / "ANERCorp_CamelLab_test.txt"
# c2 0.01 -> 0.3 with the word clusters: dev micro-F1 (folds 9 / 4) 0.740 / 0.754 -> 0.749 / 0.771
PARAMS = {"c1": 0.1, "c2": 0.3, "max_iterations": 200, "feature.possible_transitions": True}


def dev_mask() -> pl.Expr:
    return (pl.col("sid") // 50) % 10 == 9


def prepare(path: Path, keep: pl.Expr | None = None) -> pl.DataFrame:
    """CoNLL file -> token frame with rule tags (``rt``) and gold ``tag``."""
    df = ner.read_conll(path)
    if keep is not None:
        df = df.filter(keep)
    toks = ner.conll_tokens(df)
    t = ner.rule_frame(toks, load_resources())
    return t.with_columns(tag=toks["tag"])


def fit(t: pl.DataFrame, model_out: Path, params: dict | None = None, lexicon_path: str = "",
        clusters_path: str = "") -> None:
    import pycrfsuite

    lex = ner.load_lexicon(load_resources().seeds_dir, lexicon_path, clusters_path)
    attrs = ner.training_attributes(t, lex, t["rt"])
    tags = t["tag"].to_list()
    sids = t["sid"].to_list()
    trainer = pycrfsuite.Trainer(verbose=False)
    start = 0
    for i in range(1, len(sids) + 1):
        if i == len(sids) or sids[i] != sids[start]:
            trainer.append(attrs[start:i], tags[start:i])
            start = i
    trainer.set_params({**PARAMS, **(params or {})})
    model_out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_out))


def predict(t: pl.DataFrame, model: Path, lexicon_path: str = "", o_bias: float | None = None,
            clusters_path: str = "") -> pl.Series:
    ner.load_weights.cache_clear()
    W = ner.load_weights(str(model))
    lex = ner.load_lexicon(load_resources().seeds_dir, lexicon_path, clusters_path)
    em = ner.emissions(t, W, lex, "rt", o_bias)
    y = ner.viterbi(t, em, W, ner.viterbi_cut(o_bias))
    return y.replace_strict(list(range(len(W.labels))), W.labels, return_dtype=pl.String)


def dev_experiment(params: dict | None = None, lexicon_path: str = "", clusters_path: str = "",
                   o_bias: float | None = None) -> pl.DataFrame:
    """Train on train minus dev, score on dev.  ``clusters_path="-"``: no word clusters."""
    tr = prepare(TRAIN_FILE, ~dev_mask())
    dv = prepare(TRAIN_FILE, dev_mask())
    model = Path(f"/tmp/ner_dev_{os.getpid()}.crfsuite")
    t0 = time.time()
    fit(tr, model, params, lexicon_path, clusters_path)
    t1 = time.time()
    pred = predict(dv, model, lexicon_path, o_bias, clusters_path)
    sc = ner.score(dv.with_columns(pred=pred))
    print(f"train {t1 - t0:.1f}s  size {model.stat().st_size}  params {params}")
    return sc


CORPUS_DIR = SHARED / "data" / "corpus" / "ant_multisource"
LEXICON_STEP = 4


def train(shared: Path | None = None, out: Path | None = None) -> dict:
    """Rebuild ``models/ner_lexicon.csv`` (ANT sample) and ``models/ner.crfsuite`` (ANERcorp
    train split); returns paths and sha256s."""
    import hashlib

    from transforms import ner_lexicon

    from transforms import ner_clusters

    ner_clusters.require_train_deps()  # fail before minutes of work, with the install command
    shared = Path(shared) if shared else SHARED
    out = Path(out) if out else ner.MODEL_PATH
    lex_path = out.parent / "ner_lexicon.csv"
    cl_path = out.parent / "ner_clusters.csv"
    corpus = shared / "data" / "corpus" / "ant_multisource"
    lx = ner_lexicon.build(corpus, LEXICON_STEP)
    ner_lexicon.write(
        lx, lex_path,
        f"NER corpus lexicon: every {LEXICON_STEP}th file of ANT v2.1 (sorted paths); built by `akhbar ner train`",
    )
    cl = ner_clusters.build(corpus)
    ner_clusters.write(cl, cl_path, ner_clusters.note())
    outs = [out, lex_path, cl_path]
    if ner_clusters.STEM_CLUSTERS:
        st_path = cl_path.with_name(cl_path.stem + "_stem" + cl_path.suffix)
        st = ner_clusters.build(corpus, form="stem")
        st = st.rename({c: "s" + c[1:] for c in st.columns if c != "key"})
        ner_clusters.write(st, st_path, ner_clusters.note("stem"))
        outs.append(st_path)
    ner.load_lexicon.cache_clear()
    t = prepare(shared / "data" / "ner" / "anercorp" / TRAIN_FILE.name)
    fit(t, out, None, str(lex_path), str(cl_path))
    ner.load_weights.cache_clear()
    ner.load_lexicon.cache_clear()
    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in outs}
    return {"model": str(out), "lexicon": str(lex_path), "clusters": str(cl_path), "sha256": sha,
            "tokens": t.height}


def evaluate(test_file: Path | None = None, model: Path | None = None, mode: str = "model") -> pl.DataFrame:
    """Entity-level scores on ``test_file``: ``mode`` = ``model`` (the CRF's tags) or
    ``pipeline`` (the mentions ``entity_mentions`` keeps: rules + model)."""
    from transforms.entities import mention_spans, span_tags

    test_file = Path(test_file) if test_file else TEST_FILE
    model = Path(model) if model else ner.MODEL_PATH
    t = prepare(test_file)
    if mode == "model":
        pred = ner.tag_table(t, t["rt"], load_resources(), str(model))
    else:
        res = load_resources()
        m = mention_spans(t, res, str(model))
        pred = span_tags(t.height, m)
    return ner.score(t.with_columns(pred=pred))
