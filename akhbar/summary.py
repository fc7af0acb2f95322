"""The per-run summary published as a Prefect markdown artifact (and printed by `akhbar run`)."""

from akhbar.warehouse import connect_readonly

TOP_ENTITIES = """
SELECT m.type, m.canonical_name, count(*) AS mentions
FROM entity_mentions m JOIN articles a USING (article_id)
WHERE a.run_id = ? GROUP BY ALL ORDER BY mentions DESC, m.canonical_name LIMIT ?
"""
TOP_SPEAKERS = """
SELECT coalesce(e.canonical_name, q.speaker_text) AS speaker, count(*) AS quotes
FROM quotes q JOIN articles a USING (article_id) LEFT JOIN entities e ON e.entity_id = q.speaker_entity_id
WHERE a.run_id = ? AND q.speaker_text IS NOT NULL GROUP BY ALL ORDER BY quotes DESC, speaker LIMIT ?
"""
REJECTED = """
SELECT source_uri, reason FROM ingest_files WHERE run_id = ? AND status = 'rejected' ORDER BY source_uri LIMIT ?
"""
DUPLICATES = """
SELECT source_uri, duplicate_of FROM ingest_files WHERE run_id = ? AND status = 'duplicate' ORDER BY source_uri LIMIT ?
"""


def _table(header: list[str], rows: list[tuple]) -> str:
    def cell(v) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def run_summary_markdown(warehouse: str, run_id: str, counts: dict, limit: int = 10) -> str:
    """Markdown: files per status, rows written, rejected files with reasons, top entities and speakers."""
    parts = [f"# akhbar run `{run_id}`", ""]
    parts.append(_table(["files seen", "loaded", "unchanged", "rejected", "duplicate"],
                        [tuple(counts.get(k, 0) for k in ("seen", "loaded", "unchanged", "rejected", "duplicate"))]))
    parts += ["", _table(["articles", "sentences", "tokens", "entity mentions", "quotes"],
                         [tuple(counts.get(k, 0) for k in ("articles", "sentences", "tokens", "entity_mentions", "quotes"))])]
    with connect_readonly(warehouse) as con:
        sections = [
            ("Rejected files", ["file", "reason"], con.execute(REJECTED, [run_id, 50]).fetchall()),
            ("Duplicate files", ["file", "same bytes as"], con.execute(DUPLICATES, [run_id, 50]).fetchall()),
            ("Top entities", ["type", "entity", "mentions"], con.execute(TOP_ENTITIES, [run_id, limit]).fetchall()),
            ("Top speakers", ["speaker", "quotes"], con.execute(TOP_SPEAKERS, [run_id, limit]).fetchall()),
        ]
    for title, header, rows in sections:
        if rows:
            parts += ["", f"## {title}", "", _table(header, rows)]
    return "\n".join(parts) + "\n"
