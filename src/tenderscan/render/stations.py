"""`stations`' output: the stations found (a row per station and document), or the gazetteer."""

from __future__ import annotations

from typing import Any

from ..services.stations import ROW_COLUMNS, flat_row
from .writers import OutputFormat, emit_rows

TABLE_COLUMNS = ["name", "line", "line_number", "line_color", "mentions", "evidence", "document"]
GAZETTEER_COLUMNS = ["city", "name", "name_en", "line", "line_number", "line_color", "line_kind", "opened",
                     "line_opened", "former"]


def write_gazetteer(fmt: OutputFormat, rows: list[dict[str, Any]]) -> None:
    emit_rows(fmt, rows, GAZETTEER_COLUMNS, title=f"{len(rows)} stations (station, line pairs)")


def write_stations(fmt: OutputFormat, rows: list[dict[str, Any]]) -> None:
    """JSON and JSON Lines: every piece of evidence; CSV: the first; a table: the candidate lines of a
    station whose line is not known, and the document in the title when there is one."""
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        emit_rows(fmt, rows, ROW_COLUMNS)
        return
    if fmt is OutputFormat.csv:
        emit_rows(fmt, [flat_row(r) for r in rows], ROW_COLUMNS)
        return
    table = []
    for r in rows:
        flat = flat_row(r)
        if not flat["line"] and r.get("candidate_lines"):
            flat["line"] = " / ".join(r["candidate_lines"]) + " (?)"
        table.append(flat)
    columns, title = TABLE_COLUMNS, f"Stations ({len(rows)})"
    documents = {r["document"] for r in table}
    if len(documents) == 1:  # one document: named once in the title, not on every row
        columns, title = columns[:-1], f"{title} in {documents.pop()}"
    emit_rows(fmt, table, columns, title=title, right=("mentions",))
