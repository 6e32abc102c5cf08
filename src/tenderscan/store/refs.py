"""Stored IDs: ``ID`` (the latest version) or ``ID@version``, and the resolver that looks them up.

The documents layer takes a resolver (:data:`tenderscan.documents.inputs.Resolver`) for SOURCEs that are not
paths; :class:`StoreResolver` is the store's. It opens the store on the first ID it is asked for (none is
opened when every SOURCE is a path) and never creates one.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import NoStoreError, NotFoundError
from ..models import Tender
from .db import Store


def parse_ref(src: str) -> tuple[str, str | None]:
    """``ID`` or ``ID@version`` -> (id, version or None)."""
    text = src.strip()
    if "@" not in text:
        return text, None
    doc_id, _, version = text.rpartition("@")
    return doc_id, version or None


class StoreResolver:
    """Looks stored IDs up in ``location``: an open store, the directory of one, or None (the default
    location). Use as a context manager, or :meth:`close` it: a store it opened itself is closed then."""

    def __init__(self, location: Store | str | Path | None = None):
        self._location = location
        self._store: Store | None = location if isinstance(location, Store) else None
        self._own = not isinstance(location, Store)

    def store(self) -> Store:
        """The store, opened on first use (never created): NoStoreError where there is none."""
        if self._store is None:
            self._store = Store.open(self._location, create=False)  # type: ignore[arg-type]
        return self._store

    def __call__(self, src: str) -> list[Tender]:
        doc_id, version = parse_ref(src)
        if not doc_id or "/" in doc_id or "\\" in doc_id or doc_id.endswith((".xml", ".json", ".zip", ".gz")):
            raise NotFoundError("no such file or folder", hint="check the path")
        try:
            s = self.store()
        except NoStoreError as exc:
            raise NotFoundError(f"no such file or folder, and {exc.message} to look it up in as a stored ID",
                                hint="check the path; documents get into a store with `tenderscan ingest` or "
                                     "`tenderscan fetch`") from None
        tender = s.find(doc_id, version)
        if tender is None:
            known = s.versions(doc_id)
            if known and version is not None:
                raise NotFoundError(f"no version {version} of {doc_id} in the store ({s.path})",
                                    hint="stored versions: " + ", ".join(v or "(none)" for v in known))
            raise NotFoundError(f"no such file, folder or stored document ({s.path})",
                                hint="check the path, or fetch the ID first with `tenderscan fetch`")
        return [tender]

    def close(self) -> None:
        if self._own and self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> "StoreResolver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
