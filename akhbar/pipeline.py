"""One batch of files through every transform, staged as Parquet for the loader.

`plan_batches` decides what a run has to do; `transform_batch` reads a batch of files (skipping
those whose bytes are unchanged), runs the pure Polars transforms and writes one Parquet file per
table into a staging folder; `akhbar.warehouse.Warehouse.load_batch` ingests that folder. Tasks
therefore pass paths, never DataFrames.
"""

import hashlib
import os
import shutil
import socket
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

import fsspec
import polars as pl

from transforms import clean, entities, quotes, read, segment
from transforms.resources import load_resources


@dataclass(frozen=True)
class BatchResult:
    staging: str  # folder holding <table>.parquet for the loader
    files_processed: int  # files read and transformed (loaded, rejected or duplicate after loading)
    files_unchanged: int  # files skipped: same bytes as already loaded
    documents: int
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage (read, clean, ...)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")  # who transformed it


STAGES = ("read", "clean", "segment", "entities", "quotes", "stage")


def plan_batches(
    uris: list[str], known: dict[str, str], batch_size: int,
    sizes: list[int | None] | None = None, max_bytes: int | None = None,
) -> list[list[tuple[str, str | None]]]:
    """Split the listed files into batches of (source_uri, sha256 already processed or None):
    at most `batch_size` files, and (with `sizes`) at most `max_bytes` of files unless a single
    file is larger, so that a batch of archives (a daily zip of 1,600 articles) stays as small
    in memory as a batch of single articles."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    items = [(uri, known.get(uri)) for uri in uris]
    if sizes is None or max_bytes is None:
        return [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    batches: list[list[tuple[str, str | None]]] = []
    current: list[tuple[str, str | None]] = []
    total = 0
    for item, size in zip(items, sizes):
        size = size or 0
        if current and (len(current) >= batch_size or total + size > max_bytes):
            batches.append(current)
            current, total = [], 0
        current.append(item)
        total += size
    if current:
        batches.append(current)
    return batches


def planned_bytes(uri: str, size: int | None) -> int:
    """What a file weighs in a batch: its size, or for a local zip archive the uncompressed size
    of its members (read from the central directory; a daily zip of 1.5 MB holds ~1,600 articles)."""
    size = size or 0
    if uri.startswith("file://") and uri.lower().endswith(".zip"):
        import zipfile

        try:
            with zipfile.ZipFile(uri.removeprefix("file://")) as z:
                return max(size, sum(i.file_size for i in z.infolist()))
        except (OSError, zipfile.BadZipFile, ValueError):
            return size
    return size


def max_batch_bytes() -> int:
    """Bytes of files per batch at most, one file excepted (AKHBAR_BATCH_BYTES, default 8 MiB;
    a 1,000-file ANT batch is ~3.5 MB; a local zip counts uncompressed, see `planned_bytes`)."""
    return int(os.environ.get("AKHBAR_BATCH_BYTES", 8 * 1024 * 1024))


def skip_unchanged(
    items: list[tuple[str, str | None]], root: str | None = None, threads: int = 2
) -> tuple[list[tuple[str, str | None]], int]:
    """Drop from the plan the local files whose bytes still hash to the sha256 recorded for them,
    before any task is submitted (a re-run over a large unchanged folder then costs one read and
    hash per file, no task per batch). Only files with a recorded sha256 are read, so a first run
    reads nothing here; remote files (s3://...) are left to the transform tasks, which skip
    unchanged files the same way. Returns (items still to process, files skipped)."""
    candidates = [i for i, (uri, sha) in enumerate(items) if sha is not None and uri.startswith("file://")]
    if not candidates:
        return items, 0
    links = _LinkCheck(root)

    def unchanged(chunk: list[int]) -> list[int]:
        same = []
        for i in chunk:
            uri, sha = items[i]
            if _unreadable(uri, root, links) is not None:
                continue  # rejected by the transform task with its reason
            try:
                with open(uri.removeprefix("file://"), "rb") as f:
                    if hashlib.sha256(f.read()).hexdigest() == sha:
                        same.append(i)
            except OSError:
                continue  # the transform task retries it and records what happens
        return same

    from concurrent.futures import ThreadPoolExecutor

    chunks = [candidates[k : k + 1000] for k in range(0, len(candidates), 1000)]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        skip = {i for same in pool.map(unchanged, chunks) for i in same}
    return [item for i, item in enumerate(items) if i not in skip], len(skip)


def max_file_bytes() -> int:
    """Files above this size are rejected with a reason (AKHBAR_MAX_FILE_BYTES, default 64 MiB)."""
    return int(os.environ.get("AKHBAR_MAX_FILE_BYTES", 64 * 1024 * 1024))


def _too_large(uri: str, blob: bytes, limit: int) -> dict:
    return {"source_uri": uri, "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob), "format": None,
            "encoding": None, "status": "rejected", "documents": 0,
            "reason": f"file too large: {len(blob)} bytes > {limit} (AKHBAR_MAX_FILE_BYTES)"}


class _LinkCheck:
    """Where local files really are, for one batch: realpath of each folder once (files of a
    batch share a few folders), lstat of each file; realpath of a file only when it is a link."""

    def __init__(self, root: str | None):
        local = root is not None and "://" not in root.removeprefix("file://")
        self.active = local and os.environ.get("AKHBAR_ALLOW_OUTSIDE_LINKS") != "1"
        self.real_root = os.path.realpath(root.removeprefix("file://")) if local else ""
        self.folders: dict[str, str] = {}

    def target(self, path: str) -> str:
        if os.path.islink(path):
            return os.path.realpath(path)
        folder, name = os.path.split(path)
        real = self.folders.get(folder)
        if real is None:
            real = self.folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)

    def escapes(self, uri: str) -> str | None:
        """For a local file reached through a symlink that leads outside the source folder: the
        target (such files are rejected unless AKHBAR_ALLOW_OUTSIDE_LINKS=1). None otherwise."""
        if not self.active or not uri.startswith("file://"):
            return None
        target = self.target(uri.removeprefix("file://"))
        if target == self.real_root or target.startswith(self.real_root.rstrip(os.sep) + os.sep):
            return None
        return target


def _escapes(uri: str, root: str | None) -> str | None:
    return _LinkCheck(root).escapes(uri)


def _unreadable(uri: str, root: str | None, links: _LinkCheck | None = None) -> str | None:
    """Why a listed local file must not be read (escaping symlink, broken link, special file)."""
    if not uri.startswith("file://"):
        return None
    path = uri.removeprefix("file://")
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            mode = os.stat(path).st_mode
    except OSError:
        mode = 0
    if not stat.S_ISREG(mode):
        return "not a regular file (a broken symlink, a socket or a device)"
    target = (links or _LinkCheck(root)).escapes(uri)
    if target is not None:
        return f"symlink leads outside the source folder (to {target}); set AKHBAR_ALLOW_OUTSIDE_LINKS=1 to read it"
    return None


def _fetch(uris: list[str]) -> dict[str, bytes]:
    """Read the batch's files; local and remote files go through fsspec (OSError propagates for retries)."""
    if not uris:
        return {}
    if all(u.startswith("file://") for u in uris):  # plain open: twice as fast as fsspec's cat locally
        got: dict[str, bytes] = {}
        for u in uris:
            with open(u.removeprefix("file://"), "rb") as f:
                got[u] = f.read()
        return got
    fs, _ = fsspec.core.url_to_fs(uris[0])
    paths = {fs._strip_protocol(u): u for u in uris}
    got = fs.cat(list(paths), on_error="raise")
    return {paths[p]: data for p, data in got.items()}


def transform_frames(documents: pl.DataFrame, seconds: dict[str, float] | None = None) -> dict[str, pl.DataFrame]:
    """documents -> every table of the warehouse (pure: no I/O). `seconds`, when given, receives
    the wall time of each stage (clean, segment, entities, quotes)."""
    clock = _Clock(seconds)
    resources = load_resources()
    articles = clean.clean_documents(documents)
    clock.lap("clean")
    paragraphs = segment.paragraphs(articles)
    sentences = segment.sentences(articles)
    tokens = segment.tokens(sentences)
    datelines = segment.datelines(articles)
    articles = articles.join(datelines.select("article_id", "dateline"), on="article_id", how="left")
    clock.lap("segment")
    mentions = entities.entity_mentions(tokens, resources)
    clock.lap("entities")
    quote_rows = quotes.quotes(sentences, tokens, mentions, resources)
    clock.lap("quotes")
    return {
        "articles": articles,
        "paragraphs": paragraphs,
        "sentences": sentences,
        "tokens": tokens,
        "entity_mentions": mentions,
        "quotes": quote_rows,
    }


WARM_UP_TEXT = (
    "طرابلس - قال اللواء خالد المحجوب، مدير إدارة التوجيه المعنوي، إن \"القوات تتقدم\".\n\n"
    "وأضاف أن المرحلة المقبلة تتطلب الحذر، بحسب مراقبين سياسيين."
)


def warm_up() -> int:
    """Import every transform and load every model and lexicon once, by transforming one tiny
    built-in article; returns its token count. A Dask worker runs this when it starts
    (flows/dask_preload.py), so a worker's fixed cost is paid at start-up, as a long-lived
    worker on a real cluster pays it once, not inside the first batch it is given."""
    docs, _ = read.read_bytes("warm-up.txt", ("تجربة\n\n" + WARM_UP_TEXT).encode("utf-8"))
    frames = transform_frames(pl.DataFrame(docs, schema=read.DOCUMENT_SCHEMA))
    return frames["tokens"].height


class _Clock:
    def __init__(self, seconds: dict[str, float] | None):
        self.seconds = seconds
        self.t = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.seconds is not None:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.t
        self.t = now


def transform_batch(
    items: list[tuple[str, str | None]], staging: str | Path, root: str | None = None
) -> BatchResult:
    """Read, transform and stage one batch. Unchanged files are counted and skipped; with `root`
    (the source folder), files that symlinks lead outside of it are rejected, not read.
    `staging` is a local folder or an fsspec URL (s3://bucket/prefix/batch-00001) shared with
    the loader."""
    started = time.perf_counter()
    staging = str(staging)
    remove_staging(staging)  # a retried task starts from scratch
    docs: list[dict] = []
    file_rows: list[dict] = []
    readable = []
    links = _LinkCheck(root)
    for uri, known_sha in items:
        reason = _unreadable(uri, root, links)
        if reason is None:
            readable.append((uri, known_sha))
        else:
            file_rows.append({"source_uri": uri, "sha256": None, "bytes": None, "format": None,
                              "encoding": None, "status": "rejected", "documents": 0, "reason": reason})
    data = _fetch([uri for uri, _ in readable])
    unchanged = 0
    limit = max_file_bytes()
    for uri, known_sha in readable:
        blob = data.pop(uri)
        if known_sha is not None and hashlib.sha256(blob).hexdigest() == known_sha:
            unchanged += 1
            continue
        if len(blob) > limit:
            file_rows.append(_too_large(uri, blob, limit))
            continue
        file_docs, file_row = read.read_bytes(uri, blob)
        docs.extend(file_docs)
        file_rows.append(file_row)
    if not file_rows:  # nothing new in this batch: nothing to stage, nothing for the loader
        return BatchResult(staging, 0, unchanged, 0, {"read": time.perf_counter() - started})
    documents = pl.DataFrame(docs, schema=read.DOCUMENT_SCHEMA)
    del docs
    files = pl.DataFrame(file_rows, schema=read.FILE_SCHEMA)
    seconds = {"read": time.perf_counter() - started}
    frames = transform_frames(documents, seconds)
    t = time.perf_counter()
    write_staged(staging, {"files": files, **frames})
    seconds["stage"] = time.perf_counter() - t
    return BatchResult(staging, len(file_rows), unchanged, documents.height, seconds)


def _is_remote(location: str) -> bool:
    return "://" in location.removeprefix("file://")


def write_staged(staging: str, frames: dict[str, pl.DataFrame]) -> None:
    """One Parquet file per table under `staging` (local folder or fsspec URL; zstd-compressed
    when remote, where the bytes cross a network)."""
    if not _is_remote(staging):
        folder = Path(staging.removeprefix("file://"))
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            # a local staged batch lives seconds: uncompressed Parquet costs 40 % less CPU to write
            # and read than zstd (~0.1 CPU-s per 1000 ANT files) for ~16 MB instead of ~6 MB
            frame.write_parquet(folder / f"{name}.parquet", compression="uncompressed")
        return
    fs, root = fsspec.core.url_to_fs(staging)
    fs.makedirs(root, exist_ok=True)
    for name, frame in frames.items():
        with fs.open(f"{root.rstrip('/')}/{name}.parquet", "wb") as f:
            frame.write_parquet(f)


PLAN_SCHEMA = {"source_uri": pl.String, "sha256": pl.String}


def write_plan(location: str, items: list[tuple[str, str | None]]) -> str:
    """Write one batch's planned items, (source_uri, sha256 already processed or None), as a
    Parquet file at `location` (local path or fsspec URL) and return the location.

    Transform tasks get this location, not the item list: a task's parameters are walked by
    Prefect and tokenized by Dask on every submit (~80 ms of the flow process's CPU for a
    2,000-file batch), and pickled to the worker."""
    frame = pl.DataFrame(items, schema=PLAN_SCHEMA, orient="row")
    if not _is_remote(location):
        path = Path(location.removeprefix("file://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path, compression="uncompressed")
        return location
    fs, path = fsspec.core.url_to_fs(location)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as f:
        frame.write_parquet(f)
    return location


def read_plan(location: str) -> list[tuple[str, str | None]]:
    """The items `write_plan` wrote at `location`, in order."""
    if not _is_remote(location):
        frame = pl.read_parquet(location.removeprefix("file://"))
    else:
        fs, path = fsspec.core.url_to_fs(location)
        with fs.open(path, "rb") as f:
            frame = pl.read_parquet(f)
    return list(frame.iter_rows())


def remove_staging(staging: str | Path) -> None:
    """Delete a staged batch (or a run's staging folder), local or remote; missing is fine."""
    staging = str(staging)
    if not _is_remote(staging):
        shutil.rmtree(staging.removeprefix("file://"), ignore_errors=True)
        return
    fs, root = fsspec.core.url_to_fs(staging)
    try:
        fs.rm(root, recursive=True)
    except (FileNotFoundError, OSError):
        pass
