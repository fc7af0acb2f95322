"""End-to-end benchmark of `ingest` against the floor, measured in the same invocation.

    .venv/bin/python bench/pipeline_bench.py [--corpus DIR] [--limit N] [--scale K] [--batch-size B]

1. **Floor**: read and decode the same files (`transforms.read.read_files`) and split their text
   into sentences and tokens with Polars regexes alone.
2. **Pipeline**: the real `ingest` flow in a child process into a fresh warehouse (Prefect's
   temporary server included), with its peak RSS; per-stage wall time from the run's counts.
3. **Prefect's fixed start-up**: the same flow over an empty folder.
4. **Re-run** with nothing new.

With --scale K the corpus is presented K times under new names (symlinks), to watch memory.
Prints a Markdown table for bench/RESULTS.md.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
ANT = ROOT.parent / "shared" / "data" / "corpus" / "ant_multisource"

CHILD = """
import json, resource, sys, time
t = time.perf_counter()
from flows.ingest import ingest
r = ingest(source=sys.argv[1], warehouse=sys.argv[2], batch_size=int(sys.argv[3]))
r["wall"] = time.perf_counter() - t
r["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
r["peak_rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("RESULT " + json.dumps(r))
"""


def run_child(source: str, warehouse: str, batch_size: int) -> dict:
    env = dict(os.environ, AKHBAR_ALLOW_OUTSIDE_LINKS="1")
    out = subprocess.run([sys.executable, "-c", CHILD, source, warehouse, str(batch_size)],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(out.stderr[-3000:])


def floor(files: list[Path]) -> dict:
    from transforms.read import read_files

    t = time.perf_counter()
    docs, _ = read_files([f"file://{f}" for f in files])
    t_read = time.perf_counter() - t
    text = docs.select(text=pl.col("title").fill_null("") + "\n" + pl.col("body"))
    sentences = text.select(s=pl.col("text").str.extract_all(r"[^.!?؟\n]+[.!?؟]*")).explode("s")
    tokens = sentences.select(t=pl.col("s").str.extract_all(r"\w+|[^\w\s]")).explode("t")
    wall = time.perf_counter() - t
    mb = docs["body"].str.len_bytes().sum() / 1e6
    return {"wall": wall, "read": t_read, "docs": docs.height, "tokens": tokens.height, "mb": mb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ANT))
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    ap.add_argument("--scale", type=int, default=1, help="present the corpus K times under new names")
    ap.add_argument("--batch-size", type=int, default=500)
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        sys.exit(f"corpus not found: {corpus}")
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("."))
    if args.limit:
        files = files[: args.limit]
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    src = tmp / "src"
    for k in range(args.scale):
        for f in files:
            link = src / f"copy{k}" / f.relative_to(corpus)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(f)
    (tmp / "empty").mkdir()

    fl = floor(files * args.scale)
    startup = run_child(str(tmp / "empty"), str(tmp / "empty.duckdb"), args.batch_size)["wall"]
    first = run_child(str(src), str(tmp / "w.duckdb"), args.batch_size)
    again = run_child(str(src), str(tmp / "w.duckdb"), args.batch_size)

    stage_keys = [k for k in first if k.startswith("seconds_")]
    stage_total = sum(first[k] for k in stage_keys) or 1.0
    net = first["wall"] - startup
    print(f"corpus {corpus} ({len(files)} files x {args.scale}), batch size {args.batch_size}, "
          f"{os.cpu_count()} cores, python {sys.version.split()[0]}")
    print()
    print("| measure | value |\n| --- | --- |")
    rows = [
        ("files / articles", f"{first['seen']} / {first['articles']}"),
        ("floor (read + decode + Polars sentence/token split)", f"{fl['wall']:.1f} s ({fl['read']:.1f} s reading)"),
        ("pipeline wall (incl. Prefect start-up)", f"{first['wall']:.1f} s"),
        ("Prefect fixed start-up (empty source)", f"{startup:.1f} s"),
        ("ratio pipeline / floor (without start-up)", f"{net / fl['wall']:.1f}x"),
        ("articles/s, MB/s, tokens/s (without start-up)",
         f"{first['articles'] / net:.0f}, {fl['mb'] / net:.2f}, {first['tokens'] / net:.0f}"),
        ("peak RSS (flow process / its children)", f"{first['peak_rss_mb']:.0f} MB / {first['peak_rss_children_mb']:.0f} MB"),
        ("re-run with nothing new (incl. start-up)", f"{again['wall']:.1f} s ({again['unchanged']} unchanged)"),
        ("re-run beyond start-up", f"{again['wall'] - startup:.1f} s"),
    ]
    rows += [(f"share of stage time: {k.removeprefix('seconds_')}", f"{100 * first[k] / stage_total:.0f}%")
             for k in stage_keys]
    for name, value in rows:
        print(f"| {name} | {value} |")
    print(f"\n(bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB;"
          f" temporary files in {tmp})")


if __name__ == "__main__":
    main()
