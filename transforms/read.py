"""READ stage: files (local folder or any fsspec URL) -> ``documents`` and ``files`` frames.

Contract: docs/architecture.md ("documents", "files").  Public API::

    list_files(source) -> DataFrame[source_uri, bytes]
    read_bytes(source_uri, data) -> (list of document rows, file row)     # pure, never raises
    read_files(uris) -> (documents DataFrame, files DataFrame)           # raises only OSError
    DOCUMENT_SCHEMA, FILE_SCHEMA

Formats (by extension, content sniffing when the extension says nothing or lies):

* ``.txt`` (seed-article layout).  **Front-matter rule**: at the very top of the file
  (leading blank lines ignored) either a block between two ``---`` lines whose non-empty
  lines are all ``key: value`` (ASCII keys, unknown ones ignored), or, without delimiters,
  the lines before the first blank line when *every* one is ``key: value`` with a key in
  ``url, published_at, date, source, author, title``.  Anything else: no front matter.
  Then the first non-empty line is the title (unless front matter gave one), the rest the
  body (read_formats.parse_txt).
* ``.html``/``.htm``: trafilatura main text; og:title, article:published_time, canonical
  link, author meta preferred over trafilatura's guesses (read_formats.parse_html).
* ``.json`` (object, array, ``{"articles": [...]}``) / ``.jsonl`` (read_formats.parse_json*).
* TREC/ANT and Gigaword ``<DOC>`` files: any extension but .json/.jsonl when the text starts
  with ``<DOC``; ``.xml``/``.sgml``/no extension also when a ``<DOC>`` tag is in the first
  4 KiB; ``.trec`` always.  Regex-based and tolerant (read_formats.parse_doc).  **ABSTRACT**
  is dropped when it repeats the start of TEXT (hashtags/whitespace ignored), else kept as
  the first body paragraph; on ANT it is kept for 3,872 of 31,225 documents (BBC
  standfirsts, CNN summaries), and is the body when TEXT is empty.
* not articles: ``.md .rst .csv .tsv .py .yaml ...`` (UNSUPPORTED_EXTENSIONS) are rejected
  as ``unsupported file type (.md)`` (a folder's README.md is not a story).
* ``.zip``, ``.gz``, ``.tgz``/``.tar.gz``, ``.tar`` (also recognised by magic number): members
  are read recursively (nested archives too, depth <= 4); a member's ``source_uri`` is
  ``<archive uri>!<member path>`` (a ``.gz`` member is named after the archive without
  ``.gz``).  Directories, hidden members (a path part starting with ``.``) and
  ``__MACOSX/`` are skipped.  The archive gets ONE ``files`` row (format ``zip`` / ``gzip`` /
  ``tar`` / ``tar.gz``, encoding = the members' encodings joined by ``,``, reason listing
  rejected members); its documents keep the member's own format and encoding.

Encodings: read_decode.decode (BOM, UTF-16 sniffing, strict UTF-8, declared charset,
cp1256/ISO-8859-6 byte-vote heuristic, binary rejection; its docstring has the rule).
Dates: read_formats.parse_datetime (ISO 8601, RFC 2822, a few d/m/y forms, epoch numbers;
**naive timestamps are taken as UTC**, date-only values are midnight UTC; unparseable ->
null).

Body normalisation at read time is structural only: line breaks unified, each line
stripped, empty lines dropped, paragraphs joined by "\\n".  Titles are single lines with
whitespace runs collapsed.  Everything else (tatweel, diacritics, digits, quotes) is left
for transforms.clean.

IDs: ``article_id`` = sha256(source_uri + "\\x1f" + doc_key)[:16]; ``content_sha256`` =
sha256(title + "\\n\\n" + body) (a missing title counts as ""); doc_key is "" for
single-document txt/html/json files (a lone JSON object with an ``id`` uses it), DOCNO /
Gigaword ``id`` / JSON ``id`` / ``#<index>`` (array) / ``L<line>`` (JSON lines) otherwise; a key repeated within one file gets ``~<n>`` appended (n = its 0-based position)
so that article_id stays unique.

A file is ``ok`` when it yields at least one document; its ``reason`` then names what was
dropped (``1 of 5 lines rejected: line 3: ...``), and is null when nothing was.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import io
import posixpath
import tarfile
import zipfile
import zlib
from typing import Any, Iterable, Iterator

import polars as pl

from transforms.read_decode import DecodeError, decode_with_notes
from transforms.read_formats import (
    DOC_ANYWHERE,
    DOC_START,
    HTML_START,
    FormatError,
    Parsed,
    parse_doc,
    parse_html,
    parse_json,
    parse_jsonl,
    parse_txt,
)

__all__ = ["DOCUMENT_SCHEMA", "FILE_SCHEMA", "list_files", "read_bytes", "read_files"]

DOCUMENT_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "source_uri": pl.String(),
    "doc_key": pl.String(),
    "url": pl.String(),
    "title": pl.String(),
    "source_name": pl.String(),
    "author": pl.String(),
    "published_at": pl.Datetime("us", "UTC"),
    "body": pl.String(),
    "format": pl.String(),
    "encoding": pl.String(),
    "content_sha256": pl.String(),
}

FILE_SCHEMA: dict[str, pl.DataType] = {
    "source_uri": pl.String(),
    "sha256": pl.String(),
    "bytes": pl.Int64(),
    "format": pl.String(),
    "encoding": pl.String(),
    "status": pl.String(),
    "reason": pl.String(),
    "documents": pl.Int64(),
}

MAX_ARCHIVE_DEPTH = 4
MAX_MEMBER_BYTES = 512 * 1024 * 1024  # larger members are rejected, not inflated
_MAX_LISTED = 3  # rejected items named in a reason
_MAX_REASON = 1000

_EXT_FORMAT = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".zip": "zip",
    ".gz": "gzip",
    ".tgz": "tar.gz",
    ".tar": "tar",
    ".xml": "",  # sniffed: <DOC> or HTML or text
    ".sgml": "",
    ".sgm": "",
    ".trec": "trec",
}


# Files that sit next to articles but are not articles (a folder's README.md, a manifest.csv,
# a script): rejected as "unsupported file type", never parsed as a plain-text article.
UNSUPPORTED_EXTENSIONS = frozenset(
    ".md .rst .csv .tsv .py .sh .js .css .yaml .yml .toml .ini .cfg .log .parquet .duckdb .db .sqlite".split()
)


def _ext_format(name: str) -> str:
    base = posixpath.basename(name).lower()
    if base.endswith(".tar.gz"):
        return "tar.gz"
    _, ext = posixpath.splitext(base)
    return _EXT_FORMAT.get(ext, "")


# ---------------------------------------------------------------------------------------
# list_files


def _is_hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/") if part)


def list_files(source: str) -> pl.DataFrame:
    """Every file under ``source`` (folder path, file path or fsspec URL), recursively.

    Columns ``source_uri`` (local paths as ``file:///abs/path``, other filesystems via
    fsspec's ``unstrip_protocol``, e.g. ``memory:///x/a.txt``, ``s3://bucket/key``; no
    percent-encoding) and ``bytes``; sorted by ``source_uri``.  Directories, even one named
    ``x.txt``, are walked, never listed.  Hidden files and everything under hidden folders
    (a path part below ``source`` starting with ``.``) are skipped.  A missing source
    raises FileNotFoundError.
    """
    import os

    import fsspec

    if "://" not in source:  # a local path: one spelling per file (no "..", no relative parts)
        source = os.path.abspath(source)
    fs, root = fsspec.core.url_to_fs(source)
    if not fs.exists(root):
        raise FileNotFoundError(f"source not found: {source}")
    found = fs.find(root, withdirs=False, detail=True)
    root_prefix = root.rstrip("/") + "/"
    local = "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))
    uris: list[str] = []
    sizes: list[int | None] = []
    for path, info in found.items():
        # Regular files, and also symlinks and special files (type "other"): those are listed so
        # that the pipeline accounts for them (read through the link, or rejected with a reason).
        if info.get("type", "file") not in ("file", "other"):
            continue
        rel = path[len(root_prefix) :] if path.startswith(root_prefix) else posixpath.basename(path)
        if _is_hidden(rel):
            continue
        uris.append("file://" + path if local else fs.unstrip_protocol(path))
        size = info.get("size")
        if info.get("islink") and local:
            try:
                size = os.stat(path).st_size
            except OSError:
                size = None
        sizes.append(int(size) if size is not None else None)
    return pl.DataFrame({"source_uri": uris, "bytes": sizes}, schema={"source_uri": pl.String(), "bytes": pl.Int64()}).sort(
        "source_uri"
    )


# ---------------------------------------------------------------------------------------
# read_bytes


def _sha256(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def _summarise(kind: str, rejected: list[tuple[str, str]], total: int) -> str:
    listed = "; ".join(f"{label}: {reason}" for label, reason in rejected[:_MAX_LISTED])
    more = "; ..." if len(rejected) > _MAX_LISTED else ""
    return f"{len(rejected)} of {total} {kind} rejected: {listed}{more}"


def _clip(reason: str | None) -> str | None:
    if reason is None or len(reason) <= _MAX_REASON:
        return reason
    return reason[: _MAX_REASON - 1] + "…"


def _file_row(uri: str, data: bytes, fmt: str, enc: str | None, docs: int, reason: str | None) -> dict[str, Any]:
    return {
        "source_uri": uri,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "format": fmt or "unknown",
        "encoding": enc,
        "status": "ok" if docs else "rejected",
        "reason": _clip(reason),
        "documents": docs,
    }


def _archive_kind(name: str, data: bytes) -> str | None:
    ext = _ext_format(name)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(b"\x1f\x8b"):
        return "tar.gz" if ext == "tar.gz" else "gzip"
    if ext in ("zip", "gzip", "tar.gz"):
        return ext  # claims to be an archive but lacks the magic: rejected as corrupt
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar"
    if ext == "tar":
        return "tar"
    return None


def _members_zip(data: bytes) -> Iterator[tuple[str, bytes | None, str | None]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = info.filename
            if not info.flag_bits & 0x800:  # legacy name: cp437 per spec, UTF-8 in practice
                try:
                    name = name.encode("cp437").decode("utf-8")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    pass
            if name.startswith("__MACOSX/") or _is_hidden(name):
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                yield name, None, f"member too large ({info.file_size} bytes)"
                continue
            if info.flag_bits & 0x1:
                yield name, None, "encrypted member"
                continue
            try:
                yield name, zf.read(info), None
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as e:
                yield name, None, f"corrupt zip member: {e}"


def _members_tar(data: bytes) -> Iterator[tuple[str, bytes | None, str | None]]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tf:
        for info in tf:
            if not info.isfile() or _is_hidden(info.name):
                continue
            if info.size > MAX_MEMBER_BYTES:
                yield info.name, None, f"member too large ({info.size} bytes)"
                continue
            f = tf.extractfile(info)
            yield info.name, f.read() if f is not None else b"", None


def _gunzip(data: bytes) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as g:
        out = g.read(MAX_MEMBER_BYTES + 1)
    if len(out) > MAX_MEMBER_BYTES:
        raise ValueError(f"member too large (over {MAX_MEMBER_BYTES} bytes)")
    return out


def _read_archive(uri: str, name: str, data: bytes, kind: str, depth: int) -> tuple[list[dict], dict]:
    name = posixpath.basename(name)
    if depth >= MAX_ARCHIVE_DEPTH:
        return [], _file_row(uri, data, kind, None, 0, f"archive nested too deeply (depth {depth})")
    try:
        if kind == "zip":
            members = list(_members_zip(data))
        elif kind == "tar":
            members = list(_members_tar(data))
        else:
            inner = _gunzip(data)
            if kind == "tar.gz" or (len(inner) > 262 and inner[257:262] == b"ustar"):
                kind = "tar.gz"
                members = list(_members_tar(inner))
            else:
                base = name[:-3] if name.lower().endswith(".gz") else name + ".out"
                members = [(base, inner, None)]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, tarfile.TarError, ValueError, NotImplementedError) as e:
        label = {"zip": "zip", "tar": "tar", "tar.gz": "tar.gz"}.get(kind, "gzip")
        return [], _file_row(uri, data, kind, None, 0, f"corrupt {label}: {e}")
    if not members:
        return [], _file_row(uri, data, kind, None, 0, "empty archive (no files)")
    docs: list[dict] = []
    encodings: set[str] = set()
    rejected: list[tuple[str, str]] = []
    partial: list[str] = []
    for member, payload, problem in members:
        member_uri = f"{uri}!{member}"
        if payload is None:
            rejected.append((member, problem or "unreadable"))
            continue
        mdocs, mrow = _read(member_uri, member, payload, depth + 1)
        docs.extend(mdocs)
        if mrow["encoding"]:
            encodings.update(mrow["encoding"].split(","))
        if mrow["status"] != "ok":
            rejected.append((member, mrow["reason"] or "rejected"))
        elif mrow["reason"]:
            partial.append(f"{member}: {mrow['reason']}")
    reasons = []
    if rejected:
        reasons.append(_summarise("members", rejected, len(members)))
    reasons.extend(partial)
    return docs, _file_row(uri, data, kind, ",".join(sorted(encodings)) or None, len(docs), "; ".join(reasons) or None)


def _sniff_format(text: str) -> str:
    head = text[:2048].lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")):
        return "json"
    if head.startswith("<") and HTML_START.search(head):
        return "html"
    return "txt"


def _read(uri: str, name: str, data: bytes, depth: int) -> tuple[list[dict], dict]:
    """``name`` is the file's path (the URI, or the member path inside an archive): its
    extension picks the format."""
    ext_fmt = _ext_format(name)
    if not data:
        return [], _file_row(uri, data, ext_fmt, None, 0, "empty file")
    kind = _archive_kind(name, data)
    if kind:
        return _read_archive(uri, name, data, kind, depth)
    ext = posixpath.splitext(posixpath.basename(name).lower())[1]
    if ext in UNSUPPORTED_EXTENSIONS:
        return [], _file_row(uri, data, "unsupported", None, 0, f"unsupported file type ({ext})")
    try:
        text, enc, notes = decode_with_notes(data)
    except DecodeError as e:
        return [], _file_row(uri, data, ext_fmt, None, 0, str(e))
    if not text.strip():
        return [], _file_row(uri, data, ext_fmt, enc, 0, "empty file (whitespace only)")

    fmt = ext_fmt
    if fmt == "trec" or (
        fmt not in ("json", "jsonl")
        and (DOC_START.match(text.lstrip("\ufeff")) or (fmt == "" and DOC_ANYWHERE.search(text, 0, 4096)))
    ):
        fmt = "doc"
    elif fmt == "":
        fmt = _sniff_format(text)
    try:
        if fmt == "doc":
            parsed, fmt = parse_doc(text)
        elif fmt == "json":
            parsed, fmt = parse_json(text)
        elif fmt == "jsonl":
            parsed = parse_jsonl(text)
        elif fmt == "html":
            parsed = parse_html(text)
        else:
            fmt = "txt"
            parsed = parse_txt(text)
    except FormatError as e:
        return [], _file_row(uri, data, fmt, enc, 0, str(e))
    return _documents(uri, parsed, fmt, enc), _file_row(
        uri,
        data,
        fmt,
        enc,
        len(parsed.docs),
        "; ".join(notes + ([_summarise(parsed.unit, parsed.rejected, parsed.total)] if parsed.rejected else []))
        or None,
    )


def _documents(uri: str, parsed: Parsed, fmt: str, enc: str) -> list[dict]:
    rows = []
    seen: set[str] = set()
    for i, doc in enumerate(parsed.docs):
        key = doc["doc_key"]
        if key in seen:
            key = f"{key}~{i}"
        seen.add(key)
        title = doc["title"]
        body = doc["body"]
        rows.append(
            {
                "article_id": _sha256(uri + "\x1f" + key)[:16],
                "source_uri": uri,
                "doc_key": key,
                "url": doc["url"],
                "title": title,
                "source_name": doc["source_name"],
                "author": doc["author"],
                "published_at": doc["published_at"],
                "body": body,
                "format": fmt,
                "encoding": enc,
                "content_sha256": _sha256((title or "") + "\n\n" + body),
            }
        )
    return rows


def read_bytes(source_uri: str, data: bytes) -> tuple[list[dict], dict]:
    """Parse one file's bytes -> (document rows, file row).  Pure; never raises.

    Bad input is a rejection with a human-readable ``reason`` (``empty file``, ``binary
    content (PNG image)``, ``invalid JSON at line 1: ...``, ``no <DOC> element``,
    ``corrupt zip: ...``).  An unexpected bug is also turned into a rejection, with the
    reason ``internal error: ...`` so that it shows in the files table.
    """
    data = bytes(data)
    try:
        return _read(source_uri, source_uri, data, 0)
    except Exception as e:  # noqa: BLE001 - contract: never raise on bad input
        return [], _file_row(source_uri, data, _ext_format(source_uri), None, 0, f"internal error: {type(e).__name__}: {e}")


# ---------------------------------------------------------------------------------------
# read_files


def _fetch(uris: list[str]) -> Iterator[tuple[str, bytes]]:
    """(uri, bytes) in order.  Local files are read directly; others through fsspec, with
    consecutive same-filesystem URIs fetched together (concurrently on async filesystems)."""
    import fsspec

    i = 0
    while i < len(uris):
        uri = uris[i]
        if uri.startswith("file://") or "://" not in uri:
            path = uri[len("file://") :] if uri.startswith("file://") else uri
            try:
                with open(path, "rb") as f:
                    yield uri, f.read()
            except OSError as e:
                raise OSError(e.errno, f"cannot read {uri}: {e.strerror or e}") from e
            i += 1
            continue
        protocol = uri.split("://", 1)[0]
        j = i
        while j < len(uris) and j - i < 256 and uris[j].startswith(protocol + "://"):
            j += 1
        group = uris[i:j]
        try:
            fs, _ = fsspec.core.url_to_fs(group[0])
            paths = [fs._strip_protocol(u) for u in group]
            blobs = fs.cat(paths, on_error="raise") if len(paths) > 1 else {paths[0]: fs.cat_file(paths[0])}
        except OSError as e:
            raise OSError(f"cannot read {protocol}:// files ({group[0]} ...): {e}") from e
        except Exception as e:  # noqa: BLE001 - fsspec backends raise their own error types
            raise OSError(f"cannot read {protocol}:// files ({group[0]} ...): {type(e).__name__}: {e}") from e
        for uri, path in zip(group, paths):
            yield uri, blobs[path]
        i = j


def documents_frame(rows: Iterable[dict]) -> pl.DataFrame:
    rows = list(rows)
    return pl.DataFrame({k: [r[k] for r in rows] for k in DOCUMENT_SCHEMA}, schema=DOCUMENT_SCHEMA)


def files_frame(rows: Iterable[dict]) -> pl.DataFrame:
    rows = list(rows)
    return pl.DataFrame({k: [r[k] for r in rows] for k in FILE_SCHEMA}, schema=FILE_SCHEMA)


def read_files(uris: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read and parse files -> (documents, files) frames with the contract's dtypes.

    I/O failures raise OSError (so a caller can retry the batch); nothing else is raised:
    bad content is a rejected row in ``files``.  Empty input gives empty frames that keep
    the schema.
    """
    doc_rows: list[dict] = []
    file_rows: list[dict] = []
    # The rows are acyclic dicts of strings: pausing the cyclic GC while they pile up saves
    # about a third of the time on large batches (it is re-enabled even if reading fails).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for uri, data in _fetch(list(uris)):
            docs, row = read_bytes(uri, data)
            doc_rows.extend(docs)
            file_rows.append(row)
        return documents_frame(doc_rows), files_frame(file_rows)
    finally:
        if gc_was_enabled:
            gc.enable()
