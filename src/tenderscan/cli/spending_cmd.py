"""`tenderscan spending`: spending compared across years, customers, categories."""

from __future__ import annotations

import sys
from decimal import Decimal
from enum import Enum
from pathlib import Path

import typer

from ..render.text import OutputFormat, emit_rows
from ..services.spending.report import BY_KEYS, CLASS_COLUMNS, KINDS, ROW_COLUMNS, Query, row_columns, run
from ..render.plot import bars, plot
from .app import (
    app,
    check_code_prefix,
    check_currency,
    check_suffix,
    command,
    encoding_option,
    format_option,
    info,
    input_format_option,
    warn,
    out_console,
    resolve_format,
    store_option,
)
from .batch import finish_batch
from .dates import parse_day


class By(str, Enum):
    year = "year"
    customer = "customer"
    okpd2 = "okpd2"
    region = "region"
    kind = "kind"
    source = "source"


assert {b.value for b in By} == set(BY_KEYS)

# --kind: the model's document kinds, the search feed's summaries (apart from notices), and `all`
KindChoice = Enum("KindChoice", {k: k for k in KINDS}, type=str)


@app.command("spending")
@command
def spending_command(
    sources: list[str] = typer.Argument(
        None, metavar="[SOURCE...]",
        help="Files, folders, zip archives, `-`, stored IDs; none: every document in the store."),
    by: list[By] = typer.Option(
        None, "--by", "-b", case_sensitive=False,
        help="Group by year (default), customer, okpd2, region, kind, source; repeat to combine."),
    depth: int = typer.Option(4, "--depth", min=1, max=9, help="Digits of the OKPD2 code kept with --by okpd2."),
    search: str | None = typer.Option(
        None, "--search", "-s", help="Words in the title or item names, whatever their case endings."),
    okpd2: str | None = typer.Option(None, "--okpd2", callback=check_code_prefix,
                                     help="Only items whose OKPD2 code starts with this."),
    customer: str | None = typer.Option(None, "--customer",
                                        help="Only this customer: an INN (exact) or part of the name."),
    date_from: str | None = typer.Option(
        None, "--from", help="Only documents dated on or after this day (YYYY-MM-DD or DD.MM.YYYY)."),
    date_to: str | None = typer.Option(
        None, "--to", help="Only documents dated on or before this day (YYYY-MM-DD or DD.MM.YYYY)."),
    kind: list[KindChoice] = typer.Option(
        None, "--kind", "-k", case_sensitive=False,
        help="Document kinds to count (default: notice and contract; `all` for every kind); repeatable."),
    topic: str | None = typer.Option(
        None, "--topic", "-t", help="A curated topic of codes and keywords, e.g. surveillance (see the README)."),
    topics: list[Path] = typer.Option(
        None, "--topics", help="A TOML file of extra topics (same layout as the built-in topics.toml)."),
    currency: str | None = typer.Option(
        None, "--currency", "-c", callback=check_currency,
        help="Convert amounts into this currency (USD, EUR...) at the Bank of Russia / ECB rate of each "
             "document's date."),
    format: OutputFormat | None = format_option(
        help="table (default on a terminal, with inline bars), json, jsonl or csv."),
    plot_file: Path | None = typer.Option(None, "--plot", callback=check_suffix(".png", ".svg"),
                                          help="Also draw a bar chart into FILE.png or FILE.svg."),
    input_format: str | None = input_format_option(),
    encoding: str | None = encoding_option(),
    store: Path | None = store_option(),
) -> None:
    """Sum documents by year (or customer, OKPD2 class, region, kind, source): count, amount, quantity of
    the matching items, distinct stations, change from the previous year. Notices (maximum prices) and
    contracts (prices) are never added together, nor are different currencies.

    Examples:

        tenderscan spending --topic surveillance --by year --by customer

        tenderscan spending fixtures/zakupki/ --by okpd2 --depth 2 --format json

        tenderscan spending --search "камеры видеонаблюдения" --currency USD --plot spending.png
    """
    if topic:  # a topic unknown to the built-in and the --topics files: refused before any reading
        from ..services.spending.topics import get_topic

        get_topic(topic, list(topics or []))
    keys = [b.value for b in by] if by else ["year"]
    q = Query(by=keys, depth=depth, kinds=[k.value for k in kind] if kind else None, search=search,
              okpd2=okpd2, customer=customer, date_from=parse_day(date_from, "--from"), date_to=parse_day(date_to, "--to"),
              topic=topic, topics_files=list(topics or []), currency=currency.upper() if currency else None)
    report = run(list(sources or []), q, store=store, input_format=input_format, encoding=encoding)
    fmt = resolve_format(format)
    columns = row_columns(report.by)
    if fmt == OutputFormat.table:
        render_table(out_console(), report.rows, columns, with_bars=sys.stdout.isatty())
    else:
        emit_rows(fmt, sys.stdout, report.rows, columns)
    sys.stdout.flush()
    if report.summaries_left_out:
        info(f"note: {report.summaries_left_out} search-feed summar"
             f"{'y' if report.summaries_left_out == 1 else 'ies'} (notices as the portal's RSS feed lists them, "
             "without items) not counted; --kind feed_summary counts them on their own")
    if plot_file is not None:
        drawn = plot(report.rows, report.by, plot_file)
        for note in drawn.notes:
            warn(f"plot: {note}")
        info(f"plot written to {drawn.path}")
    finish_batch(report.failures, total=report.inputs)


NUMERIC = {"year", "count", "priced", "amount", "not_in_items", "quantity", "stations", "change_pct"}
KEYS_TEXT = {"customer", "region", "source", "group", "unit"}  # running text: wraps between words
OPTIONAL = ("quantity", "unit", "stations", "change_pct", "priced", "not_in_items")  # left out when all blank
LABELS = {"change_pct": "change", "not_in_items": "not in items"}  # table headers; csv and json keep names


def _texts(r: dict, columns: list[str]) -> dict[str, str]:
    from ..render.text import cell, money

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


def render_table(console, rows: list[dict], columns: list[str], *, with_bars: bool) -> None:
    """The rows as a table: numbers and codes never cut or wrapped (names wrap between words), inline bars
    on a terminal when there is room for them (one scale per currency). On a narrow terminal, first the
    columns that are empty (or 0) in every group are left out (the caption names them), then the group's
    keys share one column, then each group is printed as a block, so that no number is ever cropped at
    the right edge."""
    from ..render.layout import GAP, GLUE, Cell, Column, print_table, widths

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


ROW_NUMBERS = tuple(c for c in (*ROW_COLUMNS, *CLASS_COLUMNS) if c != "kind")  # a group's figures, not keys


def _render_blocks(console, texts: list[dict], numbers: list[str], caption: str | None) -> None:
    """Each group as its keys in bold and its figures, labelled, packed onto the lines after (a figure is
    never split across lines)."""
    from rich.text import Text

    from ..render.text import print_block

    console.print(Text("Spending", style="italic"))
    for t in texts:
        print_block(console, t["group"] or "(all)", [f"{LABELS.get(c, c)} {t[c]}" for c in numbers if t[c]])
    if caption:
        console.print(Text(caption, style="dim"))


def _pct(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{'+' if value > 0 else ''}{value}%"
