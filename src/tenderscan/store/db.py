"""The local store: one directory holding one SQLite database.

Tables: ``blobs`` (raw bytes of documents and attachments, content-addressed by sha256, zlib-compressed),
``provenance`` (where and when each blob came from: URL or path and zip member, HTTP status),
``documents`` (one row per parsed tender version, with its full JSON), ``items``, ``parties``,
``attachments`` and ``texts`` (text extracted from attachments). Versions sit side by side; nothing is
overwritten. ``latest`` marks, for each (id, kind), the version ``get`` returns by default.

WAL mode, a busy timeout, and one ``BEGIN IMMEDIATE`` transaction per write (per batch when ingesting):
a process killed at any moment leaves every committed document and nothing half-written, and two
processes can write at once.

Opening never turns a mistyped path into a new empty store where the caller only reads: within
:func:`existing_stores_only` (every CLI command runs in it) ``Store.open`` opens a store that exists and
raises :class:`~tenderscan.errors.NoStoreError` ("no store at PATH") otherwise; ``create=True`` (``ingest``,
``fetch``) makes one.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Iterator, Sequence

from ..errors import NoStoreError, NotFoundError, StoreError
from ..models import Tender
from .rows import (
    ATTACHMENT_COLUMNS,
    DOC_COLUMNS,
    ITEM_COLUMNS,
    PARTY_COLUMNS,
    Prepared,
    compress,
    decompress,
    prepare,
)

if TYPE_CHECKING:
    from ..sources import Download

DB_NAME = "tenderscan.sqlite"
SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, codec TEXT NOT NULL, role TEXT NOT NULL, data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS provenance (
    rowid INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, url TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '',
    member TEXT NOT NULL DEFAULT '', http_status INTEGER, at TEXT NOT NULL,
    UNIQUE (sha256, url, path, member)
);
CREATE TABLE IF NOT EXISTS documents (
    doc INTEGER PRIMARY KEY, id TEXT NOT NULL, version TEXT, vkey TEXT NOT NULL, vsort INTEGER,
    kind TEXT NOT NULL, krank INTEGER NOT NULL, law TEXT, source_format TEXT NOT NULL, sha256 TEXT NOT NULL,
    title TEXT, published TEXT, signed TEXT, year INTEGER, customer_name TEXT, customer_inn TEXT, region TEXT,
    currency TEXT, amount TEXT, n_items INTEGER NOT NULL, stations TEXT, notice_id TEXT, contract_id TEXT,
    url TEXT, json TEXT NOT NULL, latest INTEGER NOT NULL DEFAULT 1, added_at TEXT NOT NULL,
    UNIQUE (id, vkey, sha256)
);
CREATE INDEX IF NOT EXISTS documents_kind ON documents (id, kind);
CREATE INDEX IF NOT EXISTS documents_inn ON documents (customer_inn);
CREATE TABLE IF NOT EXISTS items (
    doc INTEGER NOT NULL, n INTEGER NOT NULL, id TEXT NOT NULL, version TEXT, kind TEXT NOT NULL, published TEXT,
    year INTEGER, customer_inn TEXT, currency TEXT, name TEXT, code TEXT, code_scheme TEXT, quantity TEXT,
    unit TEXT, unit_code TEXT, unit_price TEXT, amount TEXT, lot TEXT, latest INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (doc, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS parties (
    doc INTEGER NOT NULL, n INTEGER NOT NULL, role TEXT NOT NULL, name TEXT, inn TEXT, kpp TEXT, ogrn TEXT,
    region TEXT, PRIMARY KEY (doc, n)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS parties_inn ON parties (inn);
CREATE TABLE IF NOT EXISTS attachments (
    doc INTEGER NOT NULL, n INTEGER NOT NULL, name TEXT, url TEXT, kind TEXT, size INTEGER, sha256 TEXT,
    PRIMARY KEY (doc, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS texts (sha256 TEXT PRIMARY KEY, text TEXT NOT NULL);
"""

