"""The frames `spending` computes on, built from parsed tenders or read straight from the store.

Three frames joined on an integer ``doc`` key:

* docs: doc, id, kind, law, title, date (datetime64: the document's own calendar date: signing for
  contracts, publication otherwise), currency, amount (Decimal objects), customer, customer_inn, region;
* items: doc, name, okpd2, cpv, quantity, amount (Decimal objects), unit_key (the OKEI code, else the unit's
  name: what tells two units apart), unit (its name, for display);
* stations: doc, station (a station name; distinct names are counted).

Only the latest version of a document counts (several versions of one notice are one notice): in the store
that is its ``latest`` flag; among files, the highest version number (then the latest publication) per id
and kind (and format, for protocols and the like, as the store does). A search-feed summary (the portal's
RSS, read by ``zakupki_rss``: a notice's title, customer and price, no items) is never the version that
counts when the notice itself is there, and its kind here is ``feed_summary``, not ``notice``: it is kept
apart from the notices it summarises (see :data:`SUMMARY_KIND`).

An item whose quantity is not fixed (``quantity_undefined``: its price is per unit) has no amount and no
quantity here, whatever a reader left in them: a unit price is never added up as an amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable

from ...models import Kind, Tender
from ...store import queries
from .series import map_unique

if TYPE_CHECKING:
    import pandas as pd

DOC_COLUMNS = ["doc", "id", "kind", "law", "title", "date", "currency", "amount", "customer", "customer_inn",
               "region"]
ITEM_COLUMNS = ["doc", "name", "okpd2", "cpv", "quantity", "amount", "unit_key", "unit"]
SUMMARY_FORMATS = ("zakupki/rss",)  # source formats that are summaries of notices, not notices
SUMMARY_KIND = "feed_summary"  # their kind in spending: never added to the notices
SEVERAL = "\x00several"  # unit_key of a document's quantities in several units (the store's per-document sums)
STATION_COLUMNS = ["doc", "station"]
VERSIONED_KINDS = ("notice", "contract", "contract_execution")


@dataclass
class Frames:
    docs: "pd.DataFrame"
    items: "pd.DataFrame"
    stations: "pd.DataFrame"


def doc_date(t: Tender) -> date | None:
    """The date a document counts on: signing for contracts, publication otherwise (its own calendar date,
    in the time zone the document was written in)."""
    d = t.signed if t.kind == Kind.contract and t.signed else (t.published or t.signed)
    return d.date() if isinstance(d, datetime) else d


def is_summary(t: Tender) -> bool:
    """A search-feed summary of a notice (the portal's RSS feed), not the notice itself."""
    return t.source_format in SUMMARY_FORMATS or t.extra.get("from_feed") is True


def fixed_quantity(it) -> Decimal | None:
    return None if it.quantity_undefined else it.quantity


def unit_key(it) -> str | None:
    """What tells an item's unit from another's: the OKEI (or UN/CEFACT) code, else the unit's name."""
    return it.unit_code or it.unit or None


def fixed_amount(it) -> Decimal | None:
    """An item's amount, never a unit price: None for an item whose quantity is not fixed (its price is per
    unit; issue 13), whatever a reader left in ``amount``."""
    return None if it.quantity_undefined else it.amount


def items_total(t: Tender) -> Decimal | None:
    """The sum of the items' amounts (never of unit prices), None when no item has one."""
    amounts = [a for a in (fixed_amount(it) for it in t.items) if a is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def item_okpd2(it) -> str | None:
    """The OKPD2 code of an item: its code (or the OKPD2 part of a KTRU code), else an OKPD2 classification."""
    scheme = (it.code_scheme or "").upper()
    if it.code and scheme == "OKPD2":
        return it.code
    if it.code and scheme == "KTRU":
        return it.code.split("-")[0]
    for c in it.classifications:
        if c.scheme.upper() == "OKPD2":
            return c.code
    return None


def item_cpv(it) -> str | None:
    if it.code and (it.code_scheme or "").upper() == "CPV":
        return it.code
    return next((c.code for c in it.classifications if c.scheme.upper() == "CPV"), None)


def objects(values) -> "pd.Series":
    import pandas as pd

    return pd.Series(list(values), dtype=object)


def _version_rank(t: Tender) -> tuple:
    v = (t.version or "").strip()
    num = int(v) if v.isdigit() and len(v) < 18 else -1
    when = t.published.timestamp() if t.published else float("-inf")
    return (not is_summary(t), num, when)  # the notice itself before any feed summary of it


def latest_only(tenders: Iterable[Tender]) -> list[Tender]:
    """One tender per document: the latest version, in first-seen order."""
    best: dict[tuple, tuple[int, Tender]] = {}
    for n, t in enumerate(tenders):
        kind = t.kind.value
        key = (t.id, kind) if kind in VERSIONED_KINDS else (t.id, kind, t.source_format)
        cur = best.get(key)
        if cur is None:
            best[key] = (n, t)
        elif _version_rank(t) >= _version_rank(cur[1]):
            best[key] = (cur[0], t)
    return [t for _, t in sorted(best.values(), key=lambda p: p[0])]


def frames_from_tenders(tenders: Iterable[Tender]) -> Frames:
    import pandas as pd

    docs: list[tuple] = []
    items: list[tuple] = []
    stations: list[tuple] = []
    for n, t in enumerate(latest_only(tenders)):
        cust = t.customer
        kind = SUMMARY_KIND if is_summary(t) else t.kind.value
        docs.append((n, t.id, kind, t.law or t.source_format.split("/")[0], t.title, doc_date(t),
                     t.currency, t.amount, (cust.name or cust.short_name) if cust else None,
                     cust.inn if cust else None, t.region or (cust.region if cust else None)))
        for it in t.items:
            items.append((n, it.name, item_okpd2(it), item_cpv(it), fixed_quantity(it), fixed_amount(it),
                          unit_key(it), it.unit or it.unit_code))
        for name in dict.fromkeys(s.name for s in t.stations):
            stations.append((n, name))
    d = pd.DataFrame(docs, columns=DOC_COLUMNS)
    d["date"] = pd.to_datetime(d["date"])
    d["amount"] = objects(d["amount"])
    i = pd.DataFrame(items, columns=ITEM_COLUMNS)
    i["quantity"] = objects(i["quantity"])
    i["amount"] = objects(i["amount"])
    return Frames(d, i, pd.DataFrame(stations, columns=STATION_COLUMNS))


def _decimals(values) -> list:
    return [None if v is None else Decimal(v) for v in values]


def frames_from_store(store, *, item_level: bool = True, need: set[str] | None = None) -> Frames:
    """The latest stored documents, read with plain SQL (no model parsing).

    With ``item_level`` (needed by the item filters and ``--by okpd2``) the items frame has one row per item,
    with the columns in ``need`` (of "name", "code", "amount"; all by default).
    Without it, one row per document with the exact sum of its items' quantities: SQLite concatenates each
    document's quantities and Python adds them as Decimals, which reads a million items several times
    faster than fetching a million rows.
    """
    import json

    import pandas as pd

    rows = queries.spending_documents(store.conn, summary_formats=SUMMARY_FORMATS, summary_kind=SUMMARY_KIND)
    swap = queries.summaries_replaced(store.conn, [r[0] for r in rows if r[2] == SUMMARY_KIND],
                                      summary_formats=SUMMARY_FORMATS)
    if swap:  # the notice itself counts, not its feed summary
        rows = [r for r in rows if r[0] not in swap]
        rows += queries.spending_documents(store.conn, summary_formats=SUMMARY_FORMATS, summary_kind=SUMMARY_KIND,
                                           docs=swap.values())
        rows.sort(key=lambda r: r[0])
    cols = list(zip(*rows)) if rows else [()] * 12
    d = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in zip(DOC_COLUMNS, cols)},
                     columns=DOC_COLUMNS)
    d["doc"] = pd.array(cols[0], dtype="int64")
    d["law"] = d["law"].map(lambda s: s.split("/")[0] if isinstance(s, str) else s)
    d["date"] = pd.to_datetime(pd.Series(cols[5], dtype=object), format="%Y-%m-%d", errors="coerce")
    d["amount"] = objects(_decimals(cols[7]))
    st = [(doc, name) for doc, text in zip(cols[0], cols[11]) if text
          for name in dict.fromkeys(json.loads(text))]
    stations = pd.DataFrame(st, columns=STATION_COLUMNS)
    need = {"name", "code", "amount"} if need is None else need
    also = list(swap.values())
    items = _store_items(store, need, also) if item_level else _store_item_sums(store, also)
    return Frames(d, items, stations)


