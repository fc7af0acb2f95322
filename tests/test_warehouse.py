"""The loader: migrations, one transaction per batch, delete-then-insert, duplicates, entities."""

from pathlib import Path

import duckdb
import polars as pl
import pytest

from akhbar.warehouse import ARTICLE_TABLES, Warehouse, connect_readonly, migrations, query_frame


def stage(tmp_path: Path, name: str, files: list[dict], articles: list[dict], mentions: list[dict] = ()) -> Path:
    """Write a staged batch by hand, in the layout akhbar.pipeline.transform_batch writes."""
    d = tmp_path / name
    d.mkdir()
    pl.DataFrame(
        files,
        schema={"source_uri": pl.String, "sha256": pl.String, "bytes": pl.Int64, "format": pl.String,
                "encoding": pl.String, "status": pl.String, "reason": pl.String, "documents": pl.Int64},
    ).write_parquet(d / "files.parquet")
    art = pl.DataFrame(
        articles,
        schema={"article_id": pl.String, "source_uri": pl.String, "doc_key": pl.String, "text": pl.String},
    ).with_columns(
        url=pl.lit(None, pl.String), title=pl.col("text").str.split("\n").list.first(),
        published_at=pl.lit(None, pl.Datetime("us", "UTC")), source_name=pl.lit(None, pl.String),
        author=pl.lit(None, pl.String), dateline=pl.lit(None, pl.String), body_start_char=pl.lit(0, pl.Int64),
        content_sha256=pl.col("text"), format=pl.lit("txt"), encoding=pl.lit("utf-8"),
    )
    art.write_parquet(d / "articles.parquet")
    sent = art.select("article_id", sentence_index=pl.lit(0, pl.Int32), paragraph_index=pl.lit(0, pl.Int32),
                      start_char=pl.lit(0, pl.Int64), end_char=pl.col("text").str.len_chars().cast(pl.Int64),
                      text="text")
    sent.write_parquet(d / "sentences.parquet")
    sent.rename({"sentence_index": "paragraph_index_", "paragraph_index": "paragraph_index"}).select(
        "article_id", "paragraph_index", "start_char", "end_char", kind=pl.lit("body"), text="text"
    ).write_parquet(d / "paragraphs.parquet")
    sent.select("article_id", "sentence_index", token_index=pl.lit(0, pl.Int32), start_char="start_char",
                end_char="end_char", token="text", norm="text").write_parquet(d / "tokens.parquet")
    pl.DataFrame(
        list(mentions),
        schema={"article_id": pl.String, "mention_id": pl.Int32, "entity_id": pl.String, "type": pl.String,
                "start_char": pl.Int64, "end_char": pl.Int64, "surface": pl.String, "title": pl.String,
                "sentence_index": pl.Int32, "canonical_name": pl.String},
    ).write_parquet(d / "entity_mentions.parquet")
    pl.DataFrame(
        schema={"article_id": pl.String, "quote_id": pl.Int32, "kind": pl.String, "start_char": pl.Int64,
                "end_char": pl.Int64, "text": pl.String, "verb": pl.String, "speaker_text": pl.String,
                "speaker_start_char": pl.Int64, "speaker_end_char": pl.Int64, "speaker_entity_id": pl.String,
                "speaker_role": pl.String, "sentence_index": pl.Int32}
    ).write_parquet(d / "quotes.parquet")
    return d


def ok_file(uri, sha, docs=1):
    return {"source_uri": uri, "sha256": sha, "bytes": 10, "format": "txt", "encoding": "utf-8",
            "status": "ok", "reason": None, "documents": docs}


def counts(path) -> dict[str, int]:
    with connect_readonly(path) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ARTICLE_TABLES + ("ingest_files",)}


