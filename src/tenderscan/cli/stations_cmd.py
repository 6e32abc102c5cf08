"""`tenderscan stations`: which metro stations documents and texts name, with line, colour and evidence."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..render.text import OutputFormat, emit_rows
from .app import (
    app,
    command,
    encoding_option,
    format_option,
    input_format_option,
    out_console,
    progress_enabled,
    resolve_format,
    store_option,
    warn,
)
from .batch import finish_batch, progress_iter

TABLE_COLUMNS = ["name", "line", "line_number", "line_color", "mentions", "evidence", "document"]
GAZETTEER_COLUMNS = ["city", "name", "name_en", "line", "line_number", "line_color", "line_kind", "opened",
                     "line_opened", "former"]


@app.command()
@command
def stations(
    sources: list[str] = typer.Argument(
        None, metavar="SOURCE...",
        help="Documents (files, folders, zip archives, stored IDs) or plain .txt files whose text is searched."),
    format: OutputFormat | None = format_option(
        help="table (default on a terminal), json (a list of stations with name, line and evidence), jsonl, "
             "csv (a row per station and document, first evidence)."),
    city: str | None = typer.Option(
        None, "--city", help="Search one city only: moscow or saint-petersburg (also Москва, Санкт-Петербург)."),
    gazetteer: bool = typer.Option(
        False, "--gazetteer", help="Print the gazetteer (every station and line of --city, or of every city) "
                                   "instead of searching SOURCEs."),
    input_format: str | None = input_format_option(),
    encoding: str | None = encoding_option(),
    store: Path | None = store_option(),
) -> None:
    """List the metro stations named in documents or texts: line, colour and the evidence of each.

    Stations are found in the title, item names, delivery places, lot titles and attachment texts, and in
    the whole text of a .txt file. A name counts only with metro context (ст. м., станция, МЦК, a line,
    a list or table of stations); a name on several lines without a line named nearby is reported with
    every candidate line.

    Examples:

        tenderscan stations fixtures/constructed/metro_screens_85_stations.txt

        tenderscan stations --format json notice.xml | jq '.[].name'

        tenderscan stations --gazetteer --city moscow --format csv
    """
    from ..errors import UsageError
    from ..stations import gazetteer_rows
    from ..services.stations import ROW_COLUMNS, flat_row, scan_sources, station_rows

    fmt = resolve_format(format)
    console = out_console() if fmt == OutputFormat.table else None
    if gazetteer:
        rows = gazetteer_rows(city)
        emit_rows(fmt, sys.stdout, rows, GAZETTEER_COLUMNS, console=console,
                  title=f"{len(rows)} stations (station, line pairs)")
        return
    if not sources:
        raise UsageError("give at least one SOURCE (a document, folder, zip, stored ID or .txt file)",
                         hint="or --gazetteer to list the stations tenderscan knows")
    from ..documents.batch import ReadOptions
    from ..store.refs import StoreResolver

    with StoreResolver(store) as resolver:
        results = list(progress_iter(
            scan_sources(sources, city=city, options=ReadOptions(input_format=input_format, encoding=encoding),
                         resolver=resolver), "searching", enabled=progress_enabled()))
    failures, rows = [], []
    notes: list[str] = []
    for res in results:
        if not res.ok:
            failures.append(res.failure)
            continue
        notes.extend(res.warnings)
        rows.extend(station_rows(res))
    for note in notes:  # after the progress bar, before the rows
        warn(note)
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        emit_rows(fmt, sys.stdout, rows, ROW_COLUMNS)
    elif fmt == OutputFormat.csv:
        emit_rows(fmt, sys.stdout, [flat_row(r) for r in rows], ROW_COLUMNS)
    else:
        table = []
        for r in rows:
            flat = flat_row(r)
            if not flat["line"] and r.get("candidate_lines"):
                flat["line"] = " / ".join(r["candidate_lines"]) + " (?)"
            table.append(flat)
        columns, title = TABLE_COLUMNS, f"Stations ({len(rows)})"
        documents = {r["document"] for r in table}
        if len(documents) == 1:  # one document: named once in the title, not on every row
            columns, title = columns[:-1], f"{title} in {documents.pop()}"
        emit_rows(fmt, sys.stdout, table, columns, console=console, title=title, right=("mentions",))
    sys.stdout.flush()
    finish_batch(failures, total=len({r.input_name for r in results}))
