"""The `ingest` Prefect flow: source files -> DuckDB warehouse.

Thin on purpose: it lists the source, plans batches, runs `transform` tasks (one per batch of
files, writing Parquet to a staging folder) a few at a time, and hands each staged batch to the
`load` task, the single writer, in order. Tasks pass paths, never DataFrames.
"""

import os
import shutil
import uuid
from collections import deque
from pathlib import Path

from akhbar import config

config.configure_prefect_env()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from akhbar.pipeline import BatchResult, plan_batches, transform_batch  # noqa: E402
from akhbar.warehouse import Warehouse  # noqa: E402
from transforms.read import list_files  # noqa: E402

WORKERS = max(1, min(4, os.cpu_count() or 1))


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def list_source(source: str) -> list[str]:
    """Every file under the source (local folder or fsspec URL)."""
    return list_files(source)["source_uri"].to_list()


@task(cache_policy=NO_CACHE)
def start_run(warehouse: str, run_id: str, source: str, flow_run_id: str | None) -> dict[str, str]:
    """Record the run and return what the planner needs: source_uri -> sha256 already processed."""
    with Warehouse(warehouse) as wh:
        wh.begin_run(run_id, source, flow_run_id)
        return wh.known_files()


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def transform(items: list[tuple[str, str | None]], staging: str) -> BatchResult:
    """Read and transform one batch of files into staged Parquet (retries re-run it from scratch)."""
    return transform_batch(items, staging)


@task(cache_policy=NO_CACHE)
def load(warehouse: str, run_id: str, staging: str) -> dict[str, int]:
    """The single writer: one transaction for the batch, then the staging folder goes."""
    with Warehouse(warehouse) as wh:
        counts = wh.load_batch(run_id, staging)
    shutil.rmtree(staging, ignore_errors=True)
    return counts


@task(cache_policy=NO_CACHE)
def finish_run(warehouse: str, run_id: str, status: str, counts: dict[str, int]) -> None:
    with Warehouse(warehouse) as wh:
        wh.finish_run(run_id, status, counts)


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=WORKERS))
def ingest(
    source: str | None = None,
    warehouse: str | None = None,
    batch_size: int = config.DEFAULT_BATCH_SIZE,
) -> dict[str, int]:
    """Ingest every new or changed file under `source` into the DuckDB `warehouse`.

    Returns the run's counts: files seen/loaded/unchanged/rejected/duplicate and rows per table.
    """
    logger = get_run_logger()
    source = config.source(source)
    warehouse = config.warehouse(warehouse)
    flow_run_id = flow_run.get_id()
    run_id = flow_run_id or uuid.uuid4().hex
    staging_root = config.staging_dir(warehouse) / run_id

    uris = list_source(source)
    known = start_run(warehouse, run_id, source, flow_run_id)
    batches = plan_batches(uris, known, batch_size)
    logger.info("%d files under %s in %d batches", len(uris), source, len(batches))

    counts = {"seen": len(uris), "loaded": 0, "unchanged": 0, "rejected": 0, "duplicate": 0, "articles": 0}
    status = "failed"
    try:
        pending: deque = deque()
        queue = deque(enumerate(batches))
        while queue or pending:
            # Keep at most WORKERS + 1 batches staged ahead of the loader: disk and memory stay bounded.
            while queue and len(pending) <= WORKERS:
                i, items = queue.popleft()
                pending.append(transform.submit(items, str(staging_root / f"batch-{i:05d}")))
            result: BatchResult = pending.popleft().result()
            counts["unchanged"] += result.files_unchanged
            if result.files_processed == 0:
                shutil.rmtree(result.staging, ignore_errors=True)
                continue
            loaded = load(warehouse, run_id, result.staging)
            for key in ("loaded", "rejected", "duplicate"):
                counts[key] += loaded[f"files_{key}"]
            counts["articles"] += loaded["articles"]
            for table in ("sentences", "tokens", "entity_mentions", "quotes"):
                counts[table] = counts.get(table, 0) + loaded[table]
        status = "completed"
    finally:
        finish_run(warehouse, run_id, status, counts)
        shutil.rmtree(staging_root, ignore_errors=True)
    logger.info("run %s: %s", run_id, counts)
    return {"run_id": run_id, **counts}


if __name__ == "__main__":  # pragma: no cover
    print(ingest())
