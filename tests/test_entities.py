"""Unit tests for transforms.entities: one behaviour each, on tiny inline frames.

``frames()`` is a test-only tokeniser (camel-tools simple_word_tokenize + char offsets), so
these tests do not depend on transforms.segment.
"""

from __future__ import annotations

import polars as pl
import pytest
from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)
from polars.testing import assert_frame_equal

from transforms.entities import entities, entity_mentions
from transforms.resources import entity_id, load_resources, normalize

RES = load_resources()


def _norm(tok: str) -> str:
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(tok))))


def frames(*articles: tuple[str, list[str]]) -> tuple[dict, pl.DataFrame, pl.DataFrame]:
    """(texts, sentences, tokens) for articles given as (article_id, [sentence, ...]).

    The article text is the sentences joined by "\\n" (one sentence per paragraph)."""
    texts, srows, trows = {}, [], []
    for aid, sents in articles:
        text = "\n".join(sents)
        texts[aid] = text
        pos, ti = 0, 0
        for si, sent in enumerate(sents):
            s0 = text.index(sent, pos)
            srows.append((aid, si, si, s0, s0 + len(sent), sent))
            cur = s0
            for tok in simple_word_tokenize(sent):
                b = text.index(tok, cur)
                trows.append((aid, si, ti, b, b + len(tok), tok, _norm(tok)))
                cur = b + len(tok)
                ti += 1
            pos = s0 + len(sent)
    sentences = pl.DataFrame(
        srows,
        schema=["article_id", "sentence_index", "paragraph_index", "start_char", "end_char", "text"],
        orient="row",
    )
    tokens = pl.DataFrame(
        trows,
        schema=["article_id", "sentence_index", "token_index", "start_char", "end_char", "token", "norm"],
        orient="row",
    )
    return texts, sentences, tokens


def mentions_of(*sents: str, aid: str = "a") -> tuple[str, pl.DataFrame]:
    texts, _, toks = frames((aid, list(sents)))
    return texts[aid], entity_mentions(toks, RES)


def _check_offsets(text: str, m: pl.DataFrame) -> None:
    for row in m.iter_rows(named=True):
        assert text[row["start_char"]:row["end_char"]] == row["surface"], row


