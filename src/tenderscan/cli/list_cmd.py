"""`tenderscan list`: the documents in the local store (or in a Parquet dataset, `--dataset DIR`)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..models import Kind
from ..render.writers import OutputFormat, emit_rows, resolve_format
from .app import app, command
from .dataset import dataset_option, refuse_beside_dataset
from .options import format_option, store_option


@app.command("list")
@command
def list_(
    ctx: typer.Context,
    kind: Kind | None = typer.Option(None, "--kind", "-k", case_sensitive=False, help="Only documents of this kind."),
    year: int | None = typer.Option(None, "--year", "-y", min=1900, max=2100,
                                    help="Only documents published (or signed) that year (YYYY)."),
    customer: str | None = typer.Option(None, "--customer", help="Customer INN, or a part of its name."),
    search: str | None = typer.Option(None, "--search", "-s", help="Text in the title or an item name."),
    all_versions: bool = typer.Option(False, "--all-versions",
                                      help="Every stored version (default: the latest of each document)."),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="At most this many rows."),
    format: OutputFormat | None = format_option(),
    store: Path | None = store_option(),
    dataset: Path | None = dataset_option("List the documents of this Parquet dataset (written by `export "
                                          "--dataset`) instead of the store's."),
) -> None:
    """List stored documents, newest first. JSON is a list of objects with id, kind, version, published,
    customer, amount, currency (and more).

    Examples:

        tenderscan list --kind notice --year 2026

        tenderscan list --customer 7710140679 --format csv > docs.csv

        tenderscan list --search "видеокамер" --format json

        tenderscan list --dataset country-2021/ --customer 7707083893
    """
    from ..services.listing import COLUMNS, list_dataset, list_documents

    filters = dict(kind=kind.value if kind else None, year=year, customer=customer, search=search,
                   latest=not all_versions, limit=limit)
    if dataset is not None:
        refuse_beside_dataset(ctx, None, "store")
        listing = list_dataset(dataset, **filters)
    else:
        listing = list_documents(store, **filters)
    title = f"{len(listing.rows)} document(s) in {listing.store}"
    emit_rows(resolve_format(format), listing.rows, COLUMNS, title=title, right=("amount", "n_items"),
              minutes=("published",))  # minutes are enough on screen; json and csv keep the full timestamp