# the JSON column comes as UTF-8 bytes (rows.prepare) and is stored as TEXT, as SQLite's CAST reads them
_DOC_VALUES = f"{', '.join('?' * (len(DOC_COLUMNS) - 1))}, CAST(? AS TEXT), ?"
_DOC_INSERT = f"INSERT OR IGNORE INTO documents ({', '.join(DOC_COLUMNS)}, added_at) VALUES ({_DOC_VALUES})"
_DOC_INSERT_KEYED = (f"INSERT OR IGNORE INTO documents (doc, {', '.join(DOC_COLUMNS)}, added_at) "
                     f"VALUES (?, {_DOC_VALUES})")
_BLOB_INSERT = "INSERT OR IGNORE INTO blobs (sha256, size, codec, role, data) VALUES (?, ?, ?, ?, ?)"
_PROV_INSERT = ("INSERT OR IGNORE INTO provenance (sha256, url, path, member, http_status, at) "
                "VALUES (?, ?, ?, ?, ?, ?)")
_ITEM_INSERT = f"INSERT OR IGNORE INTO items (doc, {', '.join(ITEM_COLUMNS)}) VALUES (?{', ?' * len(ITEM_COLUMNS)})"
_PARTY_INSERT = (f"INSERT OR IGNORE INTO parties (doc, {', '.join(PARTY_COLUMNS)}) "
                 f"VALUES (?{', ?' * len(PARTY_COLUMNS)})")
_ATT_INSERT = (f"INSERT OR IGNORE INTO attachments (doc, {', '.join(ATTACHMENT_COLUMNS)}) "
               f"VALUES (?{', ?' * len(ATTACHMENT_COLUMNS)})")
VERSIONED_KINDS = ("notice", "contract", "contract_execution")
_ORDER = "krank, vsort DESC NULLS LAST, published DESC NULLS LAST, doc DESC"
_KIND, _FORMAT = DOC_COLUMNS.index("kind"), DOC_COLUMNS.index("source_format")


def _same(value: Any) -> Any:
    return value


def _fast_binding() -> None:
    """Python's sqlite3 binds None and bytes by way of its adapter lookup, which costs about 1 µs a value
    (an AttributeError raised and cleared inside); with identity adapters registered the same values are
    bound in a third of that. Ingest binds some 35 of them per document (NULL columns, blobs, the JSON).
    A type that already has an adapter keeps it."""
    for kind, adapter in ((type(None), _same), (bytes, bytes)):
        if (kind, sqlite3.PrepareProtocol) not in sqlite3.adapters:
            sqlite3.register_adapter(kind, adapter)


_fast_binding()


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


