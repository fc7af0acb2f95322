"""Text -> raw documents, one parser per format, for the READ stage (see transforms/read.py).

Every parser takes decoded text and returns a :class:`Parsed`: the documents found (dicts
with ``doc_key, url, title, source_name, author, published_at, body``), the rejected
documents as ``(label, reason)`` and the unit they count ("documents" or "lines").  A
problem with the whole file raises :class:`FormatError` with a human-readable reason.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

__all__ = [
    "FormatError",
    "Parsed",
    "paragraphs",
    "parse_datetime",
    "parse_doc",
    "parse_html",
    "parse_json",
    "parse_jsonl",
    "parse_txt",
]


class FormatError(ValueError):
    """The whole file is unusable; the message is the rejection reason."""


@dataclass
class Parsed:
    docs: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    unit: str = "documents"
    total: int = 0


# ---------------------------------------------------------------------------------------
# shared helpers

_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")


def paragraphs(text: str) -> str:
    """Body normalisation done at read time: paragraphs = non-empty lines (str.splitlines:
    LF, CR, CRLF, VT, FF, FS/GS/RS, NEL, LS, PS), each stripped of surrounding whitespace,
    joined by a single "\\n".  Nothing else is changed."""
    return "\n".join(s for s in (line.strip() for line in text.splitlines()) if s)


def one_line(value: Any) -> str | None:
    """A scalar metadata value as a single stripped line, None when empty."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    s = " ".join(str(value).split())
    return s or None


_UTC = timezone.utc
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\b")
_FALLBACK_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y%m%d",
)


def parse_datetime(value: Any) -> datetime | None:
    """Parse a date field to an aware UTC datetime; None when absent or unparseable.

    Accepted: ISO 8601 (with or without offset, ``Z``, date only, space separator as in
    ``2015-07-21 02:51:32``), RFC 2822 (``Tue, 20 Feb 2018 01:44:01 GMT`` / ``+0400``: the
    ANT ``<TIME>`` field), ``YYYY/MM/DD[ hh:mm[:ss]]``, ``DD/MM/YYYY[ hh:mm[:ss]]`` (day
    first, the Arab-world convention), ``YYYYMMDD``, epoch seconds/milliseconds (JSON
    numbers).  Eastern Arabic digits are read as digits.  Naive timestamps are taken as
    UTC (the sources give no zone; guessing one would be worse).  Date-only values become
    midnight UTC.
    """
    try:
        return _parse_datetime(value)
    except (ValueError, TypeError, OverflowError, OSError):
        return None


_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
# the common RFC 2822 shape (ANT <TIME>), parsed without the email module
_RFC2822_FAST = re.compile(
    r"^(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d\d):(\d\d)(?::(\d\d))? (GMT|UTC|UT|Z|[+-]\d{4})$"
)


def _rfc2822_fast(s: str) -> datetime | None:
    m = _RFC2822_FAST.match(s)
    month = _MONTHS.get(m.group(2).lower()) if m else None
    if m is None or month is None:
        return None
    zone = m.group(7)
    if zone[0] in "+-":
        sign = 1 if zone[0] == "+" else -1
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
    else:
        offset = timedelta(0)
    dt = datetime(int(m.group(3)), month, int(m.group(1)), int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), tzinfo=_UTC)
    return dt - offset


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=_UTC) if dt.tzinfo is None else dt.astimezone(_UTC)


def _parse_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=_UTC)
    if isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) > 1e11 else value
        return datetime.fromtimestamp(seconds, _UTC)
    if not isinstance(value, str):
        return None
    s = " ".join(value.translate(_DIGITS).split())
    if not s:
        return None
    if s[0].isdigit() and len(s) >= 8:
        try:
            return _aware(datetime.fromisoformat(s))
        except ValueError:
            pass
    if _RFC2822.match(s):
        if (fast := _rfc2822_fast(s)) is not None:
            return fast
        try:
            return _aware(email.utils.parsedate_to_datetime(s))
        except (ValueError, TypeError, IndexError):
            pass
    for fmt in _FALLBACK_FORMATS:
        try:
            return _aware(datetime.strptime(s, fmt))
        except ValueError:
            continue
    return None


def _unescape(s: str) -> str:
    return html.unescape(s) if "&" in s else s


# ---------------------------------------------------------------------------------------
# .txt

