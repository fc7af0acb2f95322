"""The backfill flow: date ranges, one task per day, modes missing and reprocess."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from akhbar.warehouse import connect_readonly

SEEDS = Path(__file__).resolve().parent.parent / "seeds" / "articles"


def test_end_before_start_is_refused_with_a_clear_message():
    from flows.backfill import BackfillRequest

    with pytest.raises(ValidationError, match=r"end_date \(2024-03-01\) is before start_date \(2024-03-31\)"):
        BackfillRequest(start_date="2024-03-31", end_date="2024-03-01")


@pytest.mark.parametrize(
    "uri, day",
    [
        ("file:///data/2015/07/21/a.json", dt.date(2015, 7, 21)),
        ("file:///data/saudinewsnet/2015-07-21.zip", dt.date(2015, 7, 21)),
        ("s3://bucket/20180220_bbc.txt", dt.date(2018, 2, 20)),
        ("file:///data/2015/13/40/a.json", None),
        ("file:///data/AL-12345678.txt", None),
    ],
)
def test_path_date(uri, day):
    from flows.backfill import path_date

    assert path_date(uri) == day


def test_the_backfill_form_describes_its_parameters():
    from prefect.utilities.callables import parameter_schema

    from flows.backfill import backfill

    schema = parameter_schema(backfill).model_dump()
    assert schema["required"] == ["request"]
    props = schema["definitions"]["BackfillRequest"]["properties"]
    assert props["start_date"]["format"] == "date" and props["start_date"]["title"] == "Start date"
    assert props["end_date"]["format"] == "date" and props["end_date"]["title"] == "End date"
    assert set(props["mode"]["enum"]) == {"missing", "reprocess"}
    assert all(props[p].get("description") for p in ("start_date", "end_date", "source", "mode", "dry_run"))


@pytest.fixture
def source(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    return src


def loaded_files(wh) -> list[str]:
    with connect_readonly(wh) as con:
        return [r[0].rsplit("/", 1)[-1] for r in con.execute(
            "SELECT source_uri FROM ingest_files WHERE status = 'loaded' ORDER BY 1").fetchall()]


def test_missing_mode_loads_the_files_of_the_range_only(prefect_api, source, tmp_path):
    from flows.backfill import backfill

    wh = tmp_path / "w.duckdb"
    result = backfill(request={"start_date": "2024-03-01", "end_date": "2024-03-31", "source": str(source)}, warehouse=str(wh))
    assert result["days"] == {"2024-03-05": 1, "2024-03-10": 1, "2024-03-12": 1}
    assert loaded_files(wh) == ["01_cairo_foreign_ministry.txt", "08_trec_bulletin.sgml", "09_gigaword_stories"]
    assert result["articles"] == 1 + 3 + 2


def test_dry_run_writes_nothing(prefect_api, source, tmp_path):
    from flows.backfill import backfill

    wh = tmp_path / "w.duckdb"
    result = backfill(request={"start_date": "2024-03-01", "end_date": "2024-03-31", "source": str(source), "dry_run": True}, warehouse=str(wh))
    assert result["days"] == {"2024-03-05": 1, "2024-03-10": 1, "2024-03-12": 1}
    with connect_readonly(wh) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


def test_overlapping_backfills_do_not_double_rows(prefect_api, source, tmp_path):
    from flows.backfill import backfill

    wh = tmp_path / "w.duckdb"
    backfill(request={"start_date": "2024-03-01", "end_date": "2024-03-31", "source": str(source)}, warehouse=str(wh))
    second = backfill(request={"start_date": "2024-03-08", "end_date": "2024-04-05", "source": str(source)}, warehouse=str(wh))
    assert second["days"] == {"2024-04-02": 1}  # 09 and 01 are loaded already: only 02 is missing
    assert second["loaded"] == 1
    assert loaded_files(wh) == ["01_cairo_foreign_ministry.txt", "02_amman_traffic_cp1256.txt",
                                "08_trec_bulletin.sgml", "09_gigaword_stories"]
    with connect_readonly(wh) as con:
        assert con.execute("SELECT count(*), count(DISTINCT article_id) FROM articles").fetchone() == (7, 7)
        dup_tokens = con.execute(
            "SELECT count(*) FROM (SELECT article_id, token_index FROM tokens GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
    assert dup_tokens == 0


def test_reprocess_replaces_stored_articles_of_the_range_without_reading_files(prefect_api, source, tmp_path):
    from flows.backfill import backfill
    from flows.ingest import ingest

    wh = tmp_path / "w.duckdb"
    ingest(source=str(source), warehouse=str(wh))
    with connect_readonly(wh) as con:
        before = con.execute("SELECT article_id, text, run_id FROM articles ORDER BY 1").fetchall()
        tokens_before = con.execute("SELECT count(*) FROM tokens").fetchone()[0]
    shutil.rmtree(source)  # reprocess must not need the files
    result = backfill(request={"start_date": "2024-03-10", "end_date": "2024-03-11", "mode": "reprocess"}, warehouse=str(wh))
    assert result["days"] == {"2024-03-10": 1, "2024-03-11": 1}
    with connect_readonly(wh) as con:
        after = con.execute("SELECT article_id, text, run_id FROM articles ORDER BY 1").fetchall()
        tokens_after = con.execute("SELECT count(*) FROM tokens").fetchone()[0]
    assert [(a, t) for a, t, _ in after] == [(a, t) for a, t, _ in before]  # same text, cleaning is idempotent
    changed = {a for (a, _, r1), (_, _, r2) in zip(before, after) if r1 != r2}
    assert len(changed) == 2 and all(r == result["run_id"] for a, _, r in after if a in changed)
    assert tokens_after == tokens_before
