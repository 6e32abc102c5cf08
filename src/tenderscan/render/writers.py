"""``--format table|json|jsonl|csv``: one writer class per output format, chosen by :func:`writer_for`.

A writer writes rows all at once (:meth:`Writer.rows`: `list`, `search`, `stations`, `formats`,
`spending`) or tenders one at a time as they are read (:meth:`Writer.tender`, then :meth:`Writer.close`:
`show`, `fetch`). :func:`writer_for` maps every member of :class:`OutputFormat` to its class and ends with
``assert_never``: a type checker refuses a new member that has no writer, and :data:`RENDERERS`, built through
it at import, fails at once at run time.

To add a format: a member of :class:`OutputFormat`, a :class:`Writer` subclass, its branch in
:func:`writer_for`.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from enum import Enum
from typing import IO, Any, Sequence, assert_never

from ..models import Tender
from ..services.export.text_files import csv_writer
from .cells import when_text
from .console import out_console
from .csv_text import ITEM_COLUMNS, item_rows, write_csv, write_rows
from .json_text import dumps, json_document, tender_json, write_jsonl
from .rows import render_rows
from .tender import render_tender


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def default_format() -> OutputFormat:
    """table on a terminal, json in a pipe or a file."""
    return OutputFormat.table if sys.stdout.isatty() else OutputFormat.json


def resolve_format(fmt: OutputFormat | None) -> OutputFormat:
    return fmt or default_format()


class Writer(ABC):
    """One output format on ``out`` (default: stdout)."""

    streams = True  # tenders are written as they come (a progress bar is erased before each); JSON: at close

    def __init__(self, out: IO[str] | None = None, *, console=None):
        self.out = out if out is not None else sys.stdout

    @abstractmethod
    def rows(self, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str | None = None,
             right: Sequence[str] = (), minutes: Sequence[str] = ()) -> None:
        """Rows. ``title``, ``right`` (right-aligned columns) and ``minutes`` (ISO timestamps shown to the
        minute) shape the table; the other formats write every row as it is (JSON: a list of objects)."""

    @abstractmethod
    def tender(self, t: Tender) -> None:
        """One more tender."""

    def close(self, *, failed: bool = False) -> None:
        """The end of the tenders (``failed``: some input failed, so none read prints nothing at all)."""
        self.out.flush()


class TableWriter(Writer):
    """Tables laid out for the terminal (:mod:`tenderscan.render.layout`)."""

    def __init__(self, out: IO[str] | None = None, *, console=None):
        super().__init__(out)
        self.console = console if console is not None else out_console()

    def rows(self, rows, columns, *, title=None, right=(), minutes=()) -> None:
        if minutes:
            rows = [{**r, **{c: when_text(r.get(c)) for c in minutes}} for r in rows]
        render_rows(self.console, rows, columns, title=title, right=right)

    def tender(self, t: Tender) -> None:
        render_tender(self.console, t)


class JsonWriter(Writer):
    """Rows as a list of objects; tenders as one object, or an array for several (or none)."""

    streams = False

    def __init__(self, out: IO[str] | None = None, *, console=None):
        super().__init__(out)
        self.pieces: list[str] = []

    def rows(self, rows, columns, *, title=None, right=(), minutes=()) -> None:
        self.out.write(dumps(list(rows)))
        self.out.write("\n")

    def tender(self, t: Tender) -> None:
        self.pieces.append(tender_json(t))  # rendered now, while the next ones are read or fetched

    def close(self, *, failed: bool = False) -> None:
        if self.pieces or not failed:
            self.out.write(json_document(self.pieces))
        super().close()


class JsonlWriter(Writer):
    """One object per line."""

    def rows(self, rows, columns, *, title=None, right=(), minutes=()) -> None:
        write_jsonl(self.out, rows)

    def tender(self, t: Tender) -> None:
        write_jsonl(self.out, [t])


class CsvWriter(Writer):
    """A header and a row each; tenders as a row per item (the header with the first, so that a run that
    reads nothing prints none)."""

    def __init__(self, out: IO[str] | None = None, *, console=None):
        super().__init__(out)
        self._items = None

    def rows(self, rows, columns, *, title=None, right=(), minutes=()) -> None:
        write_csv(self.out, rows, columns)

    def tender(self, t: Tender) -> None:
        if self._items is None:
            self._items = csv_writer(self.out)
            self._items.writerow(ITEM_COLUMNS)
        write_rows(self._items, item_rows(t), ITEM_COLUMNS)


def writer_class(fmt: OutputFormat | str) -> type[Writer]:
    """The writer class of ``fmt``."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.table:
        return TableWriter
    elif fmt is OutputFormat.json:
        return JsonWriter
    elif fmt is OutputFormat.jsonl:
        return JsonlWriter
    elif fmt is OutputFormat.csv:
        return CsvWriter
    else:
        assert_never(fmt)


def writer_for(fmt: OutputFormat | str, out: IO[str] | None = None, *, console=None) -> Writer:
    """The writer of ``fmt`` on ``out`` (default stdout; ``console``: the table's, default one on stdout)."""
    return writer_class(fmt)(out, console=console)


# every member has a writer (tests/test_cli_basics.py); a member without one fails here, at import
RENDERERS: dict[OutputFormat, type[Writer]] = {f: writer_class(f) for f in OutputFormat}


def emit_rows(fmt: OutputFormat, rows: Sequence[dict[str, Any]], columns: Sequence[str], *,
              out: IO[str] | None = None, console=None, title: str | None = None, right: Sequence[str] = (),
              minutes: Sequence[str] = ()) -> None:
    """Rows in any --format (see :meth:`Writer.rows`), then stdout flushed. JSON is always a list of objects
    (scripts can rely on it)."""
    w = writer_for(fmt, out, console=console)
    w.rows(rows, columns, title=title, right=right, minutes=minutes)
    w.out.flush()
