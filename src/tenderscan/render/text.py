"""Renderers: tenders and rows to table (rich), JSON, JSON Lines and CSV. Library code: writes to a given
stream, never prints on its own, never exits."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any, Iterable, Sequence

from ..models import Tender


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


# --- JSON ------------------------------------------------------------------------------------------------


def tender_dict(t: Tender) -> dict[str, Any]:
    """The JSON form of a tender (decimals as strings, dates as ISO 8601 with offset)."""
    return t.model_dump(mode="json")


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=indent, default=json_default)


def write_json(out: IO[str], docs: Sequence[Any]) -> None:
    """One object for one document, an array for several (or none)."""
    data = [d.model_dump(mode="json") if hasattr(d, "model_dump") else d for d in docs]
    out.write(dumps(data[0] if len(data) == 1 else data))
    out.write("\n")


def write_jsonl(out: IO[str], docs: Iterable[Any]) -> None:
    for d in docs:
        out.write(dumps(d.model_dump(mode="json") if hasattr(d, "model_dump") else d, indent=None))
        out.write("\n")


# --- CSV -------------------------------------------------------------------------------------------------

ITEM_COLUMNS = [
    "id", "version", "kind", "source_format", "published", "customer_name", "customer_inn", "currency",
    "document_amount", "item_no", "lot", "item_name", "code", "code_scheme", "quantity", "unit", "unit_code",
    "unit_price", "item_amount", "quantity_undefined",
]


def item_rows(t: Tender) -> Iterable[dict[str, Any]]:
    """One row per item (one row with empty item fields for a document without items). An item whose
    quantity is not fixed has its unit price and no quantity or amount (``quantity_undefined`` true)."""
    from ..services.spending.frames import fixed_amount, fixed_quantity

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


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    return str(value)


class _LineFeed:
    """Ends each row csv.writer writes (one write per row) with LF instead of CRLF."""

    def __init__(self, out: IO[str]):
        self.out = out

    def write(self, line: str) -> int:
        return self.out.write(line[:-2] + "\n" if line.endswith("\r\n") else line)


def csv_writer(out: IO[str], *, delimiter: str = ",", crlf: bool = False):
    """A csv.writer that quotes every field holding a CR or an LF. Python's quotes only the characters of its
    own line terminator: with LF endings a lone CR in a name went out unquoted and split the row for every
    reader. Rows end with LF (or CRLF with ``crlf``)."""
    return csv.writer(out if crlf else _LineFeed(out), delimiter=delimiter, lineterminator="\r\n")


def write_csv(out: IO[str], rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    w = csv_writer(out)
    w.writerow(columns)
    for r in rows:
        w.writerow([cell(r.get(c)) for c in columns])


# --- tables (rich) ---------------------------------------------------------------------------------------


def money(value: Decimal | None, currency: str | None = None) -> str:
    """Group thousands with thin spaces, keep every decimal digit the document gave."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sign + "\u202f".join(groups) + (f".{frac}" if frac else "")
    return f"{out} {currency}" if currency else out


