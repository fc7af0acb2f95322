"""articles -> paragraphs, sentences, tokens, datelines (pure Polars).

All offsets are 0-based, end-exclusive, in characters of ``articles.text``
(sentences and tokens too: offsets into the article text, not into the sentence).

Technique: ``str.extract_all`` with a regex whose pieces tile the input (each
piece = optional leading white space + one unit, or trailing white space, plus a
one-character fallback), ``explode``, ``len_chars`` and a cumulative sum give every
piece its character offset; the leading white space is stripped (its length
shifts the start) and white-space-only pieces are dropped.  Paragraphs use a plain
``str.split("\n")``.  No ``map_elements`` and no Python loop over rows; each
function is one lazy query.  Ranks within an article ("index" columns) and the base
of each exploded row's cumulative sum are found with a shift / forward-fill over
contiguous groups, which is linear and needs no group-by: inputs must therefore
keep the rows of one article together (as ``paragraphs``/``sentences`` return them).

Offsets and indices are Int64.

Sentence rules (see ``SENTENCE_PIECE_RE``):

* a paragraph (non-empty line) is never crossed;
* a sentence ends after a run of terminators ``. ! ? ؟ … ۔`` (and ‼ ⁇ ⁈ ⁉ and the
  full-width forms), followed by any closing quotes/brackets ``» " ” “ ″ ’ ' ) ] } ›``,
  when white space or the end of the paragraph follows.  A terminator followed by
  anything else (``3.5``, ``٣.٥``, ``example.com``, ``!»،``) does not end a sentence.
  The Arabic semicolon ``؛`` and the colon do not end a sentence;
* abbreviations ``د.`` ``أ.`` ``أ.د.`` ``Dr.`` ``Mr.`` ``Mrs.`` ``Ms.`` ``Prof.`` ``St.``
  and a single Latin capital ``X.`` as a whole word do not end a sentence;
* nothing inside a quotation ``"…"`` ``«…»`` ``“…”``/``”…“``/``„…“`` ``″…″`` ends a
  sentence; an unmatched opening mark runs to the end of its paragraph, never further.
  A quotation whose last character is a terminator (``قال "انتهى." ثم``) ends the
  sentence when white space follows its closing mark.

Tokens follow camel-tools' ``simple_word_tokenize`` (split_digits=False): white
space (Python's ``str.split`` set) separates words; every character of
``UNICODE_PUNCT_SYMBOL_CHARSET`` and every single-character emoji is a token; the
multi-character emoji sequences of ``EMOJI_MULTICHAR_CHARSET`` are one token;
everything else (letters, marks, digits) stays together, so ``3.5`` gives ``3``,
``.``, ``5`` exactly as camel-tools does.
"""

from __future__ import annotations

import polars as pl
from camel_tools.utils.charsets import (
    EMOJI_MULTICHAR_CHARSET,
    EMOJI_SINGLECHAR_CHARSET,
    UNICODE_PUNCT_SYMBOL_CHARSET,
)

from transforms.clean import normalize_for_matching

__all__ = [
    "paragraphs",
    "sentences",
    "tokens",
    "datelines",
    "SENTENCE_PIECE_RE",
    "TOKEN_PIECE_RE",
    "DATELINE_RE",
]


# --------------------------------------------------------------------------- regex kit
def _esc(ch: str) -> str:
    return f"\\x{{{ord(ch):X}}}"


def _ranges(chars) -> str:
    """Body of a character class (no brackets) for ``chars``, as compact ranges."""
    spans: list[list[int]] = []
    for cp in sorted(set(map(ord, chars))):
        if spans and spans[-1][1] == cp - 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return "".join(
        _esc(chr(a)) if a == b else f"{_esc(chr(a))}-{_esc(chr(b))}" for a, b in spans
    )


# Unicode White_Space (= Rust regex ``\\s``), listed for ``strip_chars``.
WHITE_SPACE = "".join(
    map(
        chr,
        [*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B)]
        + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000],
    )
)

