"""The text file writers of `export`: CSV (plain or for Excel) and JSON Lines, and the CSV dialect of every
CSV tenderscan writes (`show --format csv` too: :func:`csv_writer`).

Each writer takes an iterator of row dicts and the typed columns, writes to an open stream and returns the
number of rows.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Iterable

from .columns import Col

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: cells that start a formula
EXCEL_FORMULA_TEXT_MAX = 255  # Excel's limit on a string literal inside a formula


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


# --- CSV -----------------------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """OWASP CSV injection: a cell that would start a formula gets a leading apostrophe; the text is kept."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(v: Any, col: Col, *, excel: bool, decimal_comma: bool) -> str:
    """The reference text of one cell (the plain case of :func:`write_csv` is its fast path)."""
    if v is None:
        return ""
    t = col.type
    if t == "decimal":
        s = format(v, "f")
        return s.replace(".", ",") if decimal_comma else s
    if t == "int":
        return str(v)
    if t == "bool":
        return "true" if v else "false"
    if t == "date":
        return (v.date() if isinstance(v, datetime) else v).isoformat()
    if t == "datetime":
        if excel and isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S")  # Excel reads this as a date-time; the offset is dropped
        return v.isoformat()
    text = str(v)
    if not excel:
        return text
    if t == "id" and len(text) <= EXCEL_FORMULA_TEXT_MAX - 3:
        return '="' + text.replace('"', '""') + '"'  # Excel keeps it text: no 3.013E+17, no lost zeros
    return neutralise(text)


def write_csv(rows: Iterable[dict[str, Any]], cols: tuple[Col, ...], fh: IO[str], *, excel: bool = False,
              delimiter: str = ",") -> int:
    """UTF-8 CSV. With ``excel``: CRLF line ends, ids as ``="..."``, formula-looking text neutralised, and a
    decimal comma when the delimiter is ``;`` (the convention of the locales that use ``;``). The caller
    opens the stream with ``utf-8-sig`` for the BOM.

    Plain CSV takes a fast path: one converter per column chosen once (:data:`_PLAIN`) instead of
    :func:`csv_cell` per cell, a third of the time of the rows, for the "OCDS package to items CSV" target of
    ``benchmarks/run.py`` (RESULTS.md, "CSV rows"); ``tests/test_export_speed.py`` holds the two equal."""
    w = csv_writer(fh, delimiter=delimiter, crlf=excel)
    w.writerow([c.name for c in cols])
    comma = excel and delimiter == ";"
    n = 0
    if not excel:
        plain = [(c.name, _PLAIN.get(c.type, str)) for c in cols]
        for r in rows:
            w.writerow(["" if (v := r.get(name)) is None else conv(v) for name, conv in plain])
            n += 1
        return n
    for r in rows:
        w.writerow([csv_cell(r.get(c.name), c, excel=excel, decimal_comma=comma) for c in cols])
        n += 1
    return n


_PLAIN = {
    "decimal": lambda v: format(v, "f"),
    "int": str,
    "bool": lambda v: "true" if v else "false",
    "date": lambda v: (v.date() if isinstance(v, datetime) else v).isoformat(),
    "datetime": lambda v: v.isoformat(),
}


# --- JSON Lines ----------------------------------------------------------------------------------------------


def write_jsonl(rows: Iterable[dict[str, Any]], cols: tuple[Col, ...], fh: IO[str]) -> int:
    n = 0
    for r in rows:
        fh.write(json.dumps({c.name: _json(r.get(c.name)) for c in cols}, ensure_ascii=False))
        fh.write("\n")
        n += 1
    return n


def _json(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v