def _sel(m: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return m.select(cols)


def test_title_is_split_from_the_name():
    text, m = mentions_of("وقال الفريق خالد حفتر إن الوضع مستقر")
    _check_offsets(text, m)
    s = text.index("خالد")
    assert_frame_equal(
        _sel(m, "type", "surface", "title", "start_char", "end_char", "canonical_name"),
        pl.DataFrame(
            {"type": ["PER"], "surface": ["خالد حفتر"], "title": ["الفريق"], "start_char": [s],
             "end_char": [s + 9], "canonical_name": ["خالد حفتر"]},
        ),
    )


def test_title_triggers_an_unknown_name():
    # "بوزيد" is not a known given name: the rank alone makes it a person
    text, m = mentions_of("وصل العقيد بوزيد إلى المدينة")
    _check_offsets(text, m)
    assert_frame_equal(
        _sel(m, "type", "surface", "title"),
        pl.DataFrame({"type": ["PER"], "surface": ["بوزيد"], "title": ["العقيد"]}),
    )


def test_clitics_are_stripped_from_places():
    text, m = mentions_of("وصل الوفد ببنغازي ثم وطرابلس")
    _check_offsets(text, m)
    assert_frame_equal(
        _sel(m, "type", "surface", "start_char", "canonical_name"),
        pl.DataFrame(
            {"type": ["LOC", "LOC"], "surface": ["بنغازي", "طرابلس"],
             "start_char": [text.index("ببنغازي") + 1, text.index("وطرابلس") + 1],
             "canonical_name": ["بنغازي", "طرابلس"]},
        ),
    )


def test_clitic_with_diacritics_is_skipped_in_chars():
    # بِ + طرابلس: the clitic and its kasra are two characters
    text, m = mentions_of("بِطرابلس مدينة كبيرة")
    _check_offsets(text, m)
    assert m["surface"].to_list() == ["طرابلس"]
    assert m["start_char"].to_list() == [2]


def test_org_stops_at_prefixed_word():
    text, m = mentions_of("وأكدت مصادر من إدارة التوجيه المعنوي بالقيادة العامة أن اللقاء مهم")
    _check_offsets(text, m)
    assert_frame_equal(
        _sel(m, "type", "surface"),
        pl.DataFrame({"type": ["ORG", "ORG"], "surface": ["إدارة التوجيه المعنوي", "القيادة العامة"]}),
    )


def test_org_stops_before_preposition_word():
    text, m = mentions_of("انتهاء ولاية حكومة الوحدة الوطنية برئاسة رئيسها")
    assert _sel(m, "type", "surface").rows() == [("ORG", "حكومة الوحدة الوطنية")]


def test_indefinite_phrase_is_not_an_org():
    text, m = mentions_of("الدعوات لتشكيل حكومة موحدة جديدة وتشكيل قوة مشتركة")
    assert m.height == 0


def test_lil_prefix_restores_the_article_in_canonical_name():
    text, m = mentions_of("القائد العام للقوات المسلحة")
    _check_offsets(text, m)
    assert _sel(m, "type", "surface", "canonical_name").rows() == [
        ("ORG", "لقوات المسلحة", "القوات المسلحة")
    ]


def test_adjective_is_not_a_location():
    text, m = mentions_of("توحيد المؤسسات الليبية والقوى الليبية")
    assert m.filter(pl.col("type") == "LOC").height == 0


def test_madina_makes_an_unknown_place():
    text, m = mentions_of("وصلوا إلى مدينة قرقارش أمس", "وهي مدينة ساحلية")
    _check_offsets(text, m)
    assert _sel(m, "type", "surface").rows() == [("LOC", "قرقارش")]


def test_surname_resolves_to_nearest_full_mention():
    text, m = mentions_of(
        "حفتر يلتقي وفدا",                       # nothing precedes: nearest following
        "التقى المشير خليفة حفتر الوفد في بنغازي",
        "وقال الفريق خالد حفتر إن اللقاء مهم",
        "وأكد حفتر أن الحوار مستمر",               # nearest preceding: خالد حفتر
    )
    _check_offsets(text, m)
    per = m.filter(pl.col("type") == "PER")
    assert_frame_equal(
        _sel(per, "surface", "title", "canonical_name", "sentence_index"),
        pl.DataFrame(
            {"surface": ["حفتر", "خليفة حفتر", "خالد حفتر", "حفتر"],
             "title": [None, "المشير", "الفريق", None],
             "canonical_name": ["خليفة حفتر", "خليفة حفتر", "خالد حفتر", "خالد حفتر"],
             "sentence_index": [0, 1, 2, 3]},
            schema_overrides={"sentence_index": pl.Int64},
        ),
    )
    ids = per["entity_id"].to_list()
    assert ids[0] == ids[1] == entity_id("PER", "خليفة حفتر")
    assert ids[2] == ids[3] == entity_id("PER", "خالد حفتر")


def test_surname_with_clitic_resolves():
    text, m = mentions_of("ودعمت حكومة عبدالحميد الدبيبة الخطة", "وقال مقربون من الدبيبة وللدبيبة")
    _check_offsets(text, m)
    per = m.filter(pl.col("type") == "PER")
    assert per["canonical_name"].to_list() == ["عبدالحميد الدبيبة"] * 2
    assert per["surface"].to_list() == ["عبدالحميد الدبيبة", "الدبيبة"]


def test_ambiguous_given_name_alone_is_not_a_person():
    text, m = mentions_of("يعيش الناس على أمل كبير", "وكان سعيد بالنتيجة")
    assert m.filter(pl.col("type") == "PER").height == 0


def test_ala_is_not_the_name_ali():
    text, m = mentions_of("شدد على الدور التاريخي", "وقال علي المبروك إن الوضع جيد")
    per = m.filter(pl.col("type") == "PER")
    assert per["surface"].to_list() == ["علي المبروك"]


def test_name_stops_at_verb_and_function_word():
    text, m = mentions_of("خالد حفتر يشيد بتنامي الوعي", "جمع خليفة حفتر في بنغازي")
    per = m.filter(pl.col("type") == "PER")
    assert per["surface"].to_list() == ["خالد حفتر", "خليفة حفتر"]


def test_compound_given_name_with_space():
    text, m = mentions_of("وصل عبد الله الثني إلى طبرق")
    _check_offsets(text, m)
    assert _sel(m, "type", "surface").rows() == [("PER", "عبد الله الثني"), ("LOC", "طبرق")]


def test_mention_ids_and_entity_ids_across_articles():
    _, _, toks = frames(("x", ["زار الوزير سرت وبنغازي"]), ("y", ["وصل الوفد إلى سرت"]))
    m = entity_mentions(toks, RES)
    assert m.filter(pl.col("article_id") == "x")["mention_id"].to_list() == [0, 1]
    assert m.filter(pl.col("article_id") == "y")["mention_id"].to_list() == [0]
    sirt = m.filter(pl.col("surface") == "سرت")["entity_id"].unique().to_list()
    assert sirt == [entity_id("LOC", "سرت")]
    ents = entities(m)
    assert ents.filter(pl.col("canonical_name") == "سرت")["mention_count"].to_list() == [2]
    assert ents.columns == ["entity_id", "canonical_name", "type", "mention_count"]


def test_entity_id_uses_the_normalised_name():
    assert entity_id("LOC", "مصراتة") == entity_id("LOC", "مصراته")
    assert normalize("إدارة  التوجيه") == "اداره التوجيه"


def test_empty_tokens():
    _, _, toks = frames(("a", ["x"]))
    m = entity_mentions(toks.clear(), RES)
    assert m.height == 0 and m.columns[:3] == ["article_id", "mention_id", "entity_id"]


# ------------------------------------------------------------------ property: offsets
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = (
    RES.given_names["name"].sample(40, seed=1).to_list()
    + RES.places["name"].sample(30, seed=2).to_list()
    + RES.titles["form"].to_list()[:15]
    + RES.org_heads["form"].to_list()[:20]
    + RES.speech_verbs["form"].sample(30, seed=3).to_list()
    + ["حفتر", "المحجوب", "الدبيبة", "التوجيه", "المعنوي", "الوطنية", "أن", "إن", "على", "في",
       "مدينة", "الليبية", "بحسب", "مصادر", "،", ":", '"', "«", "»", "."]
)
_word = st.tuples(
    st.sampled_from(["", "", "", "و", "ب", "ل", "وَ", "بِ"]), st.sampled_from(_WORDS),
    st.sampled_from(["", "", "", "ً", "ُ"]),
).map(lambda x: x[0] + x[1] + x[2])
_sentence = st.lists(_word, min_size=1, max_size=25).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_sentence, min_size=1, max_size=4))
def test_property_offsets_and_invariants(sents):
    from transforms.quotes import quotes

    texts, s, toks = frames(("p", sents))
    text = texts["p"]
    m = entity_mentions(toks, RES)
    _check_offsets(text, m)
    assert m["mention_id"].to_list() == list(range(m.height))
    spans = sorted(zip(m["start_char"], m["end_char"]))
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "overlapping mentions"
    assert m["surface"].str.len_chars().min() is None or m["surface"].str.len_chars().min() > 0
    q = quotes(s, toks, m, RES)
    for row in q.iter_rows(named=True):
        assert text[row["start_char"]:row["end_char"]] == row["text"], row
        assert row["start_char"] < row["end_char"]
        if row["speaker_start_char"] is not None:
            assert text[row["speaker_start_char"]:row["speaker_end_char"]] == row["speaker_text"]


