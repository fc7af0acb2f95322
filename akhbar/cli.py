"""The `akhbar` command line.

    akhbar run    [--source PATH_OR_URL] [--warehouse PATH] [--batch-size N]
    akhbar sql    QUERY_OR_FILE.sql [--warehouse PATH] [--format table|csv|json]
    akhbar schema
    akhbar serve    [--source ...] [--warehouse ...] [--port 4200] [--cron CRON] [--timezone TZ] [--interval SECONDS]
    akhbar backfill --start YYYY-MM-DD --end YYYY-MM-DD [--mode missing|reprocess] [--dry-run] [--port 4200]

--source and --warehouse fall back to AKHBAR_SOURCE / AKHBAR_WAREHOUSE, then to the embedded
defaults (seeds/articles -> warehouse/akhbar.duckdb).
"""

import argparse
import importlib
import os
import sys
import time
import unicodedata
from pathlib import Path

from akhbar import config

EXAMPLE_QUERY = """\
SELECT e.canonical_name AS speaker, q.kind, left(q.text, 60) AS what_was_said
FROM quotes q JOIN entities e ON e.entity_id = q.speaker_entity_id
ORDER BY q.article_id, q.quote_id
LIMIT 5"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="akhbar", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_run = sub.add_parser("run", help="run the ingest flow once and print a summary")
    _common(p_run, source=True)
    p_run.add_argument("--batch-size", type=int, default=config.DEFAULT_BATCH_SIZE, help="files per batch")
    p_run.add_argument("--quiet", action="store_true", help="print the summary only (no example query)")

    p_sql = sub.add_parser("sql", help="run read-only SQL against the warehouse and print the result")
    p_sql.add_argument("query", help="a SQL query, or the path of a .sql file")
    _common(p_sql)
    p_sql.add_argument("--format", choices=("table", "csv", "json"), default="table")

    sub.add_parser("schema", help="print the warehouse schema with every column's meaning (Markdown)")

    p_serve = sub.add_parser("serve", help="start a local Prefect server with the ingest and backfill deployments")
    _common(p_serve, source=True)
    p_serve.add_argument("--port", type=int, default=4200, help="server port on 127.0.0.1 (default 4200)")
    p_serve.add_argument("--cron", default="*/15 * * * *", help="schedule of the ingest deployment")
    p_serve.add_argument("--timezone", default="UTC", help="timezone of the cron schedule (e.g. Africa/Tripoli)")
    p_serve.add_argument("--interval", type=float, help="run ingest every N seconds instead of the cron")

    p_back = sub.add_parser("backfill", help="load or re-extract a date range (on the server if one is up)")
    _common(p_back, source=True)
    p_back.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    p_back.add_argument("--end", required=True, help="last day, YYYY-MM-DD")
    p_back.add_argument("--mode", choices=("missing", "reprocess"), default="missing")
    p_back.add_argument("--dry-run", action="store_true")
    p_back.add_argument("--port", type=int, default=4200, help="port of a running `akhbar serve`")

    # Command groups that live in their own modules: each has register(subparsers) and adds
    # its sub-commands with set_defaults(handler=...).
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


COMMAND_MODULES = ("akhbar.ner_cli", "akhbar.quotes_cli")
COMMANDS = {"run": "cmd_run", "sql": "cmd_sql", "schema": "cmd_schema", "serve": "cmd_serve", "backfill": "cmd_backfill"}


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "handler"):
        return args.handler(args)
    return globals()[COMMANDS[args.command]](args)


def _common(p: argparse.ArgumentParser, source: bool = False) -> None:
    if source:
        p.add_argument("--source", help="folder or fsspec URL to read (env AKHBAR_SOURCE)")
    p.add_argument("--warehouse", help="DuckDB file (env AKHBAR_WAREHOUSE)")


def cmd_run(args) -> int:
    config.configure_prefect_env()
    from flows.ingest import ingest

    source, warehouse = config.source(args.source), config.warehouse(args.warehouse)
    started = time.perf_counter()
    result = ingest(source=source, warehouse=warehouse, batch_size=args.batch_size)
    elapsed = time.perf_counter() - started
    print()
    print(f"akhbar run {result['run_id']}: {source} -> {warehouse} in {elapsed:.1f} s")
    print(
        f"  files: {result['seen']} seen, {result['loaded']} loaded, {result['unchanged']} unchanged,"
        f" {result['rejected']} rejected, {result['duplicate']} duplicate"
    )
    print(
        f"  rows written: {result['articles']} articles, {result.get('sentences', 0)} sentences,"
        f" {result.get('tokens', 0)} tokens, {result.get('entity_mentions', 0)} entity mentions,"
        f" {result.get('quotes', 0)} quotes"
    )
    if result["rejected"]:
        from akhbar.warehouse import connect_readonly

        with connect_readonly(warehouse) as con:
            rows = con.execute(
                "SELECT source_uri, reason FROM ingest_files WHERE status = 'rejected' AND run_id = ?"
                " ORDER BY source_uri LIMIT 20",
                [result["run_id"]],
            ).fetchall()
        for uri, reason in rows:
            print(f"  rejected {uri}: {reason}")
    if not args.quiet:
        print("\nWho said what (example query):\n")
        print(_indent(EXAMPLE_QUERY))
        print()
        _print_query(warehouse, EXAMPLE_QUERY, "table")
    return 0


def cmd_sql(args) -> int:
    query = args.query
    if query.endswith(".sql") and Path(query).is_file():
        query = Path(query).read_text(encoding="utf-8")
    try:
        _print_query(config.warehouse(args.warehouse), query, args.format)
    except FileNotFoundError as e:
        print(f"akhbar sql: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # duckdb errors: show the message, not a traceback
        print(f"akhbar sql: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


def cmd_schema(args) -> int:
    from akhbar.schema_doc import schema_markdown

    print(schema_markdown(), end="")
    return 0


def cmd_serve(args) -> int:
    from flows.serve import serve

    return serve(
        config.source(args.source), config.warehouse(args.warehouse), args.port, args.cron, args.timezone, args.interval
    )


def cmd_backfill(args) -> int:
    from flows.serve import configure_server_env, server_is_up

    request = {"start_date": args.start, "end_date": args.end, "mode": args.mode, "dry_run": args.dry_run}
    if args.source:
        request["source"] = args.source
    params = {"request": request}
    if args.warehouse:
        params["warehouse"] = args.warehouse
    if server_is_up(args.port):
        configure_server_env(args.port)
        from prefect.deployments import run_deployment

        run = run_deployment("backfill/backfill", parameters=params, timeout=0)
        print(f"backfill started on the server: http://127.0.0.1:{args.port}/runs/flow-run/{run.id}")
        return 0
    print(f"no akhbar server on 127.0.0.1:{args.port}: running the backfill in this process")
    config.configure_prefect_env()
    from flows.backfill import backfill

    result = backfill(**params)
    print(f"backfill {result['mode']}{' (dry run)' if result['dry_run'] else ''}: {result['days']}")
    print(
        f"  files: {result['loaded']} loaded, {result['unchanged']} unchanged, {result['rejected']} rejected,"
        f" {result['duplicate']} duplicate; articles: {result['articles']}"
    )
    return 0


def _print_query(warehouse: str, query: str, fmt: str) -> None:
    from akhbar.warehouse import connect_readonly, query_frame

    with connect_readonly(warehouse) as con:
        frame = query_frame(con, query)
    if fmt == "csv":
        sys.stdout.write(frame.write_csv())
    elif fmt == "json":
        sys.stdout.write(frame.write_ndjson())
    else:
        print(format_table(frame.columns, frame.rows()))


def display_width(s: str) -> int:
    """Terminal cells of a string: combining marks (Arabic diacritics) take none, wide CJK two."""
    width = 0
    for ch in s:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """An aligned plain-text table; NULL shown as NULL, newlines as spaces."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values):
        return " | ".join(v + " " * (w - display_width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cell(v) -> str:
    if v is None:
        return "NULL"
    return str(v).replace("\n", " ")


def _indent(s: str) -> str:
    return "\n".join("    " + line for line in s.splitlines())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
