"""Tests of the READ stage (transforms/read.py): formats, encodings, dates, rejections,
archives, listing, frames, the committed seeds and samples of the shared corpora."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import importlib.util
import io
import json
import os
import random
import re
import tarfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import fsspec
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.read import DOCUMENT_SCHEMA, FILE_SCHEMA, list_files, read_bytes, read_files
from transforms.read_formats import parse_datetime

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds" / "articles"
SHARED = Path(os.environ.get("AKHBAR_SHARED", REPO.parent / "shared"))
ANT = SHARED / "data" / "corpus" / "ant_multisource"
SAUDI = SHARED / "data" / "corpus" / "saudinewsnet"

UTC = timezone.utc

# An original two-paragraph story used by the encoding tests.
TITLE = "وزير النقل يفتتح محطة القطار الجديدة"
BODY = (
    "القاهرة - افتتح وزير النقل، الوزير كامل الشريف، اليوم محطة القطار الجديدة في حلوان.\n"
    'وقال الشريف إن المحطة "ستخدم أكثر من مئة ألف راكب يوميا"، وأكد أن العمل سيبدأ غدا.'
)
STORY = f"{TITLE}\n\n{BODY}\n"


def one(uri: str, data: bytes) -> tuple[dict, dict]:
    """read_bytes for a file expected to hold exactly one document."""
    docs, row = read_bytes(uri, data)
    assert row["status"] == "ok", row
    assert len(docs) == 1, docs
    return docs[0], row


def rejected(uri: str, data: bytes) -> str:
    docs, row = read_bytes(uri, data)
    assert docs == [] and row["status"] == "rejected" and row["documents"] == 0, row
    return row["reason"]


# ---------------------------------------------------------------------------------------
# .txt


def test_txt_front_matter_between_dashes():
    data = (
        "---\nurl: https://x.example/a\npublished_at: 2024-03-12T10:30:00+02:00\n"
        "source: أخبار المثال\nauthor: مكتب القاهرة\n---\n" + STORY
    ).encode()
    doc, row = one("file:///a.txt", data)
    assert (doc["url"], doc["source_name"], doc["author"]) == ("https://x.example/a", "أخبار المثال", "مكتب القاهرة")
    assert doc["published_at"] == datetime(2024, 3, 12, 8, 30, tzinfo=UTC)
    assert (doc["title"], doc["body"]) == (TITLE, BODY)
    assert (doc["doc_key"], doc["format"], row["format"], row["encoding"]) == ("", "txt", "txt", "utf-8")


def test_txt_front_matter_as_leading_lines_before_a_blank_line():
    data = ("url: https://x.example/b\nauthor: هالة سعيد\n\n" + STORY).encode()
    doc, _ = one("file:///b.txt", data)
    assert (doc["url"], doc["author"], doc["title"], doc["body"]) == ("https://x.example/b", "هالة سعيد", TITLE, BODY)


def test_txt_title_with_a_colon_is_not_front_matter():
    data = "سوريا: وزير الخارجية يصل إلى عمّان\n\nعمّان - وصل الوزير اليوم.\n".encode()
    doc, _ = one("file:///c.txt", data)
    assert doc["title"] == "سوريا: وزير الخارجية يصل إلى عمّان" and doc["url"] is None


def test_txt_unknown_key_without_delimiters_is_not_front_matter():
    doc, _ = one("file:///d.txt", b"Breaking: rain in Cairo\n\nCairo - It rained.\n")
    assert doc["title"] == "Breaking: rain in Cairo" and doc["body"] == "Cairo - It rained."


def test_txt_seed_layout_keeps_summary_lines_and_collapses_blank_lines():
    text = "العنوان الرئيسي\n\nسطر الملخص الأول\nسطر الملخص الثاني\n\n\nطرابلس - نص الخبر.\r\n\r\n  عنوان فرعي  \nفقرة أخيرة."
    doc, _ = one("file:///e.txt", text.encode())
    assert doc["title"] == "العنوان الرئيسي"
    assert doc["body"] == "سطر الملخص الأول\nسطر الملخص الثاني\nطرابلس - نص الخبر.\nعنوان فرعي\nفقرة أخيرة."


def test_txt_keeps_tatweel_diacritics_and_eastern_digits():
    text = "خبـــر عاجل\nقال الوزيـــر إنّ المشروعَ يضم ١٢٠ مدرسة."
    doc, _ = one("file:///f.txt", text.encode())
    assert doc["title"] == "خبـــر عاجل" and doc["body"] == "قال الوزيـــر إنّ المشروعَ يضم ١٢٠ مدرسة."


def test_txt_title_only_is_rejected():
    assert rejected("file:///g.txt", "عنوان فقط\n\n".encode()) == "no body text (only a title line)"


# ---------------------------------------------------------------------------------------
# .html

HTML_PARAS = "".join(
    f"<p>{p}</p>\n"
    for p in [
        "تونس - أطلقت وزارة الصحة، صباح الاثنين، حملة وطنية للتلقيح تستهدف أكثر من مليون طفل.",
        "وقالت وزيرة الصحة، الدكتورة ليلى المنصوري: «التلقيح مجاني في كل المراكز الصحية».",
        'وأضافت أن الوزارة رصدت ميزانية إضافية، مؤكدة أن "الهدف هو تغطية شاملة".',
    ]
)


def html_page(head: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='ar'><head>{head}<title>حملة التلقيح | الموقع</title></head><body>"
        "<nav><a href='/'>الرئيسية</a> | <a href='/x'>سياسة</a></nav>"
        f"<article><h1>وزارة الصحة تطلق حملة وطنية للتلقيح</h1>\n{HTML_PARAS}</article>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    )


def test_html_declaring_windows_1256_decodes_as_cp1256():
    page = html_page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">')
    doc, row = one("file:///p.html", page.encode("cp1256"))
    assert row["encoding"] == "cp1256" and doc["encoding"] == "cp1256"
    assert "\ufffd" not in doc["body"]
    assert doc["body"].splitlines()[0].startswith("تونس - أطلقت وزارة الصحة")
    assert "الرئيسية" not in doc["body"] and "جميع الحقوق" not in doc["body"]


def test_html_meta_charset_short_form():
    doc, row = one("file:///q.htm", html_page('<meta charset="windows-1256">').encode("cp1256"))
    assert row["format"] == "html" and "المنصوري" in doc["body"]


def test_html_metadata_og_title_date_canonical_author():
    head = (
        '<meta charset="utf-8"><meta property="og:title" content="وزارة الصحة تطلق حملة وطنية للتلقيح">'
        '<meta property="article:published_time" content="2024-02-19T07:45:00+01:00">'
        '<meta name="author" content="نادية بن عمر"><meta property="og:site_name" content="أخبار المثال">'
        '<link rel="canonical" href="https://x.example/2024/02/19/vaccines">'
    )
    doc, _ = one("file:///r.html", html_page(head).encode())
    assert doc["title"] == "وزارة الصحة تطلق حملة وطنية للتلقيح"
    assert doc["published_at"] == datetime(2024, 2, 19, 6, 45, tzinfo=UTC)
    assert (doc["url"], doc["author"], doc["source_name"]) == (
        "https://x.example/2024/02/19/vaccines",
        "نادية بن عمر",
        "أخبار المثال",
    )
    assert doc["body"].split("\n") == [re.sub("<.*?>", "", p) for p in HTML_PARAS.strip().split("\n")]


def test_html_wrongly_declaring_cp1256_but_utf8_bytes_is_utf8():
    doc, row = one("file:///s.html", html_page('<meta charset="windows-1256">').encode("utf-8"))
    assert row["encoding"] == "utf-8" and "وزيرة الصحة" in doc["body"]


def test_html_without_main_text_is_rejected():
    reason = rejected("file:///t.html", b"<html><head><title>x</title></head><body></body></html>")
    assert reason == "no main text found in HTML"


# ---------------------------------------------------------------------------------------
# .json / .jsonl


def test_json_news_please_object():
    obj = {
        "title": "عنوان",
        "maintext": "الرياض - فقرة أولى.\n\n فقرة ثانية.",
        "date_publish": "2015-07-21 02:51:32",
        "url": "https://x.example/1",
        "source_domain": "x.example",
        "authors": ["سارة القحطاني", "فهد العتيبي"],
    }
    doc, row = one("file:///a.json", json.dumps(obj, ensure_ascii=False).encode())
    assert doc["body"] == "الرياض - فقرة أولى.\nفقرة ثانية."
    assert doc["published_at"] == datetime(2015, 7, 21, 2, 51, 32, tzinfo=UTC)
    assert (doc["doc_key"], doc["source_name"], doc["author"]) == ("", "x.example", "سارة القحطاني، فهد العتيبي")
    assert row["format"] == doc["format"] == "json"


@pytest.mark.parametrize("body_key", ["maintext", "text", "content", "body"])
def test_json_body_keys(body_key):
    doc, _ = one("file:///b.json", json.dumps({"title": "ت", body_key: "نص الخبر"}).encode())
    assert doc["body"] == "نص الخبر"


@pytest.mark.parametrize(
    "date_key", ["date_publish", "published_at", "date", "date_extracted"]
)
def test_json_date_keys(date_key):
    doc, _ = one("file:///c.json", json.dumps({"text": "نص", date_key: "2018-02-20"}).encode())
    assert doc["published_at"] == datetime(2018, 2, 20, tzinfo=UTC)


def test_json_array_doc_keys_are_id_or_index():
    arr = [{"id": "a-1", "title": "أ", "content": "نص أ"}, {"title": "ب", "content": "نص ب"}, {"id": 7, "content": "نص ج"}]
    docs, row = read_bytes("file:///d.json", json.dumps(arr).encode())
    assert [d["doc_key"] for d in docs] == ["a-1", "#1", "7"]
    assert row == row | {"status": "ok", "documents": 3, "reason": None}
    assert docs[2]["title"] is None


def test_json_object_without_body_is_a_rejected_document_not_a_crash():
    arr = [{"title": "أ", "content": "نص"}, {"title": "ب", "content": " "}, "not an object"]
    docs, row = read_bytes("file:///e.json", json.dumps(arr).encode())
    assert [d["title"] for d in docs] == ["أ"]
    assert row["status"] == "ok"
    assert row["reason"] == "2 of 3 documents rejected: #1: no body text; #2: not a JSON object (str)"


def test_json_single_object_without_body_is_rejected():
    assert rejected("file:///f.json", b'{"title": "x", "content": ""}') == "no body text"


def test_jsonl_three_articles_with_line_keys():
    lines = [{"title": f"خبر {i}", "text": f"نص {i}"} for i in range(3)]
    data = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()
    docs, row = read_bytes("file:///g.jsonl", data)
    assert [d["doc_key"] for d in docs] == ["L1", "L2", "L3"]
    assert [d["body"] for d in docs] == ["نص 0", "نص 1", "نص 2"]
    assert (row["format"], row["documents"], row["reason"]) == ("jsonl", 3, None)


def test_jsonl_bad_line_keeps_its_neighbours():
    good = [json.dumps({"title": f"t{i}", "content": f"body {i}"}) for i in range(5)]
    good[2] = '{"title": "broken", "content": '
    docs, row = read_bytes("file:///h.jsonl", "\n".join(good).encode())
    assert [d["doc_key"] for d in docs] == ["L1", "L2", "L4", "L5"]
    assert row["status"] == "ok"
    assert row["reason"].startswith("1 of 5 lines rejected: line 3: invalid JSON: ")


def test_json_file_holding_json_lines_is_read_as_jsonl():
    data = b'{"id": "x1", "text": "a"}\n{"id": "x2", "text": "b"}\n'
    docs, row = read_bytes("file:///i.json", data)
    assert [d["doc_key"] for d in docs] == ["x1", "x2"] and row["format"] == "jsonl"


def test_broken_json_is_rejected_with_line_number():
    assert rejected("file:///j.json", b'{"title": "x",\n') .startswith("invalid JSON at line 2: ")
    assert rejected("file:///k.json", b"[1, 2") .startswith("invalid JSON at line 1: ")


# ---------------------------------------------------------------------------------------
# TREC / Gigaword <DOC>


def trec_doc(no: str, title: str, text: str, abstract: str = "", extra: str = "") -> str:
    return (
        f"<DOC>\n<DOCNO>{no}</DOCNO>\n<URL>https://x.example/{no}</URL>\n<SRC>akhbar</SRC>\n<CAT>world</CAT>\n"
        f"<TITLE>{title}</TITLE>\n<TIME>Tue, 20 Feb 2018 01:44:01 GMT</TIME>\n<AUTHOR>{extra}</AUTHOR>\n"
        f"<ABSTRACT>\n{abstract}\n</ABSTRACT>\n<TEXT>\n{text}\n</TEXT>\n</DOC>\n"
    )


def test_trec_multi_document_file():
    data = "".join(trec_doc(f"AK-{i}", f"عنوان {i}", f"نص الخبر رقم {i}.\nفقرة ثانية.") for i in range(3))
    docs, row = read_bytes("file:///bulletin.txt", data.encode())
    assert [d["doc_key"] for d in docs] == ["AK-0", "AK-1", "AK-2"]
    assert docs[1]["title"] == "عنوان 1" and docs[1]["body"] == "نص الخبر رقم 1.\nفقرة ثانية."
    assert docs[0]["published_at"] == datetime(2018, 2, 20, 1, 44, 1, tzinfo=UTC)
    assert docs[0]["source_name"] == "akhbar" and docs[0]["url"] == "https://x.example/AK-0"
    assert (row["format"], row["documents"], docs[0]["format"]) == ("trec", 3, "trec")
    assert len({d["article_id"] for d in docs}) == 3


def test_trec_tolerates_unescaped_ampersand_bare_lt_and_missing_closing_tags():
    data = (
        "<DOC>\n<DOCNO>AK-1</DOCNO>\n<TITLE>S&P ترفع التصنيف &amp; تثبت النظرة</TITLE>\n"
        "<AUTHOR>عمّان - مراسلنا\n<TEXT>\nقال الوزير إن العجز تراجع إلى <4% وإن S&P رفعت التصنيف.\n"
        "<DOC>\n<DOCNO>AK-2</DOCNO>\n<TITLE>الخبر الثاني</TITLE>\n<TEXT>\nنص ثان\n</TEXT>\n</DOC>\n"
    )
    docs, row = read_bytes("file:///bad.xml", data.encode())
    assert row["status"] == "ok" and [d["doc_key"] for d in docs] == ["AK-1", "AK-2"]
    assert docs[0]["title"] == "S&P ترفع التصنيف & تثبت النظرة"
    assert docs[0]["author"] == "عمّان - مراسلنا"
    assert docs[0]["body"] == "قال الوزير إن العجز تراجع إلى <4% وإن S&P رفعت التصنيف."
    assert docs[1]["body"] == "نص ثان"


def test_trec_unescapes_entities():
    data = trec_doc("AK-9", "أ &quot;ب&quot;", "نص &#1575;&lt;ب&gt; &amp; ج")
    doc, _ = one("file:///ent.sgml", data.encode())
    assert doc["title"] == 'أ "ب"' and doc["body"] == "نص ا<ب> & ج"


def test_trec_abstract_repeating_the_lead_is_dropped():
    lead = "القاهرة - قرر البنك المركزي تثبيت أسعار الفائدة للمرة الثالثة على التوالي في ظل تراجع التضخم."
    doc, _ = one("file:///a1", trec_doc("A1", "ت", f"{lead}\nفقرة ثانية.", abstract=lead[:60]).encode())
    assert doc["body"] == f"{lead}\nفقرة ثانية."


def test_trec_abstract_with_hashtags_and_merged_lines_counts_as_repeated():
    text = "عاد الطفل حمزة لبيض إلى حياته الاعتيادية في مدينة تمارة.\nوفي يومياته يذهب إلى المدرسة."
    abstract = "عاد الطفل #حمزة_لبيض إلى حياته الاعتيادية في مدينة تمارة. وفي يومياته يذ"
    doc, _ = one("file:///a2", trec_doc("A2", "ت", text, abstract=abstract).encode())
    assert doc["body"] == text


def test_trec_distinct_abstract_is_kept_as_first_paragraph():
    doc, _ = one("file:///a3", trec_doc("A3", "ت", "جنيف - انطلقت المحادثات.", abstract="الأمم المتحدة تدعو إلى هدنة.").encode())
    assert doc["body"] == "الأمم المتحدة تدعو إلى هدنة.\nجنيف - انطلقت المحادثات."


def test_trec_empty_text_falls_back_to_abstract_and_empty_both_is_rejected():
    doc, _ = one("file:///a4", trec_doc("A4", "ت", "", abstract="الملخص وحده.").encode())
    assert doc["body"] == "الملخص وحده."
    docs, row = read_bytes("file:///a5", trec_doc("A5", "ت", "", abstract="").encode())
    assert docs == [] and row["reason"] == "1 of 1 documents rejected: A5: no body text"


@pytest.mark.parametrize("name", ["file:///c/DOC1", "file:///c/x.xml", "file:///c/x.sgml", "file:///c/x.txt", "file:///c/x.html"])
def test_doc_files_are_recognised_whatever_the_extension(name):
    doc, row = one(name, trec_doc("K1", "عنوان", "نص").encode())
    assert row["format"] == "trec" and doc["doc_key"] == "K1"


def test_trec_extension_without_doc_element_is_rejected():
    assert rejected("file:///x.trec", "مجرد نص بلا وسوم".encode()) == "no <DOC> element"


def test_gigaword_story_with_headline_dateline_and_paragraphs():
    data = (
        '<DOC id="AFP_ARB_20010304.0012" type="story" >\n<HEADLINE>\nانتخاب رئيس جديد للاتحاد\n</HEADLINE>\n'
        "<DATELINE>\nالدوحة 4 آذار/مارس (اف ب) -\n</DATELINE>\n<TEXT>\n<P>\nانتخبت الجمعية العمومية السيد جاسم\n"
        "المري رئيسا للاتحاد.\n</P>\n<P>\nوقال المري إن الاتحاد &quot;سيعمل بجد&quot;.\n</P>\n</TEXT>\n</DOC>\n"
    )
    doc, row = one("file:///afp_arb_200103", data.encode())
    assert (row["format"], doc["doc_key"], doc["title"]) == ("gigaword", "AFP_ARB_20010304.0012", "انتخاب رئيس جديد للاتحاد")
    assert doc["body"] == (
        "الدوحة 4 آذار/مارس (اف ب) - انتخبت الجمعية العمومية السيد جاسم المري رئيسا للاتحاد.\n"
        'وقال المري إن الاتحاد "سيعمل بجد".'
    )
    assert doc["published_at"] == datetime(2001, 3, 4, tzinfo=UTC)


def test_repeated_doc_keys_stay_unique():
    data = trec_doc("SAME", "أ", "نص أ") + trec_doc("SAME", "ب", "نص ب")
    docs, _ = read_bytes("file:///dup.sgml", data.encode())
    assert [d["doc_key"] for d in docs] == ["SAME", "SAME~1"]
    assert docs[0]["article_id"] != docs[1]["article_id"]


# ---------------------------------------------------------------------------------------
# encodings


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (STORY.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + STORY.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + STORY.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + STORY.encode("utf-16-be"), "utf-16"),
        (STORY.encode("utf-16-le"), "utf-16-le"),
        (STORY.encode("utf-16-be"), "utf-16-be"),
        (STORY.encode("utf-32"), "utf-32"),
        (STORY.encode("cp1256"), "cp1256"),
        (STORY.encode("iso8859-6"), "iso8859-6"),
        (STORY.replace("\n", "\r\n").encode("cp1256"), "cp1256"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "utf32", "cp1256", "iso8859-6", "cp1256-crlf"],
)
def test_encodings_arrive_intact(data, encoding):
    doc, row = one("file:///enc.txt", data)
    assert (row["encoding"], doc["encoding"]) == (encoding, encoding)
    assert (doc["title"], doc["body"]) == (TITLE, BODY)
    assert "\ufffd" not in doc["title"] + doc["body"]


@pytest.mark.parametrize(
    "text",
    ["خبر عاجل\nقال الوزير إن الوضع مستقر.", "هل؟\nنعم، قال.", "مرحبا بكم\nفي القاهرة"],
)
@pytest.mark.parametrize("encoding", ["cp1256", "iso8859-6"])
def test_short_legacy_arabic_texts(text, encoding):
    doc, row = one("file:///short.txt", text.encode(encoding))
    assert row["encoding"] == encoding
    assert doc["title"] + "\n" + doc["body"] == text


def test_windows_1256_specific_characters():
    text = "«تقرير» خاص ـ الحلقة الأولى\nقال الوزير: «ستبدأ الأعمال غداً»… وأضاف أنّ المشروع مموّل."
    doc, row = one("file:///w.txt", text.encode("cp1256"))
    assert row["encoding"] == "cp1256" and doc["title"] + "\n" + doc["body"] == text


def test_utf16_arabic_only_text_without_bom_or_ascii():
    text = "خبر\nنص"
    doc, row = one("file:///u.txt", text.encode("utf-16-le"))
    assert row["encoding"] == "utf-16-le" and (doc["title"], doc["body"]) == ("خبر", "نص")


# ---------------------------------------------------------------------------------------
# rejections


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.txt", b"", "empty file"),
        ("b.txt", b" \n\t\r\n  ", "empty file (whitespace only)"),
        ("c.txt", codecs.BOM_UTF8 + b"\n\n", "empty file (whitespace only)"),
        ("d.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary content (PNG image)"),
        ("e.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(200), "binary content (JPEG image)"),
        ("f.json", b"GIF89a\x01\x00\x01\x00", "binary content (GIF image)"),
        ("g.html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary content (PDF document)"),
        ("h.txt", b"abc\x00def\x00\x01\x02\x03" * 50, "binary content (NUL bytes)"),
        ("i.txt", bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 65, 66]) * 40, "binary content (86% control characters)"),
        ("README.md", b"# notes\n\ntext\n", "unsupported file type (.md)"),
    ],
)
def test_rejection_reasons(name, data, reason):
    assert rejected(f"file:///r/{name}", data) == reason


def test_random_binary_noise_is_rejected():
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(4000))
    assert rejected("file:///noise.txt", noise).startswith("binary content")


def test_corrupt_zip_and_gzip_are_rejected():
    assert rejected("file:///x.zip", b"PK\x03\x04 truncated") == "corrupt zip: File is not a zip file"
    assert rejected("file:///y.zip", b"plain text") == "corrupt zip: File is not a zip file"
    assert rejected("file:///z.gz", b"\x1f\x8b\x08\x00junk").startswith("corrupt gzip: ")


def test_file_row_fields():
    data = STORY.encode()
    _, row = read_bytes("file:///row.txt", data)
    assert row == {
        "source_uri": "file:///row.txt",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "format": "txt",
        "encoding": "utf-8",
        "status": "ok",
        "reason": None,
        "documents": 1,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from([b"<DOC>", b"<DOC><TEXT>", b"{", b"[{}]", b"PK\x03\x04", b"\x1f\x8b", b"---\n---\n"]).flatmap(
            lambda head: st.binary(max_size=200).map(lambda tail: head + tail)
        ),
    ),
    ext=st.sampled_from(["txt", "json", "jsonl", "html", "xml", "zip", "gz", "tar.gz", "", "md"]),
)
def test_read_bytes_never_raises(data, ext):
    docs, row = read_bytes(f"file:///fuzz/f.{ext}" if ext else "file:///fuzz/f", data)
    assert row["status"] in ("ok", "rejected")
    assert row["documents"] == len(docs)
    assert (row["status"] == "ok") == bool(docs)
    assert not (row["reason"] or "").startswith("internal error"), row["reason"]


# ---------------------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018-02-20T01:44:01Z", datetime(2018, 2, 20, 1, 44, 1, tzinfo=UTC)),
        ("2018-02-20T04:44:01+03:00", datetime(2018, 2, 20, 1, 44, 1, tzinfo=UTC)),
        ("2018-02-20T01:44:01.250000", datetime(2018, 2, 20, 1, 44, 1, 250000, tzinfo=UTC)),
        ("2018-02-20", datetime(2018, 2, 20, tzinfo=UTC)),
        ("2015-07-21 02:51:32", datetime(2015, 7, 21, 2, 51, 32, tzinfo=UTC)),
        ("Tue, 20 Feb 2018 01:44:01 GMT", datetime(2018, 2, 20, 1, 44, 1, tzinfo=UTC)),
        ("Sun, 15 Jul 2018 21:56:56 +0400", datetime(2018, 7, 15, 17, 56, 56, tzinfo=UTC)),
        ("Tue, 08 May 2018 05:53:19 +0000", datetime(2018, 5, 8, 5, 53, 19, tzinfo=UTC)),
        ("20 Feb 2018 01:44:01 EST", datetime(2018, 2, 20, 6, 44, 1, tzinfo=UTC)),
        ("2018/02/20 01:44", datetime(2018, 2, 20, 1, 44, tzinfo=UTC)),
        ("20/02/2018", datetime(2018, 2, 20, tzinfo=UTC)),
        ("٢٠١٨-٠٢-٢٠", datetime(2018, 2, 20, tzinfo=UTC)),
        (1519091041, datetime(2018, 2, 20, 1, 44, 1, tzinfo=UTC)),
        (1519091041000, datetime(2018, 2, 20, 1, 44, 1, tzinfo=UTC)),
        ("", None),
        ("غير معروف", None),
        ("Tue, 31 Feb 2018 01:44:01 GMT", None),
        ("2018-13-45", None),
        (None, None),
        ({"a": 1}, None),
        (10**30, None),
    ],
)
def test_parse_datetime(value, expected):
    assert parse_datetime(value) == expected


def test_naive_timestamp_in_a_document_is_utc():
    doc, _ = one("file:///n.json", b'{"text": "x", "date_extracted": "2015-07-21 02:51:32"}')
    assert doc["published_at"] == datetime(2015, 7, 21, 2, 51, 32, tzinfo=UTC)


def test_unparseable_date_is_null():
    doc, _ = one("file:///n2.json", b'{"text": "x", "date": "yesterday-ish"}')
    assert doc["published_at"] is None


# ---------------------------------------------------------------------------------------
# ids


def test_article_id_and_content_sha256():
    doc, _ = one("file:///ids/a.txt", STORY.encode())
    assert doc["article_id"] == hashlib.sha256(b"file:///ids/a.txt\x1f").hexdigest()[:16]
    assert doc["content_sha256"] == hashlib.sha256(f"{TITLE}\n\n{BODY}".encode()).hexdigest()
    docs, _ = read_bytes("file:///ids/b.sgml", trec_doc("D-1", "ت", "نص").encode())
    assert docs[0]["article_id"] == hashlib.sha256("file:///ids/b.sgml\x1fD-1".encode()).hexdigest()[:16]


def test_missing_title_counts_as_empty_in_content_sha256():
    doc, _ = one("file:///ids/c.json", b'{"text": "body"}')
    assert doc["title"] is None and doc["content_sha256"] == hashlib.sha256(b"\n\nbody").hexdigest()


# ---------------------------------------------------------------------------------------
# archives


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return buf.getvalue()


def test_zip_members_are_read_with_member_uris():
    data = zip_bytes(
        {
            "day/2015-07-21.json": json.dumps([{"title": "أ", "content": "نص أ"}, {"title": "ب", "content": "نص ب"}]).encode(),
            "notes/story.txt": STORY.encode("cp1256"),
            "folder/": b"",
            ".hidden.txt": b"x\ny",
            "__MACOSX/._story.txt": b"\x00\x05",
        }
    )
    docs, row = read_bytes("file:///data/bundle.zip", data)
    assert [(d["source_uri"], d["doc_key"]) for d in docs] == [
        ("file:///data/bundle.zip!day/2015-07-21.json", "#0"),
        ("file:///data/bundle.zip!day/2015-07-21.json", "#1"),
        ("file:///data/bundle.zip!notes/story.txt", ""),
    ]
    assert [d["format"] for d in docs] == ["json", "json", "txt"]
    assert docs[2]["encoding"] == "cp1256" and docs[2]["body"] == BODY
    assert row == row | {"source_uri": "file:///data/bundle.zip", "format": "zip", "encoding": "cp1256,utf-8"}
    assert (row["status"], row["documents"], row["reason"]) == ("ok", 3, None)


def test_zip_with_a_bad_member_names_it_and_keeps_the_others():
    data = zip_bytes({"good.txt": STORY.encode(), "bad.txt": b"\x89PNG\r\n\x1a\n...."})
    docs, row = read_bytes("file:///m.zip", data)
    assert len(docs) == 1 and row["status"] == "ok"
    assert row["reason"] == "1 of 2 members rejected: bad.txt: binary content (PNG image)"


def test_empty_zip_is_rejected():
    assert rejected("file:///empty.zip", zip_bytes({})) == "empty archive (no files)"


def test_gzip_member_is_named_after_the_archive():
    doc, row = one("file:///d/story.txt.gz", gzip.compress(STORY.encode(), mtime=0))
    assert doc["source_uri"] == "file:///d/story.txt.gz!story.txt"
    assert (doc["format"], row["format"], doc["title"]) == ("txt", "gzip", TITLE)


def test_tar_gz_members():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, payload in {"a/one.txt": STORY.encode(), "two.jsonl": b'{"text": "x"}\n{"text": "y"}\n'}.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    docs, row = read_bytes("file:///t.tar.gz", buf.getvalue())
    assert [(d["source_uri"], d["doc_key"]) for d in docs] == [
        ("file:///t.tar.gz!a/one.txt", ""),
        ("file:///t.tar.gz!two.jsonl", "L1"),
        ("file:///t.tar.gz!two.jsonl", "L2"),
    ]
    assert row["format"] == "tar.gz"


def test_nested_archive_uris_chain():
    inner = zip_bytes({"x.txt": STORY.encode()})
    docs, _ = read_bytes("file:///outer.zip", zip_bytes({"inner.zip": inner}))
    assert [d["source_uri"] for d in docs] == ["file:///outer.zip!inner.zip!x.txt"]


def test_zip_detected_by_magic_without_extension():
    docs, row = read_bytes("file:///no_ext", zip_bytes({"a.txt": STORY.encode()}))
    assert row["format"] == "zip" and docs[0]["source_uri"] == "file:///no_ext!a.txt"


# ---------------------------------------------------------------------------------------
# list_files


def test_list_files_walks_nested_folders_and_odd_names(tmp_path):
    names = [
        "a.txt",
        "sub/deeper/b.json",
        "x.txt/inside.txt",  # a directory named like a file
        "with space.txt",
        "quote's \"double\".txt",
        "semi;colon.txt",
        "عربي/خبر عاجل.txt",
        ".hidden.txt",
        ".git/config",
    ]
    for n in names:
        p = tmp_path / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(n.encode())
    listing = list_files(str(tmp_path))
    assert listing.schema == pl.Schema({"source_uri": pl.String(), "bytes": pl.Int64()})
    expected = sorted(f"file://{tmp_path}/{n}" for n in names if not n.startswith("."))
    assert listing["source_uri"].to_list() == expected
    assert listing["bytes"].to_list() == [len(u.split(f"{tmp_path}/", 1)[1].encode()) for u in expected]


def test_list_files_accepts_file_urls_relative_paths_and_single_files(tmp_path, monkeypatch):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("x")
    assert list_files(f"file://{tmp_path}/d")["source_uri"].to_list() == [f"file://{tmp_path}/d/a.txt"]
    monkeypatch.chdir(tmp_path)
    assert list_files("d")["source_uri"].to_list() == [f"file://{tmp_path}/d/a.txt"]
    assert list_files(str(tmp_path / "d" / "a.txt"))["source_uri"].to_list() == [f"file://{tmp_path}/d/a.txt"]


def test_list_files_missing_source_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        list_files(str(tmp_path / "nope"))


def test_list_files_and_read_files_on_memory_filesystem():
    fs = fsspec.filesystem("memory")
    root = "/akhbar_test_read"
    fs.pipe(f"{root}/b/story.txt", STORY.encode("cp1256"))
    fs.pipe(f"{root}/a.json", b'{"title": "t", "text": "body"}')
    fs.pipe(f"{root}/x.txt/inner.txt", STORY.encode())
    fs.pipe(f"{root}/.hidden", b"x")
    try:
        listing = list_files(f"memory://{root}")
        uris = listing["source_uri"].to_list()
        assert uris == [f"memory://{root}/a.json", f"memory://{root}/b/story.txt", f"memory://{root}/x.txt/inner.txt"]
        docs, files = read_files(uris)
        assert files["status"].to_list() == ["ok", "ok", "ok"]
        assert docs["source_uri"].to_list() == uris
        assert docs["body"][1] == BODY and docs["encoding"][1] == "cp1256"
    finally:
        fs.rm(root, recursive=True)


# ---------------------------------------------------------------------------------------
# read_files


def test_read_files_frames_have_the_contract_schema(tmp_path):
    (tmp_path / "a.txt").write_bytes(STORY.encode())
    (tmp_path / "b.txt").write_bytes(b"")
    uris = list_files(str(tmp_path))["source_uri"].to_list()
    docs, files = read_files(uris)
    assert docs.schema == pl.Schema(DOCUMENT_SCHEMA)
    assert files.schema == pl.Schema(FILE_SCHEMA)
    assert docs.schema["published_at"] == pl.Datetime("us", "UTC")
    assert files.select("source_uri", "status", "reason", "documents").rows() == [
        (f"file://{tmp_path}/a.txt", "ok", None, 1),
        (f"file://{tmp_path}/b.txt", "rejected", "empty file", 0),
    ]


def test_read_files_empty_input_keeps_the_schema():
    docs, files = read_files([])
    assert docs.height == files.height == 0
    assert docs.schema == pl.Schema(DOCUMENT_SCHEMA) and files.schema == pl.Schema(FILE_SCHEMA)


def test_read_files_raises_oserror_on_io_failure(tmp_path):
    with pytest.raises(OSError):
        read_files([f"file://{tmp_path}/missing.txt"])
    with pytest.raises(OSError):
        read_files(["memory:///akhbar_test_read_missing/x.txt"])


def test_read_files_dates_land_as_utc_datetimes(tmp_path):
    (tmp_path / "d.jsonl").write_text(
        '{"text": "a", "date": "Tue, 20 Feb 2018 01:44:01 GMT"}\n{"text": "b", "date": "nonsense"}\n'
    )
    docs, _ = read_files([f"file://{tmp_path}/d.jsonl"])
    assert docs["published_at"].to_list() == [datetime(2018, 2, 20, 1, 44, 1, tzinfo=UTC), None]


# ---------------------------------------------------------------------------------------
# seeds


def test_every_seed_article_is_read_without_rejection():
    listing = list_files(str(SEEDS))
    uris = listing["source_uri"].to_list()
    assert len(uris) >= 9
    docs, files = read_files(uris)
    for row in files.iter_rows(named=True):
        assert row["status"] == "ok" and row["reason"] is None and row["documents"] >= 1, row
    for doc in docs.iter_rows(named=True):
        assert doc["title"] and doc["body"], doc["source_uri"]
        assert "\ufffd" not in doc["title"] + doc["body"], doc["source_uri"]
    assert set(files["format"]) >= {"txt", "html", "json", "jsonl", "trec", "gigaword", "zip", "gzip"}
    assert set(docs["encoding"]) >= {"utf-8", "cp1256", "iso8859-6", "utf-16"}
    assert docs.height >= 17 and docs["article_id"].n_unique() == docs.height


def test_seed_files_match_their_generator():
    spec = importlib.util.spec_from_file_location("make_articles", REPO / "seeds" / "make_articles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, payload in module.FILES.items():
        assert (SEEDS / name).read_bytes() == payload, f"{name} differs: run python seeds/make_articles.py"


# ---------------------------------------------------------------------------------------
# shared corpora (skipped when ../shared is absent)


@pytest.mark.skipif(not ANT.is_dir(), reason=f"ANT corpus not found at {ANT} (set AKHBAR_SHARED to the shared/ folder)")
def test_ant_sample_yields_one_document_per_file():
    sample: list[Path] = []
    for source in sorted(p for p in ANT.iterdir() if p.is_dir()):
        files = sorted(source.rglob("*.txt"))
        sample += files[:: max(1, len(files) // 60)][:60]
    assert len(sample) >= 290 and len({p.relative_to(ANT).parts[0] for p in sample}) == 5
    docs, files = read_files([f"file://{p}" for p in sample])
    empty = re.compile(r"<ABSTRACT>\s*</ABSTRACT>\s*<TEXT>\s*</TEXT>")
    for path, row in zip(sample, files.iter_rows(named=True)):
        if empty.search(path.read_text(encoding="utf-8")):  # 2 files of the corpus have no text at all
            assert row["status"] == "rejected" and row["reason"].endswith("no body text")
        else:
            assert (row["status"], row["documents"], row["encoding"], row["format"]) == ("ok", 1, "utf-8", "trec"), row
    assert docs.filter(pl.col("title").is_null() | (pl.col("body") == "")).height == 0
    assert docs["published_at"].null_count() == 0
    assert docs["doc_key"].to_list() == [p.stem for p in sample if f"file://{p}" in set(docs["source_uri"])]
    assert docs["body"].str.contains("\ufffd").sum() == 0


@pytest.mark.skipif(not SAUDI.is_dir(), reason=f"SaudiNewsNet not found at {SAUDI} (set AKHBAR_SHARED to the shared/ folder)")
def test_saudinewsnet_zip_is_read():
    zips = sorted(SAUDI.glob("*.zip"))
    docs, files = read_files([f"file://{zips[-1]}"])
    row = files.row(0, named=True)
    assert (row["status"], row["format"], row["encoding"]) == ("ok", "zip", "utf-8")
    assert docs.height > 500 and set(docs["format"]) == {"json"}
    assert docs["source_uri"][0] == f"file://{zips[-1]}!{zips[-1].stem}.json"
    assert docs["doc_key"][0] == "#0"
    assert docs["published_at"].null_count() == 0 and docs["source_name"].null_count() == 0
    # articles with an empty "content" are the only ones dropped, and the reason says so
    assert row["reason"] is None or "no body text" in row["reason"]


def test_exclamation_mark_in_a_local_file_name_does_not_confuse_the_extension():
    docs, row = read_bytes("file:///d/wow!news.json", b'{"text": "x"}')
    assert row["format"] == "json" and docs[0]["source_uri"] == "file:///d/wow!news.json"


@pytest.mark.skipif(not (SHARED / "seed").is_dir(), reason=f"shared seed article not found under {SHARED}")
def test_the_shared_seed_article_layout():
    path = next((SHARED / "seed").glob("*.txt"))
    docs, files = read_files([f"file://{path}"])
    doc = docs.row(0, named=True)
    assert files["status"].to_list() == ["ok"] and docs.height == 1
    assert doc["title"] == path.read_text(encoding="utf-8").splitlines()[0].strip()
    assert doc["doc_key"] == "" and doc["url"] is None
    assert any(line.startswith("طرابلس - ") for line in doc["body"].split("\n"))


def test_list_files_gives_one_spelling_for_a_local_path(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("عنوان\nنص", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "a")
    assert list_files("../a")["source_uri"].to_list() == [f"file://{tmp_path}/a/x.txt"]
    assert list_files(".")["source_uri"].to_list() == [f"file://{tmp_path}/a/x.txt"]
