"""Per-word rows kept across the batches of one process.

A batch's vocabulary is mostly words earlier batches had (the first 4,000 ANT files in listing
order, 500-file batches: 78% of the tagger's per-batch distinct keys had been seen before),
and several stages compute a row of features per distinct word (the entity stage's lexicon
look-ups, the tagger's summed weights). `RowCache` computes the rows of the words it has not seen and keeps them, bounded:
past `max_keys` words it starts again from the current call's words (or empty when they alone
are more), so memory stays bounded by the setting, not by the corpus
(`AKHBAR_NER_CACHE_KEYS`, default 300,000 words per cache; 0 turns caching off). A word's row
depends only on the word, so cached and fresh rows are the same values.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

import polars as pl


def max_keys() -> int:
    """Words per cache at most (AKHBAR_NER_CACHE_KEYS, default 300,000; 0: no caching)."""
    raw = os.environ.get("AKHBAR_NER_CACHE_KEYS", "300000")
    if not raw.strip().isdigit():
        raise ValueError(f"AKHBAR_NER_CACHE_KEYS must be a whole number >= 0, got {raw!r}")
    return int(raw)


class RowCache:
    """``compute(keys) -> rows`` (one row per distinct value of column ``key``), remembered
    across calls (thread-safe)."""

    def __init__(self, key: str, compute: Callable[[pl.DataFrame], pl.DataFrame], max_keys: int):
        self.key, self.compute, self.max_keys = key, compute, max_keys
        self.frame: pl.DataFrame | None = None
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def rows(self, keys: pl.DataFrame) -> pl.DataFrame:
        """The rows of the distinct values of ``keys[key]`` (in no particular order)."""
        k = self.key
        if self.max_keys <= 0:
            return self.compute(keys)
        wanted = keys.select(k).unique()
        snap = self.frame
        have = snap.join(wanted, on=k, how="semi") if snap is not None else None
        missing = wanted if have is None else wanted.join(have.select(k), on=k, how="anti")
        new = self.compute(keys.join(missing, on=k, how="semi")) if missing.height else None
        with self.lock:
            self.hits += wanted.height - missing.height
            self.misses += missing.height
            if new is not None:
                cur = self.frame
                add = new if cur is None else new.join(cur.select(k), on=k, how="anti")
                if cur is None or cur.height + add.height > self.max_keys:
                    batch = new if have is None else pl.concat([have, new])
                    self.frame = batch.rechunk() if batch.height <= self.max_keys else None
                elif add.height:
                    merged = pl.concat([cur, add])
                    self.frame = merged.rechunk() if merged[k].n_chunks() > 32 else merged
        parts = [p for p in (have, new) if p is not None]
        return pl.concat(parts) if len(parts) > 1 else (parts[0] if parts else self.compute(keys.head(0)))


_SHARED: dict[tuple, RowCache] = {}
_SHARED_LOCK = threading.Lock()


def shared(name: tuple, make: Callable[[], RowCache]) -> RowCache:
    """The process's cache called ``name`` (e.g. ("scores", model, seeds)), made on first use."""
    with _SHARED_LOCK:
        c = _SHARED.get(name)
        if c is None:
            c = _SHARED[name] = make()
        return c


def clear() -> None:
    """Forget every shared cache of this process (tests; a changed model or seeds folder)."""
    with _SHARED_LOCK:
        _SHARED.clear()
