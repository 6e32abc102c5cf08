"""Tables for spreadsheets, DuckDB and Spark: documents, items, parties, stations, attachments as CSV, XLSX,
Parquet or JSON Lines.

Every column has a type (:class:`Col`): ``id`` columns (registry numbers, INNs, codes) are text that must
stay text (leading zeros, 19-digit numbers); ``decimal`` columns are exact (Parquet decimal, XLSX number,
CSV text of the exact value). Files are written atomically: into a temporary file in the target folder,
renamed over the target only once complete.
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from ...errors import NotFoundError, UsageError
from .target import atomic_dir, atomic_path, check_target, sweep_leftovers  # noqa: F401 - re-exported
from ...models import Tender
from ..spending.frames import doc_date, fixed_amount, fixed_quantity, items_total

XLSX_CELL_LIMIT = 32767
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: cells that start a formula


class Table(str, Enum):
    documents = "documents"
    items = "items"
    parties = "parties"
    stations = "stations"
    attachments = "attachments"


class FileFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"
    jsonl = "jsonl"


@dataclass(frozen=True)
class Col:
    name: str
    type: str = "text"  # text | id | decimal | int | bool | date | datetime


def _cols(spec: str) -> tuple[Col, ...]:
    """``"id:id version title amount:decimal"`` -> columns."""
    out = []
    for part in spec.split():
        name, _, typ = part.partition(":")
        out.append(Col(name, typ or "text"))
    return tuple(out)


_DOC = "id:id version:id kind year:int"
COLUMNS: dict[Table, tuple[Col, ...]] = {
    Table.documents: _cols(
        f"{_DOC} law source_format title published:datetime signed:date submission_deadline:datetime method "
        "status customer_name customer_inn:id customer_id_scheme customer_kpp:id responsible_name "
        "responsible_inn:id responsible_role supplier_name supplier_inn:id supplier_id_scheme region "
        "region_source currency amount:decimal amount_basis quantity_undefined:bool items:int "
        "items_total:decimal stations:int attachments:int notice_id:id contract_id:id url source sha256"),
    Table.items: _cols(
        f"{_DOC} customer_inn:id item_no:int lot:id name code:id code_scheme quantity:decimal unit "
        "unit_code:id unit_price:decimal amount:decimal quantity_undefined:bool currency"),
    Table.parties: _cols(
        f"{_DOC} role role_code name short_name inn:id kpp:id ogrn:id reg_num:id id_scheme entity region "
        "country address"),
    Table.stations: _cols(
        f"{_DOC} station line line_number:id city candidate_lines evidence_field evidence"),
    Table.attachments: _cols(
        f"{_DOC} name url attachment_kind kind_name description size:int published:datetime content_id:id "
        "sha256"),
}


# --- rows ------------------------------------------------------------------------------------------------


def _base(t: Tender) -> dict[str, Any]:
    d = doc_date(t)
    return {"id": t.id, "version": t.version, "kind": t.kind.value, "year": d.year if d else None}


def table_rows(table: Table, tenders: Iterable[Tender]) -> Iterator[dict[str, Any]]:
    """The rows of one table, document after document."""
    for t in tenders:
        base = _base(t)
        if table == Table.documents:
            yield _document(t, base)
        elif table == Table.items:
            inn = t.customer.inn if t.customer else None
            for n, it in enumerate(t.items, 1):  # an item whose quantity is not fixed: a unit price, no amount
                yield {**base, "customer_inn": inn, "item_no": n, "lot": it.lot, "name": it.name, "code": it.code,
                       "code_scheme": it.code_scheme, "quantity": fixed_quantity(it), "unit": it.unit,
                       "unit_code": it.unit_code, "unit_price": it.unit_price, "amount": fixed_amount(it),
                       "quantity_undefined": it.quantity_undefined, "currency": it.currency or t.currency}
        elif table == Table.parties:
            yield from _parties(t, base)
        elif table == Table.stations:
            for s in t.stations:
                ev = s.evidence[0] if s.evidence else None
                yield {**base, "station": s.name, "line": s.line, "line_number": s.line_number, "city": s.city,
                       "candidate_lines": "; ".join(s.candidate_lines) or None,
                       "evidence_field": ev.field if ev else None, "evidence": ev.text if ev else None}
        else:
            for a in t.attachments:
                yield {**base, "name": a.name, "url": a.url, "attachment_kind": a.kind, "kind_name": a.kind_name,
                       "description": a.description, "size": a.size, "published": a.published,
                       "content_id": a.content_id, "sha256": a.sha256}


def _document(t: Tender, base: dict[str, Any]) -> dict[str, Any]:
    c, r, s = t.customer, t.responsible, t.supplier
    src = t.source.url or ((t.source.path or "") + (f"!{t.source.member}" if t.source.member else "")) or None
    return {**base, "law": t.law, "source_format": t.source_format, "title": t.title, "published": t.published,
            "signed": t.signed, "submission_deadline": t.submission_deadline, "method": t.method,
            "status": t.status, "customer_name": c.name if c else None, "customer_inn": c.inn if c else None,
            "customer_id_scheme": _scheme(c), "customer_kpp": c.kpp if c else None,
            "responsible_name": r.name if r else None, "responsible_inn": r.inn if r else None,
            "responsible_role": t.responsible_role or (r.role_code if r else None),
            "supplier_name": s.name if s else None, "supplier_inn": s.inn if s else None,
            "supplier_id_scheme": _scheme(s), "region": t.region or (c.region if c else None),
            "region_source": t.extra.get("region_source") if t.region else ("customer.region" if c and c.region
                                                                            else None),
            "currency": t.currency, "amount": t.amount, "amount_basis": t.amount_basis,
            "quantity_undefined": t.quantity_undefined or any(it.quantity_undefined for it in t.items),
            "items": len(t.items), "items_total": items_total(t), "stations": len(t.stations),
            "attachments": len(t.attachments), "notice_id": t.notice_id, "contract_id": t.contract_id, "url": t.url,
            "source": src, "sha256": t.source.sha256}


def _scheme(o) -> str | None:
    """The scheme of an organisation's identifier (``inn``): RU-INN for a Russian one, else as published."""
    if o is None or not o.inn:
        return None
    return o.id_scheme or "RU-INN"


