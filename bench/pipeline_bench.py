"""End-to-end benchmark of `ingest` against the floor, measured in the same invocation.

    .venv/bin/python bench/pipeline_bench.py [--corpus DIR] [--limit N] [--scale K] [--batch-size B]
                                             [--workers N] [--json FILE]

1. **Floor**: read and decode the same files (`transforms.read.read_files`) and split their text
   into sentences and tokens with Polars regexes alone.
2. **Pipeline**: the real `ingest` flow in a child process into a fresh warehouse (Prefect's
   temporary server included), with its peak RSS; per-stage wall time from the run's counts.
3. **Prefect's fixed start-up**: the same flow over an empty folder.
4. **Re-run** with nothing new.

With --scale K the corpus is presented K times under new names (hard links in a temporary folder,
copies when the file system refuses links; symlinks would lead outside the source and be
rejected), to watch memory. With --workers N the flow transforms on a local Dask cluster of N
single-threaded workers. Prints a Markdown table for bench/RESULTS.md (with the load average
before and after: other jobs on the cores change every figure).
"""

import argparse
import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "data" / "corpus"
ANT = CORPORA / "ant_multisource"

# The child: the real flow, timed from the interpreter's start (Prefect's temporary server and,
# with workers, the Dask cluster included). `started_api` is when the API answered (the runner is
# built first: with workers it starts the temporary server to hand its address to the workers).
CHILD = """
import json, resource, sys, time
def main():
    t = time.perf_counter()
    from flows.ingest import ingest, task_runner
    workers = int(sys.argv[4]) or None
    flow = ingest.with_options(task_runner=task_runner(workers)) if workers else ingest
    r = flow(source=sys.argv[1], warehouse=sys.argv[2], batch_size=int(sys.argv[3]))
    r["wall"] = time.perf_counter() - t
    me = resource.getrusage(resource.RUSAGE_SELF)
    r["peak_rss_mb"] = me.ru_maxrss / 1024
    r["flow_process_cpu"] = me.ru_utime + me.ru_stime  # the loader, the orchestration, Dask's scheduler
    r["peak_rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("RESULT " + json.dumps(r))
if __name__ == "__main__":
    main()
"""


_CODE: Path | None = None


def code() -> Path:
    """The code the children run: a snapshot of the last commit (`git archive HEAD`), so that
    edits others make in the working tree meanwhile change no figure (AKHBAR_BENCH_CODE=worktree
    runs the working tree instead)."""
    global _CODE
    if _CODE is None:
        if os.environ.get("AKHBAR_BENCH_CODE") == "worktree":
            _CODE = ROOT
        else:
            _CODE = Path(tempfile.mkdtemp(prefix="akhbar-code-"))
            atexit.register(shutil.rmtree, _CODE, True)  # the snapshot goes with the bench process
            archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(_CODE)], input=archive, check=True)
            head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
            print(f"(code: snapshot of commit {head.stdout.strip()} in {_CODE})", file=sys.stderr)
    return _CODE


def run_child(source: str, warehouse: str, batch_size: int, workers: int = 0) -> dict:
    return run_script(CHILD, "akhbar_bench_child.py", [source, warehouse, str(batch_size), str(workers)])


def run_script(child: str, name: str, args: list[str]) -> dict:
    """Run `child` (a script printing "RESULT <json>") with `args` on the code snapshot; its
    result, with the CPU seconds of its whole process tree."""
    script = Path(tempfile.gettempdir()) / name
    script.write_text(child)
    env = dict(os.environ, PYTHONPATH=str(code()))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, cwd=code(), env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            # CPU of the run's whole process tree (flow process, its workers, Prefect's temporary
            # server): less sensitive than wall time to other jobs on the cores
            r["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return r
    raise RuntimeError(out.stderr[-3000:])


def corpus_files(corpus: Path, limit: int = 0) -> list[Path]:
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("."))
    return files[:limit] if limit else files


def present(files: list[Path], corpus: Path, dest: Path, scale: int) -> None:
    """The files K times under new names (copy<k>/...), as hard links (copies across devices)."""
    for k in range(scale):
        for f in files:
            target = dest / f"copy{k}" / f.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(f, target)
            except OSError:
                shutil.copy2(f, target)


def floor(files: list[Path]) -> dict:
    """Read + decode + Polars sentence/token split of the same files (what no pipeline can beat)."""
    import polars as pl

    from transforms.read import read_files

    t = time.perf_counter()
    docs, _ = read_files([f"file://{f}" for f in files])
    t_read = time.perf_counter() - t
    text = docs.select(text=pl.col("title").fill_null("") + "\n" + pl.col("body"))
    sentences = text.select(s=pl.col("text").str.extract_all(r"[^.!?؟\n]+[.!?؟]*")).explode("s")
    tokens = sentences.select(t=pl.col("s").str.extract_all(r"\w+|[^\w\s]")).explode("t")
    wall = time.perf_counter() - t
    return {"wall": wall, "read": t_read, "docs": docs.height, "tokens": tokens.height,
            "mb": sum(f.stat().st_size for f in files) / 1e6}


