"""`spending --dataset`: the rows :func:`tenderscan.services.spending.report.compute` gives from a store, from
a dataset, with DuckDB.

Groups of documents (``--by`` year, customer, region, kind, source, with ``--kind``, ``--from``, ``--to``,
``--customer``) are summed in DuckDB SQL (:func:`sql_rows`): exact decimal sums, the same keys, quantities
only in one unit (each document's items summed first, as the store does: the sums its task wrote into the
document's ``items_*`` columns, so ``items`` is not read), distinct stations, the customer's
first name in the store's order; ``change_pct`` and the order of the rows are then computed by the spending
service's own code on those few rows. What SQL cannot give the same way is handed to the existing
computation on frames read from the dataset (:func:`load_frames`, then ``compute``): ``--by okpd2`` (item
amounts by class and what they do not cover), ``--search`` and ``--topic`` (word forms by pymorphy3),
``--okpd2`` (with the title rule), and ``--currency`` (each document converted at its day's rate). Only the
columns those need are read, and only the documents the kind and date filters keep.

Only the latest version of each document counts (the ``latest`` table), and a search-feed summary gives
way to the notice it summarises, as in the store.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import UsageError
from ...values import EXACT
from ..spending.frames import SEVERAL, SUMMARY_FORMATS, SUMMARY_KIND, Frames
from ..spending.query import BY_KEYS, DEFAULT_KINDS, Query, check_kinds
from ..spending.report import Report, _rows, compute, summaries_left_out
from .commit import LATEST_ORDER
from .query import Dataset, as_written, register_fold
from .schema import SCALES

if TYPE_CHECKING:
    from ..spending.fx import Converter

_SUMMARY = ", ".join(f"'{f}'" for f in SUMMARY_FORMATS)
_KEYS = {"year": "year", "customer": "customer_key", "region": "region", "source": "source"}

# the documents that count: the latest versions, a feed summary replaced by its notice where that is there
# (SWAP, needed only when the latest table has a summary), with spending's names for their columns
SWAP = f"""
swapped AS (
    SELECT d.* FROM documents d
    JOIN (SELECT DISTINCT id, kind FROM counted WHERE source_format IN ({_SUMMARY})) s
      ON d.id = s.id AND d.kind = s.kind
    WHERE d.source_format NOT IN ({_SUMMARY})
    QUALIFY row_number() OVER (PARTITION BY d.id, d.kind ORDER BY {LATEST_ORDER}) = 1),
