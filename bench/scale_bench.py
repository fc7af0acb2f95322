"""Issue 7 benchmarks beyond bench/pipeline_bench.py: memory as the corpus grows, and 1 vs 2 Dask workers.

    .venv/bin/python bench/scale_bench.py memory  [--limit 6000] [--scale 10] [--batch-size 2000]
    .venv/bin/python bench/scale_bench.py workers [--limit 3000] [--batch-size 250] [--threads]

memory:  the same ANT files presented once and K times under new names (hard links in a
         temporary folder), each loaded by the real flow into a fresh warehouse in a child process;
         peak RSS of the flow process for both, and their ratio (bar: 10x within 1.3x of 1x).
workers: the same ANT files loaded by the flow with a LocalCluster of 1 and of 2 single-threaded
         Dask workers (the single writer loading behind them in the flow process), each into a fresh
         warehouse in one invocation; wall time without Prefect's start-up, the speed-up, and
         whether both warehouses hold the same rows (every table's rows hashed, per-run columns
         left out). --threads adds the default thread runner on the same files.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_bench import ANT, ROOT, corpus_files, load_avg, present, run_child  # noqa: E402

sys.path.insert(0, str(ROOT))

PER_RUN = {"run_id", "updated_at"}
TABLES = ("ingest_files", "articles", "paragraphs", "sentences", "tokens", "entity_mentions", "entities",
          "entity_aliases", "quotes", "duplicate_documents")


def fingerprint(warehouse: str) -> dict[str, tuple[int, int]]:
    """(rows, order-independent hash of the rows) per table, per-run columns left out."""
    from akhbar.warehouse import connect_readonly

    out = {}
    with connect_readonly(warehouse) as con:
        for table in TABLES:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'"
                " ORDER BY column_index", [table]).fetchall() if c not in PER_RUN]
            n, h = con.execute(f"SELECT count(*), coalesce(sum(hash({', '.join(cols)})), 0) FROM {table}").fetchone()
            out[table] = (n, int(h))
    return out


def memory(args) -> None:
    files = corpus_files(ANT, args.limit)
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-mem-"))
    try:
        results = {}
        for k in (1, args.scale):
            src = tmp / f"x{k}"
            present(files, ANT, src, k)
            before = load_avg()
            t = time.perf_counter()
            r = run_child(str(src), str(tmp / f"x{k}.duckdb"), args.batch_size)
            results[k] = (r, time.perf_counter() - t, before, load_avg())
            shutil.rmtree(src, ignore_errors=True)
        print(f"memory: first {len(files)} ANT files x1 and x{args.scale} (hard links), batch size {args.batch_size},"
              f" thread runner, {os.cpu_count()} cores")
        print()
        print("| corpus | files | loaded / duplicate | wall | peak RSS flow process | largest child | load avg before / after |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for k, (r, wall, b, a) in results.items():
            print(f"| {k}x | {r['seen']:,} | {r['loaded']:,} / {r['duplicate']:,} | {wall:.1f} s |"
                  f" {r['peak_rss_mb']:,.0f} MB | {r['peak_rss_children_mb']:,.0f} MB | {b} / {a} |")
        ratio = results[args.scale][0]["peak_rss_mb"] / results[1][0]["peak_rss_mb"]
        print(f"\n**peak RSS {args.scale}x / 1x = {ratio:.2f}** (bar: 1.3)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def workers(args) -> None:
    files = corpus_files(ANT, args.limit)
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-workers-"))
    try:
        src = tmp / "src"
        present(files, ANT, src, 1)
        (tmp / "empty").mkdir()
        # twice, the faster one: the first child of a bench also creates the snapshot's Prefect
        # database (~5 s that later runs do not pay)
        startup = min(run_child(str(tmp / "empty"), str(tmp / f"empty{i}.duckdb"), args.batch_size)["wall"]
                      for i in range(2))
        runs = {}
        for label, n in ([("threads", 0)] if args.threads else []) + [("1 worker", 1), ("2 workers", 2)]:
            before = load_avg()
            wh = str(tmp / f"{n}.duckdb")
            r = run_child(str(src), wh, args.batch_size, n)
            runs[label] = (r, fingerprint(wh), before, load_avg())
        print(f"workers: first {len(files)} ANT files, batch size {args.batch_size}, fresh warehouse each,"
              f" {os.cpu_count()} cores; Prefect start-up {startup:.1f} s (empty source, subtracted)")
        print()
        print("| runner | wall | without start-up | processes that transformed | transform / load stage time |"
              " CPU: flow process / whole tree | load avg before / after |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for label, (r, _, b, a) in runs.items():
            stage = sum(v for k, v in r.items() if k.startswith("seconds_") and k != "seconds_load")
            # the flow process loads, orchestrates and runs Dask's scheduler beside the workers
            print(f"| {label} | {r['wall']:.1f} s | {r['wall'] - startup:.1f} s | {r.get('transform_processes', 0)} |"
                  f" {stage:.1f} s / {r.get('seconds_load', 0):.1f} s |"
                  f" {r.get('flow_process_cpu', 0):.1f} s / {r['cpu_seconds']:.1f} s | {b} / {a} |")
        one, two = runs["1 worker"], runs["2 workers"]
        speedup = (one[0]["wall"] - startup) / (two[0]["wall"] - startup)
        same = one[1] == two[1] and all(v[1] == one[1] for v in runs.values())
        print(f"\n**2 workers vs 1: {speedup:.2f}x** (bar: 1.6); same rows in every table: {same}"
              f" ({one[1]['articles'][0]:,} articles, {one[1]['tokens'][0]:,} tokens, {one[1]['quotes'][0]:,} quotes)")
        if not same:
            for t in TABLES:
                print(f"  {t}: " + ", ".join(f"{label} {v[1][t]}" for label, v in runs.items()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    m = sub.add_parser("memory")
    # 1x must fill the pipeline (workers + 1 = 3 batches in flight): with 2,000-file batches,
    # 3,000 files are 2 batches and the 1x run never reaches the steady state that 10x keeps
    m.add_argument("--limit", type=int, default=6000)
    m.add_argument("--scale", type=int, default=10)
    m.add_argument("--batch-size", type=int, default=2000)
    w = sub.add_parser("workers")
    w.add_argument("--limit", type=int, default=3000)
    w.add_argument("--batch-size", type=int, default=250)
    w.add_argument("--threads", action="store_true", help="also the default thread runner")
    args = ap.parse_args()
    if not ANT.is_dir():
        sys.exit(f"corpus not found: {ANT}")
    {"memory": memory, "workers": workers}[args.what](args)


if __name__ == "__main__":
    main()
