"""The frames `spending` computes on, built from parsed tenders or read straight from the store.

Three frames joined on an integer ``doc`` key:

* docs: doc, id, kind, law, title, date (datetime64: the document's own calendar date: signing for
  contracts, publication otherwise), currency, amount (Decimal objects), customer, customer_inn, region;
* items: doc, name, okpd2, cpv, quantity, amount (Decimal objects);
* stations: doc, station (a station name; distinct names are counted).

Only the latest version of a document counts (several versions of one notice are one notice): in the store
that is its ``latest`` flag; among files, the highest version number (then the latest publication) per id
and kind (and format, for protocols and the like, as the store does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable

from .models import Kind, Tender

if TYPE_CHECKING:
    import pandas as pd

DOC_COLUMNS = ["doc", "id", "kind", "law", "title", "date", "currency", "amount", "customer", "customer_inn",
               "region"]
ITEM_COLUMNS = ["doc", "name", "okpd2", "cpv", "quantity", "amount"]
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
    return (num, when)


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
        docs.append((n, t.id, t.kind.value, t.law or t.source_format.split("/")[0], t.title, doc_date(t),
                     t.currency, t.amount, (cust.name or cust.short_name) if cust else None,
                     cust.inn if cust else None, t.region or (cust.region if cust else None)))
        for it in t.items:
            items.append((n, it.name, item_okpd2(it), item_cpv(it), it.quantity, it.amount))
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

    conn = store.conn
    rows = conn.execute(
        "SELECT doc, id, kind, coalesce(law, source_format), title, "
        "CASE WHEN kind = 'contract' AND signed IS NOT NULL THEN substr(signed, 1, 10) "
        "ELSE substr(coalesce(published, signed), 1, 10) END, currency, amount, customer_name, customer_inn, "
        "region, stations FROM documents WHERE latest = 1 ORDER BY doc").fetchall()
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
    return Frames(d, _store_items(conn, need) if item_level else _store_item_sums(conn), stations)


def _store_item_sums(conn) -> "pd.DataFrame":
    import pandas as pd

    rows = conn.execute("SELECT doc, group_concat(quantity) FROM items WHERE latest = 1 GROUP BY doc").fetchall()
    docs = [r[0] for r in rows]
    sums = [_exact_sum(text) if text else None for _, text in rows]
    i = pd.DataFrame({"doc": pd.array(docs, dtype="int64"), "quantity": objects(sums)})
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


def _store_items(conn, need: set[str]) -> "pd.DataFrame":
    """One row per item, reading only the columns ``need`` names (of name, codes, amount)."""
    import pandas as pd

    from .spending import map_unique

    cols = ["doc", "quantity"] + [c for c in ("name", "code", "code_scheme", "amount") if
                                  (c in need or (c == "code_scheme" and "code" in need))]
    rows = conn.execute(f"SELECT {', '.join(cols)} FROM items WHERE latest = 1").fetchall()
    got = dict(zip(cols, zip(*rows))) if rows else {c: () for c in cols}
    out = pd.DataFrame({"doc": pd.array(got["doc"], dtype="int64"), "quantity": objects(_decimals(got["quantity"]))})
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
