"""The dataset's tables and their one Arrow schema each, fixed here whatever the data.

The data tables are `export`'s (:data:`tenderscan.services.export.tables.COLUMNS`, the same columns, filled
by the same row functions), with the keys that join them and order them:

* ``documents``: ``doc`` is its key, a number that also gives the order a store would have stored the
  documents in (``task_seq`` * 2**32 + its place among the task's documents); ``sha256`` (of the raw
  bytes) and ``doc_no`` (the document's place in them: an OCDS package holds many) say what it was read
  from, ``task_seq`` and ``input_no`` where; ``published_iso`` is the publication time as the document wrote it (with its
  own offset: ``published`` is the instant, in UTC), ``date`` the day it counts on in `spending` (signing
  for contracts, publication otherwise), ``version_sort`` its version as a number (as the store sorts it);
  and what its items' fixed quantities add up to, so that `spending` without item filters never reads
  ``items``: ``items_quantity`` (their exact sum; null when no item has a fixed quantity), ``items_units``
  (how many distinct units they are in: the unit's OKEI or UN/CEFACT code, else its name),
  ``items_unit_key`` and ``items_unit`` (the greatest unit key, and the greatest unit name, else code: the
  unit when there is one), ``items_unit_missing`` (one of them has no unit);
* ``items``, ``parties``, ``stations``, ``attachments``: ``doc`` names their document (``doc_sha256`` and
  ``doc_no`` too), ``row_no`` their place in it (items keep export's ``item_no``);
* ``inputs``: every input read (raw provenance: path or URL, archive member, size, sha256), also when the
  same bytes were met before (the documents are written once, from the first);
* ``failures``: each input that could not be read or written (input, error message, exit code);
* ``latest``: the key of the latest version of each document, computed when a run commits;
* ``tenders``: each document's whole model as JSON (``json``: the text the store keeps,
  ``Tender.model_dump_json``, without ``source.read_at``), keyed and partitioned as ``documents``: what
  `flags` and `profile` read (the flat tables do not hold the protocols' applications, the dates and
  prices they need).

A decimal column has one precision and scale (:data:`SCALES`) in every file of every worker; a value with
more decimals, or more digits than that leaves, is refused (its input goes to ``failures``), never rounded.
``<column>_scale`` keeps how many decimals the document wrote (1.5 stays 1.5, not 1.500000, for readers
that want the value as written). ``year`` and ``region_code`` are hive partition folders, not columns in
the files (see :mod:`.layout`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..export.columns import COLUMNS, Col, Table

PRECISION = 38
MONEY_SCALE = 6  # amounts: the portals' schemas write 2 decimals (44-FZ moneyType); OCDS up to 3 seen
SCALES = {"amount": MONEY_SCALE, "items_total": MONEY_SCALE,
          # unit prices and quantities: up to 11 decimals in the XSDs (drugTotalQuantityType) and the samples
          "unit_price": 12, "quantity": 12, "items_quantity": 12}
PARTITIONS = ("year", "region_code")  # hive folders of the data tables
DATA_TABLES = tuple(t.value for t in Table)  # documents, items, parties, stations, attachments
INPUTS, FAILURES, LATEST, TENDERS = "inputs", "failures", "latest", "tenders"
TABLES = (*DATA_TABLES, TENDERS, INPUTS, FAILURES, LATEST)

_KEYS = {
    "documents": "doc:int sha256:id doc_no:int32 task_seq:int32 input_no:int32 published_iso date:date version_sort:int",
    # after export's columns: the sums of the document's items (see the docstring)
    "documents_after": "items_quantity:decimal items_units:int32 items_unit_key items_unit items_unit_missing:bool",
    "child": "doc:int doc_sha256:id doc_no:int32 row_no:int32",
}
_OWN = {
    INPUTS: "task_seq:int32 input_no:int32 name path member url size:int sha256:id status documents:int32",
    FAILURES: "task_seq:int32 input_no:int32 name path member message exit_code:int32",
    LATEST: "doc:int sha256:id doc_no:int32 id:id kind source_format",
    TENDERS: "doc:int sha256:id doc_no:int32 json",
}


def _cols(spec: str) -> list[Col]:
    return [Col(n, t or "text") for n, _, t in (p.partition(":") for p in spec.split())]


@lru_cache(maxsize=None)
def columns(table: str) -> tuple[Col, ...]:
    """The columns written into each file of ``table`` (the partition columns are folders, not columns)."""
    if table in _OWN:
        return tuple(_cols(_OWN[table]))
    base = [c for c in COLUMNS[Table(table)] if c.name not in PARTITIONS]
    if table == "documents":
        keys = _cols(_KEYS["documents"])
        base = [c for c in base if c.name != "sha256"] + _cols(_KEYS["documents_after"])
    else:
        keys = _cols(_KEYS["child"])
    out = keys + base
    out += [Col(f"{c.name}_scale", "int8") for c in base if c.type == "decimal"]
    return tuple(out)


def arrow_type(col: Col):
    import pyarrow as pa

    if col.type == "decimal":
        return pa.decimal128(PRECISION, SCALES[col.name])
    return {"int": pa.int64(), "int32": pa.int32(), "int8": pa.int8(), "bool": pa.bool_(), "date": pa.date32(),
            "datetime": pa.timestamp("us", tz="UTC")}.get(col.type, pa.string())


@lru_cache(maxsize=None)
def schema(table: str):
    """The Arrow schema of every file of ``table``."""
    import pyarrow as pa

    return pa.schema([pa.field(c.name, arrow_type(c)) for c in columns(table)])


@lru_cache(maxsize=None)
def decimal_columns(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in columns(table) if c.type == "decimal")


def partitioned(table: str) -> bool:
    return table in DATA_TABLES or table == TENDERS


@dataclass(frozen=True)
class Misfit:
    """A decimal value the dataset's fixed scale cannot hold exactly."""

    table: str
    column: str
    value: Decimal

    def message(self) -> str:
        scale = SCALES[self.column]
        return (f"{self.table}.{self.column} {self.value} does not fit the dataset's decimal({PRECISION},{scale}) "
                f"exactly (at most {scale} decimals and {PRECISION - scale} digits before the point); "
                "the document was not written rather than rounded")


def scale_of(value: Decimal) -> int:
    """The decimals a value was written with (as the store keeps its text: ``format(v, "f")``)."""
    exp = value.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def fits(value: Decimal, column: str) -> bool:
    if not value.is_finite():
        return False
    scale = SCALES[column]
    return scale_of(value) <= scale and (value.is_zero() or value.adjusted() < PRECISION - scale)


def check_row(table: str, row: dict[str, Any]) -> Misfit | None:
    """The first decimal of a row the schema cannot hold; sets the row's ``<column>_scale`` values."""
    for name in decimal_columns(table):
        v = row.get(name)
        if v is None:
            continue
        if not fits(v, name):
            return Misfit(table, name, v)
        row[f"{name}_scale"] = scale_of(v)
    return None
