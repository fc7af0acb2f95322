"""The warehouse: DuckDB schema migrations and the loader, the only code that writes to DuckDB.

Writers use :class:`Warehouse` (one read-write connection); everybody else opens the file with
:func:`connect_readonly`. The loader writes one transaction per batch: the batch's files, articles
and every child table are deleted-then-inserted by article, so a re-run is idempotent and a changed
file replaces its rows. A crash mid-batch leaves the previous state (DuckDB rolls the open
transaction back on the next open).
"""

import fcntl
import hashlib
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from akhbar import __version__

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "sql" / "migrations"

# Tables the loader fills from a staged batch, in load order. Children of articles are keyed by article_id.
ARTICLE_TABLES = ("articles", "paragraphs", "sentences", "tokens", "entity_mentions", "quotes")

# "The document at {uri} comes from one of {files}" (a subquery of file URIs): the document's URI
# is the file's, or an archive member's <file>!<member>. As hash look-ups on the part before the
# first '!' and on the whole URI; only file URIs that themselves hold a '!' (rare) need the prefix
# test, which is a nested loop. One `uri = f OR starts_with(uri, f || '!')` test per pair was a
# nested loop over every document and file of a batch (~1 s of a whole-corpus load's 12 CPU-s).
_OF_FILES = (
    "(split_part({uri}, '!', 1) IN {files} OR {uri} IN (SELECT * FROM {files} f(u) WHERE contains(u, '!'))"
    " OR EXISTS (SELECT 1 FROM {files} f(u) WHERE contains(u, '!') AND starts_with({uri}, u || '!')))"
)
_LOADED_FILES = "(SELECT source_uri FROM batch_files WHERE status = 'loaded')"

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def migrations() -> list[tuple[int, str, Path]]:
    """The numbered migrations in sql/migrations, in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file name must look like 001_name.sql: {path.name}")
        found.append((int(m.group(1)), m.group(2), path))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"two migrations share a number: {versions}")
    return found


def connect_readonly(path: str | Path, wait_seconds: float = 30.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection for readers (akhbar sql, reports, tests).

    While a loader holds the file (one batch transaction, typically well under a second), DuckDB
    refuses other processes at once; readers wait and retry for up to `wait_seconds`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `akhbar run` first")
    return _connect_waiting(str(path), read_only=True, wait_seconds=wait_seconds)


# A writer waits this long for readers of other processes to let go of the file (each query of
# `akhbar sql` / `akhbar shell` opens and closes its own connection).
WRITER_WAIT_SECONDS = 120.0


def _connect_waiting(path: str, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retrying DuckDB's file-lock error (another process has the file open in a
    conflicting mode) with backoff for up to `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> pl.DataFrame:
    """Run a query and return a Polars frame (DuckDB 2.0 hands Polars frames over via Arrow)."""
    return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


class Warehouse:
    """The single writer. Use as a context manager; migrations are applied on open.

    Opening takes an exclusive lock on `<warehouse>.lock` (fcntl, released by the OS even if the
    process is killed): a second writer process waits for the first instead of failing.
    Keep a Warehouse open only for the work of a few batches (AKHBAR_WRITER_BATCHES), so readers
    get their turn.
    """

    def __init__(self, path: str | Path, checkpoint_on_close: bool = True, merge_row_groups: bool = True):
        """`checkpoint_on_close=False` leaves the committed batches in DuckDB's write-ahead log
        when the connection closes (they are durable there, and readers see them) instead of
        writing them into the database file at every close: a run's batch loads skip that
        per-batch checkpoint, DuckDB still checkpoints whenever the log passes
        `wal_autocheckpoint` (16 MB), and the run's last writer session (`finish_run`) checkpoints.

        `merge_row_groups=False` turns off, for this session's checkpoints, DuckDB's merging of
        small row groups (`max_vacuum_tasks = 0`). Each checkpoint otherwise rewrites the recent
        row groups of the article tables into larger ones, so a bulk run compresses its text
        again and again: the whole ANT corpus as 31 staged 1,000-file batches, one writer session
        each with one DuckDB thread, loads in 15.1 instead of 20.4 CPU-s into a file of 341
        instead of 469 MB (rewritten blocks stay in the file as free space). Bulk runs
        (`flows.tasks.BULK_FILES`) load this way: their row groups hold a batch each (~1,000-2,000
        articles, 10,000+ sentences; tokens fill whole row groups). Small runs keep the merging,
        so a schedule that adds a few files at a time does not leave the tables in thousands of
        tiny row groups."""
        self.path = Path(path)
        self._lock = None
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = open(f"{self.path}.lock", "a")
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:
            self.con = _connect_waiting(str(self.path), read_only=False, wait_seconds=WRITER_WAIT_SECONDS)
            if not checkpoint_on_close:
                self.con.execute("PRAGMA disable_checkpoint_on_shutdown")
            if not merge_row_groups:
                self.con.execute("SET max_vacuum_tasks = 0")
            self.migrate()
        except BaseException:
            self._release()
            raise

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the descriptor releases the flock
            self._lock = None

    # -- schema -------------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded in schema_migrations; return the versions applied."""
        con = self.con
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER NOT NULL, name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL)"
        )
        done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for version, name, path in migrations():
            if version in done:
                continue
            sql = path.read_text(encoding="utf-8")
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(sql)
                con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
                    [version, name, hashlib.sha256(sql.encode()).hexdigest(), _now()],
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            applied.append(version)
        return applied

    # -- runs ---------------------------------------------------------------------------------
    def begin_run(self, run_id: str, source: str, flow_run_id: str | None = None) -> None:
        self.con.execute("DELETE FROM runs WHERE run_id = ?", [run_id])
        self.con.execute(
            "INSERT INTO runs (run_id, flow_run_id, source, started_at, status, pipeline_version)"
            " VALUES (?, ?, ?, ?, 'running', ?)",
            [run_id, flow_run_id, source, _now(), __version__],
        )

    def finish_run(self, run_id: str, status: str, counts: dict[str, int]) -> None:
        self.con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, files_seen = ?, files_loaded = ?,"
            " files_unchanged = ?, files_rejected = ?, files_duplicate = ?, articles_loaded = ?"
            " WHERE run_id = ?",
            [
                _now(),
                status,
                counts.get("seen", 0),
                counts.get("loaded", 0),
                counts.get("unchanged", 0),
                counts.get("rejected", 0),
                counts.get("duplicate", 0),
                counts.get("articles", 0),
                run_id,
            ],
        )

    # -- state the planner needs --------------------------------------------------------------
    def known_files(self) -> dict[str, str]:
        """source_uri -> sha256 of every file whose current bytes were already processed."""
        rows = self.con.execute("SELECT source_uri, sha256 FROM ingest_files WHERE sha256 IS NOT NULL").fetchall()
        return dict(rows)

    # -- the loader ---------------------------------------------------------------------------
    def load_batch(self, run_id: str, staging: str | Path) -> dict[str, int]:
        """Load one staged batch of files (Parquet written by akhbar.pipeline) in one transaction.

        Every file of the batch loses its old rows; the articles of files that load (not rejected,
        not duplicates) are inserted; ingest_files gets the files' outcome.
        Returns counts: files per status and rows per table.
        """
        staged = _Staged(self.con, staging)
        files = staged.frame("files")
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            files = self._resolve_duplicates(files)
            con.register("batch_files", files.to_arrow())
            # Old rows of every processed file go, whatever its new outcome (a file that turned bad
            # or duplicate no longer backs its old articles). Hash joins on the file URI (an archive
            # member's URI is <file>!<member>); only a file URI that itself holds '!' needs the
            # prefix comparison, which is a nested loop over the articles table.
            con.execute(
                "CREATE OR REPLACE TEMP TABLE batch_old_articles AS"
                " SELECT a.article_id FROM articles a JOIN batch_files f ON a.source_uri = f.source_uri"
                " UNION SELECT a.article_id FROM articles a JOIN batch_files f"
                "   ON split_part(a.source_uri, '!', 1) = f.source_uri WHERE contains(a.source_uri, '!')"
                " UNION SELECT a.article_id FROM articles a JOIN (SELECT source_uri FROM batch_files"
                "   WHERE contains(source_uri, '!')) f ON starts_with(a.source_uri, f.source_uri || '!')"
            )
            # Articles of loaded files only (a duplicate file's documents are not stored twice).
            con.execute(
                "CREATE OR REPLACE TEMP TABLE batch_articles AS"
                f" SELECT a.* FROM {staged.relation('articles')} a WHERE {_OF_FILES.format(uri='a.source_uri', files=_LOADED_FILES)}"
            )
            n_dup_docs = self._set_aside_duplicate_documents(run_id)
            counts = self._replace_articles(run_id, staged)
            counts["duplicate_documents"] = n_dup_docs
            con.execute("DELETE FROM ingest_files WHERE source_uri IN (SELECT source_uri FROM batch_files)")
            # A loaded file whose documents were (partly) stored already says so in its reason.
            con.execute(
                "INSERT INTO ingest_files (source_uri, sha256, bytes, format, encoding, status, reason,"
                " documents, duplicate_of, run_id, updated_at)"
                " SELECT f.source_uri, sha256, bytes, format, encoding, status,"
                "   CASE WHEN d.n IS NULL THEN reason ELSE concat_ws('; ', reason,"
                "     d.n || ' of ' || f.documents || ' documents already stored (see duplicate_documents)') END,"
                "   documents, f.duplicate_of, ?, ? FROM batch_files f"
                " LEFT JOIN (SELECT f2.source_uri, count(*) AS n FROM batch_duplicate_documents d2 JOIN batch_files f2"
                "   ON d2.source_uri = f2.source_uri OR starts_with(d2.source_uri, f2.source_uri || '!')"
                "   GROUP BY f2.source_uri) d ON d.source_uri = f.source_uri",
                [run_id, _now()],
            )
            self._refresh_entities()
            _fault_point()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("batch_files")
            staged.close()
        for status in ("loaded", "rejected", "duplicate"):
            counts[f"files_{status}"] = files.filter(pl.col("status") == status).height
        return counts

    def reload_articles(self, run_id: str, staging: str | Path) -> dict[str, int]:
        """Replace stored articles by a staged re-extraction of them (backfill mode `reprocess`),
        in one transaction. ingest_files is untouched: no file was read. Returns rows per table."""
        staged = _Staged(self.con, staging)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE batch_articles AS SELECT * FROM {staged.relation('articles')}")
            con.execute("CREATE OR REPLACE TEMP TABLE batch_old_articles AS SELECT article_id FROM batch_articles")
            counts = self._replace_articles(run_id, staged)
            self._refresh_entities()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            staged.close()
        return counts

    def _replace_articles(self, run_id: str, staged: "_Staged") -> dict[str, int]:
        """Inside a transaction: delete every row of batch_old_articles and batch_articles from all
        article tables, then insert batch_articles and their staged child rows.

        Also leaves TEMP TABLE batch_entity_ids: the entities whose mentions this batch removed or
        added, the only ones `_refresh_entities` recomputes. Child rows exist only under a stored
        article, so when no article of the batch is stored yet (new files) the child tables are
        not scanned at all: a batch's load costs the same on an empty and on a large warehouse."""
        con = self.con
        counts: dict[str, int] = {}
        con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_doomed AS SELECT article_id FROM articles WHERE article_id IN"
            " (SELECT article_id FROM batch_old_articles UNION SELECT article_id FROM batch_articles)"
        )
        (doomed,) = con.execute("SELECT count(*) FROM batch_doomed").fetchone()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_entity_ids AS SELECT DISTINCT entity_id FROM entity_mentions"
            + (" WHERE article_id IN (SELECT article_id FROM batch_doomed)" if doomed else " WHERE false")
        )
        if doomed:
            for table in ARTICLE_TABLES:
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM batch_doomed)")
        for table in ARTICLE_TABLES:
            # Columns the staged batch has (a column added by a newer migration stays NULL for
            # batches staged without it).
            source = "batch_articles" if table == "articles" else staged.relation(table)
            staged_cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            columns = [c for c in self._columns(table) if c in staged_cols or c == "run_id" and table == "articles"]
            cols = ", ".join(columns)
            if table == "articles":
                select = ", ".join("? AS run_id" if c == "run_id" else c for c in columns)
                inserted = con.execute(f"INSERT INTO articles ({cols}) SELECT {select} FROM batch_articles", [run_id])
            else:
                inserted = con.execute(
                    f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {source}"
                    " WHERE article_id IN (SELECT article_id FROM batch_articles)"
                )
            (counts[table],) = inserted.fetchone()
        con.execute(
            "INSERT INTO batch_entity_ids SELECT DISTINCT entity_id FROM"
            f" {staged.relation('entity_mentions')} WHERE article_id IN (SELECT article_id FROM batch_articles)"
            " EXCEPT SELECT entity_id FROM batch_entity_ids"
        )
        return counts

    def _set_aside_duplicate_documents(self, run_id: str) -> int:
        """Inside load_batch's transaction: documents of the batch whose content equals an article
        that stays stored (or an earlier document of the batch) leave batch_articles and are
        recorded in duplicate_documents. Returns how many."""
        con = self.con
        con.execute(
            "DELETE FROM duplicate_documents WHERE"
            f" {_OF_FILES.format(uri='duplicate_documents.source_uri', files='(SELECT source_uri FROM batch_files)')}"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_duplicate_documents AS"
            " WITH ranked AS (SELECT article_id, source_uri, doc_key, content_sha256,"
            "   first_value(article_id) OVER (PARTITION BY content_sha256 ORDER BY source_uri, doc_key) AS first_id"
            "   FROM batch_articles),"
            " stored AS (SELECT content_sha256, min(article_id) AS article_id FROM articles"
            "   WHERE content_sha256 IN (SELECT content_sha256 FROM batch_articles)"
            "   AND article_id NOT IN (SELECT article_id FROM batch_old_articles)"
            "   AND article_id NOT IN (SELECT article_id FROM batch_articles) GROUP BY content_sha256)"
            " SELECT r.article_id, r.source_uri, r.doc_key, r.content_sha256,"
            "   coalesce(s.article_id, r.first_id) AS duplicate_of FROM ranked r"
            " LEFT JOIN stored s USING (content_sha256)"
            " WHERE s.article_id IS NOT NULL OR r.first_id <> r.article_id"
        )
        (n,) = con.execute(
            "INSERT INTO duplicate_documents (article_id, source_uri, doc_key, content_sha256, duplicate_of, run_id)"
            " SELECT article_id, source_uri, doc_key, content_sha256, duplicate_of, ? FROM batch_duplicate_documents",
            [run_id],
        ).fetchone()
        con.execute("DELETE FROM batch_articles WHERE article_id IN (SELECT article_id FROM batch_duplicate_documents)")
        return n

    def _resolve_duplicates(self, files: pl.DataFrame) -> pl.DataFrame:
        """Turn status ok into loaded or duplicate: a file whose bytes equal a file already loaded
        under another URI (earlier in the warehouse, or earlier in this batch) is a duplicate."""
        files = files.with_columns(pl.lit(None, dtype=pl.String).alias("duplicate_of"))
        ok = files.filter(pl.col("status") == "ok")
        if ok.is_empty():
            return files
        self.con.register("batch_ok", ok.select("source_uri", "sha256").to_arrow())
        try:
            earlier = query_frame(
                self.con,
                "SELECT b.source_uri, min(i.source_uri) AS loaded_uri FROM batch_ok b"
                " JOIN ingest_files i ON i.sha256 = b.sha256 AND i.status = 'loaded'"
                " AND i.source_uri <> b.source_uri GROUP BY b.source_uri",
            )
        finally:
            self.con.unregister("batch_ok")
        first_in_batch = (
            ok.sort("source_uri")
            .group_by("sha256", maintain_order=True)
            .agg(pl.col("source_uri").first().alias("first_uri"))
        )
        files = (
            files.join(earlier, on="source_uri", how="left")
            .join(first_in_batch, on="sha256", how="left")
            .with_columns(
                duplicate_of=pl.when(pl.col("status") != "ok")
                .then(None)
                .when(pl.col("loaded_uri").is_not_null())
                .then(pl.col("loaded_uri"))
                .when(pl.col("first_uri") != pl.col("source_uri"))
                .then(pl.col("first_uri"))
            )
            .with_columns(
                status=pl.when(pl.col("status") != "ok")
                .then(pl.col("status"))
                .when(pl.col("duplicate_of").is_not_null())
                .then(pl.lit("duplicate"))
                .otherwise(pl.lit("loaded")),
                reason=pl.when(pl.col("duplicate_of").is_not_null())
                .then(pl.lit("same bytes as ") + pl.col("duplicate_of"))
                .otherwise(pl.col("reason")),
            )
            .drop("loaded_uri", "first_uri")
        )
        return files

    def _refresh_entities(self) -> None:
        """Recompute the `entities` and `entity_aliases` rows of the entities this batch touched
        (batch_entity_ids), from entity_mentions: the other rows cannot have changed. An entity
        left without mentions loses its rows. Cost grows with the batch, not the warehouse."""
        con = self.con
        changed = "(SELECT entity_id FROM batch_entity_ids)"
        con.execute(f"DELETE FROM entities WHERE entity_id IN {changed}")
        # The most frequent name and type; ties go to the smallest (mode() breaks them by row
        # order, which depends on which worker loaded what first).
        con.execute(
            "INSERT INTO entities (entity_id, canonical_name, type, mention_count, article_count)"
            f" WITH m AS (SELECT entity_id, canonical_name, type, article_id FROM entity_mentions"
            f"   WHERE entity_id IN {changed}),"
            " names AS (SELECT entity_id, first(canonical_name ORDER BY n DESC, canonical_name) AS name FROM"
            "   (SELECT entity_id, canonical_name, count(*) AS n FROM m GROUP BY ALL) GROUP BY entity_id),"
            " types AS (SELECT entity_id, first(type ORDER BY n DESC, type) AS type FROM"
            "   (SELECT entity_id, type, count(*) AS n FROM m GROUP BY ALL) GROUP BY entity_id)"
            " SELECT entity_id, names.name, types.type, count(*), count(DISTINCT article_id)"
            " FROM m JOIN names USING (entity_id) JOIN types USING (entity_id)"
            " GROUP BY entity_id, names.name, types.type"
        )
        con.execute(f"DELETE FROM entity_aliases WHERE entity_id IN {changed}")
        con.execute(
            "INSERT INTO entity_aliases (entity_id, alias, mention_count)"
            f" SELECT entity_id, surface, count(*) FROM entity_mentions WHERE entity_id IN {changed}"
            " GROUP BY entity_id, surface"
        )

    def rebuild_entities(self) -> None:
        """Rebuild `entities` and `entity_aliases` whole from entity_mentions (a repair tool; the
        loader keeps them current batch by batch)."""
        self.con.execute("CREATE OR REPLACE TEMP TABLE batch_entity_ids AS SELECT DISTINCT entity_id FROM entity_mentions")
        self.con.execute("DELETE FROM entities")
        self.con.execute("DELETE FROM entity_aliases")
        self._refresh_entities()

    def _columns(self, table: str) -> list[str]:
        rows = self.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'"
            " ORDER BY column_index",
            [table],
        ).fetchall()
        return [r[0] for r in rows]


