"""Hostile inputs: every file accounted for, correctly encoded Arabic intact, bad parts isolated.

The corpus is built here, byte by byte, then ingested by the real flow into a real warehouse.
"""

import gzip
import io
import json
import os
import zipfile

import pytest

from akhbar.warehouse import connect_readonly

AR = "قال الوزير إن الحكومة ستفتح ثلاثة مستشفيات جديدة في مدينة طرابلس قبل نهاية العام"
TITLE = "الحكومة تعلن خطة صحية"


def story(title=TITLE, body=AR) -> str:
    return f"{title}\n\n{body}.\n"


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


# file name -> (bytes, expected status, expected substring of the reason or None, Arabic that must be stored intact)
CORPUS = {
    "empty.txt": (b"", "rejected", "empty file", None),
    "whitespace.txt": (b"  \n\t\r\n   \n", "rejected", "whitespace only", None),
    "noise.txt": (bytes((i * 7919 + 13) % 256 for i in range(4096)), "rejected", "binary content", None),
    "photo.txt": (b"\x89PNG\r\n\x1a\n" + bytes(200), "rejected", "PNG image", None),
    "cp1256.txt": (story().encode("cp1256"), "loaded", None, AR),
    "iso8859-6.txt": (story().encode("iso8859-6"), "loaded", None, AR),
    "utf16le-bom.txt": (b"\xff\xfe" + story().encode("utf-16-le"), "loaded", None, AR),
    "utf16be-bom.txt": (b"\xfe\xff" + story().encode("utf-16-be"), "loaded", None, AR),
    "utf8-bom.txt": (b"\xef\xbb\xbf" + story().encode(), "loaded", None, AR),
    "cut-in-a-character.txt": (story().encode()[:-3], "loaded", "incomplete UTF-8", AR[:-4]),
    "nul-bytes.txt": (story().encode().replace("ثلاثة".encode(), b"\x00" + "ثلاثة".encode(), 1), "loaded", "NUL", AR),
    "cr-only.txt": (story().replace("\n", "\r").encode(), "loaded", None, AR),
    "crlf.txt": (story().replace("\n", "\r\n").encode(), "loaded", None, AR),
    "one-huge-line.txt": ((TITLE + "\n" + (AR + "، ") * 40_000).encode(), "loaded", None, AR),
    "run-on-speech-verbs.txt": (story(title="قال قال", body="قال الوزير إن " * 20_000).encode(), "loaded", None, "قال الوزير إن قال الوزير إن"),
    "unbalanced-quotes.txt": (story(body=f'قال الوزير: "{AR}\nوأضاف «أن الخطة جاهزة').encode(), "loaded", None, AR),
    "tatweel.txt": (story(body=AR.replace("الحكومة", "الحكـــومة")).encode(), "loaded", None, AR),
    "presentation-forms.txt": (story(title="ﺍﻟﺤﻜﻮﻣﺔ ﺗﻌﻠﻦ").encode(), "loaded", None, AR),
    "bidi-controls.txt": (story(body="\u200f" + AR.replace(" ", " \u200e", 3) + "\u202b").encode(), "loaded", None, AR),
    "diacritised.txt": (story(body="قَالَ الوَزِيرُ إِنَّ الحُكُومَةَ سَتَفْتَحُ").encode(), "loaded", None, "قَالَ الوَزِيرُ إِنَّ الحُكُومَةَ سَتَفْتَحُ"),
    "english.txt": (b"Minister opens hospital\n\nThe minister said the government will open three hospitals.\n", "loaded", None, None),
    "broken.json": (b'{"title": "\xd8\xb9", "text": ', "rejected", "invalid JSON", None),
    "one-bad-line.jsonl": (
        "\n".join([json.dumps({"title": TITLE, "text": AR}, ensure_ascii=False), "{not json",
                   json.dumps({"title": "خبر ثان", "text": AR + " أيضا"}, ensure_ascii=False)]).encode(),
        "loaded", "1 of 3 lines rejected", AR),
    "windows-1256.html": (
        ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
         f"<title>{TITLE}</title></head><body><article><h1>{TITLE}</h1><p>{AR}.</p><p>{AR} مرة أخرى.</p>"
         "</article></body></html>").encode("cp1256"), "loaded", None, AR),
    "good.zip": (zip_bytes({"a.txt": story().encode(), "b.json": json.dumps({"title": TITLE, "text": AR + " ثانيا"}, ensure_ascii=False).encode()}), "loaded", None, AR),
    "corrupt.zip": (zip_bytes({"a.txt": story().encode()})[:-40], "rejected", "zip", None),
    "story.txt.gz": (gzip.compress(story().encode(), mtime=0), "loaded", None, AR),
    "folder.txt/inside.txt": (story().encode(), "loaded", None, AR),
    "nested/a/b/c/deep.txt": (story(title="خبر في مجلد عميق").encode(), "loaded", None, AR),
    "it's \"quoted\"; semi colon.txt": (story(title="خبر باسم غريب").encode("cp1256"), "loaded", None, AR),
    "خبر عاجل.txt": (story(title="خبر عاجل").encode(), "loaded", None, AR),
    "same-bytes-as-crlf.txt": (story().replace("\n", "\r\n").encode(), "duplicate", "same bytes as", None),
}


