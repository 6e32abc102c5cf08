"""Stored documents and items as pandas DataFrames, for `spending` and `export`.

One SQL query per frame, read column-wise; amounts, quantities and prices become Python ``Decimal``
objects (never float), dates tz-aware timestamps (UTC), stations a list of names. By default only the
latest version of each (id, kind) is included, so totals do not count a notice twice.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Sequence

DOCUMENT_COLUMNS = ("id", "version", "kind", "law", "source_format", "published", "signed", "year",
                    "customer_name", "customer_inn", "region", "currency", "amount", "title", "n_items",
                    "stations", "notice_id", "contract_id", "url", "sha256")
ITEM_FRAME_COLUMNS = ("id", "version", "kind", "published", "year", "customer_inn", "currency", "name", "code",
                      "code_scheme", "quantity", "unit", "unit_code", "unit_price", "amount", "lot", "n")
DECIMALS = {"amount", "quantity", "unit_price"}
DATES = {"published", "signed"}


def _frame(conn: sqlite3.Connection, table: str, columns: Sequence[str], allowed: Sequence[str], latest: bool):
    import pandas as pd

    bad = [c for c in columns if c not in allowed]
    if bad:
        raise ValueError(f"unknown {table} column(s): {', '.join(bad)}; known: {', '.join(allowed)}")
    where = " WHERE latest = 1" if latest else ""
    order = " ORDER BY doc, n" if table == "items" else " ORDER BY doc"
    cur = conn.execute(f"SELECT {', '.join(columns)} FROM {table}{where}{order}")
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
