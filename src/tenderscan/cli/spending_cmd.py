"""`tenderscan spending`: spending compared across years, customers, categories."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ..render.console import info, warn
from ..render.writers import OutputFormat, resolve_format
from ..services.spending.query import BY_KEYS, KINDS, Query
from .app import app, command
from .batch import finish_batch
from .dataset import dataset_option, refuse_beside_dataset
from .options import (check_code_prefix, check_currency, check_suffix, encoding_option, format_option,
                      input_format_option, parse_day, store_option)

By = Enum("By", {k: k for k in BY_KEYS}, type=str)  # --by: year, customer, okpd2, region, kind, source
# --kind: the model's document kinds, the search feed's summaries (apart from notices), and `all`
KindChoice = Enum("KindChoice", {k: k for k in KINDS}, type=str)


@app.command("spending")
@command
def spending_command(
    ctx: typer.Context,
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
    dataset: Path | None = dataset_option("Read this Parquet dataset (written by `export --dataset`) instead of "
                                          "a store or SOURCEs."),
) -> None:
    """Sum documents by year (or customer, OKPD2 class, region, kind, source): count, amount, quantity of
    the matching items, distinct stations, change from the previous year. Notices (maximum prices) and
    contracts (prices) are never added together, nor are different currencies.

    Examples:

        tenderscan spending --topic surveillance --by year --by customer

        tenderscan spending fixtures/zakupki/ --by okpd2 --depth 2 --format json

        tenderscan spending --search "камеры видеонаблюдения" --currency USD --plot spending.png

        tenderscan spending --dataset country-2021/ --by year --by region
    """
    from ..render.plot import plot
    from ..render.spending import summaries_note, write_spending
    from ..services.spending.report import run

    q = Query(by=[b.value for b in by] if by else ["year"], depth=depth,
              kinds=[k.value for k in kind] if kind else None, search=search, okpd2=okpd2, customer=customer,
              date_from=parse_day(date_from, "--from"), date_to=parse_day(date_to, "--to"), topic=topic,
              topics_files=list(topics or []), currency=currency)
    if dataset is not None:
        from ..services.dataset.spending import report as dataset_report

        refuse_beside_dataset(ctx, sources, "store", "input_format", "encoding")
        report = dataset_report(dataset, q, store=store)
    else:
        report = run(list(sources or []), q, store=store, input_format=input_format, encoding=encoding)
    write_spending(resolve_format(format), report)
    if report.summaries_left_out:
        info(summaries_note(report.summaries_left_out))
    if plot_file is not None:
        drawn = plot(report.rows, report.by, plot_file)
        for note in drawn.notes:
            warn(f"plot: {note}")
        info(f"plot written to {drawn.path}")
    finish_batch(report.failures, total=report.inputs)
