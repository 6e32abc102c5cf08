"""`export`: one table of documents written to a file (CSV, XLSX, Parquet, JSON Lines) or to standard output.

The table's columns are in :mod:`.columns`, its rows in :mod:`.rows`, the writers in :mod:`.text_files` and
:mod:`.binary_files`. Files are written atomically (:mod:`.target`): into a temporary file in the target
folder, renamed over the target only once complete; a run that reads nothing leaves the target as it was.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from ...documents.batch import Failure, ReadOptions, read
from ...documents.redact import redacted
from ...errors import NotFoundError, UsageError
from ...models import Tender
from ...store import Store
from ...store.refs import StoreResolver
from .binary_files import write_parquet, write_xlsx
from .columns import COLUMNS, Col, FileFormat, Table
from .rows import table_rows
from .target import atomic_dir, atomic_path, check_target
from .text_files import write_csv, write_jsonl

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
    failures: list[Failure] = field(default_factory=list)  # the inputs that could not be read
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
            stream.flush()
            return result
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:  # held back until checked
            result.rows = _write_text(rows, cols, fmt, spool, excel=excel, delimiter=delimiter)
            check()
            spool.seek(0)
            shutil.copyfileobj(spool, stream)
        stream.flush()
        return result
    if fmt == FileFormat.parquet and partition_by:
        with atomic_dir(Path(path)) as tmp:
            result.rows = write_parquet(rows, cols, tmp, partition_by=partition_by)
            if check is not None:
                check()
        return result
    with atomic_path(Path(path)) as tmp:
        if fmt in (FileFormat.csv, FileFormat.jsonl):
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                result.rows = _write_text(rows, cols, fmt, fh, excel=excel, delimiter=delimiter)
        elif fmt == FileFormat.xlsx:
            result.rows = write_xlsx(rows, cols, tmp, sheet=table.value, warnings=result.warnings)
        else:
            result.rows = write_parquet(rows, cols, tmp)
        if check is not None:
            check()
    return result


def _write_text(rows: Iterable[dict[str, Any]], cols: tuple[Col, ...], fmt: FileFormat, fh: IO[str], *,
                excel: bool, delimiter: str | None) -> int:
    if fmt == FileFormat.jsonl:
        return write_jsonl(rows, cols, fh)
    if excel:
        fh.write("\ufeff")  # the BOM Excel reads UTF-8 by
    return write_csv(rows, cols, fh, excel=excel, delimiter=delimiter or ",")


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
        st = Store.open(store)  # before anything is read or written: no store is an error, none is made

        def stored() -> Iterator[Tender]:
            with st:
                yield from st.iter_tenders(latest=not all_versions)

        tenders: Iterator[Tender] = stored()
    else:
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
