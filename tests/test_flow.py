"""End to end: the real `ingest` flow on a real Prefect API into a real DuckDB file."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from akhbar.warehouse import connect_readonly

OFFSET_CHECKS = {
    # table: (text column compared with the substring of articles.text)
    "paragraphs": "text",
    "sentences": "text",
    "tokens": "token",
    "entity_mentions": "surface",
    "quotes": "text",
}
KEYS = {
    "articles": ["article_id"],
    "paragraphs": ["article_id", "paragraph_index"],
    "sentences": ["article_id", "sentence_index"],
    "tokens": ["article_id", "token_index"],
    "entity_mentions": ["article_id", "mention_id"],
    "entities": ["entity_id"],
    "quotes": ["article_id", "quote_id"],
    "ingest_files": ["source_uri"],
    "runs": ["run_id"],
}


def table_counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in KEYS}


def test_every_seed_file_is_loaded(seed_warehouse, seed_source, ro):
    files = sorted(p for p in seed_source.rglob("*") if p.is_file())
    rows = ro.execute("SELECT source_uri, status, reason FROM ingest_files ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == sorted(p.resolve().as_uri() for p in files)
    assert [r for r in rows if r[1] != "loaded"] == []


def test_first_run_counts_match_the_tables(seed_warehouse, ro):
    _, first, _ = seed_warehouse
    n_files = ro.execute("SELECT count(*) FROM ingest_files").fetchone()[0]
    assert first["seen"] == n_files and first["loaded"] == n_files
    assert first["articles"] == ro.execute("SELECT count(*) FROM articles").fetchone()[0] >= 12
    assert first["tokens"] == ro.execute("SELECT count(*) FROM tokens").fetchone()[0]


def test_second_run_finds_everything_unchanged_and_adds_no_rows(seed_warehouse, ro):
    _, first, second = seed_warehouse
    assert second["unchanged"] == first["seen"]
    assert second["loaded"] == second["rejected"] == second["duplicate"] == second["articles"] == 0
    runs = ro.execute("SELECT status, files_seen, files_unchanged FROM runs ORDER BY started_at").fetchall()
    assert runs == [("completed", first["seen"], 0), ("completed", first["seen"], first["seen"])]


@pytest.mark.parametrize("table", list(KEYS))
def test_keys_are_unique(ro, table):
    cols = ", ".join(KEYS[table])
    dupes = ro.execute(f"SELECT {cols}, count(*) FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT 3").fetchall()
    assert dupes == []


@pytest.mark.parametrize("table", list(OFFSET_CHECKS))
def test_offset_identity_holds_for_every_row(ro, table):
    col = OFFSET_CHECKS[table]
    total, bad = ro.execute(
        f"SELECT count(*), count(*) FILTER (WHERE substr(a.text, t.start_char + 1, t.end_char - t.start_char)"
        f" IS DISTINCT FROM t.{col}) FROM {table} t JOIN articles a USING (article_id)"
    ).fetchone()
    assert bad == 0
    if table != "quotes":
        assert total > 0


def test_quote_speaker_offsets_point_at_the_speaker(ro):
    bad = ro.execute(
        "SELECT q.speaker_text, substr(a.text, q.speaker_start_char + 1, q.speaker_end_char - q.speaker_start_char)"
        " FROM quotes q JOIN articles a USING (article_id) WHERE q.speaker_start_char IS NOT NULL"
        " AND substr(a.text, q.speaker_start_char + 1, q.speaker_end_char - q.speaker_start_char)"
        " IS DISTINCT FROM q.speaker_text"
    ).fetchall()
    assert bad == []


def test_children_belong_to_articles(ro):
    for table in ("paragraphs", "sentences", "tokens", "entity_mentions", "quotes"):
        orphans = ro.execute(
            f"SELECT count(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = t.article_id)"
        ).fetchone()[0]
        assert orphans == 0, table


def test_stored_text_has_no_replacement_characters(ro):
    assert ro.execute("SELECT count(*) FROM articles WHERE contains(text, '\ufffd')").fetchone()[0] == 0


def test_changed_and_rejected_files_replace_their_rows(prefect_api, seed_source, tmp_path):
    from flows.ingest import ingest

    src = tmp_path / "src"
    shutil.copytree(seed_source, src)
    wh = tmp_path / "w.duckdb"
    ingest(source=str(src), warehouse=str(wh), batch_size=50)
    victim = next(p for p in sorted(src.rglob("*.txt")) if p.stat().st_size > 200)
    victim.write_text("عنوان جديد\n\nالقاهرة - قال الوزير إن الاجتماع كان مثمرا.\n", encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    result = ingest(source=str(src), warehouse=str(wh), batch_size=50)
    assert (result["loaded"], result["rejected"]) == (1, 1)
    with connect_readonly(wh) as con:
        titles = con.execute(
            "SELECT title, dateline FROM articles WHERE source_uri = ?", [victim.resolve().as_uri()]
        ).fetchall()
        empty = con.execute(
            "SELECT status, reason FROM ingest_files WHERE source_uri = ?", [(src / "empty.txt").resolve().as_uri()]
        ).fetchone()
    assert titles == [("عنوان جديد", "القاهرة")]
    assert empty[0] == "rejected" and "empty" in empty[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("akhbar")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


def test_cli_sql_prints_an_aligned_table(seed_warehouse):
    wh = str(seed_warehouse[0])
    out = run_cli("sql", "SELECT 'خالد' AS name, 2 AS n UNION ALL SELECT 'طرابلس', 10 ORDER BY n", "--warehouse", wh)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["name   | n", "-------+---", "خالد   | 2", "طرابلس | 10", "(2 rows)"]


def test_cli_sql_reads_a_sql_file_and_writes_csv(seed_warehouse, tmp_path):
    q = tmp_path / "q.sql"
    q.write_text("SELECT count(*) AS files FROM ingest_files", encoding="utf-8")
    out = run_cli("sql", str(q), "--warehouse", str(seed_warehouse[0]), "--format", "csv")
    assert out.returncode == 0, out.stderr
    n = len([p for p in (Path(__file__).resolve().parent.parent / "seeds" / "articles").rglob("*") if p.is_file()])
    assert out.stdout.splitlines()[0] == "files"
    assert int(out.stdout.splitlines()[1]) >= n - 1


def test_cli_sql_is_read_only(seed_warehouse):
    out = run_cli("sql", "DELETE FROM articles", "--warehouse", str(seed_warehouse[0]))
    assert out.returncode == 1
    assert "read-only" in out.stderr


def test_cli_sql_on_a_missing_warehouse_says_what_to_do(tmp_path):
    out = run_cli("sql", "SELECT 1", "--warehouse", str(tmp_path / "nope.duckdb"))
    assert out.returncode == 2
    assert "run `akhbar run` first" in out.stderr


def test_every_cli_command_is_documented_in_the_readme():
    from akhbar.cli import build_parser, subcommands

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    commands = subcommands(build_parser())
    assert {"run", "sql", "schema"} <= set(commands)
    for cmd in commands:
        assert f"akhbar {cmd}" in readme, f"README does not document `akhbar {cmd}`"


def test_run_summary_lists_counts_top_entities_and_speakers(seed_warehouse):
    from akhbar.summary import run_summary_markdown

    wh, first, _ = seed_warehouse
    md = run_summary_markdown(str(wh), first["run_id"], first)
    assert f"| {first['seen']} | {first['loaded']} | 0 | 0 | 0 |" in md
    assert "## Top entities" in md and "## Top speakers" in md
    with connect_readonly(wh) as con:
        top = con.execute(
            "SELECT canonical_name FROM entity_mentions GROUP BY ALL ORDER BY count(*) DESC, canonical_name LIMIT 1"
        ).fetchone()[0]
    assert f"| {top} |" in md


def test_each_flow_run_publishes_its_summary_artifact(seed_warehouse):
    import asyncio

    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _, first, second = seed_warehouse

    async def artifacts():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["akhbar-run-summary"])))

    by_run = {str(a.flow_run_id): a.data for a in asyncio.run(artifacts())}
    assert f"# akhbar run `{first['run_id']}`" in by_run[first["run_id"]]
    assert f"| {second['seen']} | 0 | {second['seen']} | 0 | 0 |" in by_run[second["run_id"]]


def test_one_writer_session_loads_several_staged_batches_each_in_its_own_transaction(
        prefect_api, seed_source, seed_warehouse, tmp_path):
    """`load` takes the batches that finished while the previous load ran: one DuckDB open and
    no checkpoint per batch (the committed batches wait in the write-ahead log), the same rows
    as one session per batch; the run's `finish_run` checkpoints the log into the file."""
    from akhbar.pipeline import transform_batch
    from flows.tasks import finish_run, load

    files = sorted(p for p in seed_source.rglob("*") if p.is_file())
    items = [(p.resolve().as_uri(), None) for p in files]
    half = len(items) // 2
    stagings = [str(tmp_path / "b0"), str(tmp_path / "b1")]
    transform_batch(items[:half], stagings[0], str(seed_source))
    transform_batch(items[half:], stagings[1], str(seed_source))
    wh = tmp_path / "akhbar.duckdb"
    counts = load.fn(str(wh), "r1", stagings)
    assert [c["files_loaded"] + c["files_rejected"] + c["files_duplicate"] for c in counts] == [half, len(items) - half]
    assert Path(f"{wh}.wal").exists()  # committed, not yet checkpointed
    with connect_readonly(wh) as con, connect_readonly(seed_warehouse[0]) as ref:
        for table in ("articles", "tokens", "entity_mentions", "quotes"):
            assert table_counts(con)[table] == table_counts(ref)[table] > 0, table
    finish_run.fn(str(wh), "r1", "completed", {"seen": len(items)})
    assert not Path(f"{wh}.wal").exists()