# ------------------------------------------------------------------------- sentences
_TERM = ".!?\u061f\u2026\u06d4\u203c\u2047\u2048\u2049\uff0e\uff01\uff1f"
_OPEN = '«"“”„″'
_CLOSE = '»"”“″’\')]}›'
_T = f"[{_ranges(_TERM)}]"
_C = f"[{_ranges(_CLOSE)}]"


def _quote(opens: str, closes: str) -> str:
    # opening mark, content (not ending in a terminator), optional closing mark.
    # A content that ends in a terminator stops before it, so that the terminator
    # and the closing mark are matched by the end-of-sentence / continuation rules.
    inner = _ranges(closes)
    return (
        f"[{_ranges(opens)}](?:[^{inner}]*[^{inner}{_ranges(_TERM)}])?[{inner}]?"
    )


_QUOTE = "|".join(
    [
        _quote("«", "»"),
        _quote('"', '"'),
        _quote("“”„", "“”"),
        _quote("″", "″"),
    ]
)
_ABBR = r"(?:أ\.د|Prof|Mrs|Dr|Mr|Ms|St|د|أ|[A-Z])\."
# terminators (+ closers) followed by something that is not white space: go on.
_CONTINUE = f"{_T}+{_C}*[^\\s{_ranges(_TERM + _OPEN + _CLOSE)}]"
_ORDINARY = f"[^\\n{_ranges(_TERM + _OPEN)}]"
_ITEM = f"(?:\\s{_ABBR}|{_QUOTE}|{_CONTINUE}|{_ORDINARY})"
_END = f"{_T}+{_C}*"
# Applied to one paragraph (no line break inside): optional leading white space,
# then a sentence; or trailing white space; one-character fallback (never used).
SENTENCE_PIECE_RE = (
    f"\\s*(?:(?:{_ABBR}|{_ITEM}){_ITEM}*(?:{_END})?|{_END})" + r"|\s+|(?s:.)"
)

# ---------------------------------------------------------------------------- tokens
# Python's str.split() white space = Unicode White_Space + U+001C..U+001F.
_WS = r"\s\x1C-\x1F"
_WS_CHARS = WHITE_SPACE + "\x1c\x1d\x1e\x1f"
_SYMBOLS = UNICODE_PUNCT_SYMBOL_CHARSET | EMOJI_SINGLECHAR_CHARSET
_EMOJI_SEQ = "|".join(
    "".join(_esc(c) for c in seq)
    for seq in sorted(EMOJI_MULTICHAR_CHARSET, key=lambda s: (-len(s), s))
)
# optional leading white space + one token; or trailing white space.
TOKEN_PIECE_RE = (
    f"[{_WS}]*(?:{_EMOJI_SEQ}|[{_ranges(_SYMBOLS)}]|[^{_ranges(_SYMBOLS)}{_WS}]+)"
    + f"|[{_WS}]+"
    + r"|(?s:.)"
)

