"""Bulk ingest: files, folders and the portal's zip dumps into the store, streaming.

The parent process walks the inputs (zip members are read one at a time under the bomb caps of
:func:`tenderscan.inputs.iter_zip`), skips what the store already holds (by the sha256 of the raw bytes,
before parsing), and hands the rest to ``jobs`` worker processes in chunks. Workers parse, build the table
rows and compress the raw bytes; the parent writes them with ``executemany`` in one transaction per batch.
Memory is bounded by the number of chunks in flight, whatever the number of documents.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..errors import TenderscanError
from ..inputs import Input, iter_inputs
from .db import Store
from .rows import Prepared, compress, prepare

CHUNK = 32  # documents per task sent to a worker
BATCH = int(os.environ.get("TENDERSCAN_INGEST_BATCH", "500"))  # documents per transaction
BATCH_SECONDS = 2.0  # ... or this long, whichever comes first
# ... or this many bytes of blobs and JSON held for it (about 125 notices), so the memory ingest holds does not
# depend on the documents' count or size: 500 documents would hold ~8 MB, growing peak RSS with the corpus
BATCH_BYTES = 1 << 20
MAX_FAILURES_KEPT = 1000


@dataclass
class Failure:
    name: str
    message: str
    exit_code: int = 3


@dataclass
class IngestStats:
    seen: int = 0  # inputs read (documents or failed members)
    added: int = 0  # tenders newly stored
    parsed: int = 0  # inputs parsed
    skipped: int = 0  # inputs already in the store (same raw bytes)
    failed: int = 0
    bytes: int = 0
    started: float = field(default_factory=time.monotonic)
    failures: list[Failure] = field(default_factory=list)

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    @property
    def rate(self) -> float:
        return self.seen / self.elapsed

    def fail(self, name: str, message: str, code: int = 3) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append(Failure(name, message, code))


# a unit of work: (name, path, member, raw bytes, sha256, (codec, stored bytes) or None)
Unit = tuple[str, str | None, str | None, bytes, str, tuple[str, bytes] | None]
# a result: ("ok", sha, size, codec, data, provenance, [Prepared]) or ("error", name, message, exit code)


@dataclass
class _Hashed(Input):
    """An input whose sha256 the parent already computed (to skip what the store holds): not hashed again."""

    digest: str = ""

    def sha256(self) -> str:
        return self.digest


def parse_unit(unit: Unit) -> tuple:
    """Parse one raw document into rows (runs in a worker process, or inline with one job)."""
    from ..reader import parse_input

    name, path, member, data, sha, packed = unit
    inp = _Hashed(name=name, path=path, member=member, size=len(data), _data=data, digest=sha)
    try:
        tenders = parse_input(inp)
        for t in tenders:
            t.source.sha256 = sha
        prepared = [prepare(t, sha) for t in tenders]
    except TenderscanError as exc:
        exc.source = exc.source or name
        return ("error", name, exc.one_line(), exc.exit_code)
    except RecursionError:
        return ("error", name, f"{name}: document nested too deeply; refused", 3)
    except Exception as exc:  # noqa: BLE001 - one bad document never stops a bulk load
        return ("error", name, f"{name}: internal error {type(exc).__name__}: {exc}"[:300], 70)
    codec, blob = packed or compress(data)
    return ("ok", sha, len(data), codec, blob, (path or "", member or "", name), prepared)


def parse_chunk(units: list[Unit]) -> list[tuple]:
    return [parse_unit(u) for u in units]


class _Deflated:
    """The compressed bytes of zip members as the archive holds them (raw deflate), so a dump's documents are
    stored without being compressed again. Only for plain deflated members; None otherwise."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.fh = None
        self.infos: dict[str, zipfile.ZipInfo] = {}

    def get(self, path: str | None, member: str | None, data: bytes) -> tuple[str, bytes] | None:
        if not path or not member:
            return None
        try:
            if path != self.path:
                self.close()
                self.path = path
                self.fh = open(path, "rb")
                self.infos = {}
                for i in zipfile.ZipFile(self.fh).infolist():
                    self.infos.setdefault(i.filename, i)  # a duplicate name: iter_zip reads the first
            info = self.infos.get(member)
            if info is None or info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1 \
                    or info.file_size != len(data) or info.CRC != zlib.crc32(data):
                return None
            self.fh.seek(info.header_offset)
            head = self.fh.read(30)
            if len(head) < 30 or head[:4] != b"PK\x03\x04":
                return None
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            self.fh.seek(info.header_offset + 30 + name_len + extra_len)
            data = self.fh.read(info.compress_size)
            return ("deflate", data) if len(data) == info.compress_size else None
        except (OSError, zipfile.BadZipFile, ValueError, struct.error):
            return None

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
        self.fh, self.path, self.infos = None, None, {}


