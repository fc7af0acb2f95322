"""Distributional word clusters for NER features, learned from unlabelled news.

Training time only (``akhbar ner train``); the pipeline only reads the committed result,
``models/ner_clusters.csv`` (``key,k<K1>,k<K2>,...``: one row per word, its cluster id at each
granularity), with Polars (``transforms.ner.load_lexicon`` turns every id into a word class
``k<K>_<id>`` that is a feature of the token, of its clitic-stripped forms and of the ±1/±2
window, like the other lexicon classes).

Recipe (deterministic, a few minutes on 2 cores):

1. Every file of the ANT v2.1 corpus (sorted paths) is read, cleaned, split into sentences and
   tokens by the pipeline's own stages (``read`` / ``clean`` / ``segment``) and each token gets
   the tagger's ``key`` (``match_key`` of the normalised token, clitics attached), so cluster
   keys are exactly the strings the tagger looks up.  One sentence per line in a temporary file.
2. gensim ``Word2Vec`` (CBOW/skip-gram per ``W2V``) over that file with ``workers=1``, a fixed
   ``seed`` and a fixed string hash (``_hash``), so the vectors are the same on every run.
3. The ``TOP`` most frequent words' unit vectors are clustered by k-means (scikit-learn,
   ``k-means++`` with a fixed ``random_state``, one BLAS/OpenMP thread) at each granularity in
   ``KS``.

Dependencies (gensim, numpy, scipy, scikit-learn) are in ``requirements-train.lock``, not in the
runtime lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import polars as pl

TRAIN_LOCK = "requirements-train.lock"
KS = (100, 500, 1000)
TOP = 100_000
W2V = {"vector_size": 100, "window": 5, "min_count": 5, "sg": 0, "negative": 5,
       "sample": 1e-4, "epochs": 5, "seed": 20261129}
BATCH = 2000
# also cluster the clitic-stripped stems (second word2vec over the stem sequences) into
# models/ner_clusters_stem.csv (classes ``s<K>_<id>``)
STEM_CLUSTERS = True


def _hash(s: str) -> int:
    """Deterministic replacement for Python's salted ``hash`` (gensim's vector init seed)."""
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little")


def require_train_deps() -> None:
    try:
        import gensim  # noqa: F401
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
        import threadpoolctl  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the venv
        raise SystemExit(
            f"akhbar ner train needs the training-only dependencies ({e.name} is missing):\n"
            f"    .venv/bin/pip install --no-deps -r {TRAIN_LOCK}"
        ) from e


def corpus_files(corpus_dir: Path) -> list[str]:
    return sorted(str(p) for p in Path(corpus_dir).rglob("*.txt") if p.name != "README.md")


def stem_expr(key: pl.Expr) -> pl.Expr:
    """The tagger's clitic-stripped stem of a key (``transforms.ner.vocab_attributes``: و/ف +
    ب/ل/ك and ال stripped when >= 2 letters remain; لل -> stem)."""
    from transforms.ner import _CLITIC_RE

    cl = key.str.extract(_CLITIC_RE, 1).fill_null("").str.len_chars()
    al = key.str.extract(_CLITIC_RE, 2).fill_null("").str.len_chars()
    stem = pl.when(key.str.len_chars() - cl - al >= 2).then(key.str.slice(cl + al)).otherwise(key)
    return pl.when(key.str.starts_with("لل") & (key.str.len_chars() >= 4)).then(key.str.slice(2)).otherwise(stem)


def sentence_lines(files: list[str], form: str = "key") -> pl.Series:
    """Token keys (``form="stem"``: their clitic-stripped stems) of ``files`` as one
    space-joined string per sentence (file order)."""
    from transforms import clean, read, segment
    from transforms.resources import match_key

    docs, _ = read.read_files([Path(f).resolve().as_uri() for f in files])
    toks = segment.tokens(segment.sentences(clean.clean_documents(docs)))
    key = match_key(pl.col("norm").fill_null(pl.col("token")))
    return (
        toks.select(
            "article_id", "sentence_index",
            key=stem_expr(key) if form == "stem" else key,
        )
        .filter(pl.col("key").str.contains(r"^\S+$"))
        .group_by("article_id", "sentence_index", maintain_order=True)
        .agg(pl.col("key").str.join(" "))
        ["key"]
    )


def write_corpus(files: list[str], path: Path, form: str = "key") -> int:
    """Sentence-per-line corpus file for gensim's ``corpus_file`` mode; returns #tokens."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i in range(0, len(files), BATCH):
            lines = sentence_lines(files[i:i + BATCH], form)
            n += int(lines.str.count_matches(" ").sum() + lines.len())
            f.write("\n".join(lines.to_list()))
            f.write("\n")
    return n


