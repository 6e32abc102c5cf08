"""`diff`'s output: the changes as JSON, or as tables laid out by :mod:`tenderscan.render.layout`."""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any, assert_never

from rich.text import Text

from ..services.diff import Change, Diff
from .cells import money
from .console import out_console
from .json_text import dumps
from .layout import Cell, Column, print_table, wrap


class DiffFormat(str, Enum):
    table = "table"
    json = "json"


def write_diff(fmt: DiffFormat | None, d: Diff, out: IO[str] | None = None, *, console=None) -> None:
    """``d`` in ``fmt`` (default: table on a terminal, JSON otherwise) on ``out`` (default stdout)."""
    out = out if out is not None else sys.stdout
    fmt = DiffFormat(fmt) if fmt else (DiffFormat.table if out.isatty() else DiffFormat.json)
    if fmt is DiffFormat.json:
        out.write(dumps(d.to_dict()) + "\n")
    elif fmt is DiffFormat.table:
        render_diff(console if console is not None else out_console(), d)
    else:
        assert_never(fmt)
    out.flush()


def _v(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, datetime):  # as show prints it: minutes, seconds only when there are any
        spec = "seconds" if value.second or value.microsecond else "minutes"
        return value.isoformat(sep=" ", timespec=spec)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _pair(old: Any, new: Any) -> tuple[str, str]:
    a, b = _v(old), _v(new)
    if a == b and isinstance(old, datetime) and isinstance(new, datetime):
        return old.isoformat(sep=" "), new.isoformat(sep=" ")  # they differ below the second
    return a, b


def _delta(c: Change) -> str:
    if c.delta is None:
        return ""
    sign = "+" if c.delta > 0 else ""
    pct = f" ({sign}{c.change_pct}%)" if c.change_pct is not None else ""
    return f"{sign}{money(c.delta)}{pct}"


def _cell(value: Any, text: str) -> Cell:
    """Running text wraps between words; an amount, a date, a code or a number stays whole."""
    return Cell(text, whole=value is None or isinstance(value, (Decimal, date, int)))


def _qty(it) -> str:
    return "not fixed" if getattr(it, "quantity_undefined", False) else _v(it.quantity)


def render_diff(console, d: Diff) -> None:
    """The changes as tables laid out by tenderscan.render.layout: field names, identifiers, dates and amounts
    never broken across lines, texts wrapped between words; blocks on a terminal too narrow for a table."""
    console.print(Text(f"{d.a} → {d.b}", style="bold"))
    if not d.differs:
        console.print("no differences")
        return
    if d.changes:
        rows = []
        for c in d.changes:
            old, new = _pair(c.old, c.new)
            rows.append({"field": c.field, "old": _cell(c.old, old), "new": _cell(c.new, new), "change": _delta(c)})
        print_table(console, [Column("field"), Column("old", text=True), Column("new", text=True),
                              Column("change", right=True)], rows, title="Changes", head=("field",))
    if d.items_changed:
        rows = []
        for ic in d.items_changed:
            how = ic.match + (f" {ic.score:.0f}" if ic.score is not None and ic.match != "code+name" else "")
            for n, c in enumerate(ic.changes):
                first = n == 0
                rows.append({"#": f"{ic.a.index}→{ic.b.index}" if first else "",
                             "item": (ic.b.item.name or "") if first else "", "match": how if first else "",
                             "field": c.field, "old": _cell(c.old, _v(c.old)), "new": _cell(c.new, _v(c.new)),
                             "change": _delta(c)})
        print_table(console, [Column("#", right=True), Column("item", text=True), Column("match"), Column("field"),
                              Column("old", text=True), Column("new", text=True), Column("change", right=True)],
                    rows, title=f"Items changed ({len(d.items_changed)})", head=("#", "item"))
    for title, refs, style in (("Items added", d.items_added, "green"), ("Items removed", d.items_removed, "red")):
        if refs:
            rows = [{"#": str(r.index), "name": Cell(r.item.name or "", style=style), "code": r.item.code or "",
                     "qty": _qty(r.item), "unit price": _v(r.item.unit_price),
                     "sum": "—" if getattr(r.item, "quantity_undefined", False) else _v(r.item.amount)}
                    for r in refs]
            print_table(console, [Column("#", right=True), Column("name", text=True), Column("code"),
                                  Column("qty", right=True), Column("unit price", right=True),
                                  Column("sum", right=True)], rows, title=f"{title} ({len(refs)})",
                        head=("#", "name"))
    for title, names in (("Stations added", d.stations_added), ("Stations removed", d.stations_removed)):
        if names:
            head = f"{title} ({len(names)}): "
            lines = wrap(", ".join(names), console.width - 2, first=console.width - len(head))
            console.print(Text(head, style="bold") + Text(lines[0]), no_wrap=True, overflow="fold")
            for line in lines[1:]:
                console.print(Text("  " + line), no_wrap=True, overflow="fold")
    for title, atts, mark in (("Attachments added", d.attachments_added, "+"),
                              ("Attachments removed", d.attachments_removed, "-")):
        if atts:
            console.print(Text(f"{title} ({len(atts)})", style="bold"))
            for att in atts:
                for n, line in enumerate(wrap(att.name or att.url or "?", console.width - 4)):
                    console.print(Text((f"  {mark} " if n == 0 else "    ") + line), no_wrap=True, overflow="fold")
