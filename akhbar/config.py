"""Embedded defaults, overridable by environment variables and command-line flags.

Precedence: flag > environment variable > default. Defaults are resolved against the project
folder (the checkout holding this package), so `akhbar run` works from any working directory.
"""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = PROJECT_DIR / "seeds" / "articles"
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "akhbar.duckdb"
# ~7 MB of ANT articles (the byte cap, akhbar.pipeline.max_batch_bytes, ends most ANT batches
# first). A transform call has a fixed cost (a quote-stage call costs ~0.2 CPU-s with one Polars
# thread and ~0.4 with two, even on one article), so fewer, larger batches cost less: the whole
# ANT corpus takes 60.6-61.1 s at 1,000 files / 4 MiB and 50.4-51.2 s at 2,000 / 8 MiB, for a
# peak RSS of 2.3 GB instead of 1.6 GB (bench/RESULTS.md, issue 7).
DEFAULT_BATCH_SIZE = 2000


def source(value: str | None = None) -> str:
    return value or os.environ.get("AKHBAR_SOURCE") or str(DEFAULT_SOURCE)


def warehouse(value: str | None = None) -> str:
    return value or os.environ.get("AKHBAR_WAREHOUSE") or str(DEFAULT_WAREHOUSE)


def staging_dir(warehouse_path: str) -> Path:
    """Default staging: a folder beside the warehouse file."""
    return Path(warehouse_path).resolve().parent / "staging"


def staging(warehouse_path: str, value: str | None = None) -> str:
    """Where transform tasks stage each batch as Parquet before the loader ingests it: a local
    folder or an fsspec URL that workers and the loader share (--staging > AKHBAR_STAGING >
    <warehouse dir>/staging)."""
    chosen = value or os.environ.get("AKHBAR_STAGING")
    if not chosen:
        return str(staging_dir(warehouse_path))
    if "://" in chosen.removeprefix("file://"):
        return chosen.rstrip("/")
    return str(Path(chosen.removeprefix("file://")).resolve())


def join(location: str, name: str) -> str:
    """`location`/`name` for a local folder or an fsspec URL."""
    return f"{location.rstrip('/')}/{name}"


def prefect_home() -> Path:
    """Project-local Prefect home, so akhbar never writes into the user's ~/.prefect."""
    return PROJECT_DIR / ".prefect"


def configure_prefect_env() -> None:
    """Must run before prefect is imported: settings are read at import time."""
    os.environ.setdefault("PREFECT_HOME", str(prefect_home()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
