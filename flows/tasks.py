"""Prefect tasks shared by the flows. Thin wrappers: the work is in akhbar.pipeline and the loader.

Tasks pass paths and small dicts, never DataFrames. Every write goes through `writer()`: the
warehouse file lock always (it serialises writer processes, whatever Prefect API they use), and
under `akhbar serve` also the Prefect global concurrency limit `akhbar-warehouse-writer` (one
slot), so queued writers are visible in the UI.
"""

import os
import time
from contextlib import contextmanager, nullcontext

from akhbar import config

config.configure_prefect_env()

from prefect import get_client, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate  # noqa: E402
from prefect.concurrency.sync import concurrency  # noqa: E402
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound  # noqa: E402

from akhbar import progress  # noqa: E402
from akhbar.pipeline import (  # noqa: E402
    BatchResult,
    max_batch_bytes,
    plan_batches,
    planned_bytes,
    read_plan,
    remove_staging,
    skip_unchanged,
    transform_batch,
    write_plan,
)
from akhbar.summary import run_summary_markdown  # noqa: E402
from akhbar.warehouse import Warehouse  # noqa: E402
from transforms.read import list_files  # noqa: E402

WRITER_LIMIT = "akhbar-warehouse-writer"


def served() -> bool:
    """True when flows talk to a Prefect server (akhbar serve), False with a temporary one (akhbar run)."""
    return bool(os.environ.get("PREFECT_API_URL"))


# A run that reads at least this many files is a bulk run: its writer sessions leave DuckDB's
# row groups as each batch wrote them (no merging at checkpoints; see Warehouse). Smaller runs,
# a schedule's few new files, let DuckDB merge their small row groups.
BULK_FILES = 1000


def bulk(files_to_read: int) -> bool:
    """True when a run reading `files_to_read` files loads without merging row groups."""
    return files_to_read >= BULK_FILES


@contextmanager
def writer(warehouse: str, checkpoint_on_close: bool = True, merge_row_groups: bool = True):
    """The single writer: the `akhbar-warehouse-writer` slot when a Prefect server is configured
    (queued writers show in the UI; a crashed holder's lease expires after 60 s), and always the
    warehouse file lock (which the OS releases at once when a process dies)."""
    slot = concurrency(WRITER_LIMIT, occupy=1, strict=True, lease_duration=60) if served() else nullcontext()
    with slot, Warehouse(warehouse, checkpoint_on_close=checkpoint_on_close, merge_row_groups=merge_row_groups) as wh:
        yield wh


def ensure_writer_limit() -> None:
    """Create the one-slot global concurrency limit for warehouse writers if it is missing (served mode)."""
    if not served():
        return
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
            return
        except ObjectNotFound:
            pass
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=WRITER_LIMIT, limit=1))
        except ObjectAlreadyExists:  # created by a concurrent run meanwhile
            pass


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def list_source(source: str) -> list[str]:
    """Every file under the source (local folder or fsspec URL)."""
    return list_files(source)["source_uri"].to_list()


@task(cache_policy=NO_CACHE)
def start_run(warehouse: str, run_id: str, source: str, flow_run_id: str | None) -> dict[str, str]:
    """Record the run and return what the planner needs: source_uri -> sha256 already processed."""
    with writer(warehouse) as wh:
        wh.begin_run(run_id, source, flow_run_id)
        return wh.known_files()


@task(cache_policy=NO_CACHE)
def plan_run(
    source: str, warehouse: str, run_id: str, flow_run_id: str | None, batch_size: int
) -> tuple[int, list[list[tuple[str, str | None]]], int]:
    """List the source, record the run, and plan it: (files seen, batches of (source_uri, sha256
    already processed) still to do, local files found unchanged and left out).

    One task, so that the file list and the warehouse's known hashes never become task
    parameters (Prefect walks every parameter of every task run)."""
    listed = list_files(source)
    uris = listed["source_uri"].to_list()
    with writer(warehouse) as wh:
        wh.begin_run(run_id, source, flow_run_id)
        known = wh.known_files()
    items, unchanged = skip_unchanged([(uri, known.get(uri)) for uri in uris], source)
    size = dict(zip(uris, listed["bytes"].to_list()))
    todo = [uri for uri, _ in items]
    batches = plan_batches(todo, known, batch_size, [planned_bytes(u, size[u]) for u in todo], max_batch_bytes())
    return len(uris), batches, unchanged


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def transform(plan: str, staging: str, root: str | None = None) -> BatchResult:
    """Read and transform one batch of files into staged Parquet (a retry starts it from scratch).

    `plan` is where the batch's planned items lie (`akhbar.pipeline.write_plan`), in the staging
    location. Runs wherever the task runner puts it (a thread of the flow process, or a Dask
    worker) and returns only the staging location and counts: the file list and the tables
    travel as Parquet, never through Prefect or Dask."""
    return transform_batch(read_plan(plan), staging, root)


