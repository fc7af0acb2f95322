"""The per-run HTML report: one self-contained file (no script, font or image fetched from anywhere).

Charts are inline SVG written here (no charting dependency): top entities (bars), a timeline of
mentions of the top entities (lines), top speakers (bars) and a co-mention network (circular
layout), plus the run's counts and its rejected / duplicate files with reasons. Arabic labels are
SVG ``<text direction="rtl">``, shaped by the browser. Every mark (bar, point, line, node, edge)
has class ``mark`` and a ``<title>`` tooltip.

Counts and files are those of the run; the charts cover the whole warehouse as of the run,
restricted to articles published on or after `since` when given (undated articles are then left out).

    write_report(warehouse, run_id=None, since=None, output=None) -> Path
"""

import math
from datetime import date, datetime, timedelta, timezone
from html import escape
from pathlib import Path

from akhbar import __version__
from akhbar.warehouse import connect_readonly

TYPE_COLOURS = {"PER": "#4c78a8", "ORG": "#e45756", "LOC": "#54a24b"}
TYPE_NAMES = {"PER": "person", "ORG": "organisation", "LOC": "location"}
SERIES_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2")
FONT = "'Noto Naskh Arabic', 'Noto Sans Arabic', 'DejaVu Sans', 'Arial', sans-serif"


# -- data -------------------------------------------------------------------------------------------
def report_data(con, run_id: str | None = None, since: date | None = None, top: int = 12) -> dict:
    """Everything the report shows, as plain Python values."""
    if run_id is None:
        found = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        if not found:
            raise LookupError("the warehouse has no run yet: run `akhbar run` first")
        run_id = found[0]
    cols = ["run_id", "flow_run_id", "source", "started_at", "finished_at", "status", "files_seen", "files_loaded",
            "files_unchanged", "files_rejected", "files_duplicate", "articles_loaded", "pipeline_version"]
    row = con.execute(f"SELECT {', '.join(cols)} FROM runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None:
        raise LookupError(f"no run {run_id!r} in the warehouse")
    run = dict(zip(cols, row))
    files = con.execute(
        "SELECT source_uri, status, coalesce(reason, '') FROM ingest_files"
        " WHERE run_id = ? AND status IN ('rejected', 'duplicate') ORDER BY status DESC, source_uri",
        [run_id],
    ).fetchall()
    # Articles in scope: published since `since` (or all).
    scope = "TRUE" if since is None else "CAST(a.published_at AT TIME ZONE 'UTC' AS DATE) >= CAST(? AS DATE)"
    p = [] if since is None else [since]
    day_scope = "TRUE" if since is None else "day >= CAST(? AS DATE)"
    totals = dict(zip(
        ("articles", "articles_of_run", "sentences", "tokens", "entity_mentions", "quotes"),
        con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE a.run_id = ?),"
            f" (SELECT count(*) FROM sentences s JOIN articles a USING (article_id) WHERE {scope}),"
            f" (SELECT count(*) FROM tokens t JOIN articles a USING (article_id) WHERE {scope}),"
            f" (SELECT count(*) FROM entity_mentions m JOIN articles a USING (article_id) WHERE {scope}),"
            f" (SELECT count(*) FROM quotes q JOIN articles a USING (article_id) WHERE {scope})"
            f" FROM articles a WHERE {scope}",
            [run_id, *p, *p, *p, *p, *p],
        ).fetchone(),
    ))
    # The daily view joins every mention with its article and entity: computed once (a temporary
    # table of this connection, allowed on a read-only one) for the bars and the timeline, instead
    # of once per query (0.4 s each after the whole ANT corpus).
    con.execute(f"CREATE OR REPLACE TEMP TABLE report_daily AS SELECT * FROM entity_mentions_daily WHERE {day_scope}", p)
    top_entities = con.execute(
        "SELECT entity_id, canonical_name, type, sum(mentions)::BIGINT AS mentions, sum(articles)::BIGINT AS articles"
        " FROM report_daily GROUP BY ALL ORDER BY mentions DESC, articles DESC, canonical_name LIMIT ?",
        [top],
    ).fetchall()
    # Timeline: the most mentioned entities among dated articles.
    timeline_ids = [r[0] for r in con.execute(
        "SELECT entity_id FROM report_daily WHERE day IS NOT NULL GROUP BY entity_id, canonical_name"
        " ORDER BY sum(mentions) DESC, canonical_name LIMIT 5",
    ).fetchall()]
    timeline_rows = con.execute(
        "SELECT canonical_name, entity_id, day, mentions FROM report_daily"
        " WHERE day IS NOT NULL AND list_contains(?, entity_id) ORDER BY day, entity_id",
        [timeline_ids],
    ).fetchall()
    con.execute("DROP TABLE report_daily")
    speakers = con.execute(
        f"SELECT speaker, count(*) AS quotes, count(DISTINCT article_id) AS articles FROM quotes_with_mentions a"
        f" WHERE speaker IS NOT NULL AND {scope} GROUP BY speaker ORDER BY quotes DESC, speaker LIMIT ?",
        [*p, top],
    ).fetchall()
    network = _network(con, scope, p)
    return {
        "run": run, "since": since, "files": files, "totals": totals, "top_entities": top_entities,
        "timeline_ids": timeline_ids, "timeline": timeline_rows, "speakers": speakers, "network": network,
        "generated_at": datetime.now(timezone.utc),
    }


