"""Fuzzing the read stage and the whole transform chain: no exceptions, offsets always exact."""

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.pipeline import transform_frames
from transforms import read

ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
MARKS = st.sampled_from(list('«»"“”″.،؛؟!:- \n\u0640\u064b\u064e\u200f\ufefb\u0660\u0663'))
ANY = st.characters(codec="utf-8", exclude_categories=("Cs",))
TEXT = st.text(st.one_of(ARABIC, ARABIC, ARABIC, MARKS, MARKS, ANY), max_size=400)
WORDS = st.sampled_from(["قال", "وقال", "الفريق", "خالد", "حفتر", "إن", "أن", "وزارة", "الخارجية", "طرابلس",
                         "بحسب", "مصادر", '"', "«", "»", "،", ".", "\n", "اللواء", "محمد", "وأضاف"])
SENTENCEY = st.lists(WORDS, max_size=60).map(" ".join)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.json", "a.jsonl", "a.html", "a.zip", "a.gz", "a", "a.sgml"]))
def test_read_bytes_never_raises_and_accounts_for_the_file(data, name):
    docs, row = read.read_bytes(f"file:///x/{name}", data)
    assert row["status"] in ("ok", "rejected")
    assert (row["status"] == "ok") == (len(docs) > 0) == (row["documents"] > 0)
    if row["status"] == "rejected":
        assert row["reason"]
    pl.DataFrame(docs, schema=read.DOCUMENT_SCHEMA)  # every row fits the contract


def documents(titles_bodies) -> pl.DataFrame:
    rows = [{"article_id": f"a{i}", "source_uri": f"file:///x/{i}.txt", "doc_key": "", "url": None, "title": t,
             "source_name": None, "author": None, "published_at": None, "body": b, "format": "txt",
             "encoding": "utf-8", "content_sha256": str(i)} for i, (t, b) in enumerate(titles_bodies)]
    return pl.DataFrame(rows, schema=read.DOCUMENT_SCHEMA)


def assert_offsets(frames: dict[str, pl.DataFrame]) -> None:
    text = dict(zip(frames["articles"]["article_id"], frames["articles"]["text"]))
    for table, col in (("paragraphs", "text"), ("sentences", "text"), ("tokens", "token"),
                       ("entity_mentions", "surface"), ("quotes", "text")):
        for row in frames[table].select("article_id", "start_char", "end_char", col).iter_rows():
            a, s, e, value = row
            assert 0 <= s <= e <= len(text[a]) and text[a][s:e] == value, (table, row)


@FUZZ
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=3))
def test_transforms_keep_offsets_exact_on_random_unicode(pairs):
    assert_offsets(transform_frames(documents(pairs)))


@FUZZ
@given(st.lists(st.tuples(SENTENCEY, SENTENCEY), min_size=1, max_size=3))
def test_transforms_keep_offsets_exact_on_news_like_word_salad(pairs):
    assert_offsets(transform_frames(documents(pairs)))
