"""`tenderscan stations`: which metro stations documents and texts name, with line, colour and evidence."""

from __future__ import annotations

from pathlib import Path

import typer

from ..documents.batch import ReadOptions
from ..render.console import progress_enabled, warn
from ..render.progress import progress_iter
from ..render.writers import OutputFormat, resolve_format
from .app import app, command
from .batch import finish_batch
from .options import encoding_option, format_option, input_format_option, store_option


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
    from ..render.stations import write_gazetteer, write_stations
    from ..services.stations import StationsReport, gazetteer as gazetteer_rows, scan

    fmt = resolve_format(format)
    if gazetteer:
        write_gazetteer(fmt, gazetteer_rows(city))
        return
    results = scan(sources or [], city=city, options=ReadOptions(input_format=input_format, encoding=encoding),
                   store=store)
    report = StationsReport.of(progress_iter(results, "searching", enabled=progress_enabled()))
    for note in report.warnings:  # after the progress bar, before the rows
        warn(note)
    write_stations(fmt, report.rows)
    finish_batch(report.failures, total=report.inputs)
