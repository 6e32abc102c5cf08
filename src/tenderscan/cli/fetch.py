"""`tenderscan fetch`: documents by registry number from the portal that published them, into the store."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ..documents.batch import Failure
from ..render.console import info, progress_enabled, warn
from ..render.progress import progress_iter
from ..render.writers import OutputFormat, resolve_format, writer_for
from .app import app, command
from .batch import finish_batch
from .options import (ca_bundle_option, check_url, concurrency_option, format_option, pace_option, rate_option,
                      store_option)


class FetchKind(str, Enum):
    notice = "notice"
    contract = "contract"


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
    pace: float | None = pace_option(),
    ca_bundle: Path | None = ca_bundle_option(),
    format: OutputFormat | None = format_option(),
    store: Path | None = store_option(),
) -> None:
    """Fetch documents by registry number from zakupki.gov.ru, ProZorro or TED into the store, and show them.

    The portal is chosen from the ID's form (see ID below). A stored ID is served from the store without any
    request (unless --refresh). Base URLs: https://zakupki.gov.ru (TENDERSCAN_ZAKUPKI_URL),
    https://public-api.prozorro.gov.ua (TENDERSCAN_PROZORRO_URL), https://ted.europa.eu (TENDERSCAN_TED_URL);
    the User-Agent is overridden by TENDERSCAN_USER_AGENT. The portal's hosts get its pace (--pace) and its root
    certificate (--ca-bundle). Exit codes: 4 not found, 5 network failure, 6 blocked.

    Examples:

        tenderscan fetch 0373200215526000664

        tenderscan fetch --kind contract --attachments 2366200608816001262

        tenderscan fetch 32109998392 --print-form --format json

        tenderscan fetch 38bca89f7ba4477d97f553d576fd6994 123456-2024
    """
    from ..services.fetch import fetch_ids
    from ..sources.http import warm_tls
    from ..store import Store

    warm_tls()  # in a thread, while the store opens
    writer = writer_for(resolve_format(format))
    failures = []
    with Store.open(store, create=True) as st:
        outcomes = fetch_ids(ids, store=st, kind=kind.value if kind else None, refresh=refresh,
                             attachments=attachments, print_form=print_form or attachments,
                             concurrency=concurrency, rate=rate, url=url, pace=pace, ca_bundle=ca_bundle)
        for o in progress_iter(outcomes, "fetching", enabled=progress_enabled(), total=len(ids),
                               prints=writer.streams):
            for line in o.warnings:
                warn(line)
            if not o.ok:
                failures.append(Failure.of(o.id, o.error))
                continue
            info(f"{o.id}: {fetched_note(o, attachments)}")
            for t in o.tenders:
                writer.tender(t)
        writer.close(failed=bool(failures))
    finish_batch(failures, total=len(ids))


def fetched_note(o, attachments: bool) -> str:
    if o.from_store:
        return "from the store" + (f", {o.attachments} attachment(s) downloaded" if o.attachments else "")
    return f"fetched, {o.added} new document(s) stored" + (f", {o.attachments} attachment(s)" if attachments else "")
