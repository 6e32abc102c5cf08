"""CSV on stdout (``--format csv``): rows with a header, and tenders as one row per item.

The dialect (LF line ends, every field holding a CR or an LF quoted) is the one of every CSV tenderscan
writes, export files included: :func:`tenderscan.services.export.text_files.csv_writer`.
"""

from __future__ import annotations

from typing import IO, Any, Iterable, Sequence

from ..models import Tender
from ..services.export.text_files import csv_writer
from ..services.spending.frames import fixed_amount, fixed_quantity
from .cells import cell

ITEM_COLUMNS = [
    "id", "version", "kind", "source_format", "published", "customer_name", "customer_inn", "currency",
    "document_amount", "item_no", "lot", "item_name", "code", "code_scheme", "quantity", "unit", "unit_code",
    "unit_price", "item_amount", "quantity_undefined",
]


def item_rows(t: Tender) -> Iterable[dict[str, Any]]:
    """One row per item (one row with empty item fields for a document without items). An item whose
    quantity is not fixed has its unit price and no quantity or amount (``quantity_undefined`` true)."""
    base = {
        "id": t.id,
        "version": t.version,
        "kind": t.kind.value,
        "source_format": t.source_format,
        "published": t.published.isoformat() if t.published else None,
        "customer_name": t.customer.name if t.customer else None,
        "customer_inn": t.customer.inn if t.customer else None,
        "currency": t.currency,
        "document_amount": t.amount,
    }
    if not t.items:
        yield {**base, **{c: None for c in ITEM_COLUMNS if c not in base}}
        return
    for n, it in enumerate(t.items, 1):
        yield {
            **base,
            "item_no": n,
            "lot": it.lot,
            "item_name": it.name,
            "code": it.code,
            "code_scheme": it.code_scheme,
            "quantity": fixed_quantity(it),
            "unit": it.unit,
            "unit_code": it.unit_code,
            "unit_price": it.unit_price,
            "item_amount": fixed_amount(it),
            "quantity_undefined": it.quantity_undefined,
        }


def write_rows(writer, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    for r in rows:
        writer.writerow([cell(r.get(c)) for c in columns])


def write_csv(out: IO[str], rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    """A header, then the rows."""
    w = csv_writer(out)
    w.writerow(columns)
    write_rows(w, rows, columns)
