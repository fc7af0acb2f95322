"""The quote stage's share of the transform stages on an ANT sample, timed alone in one process.

    .venv/bin/python bench/quotes_bench.py [N_FILES] [REPEATS] [--run]

Reads N_FILES (default 2000) ANT files picked with a fixed seed from
../shared/data/corpus/ant_multisource (or $AKHBAR_CORPUS/ant_multisource) and times every
stage of `akhbar.pipeline.transform_frames` in one process, like a batch does (read ->
clean -> segment -> entities -> quotes -> Parquet staging).  The DuckDB load is not
included.
Best of REPEATS (default 3) per stage.  With ``--run`` the same files are also copied to a
temporary folder and loaded by a real ``akhbar run`` (Prefect flow, batches, DuckDB load) into
a fresh warehouse; the quote stage's seconds are then also given as a share of that run's
wall time. That share is not issue 5's measure: a 2,000-file run is mostly Prefect's start-up,
and the stage is timed alone. The stage's cost in the pipeline's wall time over the whole
corpus is measured by ablation in bench/quote_cost_bench.py.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from akhbar.quotes_cli import corpus_root  # noqa: E402
from transforms import clean, entities, quotes, read, segment  # noqa: E402
from transforms.resources import load_resources  # noqa: E402


def main(n: int = 2000, repeats: int = 3) -> None:
    root = corpus_root() / "ant_multisource"
    if not root.exists():
        sys.exit(f"ANT corpus not found at {root}")
    files = sorted(str(p) for p in root.rglob("*.txt"))
    random.Random(5).shuffle(files)
    uris = [Path(f).resolve().as_uri() for f in files[:n]]
    res = load_resources()
    best: dict[str, float] = {}
    counts = {}
    for _ in range(repeats):
        t = {}
        t0 = time.perf_counter()
        docs, _ = read.read_files(uris)
        t["read"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        arts = clean.clean_documents(docs)
        t["clean"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        paras = segment.paragraphs(arts)
        sents = segment.sentences(arts)
        toks = segment.tokens(sents)
        dl = segment.datelines(arts)
        t["segment"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        ments = entities.entity_mentions(toks, res)
        t["entities"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        q = quotes.quotes(sents, toks, ments, res)
        t["quotes"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as d:
            for name, f in {"articles": arts, "paragraphs": paras, "sentences": sents, "tokens": toks,
                            "datelines": dl, "entity_mentions": ments, "quotes": q}.items():
                f.write_parquet(Path(d) / f"{name}.parquet")
        t["stage_parquet"] = time.perf_counter() - t0
        for k, v in t.items():
            best[k] = min(best.get(k, v), v)
        counts = {"articles": arts.height, "tokens": toks.height, "mentions": ments.height, "quotes": q.height}
    total = sum(best.values())
    print(f"{n} ANT files: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print(f"{'stage':<15}{'seconds':>9}{'share':>8}")
    for k, v in best.items():
        print(f"{k:<15}{v:>9.2f}{v / total:>8.1%}")
    print(f"{'total':<15}{total:>9.2f}")
    print(f"quote stage share of the transform stages: {best['quotes'] / total:.1%} (the bar, < 20%, is of the pipeline's wall time: --run)")
    print(pl.DataFrame({"kind": q["kind"]}).group_by("kind").len().sort("kind").rows())
    if "--run" in sys.argv:
        project = Path(__file__).resolve().parent.parent
        with tempfile.TemporaryDirectory() as d:
            src = Path(d) / "src"
            src.mkdir()
            for i, u in enumerate(uris):
                f = Path(u.removeprefix("file://"))
                shutil.copy(f, src / f"{i:05d}_{f.name}")
            t0 = time.perf_counter()
            subprocess.run(
                [str(project / ".venv" / "bin" / "akhbar"), "run", "--source", str(src),
                 "--warehouse", str(Path(d) / "w.duckdb"), "--quiet"],
                check=True, stdout=subprocess.DEVNULL, cwd=project,
            )
            wall = time.perf_counter() - t0
        print(f"akhbar run on the same {n} files: {wall:.2f} s wall; "
              f"the quote stage's seconds above are {best['quotes'] / wall:.1%} of it (a run this small is mostly"
              " Prefect's start-up: the issue's measure, the stage's share of the pipeline's wall time over the"
              " whole corpus, is bench/quote_cost_bench.py)")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 2000, int(args[1]) if len(args) > 1 else 3)
