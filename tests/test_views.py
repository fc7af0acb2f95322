"""The analysis views of migration 004 on the warehouse built from our seeds.

Each view is checked against the same answer computed in Python from the base tables (so the test
holds whatever the extractors find), and the example queries of docs/queries.md and README.md are
run and their printed tables compared with the documented output.
"""

import os
import re
from collections import Counter, defaultdict
from itertools import permutations
from pathlib import Path

import pytest

from akhbar.cli import format_table
from akhbar.warehouse import query_frame

PROJECT = Path(__file__).resolve().parent.parent
VIEWS_DIR = PROJECT / "sql" / "views"
MIGRATION = PROJECT / "sql" / "migrations" / "004_analysis_views.sql"
VIEWS = sorted(p.stem for p in VIEWS_DIR.glob("*.sql"))
EXAMPLE = re.compile(r"```sql\n((?:(?!```).)*?)```\n\n```text\n((?:(?!```).)*?)```", re.S)


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_the_migration_holds_every_view_file_verbatim():
    migration = MIGRATION.read_text(encoding="utf-8")
    assert len(VIEWS) == 6
    for name in VIEWS:
        text = (VIEWS_DIR / f"{name}.sql").read_text(encoding="utf-8")
        assert f"CREATE VIEW {name} AS" in text
        assert text in migration, f"sql/views/{name}.sql differs from its block in {MIGRATION.name}"
    assert migration.count("CREATE VIEW") == len(VIEWS)


def test_every_view_and_view_column_has_a_comment(ro):
    views = dict(rows(ro, "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND NOT temporary"))
    assert set(VIEWS) <= set(views)
    assert [v for v in VIEWS if not views[v]] == []
    bare = rows(ro, "SELECT table_name, column_name FROM duckdb_columns() WHERE table_name IN"
                f" ({', '.join('?' * len(VIEWS))}) AND (comment IS NULL OR comment = '')", VIEWS)
    assert bare == []


def test_entity_mentions_daily_counts_mentions_per_entity_and_day(ro):
    expected = Counter()
    articles = defaultdict(set)
    for day, entity_id, article_id in rows(
        ro, "SELECT CAST(a.published_at AT TIME ZONE 'UTC' AS DATE), m.entity_id, m.article_id"
        " FROM entity_mentions m JOIN articles a USING (article_id)"
    ):
        expected[(day, entity_id)] += 1
        articles[(day, entity_id)].add(article_id)
    got = {(d, e): (m, a) for d, e, m, a in rows(ro, "SELECT day, entity_id, mentions, articles FROM entity_mentions_daily")}
    assert got == {k: (n, len(articles[k])) for k, n in expected.items()}
    assert sum(m for m, _ in got.values()) == rows(ro, "SELECT count(*) FROM entity_mentions")[0][0] > 0
    # a seed fact: the Cairo article of 2024-03-12 names القاهرة more than once
    cairo = rows(ro, "SELECT mentions FROM entity_mentions_daily WHERE canonical_name = 'القاهرة' AND day = DATE '2024-03-12'")
    assert cairo and cairo[0][0] >= 2


def test_top_entities_by_type_ranks_the_entities_table(ro):
    entities = rows(ro, "SELECT entity_id, type, canonical_name, mention_count, article_count FROM entities")
    got = {r[2]: r for r in rows(ro, "SELECT type, rank_in_type, entity_id, canonical_name, mentions, articles FROM top_entities_by_type")}
    assert set(got) == {e[0] for e in entities}
    for entity_id, type_, name, mentions, articles in entities:
        better = sum(1 for e in entities if e[1] == type_ and (e[3], e[4]) > (mentions, articles))
        assert got[entity_id] == (type_, better + 1, entity_id, name, mentions, articles)
    assert {t for (t,) in rows(ro, "SELECT type FROM top_entities_by_type WHERE rank_in_type = 1")} == {"PER", "ORG", "LOC"}


def test_entity_co_mentions_counts_pairs_per_sentence_and_article(ro):
    by_sentence, by_article = defaultdict(set), defaultdict(set)
    for article_id, sentence_index, entity_id in rows(ro, "SELECT article_id, sentence_index, entity_id FROM entity_mentions"):
        by_article[article_id].add(entity_id)
        if sentence_index is not None:
            by_sentence[(article_id, sentence_index)].add(entity_id)
    sentences, articles = Counter(), Counter()
    for ents in by_sentence.values():
        sentences.update(permutations(sorted(ents), 2))
    for ents in by_article.values():
        articles.update(permutations(sorted(ents), 2))
    got = {(a, b): (s, n) for a, b, s, n in rows(ro, "SELECT entity_id, other_entity_id, sentences, articles FROM entity_co_mentions")}
    assert got == {pair: (sentences[pair], n) for pair, n in articles.items()}
    assert any(s > 0 for s, _ in got.values())
    # seed fact: the minister of electricity is named in the same sentence as بغداد
    assert rows(ro, "SELECT sentences, articles FROM entity_co_mentions WHERE canonical_name = 'حيدر الساعدي'"
                " AND other_name = 'بغداد'") == [(1, 1)]


