"""The `backfill` Prefect flow: (re)load a date range, one child task per day.

Modes:
- `missing`: load the files of those days that are not loaded yet (new or changed bytes).
- `reprocess`: re-run cleaning and extraction over the stored articles published in the range
  (after an extractor improvement), without re-reading any file.

Which day a file belongs to (mode `missing`), first rule that applies:
1. a date written in its path (`.../2015/07/21/...`, `2015-07-21.zip`, `20150721_x.json`);
2. else the earliest `published_at` of the documents inside it;
3. else the file's modification time (UTC).

Each day is one task: idempotent (the loader replaces a file's rows), retried alone when it
fails; overlapping backfills never double rows because every load is delete-then-insert under
the single-writer limit.
"""

import datetime as dt
import os
import re
import shutil
import uuid
from typing import Literal

from akhbar import config

config.configure_prefect_env()

import fsspec  # noqa: E402
import polars as pl  # noqa: E402
from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from pydantic import BaseModel, Field, model_validator  # noqa: E402

from akhbar.pipeline import transform_batch, transform_frames  # noqa: E402
from akhbar.warehouse import query_frame  # noqa: E402
from flows.tasks import (  # noqa: E402
    ensure_writer_limit,
    finish_run,
    list_source,
    publish_summary,
    start_run,
    writer,
)
from transforms import read  # noqa: E402

WORKERS = max(1, min(4, os.cpu_count() or 1))
_PATH_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-/_.]?(0[1-9]|1[0-2])[-/_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


class BackfillRequest(BaseModel):
    """What a backfill is asked to do; validated before anything runs."""

    start_date: dt.date = Field(title="Start date", description="First day of the range (inclusive).")
    end_date: dt.date = Field(title="End date", description="Last day of the range (inclusive).")
    source: str | None = Field(
        default=None,
        title="Source",
        description="Folder or fsspec URL to read; empty for the deployment's configured source.",
    )
    mode: Literal["missing", "reprocess"] = Field(
        default="missing",
        title="Mode",
        description="missing: load files of those days not yet loaded. "
        "reprocess: re-run cleaning and extraction over stored articles published in the range.",
    )
    dry_run: bool = Field(default=False, title="Dry run", description="Only report what would be done.")

    @model_validator(mode="after")
    def _range(self):
        if self.end_date < self.start_date:
            raise ValueError(
                f"end_date ({self.end_date}) is before start_date ({self.start_date}): the range is empty"
            )
        return self


def path_date(uri: str) -> dt.date | None:
    """A date written in the file's path, if any (the last one wins: it is the most specific)."""
    found = None
    for y, m, d in _PATH_DATE.findall(uri):
        try:
            found = dt.date(int(y), int(m), int(d))
        except ValueError:
            continue
    return found


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def date_files(uris: list[str], known: dict[str, str], start: dt.date, end: dt.date) -> dict[str, list]:
    """Group the not-yet-loaded files whose day falls in [start, end] by day (ISO date -> items)."""
    import hashlib

    days: dict[str, list] = {}
    undated = [u for u in uris if path_date(u) is None]
    blobs = {}
    if undated:
        fs, _ = fsspec.core.url_to_fs(undated[0])
        blobs = {u: fs.cat_file(fs._strip_protocol(u)) for u in undated}
    for uri in uris:
        day = path_date(uri)
        if day is None:
            data = blobs[uri]
            if known.get(uri) == hashlib.sha256(data).hexdigest():
                continue  # already loaded, nothing missing
            docs, _ = read.read_bytes(uri, data)
            dates = [d["published_at"].date() for d in docs if d.get("published_at") is not None]
            if dates:
                day = min(dates)
            else:
                fs, _ = fsspec.core.url_to_fs(uri)
                mtime = fs.info(fs._strip_protocol(uri)).get("mtime")
                day = dt.datetime.fromtimestamp(mtime, dt.timezone.utc).date() if mtime else None
        if day is not None and start <= day <= end:
            days.setdefault(day.isoformat(), []).append((uri, known.get(uri)))
    return days


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def load_day(day: str, items: list, warehouse: str, run_id: str, staging: str, root: str) -> dict[str, int]:
    """Mode missing, one day: transform the day's files and load them (idempotent)."""
    result = transform_batch(items, staging, root)
    counts = {"loaded": 0, "unchanged": result.files_unchanged, "rejected": 0, "duplicate": 0, "articles": 0}
    if result.files_processed:
        with writer(warehouse) as wh:
            loaded = wh.load_batch(run_id, staging)
        for key in ("loaded", "rejected", "duplicate"):
            counts[key] = loaded[f"files_{key}"]
        counts["articles"] = loaded["articles"]
    shutil.rmtree(staging, ignore_errors=True)
    return counts


STORED_DOCUMENTS = """
SELECT article_id, source_uri, doc_key, url, title, source_name, author, published_at,
       substr(text, body_start_char + 1) AS body, format, encoding, content_sha256
FROM articles WHERE published_at >= ? AND published_at < ? ORDER BY article_id
"""


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def reprocess_day(day: str, warehouse: str, run_id: str, staging: str, dry_run: bool) -> dict[str, int]:
    """Mode reprocess, one day: re-extract the stored articles published that day and replace them."""
    start = dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc)
    with writer(warehouse) as wh:
        docs = query_frame(wh.con, STORED_DOCUMENTS, [start, start + dt.timedelta(days=1)])
    if dry_run or docs.is_empty():
        return {"articles": docs.height}
    docs = docs.cast(read.DOCUMENT_SCHEMA).select(list(read.DOCUMENT_SCHEMA))
    from pathlib import Path

    out = Path(staging)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in transform_frames(docs).items():
        frame.write_parquet(out / f"{name}.parquet")
    with writer(warehouse) as wh:
        counts = wh.reload_articles(run_id, out)
    shutil.rmtree(out, ignore_errors=True)
    return counts


