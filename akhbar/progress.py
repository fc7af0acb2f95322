"""Progress of long work (files of a run), reported by the flow and shown by whoever listens.

The flow calls :func:`advance` after each batch with (files_done, files_total). Listeners are plain
callables registered for the duration of a ``with listen(callback):`` block (the CLI registers a rich
progress bar, see :func:`terminal_bar`). Inside a Prefect flow run, :func:`advance` also keeps a
Prefect progress artifact up to date, so the run's page in the UI shows the percentage.
Progress never breaks the work: listener and artifact errors are swallowed.
"""

import sys
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

Listener = Callable[[int, int], None]

_listeners: list[Listener] = []
_lock = threading.Lock()
_artifacts: dict[str, object] = {}  # flow run id -> progress artifact id


def advance(files_done: int, files_total: int) -> None:
    """Report that `files_done` of `files_total` files are done (call with 0 first, then after each batch)."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(files_done, files_total)
        except Exception:  # a broken display must not fail a load
            pass
    _prefect_artifact(files_done, files_total)


@contextmanager
def listen(callback: Listener) -> Iterator[Listener]:
    """Call `callback(files_done, files_total)` on every :func:`advance` inside the block (any thread)."""
    with _lock:
        _listeners.append(callback)
    try:
        yield callback
    finally:
        with _lock:
            _listeners.remove(callback)


@contextmanager
def terminal_bar(description: str = "files", enabled: bool | None = None) -> Iterator[None]:
    """A rich progress bar on stderr (files done / total, rate, elapsed, ETA) fed by :func:`advance`.

    `enabled=None`: only when stderr is a terminal (pipes and CI logs stay clean).
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class Rate(TextColumn):
        def __init__(self):
            super().__init__("")

        def render(self, task):
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} files/s" if speed else "– files/s", style="progress.data.speed")

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        Rate(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=False,
    )
    state: dict = {}
    swapped = []

    def update(done: int, total: int) -> None:
        with _lock:
            if "task" not in state:  # drawn from the first report on (elapsed and rate start there)
                state["task"] = bar.add_task(description, total=total, completed=done)
                # Log lines (Prefect's console handler) go through the bar's console, above the bar.
                for handler in _console_handlers():
                    swapped.append((handler, handler.console))
                    handler.console = bar.console
                bar.start()
        bar.update(state["task"], completed=done, total=total)

    try:
        with listen(update):
            yield
    finally:
        if "task" in state:
            bar.refresh()
            bar.stop()
        for handler, console in swapped:
            handler.console = console


def _console_handlers() -> list:
    """Logging handlers that print through a rich Console (Prefect's console handler)."""
    import logging

    from rich.console import Console

    loggers = [logging.getLogger()] + [
        lg for lg in list(logging.Logger.manager.loggerDict.values()) if isinstance(lg, logging.Logger)
    ]
    return [h for lg in loggers for h in lg.handlers if isinstance(getattr(h, "console", None), Console)]


def _prefect_artifact(files_done: int, files_total: int) -> None:
    """Create / update the run's progress artifact when called inside a Prefect flow run."""
    if files_total <= 0:
        return
    try:
        from prefect.runtime import flow_run

        run_id = flow_run.get_id()
        if not run_id:
            return
        from prefect.artifacts import create_progress_artifact, update_progress_artifact

        pct = round(100.0 * files_done / files_total, 1)
        if run_id not in _artifacts:
            _artifacts[run_id] = create_progress_artifact(
                progress=pct, key="akhbar-run-progress", description=f"files done: {files_done} of {files_total}"
            )
        else:
            update_progress_artifact(
                artifact_id=_artifacts[run_id], progress=pct, description=f"files done: {files_done} of {files_total}"
            )
    except Exception:
        pass