base AS (
    SELECT * FROM counted c WHERE NOT (c.source_format IN ({_SUMMARY})
        AND EXISTS (SELECT 1 FROM swapped w WHERE w.id = c.id AND w.kind = c.kind))
    UNION ALL BY NAME SELECT * FROM swapped),"""
SPEND = f"""
d AS (
    SELECT doc, id, title,
           CASE WHEN source_format IN ({_SUMMARY}) THEN '{SUMMARY_KIND}' ELSE kind END AS kind,
           split_part(coalesce(law, source_format), '/', 1) AS source, date, year(date) AS year, currency, amount,
           amount_scale, customer_name AS customer, customer_inn, region,
           coalesce(customer_inn, customer_name) AS customer_key,
           items_quantity AS qsum, items_quantity_scale AS qscale, items_unit AS uname,
           items_unit_missing AS nounit, items_units > 1 AS many, items_unit_key AS kmax
    FROM {{base}})"""


def base(ds: Dataset) -> str:
    """The CTEs of the documents that count (``d``): the summary swap only where the dataset has summaries."""
    summaries = ds.sql(f"SELECT count(*) FROM latest WHERE source_format IN ({_SUMMARY})").fetchall()[0][0]
    return (SWAP + SPEND.format(base="base")) if summaries else SPEND.format(base="counted")


def _where(q: Query, *, kinds: list[str] | None, customer: bool = True) -> tuple[str, list[Any]]:
    """The document filters of ``q`` (kinds as given), as SQL on ``d``."""
    clauses, args = [], []
    if kinds is not None and "all" not in kinds:
        clauses.append(f"kind IN ({', '.join('?' * len(kinds))})")
        args += list(kinds)
    if q.date_from:
        clauses.append("date >= ?")
        args.append(q.date_from)
    if q.date_to:
        clauses.append("date <= ?")
        args.append(q.date_to)
    if customer and q.customer:
        c = q.customer.strip()
        if c.isdigit():
            clauses.append("customer_inn = ?")
            args.append(c)
        else:
            clauses.append("instr(fold(coalesce(customer, '')), ?) > 0")
            args.append(c.casefold())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def in_sql(q: Query, converter: "Converter | None" = None) -> bool:
    """Whether the query is answered in SQL (else: frames and ``compute``)."""
    return not (q.item_filters or "okpd2" in q.by or converter is not None)


def spending(ds: Dataset, q: Query, converter: "Converter | None" = None) -> Report:
    """`spending --dataset`: the report `spending` gives from a store of the same documents."""
    by = list(dict.fromkeys(q.by))
    if in_sql(q, converter):
        compute_check(q)
        return Report(sql_rows(ds, q), by, summaries_left_out=sql_summaries_left_out(ds, q))
    frames = load_frames(ds, q)
    rows = compute(frames, q, converter)
    return Report(rows, by, fetches=converter.fetches if converter else 0,
                  summaries_left_out=summaries_left_out(frames, q))


def report(path: Path | str, q: Query, *, store: Path | None = None) -> Report:
    """The `spending --dataset DIR` command as one call: the dataset at ``path`` opened (a folder without a
    committed dataset is a NotFoundError), a topic unknown to the built-in topics and the --topics files
    refused before any query, amounts converted with the rates the store at ``store`` caches (when there is
    one; none is created)."""
    from ..spending.fx import make_converter
    from ..spending.topics import get_topic

    if q.topic:
        get_topic(q.topic, q.topics_files)
    with Dataset.open(path) as ds:
        converter = make_converter(q.currency, store=store) if q.currency else None
        return spending(ds, q, converter)


def compute_check(q: Query) -> None:
    """compute()'s refusals (an unknown --by or --kind), before any SQL."""
    for b in q.by:
        if b not in BY_KEYS:
            raise UsageError(f"cannot group by {b!r}", hint=f"choose from {', '.join(BY_KEYS)}")
    check_kinds(q.kinds)


