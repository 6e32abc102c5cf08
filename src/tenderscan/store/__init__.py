"""The local store: SQLite in one directory. See :mod:`tenderscan.store.db`.

    >>> from tenderscan.store import Store
    >>> with Store.open("/tmp/tenders") as store:
    ...     t = store.get("0362100022326000101")
"""

from __future__ import annotations

from .db import DB_NAME, Store, default_dir, existing_stores_only  # noqa: F401
from .records import AttachmentBlob, Provenance, RawBlob, StoredDocument, stored_document  # noqa: F401
from .refs import StoreResolver, parse_ref  # noqa: F401

__all__ = ["Store", "StoreResolver", "default_dir", "existing_stores_only", "parse_ref", "DB_NAME",
           "StoredDocument", "RawBlob", "Provenance", "AttachmentBlob", "stored_document"]