def default_dir() -> Path:
    env = os.environ.get("TENDERSCAN_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tenderscan", appauthor=False))


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


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
            conn = sqlite3.connect(db, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 60000")
            # a new store gets 16 KiB pages: a document's JSON and raw blob (4-10 kB each) fit in a page
            # instead of overflow chains; ingest writes about 20% faster (no effect on an existing store)
            conn.execute("PRAGMA page_size = 16384")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.create_function("fold", 1, _fold, deterministic=True)
            store = cls(folder, conn)
            store._write(lambda: store._init_schema())
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {db}: {exc}",
                             hint="is it a tenderscan store? choose another with --store") from None
        return store

    def _init_schema(self) -> None:
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                self.conn.execute(stmt)
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

    def _write(self, fn: Callable[[], Any], *, attempts: int = 8) -> Any:
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

    def add(self, tender: Tender, raw: bytes, *, url: str | None = None, path: str | None = None,
            member: str | None = None, http_status: int | None = None,
            attachments: Sequence["Download"] = ()) -> bool:
        """Store one tender with its raw bytes and provenance; False when already stored (same sha256 of
        the raw bytes, id and version). Downloaded attachments are stored in the same transaction."""
        sha = hashlib.sha256(raw).hexdigest()
        tender.source.sha256 = tender.source.sha256 or sha
        codec, data = compress(raw)
        prepared = prepare(tender, sha)
        prov = (sha, url or tender.source.url or "", path or tender.source.path or "",
                member or tender.source.member or "", http_status or tender.source.http_status)

        def write() -> bool:
            self._put_blob(sha, len(raw), codec, data, "document")
            self._put_provenance(*prov)
            doc, added = self._put_prepared(prepared)
            if attachments:
                self._put_attachments(doc, attachments)
            return added

        return self._write(write)

    def add_batch(self, batch: Iterable[tuple[str, int, str, bytes, tuple, list[Prepared]]]) -> int:
        """Ingest's bulk write: (sha256, size, codec, data, provenance, prepared tenders) per raw
        document, all in one transaction, one ``executemany`` per table. Returns how many documents were
        new (a tender already stored with the same raw bytes, id and version is not written again)."""
        batch = list(batch)

        def write() -> int:
            at = now_iso()
            conn = self.conn
            conn.executemany(_BLOB_INSERT, [(sha, size, codec, "document", data)
                                            for sha, size, codec, data, _prov, _tenders in batch])
            conn.executemany(_PROV_INSERT, [(sha, url or "", path or "", member or "", status, at)
                                            for sha, _s, _c, _d, (url, path, member, status), _t in batch])
            return self._put_many([p for *_, prepared in batch for p in prepared], at)

        return self._write(write)

    def add_documents(self, prepared: Sequence[Prepared]) -> int:
        """Tenders of a raw document too large to hold whole (a streamed package), a batch at a time, in one
        transaction, without its raw bytes: those come last, with :meth:`add_large_raw`, so that
        ``has_raw`` is true only once every tender of it is stored. Returns how many were new."""
        return self._write(lambda: self._put_many(list(prepared), now_iso()))

    def add_large_raw(self, sha: str, size: int, codec: str, data: BinaryIO, length: int,
                      provenance: tuple[str, str, str, int | None], prepared: Sequence[Prepared] = ()) -> int:
        """The raw bytes of a streamed document, read from ``data`` (``length`` bytes, already encoded as
        ``codec``) into the blob a chunk at a time, with its provenance and its last tenders, in one
        transaction. Returns how many tenders were new."""

        def write() -> int:
            at = now_iso()
            conn = self.conn
            cur = conn.execute("INSERT OR IGNORE INTO blobs (sha256, size, codec, role, data) "
                               "VALUES (?, ?, ?, 'document', zeroblob(?))", (sha, size, codec, length))
            if cur.rowcount:
                with conn.blobopen("blobs", "data", cur.lastrowid) as blob:
                    data.seek(0)
                    for chunk in iter(lambda: data.read(1 << 20), b""):
                        blob.write(chunk)
            url, path, member, status = provenance
            conn.execute(_PROV_INSERT, (sha, url or "", path or "", member or "", status, at))
            return self._put_many(list(prepared), at)

        return self._write(write)

    def _put_many(self, tenders: list[Prepared], at: str) -> int:
        """Documents and their rows, one ``executemany`` per table (inside a write transaction)."""
        if not tenders:
            return 0
        conn = self.conn
        # documents get their keys here (this transaction is the only writer), so the rows of every table go
        # in one executemany each; keys of documents already stored (ignored) stay unused
        first = (conn.execute("SELECT max(doc) FROM documents").fetchone()[0] or 0) + 1
        conn.executemany(_DOC_INSERT_KEYED, [(first + i, *p[0], at) for i, p in enumerate(tenders)])
        new = {doc for (doc,) in conn.execute("SELECT doc FROM documents WHERE doc >= ?", (first,))}
        if not new:
            return 0
        added = [(first + i, p) for i, p in enumerate(tenders) if first + i in new]
        for sql, part in ((_ITEM_INSERT, 1), (_PARTY_INSERT, 2), (_ATT_INSERT, 3)):
            rows = [(doc, *r) for doc, p in added for r in p[part]]
            if rows:
                conn.executemany(sql, rows)
        self._mark_latest_many({(p[0][0], p[0][_KIND], p[0][_FORMAT]) for _doc, p in added})
        return len(added)

    def add_attachments(self, tender: Tender, downloads: Sequence["Download"]) -> int:
        """Store downloaded attachments of a stored tender (its row is found by id, version and sha256)."""
        row = self.conn.execute("SELECT doc FROM documents WHERE id = ? AND vkey = ? AND sha256 = ?",
                                (tender.id, tender.version or "", tender.source.sha256)).fetchone()
        if row is None:
            raise NotFoundError(f"{tender.label()} is not in the store")
        prepared = prepare(tender, tender.source.sha256 or "")

        def write() -> int:
            self._put_attachments(row[0], downloads)
            self.conn.execute("UPDATE documents SET json = CAST(? AS TEXT), stations = ? WHERE doc = ?",
                              (prepared.doc[-1], prepared.doc[DOC_COLUMNS.index("stations")], row[0]))
            return len(downloads)

        return self._write(write)

    def _put_blob(self, sha: str, size: int, codec: str, data: bytes, role: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO blobs (sha256, size, codec, role, data) VALUES (?, ?, ?, ?, ?)",
                          (sha, size, codec, role, data))

    def _put_provenance(self, sha: str, url: str, path: str, member: str, status: int | None, *,
                        at: str | None = None) -> None:
        self.conn.execute("INSERT OR IGNORE INTO provenance (sha256, url, path, member, http_status, at) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          (sha, url or "", path or "", member or "", status, at or now_iso()))

    def _put_prepared(self, p: Prepared, *, at: str | None = None) -> tuple[int, bool]:
        cur = self.conn.execute(_DOC_INSERT, (*p.doc, at or now_iso()))
        if cur.rowcount == 0:
            doc_id, vkey, sha = p.doc[0], p.doc[2], p.doc[DOC_COLUMNS.index("sha256")]
            row = self.conn.execute("SELECT doc FROM documents WHERE id = ? AND vkey = ? AND sha256 = ?",
                                    (doc_id, vkey, sha)).fetchone()
            return row[0], False
        doc = cur.lastrowid
        if p.items:
            self.conn.executemany(_ITEM_INSERT, [(doc, *r) for r in p.items])
        if p.parties:
            self.conn.executemany(_PARTY_INSERT, [(doc, *r) for r in p.parties])
        if p.attachments:
            self.conn.executemany(_ATT_INSERT, [(doc, *r) for r in p.attachments])
        self._mark_latest(p.doc[0], p.doc[DOC_COLUMNS.index("kind")], p.doc[DOC_COLUMNS.index("source_format")])
        return doc, True

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
        rows = self.conn.execute(f"{sql} ORDER BY {_ORDER}", args).fetchall()
        if len(rows) == 1:
            return
        for i, (doc, latest) in enumerate(rows):
            want = 1 if i == 0 else 0
            if latest != want:
                self.conn.execute("UPDATE documents SET latest = ? WHERE doc = ?", (want, doc))
                self.conn.execute("UPDATE items SET latest = ? WHERE doc = ?", (want, doc))

    def _put_attachments(self, doc: int, downloads: Sequence["Download"]) -> None:
        for d in downloads:
            sha = hashlib.sha256(d.data).hexdigest()
            codec, data = compress(d.data)
            self._put_blob(sha, len(d.data), codec, data, "attachment")
            self._put_provenance(sha, d.url, "", "", d.status)
            if d.text:
                self.conn.execute("INSERT OR IGNORE INTO texts (sha256, text) VALUES (?, ?)", (sha, d.text))
            self.conn.execute("UPDATE attachments SET sha256 = ? WHERE doc = ? AND n = ?", (sha, doc, d.index))

    # --- reading --------------------------------------------------------------------------------------

    def has_raw(self, sha256: str) -> bool:
        """True when these raw bytes were stored as a document (its tenders were written with it, in one
        transaction)."""
        row = self.conn.execute("SELECT role FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
        return row is not None and row[0] == "document"

    def raw(self, sha256: str) -> bytes:
        row = self.conn.execute("SELECT codec, data, size FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise NotFoundError(f"no raw document with sha256 {sha256} in the store")
        return decompress(row[0], row[1], row[2])

    def text(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT text FROM texts WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def provenance(self, sha256: str) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT url, path, member, http_status, at FROM provenance WHERE sha256 = ? "
                                "ORDER BY rowid", (sha256,))
        return [dict(zip(("url", "path", "member", "http_status", "at"), r)) for r in cur]

    def _tender(self, doc: int, text: str) -> Tender:
        t = Tender.model_validate_json(text)
        if t.attachments:
            for n, sha, body in self.conn.execute(
                    "SELECT a.n, a.sha256, x.text FROM attachments a LEFT JOIN texts x ON x.sha256 = a.sha256 "
                    "WHERE a.doc = ?", (doc,)):
                if n < len(t.attachments) and sha:
                    t.attachments[n].sha256 = sha
                    t.attachments[n].text = body
        return t

    def find(self, doc_id: str, version: str | None = None, *, kind: str | None = None) -> Tender | None:
        """The stored tender (latest version unless ``version``), or None."""
        sql = "SELECT doc, json FROM documents WHERE id = ?"
        args: list[Any] = [doc_id]
        if version is not None:
            sql += " AND vkey = ?"
            args.append(version)
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        row = self.conn.execute(f"{sql} ORDER BY {_ORDER} LIMIT 1", args).fetchone()
        return self._tender(*row) if row else None

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
        rows = self.conn.execute("SELECT DISTINCT version, vsort FROM documents WHERE id = ? "
                                 "ORDER BY vsort NULLS FIRST, version", (doc_id,)).fetchall()
        return [r[0] for r in rows]

    def _where(self, kind, year, customer, search, latest) -> tuple[str, list[Any]]:
        clauses, args = [], []
        if latest:
            clauses.append("latest = 1")
        if kind:
            clauses.append("kind = ?")
            args.append(kind)
        if year:
            clauses.append("year = ?")
            args.append(int(year))
        if customer:
            c = customer.strip()
            if c.isdigit():
                clauses.append("(customer_inn = ? OR doc IN (SELECT doc FROM parties WHERE inn = ? "
                               "AND role = 'customer'))")
                args += [c, c]
            else:
                clauses.append("instr(fold(customer_name), ?) > 0")
                args.append(c.casefold())
        if search:
            s = search.strip().casefold()
            clauses.append("(instr(fold(title), ?) > 0 OR doc IN (SELECT doc FROM items WHERE "
                           "instr(fold(name), ?) > 0))")
            args += [s, s]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def iter_tenders(self, *, kind: str | None = None, year: int | None = None, customer: str | None = None,
                     search: str | None = None, latest: bool = False) -> Iterator[Tender]:
        where, args = self._where(kind, year, customer, search, latest)
        cur = self.conn.cursor()
        for doc, text in cur.execute(f"SELECT doc, json FROM documents{where} ORDER BY id, {_ORDER}", args):
            yield self._tender(doc, text)

    def rows(self, *, kind: str | None = None, year: int | None = None, customer: str | None = None,
             search: str | None = None, latest: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored documents as plain rows (no model parsing: fast for `list`)."""
        from decimal import Decimal

        where, args = self._where(kind, year, customer, search, latest)
        sql = (f"SELECT id, version, kind, published, customer_name, customer_inn, amount, currency, title, "
               f"n_items, source_format, law, sha256, stations FROM documents{where} "
               f"ORDER BY published DESC NULLS LAST, id, vsort DESC NULLS LAST")
        if limit:
            sql += f" LIMIT {int(limit)}"
        out = []
        for r in self.conn.execute(sql, args):
            out.append({
                "id": r[0], "version": r[1], "kind": r[2], "published": r[3], "customer": r[4],
                "customer_inn": r[5], "amount": Decimal(r[6]) if r[6] is not None else None, "currency": r[7],
                "title": r[8], "n_items": r[9], "source_format": r[10], "law": r[11], "sha256": r[12],
                "stations": json.loads(r[13]) if r[13] else [],
            })
        return out

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    # --- frames (spending, export) --------------------------------------------------------------------

    def items_frame(self, *, columns: Sequence[str] | None = None, latest: bool = True):
        from .queries import items_frame

        return items_frame(self.conn, columns=columns, latest=latest)

    def documents_frame(self, *, columns: Sequence[str] | None = None, latest: bool = True):
        from .queries import documents_frame

        return documents_frame(self.conn, columns=columns, latest=latest)