# ------------------------------------------------------------------------- datelines
_PLACE_WORD = r"[\p{Arabic}&&[\p{L}\p{M}]]+"
DATELINE_RE = (
    f"^({_PLACE_WORD}(?: {_PLACE_WORD}){{0,2}})"  # the place: 1-3 Arabic words
    r"(?: \([^()\n]{1,40}\))?"  # optional agency: (رويترز)
    r"(?: [-–—] |: )"  # separator
    r"[^\s\"«“”„″]"  # then the story (not a quotation: "وتقول: «...»" is speech)
)
# A dateline opens a story paragraph: one that ends with a full stop (related-link
# and headline-like lines "مصر: التحقيق مع ..." / "السعودية: ما وراء ...؟" do not).
_FULL_STOP = ".\u06d4\uff0e"
_STORY_PARAGRAPH_RE = f"[{_ranges(_FULL_STOP)}]{_C}*$"
# First words that are never a place: reporting verbs, read-more labels, particles.
_NOT_A_PLACE = (
    "قال قالت أضاف أضافت أكد أكدت أوضح أوضحت تابع تابعت أشار أشارت أعلن أعلنت ذكر "
    "ذكرت كتب كتبت أردف أردفت يقول تقول يضيف تضيف كان كانت المصدر المصادر المتحدث مصدر "
    "مصادر للمزيد لمزيد اقرأ إقرأ اقرا شاهد طالع انظر قد يهمك في من على إلى عن مع بعد "
    "قبل حول خلال منذ دراسة الكل أولا ثانيا ثالثا رابعا خامسا أخيرا أولهما ثانيهما قلت "
    "فقال فقالت فأضاف فأضافت"
).split()
# Places written with a leading و (a leading و is otherwise the conjunction:
# "وتقول: ...", "وزاد البيان: ...").  A leading ف is not checked: فلسطين, فيينا.
_WAW_PLACES = "واشنطن وهران ووهان وارسو واغادوغو ويلينغتون ورقلة وجدة وادي وزان".split()
_NOT_A_PLACE_RE = (
    "^(?:(?:" + "|".join(_NOT_A_PLACE) + ")" + r"(?:\s|$)|و)"
)
_WAW_PLACE_RE = "^(?:" + "|".join(_WAW_PLACES) + r")(?:\s|$)"
DATELINE_MAX_BODY_PARAGRAPHS = 5


# --------------------------------------------------------------------------- helpers
def _rank_in_runs(key: str) -> pl.Expr:
    """0-based position of each row inside its run of equal ``key`` values."""
    idx = pl.int_range(pl.len(), dtype=pl.Int64)
    first = (pl.col(key) != pl.col(key).shift(1)).fill_null(True)
    return idx - pl.when(first).then(idx).forward_fill()


def _pieces(
    frame: pl.LazyFrame,
    text: str,
    offset: str,
    carry: list[str],
    *,
    pattern: str | None = None,
    lead: str | None = None,
    split: str | None = None,
) -> pl.LazyFrame:
    """One row per piece of ``frame[text]``, with its character offset.

    Either ``pattern``, a regex that tiles the text (every character in exactly
    one piece; a piece may start with ``lead`` separator characters, which are
    stripped), or ``split``, a literal separator.  Returns the ``carry`` columns +
    ``__piece`` (non-empty), ``__start`` (``frame[offset]`` + char offset of the
    piece in the row's text) and ``__len`` (piece length in chars).
    """
    if split is not None:
        pieces = pl.col(text).str.split(split)
        piece = pl.col("__raw")
        sep = len(split)
    else:
        assert pattern is not None
        pieces = pl.col(text).str.extract_all(pattern)
        piece = pl.col("__raw")
        if lead is not None:
            piece = piece.str.strip_chars_start(lead)
        sep = 0
    first_of_row = pl.col("__row").diff().fill_null(1) != 0
    return (
        frame.with_row_index("__row")
        .select(
            "__row",
            *carry,
            pl.col(offset).cast(pl.Int64).alias("__base"),
            pieces.alias("__raw"),
        )
        .explode("__raw", keep_nulls=False)
        .with_columns(
            (pl.col("__raw").str.len_chars().cast(pl.Int64) + sep).alias("__raw_len"),
            piece.alias("__piece"),
        )
        .with_columns(
            (pl.col("__raw_len").cum_sum() - pl.col("__raw_len")).alias("__cum"),
            pl.col("__piece").str.len_chars().cast(pl.Int64).alias("__len"),
        )
        .with_columns(
            (
                pl.col("__base")
                + pl.col("__cum")
                - pl.when(first_of_row).then(pl.col("__cum")).forward_fill()
                + pl.col("__raw_len")
                - sep
                - pl.col("__len")
            ).alias("__start")
        )
        .filter(pl.col("__len") > 0)
        .select(*carry, "__piece", "__len", "__start")
    )


