"""`akhbar quotes eval`: score the quote extractor against the hand-annotated gold set.

Gold (``tests/gold/quotes.jsonl``): one JSON line per annotated article, holding only ids and
offsets, never article text (the text is read from the shared corpus):

    {"file": "ant_multisource/BBC/.../x.txt", "doc_key": "", "article_id": "...",
     "text_sha256": "<sha256 of the cleaned text>", "quotes": [
        {"kind": "indirect", "start": 120, "end": 188, "speaker": "خالد حفتر",
         "speaker_type": "person"}, ...]}

``file`` is the document's ``source_uri`` relative to the corpus root (an archive member keeps
its ``!member`` suffix) (``../shared/data/corpus`` beside the checkout, or
``$AKHBAR_CORPUS``); offsets are characters of the stored cleaned ``text``
(transforms.read -> transforms.clean), exactly what the pipeline stores.

Scoring: the words of a span are the ``\\w+`` runs of the text overlapping it; a predicted
quote matches a gold quote when the token Dice of their word sets is >= 0.5, one to one
(greedy, best Dice first).  Precision / recall are reported overall and per kind (a gold
quote of kind K counts as found when any predicted quote matches it; per-kind precision
uses the predicted kind), with the agreement of kinds on matched pairs.  The speaker of a
matched pair is correct when the normalised names agree: the predicted name is the
canonical name of ``speaker_entity_id`` when it is linked (or ``speaker_text`` when that is
a fuller form of it), else ``speaker_text``; names
agree when equal after normalisation (diacritics, alef/ya/ta marbuta folding, leading
و/ف), or when one is a word-subsequence of the other and the shorter has >= 2 words.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GOLD = PROJECT / "tests" / "gold" / "quotes.jsonl"
KINDS = ("direct", "indirect", "mixed")
_WORD = re.compile(r"\w+")


def corpus_root() -> Path:
    env = os.environ.get("AKHBAR_CORPUS")
    if env:
        return Path(env)
    shared = Path(os.environ.get("AKHBAR_SHARED", PROJECT.parent / "shared"))
    return shared / "data" / "corpus"


def load_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def load_articles(gold: list[dict], root: Path | None = None):
    """The gold articles as the pipeline stores them: (articles, sentences, tokens, mentions,
    quotes) frames, with a ``gold_ref`` = file + "\\x1f" + doc_key column on articles."""
    import polars as pl

    from transforms import clean, entities, quotes, read, segment
    from transforms.resources import load_resources

    root = Path(root or corpus_root()).resolve()
    files = sorted({g["file"].split("!")[0] for g in gold})
    docs, _ = read.read_files([(root / f).as_uri() for f in files])
    prefix = root.as_uri().rstrip("/") + "/"
    docs = docs.with_columns(
        gold_ref=pl.col("source_uri").str.strip_prefix(prefix) + "\x1f" + pl.col("doc_key")
    )
    wanted = {g["file"] + "\x1f" + g["doc_key"] for g in gold}
    docs = docs.filter(pl.col("gold_ref").is_in(list(wanted)))
    arts = clean.clean_documents(docs)
    res = load_resources()
    sents = segment.sentences(arts)
    toks = segment.tokens(sents)
    ments = entities.entity_mentions(toks, res)
    q = quotes.quotes(sents, toks, ments, res)
    return arts, sents, toks, ments, q


def normalize_name(s: str | None) -> str:
    from transforms.quote_tokens import normalize

    if not s:
        return ""
    words = [re.sub(r"^[وف](?=ال)", "", w) for w in normalize(re.sub(r"[^\w\s]", " ", s)).split()]
    return " ".join(words)


def names_agree(gold: str | None, pred: str | None) -> bool:
    g, p = normalize_name(gold), normalize_name(pred)
    if not g or not p:
        return False
    if g == p:
        return True
    a, b = (g.split(), p.split()) if len(g.split()) <= len(p.split()) else (p.split(), g.split())
    if len(a) < 2:
        return False
    return any(b[i : i + len(a)] == a for i in range(len(b) - len(a) + 1))


def _pred_name(canonical: str | None, speaker_text: str | None) -> str | None:
    """The predicted speaker's name: the linked entity's canonical name, unless the speaker
    text is a fuller form of it (canonical "راخوي", text "ماريانو راخوي")."""
    if canonical and speaker_text:
        c, t = normalize_name(canonical).split(), normalize_name(speaker_text).split()
        if len(t) > len(c) and any(t[i : i + len(c)] == c for i in range(len(t) - len(c) + 1)):
            return speaker_text
    return canonical or speaker_text


def _words(text: str, start: int, end: int, bounds: list[tuple[int, int]]) -> set[int]:
    return {i for i, (s, e) in enumerate(bounds) if s < end and e > start}


def dice(a: set[int], b: set[int]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def match(text: str, gold_q: list[dict], pred_q: list[dict]) -> list[tuple[int, int, float]]:
    """One-to-one matches (gold index, pred index, dice) with dice >= 0.5, best first."""
    bounds = [m.span() for m in _WORD.finditer(text)]
    gw = [_words(text, q["start"], q["end"], bounds) for q in gold_q]
    pw = [_words(text, q["start"], q["end"], bounds) for q in pred_q]
    cands = sorted(
        ((dice(g, p), i, j) for i, g in enumerate(gw) for j, p in enumerate(pw)),
        reverse=True,
    )
    used_g, used_p, out = set(), set(), []
    for d, i, j in cands:
        if d < 0.5:
            break
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        out.append((i, j, d))
    return out


def evaluate(gold: list[dict], root: Path | None = None) -> dict:
    """Scores of the current extractor on the gold set (see the module doc)."""
    import polars as pl

    arts, _, _, ments, q = load_articles(gold, root)
    names = dict(zip(ments["entity_id"].to_list(), ments["canonical_name"].to_list()))
    by_ref = {r["gold_ref"]: r for r in arts.select("gold_ref", "article_id", "text").iter_rows(named=True)}
    n_gold = dict.fromkeys(KINDS, 0)
    n_pred = dict.fromkeys(KINDS, 0)
    found_gold = dict.fromkeys(KINDS, 0)
    found_pred = dict.fromkeys(KINDS, 0)
    kind_ok = sp_ok = sp_n = type_ok = 0
    missing, drift, errors = [], [], []
    for g in gold:
        ref = g["file"] + "\x1f" + g["doc_key"]
        art = by_ref.get(ref)
        if art is None:
            missing.append(ref)
            continue
        text = art["text"]
        if g.get("text_sha256") and hashlib.sha256(text.encode()).hexdigest() != g["text_sha256"]:
            drift.append(ref)
        preds = q.filter(pl.col("article_id") == art["article_id"]).sort("start_char")
        pq = [
            {"start": r["start_char"], "end": r["end_char"], "kind": r["kind"],
             "speaker": _pred_name(names.get(r["speaker_entity_id"]), r["speaker_text"]), "text": r["text"],
             "speaker_type": r.get("speaker_type")}
            for r in preds.iter_rows(named=True)
        ]
        gq = g["quotes"]
        for x in gq:
            n_gold[x["kind"]] += 1
        for x in pq:
            n_pred[x["kind"]] += 1
        pairs = match(text, gq, pq)
        hit_g = {i for i, _, _ in pairs}
        hit_p = {j for _, j, _ in pairs}
        for i, j, _ in pairs:
            found_gold[gq[i]["kind"]] += 1
            found_pred[pq[j]["kind"]] += 1
            kind_ok += gq[i]["kind"] == pq[j]["kind"]
            if gq[i].get("speaker"):
                sp_n += 1
                type_ok += gq[i].get("speaker_type") == pq[j]["speaker_type"]
                if names_agree(gq[i]["speaker"], pq[j]["speaker"]):
                    sp_ok += 1
                else:
                    errors.append(("speaker", ref, gq[i]["speaker"], pq[j]["speaker"], text[gq[i]["start"]:gq[i]["end"]][:60]))
        for i, x in enumerate(gq):
            if i not in hit_g:
                errors.append(("missed", ref, x["kind"], x.get("speaker"), text[x["start"]:x["end"]][:80]))
        for j, x in enumerate(pq):
            if j not in hit_p:
                errors.append(("spurious", ref, x["kind"], x["speaker"], x["text"][:80]))

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    tg, tp = sum(n_gold.values()), sum(n_pred.values())
    m = sum(found_gold.values())
    return {
        "articles": len(gold) - len(missing),
        "gold_quotes": tg,
        "predicted_quotes": tp,
        "matched": m,
        "precision": ratio(m, tp),
        "recall": ratio(m, tg),
        "per_kind": {
            k: {"gold": n_gold[k], "predicted": n_pred[k],
                "precision": ratio(found_pred[k], n_pred[k]), "recall": ratio(found_gold[k], n_gold[k])}
            for k in KINDS
        },
        "kind_agreement": ratio(kind_ok, m),
        "speaker_accuracy": ratio(sp_ok, sp_n),
        "speaker_type_accuracy": ratio(type_ok, sp_n),
        "missing_articles": missing,
        "text_drift": drift,
        "errors": errors,
    }


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def _eval(args) -> int:
    gold_path = Path(args.gold)
    root = Path(args.corpus) if args.corpus else corpus_root()
    if not gold_path.exists():
        print(f"gold file not found: {gold_path}", file=sys.stderr)
        return 2
    if not root.exists():
        print(f"corpus not found at {root} (set --corpus or AKHBAR_CORPUS)", file=sys.stderr)
        return 2
    s = evaluate(load_gold(gold_path), root)
    if args.json:
        print(json.dumps({k: v for k, v in s.items() if k != "errors" or args.errors}, ensure_ascii=False, indent=1))
        return 0
    print(f"gold: {gold_path} ({s['articles']} articles, {s['gold_quotes']} quotes); predicted {s['predicted_quotes']}, matched {s['matched']}")
    print(f"{'kind':<10}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}")
    for k, v in s["per_kind"].items():
        print(f"{k:<10}{v['gold']:>6}{v['predicted']:>6}{_fmt(v['precision']):>8}{_fmt(v['recall']):>8}")
    print(f"{'overall':<10}{s['gold_quotes']:>6}{s['predicted_quotes']:>6}{_fmt(s['precision']):>8}{_fmt(s['recall']):>8}")
    print(f"kind agreement on matched: {_fmt(s['kind_agreement'])}")
    print(f"speaker accuracy on matched: {_fmt(s['speaker_accuracy'])}")
    print(f"speaker_type accuracy on matched: {_fmt(s['speaker_type_accuracy'])}")
    if s["missing_articles"]:
        print(f"WARNING: {len(s['missing_articles'])} gold articles not found in the corpus")
    if s["text_drift"]:
        print(f"WARNING: cleaned text changed for {len(s['text_drift'])} articles (offsets may be stale)")
    if args.errors:
        for e in s["errors"]:
            print(" | ".join(str(x) for x in e))
    return 0


def register(subparsers) -> None:
    """Add the `quotes` command group to the akhbar parser."""
    p = subparsers.add_parser("quotes", help="quotation extraction tools")
    sub = p.add_subparsers(dest="quotes_command", required=True)
    e = sub.add_parser("eval", help="score quote extraction against the gold set (tests/gold/quotes.jsonl)")
    e.add_argument("--gold", default=str(GOLD), help="gold JSONL (default: tests/gold/quotes.jsonl)")
    e.add_argument("--corpus", default=None, help="corpus root (default: ../shared/data/corpus or $AKHBAR_CORPUS)")
    e.add_argument("--errors", action="store_true", help="also list missed, spurious and wrong-speaker quotes")
    e.add_argument("--json", action="store_true", help="print the scores as JSON")
    e.set_defaults(handler=_eval)
