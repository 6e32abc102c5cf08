"""The store's tables (see :mod:`tenderscan.store.db`) and the statements that insert their rows."""

from __future__ import annotations

from .rows import ATTACHMENT_COLUMNS, DOC_COLUMNS, ITEM_COLUMNS, PARTY_COLUMNS

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
    request TEXT NOT NULL DEFAULT '', archive_sha256 TEXT NOT NULL DEFAULT '',
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
CREATE TABLE IF NOT EXISTS fx_rates (source TEXT NOT NULL, day TEXT NOT NULL, currency TEXT NOT NULL,
    rate TEXT NOT NULL, PRIMARY KEY (source, day, currency));
"""

# the JSON column comes as UTF-8 bytes (rows.prepare) and is stored as TEXT, as SQLite's CAST reads them
DOC_INSERT = (f"INSERT OR IGNORE INTO documents (doc, {', '.join(DOC_COLUMNS)}, added_at) "
              f"VALUES (?, {', '.join('?' * (len(DOC_COLUMNS) - 1))}, CAST(? AS TEXT), ?)")
BLOB_INSERT = "INSERT OR IGNORE INTO blobs (sha256, size, codec, role, data) VALUES (?, ?, ?, ?, ?)"
PROV_INSERT = ("INSERT OR IGNORE INTO provenance (sha256, url, path, member, http_status, at, request, "
               "archive_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
# columns added after the first stores were made: (table, column, declaration), added when missing
ADDED_COLUMNS = (("provenance", "request", "TEXT NOT NULL DEFAULT ''"),
                 ("provenance", "archive_sha256", "TEXT NOT NULL DEFAULT ''"))
ITEM_INSERT = f"INSERT OR IGNORE INTO items (doc, {', '.join(ITEM_COLUMNS)}) VALUES (?{', ?' * len(ITEM_COLUMNS)})"
PARTY_INSERT = (f"INSERT OR IGNORE INTO parties (doc, {', '.join(PARTY_COLUMNS)}) "
                f"VALUES (?{', ?' * len(PARTY_COLUMNS)})")
ATT_INSERT = (f"INSERT OR IGNORE INTO attachments (doc, {', '.join(ATTACHMENT_COLUMNS)}) "
              f"VALUES (?{', ?' * len(ATTACHMENT_COLUMNS)})")