# ------------------------------------------------------------------------------ API
def _paragraphs(articles: pl.LazyFrame, names: list[str]) -> pl.LazyFrame:
    if "body_start_char" in names:
        body_start = pl.col("body_start_char").fill_null(0)
    elif "title" in names:
        body_start = pl.when(pl.col("title").fill_null("") != "").then(1).otherwise(0)
    else:
        body_start = pl.lit(0)
    frame = articles.select(
        pl.col("article_id").cast(pl.String),
        pl.col("text").fill_null(""),
        pl.lit(0, pl.Int64).alias("__zero"),
        body_start.cast(pl.Int64).alias("__body_start"),
    )
    return (
        _pieces(frame, "text", "__zero", ["article_id", "__body_start"], split="\n")
        .filter(pl.col("__piece").str.contains(r"\S"))
        .select(
            "article_id",
            _rank_in_runs("article_id").alias("paragraph_index"),
            pl.col("__start").alias("start_char"),
            (pl.col("__start") + pl.col("__len")).alias("end_char"),
            pl.col("__piece").alias("text"),
            pl.when(pl.col("__start") < pl.col("__body_start"))
            .then(pl.lit("headline"))
            .otherwise(pl.lit("body"))
            .alias("kind"),
        )
    )


def paragraphs(articles: pl.DataFrame) -> pl.DataFrame:
    """article_id, paragraph_index, start_char, end_char, text, kind.

    A paragraph is a line of ``text`` that is not blank.  ``kind`` is ``headline``
    for the paragraphs before ``body_start_char`` (the title line), else ``body``;
    without ``body_start_char``, for the first paragraph when ``title`` is non-empty.
    Offsets and indices are Int64.
    """
    return _paragraphs(articles.lazy(), articles.columns).collect()


# A "sentence" longer than this (a run-on line, a list with no stops, hostile input) is cut at
# word boundaries into pieces of about this many characters (the word that crosses the limit stays
# whole), so that the work per sentence in
# the extraction stages stays bounded. On the ANT corpus 31 of 336,747 sentences exceed 1,000
# characters and none exceeds 2,215.
MAX_SENTENCE_CHARS = 2500