def _store_item_sums(store, also: list[int]) -> "pd.DataFrame":
    """One row per document: the exact sum of its items' quantities and their unit (unit_key SEVERAL when
    they are in several units, None when one has no unit)."""
    import pandas as pd

    rows = queries.item_quantity_sums(store.conn, also=also)
    docs = [r[0] for r in rows]
    sums = [_exact_sum(r[1]) if r[1] else None for r in rows]
    keys = [None if r[5] else (SEVERAL if r[2] > 1 else r[3]) for r in rows]
    i = pd.DataFrame({"doc": pd.array(docs, dtype="int64"), "quantity": objects(sums),
                      "unit_key": objects(keys), "unit": objects(r[4] for r in rows)})
    i["name"] = i["okpd2"] = i["cpv"] = i["amount"] = None
    return i[ITEM_COLUMNS]


def _exact_sum(text: str) -> Decimal:
    """The exact sum of comma-separated decimal texts, as Decimal addition gives it (whole numbers are
    added as ints first: twice as fast, same result)."""
    parts = text.split(",")
    if "." not in text and "E" not in text and "e" not in text:
        try:
            return Decimal(sum(map(int, parts)))
        except ValueError:
            pass
    return sum(map(Decimal, parts), Decimal(0))


def _store_items(store, need: set[str], also: list[int]) -> "pd.DataFrame":
    """One row per item, reading only the columns ``need`` names (of name, codes, amount) besides the
    quantity and its unit."""
    import pandas as pd

    extra = [c for c in queries.ITEM_EXTRA_COLUMNS if c in need or (c == "code_scheme" and "code" in need)]
    got = queries.item_columns(store.conn, extra, also=also)
    out = pd.DataFrame({"doc": pd.array(got["doc"], dtype="int64"), "quantity": objects(_decimals(got["quantity"]))})
    out["unit_key"] = pd.Series(got["unit_key"], dtype=object)
    out["unit"] = pd.Series(got["unit"], dtype=object)
    out["name"] = pd.Series(got["name"], dtype=object) if "name" in got else None
    out["amount"] = objects(_decimals(got["amount"])) if "amount" in got else None
    if "code" in got:
        code = pd.Series(got["code"], dtype=object)
        scheme = map_unique(pd.Series(got["code_scheme"], dtype=object), str.upper)
        ktru = map_unique(code.where(scheme == "KTRU"), lambda c: c.split("-")[0])
        out["okpd2"] = code.where(scheme == "OKPD2").fillna(ktru).astype(object)
        out["cpv"] = code.where(scheme == "CPV").astype(object)
    else:
        out["okpd2"] = out["cpv"] = None
    return out[ITEM_COLUMNS]
