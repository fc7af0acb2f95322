"""The per-run HTML report as a Prefect task: written beside the warehouse, linked from the flow run.

Wire it at the end of the `ingest` flow, after `publish_summary`:

    from flows.report_task import publish_report
    publish_report(warehouse, run_id)

The link artifact (key `akhbar-run-report`) shows on the run's Artifacts tab with the file's path;
a report that fails to build is logged and never fails the run (the data is already committed).
"""

from akhbar import config

config.configure_prefect_env()

from prefect import get_run_logger, task  # noqa: E402
from prefect.artifacts import create_link_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from akhbar.report import default_output, write_report  # noqa: E402

ARTIFACT_KEY = "akhbar-run-report"


@task(cache_policy=NO_CACHE)
def publish_report(warehouse: str, run_id: str, since: str | None = None) -> str | None:
    """Write the run's report to <warehouse dir>/reports/<run_id>.html and link it; returns its path."""
    logger = get_run_logger()
    try:
        path = write_report(warehouse, run_id=run_id, since=since, output=default_output(warehouse, run_id))
    except Exception as e:  # the report is a view on committed data: never fail the run for it
        logger.warning("akhbar report for run %s failed: %s: %s", run_id, type(e).__name__, e)
        return None
    create_link_artifact(
        link=path.resolve().as_uri(),
        link_text=f"akhbar run report ({path.name}, {path.stat().st_size // 1024} KiB)",
        key=ARTIFACT_KEY,
        description=f"Charts of run {run_id}: top entities, timeline, speakers, co-mention network, rejected files."
        f" Open {path} in a browser (or `akhbar report --run {run_id}`).",
    )
    logger.info("report of run %s: %s", run_id, path)
    return str(path)
