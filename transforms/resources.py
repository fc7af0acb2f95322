"""Arabic reference data for entity and quote extraction.

The lexicons are data files in ``seeds/*.csv`` (see ``seeds/README.md``); this module only
loads them, normalises their keys with the same rules used on tokens, and splits multi-word
entries into an n-gram table.  ``load_resources()`` is cached per directory.

Matching key (``match_key``): the token's ``norm`` made idempotently canonical: diacritics,
tatweel and zero-width marks removed, alef variants -> ا, ى -> ي, ة -> ه.  Applying it to an
already normalised ``norm`` is a no-op, so it does not depend on the exact normaliser used
upstream.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

# Arabic diacritics (harakat, tanween, shadda, sukun, dagger alef, Quranic marks), tatweel,
# zero-width (non-)joiners and direction marks.
MARKS_CLASS = r"\x{064B}-\x{065F}\x{0670}\x{0640}\x{06D6}-\x{06ED}\x{200C}-\x{200F}"
_MARKS_RE = re.compile("[\u064b-\u065f\u0670\u0640\u06d6-\u06ed\u200c-\u200f]")
_FOLD_FROM = ["أ", "إ", "آ", "ٱ", "ى", "ة"]
_FOLD_TO = ["ا", "ا", "ا", "ا", "ي", "ه"]
_FOLD_TABLE = str.maketrans(dict(zip(_FOLD_FROM, _FOLD_TO)))


def normalize(s: str) -> str:
    """Python twin of :func:`match_key` (used on seed data and in tests)."""
    s = _MARKS_RE.sub("", s).translate(_FOLD_TABLE)
    return " ".join(s.split())


def dediac(s: str) -> str:
    """Remove diacritics/tatweel only (display form: hamza and ة kept)."""
    return " ".join(_MARKS_RE.sub("", s).split())


def match_key(expr: pl.Expr) -> pl.Expr:
    """Polars expression: matching key of a token/norm column (see module doc)."""
    return (
        expr.str.replace_all(f"[{MARKS_CLASS}]", "")
        .str.replace_many(_FOLD_FROM, _FOLD_TO)
    )


def dediac_expr(expr: pl.Expr) -> pl.Expr:
    """Polars expression: diacritics/tatweel removed, whitespace runs collapsed."""
    return (
        expr.str.replace_all(f"[{MARKS_CLASS}]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def entity_id(type_: str, canonical: str) -> str:
    """first 16 hex of sha256(type + "\\x1f" + normalised canonical name)."""
    return hashlib.sha256(f"{type_}\x1f{normalize(canonical)}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Resources:
    """Lexicons keyed by ``key`` (= :func:`normalize` of the written form).

    Single-token tables (one row per key):
      given_names: key, name, ambiguous(bool)
      titles:      key, form, kind
      org_heads:   key, form, kind (head | definite)
      places:      key, name, canonical, country_code, kind, ambiguous(bool)
      speech_verbs:key, form, lemma, kind (verb|participle|describe|noun|source), takes
      stopwords:   key, word, kind  (several rows per key allowed)
      naming_words: key, form, kind (verb|participle): words that introduce a name
                   (وتدعى، المدعو، الملقب); read after the tagger, never a model feature
    Multi-token entries of all lexicons: ``ngrams``: key ("w1 w2 .."), first_key, n_tokens,
      type (GN|TITLE|ORG|LOC), payload (title form / canonical name), ambiguous.
    """

    given_names: pl.DataFrame
    titles: pl.DataFrame
    org_heads: pl.DataFrame
    places: pl.DataFrame
    speech_verbs: pl.DataFrame
    stopwords: pl.DataFrame
    ngrams: pl.DataFrame
    seeds_dir: str = field(default="")
    naming_words: pl.DataFrame | None = field(default=None)

    def stop_keys(self, *kinds: str) -> list[str]:
        df = self.stopwords
        if kinds:
            df = df.filter(pl.col("kind").is_in(list(kinds)))
        return df["key"].unique().to_list()


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, comment_prefix="#")


def _keyed(df: pl.DataFrame, col: str) -> pl.DataFrame:
    return df.with_columns(key=match_key(pl.col(col)).str.replace_all(r"\s+", " ").str.strip_chars())


def _split(df: pl.DataFrame, col: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    df = _keyed(df, col)
    multi = df.filter(pl.col("key").str.contains(" "))
    single = df.filter(~pl.col("key").str.contains(" ")).unique("key", keep="first", maintain_order=True)
    return single, multi


@lru_cache(maxsize=8)
def _load(seeds_dir: str) -> Resources:
    d = Path(seeds_dir)
    gn, gn_multi = _split(_read(d / "given_names.csv"), "name")
    gn = gn.with_columns(pl.col("ambiguous") == "1")
    titles, titles_multi = _split(_read(d / "titles.csv"), "form")
    orgs, org_multi = _split(_read(d / "org_heads.csv"), "form")
    org_names = pl.concat([orgs.filter(pl.col("kind") == "name"), org_multi])
    orgs = orgs.filter(pl.col("kind") != "name")
    places, places_multi = _split(_read(d / "places.csv"), "name")
    places = places.with_columns(pl.col("ambiguous") == "1")
    sv = _keyed(_read(d / "speech_verbs.csv"), "form").unique("key", keep="first", maintain_order=True)
    sw = _keyed(_read(d / "stopwords.csv"), "word").unique(["key", "kind"], maintain_order=True)
    naming = (_keyed(_read(d / "naming_words.csv"), "form").unique("key", keep="first", maintain_order=True)
              if (d / "naming_words.csv").exists() else pl.DataFrame(schema={"key": pl.String, "form": pl.String, "kind": pl.String}))

    ngrams = pl.concat(
        [
            gn_multi.select("key", type=pl.lit("GN"), payload=pl.col("name"), ambiguous=pl.lit(False)),
            titles_multi.select("key", type=pl.lit("TITLE"), payload=pl.col("form"), ambiguous=pl.lit(False)),
            org_names.select("key", type=pl.lit("ORG"), payload=pl.col("form"), ambiguous=pl.lit(False)),
            places_multi.select(
                "key", type=pl.lit("LOC"), payload=pl.col("canonical"), ambiguous=pl.col("ambiguous") == "1"
            ),
        ]
    ).with_columns(
        n_tokens=pl.col("key").str.count_matches(" ").cast(pl.Int32) + 1,
        first_key=pl.col("key").str.split(" ").list.first(),
    ).unique("key", keep="first", maintain_order=True)
    return Resources(
        given_names=gn.select("key", "name", "ambiguous"),
        titles=titles.select("key", "form", "kind"),
        org_heads=orgs.select("key", "form", "kind"),
        places=places.select("key", "name", "canonical", "country_code", "kind", "ambiguous"),
        speech_verbs=sv.select("key", "form", "lemma", "kind", "takes"),
        stopwords=sw.select("key", "word", "kind"),
        ngrams=ngrams,
        seeds_dir=seeds_dir,
        naming_words=naming.select("key", "form", "kind"),
    )


def load_resources(seeds_dir: str | Path | None = None) -> Resources:
    """Load (cached) the lexicons from ``seeds_dir`` (default: the repo's ``seeds/``)."""
    return _load(str(Path(seeds_dir or SEEDS_DIR).resolve()))
