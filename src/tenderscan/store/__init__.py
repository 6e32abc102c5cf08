"""The local store (SQLite in one directory) and bulk ingest. See :mod:`tenderscan.store.db`.

    >>> from tenderscan.store import Store
    >>> with Store.open("/tmp/tenders") as store:
    ...     t = store.get("0362100022326000101")
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..errors import NoStoreError, NotFoundError
from .db import DB_NAME, Store, default_dir, existing_stores_only  # noqa: F401

__all__ = ["Store", "default_dir", "resolve_inputs", "parse_ref", "lookup_for", "DB_NAME"]


def lookup_for(sources: list[str], store: str | Path | None = None) -> "Store | str | Path | None":
    """Where SOURCEs that are stored IDs are looked up: None when every SOURCE is a path (no store is
    opened), the open store, or, where there is none, its path: each stored ID then fails alone ("no such
    file or folder, and no store at PATH") and no store is created."""
    if all(s == "-" or Path(s).exists() for s in sources):
        return None
    try:
        return Store.open(store, create=False)
    except NoStoreError:
        return store


def parse_ref(src: str) -> tuple[str, str | None]:
    """``ID`` or ``ID@version`` -> (id, version or None)."""
    text = src.strip()
    if "@" not in text:
        return text, None
    doc_id, _, version = text.rpartition("@")
    return doc_id, version or None


def resolve_inputs(src: str, store: Store | str | Path | None = None) -> Iterator:
    """A SOURCE that is not a path: the stored ``ID`` (latest version) or ``ID@version``, as an input
    carrying the parsed tender (``Input.stored``). ``store``: an open store, or the directory of one
    (default: the default location), opened for this lookup; a lookup never creates a store."""
    from ..documents.inputs import Input

    doc_id, version = parse_ref(src)
    if not doc_id or "/" in doc_id or "\\" in doc_id or doc_id.endswith((".xml", ".json", ".zip", ".gz")):
        raise NotFoundError("no such file or folder", hint="check the path")
    own = not isinstance(store, Store)
    try:
        s = store if isinstance(store, Store) else Store.open(store, create=False)
    except NoStoreError as exc:
        raise NotFoundError(f"no such file or folder, and {exc.message} to look it up in as a stored ID",
                            hint="check the path; documents get into a store with `tenderscan ingest` or "
                                 "`tenderscan fetch`") from None
    try:
        tender = s.find(doc_id, version)
        if tender is None:
            known = s.versions(doc_id)
            if known and version is not None:
                raise NotFoundError(f"no version {version} of {doc_id} in the store ({s.path})",
                                    hint="stored versions: " + ", ".join(v or "(none)" for v in known))
            raise NotFoundError(f"no such file, folder or stored document ({s.path})",
                                hint="check the path, or fetch the ID first with `tenderscan fetch`")
    finally:
        if own:
            s.close()
    yield Input(name=src, size=None, stored=tender)
