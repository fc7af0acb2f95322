"""akhbar sql --output, akhbar shell, akhbar report and the progress hook, on the seeds warehouse."""

import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest

from akhbar.warehouse import connect_readonly


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("akhbar")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120, input=stdin, env=env)


QUERY = "SELECT speaker, quotes, first_quoted_at FROM speakers_by_source ORDER BY quotes DESC, speaker"


@pytest.mark.parametrize("ext", ["parquet", "csv", "json", "jsonl"])
def test_sql_output_round_trips(seed_warehouse, tmp_path, ext):
    wh = str(seed_warehouse[0])
    out = tmp_path / f"x.{ext}"
    done = run_cli("sql", QUERY, "--warehouse", wh, "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    with connect_readonly(wh) as con:
        expected = con.execute(QUERY).fetchall()
    assert f"{len(expected)} rows written to {out}" in done.stderr
    if ext == "parquet":
        back = pl.read_parquet(out)
        assert back.schema["quotes"] == pl.Int64
        assert back.schema["first_quoted_at"].time_zone in ("UTC", "Etc/UTC")
        assert back.rows() == expected
    else:
        back = {"csv": pl.read_csv, "json": pl.read_json, "jsonl": pl.read_ndjson}[ext](out)
        assert back.columns == ["speaker", "quotes", "first_quoted_at"]
        assert back.select("speaker", "quotes").rows() == [(s, q) for s, q, _ in expected]
    assert any("\u0600" <= ch <= "\u06ff" for ch in out.read_bytes().decode("utf-8", "ignore")) or ext == "parquet"


def test_sql_output_rejects_an_unknown_extension(seed_warehouse, tmp_path):
    done = run_cli("sql", "SELECT 1", "--warehouse", str(seed_warehouse[0]), "--output", str(tmp_path / "x.xlsx"))
    assert done.returncode == 1 and "--output must end with one of" in done.stderr


def test_table_isolates_arabic_cells_on_request(seed_warehouse):
    import os

    env = {**os.environ, "AKHBAR_BIDI_ISOLATE": "1"}
    done = run_cli("sql", "SELECT 'خالد' AS name, 2 AS n", "--warehouse", str(seed_warehouse[0]), env=env)
    assert done.stdout.splitlines()[:3] == ["name | n", "-----+--", "\u2068خالد\u2069 | 2"]


def test_shell_answers_queries_fed_on_stdin(seed_warehouse):
    wh = str(seed_warehouse[0])
    session = "SELECT count(*) AS n\n  FROM articles\n  WHERE title IS NOT NULL;\n.tables\nSELECT 'طرابلس' AS city;\n.quit\nSELECT 'never';\n"
    done = run_cli("shell", "--warehouse", wh, stdin=session)
    assert done.returncode == 0, done.stderr
    with connect_readonly(wh) as con:
        n = con.execute("SELECT count(*) FROM articles WHERE title IS NOT NULL").fetchone()[0]
    lines = done.stdout.splitlines()
    assert lines[:4] == ["n", "-" * max(1, len(str(n))), str(n), "(1 row)"]
    assert any(line.startswith("quotes_with_mentions ") and "| view" in line for line in lines)
    assert "طرابلس" in lines and "never" not in done.stdout


def test_shell_reports_errors_and_keeps_going(seed_warehouse):
    done = run_cli("shell", "--warehouse", str(seed_warehouse[0]), stdin="SELECT nope;\nDELETE FROM articles;\nSELECT 41 + 1 AS answer")
    assert "error: BinderException" in done.stderr and "read-only" in done.stderr
    assert done.stdout.splitlines()[2] == "42"  # the last query runs at end of input without its ;
    assert done.returncode == 1


def test_shell_on_a_missing_warehouse_says_what_to_do(tmp_path):
    done = run_cli("shell", "--warehouse", str(tmp_path / "nope.duckdb"), stdin="SELECT 1;")
    assert done.returncode == 2 and "run `akhbar run` first" in done.stderr


def test_report_command_writes_the_html(seed_warehouse, tmp_path):
    wh, first, _ = seed_warehouse
    out = tmp_path / "r.html"
    done = run_cli("report", "--warehouse", str(wh), "--run", first["run_id"], "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert first["run_id"] in out.read_text(encoding="utf-8")
    bad = run_cli("report", "--warehouse", str(wh), "--run", "no-such-run", "--output", str(out))
    assert bad.returncode == 2 and "no run 'no-such-run'" in bad.stderr


def test_progress_listeners_get_every_step_from_any_thread():
    from akhbar import progress

    seen = []
    with progress.listen(lambda done, total: seen.append((done, total))):
        progress.advance(0, 3)
        t = threading.Thread(target=progress.advance, args=(2, 3))
        t.start()
        t.join()
        with progress.listen(lambda *_: 1 / 0):  # a broken listener does not break the caller
            progress.advance(3, 3)
    progress.advance(4, 4)  # after the block: no longer called
    assert seen == [(0, 3), (2, 3), (3, 3)]


def test_progress_terminal_bar_draws_rate_and_eta(monkeypatch, capsys):
    import io

    from akhbar import progress

    buf = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buf)
    with progress.terminal_bar("files", enabled=True):
        progress.advance(0, 10)
        progress.advance(10, 10)
    text = buf.getvalue()
    assert "10/10" in text and "files/s" in text and "ETA" in text


def test_progress_bar_is_off_when_stderr_is_not_a_terminal(monkeypatch):
    from akhbar import progress

    calls = []
    with progress.terminal_bar(enabled=None):
        with progress.listen(lambda d, t: calls.append(d)):
            progress.advance(1, 2)
    assert calls == [1] and progress._listeners == []


def test_progress_inside_a_flow_run_keeps_a_progress_artifact(prefect_api):
    import asyncio

    from prefect import flow, get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from akhbar import progress

    @flow(name="progress-probe")
    def probe():
        from prefect.runtime import flow_run

        for done in (0, 3, 4):
            progress.advance(done, 4)
        return flow_run.get_id()

    flow_run_id = probe()

    async def artifacts():
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["akhbar-run-progress"])))

    by_run = {str(a.flow_run_id): a for a in asyncio.run(artifacts())}
    assert float(by_run[flow_run_id].data) == 100.0
    assert by_run[flow_run_id].description == "files done: 4 of 4"


def test_shell_waits_for_a_writer_to_commit(seed_warehouse, tmp_path):
    """A query typed while the loader holds the file is answered once the batch commits."""
    import shutil
    import time

    from akhbar.warehouse import Warehouse

    wh = tmp_path / "copy.duckdb"
    shutil.copy(seed_warehouse[0], wh)
    writer = Warehouse(wh)
    exe = Path(sys.executable).with_name("akhbar")
    shell = subprocess.Popen([str(exe), "shell", "--warehouse", str(wh)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    try:
        shell.stdin.write("SELECT DISTINCT status FROM runs;\n")
        shell.stdin.flush()
        time.sleep(1.5)  # the shell is retrying on the lock meanwhile
        writer.con.execute("UPDATE runs SET status = 'probe'")
    finally:
        writer.close()
    out, err = shell.communicate(timeout=60)
    assert shell.returncode == 0, err
    assert out.splitlines()[2] == "probe" and time.monotonic() - started >= 1.5
