"""`export`'s lines on stderr: what was written where, or why nothing was."""

from __future__ import annotations

from ..services.export.tables import ExportResult, is_stdout


def _where(result: ExportResult) -> str:
    return "standard output" if is_stdout(result.path) else str(result.path)


def written_line(result: ExportResult) -> str:
    return f"{result.rows} {result.table.value} rows written to {_where(result)} ({result.format.value})"


def not_written_line(result: ExportResult) -> str:
    """Why nothing was written, and that the target is as it was (or was not created)."""
    if is_stdout(result.path):
        return f"nothing written: {result.reason}"
    left = "was left as it was" if result.path.exists() else "was not created"
    return f"nothing written: {result.reason}; {result.path} {left}"
