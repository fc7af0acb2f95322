"""Transforms on a real Dask LocalCluster (2 single-threaded worker processes), the load in the
flow process: the same rows as the default thread runner, Parquet staged by the workers, and a
remote (fsspec) staging location read by the loader through pyarrow."""

import os
import socket

import polars as pl
import pytest

from akhbar.warehouse import connect_readonly

# Every table the loader writes, with the columns that name the run that wrote a row (they differ
# between two warehouses by construction) left out of the comparison.
PER_RUN = {"run_id", "updated_at"}
TABLES = ("ingest_files", "articles", "paragraphs", "sentences", "tokens", "entity_mentions", "entities",
          "entity_aliases", "quotes", "duplicate_documents")
STAGED = {"files", "articles", "paragraphs", "sentences", "tokens", "entity_mentions", "quotes"}


def contents(warehouse) -> dict[str, list[tuple]]:
    """Every row of every loaded table (sorted), without the per-run columns."""
    out = {}
    with connect_readonly(warehouse) as con:
        for table in TABLES:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'"
                " ORDER BY column_index", [table]).fetchall() if c not in PER_RUN]
            out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
    return out


@pytest.fixture(scope="module")
def dask_run(prefect_api, seed_source, tmp_path_factory):
    from flows.ingest import ingest, task_runner

    tmp = tmp_path_factory.mktemp("dask")
    wh, lake = tmp / "akhbar.duckdb", tmp / "lake"
    result = ingest.with_options(task_runner=task_runner(workers=2))(
        source=str(seed_source), warehouse=str(wh), batch_size=4, staging=str(lake)
    )
    return wh, result, lake


def test_two_dask_workers_store_the_same_rows_as_the_thread_runner(seed_warehouse, dask_run):
    wh, result, _ = dask_run
    threads_wh, first, _ = seed_warehouse
    assert {k: result[k] for k in ("seen", "loaded", "rejected", "duplicate", "articles", "tokens", "quotes")} == {
        k: first[k] for k in ("seen", "loaded", "rejected", "duplicate", "articles", "tokens", "quotes")}
    dask_rows, thread_rows = contents(wh), contents(threads_wh)
    for table in TABLES:
        assert dask_rows[table] == thread_rows[table], table
    assert len(dask_rows["tokens"]) > 1000 and len(dask_rows["quotes"]) > 10


def test_batches_are_transformed_by_both_worker_processes_and_staging_is_cleaned(dask_run):
    _, result, lake = dask_run
    assert result["transform_processes"] == 2
    assert not lake.exists() or list(lake.rglob("*.parquet")) == []


def test_workers_stage_parquet_and_return_only_paths_and_counts(prefect_api, seed_source, tmp_path):
    """A transform task submitted to an existing scheduler (--dask-address) runs in a worker
    process with one Polars thread and writes the batch's tables where the loader will read them."""
    from distributed import LocalCluster

    from akhbar.pipeline import BatchResult, transform_batch, write_plan
    from flows.ingest import task_runner, worker_env
    from flows.tasks import transform

    files = sorted(p for p in seed_source.rglob("*") if p.is_file())[:5]
    items = [(p.resolve().as_uri(), None) for p in files]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      env=worker_env()) as cluster:
        with task_runner(dask_address=cluster.scheduler_address) as runner:
            threads = runner.client.run(pl.thread_pool_size)
            plan = write_plan(str(tmp_path / "lake" / "plans" / "b0.parquet"), items)
            result = runner.submit(
                transform, {"plan": plan, "staging": str(tmp_path / "lake" / "b0"), "root": str(seed_source)}
            ).result()
    assert list(threads.values()) == [1]
    assert isinstance(result, BatchResult)
    assert result.worker != f"{socket.gethostname()}:{os.getpid()}"
    assert (result.files_processed, result.files_unchanged) == (5, 0)
    staged = {p.stem for p in (tmp_path / "lake" / "b0").iterdir()}
    assert staged == STAGED
    local = transform_batch(items, tmp_path / "here", str(seed_source))
    for name in STAGED:
        assert pl.read_parquet(tmp_path / "lake" / "b0" / f"{name}.parquet").equals(
            pl.read_parquet(tmp_path / "here" / f"{name}.parquet")), name
    assert local.documents == result.documents > 0


def test_staging_on_an_fsspec_url_is_loaded_through_arrow(seed_warehouse, seed_source, tmp_path):
    """--staging memory://... : transforms write Parquet through fsspec, the loader reads it with
    pyarrow and hands DuckDB Arrow tables (the path a s3:// lake takes)."""
    import fsspec

    from flows.ingest import ingest

    wh = tmp_path / "akhbar.duckdb"
    result = ingest(source=str(seed_source), warehouse=str(wh), batch_size=4, staging="memory://akhbar-test-lake")
    assert result["loaded"] == seed_warehouse[1]["loaded"]
    assert contents(wh) == contents(seed_warehouse[0])
    assert fsspec.filesystem("memory").find("/akhbar-test-lake") == []


def test_dask_workers_start_warm(prefect_api):
    """The cluster's workers ran flows.dask_preload when they started: the transforms are
    imported and the NER model loaded before the first batch arrives."""
    from flows.ingest import task_runner

    with task_runner(workers=1) as runner:
        warm = runner.client.run(
            lambda: sorted(m for m in ("transforms.ner", "transforms.quotes", "akhbar.pipeline")
                           if m in __import__("sys").modules)
            + [__import__("transforms.ner", fromlist=["load_weights"]).load_weights.cache_info().currsize]
        )
    assert list(warm.values()) == [["akhbar.pipeline", "transforms.ner", "transforms.quotes", 1]]


def test_local_cluster_workers_run_without_dask_profiling(prefect_api):
    """The LocalCluster's worker processes (started by nannies in this process) get akhbar's
    Dask settings: no statistical profiler, slower monitors (flows.ingest.LOCAL_CLUSTER_CONFIG)."""
    from flows.ingest import task_runner

    keys = ("distributed.worker.profile.enabled", "distributed.admin.tick.interval",
            "distributed.worker.memory.monitor-interval")
    with task_runner(workers=1) as runner:
        seen = runner.client.run(lambda: [__import__("dask").config.get(k) for k in keys])
    assert list(seen.values()) == [[False, "1s", "1s"]]


def test_warm_up_transforms_a_built_in_article():
    from akhbar.pipeline import warm_up

    assert warm_up() == 30