FRONT_MATTER_KEYS = frozenset({"url", "published_at", "date", "source", "author", "title"})
_KEY_VALUE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$")


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """(metadata, index of the first line after the front matter); see parse_txt."""
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first < len(lines) and lines[first].strip() == "---":
        for end in range(first + 1, min(len(lines), first + 60)):
            if lines[end].strip() == "---":
                block = [ln for ln in lines[first + 1 : end] if ln.strip()]
                matches = [_KEY_VALUE.match(ln.strip()) for ln in block]
                if all(matches):
                    meta = {m.group(1).lower(): m.group(2).strip() for m in matches if m}
                    return meta, end + 1
                break
        return {}, 0
    end = first
    while end < len(lines) and lines[end].strip():
        end += 1
    if end == first or end >= len(lines):  # a front matter must be followed by a blank line
        return {}, 0
    meta = {}
    for ln in lines[first:end]:
        m = _KEY_VALUE.match(ln.strip())
        if not m or m.group(1).lower() not in FRONT_MATTER_KEYS:
            return {}, 0
        meta[m.group(1).lower()] = m.group(2).strip()
    return meta, end


def parse_txt(text: str) -> Parsed:
    """Plain-text article (layout of the project's seed article).

    Front-matter rule: at the very top of the file (leading blank lines ignored) either

    * a block between two ``---`` lines in which every non-empty line is ``key: value``
      (any ASCII key; unknown keys are ignored), or
    * without delimiters, the lines before the first blank line, when *every* one of them
      is ``key: value`` with a key from ``url, published_at, date, source, author, title``
      (case-insensitive).

    Anything else means "no front matter".  After it, the first non-empty line is the title
    (unless the front matter gave ``title``) and the remaining lines are the body.
    """
    lines = _LINE_BREAK.split(text)
    meta, start = _front_matter(lines)
    rest = lines[start:]
    title = one_line(meta.get("title"))
    if title is None:
        for i, line in enumerate(rest):
            if line.strip():
                title = one_line(line)
                rest = rest[i + 1 :]
                break
    body = paragraphs("\n".join(rest))
    out = Parsed(total=1)
    if not body:
        raise FormatError("no body text (only a title line)" if title else "no text")
    out.docs.append(
        {
            "doc_key": "",
            "url": one_line(meta.get("url")),
            "title": title,
            "source_name": one_line(meta.get("source")),
            "author": one_line(meta.get("author")),
            "published_at": parse_datetime(meta.get("published_at") or meta.get("date")),
            "body": body,
        }
    )
    return out


# ---------------------------------------------------------------------------------------
# JSON / JSON lines

_BODY_KEYS = ("maintext", "text", "content", "body", "article", "description")
_DATE_KEYS = ("date_publish", "published_at", "date", "datePublished", "published", "date_extracted")
_TITLE_KEYS = ("title", "headline")
_SOURCE_KEYS = ("source", "source_domain", "source_name", "sitename")
_AUTHOR_KEYS = ("author", "authors", "byline")
_WRAPPER_KEYS = ("articles", "documents", "items", "data", "results")


def _text_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(v for v in value if isinstance(v, str))
    return ""


def _first(obj: dict, keys: tuple[str, ...]) -> Any:
    for k in keys:
        v = obj.get(k)
        if v not in (None, "", [], {}):
            return v
    return None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (one_line(v.get("name") if isinstance(v, dict) else v) for v in value) if n]
        return "، ".join(names) or None
    if isinstance(value, dict):
        return one_line(value.get("name"))
    return one_line(value)


def _source(value: Any) -> str | None:
    if isinstance(value, dict):
        return one_line(value.get("name") or value.get("id"))
    return one_line(value)


def json_document(obj: Any, default_key: str) -> tuple[dict[str, Any] | None, str, str | None]:
    """(document or None, doc_key, rejection reason) for one JSON value.

    title; body from maintext|text|content|body|article|description (a list of strings is
    joined as paragraphs); date from date_publish|published_at|date|datePublished|published|
    date_extracted (first parseable); url|link|canonical_url; source|source_domain|
    source_name|sitename (a dict's ``name``); author|authors|byline (a list is joined with
    "، ").  HTML entities in title and body are unescaped (scrapers leave ``&quot;``)."""
    if not isinstance(obj, dict):
        return None, default_key, f"not a JSON object ({type(obj).__name__})"
    ident = obj.get("id")
    key = one_line(ident) if isinstance(ident, (str, int)) and not isinstance(ident, bool) else None
    key = key or default_key
    body = ""
    for k in _BODY_KEYS:
        body = paragraphs(_unescape(_text_value(obj.get(k))))
        if body:
            break
    if not body:
        return None, key, "no body text"
    date_value = None
    for k in _DATE_KEYS:
        v = obj.get(k)
        if v not in (None, ""):
            date_value = parse_datetime(v)
            if date_value is not None:
                break
    title = _first(obj, _TITLE_KEYS)
    return (
        {
            "doc_key": key,
            "url": one_line(_first(obj, ("url", "link", "canonical_url"))),
            "title": one_line(_unescape(title)) if isinstance(title, str) else None,
            "source_name": _source(_first(obj, _SOURCE_KEYS)),
            "author": _author(_first(obj, _AUTHOR_KEYS)),
            "published_at": date_value,
            "body": body,
        },
        key,
        None,
    )


