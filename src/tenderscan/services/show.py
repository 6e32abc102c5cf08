"""`show`: the documents of SOURCE arguments, read lazily, with the contact persons left out when asked."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..documents.batch import Batch, Document, ReadOptions, read
from ..documents.redact import redact_contacts, redacted
from ..store.refs import StoreResolver


class RedactedBatch(Batch):
    """A batch whose tenders come without contact persons' names, e-mails and phones."""

    def documents(self) -> Iterator[Document]:
        for doc in super().documents():
            if isinstance(doc.tenders, list):
                doc.tenders = [redact_contacts(t) for t in doc.tenders]
            else:
                doc.tenders = redacted(doc.tenders)
            yield doc


@contextmanager
def open_documents(sources: list[str], *, store: Path | None = None, options: ReadOptions | None = None,
                   redact: bool = False) -> Iterator[Batch]:
    """The batch of SOURCEs (files, folders, zip archives, `-`, stored IDs): iterate it inside the block. The
    store is opened only for a stored ID (never created) and closed at the end of the block."""
    with StoreResolver(store) as resolver:
        batch = read(sources, resolver=resolver, options=options)
        yield RedactedBatch(batch.source, batch.options) if redact else batch
