"""A dataset opened for queries: an embedded DuckDB connection with one view per table over the files the
manifest lists (never a file a run has not committed), and `list --dataset`.

Views: ``documents``, ``items``, ``parties``, ``stations``, ``attachments``, ``tenders`` (with ``year`` and
``region_code`` from the hive folders), ``inputs``, ``failures``, ``latest``, and ``counted``: the latest
version of each document (the store's ``latest = 1``). :meth:`Dataset.iter_tenders` gives the documents as
models (what `flags` and `profile` read), as the store's ``iter_tenders`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from ...errors import NotFoundError
from ...models import Tender
from ...store import queries
from ...store.rows import KIND_RANK
from . import manifest as mf
from .commit import connect, sql_list
from .layout import MANIFEST
from .schema import MONEY_SCALE, PARTITIONS, TABLES, TENDERS, partitioned, schema

HIVE_TYPES = "{'year': 'INTEGER', 'region_code': 'VARCHAR'}"
BATCH = 1000  # documents parsed from one fetch (iter_tenders)
# the store's order of documents (id, then its kinds, its versions newest first: store.queries.VERSION_ORDER)
_RANK = "CASE d.kind " + " ".join(f"WHEN '{k}' THEN {r}" for k, r in KIND_RANK.items()) + " ELSE 9 END"
TENDER_ORDER = f"d.id, {_RANK}, d.version_sort DESC NULLS LAST, d.published_iso DESC NULLS LAST, d.doc DESC"


@dataclass
class Dataset:
    path: Path
    manifest: mf.Manifest
    con: Any  # duckdb.DuckDBPyConnection

    @classmethod
    def open(cls, path: Path | str) -> "Dataset":
        """Open the dataset at ``path``; a folder without a committed manifest is a NotFoundError."""
        root = Path(path).resolve()
        m = mf.load(root) if root.is_dir() else None
        if m is None:
            raise NotFoundError(f"no dataset at {root} (no {MANIFEST})",
                                hint="write one with `tenderscan export SOURCES --dataset DIR`")
        con = connect()
        ds = cls(root, m, con)
        for table in TABLES:
            ds._view(table)
        con.execute("CREATE VIEW counted AS SELECT d.* FROM documents d SEMI JOIN latest l ON d.doc = l.doc")
        return ds

    def _view(self, table: str) -> None:
        files = [str(self.path / p) for p in self.manifest.files(table)]
        if not files:
            import pyarrow as pa

            empty = schema(table)
            if partitioned(table):
                empty = empty.append(pa.field("year", pa.int32())).append(pa.field("region_code", pa.string()))
            self.con.register(f"_empty_{table}", empty.empty_table())
            self.con.execute(f"CREATE VIEW {table} AS SELECT * FROM _empty_{table}")
            return
        hive = f"hive_partitioning = true, hive_types = {HIVE_TYPES}" if partitioned(table) else \
            "hive_partitioning = false"
        self.con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({sql_list(files)}, {hive})")

    def sql(self, query: str, params: list | None = None):
        return self.con.execute(query, params or [])

    def count(self, *, latest: bool = True) -> int:
        """How many documents (the latest version of each, or every version)."""
        return self.sql(f"SELECT count(*) FROM {'latest' if latest else 'documents'}").fetchall()[0][0]

    def check_tenders(self) -> None:
        """A NotFoundError when a task's documents have no ``tenders`` rows: written by a tenderscan that did
        not keep the documents' models (before the table existed), so `flags` and `profile` cannot read them."""
        for task in self.manifest.tasks.values():
            rows = {t: sum(f["rows"] for f in task["files"] if f["table"] == t)
                    for t in ("documents", TENDERS)}
            if rows["documents"] != rows[TENDERS]:
                raise NotFoundError(
                    f"the dataset at {self.path} has no {TENDERS} table (the documents' models) for "
                    f"{task.get('source') or 'some inputs'}: it was written by an earlier tenderscan",
                    hint="export its inputs again into a new folder: "
                         "`tenderscan export SOURCES --dataset NEWDIR`")

    def iter_tenders(self, *, latest: bool = True, batch: int = BATCH) -> Iterator[Tender]:
        """The documents as models (the latest version of each, or every version), in the store's order,
        parsed ``batch`` at a time from a streamed result (never the whole table in memory)."""
        self.check_tenders()
        source = "counted" if latest else "documents"
        query = f"SELECT t.json FROM {source} d JOIN tenders t ON t.doc = d.doc ORDER BY {TENDER_ORDER}"
        return _tenders(self.con.sql(query).to_arrow_reader(batch_size=batch))  # streamed, batch by batch

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Dataset":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_documents(path: Path | str) -> Dataset:
    """The dataset at ``path`` opened for `flags` and `profile`: an error when it has no document, or was
    written without the ``tenders`` table."""
    ds = Dataset.open(path)
    try:
        ds.check_tenders()
        if not ds.count():
            raise NotFoundError(f"no documents in the dataset at {ds.path}",
                                hint="add some with `tenderscan export SOURCES --dataset DIR`")
    except BaseException:
        ds.close()
        raise
    return ds


