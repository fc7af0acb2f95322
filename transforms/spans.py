"""Helpers over the tokens table shared by the entity and quote stages."""

from __future__ import annotations

import polars as pl


def is_grouped(tokens: pl.DataFrame) -> bool:
    """True when each article's rows are contiguous and in token order (no sort needed)."""
    aid = pl.col("article_id")
    start = (aid != aid.shift(1)).fill_null(True)
    chk = tokens.select(
        runs=start.sum(),
        # (the ids that open a run, a few thousand, not every row's: an id in two runs opens two)
        n=aid.filter(start).n_unique(),
        bad=((aid == aid.shift(1)) & (pl.col("token_index") <= pl.col("token_index").shift(1))).sum(),
    ).row(0)
    return chk[0] == chk[1] and chk[2] == 0


def span_text(t: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    """Surface text of token spans ``mid, r_start, r_end`` (gaps rebuilt as spaces, exact
    for cleaned text where horizontal white space is one space)."""
    ex = (
        spans.select("mid", "r_start", "r_end")
        .with_columns(r=pl.int_ranges("r_start", pl.col("r_end") + 1))
        .explode("r")
        .join(t.select("r", "token", "start_char", "end_char"), on="r", how="left", maintain_order="left")
        .sort("mid", "r")
    )
    return join_pieces(ex, "mid")


def join_pieces(ex: pl.DataFrame, key: str) -> pl.DataFrame:
    """One ``text`` per ``key`` from the token rows of spans, each span's rows consecutive and in
    order (``r``, ``r_end``, ``token``, ``start_char``, ``end_char``): each token followed by as
    many spaces as the gap to the next token of its span."""
    return (
        ex.with_columns(
            gap=pl.when(pl.col("r") < pl.col("r_end"))
            .then(pl.col("start_char").shift(-1) - pl.col("end_char"))
            .otherwise(0)
        )
        .with_columns(piece=pl.col("token").str.pad_end(pl.col("token").str.len_chars() + pl.col("gap")))
        .group_by(key, maintain_order=True)
        .agg(text=pl.col("piece").str.join(""))
    )
