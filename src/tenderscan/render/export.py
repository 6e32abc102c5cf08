"""`export`'s lines on stderr: what was written where, or why nothing was."""

from __future__ import annotations

from ..services.export.tables import ExportResult, is_stdout


def _where(result: ExportResult) -> str:
    return "standard output" if is_stdout(result.path) else str(result.path)


def written_line(result: ExportResult) -> str:
    return f"{result.rows} {result.table.value} rows written to {_where(result)} ({result.format.value})"


def ocds_written_line(result) -> str:
    """``--table ocds``: releases and processes written (``result``: an ``OcdsFileResult``)."""
    return (f"{result.releases} releases of {result.processes} processes written to {_where(result)} "
            "(OCDS 1.1 release package)")


def ocds_skipped_lines(result) -> list[str]:
    """The documents left out of the package: one line per reason, with a first example."""
    reasons: dict[str, list[str]] = {}
    for s in result.skipped:
        reasons.setdefault(s.reason, []).append(s.source or s.document)
    return [f"{len(names)} document(s) left out ({reason}), e.g. {names[0]}" for reason, names in reasons.items()]


def not_written_line(result: ExportResult) -> str:
    """Why nothing was written, and that the target is as it was (or was not created)."""
    if is_stdout(result.path):
        return f"nothing written: {result.reason}"
    left = "was left as it was" if result.path.exists() else "was not created"
    return f"nothing written: {result.reason}; {result.path} {left}"
