"""Stations of many sources: documents (files, folders, zips, stored IDs) and plain ``.txt`` texts.

Library code for ``tenderscan stations``: yields one :class:`ScanResult` per document or text, never
prints; a source that cannot be read becomes a result with its error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParseError, TenderscanError
from ..models import Station

TEXT_SUFFIXES = (".txt",)
ROW_COLUMNS = ["document", "name", "line", "line_number", "line_color", "city", "name_en", "candidate_lines",
               "mentions", "evidence_field", "evidence"]


@dataclass
class ScanResult:
    label: str  # document id (with version) or the text file's path
    stations: list[Station] = field(default_factory=list)
    error: TenderscanError | None = None
    input_name: str | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. the text names another city than --city

    @property
    def ok(self) -> bool:
        return self.error is None


def scan_sources(sources: list[str], *, city: str | None = None, input_format: str | None = None,
                 encoding: str | None = None, store=None) -> Iterator[ScanResult]:
    """Stations of every SOURCE: ``.txt`` files are searched as text, anything else is read as documents."""
    from ..stations import _city_id

    _city_id(city)  # an unknown city is a usage error before any reading
    for src in sources:
        p = Path(src)
        if src != "-" and p.is_dir():
            found = False
            for f in _walk(p):
                found = True
                yield from _scan_path(str(f), city=city, input_format=input_format, encoding=encoding, store=store)
            if not found:  # an empty folder is an error, as in every command (issue 14)
                from ..documents.inputs import none_found

                yield ScanResult(src, error=none_found(src), input_name=src)
        else:
            yield from _scan_path(src, city=city, input_format=input_format, encoding=encoding, store=store)


def _walk(folder: Path) -> Iterator[Path]:
    from ..documents.inputs import DOC_SUFFIXES, SKIP_SUFFIXES

    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            low = name.lower()
            if name.startswith(".") or low.endswith(SKIP_SUFFIXES) or not low.endswith(DOC_SUFFIXES):
                continue
            yield Path(root) / name


def _scan_path(src: str, *, city, input_format, encoding, store) -> Iterator[ScanResult]:
    from ..stations import annotate, city_conflict, document_texts, extract

    if src.lower().endswith(TEXT_SUFFIXES) and Path(src).is_file() and not input_format:
        try:
            text = read_text(Path(src), encoding)
        except TenderscanError as exc:
            exc.source = exc.source or src
            yield ScanResult(src, error=exc, input_name=src)
            return
        conflict = city_conflict([text], city) if city else None
        yield ScanResult(src, extract(text, field=Path(src).name, city=city), input_name=src,
                         warnings=[f"{src}: {conflict}"] if conflict else [])
        return
    from ..documents.parse import read_sources

    for outcome in read_sources([src], input_format=input_format, encoding=encoding, store=store,
                                stations=False):
        if not outcome.ok:
            yield ScanResult(outcome.input.name, error=outcome.error, input_name=outcome.input.name)
            continue
        for t in outcome.tenders:
            annotate(t, city=city)
            conflict = city_conflict(document_texts(t), city) if city else None
            yield ScanResult(t.label(), list(t.stations), input_name=outcome.input.name,
                             warnings=[f"{t.label()}: {conflict}"] if conflict else [])


def read_text(path: Path, encoding: str | None = None) -> str:
    """A text file's content: the given encoding, else UTF-8 (with or without BOM), else cp1251."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}") from None
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ParseError(f"cannot decode the text as {encoding} ({exc})",
                             hint="try another --encoding, e.g. utf-8 or cp1251") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def station_rows(result: ScanResult) -> list[dict[str, Any]]:
    """One row per station of a result; ``evidence`` holds every piece, ``evidence_field``/``evidence``
    in flat formats the first."""
    rows = []
    for s in result.stations:
        row = {"document": result.label, **s.model_dump(mode="json")}
        row["mentions"] = len(s.evidence)
        rows.append(row)
    return rows


def flat_row(row: dict[str, Any]) -> dict[str, Any]:
    ev = row.get("evidence") or []
    out = {k: row.get(k) for k in ROW_COLUMNS}
    out["evidence_field"] = ev[0]["field"] if ev else None
    out["evidence"] = ev[0]["text"] if ev else None
    return out
