"""`tenderscan show`: documents from files, folders, zip archives, stdin or the store."""

from __future__ import annotations

from pathlib import Path

import typer

from ..documents.batch import ReadOptions
from ..render.console import progress_enabled
from ..render.progress import progress_iter
from ..render.writers import OutputFormat, resolve_format, writer_for
from .app import app, command
from .batch import finish_batch
from .options import check_languages, encoding_option, format_option, input_format_option, languages, store_option


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
    from ..services.show import open_documents

    writer = writer_for(resolve_format(format))
    options = ReadOptions(input_format=input_format, encoding=encoding, languages=languages(lang))
    with open_documents(sources, store=store, options=options, redact=redact_contacts) as batch:
        for document in progress_iter(batch.documents(), "reading", enabled=progress_enabled(),
                                      prints=writer.streams):
            for t in document.tenders:
                writer.tender(t)
        writer.close(failed=bool(batch.failures))
    finish_batch(batch.failures, total=batch.inputs)
