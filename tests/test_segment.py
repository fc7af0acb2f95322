"""transforms.segment: paragraphs, sentences, tokens, datelines."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from camel_tools.tokenizers.word import simple_word_tokenize
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from transforms.clean import clean_documents
from transforms.read import DOCUMENT_SCHEMA
from transforms.segment import datelines, paragraphs, sentences, tokens

SEED = (
    Path(os.environ.get("AKHBAR_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    / "seed"
    / "000_bc62c8c6b47f93fb.txt"
)


def articles(*texts: str, body_start: list[int] | None = None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": [f"a{i}" for i in range(len(texts))],
            "text": list(texts),
            "body_start_char": body_start or [0] * len(texts),
        },
        schema_overrides={"body_start_char": pl.Int64},
    )


def sents(text: str) -> list[str]:
    return sentences(articles(text))["text"].to_list()


def toks(text: str) -> list[str]:
    return tokens(sentences(articles(text)))["token"].to_list()


# ------------------------------------------------------------------------ paragraphs
def test_paragraphs_exact_frame_with_headline():
    out = paragraphs(articles("عنوان\nأ ب.\nج", body_start=[6]))
    expected = pl.DataFrame(
        {
            "article_id": ["a0", "a0", "a0"],
            "paragraph_index": [0, 1, 2],
            "start_char": [0, 6, 11],
            "end_char": [5, 10, 12],
            "text": ["عنوان", "أ ب.", "ج"],
            "kind": ["headline", "body", "body"],
        }
    )
    assert_frame_equal(out, expected)


def test_paragraphs_without_title_are_all_body():
    out = paragraphs(articles("أ\nب"))
    assert out["kind"].to_list() == ["body", "body"]


def test_paragraphs_headline_from_title_when_no_body_start_char():
    frame = pl.DataFrame({"article_id": ["x", "y"], "title": ["ت", None], "text": ["ت\nب", "ب"]})
    assert paragraphs(frame)["kind"].to_list() == ["headline", "body", "body"]


def test_paragraphs_skip_blank_lines_in_uncleaned_text():
    out = paragraphs(articles("\nأ\n\n \nب\n"))
    assert_frame_equal(
        out.select("paragraph_index", "start_char", "end_char", "text"),
        pl.DataFrame(
            {"paragraph_index": [0, 1], "start_char": [1, 6], "end_char": [2, 7], "text": ["أ", "ب"]}
        ),
    )


def test_paragraph_offsets_restart_for_each_article():
    out = paragraphs(articles("أب\nج", "د\nهو"))
    assert out.select("article_id", "paragraph_index", "start_char", "end_char").rows() == [
        ("a0", 0, 0, 2),
        ("a0", 1, 3, 4),
        ("a1", 0, 0, 1),
        ("a1", 1, 2, 4),
    ]


def test_paragraphs_of_empty_text():
    out = paragraphs(articles(""))
    assert out.height == 0
    assert out.schema == pl.Schema(
        {
            "article_id": pl.String,
            "paragraph_index": pl.Int64,
            "start_char": pl.Int64,
            "end_char": pl.Int64,
            "text": pl.String,
            "kind": pl.String,
        }
    )


# ------------------------------------------------------------------------- sentences
def test_sentences_exact_frame():
    out = sentences(articles("عنوان\nبلغ 3.5 مليون. ثم؟", body_start=[6]))
    expected = pl.DataFrame(
        {
            "article_id": ["a0", "a0", "a0"],
            "sentence_index": [0, 1, 2],
            "paragraph_index": [0, 1, 1],
            "start_char": [0, 6, 21],
            "end_char": [5, 20, 24],
            "text": ["عنوان", "بلغ 3.5 مليون.", "ثم؟"],
        }
    )
    assert_frame_equal(out, expected)


def test_sentence_split_on_arabic_question_and_exclamation():
    assert sents("هل جاء؟ نعم! حسنا.") == ["هل جاء؟", "نعم!", "حسنا."]


def test_sentence_split_on_ellipsis():
    assert sents("انتظر… ثم عاد.") == ["انتظر…", "ثم عاد."]


def test_arabic_semicolon_does_not_split():
    assert sents("جاء؛ ثم ذهب.") == ["جاء؛ ثم ذهب."]


def test_terminator_run_stays_together():
    assert sents("حقا؟! نعم.") == ["حقا؟!", "نعم."]


def test_line_break_ends_sentence():
    assert sents("سطر بلا نقطة\nسطر ثان") == ["سطر بلا نقطة", "سطر ثان"]


def test_latin_decimal_not_split():
    assert sents("بلغ 3.5 مليون دولار.") == ["بلغ 3.5 مليون دولار."]


def test_eastern_arabic_decimal_not_split():
    assert sents("بلغ ٣٫٥ مليون و٣.٥ ألف.") == ["بلغ ٣٫٥ مليون و٣.٥ ألف."]


def test_full_stop_without_space_not_split():
    assert sents("موقع example.com الرسمي.") == ["موقع example.com الرسمي."]


def test_abbreviation_dal_not_split():
    assert sents("قال د. محمد إن أ.د. علي حضر. ثم") == ["قال د. محمد إن أ.د. علي حضر.", "ثم"]


def test_word_ending_in_dal_still_splits():
    assert sents("زاد العدد. ثم") == ["زاد العدد.", "ثم"]


def test_quote_with_full_stop_not_split_straight():
    assert sents('قال "انتهى الأمر. نهائيا" ثم غادر. وعاد.') == [
        'قال "انتهى الأمر. نهائيا" ثم غادر.',
        "وعاد.",
    ]


def test_quote_with_full_stop_not_split_guillemets():
    assert sents("قال «انتهى الأمر. نهائيا» ثم غادر.") == ["قال «انتهى الأمر. نهائيا» ثم غادر."]


def test_quote_with_full_stop_not_split_curly_either_direction():
    assert sents("قال “أ. ب” و”ج. د“ ثم.") == ["قال “أ. ب” و”ج. د“ ثم."]


def test_quote_with_full_stop_not_split_double_prime():
    assert sents("قال ″أ. ب″ ثم.") == ["قال ″أ. ب″ ثم."]


def test_closing_quote_after_terminator_belongs_to_sentence():
    assert sents('قال "انتهى." ثم غادر.') == ['قال "انتهى."', "ثم غادر."]


def test_closing_guillemet_and_comma_continue_sentence():
    assert sents("قال «انتهى.»، ثم غادر.") == ["قال «انتهى.»، ثم غادر."]


def test_closing_bracket_after_terminator_belongs_to_sentence():
    assert sents("(انتهى.) التالي.") == ["(انتهى.)", "التالي."]


def test_unbalanced_quote_bounded_by_paragraph():
    out = sents("قال «بدأ. واستمر. ثم\nسطر ثان. نعم.")
    assert out == ["قال «بدأ. واستمر. ثم", "سطر ثان.", "نعم."]


def test_unbalanced_straight_quote_bounded_by_paragraph():
    assert sents('قال "بدأ. واستمر\nنعم. لا.') == ['قال "بدأ. واستمر', "نعم.", "لا."]


def test_text_with_only_punctuation():
    assert sents("... ؟! .") == ["...", "؟!", "."]


def test_sentences_of_empty_text():
    out = sentences(articles("", "\n"))
    assert out.height == 0
    assert out.columns == [
        "article_id",
        "sentence_index",
        "paragraph_index",
        "start_char",
        "end_char",
        "text",
    ]


def test_sentence_index_runs_over_paragraphs_and_restarts_per_article():
    out = sentences(articles("نعم. لا.\nجيد.", "حسنا."))
    assert out.select("article_id", "sentence_index", "paragraph_index").rows() == [
        ("a0", 0, 0),
        ("a0", 1, 0),
        ("a0", 2, 1),
        ("a1", 0, 0),
    ]


def test_trailing_spaces_not_in_sentence():
    out = sentences(articles("أ ب \u00a0"))
    assert out.select("start_char", "end_char", "text").rows() == [(0, 3, "أ ب")]


# ---------------------------------------------------------------------------- tokens
def test_tokens_exact_frame():
    out = tokens(sentences(articles("قالَ: «نعم».\nأحمدُ", body_start=[0])))
    expected = pl.DataFrame(
        {
            "article_id": ["a0"] * 7,
            "sentence_index": [0, 0, 0, 0, 0, 0, 1],
            "token_index": [0, 1, 2, 3, 4, 5, 6],
            "start_char": [0, 4, 6, 7, 10, 11, 13],
            "end_char": [4, 5, 7, 10, 11, 12, 18],
            "token": ["قالَ", ":", "«", "نعم", "»", ".", "أحمدُ"],
            "norm": ["قال", ":", "«", "نعم", "»", ".", "احمد"],
        }
    )
    assert_frame_equal(out, expected)


CAMEL_SENTENCES = [
    "عقد رئيس الأركان العامة للقوات المسلحة الليبية، الفريق خالد حفتر، لقاءً موسعاً.",
    'وقال اللواء خالد المحجوب إن اللقاء يمثل "خطوة عملية لبناء الثقة"، مشيراً إلى ذلك.',
    "بلغ النمو 3.5% في عام 2018م، و٣٫٥٪ في ٢٠١٩.",
    "هل جاء؟! نعم… (رويترز) - «مرحبا» [1] {2} <3>",
    "زار مصراتة–سرت يوم 12/05/2018 الساعة 10:30 صباحاً.",
    "البريد info@example.com والموقع https://example.com/a?b=1&c=2",
    "#ليبيا @حفتر $100 €5 ± ÷ × ° ™ ©",
    "وسيط بـ\"الوعي\" و'الثقة' و’الحوار‘ و„الأمل“",
    "تغريدة 👍🏽 وعلم 🇱🇾 ورمز 3️⃣ ومعلومة ℹ️!",
    "مزيج English و عربي 123abc٤٥٦",
]


@pytest.mark.parametrize("sentence", CAMEL_SENTENCES)
def test_tokens_equal_camel_simple_word_tokenize(sentence):
    frame = pl.DataFrame(
        {"article_id": ["a"], "sentence_index": [0], "start_char": [0], "text": [sentence]}
    )
    assert tokens(frame)["token"].to_list() == simple_word_tokenize(sentence)


def test_token_offsets_are_article_offsets():
    text = "عنوان\nجملة أولى. جملة ثانية."
    out = tokens(sentences(articles(text, body_start=[6])))
    assert [text[s:e] for s, e in out.select("start_char", "end_char").rows()] == out[
        "token"
    ].to_list()
    assert out.filter(pl.col("token") == "ثانية")["start_char"].to_list() == [text.index("ثانية")]


def test_token_index_runs_over_sentences_and_restarts_per_article():
    out = tokens(sentences(articles("نعم. لا", "جيد")))
    assert out.select("article_id", "sentence_index", "token_index").rows() == [
        ("a0", 0, 0),
        ("a0", 0, 1),
        ("a0", 1, 2),
        ("a1", 0, 0),
    ]


def test_decimal_number_tokens_follow_camel():
    assert toks("3.5 و٣٫٥") == ["3", ".", "5", "و٣", "٫", "٥"]


def test_tokens_norm_maps_digits():
    out = tokens(sentences(articles("عام ٢٠١٨")))
    assert out["norm"].to_list() == ["عام", "2018"]


def test_tokens_of_empty_input():
    out = tokens(sentences(articles("")))
    assert out.height == 0
    assert out.columns == [
        "article_id",
        "sentence_index",
        "token_index",
        "start_char",
        "end_char",
        "token",
        "norm",
    ]


# ------------------------------------------------------------------------- datelines
def dateline_rows(*texts: str, body_start: list[int] | None = None) -> list[tuple]:
    return datelines(articles(*texts, body_start=body_start)).rows()


def test_dateline_hyphen():
    assert dateline_rows("طرابلس - عقد رئيس الأركان لقاء.") == [("a0", "طرابلس", 0, 6)]


def test_dateline_en_dash_and_em_dash():
    assert dateline_rows("القاهرة – قال مسؤول.", "بيروت — أعلن الجيش.") == [
        ("a0", "القاهرة", 0, 7),
        ("a1", "بيروت", 0, 5),
    ]


def test_dateline_with_agency_in_parentheses():
    assert dateline_rows("بيروت (رويترز) - قال مسؤول.") == [("a0", "بيروت", 0, 5)]


def test_dateline_colon_and_multiword_place():
    assert dateline_rows("الدار البيضاء: افتتح المعرض.") == [("a0", "الدار البيضاء", 0, 13)]


def test_dateline_place_with_leading_waw():
    assert dateline_rows("واشنطن - قال البيت الأبيض.") == [("a0", "واشنطن", 0, 6)]


def test_dateline_place_with_leading_feh():
    assert dateline_rows("فيينا - اجتمع الوزراء.") == [("a0", "فيينا", 0, 5)]


def test_dateline_after_headline_and_highlights():
    text = "عنوان الخبر\nسطر إبراز أول طويل\nسطر إبراز ثان\nطرابلس - عقد اجتماع."
    assert dateline_rows(text, body_start=[12]) == [("a0", "طرابلس", 45, 51)]


def test_headline_is_not_a_dateline():
    assert dateline_rows("حفتر: خطوة جديدة\nنص بلا سطر مكان.", body_start=[17]) == []


def test_headline_like_line_is_not_a_dateline():
    # related-link lines end without a full stop
    assert dateline_rows("مصر: التحقيق مع مسؤول سابق", "السعودية: ما وراء الحملة؟") == []


def test_place_longer_than_three_words_is_not_a_dateline():
    assert dateline_rows("هذه جملة من أربع كلمات - ثم انتهت.") == []


def test_reporting_verb_is_not_a_dateline():
    assert dateline_rows("قال المتحدث: إن الاجتماع انتهى.") == []


def test_conjunction_clause_is_not_a_dateline():
    assert dateline_rows("وزاد البيان: تم تكليف طاقم جديد.") == []


def test_colon_before_quotation_is_not_a_dateline():
    assert dateline_rows('أجابت نويرت قائلة: "أنت تحاول ذلك."') == []


def test_dateline_only_in_first_five_body_paragraphs():
    text = "أ ب ج د.\n" * 5 + "طرابلس - عقد اجتماع."
    assert dateline_rows(text) == []


def test_no_dateline_without_separator():
    assert dateline_rows("طرابلس عقد رئيس الأركان لقاء.") == []


# ------------------------------------------------------------------------- properties
ARABIC_ALPHABET = (
    [chr(c) for c in range(0x0621, 0x0653)]
    + [chr(c) for c in range(0x0660, 0x066E)]
    + list(" \n.!?؟…،؛:\"«»“”″()-–0123456789ab")
    + ["\u00a0", "\u200f", "\r"]
)
TEXTS = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.sampled_from(ARABIC_ALPHABET), max_size=120),
)


def check_offsets(frame: pl.DataFrame, texts: dict[str, str], column: str) -> None:
    for aid, start, end, value in frame.select("article_id", "start_char", "end_char", column).rows():
        assert texts[aid][start:end] == value


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=3), st.booleans())
def test_offsets_identity_and_nesting(texts, clean):
    frame = articles(*texts)
    if clean:
        frame = clean_documents(
            frame.select("article_id", pl.lit(None, pl.String).alias("title"), pl.col("text").alias("body"))
        )
    by_id = dict(frame.select("article_id", "text").rows())
    paras = paragraphs(frame)
    sent = sentences(frame)
    tok = tokens(sent)
    check_offsets(paras, by_id, "text")
    check_offsets(sent, by_id, "text")
    check_offsets(tok, by_id, "token")
    # sentences lie within their paragraph and cover its non-space characters
    joined = sent.join(paras, on=["article_id", "paragraph_index"], suffix="_p")
    assert joined.height == sent.height
    assert joined.filter(
        (pl.col("start_char") < pl.col("start_char_p")) | (pl.col("end_char") > pl.col("end_char_p"))
    ).is_empty()
    for (aid, pi), group in sent.group_by("article_id", "paragraph_index"):
        para = paras.filter((pl.col("article_id") == aid) & (pl.col("paragraph_index") == pi))
        assert "".join("".join(group["text"]).split()) == "".join(para["text"][0].split())
    # tokens lie within their sentence and tile its non-space characters
    joined = tok.join(sent, on=["article_id", "sentence_index"], suffix="_s")
    assert joined.height == tok.height
    assert joined.filter(
        (pl.col("start_char") < pl.col("start_char_s")) | (pl.col("end_char") > pl.col("end_char_s"))
    ).is_empty()
    # indices are 0..n-1 within each article
    for frame_, col in ((paras, "paragraph_index"), (sent, "sentence_index"), (tok, "token_index")):
        for _, group in frame_.group_by("article_id"):
            assert group[col].to_list() == list(range(group.height))


ARABIC_SENTENCE = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0621, 0x0653)]
        + [chr(c) for c in range(0x0660, 0x066E)]
        + list("  .،؛:؟!\"«»()-–%$#@0123456789abc")
    ),
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(ARABIC_SENTENCE)
def test_tokens_equal_camel_on_random_arabic(text):
    frame = pl.DataFrame(
        {"article_id": ["a"], "sentence_index": [0], "start_char": [0], "text": [text]}
    )
    assert tokens(frame)["token"].to_list() == simple_word_tokenize(text)


# ------------------------------------------------------------------------------ seed
@pytest.fixture(scope="module")
def seed_articles() -> pl.DataFrame:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (set AKHBAR_SHARED to the shared/ folder)")
    title, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    docs = pl.DataFrame({"article_id": ["seed"], "title": [title], "body": [body]})
    return clean_documents(docs)


def test_seed_dateline_is_tripoli(seed_articles):
    out = datelines(seed_articles)
    text = seed_articles["text"][0]
    assert out["dateline"].to_list() == ["طرابلس"]
    start, end = out.select("dateline_start_char", "dateline_end_char").row(0)
    assert text[start:end] == "طرابلس"
    assert text[start - 1] == "\n" and text[end : end + 3] == " - "


def test_seed_paragraph_count(seed_articles):
    # counted by hand: 1 headline + 3 summary/highlight lines + dateline paragraph + 4 lines
    # + 1 cross-head + 8 lines = 18 non-empty lines
    out = paragraphs(seed_articles)
    assert out.height == 18
    assert out["kind"].to_list() == ["headline"] + ["body"] * 17
    assert out["text"][9] == "خطوة عملية لبناء الثقة بين الأطراف الوطنية"


def test_seed_quote_sentence_not_cut(seed_articles):
    out = sentences(seed_articles)
    quote = '"خطوة عملية لبناء الثقة بين الأطراف الوطنية"'
    holding = out.filter(pl.col("text").str.contains(quote, literal=True))
    assert holding.height == 1
    sentence = holding["text"][0]
    assert sentence.startswith("وقال اللواء خالد المحجوب")
    assert sentence.endswith("توحيد البلاد ومؤسساتها.")


def test_seed_quote_then_full_stop_ends_sentence(seed_articles):
    out = sentences(seed_articles)["text"].to_list()
    ends = [s for s in out if s.endswith('للخارج".')]
    assert len(ends) == 1 and ends[0].startswith("وخلال الاجتماع")


def test_seed_sentence_and_token_offsets(seed_articles):
    text = seed_articles["text"][0]
    sent = sentences(seed_articles)
    tok = tokens(sent)
    assert sent.height == 19
    assert all(text[s:e] == t for s, e, t in sent.select("start_char", "end_char", "text").rows())
    assert all(text[s:e] == t for s, e, t in tok.select("start_char", "end_char", "token").rows())
    assert tok["token"].to_list() == [
        t for line in sent["text"] for t in simple_word_tokenize(line)
    ]


def test_a_run_on_sentence_is_cut_at_word_boundaries_with_exact_offsets():
    from transforms.segment import MAX_SENTENCE_CHARS

    body = "قال الوزير إن " * 1000  # 14,000 characters, no full stop
    art = clean_documents(pl.DataFrame(
        [{"article_id": "a", "source_uri": "u", "doc_key": "", "url": None, "title": "عنوان", "source_name": None,
          "author": None, "published_at": None, "body": body, "format": "txt", "encoding": "utf-8",
          "content_sha256": "x"}], schema=DOCUMENT_SCHEMA))
    s = sentences(art)
    text = art["text"][0]
    assert s["sentence_index"].to_list() == list(range(s.height))
    assert s.height == 1 + -(-len(body.strip()) // MAX_SENTENCE_CHARS)  # the title, then the pieces
    for row in s.iter_rows(named=True):
        assert text[row["start_char"]:row["end_char"]] == row["text"]
        assert len(row["text"]) <= MAX_SENTENCE_CHARS + len("الوزير")
        assert not row["text"].startswith(" ") and not row["text"].endswith(" ")
