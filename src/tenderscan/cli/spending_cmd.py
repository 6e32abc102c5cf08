"""`tenderscan spending`: spending compared across years, customers, categories."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path

import typer

from ..errors import UsageError
from ..models import Kind
from ..render import OutputFormat, emit_rows
from ..spending import BY_KEYS, ROW_COLUMNS, Query, run
from ..spending_plot import bars, plot
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
    out_console,
    resolve_format,
    store_option,
)
from .batch import finish_batch


class By(str, Enum):
    year = "year"
    customer = "customer"
    okpd2 = "okpd2"
    region = "region"
    kind = "kind"
    source = "source"


assert {b.value for b in By} == set(BY_KEYS)

# --kind: the model's document kinds, and `all`
KindChoice = Enum("KindChoice", {**{k.value: k.value for k in Kind}, "all": "all"}, type=str)


def _date(value: str | None, opt: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{opt} {value!r} is not a date", hint="write YYYY-MM-DD, e.g. 2022-03-15") from None


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
    date_from: str | None = typer.Option(None, "--from", help="Only documents dated on or after YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Only documents dated on or before YYYY-MM-DD."),
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
        from ..topics import get_topic

        get_topic(topic, list(topics or []))
    keys = [b.value for b in by] if by else ["year"]
    q = Query(by=keys, depth=depth, kinds=[k.value for k in kind] if kind else None, search=search,
              okpd2=okpd2, customer=customer, date_from=_date(date_from, "--from"), date_to=_date(date_to, "--to"),
              topic=topic, topics_files=list(topics or []), currency=currency.upper() if currency else None)
    report = run(list(sources or []), q, store=store, input_format=input_format, encoding=encoding)
    fmt = resolve_format(format)
    columns = [k for k in report.by if k != "kind"]
    if "customer" in columns:
        columns.insert(columns.index("customer") + 1, "customer_inn")
    columns += list(ROW_COLUMNS)
    if fmt == OutputFormat.table:
        render_table(out_console(), report.rows, columns, with_bars=sys.stdout.isatty())
    else:
        emit_rows(fmt, sys.stdout, report.rows, columns)
    if plot_file is not None:
        path = plot(report.rows, report.by, plot_file)
        info(f"plot written to {path}")
    finish_batch(report.failures, total=report.inputs)


def render_table(console, rows: list[dict], columns: list[str], *, with_bars: bool) -> None:
    """The rows as a table: numbers and codes never cut or wrapped (names fold), inline bars on a terminal
    when there is room for them. On a narrow terminal, first the columns that are empty (or 0) in every
    group are left out (the caption names them), then the group's keys share one folding column, so that
    no number is ever cropped at the right edge."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    from ..render import cell, money

    numeric = {"year", "count", "amount", "quantity", "stations", "change_pct"}
    folds = {"customer", "region", "source", "group"}
    texts = [{c: _pct(r.get(c)) or "" if c == "change_pct" else money(r.get(c)) if isinstance(r.get(c), Decimal)
              else cell(r.get(c)) for c in columns} for r in rows]

    def width(c: str) -> int:
        return max([len(LABELS.get(c, c)), *(cell_len(t[c]) for t in texts)])

    def needed(cols: list[str]) -> int:  # folding columns counted at 16, the rest at their widest text + padding
        return sum(16 if c in folds else width(c) + 2 for c in cols) + 1

    shown, caption = list(columns), None
    if rows and needed(shown) > console.width:
        blank = [c for c in shown if c in ("quantity", "stations", "change_pct")
                 and all(t[c] in ("", "0") for t in texts)]
        if blank:
            shown = [c for c in shown if c not in blank]
            caption = f"not shown, empty or 0 in every group: {', '.join(blank)} (--format csv has every column)"
    if rows and needed(shown) > console.width:
        keys = [c for c in shown if c not in ROW_NUMBERS]
        for t in texts:
            t["group"] = " · ".join(t[c] for c in keys if t[c])
        shown = ["group", *(c for c in shown if c in ROW_NUMBERS)]
        if needed(shown) > console.width:  # too narrow for any table: one block per group
            _render_blocks(console, texts, shown[1:], caption)
            return
    bar_width = min(24, console.width - needed(shown) - 4) if with_bars else 0
    table = Table(title="Spending", box=box.SIMPLE_HEAD, title_justify="left", caption=caption,
                  caption_justify="left", collapse_padding=True, pad_edge=False)
    for c in shown:
        label = LABELS.get(c, c)
        if c in folds:
            table.add_column(label, overflow="fold", ratio=1)
        else:
            table.add_column(label, justify="right" if c in numeric else "left", no_wrap=True, min_width=width(c))
    if bar_width >= 6:
        table.add_column("", no_wrap=True, style="cyan", min_width=bar_width)
    bar_texts = bars(rows, bar_width) if bar_width >= 6 else None
    for n, t in enumerate(texts):
        table.add_row(*(t[c] for c in shown), *([bar_texts[n]] if bar_texts else []))
    console.print(table)


ROW_NUMBERS = tuple(c for c in ROW_COLUMNS if c != "kind")  # a group's figures; the rest are its keys
LABELS = {"change_pct": "change"}  # table headers only; csv and json keep the column names


def _render_blocks(console, texts: list[dict], numbers: list[str], caption: str | None) -> None:
    """Each group as its keys in bold and its figures, labelled, packed onto the lines after (a figure is
    never split across lines)."""
    from rich.text import Text

    from ..render import print_block

    console.print(Text("Spending", style="italic"))
    for t in texts:
        print_block(console, t["group"] or "(all)", [f"{c} {t[c]}" for c in numbers if t[c]])
    if caption:
        console.print(Text(caption, style="dim"))


def _pct(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{'+' if value > 0 else ''}{value}%"
