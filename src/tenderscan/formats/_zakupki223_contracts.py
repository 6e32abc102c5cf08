"""223-FZ contract register documents (namespace ``…/223fz/contract/1``): ``contract`` and
``performanceContract`` (contract completion). Registry numbers have 23 digits: ``contractRegNumber`` is the
contract's (it ends in 0000), ``registrationNumber`` the number of this record about it (…0001, …0003).
"""

from __future__ import annotations

from lxml import etree

from ..models import Item, Kind, Organization, Payment, Period, Tender, builder
from ..values import to_bool
from ._zakupki223 import (
    P223,
    base,
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

_Organization = builder(Organization)
_Item = builder(Item)
_Payment = builder(Payment)
_Period = builder(Period)


def contract(data: etree._Element, p: P223, source_format: str) -> Tender:
    r = p.contract.record(data)
    reg_number = first_text(r.get("@reg_number"))
    reg = require(r.get("contract_reg_number") or reg_number, "contractRegNumber")
    start = date_of(r.get("start"), field="startExecutionDate")
    end = date_of(r.get("end"), field="endExecutionDate")
    lot = r.get("lot_number")
    extra = {"registration_number": reg_number, "contract_number": norm(r.get("number")), "lot": lot}
    return base(
        r, p, source_format, Kind.contract, reg,
        title=norm(r.get("subject")) or norm(r.get("notice_name")),
        published=when(r.get("published"), "publicationDate"),
        signed=date_of(r.get("signed"), field="contractDate"),
        execution_period=_Period(start=start, end=end) if start or end else None,
        method=norm(r.get("method")), method_code=r.get("method_code"),
        amount=decimal_of(r.get("price"), field="price"), currency=r.get("currency"),
        notice_id=r.get("notice_number"),
        suppliers=[_supplier(s, p) for s in r.get("@suppliers", ())],
        items=[_position(pos, p, lot) for pos in r.get("@positions", ())], extra=extra,
    )


def _supplier(el: etree._Element, p: P223) -> Organization:
    s = p.supplier.record(el)
    return _Organization(name=norm(s.get("name")), short_name=norm(s.get("short_name")), inn=s.get("inn"),
                        kpp=s.get("kpp"), ogrn=s.get("ogrn"), role="supplier",
                        region=norm(s.get("region_full_name") or s.get("region_name")),
                        country="RU" if s.get("country_code") == "643" else None)  # ОКСМ 643: Russia


def _position(el: etree._Element, p: P223, lot: str | None) -> Item:
    r = p.position.record(el)
    code, code_name, scheme = main_code(r)
    return _Item(name=norm(r.get("name")) or code_name, code=code, code_scheme=scheme, code_name=code_name,
                quantity=quantity_of(r.get("qty"), field="contractPosition qty"),
                unit=unit_name(r.get("okei_name")), unit_code=r.get("okei_code"), lot=lot, id=r.get("guid"))


def performance(data: etree._Element, p: P223, source_format: str) -> Tender:
    """Contract completion: payments and the supply documents behind them. Its id is the contract's registry
    number (like a 44-FZ contractProcedure); the completion record's own number is
    extra.registration_number."""
    r = p.performance.record(data)
    reg = require(r.get("contract_reg_number"), "contractRegNumber")
    items: list[Item] = []
    payments = [_payment(pos, p, items) for pos in r.get("@payments", ())]
    currencies = {pm.currency for pm in payments}
    supplier = norm(r.get("supplier_name"))
    extra = {"registration_number": first_text(r.get("@reg_number")),
             "contract_number": norm(r.get("number")), "completed": to_bool(r.get("completed")),
             "has_penalty": to_bool(r.get("has_penalty"))}
    return base(
        r, p, source_format, Kind.contract_execution, reg, contract_id=reg, title=norm(r.get("subject")),
        published=when(r.get("published"), "publicationDate"),
        signed=date_of(r.get("signed"), field="contractDate"),
        suppliers=[_Organization(name=supplier, role="supplier")] if supplier else [], payments=payments,
        items=items, amount=decimal_of(r.get("total"), field="positions total"),
        currency=next(iter(currencies)) if len(currencies) == 1 else None, extra=extra,
    )


def _payment(pos: etree._Element, p: P223, items: list[Item]) -> Payment:
    """One payment; the goods of its supply documents are appended to ``items``."""
    r = p.payment.record(pos)
    labels = []
    for doc in r.get("@docs", ()):
        d = p.payment_doc.record(doc)
        labels.append(" ".join(x for x in (norm(d.get("name")), d.get("number"),
                                            f"от {d['date']}" if d.get("date") else None) if x))
        code, code_name, scheme = main_code(d)
        items.append(_Item(name=norm(d.get("position_name")) or code_name, code=code, code_scheme=scheme,
                          code_name=code_name, quantity=quantity_of(d.get("qty"), field="doc qty"),
                          unit=unit_name(d.get("okei_name")), unit_code=d.get("okei_code")))
    return _Payment(date=date_of(r.get("date"), field="paymentDate"),
                   amount=decimal_of(r.get("price"), field="position price"), currency=r.get("currency"),
                   document="; ".join(labels) or None)
