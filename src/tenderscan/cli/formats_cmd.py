"""`tenderscan formats`: what the format registry can read."""

from __future__ import annotations

from ..render.writers import OutputFormat, emit_rows, resolve_format
from .app import app, command
from .options import format_option


@app.command("formats")
@command
def formats_command(format: OutputFormat | None = format_option()) -> None:
    """List the input formats tenderscan detects (the names --input-format takes).

    Example:

        tenderscan formats --format json
    """
    from ..services.formats import COLUMNS, input_formats

    emit_rows(resolve_format(format), input_formats(), COLUMNS, title="Input formats")