@pytest.fixture(scope="module")
def hostile(prefect_api, tmp_path_factory):
    from flows.ingest import ingest

    src = tmp_path_factory.mktemp("hostile")
    for name, (data, *_rest) in CORPUS.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    wh = tmp_path_factory.mktemp("hostile-wh") / "w.duckdb"
    result = ingest(source=str(src), warehouse=str(wh), batch_size=7)
    return src, wh, result


def uri(src, name) -> str:
    return f"file://{(src / name).resolve()}"


def test_the_run_completes_and_counts_every_file(hostile):
    _, _, result = hostile
    expected = {s: sum(1 for v in CORPUS.values() if v[1] == s) for s in ("loaded", "rejected", "duplicate")}
    assert result["seen"] == len(CORPUS) == sum(expected.values())
    assert {s: result[s] for s in expected} == expected


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_file_has_its_outcome(hostile, name):
    src, wh, _ = hostile
    _, status, reason, arabic = CORPUS[name]
    with connect_readonly(wh) as con:
        rows = con.execute("SELECT status, reason FROM ingest_files WHERE source_uri = ?", [uri(src, name)]).fetchall()
        texts = [t for (t,) in con.execute(  # its articles, or the stored articles it duplicates
            "SELECT text FROM articles WHERE source_uri = ? OR starts_with(source_uri, ? || '!')"
            " UNION ALL SELECT a.text FROM duplicate_documents d JOIN articles a ON a.article_id = d.duplicate_of"
            " WHERE d.source_uri = ? OR starts_with(d.source_uri, ? || '!')",
            [uri(src, name)] * 4).fetchall()]
    assert len(rows) == 1, rows
    assert rows[0][0] == status, rows
    if reason:
        assert reason in (rows[0][1] or ""), rows
    if status == "loaded":
        assert texts, "a loaded file has articles"
        assert all("\ufffd" not in t for t in texts)
    if arabic:
        assert any(arabic in t for t in texts), texts[0][:200]


def test_the_bad_jsonl_line_does_not_cost_its_neighbours(hostile):
    src, wh, _ = hostile
    with connect_readonly(wh) as con:
        keys = [k for (k,) in con.execute("SELECT doc_key FROM articles WHERE source_uri = ? ORDER BY 1",
                                          [uri(src, "one-bad-line.jsonl")]).fetchall()]
    assert keys == ["L1", "L3"]


def test_a_file_over_the_size_limit_is_rejected_with_a_reason(tmp_path, monkeypatch):
    from akhbar.pipeline import transform_batch
    import polars as pl

    (tmp_path / "big.txt").write_bytes(story().encode() * 100)
    (tmp_path / "small.txt").write_bytes(story().encode())
    monkeypatch.setenv("AKHBAR_MAX_FILE_BYTES", "1000")
    items = [(f"file://{tmp_path}/big.txt", None), (f"file://{tmp_path}/small.txt", None)]
    result = transform_batch(items, tmp_path / "stage")
    files = pl.read_parquet(tmp_path / "stage" / "files.parquet").sort("source_uri")
    assert files["status"].to_list() == ["rejected", "ok"]
    assert files["reason"][0] == f"file too large: {len(story().encode()) * 100} bytes > 1000 (AKHBAR_MAX_FILE_BYTES)"
    assert result.documents == 1


