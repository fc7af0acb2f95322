"""`akhbar ner ...` commands: train the NER model, evaluate it on ANERcorp's test split."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _shared(args) -> Path:
    from transforms import ner_train

    return Path(args.shared) if args.shared else ner_train.SHARED


def _train(args) -> int:
    from transforms import ner_train

    shared = _shared(args)
    if not (shared / "data" / "ner" / "anercorp").exists():
        print(f"ANERcorp not found under {shared}/data/ner/anercorp", file=sys.stderr)
        return 2
    t0 = time.time()
    info = ner_train.train(shared, Path(args.out) if args.out else None)
    info["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


def _eval(args) -> int:
    from transforms import ner_train

    shared = _shared(args)
    test = shared / "data" / "ner" / "anercorp" / ner_train.TEST_FILE.name
    if not test.exists():
        print(f"ANERcorp test split not found: {test}", file=sys.stderr)
        return 2
    t0 = time.time()
    sc = ner_train.evaluate(test, Path(args.model) if args.model else None, args.mode)
    secs = time.time() - t0
    print(f"ANERcorp test split ({test.name}), entity level (conlleval), mode={args.mode}")
    print(f"{'type':<6} {'gold':>5} {'pred':>5} {'tp':>5} {'P':>7} {'R':>7} {'F1':>7}")
    for r in sc.iter_rows(named=True):
        print(f"{r['type']:<6} {r['n_gold']:>5} {r['n_pred']:>5} {r['tp']:>5} "
              f"{r['precision']:>7.4f} {r['recall']:>7.4f} {r['f1']:>7.4f}")
    print(f"({secs:.1f} s)")
    if args.json:
        print(json.dumps(sc.to_dicts()))
    return 0


def register(subparsers) -> None:
    """Add the `ner` command group to the akhbar parser."""
    p = subparsers.add_parser("ner", help="train / evaluate the named-entity tagger")
    sub = p.add_subparsers(dest="ner_command", required=True)
    tr = sub.add_parser("train", help="rebuild models/ner.crfsuite, ner_lexicon.csv and ner_clusters.csv from ../shared "
                        "(needs: .venv/bin/pip install --no-deps -r requirements-train.lock)")
    tr.add_argument("--shared", help="path of shared/ (default ../shared or $AKHBAR_SHARED)")
    tr.add_argument("--out", help="model path (default models/ner.crfsuite)")
    tr.set_defaults(handler=_train)
    ev = sub.add_parser("eval", help="P/R/F1 per type and micro (PER/LOC/ORG) on the ANERcorp test split")
    ev.add_argument("--shared", help="path of shared/ (default ../shared or $AKHBAR_SHARED)")
    ev.add_argument("--model", help="model path (default models/ner.crfsuite)")
    ev.add_argument("--mode", choices=["model", "pipeline"], default="model",
                    help="model: the tagger's tags; pipeline: the mentions the pipeline keeps")
    ev.add_argument("--json", action="store_true", help="also print the scores as JSON")
    ev.set_defaults(handler=_eval)


if __name__ == "__main__":  # pragma: no cover
    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    a = ap.parse_args()
    raise SystemExit(a.handler(a))
