"""sentences / tokens / mentions -> attributed quotations, rule-based, vectorised Polars.

All steps are Polars column operations on the tokens table (sorted by article and
token_index, ``r`` = global row): "next X after token r" is a ``search_sorted`` over the
sorted positions of X, "no Y between a and b" a difference of prefix sums of Y.  No Python
loop over tokens or quotes.

Introducers are the words of ``seeds/speech_verbs.csv`` and ``seeds/attribution_particles.csv``
(kinds verb, participle, describe, noun, source; ``takes`` says whether a word introduces an أن/إن clause, a quotation or
both); introducers inside a quotation are ignored.

* direct: a paired quotation (« » by direction; " “ ” „ ″ alternating within a sentence)
  whose opening mark comes right after an introducer (قال "..."، قائلاً «...»), or after a
  colon that follows it (قال اللواء ...: "..."), or, for وصف/وصفه, after بـ (وصفه بـ"...").
  ``start_char``/``end_char`` are inside the marks.  A quotation with no such introducer
  (scare quotes, names: عملية "الكرامة") is not a quote.  An أن/إن clause that is exactly
  one whole quotation (قال إن "...") is also direct, inside the marks.
* indirect: the first complementizer أن/إن/بأن/فإن (+ pronoun: أنه ...) after an introducer
  in the same sentence, at most 16 tokens later, with no other (non-noun) introducer,
  quotation mark, colon, sentence-internal stop (؛ . ! ؟) or "block" word (يجب، بعد، منذ
  ..., stopwords.csv) in between.  The span runs from the token after the complementizer
  to the end of the sentence, or to just before the first of: the next quote-producing
  introducer of the sentence ("، مشيراً إلى أن"), a comma + و/ف + finite reporting verb
  ("، ودعت الحكومة ..."), a comma + فيما/بينما/في حين (kind clause_break); trailing
  punctuation is trimmed.  One quote per complementizer (a noun introducer between a verb
  and its أن, "وقال الخطيب في بيان صحفي إن", adds nothing).  An introducer followed by a
  noun phrase only (شدد على الدور التاريخي ...) yields no quote.
* mixed: an indirect span that contains a paired quotation.
* sources (بحسب، حسب، وفقاً لـ، نقلاً عن، طبقاً لـ): fronted at sentence start
  ("وبحسب مراقبين سياسيين، فإن ..."): speaker = the phrase up to the comma, quote = the
  clause after the comma (after فإن/إن/أن when present); trailing ("...، بحسب مصادر
  طبية."): quote = the sentence before the comma, only when the phrase is headed by a
  source noun (مصادر، مراقبين ...) or starts with a mention ("حسب الخطة" is not a source).
* Speaker of a verb/participle/describe/noun introducer, first rule that applies:
  1. explicit subject: the first PER mention within 8 tokens after the verb with only
     content words and commas between (title, role: "وقال وزير المالية، الوزير عمر
     الرفاعي، إن"), else an ORG mention right after the verb.  ``speaker_role`` = the
     appositive between commas right after the name ("خالد المحجوب، مدير إدارة التوجيه
     المعنوي، إن"), else the words between the verb and the name minus the name's title
     ("وزير المالية").  Otherwise, for a quote-producing finite verb whose next word is a
     content word, a generic subject without entity: up to the end of the first mention
     inside it ("مصادر من إدارة التوجيه المعنوي": decision, anonymous sources *from* an
     organisation are not the organisation speaking, so ``speaker_entity_id`` is null), or
     a noun phrase of at most 5 words (indefinite construct chain closed by one definite
     word, then definite nisba adjectives: "وزيرة المالية", "رئيس عمادة الأطباء"; after a
     sound-plural head a definite word is an object: "ووصف مراقبون الزيارة" -> "مراقبون").
  2. the explicit subject of the nearest preceding introducer of the same sentence
     (participles: "شدد الفريق خالد حفتر على ...، مشيداً بما وصفه بـ"..."" -> خالد حفتر);
  3. the first PER mention of the sentence before the introducer, i.e. the subject of its
     main verb ("... جمع المشير خليفة حفتر ...، حيث شدد على أن" -> خليفة حفتر);
  4. carry-over: the speaker of the previous resolved introducer of the article, quote or
     not ("وأضاف أن", "وأكد أن" at sentence start);
  5. none.
* Issue 5 additions: direct quotes a few words after a verb without a colon (قال راخوي
  "..."; not after a naming word such as لصحيفة / عملية, seeds/attribution_particles.csv
  kind name_head, and not when an أن clause follows); trailing attributions («...»، قال
  الوزير); negated verbs (لم يؤكد) report nothing; بحسب ما أعلنته X / حسبما أعلن X
  sources; only sentences holding an introducer, a quotation mark or a titled person are
  processed.  Speaker resolution after the rules above: a role followed by 2-3 name words
  the entity stage missed ("قائد شرطة المنطقة غولستان قساني") gives the name, the role
  going to ``speaker_role``; a bare definite org head (الشركة) takes the nearest preceding
  ORG with that head; a bare role (المتحدث، الرئيس) the person who carried it earlier
  (speaker role or mention title) or the name of the role's apposition anywhere in the
  article ("رئيس الحكومة الإسبانية، ماريانو راخوي،"); a one-word speaker takes the
  article's full entity containing it, else the fullest written form of the name (given
  names expand forward, surnames backward).  ``speaker_type``: person (PER entity, person
  head or role, a resolved name), organization (ORG/LOC entity, organisation head,
  seeds/quote_speaker_heads.csv), unnamed (مصادر، مراقبون ...).
* Session 3 speaker rules: an addressee outlet (أكد لـ«عكاظ» X، قال X لـ"سبق": "...") hides
  neither the subject nor the quotation; a person head right after the verb lets the holder's
  name stand up to 16 tokens on (long roles); a bare proper name takes no prepositional
  modifier (أردوغان في خطاب ... -> أردوغان); a prepositional word (بمثابة) is no subject; a
  partitive keeps its من-phrase (عدد من الأهالي); a source phrase that attributes nothing
  names no speaker (nothing carries over from it); a person named inside quoted words is not
  the sentence's subject; a definite role or epithet (اللاعب التشيلي الدولي، قائد ريال مدريد)
  is the article's protagonist when exactly one named person was quoted before (and named, and
  given no other role); a name ends
  at a kinship word (جواد شقيق معاذ -> جواد).
* Session 4 speaker rules (from batch 7, then unblinded, and from the most frequent speakers
  and the quotes without a speaker over samples of both corpora): an outlet spoken to ends the
  subject or is no subject at all (مصادر لـ"سكاي نيوز"، وقال لبي بي سي، لرويترز; seeds kind
  outlet) and is cut from a name it is glued to; adverbs, بالقول، اسمه، لـ + ال are no subject;
  علي is a name word; a time word between commas is no role; المصدر ذاته and a bare definite
  head take the source or speaker phrase named before (مصادر مطلعة، مكتب رئيس الوزراء); the
  office of a person speaks (قال مكتب رئيس الوزراء X إن); a role resolves to the person given
  it later too, with or without ال on any word; a share of people (58 بالمئة من العينة، 66%) is
  an unnamed speaker; a fronted source lends its source to no verb of its sentence; مراسل
  takes the quoted outlet; أفعل adjectives belong to the subject (البيت الأبيض); a verbal noun
  after عدم/رفض reports nothing; a short quoted name then an أن clause is the subject (وذكرت
  "نيويورك تايمز" أن); a subject before the verb at a sentence start (وزير المالية الياباني
  يقول إن), pronouns and auxiliaries carrying the previous speaker over instead; بيان لوزارة X.
* Session 5 rules (from batch 8, then unblinded, checked by reading their firings over a
  corpus sample): وبين at a sentence start is the verb بيّن (elsewhere "and between"); a stated
  belief (يعتقد/تعتقد + subject + أن) reports, the impersonal or questioning one (ويُعتقد أن، التي
  يعتقد، هل تعتقد) is no introducer at all; a long quotation (6+ words) closing its sentence is
  direct up to 24 words after the verb; a fronted source closed by فإن needs no comma (وبحسب
  الدراسة فإن، also after a comma inside the sentence) and أورده/نقله open a source; a trailing
  source may be a definite organisation head (...، بحسب الصحيفة، وفق المرصد); the subject
  between كان and the verb beats any subject after it (وكانت إدارة الجامعة بيّنت فور ... أن); a
  participle with no subject in its sentence takes the organisation right after the sentence's
  opening verb (وكلفت محكمة مدريد ...، معتبرة أن).
* Session 6 rules (from batch 9, then unblinded, checked by reading their firings over a
  corpus sample): a name between commas right before the complement is the subject after a
  role of any length (وقال رئيس لجنة ... 2026، مولاي حفيظ العلمي، إن), and so is a titled name
  closing a long role (... في وزارة التعليم الدكتور عبدالله الغفيص، أن); a one-word speaker
  that ends a fuller person name quoted before is that person (وذكر العلمي أن); findings and
  rules report (وتوصلت الدراسة إلى أن، وينص القانون على أن) only as the first introducer of
  their sentence; a comma + في إشارة إلى ends the clause; the subject between a contrastive
  opener and the verb speaks (لكن الشرطة قالت لهم إنها); a verb coordinated with و takes the
  organisation after the verb opening its sentence (وسعت الكويت ... وقالت إن).
* ``verb`` is the introducer as written without the conjunction و/ف ("أكدت", "مشيراً",
  "وصفه", "بحسب").  ``quote_id`` is 0-based per article in text order of the quote.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms.quote_tokens import FUNCTION_KINDS, HARD_STOPS, QuoteLexicon, load_lexicon, match_key, prv, token_table
from transforms.spans import is_grouped as _is_grouped
from transforms.spans import join_pieces

__all__ = ["quotes", "QUOTE_SCHEMA"]

QUOTE_SCHEMA = {
    "article_id": pl.String,
    "quote_id": pl.Int64,
    "kind": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "text": pl.String,
    "verb": pl.String,
    "speaker_text": pl.String,
    "speaker_start_char": pl.Int64,
    "speaker_end_char": pl.Int64,
    "speaker_entity_id": pl.String,
    "speaker_role": pl.String,
    "sentence_index": pl.Int64,
    "speaker_type": pl.String,
}
MAX_GAP = 20
# words that cannot be part of a name: definite / preposition+definite forms, كان forms
_NOT_NAME_RE = r"^(?:[وفبكل]?ال|[وف]?لل|[وف]?(?:كان|كانت|كانوا|يكون|تكون|ليس|ليست)$)"
SUBJECT_WINDOW = 8


# ----------------------------------------------------------------------------- helpers
# The rules do arithmetic on thousands of small index columns per call (rows of introducers,
# candidate subjects ...). Polars runs Series.clip / fill_null / search_sorted as a query on
# its thread pool: ~50 us each with one thread, ~250 us with two, most of a call's fixed
# cost. The helpers below do the same on NumPy (~5 us) when the column has no nulls (nulls:
# Polars, same result).
def _plain(s: pl.Series) -> bool:
    """An integer column without nulls: its NumPy view is exact."""
    return s.dtype in (pl.Int64, pl.Int32) and s.null_count() == 0


def _clip(s: pl.Series, lower: int | None = None, upper: int | None = None) -> pl.Series:
    """``s.clip(lower, upper)`` with int bounds."""
    if not _plain(s):
        return s.clip(lower_bound=lower, upper_bound=upper)
    return pl.Series(s.name, np.clip(s.to_numpy(), lower, upper), dtype=s.dtype)


def _fill(s: pl.Series, value) -> pl.Series:
    """``s.fill_null(value)`` (nothing to do, and no query, when there is no null)."""
    return s.fill_null(value) if s.null_count() else s


def _ix(pos: pl.Series, n: int) -> pl.Series:
    """``pos.fill_null(0).clip(0, n - 1)``: gather indices into a column of ``n`` rows."""
    return _clip(_fill(pos, 0), 0, n - 1)


def _search(positions: pl.Series, r: pl.Series, side: str) -> pl.Series | np.ndarray:
    """``positions.search_sorted(r, side=side)`` (``positions`` sorted, no null)."""
    if _plain(r) and positions.null_count() == 0 and positions.dtype.is_integer():
        return np.searchsorted(positions.to_numpy(), r.to_numpy(), side=side)
    return positions.search_sorted(r, side=side)


_SMALL_BOOL = 1 << 16  # a Boolean column up to this length is unpacked for NumPy at about a query's cost


def _take(col: pl.Series, idx) -> pl.Series:
    """``col.gather(idx)``; in NumPy when ``col`` is an integer column, or a short Boolean one,
    without nulls and the indices have none (Polars runs a gather as a query on its thread
    pool; a long Boolean column would cost more to unpack than to gather)."""
    if isinstance(idx, pl.Series) and idx.dtype.is_integer() and (
            col.dtype in (pl.Int64, pl.Int32) or (col.dtype == pl.Boolean and len(col) <= _SMALL_BOOL)) \
            and col.null_count() == 0 and idx.null_count() == 0:
        return pl.Series(col.name, col.to_numpy()[idx.to_numpy()], dtype=col.dtype)
    return col.gather(idx)


def _next_after(positions: pl.Series, r: pl.Series) -> pl.Series:
    """First element of sorted ``positions`` strictly greater than each ``r`` (or null)."""
    ext = pl.concat([positions.cast(pl.Int64), pl.Series([None], dtype=pl.Int64)])
    return ext.gather(_search(positions, r, "right"))


def _prev_at_or_before(positions: pl.Series, r: pl.Series) -> pl.Series:
    ext = pl.concat([pl.Series([None], dtype=pl.Int64), positions.cast(pl.Int64)])
    return ext.gather(_search(positions, r, "right"))


class _Prefix:
    """Counts of a flag strictly between two rows, via a prefix sum."""

    def __init__(self, flag: pl.Series, rows: pl.Series | None = None):
        # ``rows``: the row numbers 0..n-1 (the token table's ``r``): the flagged rows are picked
        # by a filter and the prefix sum is NumPy's over their marks (a fifth of the instructions
        # of Polars' cast + cum_sum of the whole flag column); a null flag counts as False
        n = len(flag)
        pos = np.flatnonzero(_fill(flag, False).to_numpy()) if rows is None else rows.filter(flag).to_numpy()
        cs = np.zeros(n + 1, dtype=np.int64)
        cs[pos + 1] = 1
        np.cumsum(cs, out=cs)
        self.np = cs
        self._cs: pl.Series | None = None

    @property
    def cs(self) -> pl.Series:
        if self._cs is None:
            self._cs = pl.Series("", self.np, dtype=pl.Int64)
        return self._cs

    def between(self, a: pl.Series, b: pl.Series) -> pl.Series:
        """number of flagged rows r with a < r < b (0 when b <= a + 1; null if a/b null)."""
        n = len(self.np) - 1
        if _plain(a) and _plain(b):
            lo = np.clip(a.to_numpy() + 1, 0, n)
            hi = np.clip(b.to_numpy(), 0, n)
            return pl.Series("", np.maximum(self.np[hi] - self.np[lo], 0), dtype=pl.Int64)
        lo = (a + 1).clip(lower_bound=0, upper_bound=n)
        hi = b.clip(lower_bound=0, upper_bound=n)
        return (self.cs.gather(hi) - self.cs.gather(lo)).clip(lower_bound=0)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=QUOTE_SCHEMA)


def _lexicon(resources) -> QuoteLexicon:
    """The quote lexicons; ``resources`` (the pipeline's shared Resources, or a
    QuoteLexicon, or None) only tells which seeds folder to read."""
    if isinstance(resources, QuoteLexicon):
        return resources
    return load_lexicon(getattr(resources, "seeds_dir", None) or None)


def _words_key(expr: pl.Expr) -> pl.Expr:
    """Matching key of a multi-word string, leading و/ف of the first word dropped only
    when what remains starts with ال."""
    k = match_key(expr).str.replace_all(r"\s+", " ").str.strip_chars()
    return k.str.replace(r"^[وف](ال)", "$1")


def _running_count(flag: pl.Series) -> np.ndarray:
    """``flag.cum_sum()`` (a Boolean column without nulls) as int64 NumPy: the marks of the
    flagged rows summed by NumPy (a third of the instructions of Polars' cum_sum)."""
    out = np.zeros(len(flag), dtype=np.int64)
    out[flag.arg_true().to_numpy()] = 1
    np.cumsum(out, out=out)
    return out


def _candidate_sentences(tokens: pl.DataFrame, mentions: pl.DataFrame, res: QuoteLexicon) -> tuple[pl.DataFrame, bool, np.ndarray]:
    """Only the tokens of sentences that can hold a quote (an introducer or a quotation mark)
    or a titled person (an antecedent for roles) go through the rules: a cheap semi-join
    that skips most of an article's narrative sentences.  Also returns
    ``spans.is_grouped(tokens)`` (each article's rows contiguous and in token order), from the
    same pass over the batch's article ids, and the number of the run of one article id each
    kept row is in (1, 2, ...: the article when grouped)."""
    # tokens' norm is already the matching form (camel-tools rules = match_key on cleaned text)
    keys = res.intro["key"].implode()
    marks = pl.Series(res.quote_chars, dtype=pl.String)
    key_h, mark_h = res.intro["key"].hash().to_numpy(), marks.hash().to_numpy()
    aid, sidx, tix = pl.col("article_id"), pl.col("sentence_index"), pl.col("token_index")
    # (narrow frames: the token table is filtered once, at the end; each article id is compared
    # with the previous row's once)
    x = tokens.select(
        _na=aid != aid.shift(1),
        _ns=sidx != sidx.shift(1),
        _tix=tix,
        _aid=aid,
    )
    na = pl.col("_na")
    # (spans.is_grouped: as many runs of one article id as distinct ids, token_index rising)
    runs, n_ids, bad = x.select(
        runs=na.fill_null(True).sum(),
        n=pl.col("_aid").filter(na.fill_null(True)).n_unique(),
        bad=(~na & (pl.col("_tix") <= pl.col("_tix").shift(1))).sum(),
    ).row(0)
    grouped = runs == n_ids and bad == 0
    x = x.select(_first=(na | pl.col("_ns")).fill_null(True), _newart=na.fill_null(True))
    first = x["_first"]
    # sentence ids 1, 2, ... (the running count of sentence starts) and article runs, in NumPy
    sid = _running_count(first)
    # (an introducer or a quotation mark: rows found by their hashes, then checked by their strings)
    hot = pl.Series("", np.union1d(_hash_hits(tokens["norm"].hash().to_numpy(), key_h),
                                   _hash_hits(tokens["token"].hash().to_numpy(), mark_h)), dtype=pl.Int64)
    exact = tokens.select(
        (pl.col("norm").gather(hot).is_in(keys) | pl.col("token").gather(hot).is_in(marks.implode())).fill_null(False)
    ).to_series()
    sids = sid[hot.filter(exact).to_numpy()]
    keep = np.zeros(len(first) + 2, dtype=bool)
    keep[sids] = True
    titled = mentions.filter((pl.col("type") == "PER") & pl.col("title").is_not_null())
    if titled.height:
        # (the j-th sentence start has sentence id j)
        firsts = tokens.select("article_id", "sentence_index").filter(first).with_columns(
            _sid=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
        t_sids = titled.select(
            "article_id", pl.col("sentence_index").cast(tokens.schema["sentence_index"])
        ).join(firsts, on=["article_id", "sentence_index"], how="inner")["_sid"]
        keep[t_sids.to_numpy()] = True
    # (the kept sentence ids as a table indexed by id: one look-up per row, no hash)
    mask = keep[sid]
    art_runs = _running_count(x["_newart"])[mask]
    return tokens.filter(pl.Series(mask)), grouped, art_runs


def _span_texts(t: pl.DataFrame, spans: pl.DataFrame) -> pl.Series:
    """``spans.span_text`` of the token spans ``r_start, r_end`` (rows of ``t``), one text per
    span row in order: the rows are gathered by number (``r`` is the row) and the spans kept
    in their order, no join or sort on a string id."""
    if spans.height == 0:
        return pl.Series("text", [], dtype=pl.String)
    ex = spans.select(
        i=pl.int_range(pl.len(), dtype=pl.Int64), r_end="r_end", r=pl.int_ranges("r_start", pl.col("r_end") + 1),
    ).explode("r")
    r = ex["r"]
    got = join_pieces(ex.with_columns(
        token=t["token"].gather(r), start_char=t["start_char"].gather(r), end_char=t["end_char"].gather(r),
    ), "i")
    if got.height == spans.height:
        return got["text"]
    # (a span with no row, r_end < r_start, explodes to nothing: no text, as span_text gives)
    return pl.DataFrame({"i": np.arange(spans.height, dtype=np.int64)}).join(
        got, on="i", how="left", maintain_order="left")["text"]


def _token_rows_at(t: pl.DataFrame, ms: pl.DataFrame) -> tuple[pl.Series, pl.Series] | None:
    """For mentions ``ms`` (art, start_char, end_char): the last token row of the same article
    starting at or before the mention's first character, and at or before its last character
    (``end_char - 1``), each in the order of ``ms`` sorted by (art, start_char), resp. by (art,
    end_char - 1): what a backward as-of join by article gives. None when the token table is
    not strictly increasing in (art, start_char) or an offset is out of range (then the as-of
    join)."""
    tart = t["art"].to_numpy()
    ts = t["start_char"].to_numpy()
    ma = ms["art"]
    if t["start_char"].null_count() or ms["start_char"].null_count() or ms["end_char"].null_count() or ma.null_count():
        return None
    if len(ts) == 0 or ts.min() < 0 or ts.max() >= 1 << 31 or tart.max() >= 1 << 31:
        return None
    tkey = (tart.astype(np.int64) << 32) | ts.astype(np.int64)
    if len(tkey) > 1 and not bool(np.all(tkey[1:] > tkey[:-1])):
        return None
    out = []
    for order, off in (("start_char", 0), ("end_char", 1)):
        m = ms.select("art", x=pl.col(order) - off).sort("art", "x")
        a, x = m["art"].to_numpy().astype(np.int64), m["x"].to_numpy().astype(np.int64)
        if len(x) and (x.min() < -1 or x.max() >= 1 << 31):
            return None
        # (x = -1, a mention ending at offset 0: no token starts at or before it)
        i = np.searchsorted(tkey, (a << 32) + x, "right") - 1
        ok = (i >= 0) & (tart[np.maximum(i, 0)] == a)
        rows = pl.Series("", np.where(ok, i, 0), dtype=pl.Int64)
        out.append(rows if ok.all() else pl.select(pl.when(pl.Series(ok)).then(rows)).to_series())
    return out[0], out[1]


def _resolve_org_heads(events: pl.DataFrame, gen: pl.DataFrame, ms: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A bare definite organisation head as subject (الشركة، الأكاديمية، الوزارة) is the
    nearest preceding organisation of the article with that head ("شركة موزيلا" ...
    "وأضافت الشركة أن")."""
    org_heads = pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode()
    g = gen.with_columns(okey=_words_key(pl.col("sp_text"))).filter(
        ~pl.col("okey").str.contains(" ") & pl.col("okey").str.starts_with("ال")
        & pl.col("okey").is_in(org_heads)
    ).with_columns(okey=pl.col("okey").str.slice(2)).select("r", "art", "okey")
    # (only the organisations of the articles that have such a subject are keyed)
    orgs = ms.filter((pl.col("type") == "ORG") & pl.col("art").is_in(g["art"].unique().implode())).select(
        "art", ar="m_r_start", okey=_words_key(pl.col("surface")).str.split(" ").list.first().str.replace(r"^ال", ""),
        o_text="surface", o_s="start_char", o_e="end_char", o_eid="entity_id",
    )
    if g.height == 0 or orgs.height == 0:
        return events
    hit = g.sort("r").join_asof(orgs.sort("ar"), left_on="r", right_on="ar", by=["art", "okey"],
                                strategy="backward", check_sortedness=False).filter(pl.col("o_eid").is_not_null())
    if hit.height == 0:
        return events
    events = events.join(hit.select("r", "o_text", "o_s", "o_e", "o_eid"), on="r", how="left", maintain_order="left")
    found = pl.col("o_eid").is_not_null()
    return events.with_columns(
        sp_text=pl.when(found).then("o_text").otherwise("sp_text"),
        sp_s=pl.when(found).then("o_s").otherwise("sp_s"),
        sp_e=pl.when(found).then("o_e").otherwise("sp_e"),
        sp_eid=pl.when(found).then("o_eid").otherwise("sp_eid"),
    ).drop("o_text", "o_s", "o_e", "o_eid")


def _resolve_roles(events: pl.DataFrame, ms: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A generic subject that is a role or title (المتحدث، الوزير، وزير الخارجية) resolves to
    the named person who last carried that role or title earlier in the article ("قال
    المتحدث باسم الجيش أحمد المسماري ..." ... "وأضاف المتحدث أن" -> أحمد المسماري); the
    written role is kept in ``sp_role``; with no such person before, the first one given
    the role later in the article (a role of a source phrase too: "وفق ما أعلنت متحدثة باسم
    الوحدات" ... "وأفادت المتحدثة باسم الوحدات نسرين عبد الله أن")."""
    gen = events.filter(pl.col("gen") & pl.col("sp_text").is_not_null())
    if gen.height:
        events = _resolve_org_heads(events, gen, ms, res)
    # (generic subjects, and source phrases: "وفق ما أعلنت متحدثة باسم الوحدات")
    gen = events.filter(
        (pl.col("gen") | pl.col("mode").is_in(["src_front", "src_trail"]))
        & pl.col("sp_eid").is_null() & pl.col("sp_text").is_not_null()
    )
    person_heads = pl.Series(res.speaker_heads("person"), dtype=pl.String).implode()
    # keys without the article (متحدثة / المتحدثة) and without a pronoun "on its behalf"
    # (متحدثة باسمها -> متحدثة)
    gen = gen.with_columns(
        rkey=_words_key(pl.col("sp_text")).str.replace_all(r"(^| )ال", "$1").str.replace(r" باسم(?:ه|ها|هم|هما)$", "")
    ).filter(
        pl.col("rkey").str.split(" ").list.first().is_in(person_heads)
    )
    # antecedents: named speakers with a role, PER mentions with a title; keyed by the
    # first one, two and three words of the role
    # (only the antecedents in the articles of those subjects are keyed)
    in_arts = pl.col("art").is_in(gen["art"].unique().implode())
    ante_ev = events.filter(
        pl.col("sp_eid").is_not_null() & pl.col("sp_role").is_not_null() & ~pl.col("gen") & in_arts
    ).select("art", "r", role="sp_role", a_text="sp_text", a_s="sp_s", a_e="sp_e", a_eid="sp_eid")
    per = ms.filter((pl.col("type") == "PER") & pl.col("title").is_not_null() & in_arts)
    ante_m = per.select(
        "art", r=pl.col("m_r_start"), role="title", a_text="surface", a_s="start_char",
        a_e="end_char", a_eid="entity_id",
    )
    ante = pl.concat([ante_ev, ante_m], how="vertical_relaxed").with_columns(
        w=_words_key(pl.col("role")).str.replace_all(r"(^| )ال", "$1").str.split(" ")
    ).with_columns(
        rkey=pl.concat_list(
            [pl.col("w").list.head(k).list.join(" ") for k in (1, 2, 3)]
        ).list.unique()
    ).explode("rkey").select("art", "r", "rkey", "a_text", "a_s", "a_e", "a_eid")
    if gen.height == 0 or ante.height == 0:
        return events
    # the role may be written with or without ال (وزير الخارجية / الوزير)
    hit = gen.select("r", "art", "rkey").sort("r").join_asof(
        ante.sort("r").rename({"r": "ar"}), left_on="r", right_on="ar", by=["art", "rkey"],
        strategy="backward", check_sortedness=False,
    ).filter(pl.col("a_eid").is_not_null())
    # ... else the first person given that role later: "وفق ما أعلنت متحدثة باسم الوحدات" ...
    # "وأفادت المتحدثة باسم الوحدات نسرين عبد الله أن" -> نسرين عبد الله
    later = gen.select("r", "art", "rkey").join(hit.select("r"), on="r", how="anti").sort("r").join_asof(
        ante.sort("r").rename({"r": "ar"}), left_on="r", right_on="ar", by=["art", "rkey"],
        strategy="forward", check_sortedness=False,
    ).filter(pl.col("a_eid").is_not_null())
    hit = pl.concat([hit, later], how="vertical_relaxed")
    if hit.height == 0:
        return events
    events = events.join(hit.select("r", "a_text", "a_s", "a_e", "a_eid"), on="r", how="left",
                         maintain_order="left")
    found = pl.col("a_eid").is_not_null()
    return events.with_columns(
        sp_role=pl.when(found).then(pl.col("sp_text")).otherwise("sp_role"),
        sp_text=pl.when(found).then("a_text").otherwise("sp_text"),
        sp_s=pl.when(found).then("a_s").otherwise("sp_s"),
        sp_e=pl.when(found).then("a_e").otherwise("sp_e"),
        sp_eid=pl.when(found).then("a_eid").otherwise("sp_eid"),
    ).drop("a_text", "a_s", "a_e", "a_eid")


def _resolve_short_names(out: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """A one-word speaker (surname or given name: راخوي، ديسوزا، فيكتوريا; or a bare
    organisation name: موزيلا) that is not linked to a longer entity takes the entity of the
    article's full mention containing that word: the nearest one before the quote, else the
    first after it.  ``speaker_text`` stays as written."""
    if out.height == 0 or mentions.height == 0:
        return out
    canon = pl.coalesce("canonical_name", "surface")
    # (only the speakers' entities are named, and only the articles of one-word speakers keyed)
    names = mentions.select("article_id", speaker_entity_id="entity_id", e_canon=canon).join(
        out.select("article_id", "speaker_entity_id"), on=["article_id", "speaker_entity_id"], how="semi",
        maintain_order="left",
    ).unique(["article_id", "speaker_entity_id"], keep="first")
    x = out.with_row_index("_row").join(
        names, on=["article_id", "speaker_entity_id"], how="left", maintain_order="left"
    ).with_columns(
        w=_words_key(pl.coalesce("e_canon", "speaker_text")).str.replace(r"^ال", "ال")
    )
    single = x.filter(pl.col("w").is_not_null() & ~pl.col("w").str.contains(" ")).select(
        "_row", "article_id", "w", "start_char"
    )
    if single.height == 0:
        return out
    full = mentions.filter(pl.col("type").is_in(["PER", "ORG"])).join(
        single.select("article_id"), on="article_id", how="semi",
    ).select(
        "article_id", f_eid="entity_id", f_start="start_char",
        w=_words_key(canon).str.split(" "),
    ).filter(pl.col("w").list.len() >= 2).explode("w").filter(pl.col("w").str.len_chars() >= 3)
    if full.height == 0:
        return out
    hit = (
        single.join(full, on=["article_id", "w"], how="inner")
        .with_columns(before=pl.col("f_start") < pl.col("start_char"),
                      dist=(pl.col("start_char") - pl.col("f_start")).abs())
        .sort(["_row", "before", "dist", "f_eid"], descending=[False, True, False, False])
        .unique("_row", keep="first")
        .select("_row", "f_eid")
    )
    return (
        out.with_row_index("_row")
        .join(hit, on="_row", how="left", maintain_order="left")
        .with_columns(speaker_entity_id=pl.coalesce("f_eid", "speaker_entity_id"))
        .drop("_row", "f_eid")
    )


def _article_tokens(tokens: pl.DataFrame, grouped: bool | None = None) -> pl.DataFrame:
    """All tokens in article order with a global row number ``g`` (row g-1 is the previous
    token of the article when the same article_id); ``grouped``: ``_is_grouped(tokens)`` when
    already known."""
    base = tokens.select(
        "article_id", pl.col("sentence_index").cast(pl.Int64), pl.col("token_index").cast(pl.Int64),
        pl.col("start_char").cast(pl.Int64), pl.col("end_char").cast(pl.Int64), "token", "norm",
    )
    if not (_is_grouped(base) if grouped is None else grouped):
        base = base.sort("article_id", "token_index")
    # (one chunk: the steps gather rows of it many times, and a gather across chunks costs
    # several times a copy of the columns)
    return base.with_row_index("g").with_columns(pl.col("g").cast(pl.Int64)).rechunk()


def _hash_hits(h: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Sorted positions of ``h`` (uint64 hashes) whose value is one of ``targets``: a table of
    the targets' low 16 bits picks the few candidates in one NumPy pass, their full hashes are
    then compared (a Polars ``is_in`` probes a hash set for every row)."""
    table = np.zeros(1 << 16, dtype=bool)
    table[(targets & 0xFFFF).astype(np.intp)] = True
    cand = np.flatnonzero(table[(h & 0xFFFF).astype(np.intp)])
    return cand[np.isin(h[cand], targets)]


def _rows_with_norm(at: pl.DataFrame, words) -> pl.DataFrame:
    """``at.filter(pl.col("norm").is_in(words))``: the article tokens whose norm is one of a
    few words. The steps after the rules ask this five times of every token of the batch: the
    norms are hashed once (kept on ``at``), each look-up compares hashes and checks the few
    rows it finds by their strings (a hash collision adds a row the check drops)."""
    words = words if isinstance(words, pl.Series) else pl.Series(list(words), dtype=pl.String)
    nh = getattr(at, "_q_norm_hash", None)
    if nh is None:
        nh = at["norm"].hash().to_numpy()
        at._q_norm_hash = nh
    words = words.cast(pl.String)
    sub = at[pl.Series("", _hash_hits(nh, words.hash().to_numpy()), dtype=pl.Int64)]
    ok = sub["norm"].is_in(words.implode())
    return sub if ok.sum() == len(ok) else sub.filter(ok)


def _window(at: pl.DataFrame, centers: pl.Series, before: int, after: int, res: QuoteLexicon) -> pl.DataFrame:
    """The token rows around ``centers`` (global rows), once each, in order, with ``k``
    (matching key) and ``namey`` (a word that can be part of a personal name)."""
    n = at.height
    rows = pl.DataFrame({"c": centers.cast(pl.Int64)}).select(
        g=pl.int_ranges((pl.col("c") - before).clip(lower_bound=0), (pl.col("c") + after + 1).clip(upper_bound=n))
    ).explode("g").drop_nulls().unique().sort("g")["g"]
    heads = pl.Series(res.speaker_heads("person") + res.speaker_heads("organization") + res.name_heads,
                      dtype=pl.String).implode()
    stop = pl.Series(res.stop["key"].unique().to_list() + res.intro["key"].to_list(), dtype=pl.String).implode()
    naming = pl.Series(list(res.naming), dtype=pl.String).implode()
    k = pl.col("k")
    namey = (
        k.str.contains(r"^[\x{0621}-\x{064A}]{2,}$") & ~k.is_in(stop)
        & ~k.is_in(heads) & ~k.str.contains(_NOT_NAME_RE)
        & ~(k.str.contains(r"^[وفبلك]") & k.str.slice(1).is_in(heads))  # بنادي
        & ~(k.is_in(naming) | (k.str.contains(r"^[وف]") & k.str.slice(1).is_in(naming)))  # ويدعى
    )
    win = at[rows]
    src = win.select(s=pl.col("norm").fill_null(pl.col("token")))["s"]
    if src.null_count():
        return win.with_columns(k=match_key(pl.col("norm").fill_null(pl.col("token")))).with_columns(namey=namey)
    # (the key and the name test once per distinct word of the window, ~a fifth of its rows)
    words = src.unique().to_frame().with_columns(k=match_key(pl.col("s"))).with_columns(namey=namey)
    kn = src.to_frame().join(words, on="s", how="left", maintain_order="left")
    return win.with_columns(k=kn["k"], namey=kn["namey"])


def _expand_surnames(out: pl.DataFrame, at: pl.DataFrame, res: QuoteLexicon,
                     mentions: pl.DataFrame | None = None) -> pl.DataFrame:
    """A one-word speaker with no entity (a surname the entity stage did not know: "وقال
    راخوي") takes the fullest form of that name written in the article: the occurrence of the
    word preceded by one or two bare name-like words ("ماريانو راخوي", "رجب طيب أردوغان");
    speaker_text and its offsets then point at that occurrence (a linked one-word entity
    keeps its speaker_entity_id)."""
    heads = pl.Series(res.speaker_heads("person") + res.speaker_heads("organization") + res.name_heads,
                      dtype=pl.String).implode()
    # a speaker already linked to a full name ("ترامب" -> دونالد ترامب) keeps it
    full_ids = pl.Series([], dtype=pl.String)
    if mentions is not None and mentions.height:
        full_ids = mentions.filter(
            pl.coalesce("canonical_name", "surface").str.contains(r"\s")
        )["entity_id"].unique()
    one = out.with_row_index("_row").filter(
        pl.col("speaker_text").is_not_null() & ~pl.col("speaker_text").str.contains(r"\s")
    ).with_columns(
        w=_words_key(pl.col("speaker_text")),
        linked_full=pl.col("speaker_entity_id").fill_null("").is_in(full_ids.implode()),
    ).filter(
        ~pl.col("w").is_in(heads)
        & ~pl.col("w").is_in(pl.Series(res.stop_keys(*FUNCTION_KINDS, "verb", "time"), dtype=pl.String).implode())
    )
    if one.height == 0:
        return out
    occ = _rows_with_norm(at, one["w"].unique()).join(
        one.select("article_id", "w").unique(), left_on=["article_id", "norm"], right_on=["article_id", "w"], how="semi"
    )
    if occ.height == 0:
        return out
    # a given name expands forward (فيكتوريا -> فيكتوريا سكريبال), a surname backward
    given = pl.Series(res.given_names, dtype=pl.String).implode()
    occ = occ.with_columns(fwd=pl.col("norm").is_in(given))
    win = _window(at, occ["g"], 2, 2, res).select("g", "article_id", "sentence_index", "namey", "start_char", "end_char")
    p1 = win.with_columns(g=pl.col("g") + 1)
    p2 = win.with_columns(g=pl.col("g") + 2)
    f1 = win.with_columns(g=pl.col("g") - 1)
    f2 = win.with_columns(g=pl.col("g") - 2)
    fw = occ.filter(pl.col("fwd")).select("g", "article_id", "sentence_index", "start_char", w="norm").join(
        f1, on=["g", "article_id", "sentence_index"], how="left", suffix="_1"
    ).join(f2, on=["g", "article_id", "sentence_index"], how="left", suffix="_2").with_columns(
        n_next=pl.when(pl.col("namey").fill_null(False) & pl.col("namey_2").fill_null(False)).then(2)
        .when(pl.col("namey").fill_null(False)).then(1).otherwise(0)
    ).filter(pl.col("n_next") > 0)
    if fw.height:
        fw = fw.with_columns(
            f_e=pl.when(pl.col("n_next") == 2).then("end_char_2").otherwise("end_char"),
            f_text=pl.concat_str(
                [_take(at["token"], fw["g"]), _take(at["token"], fw["g"] + 1),
                 pl.when(pl.col("n_next") == 2).then(_take(at["token"], _clip((fw["g"] + 2), upper=at.height - 1)))],
                separator=" ", ignore_nulls=True,
            ),
        ).sort(["article_id", "w", "n_next", "g"], descending=[False, False, True, False]).unique(
            ["article_id", "w"], keep="first"
        ).select("article_id", "w", f_s="start_char", f_e="f_e", f_text="f_text")
    occ = occ.filter(~pl.col("fwd")).drop("fwd")
    prev_given = _take(at["norm"], _clip((occ["g"] - 1), lower=0)).is_in(given)
    occ = occ.select("g", "article_id", "sentence_index", "end_char", w="norm").with_columns(
        prev_given=prev_given
    ).join(
        p1, on=["g", "article_id", "sentence_index"], how="left", suffix="_1"
    ).join(p2, on=["g", "article_id", "sentence_index"], how="left", suffix="_2").with_columns(
        # a given name starts the name: "عسير محمد السيد" -> "محمد السيد"
        n_prev=pl.when(pl.col("namey").fill_null(False) & pl.col("namey_2").fill_null(False)
                       & ~pl.col("prev_given")).then(2)
        .when(pl.col("namey").fill_null(False)).then(1).otherwise(0)
    ).filter(pl.col("n_prev") > 0)
    # a run that opens its sentence is a verb more often than a name ("تحدثت فيكتوريا")
    first = _clip((occ["g"] - occ["n_prev"]), lower=0)
    before = _clip((first - 1), lower=0)
    opens = (
        (first == 0) | (_take(at["sentence_index"], before) != _take(at["sentence_index"], first))
        | (_take(at["article_id"], before) != _take(at["article_id"], first))
    )
    # a definite word (المحجوب، المستشفى) expands only to a name that starts with a given
    # name ("خالد المحجوب") or that the entity stage tagged as a person ("تركي المالكي"),
    # never to the words before a common noun ("تتوقع مغادرة المستشفى", "سمحت الصحفية")
    starts_given = _take(at["norm"], first).is_in(given)
    definite = occ["w"].str.starts_with("ال")
    occ = occ.with_columns(_first_s=_take(at["start_char"], first), _ok=~definite | starts_given, _per=pl.lit(False))
    if mentions is not None and mentions.height:
        per = mentions.filter(pl.col("type") == "PER").select(
            "article_id", _ms="start_char", _me="end_char"
        )
        in_per = occ.select("article_id", "g", "_first_s", "end_char").join(
            per, on="article_id", how="inner"
        ).filter((pl.col("_ms") <= pl.col("_first_s")) & (pl.col("_me") >= pl.col("end_char")))
        occ = occ.with_columns(_per=pl.col("g").is_in(in_per["g"].implode()))
        occ = occ.with_columns(_ok=pl.col("_ok") | pl.col("_per"))
    occ = occ.filter(~opens & pl.col("_ok")).drop("_first_s", "_ok").with_columns(
        f_s=pl.when(pl.col("n_prev") == 2).then("start_char_2").otherwise("start_char"),
        f_first=pl.col("g") - pl.col("n_prev"),
    ).sort(["article_id", "w", "_per", "n_prev", "g"], descending=[False, False, True, True, False]).unique(
        ["article_id", "w"], keep="first"
    )
    if occ.height == 0 and fw.height == 0:
        return out
    occ = occ.with_columns(
        f_text=pl.concat_str(
            [pl.when(pl.col("n_prev") == 2).then(_take(at["token"], occ["g"] - 2)),
             _take(at["token"], occ["g"] - 1), _take(at["token"], occ["g"])],
            separator=" ", ignore_nulls=True,
        )
    ).select("article_id", "w", "f_s", "_per", f_e="end_char", f_text="f_text")
    if fw.height:
        occ = pl.concat([occ, fw.with_columns(_per=pl.lit(True))], how="diagonal_relaxed")
    # a speaker linked to a full name expands only to a span the entity stage tagged as a
    # person ("ترامب" never becomes "بمزحة ميلانيا ترامب")
    hit = one.join(occ, on=["article_id", "w"], how="inner").filter(
        ~pl.col("linked_full") | pl.col("_per")
    ).select("_row", "f_s", "f_e", "f_text")
    x = out.with_row_index("_row").join(hit, on="_row", how="left", maintain_order="left")
    ok = pl.col("f_text").is_not_null() & ((pl.col("f_e") - pl.col("f_s")) == pl.col("f_text").str.len_chars())
    return x.with_columns(
        _person=pl.col("_person") | ok,
        speaker_text=pl.when(ok).then("f_text").otherwise("speaker_text"),
        speaker_start_char=pl.when(ok).then("f_s").otherwise("speaker_start_char"),
        speaker_end_char=pl.when(ok).then("f_e").otherwise("speaker_end_char"),
    ).drop("_row", "f_s", "f_e", "f_text")


def _surname_to_quoted_name(out: pl.DataFrame, mentions: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A one-word speaker that is the last word of a fuller name quoted in the same article
    ("وذكر العلمي أن" after "...، مولاي حفيظ العلمي، إن") is that person: speaker text, offsets
    and entity are the full name's (the nearest quote before, else after).  The full name is
    2-4 words, starts with a name (not a head, a definite or a function word: "رئيس الحكومة"
    gives nothing to "الحكومة") and is a person: a PER entity, given a role, or a given name
    first.  A definite one-word speaker takes it only as a nisba (العلمي، الشمري), not as a
    common noun (الدراسة، السكان، المصدر)."""
    if out.height == 0:
        return out
    heads = pl.Series(res.speaker_heads("person") + res.speaker_heads("organization") + res.name_heads,
                      dtype=pl.String).implode()
    stops = pl.Series(res.stop["key"].unique().to_list() + res.intro["key"].to_list(), dtype=pl.String).implode()
    per_ids = mentions.filter(pl.col("type") == "PER")["entity_id"].unique().implode()
    given = pl.Series(list(res.given_names), dtype=pl.String).implode()
    words = _words_key(pl.col("speaker_text")).str.split(" ")
    x = out.with_row_index("_row").with_columns(_w=words)
    w1 = pl.col("_w").list.first()
    single = x.filter(
        pl.col("speaker_text").is_not_null() & (pl.col("_w").list.len() == 1)
        & ~w1.is_in(heads) & ~w1.is_in(stops) & (w1.str.len_chars() >= 3)
        & (~w1.str.starts_with("ال") | w1.str.contains(r"^ال\w+[يى]$"))
    ).select("_row", "article_id", "start_char", w=w1)
    full = x.filter(
        pl.col("speaker_text").is_not_null() & (pl.col("_w").list.len() >= 2) & (pl.col("_w").list.len() <= 4)
        & ~w1.str.contains(r"^(?:[وفبل]?ال|لل)") & ~w1.is_in(heads) & ~w1.is_in(stops)
        & ~pl.col("speaker_text").str.contains(r"[،,:\"«»]")
        & (pl.col("speaker_entity_id").is_in(per_ids) | pl.col("speaker_role").is_not_null()
           | w1.is_in(given) | pl.col("_person"))
    ).select(
        "article_id", w=pl.col("_w").list.last(), d_start="start_char", d_text="speaker_text",
        d_s="speaker_start_char", d_e="speaker_end_char", d_eid="speaker_entity_id", d_person="_person",
    )
    if single.height == 0 or full.height == 0:
        return out
    hit = (
        single.join(full, on=["article_id", "w"], how="inner")
        .with_columns(before=pl.col("d_start") < pl.col("start_char"),
                      dist=(pl.col("start_char") - pl.col("d_start")).abs())
        .sort(["_row", "before", "dist"], descending=[False, True, False])
        .unique("_row", keep="first")
        .select("_row", "d_text", "d_s", "d_e", "d_eid", "d_person")
    )
    ok = pl.col("d_text").is_not_null()
    return (
        out.with_row_index("_row").join(hit, on="_row", how="left", maintain_order="left")
        .with_columns(
            speaker_text=pl.when(ok).then("d_text").otherwise("speaker_text"),
            speaker_start_char=pl.when(ok).then("d_s").otherwise("speaker_start_char"),
            speaker_end_char=pl.when(ok).then("d_e").otherwise("speaker_end_char"),
            speaker_entity_id=pl.when(ok).then(pl.coalesce("d_eid", "speaker_entity_id")).otherwise("speaker_entity_id"),
            _person=pl.col("_person") | (ok & pl.col("d_person").fill_null(False)),
        ).drop("_row", "d_text", "d_s", "d_e", "d_eid", "d_person")
    )


def _role_to_name(out: pl.DataFrame, at: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A speaker that is only a role (رئيس الحكومة، رئيسة وزراء كندية سابقة) takes the name
    the article gives that role in an apposition: "رئيس الحكومة الإسبانية، ماريانو راخوي،"
    (name after the role, within 6 words) or "كيم كامبل، رئيسة وزراء كندا السابقة" (name
    right before it); the nearest such apposition before the quote, else the first after.
    The role goes to speaker_role."""
    person_heads = pl.Series(res.speaker_heads("person"), dtype=pl.String).implode()
    cand = out.with_row_index("_row").filter(
        pl.col("speaker_entity_id").is_null() & pl.col("speaker_text").is_not_null()
        & pl.col("speaker_role").is_null()
    ).with_columns(h=_words_key(pl.col("speaker_text")).str.split(" ").list.first().str.replace(r"^ال", ""))
    cand = cand.filter(pl.col("h").is_in(person_heads))
    if cand.height == 0:
        return out
    hs = cand["h"].unique().to_list()
    forms = [p + h for h in hs for p in ("", "ال", "وال", "فال", "و", "ف", "بال", "لل")]
    occ = _rows_with_norm(at, forms).with_columns(
        h=pl.col("norm").str.replace(r"^(?:وال|فال|بال|ال|لل|و|ف)", "")
    ).filter(pl.col("h").is_in(hs)).join(cand.select("article_id", "h").unique(), on=["article_id", "h"], how="semi")
    if occ.height == 0:
        return out
    win = _window(at, occ["g"], 5, 9, res)
    win = win.with_columns(
        run=((pl.col("namey") != pl.col("namey").shift(1)) | (pl.col("g") != pl.col("g").shift(1) + 1)
             | (pl.col("sentence_index") != pl.col("sentence_index").shift(1))
             | (pl.col("article_id") != pl.col("article_id").shift(1))).fill_null(True).cum_sum()
    )
    runs = win.filter(pl.col("namey")).group_by("run").agg(
        pl.col("article_id").first(), pl.col("sentence_index").first(),
        n_first=pl.col("g").min(), n_last=pl.col("g").max(),
        n_s=pl.col("start_char").min(), n_e=pl.col("end_char").max(),
        n_text=pl.col("token").str.join(" "),
    ).filter((pl.col("n_last") - pl.col("n_first")).is_between(1, 2))
    commas = win.filter(pl.col("token").is_in(["،", ","]))["g"].implode()
    # a title may stand between the comma and the name: "رئيس هيئة القناة، الفريق مهاب مميش،"
    titles = win.filter(pl.col("k").is_in(person_heads))["g"].implode()
    runs = runs.with_columns(
        c_left=pl.when((pl.col("n_first") - 1).is_in(commas)).then(pl.col("n_first") - 1)
        .when((pl.col("n_first") - 1).is_in(titles) & (pl.col("n_first") - 2).is_in(commas)).then(pl.col("n_first") - 2),
        c_right=pl.when((pl.col("n_last") + 1).is_in(commas)).then(pl.col("n_last") + 1),
    ).filter(pl.col("c_left").is_not_null() | pl.col("c_right").is_not_null())
    pairs = occ.select("article_id", "sentence_index", "h", p="g", p_s="start_char").join(
        runs, on=["article_id", "sentence_index"], how="inner"
    ).filter(
        ((pl.col("c_left") - pl.col("p")).is_between(1, 6) & pl.col("c_right").is_not_null())  # role، name،
        | (pl.col("c_right") == pl.col("p") - 1)  # name، role
    )
    if pairs.height == 0:
        return out
    hit = cand.select("_row", "article_id", "h", "start_char").join(pairs, on=["article_id", "h"], how="inner").with_columns(
        before=pl.col("p_s") < pl.col("start_char"), dist=(pl.col("start_char") - pl.col("p_s")).abs()
    ).sort(  # ties (one role, two appositions) go to the earlier name: never to row order
        ["_row", "before", "dist", "n_s", "n_e"], descending=[False, True, False, False, False]
    ).unique("_row", keep="first").select("_row", "n_text", "n_s", "n_e")
    x = out.with_row_index("_row").join(hit, on="_row", how="left", maintain_order="left")
    ok = pl.col("n_text").is_not_null() & ((pl.col("n_e") - pl.col("n_s")) == pl.col("n_text").str.len_chars())
    return x.with_columns(
        speaker_role=pl.when(ok).then("speaker_text").otherwise("speaker_role"),
        _person=pl.col("_person") | ok,
        speaker_text=pl.when(ok).then("n_text").otherwise("speaker_text"),
        speaker_start_char=pl.when(ok).then("n_s").otherwise("speaker_start_char"),
        speaker_end_char=pl.when(ok).then("n_e").otherwise("speaker_end_char"),
    ).drop("_row", "n_text", "n_s", "n_e")


def _latest_before(cand: pl.DataFrame, occ: pl.DataFrame) -> pl.DataFrame:
    """For each candidate row (``_row``, article_id, h, speaker_start_char), the latest
    occurrence of ``occ`` (article_id, h, o_s, o_e, o_text) that starts before the speaker."""
    return cand.select("_row", "article_id", "h", "speaker_start_char").join(
        occ, on=["article_id", "h"], how="inner"
    ).filter(pl.col("o_s") < pl.col("speaker_start_char")).sort(
        ["_row", "o_s", "o_e", "o_text"], descending=[False, True, True, False]
    ).unique(
        "_row", keep="first"
    ).select("_row", "o_s", "o_e", "o_text")


def _take_span(out: pl.DataFrame, hit: pl.DataFrame) -> pl.DataFrame:
    """speaker_text and its offsets replaced by ``hit`` (``_row``, o_s, o_e, o_text) where the
    text is exactly the slice of its offsets (tokens joined by single spaces)."""
    x = out.with_row_index("_row").join(hit, on="_row", how="left", maintain_order="left")
    ok = pl.col("o_text").is_not_null() & ((pl.col("o_e") - pl.col("o_s")) == pl.col("o_text").str.len_chars())
    return x.with_columns(
        speaker_text=pl.when(ok).then("o_text").otherwise("speaker_text"),
        speaker_start_char=pl.when(ok).then("o_s").otherwise("speaker_start_char"),
        speaker_end_char=pl.when(ok).then("o_e").otherwise("speaker_end_char"),
    ).drop("_row", "o_s", "o_e", "o_text")


def _org_head_to_name(out: pl.DataFrame, at: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A bare definite organisation head with no entity (الشركة، الأكاديمية) takes the
    organisation named earlier with that head: "أعلنت شركة موزيلا ..." ... "وقالت الشركة إن"
    -> شركة موزيلا (the head followed by one or two name words)."""
    org_heads = pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode()
    cand = out.with_row_index("_row").filter(
        pl.col("speaker_entity_id").is_null() & pl.col("speaker_text").is_not_null()
        & ~pl.col("speaker_text").str.contains(r"\s")
    ).with_columns(w=_words_key(pl.col("speaker_text"))).filter(
        pl.col("w").str.starts_with("ال") & pl.col("w").is_in(org_heads)
    ).with_columns(h=pl.col("w").str.slice(2))
    if cand.height == 0:
        return out
    occ = _rows_with_norm(at, cand["h"].unique()).join(
        cand.select("article_id", "h").unique(), left_on=["article_id", "norm"], right_on=["article_id", "h"], how="semi"
    )
    if occ.height == 0:
        return out
    win = _window(at, occ["g"], 0, 2, res).select("g", "article_id", "sentence_index", "namey", "end_char")
    n1 = win.with_columns(g=pl.col("g") - 1)
    n2 = win.with_columns(g=pl.col("g") - 2)
    occ = occ.select("g", "article_id", "sentence_index", "start_char", h="norm").join(
        n1, on=["g", "article_id", "sentence_index"], how="left"
    ).join(n2, on=["g", "article_id", "sentence_index"], how="left", suffix="_2").with_columns(
        n_next=pl.when(pl.col("namey").fill_null(False) & pl.col("namey_2").fill_null(False)).then(2)
        .when(pl.col("namey").fill_null(False)).then(1).otherwise(0)
    ).filter(pl.col("n_next") > 0)
    if occ.height == 0:
        return out
    occ = occ.with_columns(
        o_e=pl.when(pl.col("n_next") == 2).then("end_char_2").otherwise("end_char"),
        o_text=pl.concat_str(
            [_take(at["token"], occ["g"]), _take(at["token"], occ["g"] + 1),
             pl.when(pl.col("n_next") == 2).then(_take(at["token"], _clip((occ["g"] + 2), upper=at.height - 1)))],
            separator=" ", ignore_nulls=True,
        ),
    )
    hit = cand.select("_row", "article_id", "h", "start_char").join(
        occ.select("article_id", "h", o_s="start_char", o_e="o_e", o_text="o_text"), on=["article_id", "h"], how="inner"
    ).with_columns(
        before=pl.col("o_s") < pl.col("start_char"), dist=(pl.col("start_char") - pl.col("o_s")).abs()
    ).sort(
        ["_row", "before", "dist", "o_s", "o_e", "o_text"], descending=[False, True, False, False, True, False]
    ).unique("_row", keep="first").select("_row", "o_s", "o_e", "o_text")
    return _take_span(out, hit)


def _org_head_to_quoted_name(out: pl.DataFrame, at: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A bare definite organisation head still unresolved (الصحيفة، الوكالة) takes the
    quoted name that followed the same head earlier: "لصحيفة «غانا سبورتس أون لاين»" ...
    "وتوقعت الصحيفة أن" -> غانا سبورتس أون لاين (the words inside the marks)."""
    org_heads = pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode()
    cand = out.with_row_index("_row").filter(
        pl.col("speaker_entity_id").is_null() & pl.col("speaker_text").is_not_null()
        & ~pl.col("speaker_text").str.contains(r"\s")
    ).with_columns(w=_words_key(pl.col("speaker_text")).str.replace(r"^[وف](ال)", "$1")).filter(
        pl.col("w").str.starts_with("ال") & pl.col("w").is_in(org_heads)
    ).with_columns(h=pl.col("w").str.slice(2))
    if cand.height == 0:
        return out
    n = at.height
    hs = cand["h"].unique().to_list()
    forms = pl.Series([p + h for h in hs for p in ("", "ل", "ب", "و")], dtype=pl.String)
    occ = _rows_with_norm(at, forms).with_columns(
        h=pl.col("norm").str.replace(r"^[لبو](.{3,})$", "$1")
    ).join(cand.select("article_id", "h").unique(), on=["article_id", "h"], how="semi")
    if occ.height == 0:
        return out
    marks = ["«", '"', "“", "»", "”"]
    g = occ["g"]
    opens = _take(at["token"], _clip((g + 1), upper=n - 1)).is_in(marks[:3])
    rows = []
    for k in range(3, 8):  # the closing mark k tokens after the head (1-5 name words)
        x = _clip((g + k), upper=n - 1)
        rows.append(pl.when(_take(at["token"], x).is_in(marks)).then(k))
    close_k = pl.select(pl.coalesce(rows)).to_series() if rows else None
    occ = occ.with_columns(ck=close_k, op=opens).filter(pl.col("op") & pl.col("ck").is_not_null())
    if occ.height == 0:
        return out
    s_row = occ["g"] + 2
    e_row = occ["g"] + occ["ck"] - 1
    same = (_take(at["sentence_index"], _clip(e_row, upper=n - 1)) == occ["sentence_index"])
    texts = [_take(at["token"], _clip((s_row + i), upper=n - 1)) for i in range(5)]
    occ = occ.with_columns(
        o_s=_take(at["start_char"], _clip(s_row, upper=n - 1)), o_e=_take(at["end_char"], _clip(e_row, upper=n - 1)),
        o_text=pl.concat_str(
            [pl.when(pl.lit(i) <= (pl.col("ck") - 3)).then(texts[i]) for i in range(5)], separator=" ", ignore_nulls=True
        ),
        same=same,
    ).filter("same")
    return _take_span(out, _latest_before(cand, occ.select("article_id", "h", "o_s", "o_e", "o_text")))


def _definite_backref(out: pl.DataFrame, at: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A bare definite speaker with no entity that the rules above left alone (المصادر،
    المصدر، الشركات ذاتها) is the indefinite phrase introduced earlier in the article:
    "قالت مصادر يمنية ..." ... "وأضافت المصادر أن" -> مصادر يمنية; "عن مصدر عسكري" ...
    "وذكر المصدر:" -> مصدر عسكري (the nearest earlier occurrence of the noun without ال,
    followed by one content word of the same sentence)."""
    cand = out.with_row_index("_row").filter(
        pl.col("speaker_entity_id").is_null() & pl.col("speaker_text").is_not_null()
        & ~pl.col("speaker_text").str.contains(r"\s")
    ).with_columns(w=_words_key(pl.col("speaker_text")).str.replace(r"^[وف](ال)", "$1")).filter(
        pl.col("w").str.starts_with("ال") & (pl.col("w").str.len_chars() >= 5)
    ).with_columns(h=pl.col("w").str.slice(2))
    if cand.height == 0:
        return out
    # one source stands for the sources named before: "كشفت مصادر مطلعة ..." ... "وأكد المصدر
    # ذاته أن" -> مصادر مطلعة (the nearest earlier of the singular and the plural)
    cand = pl.concat([cand, cand.filter(pl.col("h") == "مصدر").with_columns(h=pl.lit("مصادر"))])
    # the indefinite form is looked up only for source and organisation heads (مصادر، مصدر،
    # شركات): "المشاهير" must not become "مشاهير يناشدون"
    src_heads = pl.Series(res.stop_keys("source_noun") + res.speaker_heads("organization"), dtype=pl.String).implode()
    # the indefinite noun (مصادر يمنية) or the same definite noun with its adjectives
    # (الشرطة الاتحادية الاسترالية), written earlier
    keys = pl.concat([
        cand.filter(pl.col("h").is_in(src_heads)).select("article_id", "h"), cand.select("article_id", h="w"),
    ]).unique()
    occ = _rows_with_norm(at, keys["h"]).join(
        keys, left_on=["article_id", "norm"], right_on=["article_id", "h"], how="semi")
    if occ.height == 0:
        return out
    stop = pl.Series(res.stop["key"].unique().to_list() + res.intro["key"].to_list(), dtype=pl.String).implode()
    g = occ["g"]
    definite = occ["norm"].str.starts_with("ال")

    def nxt_ok(k: int) -> pl.Series:
        x = _clip((g + k), upper=at.height - 1)
        kk = match_key(_fill(_take(at["norm"], x), _take(at["token"], x)))
        adj = kk.str.starts_with("ال") if k > 1 else pl.Series([True] * len(g))
        return (
            (_take(at["article_id"], x) == occ["article_id"]) & (_take(at["sentence_index"], x) == occ["sentence_index"])
            & kk.str.contains(r"^[\x{0621}-\x{064A}]{3,}$") & ~kk.is_in(stop)
            & (_take(at["start_char"], x) == _take(at["end_char"], x - 1) + 1)
            & (~definite | (kk.str.starts_with("ال") & kk.str.contains("(ي|يه)$"))) & adj
        ).fill_null(False)

    ok1 = nxt_ok(1)
    ok2 = ok1 & definite & nxt_ok(2)
    # "النيابة في فيينا": the definite noun + في + a place name
    g1 = _clip((g + 1), upper=at.height - 1)
    g2 = _clip((g + 2), upper=at.height - 1)
    k2 = match_key(_fill(_take(at["norm"], g2), _take(at["token"], g2)))
    ok_fi = (
        definite & ~ok1 & (match_key(_fill(_take(at["norm"], g1), _take(at["token"], g1))) == "في")
        & k2.str.contains(r"^[\x{0621}-\x{064A}]{3,}$") & ~k2.str.starts_with("ال") & ~k2.is_in(stop)
        & (_take(at["sentence_index"], g2) == occ["sentence_index"]) & (_take(at["article_id"], g2) == occ["article_id"])
        & (_take(at["start_char"], g1) == occ["end_char"] + 1) & (_take(at["start_char"], g2) == _take(at["end_char"], g1) + 1)
    ).fill_null(False)
    ok2 = ok2 | ok_fi
    ok1 = ok1 | ok_fi
    last = pl.select(pl.when(ok2).then(g + 2).otherwise(g + 1)).to_series().clip(upper_bound=at.height - 1)
    occ = occ.with_columns(
        ok=ok1, o_e=_take(at["end_char"], last),
        o_text=pl.concat_str(
            [pl.col("token"), _take(at["token"], g1),
             pl.when(ok2).then(_take(at["token"], g2))],
            separator=" ", ignore_nulls=True,
        ),
        h=pl.when(definite).then(pl.col("norm").str.slice(2)).otherwise("norm"),
    ).filter("ok").select("article_id", "h", o_s="start_char", o_e="o_e", o_text="o_text")
    # ... or an earlier speaker phrase with that head: "قال مكتب رئيس الوزراء ..." ... "وأضاف
    # المكتب أن" -> مكتب رئيس الوزراء
    said = out.filter(
        pl.col("speaker_text").str.contains(r"\s") & pl.col("speaker_start_char").is_not_null()
    ).select(
        "article_id", h=_words_key(pl.col("speaker_text")).str.split(" ").list.first().str.replace("^ال", ""),
        o_s=pl.col("speaker_start_char").cast(pl.Int64), o_e=pl.col("speaker_end_char").cast(pl.Int64),
        o_text="speaker_text",
    ).filter(pl.col("h").is_in(src_heads))
    occ = pl.concat([occ.cast({"o_s": pl.Int64, "o_e": pl.Int64}), said])
    return _take_span(out, _latest_before(cand, occ))


def _cut_at_kinship(out: pl.DataFrame, mentions: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A person's name ends at a kinship word ("جواد شقيق معاذ الأكبر" -> جواد, role "شقيق
    معاذ الأكبر"): the words after it name someone else.  Applies to the speaker as written
    and to the canonical name of its entity (which the entity stage may have run on); the
    entity link is dropped then, since that entity's name is not the speaker's."""
    kin_keys = res.speaker_heads("kinship")
    if out.height == 0 or not kin_keys:
        return out
    kin_re = r"\s(?:" + "|".join(sorted(kin_keys)) + r")(?:\s|$)"
    # only names holding a kinship word after their first word are looked at
    canon = mentions.select(
        "article_id", speaker_entity_id="entity_id",
        _canon=pl.coalesce("canonical_name", "surface") if "canonical_name" in mentions.columns else pl.col("surface"),
    ).unique(["article_id", "speaker_entity_id"], keep="first").join(  # (only the speakers' entities are keyed)
        out.select("article_id", "speaker_entity_id"), on=["article_id", "speaker_entity_id"], how="semi",
    ).filter(_words_key(pl.col("_canon")).str.contains(kin_re))
    x = out.with_row_index("_row").join(canon, on=["article_id", "speaker_entity_id"], how="left", maintain_order="left")
    x = x.filter(pl.col("speaker_text").is_not_null() & (
        pl.col("_canon").is_not_null() | _words_key(pl.col("speaker_text")).str.contains(kin_re)))
    if x.height == 0:
        return out
    kin = pl.Series(kin_keys, dtype=pl.String).implode()
    name = pl.coalesce("_canon", "speaker_text")
    words = name.str.split(" ")
    pos = _words_key(name).str.split(" ").list.eval(pl.element().is_in(kin).arg_true().first()).list.first()
    x = x.with_columns(_pos=pos).filter(pl.col("_pos") >= 1).with_columns(
        _short=words.list.head(pl.col("_pos")).list.join(" "),
        _rest=words.list.slice(pl.col("_pos")).list.join(" "),
    )
    # the written span keeps its offsets when it starts with the short name
    keep_span = pl.col("speaker_text").str.starts_with(pl.col("_short"))
    fix = x.select(
        "_row",
        speaker_role=pl.coalesce("speaker_role", "_rest"),
        speaker_end_char=pl.when(keep_span).then(pl.col("speaker_start_char") + pl.col("_short").str.len_chars())
        .otherwise("speaker_end_char"),
        speaker_text=pl.when(keep_span).then("_short").otherwise("speaker_text"),
        speaker_entity_id=pl.lit(None, pl.String),
    )
    return _patch(out, fix)


def _patch(out: pl.DataFrame, fix: pl.DataFrame) -> pl.DataFrame:
    """``out`` with the rows of ``fix`` (keyed by row number ``_row``) replacing its columns."""
    cols = [c for c in fix.columns if c != "_row"]
    x = out.with_row_index("_row").join(fix.rename({c: f"_f_{c}" for c in cols}), on="_row", how="left",
                                        maintain_order="left")
    hit = pl.col("_row").is_in(fix["_row"].implode())
    return x.with_columns(
        **{c: pl.when(hit).then(pl.col(f"_f_{c}")).otherwise(pl.col(c)) for c in cols}
    ).select(out.columns)


def _head_word(phrase: pl.Expr, hon: pl.Expr) -> pl.Expr:
    """The head noun of a role phrase as a comparable key: honorific (معالي) skipped, ال and
    a feminine ending dropped (وزيرة المالية -> وزير, الرئيس -> رئيس)."""
    w = _words_key(phrase).str.split(" ")
    w = pl.when(w.list.first().is_in(hon)).then(w.list.get(1, null_on_oob=True)).otherwise(w.list.first())
    return w.str.replace(r"^ال", "").str.replace(r"ه$", "")


def _epithet_to_protagonist(out: pl.DataFrame, mentions: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """A definite description of a person as the speaker ("وأشار اللاعب التشيلي الدولي إلى
    أن", "وقال قائد ريال مدريد:", "وأوضح معالي وزير الداخلية البحريني أن"), linked to no
    entity and left unresolved by the role rules, is the article's protagonist when every
    named person quoted before it in the article is one and the same person, no other person
    has been named before it, and that person was given no role with another head word: news
    refers back to the person it is about by role or epithet.  The description goes to
    ``speaker_role``.  Otherwise nothing changes."""
    if out.height == 0 or mentions.height == 0:
        return out
    person_heads = pl.Series(res.speaker_heads("person"), dtype=pl.String).implode()
    hon = pl.Series(list(res.honorifics), dtype=pl.String).implode()
    w = pl.col("_w")
    x = out.with_row_index("_row")
    # candidates first (no join): an unlinked speaker headed by a person head
    cand = x.filter(pl.col("speaker_entity_id").is_null() & pl.col("speaker_text").is_not_null()).with_columns(
        _w=_words_key(pl.col("speaker_text")).str.split(" ")).with_columns(
        _w=pl.when(w.list.first().is_in(hon)).then(w.list.slice(1)).otherwise(w)).filter(pl.col("_w").list.first().is_in(person_heads) & (pl.col("_w").list.len() <= 6))
    if cand.height == 0:
        return out
    arts = cand["article_id"].unique().implode()
    ms = mentions.filter(pl.col("article_id").is_in(arts))
    per = ms.filter(pl.col("type") == "PER").select("article_id", speaker_entity_id="entity_id").unique()
    x = x.filter(pl.col("article_id").is_in(arts)).join(
        per.with_columns(_per=pl.lit(True)), on=["article_id", "speaker_entity_id"], how="left",
        maintain_order="left",
    ).sort("article_id", "start_char")
    named = pl.col("_per").fill_null(False)
    _first_named = (pl.col("_eid").is_not_null() & pl.col("_eid").is_first_distinct().over("article_id")).cast(pl.Int64)
    x = x.with_columns(
        _eid=pl.when(named).then("speaker_entity_id"),
        _txt=pl.when(named).then("speaker_text"),
        _s=pl.when(named).then("speaker_start_char"),
        _e=pl.when(named).then("speaker_end_char"),
        # the role the quoted person was given (رئيس لجنة الميزانيات), by its head word
        _rh=pl.when(named).then(_head_word(pl.col("speaker_role"), hon)),
    ).with_columns(
        # distinct named persons quoted strictly before each row
        _n=_first_named.cum_sum().over("article_id") - _first_named,
        **{c: pl.col(c).forward_fill().shift(1).over("article_id") for c in ("_eid", "_txt", "_s", "_e", "_rh")},
    ).join(cand.select("_row", "_w"), on="_row", how="inner")
    # definite: the head or the word after it has ال, or a name starts right after the head
    # (قائد ريال مدريد); "مندوب خليجي في أوبك" is indefinite, a new source
    # Only the first ORG/LOC mention starting after the speaker's first character can have
    # exactly one word before it: an as-of join finds it (a join on article_id alone pairs
    # every candidate with every mention, quadratic on a hostile one-line article).
    ents = ms.filter(pl.col("type").is_in(["ORG", "LOC"])).select(
        "article_id", m_s="start_char", m_e="end_char"
    ).sort("article_id", "m_s", "m_e").unique(["article_id", "m_s"], keep="first", maintain_order=True).sort("m_s")
    pre = pl.col("speaker_text").str.slice(0, pl.col("m_s") - pl.col("speaker_start_char"))
    pre_w = _words_key(pre).str.split(" ")
    pre_w = pl.when(pre_w.list.first().is_in(hon)).then(pre_w.list.slice(1)).otherwise(pre_w)
    inner = x.select("_row", "article_id", "speaker_start_char", "speaker_end_char", "speaker_text").sort(
        "speaker_start_char"
    ).join_asof(
        ents, left_on="speaker_start_char", right_on="m_s", by="article_id", strategy="forward",
        allow_exact_matches=False, check_sortedness=False,
    ).filter(
        pl.col("m_s").is_not_null() & (pl.col("m_e") <= pl.col("speaker_end_char"))
    ).filter(pre_w.list.len() == 1).select("_row").unique().with_columns(_inner=pl.lit(True))
    x = x.join(inner, on="_row", how="left", maintain_order="left")
    # ... and only when that person is the only one the article has named so far: "استقبل
    # الوزير سامي عبد الهادي نظيره السوداني الوزير عثمان الطيب ... وقال عبد الهادي ... من جانبه،
    # أكد الوزير السوداني" refers to the other, unquoted, person (distinct persons first named
    # before the speaker, by an as-of join on their first mentions)
    firsts = (
        ms.filter(pl.col("type") == "PER").group_by("article_id", "entity_id").agg(p_s=pl.col("start_char").min())
        .sort("article_id", "p_s", "entity_id")
        .with_columns(n_named=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("article_id"))
        .sort("p_s")
    )
    named_before = x.select("_row", "article_id", "speaker_start_char").sort("speaker_start_char").join_asof(
        firsts.select("article_id", "p_s", "n_named"), left_on="speaker_start_char", right_on="p_s",
        by="article_id", strategy="backward", allow_exact_matches=False, check_sortedness=False,
    ).select("_row", "n_named")
    x = x.join(named_before, on="_row", how="left", maintain_order="left")
    epithet = (
        (pl.col("_w").list.head(2).list.eval(pl.element().str.starts_with("ال")).list.any()
         | pl.col("_inner").fill_null(False))
        & (pl.col("_n") == 1) & pl.col("_eid").is_not_null() & (pl.col("n_named") == 1)
        # a person already given another role is not this one: "رئيس لجنة الميزانيات" is not
        # "وزيرة المالية", "وزير الشباب والرياضة" not "رئيس الاتحاد الجزائري"
        & (pl.col("_rh").is_null() | (pl.col("_rh") == _head_word(pl.col("speaker_text"), hon)))
    )
    fix = x.filter(epithet).select(
        "_row",
        speaker_role="speaker_text",
        speaker_text="_txt",
        speaker_start_char="_s",
        speaker_end_char="_e",
        speaker_entity_id="_eid",
    )
    return _patch(out, fix) if fix.height else out


def _speaker_type(out: pl.DataFrame, mentions: pl.DataFrame, res: QuoteLexicon) -> pl.DataFrame:
    """person / organization (a linked PER / ORG-or-LOC entity, else the head word of the
    speaker phrase in seeds/quote_speaker_heads.csv) / unnamed (مصادر، مراقبون ...)."""
    types = mentions.select("article_id", speaker_entity_id="entity_id", e_type="type").join(
        out.select("article_id", "speaker_entity_id"), on=["article_id", "speaker_entity_id"], how="semi",
        maintain_order="left",
    ).unique(["article_id", "speaker_entity_id"], keep="first")  # (only the speakers' entities)
    # (the speaker's words are keyed once, not once per test)
    out = out.join(types, on=["article_id", "speaker_entity_id"], how="left", maintain_order="left").with_columns(
        _w=_words_key(pl.col("speaker_text")).str.split(" ")
    )
    head = pl.col("_w").list.first()
    org_heads = pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode()
    person_heads = pl.Series(res.speaker_heads("person"), dtype=pl.String).implode()
    src_nouns = pl.Series(res.stop["key"].unique().to_list(), dtype=pl.String).implode()
    words = pl.col("_w")
    return out.with_columns(
        speaker_type=pl.when(pl.col("speaker_text").is_null()).then(None)
        .when((pl.col("e_type") == "PER") | pl.col("_person")).then(pl.lit("person"))
        .when(pl.col("e_type").is_in(["ORG", "LOC"])).then(pl.lit("organization"))
        .when(head.is_in(org_heads)).then(pl.lit("organization"))
        # a news outlet (رويترز، "رويترز"، بي بي سي; seeds kind outlet)
        .when(_words_key(pl.col("speaker_text").str.replace_all(r"[\"«»“”]", "")).str.split(" ").list.first()
              .is_in(pl.Series(list(res.outlets), dtype=pl.String).implode())).then(pl.lit("organization"))
        .when(head.is_in(person_heads)).then(pl.lit("person"))
        .when(_words_key(pl.col("speaker_role")).str.split(" ").list.first().is_in(person_heads))
        .then(pl.lit("person"))
        # a share of people ("27 بالمئة", "66%") is unnamed
        .when(pl.col("speaker_text").str.contains(r"^[0-9\u0660-\u0669]")).then(pl.lit("unnamed"))
        # a bare name (no ال, no source noun such as مصادر، مراقبون, at most 3 words):
        # a person the entity stage did not know (راخوي، ماريانو راخوي)
        .when(
            ~words.list.eval(
                pl.element().str.contains(r"^(?:ال|لل|م..+(?:ون|ين)$)") | pl.element().is_in(src_nouns)
            ).list.any()
            & (words.list.len() <= 3)
        ).then(pl.lit("person"))
        .otherwise(pl.lit("unnamed"))
    ).drop("e_type", "_person", "_w")


# ------------------------------------------------------------------------------ public
def quotes(
    sentences: pl.DataFrame,
    tokens: pl.DataFrame,
    mentions: pl.DataFrame,
    resources: Resources | None = None,
) -> pl.DataFrame:
    """article_id, quote_id, kind, start_char, end_char, text, verb, speaker_text,
    speaker_start_char, speaker_end_char, speaker_entity_id, speaker_role, sentence_index.
    """
    res = _lexicon(resources)
    if tokens.height == 0:
        return _empty()
    all_tokens = tokens
    # (one check of the article order for the whole batch: the candidate sentences' tokens, a
    # subset in the same order, are in article order when all are)
    tokens, grouped, art_runs = _candidate_sentences(tokens, mentions, res)
    if tokens.height == 0:
        return _empty()
    t = token_table(tokens, res, grouped=True if grouped else None, art_runs=art_runs if grouped else None)
    n = t.height
    sid = t["sid"]
    tok = t["token"]
    key = t["key"]

    # -- sentence bounds (first / last row of each sentence, per row)
    # (NumPy: sid is 1, 2, ... in row order, without nulls)
    sid_np = sid.to_numpy()
    starts = np.ones(n + 1, dtype=bool)
    starts[1:n] = sid_np[1:] != sid_np[:-1]
    first_r = pl.Series("r", np.flatnonzero(starts[:n])[sid_np - 1], dtype=pl.Int64)
    last_r = pl.Series("r", np.flatnonzero(starts[1:])[sid_np - 1], dtype=pl.Int64)

    # -- paired quotation marks, within a sentence
    qm = t.select(pl.col("r", "sid", "token").filter(pl.col("qmark")))
    qm = qm.with_columns(
        amb=pl.col("token").is_in(res.alt_marks),
    ).with_columns(
        amb_rank=pl.when(pl.col("amb")).then(pl.col("amb").cast(pl.Int64).cum_sum().over("sid") - 1)
    ).with_columns(
        is_open=pl.when(pl.col("amb")).then(pl.col("amb_rank") % 2 == 0)
        .otherwise(pl.col("token").is_in(res.open_marks)),
    ).with_columns(
        # (the rows are in order: the next row of the sentence is the next row, if same sid)
        next_r=pl.when(pl.col("sid").shift(-1) == pl.col("sid")).then(pl.col("r").shift(-1)),
        next_open=pl.when(pl.col("sid").shift(-1) == pl.col("sid")).then(pl.col("is_open").shift(-1)),
    )
    pairs = qm.filter(pl.col("is_open") & (pl.col("next_open") == False)).select(  # noqa: E712
        qo="r", qc="next_r", sid="sid"
    )
    pc_real = pairs["qc"].sort()
    # an opening mark never closed in its sentence ("صرح لو مير "نحن نرفض ... الضغط.") pairs
    # with the sentence end (before its final punctuation): a quote never runs past its
    # sentence, so an unbalanced mark cannot swallow the article
    # (the last row of the sentence and its token: gathered at the open mark's row)
    unclosed = qm.filter(pl.col("is_open") & pl.col("next_r").is_null())
    u_last = _take(last_r, unclosed["r"])
    unclosed = unclosed.with_columns(last=u_last, last_tok=_take(tok, u_last)).select(
        qo="r",
        qc=pl.when(pl.col("last_tok").is_in(HARD_STOPS)).then(pl.col("last")).otherwise(pl.col("last") + 1),
        sid="sid",
    ).filter(pl.col("qc") - pl.col("qo") >= 3)
    pairs = pl.concat([pairs, unclosed]).sort("qo")
    po, pc = pairs["qo"], pairs["qc"]
    if _plain(po) and _plain(pc):
        # (rows 0..n-1 in order: the pairs opened at or before each row are a running count of
        # the opening rows, one NumPy pass instead of a search per row)
        po_np, pc_np = po.to_numpy(), pc.to_numpy()
        marks = np.bincount(po_np, minlength=n)[:n]
        open_flag = pl.Series("r", marks > 0)
        k = np.cumsum(marks)  # pairs opened at or before each row
        j = np.maximum(k - 1, 0)
        rr = np.arange(n)
        inside = pl.Series("", (k > 0) & (po_np[j] < rr) & (pc_np[j] > rr)) if len(po_np) else \
            pl.Series("", np.zeros(n, dtype=bool))
    else:
        open_flag = t.select(pl.col("r").is_in(po.implode()))["r"]
        inside_flag_pos = _prev_at_or_before(po, t["r"])  # last pair open at/before each row
        pc_of = pl.concat([pl.Series([None], dtype=pl.Int64), pc.cast(pl.Int64)]).gather(
            po.search_sorted(t["r"], side="right")
        )
        inside = _fill(((inside_flag_pos < t["r"]) & (pc_of > t["r"])), False)

    # -- prefix sums
    hard = t["hard"]
    colon = t["colon"]
    P_hard = _Prefix(hard, t["r"])
    P_colon = _Prefix(colon, t["r"])
    # words that cannot be inside a subject / role (commas can: "وزير المالية، الوزير X،")
    nonsubj = t.select(
        (pl.col("is_punct") & ~pl.col("comma")) | pl.col("comp") | pl.col("func")
        | pl.col("block") | pl.col("sv") | pl.col("qmark")
    )["is_punct"]
    # an addressee outlet between the verb and its subject is no obstacle: "أكد لـ«عكاظ»
    # مدير تعليم صبيا ..." / "وقال لصحيفة "الرياض" المتحدث ...": a bare ل (or ل + a name
    # head) right before a short closed quotation; its rows are not non-subject words
    if len(pairs):
        real = pairs.filter(pl.col("qc").is_in(pc_real.implode()) & ((pl.col("qc") - pl.col("qo")) <= 5)
                            & (pl.col("qo") >= 1))
        pk = _take(key, (real["qo"] - 1).cast(pl.Int64))
        nh = pl.Series(res.name_heads + res.speaker_heads("organization"), dtype=pl.String).implode()
        to_outlet = _take(tok, (real["qo"] - 1).cast(pl.Int64)).is_in(["ل", "لـ"]) | (
            pk.str.starts_with("ل") & pk.str.slice(1).is_in(nh))
        real = real.filter(to_outlet)
        # (+1 at the row before the mark, -1 after the closing one: a running sum, in NumPy)
        r_on = (real["qo"] - 1).cast(pl.Int64).to_numpy()
        r_off = (real["qc"] + 1).cast(pl.Int64).to_numpy()
        acc = np.zeros(n, dtype=np.int64)
        np.add.at(acc, r_on[r_on < n], 1)
        np.add.at(acc, r_off[r_off < n], -1)
        addressee = pl.Series("", np.cumsum(acc) > 0)
        nonsubj = nonsubj & ~addressee
    else:
        addressee = pl.Series("", np.zeros(n, dtype=bool))
    P_addr = _Prefix(addressee, t["r"])
    # ... nor between the verb and its quotation: "وقال مدير الفرع ناصر الخريصي لـ"سبق": "...""
    P_q = _Prefix(t["qmark"] & ~addressee, t["r"])
    P_open = _Prefix(open_flag & ~addressee, t["r"])
    po_quote = po.filter(~_take(addressee, po)) if len(po) else po
    P_nonsubj = _Prefix(nonsubj, t["r"])
    # a name head (موقع، شبكة، صحيفة، شركة ...) followed by a quoted or Latin-script name:
    # the name belongs to the speaker phrase ("وقال موقع Yeshiva World إن", "حسبما ذكرت
    # شبكة "سي إن إن"")
    head_row = t["head_row"]  # (quote_tokens._vocab)
    non_latin = t["r"].filter(~t["latin"])

    def pair_close(x: pl.Series) -> pl.Series:
        """Closing row of the quotation pair that opens at row ``x`` (else null)."""
        if not len(po):
            return pl.Series([None] * len(x), dtype=pl.Int64)
        at_pair = np.minimum(_search(po, x, "left"), len(po) - 1) if _plain(x) else po.search_sorted(
            x, side="left").clip(upper_bound=len(po) - 1)
        close = _take(pc, at_pair).cast(pl.Int64)
        # only a pair closed by a real mark (not one closed by the sentence end)
        return pl.select(
            pl.when((_take(po, at_pair) == x) & close.is_in(pc_real.cast(pl.Int64).implode())).then(close)
        ).to_series()

    def extend_name(end: pl.Series, limit: pl.Series) -> pl.Series:
        """``end`` (inclusive row of a phrase) moved past the name after a name head, not
        reaching ``limit`` (exclusive)."""
        e0 = _clip(_fill(end, 0), upper=n - 1)
        nxt = _clip((e0 + 1), upper=n - 1)
        is_head = _take(head_row, e0) & ~end.is_null() & ((end + 1) < n)
        q_close = pair_close(nxt)
        quoted = (
            is_head & _take(open_flag, nxt) & ((q_close - nxt) >= 2) & ((q_close - nxt) <= 6)
            & (q_close < limit) & (_take(sid, _clip(_fill(q_close, 0), upper=n - 1)) == _take(sid, e0))
        ).fill_null(False)
        lat_end = (_fill(_next_after(non_latin, e0), n) - 1).clip(upper_bound=e0 + 4)
        lat_end = pl.select(pl.min_horizontal(lat_end, limit - 1)).to_series()
        latin = _fill((is_head & _take(t["latin"], nxt) & (lat_end > e0) & (_take(sid, _clip(lat_end, upper=n - 1)) == _take(sid, e0))), False)
        return pl.select(
            pl.when(quoted).then(q_close).when(latin).then(lat_end).otherwise(end)
        ).to_series()

    not_trailing = ~t["trailing"]
    last_word = t.select(pl.when(not_trailing).then(pl.col("r")).forward_fill())["r"]

    # -- introducers
    sv = res.intro.select(
        "key", "lemma", sv_kind="kind", takes="takes"
    )
    sv_keys = set(sv["key"].to_list())
    intro = (
        t.select("r", "sid", "art", "article_id", "sentence_index", "key", "token", "off1", "sv", "neg")
        .with_columns(inside=inside)
        # a negated verb reports nothing: "لم يؤكد أحد أن ..."; nor does a verbal noun after
        # عدم / رفض ("وطلب عدم ذكر اسمه": the quotation is the earlier verb's)
        .filter(pl.col("sv") & ~pl.col("inside") & ~prv(pl.col("neg"), 1).fill_null(False))
        .select("r", "sid", "art", "article_id", "sentence_index", "key", "token", "off1")
        .join(sv, on="key", how="left", maintain_order="left")
        .sort("r")
    )
    # وبين is the verb بيّن ("وبين معاليه أن") only at a sentence start; elsewhere it is "and
    # between" ("بين الجيش وبين المسلحين")
    intro = intro.filter((pl.col("key") != "وبين") | pl.col("r").is_in(first_r.unique().implode()))
    # a belief verb (يعتقد، تعتقد) reports only with its subject: right before أن, or after a
    # relative, ما or كان ("التي يعتقد أنها"، "مما كان يعتقد"، "هل تعتقد أن") it is impersonal
    # or a question, and neither quotes nor cuts another quote
    nk = _take(key, _clip((intro["r"] + 1), upper=n - 1))
    pk = _take(key, _clip((intro["r"] - 1), lower=0))
    intro = intro.filter(~(
        (intro["lemma"] == "اعتقد")
        & (_take(t["comp"], _clip((intro["r"] + 1), upper=n - 1)) | nk.is_in(["في", "علي"])
           | pk.is_in(["الذي", "التي", "الذين", "ما", "مما", "كما", "كان", "كانت", "وكان", "وكانت", "من", "هل", "وهل"]))
    ))
    # a finding or a rule (توصلت الدراسة إلى أن، تنص المادة على أن) reports only as the first
    # introducer of its sentence: inside another quote's clause ("وأضاف أن قرار المحكمة ينص على
    # أن"، "قال إن الاتفاق الذي توصلت إليه أوبك ...") it is part of that quote and cuts nothing;
    # توصل only right before إلى أن ("توصلت إلى إجابة"، "الذي توصلت إليه" are no reports)
    found = intro["lemma"].is_in(["توصل", "نص"])
    first_in_sid = intro.select(pl.col("r").min().over("sid"))["r"] == intro["r"]
    comp_rows = t["r"].filter(t["comp"])
    nxt_comp = _next_after(comp_rows, intro["r"])
    ila_before = _take(key, _clip((_fill(nxt_comp, 1) - 1), lower=0, upper=n - 1)).is_in(["الي", "إلى"])
    intro = intro.filter(~found | (first_in_sid & ((intro["lemma"] != "توصل") | _fill(ila_before, False))))
    if intro.height == 0:
        return _empty()
    # verb as written, without the conjunction و/ف
    vf = intro.select(
        strip=(pl.col("key").str.contains("^[وف]") & pl.col("key").str.slice(1).is_in(list(sv_keys)))
        | (pl.col("key") == "وبين")
    )["strip"]
    intro = intro.with_columns(
        verb=pl.when(vf).then(pl.col("token").str.slice(pl.col("off1"))).otherwise(pl.col("token"))
    )
    r = intro["r"]
    isid = intro["sid"]
    # a source phrase right after the verb ("وأشار وفقاً لما أوردته صحيفة “مكة”، إلى أن")
    # does not block the verb's clause, nor does a noun introducer
    after_verb = (pl.col("r") - 1).is_in(pl.col("r").implode())
    blocking = intro.filter(
        ~pl.col("sv_kind").is_in(["noun", "express"]) & ~((pl.col("sv_kind") == "source") & after_verb)
    )["r"]
    nb = _next_after(blocking, r)
    nb_ok = nb.is_null() | (_take(sid, _fill(nb, 0)) != isid)
    comp = _next_after(comp_rows, r)
    qo = _next_after(po_quote, r)
    qc = _take(pc, po.search_sorted(_fill(qo, -1), side="left").clip(upper_bound=max(len(po) - 1, 0))) if len(po) else pl.Series([None] * len(r), dtype=pl.Int64)

    def same_sid(x: pl.Series) -> pl.Series:
        return (~x.is_null()) & (_take(sid, _fill(x, 0)) == isid)

    def before_nb(x: pl.Series) -> pl.Series:
        return nb_ok | _fill(x < nb, False)

    takes = intro["takes"]
    kind = intro["sv_kind"]
    express_prep = intro.select("key").join(
        res.express if res.express is not None else pl.DataFrame(schema={"key": pl.String, "prep": pl.String}),
        on="key", how="left", maintain_order="left",
    )["prep"]
    clause_ok = (
        takes.is_in(["both", "clause"])
        & (kind != "source")
        & same_sid(comp)
        & before_nb(comp)
        & _fill(((comp - r) <= MAX_GAP), False)
        & (P_hard.between(r, _fill(comp, 0)) == 0)
        # quotation marks between the verb and أن only as whole short pairs (a quoted name:
        # قال لصحيفة "الشرق الأوسط" إن)
        & (P_q.between(r, _fill(comp, 0)) == 2 * P_open.between(r, _fill(comp, 0)))
        & (P_q.between(r, _fill(comp, 0)) <= 2)
        & (P_colon.between(r, _fill(comp, 0)) == 0)
    ).fill_null(False)
    # a quoted name before the colon is the speaker, the quotation after it the quote:
    # وقال "الموسى": "..."
    q_after = _clip((qc + 2), upper=n - 1)
    named_colon = (
        same_sid(qo) & (qo == r + 1) & ((qc - qo) >= 2) & ((qc - qo) <= 4)
        & _take(tok, _clip((qc + 1), upper=n - 1)).is_in([":", "："])
        & _take(open_flag, q_after) & (_take(sid, q_after) == isid)
    ).fill_null(False)
    qo = pl.select(pl.when(named_colon).then(q_after).otherwise(qo)).to_series()
    qc = pl.select(pl.when(named_colon).then(pair_close(q_after)).otherwise(qc)).to_series()
    qo0 = _fill(qo, 0)
    prev_tok = _take(tok, _clip((qo0 - 1), lower=0))
    prev_key = _take(key, _clip((qo0 - 1), lower=0))
    # a quotation a few words after the verb, without a colon (قال راخوي "..."، وقال أردوغان
    # في خطاب ألقاه في أنقرة "..."), unless the words before the mark name it (لصحيفة
    # "...", عملية "..."), it is one word, or an أن/إن clause follows (then it is a name in
    # the verb's adjuncts: قال في مقابلة مع "نيويورك تايمز" إن ...)
    name_heads = pl.Series(res.name_heads + res.stop_keys("source_noun") + res.stop_keys("prep"), dtype=pl.String).implode()
    # ... but "قال هولاند في بيان "..."" quotes the statement
    stmt_nouns = res.intro.filter(pl.col("kind") == "noun")["key"].implode()
    in_statement = prev_key.is_in(stmt_nouns) & (_take(key, _clip((qo0 - 2), lower=0)) == "في")
    prev_named = (
        prev_key.is_in(name_heads)
        | (prev_key.str.contains("^[لبو]") & prev_key.str.slice(1).is_in(name_heads))
        | (prev_key.str.contains("^(?:لل|وب|ول|بال)") & prev_key.str.slice(2).is_in(name_heads))
        | prev_tok.is_in(["ب", "ل", "و"])
    ) & ~in_statement
    qc0 = _fill(qc, 0)
    window_ok = (
        kind.is_in(["verb", "participle"])
        & ((qo - r) >= 2) & ((qo - r) <= 10)
        & (P_hard.between(r, qo0) == 0)
        & (P_q.between(r, qo0) == 0)
        & (P_colon.between(r, qo0) == 0)
        & ~prev_named
        & ((qc0 - qo) >= 3)
        & ~clause_ok
    ).fill_null(False)
    # ... or 11-24 words after it, past a long role or adjuncts, when the quotation is long
    # (6+ words) and closes the sentence: "وقال ساوثغيت للمراسلين في موسكو يوم الثلاثاء عشية
    # مباراة بلاده ... "كرة القدم ستعود للوطن ..."." (a quoted name there is short)
    long_window_ok = (
        kind.is_in(["verb", "participle"])
        & ((qo - r) > 10) & ((qo - r) <= 24)
        & (P_hard.between(r, qo0) == 0)
        & (P_q.between(r, qo0) == 0)
        & (P_colon.between(r, qo0) == 0)
        & ~prev_named
        & ((qc0 - qo) >= 7)
        & (qc0 >= _take(last_r, r) - 1)
        & ~clause_ok
    ).fill_null(False)
    window_ok = window_ok | long_window_ok
    direct_ok = (
        (takes.is_in(["both", "quote"]) | ~express_prep.is_null())
        & (kind != "source")
        & same_sid(qo)
        & before_nb(qo)
        & (
            ((qo == r + 1) & ((qc - qo) >= 3))  # وأكدت "بيرسون" في بيان: a name
            | (
                prev_tok.is_in([":", "："])
                & ((qo - r) <= MAX_GAP)
                & (P_hard.between(r, qo0 - 1) == 0)
                & ((P_q.between(r, qo0) == 0) | named_colon)
            )
            | window_ok
            | (
                (kind == "describe")
                & (prev_key == "ب")
                & ((qo - r) <= 6)
                & (P_hard.between(r, qo0) == 0)
                & (P_q.between(r, qo0) == 0)
            )
            # أعربت فرنسا عن "رفضها الشديد" / داعية إلى "احترام ذكرى الضحايا"
            | (
                ~express_prep.is_null() & (prev_key == express_prep)
                & ((qo - r) <= 8)
                & (P_hard.between(r, qo0) == 0)
                & (P_q.between(r, qo0) == 0)
            )
        )
    ).fill_null(False)
    # a trailing verb attribution: "...، على ما ذكرت "نيويورك تايمز"" / "...، كما أعلنت
    # الوزارة": the sentence before the comma is the quote, the verb's subject its speaker
    # (first introducer of its sentence only; a short quotation right after the verb is the
    # source's name, not a quote)
    pk1 = _take(key, _clip((r - 1), lower=0))
    pk2 = _take(key, _clip((r - 2), lower=0))
    pt2 = _take(tok, _clip((r - 2), lower=0))
    pt3 = _take(tok, _clip((r - 3), lower=0))
    ala_ma = (pk1 == "ما") & (pk2 == "علي") & pt3.is_in(["،", ","])
    # the verb of a source phrase ("وفقا لما ذكرت "X"", "بحسب ما أعلنته الشرطة") reports
    # through the source, not on its own
    src_keys = res.intro.filter(pl.col("kind") == "source")["key"].implode()
    in_source = (pk1.is_in(["ما", "لما", "بما"]) & pk2.is_in(src_keys)) | pk1.is_in(src_keys) & pk1.str.ends_with("ما")
    kama = pk1.is_in(["كما", "مثلما"]) & pt2.is_in(["،", ","])
    first_intro = intro.select(pl.col("r").min().over("sid"))["r"] == r
    short_q = _fill((same_sid(qo) & (qo == r + 1) & ((qc - qo) <= 4)), False)
    # ... and only when the attribution closes the sentence ("، كما أعلنت الإدارة عن اعتماد
    # ..." is "also announced", not a trailing attribution)
    P_comp = _Prefix(t["comp"], t["r"])
    P_obj = _Prefix(t["obj"], t["r"])
    s_end = _take(last_r, r)
    vtrail_ok = (
        (ala_ma | kama) & (kind == "verb") & first_intro & ((r - _take(first_r, r)) >= 5)
        & ~clause_ok & (~direct_ok | short_q)
        & ((s_end - r) <= pl.select(pl.when(ala_ma).then(12).otherwise(8)).to_series())
        & (P_comp.between(r, s_end + 1) == 0)
        # "كما أعلنت الإدارة عن ..." has an object: a coordinated clause
        & (ala_ma | (P_obj.between(r, s_end + 1) == 0))
    ).fill_null(False)
    direct_ok = direct_ok & ~vtrail_ok & ~in_source
    clause_ok = clause_ok & ~in_source
    vtrail_cut = pl.select(pl.when(vtrail_ok & ala_ma).then(r - 3).when(vtrail_ok).then(r - 2)).to_series()
    # a short quotation right after the verb, then an أن/إن clause, is the subject's name:
    # "وذكرت "نيويورك تايمز" أن ..." (the clause is the quote)
    name_then_clause = _fill((short_q & clause_ok & (comp > qc)), False)
    use_direct = direct_ok & (~clause_ok | _fill((qo < comp), True)) & ~name_then_clause
    use_clause = clause_ok & ~use_direct
    # a quotation without marks after a colon: "وقال قائد ريال مدريد في مؤتمر صحفي: برشلونة
    # قدم عاما كبيرا ..." -> the rest of the sentence (at least 3 words)
    colon_pos = t["r"].filter(colon)
    col = _next_after(colon_pos, r)
    col0 = _clip(_fill(col, 0), upper=n - 2)
    bare_ok = (
        takes.is_in(["both", "quote"]) & kind.is_in(["verb", "participle"])
        & ~use_direct & ~use_clause & same_sid(col) & before_nb(col)
        & ((col - r) <= MAX_GAP) & (P_hard.between(r, col0) == 0) & (P_q.between(r, col0 + 1) == 0)
        & _take(t["is_word"], col0 + 1) & (_take(sid, col0 + 1) == isid)
        & ((_take(last_r, r) - col) >= 4)
        & ~in_source
    ).fill_null(False)
    # trailing attribution: «...»، قال الوزير / "..." قالت المصادر: the pair closes right
    # before the verb (or before a comma before it)
    if len(pc):
        tok_m1 = _take(tok, _clip((r - 1), lower=0))
        close1 = (r - 1).is_in(pc_real.implode())
        close2 = tok_m1.is_in(["،", ","]) & (r - 2).is_in(pc_real.implode())
        tq_c = pl.select(pl.when(close1).then(r - 1).when(close2).then(r - 2)).to_series()
        tq_o = _take(po, _clip(pc.search_sorted(_fill(tq_c, 0), side="left"), upper=len(pc) - 1))
        trail_ok = (
            ~tq_c.is_null() & takes.is_in(["both", "quote"]) & (kind == "verb")
            & ~use_direct & ~use_clause & ~vtrail_ok & same_sid(tq_c)
        ).fill_null(False)
    else:
        tq_c = tq_o = pl.Series([None] * len(r), dtype=pl.Int64)
        trail_ok = pl.Series("", np.zeros(len(r), dtype=bool))
    qo = pl.select(pl.when(trail_ok).then(tq_o).otherwise(qo)).to_series()
    qc = pl.select(pl.when(trail_ok).then(tq_c).otherwise(qc)).to_series()
    intro = intro.with_columns(
        mode=pl.when(use_direct).then(pl.lit("direct")).when(use_clause).then(pl.lit("clause"))
        .when(trail_ok).then(pl.lit("trail")).when(vtrail_ok).then(pl.lit("vtrail"))
        .when(bare_ok).then(pl.lit("bare")),
        vtrail_cut=vtrail_cut,
        colon=col,
        comp=comp,
        qo=qo,
        qc=qc,
        first_r=_take(first_r, r),
        last_r=_take(last_r, r),
    )

    # -- sources: fronted / trailing attribution phrases
    src = intro.filter(pl.col("sv_kind") == "source")
    if src.height:
        sr = src["r"]
        k1 = _take(key, _clip((sr + 1), upper=n - 1))
        # "بحسب ما أعلنته الشرطة" / "وفقاً لما ذكرته" / "حسبما أعلن مسؤولون": the source
        # is the subject of the verb after ما
        # (a reporting or publishing verb, with or without an object pronoun: "حسبما ظهر في
        # المشهد" is no source)
        # (also a publishing verb with its object pronoun: "لما أورده المتحدث"; not a rule:
        # "بحسب ما ينص عليه الدستور" is no source; quote_tokens._vocab's rverb)
        rverb = t["rverb"]
        sv1 = _take(rverb, _clip((sr + 1), upper=n - 1))
        sv2 = _take(rverb, _clip((sr + 2), upper=n - 1))
        ma2 = k1.is_in(["ما", "لما"]) & sv2
        ma1 = src["key"].str.ends_with("ما") & sv1
        np_start = pl.select(
            pl.when((src["lemma"] == "نقل") & (k1 == "عن")).then(sr + 2)
            .when(ma2).then(sr + 3).when(ma1).then(sr + 2).otherwise(sr + 1)
        ).to_series()
        ma_verb = ma1 | ma2
        # "حسبما نقلت وكالة الأنباء (سانا) عن مصدر عسكري": the source is the one after عن
        v_row = pl.select(pl.when(ma2).then(sr + 2).otherwise(sr + 1)).to_series().clip(upper_bound=n - 1)
        an_pos = t["r"].filter(t["an"])
        an_next = _next_after(an_pos, np_start)
        chain = (
            ma_verb & _take(key, v_row).str.starts_with("نقل") & ~an_next.is_null()
            & (_take(sid, _clip(_fill(an_next, 0), upper=n - 1)) == src["sid"])
            & ((an_next - np_start) <= 8) & ((an_next + 1) <= src["last_r"])
        ).fill_null(False)
        np_start = pl.select(pl.when(chain).then(an_next + 1).otherwise(np_start)).to_series()
        # "وفقا لما نشر في مجلة X": the preposition is not part of the source
        np_start = pl.select(
            pl.when(ma_verb & _take(t["prep"], _clip(np_start, upper=n - 1))).then(np_start + 1)
            .otherwise(np_start)
        ).to_series()
        # a bare preposition token before the phrase ("وفقا ل "سكاي نيوز"") is not part of it
        np_start = pl.select(
            pl.when(_take(tok, _clip(np_start, upper=n - 1)).is_in(["ل", "لـ", "ب", "بـ"]))
            .then(np_start + 1).otherwise(np_start)
        ).to_series()
        # a phrase ends at punctuation, a time adverb ("مسؤولون أمس" -> مسؤولون) or a relative
        # pronoun ("صندوق النقد الدولي الذي يتوقع ..." -> صندوق النقد الدولي)
        punct_pos = t["r"].filter(t["is_punct"] | t["time"] | t["rel_def"])
        np_punct = _next_after(punct_pos, np_start - 1)
        punct_in_sentence = (~np_punct.is_null()) & (_take(sid, _fill(np_punct, 0)) == src["sid"])
        np_end_excl = pl.select(
            pl.when(punct_in_sentence).then(np_punct).otherwise(src["last_r"] + 1)
        ).to_series()
        np_end_excl = extend_name(np_end_excl - 1, src["last_r"] + 1) + 1
        # a source that is one quoted name: "وفقا لـ"سكاي نيوز"" -> "سكاي نيوز" with its marks
        np_q = pair_close(_clip(np_start, upper=n - 1))
        quoted_np = (
            _take(open_flag, _clip(np_start, upper=n - 1)) & ((np_q - np_start) >= 2)
            & ((np_q - np_start) <= 6) & (np_q <= src["last_r"])
        ).fill_null(False)
        np_end_excl = pl.select(pl.when(quoted_np).then(np_q + 1).otherwise(np_end_excl)).to_series()
        punct_in_sentence = punct_in_sentence | quoted_np
        punct_in_sentence = punct_in_sentence & (np_end_excl <= src["last_r"])
        # a proclitic ل on the first word of the phrase (وفقاً لمصادر) is not part of it
        np_first = _clip(np_start, upper=n - 1)
        np_clitic = pl.select(
            pl.when(src["lemma"].is_in(["وفق", "طبق"]) & _take(key, np_first).str.starts_with("ل"))
            .then(_take(t["off1"], np_first)).otherwise(0)
        ).to_series()
        # at the sentence start, or after one token that is not a reporting verb ("وأشار
        # وفقاً لما ..." is the verb's source, not a fronted attribution)
        fronted = ((sr - src["first_r"]) == 0) | (
            ((sr - src["first_r"]) == 1) & ~_take(t["sv"], src["first_r"])
        )
        comma_after = _take(tok, _clip(np_end_excl, upper=n - 1)).is_in(["،", ","]) & punct_in_sentence
        # a quoted source name needs no comma: "وبحسب "واس" تستعرض اللجنة ..."
        quoted_bare = (
            quoted_np & ~comma_after & _take(t["is_word"], _clip(np_end_excl, upper=n - 1))
            & (_take(sid, _clip(np_end_excl, upper=n - 1)) == src["sid"])
        )
        comma_after = comma_after | quoted_bare
        # a فإن closing the phrase stands for the comma: "وبحسب الدراسة فإن ..."، also after
        # a comma inside the sentence ("...، ووفقاً لما أورده المتحدث ... فإن ...")
        fan_pos = t["r"].filter(t["comp"] & t["fa"])
        fan = _next_after(fan_pos, np_start - 1)
        prev_comma0 = _take(tok, _clip((sr - 1), lower=0)).is_in(["،", ","]) & (sr > src["first_r"])
        fan_ok = (
            ~fan.is_null() & (fan > np_start) & ((fan - np_start) <= 8)
            & ((fan < np_end_excl) | ~punct_in_sentence) & (_take(sid, _clip(_fill(fan, 0), upper=n - 1)) == src["sid"])
            & ~comma_after & (fronted | prev_comma0)
        ).fill_null(False)
        np_end_excl = pl.select(pl.when(fan_ok).then(fan).otherwise(np_end_excl)).to_series()
        fronted = fronted | fan_ok
        comma_after = comma_after | fan_ok
        punct_in_sentence = punct_in_sentence | fan_ok
        after = pl.select(pl.when(quoted_bare | fan_ok).then(np_end_excl).otherwise(np_end_excl + 1)).to_series()
        after_is_comp = _take(t["comp"], _clip(after, upper=n - 1)) & (_take(sid, _clip(after, upper=n - 1)) == src["sid"])
        clause_start = pl.select(pl.when(after_is_comp).then(after + 1).otherwise(after)).to_series()
        np_len = np_end_excl - np_start
        head_key = _take(key, _clip(np_start, upper=n - 1))
        head_src = head_key.is_in(res.stop_keys("source_noun")) | head_key.str.slice(1).is_in(res.stop_keys("source_noun"))
        prev_comma = _take(tok, _clip((sr - 1), lower=0)).is_in(["،", ","]) & (sr > src["first_r"])
        # a phrase that would start past its sentence (a bare "بحسب" at the end) is none
        np_ok = (np_start <= src["last_r"]) & ((np_end_excl - 1) >= np_start) & ~(
            _take(key, _clip(np_start, upper=n - 1)).is_in(pl.Series(list(res.not_source), dtype=pl.String).implode())
        )
        np_start = pl.select(pl.when(np_ok).then(np_start)).to_series()
        src = src.with_columns(
            np_start=np_start, np_end=pl.when(np_ok).then(np_end_excl - 1), np_clitic=np_clitic,
            fronted=fronted & comma_after & (np_len >= 1) & (np_len <= 8),
            trailing=~fronted & prev_comma & (np_len >= 1) & (np_len <= 8),
            # ... or a definite organisation head naming the body or outlet met before ("...،
            # بحسب الصحيفة."، "وفقا للوزارة"); a plan or a law is none ("وفق الخطة")
            head_src=head_src | ma_verb | (
                (head_key.str.starts_with("ال") | head_key.str.starts_with("لل"))
                & (head_key.str.replace("^(ال|لل)", "").is_in(
                    pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode())
                   | head_key.is_in(pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode()))
                & (np_len <= 2)),
            clause_start=clause_start,
        )
    else:
        src = src.with_columns(
            np_start=pl.lit(None, pl.Int64), np_end=pl.lit(None, pl.Int64),
            np_clitic=pl.lit(None, pl.Int64), fronted=pl.lit(False), trailing=pl.lit(False),
            head_src=pl.lit(False), clause_start=pl.lit(None, pl.Int64),
        )

    # -- mentions -> token rows
    arts = t.select(pl.col("article_id", "art").filter(pl.col("art") != pl.col("art").shift(1).fill_null(-1)))
    ms = mentions.select("article_id", "entity_id", "type", "start_char", "end_char", "surface",
                         "title").join(arts, on="article_id", how="inner")
    if ms.height and (rows := _token_rows_at(t, ms)) is not None:
        # (the token table is in (art, start_char) order: a binary search, no sort and no as-of
        # join; the mentions keep the order the joins below give them)
        ms = ms.sort("art", "start_char").with_columns(m_r_start=rows[0]).with_columns(
            _e=pl.col("end_char") - 1).sort("art", "_e").with_columns(m_r_end=rows[1]).drop("_e").sort(
            ["m_r_start", "start_char", "end_char", "type", "entity_id"], descending=[False, False, True, False, False])
    elif ms.height:
        tk = t.select("art", "r", "start_char").sort("art", "start_char")
        ms = ms.sort("art", "start_char").join_asof(
            tk.rename({"r": "m_r_start", "start_char": "_s"}), left_on="start_char",
            right_on="_s", by="art", strategy="backward", check_sortedness=False,
        ).with_columns(_e=pl.col("end_char") - 1).sort("art", "_e").join_asof(
            tk.rename({"r": "m_r_end", "start_char": "_s2"}), left_on="_e", right_on="_s2",
            by="art", strategy="backward", check_sortedness=False,
        ).drop("_s", "_s2", "_e").sort(  # one mention per start token: the longest (never row order)
            ["m_r_start", "start_char", "end_char", "type", "entity_id"], descending=[False, False, True, False, False])
    else:
        ms = ms.with_columns(m_r_start=pl.lit(None, pl.Int64), m_r_end=pl.lit(None, pl.Int64))
    # places speak too ("وأفادت الولايات المتحدة أن", "أعلنت مصر"): LOC mentions count as
    # organisations when they are the subject right after the verb
    ms = ms.filter(pl.col("m_r_start").is_not_null() & pl.col("type").is_in(["PER", "ORG", "LOC"]))
    # (mentions that start at لـ + an outlet, or ran into one, were cut by the entity stage)
    ms = ms.unique("m_r_start", keep="first", maintain_order=True)
    m_start = ms["m_r_start"]

    # -- explicit subject of verb-like introducers
    ev = intro.filter(pl.col("sv_kind") != "source")
    er = ev["r"]
    nm = _next_after(m_start, er)  # first mention of any type after the verb
    m_idx = m_start.search_sorted(er, side="right")
    mrow = ms.select(
        "entity_id", "type", "start_char", "end_char", "surface", "title", "m_r_start", "m_r_end"
    ).with_row_index("row")
    mrow_ext = pl.concat([mrow, mrow.clear(1)])  # a null row at the end
    none = pl.Series("", np.full(len(er), len(mrow), dtype=np.int64))

    def first_of(*types: str) -> tuple[pl.Series, pl.Series]:
        sub = mrow.filter(pl.col("type").is_in(list(types)))
        starts = sub["m_r_start"]
        i = starts.search_sorted(er, side="right")
        rows = pl.concat([sub["row"].cast(pl.Int64), pl.Series([len(mrow)], dtype=pl.Int64)])
        return _next_after(starts, er), _take(rows, i)

    # a PER within the window with only content words / commas between (title, role);
    # else an ORG right after the verb
    p_start, p_row = first_of("PER")
    o_start, o_row = first_of("ORG", "LOC")
    ok_p = (
        (_take(sid, _fill(p_start, 0)) == ev["sid"])
        & (((p_start - er - P_addr.between(er, _fill(p_start, 0))) <= SUBJECT_WINDOW)
           # a long role before its holder's name: "وقال مدير فرع الهيئة العامة للسياحة
           # والتراث الوطني بمنطقة تبوك ناصر بن أحمد الخريصي"
           | (_take(key, _clip((er + 1), upper=n - 1)).is_in(
               pl.Series(res.speaker_heads("person"), dtype=pl.String).implode())
              & ((p_start - er) <= 2 * SUBJECT_WINDOW)))
        & (P_nonsubj.between(er, _fill(p_start, 0)) == 0)
    ).fill_null(False)
    # a statement as the subject: "أفاد بيان للحكومة العراقية أن" / "وأضاف البيان الصادر عن
    # المكتب الإعلامي ...:" -> the issuer is the speaker (the phrase starts after لـ / عن)
    def key_at(k: int) -> pl.Series:
        return _take(key, _clip(er + k, upper=n - 1))

    nouns = pl.Series(res.intro.filter(pl.col("kind") == "noun")["key"].to_list(), dtype=pl.String).implode()
    stmt = key_at(1).is_in(nouns) | (key_at(1).str.contains("^[وف]") & key_at(1).str.slice(1).is_in(nouns))
    issued = key_at(2).is_in(["الصادر", "الصادره", "صادر", "صادره"]) & key_at(3).is_in(["عن", "من"])
    # "وقال بيان للجيش إن"، "وقال بيان لوزارة الدفاع إن": the body that issued the statement
    org_h = pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode()
    to_org = (key_at(2).str.contains("^لل") & ~key_at(2).str.contains("^للت")) | (
        key_at(2).str.starts_with("ل") & key_at(2).str.slice(1).is_in(org_h))
    shift = pl.select(
        pl.when(stmt & issued).then(3).when(stmt & to_org).then(1).otherwise(0)
    ).to_series().cast(pl.Int64)
    gb = er + shift  # the generic subject starts at gb + 1
    # ... after an addressee outlet right after the verb ("أكد لـ«عكاظ» مدير ...")
    addr_end = _fill(_next_after(t["r"].filter(~addressee), er), er + 1) - 1
    gb = pl.select(pl.when((shift == 0) & _take(addressee, _clip((er + 1), upper=n - 1)))
                   .then(addr_end).otherwise(gb)).to_series().cast(pl.Int64)
    # a time word right after the verb is not the subject: "ذكرت الجمعة وكالة الأنباء أن"
    for _ in range(2):  # "ذكرت الجمعة الماضي ..."
        gb = pl.select(
            pl.when(_take(t["time"], _clip((gb + 1), upper=n - 1))).then(gb + 1).otherwise(gb)
        ).to_series()
    g_clitic = pl.select(pl.when(stmt & to_org & ~issued).then(1).otherwise(0)).to_series()
    mark1 = _take(open_flag, _clip((er + 1), upper=n - 1))  # ذكرت "نيويورك تايمز"
    ok_o = (~ok_p & ((o_start == er + 1) | ((gb > er) & (o_start == gb + 1))
                     | ((ev["mode"] == "vtrail") & mark1 & (o_start == er + 2)))).fill_null(False)
    ok = ok_p | ok_o
    # subject-verb after كان: "وكان الرئيس الأمريكي (قد) قال ... إن" / "وكانت إدارة الجامعة
    # بيّنت فور ارتكاب الجريمة أن" -> the words between كان and the verb are its subject, and
    # beat any subject read after the verb (a verb has one subject: those are adjuncts)
    kana_rows = t["r"].filter(t["kana"])
    kprev = _prev_at_or_before(kana_rows, er - 1)
    k_end = pl.select(pl.when(_take(key, _clip((er - 1), lower=0)) == "قد").then(er - 2).otherwise(er - 1)).to_series()
    kana_pre = (
        ~kprev.is_null() & ((k_end - kprev) >= 1) & ((k_end - kprev) <= 3)
        & (_take(t["def_bare"], _clip((_fill(kprev, 0) + 1), upper=n - 1))
           | (kprev + 1).is_in(m_start.implode())
           | _take(key, _clip((_fill(kprev, 0) + 1), upper=n - 1)).is_in(
               pl.Series(res.stop_keys("source_noun"), dtype=pl.String).implode()))
        & (_take(sid, _fill(kprev, 0)) == ev["sid"])
        & (P_nonsubj.between(_fill(kprev, 0), k_end + 1) == 0)
        & _take(t["is_word"], _clip((_fill(kprev, 0) + 1), upper=n - 1))
        & ev["sv_kind"].is_in(["verb", "express"])
    ).fill_null(False)
    ok_p = ok_p & ~kana_pre
    ok_o = ok_o & ~kana_pre
    ok = ok_p | ok_o
    # a "person" that is only an honorific or role (البارونة) right before the name the
    # entity stage tagged apart (فرانسيس ديسوزا): the name is the speaker
    if len(mrow):
        p_heads = pl.Series(res.speaker_heads("person"), dtype=pl.String).implode()
        p0 = _clip(_fill(p_row, len(mrow)), upper=len(mrow) - 1)
        p1 = _clip((p0 + 1), upper=len(mrow) - 1)
        title_only = (
            ok_p & (p1 > p0)
            & match_key(_take(mrow["surface"], p0)).is_in(p_heads)
            & (_take(mrow["type"], p1) == "PER")
            & (_take(mrow["m_r_start"], p1) == _take(mrow["m_r_end"], p0) + 1)
        ).fill_null(False)
        p_row = pl.select(pl.when(title_only).then(p1).otherwise(p_row)).to_series()
    # a relative clause: "الرئيس مادورو الذي وصفها بأنها ..." -> the antecedent right before
    # الذي / التي is the subject
    rel_prev = _take(key, _clip((er - 1), lower=0)).is_in(["الذي", "التي", "الذين"])
    by_end = mrow.select(pl.col("m_r_end").cast(pl.Int64).alias("e"), pl.col("row").cast(pl.Int64)).unique("e", keep="last")
    r_row = pl.DataFrame({"e": (er - 2).cast(pl.Int64)}).join(by_end, on="e", how="left", maintain_order="left")["row"]
    ok_rel = _fill((rel_prev & ~ok & ~r_row.is_null() & (_take(sid, _clip((er - 2), lower=0)) == ev["sid"])), False)
    ok_p = ok_p | ok_rel
    ok = ok | ok_rel
    p_row = pl.select(pl.when(ok_rel).then(r_row).otherwise(p_row)).to_series()
    # a name between commas right before the complement, after a role: "وقال رئيس لجنة ترشيح
    # المغرب لتنظيم كأس العالم لكرة القدم 2026، مولاي حفيظ العلمي، إن" / "وقال عالم الكونيات
    # بجامعة ولاية أريزونا، جاد بومان، إن": the name is the subject, however long the role
    # before it (prepositions, numbers, a quoted acronym), and beats a person named inside the
    # role ("مستشار الرئيس الأمريكي دونالد ترامب للأمن القومي، جون بولتون، إن"); the role is
    # the words up to the first comma. The name is a PER mention ending right before the comma
    # (a title may come before it), else 2-4 name words (a nisba with ال may close it:
    # العلمي); the role starts with a person head, or names no person
    ap_comma = t["r"].filter(t["comma"])
    person_heads_ = pl.Series(res.speaker_heads("person"), dtype=pl.String).implode()
    c_1 = (ev["comp"] - 1).cast(pl.Int64)
    c_1_0 = _clip(_fill(c_1, 0), lower=0, upper=n - 1)
    ap_c1 = _prev_at_or_before(ap_comma, c_1 - 1)  # the comma before the name
    ap_c0 = _prev_at_or_before(ap_comma, ap_c1 - 1)  # no comma inside the role
    seg_s = ap_c1 + 1
    seg_len = c_1 - seg_s
    def ap_at(series: pl.Series, pos: pl.Series) -> pl.Series:
        return _take(series, _ix(pos, n))

    # a content word: one flag per row, gathered at the few rows of each candidate name
    word_ok = (t["is_word"] & ~t["stop"] & ~t["func"] & ~t["sv"] & ~t["comp"] & ~t["block"] & ~t["time"])

    def ap_word(pos: pl.Series) -> pl.Series:
        return ap_at(word_ok, pos)

    def ap_bare(pos: pl.Series) -> pl.Series:
        return ap_word(pos) & ~ap_at(key, pos).str.contains(r"^(?:[وفبكل]?ال|[وف]?لل)")

    def ap_nisba(pos: pl.Series) -> pl.Series:
        return ap_word(pos) & ap_at(key, pos).str.contains(r"^ال\w+ي$")

    seg_last = c_1 - 1
    middle_ok = pl.Series("", np.ones(len(er), dtype=bool))
    for k in (1, 2):  # the words between the first and the last (a name of 2-4 words)
        middle_ok = middle_ok & _fill((((seg_s + k) >= seg_last) | ap_bare(seg_s + k)), False)
    name_words = (
        (seg_len >= 2) & (seg_len <= 4)
        & ap_bare(seg_s) & ~ap_at(key, seg_s).str.contains(r"^م\w{3,}ا$")  # مخاطبا، متحدثا
        & middle_ok
        & (ap_bare(seg_last) | ap_nisba(seg_last))
        # (without a mention: a given name first, or a nisba last; "شمالي مصر"، "موالية
        # ومعارضة"، "طلبوا عدم نشر أسمائهم" are no names)
        & (ap_at(key, seg_s).is_in(pl.Series(list(res.given_names), dtype=pl.String).implode())
           | ap_nisba(seg_last))
        & ~ap_at(t["to_outlet"], seg_s)
    ).fill_null(False)
    per_end = mrow.filter(pl.col("type") == "PER").select(
        pl.col("m_r_end").cast(pl.Int64).alias("e"), pl.col("row").cast(pl.Int64).alias("ap_row"),
        pl.col("m_r_start").cast(pl.Int64).alias("ap_ms"),
    ).unique("e", keep="first")
    ap_m = pl.DataFrame({"e": seg_last}).join(per_end, on="e", how="left", maintain_order="left")
    m_ok = (~ap_m["ap_row"].is_null() & (ap_m["ap_ms"] >= seg_s) & (ap_m["ap_ms"] <= seg_s + 1)
            & (seg_len <= 5)).fill_null(False)
    per_starts = mrow.filter(pl.col("type") == "PER")["m_r_start"].cast(pl.Int64).sort()
    rel_rows = t["r"].filter(t["rel_cl"])

    def n_between(rows: pl.Series, a: pl.Series, b: pl.Series) -> pl.Series:  # rows r with a < r < b
        if _plain(a) and _plain(b) and rows.null_count() == 0 and rows.dtype.is_integer():
            return pl.Series("", np.maximum(_search(rows, b, "left").astype(np.int64) - _search(rows, a, "right"), 0))
        return _clip((rows.search_sorted(b, side="left") - rows.search_sorted(a, side="right")).cast(pl.Int64), lower=0)
    role_head = ap_at(key, gb + 1).str.replace("^ال", "").is_in(person_heads_) | ap_at(key, gb + 1).is_in(person_heads_)
    appos_name = (
        (ev["mode"] == "clause") & ap_at(tok, c_1).is_in(["،", ","])
        & ~ap_c1.is_null() & (ap_c0.is_null() | _fill((ap_c0 <= er), True))
        & ((ap_c1 - gb) >= 3) & (ap_at(sid, ap_c1) == ev["sid"]) & (ap_c1 > er)
        & (P_hard.between(er, c_1_0) == 0) & (P_colon.between(er, c_1_0) == 0)
        & (P_q.between(er, c_1_0) == 2 * P_open.between(er, c_1_0))
        & (n_between(t["r"].filter(t["sv"]), er, _fill(ap_c1, 0)) == 0)
        # (a role that names no person and holds no relative clause: "أعلن المستشفى حيث يعالج
        # الجاسوس الروسي السابق، سيرغي سكريبال، أن" is the hospital)
        & (role_head | ((n_between(per_starts, gb, _fill(ap_c1, 0)) == 0)
                        & (n_between(rel_rows, er, _fill(ap_c1, 0)) == 0)))
        # (the office of a person speaks: "أعلن المكتب الإعلامي لرئيس مجلس الوزراء العراقي،
        # حيدر العبادي، أن" is the office)
        & ~ap_at(key, gb + 1).str.replace("^ال", "").is_in(
            pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode())
        & (name_words | m_ok)
    ).fill_null(False)
    ap_mention = appos_name & m_ok
    ap_gen = appos_name & ~m_ok
    # ... or a titled name closing a long role, with no comma before it: "وأوضح ل «عكاظ» مدير
    # عام الموهوبين في وزارة التعليم الدكتور عبدالله الغفيص، أن" (a PER mention the entity stage
    # gave a title; the role, before the title, starts with a person head)
    t_end = pl.select(pl.when(ap_at(tok, c_1).is_in(["،", ","])).then(c_1 - 1).otherwise(c_1)).to_series()
    per_titled = mrow.filter((pl.col("type") == "PER") & pl.col("title").is_not_null()).select(
        pl.col("m_r_end").cast(pl.Int64).alias("e"), pl.col("row").cast(pl.Int64).alias("t_row"),
        pl.col("m_r_start").cast(pl.Int64).alias("t_ms"),
        (pl.col("title").str.count_matches(" ") + 1).cast(pl.Int64).alias("t_nt"),
    ).unique("e", keep="first")
    tm = pl.DataFrame({"e": t_end}).join(per_titled, on="e", how="left", maintain_order="left")
    role_end = tm["t_ms"] - tm["t_nt"] - 1  # last word of the role, before the title
    titled = (
        (ev["mode"] == "clause") & ~appos_name & ~tm["t_row"].is_null() & role_head
        & ((role_end - gb) >= 2) & (tm["t_ms"] > er) & (ap_at(sid, tm["t_ms"]) == ev["sid"])
        & (n_between(ap_comma, gb, _fill(tm["t_ms"], 0)) == 0)
        # (no person inside the role: "ثم قال الأستاذ عابد ومضت الأيام واستطاع الأستاذ أحمد
        # العربي أن" is said by عابد)
        & (n_between(per_starts, gb, _fill((role_end + 1), 0)) == 0)
        & (P_hard.between(er, c_1_0) == 0) & (P_colon.between(er, c_1_0) == 0)
        & (P_q.between(er, c_1_0) == 2 * P_open.between(er, c_1_0))
        & (n_between(t["r"].filter(t["sv"]), er, _fill(tm["t_ms"], 0)) == 0)
        & ~ap_at(key, gb + 1).str.replace("^ال", "").is_in(
            pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode())
    ).fill_null(False)
    ap_mention = ap_mention | titled
    appos_name = appos_name | titled
    ap_c1 = pl.select(pl.when(titled).then(role_end + 1).otherwise(ap_c1)).to_series()
    ok_p = (ok_p | ap_mention) & ~ap_gen
    ok_o = ok_o & ~appos_name
    ok = ok_p | ok_o
    p_row = pl.select(pl.when(titled).then(tm["t_row"]).when(ap_mention).then(ap_m["ap_row"]).otherwise(p_row)).to_series()
    pick = pl.select(
        pl.when(ok_p).then(p_row).when(ok_o).then(o_row).otherwise(none)
    ).to_series()
    picked = mrow_ext.drop("row")[pick]
    ev = pl.concat([ev, picked.select(pl.all().name.prefix("s_"))], how="horizontal")
    # role: appositive between commas after the mention, or the words before it
    comma_pos = t["r"].filter(t["comma"])
    after_m = ev["s_m_r_end"] + 1
    c1 = _take(tok, _clip(_fill(after_m, 0), upper=n - 1)).is_in(["،", ","]) & ~after_m.is_null()
    c2 = _next_after(comma_pos, _fill(after_m, 0))
    appos_ok = (
        c1 & ~c2.is_null() & (_take(sid, _fill(c2, 0)) == ev["sid"])
        & ((c2 - after_m) >= 2) & ((c2 - after_m) <= 10)
        & (P_hard.between(after_m, _fill(c2, 0)) == 0)
        & (P_q.between(after_m, _fill(c2, 0)) == 0)
        # "علي خامنئي، الأربعاء، أن": a time word between commas is no role
        & ~_take(t["time"], _clip(_fill((after_m + 1), 0), upper=n - 1))
    ).fill_null(False)
    ev = ev.with_columns(
        appos_s=pl.when(appos_ok).then(after_m + 1),
        appos_e=pl.when(appos_ok).then(c2 - 1),
        pre_s=pl.when(ok & (shift == 0) & ((ev["s_m_r_start"] - er) >= 2)).then(er + 1),
        pre_e=pl.when(ok & (shift == 0) & ((ev["s_m_r_start"] - er) >= 2)).then(ev["s_m_r_start"] - 1),
    )
    # generic subject of quote-producing introducers (مصادر من ...)
    target = pl.select(
        pl.when(ev["mode"] == "clause").then(ev["comp"])
        .when(ev["mode"] == "direct").then(ev["qo"])
        .when(ev["mode"] == "bare").then(ev["colon"])
        .when(ev["mode"].is_in(["trail", "vtrail"])).then(ev["last_r"] + 1)
    ).to_series().cast(pl.Int64)
    k1_ok = ~_take(nonsubj, _clip((gb + 1), upper=n - 1)) & _take(t["is_word"], _clip((gb + 1), upper=n - 1))
    # "وقال معاليه إن": an honorific pronoun is no new speaker (the previous one carries over)
    # a prepositional word is no subject: "يعتبر بمثابة جريمة أن ..." (the subject is dropped)
    k1_ok = k1_ok & ~_take(key, _clip((gb + 1), upper=n - 1)).is_in(
        pl.Series(list(res.not_subject), dtype=pl.String).implode())

    def to_outlet_at(pos: pl.Series) -> pl.Series:  # لبي بي سي، لرويترز (quote_tokens._vocab's to_outlet)
        return _take(t["to_outlet"], _clip(pos, upper=n - 1))

    k1_ok = k1_ok & ~to_outlet_at(gb + 1)
    # لـ + ال is a preposition, never a subject: "وقال للصحفيين إن" (the previous speaker)
    # (but "وقال بيان للجيش إن": after a statement noun the body that issued it speaks)
    k1_ok = k1_ok & ~(_take(key, _clip((gb + 1), upper=n - 1)).str.starts_with("لل") & (shift == 0))
    k1_ok = k1_ok & ~_take(key, _clip((gb + 1), upper=n - 1)).is_in(
        pl.Series(list(res.pronoun_subjects), dtype=pl.String).implode()
    )
    # after وصف a definite noun phrase is the object ("ووصف التعديل الحكومي بأنه ..."), the
    # subject being the previous speaker; an indefinite one is the subject ("ووصف مراقبون")
    describe_obj = (ev["sv_kind"] == "describe") & _take(t["def_bare"], _clip((gb + 1), upper=n - 1))
    gen_ok = (
        ~ok & ~kana_pre & ~target.is_null() & ((target - gb) >= 2) & k1_ok
        & ev["sv_kind"].is_in(["verb", "describe", "express"]) & ~describe_obj
    ).fill_null(False)
    # end: first mention starting inside (gb, target) -> its end; else last word before target
    # (no reporting word between: "وتشير التسريبات بحسب صحيفة "إكسبريس"" -> التسريبات)
    nm = _next_after(m_start, gb)
    m_idx = m_start.search_sorted(gb, side="right")
    P_sv = _Prefix(t["sv"], t["r"])
    rel_flag = t["rel_pron"]
    P_rel = _Prefix(rel_flag, t["r"])  # "التحالف العربي الذي تقوده السعودية": the phrase ends before الذي
    # an addressee outlet inside the phrase ends it: "كشفت مصادر مطلعة لـ«عكاظ» أن" -> مصادر مطلعة
    nm_ok = (gen_ok & _fill((nm < target), False) & (P_sv.between(gb, _fill(nm, 0)) == 0)
             & (P_rel.between(gb, _fill(nm, 0)) == 0)
             & (P_addr.between(gb, _fill(nm, 0) + 1) == 0)
             & _fill(((nm - gb) <= 8), False) & (P_hard.between(gb, _fill(nm, 0)) == 0))
    # ... only for a common-noun head ("مصادر من إدارة التوجيه"): a bare proper name takes
    # no prepositional modifier ("وقال أردوغان في خطاب ألقاه في أنقرة "..."" -> أردوغان)
    hk = _take(key, _clip((gb + 1), upper=n - 1))
    common_head = (
        _take(t["def_bare"], _clip((gb + 1), upper=n - 1))
        | hk.is_in(pl.Series(res.stop["key"].unique().to_list() + res.heads["key"].to_list(), dtype=pl.String).implode())
        | hk.str.contains("(ون|ين|ات)$")
        | _fill((nm == gb + 1), False)
    )
    nm_ok = nm_ok & common_head
    inner_end = _take(mrow_ext["m_r_end"], pl.select(pl.when(nm_ok).then(m_idx).otherwise(len(mrow))).to_series())
    # without a mention: a noun phrase of at most 5 words before the complement: a
    # construct chain of indefinite words closed by one definite word, then only definite
    # nisba adjectives (وزيرة المالية، رئيس عمادة الأطباء، مصادر مطلعة، المتحدث الرسمي).
    # A sound plural head (مراقبون/ين) cannot be in construct, so a definite word after it
    # is an object: "ووصف مراقبون الزيارة بأنها" -> "مراقبون".
    # (the words 1..6 after gb of every event gathered at once per column, kept while gb stays)
    m_ev = len(gb)
    gb_after = pl.concat([_clip(gb + k, upper=n - 1) for k in range(1, 7)])
    at_rows: dict[int, tuple[pl.Series, pl.Series]] = {}

    def at(series: pl.Series, k: int) -> pl.Series:  # series at gb + k (1 <= k <= 6)
        got = at_rows.get(id(series))
        if got is None:  # (the series is kept with its rows: its id is not reused meanwhile)
            got = at_rows[id(series)] = (series, _take(series, gb_after))
        return got[1].slice((k - 1) * m_ev, m_ev)

    def_bare = t["def_bare"]
    head_key = at(key, 1)
    plural_head = head_key.str.contains("(ون|ين)$")
    seen_def = at(def_bare, 1)
    run = pl.Series("", np.ones(len(er), dtype=bool))
    run_len = pl.Series("", np.full(len(er), 1, dtype=np.int64))
    # a word that can continue the phrase: no non-subject word, a word, no time word ("بيان دمشق
    # الخميس" -> دمشق), no لل ("السفير القطري لأحد قادة ...": addressee), not inside an addressee
    # outlet ("وأشارت مصادر لـ"سكاي نيوز"، إلى أن" -> مصادر); one flag per row
    phrase_word = ~nonsubj & t["is_word"] & ~t["time"] & ~t["lil"] & ~addressee
    # a definite nisba, or an adjective of the pattern أفعل (البيت الأبيض، المجلس الأعلى)
    nisba_row = t["def_bare"] & t["adj"]
    for k in range(2, 6):
        is_def = at(def_bare, k)
        nisba = at(nisba_row, k)
        step_ok = pl.select(
            pl.when(seen_def).then(nisba)
            .when(is_def).then(~plural_head)
            .otherwise(True)
        ).to_series()
        run = (run & _fill(((gb + k) < target), False) & at(phrase_word, k)
               & ~to_outlet_at(gb + k)  # "قالت مصادر لرويترز إن" -> مصادر
               & step_ok & (at(sid, k) == ev["sid"]))
        seen_def = seen_def | (run & is_def)
        run_len = run_len + run.cast(pl.Int64)
    gen_end = pl.select(
        pl.when(~inner_end.is_null()).then(inner_end).otherwise(gb + run_len)
    ).to_series()
    # "المتحدثة باسم الشرطة الاتحادية الاسترالية": a spokesperson head + باسم + the definite
    # phrase of the body spoken for
    # ... and a source noun + في / من / لدى + a definite phrase: "مسؤول في الخارجية الأمريكية"
    src_noun = head_key.is_in(pl.Series(res.stop_keys("source_noun"), dtype=pl.String).implode())
    spokes = (
        (head_key.str.replace("^ال", "").is_in(["متحدث", "متحدثه", "ناطق", "ناطقه"]) & (at(key, 2) == "باسم"))
        | (src_noun & at(key, 2).is_in(["في", "من", "لدي"]) & (run_len == 1))
        # a partitive: "وقال عدد من الأهالي إن" -> عدد من الأهالي
        | (head_key.is_in(pl.Series(list(res.quantifiers), dtype=pl.String).implode()) & (at(key, 2) == "من"))
    )
    cont = spokes
    ext = pl.Series("", np.full(len(er), 0, dtype=np.int64))
    def_word = t["def_bare"] & ~nonsubj
    for k in range(3, 7):
        cont = (cont & _fill(((gb + k) < target), False) & at(def_word, k) & (at(sid, k) == ev["sid"]))
        ext = ext + cont.cast(pl.Int64)
    gen_end = pl.select(
        pl.when(inner_end.is_null() & spokes & (ext >= 1)).then(gb + 2 + ext).otherwise(gen_end)
    ).to_series()
    gen_end = pl.select(
        pl.when(inner_end.is_null()).then(extend_name(gen_end, _fill(target, 0))).otherwise(gen_end)
    ).to_series()
    # a role followed by a name the entity stage did not find: "وقال وزير الاقتصاد الفرنسي،
    # برونو لو مير، إن" / "وأعلن قائد شرطة المنطقة غولستان قساني أن": 2-4 bare words (no ال,
    # no function word) between the role and the complement are the speaker, the role its
    # speaker_role
    is_comma = t["comma"]
    # (the given name علي is written with ي; its key is that of the preposition على)
    # (a naming word, seeds/naming_words.csv: "شاهد العيان ويدعى كيلانا" -> كيلانا, is no name)
    not_name = t["not_name"]
    P_notname = _Prefix(not_name, t["r"])
    person_heads = pl.Series(res.speaker_heads("person"), dtype=pl.String).implode()
    a0 = _clip((gen_end + 1), upper=n - 1)
    na = pl.select(pl.when(_take(is_comma, a0)).then(a0 + 1).otherwise(a0)).to_series()
    b0 = _clip((_fill(target, 0) - 1), lower=0)
    nb_ = pl.select(pl.when(_take(is_comma, b0)).then(b0 - 1).otherwise(b0)).to_series()
    named_all = (  # every word up to the complement is a name word
        ((nb_ - na) >= 1) & ((nb_ - na) <= 3) & (P_notname.between(na - 1, nb_ + 1) == 0)
    ).fill_null(False)
    # else the first 2-3 name words after the role ("وقالت البارونة فرانسيس ديسوزا رئيسة
    # مجلس اللوردات، إن"): a run of name words, then anything
    nn = _take(not_name, _clip(na, upper=n - 1))
    nn1 = _take(not_name, _clip((na + 1), upper=n - 1))
    nn2 = _take(not_name, _clip((na + 2), upper=n - 1))
    run_end = pl.select(
        pl.when(~nn & ~nn1 & ~nn2 & _fill(((na + 2) < target), False)).then(na + 2)
        .when(~nn & ~nn1 & _fill(((na + 1) < target), False)).then(na + 1)
    ).to_series()
    nb_ = pl.select(pl.when(named_all).then(nb_).otherwise(run_end)).to_series()
    # "نقلت الوكالة عن مصدر عسكري قوله إن": the speaker of قوله is the phrase after عن
    an_rows = t["r"].filter(t["an"])
    an_prev = _prev_at_or_before(an_rows, er - 1)
    qawl = ev["key"].str.starts_with("قول") & (ev["sv_kind"] == "noun")
    qawl_ok = (
        ~ok & qawl & ~an_prev.is_null() & ((er - an_prev) >= 2) & ((er - an_prev) <= 7)
        & (_take(sid, _fill(an_prev, 0)) == ev["sid"])
        & (P_hard.between(_fill(an_prev, 0), er) == 0)
    ).fill_null(False)
    # subject-verb after كان (kana_pre above)
    kana_ok = ~ok & kana_pre
    # "وسبق لهيلي أن قالت إن": the one or two words after سبق لـ are the subject
    sabaq_rows = t["r"].filter(t["sabaq"])
    sprev = _prev_at_or_before(sabaq_rows, er - 3)
    sabaq_ok = (
        ~ok & ~kana_ok & ~sprev.is_null() & ((er - sprev) >= 3) & ((er - sprev) <= 4)
        & _take(t["comp"], _clip((er - 1), lower=0))
        & _take(key, _clip((_fill(sprev, 0) + 1), upper=n - 1)).str.starts_with("ل")
        & (_take(key, _clip((_fill(sprev, 0) + 1), upper=n - 1)).str.len_chars() >= 3)
        & (_take(sid, _fill(sprev, 0)) == ev["sid"])
        & (P_nonsubj.between(_fill(sprev, 0), er - 1) == 0)
    ).fill_null(False)
    # a quoted name as the subject of a trailing verb: "على ما ذكرت "نيويورك تايمز""
    qname_close = pair_close(_clip((er + 1), upper=n - 1))
    colon_after = _take(tok, _clip((_fill(qname_close, 0) + 1), upper=n - 1)).is_in([":", "："])
    # ... and of an أن/إن clause after it: "الذي قالت "أرامكو" في وقت سابق إنه ..."
    qname_ok = (
        ~ok & ((ev["mode"] == "vtrail") | ((ev["mode"] == "direct") & colon_after)
               | ((ev["mode"] == "clause") & _fill((ev["comp"] > qname_close), False)))
        & mark1 & ((qname_close - er) >= 2) & ((qname_close - er) <= 7)
        & (_take(sid, _clip(_fill(qname_close, 0), upper=n - 1)) == ev["sid"])
    ).fill_null(False)
    # subject-verb order at the start of a sentence or headline: "وزير المالية الياباني يقول
    # إنه ..." -> the 1-5 content words before the verb (no PER mention there: rule 3 has it)
    fr0 = _take(first_r, er)
    # (evaluated at the 1-5 rows before each verb only, not over every token)
    pref = ("", "و", "ف")
    carry_words = pl.Series(sorted(
        {p + w for p in pref for w in ("كان", "كانت", "كانوا", "يكون", "تكون", "قد", "لقد")}  # kana_ok
        | {p + w for p in pref for w in ("هو", "هي", "هم", "هما", "هن", "انا", "نحن", "انت", "انتم",
                                           "اني", "انني")}  # وهو يقول
        | {p + c + x for p in pref for c in ("لكن", "ولكن") for x in ("", "ه", "ها", "هم", "هما", "ني", "نا")}
        | {p + w for p in pref for w in ("مضي", "مضت", "راح", "راحت", "عاد", "عادت")}  # ومضى يقول
        | {p + w for p in ("و", "ف") for w in res.time_words}  # وأمس
        | set(res.stop_keys("clause_break"))  # فيما تقول الحكومة: the subject comes after the verb
        # subordinators and particles: "وإذ تؤكد"، "عندما قال"، "وطالما أكد"، "وكأنها ترى"، "ويا ترى"
        # (keys: إذ -> اذ, كأنها -> كانها, إنما -> انما)
        | {p + w + x for p in pref for w in ("اذ", "عندما", "حينما", "حين", "بعدما", "طالما", "كلما", "لما",
                                             "كان", "يا", "ربما", "انما")
           for x in ("", "ه", "ها", "هم")}
    ), dtype=pl.String).implode()
    span_len = er - fr0

    nsw_row = (t["is_punct"] | t["comp"] | t["func"] | t["block"] | t["sv"] | t["qmark"] | t["time"]
               | ~t["is_word"])

    def not_subject_word(pos: pl.Series) -> pl.Series:
        """the word at ``pos`` cannot be part of a subject before the verb"""
        return _take(nsw_row, pos) | _take(key, pos).is_in(carry_words)

    # (the five words before each verb looked up at once: one gather per column, not one per word)
    m_er = len(er)
    before = pl.concat([_clip(er - k, lower=0) for k in range(1, 6)])
    nsw_before = not_subject_word(before)
    k_before = _take(key, before)
    wa_before = k_before.str.starts_with("و")
    kun_before = k_before.is_in(["كن", "فكن"])

    def word_before(flags: pl.Series, k: int) -> pl.Series:  # the flag of the k-th word before each verb
        return flags.slice((k - 1) * m_er, m_er)

    sv_good = pl.Series("", np.ones(len(er), dtype=bool))
    for k in range(1, 6):
        sv_good = sv_good & ((span_len < k) | ~word_before(nsw_before, k))
    # no mention starts among them
    n_ment = m_start.search_sorted(er, side="left") - m_start.search_sorted(fr0, side="left")
    sv_ok = (
        ~ok & (span_len >= 1) & (span_len <= 5) & sv_good
        & ev["sv_kind"].is_in(["verb", "express"]) & ev["mode"].is_in(["clause", "direct", "bare"])
        & (n_ment == 0)
        # no conjunction on the verb: "فأجاب وقال"، "يبتسم ويقول" coordinate two verbs
        & (_take(tok, er) == ev["verb"])
    ).fill_null(False)
    # ... and after a contrastive opener inside the sentence: "لكن الشرطة قالت لهم إنها"، "إلا
    # أن الوزارة أكدت أن"، "غير أن المصادر ذكرت أن": the content words between the opener
    # and the verb (1-3 words, no person among them: rule 3 has it)
    op_rows = t.select(pl.col("r").filter(
        pl.col("lakin") | (pl.col("an_comp") & prv(pl.col("illa"), 1).fill_null(False))
    ))["r"]
    op = _prev_at_or_before(op_rows, er - 1)
    span2 = er - op - 1
    sv2_good = pl.Series("", np.ones(len(er), dtype=bool))
    for k in range(1, 5):
        bad = word_before(nsw_before, k)
        # (a word with و after the first is a second clause: "إلا أن الجدل تجدد وخرجت أقاويل")
        bad = bad | ((span2 > k) & word_before(wa_before, k)) | word_before(kun_before, k)
        sv2_good = sv2_good & ((span2 < k) | ~bad)
    per_r = ms.filter(pl.col("type") == "PER")["m_r_start"].cast(pl.Int64).sort()
    n_per2 = per_r.search_sorted(er, side="left") - per_r.search_sorted(_fill(op, 0), side="left")
    sv2_ok = (
        ~ok & ~op.is_null() & (span2 >= 1) & (span2 <= 3) & sv2_good
        & (_take(sid, _clip(_fill(op, 0), lower=0)) == ev["sid"])
        & ev["sv_kind"].is_in(["verb", "express"]) & ev["mode"].is_in(["clause", "direct", "bare"])
        & (n_per2 == 0) & (_take(tok, er) == ev["verb"])
    ).fill_null(False)
    # a share of people as the subject (polls): "وقال 58 بالمئة من عينة الاستطلاع إن",
    # "أشار 27 بالمئة إلى أن", "وقال 38 إلى 58 في المئة من المشاركين إن": number (range),
    # percent word, then an optional من + a construct chain closed by a definite word
    # (evaluated at the rows after each verb only)
    def at_(series: pl.Series, pos: pl.Series) -> pl.Series:
        return _take(series, _clip(pos, upper=n - 1))

    num_re = r"^[0-9\u0660-\u0669]+(?:[.,\u066B][0-9\u0660-\u0669]+)?$"
    pct_words = ["%", "\u066A", "مئه", "مائه", "بالمئه", "بالمائه", "للمئه", "للمائه"]

    def pct_at(pos: pl.Series) -> pl.Series:
        return at_(tok, pos).is_in(pct_words[:2]) | at_(key, pos).is_in(pct_words[2:])

    def pct_fi_at(pos: pl.Series) -> pl.Series:
        return (at_(key, pos) == "في") & at_(key, pos + 1).is_in(["المئه", "المائه"])

    n1 = at(tok, 1).str.contains(num_re)
    rng = at(key, 2).is_in(["الي", "و", "-", "–"]) & at(tok, 3).str.contains(num_re)
    p_at = pl.select(pl.when(rng).then(gb + 4).otherwise(gb + 2)).to_series()
    p_ok = pct_at(p_at) | pct_fi_at(p_at)
    p_end = pl.select(pl.when(pct_fi_at(p_at)).then(p_at + 1).otherwise(p_at)).to_series()

    w1, w2 = p_end + 2, p_end + 3
    min_ok = (at_(key, p_end + 1) == "من") & at_(t["is_word"], w1) & ~at_(nonsubj, w1) & _fill((w1 < target), False)
    num_end = pl.select(
        pl.when(min_ok & at_(t["def_bare"], w1)).then(w1)
        .when(min_ok & at_(t["is_word"], w2) & at_(t["def_bare"], w2) & _fill((w2 < target), False)).then(w2)
        .otherwise(p_end)
    ).to_series()
    num_ok = (
        ~ok & ~target.is_null() & n1 & p_ok & _fill((num_end < target), False)
        & (at_(sid, num_end) == ev["sid"]) & ev["sv_kind"].is_in(["verb", "express"])
    ).fill_null(False)
    named = (
        gen_ok & (gen_end > er) & head_key.is_in(person_heads)
        & (named_all | ~run_end.is_null())
        & (_take(sid, _clip(_fill(nb_, 0), upper=n - 1)) == ev["sid"])
    ).fill_null(False)
    ev = ev.with_columns(
        gen_s=pl.when(sv_ok & ~gen_ok & ~num_ok).then(fr0).when(num_ok).then(gb + 1).when(named).then(na).when(gen_ok & (gen_end > gb)).then(gb + 1)
        .when(qname_ok).then(er + 2).when(qawl_ok).then(an_prev + 1).when(kana_ok).then(kprev + 1)
        .when(sabaq_ok).then(sprev + 1),
        gen_e=pl.when(sv_ok & ~gen_ok & ~num_ok).then(er - 1).when(num_ok).then(num_end).when(named).then(nb_).when(gen_ok & (gen_end > gb)).then(gen_end)
        .when(qname_ok).then(qname_close - 1).when(qawl_ok).then(er - 1).when(kana_ok).then(k_end)
        .when(sabaq_ok).then(er - 2),
        g_clitic=pl.when(sv_ok & ~gen_ok & ~num_ok).then(
            pl.when(_take(tok, fr0).str.contains("^[وف]ال")).then(1).otherwise(0)).when(num_ok).then(0).when(named).then(0).when(sabaq_ok).then(1).otherwise(g_clitic),
        appos_s=pl.when(named & ~num_ok).then(er + 1).otherwise("appos_s"),
        appos_e=pl.when(named & ~num_ok).then(gen_end).otherwise("appos_e"),
    )
    # the subject between a contrastive opener and the verb (sv2_ok above)
    sv2_use = sv2_ok & ~gen_ok & ~num_ok & ~sv_ok & ~qname_ok & ~qawl_ok & ~kana_ok & ~sabaq_ok
    ev = ev.with_columns(
        gen_s=pl.when(sv2_use).then(op + 1).otherwise("gen_s"),
        gen_e=pl.when(sv2_use).then(er - 1).otherwise("gen_e"),
        g_clitic=pl.when(sv2_use).then(0).otherwise("g_clitic"),
    )
    # the name between commas before the complement (appos_name above) and its role
    ev = ev.with_columns(
        gen_s=pl.when(ap_gen).then(seg_s).otherwise("gen_s"),
        gen_e=pl.when(ap_gen).then(seg_last).otherwise("gen_e"),
        g_clitic=pl.when(ap_gen).then(0).otherwise("g_clitic"),
        appos_s=pl.when(appos_name).then(gb + 1).otherwise("appos_s"),
        appos_e=pl.when(appos_name).then(ap_c1 - 1).otherwise("appos_e"),
    )

    # -- speaker table of all events (introducers + sources), then resolution
    spans = []
    for name, s_col, e_col, frame in (
        ("role_app", "appos_s", "appos_e", ev),
        ("role_pre", "pre_s", "pre_e", ev),
        ("gen", "gen_s", "gen_e", ev),
        ("src", "np_start", "np_end", src),
    ):
        f = frame.filter(pl.col(s_col).is_not_null()).select(
            "r", r_start=s_col, r_end=e_col, which=pl.lit(name)
        )
        spans.append(f)
    spans = pl.concat(spans)
    texts = spans.with_columns(
        s_char=_take(t["start_char"], spans["r_start"]),
        e_char=_take(t["end_char"], spans["r_end"]),
        text=_span_texts(t, spans),
    )

    def span_cols(which: str, prefix: str) -> pl.DataFrame:
        return texts.filter(pl.col("which") == which).select(
            "r", pl.col("text").alias(f"{prefix}_text"), pl.col("s_char").alias(f"{prefix}_s"),
            pl.col("e_char").alias(f"{prefix}_e"),
        )

    ev = (
        ev.join(span_cols("role_app", "app"), on="r", how="left", maintain_order="left")
        .join(span_cols("role_pre", "pre"), on="r", how="left", maintain_order="left")
        .join(span_cols("gen", "g"), on="r", how="left", maintain_order="left")
    )
    # the words before the name, without the name's own title and commas: "وزير المالية،
    # الوزير عمر الرفاعي" -> role "وزير المالية"
    pre_role = (
        pl.col("pre_text").str.strip_suffix(pl.col("s_title").fill_null("\uffff"))
        .str.strip_chars(" ،,")
    )
    pre_role = pl.when(pre_role.str.len_chars() > 0).then(pre_role)
    # the office of a person speaks, not the person: "قال مكتب رئيس الوزراء التركي أحمد داود
    # أوغلو إن" -> مكتب رئيس الوزراء التركي (an indefinite organisation head in construct
    # right after the verb, the name right after it)
    org_heads = pl.Series(res.speaker_heads("organization"), dtype=pl.String).implode()
    first_pre = _words_key(pl.col("pre_text")).str.split(" ").list.first()
    office = (
        pl.col("s_surface").is_not_null() & (pl.col("s_type") == "PER") & pl.col("pre_text").is_not_null()
        & ~pl.col("pre_text").str.contains("[،,]")
        & first_pre.is_in(org_heads) & ~first_pre.str.starts_with("ال")
        & (pl.col("pre_text").str.split(" ").list.len() >= 2)
    ).fill_null(False)
    office = ev.select(office.alias("o"))["o"]  # (computed once, used five times)
    ev = ev.with_columns(
        s_surface=pl.when(office).then(pl.col("pre_text")).otherwise("s_surface"),
        s_start_char=pl.when(office).then(pl.col("pre_s_right")).otherwise("s_start_char"),
        s_end_char=pl.when(office).then(pl.col("pre_e_right")).otherwise("s_end_char"),
        s_entity_id=pl.when(office).then(None).otherwise("s_entity_id"),
        pre_text=pl.when(office).then(None).otherwise("pre_text"),
    )
    ev = ev.with_columns(
        sp_text=pl.coalesce("s_surface", pl.col("g_text").str.slice(pl.col("g_clitic"))),
        sp_s=pl.coalesce("s_start_char", pl.col("g_s") + pl.col("g_clitic")),
        sp_e=pl.coalesce("s_end_char", "g_e"),
        sp_eid=pl.col("s_entity_id"),
        sp_role=pl.coalesce("app_text", pre_role),
        explicit=pl.col("s_surface").is_not_null() | pl.col("g_text").is_not_null(),
        gen=pl.col("s_surface").is_null() & pl.col("g_text").is_not_null(),
    )
    srcs = src.join(span_cols("src", "np"), on="r", how="left", maintain_order="left")
    # a source phrase that starts with a mention is that entity
    src_m = mrow_ext.gather(
        pl.select(
            pl.when(srcs["np_start"].is_in(m_start.implode()))
            .then(m_start.search_sorted(_fill(srcs["np_start"], -1), side="left"))
            .otherwise(len(mrow))
        ).to_series()
    ) if srcs.height else mrow_ext.clear()
    srcs = srcs.with_columns(
        sp_text=pl.col("np_text").str.slice(pl.col("np_clitic")),
        sp_s=pl.col("np_s") + pl.col("np_clitic"),
        sp_e=pl.col("np_e"),
        sp_eid=src_m["entity_id"] if srcs.height else pl.lit(None, pl.String),
        sp_role=pl.lit(None, pl.String),
        explicit=pl.col("np_text").is_not_null(),
        gen=pl.lit(False),
    )
    common = ["r", "sid", "art", "article_id", "sentence_index", "verb", "sv_kind", "mode",
              "comp", "qo", "qc", "first_r", "last_r", "vtrail_cut", "colon", "sp_text", "sp_s", "sp_e", "sp_eid",
              "sp_role", "explicit", "gen"]
    srcs = srcs.with_columns(
        mode=pl.when(pl.col("fronted")).then(pl.lit("src_front"))
        .when(pl.col("trailing") & (pl.col("head_src") | pl.col("sp_eid").is_not_null()))
        .then(pl.lit("src_trail")),
    ).with_columns(
        # a source phrase that attributes nothing ("ووفقا للنجاح الذي حققته التجربة،
        # فستستمر ...": neither a fronted nor a trailing attribution) names no speaker, so
        # nothing carries over from it
        explicit=pl.col("explicit") & pl.col("mode").is_not_null(),
    )
    events = pl.concat(
        [ev.select(common).with_columns(clause_start=pl.lit(None, pl.Int64)),
         srcs.select(common + ["clause_start"])],
        how="vertical_relaxed",
    ).sort("r")
    events = _resolve_roles(events, ms, res)

    # rule 2: explicit subject of the nearest preceding event of the same sentence
    sp_cols = ["sp_text", "sp_s", "sp_e", "sp_eid", "sp_role"]
    events = events.with_columns(
        # (a source phrase lends its source to no verb after it: "وحسب "رويترز"، قال في إجابة
        # على سؤال، إن ..." is said by the person spoken of, not by Reuters)
        donor_r=pl.when(pl.col("explicit") & ~pl.col("mode").is_in(["src_front", "src_trail"]).fill_null(False))
        .then(pl.col("r")),
    ).with_columns(
        src_r=pl.when(pl.col("explicit")).then(pl.col("r"))
        .otherwise(pl.col("donor_r").forward_fill().over("sid")),
    )
    # rule 3: first PER mention of the sentence before the introducer
    # (a person named inside quoted words is spoken of, not speaking: "عبارة "ستكونون فرائس"")
    per = ms.filter(pl.col("type") == "PER")
    per = per.filter(~_take(inside, per["m_r_start"]) & ~_take(open_flag, per["m_r_start"]))
    per_first = per.with_columns(sid=_take(sid, per["m_r_start"])).group_by("sid").agg(
        pl.all().sort_by("m_r_start").first()
    )
    events = events.join(
        per_first.select(
            "sid", p_r="m_r_start", p_text="surface", p_s="start_char", p_e="end_char",
            p_eid="entity_id",
        ),
        on="sid", how="left", maintain_order="left",
    ).with_columns(
        use_p=pl.col("src_r").is_null() & (pl.col("p_r") < pl.col("r")).fill_null(False)
    )
    # rule 3b: a participle with neither takes the organisation (or place) right after the
    # verb that opens its sentence: "وكلفت محكمة مدريد ...، لكنها أغلقت الملف، معتبرة أن"
    # (the subject of the main clause, not the person quoted before)
    orgm = ms.filter(pl.col("type").is_in(["ORG", "LOC"]))
    orgm = orgm.filter(
        (pl.Series(orgm["m_r_start"] - _take(first_r, orgm["m_r_start"])) == 1)
        & _take(t["is_word"], first_r.gather(orgm["m_r_start"])).alias("w")
        & ~_take(t["sv"], first_r.gather(orgm["m_r_start"])).alias("v")
        & ~_take(inside, orgm["m_r_start"]).alias("i")
    ) if ms.height else orgm
    events = events.join(
        orgm.with_columns(sid=_take(sid, orgm["m_r_start"])).select(
            "sid", o_r="m_r_start", o_text="surface", o_s="start_char", o_e="end_char", o_eid="entity_id",
        ).unique("sid", keep="first"),
        on="sid", how="left", maintain_order="left",
    )
    # ... and so does a verb coordinated with و/ف with no subject of its own ("ودانت نقابة
    # الصحافيين اليمنيين الجريمة ...، وأكدت أن"، "وسعت الكويت إلى التهدئة وقالت إن"), when the
    # two verbs agree in gender and number (a feminine "وشهدت المدينة ... وقال إنه" has another
    # subject)
    def _agree(k: pl.Expr) -> pl.Expr:  # p(lural) / f(eminine) / m(asculine) of a verb form
        k = k.str.replace(r"^[وف]", "")
        return (pl.when(k.str.contains(r"(?:وا|ون|ين|تا|ان)$")).then(pl.lit("p"))
                .when(k.str.contains(r"(?:^ت|ت$|ه$|ة$)")).then(pl.lit("f")).otherwise(pl.lit("m")))

    ev_r = events["r"]
    opener_r = _take(first_r, ev_r)
    coord_v = _fill(((_take(tok, ev_r) != events["verb"]) & (ev_r > opener_r)), False)
    agree = (
        pl.DataFrame({"a": _take(key, ev_r), "b": _take(key, opener_r)})
        .select(_agree(pl.col("a")) == _agree(pl.col("b")))
        .to_series()
    )
    events = events.with_columns(
        use_o=pl.col("src_r").is_null() & ~pl.col("use_p")
        & ((pl.col("sv_kind") == "participle") | (coord_v & agree))
        & (pl.col("o_r") < pl.col("r")).fill_null(False)
    )
    by_r = events.filter(pl.col("explicit")).select(
        src_r="r", **{f"x_{c}": c for c in sp_cols}
    )
    events = events.join(by_r, on="src_r", how="left", maintain_order="left").sort("r").with_columns(
        sp_text=pl.when(pl.col("use_p")).then("p_text").when(pl.col("use_o")).then("o_text").otherwise("x_sp_text"),
        sp_s=pl.when(pl.col("use_p")).then("p_s").when(pl.col("use_o")).then("o_s").otherwise("x_sp_s"),
        sp_e=pl.when(pl.col("use_p")).then("p_e").when(pl.col("use_o")).then("o_e").otherwise("x_sp_e"),
        sp_eid=pl.when(pl.col("use_p")).then("p_eid").when(pl.col("use_o")).then("o_eid").otherwise("x_sp_eid"),
        sp_role=pl.when(pl.col("use_p") | pl.col("use_o")).then(pl.lit(None, pl.String)).otherwise("x_sp_role"),
    )
    # rule 4: carry-over from the previous resolved event of the article
    # (not from a fronted source of the same sentence: "وحسب "رويترز"، قال في إجابة على سؤال،
    # إن ..." is said by the one spoken of before)
    is_src = pl.col("mode").is_in(["src_front", "src_trail"]).fill_null(False)
    events = events.with_columns(
        res_r=pl.when(pl.col("sp_text").is_not_null()).then(pl.col("r")),
        res_nosrc=pl.when(pl.col("sp_text").is_not_null() & ~is_src).then(pl.col("r")),
        src_sid=pl.when(pl.col("sp_text").is_not_null() & is_src).then(pl.col("sid")),
    ).with_columns(
        carry=pl.col("res_r").forward_fill().over("art"),
        carry_nosrc=pl.col("res_nosrc").forward_fill().over("art"),
        carry_src_sid=pl.col("src_sid").forward_fill().over("art"),
        last_any=pl.col("res_r").forward_fill().over("art"),
        last_src=pl.when(pl.col("sp_text").is_not_null() & is_src).then(pl.col("r")).forward_fill().over("art"),
    ).with_columns(
        carry=pl.when((pl.col("last_src") == pl.col("last_any")) & (pl.col("carry_src_sid") == pl.col("sid"))
                      & pl.col("sp_text").is_null())
        .then(pl.col("carry_nosrc")).otherwise(pl.col("carry")),
    ).drop("res_nosrc", "src_sid", "carry_nosrc", "carry_src_sid", "last_any", "last_src")
    carry = events.filter(pl.col("res_r").is_not_null()).select(
        carry="res_r", **{f"c_{c}": c for c in sp_cols}
    )
    events = events.join(carry, on="carry", how="left", maintain_order="left").sort("r").with_columns(
        **{c: pl.coalesce(c, f"c_{c}") for c in sp_cols}
    )

    # -- quote spans
    prod = events.filter(pl.col("mode").is_not_null())
    # one quote per complementizer: a noun introducer between a verb and its أن ("وقال
    # الخطيب في بيان صحفي إن") does not make a second quote
    prod = prod.filter(
        (pl.col("mode") != "clause")
        | (pl.col("r") == pl.col("r").filter(pl.col("mode") == "clause").min().over(["sid", "comp"]))
    )
    pr = prod["r"]
    mode = prod["mode"]
    clause_from = pl.select(
        pl.when(mode == "clause").then(prod["comp"] + 1)
        # "وأضاف: أن المؤسسة أنجزت ..." is reported, not verbatim: the clause after أن
        .when((mode == "bare") & _take(t["comp"], _clip((_fill(prod["colon"], 0) + 1), upper=n - 1)))
        .then(prod["colon"] + 2)
        .when(mode == "bare").then(prod["colon"] + 1)
        .when(mode == "src_front").then(prod["clause_start"])
        .when(mode.is_in(["src_trail", "vtrail"])).then(prod["first_r"])
    ).to_series()
    # the clause ends before the next quote-producing introducer after its start, or before
    # a comma + و/ف + finite reporting verb ("، ودعت الحكومة إلى ...")
    comma_before = t.select(prv(pl.col("comma"), 1).fill_null(False).alias("c"))["c"]
    coord = t["r"].filter(t["sv"] & t["wf"] & comma_before)
    coord = intro.filter(pl.col("r").is_in(coord.implode()) & (pl.col("sv_kind") == "verb"))["r"]
    # ... or before a comma + reporting participle, quote-producing or not ("، موصيةً
    # المستخدمين بتغيير ...", "، مشيراً إلى ...")
    part = intro.filter(
        (pl.col("sv_kind") == "participle") & pl.col("r").is_in(t["r"].filter(comma_before).implode())
    )["r"]
    coord = pl.concat([coord, part])
    cutters = pl.concat([pr, coord]).unique().sort()
    nxt_cut = _next_after(cutters, pl.select(pl.coalesce(clause_from, pr)).to_series())
    prod = prod.with_columns(
        next_prod=pl.when(_take(sid, _fill(nxt_cut, 0)) == prod["sid"]).then(nxt_cut)
    )
    # a comma + فيما / بينما / في حين (stopwords kind clause_break) also ends the clause
    comma = pl.col("comma")
    brk = t.select(
        pl.when(pl.col("brk") & prv(comma, 1).fill_null(False)).then(pl.col("r"))
        .when(pl.col("hin") & prv("fi", 1).fill_null(False) & prv(comma, 2).fill_null(False))
        .then(pl.col("r") - 1)
        # ... and a comma + في إشارة إلى: the writer's gloss ("أكد أن الأمور لم تحسم بعد، في
        # إشارة إلى المنافسة مع الملف المشترك")
        .when(pl.col("ishara") & prv("fi", 1).fill_null(False) & prv(comma, 2).fill_null(False))
        .then(pl.col("r") - 1)
        .alias("b")
    )["b"].drop_nulls().sort()
    nbrk = _next_after(brk, pl.select(pl.coalesce(clause_from, pr)).to_series())
    nbrk = pl.select(
        pl.when((_take(sid, _fill(nbrk, 0)) == prod["sid"]) & ~mode.is_in(["src_trail", "vtrail"])).then(nbrk)
    ).to_series()
    cut = pl.select(
        pl.when(mode == "src_trail").then(pr - 1)
        .when(mode == "vtrail").then(prod["vtrail_cut"])
        .when(mode == "bare").then(prod["last_r"] + 1)
        .otherwise(pl.min_horizontal(
            pl.coalesce(prod["next_prod"], prod["last_r"] + 1), nbrk
        ))
    ).to_series()
    clause_to = pl.select(
        pl.when(cut.is_not_null()).then(_take(last_word, _clip((_fill(cut, 1) - 1), lower=0)))
    ).to_series()
    q_start = pl.select(
        pl.when(mode.is_in(["direct", "trail"])).then(prod["qo"] + 1).otherwise(clause_from)
    ).to_series()
    q_end = pl.select(
        pl.when(mode.is_in(["direct", "trail"])).then(prod["qc"] - 1).otherwise(clause_to)
    ).to_series()
    valid = _fill((~q_start.is_null() & ~q_end.is_null() & (q_end >= q_start)), False)
    valid = valid & (_take(sid, _clip(_fill(q_start, 0), upper=n - 1)) == prod["sid"])
    has_pair = (P_open.between(_fill(q_start, 0) - 1, _fill(q_end, 0) + 1) > 0)
    # a clause that is one whole quotation (قال إن "...") is a direct quote, inside the marks
    qs0 = _fill(q_start, -1)
    at_pair = po.search_sorted(qs0, side="left").clip(upper_bound=max(len(po) - 1, 0))
    whole = (
        (_take(po, at_pair) == qs0) & (_take(pc, at_pair) == q_end) & ~mode.is_in(["direct", "trail"])
    ).fill_null(False) if len(po) else pl.Series("", np.zeros(len(pr), dtype=bool))
    qkind = pl.select(
        pl.when(mode.is_in(["direct", "trail"]) | whole).then(pl.lit("direct"))
        .when((mode == "bare") & (q_start == prod["colon"] + 1)).then(pl.lit("direct"))
        .when(has_pair).then(pl.lit("mixed"))
        .otherwise(pl.lit("indirect"))
    ).to_series()
    q_start = pl.select(pl.when(whole).then(q_start + 1).otherwise(q_start)).to_series()
    q_end = pl.select(pl.when(whole).then(q_end - 1).otherwise(q_end)).to_series()
    valid = valid & _fill((q_end >= q_start), False)
    # a clause of one word cut short by the next attribution ("وبحسب "الفرنسية"، فقد ذكر
    # ..." cut at ذكر) is no quote; one that ends its sentence is ("وصفوها بأنها مهمة.")
    cut_short = _fill((cut <= prod["last_r"]), False) & ~mode.is_in(["src_trail", "vtrail"])
    valid = valid & _fill(((qkind == "direct") | ((q_end - q_start) >= 1) | ~cut_short), False)
    prod = prod.with_columns(
        q_rs=q_start, q_re=q_end, kind=qkind, valid=valid,
    ).filter(pl.col("valid"))
    if prod.height == 0:
        return _empty()
    # a trailing source after a quote of the sentence's own verb ("وتابع: "..."، بحسب موقع
    # كووورة", "وتؤكد الشركات أن ...، وفقا لما ذكرت X") is where the quote was reported, not a
    # second quote
    dq = prod.filter(~pl.col("mode").is_in(["src_trail", "vtrail", "src_front"])).select("sid", d_rs="q_rs", d_re="q_re")
    if dq.height:
        covered = prod.filter(pl.col("mode").is_in(["src_trail", "vtrail"])).select("r", "sid", "q_rs", "q_re").join(
            dq, on="sid", how="inner"
        ).filter((pl.col("d_rs") >= pl.col("q_rs")) & (pl.col("d_re") <= pl.col("q_re")))["r"]
        prod = prod.filter(~(pl.col("mode").is_in(["src_trail", "vtrail"]) & pl.col("r").is_in(covered.implode())))
    if prod.height == 0:
        return _empty()
    # a quotation coordinated with a direct quote is the same speaker's: قال راخوي "..."،
    # و"..." (up to three in a row)
    if len(po):
        pr_ = pairs.select(pl.col("qo").cast(pl.Int64), pl.col("qc").cast(pl.Int64)).filter(pl.col("qo") >= 3)
        m1 = _take(tok, pr_["qo"] - 1)
        m2 = _take(tok, pr_["qo"] - 2)
        prev_close = pl.select(
            pl.when(m1.is_in(["و"]) & (pr_["qo"] - 2).is_in(pc_real.implode())).then(pr_["qo"] - 2)
            .when(m1.is_in(["و"]) & m2.is_in(["،", ","]) & (pr_["qo"] - 3).is_in(pc_real.implode())).then(pr_["qo"] - 3)
        ).to_series()
        chain = pr_.with_columns(prev_close=prev_close).filter(
            pl.col("prev_close").is_not_null() & (pl.col("qc") - pl.col("qo") >= 2)
        )
        for _ in range(3):
            if chain.height == 0:
                break
            src_q = prod.filter(pl.col("kind") == "direct").with_columns(prev_close=pl.col("q_re") + 1)
            new = src_q.join(chain.rename({"qo": "c_qo", "qc": "c_qc"}), on="prev_close", how="inner").with_columns(
                q_rs=pl.col("c_qo") + 1, q_re=pl.col("c_qc") - 1
            )
            new = new.join(prod.select("q_rs"), on="q_rs", how="anti")
            if new.height == 0:
                break
            prod = pl.concat([prod, new.select(prod.columns)])
    prod = prod.with_columns(
        start_char=_take(t["start_char"], prod["q_rs"]),
        end_char=_take(t["end_char"], prod["q_re"]),
        q_sent=_take(t["sentence_index"], prod["q_rs"]),
    ).sort("r").unique(["art", "start_char"], keep="first", maintain_order=True)
    # text: slice of the sentence (exact)
    sents = sentences.select(
        "article_id", pl.col("sentence_index").cast(pl.Int64).alias("q_sent"),
        s_start=pl.col("start_char").cast(pl.Int64), s_text="text",
    )
    prod = prod.join(sents, on=["article_id", "q_sent"], how="left", maintain_order="left").with_columns(
        text=pl.col("s_text").str.slice(
            pl.col("start_char") - pl.col("s_start"), pl.col("end_char") - pl.col("start_char")
        )
    ).sort("art", "start_char")
    out = prod.select(
        "article_id",
        quote_id=pl.int_range(pl.len(), dtype=pl.Int64).over("art"),
        kind="kind",
        start_char="start_char",
        end_char="end_char",
        text="text",
        verb="verb",
        speaker_text="sp_text",
        speaker_start_char="sp_s",
        speaker_end_char="sp_e",
        speaker_entity_id="sp_eid",
        speaker_role="sp_role",
        sentence_index="sentence_index",
    )
    out = _resolve_short_names(out, mentions)
    at = _article_tokens(all_tokens, grouped)
    out = out.with_columns(_person=pl.lit(False))
    out = _expand_surnames(out, at, res, mentions)
    out = _surname_to_quoted_name(out, mentions, res)
    out = _role_to_name(out, at, res)
    out = _org_head_to_name(out, at, res)
    out = _org_head_to_quoted_name(out, at, res)
    out = _definite_backref(out, at, res)
    out = _epithet_to_protagonist(out, mentions, res)
    out = _cut_at_kinship(out, mentions, res)
    out = _speaker_type(out, mentions, res)
    # no speaker ends with punctuation ("مصدر في الشرطة." -> "مصدر في الشرطة")
    trimmed = pl.col("speaker_text").str.strip_chars_end(".،,:؛;!؟?…-–— ")
    out = out.with_columns(
        speaker_end_char=pl.col("speaker_end_char")
        - (pl.col("speaker_text").str.len_chars() - trimmed.str.len_chars()),
        speaker_text=pl.when(trimmed.str.len_chars() > 0).then(trimmed),
    ).with_columns(
        speaker_start_char=pl.when(pl.col("speaker_text").is_not_null()).then("speaker_start_char"),
        speaker_end_char=pl.when(pl.col("speaker_text").is_not_null()).then("speaker_end_char"),
    )
    return out.select(list(QUOTE_SCHEMA)).cast(QUOTE_SCHEMA)  # type: ignore[arg-type]  # type: ignore[arg-type]
