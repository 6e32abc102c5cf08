"""Bulk ingest: files, folders and the portal's zip dumps into the store, streaming.

This process walks the inputs and writes: it lists each archive's members and checks them against the
zip-bomb caps of :func:`tenderscan.documents.inputs.iter_zip` without reading them, and hands each document
on as a :class:`~tenderscan.services.ingest_work.Unit` (names, not bytes). Whoever parses it (this process
with one job, else :mod:`.ingest_pool`'s workers too) reads it under the same caps, hashes it once, skips what
the store already holds (by the sha256 of the raw bytes, before parsing), parses, and gives back the store's
record of it with the raw bytes as stored (a dump member's own deflate bytes, or zlib). This process writes
them with :meth:`~tenderscan.store.db.Store.write`, one transaction per batch, one ``executemany`` per
table. Memory is bounded by the number of chunks in flight and the batch's size, whatever the number of
documents.

A large input whose format streams (an OCDS package of any size) is read here, a document at a time
(:mod:`.ingest_stream`).
"""

from __future__ import annotations

import os
import time
from typing import Callable, Iterable, Iterator

from .. import interrupt
from ..documents.inputs import Input, iter_inputs
from ..documents.parse import streams
from ..errors import TenderscanError
from ..store import Store
from ..store.records import Provenance, StoredDocument
from .ingest_pool import run_pool
from .ingest_stream import ingest_stream
from .ingest_work import Failed, Failure, IngestStats, Parsed, Result, Skipped, Unit, Worker, parse_unit

BATCH = int(os.environ.get("TENDERSCAN_INGEST_BATCH", "500"))  # documents per transaction
BATCH_SECONDS = 2.0  # ... or this long, whichever comes first
# ... or this many bytes of blobs and JSON held for it (about 125 notices), so the memory ingest holds does not
# depend on the documents' count or size: 500 documents would hold ~8 MB, growing peak RSS with the corpus
BATCH_BYTES = 1 << 20
# an input of a format that streams (OCDS) this large is read a document at a time, in the main process: read
# whole, its tenders and their rows would take some 6-9 times its size
STREAM_BYTES = int(os.environ.get("TENDERSCAN_INGEST_STREAM_MB", "2")) * 1024 * 1024


def _units(paths: Iterable[str], store: Store, stats: IngestStats,
           on_progress: Callable[[IngestStats], None] | None) -> Iterator[Unit | Input]:
    """The work, as this process lists it: archive members and files by name (read by whoever parses them),
    bytes only for what exists nowhere else (stdin), and large inputs of a streaming format as themselves
    (read here, one document at a time); inputs that fail before any reading are counted here."""
    for inp in iter_inputs(list(paths), lazy=True):  # no resolver: ingest reads paths, never stored IDs
        stats.seen += 1
        if inp.error is None and inp.data is None:
            if (inp.size or 0) >= STREAM_BYTES and _may_stream(inp) and streams(inp):
                yield inp
                continue
            if inp.index is not None:
                yield Unit(inp.name, inp.path, inp.member, inp.index)
                continue
            if inp.opener is not None and inp.path and inp.member is None and inp.url is None:
                yield Unit(inp.name, inp.path)
                continue
        try:
            data = inp.read()
        except TenderscanError as exc:
            exc.source = exc.source or inp.name
            stats.fail(inp.name, exc.one_line(), exc.exit_code)
            _tick(on_progress, stats)
            continue
        finally:
            inp.data = None  # nothing stays referenced once handed on
        yield Unit(inp.name, inp.path, inp.member, None, data)


def _may_stream(inp: Input) -> bool:
    """A file, or an archive member named as JSON (its first bytes are read to tell, which for a member means
    inflating it)."""
    if inp.member is None:
        return True
    return inp.member.lower().endswith((".json", ".jsonl", ".json.gz", ".jsonl.gz", ".ndjson"))


def _tick(on_progress: Callable[[IngestStats], None] | None, stats: IngestStats) -> None:
    if on_progress is not None:
        on_progress(stats)


class _Pending:
    """The records read and not yet written: written as one transaction when there are ``batch`` of them,
    ``BATCH_BYTES`` of blobs and JSON, or after ``BATCH_SECONDS``."""

    def __init__(self, store: Store, stats: IngestStats, batch: int) -> None:
        self.store, self.stats, self.batch = store, stats, batch
        self.documents: list[StoredDocument] = []
        self.bytes = 0
        self.last_commit = time.monotonic()

    def add(self, document: StoredDocument) -> None:
        self.documents.append(document)
        self.bytes += len(document.raw.data) + sum(len(p.doc.json) for p in document.prepared)  # type: ignore
        if (len(self.documents) >= self.batch or self.bytes >= BATCH_BYTES
                or time.monotonic() - self.last_commit >= BATCH_SECONDS):
            self.flush()

    def flush(self) -> None:
        if self.documents:
            self.stats.added += self.store.write(self.documents)
            self.stats.committed += len(self.documents)
            self.documents, self.bytes = [], 0
        self.last_commit = time.monotonic()


def ingest(paths: Iterable[str], *, store: Store, jobs: int = 1, batch: int = BATCH,
           on_progress: Callable[[IngestStats], None] | None = None,
           stats: IngestStats | None = None, debug: bool = False,
           origin: Provenance | None = None) -> IngestStats:
    """Load every document under ``paths`` into ``store``; bad inputs are counted and listed in
    ``stats.failures``, never raised. Re-ingesting the same files adds nothing.

    ``origin``: the paths are a temporary copy of an archive downloaded from there (the bulk service's: its
    URL, the request it answered, its sha256), which each document's provenance records instead of the
    temporary path (read in this process: ``jobs`` is 1).

    ``stats`` (given, it is filled as the ingest goes) tells, after an interruption (KeyboardInterrupt is
    raised on once what was read is committed), how many inputs are in the store (``committed``). With
    ``debug`` each failure carries its traceback (``Failure.detail``)."""
    stats = stats if stats is not None else IngestStats()
    pending = _Pending(store, stats, batch)

    def take(result: Result) -> None:
        interrupt.check()  # a Ctrl-C swallowed while the result was made: nothing of it is kept
        if isinstance(result, Parsed):
            stats.parsed += 1
            stats.bytes += result.size
            pending.add(result.document)
        elif isinstance(result, Skipped):
            stats.skipped += 1
            stats.committed += 1
            stats.bytes += result.size
        elif isinstance(result, Failed):
            stats.add_failure(result.failure)
            stats.bytes += result.size
        _tick(on_progress, stats)

    def streamed(inp: Input) -> None:
        pending.flush()  # what was read before it is committed first
        ingest_stream(inp, store, stats, batch=batch, max_bytes=BATCH_BYTES, on_progress=on_progress,
                      debug=debug, origin=origin)
        _tick(on_progress, stats)

    worker = Worker(store.has_raw, debug=debug, origin=origin)
    if origin is not None:
        jobs = 1

    def parse_here(unit: Unit) -> Result:
        return parse_unit(unit, worker)

    def here(unit: Unit | Input) -> None:
        if isinstance(unit, Input):
            streamed(unit)
        else:
            take(parse_here(unit))

    units = _units(paths, store, stats, on_progress)
    try:
        if jobs > 1:
            run_pool(units, jobs, take, str(store.path), here, parse_here, streamed, debug=debug)
        else:
            for unit in units:
                here(unit)
    except KeyboardInterrupt:
        try:  # what was read completely is kept: a rerun then starts after it
            pending.flush()
        finally:
            worker.close()
        raise
    finally:
        worker.close()
    pending.flush()
    return stats


__all__ = ["ingest", "IngestStats", "Failure"]
