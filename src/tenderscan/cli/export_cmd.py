"""`tenderscan export`: one table of documents as CSV, XLSX, Parquet or JSON Lines, or an OCDS release
package (``--table ocds``); or every table into a Parquet dataset (`--dataset DIR`, :mod:`.dataset`)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from ..errors import UsageError
from ..render.console import error_line, info, warn
from ..services.export.columns import FileFormat, Table
from .app import app, command
from .batch import finish_batch
from .dataset import (Engine, dataset_option, engine_option, export_to_dataset, refuse_engine_without_dataset,
                      scheduler_option, workers_option)
from .options import check_char, encoding_option, input_format_option, store_option

# --table: the tables of services.export.columns, and `ocds` (an OCDS release package: services.export.ocds_file)
TableChoice = Enum("TableChoice", {**{t.value: t.value for t in Table}, "ocds": "ocds"}, type=str)


@app.command("export")
@command
def export_command(
    ctx: typer.Context,
    sources: list[str] = typer.Argument(
        None, metavar="[SOURCE...]",
        help="Files, folders, zip archives, `-`, stored IDs; none: every document in the store."),
    table: TableChoice = typer.Option(
        TableChoice.documents, "--table", "-t", case_sensitive=False,
        help="What one row is: documents, items, parties, stations or attachments; or ocds: an OCDS 1.1 "
             "release package (JSON)."),
    output: Path | None = typer.Option(None, "--output", "-o",
                                help="The file to write (its extension picks the format); `-`: CSV or JSON Lines "
                                     "to standard output."),
    format: FileFormat | None = typer.Option(
        None, "--format", "-f", case_sensitive=False,
        help="csv, xlsx, parquet or jsonl (default: from the file extension)."),
    excel: bool = typer.Option(
        False, "--excel",
        help="CSV for Excel: UTF-8 BOM, ids kept as text, formula-like cells neutralised."),
    delimiter: str | None = typer.Option(
        None, "--delimiter", "-d", callback=check_char,
        help="CSV field delimiter (default ','); with --excel, ';' also writes decimal commas."),
    partition_by: str | None = typer.Option(
        None, "--partition-by", help="Parquet: write a folder partitioned by this column (year)."),
    all_versions: bool = typer.Option(
        False, "--all-versions", help="From the store: every stored version, not only the latest of each."),
    redact_contacts: bool = typer.Option(
        False, "--redact-contacts",
        help="Leave out contact persons' names, e-mails and phones (organisations stay)."),
    strict: bool = typer.Option(
        False, "--strict", help="Write nothing unless every input was read (the target stays as it was)."),
    force: bool = typer.Option(
        False, "--force", help="Replace the target even where that turns a file into a folder or the reverse."),
    ocid_prefix: str | None = typer.Option(
        None, "--ocid-prefix", help="--table ocds: the ocid prefix (default ocds-tenderscan-; register your own "
                                    "with the Open Contracting Partnership to publish)."),
    input_format: str | None = input_format_option(),
    encoding: str | None = encoding_option(),
    store: Path | None = store_option(),
    dataset: Path | None = dataset_option(
        "Write every table into this Parquet dataset folder (created, or added to) instead of -o: see the "
        "README's \"More data than one machine\"."),
    engine: Engine = engine_option(),
    scheduler: str | None = scheduler_option(),
    workers: int | None = workers_option(),
) -> None:
    """Write one table (documents, items, parties, stations, attachments) to a file that spreadsheets,
    DuckDB and Spark read right: CSV (plain or --excel), XLSX, Parquet with exact decimals, JSON Lines. Or,
    with --table ocds, the documents as an OCDS 1.1 release package (JSON: one release per document and
    version, the ocid from --ocid-prefix and the purchase number).

    The file is written to a temporary name in the same folder and renamed when complete. When no input
    could be read (or, with --strict, when any input failed) the target is neither created nor replaced.
    A file is never replaced by a folder (--partition-by) or a folder by a file without --force.

    With --dataset DIR every table goes into a Parquet dataset folder instead, in this process or on a Dask
    cluster (--engine dask); a run cut short leaves the dataset as it was, and the same command run again
    goes on where it stopped.

    Examples:

        tenderscan export fixtures/zakupki/ --table items -o items.xlsx

        tenderscan export --table documents --excel -d ';' -o documents.csv

        tenderscan export --table items --partition-by year -o items.parquet

        tenderscan export fixtures/zakupki/ --table items -o - | head

        tenderscan export fixtures/zakupki/ --table ocds -o releases.json

        tenderscan export dumps/ --dataset country-2021/ --engine dask --workers 2
    """
    if dataset is not None:
        return export_to_dataset(ctx, list(sources or []), dataset, engine, scheduler, workers,
                                 input_format=input_format, encoding=encoding)
    refuse_engine_without_dataset(ctx)
    if output is None:
        raise UsageError("missing option '--output' / '-o' (or --dataset DIR)",
                         hint="see `tenderscan export --help`")
    if table.value == "ocds":
        return _export_ocds(list(sources or []), output, store=store, input_format=input_format,
                            encoding=encoding, all_versions=all_versions, redact_contacts=redact_contacts,
                            strict=strict, force=force, prefix=ocid_prefix, format=format, excel=excel,
                            delimiter=delimiter, partition_by=partition_by)
    if ocid_prefix is not None:
        raise UsageError("--ocid-prefix applies to --table ocds only", hint="drop it, or add --table ocds")
    from ..render.export import written_line
    from ..services.export.tables import export_sources, is_stdout

    result = export_sources(list(sources or []), Table(table.value), output, fmt=format, excel=excel,
                            delimiter=delimiter, partition_by=partition_by, store=store, input_format=input_format,
                            encoding=encoding, all_versions=all_versions, redact_contacts=redact_contacts,
                            strict=strict, force=force,
                            stream=sys.stdout if is_stdout(output) else None)
    for w in result.warnings:
        warn(w)
    _finish(result, written_line(result) if result.written else None)


def _finish(result, written: str | None) -> None:
    """The end of an export: the line of what was written and the failed inputs; or, when nothing was
    written, why, and the exit code (the only input's own, else 1)."""
    from ..render.export import not_written_line

    if written is not None:
        info(written)
        finish_batch(result.failures, total=result.inputs)
        return
    finish_batch(result.failures, total=result.inputs, summary=False, exit=False)
    error_line(not_written_line(result))
    raise typer.Exit(result.failures[0].exit_code if result.inputs == 1 and result.failures else 1)


def _export_ocds(sources: list[str], output: Path, *, format, excel, delimiter, partition_by, **kw) -> None:
    from ..render.export import ocds_skipped_lines, ocds_written_line
    from ..services.export.ocds_file import check_ocds_options, export_ocds_sources
    from ..services.export.tables import is_stdout

    check_ocds_options(output, kw["prefix"], format=format, excel=excel, delimiter=delimiter,
                       partition_by=partition_by, force=kw["force"])
    result = export_ocds_sources(sources, output, stream=sys.stdout if is_stdout(output) else None, **kw)
    for line in ocds_skipped_lines(result):
        info(line)
    _finish(result, ocds_written_line(result) if result.written else None)