def build(corpus_dir: Path, ks: tuple[int, ...] = KS, top: int = TOP, w2v: dict | None = None,
          workdir: Path | None = None, form: str = "key") -> pl.DataFrame:
    """key, k<K>... (Int32 cluster ids) for the ``top`` most frequent words of the corpus."""
    require_train_deps()
    import numpy as np
    from gensim.models import Word2Vec
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    params = {**W2V, **(w2v or {})}
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        cpath = Path(tmp) / "corpus.txt"
        ntok = write_corpus(corpus_files(corpus_dir), cpath, form)
        with threadpool_limits(1):
            m = Word2Vec(corpus_file=str(cpath), workers=1, hashfxn=_hash, **params)
    words = list(m.wv.index_to_key)  # by decreasing count (gensim sorts; ties keep first-seen order)
    words = words[:top]
    X = np.asarray(m.wv.vectors[: len(words)], dtype=np.float64)
    X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    out = {"key": words}
    with threadpool_limits(1):
        for k in ks:
            km = KMeans(n_clusters=k, init="k-means++", n_init=1, max_iter=100, random_state=k,
                        algorithm="lloyd")
            out[f"k{k}"] = km.fit_predict(X).astype(np.int32).tolist()
    df = pl.DataFrame(out).sort("key")
    print(f"clusters: {ntok} corpus tokens, {len(m.wv.index_to_key)} words >= min_count, "
          f"{len(words)} clustered at k={list(ks)}")
    return df


def note(form: str = "key") -> str:
    return (f"NER word clusters: word2vec {json.dumps(W2V, sort_keys=True)} over every file of ANT v2.1, "
            f"k-means k={list(KS)} on the {TOP} most frequent {form}s; built by `akhbar ner train`")


def write(df: pl.DataFrame, path: Path, note: str) -> None:
    """Exact bytes of the committed models/ner_clusters.csv (no quoting needed: keys have no
    comma, space or quote... a key with a comma is dropped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df = df.filter(~pl.col("key").str.contains(r"[,\"\n\r#]"))
    cols = df.columns
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {note}\n")
        f.write(",".join(cols) + "\n")
        # training time only (akhbar ner train), once per word: the committed file's exact bytes
        for row in df.iter_rows():
            f.write(",".join(str(v) for v in row) + "\n")


def read(path: Path) -> pl.DataFrame:
    """models/ner_clusters.csv -> key, cls (one row per granularity: ``k<K>_<id>``)."""
    df = pl.read_csv(path, infer_schema=False, comment_prefix="#", quote_char=None)
    ks = [c for c in df.columns if c != "key"]
    return pl.concat([df.select("key", cls=pl.lit(f"{c}_") + pl.col(c)) for c in ks])


if __name__ == "__main__":  # pragma: no cover - manual experiments
    import sys
    import time

    t0 = time.time()
    import json

    d = build(Path(sys.argv[1]), w2v=json.loads(sys.argv[3]) if len(sys.argv) > 3 else None,
              workdir=Path(os.environ.get("TMPDIR", "/tmp")), form=os.environ.get("FORM", "key"))
    write(d, Path(sys.argv[2]), "experiment")
    print(f"{time.time() - t0:.0f}s")
