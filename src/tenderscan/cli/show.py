"""`tenderscan show`: documents from files, folders, zip archives, stdin or the store."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..documents.batch import ReadOptions, read
from ..store.refs import StoreResolver
from ..render.text import (
    ITEM_COLUMNS,
    OutputFormat,
    item_rows,
    render_tender,
    write_csv,
    write_json,
    write_jsonl,
)
from .app import (
    app,
    check_languages,
    command,
    encoding_option,
    err,
    format_option,
    input_format_option,
    out_console,
    progress_enabled,
    resolve_format,
    store_option,
)
from .batch import finish_batch, progress_iter


@app.command()
@command
def show(
    sources: list[str] = typer.Argument(
        ..., metavar="SOURCE...",
        help="Files, folders (recursive), zip archives of bulk dumps, `-` for stdin, or stored IDs (`ID@version`)."),
    format: OutputFormat | None = format_option(
        help="table (default on a terminal), json (one object, or an array for several), jsonl, csv (a row per item)."),
    input_format: str | None = input_format_option(),
    encoding: str | None = encoding_option(),
    lang: str = typer.Option("en", "--lang", callback=check_languages,
                             help="Preferred languages for multilingual notices (TED), comma-separated."),
    store: Path | None = store_option(),
    redact_contacts: bool = typer.Option(
        False, "--redact-contacts",
        help="Leave out contact persons' names, e-mails and phones (organisations stay)."),
) -> None:
    """Show documents: header, items with a total, delivery places, attachments, stations.

    A batch goes on past a bad file, lists the failures at the end and exits 1 when any input failed.

    Examples:

        tenderscan show fixtures/zakupki/

        tenderscan show --format json notice.xml | jq .amount

        cat notice.xml | tenderscan show -
    """
    fmt = resolve_format(format)
    languages = tuple(x.strip() for x in lang.split(",") if x.strip())
    with StoreResolver(store) as resolver:
        batch = read(sources, resolver=resolver,
                     options=ReadOptions(input_format=input_format, encoding=encoding, languages=languages))
        _print(batch, fmt, redact_contacts)
    finish_batch(batch.failures, total=batch.inputs)


def _print(batch, fmt: OutputFormat, redact_contacts: bool) -> None:
    docs = []
    stdout = sys.stdout
    console = out_console() if fmt == OutputFormat.table else None
    writer = None  # CSV: the header comes with the first document read, so a failed run prints none
    printing = fmt != OutputFormat.json  # JSON is written at the end, the rest document by document
    for document in progress_iter(batch.documents(), "reading", enabled=progress_enabled(), prints=printing):
        for t in document.tenders:
            if fmt == OutputFormat.csv and writer is None:
                from ..render.text import csv_writer

                writer = csv_writer(stdout)
                writer.writerow(ITEM_COLUMNS)
            if redact_contacts:
                from ..documents.redact import redact_contacts as redact

                redact(t)
            if fmt == OutputFormat.json:
                docs.append(t)
            elif fmt == OutputFormat.jsonl:
                write_jsonl(stdout, [t])
            elif fmt == OutputFormat.csv:
                from ..render.text import cell

                for r in item_rows(t):
                    writer.writerow([cell(r.get(c)) for c in ITEM_COLUMNS])
            else:
                render_tender(console, t)
    if fmt == OutputFormat.json and (docs or not batch.failures):
        write_json(stdout, docs)
    stdout.flush()
