"""`tenderscan show`: documents from files, folders, zip archives, stdin or the store."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..documents.parse import Outcome, read_sources
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
    outcomes = read_sources(sources, input_format=input_format, encoding=encoding, languages=languages,
                            store=_open_store(store, sources))
    failures: list[Outcome] = []
    docs = []
    stdout = sys.stdout
    console = out_console() if fmt == OutputFormat.table else None
    writer = None  # CSV: the header comes with the first document read, so a failed run prints none
    count = 0
    printing = fmt != OutputFormat.json  # JSON is written at the end, the rest document by document
    for outcome in progress_iter(outcomes, "reading", enabled=progress_enabled(), prints=printing):
        count += 1
        if not outcome.ok:
            failures.append(outcome)
            continue
        for t in outcome.tenders:
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
    if fmt == OutputFormat.json and (docs or not failures):
        write_json(stdout, docs)
    stdout.flush()
    finish_batch(failures, total=count)


def _open_store(store: Path | None, sources: list[str]):
    """The store to look stored IDs up in (see ``store.lookup_for``): none is opened when every SOURCE is a
    path, and none is created."""
    from ..store import lookup_for

    return lookup_for(sources, store)
