"""`tenderscan profile INN`: a customer or supplier across the store (or the documents given, or a Parquet
dataset)."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

import typer

from .app import app, command
from .batch import finish_batch
from .dataset import dataset_option, refuse_beside_dataset
from .options import encoding_option, input_format_option, store_option


class ProfileFormat(str, Enum):
    table = "table"
    json = "json"


def check_inn(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"\d{10}|\d{12}", value):
        raise typer.BadParameter(f"{value!r} is not an INN: 10 digits (an organisation) or 12 (a sole trader "
                                 "or a person)")
    return value


@app.command("profile")
@command
def profile_command(
    ctx: typer.Context,
    inn: str = typer.Argument(..., metavar="INN", callback=check_inn,
                              help="The customer's or supplier's INN (10 digits; 12 for a sole trader)."),
    sources: list[str] = typer.Argument(
        None, metavar="[SOURCE...]",
        help="Files, folders, zip archives, `-`, stored IDs; none: every document in the store."),
    settings: Path | None = typer.Option(
        None, "--settings", "-s", help="Cardinal's settings file (INI) for the flags (as `tenderscan flags`)."),
    format: ProfileFormat | None = typer.Option(
        None, "--format", "-f", case_sensitive=False,
        help="table (default on a terminal) or json (default otherwise): one object."),
    input_format: str | None = input_format_option(),
    encoding: str | None = encoding_option(),
    store: Path | None = store_option(),
    dataset: Path | None = dataset_option("Read the latest documents of this Parquet dataset (written by "
                                          "`export --dataset`) instead of a store or SOURCEs."),
) -> None:
    """A customer or supplier: the documents that name it and its contracts' money by year, its top
    counterparties and their shares, the processes it won with a single bid, and the flags raised on it or
    on its processes. An INN no document names is an error (exit 4).

    Examples:

        tenderscan profile 7723806652

        tenderscan profile 0105018196 fixtures/zakupki/ --format json

        tenderscan profile 7723806652 --dataset country-2021/
    """
    from ..render.profile import write_profile
    from ..render.writers import resolve_format
    from ..services.profile import run

    if dataset is not None:
        refuse_beside_dataset(ctx, sources, "store", "input_format", "encoding")
    p = run(inn, list(sources or []), store=store, settings_file=settings, input_format=input_format,
            encoding=encoding, dataset=dataset)
    fmt = resolve_format(None) if format is None else format.value
    write_profile("json" if fmt == "json" else fmt, p)
    finish_batch(p.failures, total=p.inputs)
