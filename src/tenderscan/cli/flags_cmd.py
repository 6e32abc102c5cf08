"""`tenderscan flags`: red-flag indicators (Cardinal's and tenderscan's) over documents, the store or a
Parquet dataset."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ..render.console import info, warn
from .app import app, command
from .batch import finish_batch
from .dataset import dataset_option, refuse_beside_dataset
from .options import encoding_option, input_format_option, store_option


class FlagFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    cardinal = "cardinal"


class FlagBy(str, Enum):
    flag = "flag"
    customer = "customer"
    supplier = "supplier"


@app.command("flags")
@command
def flags_command(
    ctx: typer.Context,
    sources: list[str] = typer.Argument(
        None, metavar="[SOURCE...]",
        help="Files, folders, zip archives, OCDS packages or JSON Lines of compiled releases, `-`, stored IDs; "
             "none: every document in the store."),
    settings: Path | None = typer.Option(
        None, "--settings", "-s",
        help="Cardinal's settings file (INI): only the indicators it names run, with its thresholds."),
    indicator: list[str] = typer.Option(
        None, "--indicator", help="Only this indicator (R018, TS-SHORT-PERIOD...); repeatable."),
    by: FlagBy | None = typer.Option(
        None, "--by", "-b", case_sensitive=False,
        help="Count the flags per indicator (flag), per customer or per supplier instead of listing them."),
    format: FlagFormat | None = typer.Option(
        None, "--format", "-f", case_sensitive=False,
        help="table (default on a terminal), json (default otherwise), jsonl, csv, or cardinal: the object "
             "Cardinal's `indicators` command prints."),
    input_format: str | None = input_format_option(),
    encoding: str | None = encoding_option(),
    store: Path | None = store_option(),
    dataset: Path | None = dataset_option("Read the latest documents of this Parquet dataset (written by "
                                          "`export --dataset`) instead of a store or SOURCEs."),
) -> None:
    """Red flags: each indicator that a process or an organisation raised, with the values that raised it,
    the threshold and its source, and the documents it was read from. A flag is a question, not a verdict.

    Indicators: Cardinal's R003 (only with a settings file), R018, R024, R025, R028, R030, R035, R036, R038,
    R048, R058, and tenderscan's TS-SINGLE-ADMITTED, TS-SHORT-PERIOD (against the legal minimum),
    TS-NON-COMPETITIVE, TS-NOTICE-CHANGED, TS-PRICE-NEAR-MAX, TS-VALUE-GROWTH, TS-UNIT-PRICE,
    TS-CONCENTRATION, TS-SPLITTING (see the README).

    Examples:

        tenderscan flags fixtures/zakupki/

        tenderscan flags --by customer --format csv > flags.csv

        tenderscan flags releases.jsonl --settings settings.ini --format cardinal

        tenderscan flags --dataset country-2021/ --by customer
    """
    from ..render.flags import write_counts, write_flags
    from ..render.writers import resolve_format
    from ..services.flags import counts, run

    if by is not None and format is FlagFormat.cardinal:
        from ..errors import UsageError

        raise UsageError("--by counts flags and --format cardinal lists them as Cardinal does",
                         hint="drop one of the two")
    if dataset is not None:
        refuse_beside_dataset(ctx, sources, "store", "input_format", "encoding")
    report = run(list(sources or []), store=store, settings_file=settings, indicators=indicator or [],
                 input_format=input_format, encoding=encoding, dataset=dataset)
    for w in report.settings.warnings:
        warn(f"{settings}: {w}")
    fmt = format.value if format is FlagFormat.cardinal else resolve_format(
        None if format is None else format.value)
    if by is not None:
        write_counts(fmt, counts(report, by.value), by.value)
    else:
        write_flags(fmt, report, report.rows())
    reasons: dict[str, list[str]] = {}
    for s in report.skipped:  # one line per reason: a bulk dump can hold thousands of monthly reports
        reasons.setdefault(s.reason, []).append(s.source or s.document)
    for reason, names in reasons.items():
        info(f"{len(names)} document(s) left out ({reason}), e.g. {names[0]}")
    finish_batch(report.failures, total=report.inputs)