def test_a_symlink_leading_outside_the_source_is_rejected_unless_allowed(tmp_path, monkeypatch):
    from akhbar.pipeline import transform_batch
    import polars as pl

    src, outside = tmp_path / "src", tmp_path / "private"
    src.mkdir(), outside.mkdir()
    (outside / "secret.txt").write_bytes(story(title="سر").encode())
    (src / "inside.txt").write_bytes(story().encode())
    (src / "link.txt").symlink_to(outside / "secret.txt")
    (src / "inner-link.txt").symlink_to(src / "inside.txt")
    items = [(f"file://{src}/{n}", None) for n in ("inner-link.txt", "inside.txt", "link.txt")]

    transform_batch(items, tmp_path / "stage", root=str(src))
    files = pl.read_parquet(tmp_path / "stage" / "files.parquet").sort("source_uri")
    assert files["status"].to_list() == ["ok", "ok", "rejected"]
    assert files["reason"][2] == (f"symlink leads outside the source folder (to {outside}/secret.txt);"
                                  " set AKHBAR_ALLOW_OUTSIDE_LINKS=1 to read it")

    monkeypatch.setenv("AKHBAR_ALLOW_OUTSIDE_LINKS", "1")
    transform_batch(items, tmp_path / "stage", root=str(src))
    assert pl.read_parquet(tmp_path / "stage" / "files.parquet")["status"].to_list() == ["ok", "ok", "ok"]


def test_the_same_story_in_another_encoding_is_stored_once_and_points_at_the_first(hostile):
    src, wh, result = hostile
    with connect_readonly(wh) as con:
        reason = con.execute("SELECT reason FROM ingest_files WHERE source_uri = ?",
                             [uri(src, "iso8859-6.txt")]).fetchone()[0]
        first = con.execute(
            "SELECT a.source_uri FROM duplicate_documents d JOIN articles a ON a.article_id = d.duplicate_of"
            " WHERE d.source_uri = ?", [uri(src, "iso8859-6.txt")]).fetchall()
        stored = con.execute("SELECT count(*), count(DISTINCT content_sha256) FROM articles").fetchone()
    assert reason == "1 of 1 documents already stored (see duplicate_documents)"
    assert first == [(uri(src, "cp1256.txt"),)]
    assert stored[0] == stored[1]  # no content stored twice
    assert result["duplicate_documents"] > 0


def test_symlinks_and_broken_links_are_listed_and_accounted_for(prefect_api, tmp_path):
    from flows.ingest import ingest

    src, outside = tmp_path / "src", tmp_path / "outside"
    src.mkdir(), outside.mkdir()
    (src / "real.txt").write_bytes(story(title="خبر حقيقي").encode())
    (src / "inner-link.txt").symlink_to(src / "real.txt")
    (outside / "other.txt").write_bytes(story(title="خبر بعيد").encode())
    (src / "outer-link.txt").symlink_to(outside / "other.txt")
    (src / "broken-link.txt").symlink_to(tmp_path / "missing.txt")
    wh = tmp_path / "w.duckdb"
    result = ingest(source=str(src), warehouse=str(wh))
    assert result["seen"] == 4
    with connect_readonly(wh) as con:
        rows = dict(con.execute("SELECT regexp_extract(source_uri, '[^/]+$'), status || ': ' || coalesce(reason, '')"
                                " FROM ingest_files").fetchall())
    assert rows["inner-link.txt"] == "loaded: "  # read through the link; first by name
    assert rows["real.txt"].startswith("duplicate: same bytes as") and rows["real.txt"].endswith("/src/inner-link.txt")
    assert rows["outer-link.txt"].startswith("rejected: symlink leads outside the source folder")
    assert rows["broken-link.txt"] == "rejected: not a regular file (a broken symlink, a socket or a device)"