@task(retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def load(warehouse: str, run_id: str, stagings: list[str], merge_row_groups: bool = True) -> list[dict[str, int]]:
    """The single writer: one transaction per staged batch, all in one writer session (one open
    of the DuckDB file for the lot, closed without a checkpoint). The caller removes the staging
    folders afterwards, so a retry loads every batch again (a batch's load is idempotent).
    `merge_row_groups=False` for bulk runs (see `bulk`)."""
    with writer(warehouse, checkpoint_on_close=False, merge_row_groups=merge_row_groups) as wh:  # finish_run checkpoints
        # the transforms keep the cores busy meanwhile: one DuckDB thread loads the same
        # batches with ~14% less CPU (whole ANT corpus: 18.4 vs 21.3 CPU-s, 0.5 s more wall)
        wh.con.execute(f"SET threads = {writer_threads()}")
        return [wh.load_batch(run_id, staging) for staging in stagings]


def writer_threads() -> int:
    """DuckDB threads of the loader's writer sessions during a run (AKHBAR_WRITER_THREADS,
    default 1: the transform tasks use the other cores)."""
    raw = os.environ.get("AKHBAR_WRITER_THREADS", "1")
    n = int(raw) if raw.strip().isdigit() else 0
    if n < 1:
        raise ValueError(f"AKHBAR_WRITER_THREADS must be a whole number >= 1, got {raw!r}")
    return n


def writer_batches() -> int:
    """How many staged batches one writer session may load back to back
    (AKHBAR_WRITER_BATCHES, default 4): more batches per session save DuckDB's open and
    checkpoint, fewer give readers their turn sooner (docs/reliability.md)."""
    raw = os.environ.get("AKHBAR_WRITER_BATCHES", "4")
    n = int(raw) if raw.strip().isdigit() else 0
    if n < 1:
        raise ValueError(f"AKHBAR_WRITER_BATCHES must be a whole number >= 1, got {raw!r}")
    return n


@task(cache_policy=NO_CACHE)
def finish_run(warehouse: str, run_id: str, status: str, counts: dict[str, int], merge_row_groups: bool = True) -> None:
    """Record the run's outcome; closing the session checkpoints what the loads left in the log
    (without merging row groups after a bulk run: merging then would rewrite the whole run's rows)."""
    with writer(warehouse, merge_row_groups=merge_row_groups) as wh:
        wh.finish_run(run_id, status, counts)


@task(cache_policy=NO_CACHE)
def publish_summary(warehouse: str, run_id: str, counts: dict) -> str:
    """The run's summary as a markdown artifact on the flow run (Artifacts tab in the UI)."""
    markdown = run_summary_markdown(warehouse, run_id, counts)
    create_markdown_artifact(markdown, key="akhbar-run-summary", description=f"akhbar run {run_id}")
    return markdown


def parallelism(default: int) -> int:
    """How many transform tasks can run at once under the current flow's task runner: the
    threads of a Dask cluster's workers, else `default` (the thread pool's size)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None)
    if type(runner).__name__ == "DaskTaskRunner":
        workers = runner.client.scheduler_info(n_workers=-1).get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
    return default


def process_batches(
    batches: list[list[tuple[str, str | None]]], warehouse: str, run_id: str, staging_root: str, workers: int,
    root: str | None = None,
) -> dict[str, int]:
    """Inside a flow: transform batches a few at a time (in parallel) and load them in order.

    At most `workers + 1` batches are in flight, plus those being loaded (at most
    AKHBAR_WRITER_BATCHES: batches that finished while the previous load ran are loaded in one
    writer session), so disk and memory stay bounded by the batch size, not by the corpus.
    `staging_root` is a local folder or an fsspec URL shared by the transform tasks (threads or
    Dask workers) and the loader (this process).
    Returns counts of files per status and rows per table.
    """
    from collections import deque

    counts = {"loaded": 0, "unchanged": 0, "rejected": 0, "duplicate": 0, "articles": 0,
              "sentences": 0, "tokens": 0, "entity_mentions": 0, "quotes": 0, "duplicate_documents": 0}
    queue = deque(range(len(batches)))
    pending: deque = deque()
    total, done = sum(len(b) for b in batches), 0
    merge = not bulk(total)
    workers_seen: set[str] = set()
    per_session = writer_batches()
    progress.advance(0, total)  # the terminal bar of `akhbar run`, the progress artifact in the UI

    def fill() -> None:
        while queue and len(pending) <= workers:
            i = queue.popleft()
            items, batches[i] = batches[i], None  # a batch's planned items go once they are written
            plan = write_plan(f"{staging_root.rstrip('/')}/plans/batch-{i:05d}.parquet", items)
            pending.append((len(items), transform.submit(plan, f"{staging_root.rstrip('/')}/batch-{i:05d}", root)))

    while queue or pending:
        fill()
        n_items, future = pending.popleft()
        ready: list[tuple[int, BatchResult]] = [(n_items, future.result())]
        # Batches that finished while the previous load ran join this writer session (in order).
        while pending and len(ready) < per_session and pending[0][1].wrapped_future.done():
            n_items, future = pending.popleft()
            ready.append((n_items, future.result()))
        fill()  # the workers go on transforming while this process loads
        to_load = []
        for n_items, result in ready:
            counts["unchanged"] += result.files_unchanged
            workers_seen.add(result.worker)
            for stage, secs in result.seconds.items():
                counts[f"seconds_{stage}"] = counts.get(f"seconds_{stage}", 0.0) + secs
            if result.files_processed == 0:
                remove_staging(result.staging)
            else:
                to_load.append(result.staging)
        counts["transform_processes"] = len(workers_seen)
        if to_load:
            t = time.perf_counter()
            for loaded in load(warehouse, run_id, to_load, merge):
                for key in ("loaded", "rejected", "duplicate"):
                    counts[key] += loaded[f"files_{key}"]
                for key in ("articles", "sentences", "tokens", "entity_mentions", "quotes", "duplicate_documents"):
                    counts[key] += loaded[key]
            counts["seconds_load"] = counts.get("seconds_load", 0.0) + time.perf_counter() - t
            for staging in to_load:
                remove_staging(staging)
            counts["load_sessions"] = counts.get("load_sessions", 0) + 1
        done += sum(n for n, _ in ready)
        progress.advance(done, total)
    return counts
