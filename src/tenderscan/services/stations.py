"""Stations of many sources: documents (files, folders, zips, stored IDs) and plain ``.txt`` texts.

Library code for ``tenderscan stations``: :func:`scan` yields one :class:`ScanResult` per document or text,
never prints; a source that cannot be read becomes a result with its error. :func:`gazetteer` is the other
mode of the command: every station tenderscan knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..documents.batch import Batch, Failure, ReadOptions
from ..documents.inputs import Input, Resolver, iter_inputs
from ..errors import ParseError, TenderscanError, UsageError
from ..models import Station
from ..stations import _city_id, annotate, city_conflict, document_texts, extract, gazetteer_rows
from ..store.refs import StoreResolver

TEXT_SUFFIXES = (".txt",)
ROW_COLUMNS = ["document", "name", "line", "line_number", "line_color", "city", "name_en", "candidate_lines",
               "mentions", "evidence_field", "evidence"]


@dataclass
class ScanResult:
    label: str  # document id (with version) or the text file's path
    stations: list[Station] = field(default_factory=list)
    failure: Failure | None = None
    input_name: str | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. the text names another city than --city

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass
class StationsReport:
    """The results of a scan gathered: a row per station and document, the failed inputs, the warnings."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inputs: int = 0

    @classmethod
    def of(cls, results: Iterable[ScanResult]) -> "StationsReport":
        report, names = cls(), set()
        for res in results:
            names.add(res.input_name)
            if not res.ok:
                report.failures.append(res.failure)
                continue
            report.warnings.extend(res.warnings)
            report.rows.extend(station_rows(res))
        report.inputs = len(names)
        return report


def gazetteer(city: str | None = None) -> list[dict[str, Any]]:
    """Every station and line of ``city`` (or of every city), one row per station and line."""
    return gazetteer_rows(city)


def scan(sources: list[str], *, city: str | None = None, options: ReadOptions | None = None,
         store: Path | None = None) -> Iterator[ScanResult]:
    """`tenderscan stations SOURCE...`: :func:`scan_sources` with the store (opened only for a stored ID,
    never created) closed once the results are read."""
    if not sources:
        raise UsageError("give at least one SOURCE (a document, folder, zip, stored ID or .txt file)",
                         hint="or --gazetteer to list the stations tenderscan knows")
    _city_id(city)  # an unknown city is a usage error before any reading
    return _scan(sources, city, options, store)


def _scan(sources, city, options, store) -> Iterator[ScanResult]:
    with StoreResolver(store) as resolver:
        yield from scan_sources(sources, city=city, options=options, resolver=resolver)


def scan_sources(sources: list[str], *, city: str | None = None, options: ReadOptions | None = None,
                 resolver: Resolver | None = None) -> Iterator[ScanResult]:
    """Stations of every SOURCE: ``.txt`` files are searched as text, anything else is read as documents."""
    _city_id(city)  # an unknown city is a usage error before any reading
    options = options or ReadOptions()
    for inp in iter_inputs(sources, resolver=resolver):
        if inp.error is None and not options.input_format and inp.name.lower().endswith(TEXT_SUFFIXES):
            yield _scan_text(inp, city, options.encoding)
        else:
            yield from _scan_documents(inp, city, options)


def _scan_text(inp: Input, city: str | None, encoding: str | None) -> ScanResult:
    try:
        text = decode_text(inp.read(), encoding)
    except TenderscanError as exc:
        return ScanResult(inp.name, failure=Failure.of(inp.name, exc), input_name=inp.name)
    conflict = city_conflict([text], city) if city else None
    return ScanResult(inp.name, extract(text, field=Path(inp.name).name, city=city), input_name=inp.name,
                      warnings=[f"{inp.name}: {conflict}"] if conflict else [])


def _scan_documents(inp: Input, city: str | None, options: ReadOptions) -> Iterator[ScanResult]:
    batch = Batch([inp], replace(options, stations=False))
    for doc in batch.documents():
        for t in doc.tenders:
            annotate(t, city=city)
            conflict = city_conflict(document_texts(t), city) if city else None
            yield ScanResult(t.label(), list(t.stations), input_name=inp.name,
                             warnings=[f"{t.label()}: {conflict}"] if conflict else [])
    for f in batch.failures:
        yield ScanResult(f.name, failure=f, input_name=f.name)


def decode_text(data: bytes, encoding: str | None = None) -> str:
    """A text file's content: the given encoding, else UTF-8 (with or without BOM), else cp1251."""
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
