"""The `akhbar` command line.

    akhbar run    [--source PATH_OR_URL] [--warehouse PATH] [--batch-size N] [--workers N | --dask-address URL] [--staging URL]
    akhbar sql    QUERY_OR_FILE.sql [--warehouse PATH] [--format table|csv|json] [--output FILE.csv|.parquet|.json]
    akhbar shell  [--warehouse PATH]
    akhbar schema
    akhbar report [--since YYYY-MM-DD] [--run RUN_ID] [--warehouse PATH] [--output PATH]
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
    where = p_run.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="transform on a local Dask cluster of N single-threaded worker processes"
                       " (default: a thread pool in this process)")
    where.add_argument("--dask-address", metavar="URL",
                       help="transform on the workers of an existing Dask scheduler (tcp://host:8786); see docs/scale.md")
    p_run.add_argument("--staging", metavar="URL",
                       help="folder or fsspec URL where transforms leave Parquet for the loader, shared with"
                       " the workers (env AKHBAR_STAGING; default: staging/ beside the warehouse)")
    p_run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bar with rate and ETA on stderr (default: when stderr is a terminal)")

    p_sql = sub.add_parser("sql", help="run read-only SQL against the warehouse and print the result")
    p_sql.add_argument("query", help="a SQL query, or the path of a .sql file")
    _common(p_sql)
    p_sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p_sql.add_argument("--output", "-o", metavar="FILE",
                       help="write the result to FILE instead of printing it: CSV, Parquet or JSON by its extension"
                       " (.csv, .parquet, .json = one array, .jsonl/.ndjson = one object a line)")

    p_shell = sub.add_parser("shell", help="interactive read-only SQL on the warehouse (end a query with ;)")
    _common(p_shell)
    p_shell.add_argument("--plain", action="store_true",
                         help="the built-in prompt even when Harlequin (optional extra) is installed")

    sub.add_parser("schema", help="print the warehouse schema with every column's meaning (Markdown)")

    p_report = sub.add_parser("report", help="write the self-contained HTML report (charts) of a run")
    _common(p_report)
    p_report.add_argument("--run", dest="run_id", help="run id (default: the latest run)")
    p_report.add_argument("--since", help="charts cover articles published on or after this day (YYYY-MM-DD)")
    p_report.add_argument("--output", "-o", help="HTML file (default: reports/<run_id>.html beside the warehouse)")

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
COMMANDS = {"run": "cmd_run", "sql": "cmd_sql", "shell": "cmd_shell", "schema": "cmd_schema", "report": "cmd_report",
            "serve": "cmd_serve", "backfill": "cmd_backfill"}


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
    from akhbar.progress import terminal_bar
    from flows.ingest import ingest

    source, warehouse = config.source(args.source), config.warehouse(args.warehouse)
    started = time.perf_counter()
    flow = ingest
    if getattr(args, "workers", None) is not None or getattr(args, "dask_address", None):
        from flows.ingest import task_runner

        if args.workers is not None and args.workers < 1:
            print(f"akhbar run: --workers must be >= 1, got {args.workers}", file=sys.stderr)
            return 2
        flow = ingest.with_options(task_runner=task_runner(args.workers, args.dask_address))
    with terminal_bar("akhbar run", enabled=getattr(args, "progress", None)):
        result = flow(source=source, warehouse=warehouse, batch_size=args.batch_size,
                      staging=getattr(args, "staging", None))
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
    if result.get("duplicate_documents"):
        print(f"  stored once: {result['duplicate_documents']} documents repeat stored articles (see duplicate_documents)")
    stages = {k.removeprefix("seconds_"): v for k, v in result.items() if k.startswith("seconds_")}
    if sum(stages.values()) > 0:
        total = sum(stages.values())
        print("  time by stage: " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in stages.items()))
    if result.get("transform_processes", 0) > 1:
        print(f"  transformed by {result['transform_processes']} worker processes")
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
        if args.output:
            n = write_query(config.warehouse(args.warehouse), query, args.output)
            print(f"akhbar sql: {n} row{'s' if n != 1 else ''} written to {args.output}", file=sys.stderr)
        else:
            _print_query(config.warehouse(args.warehouse), query, args.format)
    except FileNotFoundError as e:
        print(f"akhbar sql: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # duckdb errors: show the message, not a traceback
        print(f"akhbar sql: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".json": "json", ".jsonl": "ndjson",
                  ".ndjson": "ndjson"}


def write_query(warehouse: str, query: str, output: str) -> int:
    """Run `query` read-only and write its result to `output` (format from the extension); returns rows."""
    from akhbar.warehouse import connect_readonly, query_frame

    fmt = OUTPUT_FORMATS.get(Path(output).suffix.lower())
    if fmt is None:
        raise ValueError(f"--output must end with one of {', '.join(OUTPUT_FORMATS)}: {output}")
    with connect_readonly(warehouse) as con:
        frame = query_frame(con, query)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.write_csv(output)
    elif fmt == "parquet":
        frame.write_parquet(output)
    elif fmt == "json":
        frame.write_json(output)
    else:
        frame.write_ndjson(output)
    return frame.height


SHELL_HELP = """End a query with ; (it may span several lines). Commands:
  .tables          tables and views with their row counts / comments
  .schema NAME     columns of a table or view with their meaning
  .help            this text
  .quit / .exit    leave (Ctrl-D too)
