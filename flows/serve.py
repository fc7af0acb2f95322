"""`akhbar serve`: a local Prefect server plus the akhbar deployments, in one command.

Starts `prefect server start --host 127.0.0.1 --port PORT` with a project-local PREFECT_HOME,
waits for its API, creates the warehouse-writer global concurrency limit, then serves two
deployments from this process:

- `ingest/scheduled`: the ingest flow on a cron schedule (default every 15 minutes, in a timezone);
- `backfill/backfill`: no schedule; started from the UI's Run -> Custom run form with a date range.

Ctrl-C (SIGINT) or SIGTERM stops the runner and then the server.

This module must be imported only after `configure_server_env` has set PREFECT_API_URL:
otherwise the Prefect client starts a temporary server of its own.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from akhbar import config

DEFAULT_PORT = 4200
DEFAULT_CRON = "*/15 * * * *"


def configure_server_env(port: int) -> dict[str, str]:
    """Point this process (and the server subprocess) at the local server; call before importing prefect."""
    config.configure_prefect_env()
    api = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = api
    os.environ["PREFECT_UI_URL"] = f"http://127.0.0.1:{port}"
    os.environ.setdefault("PREFECT_SERVER_API_HOST", "127.0.0.1")
    os.environ["PREFECT_SERVER_API_PORT"] = str(port)
    os.environ.setdefault("PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT", "false")
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    return dict(os.environ)


def start_server(port: int, log_path: Path, timeout: float = 120.0) -> subprocess.Popen:
    """Start the Prefect server as a child process and wait until its API answers."""
    prefect = Path(sys.executable).with_name("prefect")
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
        start_new_session=True,  # our Ctrl-C handling stops it, in order
    )
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/api/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError(f"the Prefect server did not answer on {url} within {timeout:.0f} s; see {log_path}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def deployments(source: str, warehouse: str, cron: str, timezone: str, interval: float | None = None):
    """The RunnerDeployments `serve` runs: ingest on a schedule, backfill on demand."""
    from datetime import timedelta

    from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule

    from flows.backfill import backfill
    from flows.ingest import ingest

    schedule = (
        IntervalSchedule(interval=timedelta(seconds=interval), timezone=timezone)
        if interval
        else CronSchedule(cron=cron, timezone=timezone)
    )
    return [
        ingest.to_deployment(
            name="scheduled",
            schedules=[schedule],
            parameters={"source": source, "warehouse": warehouse},
            description="Pull whatever is new in the configured source into the warehouse.",
            tags=["akhbar"],
        ),
        backfill.to_deployment(
            name="backfill",
            description="Load (mode missing) or re-extract (mode reprocess) a date range: Run -> Custom run.",
            tags=["akhbar"],
        ),
    ]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def server_is_up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def serve(source: str, warehouse: str, port: int, cron: str, timezone: str, interval: float | None = None) -> int:
    configure_server_env(port)
    # Flow runs started by the runner inherit these: a backfill with no source reads the configured one.
    os.environ["AKHBAR_SOURCE"], os.environ["AKHBAR_WAREHOUSE"] = source, warehouse
    home = Path(os.environ["PREFECT_HOME"])
    log_path = home / "server.log"
    print(f"starting the Prefect server on 127.0.0.1:{port} (PREFECT_HOME={home}, log {log_path}) ...", flush=True)
    server = start_server(port, log_path)
    try:
        from prefect import serve as prefect_serve

        from flows.tasks import ensure_writer_limit

        ensure_writer_limit()
        deps = deployments(source, warehouse, cron, timezone, interval)
        print(f"akhbar is served: UI at http://127.0.0.1:{port}  (Ctrl-C stops everything)", flush=True)
        print(f"  source {source} -> warehouse {warehouse}", flush=True)
        what = f"every {interval:g} s" if interval else f"cron '{cron}' ({timezone})"
        print(f"  deployments: ingest/scheduled ({what}), backfill/backfill (Run -> Custom run)", flush=True)
        signal.signal(signal.SIGTERM, _interrupt)
        prefect_serve(*deps, print_starting_message=False)
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping the Prefect server ...", flush=True)
        stop_server(server)
    return 0
