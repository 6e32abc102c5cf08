"""Spending compared across years, customers, categories: groups of documents summed exactly with pandas.

The computation runs on the frames of :mod:`tenderscan.services.spending.frames`, whose money and quantities are
object columns of ``Decimal``: pandas adds them with Python's exact decimal arithmetic, so totals never
drift. Notices (maximum prices) and contracts (prices) are never added together: ``kind`` and ``currency``
are always part of a group's key. Groups are numbered once on the documents; items and stations follow
their document's group number (no joins on the million-row side).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ...models import Tender
from ...store import Store
from ...store.refs import StoreResolver
from ...values import EXACT
from .filters import select
from .frames import SUMMARY_KIND, Frames, frames_from_store, frames_from_tenders
from .fx import Converter, make_converter
from .groups import by_class, by_document, residuals
from .query import DEFAULT_KINDS, Query, check_by, check_kinds
from .topics import get_topic

if TYPE_CHECKING:
    from ...documents.batch import Failure
    import pandas as pd

ROW_COLUMNS = ("kind", "currency", "count", "amount", "quantity", "unit", "units", "stations", "change_pct")
CLASS_COLUMNS = ("priced", "not_in_items")  # with --by okpd2, after the amount
PCT = Decimal("0.1")


def _convert(docs: "pd.DataFrame", items: "pd.DataFrame", converter: "Converter"):
    """Amounts in the target currency at the rate of each document's date (the converter fetches each date's
    rates once)."""
    import pandas as pd

    days = [None if pd.isna(d) else d.date() for d in docs["date"]]
    currencies = docs["currency"].tolist()
    by_doc = dict(zip(docs["doc"], zip(currencies, days)))
    doc_amounts = [None if a is None else converter.convert(a, c, d)
                   for a, c, d in zip(docs["amount"], currencies, days)]
    item_amounts = [None if a is None else converter.convert(a, *by_doc[n])
                    for a, n in zip(items["amount"], items["doc"])]
    docs = docs.assign(amount=pd.Series(doc_amounts, index=docs.index, dtype=object), currency=converter.target)
    if "residual" in docs:
        docs["residual"] = pd.Series([None if a is None else converter.convert(a, c, d)
                                      for a, c, d in zip(docs["residual"], currencies, days)],
                                     index=docs.index, dtype=object)
    return docs, items.assign(amount=pd.Series(item_amounts, index=items.index, dtype=object))


# --- grouping ----------------------------------------------------------------------------------------------


def compute(frames: Frames, q: Query, converter: "Converter | None" = None) -> list[dict[str, Any]]:
    """One row per group: the --by keys, kind, currency, count, amount (by class: priced, not_in_items),
    quantity, unit, units, stations, change_pct (see :mod:`tenderscan.services.spending.groups`)."""
    by = check_by(q.by)
    check_kinds(q.kinds)
    docs, items = select(frames, q)
    if "okpd2" in by:  # before any conversion: a document's amount against all its items, in its currency
        docs = docs.merge(residuals(docs, frames.items, q.depth), on="doc", how="left")
        docs["residual"] = docs["residual"].astype(object).where(docs["residual"].notna(), None)
    if converter is not None:
        docs, items = _convert(docs, items, converter)
    docs = docs.assign(year=docs["date"].dt.year.astype("Int64"),
                       customer_key=docs["customer_inn"].fillna(docs["customer"]), source=docs["law"])
    keys = [("customer_key" if b == "customer" else b) for b in by if b not in ("kind", "okpd2")]
    keys += ["kind", "currency"]

    if "okpd2" in by:  # a unit is an item (documents without items count with their own amount)
        out, pairs = by_class(docs, items, frames.items, keys, q.depth)
    else:  # a unit is a document; its items and stations follow its group number
        out, pairs = by_document(docs, items, keys)
    st = frames.stations.merge(pairs, on="doc")
    out["stations"] = st.groupby("g")["station"].nunique()
    if "customer" in by:
        names = docs.groupby("customer_key", dropna=False, sort=False)["customer"].first()
        out["customer"] = out["customer_key"].map(names)
        inns = set(docs["customer_inn"].dropna())
        out["customer_inn"] = out["customer_key"].where(out["customer_key"].isin(inns))
    return _rows(out, by)


def row_columns(by: list[str]) -> list[str]:
    """The columns of a spending row, in order: the --by keys (customer with its INN), kind, currency, the
    figures (and, by class, what the item amounts cover)."""
    cols = [c for c in by if c != "kind"] + (["customer_inn"] if "customer" in by else [])
    figures = list(ROW_COLUMNS)
    if "okpd2" in by:
        at = figures.index("amount") + 1
        figures[at:at] = CLASS_COLUMNS
    return cols + figures


def _rows(out: "pd.DataFrame", by: list[str]) -> list[dict[str, Any]]:
    cols = [c for c in row_columns(by) if c != "change_pct"]
    rows = []
    for rec in out.to_dict("records"):
        row = {c: _plain(rec.get(c)) for c in cols}
        for c in ("count", "stations", "units", "priced"):
            if c in row:
                row[c] = int(row[c] or 0)
        rows.append(row)
    _change(rows, by)
    order = [b for b in by if b != "kind"]
    if "year" in by:
        rows.sort(key=lambda r: tuple(_sort_key(r.get(k)) for k in [*order, "kind", "currency"]))
    else:
        rows.sort(key=lambda r: (r["kind"], r["currency"] or "", -(r["amount"] or 0)))
    return rows


def _plain(v: Any) -> Any:
    """pandas/numpy scalars to plain Python (NA -> None); Decimals stay Decimals."""
    import pandas as pd

    if v is None or isinstance(v, (Decimal, str)):
        return v
    if v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    return v.item() if hasattr(v, "item") else v


def _sort_key(v: Any) -> tuple:
    if isinstance(v, (int, Decimal)):
        return (v is None, v)
    return (v is None, str(v or ""))


def _change(rows: list[dict[str, Any]], by: list[str]) -> None:
    """change_pct: the amount against the same group's amount the year before, in %, to 0.1."""
    others = [b for b in by if b not in ("year", "kind")] + ["kind", "currency"]
    index = {(r.get("year"), *[r.get(k) for k in others]): r["amount"] for r in rows} if "year" in by else {}
    for r in rows:
        prev = None
        if "year" in by and r["year"] is not None:
            prev = index.get((r["year"] - 1, *[r.get(k) for k in others]))
        r["change_pct"] = None if not prev or r["amount"] is None else (
            EXACT.multiply(EXACT.subtract(r["amount"], prev), 100) / prev).quantize(PCT, context=EXACT)