The connection is read-only and opened per query, so loads are never blocked by an idle shell."""


def cmd_shell(args) -> int:
    """A minimal interactive SQL prompt (read-only). Reads queries from stdin, so it also takes a pipe."""
    warehouse = config.warehouse(args.warehouse)
    if not Path(warehouse).exists():
        print(f"akhbar shell: no warehouse at {warehouse}: run `akhbar run` first", file=sys.stderr)
        return 2
    interactive = sys.stdin.isatty()
    harlequin = _harlequin()
    if interactive and harlequin and not args.plain:  # the optional full-screen SQL IDE, read-only
        import subprocess

        return subprocess.call([harlequin, "--read-only", str(warehouse)])
    if interactive:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:  # pragma: no cover
            pass
        print(f"akhbar shell on {warehouse} (read-only). .help for help, .quit to leave.")
    buffer: list[str] = []
    failed = False
    while True:
        try:
            line = input(("akhbar> " if not buffer else "   ...> ") if interactive else "")
        except EOFError:
            if buffer and "".join(buffer).strip():
                failed |= not _shell_query(warehouse, "\n".join(buffer))
            if interactive:
                print()
            break
        except KeyboardInterrupt:
            buffer = []
            print()
            continue
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            word, _, rest = stripped.partition(" ")
            if word in (".quit", ".exit", ".q"):
                break
            if word == ".help":
                print(SHELL_HELP)
            elif word == ".tables":
                failed |= not _shell_query(warehouse, SHELL_TABLES)
            elif word == ".schema" and rest.strip():
                failed |= not _shell_query(warehouse, SHELL_SCHEMA.format(name=rest.strip().replace("'", "''")))
            else:
                print(f"unknown command {word}; .help lists them", file=sys.stderr)
            continue
        if not buffer and not stripped:
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            failed |= not _shell_query(warehouse, "\n".join(buffer))
            buffer = []
    return 1 if failed and not interactive else 0


def _harlequin() -> str | None:
    """Path of the `harlequin` command when installed (in the venv or on PATH), else None."""
    import shutil

    local = Path(sys.executable).with_name("harlequin")
    return str(local) if local.exists() else shutil.which("harlequin")


SHELL_TABLES = """SELECT table_name AS name, 'table' AS kind, estimated_size AS rows, comment FROM duckdb_tables()
WHERE schema_name = 'main' AND NOT temporary
UNION ALL SELECT view_name, 'view', NULL, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal AND NOT temporary
ORDER BY kind, name"""
SHELL_SCHEMA = """SELECT column_name AS "column", data_type AS type, comment AS meaning FROM duckdb_columns()
WHERE schema_name = 'main' AND table_name = '{name}' ORDER BY column_index"""


def _shell_query(warehouse: str, query: str) -> bool:
    try:
        _print_query(warehouse, query, "table")
        return True
    except Exception as e:  # show the message, keep the session
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return False


def cmd_report(args) -> int:
    from akhbar.report import write_report

    try:
        path = write_report(config.warehouse(args.warehouse), run_id=args.run_id, since=args.since, output=args.output)
    except (FileNotFoundError, LookupError, ValueError) as e:
        print(f"akhbar report: {e}", file=sys.stderr)
        return 2
    print(path)
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
        print(format_table(frame.columns, frame.rows(), isolate=_isolate_bidi()))


def display_width(s: str) -> int:
    """Terminal cells of a string: combining marks (Arabic diacritics) take none, wide CJK two."""
    width = 0
    for ch in s:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def format_table(columns: list[str], rows: list[tuple], isolate: bool = False) -> str:
    """An aligned plain-text table; NULL shown as NULL, newlines as spaces.

    Columns are padded by display width (Arabic diacritics take no cell). With `isolate`, every cell
    holding right-to-left text is wrapped in Unicode bidi isolates (FSI ... PDI, zero-width), so a
    terminal that applies the bidi algorithm shows each cell right-to-left in place instead of
    reordering neighbouring cells across the `|` separators.
    """
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def wrap(v: str) -> str:
        return f"\u2068{v}\u2069" if isolate and _has_rtl(v) else v

    def line(values):
        return " | ".join(wrap(v) + " " * (w - display_width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _has_rtl(s: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in s)


def _isolate_bidi() -> bool:
    """Bidi isolates on a terminal (AKHBAR_BIDI_ISOLATE=0/1 overrides); never in pipes and files."""
    forced = os.environ.get("AKHBAR_BIDI_ISOLATE")
    if forced is not None:
        return forced not in ("0", "", "no", "false")
    return sys.stdout.isatty()


def _cell(v) -> str:
    if v is None:
        return "NULL"
    return str(v).replace("\n", " ")


def _indent(s: str) -> str:
    return "\n".join("    " + line for line in s.splitlines())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
