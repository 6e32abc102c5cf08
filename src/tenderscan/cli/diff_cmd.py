"""`tenderscan diff A B`: what changed between two tenders or two versions of one."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from ..diff import Diff, diff_sources
from ..render import dumps, money
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


def render_diff(console, d: Diff) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console.print(Text(f"{d.a} → {d.b}", style="bold"))
    if not d.differs:
        console.print("no differences")
        return
    if d.changes:
        t = Table(title="Changes", box=box.SIMPLE_HEAD, title_justify="left")
        for col in ("field", "old", "new", "change"):
            t.add_column(col, overflow="fold", justify="right" if col == "change" else "left")
        for c in d.changes:
            old, new = _pair(c.old, c.new)
            t.add_row(c.field, Text(old), Text(new), _delta(c))
        console.print(t)
    if d.items_changed:
        t = Table(title=f"Items changed ({len(d.items_changed)})", box=box.SIMPLE_HEAD, title_justify="left")
        for col in ("#", "item", "match", "field", "old", "new", "change"):
            t.add_column(col, overflow="fold", justify="right" if col in ("#", "change") else "left")
        for ic in d.items_changed:
            how = ic.match + (f" {ic.score:.0f}" if ic.score is not None and ic.match != "code+name" else "")
            for n, c in enumerate(ic.changes):
                first = n == 0
                t.add_row(f"{ic.a.index}→{ic.b.index}" if first else "", Text(ic.b.item.name or "") if first else "",
                          how if first else "", c.field, Text(_v(c.old)), Text(_v(c.new)), _delta(c))
        console.print(t)
    for title, refs, style in (("Items added", d.items_added, "green"), ("Items removed", d.items_removed, "red")):
        if refs:
            t = Table(title=f"{title} ({len(refs)})", box=box.SIMPLE_HEAD, title_justify="left")
            for col in ("#", "name", "code", "qty", "unit price", "sum"):
                t.add_column(col, overflow="fold", justify="right" if col in ("#", "qty", "unit price", "sum")
                             else "left")
            for r in refs:
                it = r.item
                t.add_row(str(r.index), Text(it.name or "", style=style), it.code or "", _v(it.quantity),
                          _v(it.unit_price), _v(it.amount))
            console.print(t)
    for title, names, mark in (("Stations added", d.stations_added, "+"), ("Stations removed", d.stations_removed,
                                                                           "-")):
        if names:
            console.print(Text(f"{title} ({len(names)}): ", style="bold") + Text(", ".join(names)))
    for title, atts, mark in (("Attachments added", d.attachments_added, "+"),
                              ("Attachments removed", d.attachments_removed, "-")):
        if atts:
            console.print(Text(f"{title} ({len(atts)})", style="bold"))
            for att in atts:
                console.print(Text(f"  {mark} {att.name or att.url or '?'}"))
