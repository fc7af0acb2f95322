"""What the quote stage costs a real run (issue 5: under 20% of the pipeline's wall time), by ablation.

    .venv/bin/python bench/quote_cost_bench.py [--limit N] [--rounds R] [--batch-size B]

The real `ingest` flow (thread runner, Prefect's temporary server, DuckDB load) over the ANT
corpus (all of it by default) into a fresh warehouse, in a child process, twice per round:
as it is, and with the quote stage replaced by one that returns no rows (every other stage, the
load and the orchestration unchanged). The two alternate, so that a busy machine slows both
alike. The quote stage's cost is the difference of the runs' wall times without Prefect's
fixed start-up (an empty-source run, measured first), as a share of the full run's: what the
pipeline would save without it. Also given: the same for the CPU of each run's process tree.

`bench/quotes_bench.py` times the stage alone in one process; this bench answers the issue's
question about the pipeline's wall time, where the stage runs beside the other transforms and
the load on 2 threads.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_bench import ANT, corpus_files, load_avg, present, run_script  # noqa: E402

CHILD = """
import json, resource, sys, time
def main():
    t = time.perf_counter()
    if sys.argv[4] == "no-quotes":
        from transforms import quotes
        quotes.quotes = lambda *args, **kwargs: quotes._empty()
    from flows.ingest import ingest
    r = ingest(source=sys.argv[1], warehouse=sys.argv[2], batch_size=int(sys.argv[3]))
    r["wall"] = time.perf_counter() - t
    print("RESULT " + json.dumps(r))
if __name__ == "__main__":
    main()
"""


def run(source: str, warehouse: str, batch_size: int, variant: str) -> dict:
    return run_script(CHILD, "akhbar_quote_cost_child.py", [source, warehouse, str(batch_size), variant])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N ANT files (0: all)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=2000, help="files per batch (default: akhbar's, 2000)")
    args = ap.parse_args()
    if not ANT.is_dir():
        sys.exit(f"corpus not found: {ANT}")
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-quote-cost-"))
    try:
        if args.limit:
            src = tmp / "src"
            present(corpus_files(ANT, args.limit), ANT, src, 1)
        else:
            src = ANT
        (tmp / "empty").mkdir()
        startup = min(run(str(tmp / "empty"), str(tmp / f"e{i}.duckdb"), args.batch_size, "full")["wall"]
                      for i in range(2))
        rows = []
        for k in range(args.rounds):
            # full first in odd rounds, last in even ones: a machine that slows down (or speeds
            # up) over the bench then weighs on both variants alike
            for variant in ("full", "no-quotes") if k % 2 == 0 else ("no-quotes", "full"):
                before = load_avg()
                t = time.perf_counter()
                r = run(str(src), str(tmp / f"{variant}{k}.duckdb"), args.batch_size, variant)
                rows.append((k, variant, r, before, load_avg()))
                (tmp / f"{variant}{k}.duckdb").unlink(missing_ok=True)
        print(f"quote stage cost by ablation: {src} ({rows[0][2]['seen']:,} files), batch size {args.batch_size},"
              f" thread runner, {os.cpu_count()} cores; Prefect start-up {startup:.1f} s (subtracted)")
        print()
        print("| round | run | wall without start-up | run CPU | quotes stored | load avg before / after |")
        print("| --- | --- | --- | --- | --- | --- |")
        for k, variant, r, b, a in rows:
            print(f"| {k + 1} | {variant} | {r['wall'] - startup:.1f} s | {r['cpu_seconds']:.1f} s | {r['quotes']:,} | {b} / {a} |")
        print()
        walls, cpus = [], []
        for k in range(args.rounds):
            full = next(r for kk, v, r, _, _ in rows if kk == k and v == "full")
            bare = next(r for kk, v, r, _, _ in rows if kk == k and v == "no-quotes")
            wall = (full["wall"] - bare["wall"]) / (full["wall"] - startup)
            cpu = (full["cpu_seconds"] - bare["cpu_seconds"]) / full["cpu_seconds"]
            walls.append(wall)
            cpus.append(cpu)
            print(f"round {k + 1}: quote stage = {wall:.1%} of the pipeline's wall time, {cpu:.1%} of the run's CPU")
        # the pooled figure: all full runs against all no-quotes runs
        full_w = sum(r["wall"] - startup for _, v, r, _, _ in rows if v == "full")
        bare_w = sum(r["wall"] - startup for _, v, r, _, _ in rows if v == "no-quotes")
        full_c = sum(r["cpu_seconds"] for _, v, r, _, _ in rows if v == "full")
        bare_c = sum(r["cpu_seconds"] for _, v, r, _, _ in rows if v == "no-quotes")
        print(f"all {args.rounds} rounds: **quote stage = {(full_w - bare_w) / full_w:.1%} of the pipeline's wall"
              f" time** (bar: < 20%; rounds {min(walls):.1%}-{max(walls):.1%}),"
              f" {(full_c - bare_c) / full_c:.1%} of the run's CPU (rounds {min(cpus):.1%}-{max(cpus):.1%})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
