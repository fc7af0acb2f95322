"""Shared fixtures: a real Prefect API (the test harness's temporary server) and a warehouse
built once per session from our seeds by the real `ingest` flow."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Prefect reads its settings at import: keep its state out of the user's home, no telemetry.
# (the folder goes when the test process ends: each run left ~7 MB in /tmp before)
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="akhbar-prefect-")
atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], True)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.pop("PREFECT_API_URL", None)

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds" / "articles"
SHARED = PROJECT.parent / "shared"
SEED_ARTICLE = Path(os.environ.get("AKHBAR_SHARED", SHARED)) / "seed" / "000_bc62c8c6b47f93fb.txt"


@pytest.fixture(scope="session")
def prefect_api():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seed_source(tmp_path_factory) -> Path:
    """A copy of seeds/articles plus the shared seed article when it is present."""
    src = tmp_path_factory.mktemp("source")
    shutil.copytree(SEEDS, src, dirs_exist_ok=True)
    if SEED_ARTICLE.exists():
        shutil.copy(SEED_ARTICLE, src / SEED_ARTICLE.name)
    return src


@pytest.fixture(scope="session")
def seed_warehouse(prefect_api, seed_source, tmp_path_factory):
    """(warehouse path, first run result, second run result) of two ingest runs over the seeds."""
    from flows.ingest import ingest

    wh = tmp_path_factory.mktemp("wh") / "akhbar.duckdb"
    first = ingest(source=str(seed_source), warehouse=str(wh), batch_size=4)
    second = ingest(source=str(seed_source), warehouse=str(wh), batch_size=4)
    return wh, first, second


@pytest.fixture
def ro(seed_warehouse):
    from akhbar.warehouse import connect_readonly

    con = connect_readonly(seed_warehouse[0])
    yield con
    con.close()
