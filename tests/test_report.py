"""The per-run HTML report: self-contained, and rendered by a real browser (Debian's chromium)."""

import re
from pathlib import Path

import pytest

from akhbar.report import write_report
from akhbar.warehouse import connect_readonly

PROJECT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def report(seed_warehouse, tmp_path_factory):
    wh, first, _ = seed_warehouse
    path = write_report(wh, run_id=first["run_id"], output=tmp_path_factory.mktemp("report") / "report.html")
    return path, first


def test_report_is_self_contained(report):
    html = report[0].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "@import" not in html and "url(" not in html and "<script src" not in html
    assert report[0].stat().st_size < 300_000


def test_report_shows_the_run_counts_and_rejected_files(prefect_api, seed_source, tmp_path):
    """A run with a rejected file lists it with its reason."""
    import shutil

    from flows.ingest import ingest

    src = tmp_path / "src"
    shutil.copytree(seed_source, src)
    (src / "empty.txt").write_bytes(b"")
    wh = tmp_path / "w.duckdb"
    result = ingest(source=str(src), warehouse=str(wh), batch_size=50)
    html = write_report(wh).read_text(encoding="utf-8")  # default: latest run, beside the warehouse
    assert (wh.parent / "reports" / f"{result['run_id']}.html").exists()
    counts = re.search(r'<table class="run-counts">.*?</table>', html).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', counts) == [
        str(result[k]) for k in ("seen", "loaded", "unchanged", "rejected", "duplicate", "articles")]
    rejected = re.search(r'<table class="rejected">.*?</table>', html).group(0)
    assert "empty.txt" in rejected and "empty" in rejected.split("empty.txt", 1)[1]


def test_since_restricts_the_charts_to_recent_articles(seed_warehouse, tmp_path):
    wh, first, _ = seed_warehouse
    html = write_report(wh, run_id=first["run_id"], since="2024-06-01", output=tmp_path / "r.html").read_text(encoding="utf-8")
    with connect_readonly(wh) as con:
        n = con.execute("SELECT count(*) FROM articles WHERE published_at >= DATE '2024-06-01'").fetchone()[0]
        names = [r[0] for r in con.execute(
            "SELECT canonical_name FROM entity_mentions_daily WHERE day >= DATE '2024-06-01'"
            " GROUP BY 1 ORDER BY sum(mentions) DESC, canonical_name").fetchall()]
        old = con.execute("SELECT canonical_name FROM entity_mentions_daily GROUP BY 1"
                          " HAVING max(day) < DATE '2024-06-01' OR max(day) IS NULL LIMIT 1").fetchone()[0]
    assert f"published on or after 2024-06-01" in html
    assert re.search(r'<table class="scope-counts">.*?<td class="num">(\d+)</td>', html).group(1) == str(n)
    chart = re.search(r'data-chart="top-entities".*?</svg>', html).group(0)
    assert names and f">{names[0]}<" in chart and f">{old}<" not in chart


def test_report_renders_in_chromium(report, seed_warehouse):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt)")
    from playwright.sync_api import sync_playwright

    path, first = report
    with connect_readonly(seed_warehouse[0]) as con:
        top_entity = con.execute("SELECT canonical_name FROM entities ORDER BY mention_count DESC, article_count DESC,"
                                 " canonical_name LIMIT 1").fetchone()[0]
        top_speaker = con.execute("SELECT speaker FROM quotes_with_mentions WHERE speaker IS NOT NULL"
                                  " GROUP BY 1 ORDER BY count(*) DESC, speaker LIMIT 1").fetchone()[0]
    ARTIFACTS.mkdir(exist_ok=True)
    blocked = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        def guard(route):
            url = route.request.url
            if url.startswith(("file:", "data:", "blob:", "http://127.0.0.1", "http://localhost")):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        page.route("**/*", guard)
        page.goto(path.as_uri(), wait_until="load")
        marks = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('svg.chart')].map(s => [
            s.dataset.chart, {marks: s.querySelectorAll('.mark').length,
                              drawn: [...s.querySelectorAll('.mark')].filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length,
                              labels: [...s.querySelectorAll('text')].map(t => t.textContent),
                              width: s.getBoundingClientRect().width}]))""")
        rtl = page.evaluate("""() => [...document.querySelectorAll('svg.chart text')].filter(t => /[\\u0600-\\u06FF]/.test(t.textContent))
            .map(t => getComputedStyle(t).direction)""")
        # Shaping: a label drawn with joined letters is narrower than the same letters kept apart by
        # zero-width non-joiners (isolated forms), which is what an unshaped rendering would show.
        shaped = page.evaluate("""() => {
            const t = [...document.querySelectorAll('svg[data-chart=top-entities] text')]
                .find(t => /[\\u0600-\\u06FF]{3}/.test(t.textContent));
            const apart = t.cloneNode();
            apart.textContent = [...t.textContent].join('\\u200c');
            t.ownerSVGElement.appendChild(apart);
            const widths = [t.getComputedTextLength(), apart.getComputedTextLength()];
            apart.remove();
            return widths; }""")
        page.screenshot(path=str(ARTIFACTS / "run-report.png"), full_page=True)
        browser.close()
    assert blocked == []
    assert set(marks) == {"top-entities", "top-speakers", "timeline", "network"}
    for name, chart in marks.items():
        assert chart["marks"] > 0 and chart["drawn"] == chart["marks"] and chart["width"] > 100, name
    assert top_entity in marks["top-entities"]["labels"]
    assert top_speaker in marks["top-speakers"]["labels"]
    assert any(any("\u0600" <= ch <= "\u06ff" for ch in label) for label in marks["network"]["labels"])
    assert rtl and set(rtl) == {"rtl"}
    assert 0 < shaped[0] < 0.9 * shaped[1], f"Arabic label not shaped: {shaped}"
    assert (ARTIFACTS / "run-report.png").stat().st_size > 20_000


def test_publish_report_links_the_report_from_the_flow_run(seed_warehouse):
    import asyncio

    from prefect import flow, get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.report_task import ARTIFACT_KEY, publish_report

    wh, first, _ = seed_warehouse

    @flow(name="report-probe")
    def probe():
        from prefect.runtime import flow_run

        return publish_report(str(wh), first["run_id"]), flow_run.get_id()

    path, flow_run_id = probe()
    assert Path(path) == wh.parent / "reports" / f"{first['run_id']}.html" and Path(path).exists()

    async def artifacts():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY])))

    linked = {str(a.flow_run_id): a.data for a in asyncio.run(artifacts())}
    assert Path(path).resolve().as_uri() in linked[flow_run_id]