def test_quotes_with_mentions_lists_the_entities_inside_each_quote(ro):
    quotes = rows(ro, "SELECT article_id, quote_id, start_char, end_char, speaker_text, speaker_entity_id FROM quotes")
    mentions = defaultdict(list)
    for article_id, start, end, entity_id in rows(ro, "SELECT article_id, start_char, end_char, entity_id FROM entity_mentions ORDER BY start_char"):
        mentions[article_id].append((start, end, entity_id))
    names = dict(rows(ro, "SELECT entity_id, canonical_name FROM entities"))
    got = {(r[0], r[1]): r[2:] for r in rows(ro, "SELECT article_id, quote_id, speaker, mentioned, mentioned_entity_ids FROM quotes_with_mentions")}
    assert len(got) == len(quotes) > 0
    for article_id, quote_id, start, end, speaker_text, speaker_entity_id in quotes:
        inside = list(dict.fromkeys(e for s, t, e in mentions[article_id] if s >= start and t <= end))
        speaker = names[speaker_entity_id] if speaker_entity_id else speaker_text
        assert got[(article_id, quote_id)] == (speaker, [names[e] for e in inside], inside)
    # what did X say about Y
    assert rows(ro, "SELECT speaker FROM quotes_with_mentions WHERE list_contains(mentioned, 'القاهرة')") == [("الوزير السوداني",)]


def test_speakers_by_source_counts_quotes_per_publisher_and_speaker(ro):
    expected = Counter(rows(ro, "SELECT a.source_name, coalesce(e.canonical_name, q.speaker_text) FROM quotes q"
                            " JOIN articles a USING (article_id) LEFT JOIN entities e ON e.entity_id = q.speaker_entity_id"
                            " WHERE q.speaker_text IS NOT NULL"))
    got = {(s, p): n for s, p, n in rows(ro, "SELECT source_name, speaker, quotes FROM speakers_by_source")}
    assert got == dict(expected)
    assert got[("وكالة المثال", "حيدر الساعدي")] == 3


def test_keyword_in_context_rebuilds_every_sentence(ro):
    n_tokens = rows(ro, "SELECT count(*) FROM tokens")[0][0]
    total, bad = rows(ro, "SELECT count(*), count(*) FILTER (WHERE left_context || keyword || right_context <> sentence)"
                      " FROM keyword_in_context")[0]
    assert (total, bad) == (n_tokens, 0)
    hits = rows(ro, "SELECT keyword, right_context FROM keyword_in_context WHERE norm = 'الوزاره' AND source_name = 'وكالة المثال'"
                " ORDER BY token_index")
    assert [k for k, _ in hits] == ["الوزارة", "الوزارة"]
    assert hits[0][1].startswith(" ستضيف ألفي ميغاواط")


def documented_examples(path: Path) -> list[tuple[str, str]]:
    return EXAMPLE.findall(path.read_text(encoding="utf-8"))


def printed(con, sql: str) -> str:
    frame = query_frame(con, sql)
    return format_table(frame.columns, frame.rows()) + "\n"


@pytest.mark.parametrize("doc", ["docs/queries.md", "README.md"])
def test_documented_examples_print_what_the_docs_show(ro, doc):
    """AKHBAR_UPDATE_EXAMPLES=1 rewrites the outputs instead (after an extractor change; review the diff)."""
    path = PROJECT / doc
    examples = documented_examples(path)
    assert len(examples) >= (9 if doc.startswith("docs") else 3)
    if os.environ.get("AKHBAR_UPDATE_EXAMPLES") == "1":
        text = EXAMPLE.sub(lambda m: f"```sql\n{m.group(1)}```\n\n```text\n{printed(ro, m.group(1))}```",
                           path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        examples = documented_examples(path)
    for sql, shown in examples:
        assert printed(ro, sql) == shown, f"{doc}: output changed for\n{sql}(AKHBAR_UPDATE_EXAMPLES=1 rewrites it)"


def test_every_view_has_a_documented_example():
    queries = (PROJECT / "docs" / "queries.md").read_text(encoding="utf-8")
    sqls = " ".join(sql for sql, _ in documented_examples(PROJECT / "docs" / "queries.md"))
    for name in VIEWS:
        assert f"## `{name}`" in queries
        assert f"FROM {name}" in sqls, name