def _network(con, scope: str, p: list, max_nodes: int = 24) -> dict:
    """Co-mentions in the same sentence among the entities with the most such links."""
    edges = con.execute(
        "WITH m AS (SELECT DISTINCT m.article_id, m.sentence_index, m.entity_id FROM entity_mentions m"
        f" JOIN articles a USING (article_id) WHERE m.sentence_index IS NOT NULL AND {scope})"
        " SELECT x.entity_id, y.entity_id, count(*) AS sentences FROM m x JOIN m y"
        " ON x.article_id = y.article_id AND x.sentence_index = y.sentence_index AND x.entity_id < y.entity_id"
        " GROUP BY ALL ORDER BY sentences DESC, x.entity_id, y.entity_id",
        p,
    ).fetchall()
    degree: dict[str, int] = {}
    for a, b, w in edges:
        degree[a] = degree.get(a, 0) + w
        degree[b] = degree.get(b, 0) + w
    keep = sorted(degree, key=lambda e: (-degree[e], e))[:max_nodes]
    info = {}
    if keep:
        info = {r[0]: r[1:] for r in con.execute(
            "SELECT entity_id, canonical_name, type, mention_count FROM entities WHERE list_contains(?, entity_id)", [keep]
        ).fetchall()}
    kept = set(keep)
    nodes = [(e, *info[e]) for e in keep if e in info]
    # Group nodes by type around the circle so that colours form arcs.
    nodes.sort(key=lambda n: ("PER ORG LOC".find(n[2]), -degree[n[0]], n[1]))
    return {"nodes": nodes, "edges": [(a, b, w) for a, b, w in edges if a in kept and b in kept]}


# -- SVG --------------------------------------------------------------------------------------------
def _t(x: float, y: float, text: str, anchor: str = "start", size: int = 13, cls: str = "label", extra: str = "") -> str:
    """An SVG text; right-to-left text gets direction="rtl" so Arabic is laid out and shaped right."""
    rtl = _is_rtl(text)
    if rtl:  # with direction rtl, "start" is the right end: flip so callers think in screen terms
        anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
    attrs = f' direction="rtl" unicode-bidi="embed"' if rtl else ""
    return (f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{attrs}{extra}>'
            f"{escape(str(text))}</text>")


def _is_rtl(text: str) -> bool:
    import unicodedata

    for ch in str(text):
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            return True
        if bidi == "L":
            return False
    return False


def svg_bars(name: str, items: list[tuple[str, float, str, str]], width: int = 560, label_width: int = 190) -> str:
    """Horizontal bars: items are (label, value, colour, tooltip); labels right-aligned left of the bars."""
    row, top = 26, 8
    height = top + row * max(1, len(items)) + 8
    vmax = max([v for _, v, _, _ in items] or [1]) or 1
    plot = width - label_width - 50
    out = [f'<svg class="chart" data-chart="{name}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
           f' viewBox="0 0 {width} {height}" role="img" font-family="{escape(FONT)}">']
    if not items:
        out.append(_t(10, 24, "nothing to show", cls="empty"))
    for i, (label, value, colour, tip) in enumerate(items):
        y = top + i * row
        w = max(1.0, plot * value / vmax)
        out.append(_t(label_width - 8, y + 17, label, anchor="end"))
        out.append(f'<rect class="mark bar" x="{label_width}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{colour}">'
                   f"<title>{escape(tip)}</title></rect>")
        out.append(_t(label_width + w + 6, y + 17, f"{value:g}", cls="value", size=12))
    out.append("</svg>")
    return "".join(out)