def test_migrations_are_recorded_once(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        recorded = wh.con.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
        assert wh.migrate() == []  # nothing left to apply on a second pass
    assert recorded == [(v, n) for v, n, _ in migrations()]
    assert recorded[0] == (1, "initial_schema")


def test_every_table_and_column_has_a_comment(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        missing = wh.con.execute(
            "SELECT table_name || '.' || column_name FROM duckdb_columns() WHERE schema_name = 'main' AND database_name = current_database()"
            " AND table_name <> 'schema_migrations' AND (comment IS NULL OR comment = '')"
            " UNION ALL SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()"
            " AND table_name <> 'schema_migrations' AND (comment IS NULL OR comment = '')"
        ).fetchall()
    assert missing == []


def test_schema_doc_is_up_to_date():
    from akhbar.schema_doc import schema_markdown

    committed = (Path(__file__).resolve().parent.parent / "sql" / "schema.md").read_text(encoding="utf-8")
    assert committed == schema_markdown(), "run: akhbar schema > sql/schema.md"


def test_load_then_reload_replaces_rows_of_the_file(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file("file:///a.txt", "s1", 2)],
                                  [{"article_id": "a1", "source_uri": "file:///a.txt", "doc_key": "#0", "text": "أولى"},
                                   {"article_id": "a2", "source_uri": "file:///a.txt", "doc_key": "#1", "text": "ثانية"}]))
        # the file changed: it now holds one document; the other must disappear
        wh.load_batch("r2", stage(tmp_path, "b2", [ok_file("file:///a.txt", "s2", 1)],
                                  [{"article_id": "a1", "source_uri": "file:///a.txt", "doc_key": "#0", "text": "جديدة"}]))
    with connect_readonly(path) as con:
        rows = con.execute("SELECT article_id, text, run_id FROM articles").fetchall()
        files = con.execute("SELECT source_uri, sha256, status, run_id FROM ingest_files").fetchall()
    assert rows == [("a1", "جديدة", "r2")]
    assert files == [("file:///a.txt", "s2", "loaded", "r2")]
    assert counts(path)["sentences"] == 1 and counts(path)["tokens"] == 1


def test_same_batch_loaded_twice_adds_no_rows(tmp_path):
    path = tmp_path / "w.duckdb"
    batch = stage(tmp_path, "b", [ok_file("file:///a.txt", "s1")],
                  [{"article_id": "a1", "source_uri": "file:///a.txt", "doc_key": "", "text": "نص"}])
    with Warehouse(path) as wh:
        wh.load_batch("r1", batch)
    before = counts(path)
    with Warehouse(path) as wh:
        wh.load_batch("r1", batch)
    assert counts(path) == before == {"articles": 1, "paragraphs": 1, "sentences": 1, "tokens": 1,
                                      "entity_mentions": 0, "quotes": 0, "ingest_files": 1}


def test_file_with_same_bytes_as_a_loaded_file_is_a_duplicate(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file("file:///a.txt", "same")],
                                  [{"article_id": "a1", "source_uri": "file:///a.txt", "doc_key": "", "text": "نص"}]))
        got = wh.load_batch("r2", stage(tmp_path, "b2", [ok_file("file:///b.txt", "same"), ok_file("file:///c.txt", "other")],
                                        [{"article_id": "b1", "source_uri": "file:///b.txt", "doc_key": "", "text": "نص"},
                                         {"article_id": "c1", "source_uri": "file:///c.txt", "doc_key": "", "text": "آخر"}]))
        files = query_frame(wh.con, "SELECT source_uri, status, duplicate_of, reason FROM ingest_files ORDER BY 1")
        ids = [r[0] for r in wh.con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]
    assert got["files_duplicate"] == 1 and got["files_loaded"] == 1
    assert files.rows() == [
        ("file:///a.txt", "loaded", None, None),
        ("file:///b.txt", "duplicate", "file:///a.txt", "same bytes as file:///a.txt"),
        ("file:///c.txt", "loaded", None, None),
    ]
    assert ids == ["a1", "c1"]


def test_duplicates_within_one_batch_keep_the_first_uri(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b", [ok_file("file:///z.txt", "same"), ok_file("file:///y.txt", "same")],
                                  [{"article_id": "z", "source_uri": "file:///z.txt", "doc_key": "", "text": "نص"},
                                   {"article_id": "y", "source_uri": "file:///y.txt", "doc_key": "", "text": "نص"}]))
        rows = wh.con.execute("SELECT source_uri, status FROM ingest_files ORDER BY 1").fetchall()
    assert rows == [("file:///y.txt", "loaded"), ("file:///z.txt", "duplicate")]


def test_rejected_file_is_recorded_with_its_reason_and_drops_old_rows(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file("file:///a.txt", "s1")],
                                  [{"article_id": "a1", "source_uri": "file:///a.txt", "doc_key": "", "text": "نص"}]))
        bad = dict(ok_file("file:///a.txt", "s2", 0), status="rejected", reason="empty file")
        wh.load_batch("r2", stage(tmp_path, "b2", [bad], []))
        rows = wh.con.execute("SELECT status, reason, documents FROM ingest_files").fetchall()
        n = wh.con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert rows == [("rejected", "empty file", 0)]
    assert n == 0


