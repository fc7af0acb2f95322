"""Quality gate for quote extraction (issue 5), pinned like trafilatura's eval gate.

Scores `akhbar quotes eval` on the hand-annotated gold set (tests/gold/quotes.jsonl: ids and
offsets only; the articles are read from ../shared/data/corpus) and fails when a score drops
below the pinned baseline (tests/gold/quotes_baseline.json) by more than its tolerance.  The
baseline records the sha256 of the gold file: changing the gold means re-measuring and
re-pinning (`akhbar quotes eval --json`), on purpose.  Skipped when the corpus is absent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from akhbar.quotes_cli import GOLD, corpus_root, evaluate, load_gold

BASELINE = Path(__file__).resolve().parent / "gold" / "quotes_baseline.json"


@pytest.fixture(scope="module")
def scores():
    root = corpus_root()
    if not root.exists():
        pytest.skip(f"quote gold corpus not found at {root} (../shared absent; set AKHBAR_CORPUS)")
    return evaluate(load_gold(GOLD), root)


@pytest.fixture(scope="module")
def baseline():
    return json.loads(BASELINE.read_text(encoding="utf-8"))


def test_gold_file_is_the_pinned_one(baseline):
    assert hashlib.sha256(GOLD.read_bytes()).hexdigest() == baseline["gold_sha256"], (
        "tests/gold/quotes.jsonl changed: re-run `akhbar quotes eval --json` and re-pin "
        "tests/gold/quotes_baseline.json"
    )


def test_gold_has_no_article_text():
    for g in load_gold(GOLD):
        assert set(g) == {"file", "doc_key", "article_id", "text_sha256", "quotes"}
        for q in g["quotes"]:
            assert set(q) == {"kind", "start", "end", "speaker", "speaker_type"}


def test_every_gold_article_is_found_unchanged(scores):
    assert scores["missing_articles"] == []
    assert scores["text_drift"] == []


@pytest.mark.parametrize("metric", ["precision", "recall", "speaker_accuracy"])
def test_no_regression_overall(scores, baseline, metric):
    floor = baseline["scores"][metric] - baseline["tolerance"][metric]
    assert scores[metric] >= floor, f"{metric} {scores[metric]} < pinned {baseline['scores'][metric]} - tolerance"


@pytest.mark.parametrize("kind", ["direct", "indirect", "mixed"])
def test_no_regression_per_kind(scores, baseline, kind):
    got, pinned = scores["per_kind"][kind], baseline["scores"]["per_kind"][kind]
    tol = baseline["tolerance"]["per_kind"]
    assert got["precision"] >= pinned["precision"] - tol, (kind, got)
    assert got["recall"] >= pinned["recall"] - tol, (kind, got)



# ---------------------------------------------------------------- the blind held-out set
HELDOUT = GOLD.parent / "quotes_heldout.jsonl"


@pytest.fixture(scope="module")
def heldout_scores():
    root = corpus_root()
    if not root.exists():
        pytest.skip(f"quote gold corpus not found at {root} (../shared absent; set AKHBAR_CORPUS)")
    return evaluate(load_gold(HELDOUT), root)


def test_heldout_file_is_the_pinned_one(baseline):
    assert hashlib.sha256(HELDOUT.read_bytes()).hexdigest() == baseline["heldout"]["sha256"]


def test_heldout_articles_are_found_unchanged(heldout_scores):
    assert heldout_scores["missing_articles"] == []
    assert heldout_scores["text_drift"] == []


@pytest.mark.parametrize("metric", ["precision", "recall", "speaker_accuracy"])
def test_no_regression_on_the_heldout_set(heldout_scores, baseline, metric):
    pinned = baseline["heldout"]["scores"][metric]
    floor = pinned - baseline["tolerance"][metric]
    assert heldout_scores[metric] >= floor, f"held-out {metric} {heldout_scores[metric]} < pinned {pinned} - tolerance"