def test_al_joins_the_family_name():
    """آل (key ال) is a joiner: the family name after it belongs to the person."""
    text, m = mentions_of("وقال الشيخ راشد بن عبدالله آل خليفة إن الأمن مستقر.")
    _check_offsets(text, m)
    assert m.filter(pl.col("type") == "PER").select("surface", "title").rows() == [
        ("راشد بن عبدالله آل خليفة", "الشيخ")
    ]


def test_a_titled_given_name_takes_a_family_name_shaped_like_a_verb():
    """ترامب starts like an imperfect verb (ت...): after a title and a given name it is the
    family name all the same; an accusative adverb (تعليقا) is not."""
    _, m = mentions_of("وقال الرئيس دونالد ترامب إن الاتفاق سيئ.")
    assert m.filter(pl.col("type") == "PER").select("surface", "title").rows() == [("دونالد ترامب", "الرئيس")]
    _, m = mentions_of("وقال الرئيس محمد تعليقا على الحادث إن الأمن مستتب.")
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["محمد"]


def test_the_model_completes_a_titled_name_the_rules_cut():
    """The rules take a given name and one family name (رجب طيب); the model reads أردوغان."""
    _, m = mentions_of("وقال الرئيس التركي رجب طيب أردوغان إن بلاده مستعدة.")
    assert m.filter(pl.col("type") == "PER").select("surface", "title").rows() == [("رجب طيب أردوغان", "الرئيس")]


