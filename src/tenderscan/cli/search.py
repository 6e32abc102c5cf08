"""`tenderscan search`: tenders on zakupki.gov.ru by words, when the registry number is not known."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ..documents.batch import Failure
from ..render.console import info, progress_enabled, warn
from ..render.progress import progress_iter
from ..render.writers import OutputFormat, emit_rows, resolve_format
from .app import app, command
from .batch import finish_batch
from .options import (ca_bundle_option, concurrency_option, format_option, pace_option, parse_day, rate_option,
                      store_option)


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
    pace: float | None = pace_option(),
    ca_bundle: Path | None = ca_bundle_option(),
    format: OutputFormat | None = format_option(),
    store: Path | None = store_option(),
) -> None:
    """Search the portal's feed of notices; print registry number, title, customer and price of each hit.

    Examples:

        tenderscan search "распознавания лиц" --law 44 --pages 3

        tenderscan search "метрополитен видеокамеры" --from 2025-01-01 --format json

        tenderscan search "охрана" --customer 7701234567 --fetch
    """
    from ..services.search import COLUMNS, search as search_portal

    day_from, day_to = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    result = search_portal(query, law=law.value if law else None, date_from=day_from, date_to=day_to,
                           customer=customer, pages=pages, fetch=fetch, store=store, concurrency=concurrency,
                           rate=rate, pace=pace, ca_bundle=ca_bundle)
    rows = result.rows
    emit_rows(resolve_format(format), rows, COLUMNS, title=f"{len(rows)} hit(s) for {query!r}", right=("amount",),
              minutes=("published",))  # minutes on screen, as `list` shows them; json and csv keep the timestamp
    info(f"{len(rows)} hit(s)")
    if not fetch or not result.hits:
        return
    failures = []
    for o in progress_iter(result.fetched, "fetching", enabled=progress_enabled(), total=len(result.hits)):
        if not o.ok:
            failures.append(Failure.of(o.id, o.error))
        else:
            info(f"{o.id}: " + ("already in the store" if o.from_store else f"fetched, {o.added} new"))
        for line in o.warnings:
            warn(line)
    finish_batch(failures, total=len(result.hits))

