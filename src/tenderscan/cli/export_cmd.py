"""`tenderscan export`: one table of documents as CSV, XLSX, Parquet or JSON Lines."""

from __future__ import annotations

from pathlib import Path

import typer

from ..export import FileFormat, Table, export_sources
from .app import app, command, encoding_option, info, input_format_option, store_option, warn
from .batch import finish_batch


@app.command("export")
@command
def export_command(
    sources: list[str] = typer.Argument(
        None, metavar="[SOURCE...]",
        help="Files, folders, zip archives, `-`, stored IDs; none: every document in the store."),
    table: Table = typer.Option(Table.documents, "--table", "-t", case_sensitive=False,
                                help="What one row is: documents, items, parties, stations or attachments."),
    output: Path = typer.Option(..., "--output", "-o", help="The file to write (its extension picks the format)."),
    format: FileFormat | None = typer.Option(
        None, "--format", "-f", case_sensitive=False,
        help="csv, xlsx, parquet or jsonl (default: from the file extension)."),
    excel: bool = typer.Option(
        False, "--excel",
        help="CSV for Excel: UTF-8 BOM, ids kept as text, formula-like cells neutralised."),
    delimiter: str | None = typer.Option(
        None, "--delimiter", "-d",
        help="CSV field delimiter (default ','); with --excel, ';' also writes decimal commas."),
    partition_by: str | None = typer.Option(
        None, "--partition-by", help="Parquet: write a folder partitioned by this column (year)."),
    all_versions: bool = typer.Option(
        False, "--all-versions", help="From the store: every stored version, not only the latest of each."),
    redact_contacts: bool = typer.Option(
        False, "--redact-contacts",
        help="Leave out contact persons' names, e-mails and phones (organisations stay)."),
    input_format: str | None = input_format_option(),
    encoding: str | None = encoding_option(),
    store: Path | None = store_option(),
) -> None:
    """Write one table (documents, items, parties, stations, attachments) to a file that spreadsheets,
    DuckDB and Spark read right: CSV (plain or --excel), XLSX, Parquet with exact decimals, JSON Lines.
    The file is written to a temporary name in the same folder and renamed when complete.

    Examples:

        tenderscan export fixtures/zakupki/ --table items -o items.xlsx

        tenderscan export --table documents --excel --delimiter ';' -o documents.csv

        tenderscan export --table items --partition-by year -o items.parquet
    """
    result = export_sources(list(sources or []), table, output, fmt=format, excel=excel, delimiter=delimiter,
                            partition_by=partition_by, store=store, input_format=input_format, encoding=encoding,
                            all_versions=all_versions, redact_contacts=redact_contacts)
    for w in result.warnings:
        warn(w)
    info(f"{result.rows} {result.table.value} rows written to {result.path} ({result.format.value})")
    finish_batch(result.failures, total=result.inputs)
