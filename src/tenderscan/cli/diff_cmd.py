"""`tenderscan diff A B`: what changed between two tenders or two versions of one."""

from __future__ import annotations

from pathlib import Path

import typer

from ..render.diff import DiffFormat, write_diff
from .app import app, command
from .options import encoding_option, input_format_option, store_option


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
    from ..services.diff import diff_sources

    d = diff_sources(a, b, store=store, input_format=input_format, encoding=encoding)
    write_diff(format, d)
    if exit_code and d.differs:
        raise typer.Exit(1)
