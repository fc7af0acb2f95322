"""documents -> articles: text cleaning and the matching form, as Polars expressions.

Everything here is a vectorised Polars expression (no ``map_elements``, no Python
loop over rows).  The character tables are built once, at import time, from
``unicodedata`` / camel-tools, and compiled into ``str.replace_many`` (Aho-Corasick:
the presentation-form table, the matching-form table) and ``str.replace_all``
(regex character classes: invisible characters, line breaks, white space).

Decisions (see also docs/architecture.md, section *articles*):

* ``text`` keeps diacritics, Arabic punctuation and Eastern Arabic digits as written;
  only invisible/format characters, tatweel and presentation forms are touched.
* Paragraphs are lines: blank lines are dropped, so paragraphs are separated by a
  single ``"\\n"``.
* The title is a single paragraph: line breaks inside a title become a space.
* ``norm`` (matching form) = camel-tools ``dediac_ar`` + ``normalize_alef_ar`` +
  ``normalize_alef_maksura_ar`` + ``normalize_teh_marbuta_ar``, plus Eastern
  Arabic-Indic (U+0660-0669) and Extended Arabic-Indic (U+06F0-06F9) digits mapped
  to ASCII so that "٢٠١٨" and "2018" match.  ``text`` keeps the digits as written.
"""

from __future__ import annotations

import unicodedata

import polars as pl
from camel_tools.utils.charsets import AR_DIAC_CHARSET, AR_LETTERS_CHARSET
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    _ALEF_NORMALIZE_AR_RE,
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

__all__ = [
    "PRESENTATION_FORMS",
    "MATCHING_TABLE",
    "clean_text",
    "normalize_for_matching",
    "clean_documents",
]


def _cls(chars) -> str:
    """A Rust-regex character class for ``chars`` (every member escaped as \\x{..})."""
    return "[" + "".join(f"\\x{{{ord(c):X}}}" for c in sorted(set(chars))) + "]"


# --------------------------------------------------------------------------- tables
def _presentation_forms() -> dict[str, str]:
    """Arabic Presentation Forms-A (U+FB50-FDFF) and -B (U+FE70-FEFF) -> base letters.

    The target is camel-tools' ``normalize_unicode`` of the single code point, i.e.
    ``unicodedata.normalize("NFKC", ch)`` plus camel-tools' two fixes (U+FDFC RIAL
    SIGN -> "ريال" with Arabic yeh, U+FDFD BISMILLAH, which has no decomposition).
    Lam-alef ligatures become two letters (U+FEFB -> "لا"), U+FDF2 -> "الله".
    The isolated harakat forms (U+FE70.., U+FC5E..) decompose to SPACE + mark; the
    space is dropped so that the mark stays on the preceding letter.
    """
    table: dict[str, str] = {}
    for cp in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        ch = chr(cp)
        if unicodedata.category(ch) == "Cn":
            continue
        target = normalize_unicode(ch)
        if target == ch:
            continue
        if target.startswith(" ") and all(
            unicodedata.category(c) == "Mn" for c in target[1:]
        ):
            target = target[1:]
        table[ch] = target
    return table


PRESENTATION_FORMS: dict[str, str] = _presentation_forms()

_TATWEEL = "\u0640"
_BIDI = "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(
    map(chr, range(0x2066, 0x206A))
)
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# C0 controls except TAB/LF/VT/FF/CR (VT/FF are turned into line breaks first), DEL, C1.
_CONTROLS = (
    "".join(map(chr, range(0x00, 0x09)))
    + "".join(map(chr, range(0x0E, 0x20)))
    + "".join(map(chr, range(0x7F, 0xA0)))
)
_REMOVE_RE = _cls(_BIDI + _ZERO_WIDTH + _TATWEEL + _CONTROLS.replace("\x85", ""))
# CRLF, CR, and the other line terminators (VT, FF, NEL, LINE/PARAGRAPH SEPARATOR).
_LINE_BREAK_RE = r"\r\n|[\r\x0B\x0C\x{85}\x{2028}\x{2029}]"
# Horizontal whitespace = Unicode White_Space minus "\n" (after the step above):
# TAB, SPACE, NBSP, U+1680, U+2000-200A, U+202F, U+205F, U+3000.  Only runs that
# are not already a single SPACE match (3x faster than rewriting every space).
_HSPACE_RE = r" [^\S\n]+|[^\S\n ][^\S\n]*"
# A run of white space that contains a line break: the line break (blank lines
# collapse, spaces around line ends go).
_LINE_END_RE = r" ?\n[ \n]*"


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Clean a string expression (null stays null).

    1. Presentation forms -> base letters (``str.replace_many``, table above).
    2. CRLF / CR / VT / FF / NEL / U+2028 / U+2029 -> "\\n".
    3. Remove bidi controls, zero-width characters, tatweel, NUL and other controls.
    4. Runs of horizontal white space (incl. NBSP, U+2000-200A, U+3000) -> one space.
    5. Spaces around line ends removed, blank lines removed (paragraph = line).
    6. Trim.
    Diacritics, Arabic punctuation and digits are kept as they are.
    """
    return (
        expr.str.replace_many(PRESENTATION_FORMS)
        .str.replace_all(_LINE_BREAK_RE, "\n")
        .str.replace_all(_REMOVE_RE, "")
        .str.replace_all(_HSPACE_RE, " ")
        .str.replace_all(_LINE_END_RE, "\n")
        .str.strip_chars(" \n")
    )


# ------------------------------------------------------------ matching normalisation
def _camel_matching(ch: str) -> str:
    """camel-tools' own functions, in the order the matching form applies them."""
    return normalize_teh_marbuta_ar(
        normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(ch)))
    )


