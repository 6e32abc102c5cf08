"""Tenders to table rows, with no database at hand (ingest workers build these in parallel).

Money and quantities are kept as decimal TEXT in SQLite (exact; SQLite's REAL would round them), dates as
ISO 8601 text, lists as JSON text.
"""

from __future__ import annotations

import json
import zlib
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from ..models import Organization, Tender

KIND_RANK = {"notice": 0, "contract": 1, "contract_execution": 2, "change": 3, "cancellation": 4, "protocol": 5,
             "other": 6}
COMPRESS_LEVEL = 1  # zlib level for raw blobs: ~6x smaller XML for little CPU
JSON_EXCLUDE = {"supplier", "winner"}  # computed fields: derived again when read


class DocumentRow(NamedTuple):
    """A tender's row of the ``documents`` table (without its key and ``added_at``), field for column."""

    id: str
    version: str | None
    vkey: str  # the version, "" for none: part of the unique key (id, vkey, sha256)
    vsort: int | None  # the version as a number, for ordering versions
    kind: str
    krank: int  # KIND_RANK of the kind: which kind an ID's look-up prefers
    law: str | None
    source_format: str
    sha256: str  # of the raw document it was read from
    title: str | None
    published: str | None
    signed: str | None
    year: int | None
    customer_name: str | None
    customer_inn: str | None
    region: str | None
    currency: str | None
    amount: str | None
    n_items: int
    stations: str | None  # JSON list of station names
    notice_id: str | None
    contract_id: str | None
    url: str | None
    json: bytes  # the tender as JSON, UTF-8 (stored as TEXT)


# Rows of the child tables, in the order of their columns (ITEM_COLUMNS, PARTY_COLUMNS, ATTACHMENT_COLUMNS), as
# plain tuples: only the store reads them, and named tuples would add ~13 µs per document to what an ingest
# worker pickles for the parent (measured on the benchmark corpus, 3.7 items a document)
ItemRow = tuple
PartyRow = tuple
AttachmentRow = tuple


class Prepared(NamedTuple):
    """Everything the store writes for one tender (without the database keys), cheap to send from an ingest
    worker: its document row and the rows of its items, parties and attachments."""

    doc: DocumentRow
    items: list[ItemRow]
    parties: list[PartyRow]
    attachments: list[AttachmentRow]


def version_sort(version: str | None) -> int | None:
    if version is None:
        return None
    v = version.strip()
    return int(v) if v.isdigit() and len(v) < 18 else None


def dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def year_of(t: Tender) -> int | None:
    for v in (t.published, t.signed):
        if v is not None:
            return v.year
    return None


def compress(raw: bytes) -> tuple[str, bytes]:
    if len(raw) < 256:
        return "raw", raw
    return "zlib", zlib.compress(raw, COMPRESS_LEVEL)


def decompress(codec: str, data: bytes, size: int | None = None) -> bytes:
    """Blobs are stored "raw", "zlib" (compressed here) or "deflate" (a zip member's bytes as the archive
    held them, kept without compressing again). ``size`` is the blob's size: a member whose header said less
    than its deflate stream holds was read as its header says, and is given back so, never inflated further."""
    if codec == "zlib":
        return zlib.decompress(data)
    if codec == "deflate":
        d = zlib.decompressobj(-zlib.MAX_WBITS)
        if size is not None:
            return d.decompress(data, size) if size else b""
        return d.decompress(data) + d.flush()
    return bytes(data)


DOC_COLUMNS = DocumentRow._fields
ITEM_COLUMNS = ("n", "id", "version", "kind", "published", "year", "customer_inn", "currency", "name", "code",
                "code_scheme", "quantity", "unit", "unit_code", "unit_price", "amount", "lot")
PARTY_COLUMNS = ("n", "role", "name", "inn", "kpp", "ogrn", "region")
ATTACHMENT_COLUMNS = ("n", "name", "url", "kind", "size", "sha256")


# what model_dump_json(exclude=...) calls, without its Python wrapper (the same JSON text)
_to_json = Tender.__pydantic_serializer__.to_json


def prepare(t: Tender, sha256: str) -> Prepared:
    cust = t.customer
    published = iso(t.published)
    year = year_of(t)
    kind = t.kind.value
    doc = DocumentRow(
        t.id, t.version, t.version or "", version_sort(t.version), kind, KIND_RANK.get(kind, 9), t.law,
        t.source_format, sha256, t.title, published, iso(t.signed), year,
        cust.name if cust else None, cust.inn if cust else None, t.region or (cust.region if cust else None),
        t.currency, dec(t.amount), len(t.items),
        json.dumps([s.name for s in t.stations], ensure_ascii=False) if t.stations else None,
        t.notice_id, t.contract_id, t.url, _to_json(t, exclude=JSON_EXCLUDE),
    )
    inn = cust.inn if cust else None
    # an item whose quantity is not fixed keeps its unit price and has no quantity or amount (spending adds
    # the amount column: a unit price must never be in it)
    items = [
        (n, t.id, t.version, kind, published, year, inn, it.currency or t.currency, it.name, it.code,
         it.code_scheme, None if it.quantity_undefined else dec(it.quantity), it.unit, it.unit_code,
         dec(it.unit_price), None if it.quantity_undefined else dec(it.amount), it.lot)
        for n, it in enumerate(t.items)
    ]
    parties: list[tuple] = []

    def party(role: str, o: Organization | None) -> None:
        if o is not None and (o.name or o.inn):
            parties.append((len(parties), role, o.name, o.inn, o.kpp, o.ogrn, o.region))

    party("customer", t.customer)
    party("responsible", t.responsible)
    for s in t.suppliers:
        party("supplier", s)
    for a in t.applications:
        party("participant", a.participant)
    attachments = [(n, a.name, a.url, a.kind, a.size, a.sha256) for n, a in enumerate(t.attachments)]
    return Prepared(doc, items, parties, attachments)