def _tenders(reader) -> Iterator[Tender]:
    try:
        for chunk in reader:
            for text in chunk.column(0).to_pylist():
                yield Tender.model_validate_json(text)
    finally:
        reader.close()  # the connection is the reader's until then


def as_written(column: str, scale_column: str, full: int = MONEY_SCALE) -> str:
    """SQL: a fixed-scale decimal as the text the document wrote (``1.500000`` with scale 1 is ``1.5``)."""
    return (f"CASE WHEN {column} IS NULL THEN NULL WHEN {scale_column} >= {full} THEN CAST({column} AS VARCHAR) "
            f"ELSE left(CAST({column} AS VARCHAR), length(CAST({column} AS VARCHAR)) - {full} + {scale_column}"
            f" - CASE WHEN {scale_column} = 0 THEN 1 ELSE 0 END) END")


def register_fold(con) -> None:
    """``fold(text)``: Python's casefold, the store's comparison of names and titles."""
    import duckdb

    try:
        con.create_function("fold", lambda s: s.casefold() if s is not None else None, [str], str,
                            null_handling="special", side_effects=False)
    except (duckdb.CatalogException, duckdb.NotImplementedException):  # registered already here
        pass


LIST_COLUMNS = ("id", "version", "kind", "published", "customer", "customer_inn", "amount", "currency", "title",
                "n_items", "source_format", "law", "sha256", "stations")


def list_rows(ds: Dataset, *, kind: str | None = None, year: int | None = None, customer: str | None = None,
              search: str | None = None, latest: bool = True, limit: int | None = None) -> list[dict[str, Any]]:
    """`list --dataset`: the rows :meth:`tenderscan.store.Store.rows` gives for the same documents, filters and
    order (newest first by the publication time as written)."""
    if customer or search:
        register_fold(ds.con)
    # the store's year: publication's, else signing's
    where, args = queries.where(kind, year, customer, search,
                                year_of="coalesce(CAST(substr(published_iso, 1, 4) AS INTEGER), year(signed))")
    source = "counted" if latest else "documents"
    sql = (f"SELECT id, version, kind, published_iso, customer_name, customer_inn, {as_written('amount', 'amount_scale')}, "
           "currency, title, items, source_format, law, sha256, (SELECT list(station ORDER BY row_no) FROM stations s "
           f"WHERE s.doc = d.doc) FROM {source} d" + where
           + " ORDER BY published_iso DESC NULLS LAST, id, version_sort DESC NULLS LAST, doc")
    if limit:
        sql += f" LIMIT {int(limit)}"
    out = []
    for r in ds.sql(sql, args).fetchall():
        row = dict(zip(LIST_COLUMNS, r))
        row["amount"] = Decimal(row["amount"]) if row["amount"] is not None else None
        row["stations"] = list(row["stations"] or [])
        out.append(row)
    return out


__all__ = ["Dataset", "list_rows", "open_documents", "PARTITIONS"]