def test_archive_members_are_replaced_with_their_archive(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file("file:///a.zip", "s1", 2)],
                                  [{"article_id": "m1", "source_uri": "file:///a.zip!x.json", "doc_key": "", "text": "١"},
                                   {"article_id": "m2", "source_uri": "file:///a.zip!y.txt", "doc_key": "", "text": "٢"}]))
        wh.load_batch("r2", stage(tmp_path, "b2", [ok_file("file:///a.zip", "s2", 1)],
                                  [{"article_id": "m1", "source_uri": "file:///a.zip!x.json", "doc_key": "", "text": "٣"}]))
        rows = wh.con.execute("SELECT article_id, text FROM articles").fetchall()
    assert rows == [("m1", "٣")]


def test_files_whose_uri_holds_a_bang_keep_and_replace_their_members(tmp_path):
    # '!' separates an archive from its member; a folder named 'd!x' must not confuse that
    path = tmp_path / "w.duckdb"
    a, dup = "file:///d!x/a.zip", "file:///d!x/b.zip"  # b.zip: the same bytes as a.zip
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file(a, "s1", 2), ok_file(dup, "s1", 2), ok_file("file:///d!x/c.txt", "s3")],
                                  [{"article_id": "m1", "source_uri": f"{a}!x.txt", "doc_key": "", "text": "١"},
                                   {"article_id": "m2", "source_uri": f"{a}!y.txt", "doc_key": "", "text": "٢"},
                                   {"article_id": "d1", "source_uri": f"{dup}!x.txt", "doc_key": "", "text": "١"},
                                   {"article_id": "c", "source_uri": "file:///d!x/c.txt", "doc_key": "", "text": "ج"}]))
        first = wh.con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()
        wh.load_batch("r2", stage(tmp_path, "b2", [ok_file(a, "s2", 1)],
                                  [{"article_id": "m1", "source_uri": f"{a}!x.txt", "doc_key": "", "text": "٣"}]))
        second = wh.con.execute("SELECT article_id, text FROM articles ORDER BY 1").fetchall()
        files = wh.con.execute("SELECT source_uri, status FROM ingest_files ORDER BY 1").fetchall()
    assert first == [("c",), ("m1",), ("m2",)]  # the duplicate archive's member is not stored
    assert second == [("c", "ج"), ("m1", "٣")]  # a.zip's old member m2 went with its new version
    assert files == [(a, "loaded"), (dup, "duplicate"), ("file:///d!x/c.txt", "loaded")]


def test_failed_batch_leaves_the_warehouse_unchanged(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file("file:///a.txt", "s1")],
                                  [{"article_id": "a1", "source_uri": "file:///a.txt", "doc_key": "", "text": "نص"}]))
    before = counts(path)
    broken = stage(tmp_path, "b2", [ok_file("file:///a.txt", "s2")],
                   [{"article_id": "a1", "source_uri": "file:///a.txt", "doc_key": "", "text": "جديد"}])
    (broken / "tokens.parquet").write_bytes(b"not parquet")  # the load fails half-way through
    with Warehouse(path) as wh, pytest.raises(duckdb.Error):
        wh.load_batch("r2", broken)
    assert counts(path) == before
    with connect_readonly(path) as con:
        assert con.execute("SELECT text FROM articles").fetchall() == [("نص",)]


def test_entities_are_rebuilt_from_mentions(tmp_path):
    path = tmp_path / "w.duckdb"
    m = {"mention_id": 0, "entity_id": "e1", "type": "PER", "start_char": 0, "end_char": 4,
         "surface": "حفتر", "title": None, "sentence_index": 0, "canonical_name": "خالد حفتر"}
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file("file:///a.txt", "s1"), ok_file("file:///b.txt", "s2")],
                                  [{"article_id": "a", "source_uri": "file:///a.txt", "doc_key": "", "text": "حفتر"},
                                   {"article_id": "b", "source_uri": "file:///b.txt", "doc_key": "", "text": "حفتر قال"}],
                                  [dict(m, article_id="a"), dict(m, article_id="a", mention_id=1), dict(m, article_id="b")]))
        assert wh.con.execute("SELECT * FROM entities").fetchall() == [("e1", "خالد حفتر", "PER", 3, 2)]
        wh.load_batch("r2", stage(tmp_path, "b2", [ok_file("file:///a.txt", "s3")],
                                  [{"article_id": "a", "source_uri": "file:///a.txt", "doc_key": "", "text": "لا"}]))
        assert wh.con.execute("SELECT * FROM entities").fetchall() == [("e1", "خالد حفتر", "PER", 1, 1)]