def _units(paths: Iterable[str], store: Store, stats: IngestStats,
           on_progress: Callable[[IngestStats], None] | None) -> Iterator[Unit]:
    deflated = _Deflated()
    try:
        yield from _read_units(paths, store, stats, on_progress, deflated)
    finally:
        deflated.close()


def _read_units(paths, store, stats, on_progress, deflated: _Deflated) -> Iterator[Unit]:
    for inp in iter_inputs(list(paths)):
        stats.seen += 1
        try:
            data = inp.read()
        except TenderscanError as exc:
            exc.source = exc.source or inp.name
            stats.fail(inp.name, exc.one_line(), exc.exit_code)
            _tick(on_progress, stats)
            continue
        finally:
            inp._data = None  # type: ignore[attr-defined] - nothing stays referenced once handed on
        stats.bytes += len(data)
        sha = hashlib.sha256(data).hexdigest()
        if store.has_raw(sha):
            stats.skipped += 1
            _tick(on_progress, stats)
            continue
        yield (inp.name, inp.path, inp.member, data, sha, deflated.get(inp.path, inp.member, data))


def _tick(on_progress, stats) -> None:
    if on_progress is not None:
        on_progress(stats)


def ingest(paths: Iterable[str], *, store: Store, jobs: int = 1, batch: int = BATCH,
           on_progress: Callable[[IngestStats], None] | None = None) -> IngestStats:
    """Load every document under ``paths`` into ``store``; bad inputs are counted and listed in
    ``stats.failures``, never raised. Re-ingesting the same files adds nothing."""
    stats = IngestStats()
    pending: list[tuple] = []
    pending_bytes = 0
    last_commit = time.monotonic()

    def flush() -> None:
        nonlocal pending, pending_bytes, last_commit
        if pending:
            stats.added += store.add_batch(
                (sha, size, codec, blob, ("", path, member, None), prepared)
                for sha, size, codec, blob, (path, member, _name), prepared in pending)
            pending, pending_bytes = [], 0
        last_commit = time.monotonic()

    def take(result: tuple) -> None:
        nonlocal pending_bytes
        if result[0] == "error":
            stats.fail(result[1], result[2], result[3])
        else:
            stats.parsed += 1
            pending.append(result[1:])
            pending_bytes += len(result[4]) + sum(len(p.doc[-1]) for p in result[6])
            if (len(pending) >= batch or pending_bytes >= BATCH_BYTES
                    or time.monotonic() - last_commit >= BATCH_SECONDS):
                flush()
        _tick(on_progress, stats)

    units = _units(paths, store, stats, on_progress)
    if jobs <= 1:
        for unit in units:
            take(parse_unit(unit))
    else:
        _run_pool(units, jobs, take)
    flush()
    return stats


def _chunks(units: Iterator[Unit], size: int) -> Iterator[list[Unit]]:
    chunk: list[Unit] = []
    for u in units:
        chunk.append(u)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _worker_init(parent: int) -> None:
    """Workers end when the parent dies (even by SIGKILL), instead of lingering as orphans."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _run_pool(units: Iterator[Unit], jobs: int, take: Callable[[tuple], None]) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    window: deque = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                             initargs=(os.getpid(),)) as pool:
        for chunk in _chunks(units, CHUNK):
            window.append(pool.submit(parse_chunk, chunk))
            while len(window) > jobs * 3:
                for r in window.popleft().result():
                    take(r)
        while window:
            for r in window.popleft().result():
                take(r)


__all__ = ["ingest", "IngestStats", "Failure", "parse_unit", "Prepared"]
