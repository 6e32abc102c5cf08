"""`tenderscan formats`: what the format registry can read."""

from __future__ import annotations

import sys

from ..formats import formats
from ..render.text import OutputFormat, emit_rows
from .app import app, command, format_option, out_console, resolve_format


@app.command("formats")
@command
def formats_command(format: OutputFormat | None = format_option()) -> None:
    """List the input formats tenderscan detects (the names --input-format takes).

    Example:

        tenderscan formats --format json
    """
    rows = [{"name": f.name, "kind": f.kind, "description": f.description} for f in formats()]
    emit_rows(resolve_format(format), sys.stdout, rows, ["name", "kind", "description"],
              console=out_console(), title="Input formats")