def svg_timeline(name: str, series: list[tuple[str, str, list[tuple[date, int]]]], width: int = 760, height: int = 300) -> str:
    """Lines with points: series are (label, colour, [(bucket start, mentions)]); x is time, y mentions."""
    left, right, top, bottom = 40, 180, 12, 36
    out = [f'<svg class="chart" data-chart="{name}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
           f' viewBox="0 0 {width} {height}" role="img" font-family="{escape(FONT)}">']
    points = [d for _, _, pts in series for d, _ in pts]
    if not points:
        out.append(_t(10, 24, "no dated mentions to show", cls="empty"))
        return "".join(out) + "</svg>"
    d0, d1 = min(points), max(points)
    span = max(1, (d1 - d0).days)
    vmax = max(v for _, _, pts in series for _, v in pts) or 1
    pw, ph = width - left - right, height - top - bottom

    def x(d: date) -> float:
        return left + pw * ((d - d0).days / span if d1 != d0 else 0.5)

    def y(v: float) -> float:
        return top + ph - ph * v / vmax

    out.append(f'<line class="axis" x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#888"/>')
    out.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#888"/>')
    for v in sorted({0, vmax, round(vmax / 2)}):
        out.append(_t(left - 6, y(v) + 4, str(v), anchor="end", size=11, cls="tick"))
    for k in range(5):
        d = d0 + timedelta(days=round(span * k / 4))
        out.append(_t(x(d), top + ph + 16, d.isoformat(), anchor="middle", size=11, cls="tick"))
    for i, (label, colour, pts) in enumerate(series):
        pts = sorted(pts)
        if len(pts) > 1:
            path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in pts)
            out.append(f'<polyline class="mark line" points="{path}" fill="none" stroke="{colour}" stroke-width="2">'
                       f"<title>{escape(label)}</title></polyline>")
        for d, v in pts:
            out.append(f'<circle class="mark point" cx="{x(d):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}">'
                       f"<title>{escape(label)} · {d.isoformat()}: {v}</title></circle>")
        ly = top + 14 + i * 22
        out.append(f'<rect x="{width - right + 12}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
        out.append(_t(width - right + 30, ly + 2, label, anchor="start", cls="label legend"))
    return "".join(out) + "</svg>"


def svg_network(name: str, nodes: list[tuple], edges: list[tuple[str, str, int]], size: int = 620) -> str:
    """Circular layout: nodes (entity_id, name, type, mentions) on a circle, edges weighted by shared sentences."""
    out = [f'<svg class="chart" data-chart="{name}" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}"'
           f' viewBox="0 0 {size} {size}" role="img" font-family="{escape(FONT)}">']
    if not nodes:
        out.append(_t(10, 24, "no two entities share a sentence", cls="empty"))
        return "".join(out) + "</svg>"
    cx = cy = size / 2
    radius = size / 2 - 130
    pos = {}
    for i, (eid, label, type_, mentions) in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / len(nodes)
        pos[eid] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)
    wmax = max([w for _, _, w in edges] or [1])
    names = {n[0]: n[1] for n in nodes}
    for a, b, w in edges:
        (x1, y1, _), (x2, y2, _) = pos[a], pos[b]
        out.append(f'<line class="mark edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#999"'
                   f' stroke-opacity="0.7" stroke-width="{1 + 4 * w / wmax:.1f}">'
                   f"<title>{escape(names[a])} – {escape(names[b])}: {w} sentence{'s' if w != 1 else ''}</title></line>")
    mmax = max(n[3] for n in nodes) or 1
    for eid, label, type_, mentions in nodes:
        x, y, angle = pos[eid]
        r = 5 + 9 * math.sqrt(mentions / mmax)
        out.append(f'<circle class="mark node" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{TYPE_COLOURS.get(type_, "#888")}"'
                   f' stroke="#fff"><title>{escape(label)} ({TYPE_NAMES.get(type_, type_)}): {mentions} mentions</title></circle>')
        lx, ly = x + (r + 6) * math.cos(angle), y + (r + 6) * math.sin(angle) + 4
        out.append(_t(lx, ly, label, anchor="start" if math.cos(angle) >= 0 else "end", size=12))
    return "".join(out) + "</svg>"


# -- HTML -------------------------------------------------------------------------------------------
CSS = """
body { font-family: system-ui, 'DejaVu Sans', sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #666; font-size: 13px; } .grid { display: flex; flex-wrap: wrap; gap: 24px; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.legend-types span { display: inline-block; margin-right: 14px; font-size: 13px; }
.legend-types i { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; }
svg text.label { fill: #222; } svg text.tick, svg text.value { fill: #555; }
[dir=rtl] { unicode-bidi: isolate; }
"""


