"""transforms.clean: clean_text, normalize_for_matching, clean_documents."""

from __future__ import annotations

from datetime import datetime, timezone

import polars as pl
import pytest
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from transforms.clean import (
    PRESENTATION_FORMS,
    clean_documents,
    clean_text,
    normalize_for_matching,
)


def cleaned(*values: str | None) -> list[str | None]:
    return (
        pl.DataFrame({"s": list(values)}, schema={"s": pl.String})
        .select(clean_text(pl.col("s")))
        .to_series()
        .to_list()
    )


def norm(*values: str | None) -> list[str | None]:
    return (
        pl.DataFrame({"s": list(values)}, schema={"s": pl.String})
        .select(normalize_for_matching(pl.col("s")))
        .to_series()
        .to_list()
    )


def camel_norm(s: str) -> str:
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(s))))


# ------------------------------------------------------------------------- clean_text
def test_tatweel_removed():
    assert cleaned("العـــربـيـة") == ["العربية"]


def test_diacritics_kept():
    assert cleaned("يمدّ لقاءً مُوسّعاً") == ["يمدّ لقاءً مُوسّعاً"]


def test_lam_alef_ligature_becomes_two_letters():
    assert cleaned("\ufefb بد \ufef7ن") == ["لا بد لأن"]


def test_allah_ligature():
    assert cleaned("\ufdf2") == ["الله"]


def test_presentation_form_letters_to_base_letters():
    # ﺑﻴﺮﻭﺕ: initial beh, medial yeh, final reh, isolated waw, isolated teh
    assert cleaned("\ufe91\ufef4\ufeae\ufeed\ufe95") == ["بيروت"]


def test_isolated_harakat_form_keeps_mark_without_space():
    # U+FE70 FATHATAN ISOLATED FORM -> U+064B on the preceding letter
    assert cleaned("كتابا\ufe70") == ["كتاباً"]


def test_rial_sign_uses_camel_tools_fix():
    assert PRESENTATION_FORMS["\ufdfc"] == "ريال"


def test_presentation_table_covers_both_blocks():
    assert PRESENTATION_FORMS["\ufb50"] == "\u0671"  # Forms-A
    assert PRESENTATION_FORMS["\ufefc"] == "لا"  # Forms-B
    assert "\ufeff" not in PRESENTATION_FORMS  # BOM is removed, not mapped


def test_bidi_controls_removed():
    assert cleaned("\u200fمرحبا\u202b عالم\u202c\u2066x\u2069\u061c\u200e") == ["مرحبا عالمx"]


def test_zero_width_characters_removed():
    assert cleaned("\ufeffمحمد\u200d\u200c\u200bعلي\u2060") == ["محمدعلي"]


def test_nul_and_control_characters_removed():
    assert cleaned("a\x00b\x07c\x1bd\x7fe\x9cf") == ["abcdef"]


def test_crlf_to_lf():
    assert cleaned("سطر\r\nسطر") == ["سطر\nسطر"]


def test_cr_only_to_lf():
    assert cleaned("سطر\rسطر\rسطر") == ["سطر\nسطر\nسطر"]


def test_unicode_line_separators_to_lf():
    assert cleaned("a\u2028b\u2029c\x85d\x0be\x0cf") == ["a\nb\nc\nd\ne\nf"]


def test_nbsp_and_unicode_spaces_collapse_to_one_space():
    assert cleaned("a\xa0\xa0b\u2003c\u3000 \td\u202fe") == ["a b c d e"]


def test_blank_lines_collapse_to_one_line_break():
    assert cleaned("أ\n\n\n \t \nب") == ["أ\nب"]


def test_spaces_around_line_ends_removed():
    assert cleaned("أ  \n  ب") == ["أ\nب"]


def test_trimmed():
    assert cleaned(" \n\u200f أ ب \n\n") == ["أ ب"]


def test_arabic_punctuation_and_quotes_kept():
    assert cleaned("قال: «نعم»، لماذا؟ لأن؛ ″هكذا″") == ["قال: «نعم»، لماذا؟ لأن؛ ″هكذا″"]


def test_eastern_arabic_digits_kept():
    assert cleaned("٢٠١٨ و٣٫٥ و۱۲") == ["٢٠١٨ و٣٫٥ و۱۲"]


def test_empty_and_null():
    assert cleaned("", None, " \u200f\n ") == ["", None, ""]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_text_is_idempotent_and_leaves_no_invisibles(s):
    once = cleaned(s)[0]
    assert cleaned(once) == [once]
    assert not any(c in once for c in "\u0640\u200b\u200c\u200d\u200e\u200f\ufeff\r\x00")
    assert "\n\n" not in once
    assert once == once.strip(" \n")


