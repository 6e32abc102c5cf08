"""`search`: tenders on zakupki.gov.ru found by words in the portal's search feed, and (with ``fetch``)
each hit fetched into the store."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..models import Tender
from ..sources import zakupki
from .fetch import FetchOutcome, fetch_ids
from ..sources.http import make_client
from ..store import Store

# the columns of a hit in a table or CSV (and the keys of its JSON object)
COLUMNS = ["id", "law", "published", "customer", "amount", "currency", "title", "url"]


@dataclass
class SearchResult:
    hits: list[Tender]
    # each hit fetched into the store as it is read (nothing without ``fetch``): the store is opened (created
    # if need be) on the first and closed after the last
    fetched: Iterable[FetchOutcome] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [{"id": t.id, "law": t.law, "published": t.published.isoformat() if t.published else None,
                 "customer": t.customer.name if t.customer else None, "amount": t.amount, "currency": t.currency,
                 "title": t.title, "url": t.url} for t in self.hits]


def search(query: str, *, law: str | None = None, date_from: date | None = None, date_to: date | None = None,
           customer: str | None = None, pages: int = 1, fetch: bool = False, store: Path | None = None,
           concurrency: int = 4, rate: float = 2.0, pace: float | None = None,
           ca_bundle: str | os.PathLike | None = None) -> SearchResult:
    """The hits of the portal's search feed over ``pages`` pages (50 hits each), in the feed's order;
    ``pace`` and ``ca_bundle`` as for :func:`~tenderscan.services.fetch.fetch_ids`."""
    with make_client(rate=rate, concurrency=concurrency, pace=pace, ca_bundle=ca_bundle) as client:
        hits = zakupki.search(client, query, pages=pages, law=law, date_from=date_from, date_to=date_to,
                              customer=customer)
    result = SearchResult(hits)
    if fetch and hits:
        result.fetched = _fetch([t.id for t in hits], store, concurrency=concurrency, rate=rate, pace=pace,
                                ca_bundle=ca_bundle)
    return result


def _fetch(ids: list[str], store: Path | None, *, concurrency: int, rate: float, pace: float | None,
           ca_bundle: str | os.PathLike | None) -> Iterator[FetchOutcome]:
    with Store.open(store, create=True) as st:
        yield from fetch_ids(ids, store=st, concurrency=concurrency, rate=rate, pace=pace, ca_bundle=ca_bundle)
