"""Bulk ingest: files, folders and the portal's zip dumps into the store, streaming.

The main process walks the inputs and writes: it lists each archive's members and checks them against the
zip-bomb caps of :func:`tenderscan.documents.inputs.iter_zip` without reading them, and sends ``(archive, member,
index)`` in chunks to ``jobs - 1`` worker processes (it parses a chunk itself when they have enough queued).
A worker reads the member itself (under the same caps), hashes it once, skips what the store already holds
(by the sha256 of the raw bytes, on its own read-only connection, before parsing), parses, and sends back
plain table rows with the raw bytes as stored (a dump member's own deflate bytes, or zlib). The main process
writes them one ``executemany`` per table per transaction. Memory is bounded by the number of chunks in
flight, whatever the number of documents.

A large input whose format streams (an OCDS package of any size) is read here, a document at a time, never
whole: its tenders are committed a batch at a time, and its raw bytes (hashed and compressed as a stream into
a temporary file) with the last batch, so ``has_raw`` is true only once all of them are stored; memory stays
flat whatever the package's size. Interrupted midway, a rerun stores the rest (the tenders already stored are
kept once: same id, version and sha256).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import time
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..errors import ParseError, TenderscanError
from ..documents.batch import Failure
from ..documents.inputs import Input, iter_inputs
from ..safety.archive import read_zip_member
from ..store.db import DB_NAME, Store
from ..store.rows import COMPRESS_LEVEL, Prepared, compress, prepare

CHUNK = 32  # documents per task sent to a worker
BATCH = int(os.environ.get("TENDERSCAN_INGEST_BATCH", "500"))  # documents per transaction
BATCH_SECONDS = 2.0  # ... or this long, whichever comes first
# ... or this many bytes of blobs and JSON held for it (about 125 notices), so the memory ingest holds does not
# depend on the documents' count or size: 500 documents would hold ~8 MB, growing peak RSS with the corpus
BATCH_BYTES = 1 << 20
MAX_FAILURES_KEPT = 1000
# an input of a format that streams (OCDS) this large is read a document at a time, in the main process: read
# whole, its tenders and their rows would take some 6-9 times its size
STREAM_BYTES = int(os.environ.get("TENDERSCAN_INGEST_STREAM_MB", "2")) * 1024 * 1024


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
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append(Failure(name, message, code, detail))


# a unit of work: (name, path, zip member, the member's index in its archive, raw bytes); the bytes are None
# when the worker reads them itself (a file, or a member of an archive on disk)
Unit = tuple[str, str | None, str | None, int | None, bytes | None]
# a result: ("ok", sha, size, codec, stored bytes, (path, member, name), [Prepared]), ("skip", size) for bytes
# the store already holds, or ("error", name, message, exit code, size read)


class _Worker:
    """What one process keeps between units: the archive it reads (open until the next one) and its
    connection to the store, to skip what is already stored."""

    def __init__(self, has_raw: Callable[[str], bool] | None = None) -> None:
        self.has_raw = has_raw
        self.path: str | None = None
        self.zf: zipfile.ZipFile | None = None
        self.fh = None

    def read(self, path: str, member: str | None, index: int | None) -> tuple[bytes, tuple[str, bytes] | None]:
        """A file's bytes, or a zip member's (with its deflate bytes as the archive holds them, if any, so a
        dump's documents are stored without being compressed again)."""
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


_WORKER: _Worker | None = None  # this process's, set by _worker_init in a pool (or made on first use)
_DEBUG = False  # failures carry their traceback (ingest(debug=True); workers get it from _worker_init)


def _detail() -> str | None:
    """The traceback of the error being handled, with the one it was raised from (debug only)."""
    if not _DEBUG:
        return None
    import sys
    import traceback

    exc = sys.exc_info()[1]
    if exc is None:
        return None
    exc.__suppress_context__ = False
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def parse_unit(unit: Unit, worker: _Worker | None = None) -> tuple:
    """Read, hash, check and parse one raw document into rows (in a worker process, or inline with one job)."""
    global _WORKER
    from ..documents.parse import parse_input

    if worker is None:
        worker = _WORKER = _WORKER or _Worker()
    name, path, member, index, data = unit
    packed = None
    try:
        if data is None:
            data, packed = worker.read(path or "", member, index)
    except TenderscanError as exc:
        exc.source = exc.source or name
        return ("error", name, exc.one_line(), exc.exit_code, 0, _detail())
    sha = hashlib.sha256(data).hexdigest()
    if worker.has_raw is not None and worker.has_raw(sha):
        return ("skip", len(data))
    inp = Input(name=name, path=path, member=member, size=len(data), data=data, digest=sha)
    try:
        tenders = parse_input(inp)
        for t in tenders:
            t.source.sha256 = sha
        prepared = [prepare(t, sha) for t in tenders]
    except TenderscanError as exc:
        exc.source = exc.source or name
        return ("error", name, exc.one_line(), exc.exit_code, len(data), _detail())
    except RecursionError:
        return ("error", name, f"{name}: document nested too deeply; refused", 3, len(data), _detail())
    except Exception as exc:  # noqa: BLE001 - one bad document never stops a bulk load
        return ("error", name, f"{name}: internal error {type(exc).__name__}: {exc}"[:300], 70, len(data),
                _detail())
    codec, blob = packed or compress(data)
    return ("ok", sha, len(data), codec, blob, (path or "", member or "", name), prepared)


def parse_chunk(units: list[Unit]) -> list[tuple]:
    return [parse_unit(u) for u in units]


def _units(paths: Iterable[str], store: Store, stats: IngestStats,
           on_progress: Callable[[IngestStats], None] | None) -> Iterator[Unit | Input]:
    """The work, as the parent lists it: archive members and files by name (read by the workers), bytes only
    for what exists nowhere else (stdin), and large inputs of a streaming format as themselves (read here,
    one document at a time); inputs that fail before any reading are counted here."""
    from ..documents.parse import streams

    for inp in iter_inputs(list(paths), lazy=True):  # no resolver: ingest reads paths, never stored IDs
        stats.seen += 1
        if inp.error is None and inp.data is None:
            if (inp.size or 0) >= STREAM_BYTES and _may_stream(inp) and streams(inp):
                yield inp
                continue
            if inp.index is not None:
                yield (inp.name, inp.path, inp.member, inp.index, None)
                continue
            if inp.opener is not None and inp.path and inp.member is None and inp.url is None:
                yield (inp.name, inp.path, None, None, None)
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
        yield (inp.name, inp.path, inp.member, None, data)


def _may_stream(inp: Input) -> bool:
    """A file, or an archive member named as JSON (its first bytes are read to tell, which for a member means
    inflating it)."""
    if inp.member is None:
        return True
    return inp.member.lower().endswith((".json", ".jsonl", ".json.gz", ".jsonl.gz", ".ndjson"))


def _tick(on_progress, stats) -> None:
    if on_progress is not None:
        on_progress(stats)


def ingest(paths: Iterable[str], *, store: Store, jobs: int = 1, batch: int = BATCH,
           on_progress: Callable[[IngestStats], None] | None = None,
           stats: IngestStats | None = None, debug: bool = False) -> IngestStats:
    """Load every document under ``paths`` into ``store``; bad inputs are counted and listed in
    ``stats.failures``, never raised. Re-ingesting the same files adds nothing.

    ``stats`` (given, it is filled as the ingest goes) tells, after an interruption (KeyboardInterrupt is
    raised on once what was read is committed), how many inputs are in the store (``committed``). With
    ``debug`` each failure carries its traceback (``Failure.detail``)."""
    global _DEBUG
    _DEBUG = debug
    stats = stats if stats is not None else IngestStats()
    pending: list[tuple] = []
    pending_bytes = 0
    last_commit = time.monotonic()

    def flush() -> None:
        nonlocal pending, pending_bytes, last_commit
        if pending:
            stats.added += store.add_batch(
                (sha, size, codec, blob, ("", path, member, None), prepared)
                for sha, size, codec, blob, (path, member, _name), prepared in pending)
            stats.committed += len(pending)
            pending, pending_bytes = [], 0
        last_commit = time.monotonic()

    def take(result: tuple) -> None:
        nonlocal pending_bytes
        what = result[0]
        if what == "ok":
            stats.parsed += 1
            stats.bytes += result[2]
            pending.append(result[1:])
            pending_bytes += len(result[4]) + sum(len(p[0][-1]) for p in result[6])
            if (len(pending) >= batch or pending_bytes >= BATCH_BYTES
                    or time.monotonic() - last_commit >= BATCH_SECONDS):
                flush()
        elif what == "skip":
            stats.skipped += 1
            stats.committed += 1
            stats.bytes += result[1]
        else:
            stats.fail(result[1], result[2], result[3], result[5])
            stats.bytes += result[4]
        _tick(on_progress, stats)

    def streamed(inp: Input) -> None:
        flush()  # what was read before it is committed first
        ingest_stream(inp, store, stats, batch=batch, on_progress=on_progress)
        _tick(on_progress, stats)

    units = _units(paths, store, stats, on_progress)
    worker = _Worker(store.has_raw)

    def here(unit: Unit | Input) -> None:
        if isinstance(unit, Input):
            streamed(unit)
        else:
            take(parse_unit(unit, worker))

    try:
        if jobs > 1:
            # the first document is read here: the formats, stations and every other lazy import are then
            # loaded once, before the workers are forked, instead of once in each of them
            _warm()
            for unit in units:
                here(unit)
                break
            _run_pool(units, jobs, take, str(store.path / DB_NAME), lambda u: parse_unit(u, worker), streamed,
                      debug)
        else:
            for unit in units:
                here(unit)
    except KeyboardInterrupt:
        try:  # what was read completely is kept: a rerun then starts after it
            flush()
        finally:
            worker.close()
        raise
    finally:
        worker.close()
    flush()
    return stats


def ingest_stream(inp: Input, store: Store, stats: IngestStats, *, batch: int = BATCH,
                  on_progress: Callable[[IngestStats], None] | None = None) -> None:
    """One large input of a streaming format, in this process: hashed (skipped when stored), its tenders
    committed a batch at a time as they are read, then its raw bytes with the last batch. A failure midway
    leaves the tenders committed before it (they are valid documents; the input is listed as failed)."""
    from ..documents.parse import parse_input

    name = inp.name
    written = 0
    try:
        sha, size = _digest(inp)
        if store.has_raw(sha):
            stats.skipped += 1
            stats.committed += 1
            stats.bytes += size
            return
        inp.digest = sha
        with tempfile.TemporaryFile(dir=store.path, prefix=".ingest-") as packed:
            held: list[Prepared] = []
            held_bytes = 0
            for t in parse_input(inp, lazy=True):
                t.source.sha256 = sha
                p = prepare(t, sha)
                held.append(p)
                held_bytes += len(p.doc[-1])
                if len(held) >= batch or held_bytes >= BATCH_BYTES:
                    stats.added += store.add_documents(held)
                    written += len(held)
                    held, held_bytes = [], 0
                    _tick(on_progress, stats)
            length = _pack(inp, packed)
            stats.added += store.add_large_raw(sha, size, "zlib", packed, length,
                                               ("", inp.path or "", inp.member or "", None), held)
    except TenderscanError as exc:
        exc.source = exc.source or name
        kept = f" ({written} of its documents were stored before it)" if written else ""
        stats.fail(name, exc.one_line() + kept, exc.exit_code, _detail())
        return
    except RecursionError:
        stats.fail(name, f"{name}: document nested too deeply; refused", 3, _detail())
        return
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - one bad document never stops a bulk load
        stats.fail(name, f"{name}: internal error {type(exc).__name__}: {exc}"[:300], 70, _detail())
        return
    stats.parsed += 1
    stats.committed += 1
    stats.bytes += size


def _chunks_of(inp: Input) -> Iterator[bytes]:
    try:
        with inp.open() as fh:
            yield from iter(lambda: fh.read(1 << 20), b"")
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}") from None


