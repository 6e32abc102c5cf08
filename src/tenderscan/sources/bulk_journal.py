"""The bulk journal: which requests to the bulk service were answered and which archives are done.

One small SQLite file, ``bulk-journal.sqlite``, in the store's directory beside ``tenderscan.sqlite`` (its own
file, not a table of the store: it records how far a download got, not documents; deleting it makes the next
run ask everything again and changes no stored document). Two tables:

    requests (key, operation, subsystem, region, doc_type, day, number, state, archives, answered_at)
        state: 'answered' (its archive URLs are below) or 'no_data' (the service has nothing for it)
    archives (url, request, state, sha256, size, done_at)
        state: 'pending' (known, not yet handed over) or 'done' (downloaded and handed to the caller)

A request is done when it was answered and every archive of its answer is done. The token is never written
here (the service's URLs carry none; they are scrubbed all the same by the caller).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ..datadir import default_dir
from ..errors import StoreError
from .getdocs import BulkRequest

JOURNAL_NAME = "bulk-journal.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    key TEXT PRIMARY KEY, operation TEXT NOT NULL, subsystem TEXT NOT NULL, region TEXT, doc_type TEXT,
    day TEXT, number TEXT, state TEXT NOT NULL, archives INTEGER NOT NULL DEFAULT 0, answered_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS archives (
    url TEXT PRIMARY KEY, request TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', sha256 TEXT,
    size INTEGER, done_at TEXT
);
CREATE INDEX IF NOT EXISTS archives_request ON archives (request);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class BulkJournal:
    """The journal of one store directory. Every write is its own transaction: a run killed at any moment
    leaves what it had recorded, and nothing half-written."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, directory: str | os.PathLike | None = None) -> BulkJournal:
        """The journal in ``directory`` (default: the store's directory, TENDERSCAN_STORE)."""
        folder = Path(directory).expanduser() if directory is not None else default_dir()
        path = folder / JOURNAL_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the bulk journal {path}: {exc}",
                             hint="check the store directory (TENDERSCAN_STORE) and its permissions"
                             ) from None
        return cls(path, conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> BulkJournal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"BulkJournal({str(self.path)!r})"

    # --- requests ---------------------------------------------------------------------------------------

    def answer(self, req: BulkRequest) -> list[str] | None:
        """The archive URLs recorded for ``req`` ([] for noData), or None when it was never answered."""
        row = self._conn.execute("SELECT state FROM requests WHERE key = ?", (req.key,)).fetchone()
        if row is None:
            return None
        return [u for (u,) in self._conn.execute("SELECT url FROM archives WHERE request = ? ORDER BY rowid",
                                                 (req.key,))]

    def record_answer(self, req: BulkRequest, urls: list[str]) -> None:
        """The service answered ``req`` with these archive URLs (none: noData). Replaces an earlier answer's
        pending URLs (the links expire; done archives stay done)."""
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM archives WHERE request = ? AND state = 'pending'", (req.key,))
            self._conn.execute(
                "INSERT OR REPLACE INTO requests (key, operation, subsystem, region, doc_type, day, number, "
                "state, archives, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (req.key, req.operation, req.subsystem, req.region, req.doc_type,
                 req.day.isoformat() if req.day else None, req.number, "answered" if urls else "no_data",
                 len(urls), _now()))
            self._conn.executemany("INSERT OR IGNORE INTO archives (url, request) VALUES (?, ?)",
                                   [(u, req.key) for u in urls])

    def forget(self, req: BulkRequest) -> None:
        """Forget the answer to ``req`` (its links expired): the next run asks again."""
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM archives WHERE request = ? AND state = 'pending'", (req.key,))
            self._conn.execute("DELETE FROM requests WHERE key = ?", (req.key,))

    def request_done(self, req: BulkRequest) -> bool:
        urls = self.answer(req)
        return urls is not None and all(self.archive_done(u) for u in urls)

    def no_data(self, req: BulkRequest) -> bool:
        row = self._conn.execute("SELECT state FROM requests WHERE key = ?", (req.key,)).fetchone()
        return row is not None and row[0] == "no_data"

    # --- archives ---------------------------------------------------------------------------------------

    def archive_done(self, url: str) -> bool:
        row = self._conn.execute("SELECT state FROM archives WHERE url = ?", (url,)).fetchone()
        return row is not None and row[0] == "done"

    def mark_archive(self, url: str, *, sha256: str, size: int) -> None:
        """The archive at ``url`` was downloaded and handed over."""
        with self._conn:
            self._conn.execute("UPDATE archives SET state = 'done', sha256 = ?, size = ?, done_at = ? "
                               "WHERE url = ?", (sha256, size, _now(), url))

    def archive_sha256(self, url: str) -> str | None:
        row = self._conn.execute("SELECT sha256 FROM archives WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def counts(self) -> dict[str, int]:
        """Requests answered, of them with no data; archives known, done."""
        q = self._conn.execute
        return {"requests": q("SELECT count(*) FROM requests").fetchone()[0],
                "no_data": q("SELECT count(*) FROM requests WHERE state = 'no_data'").fetchone()[0],
                "archives": q("SELECT count(*) FROM archives").fetchone()[0],
                "archives_done": q("SELECT count(*) FROM archives WHERE state = 'done'").fetchone()[0]}
