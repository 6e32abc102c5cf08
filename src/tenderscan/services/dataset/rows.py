"""The rows one input adds to each table: `export`'s rows (:func:`~tenderscan.services.export.tables.table_rows`)
with the dataset's keys, checked against the fixed decimal scales.

A tender that repeats one already read from the same bytes (same id and version) is left out, as the store
keeps a document once per (id, version, sha256).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from ...models import Tender
from ...store.rows import JSON_EXCLUDE, version_sort
from ..export.columns import Table
from ..export.rows import table_rows
from ..spending.frames import doc_date
from .layout import region_code
from .schema import DATA_TABLES, TENDERS, Misfit, check_row

# the whole model as the store keeps it (its computed fields are derived again when read), without the time
# it was read at: a task run again, or the same inputs cut into other tasks, write the very same rows
MODEL_EXCLUDE = {**dict.fromkeys(JSON_EXCLUDE, True), "source": {"read_at"}}


@dataclass
class InputRows:
    """What one input gives: rows per data table and ``tenders`` (each with its partition ``year`` and
    ``region_code``), or the decimal that kept it out."""

    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {t: [] for t in (*DATA_TABLES, TENDERS)})
    documents: int = 0
    misfit: Misfit | None = None


def input_rows(tenders: Iterable[Tender], sha256: str, *, task_seq: int, input_no: int, first: int = 0) -> InputRows:
    """The rows of every tender of one input (``sha256``: its raw bytes); ``first``: how many documents the
    task wrote before it (the documents' ``doc`` numbers follow on)."""
    out = InputRows()
    seen: set[tuple[str, str]] = set()
    for doc_no, t in enumerate(tenders):
        key = (t.id, t.version or "")
        if key in seen:
            continue
        seen.add(key)
        doc = (task_seq << 32) + first + out.documents
        misfit = _add(out, t, doc, sha256, doc_no, task_seq, input_no)
        if misfit is not None:
            return InputRows(misfit=misfit)
        out.documents += 1
    return out


def _add(out: InputRows, t: Tender, key: int, sha256: str, doc_no: int, task_seq: int,
         input_no: int) -> Misfit | None:
    doc = next(table_rows(Table.documents, [t]))
    year, code = doc["year"], region_code(doc["region"])
    d = doc_date(t)
    doc.update(doc=key, sha256=sha256, doc_no=doc_no, task_seq=task_seq, input_no=input_no, region_code=code,
               published_iso=t.published.isoformat() if t.published else None, date=d,
               version_sort=version_sort(t.version))
    children: dict[str, list[dict[str, Any]]] = {}
    for table in DATA_TABLES[1:]:
        rows = children[table] = []
        for n, row in enumerate(table_rows(Table(table), [t]), 1):
            row.update(doc=key, doc_sha256=sha256, doc_no=doc_no, row_no=n, region_code=code, year=year)
            misfit = check_row(table, row)
            if misfit is not None:
                return misfit
            rows.append(row)
    doc.update(item_sums(children["items"]))
    misfit = check_row("documents", doc)
    if misfit is not None:
        return misfit
    out.rows["documents"].append(doc)
    out.rows[TENDERS].append({"doc": key, "sha256": sha256, "doc_no": doc_no, "year": year,
                              "region_code": code, "json": t.model_dump_json(exclude=MODEL_EXCLUDE)})
    for table, rows in children.items():
        out.rows[table] += rows
    return None


def item_sums(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The document's ``items_*`` columns from its item rows: what the fixed quantities (an item whose
    quantity is not fixed has none in its row) add up to, exactly, and in which units, as the store's
    per-document sums give them (:func:`tenderscan.store.queries.item_quantity_sums`)."""
    fixed = [r for r in items if r["quantity"] is not None]
    if not fixed:
        return {"items_quantity": None, "items_units": 0, "items_unit_key": None, "items_unit": None,
                "items_unit_missing": False}
    keys = {k for k in (_coalesce(r["unit_code"], r["unit"]) for r in fixed) if k is not None}
    names = [n for n in (_coalesce(r["unit"], r["unit_code"]) for r in fixed) if n is not None]
    return {"items_quantity": sum((r["quantity"] for r in fixed), Decimal(0)), "items_units": len(keys),
            "items_unit_key": max(keys) if keys else None, "items_unit": max(names) if names else None,
            "items_unit_missing": any(r["unit_code"] is None and r["unit"] is None for r in fixed)}


def _coalesce(a: str | None, b: str | None) -> str | None:
    return a if a is not None else b  # SQL's coalesce: an empty text is a value
