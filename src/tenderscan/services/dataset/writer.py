"""One task's Parquet files: rows buffered per table and partition, written with the fixed schema.

Every file is written under a temporary name and renamed when complete, so a reader (or a rerun of the same
task, after its worker died) never sees half a file; the names are the task's own (``part-<task>-<n>``),
so two workers never write the same file and a rerun overwrites what the first attempt left.
"""

from __future__ import annotations

import os
import secrets
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from .layout import file_name, partition_dir, staged_name
from .schema import arrow_type, columns, partitioned, schema

FLUSH_ROWS = int(os.environ.get("TENDERSCAN_DATASET_FLUSH_ROWS", "200000"))  # buffered rows before a flush
FLUSH_TEXT = 64 * 2**20  # or characters of the tenders' JSON buffered (a document's model can be 100 KB)


class TaskWriter:
    """Buffers rows of one task and writes them into ``stage`` (the task's staging folder, flat:
    :func:`~.layout.staged_name`); ``files`` lists them by the path each is committed at."""

    def __init__(self, stage: Path, task: str):
        self.stage = Path(stage)
        self.task = task
        self.part = 0
        self.buffered = 0
        self.text = 0  # characters of JSON buffered
        self.documents = 0  # documents written so far (their ``doc`` numbers)
        self.buffers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.files: list[dict[str, Any]] = []  # {"table", "path" (relative), "rows"}

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            folder = partition_dir(table, r.get("year"), r.get("region_code")) if partitioned(table) else table
            self.buffers.setdefault((table, folder), []).append(r)
            self.text += len(r.get("json") or "")
        self.buffered += len(rows)
        if self.buffered >= FLUSH_ROWS or self.text >= FLUSH_TEXT:
            self.flush()

    def flush(self) -> None:
        if not self.buffers:
            return
        for (table, folder), rows in sorted(self.buffers.items()):
            rel = f"{folder}/{file_name(self.task, self.part)}"
            write_table(table, rows, self.stage / staged_name(rel))
            self.files.append({"table": table, "path": rel, "rows": len(rows)})
        self.buffers, self.buffered, self.text = {}, 0, 0
        self.part += 1


def arrow_table(table: str, rows: list[dict[str, Any]]):
    """Rows as an Arrow table of the table's schema (decimals already checked to fit)."""
    import pyarrow as pa

    arrays = []
    for col in columns(table):
        conv = _CONVERT.get(col.type)
        values = [r.get(col.name) for r in rows]
        if conv is not None:
            values = [None if v is None else conv(v) for v in values]
        arrays.append(pa.array(values, type=arrow_type(col)))
    return pa.Table.from_arrays(arrays, schema=schema(table))


def write_table(table: str, rows: list[dict[str, Any]], path: Path) -> None:
    """One Parquet file, atomically (a temporary name beside it, renamed when written)."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        pq.write_table(arrow_table(table, rows), tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _utc(v: Any) -> Any:
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=timezone.utc)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=timezone.utc)
    return v


_CONVERT = {
    "text": str, "id": str,
    "date": lambda v: v.date() if isinstance(v, datetime) else v,
    "datetime": _utc,
}
