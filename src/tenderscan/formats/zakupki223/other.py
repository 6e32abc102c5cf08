"""The other 223-FZ documents of a purchase and of the contract register: the contract published with its
purchase (``purchaseContract``, the 2012-2014 way, before the contract register), and the cancellations:
of a purchase (``purchaseRejection``), of lots (``purchaseLotCancellation``), of a protocol
(``protocolCancellation``) and of a contract (``contractCancellation``, its termination).

A cancellation's id is the number of what it cancels (the purchase's, the contract's), as for 44-FZ
cancellations; the reason and the date of the decision are ``extra.reason`` and ``extra.decision_date``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ...models import Item, Kind, Lot, Organization, Tender, builder
from .common import (
    P223,
    base,
    classifications,
    date_of,
    decimal_of,
    first_text,
    main_code,
    norm,
    quantity_of,
    require,
    unit_name,
    when,
)
from .codes import country_from_oksm, currency_of, entity_of, foreign_scheme

_Item = builder(Item)
_Lot = builder(Lot)
_Organization = builder(Organization)


def purchase_contract(data: etree._Element, p: P223, source_format: str) -> Tender:
    """``purchaseContractData``: its registry number is the purchase's with a suffix (31300177655-01)."""
    r = p.purchase_contract.record(data)
    reg = require(first_text(r.get("@reg_number")), "registrationNumber")
    r["@customer"] = r.get("@customer_info")  # the customer's fields sit straight in customerInfo
    supplier = _party(p, r.get("@supplier"), foreign=False) or _party(p, r.get("@non_resident"), foreign=True)
    amount = decimal_of(r.get("sum"), field="sum")
    address = norm(r.get("address"))
    items = []
    for el in r.get("@contract_items", ()):
        i = p.lot_item.record(el)
        code, code_name, scheme = main_code(i)
        own = norm(i.get("address"))
        items.append(_Item(
            name=norm(i.get("info")) or code_name, code=code, code_scheme=scheme, code_name=code_name,
            classifications=classifications(i, "okved2", "okved"),
            quantity=quantity_of(i.get("qty"), field="contractItem qty"), unit=unit_name(i.get("okei_name")),
            unit_code=i.get("okei_code"), delivery_places=[own] if own else [address] if address else []))
    return base(
        r, p, source_format, Kind.contract, reg,
        title=norm(r.get("lot_subject")) or norm(r.get("notice_name")),
        published=when(r.get("published"), "publicationDateTime"),
        signed=date_of(r.get("created"), field="contractCreateDate"), method=norm(r.get("method")),
        method_code=r.get("method_code"), notice_id=r.get("notice_number"), amount=amount,
        currency=currency_of(r, "currency"), amount_basis="contract price" if amount is not None else None,
        suppliers=[supplier] if supplier else [], items=items, delivery_places=[address] if address else [],
        extra={"contract_name": norm(r.get("name")), "price_info": norm(r.get("sum_info")),
               "fulfillment": norm(r.get("fulfillment"))},
    )


def _party(p: P223, el: etree._Element | None, *, foreign: bool) -> Organization | None:
    """A ``supplierMainInfoType`` (Russian: type L or P) or ``nonResidentInfoType`` block."""
    if el is None:
        return None
    r = p.party.record(el)
    name = norm(r.get("name") or r.get("info"))
    if not foreign:
        if name is None and r.get("inn") is None:
            return None
        return _Organization(name=name, inn=r.get("inn"), kpp=r.get("kpp"), ogrn=r.get("ogrn"),
                             address=norm(r.get("address")), role="supplier",
                             entity=entity_of(type_code=r.get("type")),
                             country="RU" if r.get("inn") else None)
    country = country_from_oksm(r.get("country"))
    code = r.get("code") or r.get("code_2")
    return _Organization(name=name, inn=code, id_scheme=foreign_scheme(country) if code else None,
                         address=norm(r.get("address")), country=country, role="supplier", entity="foreign")


def _cancellation(r: dict[str, Any], p: P223, source_format: str, id_: str, **fields: Any) -> Tender:
    extra = {"reason": norm(r.get("reason")),
             "decision_date": when(r.get("date"), "decision date") if r.get("date") and "T" in r["date"]
             else date_of(r.get("date"), field="decision date"), **fields.pop("extra", {})}
    title = fields.pop("title", None) or norm(r.get("name"))
    return base(r, p, source_format, Kind.cancellation, id_, title=title,
                published=when(r.get("published"), "publicationDateTime"), method=norm(r.get("method")),
                method_code=r.get("method_code"), extra=extra, **fields)


def rejection(data: etree._Element, p: P223, source_format: str) -> Tender:
    """``purchaseRejectionData``: the whole purchase is called off."""
    r = p.rejection.record(data)
    number = require(r.get("notice_number"), "cancelNoticeRegistrationNumber")
    return _cancellation(r, p, source_format, number, notice_id=number)


def lot_cancellation(data: etree._Element, p: P223, source_format: str) -> Tender:
    """``purchaseLotCancellationData``: the cancelled lots are ``lots`` (status "cancelled"), each lot's own
    reason in ``extra.lot_reasons``."""
    r = p.lot_cancellation.record(data)
    number = require(r.get("notice_number"), "purchaseInfo/purchaseNoticeNumber")
    lots, reasons = [], {}
    for el in r.get("@cancelled_lots", ()):
        c = p.cancelled_lot.record(el)
        lots.append(_Lot(id=c.get("number"), title=norm(c.get("subject")), status="cancelled"))
        if c.get("reason"):
            reasons[c.get("number") or ""] = norm(c["reason"])
        if c.get("date") and not r.get("date"):
            r["date"] = c["date"]
    return _cancellation(r, p, source_format, number, notice_id=number, lots=lots,
                         extra={"lot_reasons": reasons or None})


def protocol_cancellation(data: etree._Element, p: P223, source_format: str) -> Tender:
    """``protocolCancellationData``: the withdrawn protocol's number is ``extra.protocol_number``."""
    r = p.protocol_cancellation.record(data)
    number = require(r.get("notice_number"), "purchaseInfo/purchaseNoticeNumber")
    return _cancellation(r, p, source_format, number, notice_id=number,
                         extra={"protocol_number": r.get("protocol_number"),
                                "protocol_type_name": norm(r.get("protocol_type_name"))})


def contract_cancellation(data: etree._Element, p: P223, source_format: str) -> Tender:
    """``contractCancellationData``: a contract's termination (its id: the contract's registry number)."""
    r = p.contract_cancellation.record(data)
    reg = require(r.get("contract_reg_number"), "contractRegNumber")
    supplier = norm(r.get("supplier_name"))
    return _cancellation(
        r, p, source_format, reg, contract_id=reg, title=norm(r.get("subject")),
        signed=date_of(r.get("signed"), field="contractDate"),
        suppliers=[_Organization(name=supplier, role="supplier")] if supplier else [],
        extra={"registration_number": first_text(r.get("@reg_number")),
               "contract_number": norm(r.get("number")),
               "reason_code": r.get("reason_code"), "cancel_reason": norm(r.get("cancel_reason"))})