def _matching_table() -> dict[str, str]:
    """Character -> replacement table of the matching form, read from camel-tools.

    The candidates are camel-tools' own sets (``AR_DIAC_CHARSET``,
    ``AR_LETTERS_CHARSET``, the class of ``_ALEF_NORMALIZE_AR_RE``) plus the Arabic
    blocks; each is passed through camel-tools' functions and kept when it changes.
    Every rule is character -> character (or -> "" for diacritics), so the table is
    exactly the composition of the four functions.
    """
    candidates = (
        set(AR_DIAC_CHARSET)
        | set(AR_LETTERS_CHARSET)
        | set(_ALEF_NORMALIZE_AR_RE.pattern.strip("[]"))
        | {chr(cp) for cp in [*range(0x0600, 0x0780), *range(0x08A0, 0x0900)]}
    )
    table = {}
    for ch in sorted(candidates):
        out = _camel_matching(ch)
        if out != ch:
            table[ch] = out
    return table


ARABIC_DIGITS: dict[str, str] = {
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
}
MATCHING_TABLE: dict[str, str] = {**_matching_table(), **ARABIC_DIGITS}


def normalize_for_matching(expr: pl.Expr) -> pl.Expr:
    """The matching form (``norm``) of a string expression.

    camel-tools' dediac_ar -> normalize_alef_ar -> normalize_alef_maksura_ar ->
    normalize_teh_marbuta_ar, then Arabic-Indic and Extended Arabic-Indic digits ->
    ASCII digits.  Nothing else changes (Latin case, punctuation, other marks).

    The rules are single characters, so they run as one ``str.replace_many``
    (Aho-Corasick) over ``MATCHING_TABLE``: on 13M tokens that is 0.5 s against
    2.5 s for one ``str.replace_all`` character-class pass per rule.
    """
    return expr.str.replace_many(MATCHING_TABLE)


# ----------------------------------------------------------------- documents -> articles
def clean_documents(documents: pl.DataFrame) -> pl.DataFrame:
    """documents -> articles.

    * ``title``: cleaned; a title is one paragraph (line breaks -> a space); null stays null.
    * ``text``: cleaned title + "\\n" + cleaned body; just the cleaned body when the
      title is null/empty; just the title when the body is empty.
    * ``body_start_char`` (Int64): offset of the cleaned body in ``text``
      (``len(text) - len(cleaned body)``: 0 without a title, ``len(title) + 1`` with
      one, ``len(text)`` when the body is empty).
    * ``body`` and every other document column are kept as read.
    """
    title = clean_text(pl.col("title")).str.replace_all("\n", " ", literal=True)
    body = clean_text(pl.col("body").fill_null(""))
    return (
        documents.with_columns(title.alias("title"), body.alias("__body"))
        .with_columns(
            pl.concat_str(
                [
                    pl.when(pl.col("title") != "").then(pl.col("title")),
                    pl.when(pl.col("__body") != "").then(pl.col("__body")),
                ],
                separator="\n",
                ignore_nulls=True,
            ).alias("text")
        )
        .with_columns(
            (pl.col("text").str.len_chars() - pl.col("__body").str.len_chars())
            .cast(pl.Int64)
            .alias("body_start_char")
        )
        .drop("__body")
    )