def test_readers_cannot_write(tmp_path):
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    with connect_readonly(path) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("DELETE FROM articles")


def test_connect_readonly_explains_a_missing_warehouse(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `akhbar run` first"):
        connect_readonly(tmp_path / "none.duckdb")


WRITER = """
import sys, time
from akhbar.warehouse import Warehouse
with Warehouse(sys.argv[1]) as wh:
    wh.con.execute("INSERT INTO runs (run_id, started_at, status, pipeline_version) VALUES (?, now(), 'x', 'v')", [sys.argv[2]])
    print("holding", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _hold_writer(path, run_id, seconds):
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-c", WRITER, str(path), run_id, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "holding"
    return p


def test_reader_waits_for_a_writer_in_another_process(tmp_path):
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    writer = _hold_writer(path, "w1", 1.5)
    with connect_readonly(path, wait_seconds=30) as con:  # would fail at once without the retry
        assert con.execute("SELECT run_id FROM runs").fetchall() == [("w1",)]
    assert writer.wait(timeout=30) == 0


def test_second_writer_waits_for_the_first(tmp_path):
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    first = _hold_writer(path, "w1", 1.0)
    with Warehouse(path) as wh:  # blocks on the file lock until the first writer is done
        runs = wh.con.execute("SELECT run_id FROM runs").fetchall()
    assert runs == [("w1",)]
    assert first.wait(timeout=30) == 0


def test_a_document_with_the_content_of_a_stored_article_is_stored_once(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file("file:///a.jsonl", "s1", 2)],
                                  [{"article_id": "a1", "source_uri": "file:///a.jsonl", "doc_key": "L1", "text": "خبر"},
                                   {"article_id": "a2", "source_uri": "file:///a.jsonl", "doc_key": "L2", "text": "آخر"}]))
        # another file repeats L1's content twice, and has one new document
        got = wh.load_batch("r2", stage(tmp_path, "b2", [ok_file("file:///b.jsonl", "s2", 3)],
                                        [{"article_id": "b1", "source_uri": "file:///b.jsonl", "doc_key": "L1", "text": "خبر"},
                                         {"article_id": "b2", "source_uri": "file:///b.jsonl", "doc_key": "L2", "text": "خبر"},
                                         {"article_id": "b3", "source_uri": "file:///b.jsonl", "doc_key": "L3", "text": "جديد"}]))
        stored = [r[0] for r in wh.con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]
        dups = wh.con.execute("SELECT article_id, duplicate_of, run_id FROM duplicate_documents ORDER BY 1").fetchall()
    assert stored == ["a1", "a2", "b3"]
    assert dups == [("b1", "a1", "r2"), ("b2", "a1", "r2")]
    assert got["duplicate_documents"] == 2 and got["articles"] == 1


def test_duplicates_within_a_batch_keep_the_first_document(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r1", stage(tmp_path, "b1", [ok_file("file:///a.jsonl", "s1", 2)],
                                  [{"article_id": "x2", "source_uri": "file:///a.jsonl", "doc_key": "L2", "text": "خبر"},
                                   {"article_id": "x1", "source_uri": "file:///a.jsonl", "doc_key": "L1", "text": "خبر"}]))
        stored = wh.con.execute("SELECT article_id, doc_key FROM articles").fetchall()
        dups = wh.con.execute("SELECT article_id, duplicate_of FROM duplicate_documents").fetchall()
        # reloading the same file keeps the same outcome, without piling up ledger rows
        wh.load_batch("r2", stage(tmp_path, "b2", [ok_file("file:///a.jsonl", "s1", 2)],
                                  [{"article_id": "x2", "source_uri": "file:///a.jsonl", "doc_key": "L2", "text": "خبر"},
                                   {"article_id": "x1", "source_uri": "file:///a.jsonl", "doc_key": "L1", "text": "خبر"}]))
        again = wh.con.execute("SELECT article_id, duplicate_of FROM duplicate_documents").fetchall()
    assert stored == [("x1", "L1")]
    assert dups == again == [("x2", "x1")]


READER = """
import sys, time
from akhbar.warehouse import connect_readonly
con = connect_readonly(sys.argv[1])
print("reading", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_a_writer_waits_for_a_reader_in_another_process(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), "1.5"], stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "reading"
    with Warehouse(path) as wh:  # DuckDB refuses at once while the reader holds the file: the writer waits
        wh.begin_run("r1", "src")
    assert reader.wait(timeout=30) == 0
    with connect_readonly(path) as con:
        assert con.execute("SELECT run_id FROM runs").fetchall() == [("r1",)]


def test_entities_touched_by_a_batch_are_recomputed_and_ties_go_to_the_smallest_name(tmp_path):
    """Only the entities of a batch's old and new mentions are recomputed; the others keep their
    rows, an entity left without mentions goes, and a tie between two names of one entity is
    broken the same way whatever order the batches were loaded in."""
    m = {"mention_id": 0, "type": "PER", "start_char": 0, "end_char": 4, "surface": "حفتر", "title": None,
         "sentence_index": 0}

    def batch(name, uri, article, entity, canonical):
        return stage(tmp_path, name, [ok_file(uri, name)],
                     [{"article_id": article, "source_uri": uri, "doc_key": "", "text": f"حفتر {name}"}],
                     [dict(m, article_id=article, entity_id=entity, canonical_name=canonical)])

    rows = {}
    for order in ("ab", "ba"):
        path = tmp_path / f"w-{order}.duckdb"
        staged = {"a": batch(f"a-{order}", "file:///a.txt", "a", "e1", "خليفة حفتر"),
                  "b": batch(f"b-{order}", "file:///b.txt", "b", "e1", "خالد حفتر")}
        with Warehouse(path) as wh:
            for key in order:
                wh.load_batch("r", staged[key])
            rows[order] = wh.con.execute("SELECT * FROM entities").fetchall()
    assert rows["ab"] == rows["ba"] == [("e1", "خالد حفتر", "PER", 2, 2)]

    path = tmp_path / "w-ab.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch("r", batch("c", "file:///c.txt", "c", "e2", "طرابلس"))
        wh.load_batch("r", batch("c2", "file:///c.txt", "c", "e3", "بنغازي"))  # c changed: e2 loses its only mention
        assert wh.con.execute("SELECT entity_id, canonical_name, mention_count FROM entities ORDER BY 1").fetchall() == [
            ("e1", "خالد حفتر", 2), ("e3", "بنغازي", 1)]
        assert wh.con.execute("SELECT entity_id, alias FROM entity_aliases ORDER BY 1").fetchall() == [
            ("e1", "حفتر"), ("e3", "حفتر")]
        wh.rebuild_entities()
        assert wh.con.execute("SELECT entity_id, canonical_name, mention_count FROM entities ORDER BY 1").fetchall() == [
            ("e1", "خالد حفتر", 2), ("e3", "بنغازي", 1)]


def _row_groups_after_three_sessions(tmp_path: Path, merge: bool) -> tuple[int, int]:
    """Three writer sessions, one small batch each (closed with a checkpoint): the articles
    table's row groups and rows."""
    path = tmp_path / f"merge-{merge}.duckdb"
    for i in range(3):
        uri = f"file:///{i}.txt"
        batch = stage(tmp_path, f"b{merge}{i}", [ok_file(uri, f"s{i}")],
                      [{"article_id": f"a{i}", "source_uri": uri, "doc_key": "", "text": f"نص المقال {i}"}])
        with Warehouse(path, merge_row_groups=merge) as wh:
            wh.load_batch("r1", batch)
    with connect_readonly(path) as con:
        return con.execute(
            "SELECT count(DISTINCT row_group_id), (SELECT count(*) FROM articles)"
            " FROM pragma_storage_info('articles')").fetchone()


def test_bulk_sessions_leave_each_batch_in_its_own_row_group(tmp_path):
    # merge_row_groups=False: DuckDB does not rewrite earlier row groups at checkpoints
    assert _row_groups_after_three_sessions(tmp_path, merge=False) == (3, 3)


def test_default_sessions_let_duckdb_merge_small_row_groups(tmp_path):
    assert _row_groups_after_three_sessions(tmp_path, merge=True) == (1, 3)


def test_merge_setting_lives_only_in_its_session(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path, merge_row_groups=False) as wh:
        assert wh.con.execute("SELECT current_setting('max_vacuum_tasks')").fetchone() == (0,)
    with Warehouse(path) as wh:
        assert wh.con.execute("SELECT current_setting('max_vacuum_tasks')").fetchone() == (100,)
