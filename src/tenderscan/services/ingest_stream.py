"""Ingest of one large input of a format that streams (an OCDS package of any size), in this process, in
flat memory: read a document at a time, never whole (issue 14, the ``ingest-ocds-rss`` target).

Its tenders are committed a batch at a time as they are read, and its raw bytes (hashed and compressed as a
stream into a temporary file) with the last batch, so ``has_raw`` is true only once all of them are stored.
Interrupted midway, a rerun stores the rest (the tenders already stored are kept once: same id, version and
sha256). A failure midway leaves the tenders committed before it (they are valid documents; the input is
listed as failed).
"""

from __future__ import annotations

import hashlib
import tempfile
import zlib
from typing import BinaryIO, Callable, Iterator

from .. import interrupt
from ..documents.inputs import Input
from ..documents.parse import parse_input
from ..errors import ParseError, TenderscanError
from ..store import Store
from ..store.records import Provenance, RawBlob, StoredDocument
from ..store.rows import COMPRESS_LEVEL, Prepared, prepare
from .ingest_work import IngestStats, failure_of, provenance_of


def ingest_stream(inp: Input, store: Store, stats: IngestStats, *, batch: int, max_bytes: int,
                  on_progress: Callable[[IngestStats], None] | None = None, debug: bool = False,
                  origin: Provenance | None = None) -> None:
    """One large input of a streaming format: hashed (skipped when stored), its tenders committed ``batch``
    tenders (or ``max_bytes`` of their JSON) at a time, then its raw bytes with the last batch."""
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
                interrupt.check()  # a Ctrl-C deferred by ``ingest --jobs``'s pool (interrupt.deferred)
                t.source.sha256 = sha
                if origin is not None:  # a downloaded archive: its URL, not the temporary file's path
                    t.source.path, t.source.url = None, origin.url or None
                p = prepare(t, sha)
                held.append(p)
                held_bytes += len(p.doc.json)
                if len(held) >= batch or held_bytes >= max_bytes:
                    stats.added += store.write([StoredDocument(None, None, held)])
                    written += len(held)
                    held, held_bytes = [], 0
                    if on_progress is not None:
                        on_progress(stats)
            length = _pack(inp, packed)
            raw = RawBlob(sha, size, "zlib", packed, length)
            where = provenance_of(inp.path, inp.member, origin)
            stats.added += store.write([StoredDocument(raw, where, held)])
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad document never stops a bulk load
        failure = failure_of(name, exc, debug)
        if written and isinstance(exc, TenderscanError):
            failure.message += f" ({written} of its documents were stored before it)"
        stats.add_failure(failure)
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


def _pack(inp: Input, out: BinaryIO) -> int:
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
