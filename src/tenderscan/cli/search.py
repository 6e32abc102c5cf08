"""`tenderscan search`: tenders on zakupki.gov.ru by words, when the registry number is not known."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from ..documents.batch import Failure

from ..render.text import OutputFormat, emit_rows, when_text
from .app import app, command, format_option, info, out_console, progress_enabled, resolve_format, store_option, warn
from .batch import finish_batch, progress_iter
from .dates import parse_day
from .fetch import concurrency_option, rate_option

COLUMNS = ["id", "law", "published", "customer", "amount", "currency", "title", "url"]


class Law(str, Enum):
    fz44 = "44"
    fz223 = "223"


@app.command()
@command
def search(
    query: str = typer.Argument(..., metavar="QUERY", help="Words to look for (the portal's morphology is on)."),
    law: Law | None = typer.Option(None, "--law", help="Only 44-FZ or only 223-FZ purchases (default: both)."),
    date_from: str | None = typer.Option(
        None, "--from", help="Published on or after this day (YYYY-MM-DD or DD.MM.YYYY)."),
    date_to: str | None = typer.Option(
        None, "--to", help="Published on or before this day (YYYY-MM-DD or DD.MM.YYYY)."),
    customer: str | None = typer.Option(None, "--customer", help="Customer name (part of it) or INN."),
    pages: int = typer.Option(1, "--pages", "-p", min=1, max=100, help="Result pages to read (50 hits each)."),
    fetch: bool = typer.Option(False, "--fetch", help="Fetch every hit into the store."),
    concurrency: int = concurrency_option(),
    rate: float = rate_option(),
    format: OutputFormat | None = format_option(),
    store: Path | None = store_option(),
) -> None:
    """Search the portal's feed of notices; print registry number, title, customer and price of each hit.

    Examples:

        tenderscan search "распознавания лиц" --law 44 --pages 3

        tenderscan search "метрополитен видеокамеры" --from 2025-01-01 --format json

        tenderscan search "охрана" --customer 7701234567 --fetch
    """
    from ..sources import zakupki
    from ..sources.http import make_client

    fmt = resolve_format(format)
    day_from, day_to = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    with make_client(rate=rate, concurrency=concurrency) as client:
        hits = zakupki.search(client, query, pages=pages, law=law.value if law else None,
                              date_from=day_from, date_to=day_to, customer=customer)
    rows = [{
        "id": t.id, "law": t.law, "published": t.published.isoformat() if t.published else None,
        "customer": t.customer.name if t.customer else None, "amount": t.amount, "currency": t.currency,
        "title": t.title, "url": t.url,
    } for t in hits]
    if fmt == OutputFormat.table:  # minutes on screen, as `list` shows them; json and csv keep the timestamp
        for r in rows:
            r["published"] = when_text(r["published"])
    emit_rows(fmt, sys.stdout, rows, COLUMNS, console=out_console() if fmt == OutputFormat.table else None,
              title=f"{len(rows)} hit(s) for {query!r}", right=("amount",))
    sys.stdout.flush()
    info(f"{len(rows)} hit(s)")
    if not fetch or not hits:
        return
    from ..services.fetch import fetch_ids
    from ..store import Store

    failures = []
    with Store.open(store, create=True) as st:
        outcomes = fetch_ids([t.id for t in hits], store=st, concurrency=concurrency, rate=rate)
        for o in progress_iter(outcomes, "fetching", enabled=progress_enabled(), total=len(hits)):
            if not o.ok:
                failures.append(Failure.of(o.id, o.error))
            else:
                info(f"{o.id}: " + ("already in the store" if o.from_store else f"fetched, {o.added} new"))
            for line in o.warnings:
                warn(line)
    finish_batch(failures, total=len(hits))
