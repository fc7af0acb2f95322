"""Readers during a load: how long does a read-only query wait while `akhbar run` writes?

Copies N files of the ANT corpus to a temporary source, starts `akhbar run` on it in a child
process, and meanwhile runs `SELECT count(*) FROM articles` through `connect_readonly` in a
loop, recording each query's latency (including any wait for the writer's batch transaction)
and every failure. Usage:

    .venv/bin/python bench/readers_during_load.py [N_FILES] [BATCH_SIZE]
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from akhbar.warehouse import Warehouse, connect_readonly

ANT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "corpus" / "ant_multisource"


def main(n_files: int = 3000, batch_size: int = 250) -> None:
    if not ANT.is_dir():
        sys.exit(f"ANT corpus not found at {ANT}")
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-readers-"))
    src = tmp / "src"
    src.mkdir()
    for i, f in enumerate(sorted(ANT.rglob("*.txt"))[:n_files]):
        shutil.copy(f, src / f"{i:06d}_{f.name}")
    wh = tmp / "w.duckdb"
    exe = Path(sys.executable).with_name("akhbar")
    Warehouse(wh).close()  # readers have a warehouse to open from the start
    writer = subprocess.Popen(
        [str(exe), "run", "--source", str(src), "--warehouse", str(wh), "--batch-size", str(batch_size), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    latencies, failures, counts = [], [], []
    started = time.perf_counter()
    while writer.poll() is None:
        t0 = time.perf_counter()
        try:
            with connect_readonly(wh, wait_seconds=60) as con:
                counts.append(con.execute("SELECT count(*) FROM articles").fetchone()[0])
            latencies.append(time.perf_counter() - t0)
        except Exception as e:  # noqa: BLE001 - a benchmark records every failure
            failures.append(f"{type(e).__name__}: {e}")
        time.sleep(0.05)
    wall = time.perf_counter() - started
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print(f"load of {n_files} files (batches of {batch_size}) took {wall:.1f} s; writer exit code {writer.returncode}")
    print(f"{len(latencies)} read-only queries, {len(failures)} failures")
    if latencies:
        print(f"latency: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p(0.95) * 1000:.0f} ms,"
              f" max {latencies[-1] * 1000:.0f} ms; articles seen grew {counts[0]} -> {counts[-1]}")
    for f in failures[:5]:
        print("  failure:", f)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