def _when(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def when_text(value: str | None) -> str | None:
    """An ISO timestamp as tables show it, to the minute: ``2026-07-29T09:59:36+03:00`` -> ``2026-07-29
    09:59`` (JSON and CSV keep the full timestamp)."""
    return value[:16].replace("T", " ") if value else value


def render_tender(console, t: Tender, *, max_items: int = 200) -> None:
    """A header panel, the items with a total row, delivery places, attachments and stations."""
    from .show import render_tender as render

    render(console, t, max_items=max_items)


def id_label(o) -> str | None:
    """The name of an organisation's identifier scheme: INN for a Russian one (the default), EDRPOU, RFC..."""
    if o is None or not o.inn:
        return None
    scheme = o.id_scheme
    if scheme in (None, "RU-INN"):
        return "INN"
    return ID_LABELS.get(scheme, scheme)


# the usual names of identifier schemes (OCDS org-id.guide codes, or the scheme as some publishers write it)
ID_LABELS = {"UA-EDR": "EDRPOU", "MX-RFC": "RFC", "Registro Federal de Contribuyentes de México": "RFC",
             "GB-COH": "Companies House no.", "CL-RUT": "RUT", "GB-CHC": "charity no.", "XI-EORI": "EORI"}


# columns of running text: they wrap between words in a table; every other column (identifiers, codes,
# dates, money, counts) is kept whole on one line, since a registry number or an amount cut in two is misread
TEXT_COLUMNS = frozenset({"title", "customer", "customer_name", "name", "name_en", "description", "evidence",
                          "document", "line", "address", "supplier", "supplier_name", "place"})


def print_block(console, head: str, parts: Sequence[str], *, indent: int = 2) -> None:
    """``head`` in bold, then ``parts`` ("label value") packed onto lines, never split (see layout)."""
    from .layout import print_block as block

    block(console, head, parts, indent=indent)


def render_rows(console, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str | None = None,
                right: Sequence[str] = ()) -> None:
    """A generic table of rows (list, search, stations, formats). Identifiers, dates and figures stay whole,
    texts wrap between words. To fit a terminal the table stacks what belongs together: ``id@version``
    with the kind under it, the amount with its currency, the customer's INN under its name. When even
    that does not fit, each row is printed as a block instead (its whole values labelled and packed onto
    lines, each text on lines of its own, indented): nothing is cropped at the right edge and no number is
    broken across lines."""
    from .layout import GLUE, Cell, Column, print_table

    texts = [{c: money(r.get(c)) if isinstance(r.get(c), Decimal) else cell(r.get(c)) for c in columns}
             for r in rows]
    plain = [Column(c, text=c in TEXT_COLUMNS, right=c in right) for c in columns]
    cols, grid = list(plain), [dict(t) for t in texts]
    have = set(columns)
    if {"id", "version"} <= have:
        for g in grid:  # ID@version, as show and diff take it (the version on a line of its own if long)
            if g["version"]:
                label = f"{g['id']}@{g['version']}"
                g["id"] = label if len(label) <= 40 else f"{g['id']}\n@{g['version']}"
        cols = [c for c in cols if c.key != "version"]
    if {"id", "kind"} <= have:
        for g in grid:
            g["id"] = "\n".join(x for x in (g["id"], g["kind"]) if x)
        cols = [Column("id", "document" if "version" in have else "id / kind") if c.key == "id" else c
                for c in cols if c.key != "kind"]
    if {"amount", "currency"} <= have:
        for g in grid:
            g["amount"] = f"{g['amount']} {g['currency']}" if g["amount"] and g["currency"] else g["amount"]
        cols = [c for c in cols if c.key != "currency"]
    if {"customer", "customer_inn"} <= have:
        for g in grid:
            inn = f"INN{GLUE}{g['customer_inn']}" if g["customer_inn"] else ""
            g["customer"] = "\n".join(x for x in (g["customer"], inn) if x)
        cols = [c for c in cols if c.key != "customer_inn"]
    cols = [Column(c.key, "items", right=True) if c.key == "n_items" else c for c in cols]
    print_table(console, cols, [{k: Cell(v) for k, v in g.items()} for g in grid], title=title,
                blocks_columns=plain, block_rows=texts)


def emit_rows(fmt: OutputFormat, out: IO[str], rows: Sequence[dict[str, Any]], columns: Sequence[str], *,
              console=None, title: str | None = None, right: Sequence[str] = ()) -> None:
    """Rows in any --format. JSON is always a list of objects (scripts can rely on it)."""
    if fmt == OutputFormat.json:
        out.write(dumps(list(rows)))
        out.write("\n")
    elif fmt == OutputFormat.jsonl:
        write_jsonl(out, rows)
    elif fmt == OutputFormat.csv:
        write_csv(out, rows, columns)
    else:
        render_rows(console, rows, columns, title=title, right=right)


RENDERERS = {f: emit_rows for f in OutputFormat}  # every member has a renderer (tested)