def sql_rows(ds: Dataset, q: Query) -> list[dict[str, Any]]:
    """The rows of a query without item filters, by documents, summed in DuckDB."""
    import pandas as pd

    by = list(dict.fromkeys(q.by))
    if q.customer:
        register_fold(ds.con)
    keys = [_KEYS[b] for b in by if b != "kind"] + ["kind", "currency"]
    where, args = _where(q, kinds=q.kinds or list(DEFAULT_KINDS))
    group = ", ".join(keys)
    names = ""
    if "customer" in by:
        names = (", n AS (SELECT customer_key, first(customer ORDER BY doc) "
                 "FILTER (WHERE customer IS NOT NULL) AS customer, bool_or(customer_key IN "
                 "(SELECT customer_inn FROM sel WHERE customer_inn IS NOT NULL)) AS is_inn FROM sel GROUP BY 1)")
    sql = f"""WITH {base(ds)},
sel AS (SELECT * FROM d{where}),
st AS (
    SELECT s.doc, list(DISTINCT s.station) AS names FROM stations s SEMI JOIN sel ON s.doc = sel.doc
    GROUP BY s.doc),
per AS (
    SELECT sel.* EXCLUDE (kmax), NOT nounit AND many AS several,
           CASE WHEN nounit OR many THEN NULL ELSE kmax END AS ukey, st.names
    FROM sel LEFT JOIN st USING (doc)),
g AS (
    SELECT {group}, count(*) AS count, sum(amount) AS amount,
           max(amount_scale) FILTER (WHERE amount IS NOT NULL) AS ascale,
           sum(qsum) AS qsum, max(qscale) AS qscale, min(uname) FILTER (WHERE qsum IS NOT NULL) AS uname,
           count(DISTINCT ukey) FILTER (WHERE qsum IS NOT NULL AND NOT several AND NOT nounit)
             + CAST(coalesce(bool_or(qsum IS NOT NULL AND nounit), false) AS INTEGER)
             + 2 * CAST(coalesce(bool_or(qsum IS NOT NULL AND several), false) AS INTEGER) AS units,
           len(list_distinct(flatten(list(names) FILTER (WHERE names IS NOT NULL)))) AS stations,
           min(doc) AS first
    FROM per GROUP BY {group}){names}
SELECT g.*{', n.customer, n.is_inn' if names else ''} FROM g
{'LEFT JOIN n ON g.customer_key IS NOT DISTINCT FROM n.customer_key' if names else ''}
ORDER BY g.first"""
    cur = ds.sql(sql, args)
    cols = [c[0] for c in cur.description]
    records = []
    for rec in cur.fetchall():
        r = dict(zip(cols, rec))
        one = r["units"] == 1
        rec_out = {k: r[k] for k in keys}
        rec_out.update(count=r["count"], amount=_as_written(r["amount"], r["ascale"]),
                       quantity=_as_written(r["qsum"], r["qscale"]) if one else None,
                       unit=r["uname"] if one else None, units=r["units"], stations=r["stations"] or 0)
        if names:
            rec_out["customer"] = r["customer"]
            rec_out["customer_inn"] = r["customer_key"] if r["is_inn"] else None
        records.append(rec_out)
    out = pd.DataFrame(records, columns=[*keys, "count", "amount", "quantity", "unit", "units", "stations",
                                         *(["customer", "customer_inn"] if names else [])], dtype=object)
    return _rows(out, by)


def _as_written(v: Decimal | None, scale: int | None) -> Decimal | None:
    """A sum at the fixed scale, with the decimals its values were written with (as Decimal addition keeps)."""
    if v is None:
        return None
    return v.quantize(Decimal(1).scaleb(-(scale or 0)), context=EXACT)


def sql_summaries_left_out(ds: Dataset, q: Query) -> int:
    kinds = q.kinds or list(DEFAULT_KINDS)
    if "all" in kinds or SUMMARY_KIND in kinds:
        return 0
    where, args = _where(replace(q, kinds=[SUMMARY_KIND]), kinds=[SUMMARY_KIND])
    if not ds.sql(f"SELECT count(*) FROM latest WHERE source_format IN ({_SUMMARY})").fetchall()[0][0]:
        return 0
    return ds.sql(f"WITH {base(ds)} SELECT count(*) FROM d{where}", args).fetchall()[0][0]