# ------------------------------------------------------------- normalize_for_matching
WORDS = [
    "أَحْمَدُ",
    "إِبْرَاهِيم",
    "آمِنَة",
    "ٱلْقُرْآن",
    "مُصْطَفَى",
    "عَلَى",
    "مَدْرَسَةٌ",
    "القيادةُ العامّة",
    "مَكْتَبَةٍ",
    "ٰهذا",
    "سَيّارةً",
    "مِصْراتَة",
    "الإمارات",
    "أبوظبي",
    "رئيسٌ",
    "مُؤَسَّسَة",
    "شَيْءٌ",
    "خُصِّصَ",
]


@pytest.mark.parametrize("word", WORDS)
def test_norm_equals_camel_tools_functions(word):
    assert norm(word) == [camel_norm(word)]


def test_norm_examples():
    assert norm("أَحْمَدُ", "مدرسةٌ", "على", "آمنة", "ٱلله") == ["احمد", "مدرسه", "علي", "امنه", "الله"]


def test_norm_maps_arabic_indic_digits_to_ascii():
    assert norm("٢٠١٨", "۱۲۳", "2018") == ["2018", "123", "2018"]


def test_norm_keeps_latin_and_punctuation():
    assert norm("CNN، «نعم»؟", "") == ["CNN، «نعم»؟", ""]


def test_norm_null_stays_null():
    assert norm(None) == [None]


ARABIC_HEAVY = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0621, 0x0653)] + ["\u0670", "\u0671", " ", "a", ".", "،"]
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(ARABIC_HEAVY)
def test_norm_equals_camel_tools_on_random_arabic(s):
    # digits are left out: mapping them to ASCII is our addition to camel-tools' rules
    assert norm(s) == [camel_norm(s)]


# ---------------------------------------------------------------------- clean_documents
def documents(**columns) -> pl.DataFrame:
    n = len(columns["title"])
    base = {"article_id": [f"a{i}" for i in range(n)], "format": ["txt"] * n}
    return pl.DataFrame({**base, **columns}, schema_overrides={"title": pl.String, "body": pl.String})


def test_clean_documents_title_line_then_body():
    docs = documents(title=[" حفتر  يمدّ "], body=["\r\nسطر أول\r\n\r\nسطر ثان "])
    expected = docs.with_columns(
        pl.lit("حفتر يمدّ").alias("title"),
        pl.lit("حفتر يمدّ\nسطر أول\nسطر ثان").alias("text"),
        pl.lit(10, pl.Int64).alias("body_start_char"),
    )
    assert_frame_equal(clean_documents(docs), expected)


def test_clean_documents_without_title_text_is_body():
    docs = documents(title=[None, ""], body=["متن", "متن"])
    out = clean_documents(docs)
    assert_series_equal(out["text"], pl.Series("text", ["متن", "متن"]))
    assert_series_equal(out["body_start_char"], pl.Series("body_start_char", [0, 0], pl.Int64))
    assert_series_equal(out["title"], pl.Series("title", [None, ""], pl.String))


def test_clean_documents_empty_body_text_is_title():
    docs = documents(title=["عنوان"], body=[" \u200f "])
    out = clean_documents(docs).select("text", "body_start_char")
    assert_frame_equal(out, pl.DataFrame({"text": ["عنوان"], "body_start_char": [5]}))


def test_clean_documents_null_title_and_body():
    docs = documents(title=[None], body=[None])
    out = clean_documents(docs).select("text", "body_start_char")
    assert_frame_equal(out, pl.DataFrame({"text": [""], "body_start_char": [0]}))


def test_clean_documents_title_line_breaks_become_spaces():
    docs = documents(title=["سطر\r\nآخر\n\n ثالث\u2028رابع"], body=["متن"])
    out = clean_documents(docs).select("title", "text")
    assert_frame_equal(out, pl.DataFrame({"title": ["سطر آخر ثالث رابع"], "text": ["سطر آخر ثالث رابع\nمتن"]}))


def test_clean_documents_keeps_other_columns_and_raw_body():
    when = datetime(2018, 2, 1, tzinfo=timezone.utc)
    docs = documents(
        title=["ت"],
        body=["\u200fب"],
        published_at=[when],
        content_sha256=["x"],
    ).with_columns(pl.col("published_at").dt.cast_time_unit("us"))
    out = clean_documents(docs)
    assert out.columns == [*docs.columns, "text", "body_start_char"]
    assert_frame_equal(out.drop("title", "text", "body_start_char"), docs.drop("title"))


def test_clean_documents_body_is_suffix_of_text():
    docs = documents(title=["ﻻ عنوان", None], body=["أ\n\nب", "ج"])
    out = clean_documents(docs)
    for text, start, title in out.select("text", "body_start_char", "title").iter_rows():
        assert text[: max(start - 1, 0)] == (title or "")
