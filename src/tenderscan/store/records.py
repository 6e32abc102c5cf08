"""What a caller hands to :meth:`tenderscan.store.db.Store.write`: one :class:`StoredDocument` per raw document.

A stored document is the raw bytes as they will be kept (:class:`RawBlob`), where they came from
(:class:`Provenance`), the rows of every tender read from them (:class:`~tenderscan.store.rows.Prepared`) and
the downloaded attachments of those tenders (:class:`AttachmentBlob`). Ingest builds them from its workers'
rows; :func:`stored_document` builds one from tenders and their raw bytes (fetch, the Python API).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import BinaryIO, Sequence

from ..models import Tender
from .rows import Prepared, compress, prepare


@dataclass
class RawBlob:
    """A raw document as stored: ``data`` holds ``size`` bytes encoded as ``codec`` ("raw", "zlib", or
    "deflate": a zip member's own compressed bytes), or is a file holding ``length`` encoded bytes (a
    streamed package, copied into the blob a chunk at a time)."""

    sha256: str  # of the decoded bytes
    size: int
    codec: str
    data: bytes | BinaryIO
    length: int | None = None  # for a file: how many encoded bytes it holds


@dataclass
class Provenance:
    """Where a raw document came from: a URL (and its HTTP status), or a path and zip member; for a member of
    an archive of the portal's bulk service, the archive's URL, the member, the request the archive answered
    and the archive's sha256."""

    url: str = ""
    path: str = ""
    member: str = ""
    http_status: int | None = None
    request: str = ""  # the bulk service's request the archive answered (BulkRequest.key), else ""
    archive_sha256: str = ""  # the sha256 of the archive the document is a member of (bulk), else ""


@dataclass
class AttachmentBlob:
    """A downloaded attachment: ``prepared[tender]``'s attachment number ``index``, with its text."""

    tender: int
    index: int
    data: bytes
    url: str
    status: int | None
    text: str | None


@dataclass
class StoredDocument:
    """One raw document and what was read from it, written in one transaction.

    ``raw`` None: tenders of a document whose raw bytes come in a later record (a streamed package is stored
    a batch of tenders at a time, its raw bytes with the last batch, so that ``has_raw`` is true only once
    every tender of it is stored)."""

    raw: RawBlob | None
    provenance: Provenance | None
    prepared: list[Prepared]
    attachments: list[AttachmentBlob] = field(default_factory=list)


def stored_document(tenders: Sequence[Tender], raw: bytes, provenance: Provenance,
                    attachments: Sequence[AttachmentBlob] = ()) -> StoredDocument:
    """The record of tenders read from ``raw``, compressed with zlib; each tender's ``source.sha256`` is set
    to the raw bytes' where its reader left it empty."""
    sha = hashlib.sha256(raw).hexdigest()
    codec, data = compress(raw)
    for t in tenders:
        t.source.sha256 = t.source.sha256 or sha
    return StoredDocument(RawBlob(sha, len(raw), codec, data), provenance, [prepare(t, sha) for t in tenders],
                          list(attachments))
