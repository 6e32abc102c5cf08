"""Every read of the store: look-ups by key, the filtered lists of `list` and `export`, the frames of
`spending` and `export`, the exchange-rate cache. (Writes are :meth:`tenderscan.store.db.Store.write`'s.)

Functions take the store's connection; :class:`~tenderscan.store.db.Store` calls them for its methods. Money
and quantities come back as the decimal text they are stored as, except where a function says it converts
them (``Decimal``, never float).

The frames: one SQL query per frame, read column-wise; amounts, quantities and prices become Python
``Decimal`` objects (never float), dates tz-aware timestamps (UTC), stations a list of names. By default only
the latest version of each (id, kind) is included, so totals do not count a notice twice.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Iterator, Sequence

from ..models import Tender

# the order in which the stored versions of an ID are preferred: kind first (a notice before its contract),
# then the highest version number, the latest publication, the last stored
VERSION_ORDER = "krank, vsort DESC NULLS LAST, published DESC NULLS LAST, doc DESC"

DOCUMENT_COLUMNS = ("id", "version", "kind", "law", "source_format", "published", "signed", "year",
                    "customer_name", "customer_inn", "region", "currency", "amount", "title", "n_items",
                    "stations", "notice_id", "contract_id", "url", "sha256")
ITEM_FRAME_COLUMNS = ("id", "version", "kind", "published", "year", "customer_inn", "currency", "name", "code",
                      "code_scheme", "quantity", "unit", "unit_code", "unit_price", "amount", "lot", "n")
DECIMALS = {"amount", "quantity", "unit_price"}
DATES = {"published", "signed"}


# --- raw documents, attachments' texts, provenance ---------------------------------------------------------


def has_raw(conn: sqlite3.Connection, sha256: str) -> bool:
    """True when these raw bytes were stored as a document (its tenders were written with it)."""
    row = conn.execute("SELECT role FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
    return row is not None and row[0] == "document"


def blob(conn: sqlite3.Connection, sha256: str) -> tuple[str, bytes, int] | None:
    """(codec, stored bytes, size) of a blob, or None."""
    return conn.execute("SELECT codec, data, size FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()


def text(conn: sqlite3.Connection, sha256: str) -> str | None:
    row = conn.execute("SELECT text FROM texts WHERE sha256 = ?", (sha256,)).fetchone()
    return row[0] if row else None


def provenance(conn: sqlite3.Connection, sha256: str) -> list[dict[str, Any]]:
    names = ("url", "path", "member", "http_status", "at", "request", "archive_sha256")
    cur = conn.execute(f"SELECT {', '.join(names)} FROM provenance WHERE sha256 = ? ORDER BY rowid", (sha256,))
    return [dict(zip(names, r)) for r in cur]


# --- tenders ------------------------------------------------------------------------------------------------


def _tender(conn: sqlite3.Connection, doc: int, text: str) -> Tender:
    """A stored document's tender, with its downloaded attachments' sha256 and text."""
    t = Tender.model_validate_json(text)
    if t.attachments:
        for n, sha, body in conn.execute(
                "SELECT a.n, a.sha256, x.text FROM attachments a LEFT JOIN texts x ON x.sha256 = a.sha256 "
                "WHERE a.doc = ?", (doc,)):
            if n < len(t.attachments) and sha:
                t.attachments[n].sha256 = sha
                t.attachments[n].text = body
    return t


def find(conn: sqlite3.Connection, doc_id: str, version: str | None = None, *,
         kind: str | None = None) -> Tender | None:
    """The stored tender (the preferred version unless ``version``), or None."""
    sql = "SELECT doc, json FROM documents WHERE id = ?"
    args: list[Any] = [doc_id]
    if version is not None:
        sql += " AND vkey = ?"
        args.append(version)
    if kind is not None:
        sql += " AND kind = ?"
        args.append(kind)
    row = conn.execute(f"{sql} ORDER BY {VERSION_ORDER} LIMIT 1", args).fetchone()
    return _tender(conn, *row) if row else None


def versions(conn: sqlite3.Connection, doc_id: str) -> list[str | None]:
    """The stored versions of an ID, oldest first."""
    rows = conn.execute("SELECT DISTINCT version, vsort FROM documents WHERE id = ? "
                        "ORDER BY vsort NULLS FIRST, version", (doc_id,)).fetchall()
    return [r[0] for r in rows]


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM documents").fetchone()[0]


def integrity_check(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA integrity_check").fetchone()[0]


# --- filtered lists (`list`, `export`) --------------------------------------------------------------------


def where(kind: str | None = None, year: int | None = None, customer: str | None = None,
          search: str | None = None, latest: bool = False, year_of: str = "year") -> tuple[str, list[Any]]:
    """The WHERE clause (and its arguments) of the documents the filters select: a customer by INN (the
    document's or a customer party's) or by part of its name, a search word in the title or an item's name
    (both case-folded, through a ``fold`` SQL function). Plain SQL that DuckDB runs as well: the dataset's
    `list --dataset` uses it too, with its own expression for the year (``year_of``)."""
    clauses, args = [], []
    if latest:
        clauses.append("latest = 1")
    if kind:
        clauses.append("kind = ?")
        args.append(kind)
    if year:
        clauses.append(f"{year_of} = ?")
        args.append(int(year))
    if customer:
        c = customer.strip()
        if c.isdigit():
            clauses.append("(customer_inn = ? OR doc IN (SELECT doc FROM parties WHERE inn = ? "
                           "AND role = 'customer'))")
            args += [c, c]
        else:
            clauses.append("instr(fold(customer_name), ?) > 0")
            args.append(c.casefold())
    if search:
        s = search.strip().casefold()
        clauses.append("(instr(fold(title), ?) > 0 OR doc IN (SELECT doc FROM items WHERE "
                       "instr(fold(name), ?) > 0))")
        args += [s, s]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def iter_tenders(conn: sqlite3.Connection, *, kind: str | None = None, year: int | None = None,
                 customer: str | None = None, search: str | None = None, latest: bool = False) -> Iterator[Tender]:
    sql, args = where(kind, year, customer, search, latest)
    cur = conn.cursor()
    for doc, body in cur.execute(f"SELECT doc, json FROM documents{sql} ORDER BY id, {VERSION_ORDER}", args):
        yield _tender(conn, doc, body)


def list_rows(conn: sqlite3.Connection, *, kind: str | None = None, year: int | None = None,
              customer: str | None = None, search: str | None = None, latest: bool = False,
              limit: int | None = None) -> list[dict[str, Any]]:
    """Stored documents as plain rows (no model parsing: fast for `list`); amounts as Decimal."""
    sql, args = where(kind, year, customer, search, latest)
    query = (f"SELECT id, version, kind, published, customer_name, customer_inn, amount, currency, title, "
             f"n_items, source_format, law, sha256, stations FROM documents{sql} "
             f"ORDER BY published DESC NULLS LAST, id, vsort DESC NULLS LAST")
    if limit:
        query += f" LIMIT {int(limit)}"
    out = []
    for r in conn.execute(query, args):
        out.append({
            "id": r[0], "version": r[1], "kind": r[2], "published": r[3], "customer": r[4],
            "customer_inn": r[5], "amount": Decimal(r[6]) if r[6] is not None else None, "currency": r[7],
            "title": r[8], "n_items": r[9], "source_format": r[10], "law": r[11], "sha256": r[12],
            "stations": json.loads(r[13]) if r[13] else [],
        })
    return out


# --- frames (`export`, `spending`) ------------------------------------------------------------------------


def _frame(conn: sqlite3.Connection, table: str, columns: Sequence[str], allowed: Sequence[str], latest: bool):
    import pandas as pd

    bad = [c for c in columns if c not in allowed]
    if bad:
        raise ValueError(f"unknown {table} column(s): {', '.join(bad)}; known: {', '.join(allowed)}")
    where_latest = " WHERE latest = 1" if latest else ""
    order = " ORDER BY doc, n" if table == "items" else " ORDER BY doc"
    cur = conn.execute(f"SELECT {', '.join(columns)} FROM {table}{where_latest}{order}")
    rows = cur.fetchall()
    data: dict[str, object] = {}
    cols = list(zip(*rows)) if rows else [() for _ in columns]
    for name, values in zip(columns, cols):
        if name in DECIMALS:
            data[name] = pd.Series([None if v is None else Decimal(v) for v in values], dtype=object)
        elif name in DATES:
            data[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
        elif name == "stations":
            data[name] = pd.Series([json.loads(v) if v else [] for v in values], dtype=object)
        elif name in ("year", "n_items", "n"):
            data[name] = pd.array(values, dtype="Int64")
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=list(columns))


def items_frame(conn: sqlite3.Connection, *, columns: Sequence[str] | None = None, latest: bool = True):
    return _frame(conn, "items", list(columns or ITEM_FRAME_COLUMNS), ITEM_FRAME_COLUMNS, latest)


def documents_frame(conn: sqlite3.Connection, *, columns: Sequence[str] | None = None, latest: bool = True):
    return _frame(conn, "documents", list(columns or DOCUMENT_COLUMNS), DOCUMENT_COLUMNS, latest)


# --- spending: latest documents, the notices that replace their feed summaries, items --------------------


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def spending_documents(conn: sqlite3.Connection, *, summary_formats: Sequence[str], summary_kind: str,
                       docs: Iterable[int] | None = None) -> list[tuple]:
    """Rows (doc, id, kind, law or format, title, day, currency, amount, customer name, customer INN,
    region, stations JSON) of the latest documents (or of ``docs``), by key: ``kind`` is ``summary_kind``
    for a document of one of the ``summary_formats``; ``day`` (YYYY-MM-DD) is the signing date of a
    contract that has one, else the publication's (or the signing's)."""
    select = (f"SELECT doc, id, CASE WHEN source_format IN ({_marks(summary_formats)}) THEN ? "
              "ELSE kind END, coalesce(law, source_format), title, "
              "CASE WHEN kind = 'contract' AND signed IS NOT NULL THEN substr(signed, 1, 10) "
              "ELSE substr(coalesce(published, signed), 1, 10) END, currency, amount, customer_name, customer_inn, "
              "region, stations FROM documents")
    args: list[Any] = [*summary_formats, summary_kind]
    if docs is None:
        return conn.execute(f"{select} WHERE latest = 1 ORDER BY doc", args).fetchall()
    return conn.execute(f"{select} WHERE doc IN ({', '.join(map(str, docs))})", args).fetchall()


def summaries_replaced(conn: sqlite3.Connection, summaries: list[int], *,
                       summary_formats: Sequence[str]) -> dict[int, int]:
    """Of the ``summaries`` (document keys), those whose notice is stored too (the summary read later, or the
    notice without a version number): {summary doc: the notice's preferred version}, in the store's own
    order of versions."""
    out: dict[int, int] = {}
    for i in range(0, len(summaries), 500):
        part = ", ".join(map(str, summaries[i:i + 500]))
        rows = conn.execute(
            "SELECT s.doc, d.doc FROM documents s JOIN documents d ON d.id = s.id AND d.kind = s.kind "
            f"WHERE s.doc IN ({part}) AND d.source_format NOT IN ({_marks(summary_formats)}) "
            "ORDER BY s.doc, d.krank, d.vsort DESC NULLS LAST, d.published DESC NULLS LAST, d.doc DESC",
            list(summary_formats)).fetchall()
        for summary, doc in rows:
            out.setdefault(summary, doc)
    return out


def _items_where(also: Iterable[int]) -> str:
    also = list(also)
    return "latest = 1" + (f" OR doc IN ({', '.join(map(str, also))})" if also else "")


def item_quantity_sums(conn: sqlite3.Connection, *, also: Iterable[int] = ()) -> list[tuple]:
    """Per latest document (and per document of ``also``) with items of a quantity: (doc, the quantities
    as comma-separated decimal texts, how many distinct units, the unit key (its code, else its name), the
    unit's name (else its code), how many quantities have no unit)."""
    return conn.execute(
        "SELECT doc, group_concat(quantity), count(DISTINCT coalesce(unit_code, unit)), "
        "max(coalesce(unit_code, unit)), max(coalesce(unit, unit_code)), "
        "sum(unit_code IS NULL AND unit IS NULL) "
        f"FROM items WHERE ({_items_where(also)}) AND quantity IS NOT NULL GROUP BY doc").fetchall()


ITEM_EXTRA_COLUMNS = ("name", "code", "code_scheme", "amount")


def item_columns(conn: sqlite3.Connection, extra: Sequence[str], *, also: Iterable[int] = ()) -> dict[str, tuple]:
    """The items of the latest documents (and of ``also``), column-wise: "doc", "quantity", "unit_key"
    (the unit's code, else its name), "unit" (its name, else its code) and the ``extra`` columns (of
    :data:`ITEM_EXTRA_COLUMNS`); quantities and amounts as decimal text."""
    bad = [c for c in extra if c not in ITEM_EXTRA_COLUMNS]
    if bad:
        raise ValueError(f"unknown item column(s): {', '.join(bad)}")
    names = ["doc", "quantity", "unit_key", "unit", *extra]
    cols = ["doc", "quantity", "coalesce(unit_code, unit)", "coalesce(unit, unit_code)", *extra]
    rows = conn.execute(f"SELECT {', '.join(cols)} FROM items WHERE {_items_where(also)}").fetchall()
    return dict(zip(names, zip(*rows))) if rows else {c: () for c in names}


# --- the exchange-rate cache ---------------------------------------------------------------------------------


def fx_rates(conn: sqlite3.Connection, source: str, day: date) -> dict[str, Decimal] | None:
    """The cached daily table of ``source`` for ``day`` ({currency: rate}), or None."""
    rows = conn.execute("SELECT currency, rate FROM fx_rates WHERE source = ? AND day = ?",
                        (source, day.isoformat())).fetchall()
    return {c: Decimal(r) for c, r in rows} if rows else None
