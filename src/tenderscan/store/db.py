"""The local store: one directory holding one SQLite database.

Tables: ``blobs`` (raw bytes of documents and attachments, content-addressed by sha256, zlib-compressed),
``provenance`` (where and when each blob came from: URL or path and zip member, HTTP status),
``documents`` (one row per parsed tender version, with its full JSON), ``items``, ``parties``,
``attachments`` and ``texts`` (text extracted from attachments), ``fx_rates`` (the exchange-rate cache of
`spending --currency`). Versions sit side by side; nothing is overwritten. ``latest`` marks, for each
(id, kind), the version ``get`` returns by default.

One write path, :meth:`Store.write`: a list of :class:`~tenderscan.store.records.StoredDocument` records in
one ``BEGIN IMMEDIATE`` transaction, one ``executemany`` per table. WAL mode and a busy timeout: a process
killed at any moment leaves every committed document and nothing half-written, and two processes can write
at once. A document already stored (same id, version and sha256 of its raw bytes) is never written twice.
Every read is in :mod:`tenderscan.store.queries`.

Opening never turns a mistyped path into a new empty store where the caller only reads: within
:func:`existing_stores_only` (every CLI command runs in it) ``Store.open`` opens a store that exists and
raises :class:`~tenderscan.errors.NoStoreError` ("no store at PATH") otherwise; ``create=True`` (``ingest``,
``fetch``) makes one.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import sqlite3
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..datadir import default_dir
from ..errors import NoStoreError, NotFoundError, StoreError
from ..models import Tender
from . import queries
from .queries import VERSION_ORDER
from .records import Provenance, RawBlob, StoredDocument, stored_document
from .rows import Prepared, compress, decompress
from .schema import (ADDED_COLUMNS, ATT_INSERT, BLOB_INSERT, DB_NAME, DOC_INSERT, ITEM_INSERT, PARTY_INSERT,
                     PROV_INSERT, SCHEMA, SCHEMA_VERSION)

VERSIONED_KINDS = ("notice", "contract", "contract_execution")

# whether Store.open() creates a store that does not exist when the caller does not say (create=None): yes
# for the Python API, no within existing_stores_only()
_CREATE_BY_DEFAULT: contextvars.ContextVar[bool] = contextvars.ContextVar("tenderscan_store_create", default=True)


@contextlib.contextmanager
def existing_stores_only() -> Iterator[None]:
    """Within the block, ``Store.open(path)`` without ``create=`` opens only a store that exists."""
    token = _CREATE_BY_DEFAULT.set(False)
    try:
        yield
    finally:
        _CREATE_BY_DEFAULT.reset(token)


def exists(path: str | Path | None = None) -> bool:
    """Whether a store (its database file) is at ``path`` (default: the default location)."""
    folder = Path(path).expanduser() if path else default_dir()
    return (folder / DB_NAME).is_file()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, timeout=60, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 60000")
    return conn


class Store:
    """A store directory. Use :meth:`open`; it is a context manager."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn

    # --- opening --------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool | None = None) -> "Store":
        """The store in the directory ``path`` (default: :func:`default_dir`). ``create``: make it when it
        does not exist; by default yes, except within :func:`existing_stores_only` (the CLI), where a
        missing store raises :class:`NoStoreError`."""
        folder = Path(path).expanduser() if path else default_dir()
        if create is None:
            create = _CREATE_BY_DEFAULT.get()
        if not create and not (folder / DB_NAME).is_file():
            if folder.exists() and not folder.is_dir():
                raise StoreError(f"{folder} is not a directory", hint="--store takes a directory")
            raise NoStoreError(f"no store at {folder}",
                               hint="documents get into a store with `tenderscan ingest PATH` or "
                                    "`tenderscan fetch ID`; check --store or TENDERSCAN_STORE")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the store directory {folder}: {exc.strerror}",
                             hint="choose another with --store or TENDERSCAN_STORE") from None
        if not folder.is_dir():
            raise StoreError(f"{folder} is not a directory", hint="--store takes a directory")
        db = folder / DB_NAME
        try:
            conn = _connect(db)
            # a new store gets 16 KiB pages: a document's JSON and raw blob (4-10 kB each) fit in a page
            # instead of overflow chains; ingest writes about 20% faster (no effect on an existing store)
            conn.execute("PRAGMA page_size = 16384")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.create_function("fold", 1, _fold, deterministic=True)
            store = cls(folder, conn)
            store._transaction(store._init_schema)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {db}: {exc}",
                             hint="is it a tenderscan store? choose another with --store") from None
        return store

    @classmethod
    def open_read_only(cls, path: str | Path) -> "Store":
        """The existing store in ``path`` on a connection of this process's own that never writes (no
        schema set-up either): what an ingest worker reads to skip documents already stored."""
        db = Path(path).expanduser() / DB_NAME
        if not db.is_file():
            raise NoStoreError(f"no store at {db.parent}")
        try:
            conn = _connect(db)
            conn.execute("PRAGMA query_only = 1")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store {db}: {exc}") from None
        return cls(db.parent, conn)

    def _init_schema(self) -> None:
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                self.conn.execute(stmt)
        for table, column, declaration in ADDED_COLUMNS:  # a store made before the column was
            have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ---------------------------------------------------------------------------------

    def _transaction(self, fn: Callable[[], Any], *, attempts: int = 8) -> Any:
        """Run ``fn`` in one IMMEDIATE transaction, retrying when another process holds the lock."""
        for attempt in range(attempts):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    time.sleep(min(2.0, 0.05 * 2 ** attempt))
                    continue
                raise
            try:
                result = fn()
                self.conn.execute("COMMIT")
                return result
            except BaseException:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise
        raise StoreError("the store stayed locked by another process", hint="retry when the other process ends")

    # --- writing --------------------------------------------------------------------------------------

    def write(self, documents: Sequence[StoredDocument]) -> int:
        """Store raw documents with their provenance, tenders and attachments, all in one transaction, one
        ``executemany`` per table. Returns how many tenders were new: a tender already stored with the same
        raw bytes, id and version is not written again (its attachments are: with them come its JSON and
        stations, which their text may have changed)."""
        documents = list(documents)
        return self._transaction(lambda: self._put(documents, now_iso()))

    def _put(self, documents: list[StoredDocument], at: str) -> int:
        conn = self.conn
        raws = [d for d in documents if d.raw is not None]
        conn.executemany(BLOB_INSERT, [(d.raw.sha256, d.raw.size, d.raw.codec, "document", d.raw.data)
                                        for d in raws if isinstance(d.raw.data, bytes)])
        for d in raws:
            if not isinstance(d.raw.data, bytes):
                self._put_streamed_blob(d.raw)
        conn.executemany(PROV_INSERT, [(d.raw.sha256, d.provenance.url or "", d.provenance.path or "",
                                         d.provenance.member or "", d.provenance.http_status, at,
                                         d.provenance.request or "", d.provenance.archive_sha256 or "")
                                        for d in raws if d.provenance is not None])
        keys = self._put_tenders([p for d in documents for p in d.prepared], at)
        n = 0
        for d in documents:
            if d.attachments:
                self._put_attachments(d, keys[n:n + len(d.prepared)], at)
            n += len(d.prepared)
        return sum(new for _key, new in keys)

    def _put_streamed_blob(self, raw: RawBlob) -> None:
        """A raw document held in a file (``length`` encoded bytes), written into its blob a chunk at a time."""
        cur = self.conn.execute("INSERT OR IGNORE INTO blobs (sha256, size, codec, role, data) "
                                "VALUES (?, ?, ?, 'document', zeroblob(?))",
                                (raw.sha256, raw.size, raw.codec, raw.length))
        if cur.rowcount:
            with self.conn.blobopen("blobs", "data", cur.lastrowid) as blob:
                raw.data.seek(0)
                for chunk in iter(lambda: raw.data.read(1 << 20), b""):
                    blob.write(chunk)

    def _put_tenders(self, tenders: list[Prepared], at: str) -> list[tuple[int | None, bool]]:
        """Documents and their rows, one ``executemany`` per table: (key, new) per tender; the key is None
        for a tender already stored (found only when its attachments need it)."""
        if not tenders:
            return []
        conn = self.conn
        # documents get their keys here (this transaction is the only writer), so the rows of every table go
        # in one executemany each; keys of documents already stored (ignored) stay unused
        first = (conn.execute("SELECT max(doc) FROM documents").fetchone()[0] or 0) + 1
        conn.executemany(DOC_INSERT, [(first + i, *p.doc, at) for i, p in enumerate(tenders)])
        new = {doc for (doc,) in conn.execute("SELECT doc FROM documents WHERE doc >= ?", (first,))}
        keys = [(first + i, True) if first + i in new else (None, False) for i in range(len(tenders))]
        added = [(first + i, p) for i, p in enumerate(tenders) if first + i in new]
        for sql, rows in ((ITEM_INSERT, [(doc, *r) for doc, p in added for r in p.items]),
                          (PARTY_INSERT, [(doc, *r) for doc, p in added for r in p.parties]),
                          (ATT_INSERT, [(doc, *r) for doc, p in added for r in p.attachments])):
            if rows:
                conn.executemany(sql, rows)
        self._mark_latest_many({(p.doc.id, p.doc.kind, p.doc.source_format) for _doc, p in added})
        return keys

    def _put_attachments(self, d: StoredDocument, keys: list[tuple[int | None, bool]], at: str) -> None:
        conn = self.conn
        for ti in sorted({a.tender for a in d.attachments}):
            doc, new = keys[ti]
            p = d.prepared[ti]
            if doc is None:
                doc = conn.execute("SELECT doc FROM documents WHERE id = ? AND vkey = ? AND sha256 = ?",
                                   (p.doc.id, p.doc.vkey, p.doc.sha256)).fetchone()[0]
            for a in (a for a in d.attachments if a.tender == ti):
                sha = hashlib.sha256(a.data).hexdigest()
                codec, data = compress(a.data)
                conn.execute(BLOB_INSERT, (sha, len(a.data), codec, "attachment", data))
                conn.execute(PROV_INSERT, (sha, a.url or "", "", "", a.status, at, "", ""))
                if a.text:
                    conn.execute("INSERT OR IGNORE INTO texts (sha256, text) VALUES (?, ?)", (sha, a.text))
                conn.execute("UPDATE attachments SET sha256 = ? WHERE doc = ? AND n = ?", (sha, doc, a.index))
            if not new:
                conn.execute("UPDATE documents SET json = CAST(? AS TEXT), stations = ? WHERE doc = ?",
                             (p.doc.json, p.doc.stations, doc))

    def _mark_latest_many(self, keys: set[tuple[str, str, str]]) -> None:
        """``_mark_latest`` for each (id, kind, format) of new documents whose id has other documents
        (found with one query per 500 ids: in a load of new tenders most ids are stored once)."""
        ids = sorted({k[0] for k in keys})
        shared: set[str] = set()
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            shared.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM documents WHERE id IN ({', '.join('?' * len(part))}) "
                f"GROUP BY id HAVING count(*) > 1", part))
        done = set()
        for doc_id, kind, fmt in sorted(keys):
            key = (doc_id, kind, None if kind in VERSIONED_KINDS else fmt)
            if doc_id in shared and key not in done:
                done.add(key)
                self._mark_latest(doc_id, kind, fmt)

    def _mark_latest(self, doc_id: str, kind: str, source_format: str) -> None:
        """Versions replace each other within (id, kind); protocols, changes and the like also by format
        (a purchase's EF1, EF2 and EF3 protocols are three documents, not three versions)."""
        sql = "SELECT doc, latest FROM documents WHERE id = ? AND kind = ?"
        args = [doc_id, kind]
        if kind not in VERSIONED_KINDS:
            sql += " AND source_format = ?"
            args.append(source_format)
        rows = self.conn.execute(f"{sql} ORDER BY {VERSION_ORDER}", args).fetchall()
        if len(rows) == 1:
            return
        for i, (doc, latest) in enumerate(rows):
            want = 1 if i == 0 else 0
            if latest != want:
                self.conn.execute("UPDATE documents SET latest = ? WHERE doc = ?", (want, doc))
                self.conn.execute("UPDATE items SET latest = ? WHERE doc = ?", (want, doc))

    def add(self, tender: Tender, raw: bytes, *, url: str | None = None, path: str | None = None,
            member: str | None = None, http_status: int | None = None) -> bool:
        """Store one tender with its raw bytes and provenance (by default its ``source``'s); False when
        already stored (same sha256 of the raw bytes, id and version). :meth:`write` for several."""
        s = tender.source
        where = Provenance(url or s.url or "", path or s.path or "", member or s.member or "",
                           http_status or s.http_status)
        return self.write([stored_document([tender], raw, where)]) > 0

    def put_fx_rates(self, source: str, day: date, rates: dict[str, Decimal]) -> None:
        """Cache the daily exchange-rate table of ``source`` for ``day`` (rates kept as decimal text)."""
        rows = [(source, day.isoformat(), c, str(r)) for c, r in rates.items()]
        sql = "INSERT OR REPLACE INTO fx_rates VALUES (?, ?, ?, ?)"
        self._transaction(lambda: self.conn.executemany(sql, rows))

    # --- reading (tenderscan.store.queries) -------------------------------------------------------------

    def has_raw(self, sha256: str) -> bool:
        """True when these raw bytes were stored as a document (its tenders were written with it, in one
        transaction)."""
        return queries.has_raw(self.conn, sha256)

    def raw(self, sha256: str) -> bytes:
        row = queries.blob(self.conn, sha256)
        if row is None:
            raise NotFoundError(f"no raw document with sha256 {sha256} in the store")
        return decompress(*row)

    def text(self, sha256: str) -> str | None:
        return queries.text(self.conn, sha256)

    def provenance(self, sha256: str) -> list[dict[str, Any]]:
        return queries.provenance(self.conn, sha256)

    def find(self, doc_id: str, version: str | None = None, *, kind: str | None = None) -> Tender | None:
        """The stored tender (latest version unless ``version``), or None."""
        return queries.find(self.conn, doc_id, version, kind=kind)

    def get(self, doc_id: str, version: str | None = None, *, kind: str | None = None) -> Tender:
        t = self.find(doc_id, version, kind=kind)
        if t is None:
            what = f"{doc_id}@{version}" if version is not None else doc_id
            known = self.versions(doc_id) if version is not None else []
            hint = (f"stored versions: {', '.join(v or '(none)' for v in known)}" if known
                    else "fetch it with `tenderscan fetch` or load files with `tenderscan ingest`")
            raise NotFoundError(f"{what} is not in the store ({self.path})", hint=hint)
        return t

    def versions(self, doc_id: str) -> list[str | None]:
        """The stored versions of an ID, oldest first."""
        return queries.versions(self.conn, doc_id)

    def iter_tenders(self, *, kind: str | None = None, year: int | None = None, customer: str | None = None,
                     search: str | None = None, latest: bool = False) -> Iterator[Tender]:
        return queries.iter_tenders(self.conn, kind=kind, year=year, customer=customer, search=search,
                                    latest=latest)

    def rows(self, *, kind: str | None = None, year: int | None = None, customer: str | None = None,
             search: str | None = None, latest: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored documents as plain rows (no model parsing: fast for `list`)."""
        return queries.list_rows(self.conn, kind=kind, year=year, customer=customer, search=search,
                                 latest=latest, limit=limit)

    def count(self) -> int:
        return queries.count(self.conn)

    def integrity_check(self) -> str:
        return queries.integrity_check(self.conn)

    def fx_rates(self, source: str, day: date) -> dict[str, Decimal] | None:
        """The cached daily exchange-rate table of ``source`` for ``day``, or None."""
        return queries.fx_rates(self.conn, source, day)

    def items_frame(self, *, columns: Sequence[str] | None = None, latest: bool = True):
        return queries.items_frame(self.conn, columns=columns, latest=latest)

    def documents_frame(self, *, columns: Sequence[str] | None = None, latest: bool = True):
        return queries.documents_frame(self.conn, columns=columns, latest=latest)