def load_avg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def bench(corpus: Path, limit: int = 0, scale: int = 1, batch_size: int = 500, workers: int = 0,
          rerun: bool = True) -> dict:
    """Floor, start-up, first run and re-run of one corpus; returns every figure."""
    files = corpus_files(corpus, limit)
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    try:
        if scale == 1 and not limit:
            src = corpus
        else:
            src = tmp / "src"
            present(files, corpus, src, scale)
        (tmp / "empty").mkdir()
        before = load_avg()
        fl = floor(files)
        # Start-up and re-run: the faster of two tries each (other jobs on the cores make single
        # figures of a few seconds noisy).
        empty = min((run_child(str(tmp / "empty"), str(tmp / f"empty{i}.duckdb"), batch_size, workers)
                     for i in range(2)), key=lambda r: r["wall"])
        startup = empty["wall"]
        first = run_child(str(src), str(tmp / "w.duckdb"), batch_size, workers)
        again = None
        if rerun:
            again = min((run_child(str(src), str(tmp / "w.duckdb"), batch_size, workers) for _ in range(2)),
                        key=lambda r: r["wall"])
        return {"corpus": str(corpus), "files": len(files), "scale": scale, "batch_size": batch_size,
                "workers": workers, "floor": fl, "startup": startup, "empty": empty, "first": first, "again": again,
                "load_before": before, "load_after": load_avg()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table(r: dict) -> list[tuple[str, str]]:
    first, fl, startup, again = r["first"], r["floor"], r["startup"], r["again"]
    net = first["wall"] - startup
    stage_keys = [k for k in first if k.startswith("seconds_")]
    stage_total = sum(first[k] for k in stage_keys) or 1.0
    rows = [
        ("files / articles / tokens", f"{first['seen']:,} / {first['articles']:,} / {first['tokens']:,}"),
        ("floor (read + decode + Polars sentence/token split)", f"{fl['wall']:.1f} s ({fl['read']:.1f} s reading)"),
        ("pipeline wall (incl. Prefect start-up)", f"{first['wall']:.1f} s"),
        ("CPU of the run, all its processes (empty source's)",
         f"{first.get('cpu_seconds', 0):.1f} s ({r['empty'].get('cpu_seconds', 0):.1f} s)"),
        ("Prefect fixed start-up (empty source)", f"{startup:.1f} s"),
        ("**ratio pipeline / floor** (without start-up)", f"**{net / fl['wall']:.1f}x**"),
        ("articles/s, MB/s (files), tokens/s (without start-up)",
         f"{first['articles'] / net:,.0f}, {fl['mb'] / net:.2f}, {first['tokens'] / net:,.0f}"),
        ("peak RSS (flow process / largest child)",
         f"{first['peak_rss_mb']:,.0f} MB / {first['peak_rss_children_mb']:,.0f} MB"),
    ]
    if again is not None:
        rows += [("re-run with nothing new (incl. start-up)", f"{again['wall']:.1f} s ({again['unchanged']:,} unchanged)"),
                 ("re-run wall - empty-source wall (noisy: the temporary server's start varies by seconds)",
                  f"{again['wall'] - startup:.1f} s"),
                 ("**re-run: time inside the flow** (plan, finish, summary, Prefect task calls)",
                  f"**{again.get('flow_seconds', 0):.1f} s** (empty source: {r['empty'].get('flow_seconds', 0):.1f} s)"),
                 ("re-run: plan task (list, known hashes, read + hash every file)", f"{again.get('seconds_plan', 0):.1f} s")]
    rows += [(f"share of stage time: {k.removeprefix('seconds_')}", f"{100 * first[k] / stage_total:.0f}%")
             for k in stage_keys]
    rows.append(("load average (1/5/15 min) before / after", f"{r['load_before']} / {r['load_after']}"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ANT))
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    ap.add_argument("--scale", type=int, default=1, help="present the corpus K times under new names")
    ap.add_argument("--batch-size", type=int, default=2000, help="files per batch (default: akhbar's, 2000)")
    ap.add_argument("--workers", type=int, default=0, help="Dask workers (0: the default thread runner)")
    ap.add_argument("--json", help="also write every figure to this JSON file")
    args = ap.parse_args()
    corpus = Path(args.corpus).resolve()
    if not corpus.is_dir():
        sys.exit(f"corpus not found: {corpus}")
    r = bench(corpus, args.limit, args.scale, args.batch_size, args.workers)
    print(f"corpus {corpus} ({r['files']} files x {args.scale}), batch size {args.batch_size}, "
          f"{'%d Dask workers' % args.workers if args.workers else 'thread runner'}, "
          f"{os.cpu_count()} cores, python {sys.version.split()[0]}")
    print()
    print("| measure | value |\n| --- | --- |")
    for name, value in table(r):
        print(f"| {name} | {value} |")
    print(f"\n(bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
