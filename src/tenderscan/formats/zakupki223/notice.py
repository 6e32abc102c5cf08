"""223-FZ XML documents of zakupki.gov.ru: purchase notices (every ``purchaseNotice*`` variant), protocols
(``purchaseProtocol*``, in ``protocols``), contract accounts (``purchaseContractAccount``), the
contract published with its purchase and the cancellations of a purchase, its lots or a protocol (in
``other``), and from the contract register contracts (``contract``), contract completion
(``performanceContract``, in ``contracts``) and termination (``contractCancellation``).
Purchase plans are another format (``zakupki223_plan``).

Detection is by the root's namespace URI and local name. A dump file holds several ``body/item`` entries:
each becomes one Tender. Dates in these documents carry no offset; they are Moscow time (the portal's clock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lxml import etree

from ...errors import ParseError
from ...models import Item, Kind, Lot, Place, PlanRef, Tender, builder
from ...safety.xml import localname
from .. import money
from ..base import Format, ParseContext
from . import other
from .common import (
    CONTRACT,
    P223,
    PURCHASE,
    base,
    classifications,
    date_of,
    decimal_of,
    first_text,
    iter_data,
    lots_total,
    main_code,
    norm,
    plan_ref,
    quantity_of,
    require,
    unit_name,
    warn,
    when,
)
from .codes import currency_of
from .contracts import contract, performance
from .protocols import protocol

_Item = builder(Item)
_Place = builder(Place)
_Lot = builder(Lot)

FORMAT = "zakupki223"


def _kind_of(root: etree._Element) -> str | None:
    tag = root.tag
    return _reader(tag)[0] if isinstance(tag, str) else None


@lru_cache(maxsize=64)  # detection asks for every document that is not 44-FZ: one dict lookup, not 1-2 µs
def _reader(tag: str) -> tuple[str | None, str]:
    """(kind or None, source format) for a root tag."""
    ns = tag[1:tag.index("}")] if tag.startswith("{") else ""  # xmlsafe.namespace and localname, of a tag
    name = tag.rpartition("}")[2]
    source_format = f"{FORMAT}/{name}"
    if ns == PURCHASE:
        if name.startswith("purchaseNotice"):
            return "notice", source_format
        if name.startswith("purchaseProtocol"):
            return "protocol", source_format
        if name in _PURCHASE_OTHER:
            return _PURCHASE_OTHER[name], source_format
    elif ns == CONTRACT and name in _CONTRACT_DOCS:
        return _CONTRACT_DOCS[name], source_format
    return None, source_format


_PURCHASE_OTHER = {"purchaseContractAccount": "account", "purchaseContractAccountCutted": "account",
                   "purchaseContract": "purchase_contract", "purchaseRejection": "rejection",
                   "purchaseLotCancellation": "lot_cancellation",
                   "protocolCancellation": "protocol_cancellation"}
_CONTRACT_DOCS = {"contract": "contract", "contractCutted": "contract", "performanceContract": "performance",
                  "contractCancellation": "contract_cancellation"}


def detect(root: etree._Element) -> bool:
    return _kind_of(root) is not None


def parse(root: etree._Element, ctx: ParseContext | None = None) -> Iterator[Tender]:
    tag = root.tag
    kind, source_format = _reader(tag) if isinstance(tag, str) else (None, "")
    if kind is None:
        raise ParseError(f"<{localname(root)}> is not a 223-FZ document tenderscan reads")
    build = _BUILDERS[kind]
    found = False
    for data, p in iter_data(root):
        found = True
        yield build(data, p, source_format)
    if not found:
        raise ParseError(f"223-FZ <{localname(root)}> without body/item/…Data: nothing to read",
                         hint="check that the file is a complete document from the portal")


# --- notices --------------------------------------------------------------------------------------------


@dataclass
class _NoticeParts:
    """What the lots of one notice add up to, gathered lot by lot."""

    items: list[Item] = field(default_factory=list)
    plan_refs: list[PlanRef] = field(default_factory=list)
    bases: dict[str, str] = field(default_factory=dict)  # lot number -> what its amount is
    lot_extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # lot number -> its price details
    undefined: bool = False  # a lot's price is per unit (or a formula) under a maximum contract value


def _notice(data: etree._Element, p: P223, source_format: str) -> Tender:
    r = p.notice.record(data)
    parts = _NoticeParts()
    lots = [_notice_lot(lot_el, p, parts) for lot_el in r.get("@lots", ())]
    places = [_Place(text=a, lot=lot.id) for lot in lots for a in lot.delivery_places]
    total = lots_total(lots)
    for item in parts.items:  # an item's currency only where it is not the document's
        if item.unit_price is not None and total.currency is None:
            item.currency = next((lot.currency for lot in lots if lot.id == item.lot), None)
    extra = {"examination": when(r.get("examination"), "examinationDateTime"),
             "modified": when(r.get("modified"), "modificationDate"), "etp": norm(r.get("etp_name")),
             "etp_url": r.get("etp_url"), "joint_purchase": True if r.get("joint") == "true" else None,
             "lots": parts.lot_extra or None}
    warn(extra, total.warnings)
    return base(
        r, p, source_format, Kind.notice, require(first_text(r.get("@reg_number")), "registrationNumber"),
        title=norm(r.get("name")), published=when(r.get("published"), "publicationDateTime"),
        submission_deadline=when(r.get("submission_close"), "submissionCloseDateTime"),
        method=norm(r.get("method")), method_code=r.get("method_code"), lots=lots, items=parts.items,
        places=places, delivery_places=list(dict.fromkeys(pl.text for pl in places if pl.text)),
        amount=total.amount, currency=total.currency,
        amount_basis=_basis(lots, parts.bases) if total.amount is not None else None,
        quantity_undefined=parts.undefined, plan_refs=parts.plan_refs, extra=extra,
    )


def _basis(lots: list[Lot], bases: dict[str, str]) -> str | None:
    """What a notice's amount is: the lots' one kind of figure, or "lot values" when they differ."""
    kinds = {bases.get(lot.id or "") for lot in lots if lot.status != "cancelled"}
    return kinds.pop() if len(kinds) == 1 else "lot values"


def _notice_lot(lot: etree._Element, p: P223, parts: _NoticeParts) -> Lot:
    """One lot, in either schema (lotData, or its fields straight under lot). Its items, plan positions and
    price details go to ``parts``."""
    r = p.notice_lot.record(lot)
    number = r.get("number")
    currency = currency_of(r, "currency") or currency_of(r, "currency_old")
    address = norm(r.get("address") or r.get("address_old") or r.get("address_old_2"))
    places = [address] if address else []
    price = _lot_price(r)
    amount, basis, details = price.amount, price.basis, price.details
    customers = [p.lot_customer.record(c) for c in r.get("@customers", ())]
    item_els = r.get("@items") or r.get("@items_old") or ()
    for c in customers:  # a joint lot: each customer's part, with its own plan position (and items)
        inn = c.get("inn")
        ref = plan_ref(c.get("plan_number"), c.get("plan_position"), inn)
        if ref is not None and ref not in parts.plan_refs:
            parts.plan_refs.append(ref)
        if not item_els:
            parts.items.extend(_lot_item(it, p, number, places) for it in c.get("@items", ()))
    if customers:
        details["customers"] = [
            {k: v for k, v in (("name", norm(c.get("name") or c.get("foreign_name"))),
                               ("inn", c.get("inn") or c.get("foreign_code")),
                               ("amount", decimal_of(c.get("initial_sum") or c.get("max_price"),
                                                     field="lotCustomer initialSum")),
                               ("currency", currency_of(c, "currency"))) if v is not None}
            for c in customers]
        if amount is None:  # the lot's figure is only given per customer
            amount, basis, currency = _customers_total(customers, currency)
    parts.items.extend(_lot_item(it, p, number, places) for it in item_els)
    ref = plan_ref(r.get("plan_number"), r.get("plan_position"))
    if ref is not None and ref not in parts.plan_refs:
        parts.plan_refs.append(ref)
    if basis is not None:
        parts.bases[number or ""] = basis
    if basis == "maximum contract value" and ("unit_price" in details or "price_formula" in details):
        parts.undefined = True
    if details:
        parts.lot_extra[number or ""] = details
    return _Lot(id=number, title=norm(r.get("subject") or r.get("subject_old")), currency=currency,
               amount=amount, status="cancelled" if r.get("cancelled") == "true" else None,
               delivery_places=places)


@dataclass(frozen=True)
class _LotPrice:
    amount: Decimal | None
    basis: str | None  # what the amount is: "maximum price", "maximum contract value"
    details: dict[str, Any]  # extra.lots: rouble equivalent, price per unit, formula, words, exchange rate


def _lot_price(r: dict[str, Any]) -> _LotPrice:
    """The amount, what it is and the details (for extra) of a lot: its maximum price (initialSum), else its
    maximum contract value (maxContractPrice, beside a price per unit or a price formula), else nothing (the
    price is described in words: initialSumInfo). Rouble equivalents and the exchange rate are details."""
    details = {k: v for k, v in (
        ("amount_rub", decimal_of(r.get("initial_sum_rub") or r.get("max_price_rub"),
                                  field="lot price (RUB)")),
        ("unit_price", decimal_of(r.get("unit_price"), field="lot commodityPrice")),
        ("unit_price_rub", decimal_of(r.get("unit_price_rub"), field="lot commodityPriceRub")),
        ("price_formula", norm(r.get("price_formula"))), ("price_info", norm(r.get("sum_info"))),
        ("exchange_rate", decimal_of(r.get("exchange_rate"), field="lot exchangeRate")),
        ("exchange_rate_date", date_of(r.get("exchange_date"), field="lot exchangeRateDate")),
    ) if v is not None}
    initial = r.get("initial_sum") or r.get("initial_sum_old")
    if initial is not None:
        return _LotPrice(decimal_of(initial, field="lot initialSum"), "maximum price", details)
    if "max_price" in r:
        return _LotPrice(decimal_of(r["max_price"], field="lot maxContractPrice"), "maximum contract value",
                         details)
    return _LotPrice(None, None, details)


def _customers_total(customers: list[dict[str, Any]], currency: str | None
                     ) -> tuple[Decimal | None, str | None, str | None]:
    """(sum, basis, currency) of a joint lot's customers' figures, when each states one in one currency."""
    t = money.total(((decimal_of(c.get("initial_sum") or c.get("max_price"), field="lotCustomer initialSum"),
                      currency_of(c, "currency")) for c in customers), complete=True)
    if t.amount is None:
        return None, None, currency
    basis = "maximum price" if all("initial_sum" in c for c in customers) else "maximum contract value"
    return t.amount, basis, t.currency or currency


def _lot_item(it: etree._Element, p: P223, lot: str | None, lot_places: list[str]) -> Item:
    i = p.lot_item.record(it)
    code, code_name, scheme = main_code(i)
    address = norm(i.get("address"))
    return _Item(
        name=norm(i.get("info")) or code_name, code=code, code_scheme=scheme, code_name=code_name,
        classifications=classifications(i, "okved2", "okved"),
        quantity=quantity_of(i.get("qty"), field="lotItem qty"), unit=unit_name(i.get("okei_name")),
        unit_code=i.get("okei_code"), unit_price=decimal_of(i.get("unit_price"), field="commodityItemPrice"),
        lot=lot, id=i.get("guid"), delivery_places=[address] if address else lot_places,
    )


# --- contract accounts ----------------------------------------------------------------------------------


def _account(data: etree._Element, p: P223, source_format: str) -> Tender:
    """A monthly account of the contracts concluded (how many, for how much). It has no registry number:
    its id is the document's guid."""
    r = p.account.record(data)
    count = r.get("count")
    extra = {"period": date_of(r.get("period"), field="period"), "account_type": r.get("type_code"),
             "contracts_count": int(count) if count and count.isdigit() else None}
    return base(r, p, source_format, Kind.other, require(first_text(r.get("@guid")), "guid"),
                title=norm(r.get("type_name")), published=when(r.get("published"), "publicationDateTime"),
                amount=(cost := decimal_of(r.get("cost"), field="contractsOverallCost")),
                currency=r.get("currency"),
                amount_basis="contracts' total" if cost is not None else None,
                extra=extra)


_BUILDERS: dict[str, Callable[[etree._Element, P223, str], Tender]] = {
    "notice": _notice, "protocol": protocol, "account": _account, "contract": contract,
    "performance": performance, "purchase_contract": other.purchase_contract, "rejection": other.rejection,
    "lot_cancellation": other.lot_cancellation, "protocol_cancellation": other.protocol_cancellation,
    "contract_cancellation": other.contract_cancellation,
}

FORMATS = [
    Format(
        name=FORMAT,
        description="223-FZ XML (zakupki.gov.ru): purchase notices (all purchaseNotice* variants), "
                    "protocols, contract accounts, contracts and contract completion (contract register)",
        kind="xml", detect=detect, parse=parse,
    ),
]