@pytest.mark.parametrize("raw", ["0", "-2", "four"])
def test_writer_batches_must_be_a_whole_number_of_at_least_one(monkeypatch, raw):
    from flows.tasks import writer_batches

    monkeypatch.setenv("AKHBAR_WRITER_BATCHES", raw)
    with pytest.raises(ValueError, match=rf"AKHBAR_WRITER_BATCHES must be a whole number >= 1, got '{raw}'"):
        writer_batches()


@pytest.mark.parametrize("raw", ["0", "two", "-1"])
def test_writer_threads_must_be_a_whole_number_of_at_least_one(monkeypatch, raw):
    from flows.tasks import writer_threads

    monkeypatch.setenv("AKHBAR_WRITER_THREADS", raw)
    with pytest.raises(ValueError, match=rf"AKHBAR_WRITER_THREADS must be a whole number >= 1, got '{raw}'"):
        writer_threads()


def test_writer_threads_defaults_to_one_and_takes_the_setting(monkeypatch):
    from flows.tasks import writer_threads

    monkeypatch.delenv("AKHBAR_WRITER_THREADS", raising=False)
    assert writer_threads() == 1
    monkeypatch.setenv("AKHBAR_WRITER_THREADS", "3")
    assert writer_threads() == 3


def test_writer_batches_defaults_to_four(monkeypatch):
    from flows.tasks import writer_batches

    monkeypatch.delenv("AKHBAR_WRITER_BATCHES", raising=False)
    assert writer_batches() == 4


def test_runs_of_a_thousand_files_or_more_load_without_merging_row_groups():
    from flows.tasks import BULK_FILES, bulk

    assert BULK_FILES == 1000
    assert (bulk(0), bulk(999), bulk(1000), bulk(31228)) == (False, False, True, True)


@pytest.mark.parametrize("where", ["local", "memory"])
def test_a_batch_plan_reads_back_its_items_in_order(tmp_path, where):
    """Transform tasks get a batch's file list as a Parquet file in the staging location
    (local folder or fsspec URL), not as a task parameter."""
    from akhbar.pipeline import read_plan, write_plan

    items = [("file:///أخبار/b.txt", None), ("file:///a.zip", "ab" * 32), ("s3://x/c d.json", None)]
    location = str(tmp_path / "plans" / "batch-00000.parquet") if where == "local" else "memory://akhbar-plan/b0.parquet"
    assert write_plan(location, items) == location
    assert read_plan(location) == items