def test_the_model_adds_no_definite_word_to_a_titled_name():
    _, m = mentions_of("والتقى الفريق خالد حفتر الوفد.")
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["خالد حفتر"]


def test_god_is_no_person_mention():
    """الله alone names no person (stopwords.csv kind not_person); names holding it stay."""
    _, m = mentions_of("وقال عبد الله إن الله غفور رحيم.")
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["عبد الله"]


def test_a_two_word_city_from_the_gazetteer():
    _, m = mentions_of("وصل الوفد إلى لوس أنجلوس أمس.")
    assert m.select("type", "surface").rows() == [("LOC", "لوس أنجلوس")]


def test_an_outlet_spoken_to_is_no_mention_and_ends_a_name():
    """لـ + a news outlet (attribution_particles kind outlet) is spoken to, not named."""
    text, m = mentions_of("وقالت الممثلة سلمى حايك لبي بي سي إن الفيلم ناجح.", "وقال لبي بي سي إن الفيلم ناجح.")
    _check_offsets(text, m)
    assert m.select("type", "surface").rows() == [("PER", "سلمى حايك")]


def test_a_multi_word_gazetteer_place_wins_over_a_model_person():
    """The tagger reads "بيونغ يانغ" as a person; the gazetteer's exact two-word name wins."""
    _, m = mentions_of("وأعلنت بيونغ يانغ أنها ستعلق التجارب.")
    assert m.select("type", "surface", "canonical_name").rows() == [("LOC", "بيونغ يانغ", "بيونغ يانغ")]


def test_a_naming_verb_is_cut_from_the_start_of_a_person():
    """وتدعى/يدعى/المدعو ("named") introduce a name and are no part of it."""
    text, m = mentions_of(
        "ونقلت الصحيفة عن المرأة المنشقة التي صدر بحقها الحكم وتدعى لينا- وهو ليس اسمها الحقيقي- أن الحكم صدر أمس.",
        "وقال المدعو عمر عبداللطيف إنه بريء.",
    )
    _check_offsets(text, m)
    per = m.filter(pl.col("type") == "PER")
    assert per["surface"].to_list() == ["لينا", "عمر عبداللطيف"]
    assert per["start_char"][0] == text.index("لينا")


def test_a_naming_verb_inside_a_person_keeps_the_name_after_it():
    """"مواطنة تدعى رانية" ("a citizen named Rania"): the person is the name after the verb."""
    text, m = mentions_of("وقالت مواطنة تدعى رانية السبت إن قذائف أصابت منزلها.")
    _check_offsets(text, m)
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["رانية"]


def test_a_naming_word_closing_a_person_is_cut():
    """"صلاح الملقب بالفرعون" ("Salah, nicknamed ..."): the person ends before الملقب."""
    text, m = mentions_of("وأضاف صلاح الملقب بالفرعون المصري: أستمتع باللعب هنا.")
    _check_offsets(text, m)
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["صلاح"]


def test_the_first_of_conjoined_persons_is_a_person():
    """A given name + family name right before و + a person is a person too (parallel
    conjuncts): the tagger found only the second one."""
    text, m = mentions_of("وقال سعيد الحربي وجمال عسيري إن المشروع سينتهي قريبا.")
    _check_offsets(text, m)
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["سعيد الحربي", "جمال عسيري"]


def test_the_first_of_conjoined_persons_is_a_person_also_before_a_comma():
    """The same with a comma between the conjuncts ("X Y، وZ"), as lists of players and
    guests are written (seven firings on 6,000 ANT files and two SaudiNewsNet days, all right)."""
    text, m = mentions_of("وقال سعيد الحربي، وجمال عسيري إن المشروع سينتهي قريبا.")
    _check_offsets(text, m)
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["سعيد الحربي", "جمال عسيري"]


def test_an_organisation_stops_before_the_object_of_its_verb():
    """A nisba closing an organisation name, then a definite noun that cannot be its
    adjective (another gender, a verbal noun): the noun is the verb's object."""
    text, m = mentions_of("وتبنت حركة الشباب الصومالية الهجوم في بيان.",
                          "وعارضت الحكومة السويسرية العقوبات التي فرضتها واشنطن.")
    _check_offsets(text, m)
    assert m.filter(pl.col("type") == "ORG")["surface"].to_list() == ["حركة الشباب الصومالية", "الحكومة السويسرية"]


