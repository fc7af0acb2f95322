"""The `ingest` Prefect flow: whatever is new or changed under the source -> DuckDB warehouse.

Thin on purpose: list the source, plan batches of files, transform them a few at a time and load
each staged batch with the single writer (see flows/tasks.py). Scheduled by `akhbar serve`, run
once by `akhbar run`.

The transform tasks run on the flow's task runner: a thread pool by default, or Dask workers
(`task_runner(workers=N)` for a LocalCluster of N single-threaded worker processes,
`task_runner(dask_address=...)` for an existing scheduler; see docs/scale.md). Either way they
write Parquet to the staging location and the load stays in the flow process.
"""

import os
import time
import uuid

from akhbar import config

config.configure_prefect_env()

from prefect import flow, get_run_logger  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from akhbar.pipeline import remove_staging  # noqa: E402
from flows.report_task import publish_report  # noqa: E402
from flows.tasks import (  # noqa: E402
    bulk,
    ensure_writer_limit,
    finish_run,
    parallelism,
    plan_run,
    process_batches,
    publish_summary,
)

WORKERS = max(1, min(4, os.cpu_count() or 1))


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=WORKERS))
def ingest(
    source: str | None = None,
    warehouse: str | None = None,
    batch_size: int = config.DEFAULT_BATCH_SIZE,
    staging: str | None = None,
) -> dict:
    """Ingest every new or changed file under `source` into the DuckDB `warehouse`.

    `staging` (folder or fsspec URL, default AKHBAR_STAGING or <warehouse dir>/staging) is where
    transform tasks leave each batch as Parquet for the loader.
    Returns the run's counts: files seen / loaded / unchanged / rejected / duplicate and rows per table.
    """
    started = time.perf_counter()
    logger = get_run_logger()
    source = config.source(source)
    warehouse = config.warehouse(warehouse)
    flow_run_id = flow_run.get_id()
    run_id = flow_run_id or uuid.uuid4().hex
    staging_root = config.join(config.staging(warehouse, staging), run_id)
    ensure_writer_limit()

    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    t = time.perf_counter()
    seen, batches, skipped = plan_run(source, warehouse, run_id, flow_run_id, batch_size)
    counts = {"seen": seen, "seconds_plan": time.perf_counter() - t}
    to_read = sum(len(b) for b in batches)  # process_batches lets go of the batches as it sends them
    logger.info("%d files under %s: %d unchanged, %d to read in %d batches",
                counts["seen"], source, skipped, to_read, len(batches))

    status = "failed"
    try:
        in_flight = parallelism(WORKERS) if batches else 0
        counts.update(process_batches(batches, warehouse, run_id, staging_root, in_flight, root=source))
        counts["unchanged"] += skipped
        status = "completed"
    finally:
        finish_run(warehouse, run_id, status, counts, merge_row_groups=not bulk(to_read))
        remove_staging(staging_root)
    publish_summary(warehouse, run_id, counts)
    if any(counts.get(k) for k in ("loaded", "rejected", "duplicate")):
        publish_report(warehouse, run_id)
    else:  # nothing written: the charts would be those of the previous report
        logger.info("nothing new: no report for this run")
    logger.info("run %s: %s", run_id, counts)
    return {"run_id": run_id, **counts, "flow_seconds": time.perf_counter() - started}


def worker_env() -> dict[str, str]:
    """Environment of local Dask worker processes: one Polars thread each (the workers are the
    parallelism; set before Polars is imported in the worker), and the Prefect API of this
    process, so task runs report to the same server. Without a configured server that is the
    temporary one Prefect starts for `akhbar run`, started here first so its address is known."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()  # the same instance the flow's client will use
        server.start()
        url = server.api_url
    return {"POLARS_MAX_THREADS": "1", "PREFECT_API_URL": url}


# Dask's own diagnostics, sampled less often on the LocalCluster `akhbar run --workers N` starts:
# a batch run has no dashboard to feed. By default every worker profiles its threads every 10 ms,
# every process checks its event loop every 20 ms and its GIL every 1 ms (when gilknocker is
# installed), each nanny reads its worker's memory every 100 ms and the scheduler the system's
# every 500 ms. On 2 cores, with the loader in the flow process beside 2 workers, these cost the
# flow process ~2 CPU-s of a whole-ANT run (bench/RESULTS.md, issue 7, session 8). Work stealing
# stays on: a batch queued behind a busy worker moves to an idle one.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
}


def task_runner(workers: int | None = None, dask_address: str | None = None):
    """The task runner for `ingest.with_options(task_runner=...)`: a LocalCluster of `workers`
    single-threaded Dask worker processes, or the Dask scheduler at `dask_address`
    (tcp://host:8786; its workers need the project installed and PREFECT_API_URL set), else the
    default thread pool."""
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if not workers and not dask_address:
        return ThreadPoolTaskRunner(max_workers=WORKERS)
    import logging

    from prefect_dask import DaskTaskRunner

    logging.getLogger("distributed").setLevel(logging.WARNING)  # cluster chatter off the run's output
    if dask_address:
        return DaskTaskRunner(address=dask_address)
    import dask

    # Set in this process before the cluster starts: its scheduler and nannies run here, and each
    # nanny hands its configuration to the worker process it starts.
    dask.config.set(LOCAL_CLUSTER_CONFIG)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "silence_logs": logging.WARNING,
            "env": worker_env(),
            "preload": ["flows.dask_preload"],  # each worker warms the transforms as it starts
        }
    )


if __name__ == "__main__":  # pragma: no cover
    print(ingest())