def _parties(t: Tender, base: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per organisation: ``role`` from the one vocabulary of :mod:`tenderscan.documents.roles` (customer,
    responsible, supplier, participant), the source's own code in ``role_code``."""
    from ...documents.roles import CUSTOMER, PARTICIPANT, RESPONSIBLE, SUPPLIER

    orgs = [(CUSTOMER, t.customer, None), (RESPONSIBLE, t.responsible, t.responsible_role)]
    orgs += [(SUPPLIER, s, None) for s in t.suppliers]
    orgs += [(PARTICIPANT, a.participant, None) for a in t.applications]
    for role, o, code in orgs:
        if o is None or not (o.name or o.inn or o.short_name):
            continue
        raw = o.role_code or (o.role if o.role and o.role != role else None) or code
        yield {**base, "role": role, "role_code": raw, "name": o.name, "short_name": o.short_name, "inn": o.inn,
               "kpp": o.kpp, "ogrn": o.ogrn, "reg_num": o.reg_num, "id_scheme": _scheme(o), "entity": o.entity,
               "region": o.region, "country": o.country, "address": o.address}


# --- writers ------------------------------------------------------------------------------------------------

STDOUT = "-"  # --output -: the text formats go to standard output
TEXT_FORMATS = frozenset({"csv", "jsonl"})


def is_stdout(path: Path | str) -> bool:
    return str(path) == STDOUT


@dataclass
class ExportResult:
    path: Path
    table: Table
    format: FileFormat
    rows: int = 0
    warnings: list[str] = field(default_factory=list)
    failures: list = field(default_factory=list)  # documents.batch.Failure records of inputs that failed
    inputs: int = 0
    written: bool = True  # False: the target was not created or replaced (see `reason`)
    reason: str | None = None


def format_for(path: Path | str, fmt: FileFormat | None) -> FileFormat:
    if fmt is not None:
        return FileFormat(fmt)
    if is_stdout(path):
        return FileFormat.csv
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        return FileFormat(suffix)
    except ValueError:
        raise UsageError(f"cannot tell the format from {Path(path).name!r}",
                         hint="name the file .csv, .xlsx, .parquet or .jsonl, or give --format") from None


def check_options(table: Table, path: Path | str, fmt: FileFormat | None = None, *, excel: bool = False,
                  delimiter: str | None = None, partition_by: str | None = None, force: bool = False) -> FileFormat:
    """Everything about an export that can be wrong before any input is read (the format, the options that
    go with it, the target); returns the format."""
    table = Table(table)
    fmt = format_for(path, fmt)
    if (excel or delimiter) and fmt != FileFormat.csv:
        raise UsageError("--excel and --delimiter apply to CSV only", hint="drop them, or write a .csv file")
    if partition_by and fmt != FileFormat.parquet:
        raise UsageError("--partition-by applies to Parquet only", hint="write a .parquet dataset")
    if partition_by and partition_by not in {c.name for c in COLUMNS[table]}:
        raise UsageError(f"no column {partition_by!r} in the {table.value} table", hint="use --partition-by year")
    if delimiter is not None and len(delimiter) != 1:
        raise UsageError(f"the delimiter must be one character, not {delimiter!r}", hint="e.g. --delimiter ';'")
    if is_stdout(path):
        if fmt.value not in TEXT_FORMATS:
            raise UsageError(f"--output - writes text to standard output, and {fmt.value} is a binary format "
                             "that needs a file", hint=f"write it to a file, e.g. -o {table.value}.{fmt.value}")
    else:
        check_target(Path(path), folder=bool(partition_by), force=force)
    return fmt


class _Discard(Exception):
    """Raised by a ``check`` to leave the target as it was."""


def export(tenders: Iterable[Tender], table: Table, path: Path | str, *, fmt: FileFormat | None = None,
           excel: bool = False, delimiter: str | None = None, partition_by: str | None = None,
           force: bool = False, stream: IO[str] | None = None,
           check: Callable[[], None] | None = None) -> ExportResult:
    """Write one table of the tenders to ``path`` (atomically) and say how many rows and what warnings.

    ``path`` ``-`` writes a text format (CSV, JSON Lines) to ``stream`` instead. ``check`` is called once
    every row is written, before the file takes the target's place (or, for a stream, before anything is
    sent to it): when it raises, the target is left as it was and the error goes on up."""
    from ...render import files as w

    table = Table(table)
    fmt = check_options(table, path, fmt, excel=excel, delimiter=delimiter, partition_by=partition_by, force=force)
    cols = COLUMNS[table]
    result = ExportResult(Path(path), table, fmt)
    rows = table_rows(table, tenders)
    if is_stdout(path):
        if stream is None:
            raise UsageError("--output - needs a stream to write to")
        if check is None:
            result.rows = _write_text(rows, cols, fmt, stream, excel=excel, delimiter=delimiter)
            return result
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:  # held back until checked
            result.rows = _write_text(rows, cols, fmt, spool, excel=excel, delimiter=delimiter)
            check()
            spool.seek(0)
            shutil.copyfileobj(spool, stream)
        return result
    if fmt == FileFormat.parquet and partition_by:
        with atomic_dir(Path(path)) as tmp:
            result.rows = w.write_parquet(rows, cols, tmp, partition_by=partition_by)
            if check is not None:
                check()
        return result
    with atomic_path(Path(path)) as tmp:
        if fmt in (FileFormat.csv, FileFormat.jsonl):
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                result.rows = _write_text(rows, cols, fmt, fh, excel=excel, delimiter=delimiter)
        elif fmt == FileFormat.xlsx:
            result.rows = w.write_xlsx(rows, cols, tmp, sheet=table.value, warnings=result.warnings)
        else:
            result.rows = w.write_parquet(rows, cols, tmp)
        if check is not None:
            check()
    return result


def _write_text(rows: Iterable[dict[str, Any]], cols: tuple[Col, ...], fmt: FileFormat, fh: IO[str], *,
                excel: bool, delimiter: str | None) -> int:
    from ...render import files as w

    if fmt == FileFormat.jsonl:
        return write_jsonl(rows, cols, fh)
    if excel:
        fh.write("\ufeff")  # the BOM Excel reads UTF-8 by
    return w.write_csv(rows, cols, fh, excel=excel, delimiter=delimiter or ",")


def write_jsonl(rows: Iterable[dict[str, Any]], cols: tuple[Col, ...], fh: IO[str]) -> int:
    n = 0
    for r in rows:
        fh.write(json.dumps({c.name: _json(r.get(c.name)) for c in cols}, ensure_ascii=False))
        fh.write("\n")
        n += 1
    return n


def _json(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def export_sources(sources: list[str], table: Table, path: Path | str, *, store: Path | None = None,
                   input_format: str | None = None, encoding: str | None = None, all_versions: bool = False,
                   redact_contacts: bool = False, strict: bool = False, **kw: Any) -> ExportResult:
    """`tenderscan export` as one call: SOURCE arguments (or, with none, the whole store: the latest version
    of each document unless ``all_versions``) to one file. Documents are streamed; an input that cannot be
    read is listed in ``failures`` and skipped.

    The target is never created or replaced when no input could be read (``written`` False, with the
    ``reason``), nor, with ``strict``, when any input failed. The options and the target are checked before
    any input is read; a store that does not exist is an error (none is created)."""
    check_options(Table(table), path, kw.get("fmt"), excel=kw.get("excel", False), delimiter=kw.get("delimiter"),
                  partition_by=kw.get("partition_by"), force=kw.get("force", False))
    batch = None
    if not sources:
        from ...store import Store

        st = Store.open(store)  # before anything is read or written: no store is an error, none is made

        def stored() -> Iterator[Tender]:
            with st:
                yield from st.iter_tenders(latest=not all_versions)

        tenders: Iterator[Tender] = stored()
    else:
        from ...documents.batch import ReadOptions, read
        from ...store.refs import StoreResolver

        resolver = StoreResolver(store)
        batch = read(sources, resolver=resolver, options=ReadOptions(input_format=input_format, encoding=encoding))
        tenders = _closing(iter(batch), resolver)
    failures = batch.failures if batch is not None else []
    first = next(tenders, None)  # nothing read: the target is not touched (the rest is streamed)
    if first is None:
        if not sources:
            raise NotFoundError(f"no documents in the store at {st.path}", hint="load some with `tenderscan "
                                "ingest PATH` or `tenderscan fetch ID`; nothing written")
        result = ExportResult(Path(path), Table(table), format_for(path, kw.get("fmt")), written=False,
                              reason="no input could be read")
        result.failures, result.inputs = failures, batch.inputs if batch is not None else 0
        return result
    rows: Iterable[Tender] = itertools.chain([first], tenders)
    if redact_contacts:  # contact persons' names, e-mails and phones left out (see tenderscan.documents.redact)
        from ...documents.redact import redacted

        rows = redacted(rows)

    def all_read() -> None:
        if failures:
            raise _Discard()

    try:
        result = export(rows, table, path, check=all_read if strict else None, **kw)
    except _Discard:
        result = ExportResult(Path(path), Table(table), format_for(path, kw.get("fmt")), written=False,
                              reason=f"{len(failures)} of {batch.inputs} inputs could not be read (--strict)")
    result.failures, result.inputs = failures, batch.inputs if batch is not None else 0
    return result


def _closing(tenders: Iterator[Tender], resolver) -> Iterator[Tender]:
    """The tenders, with the store the resolver opened closed once they are read."""
    try:
        yield from tenders
    finally:
        resolver.close()