def _json_error(e: json.JSONDecodeError) -> str:
    return f"{e.msg} (column {e.colno})"


def parse_json(text: str) -> tuple[Parsed, str]:
    """A JSON object, an array of objects (or ``{"articles": [...]}``); a ``.json`` that is in
    fact JSON lines (``Extra data`` after a first complete object on line 1) is read as such.
    Returns (parsed, format)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" and e.lineno > 1 and text.lstrip().startswith("{"):
            return parse_jsonl(text), "jsonl"
        raise FormatError(f"invalid JSON at line {e.lineno}: {_json_error(e)}") from None
    except RecursionError:
        raise FormatError("invalid JSON: nested too deeply") from None
    out = Parsed()
    if isinstance(value, dict):
        wrapped = [k for k in _WRAPPER_KEYS if isinstance(value.get(k), list)]
        if wrapped and not any(_text_value(value.get(k)) for k in _BODY_KEYS):
            value = value[wrapped[0]]
    if isinstance(value, dict):
        out.total = 1
        doc, key, reason = json_document(value, "")
        if doc is None:
            raise FormatError(reason or "no document")
        out.docs.append(doc)
        return out, "json"
    if not isinstance(value, list):
        raise FormatError(f"JSON is not an object or an array of objects ({type(value).__name__})")
    if not value:
        raise FormatError("empty JSON array")
    out.total = len(value)
    for i, obj in enumerate(value):
        doc, key, reason = json_document(obj, f"#{i}")
        if doc is None:
            out.rejected.append((key if key.startswith("#") else f"#{i} ({key})", reason or "?"))
        else:
            out.docs.append(doc)
    return out, "json"


def parse_jsonl(text: str) -> Parsed:
    """JSON lines: one object per non-empty line; doc_key ``L<line number>`` (1-based) unless
    the object has an ``id``.  A bad line is rejected on its own."""
    out = Parsed(unit="lines")
    for n, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        out.total += 1
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            out.rejected.append((f"line {n}", f"invalid JSON: {_json_error(e)}"))
            continue
        except RecursionError:
            out.rejected.append((f"line {n}", "invalid JSON: nested too deeply"))
            continue
        doc, _key, reason = json_document(obj, f"L{n}")
        if doc is None:
            out.rejected.append((f"line {n}", reason or "?"))
        else:
            out.docs.append(doc)
    if out.total == 0:
        raise FormatError("no JSON lines")
    return out


# ---------------------------------------------------------------------------------------
# TREC / Gigaword <DOC>

DOC_START = re.compile(r"^\s*<DOC[\s>]", re.I)
DOC_ANYWHERE = re.compile(r"<DOC[\s>]", re.I)
_DOC_OPEN = re.compile(r"<DOC(?=[\s>/])([^>]*)>", re.I)
_DOC_CLOSE = re.compile(r"</DOC\s*>", re.I)
_FIELDS = (
    "DOCNO|DOCID|URL|SRC|SOURCE|CAT|TITLE|HEADLINE|DATELINE|TIME|DATE_TIME|DATE|"
    "AUTHOR|BYLINE|ABSTRACT|TEXT"
)
_FIELD_OPEN = re.compile(rf"<({_FIELDS})(?:\s[^>]*)?>", re.I)
_CLOSE_CACHE: dict[str, re.Pattern[str]] = {}
_ATTR = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_P_OPEN = re.compile(r"<P(?:\s[^>]*)?>", re.I)
_P_CLOSE = re.compile(r"</P\s*>", re.I)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_GIGAWORD_DATE = re.compile(r"_(\d{8})(?:\.|$)")


def _close_tag(name: str) -> re.Pattern[str]:
    pat = _CLOSE_CACHE.get(name)
    if pat is None:
        pat = _CLOSE_CACHE[name] = re.compile(rf"</{name}\s*>", re.I)
    return pat


def _fields(segment: str) -> dict[str, str]:
    """Tolerant field extraction: a field ends at its closing tag or, when that is missing,
    at the next known field tag (or the end of the document)."""
    out: dict[str, str] = {}
    opens = list(_FIELD_OPEN.finditer(segment))
    pos = 0
    for i, m in enumerate(opens):
        if m.start() < pos:
            continue  # a tag inside the previous field's content
        name = m.group(1).upper()
        stop = opens[i + 1].start() if i + 1 < len(opens) else len(segment)
        exact = segment.find(f"</{name}>", m.end())  # fast path for the usual spelling
        if exact >= 0:
            close_start, close_end = exact, exact + len(name) + 3
        elif (close := _close_tag(name).search(segment, m.end())) is not None:
            close_start, close_end = close.span()
        else:
            close_start = close_end = -1
        if 0 <= close_start and (close_start <= stop or name in ("TEXT", "ABSTRACT")):
            # (a TEXT/ABSTRACT with a stray field-like tag inside: trust its closing tag)
            end, pos = close_start, close_end
        else:
            end = pos = stop
        out.setdefault(name, segment[m.end() : end])
    return out


def _doc_text(raw: str) -> str:
    """TEXT/ABSTRACT content -> paragraphs.  Gigaword ``<P>`` blocks are paragraphs whose
    internal line wraps become spaces; otherwise lines are paragraphs."""
    if "<![CDATA[" in raw:
        raw = _CDATA.sub(lambda m: m.group(1), raw)
    if ("<P" in raw or "<p" in raw) and _P_OPEN.search(raw):
        parts = (_P_CLOSE.sub("", p) for p in _P_OPEN.split(raw))
        paras = (" ".join(p.split()) for p in parts)
        return "\n".join(_unescape(p) for p in paras if p)
    return paragraphs(_unescape(raw))


def _cmp_form(s: str) -> str:
    return " ".join(s.replace("#", "").replace("_", " ").split())


def abstract_is_redundant(abstract: str, text: str) -> bool:
    """ABSTRACT rule (see parse_doc): the abstract repeats the lead of TEXT when, after
    removing hashtag marks (``#``, ``_``) and collapsing whitespace, its first 40 characters
    occur within the first len(abstract) + 300 characters of TEXT."""
    a = _cmp_form(abstract)
    t = _cmp_form(text[: 2 * len(abstract) + 600])  # whitespace/# only shrink the text
    return a[:40] in t[: len(a) + 300]


def parse_doc(text: str) -> tuple[Parsed, str]:
    """TREC-style (ANT) and Gigaword ``<DOC>`` files, one or many documents per file.

    Regex-based, tolerant of files that are not well-formed XML (unescaped ``&`` and ``<``,
    missing closing tags).  Fields: DOCNO URL SRC CAT TITLE TIME AUTHOR ABSTRACT TEXT and
    Gigaword's ``<DOC id=".." type="..">`` HEADLINE DATELINE TEXT/``<P>``.  HTML entities
    are unescaped.  doc_key = DOCNO (or DOCID, or the ``id`` attribute).

    * **ABSTRACT**: dropped when it repeats the start of TEXT (:func:`abstract_is_redundant`;
      in ANT it is the lead or a truncated teaser of it for AlArabiya, CNN, France24 and
      SkyNews), otherwise kept as the first body paragraph (BBC's standfirsts, CNN
      summaries); it is the whole body when TEXT is empty.
    * **DATELINE** (Gigaword): prefixed to the first paragraph, as it reads in the story.
    * **date**: TIME / DATE_TIME / DATE, else the ``YYYYMMDD`` in a Gigaword id.
    * CAT is not kept (no column in the documents contract).
    Returns (parsed, format) with format ``gigaword`` when the first ``<DOC`` tag has
    attributes or the file uses HEADLINE, else ``trec``.
    """
    opens = list(_DOC_OPEN.finditer(text))
    if not opens:
        raise FormatError("no <DOC> element")
    fmt = "gigaword" if opens[0].group(1).strip() else "trec"
    out = Parsed(total=len(opens))
    for i, m in enumerate(opens):
        seg_end = opens[i + 1].start() if i + 1 < len(opens) else len(text)
        segment = text[m.end() : seg_end]
        close = segment.find("</DOC>")
        if close < 0 and (m_close := _DOC_CLOSE.search(segment)) is not None:
            close = m_close.start()
        if close >= 0:
            segment = segment[:close]
        attrs = {a.group(1).lower(): a.group(2) or a.group(3) or a.group(4) or "" for a in _ATTR.finditer(m.group(1))}
        f = _fields(segment)
        if "HEADLINE" in f:
            fmt = "gigaword"
        key = one_line(_unescape(f.get("DOCNO") or f.get("DOCID") or attrs.get("id") or "")) or f"#{i}"
        body = _doc_text(f.get("TEXT", ""))
        abstract = _doc_text(f.get("ABSTRACT", ""))
        if abstract and (not body or not abstract_is_redundant(abstract, body)):
            body = f"{abstract}\n{body}" if body else abstract
        dateline = one_line(_unescape(f.get("DATELINE", "")))
        if dateline and body and not body.startswith(dateline):
            body = f"{dateline} {body}"
        if not body:
            out.rejected.append((key, "no body text"))
            continue
        published = None
        for name in ("TIME", "DATE_TIME", "DATE"):
            if f.get(name, "").strip():
                published = parse_datetime(_unescape(f[name]))
                if published:
                    break
        if published is None and (g := _GIGAWORD_DATE.search(key)):
            published = parse_datetime(g.group(1))
        title = f.get("TITLE") or f.get("HEADLINE") or ""
        out.docs.append(
            {
                "doc_key": key,
                "url": one_line(_unescape(f.get("URL", ""))),
                "title": one_line(_unescape(_P_CLOSE.sub("", _P_OPEN.sub(" ", title)))),
                "source_name": one_line(_unescape(f.get("SRC") or f.get("SOURCE") or "")),
                "author": one_line(_unescape(f.get("AUTHOR") or f.get("BYLINE") or "")),
                "published_at": published,
                "body": body,
            }
        )
    return out, fmt


# ---------------------------------------------------------------------------------------
# HTML

HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.I)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_TIME_TAG = re.compile(r"<time\b[^>]*\bdatetime\s*=\s*[\"']([^\"']+)", re.I)

_META_TITLE = ("og:title", "twitter:title")
_META_DATE = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dc.date",
    "sailthru.date",
)
_META_AUTHOR = ("author", "article:author", "dc.creator", "byl")
_META_SITE = ("og:site_name", "application-name")
_META_URL = ("og:url",)


def _html_meta(head: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for tag in _META_TAG.finditer(head):
        attrs = {a.group(1).lower(): a.group(2) or a.group(3) or a.group(4) or "" for a in _ATTR.finditer(tag.group(0))}
        name = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        content = attrs.get("content")
        if name and content and content.strip():
            meta.setdefault(name, html.unescape(content.strip()))
    for tag in _LINK_TAG.finditer(head):
        attrs = {a.group(1).lower(): a.group(2) or a.group(3) or a.group(4) or "" for a in _ATTR.finditer(tag.group(0))}
        if attrs.get("rel", "").strip().lower() == "canonical" and attrs.get("href", "").strip():
            meta.setdefault("canonical", html.unescape(attrs["href"].strip()))
    if (t := _TIME_TAG.search(head)) is not None:
        meta.setdefault("<time>", t.group(1))
    return meta


def _pick(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for k in keys:
        if meta.get(k):
            return meta[k]
    return None


def parse_html(text: str) -> Parsed:
    """HTML page: main text and metadata with trafilatura (no network, no favor_recall, no
    comments, no deduplication against other files).  og:title, article:published_time,
    the canonical link and the author meta tag take precedence over trafilatura's guesses.
    The first body line is dropped when it repeats the title (the ``<h1>``)."""
    import trafilatura  # heavy import: only when an HTML file is met

    try:
        doc = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
            favor_recall=False,
            favor_precision=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # noqa: BLE001 - trafilatura/lxml errors on broken markup
        raise FormatError(f"HTML extraction failed: {type(e).__name__}: {e}") from None
    body = paragraphs(getattr(doc, "text", None) or "") if doc is not None else ""
    if not body:
        raise FormatError("no main text found in HTML")
    meta = _html_meta(text[:200_000])
    title = one_line(_pick(meta, _META_TITLE) or getattr(doc, "title", None))
    lines = body.split("\n")
    if title and len(lines) > 1 and " ".join(lines[0].split()) == title:
        body = "\n".join(lines[1:])
    published = parse_datetime(_pick(meta, _META_DATE) or meta.get("<time>"))
    if published is None:
        published = parse_datetime(getattr(doc, "date", None))
    out = Parsed(total=1)
    out.docs.append(
        {
            "doc_key": "",
            "url": one_line(meta.get("canonical") or _pick(meta, _META_URL) or getattr(doc, "url", None)),
            "title": title,
            "source_name": one_line(_pick(meta, _META_SITE) or getattr(doc, "sitename", None)),
            "author": one_line(_pick(meta, _META_AUTHOR) or getattr(doc, "author", None)),
            "published_at": published,
            "body": body,
        }
    )
    return out
