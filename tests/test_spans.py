"""transforms.spans.is_grouped: whether a tokens table can be used without sorting."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.spans import is_grouped


@pytest.mark.parametrize(
    ("ids", "idx", "grouped"),
    [
        (["a", "a", "b", "b", "b"], [0, 1, 0, 1, 2], True),
        (["b", "b", "a"], [0, 1, 0], True),  # articles in any order, each in one run
        (["a", "b", "a"], [0, 0, 1], False),  # article a in two runs
        (["a", "a", "b"], [1, 0, 0], False),  # tokens out of order inside an article
        (["a", "a", "b"], [0, 0, 0], False),  # a repeated token index
        ([None, None, "a"], [0, 1, 0], False),  # missing ids are never one article
        ([], [], True),
    ],
)
def test_is_grouped(ids, idx, grouped):
    t = pl.DataFrame({"article_id": ids, "token_index": idx}, schema={"article_id": pl.String, "token_index": pl.Int64})
    assert is_grouped(t) is grouped
