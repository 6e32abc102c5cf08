"""`list`: the documents in the store, newest first, as plain rows (no model parsing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import Store

# the columns of a listing in a table or CSV (JSON has every key of a row)
COLUMNS = ["id", "version", "kind", "published", "customer", "customer_inn", "amount", "currency", "title",
           "n_items"]


@dataclass
class Listing:
    rows: list[dict[str, Any]]
    store: Path  # the store's directory


def list_documents(store: Path | None = None, *, kind: str | None = None, year: int | None = None,
                   customer: str | None = None, search: str | None = None, latest: bool = True,
                   limit: int | None = None) -> Listing:
    """Stored documents that pass the filters (``latest``: the latest version of each only)."""
    with Store.open(store) as st:
        rows = st.rows(kind=kind, year=year, customer=customer, search=search, latest=latest, limit=limit)
    return Listing(rows, st.path)


def list_dataset(path: Path | str, *, kind: str | None = None, year: int | None = None, customer: str | None = None,
                 search: str | None = None, latest: bool = True, limit: int | None = None) -> Listing:
    """The documents of the Parquet dataset at ``path`` that pass the filters: the rows :func:`list_documents`
    gives from a store of the same documents (a folder without a committed dataset is a NotFoundError)."""
    from .dataset.query import Dataset, list_rows

    with Dataset.open(path) as ds:
        rows = list_rows(ds, kind=kind, year=year, customer=customer, search=search, latest=latest, limit=limit)
    return Listing(rows, ds.path)
