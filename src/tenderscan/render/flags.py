"""`flags` on stdout: one row per flag (table, JSON, JSON Lines, CSV), counts per indicator, customer or
supplier (``--by``), or Cardinal's result object (``--format cardinal``)."""

from __future__ import annotations

import sys
from typing import IO, Any, Sequence

from ..services.flags import FlagCount, FlagReport, FlagRow
from .writers import OutputFormat, emit_rows

ROW_COLUMNS = ("indicator", "title", "group", "id", "value", "threshold", "threshold_source", "evidence")
TABLE_COLUMNS = ("indicator", "group", "id", "value", "threshold", "document")
COUNT_COLUMNS = {"flag": ("by", "name", "flags", "ids"), "other": ("by", "name", "indicator", "flags", "ids")}


def flag_record(r: FlagRow, *, flat: bool = False) -> dict[str, Any]:
    """A flag as a row of JSON (``flat``: CSV, the evidence as one JSON text), the threshold's source beside
    the threshold."""
    out = r.flat() if flat else r.record()
    source = r.evidence.get("threshold_source")
    rest = {k: v for k, v in out.items() if k != "evidence"}
    return {**rest, "threshold_source": source, "evidence": out["evidence"]}


def _number(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0")
    return "" if value is None else str(value)


def _documents(r: FlagRow) -> str:
    docs = r.evidence.get("documents") or []
    labels = [d.get("document") or d.get("input") for d in docs if isinstance(d, dict)]
    return " ".join(dict.fromkeys(x for x in labels if x))


def write_flags(fmt: OutputFormat | str, report: FlagReport, rows: Sequence[FlagRow], *,
                out: IO[str] | None = None) -> None:
    """One row per flag. The table shows the value and threshold rounded and the documents each flag was
    read from; JSON, JSON Lines and CSV carry the exact value, the threshold's source and the evidence."""
    if fmt == "cardinal":
        out = out or sys.stdout
        out.write(report.cardinal_json() + "\n")
        out.flush()
        return
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.table:
        grid = [{"indicator": r.indicator, "group": r.group, "id": r.id, "value": _number(r.value),
                 "threshold": _number(r.threshold), "document": _documents(r)} for r in rows]
        emit_rows(fmt, grid, TABLE_COLUMNS, out=out, title=f"{len(rows)} flag(s)", right=("value", "threshold"))
        return
    records = [flag_record(r, flat=fmt is OutputFormat.csv) for r in rows]
    emit_rows(fmt, records, ROW_COLUMNS, out=out)


def write_counts(fmt: OutputFormat | str, counts: Sequence[FlagCount], by: str, *,
                 out: IO[str] | None = None) -> None:
    """``--by``: flags counted per indicator, or per customer / supplier and indicator."""
    fmt = OutputFormat(fmt)
    columns = COUNT_COLUMNS["flag" if by == "flag" else "other"]
    records = [c.record() for c in counts]
    if fmt in (OutputFormat.table, OutputFormat.csv):  # a table lists the ids one under the other
        glue = "\n" if fmt is OutputFormat.table else " "
        records = [{**r, "ids": glue.join(r["ids"])} for r in records]
    title = f"flags by {by}: {sum(c.flags for c in counts)} flag(s)"
    emit_rows(fmt, records, columns, out=out, title=title, right=("flags",))