def test_an_organisation_keeps_an_adjective_that_agrees_with_its_nisba():
    _, m = mentions_of("وقالت الحكومة الليبية المؤقتة إن الوضع مستقر.", "وقال الجيش السوري الحر إن الهجوم فشل.")
    assert m.filter(pl.col("type") == "ORG")["surface"].to_list() == ["الحكومة الليبية المؤقتة", "الجيش السوري الحر"]


def test_a_foreign_name_keeps_its_initial_fa():
    """ف before a consonant in a name no lexicon knows is the name's first letter (فرانس،
    فنزويلا، فودافون), not the conjunction; a lexicon name still loses a real ف (فروسيا)."""
    text, m = mentions_of("ونقلت فرانس برس عن مصدر أن الأزمة في فنزويلا تتفاقم.", "فروسيا تدعم الحكومة.")
    _check_offsets(text, m)
    surf = m.filter(pl.col("type").is_in(["ORG", "LOC"]))["surface"].to_list()
    assert "فرانس برس" in surf and "رانس برس" not in surf
    assert "روسيا" in surf


@pytest.mark.parametrize("cap", ["0", "7", "300000"])
def test_word_caches_change_no_mention(monkeypatch, cap):
    """The per-word caches kept across batches (lexicon features, tagger scores) give the
    mentions a fresh process gives, whatever their size: off, resetting every call, large;
    the second text reuses words of the first."""
    from polars.testing import assert_frame_equal

    from transforms import cache, entities
    from transforms.clean import clean_documents
    from transforms.segment import sentences, tokens

    def toks(body: str) -> pl.DataFrame:
        arts = clean_documents(pl.DataFrame({"article_id": ["x"], "title": ["خبر"], "body": [body]}))
        return tokens(sentences(arts))

    first = toks("وقال اللواء خالد المحجوب، مدير إدارة التوجيه المعنوي، إن القوات تتقدم نحو طرابلس.")
    second = toks("وأكد خالد حفتر في طرابلس أن المرحلة المقبلة تتطلب الحذر، بحسب مراقبين سياسيين.")
    monkeypatch.setenv("AKHBAR_NER_CACHE_KEYS", "0")
    cache.clear()
    want = entities.entity_mentions(second)
    monkeypatch.setenv("AKHBAR_NER_CACHE_KEYS", cap)
    cache.clear()
    entities.entity_mentions(first)
    got = entities.entity_mentions(second)
    cache.clear()
    assert_frame_equal(got, want)
    assert "خالد حفتر" in got["canonical_name"].to_list()


@pytest.mark.parametrize("raw", ["-1", "many"])
def test_cache_size_must_be_a_whole_number(monkeypatch, raw):
    from transforms.cache import max_keys

    monkeypatch.setenv("AKHBAR_NER_CACHE_KEYS", raw)
    with pytest.raises(ValueError, match=rf"AKHBAR_NER_CACHE_KEYS must be a whole number >= 0, got '{raw}'"):
        max_keys()



def test_a_complementizer_ends_a_person():
    """"ووصفت الوثائق لويس بأنه "مختل بشدة"": the tagger ran into بأنه; the person ends before it."""
    text, m = mentions_of('ووصفت الوثائق لويس بأنه "مختل بشدة".')
    _check_offsets(text, m)
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["لويس"]


def test_a_complementizer_starts_no_mention():
    """"وبالمثل، فإن ريبريف تقول إن ...": the tagger ran into فإن; the mention starts after it."""
    text, m = mentions_of("وبالمثل، فإن ريبريف تقول إن الأرقام أعلى.")
    _check_offsets(text, m)
    assert m["surface"].to_list() == ["ريبريف"]


def test_an_honorific_pronoun_is_no_person():
    """"وقال سموه: إن ...": سموه ("His Highness") refers back; it is no name."""
    text, m = mentions_of("وقال الأمير فيصل بن خالد إن الوطن بخير.", "وقال سموه: إن الحادث إجرامي.")
    assert m.filter(pl.col("type") == "PER")["surface"].to_list() == ["فيصل بن خالد"]
