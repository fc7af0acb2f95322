"""NER stage throughput, end to end inside the pipeline, over an ANT sample.

    .venv/bin/python bench/ner_bench.py [N_FILES] [STEP]

Reads every STEP-th ANT file (sorted paths) up to N_FILES, runs read -> clean -> segment
once (not timed), then times ``transforms.entities.entity_mentions`` (rule spans + model
features + Viterbi + span merge + canonical resolution + entity ids) on the whole token
table, warm (the model and lexicons already loaded by a first small call), and prints
tokens/s for the model path and the rules-only path.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms import clean, read, segment  # noqa: E402
from transforms.entities import entity_mentions  # noqa: E402
from transforms.resources import load_resources  # noqa: E402

SHARED = Path(os.environ.get("AKHBAR_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    step = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    corpus = SHARED / "data" / "corpus" / "ant_multisource"
    if not corpus.exists():
        print(f"ANT corpus not found at {corpus}")
        return 2
    files = sorted(p for p in corpus.rglob("*.txt"))[::step][:n]
    docs, _ = read.read_files([p.resolve().as_uri() for p in files])
    sents = segment.sentences(clean.clean_documents(docs))
    toks = segment.tokens(sents)
    res = load_resources()
    entity_mentions(toks.head(2000), res)  # warm: model weights, lexicons
    print(f"{len(files)} files, {docs.height} articles, {toks.height:,} tokens, "
          f"{os.cpu_count()} cpus, POLARS_MAX_THREADS={os.environ.get('POLARS_MAX_THREADS', '-')}")
    for label, model in (("rules + model", None), ("rules only", False)):
        best = None
        for _ in range(2):
            t0 = time.perf_counter()
            m = entity_mentions(toks, res, model=model)
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        print(f"{label:14s} {best:6.2f} s  {toks.height / best:>10,.0f} tokens/s  {m.height:,} mentions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