_loads_in_process = 0


def _fault_point() -> None:
    """Fault injection for the crash-safety test (tests/test_reliability.py), off unless
    AKHBAR_FAULT_PAUSE_BEFORE_COMMIT="N:MARKER" is set: the Nth batch load of this process writes
    MARKER and then blocks, inside its open transaction, until the process is killed."""
    global _loads_in_process
    spec = os.environ.get("AKHBAR_FAULT_PAUSE_BEFORE_COMMIT")
    if not spec:
        return
    _loads_in_process += 1
    nth, marker = spec.split(":", 1)
    if _loads_in_process == int(nth):
        Path(marker).write_text(str(os.getpid()))
        while True:
            time.sleep(1)


class _Staged:
    """The Parquet files of one staged batch as DuckDB relations: a local folder is read by DuckDB
    itself (read_parquet); a remote fsspec URL (s3://..., memory://...) is read with pyarrow
    through fsspec, and the Arrow table is registered on the connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, staging: str | Path):
        self.con = con
        self.staging = str(staging)
        self.remote = "://" in self.staging.removeprefix("file://")
        self.registered: list[str] = []

    def relation(self, name: str) -> str:
        if not self.remote:
            path = os.path.join(self.staging.removeprefix("file://"), f"{name}.parquet")
            return "read_parquet('" + path.replace("'", "''") + "')"
        view = f"staged_{name}"
        if view not in self.registered:
            self.con.register(view, self.arrow(name))
            self.registered.append(view)
        return view

    def arrow(self, name: str):
        import fsspec
        import pyarrow.parquet as pq

        fs, root = fsspec.core.url_to_fs(self.staging)
        with fs.open(f"{root.rstrip('/')}/{name}.parquet", "rb") as f:
            return pq.read_table(f)

    def frame(self, name: str) -> pl.DataFrame:
        if not self.remote:
            return pl.read_parquet(os.path.join(self.staging.removeprefix("file://"), f"{name}.parquet"))
        return pl.from_arrow(self.arrow(name))

    def close(self) -> None:
        for view in self.registered:
            self.con.unregister(view)
        self.registered = []


def _now() -> datetime:
    return datetime.now(timezone.utc)