def render_html(d: dict) -> str:
    run, totals = d["run"], d["totals"]
    since = f"published on or after {d['since']}" if d["since"] else "all articles"
    counts = [("files seen", run["files_seen"]), ("loaded", run["files_loaded"]), ("unchanged", run["files_unchanged"]),
              ("rejected", run["files_rejected"]), ("duplicate", run["files_duplicate"]),
              ("articles loaded", run["articles_loaded"])]
    scope_counts = [("articles", totals["articles"]), ("of them loaded by this run", totals["articles_of_run"]),
                    ("sentences", totals["sentences"]), ("tokens", totals["tokens"]),
                    ("entity mentions", totals["entity_mentions"]), ("quotes", totals["quotes"])]
    top = [(n, m, TYPE_COLOURS.get(t, "#888"), f"{n} ({TYPE_NAMES.get(t, t)}): {m} mentions in {a} articles")
           for _, n, t, m, a in d["top_entities"]]
    speakers = [(s, q, "#72b7b2", f"{s}: {q} quotes in {a} articles") for s, q, a in d["speakers"]]
    series = _timeline_series(d["timeline_ids"], d["timeline"])
    legend = "".join(f'<span><i style="background:{c}"></i>{TYPE_NAMES[t]} ({t})</span>' for t, c in TYPE_COLOURS.items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>akhbar run {escape(run['run_id'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>akhbar run report</h1><p class=\"meta\">run <code>{escape(run['run_id'])}</code> · {escape(str(run['status']))}"
        f" · started {escape(_ts(run['started_at']))} · finished {escape(_ts(run['finished_at']))}"
        f" · source <code>{escape(str(run['source']))}</code> · akhbar {escape(str(run['pipeline_version']))}"
        f" · report generated {escape(_ts(d['generated_at']))} by akhbar {__version__}</p>",
        "<h2>This run</h2>",
        _html_table(["files seen", "loaded", "unchanged", "rejected", "duplicate", "articles loaded"],
                    [tuple(v for _, v in counts)], cls="run-counts"),
        "<h2>Rejected and duplicate files</h2>",
        _html_table(["file", "status", "reason"], d["files"], cls="rejected") if d["files"]
        else '<p class="rejected-none">No file was rejected or found a duplicate in this run.</p>',
        f"<h2>Warehouse in scope ({escape(since)})</h2>",
        _html_table([k for k, _ in scope_counts], [tuple(v for _, v in scope_counts)], cls="scope-counts"),
        f'<p class="legend-types">{legend}</p>',
        '<div class="grid"><section><h2>Top entities (mentions)</h2>', svg_bars("top-entities", top),
        '</section><section><h2>Top speakers (quotes)</h2>', svg_bars("top-speakers", speakers), "</section></div>",
        "<h2>Mentions over time of the top entities</h2>",
        f'<p class="meta">{escape(series["bucket"])} totals; dated articles only.</p>',
        svg_timeline("timeline", series["series"]),
        "<h2>Co-mention network</h2>",
        '<p class="meta">Entities named in the same sentence; line width = number of such sentences,'
        " node size = mentions in the warehouse.</p>",
        svg_network("network", d["network"]["nodes"], d["network"]["edges"]),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _timeline_series(ids: list[str], rows: list[tuple]) -> dict:
    """Bucket daily mentions by day, week or month depending on the span, one series per entity."""
    days = [r[2] for r in rows]
    if not days:
        return {"bucket": "Daily", "series": []}
    span = (max(days) - min(days)).days
    if span <= 45:
        bucket, key = "Daily", (lambda d: d)
    elif span <= 240:
        bucket, key = "Weekly", (lambda d: d - timedelta(days=d.weekday()))
    else:
        bucket, key = "Monthly", (lambda d: d.replace(day=1))
    sums: dict[str, dict[date, int]] = {}
    names = {}
    for name, eid, day, mentions in rows:
        names[eid] = name
        b = sums.setdefault(eid, {})
        b[key(day)] = b.get(key(day), 0) + mentions
    series = [(names[e], SERIES_COLOURS[i % len(SERIES_COLOURS)], sorted(sums[e].items()))
              for i, e in enumerate(ids) if e in sums]
    return {"bucket": bucket, "series": series}


def _html_table(header: list[str], rows: list[tuple], cls: str = "") -> str:
    out = [f'<table class="{cls}"><tr>' + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>"]
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<td class="num">{v}</td>')
            else:
                text = "" if v is None else str(v)
                rtl = ' dir="rtl"' if _is_rtl(text) else ""
                cells.append(f"<td{rtl}>{escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(out) + "</table>"


def _ts(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(v)


def default_output(warehouse: str | Path, run_id: str) -> Path:
    return Path(warehouse).resolve().parent / "reports" / f"{run_id}.html"


def write_report(warehouse: str | Path, run_id: str | None = None, since: date | str | None = None,
                 output: str | Path | None = None) -> Path:
    """Build the report of `run_id` (default: the latest run) and write it; returns the file's path."""
    if isinstance(since, str):
        since = date.fromisoformat(since)
    with connect_readonly(warehouse) as con:
        data = report_data(con, run_id, since)
    path = Path(output) if output else default_output(warehouse, data["run"]["run_id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
    return path
