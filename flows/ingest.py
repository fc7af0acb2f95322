"""The `ingest` Prefect flow: whatever is new or changed under the source -> DuckDB warehouse.

Thin on purpose: list the source, plan batches of files, transform them a few at a time and load
each staged batch with the single writer (see flows/tasks.py). Scheduled by `akhbar serve`, run
once by `akhbar run`.
"""

import os
import shutil
import uuid

from akhbar import config

config.configure_prefect_env()

from prefect import flow, get_run_logger  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from akhbar.pipeline import plan_batches  # noqa: E402
from flows.report_task import publish_report  # noqa: E402
from flows.tasks import (  # noqa: E402
    ensure_writer_limit,
    finish_run,
    list_source,
    process_batches,
    publish_summary,
    start_run,
)

WORKERS = max(1, min(4, os.cpu_count() or 1))


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=WORKERS))
def ingest(
    source: str | None = None,
    warehouse: str | None = None,
    batch_size: int = config.DEFAULT_BATCH_SIZE,
) -> dict:
    """Ingest every new or changed file under `source` into the DuckDB `warehouse`.

    Returns the run's counts: files seen / loaded / unchanged / rejected / duplicate and rows per table.
    """
    logger = get_run_logger()
    source = config.source(source)
    warehouse = config.warehouse(warehouse)
    flow_run_id = flow_run.get_id()
    run_id = flow_run_id or uuid.uuid4().hex
    staging_root = config.staging_dir(warehouse) / run_id
    ensure_writer_limit()

    uris = list_source(source)
    known = start_run(warehouse, run_id, source, flow_run_id)
    batches = plan_batches(uris, known, batch_size)
    logger.info("%d files under %s in %d batches", len(uris), source, len(batches))

    counts = {"seen": len(uris)}
    status = "failed"
    try:
        counts.update(process_batches(batches, warehouse, run_id, staging_root, WORKERS, root=source))
        status = "completed"
    finally:
        finish_run(warehouse, run_id, status, counts)
        shutil.rmtree(staging_root, ignore_errors=True)
    publish_summary(warehouse, run_id, counts)
    publish_report(warehouse, run_id)
    logger.info("run %s: %s", run_id, counts)
    return {"run_id": run_id, **counts}


if __name__ == "__main__":  # pragma: no cover
    print(ingest())