@flow(name="backfill", task_runner=ThreadPoolTaskRunner(max_workers=WORKERS))
def backfill(request: BackfillRequest, warehouse: str | None = None) -> dict:
    """Backfill a date range: load the files of those days (mode missing) or re-extract the
    stored articles published in it (mode reprocess). One task per day.

    Args:
        request: The date range and what to do with it.
        warehouse: DuckDB file; empty for the configured one (AKHBAR_WAREHOUSE, else warehouse/akhbar.duckdb).
    """
    logger = get_run_logger()
    req = request
    source = config.source(req.source)
    warehouse = config.warehouse(warehouse)
    flow_run_id = flow_run.get_id()
    run_id = flow_run_id or uuid.uuid4().hex
    staging_root = config.staging_dir(warehouse) / run_id
    ensure_writer_limit()
    days = [req.start_date + dt.timedelta(days=i) for i in range((req.end_date - req.start_date).days + 1)]
    counts: dict[str, int] = {"seen": 0, "loaded": 0, "unchanged": 0, "rejected": 0, "duplicate": 0, "articles": 0}
    plan: dict[str, int] = {}

    status = "failed"
    label = source if req.mode == "missing" else f"reprocess {req.start_date}..{req.end_date}"
    known = start_run(warehouse, run_id, label, flow_run_id) if not req.dry_run else None
    try:
        if req.mode == "reprocess":
            futures = {
                d.isoformat(): reprocess_day.submit(
                    d.isoformat(), warehouse, run_id, str(staging_root / d.isoformat()), req.dry_run
                )
                for d in days
            }
            for day, fut in futures.items():
                plan[day] = fut.result()["articles"]
                counts["articles"] += plan[day]
        else:
            uris = list_source(source)
            counts["seen"] = len(uris)
            if known is None:  # dry run: read the state under the writer limit, record nothing
                with writer(warehouse) as wh:
                    known = wh.known_files()
            by_day = date_files(uris, known, req.start_date, req.end_date)
            plan = {day: len(items) for day, items in sorted(by_day.items())}
            if not req.dry_run:
                futures = [
                    load_day.submit(day, items, warehouse, run_id, str(staging_root / day), source)
                    for day, items in sorted(by_day.items())
                ]
                for fut in futures:
                    for key, value in fut.result().items():
                        counts[key] += value
        status = "completed"
    finally:
        if not req.dry_run:
            finish_run(warehouse, run_id, status, counts)
        shutil.rmtree(staging_root, ignore_errors=True)
    if not req.dry_run:
        publish_summary(warehouse, run_id, counts)
    logger.info("backfill %s %s..%s (%s): %s", req.mode, req.start_date, req.end_date,
                "dry run" if req.dry_run else "done", plan)
    return {"run_id": run_id, "mode": req.mode, "dry_run": req.dry_run, "days": plan, **counts}
