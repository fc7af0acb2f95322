"""Draw of quote gold batch 9 (blind): 6 ANT + 6 SaudiNewsNet articles.

Filters (as for earlier batches): cleaned text < 2,500 characters, 3 or more reporting words
in the cleaned text, none already in tests/gold/quotes.jsonl or quotes_heldout.jsonl
(file + doc_key). Candidates are sorted by (file, doc_key), then random.Random(2029) samples
6 ANT candidates and then 6 SaudiNewsNet candidates.

Only the reader and the cleaner of the pipeline are used (no extractor).
Run from the repository root: .venv/bin/python tests/gold/draw_batch.py [SEED] [OUT.json]
(batch 9: seed 2029; the gold files excluded are those of the moment of the draw, so a re-run
today excludes batch 9 itself and draws other articles)
"""
import hashlib
import json
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from transforms import clean, read  # noqa: E402

ROOT = (REPO.parent / "shared" / "data" / "corpus").resolve()
GOLD = [REPO / "tests" / "gold" / "quotes.jsonl", REPO / "tests" / "gold" / "quotes_heldout.jsonl"]
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("draw.json")
SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 2029
MAX_CHARS = 2500
MIN_REPORTING = 3
PER_CORPUS = 6

# Reporting words, with the conjunction clitics و/ف and the verb endings ت/وا; the hamza on
# alef is optional (Saudi text often drops it); an optional tanwin on وفقا.
_VERBS = r"قال|[أا]كد|[أا]ضاف|[أا]وضح|[أا]شار|[أا]علن|ذكر|صرح"
REPORTING_RE = re.compile(
    r"(?<![\w])(?:[وف]?(?:" + _VERBS + r")(?:ت|وا)?|[وف]?بحسب|[وف]?وفق[اً]+)(?![\w])"
)


def reporting_count(text: str) -> int:
    return len(REPORTING_RE.findall(text))


def annotated() -> set[tuple[str, str]]:
    seen = set()
    for g in GOLD:
        for line in g.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                seen.add((r["file"], r["doc_key"]))
    return seen


def candidates(files: list[Path], seen: set[tuple[str, str]]) -> list[dict]:
    prefix = ROOT.as_uri().rstrip("/") + "/"
    out = []
    for i in range(0, len(files), 2000):
        docs, _ = read.read_files([f.as_uri() for f in files[i : i + 2000]])
        arts = clean.clean_documents(docs)
        for r in arts.select("article_id", "doc_key", "source_uri", "text").iter_rows(named=True):
            text = r["text"] or ""
            rel = r["source_uri"][len(prefix):] if r["source_uri"].startswith(prefix) else r["source_uri"]
            if (rel, r["doc_key"]) in seen:
                continue
            if len(text) >= MAX_CHARS or reporting_count(text) < MIN_REPORTING:
                continue
            out.append(
                {
                    "file": rel,
                    "doc_key": r["doc_key"],
                    "article_id": r["article_id"],
                    "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    "chars": len(text),
                    "reporting": reporting_count(text),
                }
            )
    out.sort(key=lambda c: (c["file"], c["doc_key"]))
    return out


def main() -> None:
    seen = annotated()
    ant_files = sorted((ROOT / "ant_multisource").rglob("*.txt"))
    sau_files = sorted((ROOT / "saudinewsnet").glob("*.zip"))
    ant = candidates(ant_files, seen)
    sau = candidates(sau_files, seen)
    rng = random.Random(SEED)
    picked = rng.sample(ant, PER_CORPUS) + rng.sample(sau, PER_CORPUS)
    result = {
        "seed": SEED,
        "candidates": {"ant": len(ant), "saudinewsnet": len(sau)},
        "files_read": {"ant": len(ant_files), "saudinewsnet": len(sau_files)},
        "already_annotated": len(seen),
        "picked": picked,
    }
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "picked"}, ensure_ascii=False))
    for p in picked:
        print(p["file"], p["doc_key"], p["article_id"], p["chars"], p["reporting"])


if __name__ == "__main__":
    main()