def _cap_long_sentences(pieces: pl.LazyFrame) -> pl.LazyFrame:
    """Cut pieces (`__piece` starting at char `__start`) longer than MAX_SENTENCE_CHARS at word
    boundaries; order and offsets are kept (a single longer word stays whole)."""
    cols = pieces.collect_schema().names()
    pieces = pieces.with_row_index("__row")
    long = pl.col("__piece").str.len_chars() > MAX_SENTENCE_CHARS
    cut = (
        pieces.filter(long)
        .with_columns(__w=pl.col("__piece").str.extract_all(r"\S+\s*|\s+"))
        .explode("__w")
        .with_columns(__wl=pl.col("__w").str.len_chars().cast(pl.Int64))
        .with_columns(__off=pl.col("__wl").cum_sum().over("__row") - pl.col("__wl"))
        .with_columns(__chunk=(pl.col("__off") // MAX_SENTENCE_CHARS))
        .group_by("__row", "__chunk", maintain_order=True)
        .agg(pl.exclude("__w", "__wl", "__off", "__piece").first(), __off=pl.col("__off").first(),
             __piece=pl.col("__w").str.join(""))
        .with_columns(
            __start=pl.col("__start") + pl.col("__off"),
            __piece=pl.col("__piece").str.strip_chars_end(WHITE_SPACE),
        )
    )
    kept = pieces.filter(~long).with_columns(__chunk=pl.lit(0, pl.Int64))
    return (
        pl.concat([kept.select("__row", "__chunk", *cols), cut.select("__row", "__chunk", *cols)])
        .sort("__row", "__chunk")
        .filter(pl.col("__piece") != "")
        .select(cols)
    )


def sentences(articles: pl.DataFrame) -> pl.DataFrame:
    """article_id, sentence_index, paragraph_index, start_char, end_char, text.

    Sentences are found inside each paragraph (never across a line break);
    ``sentence_index`` is 0-based within the article.
    """
    paras = _paragraphs(articles.lazy(), articles.columns)
    return (
        _pieces(
            paras,
            "text",
            "start_char",
            ["article_id", "paragraph_index"],
            pattern=SENTENCE_PIECE_RE,
            lead=WHITE_SPACE,
        )
        .with_columns(pl.col("__piece").str.strip_chars_end(WHITE_SPACE))
        .filter(pl.col("__piece") != "")
        .pipe(_cap_long_sentences)
        .select(
            "article_id",
            _rank_in_runs("article_id").alias("sentence_index"),
            "paragraph_index",
            pl.col("__start").alias("start_char"),
            (pl.col("__start") + pl.col("__piece").str.len_chars().cast(pl.Int64)).alias(
                "end_char"
            ),
            pl.col("__piece").alias("text"),
        )
        .collect()
    )


def tokens(sentences: pl.DataFrame) -> pl.DataFrame:
    """article_id, sentence_index, token_index, start_char, end_char, token, norm.

    ``token_index`` is 0-based within the article; rows of one article must be
    together and in sentence order (as ``sentences()`` returns them).
    ``norm`` = ``transforms.clean.normalize_for_matching(token)``.
    """
    frame = sentences.lazy().select(
        pl.col("article_id").cast(pl.String),
        pl.col("sentence_index").cast(pl.Int64),
        "start_char",
        "text",
    )
    return (
        _pieces(
            frame,
            "text",
            "start_char",
            ["article_id", "sentence_index"],
            pattern=TOKEN_PIECE_RE,
            lead=_WS_CHARS,
        )
        .select(
            "article_id",
            "sentence_index",
            _rank_in_runs("article_id").alias("token_index"),
            pl.col("__start").alias("start_char"),
            (pl.col("__start") + pl.col("__len")).alias("end_char"),
            pl.col("__piece").alias("token"),
            normalize_for_matching(pl.col("__piece")).alias("norm"),
        )
        .collect()
    )


def datelines(articles: pl.DataFrame) -> pl.DataFrame:
    """article_id, dateline, dateline_start_char, dateline_end_char.

    The dateline is a place of 1-3 Arabic words at the very start of one of the
    first ``DATELINE_MAX_BODY_PARAGRAPHS`` body paragraphs (the first that
    matches; highlight lines may come between the headline and the dateline),
    optionally followed by an agency in parentheses, then `` - ``, `` – ``,
    `` — `` or ``: `` and the story (not a quotation).  The paragraph must end
    like a sentence (``.``, ``؟`` ... plus closing quotes), which rules out
    headline-like and related-link lines ("مصر: التحقيق مع ...").  The place
    must not start with a reporting verb, a read-more label, a preposition, or the
    conjunction و/ف (except places such as واشنطن, وهران).  Only articles that
    have one are returned.
    """
    return (
        _paragraphs(articles.lazy(), articles.columns)
        .filter(pl.col("kind") == "body")
        .filter(_rank_in_runs("article_id") < DATELINE_MAX_BODY_PARAGRAPHS)
        .filter(pl.col("text").str.contains(_STORY_PARAGRAPH_RE))
        .select(
            "article_id",
            "start_char",
            pl.col("text").str.extract(DATELINE_RE, 1).alias("dateline"),
        )
        .filter(
            pl.col("dateline").is_not_null()
            & (
                ~pl.col("dateline").str.contains(_NOT_A_PLACE_RE)
                | pl.col("dateline").str.contains(_WAW_PLACE_RE)
            )
        )
        .unique(subset="article_id", keep="first", maintain_order=True)
        .select(
            "article_id",
            "dateline",
            pl.col("start_char").alias("dateline_start_char"),
            (pl.col("start_char") + pl.col("dateline").str.len_chars().cast(pl.Int64)).alias(
                "dateline_end_char"
            ),
        )
        .collect()
    )
