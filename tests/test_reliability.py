"""Issue 6 guarantees: schema evolution, crash safety, one writer, hostile inputs, bounded work."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import akhbar.warehouse as warehouse_module
from akhbar.warehouse import Warehouse, connect_readonly

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds" / "articles"
TABLES = ("articles", "paragraphs", "sentences", "tokens", "entity_mentions", "entities", "quotes", "ingest_files", "runs")


VOLATILE = ("run_id", "updated_at", "started_at", "finished_at", "flow_run_id")


def columns(con, table: str) -> list[str]:
    return [c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database()"
        " ORDER BY column_index", [table]).fetchall()]


def snapshot(path, cols: dict[str, list[str]] | None = None) -> dict[str, list]:
    """Rows of the user tables (sorted, volatile columns left out), on the given columns per table."""
    with connect_readonly(path) as con:
        out = {}
        for t in TABLES:
            use = cols[t] if cols else [c for c in columns(con, t) if c not in VOLATILE]
            out[t] = sorted(con.execute(f"SELECT {', '.join(use)} FROM {t}").fetchall(), key=repr)
        return out


# -- schema evolution --------------------------------------------------------------------------

def test_new_migrations_keep_every_row_of_a_warehouse_built_by_the_first_one(seed_warehouse, tmp_path, monkeypatch):
    """A warehouse created by migration 001 alone (the first release), then opened by today's code."""
    old_dir = tmp_path / "migrations_v1"
    old_dir.mkdir()
    shutil.copy(warehouse_module.MIGRATIONS_DIR / "001_initial_schema.sql", old_dir)
    old = tmp_path / "old.duckdb"
    monkeypatch.setattr(warehouse_module, "MIGRATIONS_DIR", old_dir)
    with Warehouse(old) as wh:  # copy today's rows into the old schema, column by column
        wh.con.execute(f"ATTACH '{seed_warehouse[0]}' AS src (READ_ONLY)")
        old_cols = {t: columns(wh.con, t) for t in TABLES}
        for t, cols in old_cols.items():
            wh.con.execute(f"INSERT INTO {t} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM src.{t}")
        wh.con.execute("DETACH src")
    kept = {t: [c for c in cols if c not in VOLATILE] for t, cols in old_cols.items()}
    before = snapshot(old, kept)
    assert before["articles"] and before["tokens"]
    monkeypatch.undo()
    with Warehouse(old) as wh:  # today's code applies the newer migrations
        versions = [v for (v,) in wh.con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == [v for v, _, _ in warehouse_module.migrations()]
    assert snapshot(old, kept) == before  # every old row, every old column, unchanged


# -- crash safety ------------------------------------------------------------------------------

def akhbar(*args: str, env: dict | None = None, **kw) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("akhbar")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    full_env.update(env or {})
    return subprocess.Popen([str(exe), *args], env=full_env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail("the process ended before reaching the fault point:\n" + proc.stdout.read())
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the fault point was not reached")
        time.sleep(0.1)


def test_sigkill_in_the_middle_of_a_load_leaves_no_partial_batch(seed_warehouse, seed_source, tmp_path):
    wh = tmp_path / "crash.duckdb"
    marker = tmp_path / "in-second-load"
    proc = akhbar("run", "--source", str(seed_source), "--warehouse", str(wh), "--batch-size", "4", "--quiet",
                  env={"AKHBAR_FAULT_PAUSE_BEFORE_COMMIT": f"2:{marker}"})
    wait_for(marker, proc)  # the second batch has written its rows and not committed
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    with connect_readonly(wh) as con:  # opens: no corruption, and only the first batch is there
        files = con.execute("SELECT count(*) FROM ingest_files").fetchone()[0]
        runs = con.execute("SELECT status, finished_at FROM runs").fetchall()
    assert files == 4
    assert runs == [("running", None)]
    reference = snapshot(seed_warehouse[0])
    partial = snapshot(wh)
    for t in ("articles", "paragraphs", "sentences", "tokens", "entity_mentions", "quotes", "ingest_files"):
        assert set(partial[t]) <= set(reference[t]), t  # nothing half-written or foreign
    ids = {row[0] for row in partial["articles"]}
    assert len([r for r in partial["tokens"] if r[0] in ids]) == len([r for r in reference["tokens"] if r[0] in ids])

    again = akhbar("run", "--source", str(seed_source), "--warehouse", str(wh), "--batch-size", "4", "--quiet")
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0, out
    assert "4 unchanged" in out
    after = snapshot(wh)
    for t in TABLES:
        if t != "runs":
            assert after[t] == reference[t], t  # the same rows as an uninterrupted run


# -- one writer --------------------------------------------------------------------------------

def test_two_runs_at_once_serialise_and_both_finish_with_correct_data(seed_warehouse, seed_source, tmp_path):
    wh = tmp_path / "two.duckdb"
    # Both start together and write batch by batch: each load waits for the other's file lock.
    first = akhbar("run", "--source", str(seed_source), "--warehouse", str(wh), "--batch-size", "2", "--quiet")
    second = akhbar("run", "--source", str(seed_source), "--warehouse", str(wh), "--batch-size", "2", "--quiet")
    readers_ok = 0
    while first.poll() is None or second.poll() is None:
        if wh.exists():
            with connect_readonly(wh, wait_seconds=60) as con:
                con.execute("SELECT count(*) FROM articles").fetchone()
                readers_ok += 1
        time.sleep(0.2)
    out1, out2 = first.stdout.read(), second.stdout.read()
    assert first.returncode == 0, out1
    assert second.returncode == 0, out2
    reference = snapshot(seed_warehouse[0])
    after = snapshot(wh)
    for t in TABLES:
        if t != "runs":
            assert after[t] == reference[t], t
    with connect_readonly(wh) as con:
        runs = con.execute("SELECT status, files_loaded + files_unchanged FROM runs").fetchall()
    n = sum(1 for p in seed_source.rglob("*") if p.is_file())
    assert runs == [("completed", n), ("completed", n)]
    assert readers_ok > 0
