"""`formats`: what the format registry can read (the names `--input-format` takes)."""

from __future__ import annotations

from ..formats import formats

COLUMNS = ["name", "kind", "description"]


def input_formats() -> list[dict[str, str]]:
    """One row per format of the registry, in detection order."""
    return [{"name": f.name, "kind": f.kind, "description": f.description} for f in formats()]


def format_names() -> list[str]:
    return [f.name for f in formats()]