def load_frames(ds: Dataset, q: Query) -> Frames:
    """The frames `spending` computes on, as :func:`~tenderscan.services.spending.frames.frames_from_store`
    reads them from a store (item by item only when a filter or ``--by okpd2`` needs it), for the
    documents the kind and date filters keep (and the feed summaries, which the note about them counts)."""
    import pandas as pd

    from ..spending.frames import DOC_COLUMNS, ITEM_COLUMNS, STATION_COLUMNS, objects

    kinds = q.kinds or list(DEFAULT_KINDS)
    where, args = _where(q, kinds=None if "all" in kinds else [*kinds, SUMMARY_KIND], customer=False)
    con = ds.con
    con.execute(f"CREATE OR REPLACE TEMP TABLE fd AS WITH {base(ds)} SELECT row_number() OVER "
                f"(ORDER BY doc) - 1 AS n, * FROM d{where}", args)
    docs = con.execute(f"SELECT n, id, kind, source, title, date, currency, "
                       f"{as_written('amount', 'amount_scale')} AS amount, customer, customer_inn, region "
                       "FROM fd ORDER BY n").df()
    docs.columns = DOC_COLUMNS
    docs["doc"] = docs["doc"].astype("int64")
    docs["date"] = pd.to_datetime(docs["date"])
    docs["amount"] = objects(_decimals(docs["amount"]))
    for c in ("id", "kind", "law", "title", "currency", "customer", "customer_inn", "region"):
        docs[c] = docs[c].astype(object).where(docs[c].notna(), None)
    need = {"name"} if q.search or q.topic else set()
    if q.okpd2 or q.topic or "okpd2" in q.by:
        need.add("code")
    if "okpd2" in q.by:
        need.add("amount")
    items = _items(con, need) if need else _item_sums(con)
    stations = con.execute("SELECT DISTINCT fd.n, s.station FROM stations s JOIN fd ON s.doc = fd.doc "
                           "ORDER BY 1").df()
    stations.columns = STATION_COLUMNS
    return Frames(docs, items[ITEM_COLUMNS], stations)


_QTY = as_written("i.quantity", "i.quantity_scale", SCALES["quantity"])
_JOIN = "FROM items i JOIN fd ON i.doc = fd.doc"


def _items(con, need: set[str]):
    """One row per item, as ``frames._store_items`` reads them."""
    import pandas as pd

    from ..spending.frames import objects

    cols = ["fd.n AS doc", f"{_QTY} AS quantity", "coalesce(i.unit_code, i.unit) AS unit_key",
            "coalesce(i.unit, i.unit_code) AS unit"]
    if "name" in need:
        cols.append("i.name")
    if "amount" in need:
        cols.append(f"{as_written('i.amount', 'i.amount_scale')} AS amount")
    if "code" in need:
        cols += ["CASE upper(i.code_scheme) WHEN 'OKPD2' THEN i.code WHEN 'KTRU' THEN split_part(i.code, '-', 1) "
                 "END AS okpd2", "CASE WHEN upper(i.code_scheme) = 'CPV' THEN i.code END AS cpv"]
    df = con.execute(f"SELECT {', '.join(cols)} {_JOIN} ORDER BY fd.n, i.row_no").df()
    out = pd.DataFrame({"doc": df["doc"].astype("int64"), "quantity": objects(_decimals(df["quantity"]))})
    for c in ("unit_key", "unit", "name", "okpd2", "cpv"):
        out[c] = _texts(df[c]) if c in df else None
    out["amount"] = objects(_decimals(df["amount"])) if "amount" in df else None
    return out


def _item_sums(con):
    """One row per document: the exact sum of its items' quantities and their unit, as
    ``frames._store_item_sums`` reads them (unit_key SEVERAL in several units, None when one has none),
    from the documents' own ``items_*`` columns (the items are not read)."""
    import pandas as pd

    from ..spending.frames import objects

    qsum = as_written("qsum", "qscale", SCALES["items_quantity"])
    df = con.execute(f"SELECT n AS doc, {qsum} AS quantity, many, kmax AS k, uname AS unit, nounit FROM fd "
                     "WHERE qsum IS NOT NULL ORDER BY n").df()
    keys = [None if nounit else (SEVERAL if many else k)
            for many, k, nounit in zip(df["many"], df["k"], df["nounit"])]
    out = pd.DataFrame({"doc": df["doc"].astype("int64"), "quantity": objects(_decimals(df["quantity"])),
                        "unit_key": objects(keys), "unit": objects(_texts(df["unit"]))})
    out["name"] = out["okpd2"] = out["cpv"] = out["amount"] = None
    return out


def _decimals(values) -> list:
    return [None if v is None or v != v else Decimal(v) for v in values]


def _texts(series):
    return series.astype(object).where(series.notna(), None)
