"""The binary file writers of `export`: XLSX and Parquet.

Each takes an iterator of row dicts and the typed columns, writes to an already-temporary path, and returns
the number of rows. Their libraries (openpyxl, pyarrow) are imported inside the functions.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from .columns import Col
from .text_files import FORMULA_START

XLSX_CELL_LIMIT = 32767
MONEY_COLUMNS = {"amount", "unit_price", "items_total"}


# --- XLSX ----------------------------------------------------------------------------------------------------


def number_format(v: Decimal, *, money: bool) -> str:
    """An Excel format that shows every decimal the value has (a unit price of 0.68807143 is not 0.69),
    thousands grouped; money with at least two decimals."""
    exp = v.as_tuple().exponent
    places = max(0, -exp) if isinstance(exp, int) else 0
    if money:
        places = max(places, 2)
    places = min(places, 30)
    return "#,##0" + ("." + "0" * places if places else "")


def write_xlsx(rows: Iterable[dict[str, Any]], cols: tuple[Col, ...], path: Path, *, sheet: str,
               warnings: list[str]) -> int:
    """One sheet, a bold frozen header row, typed cells: numbers for amounts, text for ids (never a
    formula: text cells are written as strings with Excel's quote prefix where they look like formulas)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    for i, c in enumerate(cols, 1):
        width = {"id": 22, "decimal": 16, "int": 8, "bool": 8, "date": 12, "datetime": 20}.get(c.type, 30)
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    header = []
    for c in cols:
        cell = WriteOnlyCell(ws, value=c.name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    try:
        return _xlsx_rows(wb, ws, rows, cols, path, warnings)
    except BaseException as exc:  # Ctrl-C or an error midway: the sheet's XML writers closed now, quietly
        _abandon(ws)
        if isinstance(exc.__context__, KeyboardInterrupt) and not isinstance(exc, KeyboardInterrupt):
            raise KeyboardInterrupt from None  # lxml's complaint about the element Ctrl-C cut short
        raise


def _abandon(ws) -> None:
    """Close a write-only sheet's generators (lxml's incremental writer inside them is midway through an
    element): left to the garbage collector they print "Exception ignored ... LxmlSyntaxError" tracebacks.
    Its temporary file is removed."""
    writer = getattr(ws, "_writer", None)
    for gen in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
        if gen is not None:
            try:
                gen.close()
            except Exception:  # noqa: BLE001, S110 - the half-written sheet is thrown away
                pass
    try:
        if writer is not None:
            writer.cleanup()
    except (OSError, ValueError, KeyError):
        pass


def _xlsx_rows(wb, ws, rows, cols, path, warnings) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cut = 0
    n = 0
    for r in rows:
        n += 1
        out: list[Any] = []
        for c in cols:
            v = r.get(c.name)
            if v is None:
                out.append(None)
            elif c.type in ("text", "id"):
                text = ILLEGAL_CHARACTERS_RE.sub("", str(v))
                if len(text) > XLSX_CELL_LIMIT:
                    text = text[:XLSX_CELL_LIMIT]
                    cut += 1
                    if cut <= 5:
                        warnings.append(f"row {n} column {c.name}: text cut to Excel's {XLSX_CELL_LIMIT:,} "
                                        "characters per cell")
                if c.type == "id" or text.startswith(FORMULA_START):
                    cell = WriteOnlyCell(ws, value=None)
                    cell.value = text
                    cell.data_type = "s"  # a string, never a formula
                    cell.quotePrefix = True
                    out.append(cell)
                else:
                    out.append(text)
            elif c.type == "decimal":
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = number_format(v, money=c.name in MONEY_COLUMNS)
                out.append(cell)
            elif c.type == "date":
                out.append(v.date() if isinstance(v, datetime) else v)
            elif c.type == "datetime":
                if isinstance(v, datetime):
                    v = v.replace(tzinfo=None)  # Excel has no time zones: the time as the document wrote it
                out.append(v)
            else:
                out.append(v)
        ws.append(out)
    if cut > 5:
        warnings.append(f"{cut} cells in all were cut to {XLSX_CELL_LIMIT:,} characters")
    wb.save(path)
    return n


# --- Parquet ------------------------------------------------------------------------------------------------


def _decimal_type(values: list[Decimal | None]):
    import pyarrow as pa

    scale, left = 0, 1
    for v in values:
        if v is None:
            continue
        exp = v.as_tuple().exponent
        if isinstance(exp, int):
            scale = max(scale, -exp)
        left = max(left, v.adjusted() + 1)
    if left + scale <= 38:
        return pa.decimal128(38, scale)
    return pa.decimal256(min(left + scale, 76), scale)


def _arrow_value(v: Any, col: Col) -> Any:
    if v is None:
        return None
    if col.type == "date":
        return v.date() if isinstance(v, datetime) else v
    if col.type == "datetime":
        if isinstance(v, datetime):
            return v if v.tzinfo else v.replace(tzinfo=timezone.utc)
        return datetime(v.year, v.month, v.day, tzinfo=timezone.utc) if isinstance(v, date) else v
    if col.type in ("text", "id"):
        return str(v)
    return v


def write_parquet(rows: Iterable[dict[str, Any]], cols: tuple[Col, ...], path: Path, *,
                  partition_by: str | None = None) -> int:
    """Parquet with exact decimal columns (decimal128, the scale of the most precise value), ids as strings,
    timestamps in UTC. With ``partition_by``, a hive-partitioned dataset folder (``year=2022/...``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data: dict[str, list] = {c.name: [] for c in cols}
    n = 0
    for r in rows:
        n += 1
        for c in cols:
            data[c.name].append(_arrow_value(r.get(c.name), c))
    arrays, fields = [], []
    for c in cols:
        values = data[c.name]
        if c.type == "decimal":
            typ = _decimal_type(values)
        else:
            typ = {"int": pa.int64(), "bool": pa.bool_(), "date": pa.date32(),
                   "datetime": pa.timestamp("us", tz="UTC")}.get(c.type, pa.string())
        arrays.append(pa.array(values, type=typ))
        fields.append(pa.field(c.name, typ))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    if partition_by:
        pq.write_to_dataset(table, root_path=str(path), partition_cols=[partition_by])
    else:
        pq.write_table(table, str(path))
    return n
