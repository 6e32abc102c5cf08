"""The one document model every format is read into.

Money, quantities and prices are ``Decimal`` (serialised as strings in JSON); registry numbers, INNs and
codes are strings (leading zeros are data). Datetimes are timezone-aware; plain dates are ``date``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from datetime import date as _date  # for fields named `date`, whose name shadows the type in the class body
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field


class Kind(str, Enum):
    notice = "notice"
    contract = "contract"
    contract_execution = "contract_execution"
    protocol = "protocol"
    cancellation = "cancellation"
    change = "change"
    plan = "plan"  # a purchase plan / plan-schedule: its positions are the items
    other = "other"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, ser_json_inf_nan="strings")


class Organization(_Model):
    """A customer, placer, supplier or participant.

    ``inn`` holds the national identifier whatever the country (INN in Russia, EDRPOU in Ukraine...),
    with its scheme in ``id_scheme`` when it is not a Russian INN.
    """

    name: str | None = None
    short_name: str | None = None
    inn: str | None = None
    kpp: str | None = None
    ogrn: str | None = None
    reg_num: str | None = None  # registry number in the portal's organisation register (EIS regNum, SPZ)
    id_scheme: str | None = None  # e.g. "RU-INN" (default when inn is set), "UA-EDR", "MX-RFC"
    role: str | None = None  # e.g. "customer", "placer", "CU", "OCU", "supplier", "participant"
    role_code: str | None = None  # the source's own code for the role (CU, OCU, RA, AI...), where it has one
    entity: str | None = None  # "legal_entity", "sole_trader", "individual", "foreign" where the source says
    address: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 where known
    email: str | None = None
    phone: str | None = None
    contact: str | None = None  # contact person's name (dropped by --redact-contacts)


class Classification(_Model):
    scheme: str  # OKPD2, OKPD, KTRU, CPV, OKVED2, UNSPSC...
    code: str
    name: str | None = None


class Item(_Model):
    """One purchase object / product position. Flat on purpose: it matches the JSON contract."""

    name: str | None = None
    code: str | None = None  # main classification code (OKPD2, KTRU, CPV...)
    code_scheme: str | None = None
    code_name: str | None = None
    classifications: list[Classification] = Field(default_factory=list)  # additional codes (e.g. OKPD2 of a KTRU)
    quantity: Decimal | None = None
    unit: str | None = None  # unit name or national symbol (OKEI nationalCode), e.g. "шт", "Месяц"
    unit_code: str | None = None  # OKEI code, e.g. "796"; UN/CEFACT code for international formats
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    # the quantity is not fixed: `unit_price` is a price per unit, `quantity` and `amount` stay empty
    quantity_undefined: bool = False
    currency: str | None = None  # only where it differs from the document's
    lot: str | None = None  # lot number / id the item belongs to
    parent: str | None = None  # the name of the purchase object this item is a part of (hierarchies)
    kind: str | None = None  # "product", "service", "work", "drug"
    delivery_places: list[str] = Field(default_factory=list)
    id: str | None = None  # the source's own item id (sid, item id)


class Lot(_Model):
    id: str | None = None  # lot number / id as written in the source
    title: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    status: str | None = None
    delivery_places: list[str] = Field(default_factory=list)


class Place(_Model):
    """A delivery place with whatever codes the source gives."""

    text: str | None = None
    kladr: str | None = None
    gar_guid: str | None = None
    okato: str | None = None
    nuts: str | None = None
    region: str | None = None
    country: str | None = None
    lot: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class Attachment(_Model):
    name: str | None = None
    url: str | None = None
    kind: str | None = None  # document kind code (MRJ, CP, POD...) or type (tenderNotice...)
    kind_name: str | None = None
    description: str | None = None
    size: int | None = None
    published: datetime | date | None = None
    content_id: str | None = None  # publishedContentId / document id
    sha256: str | None = None  # set when the file was downloaded into the store
    text: str | None = Field(default=None, exclude=True)  # extracted text (docx/xlsx/pdf), kept for stations


class Payment(_Model):
    date: _date | datetime | None = None
    amount: Decimal | None = None
    currency: str | None = None
    document: str | None = None  # payment document name / number
    description: str | None = None


class Application(_Model):
    """A bid in a protocol."""

    number: str | None = None  # journal / application number
    participant: Organization | None = None
    price: Decimal | None = None
    currency: str | None = None
    admitted: bool | None = None
    rating: int | None = None
    winner: bool = False
    lot: str | None = None  # the lot this application is for, where the protocol has several
    reason: str | None = None  # rejection reason
    date: datetime | _date | None = None


class PlanRef(_Model):
    """Where a purchase stands in a plan: the plan (plan-schedule) number, the position and the IKZ."""

    plan_number: str | None = None
    position_number: str | None = None
    ikz: str | None = None  # the purchase identification code (44-FZ IKZ, 36 digits)
    customer_inn: str | None = None  # whose plan, in joint purchases


class Period(_Model):
    start: datetime | date | None = None
    end: datetime | date | None = None


class Evidence(_Model):
    field: str  # where in the document: "title", "items[3].name", "delivery_places[0]", "attachments[1]"...
    text: str  # the text around the mention


class Station(_Model):
    name: str
    line: str | None = None  # line name; None when ambiguous and unresolved (see candidate_lines)
    line_number: str | None = None
    line_color: str | None = None
    city: str | None = None
    name_en: str | None = None
    candidate_lines: list[str] = Field(default_factory=list)  # when a name sits on several lines
    evidence: list[Evidence] = Field(default_factory=list)


class Source(_Model):
    path: str | None = None
    url: str | None = None
    member: str | None = None  # member name inside a zip archive
    sha256: str | None = None
    size: int | None = None
    read_at: datetime | None = None
    http_status: int | None = None
    source_id: str | None = None  # the portal's internal id where it differs from `id` (ProZorro hex id)


class Tender(_Model):
    kind: Kind = Kind.other
    id: str
    version: str | None = None
    source_format: str  # e.g. "zakupki44/epNotificationEF2020"
    law: str | None = None  # "44-FZ", "223-FZ", "OCDS", "ProZorro", "TED"
    title: str | None = None
    published: datetime | None = None
    signed: date | datetime | None = None  # contracts: date of signing
    submission_deadline: datetime | None = None
    execution_period: Period | None = None
    method: str | None = None  # placing way / procurement method name
    method_code: str | None = None
    status: str | None = None
    url: str | None = None  # the document's page on the portal
    country: str | None = None
    region: str | None = None
    customer: Organization | None = None
    responsible: Organization | None = None  # responsible organisation / placer (may equal customer)
    responsible_role: str | None = None
    suppliers: list[Organization] = Field(default_factory=list)
    currency: str | None = None
    amount: Decimal | None = None
    # what `amount` is, where a format can say ("maximum price", "lot values", "framework maximum"...)
    amount_basis: str | None = None
    # some items' quantities are not fixed: their prices are per unit and `amount` is the maximum value
    quantity_undefined: bool = False
    lots: list[Lot] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    delivery_places: list[str] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    plan_refs: list[PlanRef] = Field(default_factory=list)  # the plan positions this purchase comes from
    notice_id: str | None = None  # a contract's / protocol's link to its notice (purchase number)
    contract_id: str | None = None  # an execution's / completion's link to its contract
    payments: list[Payment] = Field(default_factory=list)
    applications: list[Application] = Field(default_factory=list)
    stations: list[Station] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)  # format-specific values worth keeping
    source: Source = Field(default_factory=Source)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def supplier(self) -> Organization | None:
        """The first supplier (the JSON contract's `supplier`); all of them are in `suppliers`."""
        return self.suppliers[0] if self.suppliers else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def winner(self) -> Organization | None:
        for app in self.applications:
            if app.winner:
                return app.participant
        return None

    @property
    def items_total(self) -> Decimal | None:
        amounts = [i.amount for i in self.items if i.amount is not None]
        return sum(amounts, Decimal(0)) if amounts else None

    def label(self) -> str:
        """`id` with the version, as used in messages and `ID@version`."""
        return f"{self.id}@{self.version}" if self.version else self.id


M = TypeVar("M", bound=BaseModel)


def builder(model: type[M]) -> Callable[..., M]:
    """A constructor for ``model`` in hot parsing loops: ``builder(Item)(name=...)`` validates exactly as
    ``Item(name=...)`` does (same checks, same model, same errors), without the Python frame of
    ``BaseModel.__init__`` (about a third of a small model's cost). ``model_construct`` is no faster."""
    validate = model.__pydantic_validator__.validate_python

    def build(**values: Any) -> M:
        return validate(values)

    build.__name__ = build.__qualname__ = model.__name__
    return build
