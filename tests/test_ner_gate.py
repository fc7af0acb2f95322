"""CI gate for the trained NER: micro-F1 (PER/LOC/ORG, entity level, conlleval semantics) on
the ANERcorp test split must not fall below the baseline pinned in ``ner_baseline.json``
beside this file, which also pins the sha256 of the test file (scores are only comparable on
the same file).  Skipped when ``../shared`` (or ``$AKHBAR_SHARED``) is absent."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BASELINE = json.loads((HERE / "ner_baseline.json").read_text(encoding="utf-8"))
SHARED = Path(os.environ.get("AKHBAR_SHARED", HERE.parent.parent / "shared"))
TEST_FILE = SHARED / "data" / "ner" / "anercorp" / BASELINE["test_file"]


@pytest.fixture(scope="module")
def scores():
    if not TEST_FILE.exists():
        pytest.skip(f"ANERcorp test split not found at {TEST_FILE} (../shared not mounted)")
    digest = hashlib.sha256(TEST_FILE.read_bytes()).hexdigest()
    assert digest == BASELINE["sha256"], (
        f"{TEST_FILE.name} changed (sha256 {digest}); re-measure and re-pin tests/ner_baseline.json"
    )
    from transforms import ner_train

    t0 = time.time()
    sc = ner_train.evaluate(TEST_FILE, mode="model")
    return {r["type"]: r for r in sc.iter_rows(named=True)}, time.time() - t0


def test_micro_f1_not_below_baseline(scores):
    sc, _ = scores
    micro = sc["micro"]["f1"]
    floor = BASELINE["micro_f1"] - BASELINE["tolerance"]
    assert micro >= floor, f"NER micro-F1 {micro:.4f} < baseline {BASELINE['micro_f1']:.4f} - {BASELINE['tolerance']}"


def test_per_type_f1_not_below_baseline(scores):
    sc, _ = scores
    for ty, f1 in BASELINE["f1"].items():
        assert sc[ty]["f1"] >= f1 - BASELINE["tolerance_per_type"], (ty, sc[ty]["f1"], f1)


def test_eval_is_fast(scores):
    _, secs = scores
    assert secs < 30, f"evaluation of 25k tokens took {secs:.1f} s"


def test_committed_models_are_the_measured_ones():
    """The pinned scores were measured with these exact files (``akhbar ner train`` rebuilds
    them bit for bit); a retrained or edited model must be re-measured and re-pinned."""
    models = HERE.parent / "models"
    for name, digest in BASELINE["sha256_models"].items():
        got = hashlib.sha256((models / name).read_bytes()).hexdigest()
        assert got == digest, f"models/{name} is not the measured file ({got}); re-run akhbar ner eval and re-pin"
