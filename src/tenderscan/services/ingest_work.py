"""What ingest does with one raw document, in whichever process parses it: read, hash, skip what is stored,
parse, and turn it into the store's record (:class:`~tenderscan.store.records.StoredDocument`); and the
tally of a run, :class:`IngestStats`.

A :class:`Unit` names the document (a file, or a member of an archive on disk, by its index) or carries its
bytes (stdin); the result is :class:`Parsed`, :class:`Skipped` (the store holds these bytes already) or
:class:`Failed`, all plain data, cheap to send from a worker process to the one that writes.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Union

from .. import interrupt
from ..documents.batch import Failure
from ..documents.inputs import Input
from ..documents.parse import parse_input
from ..errors import ParseError, TenderscanError
from ..safety.archive import read_zip_member
from ..store import Store
from ..store.records import Provenance, RawBlob, StoredDocument
from ..store.rows import compress, prepare


@dataclass
class Unit:
    """One raw document to ingest: ``data`` is None when the worker reads it itself (a file at ``path``, or
    the member ``index`` of the archive at ``path``)."""

    name: str
    path: str | None
    member: str | None = None
    index: int | None = None
    data: bytes | None = None


@dataclass
class Parsed:
    """A document read and parsed: its record for the store, and how many bytes were read."""

    document: StoredDocument
    size: int


@dataclass
class Skipped:
    """A document whose raw bytes the store already holds (not parsed)."""

    size: int


@dataclass
class Failed:
    failure: Failure
    size: int  # bytes read before it failed


Result = Union[Parsed, Skipped, Failed]

MAX_FAILURES_KEPT = 1000


@dataclass
class IngestStats:
    seen: int = 0  # inputs read (documents or failed members)
    added: int = 0  # tenders newly stored
    parsed: int = 0  # inputs parsed
    skipped: int = 0  # inputs already in the store (same raw bytes)
    failed: int = 0
    committed: int = 0  # inputs whose documents are all in the store (committed now, or already stored)
    bytes: int = 0
    started: float = field(default_factory=time.monotonic)
    failures: list[Failure] = field(default_factory=list)

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    @property
    def rate(self) -> float:
        return self.seen / self.elapsed

    def fail(self, name: str, message: str, code: int = 3, detail: str | None = None) -> None:
        self.add_failure(Failure(name, message, code, detail))

    def add_failure(self, failure: Failure) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append(failure)


class Worker:
    """What one process keeps between units: the archive it reads (open until the next one), how it asks
    the store whether bytes are stored (its own connection), whether failures carry their traceback."""

    def __init__(self, has_raw: Callable[[str], bool] | None = None, *, debug: bool = False,
                 origin: Provenance | None = None) -> None:
        self.has_raw = has_raw
        self.debug = debug
        self.origin = origin  # where the archive being ingested came from (see :func:`provenance_of`)
        self.path: str | None = None
        self.zf: zipfile.ZipFile | None = None
        self.fh = None

    def read(self, path: str, member: str | None, index: int | None) -> tuple[bytes, tuple[str, bytes] | None]:
        """A file's bytes, or a zip member's, with its deflate bytes as the archive holds them when
        :func:`~tenderscan.safety.archive.read_zip_member` reads it straight from them, so a dump's documents
        are stored without being compressed again: the ``ingest`` target (benchmarks/run.py), 525 against
        723 µs of CPU a document in one process with the plain zipfile read and zlib (RESULTS.md)."""
        if index is None:
            try:
                with open(path, "rb") as fh:
                    return fh.read(), None
            except OSError as exc:
                raise ParseError(f"cannot read the file: {exc.strerror}") from None
        try:
            if path != self.path or self.zf is None:
                self.close()
                self.zf = zipfile.ZipFile(path)
                self.fh = open(path, "rb")  # noqa: SIM115 - kept open for the next members, closed by close()
                self.path = path
            data, deflated = read_zip_member(self.zf, index, member or "", raw=self.fh)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            self.close()
            raise ParseError(f"not a readable zip archive ({exc})", hint="download the archive again") from None
        except NotImplementedError as exc:  # zipfile: patched data, strong encryption
            raise ParseError(f"cannot read member: {exc}") from None
        return data, ("deflate", deflated) if deflated is not None else None

    def close(self) -> None:
        for f in (self.zf, self.fh):
            if f is not None:
                f.close()
        self.zf, self.fh, self.path = None, None, None


def error_detail(debug: bool) -> str | None:
    """With ``debug``, the traceback of the error being handled, with the one it was raised from."""
    if not debug:
        return None
    exc = sys.exc_info()[1]
    if exc is None:
        return None
    exc.__suppress_context__ = False
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def parse_unit(unit: Unit, worker: Worker) -> Result:
    """Read, hash, check and parse one raw document into its record (in a worker process, or inline)."""
    data, packed = unit.data, None
    try:
        if data is None:
            data, packed = worker.read(unit.path or "", unit.member, unit.index)
    except TenderscanError as exc:
        return Failed(failure_of(unit.name, exc, worker.debug), 0)
    sha = hashlib.sha256(data).hexdigest()
    if worker.has_raw is not None and worker.has_raw(sha):
        return Skipped(len(data))
    inp = Input(name=unit.name, path=unit.path, member=unit.member, size=len(data), data=data, digest=sha)
    where = provenance_of(unit.path, unit.member, worker.origin)
    try:
        tenders = parse_input(inp)
        for t in tenders:
            t.source.sha256 = sha
            if worker.origin is not None:  # a downloaded archive: its URL, not the temporary file's path
                t.source.path, t.source.url = None, where.url or None
                t.source.http_status = where.http_status
        prepared = [prepare(t, sha) for t in tenders]
    except Exception as exc:  # noqa: BLE001 - one bad document never stops a bulk load
        return Failed(failure_of(unit.name, exc, worker.debug), len(data))
    codec, blob = packed or compress(data)
    raw = RawBlob(sha, len(data), codec, blob)
    return Parsed(StoredDocument(raw, where, prepared), len(data))


def provenance_of(path: str | None, member: str | None, origin: Provenance | None = None) -> Provenance:
    """The provenance of a document read from ``path`` (and ``member``); with ``origin`` (an archive
    downloaded to a temporary file: the bulk service's), the archive's URL, request and sha256 instead of
    the path."""
    if origin is None:
        return Provenance(path=path or "", member=member or "")
    return Provenance(url=origin.url, member=member or origin.member, http_status=origin.http_status,
                      request=origin.request, archive_sha256=origin.archive_sha256)


def failure_of(name: str, exc: Exception, debug: bool) -> Failure:
    """The failure record of an error met reading the input ``name`` (called where it is handled): a
    TenderscanError's own line, a document nested too deeply, or an internal error (a bug: said so). A
    Ctrl-C that came back wrapped in the error is raised again, never counted as a bad document."""
    interrupt.check()
    if isinstance(exc, TenderscanError):
        exc.source = exc.source or name
        return Failure(name, exc.one_line(), exc.exit_code, error_detail(debug))
    if isinstance(exc, RecursionError):
        return Failure(name, f"{name}: document nested too deeply; refused", 3, error_detail(debug))
    return Failure(name, f"{name}: internal error {type(exc).__name__}: {exc}"[:300], 70, error_detail(debug))


# --- in a worker process ----------------------------------------------------------------------------------

_WORKER: Worker | None = None  # this process's, set by init_worker


def parse_chunk(units: list[Unit]) -> list[Result]:
    """A worker process's task."""
    assert _WORKER is not None, "init_worker runs first"
    return [parse_unit(u, _WORKER) for u in units]


def init_worker(parent: int, store_dir: str | None = None, debug: bool = False) -> None:
    """A worker process's start: it ends when the parent dies (even by SIGKILL) instead of lingering as an
    orphan, and opens the store read-only, to skip documents already stored before parsing them."""
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER = Worker(stored_checker(store_dir) if store_dir else None, debug=debug)

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def stored_checker(store_dir: str) -> Callable[[str], bool] | None:
    """``Store.has_raw`` on a read-only connection of this process's own; a store that cannot be read says
    "not stored" (the document is parsed then, and written at most once all the same)."""
    try:
        reader = Store.open_read_only(store_dir)
    except TenderscanError:
        return None

    def has_raw(sha256: str) -> bool:
        try:
            return reader.has_raw(sha256)
        except sqlite3.Error:
            return False

    return has_raw
