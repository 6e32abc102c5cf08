"""The export tables and their typed columns: what one row of each table holds.

Every column has a type (:class:`Col`): ``id`` columns (registry numbers, INNs, codes) are text that must
stay text (leading zeros, 19-digit numbers); ``decimal`` columns are exact (Parquet decimal, XLSX number,
CSV text of the exact value). To add a column: name it here, and fill it in :mod:`.rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Table(str, Enum):
    documents = "documents"
    items = "items"
    parties = "parties"
    stations = "stations"
    attachments = "attachments"


class FileFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"
    jsonl = "jsonl"


@dataclass(frozen=True)
class Col:
    name: str
    type: str = "text"  # text | id | decimal | int | bool | date | datetime


def _cols(spec: str) -> tuple[Col, ...]:
    """``"id:id version title amount:decimal"`` -> columns."""
    out = []
    for part in spec.split():
        name, _, typ = part.partition(":")
        out.append(Col(name, typ or "text"))
    return tuple(out)


_DOC = "id:id version:id kind year:int"
COLUMNS: dict[Table, tuple[Col, ...]] = {
    Table.documents: _cols(
        f"{_DOC} law source_format title published:datetime signed:date submission_deadline:datetime method "
        "status customer_name customer_inn:id customer_id_scheme customer_kpp:id responsible_name "
        "responsible_inn:id responsible_role supplier_name supplier_inn:id supplier_id_scheme region "
        "region_source currency amount:decimal amount_basis quantity_undefined:bool items:int "
        "items_total:decimal stations:int attachments:int notice_id:id contract_id:id url source sha256"),
    Table.items: _cols(
        f"{_DOC} customer_inn:id item_no:int lot:id name code:id code_scheme quantity:decimal unit "
        "unit_code:id unit_price:decimal amount:decimal quantity_undefined:bool currency"),
    Table.parties: _cols(
        f"{_DOC} role role_code name short_name inn:id kpp:id ogrn:id reg_num:id id_scheme entity region "
        "country address"),
    Table.stations: _cols(
        f"{_DOC} station line line_number:id city candidate_lines evidence_field evidence"),
    Table.attachments: _cols(
        f"{_DOC} name url attachment_kind kind_name description size:int published:datetime content_id:id "
        "sha256"),
}