def _digest(inp: Input) -> tuple[str, int]:
    """The raw bytes' sha256 and size, read as a stream."""
    h = hashlib.sha256()
    size = 0
    for chunk in _chunks_of(inp):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def _pack(inp: Input, out) -> int:
    """The raw bytes, zlib-compressed as a stream into ``out``; returns the compressed length."""
    z = zlib.compressobj(COMPRESS_LEVEL)
    length = 0
    for chunk in _chunks_of(inp):
        packed = z.compress(chunk)
        out.write(packed)
        length += len(packed)
    tail = z.flush()
    out.write(tail)
    out.flush()
    return length + len(tail)


def _warm() -> None:
    """Every format module imported (the enrichment's are, with this module) before workers are forked."""
    from ..formats import formats

    formats()


def _chunks(units: Iterator[Unit | Input], size: int) -> Iterator[list[Unit] | Input]:
    """Units in chunks for the workers; an input streamed here comes alone, between them."""
    chunk: list[Unit] = []
    for u in units:
        if isinstance(u, Input):
            if chunk:
                yield chunk
                chunk = []
            yield u
            continue
        chunk.append(u)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _worker_init(parent: int, db: str | None = None, debug: bool = False) -> None:
    """Workers end when the parent dies (even by SIGKILL), instead of lingering as orphans. Each opens the
    store read-only, to skip documents already stored before parsing them."""
    global _WORKER, _DEBUG
    import signal
    import threading

    _DEBUG = debug
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER = _Worker(_reader(db) if db else None)

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _reader(db: str) -> Callable[[str], bool] | None:
    """``Store.has_raw`` on a read-only connection of this process's own."""
    try:
        conn = sqlite3.connect(db, timeout=60, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error:
        return None  # every document is parsed then; the store's keys still keep each one once

    def has_raw(sha256: str) -> bool:
        try:
            row = conn.execute("SELECT role FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
        except sqlite3.Error:
            return False  # parsed then, and written at most once all the same
        return row is not None and row[0] == "document"

    return has_raw


def _run_pool(units: Iterator[Unit | Input], jobs: int, take: Callable[[tuple], None], db: str,
              here: Callable[[Unit], tuple], streamed: Callable[[Input], None], debug: bool = False) -> None:
    """``jobs - 1`` worker processes parse chunks; this process writes, and parses a chunk itself whenever
    the workers have enough queued (so ``jobs`` processes share ``jobs`` cores, none waits idle, and half the
    documents of two jobs are never sent between processes). Results are taken in input order."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    workers = jobs - 1
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    window: deque = deque()  # the workers' futures, and results of chunks parsed here, in input order

    def drain(block: bool) -> None:
        while window and (block or not isinstance(window[0], Future) or window[0].done()):
            head = window.popleft()
            for r in head.result() if isinstance(head, Future) else head:
                take(r)
            block = False

    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                             initargs=(os.getpid(), db, debug)) as pool:
        for chunk in _chunks(units, CHUNK):
            if isinstance(chunk, Input):  # read here, in input order: what is in flight is taken first
                while window:
                    drain(True)
                streamed(chunk)
                continue
            queued = sum(isinstance(w, Future) and not w.done() for w in window)
            if queued < workers * 2:
                window.append(pool.submit(parse_chunk, chunk))
            else:
                window.append([here(u) for u in chunk])
            drain(False)
            if len(window) >= jobs * 3:  # bounded memory: at most this many chunks in flight
                drain(True)
        while window:
            drain(True)


__all__ = ["ingest", "IngestStats", "Failure", "parse_unit", "Prepared"]
