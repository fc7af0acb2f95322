"""Token table and lexicons for quote extraction (owned by the quotes stage).

The quotes stage consumes only the *contract* columns of tokens / sentences /
entity_mentions. It shares the matching key with ``transforms.resources`` and the span
helpers with ``transforms.entities`` (``transforms.spans``); its lexicons are its own.

Lexicons (``seeds/``):
  speech_verbs.csv          form,lemma,kind,takes   (verb | participle | describe | noun)
  attribution_particles.csv form,lemma,kind,takes   (source: بحسب، وفقاً لـ، نقلاً عن ...;
                                                     name_head: عملية، حملة ... "..." is a name;
                                                     time: أمس، مساء ... ends a speaker phrase;
                                                     report_verb: نشرته ... after ما in a source;
                                                     not_source: تعبيره ... after بحسب is no source;
                                                     express: أعرب عن "..." (takes = the preposition);
                                                     pronoun_subject: معاليه ... the speaker carries over;
                                                     not_subject: بمثابة ... never starts a subject;
                                                     quantifier: عدد، بعض ... + من-phrase is the subject)
  quote_marks.csv           open,close,note         (open == close: alternating mark)
  quote_speaker_heads.csv   form,type               (head word -> person | organization)
  given_names.csv           name,...                (read only: a one-word speaker that is a
                                                     given name expands forward: فيكتوريا -> فيكتوريا سكريبال)
  stopwords.csv             word,kind               (read only: block, source_noun,
                                                     clause_break and function-word kinds)
  quote_function_words.csv  form,kind               (negation, object_particle, kana, relative_opener,
                                                     relative_pronoun, sabaq, contrast, exception)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from transforms.cache import RowCache
from transforms.cache import max_keys as cache_max_keys
from transforms.cache import shared as shared_cache
from transforms.resources import match_key, normalize  # noqa: F401  (normalize: used by akhbar.quotes_cli)
from transforms.spans import is_grouped as _is_grouped

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

_AR_LETTER = r"[\x{0621}-\x{063A}\x{0641}-\x{064A}\x{0671}-\x{06D3}]"
_MARK = r"[\x{064B}-\x{065F}\x{0670}\x{0640}\x{06D6}-\x{06ED}\x{200C}-\x{200F}]"
INTRO_KINDS = ["verb", "participle", "describe", "noun", "source", "express"]
FUNCTION_KINDS = ["prep", "conj", "particle", "pron", "rel", "dem"]
STOP_KINDS = FUNCTION_KINDS + ["verb", "common", "time"]


@dataclass(frozen=True)
class QuoteLexicon:
    intro: pl.DataFrame  # key, form, lemma, kind, takes (speech verbs + attribution particles)
    stop: pl.DataFrame  # key, kind
    open_marks: list[str]
    close_marks: list[str]
    alt_marks: list[str]  # same character opens and closes (", ″)
    heads: pl.DataFrame  # key, type (person | organization): head words of speaker phrases
    name_heads: list[str]  # keys of words after which a quotation is a name (عملية "...")
    given_names: list[str]  # keys of given names (seeds/given_names.csv, read only)
    time_words: list[str] = ()  # keys of time adverbs that end a speaker phrase (أمس، مساء)
    report_verbs: list[str] = ()  # keys of publishing verbs after ما in a source (نشرته، أوردت)
    not_source: list[str] = ()  # keys of words after بحسب that are no source (تعبيره، قوله)
    express: pl.DataFrame | None = None  # key, prep: أعرب عن "..." / دعا إلى "..."
    pronoun_subjects: list[str] = ()  # keys of honorific pronouns (معاليه، سموه): speaker carries over
    honorifics: list[str] = ()  # keys of the honorifics themselves (معالي، سمو): no head of a role
    not_subject: list[str] = ()  # keys of prepositional words that never start a subject (بمثابة)
    quantifiers: list[str] = ()  # keys of partitive heads (عدد من الأهالي): the من-phrase is the subject's
    outlets: list[str] = ()  # keys of first words of news outlets (بي بي سي، رويترز): لـ + one is an addressee
    naming: list[str] = ()  # keys of words that introduce a name (ويدعى، المدعو; seeds/naming_words.csv): no name word
    function_words: pl.DataFrame | None = None  # key, kind (seeds/quote_function_words.csv)
    # answers of speaker_heads / stop_keys (asked a few hundred times per batch, always the same)
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def speaker_heads(self, type_: str) -> list[str]:
        got = self._memo.get(("heads", type_))
        if got is None:
            got = self._memo[("heads", type_)] = self.heads.filter(pl.col("type") == type_)["key"].unique().to_list()
        return list(got)

    @property
    def quote_chars(self) -> list[str]:
        return sorted(set(self.open_marks + self.close_marks + self.alt_marks))

    def function_keys(self, kind: str) -> list[str]:
        """Keys of seeds/quote_function_words.csv of one kind."""
        got = self._memo.get(("function", kind))
        if got is None:
            fw = self.function_words
            got = self._memo[("function", kind)] = (
                [] if fw is None else fw.filter(pl.col("kind") == kind)["key"].unique(maintain_order=True).to_list())
        return list(got)

    def stop_keys(self, *kinds: str) -> list[str]:
        got = self._memo.get(("stop", kinds))
        if got is None:
            got = self._memo[("stop", kinds)] = self.stop.filter(pl.col("kind").is_in(list(kinds)))["key"].unique().to_list()
        return list(got)


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, comment_prefix="#")


def _keyed(df: pl.DataFrame, col: str) -> pl.DataFrame:
    return df.with_columns(key=match_key(pl.col(col)).str.replace_all(r"\s+", " ").str.strip_chars())


@lru_cache(maxsize=8)
def _load(seeds_dir: str) -> QuoteLexicon:
    d = Path(seeds_dir)
    parts = [_read(d / "speech_verbs.csv")]
    if (d / "attribution_particles.csv").exists():
        parts.append(_read(d / "attribution_particles.csv"))
    allp = _keyed(pl.concat(parts, how="diagonal"), "form")
    name_heads = allp.filter(pl.col("kind") == "name_head")["key"].unique().to_list()
    time_words = allp.filter(pl.col("kind") == "time")["key"].unique().to_list()
    report_verbs = allp.filter(pl.col("kind") == "report_verb")["key"].unique().to_list()
    not_source = allp.filter(pl.col("kind") == "not_source")["key"].unique().to_list()
    pronoun_subjects = allp.filter(pl.col("kind") == "pronoun_subject")["key"].unique().to_list()
    not_subject = allp.filter(pl.col("kind") == "not_subject")["key"].unique().to_list()
    quantifiers = allp.filter(pl.col("kind") == "quantifier")["key"].unique().to_list()
    outlets = allp.filter(pl.col("kind") == "outlet")["key"].unique().to_list()
    naming = (_keyed(_read(d / "naming_words.csv"), "form")["key"].unique().to_list()
              if (d / "naming_words.csv").exists() else [])
    honorifics = allp.filter(pl.col("kind") == "pronoun_subject").select(
        k=match_key(pl.col("lemma")))["k"].unique().to_list()
    express = allp.filter(pl.col("kind") == "express").select(
        "key", prep=match_key(pl.col("takes"))
    ).unique("key", keep="first", maintain_order=True)
    intro = allp.filter(pl.col("kind").is_in(INTRO_KINDS)).unique("key", keep="first", maintain_order=True)
    stop = _keyed(_read(d / "stopwords.csv"), "word").select("key", "kind").unique(maintain_order=True)
    function_words = _keyed(_read(d / "quote_function_words.csv"), "form").select("key", "kind")
    if (d / "quote_marks.csv").exists():
        qm = _read(d / "quote_marks.csv")
    else:  # pragma: no cover - older seeds folders
        qm = pl.DataFrame({"open": ["«", "“", "„", '"', "″"], "close": ["»", "”", "”", '"', "″"]})
    heads = _keyed(_read(d / "quote_speaker_heads.csv"), "form").select("key", "type")
    given = []
    if (d / "given_names.csv").exists():
        given = _keyed(_read(d / "given_names.csv"), "name")["key"].unique().to_list()
    pairs = list(zip(qm["open"].to_list(), qm["close"].to_list()))
    alt = sorted({o for o, c in pairs if o == c})
    return QuoteLexicon(
        intro=intro.select("key", "form", "lemma", "kind", "takes"),
        stop=stop,
        open_marks=sorted({o for o, c in pairs if o != c} - set(alt)),
        close_marks=sorted({c for o, c in pairs if o != c} - set(alt)),
        alt_marks=alt,
        heads=heads,
        name_heads=name_heads,
        given_names=given,
        time_words=time_words,
        report_verbs=report_verbs,
        not_source=not_source,
        express=express,
        pronoun_subjects=pronoun_subjects,
        honorifics=honorifics,
        not_subject=not_subject,
        quantifiers=quantifiers,
        outlets=outlets,
        naming=naming,
        function_words=function_words,
    )


def load_lexicon(seeds_dir: str | Path | None = None) -> QuoteLexicon:
    return _load(str(Path(seeds_dir or SEEDS_DIR).resolve()))


HARD_STOPS = [".", "!", "?", "؟", "؛", ";", "…"]
TRAILING = [".", "،", ",", "؛", ";", ":", "!", "?", "؟", "-", "–", "—", "…", "(", ")"]
COMMAS = ["،", ","]


def _vocab(tokens: pl.DataFrame, lex: QuoteLexicon) -> pl.DataFrame:
    """One row per distinct token with the lexical features quotes need: every test the rules
    make of a token's own form is a column here, computed once per distinct word (and kept
    across batches by :func:`_vocab_cache`) instead of once per token row."""
    v = tokens.select("token", "norm").unique("token").with_columns(
        key=match_key(pl.col("norm").fill_null(pl.col("token")))
    )
    key = pl.col("key")
    tok = pl.col("token")

    def keys(*kinds: str) -> pl.Expr:
        return pl.Series(lex.stop_keys(*kinds), dtype=pl.String).implode()

    def lit(words) -> pl.Expr:
        return pl.Series(list(words), dtype=pl.String).implode()

    def fw(kind: str) -> pl.Expr:
        return lit(lex.function_keys(kind))

    intro_keys = lex.intro["key"].implode()
    named_heads = lit(lex.name_heads + lex.speaker_heads("organization"))
    report = lit(lex.report_verbs)
    no_src_verb = lex.intro.filter(pl.col("lemma").is_in(["نص", "توصل"]))["key"].implode()
    unobj = key.str.replace(r"(ه|ها|هم|هما)$", "")
    naming = lit(lex.naming)
    v = v.with_columns(
        is_word=key.str.contains(r"^[\x{0621}-\x{064A}]+$"),
        is_punct=~key.str.contains(r"[\w]"),
        qmark=tok.is_in(lex.quote_chars),
        stop=key.is_in(keys(*STOP_KINDS)),
        func=key.is_in(keys(*FUNCTION_KINDS)),
        prep=key.is_in(keys("prep")),
        block=key.is_in(keys("block")),
        time=key.is_in(keys("time")) | key.is_in(lit(lex.time_words)),
        latin=tok.str.contains(r"^[A-Za-z][A-Za-z0-9.&'\-]*$"),
        sv=key.is_in(intro_keys),
        comp=key.str.contains(r"^[بف]?ان(ه|ها|هم|هما|نا|ني|كم)?$"),
        def_bare=key.str.starts_with("ال") & (key.str.len_chars() >= 4),
        off1=tok.str.extract(f"^((?:{_AR_LETTER}{_MARK}*){{1}})").str.len_chars(),
        comma=tok.is_in(COMMAS),
        colon=tok.is_in([":", "："]),
        trailing=tok.is_in(TRAILING),
        # a name head (موقع، شبكة، صحيفة، شركة ...), bare or with و/ف/ب/ل
        head_row=key.is_in(named_heads) | (key.str.contains("^[وفبل]") & key.str.slice(1).is_in(named_heads)),
        # a negation or refusal before a verb: it reports nothing
        neg=key.is_in(fw("negation")),
        obj=key.is_in(fw("object_particle")),
        an=key == "عن",
        # a reporting or publishing verb after ما in a source, with or without its object pronoun
        rverb=(key.is_in(intro_keys) | key.is_in(report) | unobj.is_in(intro_keys) | unobj.is_in(report))
        & ~key.is_in(no_src_verb),
        rel_def=key.is_in(pl.Series([k for k in lex.stop_keys("rel") if k.startswith("ال")], dtype=pl.String).implode()),
        fa=key.str.starts_with("ف"),
        wf=key.str.contains("^[وف]"),
        kana=key.is_in(fw("kana")),
        rel_cl=key.is_in(fw("relative_opener")),
        rel_pron=key.is_in(fw("relative_pronoun")),
        sabaq=key.is_in(fw("sabaq")),
        lakin=key.is_in(fw("contrast")),
        an_comp=key == "ان",
        illa=key.is_in(fw("exception")),
        brk=key.is_in(keys("clause_break")),
        hin=key == "حين",
        fi=key == "في",
        ishara=key == "اشاره",
        lil=key.str.starts_with("لل"),
        # ل + a news outlet spoken to (لبي بي سي، لرويترز)
        to_outlet=key.str.starts_with("ل") & key.str.slice(1).is_in(lit(lex.outlets)),
        # a nisba ending or the pattern أفعل (الأبيض، الأعلى) of a definite adjective
        adj=key.str.contains("(ي|يه)$") | key.str.contains(r"^الا\w{3}$"),
        # a word that cannot be part of a bare personal name (a naming word included: ويدعى)
        name_bad=key.str.contains(r"^(?:[وفبكل]?ال|[وف]?لل)") | key.is_in(naming)
        | (key.str.contains("^[وف]") & key.str.slice(1).is_in(naming)),
    )
    return v.with_columns(
        hard=tok.is_in(HARD_STOPS) | pl.col("block"),
        not_name=(~pl.col("is_word") | pl.col("stop") | pl.col("func") | pl.col("sv") | pl.col("comp")
                  | pl.col("block") | pl.col("name_bad")) & (tok != "علي"),
    ).drop("name_bad")


def _vocab_cache(lex: QuoteLexicon) -> RowCache:
    """The process's cache of :func:`_vocab` rows for this lexicon (``transforms.cache``; the
    cache holds ``lex``, so its id is not reused while the cache lives)."""
    return shared_cache(("quote_vocab", id(lex)), lambda: RowCache(
        "token", lambda toks: _vocab(toks, lex), cache_max_keys()))


def _vocab_join(base: pl.DataFrame, lex: QuoteLexicon) -> pl.DataFrame:
    """``base`` (without ``norm``) joined with the vocabulary rows of its tokens on ``token``,
    the word tests as UInt8 (Polars gathers bit-packed Boolean columns at about twice the cost
    of bytes: 63 -> 35 ms for the join of 2,000 ANT files' candidate tokens).

    The tokens are hashed once: the distinct words are the first row of each hash (the cache
    is asked for ~46,000 words, not ~390,000 rows) and the join is on the hash; every row's
    token is then compared with the token of the row it joined. A hash shared by two words, or
    a null token, takes the join on the token itself."""
    cache = _vocab_cache(lex)
    tok = base["token"]
    if tok.null_count() == 0:
        h = tok.hash()
        firsts = base.select("token", "norm").filter(h.is_first_distinct())
        vocab = cache.rows(firsts)
        flags = [c for c, d in vocab.schema.items() if d == pl.Boolean]
        right = vocab.drop("norm").rename({"token": "_vt"}).with_columns(
            pl.col(flags).cast(pl.UInt8), _h=pl.col("_vt").hash())
        joined = base.drop("norm").with_columns(_h=h).join(right, on="_h", how="left", maintain_order="left")
        if joined.height == base.height and joined.select((pl.col("token") == pl.col("_vt")).fill_null(False).all()).item():
            return joined.drop("_h", "_vt")
    vocab = cache.rows(base.select("token", "norm"))
    flags = [c for c, d in vocab.schema.items() if d == pl.Boolean]
    return base.drop("norm").join(vocab.drop("norm").with_columns(pl.col(flags).cast(pl.UInt8)), on="token",
                                  how="left", maintain_order="left")


def token_table(tokens: pl.DataFrame, lex: QuoteLexicon, grouped: bool | None = None,
                art_runs=None) -> pl.DataFrame:
    """Tokens in article order with ``r`` (global row), ``sid`` (global sentence id),
    ``art`` (article number) and the lexical features; ``grouped``: ``_is_grouped(tokens)``
    when the caller already knows it; ``art_runs`` (with ``grouped``): a NumPy integer per row
    that is equal on two rows exactly when their article_id is (then ``sid`` and ``art`` are
    counted on integers, not by comparing article ids)."""
    base = tokens.select(
        "article_id",
        pl.col("sentence_index").cast(pl.Int64),
        pl.col("token_index").cast(pl.Int64),
        pl.col("start_char").cast(pl.Int64),
        pl.col("end_char").cast(pl.Int64),
        "token",
        "norm",
    )
    if not (_is_grouped(base) if grouped is None else grouped):
        base = base.sort("article_id", "token_index")
    joined = _vocab_join(base, lex)
    flags = [c for c, d in joined.schema.items() if d == pl.UInt8]
    if grouped and art_runs is not None and len(art_runs) == base.height and base.height \
            and base["sentence_index"].null_count() == 0 and base["article_id"].null_count() == 0:
        # a new article: another run id than the row before; a new sentence: a new article or
        # another sentence_index than the row before (as the comparisons below give)
        sx = base["sentence_index"].to_numpy()
        new_art = np.ones(len(art_runs), dtype=np.int64)
        new_art[1:] = art_runs[1:] != art_runs[:-1]
        new_sid = new_art.copy()
        new_sid[1:] |= sx[1:] != sx[:-1]
        return joined.with_columns(
            pl.col(flags).cast(pl.Boolean),
            r=pl.int_range(pl.len(), dtype=pl.Int64),
            sid=pl.Series(np.cumsum(new_sid), dtype=pl.Int64),
            art=pl.Series(np.cumsum(new_art), dtype=pl.Int64),
        )
    aid, sidx = pl.col("article_id"), pl.col("sentence_index")
    return (
        joined
        .with_columns(
            pl.col(flags).cast(pl.Boolean),
            r=pl.int_range(pl.len(), dtype=pl.Int64),
            sid=((aid != aid.shift(1)) | (sidx != sidx.shift(1))).fill_null(True).cum_sum().cast(pl.Int64),
            art=(aid != aid.shift(1)).fill_null(True).cum_sum().cast(pl.Int64),
        )
    )


def prv(col: str | pl.Expr, k: int, within: str = "sid") -> pl.Expr:
    """Value ``k`` rows back in the same sentence (``within``), else null."""
    c = pl.col(col) if isinstance(col, str) else col
    return pl.when(pl.col(within).shift(k) == pl.col(within)).then(c.shift(k))


