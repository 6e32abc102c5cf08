"""`tenderscan diff A B`: what changed between two tenders or two versions of one."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from ..services.diff import Diff, diff_sources
from ..render.text import dumps, money
from .app import app, command, encoding_option, input_format_option, out_console, store_option


class DiffFormat(str, Enum):
    table = "table"
    json = "json"


@app.command("diff")
@command
def diff_command(
    a: str = typer.Argument(..., metavar="A", help="The older document: a file, `-`, a stored ID or ID@version."),
    b: str = typer.Argument(..., metavar="B", help="The newer document: a file, a stored ID or ID@version."),
    format: DiffFormat | None = typer.Option(
        None, "--format", "-f", case_sensitive=False,
        help="table (default on a terminal) or json (default otherwise)."),
    exit_code: bool = typer.Option(False, "--exit-code",
                                   help="Exit 1 when the documents differ, 0 when they do not (like git diff)."),
    input_format: str | None = input_format_option(),
    encoding: str | None = encoding_option(),
    store: Path | None = store_option(),
) -> None:
    """Compare two documents: header fields (amount with absolute and % change), items matched by code and
    name (fuzzy for renamed items, score shown), stations and attachments added and removed.

    Examples:

        tenderscan diff 0320100007621000014@2 0320100007621000014@3

        tenderscan diff last-year.xml this-year.xml --format json | jq .items.changed
    """
    d = diff_sources(a, b, store=store, input_format=input_format, encoding=encoding)
    fmt = format or (DiffFormat.table if sys.stdout.isatty() else DiffFormat.json)
    if fmt == DiffFormat.json:
        sys.stdout.write(dumps(d.to_dict()) + "\n")
    else:
        render_diff(out_console(), d)
    if exit_code and d.differs:
        raise typer.Exit(1)


def _v(value: Any) -> str:
    from datetime import datetime
    from decimal import Decimal

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
    from datetime import datetime

    a, b = _v(old), _v(new)
    if a == b and isinstance(old, datetime) and isinstance(new, datetime):
        return old.isoformat(sep=" "), new.isoformat(sep=" ")  # they differ below the second
    return a, b


def _delta(c) -> str:
    if c.delta is None:
        return ""
    sign = "+" if c.delta > 0 else ""
    pct = f" ({sign}{c.change_pct}%)" if c.change_pct is not None else ""
    return f"{sign}{money(c.delta)}{pct}"


def _cell(value: Any, text: str):
    """Running text wraps between words; an amount, a date, a code or a number stays whole."""
    from datetime import date
    from decimal import Decimal

    from ..render.layout import Cell

    return Cell(text, whole=value is None or isinstance(value, (Decimal, date, int)))


def _qty(it) -> str:
    return "not fixed" if getattr(it, "quantity_undefined", False) else _v(it.quantity)


def render_diff(console, d: Diff) -> None:
    """The changes as tables laid out by tenderscan.render.layout: field names, identifiers, dates and amounts
    never broken across lines, texts wrapped between words; blocks on a terminal too narrow for a table."""
    from rich.text import Text

    from ..render.layout import Cell, Column, print_table, wrap

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
