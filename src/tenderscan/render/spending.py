"""`spending`'s output: the rows in any --format; on a terminal a table with inline bars that never crops a
figure (columns left out, keys merged, then blocks, as the width requires)."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import IO, Any

from rich.text import Text

from ..services.spending.report import CLASS_COLUMNS, ROW_COLUMNS, Report, row_columns
from .cells import cell, money
from .console import out_console
from .layout import GAP, GLUE, Cell, Column, print_block, print_table, widths
from .plot import bars
from .writers import OutputFormat, emit_rows

NUMERIC = {"year", "count", "priced", "amount", "not_in_items", "quantity", "stations", "change_pct"}
KEYS_TEXT = {"customer", "region", "source", "group", "unit"}  # running text: wraps between words
OPTIONAL = ("quantity", "unit", "stations", "change_pct", "priced", "not_in_items")  # left out when all blank
LABELS = {"change_pct": "change", "not_in_items": "not in items"}  # table headers; csv and json keep names
ROW_NUMBERS = tuple(c for c in (*ROW_COLUMNS, *CLASS_COLUMNS) if c != "kind")  # a group's figures, not keys


def write_spending(fmt: OutputFormat, report: Report, out: IO[str] | None = None, *, console=None) -> None:
    """The report's rows in ``fmt``: a table (inline bars when stdout is a terminal), or JSON, JSON Lines,
    CSV with every column."""
    columns = row_columns(report.by)
    if fmt is OutputFormat.table:
        render_table(console if console is not None else out_console(), report.rows, columns,
                     with_bars=sys.stdout.isatty())
        sys.stdout.flush()
    else:
        emit_rows(fmt, report.rows, columns, out=out)


def summaries_note(left_out: int) -> str:
    """What the report says of the search-feed summaries --kind left out."""
    return (f"note: {left_out} search-feed summar{'y' if left_out == 1 else 'ies'} (notices as the portal's RSS "
            "feed lists them, without items) not counted; --kind feed_summary counts them on their own")


def _texts(r: dict, columns: list[str]) -> dict[str, str]:
    out = {}
    for c in columns:
        v = r.get(c)
        if c == "change_pct":
            out[c] = _pct(v) or ""
        elif c in ("year", "okpd2") and v is None:
            out[c] = "—"  # as the plot labels it: no date / no class
        elif isinstance(v, Decimal):
            out[c] = money(v)
        else:
            out[c] = cell(v)
    if "unit" in out and not out["unit"] and (r.get("units") or 0) > 1:
        out["unit"] = f"{r['units']} units"  # quantities in several units are not added up
    return out


def render_table(console, rows: list[dict[str, Any]], columns: list[str], *, with_bars: bool) -> None:
    """The rows as a table: numbers and codes never cut or wrapped (names wrap between words), inline bars
    on a terminal when there is room for them (one scale per currency). On a narrow terminal, first the
    columns that are empty (or 0) in every group are left out (the caption names them), then the group's
    keys share one column, then each group is printed as a block, so that no number is ever cropped at
    the right edge."""
    columns = [c for c in columns if c != "units"]
    texts = [_texts(r, columns) for r in rows]

    def cols(names: list[str]) -> list[Column]:
        return [Column(c, LABELS.get(c, c), text=c in KEYS_TEXT, right=c in NUMERIC) for c in names]

    def fits(names: list[str], grid: list[dict]) -> list[int] | None:
        return widths(cols(names), [{c: Cell(t[c]) for c in names} for t in grid], console.width)

    shown, caption = list(columns), None
    if rows and fits(shown, texts) is None:
        blank = [c for c in shown if c in OPTIONAL and all(t[c] in ("", "0") for t in texts)]
        if blank:
            shown = [c for c in shown if c not in blank]
            caption = (f"not shown, empty or 0 in every group: {', '.join(LABELS.get(c, c) for c in blank)} "
                       "(--format csv has every column)")
    if rows and fits(shown, texts) is None:
        keys = [c for c in shown if c not in ROW_NUMBERS]
        for t in texts:
            t["group"] = f"{GLUE}· ".join(t[c] for c in keys if t[c])  # "2021 ·" stays together
        shown = ["group", *(c for c in shown if c in ROW_NUMBERS)]
        if fits(shown, texts) is None:  # too narrow for any table: one block per group
            _render_blocks(console, texts, shown[1:], caption)
            return
    ws = fits(shown, texts) or []
    room = console.width - sum(ws) - GAP * len(ws)
    bar_width = min(24, room) if with_bars else 0
    grid = [dict(t) for t in texts]
    names = list(shown)
    if bar_width >= 6:
        for t, b in zip(grid, bars(rows, bar_width)):
            t["bar"] = Cell(b, style="cyan")
        names.append("bar")
    table_cols = [*cols(shown), *([Column("bar", "")] if "bar" in names else [])]
    print_table(console, table_cols, grid, title="Spending", caption=caption, drop_empty=False)


def _render_blocks(console, texts: list[dict], numbers: list[str], caption: str | None) -> None:
    """Each group as its keys in bold and its figures, labelled, packed onto the lines after (a figure is
    never split across lines)."""
    console.print(Text("Spending", style="italic"))
    for t in texts:
        print_block(console, t["group"] or "(all)", [f"{LABELS.get(c, c)} {t[c]}" for c in numbers if t[c]])
    if caption:
        console.print(Text(caption, style="dim"))


def _pct(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{'+' if value > 0 else ''}{value}%"
