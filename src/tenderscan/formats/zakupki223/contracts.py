"""223-FZ contract register documents (namespace ``…/223fz/contract/1``): ``contract`` and
``performanceContract`` (contract completion). Registry numbers have 23 digits: ``contractRegNumber`` is the
contract's (it ends in 0000), ``registrationNumber`` the number of this record about it (…0001, …0003).
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ...models import Item, Kind, Organization, Payment, Period, Tender, builder
from ...values import to_bool
from .. import money
from .common import (
    P223,
    base,
    date_of,
    decimal_of,
    first_text,
    main_code,
    norm,
    plan_ref,
    quantity_of,
    require,
    unit_name,
    when,
)
from .codes import country_from_oksm, currency_of, entity_of, foreign_scheme

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
    currency = currency_of(r, "currency")
    items = [_position(pos, p, lot, currency) for pos in r.get("@positions", ())]
    ref = plan_ref(r.get("plan_number"), r.get("plan_position"))
    amount = decimal_of(r.get("price"), field="price")
    extra = {"registration_number": reg_number, "contract_number": norm(r.get("number")), "lot": lot,
             "amount_rub": decimal_of(r.get("rub_price"), field="rubPrice") if currency != "RUB" else None,
             "exchange_rate": decimal_of(r.get("exchange_rate"), field="exchangeRate"),
             "exchange_rate_date": date_of(r.get("exchange_date"), field="exchangeRateDate"),
             "notice_44fz": r.get("notice44"), "by_year": _years(r.get("@contract_years", ()), p)}
    return base(
        r, p, source_format, Kind.contract, reg,
        title=norm(r.get("subject")) or norm(r.get("notice_name")),
        published=when(r.get("published"), "publicationDate"),
        signed=date_of(r.get("signed"), field="contractDate"),
        execution_period=_Period(start=start, end=end) if start or end else None,
        method=norm(r.get("method")), method_code=r.get("method_code"),
        amount=amount, currency=currency, amount_basis="contract price" if amount is not None else None,
        notice_id=r.get("notice_number"), suppliers=[_supplier(s, p) for s in r.get("@suppliers", ())],
        items=items, quantity_undefined=any(i.quantity_undefined for i in items),
        plan_refs=[ref] if ref else [], extra=extra,
    )


def _years(details: list[etree._Element], p: P223) -> dict[str, Decimal | None] | None:
    """A long-term contract's payments by year (longTermContractVolumes/details), for ``extra.by_year``."""
    out = {}
    for el in details:
        y = p.year_volume.record(el)
        if y.get("year"):
            out[y["year"]] = decimal_of(y.get("sum"), field="longTermContractVolumeDetail summ")
    return out or None


def _supplier(el: etree._Element, p: P223) -> Organization:
    """A ``supplierInfo``: a Russian legal entity (type L), a natural person (type P: a sole trader when
    ``individual`` is true) or a non-resident (``nonResident``: its own identification number ``code``
    where it has no Russian INN, and its country)."""
    s = p.supplier.record(el)
    foreign = s.get("non_resident") == "true"
    country = country_from_oksm(s.get("country_code"))
    inn, scheme = s.get("inn"), None
    if foreign and not inn and (s.get("code") or s.get("code_2")):
        inn, scheme = s.get("code") or s.get("code_2"), foreign_scheme(country)
    return _Organization(name=norm(s.get("name")), short_name=norm(s.get("short_name")), inn=inn,
                        id_scheme=scheme, kpp=s.get("kpp"), ogrn=s.get("ogrn"), role="supplier",
                        entity=entity_of(type_code=s.get("type"), sole_trader=s.get("sole_trader") == "true",
                                         self_employed=s.get("self_employed") == "true", foreign=foreign),
                        region=norm(s.get("region_full_name") or s.get("region_name")),
                        country=country or ("RU" if s.get("inn") and not foreign else None))


_KINDS = {"G": "product", "W": "work", "S": "service"}  # typeObjectPurchase


def _position(el: etree._Element, p: P223, lot: str | None, currency: str | None) -> Item:
    """A contract position. Its ``unitPrice`` is a price per unit (never an amount); when the quantity
    cannot be determined (``impossibleToDetermineAttr``) the quantity stays empty."""
    r = p.position.record(el)
    code, code_name, scheme = main_code(r)
    undefined = r.get("undefined") == "true"
    own = currency_of(r, "currency")
    return _Item(name=norm(r.get("name")) or code_name, code=code, code_scheme=scheme, code_name=code_name,
                quantity=None if undefined else quantity_of(r.get("qty"), field="contractPosition qty"),
                quantity_undefined=undefined, unit=unit_name(r.get("okei_name")),
                unit_code=r.get("okei_code"),
                unit_price=decimal_of(r.get("unit_price"), field="contractPosition unitPrice"),
                currency=own if own != currency else None, kind=_KINDS.get(r.get("kind") or ""), lot=lot,
                id=r.get("guid"))


def performance(data: etree._Element, p: P223, source_format: str) -> Tender:
    """Contract completion: payments and the supply documents behind them. Its id is the contract's registry
    number (like a 44-FZ contractProcedure); the completion record's own number is
    extra.registration_number."""
    r = p.performance.record(data)
    reg = require(r.get("contract_reg_number"), "contractRegNumber")
    items: list[Item] = []
    payments = [_payment(pos, p, items) for pos in r.get("@payments", ())]
    supplier = norm(r.get("supplier_name"))
    extra = {"registration_number": first_text(r.get("@reg_number")),
             "contract_number": norm(r.get("number")), "completed": to_bool(r.get("completed")),
             "has_penalty": to_bool(r.get("has_penalty"))}
    return base(
        r, p, source_format, Kind.contract_execution, reg, contract_id=reg, title=norm(r.get("subject")),
        published=when(r.get("published"), "publicationDate"),
        signed=date_of(r.get("signed"), field="contractDate"),
        suppliers=[_Organization(name=supplier, role="supplier")] if supplier else [], payments=payments,
        items=items, amount=(total := decimal_of(r.get("total"), field="positions total")),
        amount_basis="payments" if total is not None else None,
        currency=money.total(((pm.amount, pm.currency) for pm in payments), unnamed_apart=True).currency,
        extra=extra,
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