# --- the command as one call ------------------------------------------------------------------------------


@dataclass
class Report:
    rows: list[dict[str, Any]]
    by: list[str]
    failures: list[Failure] = field(default_factory=list)  # the inputs that could not be read
    inputs: int = 0
    fetches: int = 0  # exchange-rate requests made
    summaries_left_out: int = 0  # search-feed summaries the filters select that --kind does not count


def spending(tenders: Iterable[Tender] | Frames, q: Query, converter: "Converter | None" = None):
    """Spending rows from tenders (or ready frames)."""
    frames = tenders if isinstance(tenders, Frames) else frames_from_tenders(tenders)
    return compute(frames, q, converter)


@dataclass
class Loaded:
    """The frames of what was read, the inputs that could not be read, how many inputs there were."""

    frames: Frames
    failures: list[Failure] = field(default_factory=list)
    inputs: int = 0


def load_frames(sources: list[str], q: Query, *, store: Path | None = None, input_format: str | None = None,
                encoding: str | None = None) -> Loaded:
    """Frames for SOURCE arguments (files, folders, zips, `-`, stored IDs) or, with none, the whole store."""
    if not sources:
        with Store.open(store) as st:
            need = {"name"} if q.search or q.topic else set()
            if q.okpd2 or q.topic or "okpd2" in q.by:
                need.add("code")
            if "okpd2" in q.by:
                need.add("amount")
            return Loaded(frames_from_store(st, item_level=bool(need), need=need))
    # the documents layer (formats, enrichment: 60 ms) is imported only where SOURCEs are read, not for
    # the store, which spending reads through its queries (the spending target, RESULTS.md)
    from ...documents.batch import ReadOptions, read

    with StoreResolver(store) as resolver:
        batch = read(sources, resolver=resolver, options=ReadOptions(input_format=input_format, encoding=encoding))
        tenders = list(batch)
    return Loaded(frames_from_tenders(tenders), batch.failures, batch.inputs)


def run(sources: list[str], q: Query, *, store: Path | None = None, input_format: str | None = None,
        encoding: str | None = None) -> Report:
    """The `spending` command as one call: read, filter, convert, group. A topic unknown to the built-in
    topics and the --topics files is refused before any reading."""
    if q.topic:
        get_topic(q.topic, q.topics_files)
    loaded = load_frames(sources, q, store=store, input_format=input_format, encoding=encoding)
    converter = make_converter(q.currency, store=store) if q.currency else None
    rows = compute(loaded.frames, q, converter)
    report = Report(rows, list(dict.fromkeys(q.by)), loaded.failures, loaded.inputs,
                    converter.fetches if converter else 0)
    report.summaries_left_out = summaries_left_out(loaded.frames, q)
    return report


def summaries_left_out(frames: Frames, q: Query) -> int:
    """How many search-feed summaries the other filters select but --kind leaves out."""
    kinds = q.kinds or list(DEFAULT_KINDS)
    if "all" in kinds or SUMMARY_KIND in kinds or not (frames.docs["kind"] == SUMMARY_KIND).any():
        return 0
    return len(select(frames, replace(q, kinds=[SUMMARY_KIND])).docs)
