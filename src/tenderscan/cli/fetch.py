"""`tenderscan fetch`: documents by registry number from the portal that published them, into the store."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from ..documents.batch import Failure

from ..render.text import OutputFormat
from .app import (
    app,
    check_url,
    command,
    format_option,
    info,
    out_console,
    progress_enabled,
    resolve_format,
    store_option,
    warn,
)
from .batch import finish_batch, progress_iter


class FetchKind(str, Enum):
    notice = "notice"
    contract = "contract"


def concurrency_option():
    return typer.Option(4, "--concurrency", "-c", min=1, max=32, help="Requests in flight at once.")


def rate_option():
    return typer.Option(2.0, "--rate", min=0.0,
                        help="At most this many requests per second to one host (0: no limit).")


@app.command()
@command
def fetch(
    ids: list[str] = typer.Argument(..., metavar="ID...",
                                    help="Registry numbers: 19 digits (44-FZ notice or contract), 11 (223-FZ "
                                         "purchase), 23 (223-FZ contract), or pfid:N (a 223-FZ print form); a 32-hex "
                                         "ProZorro id (a UA-... tender ID from the store); a TED publication number "
                                         "NNNNN-YYYY; an OCDS ocid ocds-... (from the store, or with --url)."),
    kind: FetchKind | None = typer.Option(None, "--kind", "-k", case_sensitive=False,
                                          help="What a 19-digit number is (default: try notice, then contract)."),
    attachments: bool = typer.Option(False, "--attachments", "-a",
                                     help="Also download every attachment into the store and extract the text "
                                          "of .docx, .xlsx and PDF files."),
    print_form: bool = typer.Option(False, "--print-form",
                                    help="223-FZ: also fetch the full notice XML from the portal's print form "
                                         "(dates, version, placer, attachments the JSON lacks)."),
    refresh: bool = typer.Option(False, "--refresh", help="Ask the portal again even when the ID is stored."),
    url: str | None = typer.Option(None, "--url", callback=check_url,
                                   help="For ocds-... IDs: the publisher's API address that serves the release or "
                                        "record package (OCDS has no central portal)."),
    concurrency: int = concurrency_option(),
    rate: float = rate_option(),
    format: OutputFormat | None = format_option(),
    store: Path | None = store_option(),
) -> None:
    """Fetch documents by registry number from zakupki.gov.ru, ProZorro or TED into the store, and show them.

    The portal is chosen from the ID's form (see ID below). A stored ID is served from the store without any
    request (unless --refresh). Base URLs: https://zakupki.gov.ru (TENDERSCAN_ZAKUPKI_URL),
    https://public-api.prozorro.gov.ua (TENDERSCAN_PROZORRO_URL), https://ted.europa.eu (TENDERSCAN_TED_URL);
    the User-Agent is overridden by TENDERSCAN_USER_AGENT. Exit codes: 4 not found, 5 network failure, 6 blocked.

    Examples:

        tenderscan fetch 0373200215526000664

        tenderscan fetch --kind contract --attachments 2366200608816001262

        tenderscan fetch 32109998392 --print-form --format json

        tenderscan fetch 38bca89f7ba4477d97f553d576fd6994 123456-2024
    """
    from ..sources.http import warm_tls

    warm_tls()  # in a thread, while the store opens
    from ..services.fetch import fetch_ids
    from ..store import Store
    fmt = resolve_format(format)
    printer = TenderPrinter(fmt, sys.stdout)
    failures = []
    with Store.open(store, create=True) as st:
        outcomes = fetch_ids(ids, store=st, kind=kind.value if kind else None, refresh=refresh,
                             attachments=attachments, print_form=print_form or attachments,
                             concurrency=concurrency, rate=rate, url=url)
        for o in progress_iter(outcomes, "fetching", enabled=progress_enabled(), total=len(ids),
                               prints=fmt != OutputFormat.json):
            for line in o.warnings:
                warn(line)
            if not o.ok:
                failures.append(Failure.of(o.id, o.error))
                continue
            if o.from_store:
                note = "from the store" + (f", {o.attachments} attachment(s) downloaded" if o.attachments else "")
            else:
                note = f"fetched, {o.added} new document(s) stored" + (
                    f", {o.attachments} attachment(s)" if attachments else "")
            info(f"{o.id}: {note}")
            for t in o.tenders:
                printer.add(t)
        printer.close()
    finish_batch(failures, total=len(ids))


class TenderPrinter:
    """Tenders printed as `show` prints them, one at a time (JSON: one object, or an array for several)."""

    def __init__(self, fmt: OutputFormat, out):
        self.fmt, self.out = fmt, out
        self.docs: list = []
        self.console = out_console() if fmt == OutputFormat.table else None
        self.writer = None  # CSV: the header comes with the first document, so a failed run prints none

    def add(self, t) -> None:
        from ..render.text import ITEM_COLUMNS, cell, csv_writer, dumps, item_rows, render_tender, write_jsonl

        if self.fmt == OutputFormat.csv and self.writer is None:
            self.writer = csv_writer(self.out)
            self.writer.writerow(ITEM_COLUMNS)

        if self.fmt == OutputFormat.json:
            # rendered now, while later answers are still on their way: render.write_json's text, piece by
            # piece; pydantic's serializer writes the same text as json.dumps(model_dump(mode="json"),
            # indent=2, ensure_ascii=False) 5x faster (tests/test_fetch_output.py), the slow way if it refuses
            try:
                self.docs.append(t.model_dump_json(indent=2))
            except ValueError:  # a lone surrogate in a text read from JSON
                self.docs.append(dumps(t.model_dump(mode="json")))
        elif self.fmt == OutputFormat.jsonl:
            write_jsonl(self.out, [t])
        elif self.fmt == OutputFormat.csv:
            for r in item_rows(t):
                self.writer.writerow([cell(r.get(c)) for c in ITEM_COLUMNS])
        else:
            render_tender(self.console, t)

    def close(self) -> None:
        if self.fmt == OutputFormat.json and self.docs:
            # exactly render.write_json: one object alone, several as an indented array
            if len(self.docs) == 1:
                self.out.write(self.docs[0])
            else:
                self.out.write("[\n  " + ",\n  ".join(d.replace("\n", "\n  ") for d in self.docs) + "\n]")
            self.out.write("\n")
        self.out.flush()
