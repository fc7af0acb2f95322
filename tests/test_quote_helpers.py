"""The quote stage's index helpers (transforms/quotes.py) give what the Polars operations they
stand for give, with and without nulls (they take a NumPy path when a column has no null)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_series_equal

from transforms.quotes import _clip, _fill, _ix, _next_after, _Prefix, _prev_at_or_before

CASES = [
    pl.Series("r", [5, -2, 0, 9, 3], dtype=pl.Int64),
    pl.Series("r", [5, None, 0, 9, None], dtype=pl.Int64),
    pl.Series("r", [7, 1, 4], dtype=pl.Int32),
    pl.Series("r", [], dtype=pl.Int64),
]


@pytest.mark.parametrize("s", CASES)
@pytest.mark.parametrize(("lo", "hi"), [(0, None), (None, 4), (0, 4), (2, 2)])
def test_clip_is_polars_clip(s, lo, hi):
    assert_series_equal(_clip(s, lo, hi), s.clip(lower_bound=lo, upper_bound=hi))


@pytest.mark.parametrize("s", CASES)
def test_fill_and_gather_index_are_polars_fill_null_and_clip(s):
    assert_series_equal(_fill(s, 0), s.fill_null(0))
    assert_series_equal(_ix(s, 4), s.fill_null(0).clip(lower_bound=0, upper_bound=3))


def test_clip_of_a_column_without_nulls_clips_values():
    assert _clip(pl.Series([5, -2, 9], dtype=pl.Int64), 0, 4).to_list() == [4, 0, 4]


@pytest.mark.parametrize("r", [pl.Series([0, 3, 4, 10, -1], dtype=pl.Int64), pl.Series([0, None, 4], dtype=pl.Int64)])
def test_next_after_and_prev_at_or_before(r):
    pos = pl.Series([1, 4, 4, 8], dtype=pl.Int64)
    want_next = pl.concat([pos, pl.Series([None], dtype=pl.Int64)]).gather(pos.search_sorted(r, side="right"))
    want_prev = pl.concat([pl.Series([None], dtype=pl.Int64), pos]).gather(pos.search_sorted(r, side="right"))
    assert_series_equal(_next_after(pos, r), want_next, check_names=False)
    assert_series_equal(_prev_at_or_before(pos, r), want_prev, check_names=False)
    if r.null_count() == 0:
        assert _next_after(pos, r).to_list() == [1, 4, 8, None, 1]
        assert _prev_at_or_before(pos, r).to_list() == [None, 1, 4, 8, None]


def test_prefix_counts_flags_strictly_between_rows():
    p = _Prefix(pl.Series([True, False, True, True, False, True]))
    a = pl.Series([0, 0, 3, 5, 2], dtype=pl.Int64)
    b = pl.Series([5, 1, 2, 9, 4], dtype=pl.Int64)
    # rows 1..4 hold 2 flags; none between 0 and 1; b <= a + 1 -> 0; past the end: row 6 on
    assert p.between(a, b).to_list() == [2, 0, 0, 0, 1]
    with_null = p.between(pl.Series([0, None], dtype=pl.Int64), pl.Series([5, 3], dtype=pl.Int64))
    assert with_null.to_list() == [2, None]


def test_function_words_come_from_the_seeds_file():
    """The quote rules' function words are data (seeds/quote_function_words.csv), keyed like
    every lexicon: written إلى / على / أن / إلا, matched as الي / علي / ان / الا."""
    from transforms.quote_tokens import load_lexicon

    lex = load_lexicon()
    assert lex.function_keys("object_particle") == ["عن", "الي", "علي", "بان", "ان"]
    assert lex.function_keys("exception") == ["الا", "غير", "بيد"]
    assert "وكانت" in lex.function_keys("kana")
    assert lex.function_keys("no such kind") == []


def test_prefix_with_row_numbers_counts_like_without():
    flag = pl.Series([True, None, True, True, False, True], dtype=pl.Boolean)
    a = pl.Series([0, 0, 3, 5, 2, -3, None], dtype=pl.Int64)
    b = pl.Series([5, 1, 2, 9, 4, 3, 4], dtype=pl.Int64)
    rows = pl.Series("r", range(6), dtype=pl.Int64)
    want = [2, 0, 0, 0, 1, 2, None]
    assert _Prefix(flag).between(a, b).to_list() == want
    assert _Prefix(flag, rows).between(a, b).to_list() == want
    # other integer types take the same path as Int64
    assert _Prefix(flag, rows).between(a.cast(pl.Int32), b.cast(pl.UInt32, strict=False)).to_list() == want


def test_span_texts_is_span_text_in_span_order():
    from transforms.quotes import _span_texts
    from transforms.spans import span_text

    t = pl.DataFrame({
        "r": [0, 1, 2, 3, 4],
        "token": ["قال", "الوزير", "،", "إن", "X"],
        "start_char": [0, 4, 10, 12, 16],
        "end_char": [3, 10, 11, 15, 17],
    }, schema_overrides={"r": pl.Int64, "start_char": pl.Int64, "end_char": pl.Int64})
    spans = pl.DataFrame({"r_start": [1, 0, 3, 4, 2], "r_end": [3, 0, 4, 3, None]},
                         schema={"r_start": pl.Int64, "r_end": pl.Int64})
    got = _span_texts(t, spans)
    want = span_text(t, spans.with_columns(mid=pl.int_range(pl.len()).cast(pl.String)))
    want = spans.with_columns(mid=pl.int_range(pl.len()).cast(pl.String)).join(want, on="mid", how="left",
                                                                               maintain_order="left")["text"]
    assert_series_equal(got, want, check_names=False)
    assert got.to_list()[:3] == ["الوزير، إن", "قال", "إن X"]
    assert _span_texts(t, spans.clear()).to_list() == []


def test_token_rows_at_is_a_backward_asof_join_by_article():
    from transforms.quotes import _token_rows_at

    t = pl.DataFrame({"art": [1, 1, 1, 2, 2], "start_char": [0, 4, 9, 0, 6]},
                     schema={"art": pl.Int64, "start_char": pl.Int64}).with_columns(r=pl.int_range(pl.len(), dtype=pl.Int64))
    ms = pl.DataFrame({"art": [2, 1, 1, 2, 1], "start_char": [6, 4, 5, 0, 0], "end_char": [9, 8, 11, 1, 0]},
                      schema={"art": pl.Int64, "start_char": pl.Int64, "end_char": pl.Int64})
    starts, ends = _token_rows_at(t, ms)
    want_s = ms.sort("art", "start_char").join_asof(
        t.select("art", m="r", _s="start_char"), left_on="start_char", right_on="_s", by="art", strategy="backward")["m"]
    want_e = ms.with_columns(_e=pl.col("end_char") - 1).sort("art", "_e").join_asof(
        t.select("art", m="r", _s="start_char"), left_on="_e", right_on="_s", by="art", strategy="backward")["m"]
    assert_series_equal(starts, want_s, check_names=False)
    assert_series_equal(ends, want_e, check_names=False)
    assert ends.to_list() == [None, 1, 2, 3, 4]  # (a mention ending at offset 0 starts no token)
    # a token table out of (art, start_char) order: None (the caller falls back to the as-of join)
    assert _token_rows_at(t.reverse(), ms) is None


def test_rows_with_norm_is_a_filter_on_norm():
    from polars.testing import assert_frame_equal

    from transforms.quotes import _rows_with_norm

    at = pl.DataFrame({
        "g": [0, 1, 2, 3, 4, 5],
        "token": ["قال", "الوزير", "راخوي", "،", "وزير", "راخوي"],
        "norm": ["قال", "الوزير", "راخوي", "،", None, "راخوي"],
    })
    for words in (["راخوي"], ["الوزير", "قال", "غائب"], [], ["راخوي", None]):
        want = at.filter(pl.col("norm").is_in(pl.Series(words, dtype=pl.String).implode()))
        assert_frame_equal(_rows_with_norm(at, words), want)
        assert_frame_equal(_rows_with_norm(at, pl.Series(words, dtype=pl.String)), want)
    assert _rows_with_norm(at, ["راخوي"])["g"].to_list() == [2, 5]


def test_vocab_join_is_the_join_on_token():
    from polars.testing import assert_frame_equal

    from transforms.quote_tokens import _vocab, _vocab_join, load_lexicon

    lex = load_lexicon()
    base = pl.DataFrame({
        "article_id": ["a"] * 6,
        "token": ["وقال", "الوزير", "إن", "«", "وقال", "»"],
        "norm": ["وقال", "الوزير", "ان", "«", "وقال", "»"],
    })
    vocab = _vocab(base.select("token", "norm"), lex)
    flags = [c for c, d in vocab.schema.items() if d == pl.Boolean]
    want = base.drop("norm").join(vocab.drop("norm").with_columns(pl.col(flags).cast(pl.UInt8)), on="token",
                                  how="left", maintain_order="left")
    assert_frame_equal(_vocab_join(base, lex), want)
    assert _vocab_join(base, lex)["sv"].to_list() == [1, 0, 0, 0, 1, 0]
    # a null token takes the join on the token (no row of the vocabulary)
    with_null = base.with_columns(token=pl.when(pl.col("token") == "إن").then(None).otherwise(pl.col("token")))
    got = _vocab_join(with_null, lex)
    assert got.height == 6 and got["sv"].to_list() == [1, 0, None, 0, 1, 0]


def test_running_count_is_cum_sum():
    from transforms.quotes import _running_count

    flag = pl.Series([True, False, True, True, False])
    assert _running_count(flag).tolist() == flag.cum_sum().to_list() == [1, 1, 2, 3, 3]
    assert _running_count(pl.Series([], dtype=pl.Boolean)).tolist() == []


def _toks(rows):
    return pl.DataFrame(rows, schema=["article_id", "sentence_index", "token_index", "start_char", "end_char",
                                      "token", "norm"], orient="row")


def test_candidate_sentences_checks_article_order_and_numbers_article_runs():
    from polars.testing import assert_frame_equal

    from transforms.quote_tokens import load_lexicon, token_table
    from transforms.quotes import _candidate_sentences
    from transforms.spans import is_grouped

    lex = load_lexicon()
    mentions = pl.DataFrame(schema={"article_id": pl.String, "sentence_index": pl.Int64, "type": pl.String,
                                    "title": pl.String})
    grouped = _toks([
        ("a", 0, 0, 0, 3, "قال", "قال"), ("a", 0, 1, 4, 6, "إن", "ان"), ("a", 1, 2, 7, 10, "بيت", "بيت"),
        ("b", 0, 0, 0, 3, "بيت", "بيت"), ("b", 1, 1, 4, 5, "«", "«"), ("b", 1, 2, 6, 9, "نعم", "نعم"),
        ("b", 1, 3, 10, 11, "»", "»"), ("c", 0, 0, 0, 4, "وقال", "وقال"),
    ])
    for tokens in (grouped, grouped.reverse(), pl.concat([grouped.slice(0, 3), grouped.slice(7), grouped.slice(3, 4)])):
        cand, is_g, runs = _candidate_sentences(tokens, mentions, lex)
        assert is_g == is_grouped(tokens)
        assert cand.height == 6  # (the sentences without an introducer or a mark are dropped)
        if is_g:
            # article runs give the same sentence and article numbers as comparing article ids
            assert_frame_equal(token_table(cand, lex, grouped=True, art_runs=runs), token_table(cand, lex))
    assert _candidate_sentences(grouped, mentions, lex)[2].tolist() == [1, 1, 2, 2, 2, 3]


@pytest.mark.parametrize("col", [
    pl.Series("c", [10, 11, 12, 13], dtype=pl.Int64),
    pl.Series("c", [10, None, 12, 13], dtype=pl.Int64),
    pl.Series("c", [True, False, True, None], dtype=pl.Boolean),
    pl.Series("c", ["a", "b", "c", "d"], dtype=pl.String),
    pl.Series("c", [7, 8, 9, 6], dtype=pl.Int32),
])
@pytest.mark.parametrize("idx", [
    pl.Series("i", [3, 0, 0, 2], dtype=pl.Int64), pl.Series("i", [1, None], dtype=pl.Int64),
    pl.Series("i", [2, -1], dtype=pl.Int64), pl.Series("i", [1], dtype=pl.UInt32), pl.Series("i", [], dtype=pl.Int64),
])
def test_take_is_gather(col, idx):
    from transforms.quotes import _take

    assert_series_equal(_take(col, idx), col.gather(idx))


def test_hash_hits_are_the_positions_of_the_targets():
    import numpy as np

    from transforms.quotes import _hash_hits

    h = np.array([5, 70000 + 5, 9, 5, 1 << 40, 3], dtype=np.uint64)  # (70005 and 5 share the low 16 bits)
    assert _hash_hits(h, np.array([5, 1 << 40], dtype=np.uint64)).tolist() == [0, 3, 4]
    assert _hash_hits(h, np.array([70005], dtype=np.uint64)).tolist() == [1]
    assert _hash_hits(h, np.array([], dtype=np.uint64)).tolist() == []
    words = pl.Series(["قال", "إن", "قال", "»"])
    assert _hash_hits(words.hash().to_numpy(), pl.Series(["قال"]).hash().to_numpy()).tolist() == [0, 2]
