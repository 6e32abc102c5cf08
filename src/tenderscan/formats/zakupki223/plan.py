"""223-FZ purchase plans (``purchasePlan`` and its relatives: the plan project, the packets that add or change
positions, their "Cutted" forms), as documents of kind ``plan``: one per ``body/item``.

The plan's fields sit in the ``…/223fz/purchasePlan/1`` namespace whatever the packet's own namespace. Its
id is the plan's registry number (``registrationNumber``; packets of positions have none, their guid stands
in and ``extra.registration_number_missing`` says so). ``execution_period`` is the plan's period
(``startDate``-``endDate``). Each position (``purchasePlanItem``, ``innovationPlanItem``) is one item: its
number (``ordinalNumber``) is ``Item.id``, its subject the name, the first row's OKPD2 (OKDP) code the code
(the other rows' codes and the OKVED2 codes are ``classifications``), its quantity and unit where the
position has one row, its maximum price (``maximumContractPrice``) the amount. A position of the SMB
section (``purchasePlanItemsSMB``) that repeats one of the plan's (same guid) is not counted twice.

What a position plans beyond that (the year, quarter and month of the purchase or its planned date, the
payments by year of a long-term contract, the method, the contract's end, each row's codes and quantity)
is in ``extra.positions``, one entry per item in the same order, with the position's number and guid.

``amount`` is the plan's own total, the annual volume of planned purchases (``annualVolume``, "совокупный
годовой объем планируемых закупок", in roubles), with ``amount_basis`` "annual volume"; it is computed by the
law's rules (long-term contracts count for the year, some categories are left out), so the positions'
maximum prices do not add up to it, and a warning says so. A packet without an annual volume (or with 0)
has the positions' sum as amount ("positions' sum"). Annulled positions (status A) are not items: they are
listed in ``extra.annulled_positions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lxml import etree

from ...errors import ParseError
from ...models import Classification, Item, Kind, Period, Tender, builder
from ...safety.xml import localname
from .. import money
from ..base import Format, ParseContext
from .common import (
    Fields,
    base,
    date_of,
    decimal_of,
    first_text,
    iter_data,
    main_code,
    norm,
    paths,
    quantity_of,
    unit_name,
    warn,
    when,
)
from .codes import currency_of, currency_paths
from .paths import COMMON, DATA_FIRST

FORMAT = "zakupki223-plan"
PLAN = "http://zakupki.gov.ru/223fz/purchasePlan/1"
_NAMESPACES = frozenset({
    PLAN, "http://zakupki.gov.ru/223fz/purchasePlanProject/1",
    "http://zakupki.gov.ru/223fz/purchasePlanUpdatePositionDataType/1",
    "http://zakupki.gov.ru/223fz/purchasePlanAdditionalPosition/1",
    "http://zakupki.gov.ru/223fz/purchasePlanProjectAdditionalPosition/1",
})

_Item = builder(Item)
_Period = builder(Period)
_Classification = builder(Classification)

PLAN_DATA = {  # purchasePlanData (and the other packets' …Data): "d:" is the purchasePlan namespace here
    "name": "d:name", "published": "d:publicationDateTime", "created": "d:createDateTime",
    "start": "d:startDate", "end": "d:endDate", "approved": "d:approveDate", "plan_type": "d:planType",
    "annual_volume": "d:annualVolume", "volume_smb": "d:volumeSMB", "percent_smb": "d:percentSMB",
    "excluded_volume": "d:excludeVolume", "reporting_year": "d:reportingYear", "info": "d:additionalInfo",
    "plan_id": "d:id", "info_id": "d:infoId", "modification": "d:modificationDescription",
}
PLAN_EVERY = {
    "@documents": "d:attachments/t:document",
    "@positions": "d:purchasePlanItems/d:purchasePlanItem",
    "@innovation": "d:innovationPlanItems/d:innovationPlanItem",
    "@positions_smb": "d:purchasePlanItemsSMB/d:purchasePlanItem",
    "@innovation_smb": "d:innovationPlanItemsSMB/d:innovationPlanItem",
}
POSITION = {  # purchasePlanItem / innovationPlanItem
    "guid": "d:guid", "number": "d:ordinalNumber", "subject": "d:contractSubject", "status": "d:status",
    "customer_inn": "d:planItemCustomer/t:mainInfo/t:inn", "end": "d:contractEndDate",
    "long_term": "d:longTerm", "shared": "d:shared", "price": "d:maximumContractPrice",
    "price_rub": "d:maximumContractPriceRub", **currency_paths("currency", "d:currency"),
    "exchange_rate": "d:exchangeRate", "planned_date": "d:purchasePlannedDate",
    "year": "d:purchasePeriodYear", "quarter": "d:purchasePeriodQuarter", "month": "d:purchasePeriodMonth",
    "method_code": "d:purchaseMethodCode", "method": "d:purchaseMethodName", "electronic": "d:isElectronic",
    "region": "d:region", "placed": "d:isPurchasePlaced",
    "notice_guid": "d:purchaseNoticeInfo/d:noticeInfoGuid",
    "long_term_volume": "d:longTermVolumes/d:volume", "ignored": "d:isPurchaseIgnored",
    "second_year": "d:plannedForSecondYear", "after_second_year": "d:plannedAfterSecondYear",
}
POSITION_EVERY = {
    "@rows": "d:purchasePlanDataItemRows/d:purchasePlanRowItem",
    "@rows_innovation": "d:innovationPlanDataItemRows/d:innovationPlanRowItem",
    "@years": "d:longTermVolumes/d:details/d:longTermVolumeDetail",
}
ROW = {  # purchasePlanRowItem / innovationPlanRowItem
    "okpd2_code": "d:okpd2/t:code", "okpd2_name": "d:okpd2/t:name", "okdp_code": "d:okdp/t:code",
    "okdp_name": "d:okdp/t:name", "okved2_code": "d:okved2/t:code", "okved2_name": "d:okved2/t:name",
    "okved_code": "d:okved/t:code", "okved_name": "d:okved/t:name", "okei_code": "d:okei/t:code",
    "okei_name": "d:okei/t:name", "qty": "d:qty", "undefined": "d:impossibleToDetermineAttr",
    "kind": "d:typeObjectPurchase", "info": "d:additionalInfo",
}
YEAR = {"year": "d:year", "sum": "d:summ"}  # longTermVolumes/details/longTermVolumeDetail
_KINDS = {"G": "product", "W": "work", "S": "service"}  # typeObjectPurchase


class _Plan:
    """The field groups of a plan, compiled for one field namespace (types/1, or none)."""

    def __init__(self, types_ns: str):
        nsmap = {"d": PLAN, "t": types_ns}
        self.p223 = paths(PLAN, types_ns)  # mainInfo, attachments: as in every 223-FZ document
        self.data = Fields(nsmap, first=DATA_FIRST, every=PLAN_EVERY, **{**COMMON, **PLAN_DATA})
        self.position = Fields(nsmap, every=POSITION_EVERY, **POSITION)
        self.row = Fields(nsmap, **ROW)
        self.year = Fields(nsmap, **YEAR)


@lru_cache(maxsize=8)
def _plan(types_ns: str) -> _Plan:
    return _Plan(types_ns)


def detect(root: etree._Element) -> bool:
    tag = root.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return False
    return tag[1:tag.index("}")] in _NAMESPACES and tag.rpartition("}")[2].startswith("purchasePlan")


def parse(root: etree._Element, ctx: ParseContext | None = None) -> Iterator[Tender]:
    if not detect(root):
        raise ParseError(f"<{localname(root)}> is not a 223-FZ purchase plan")
    source_format = f"zakupki223/{localname(root)}"
    found = False
    for data, p in iter_data(root):
        found = True
        yield _read(data, _plan(p.types_ns), source_format)
    if not found:
        raise ParseError(f"223-FZ <{localname(root)}> without body/item/…Data: nothing to read",
                         hint="check that the file is a complete document from the portal")


def _read(data: etree._Element, g: _Plan, source_format: str) -> Tender:
    r = g.data.record(data)
    reg = first_text(r.get("@reg_number"))
    guid = first_text(r.get("@guid"))
    if not reg and not guid:
        raise ParseError("223-FZ plan without registrationNumber or guid",
                         hint="check that the file is a complete document")
    items: list[Item] = []
    positions: list[dict[str, Any]] = []
    annulled: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for key, smb, innovation in (("@positions", False, False), ("@innovation", False, True),
                                 ("@positions_smb", True, False), ("@innovation_smb", True, True)):
        for el in r.get(key, ()):
            pr = g.position.record(el)
            if pr.get("guid") in seen:  # the SMB section repeats positions of the plan
                seen[pr["guid"]]["smb"] = True
                continue
            item, info = _position(pr, g)
            info.update({"smb": smb or None, "innovation": innovation or None})
            info = {k: v for k, v in info.items() if v is not None}
            if pr.get("guid"):
                seen[pr["guid"]] = info
            if pr.get("status") == "A":
                annulled.append({"number": item.id, "guid": pr.get("guid"), "name": item.name,
                                 "amount": item.amount, "currency": item.currency})
                continue
            items.append(item)
            positions.append(info)
    start, end = date_of(r.get("start"), field="startDate"), date_of(r.get("end"), field="endDate")
    extra: dict[str, Any] = {
        "registration_number_missing": True if not reg else None, "plan_type": r.get("plan_type"),
        "approved": date_of(r.get("approved"), field="approveDate"),
        "reporting_year": r.get("reporting_year"), "plan_id": r.get("plan_id"), "info_id": r.get("info_id"),
        "annual_volume": decimal_of(r.get("annual_volume"), field="annualVolume"),
        "volume_smb": decimal_of(r.get("volume_smb"), field="volumeSMB"),
        "percent_smb": decimal_of(r.get("percent_smb"), field="percentSMB"),
        "excluded_volume": decimal_of(r.get("excluded_volume"), field="excludeVolume"),
        "additional_info": norm(r.get("info")), "modification": norm(r.get("modification")),
        "positions": positions or None, "annulled_positions": annulled or None,
    }
    amount, currency, basis, notes = _total(items, extra["annual_volume"], annulled, positions)
    customer_inn = g.p223.org.record(r.get("@customer")).get("inn")
    for item, info in zip(items, positions):  # an item's currency and customer only where not the plan's
        if item.currency == currency:
            item.currency = None
        if info.get("customer_inn") == customer_inn:
            del info["customer_inn"]
    if amount is not None and basis == "annual volume":
        extra["positions_total"] = money.add(i.amount for i in items if i.amount is not None)
    warn(extra, notes)
    return base(
        r, g.p223, source_format, Kind.plan, reg or guid,  # type: ignore[arg-type]
        title=norm(r.get("name")),
        published=when(r.get("published") or r.get("created"), "publicationDateTime"),
        execution_period=_Period(start=start, end=end) if start or end else None,
        amount=amount, currency=currency, amount_basis=basis, items=items, extra=extra,
    )


def _position(pr: dict[str, Any], g: _Plan) -> tuple[Item, dict[str, Any]]:
    """One position as an item, and what else it plans (for ``extra.positions``)."""
    rows = [g.row.record(el) for el in (*pr.get("@rows", ()), *pr.get("@rows_innovation", ()))]
    first = rows[0] if rows else {}
    code, code_name, scheme = main_code(first)
    extra_codes: list[Classification] = []
    for n, row in enumerate(rows):
        c, name, s = main_code(row)
        if n and c and s and all((x.scheme, x.code) != (s, c) for x in extra_codes) and c != code:
            extra_codes.append(_Classification(scheme=s, code=c, name=name))
        for s2 in ("okved2", "okved"):
            c2 = row.get(f"{s2}_code")
            if c2 and all((x.scheme, x.code) != (s2.upper(), c2) for x in extra_codes):
                extra_codes.append(_Classification(scheme=s2.upper(), code=c2,
                                                   name=norm(row.get(f"{s2}_name"))))
    one = len(rows) == 1 and first.get("undefined") != "true"
    currency = currency_of(pr, "currency")
    region = norm(pr.get("region"))
    item = _Item(
        name=norm(pr.get("subject")) or code_name, code=code, code_scheme=scheme, code_name=code_name,
        classifications=extra_codes,
        quantity=quantity_of(first.get("qty"), field="purchasePlanRowItem qty") if one else None,
        unit=unit_name(first.get("okei_name")) if one else None,
        unit_code=first.get("okei_code") if one else None,
        amount=decimal_of(pr.get("price"), field="maximumContractPrice"), currency=currency,
        kind=_KINDS.get(first.get("kind") or ""), delivery_places=[region] if region else [],
        id=pr.get("number"),
    )
    years = {}
    for el in pr.get("@years", ()):
        y = g.year.record(el)
        if y.get("year"):
            years[y["year"]] = decimal_of(y.get("sum"), field="longTermVolumeDetail summ")
    info = {
        "number": pr.get("number"), "guid": pr.get("guid"), "status": pr.get("status"),
        "year": pr.get("year"), "quarter": pr.get("quarter"), "month": pr.get("month"),
        "planned_date": date_of(pr.get("planned_date"), field="purchasePlannedDate"),
        "contract_end": date_of(pr.get("end"), field="contractEndDate"),
        "method": norm(pr.get("method")), "method_code": pr.get("method_code"),
        "electronic": _flag(pr.get("electronic")), "long_term": _flag(pr.get("long_term")),
        "shared": True if pr.get("shared") == "true" else None,
        "by_year": years or None,
        "long_term_volume": decimal_of(pr.get("long_term_volume"), field="longTermVolumes volume"),
        "amount_rub": decimal_of(pr.get("price_rub"), field="maximumContractPriceRub")
        if currency not in (None, "RUB") else None,
        "customer_inn": pr.get("customer_inn"), "notice_guid": pr.get("notice_guid"),
        "rows": [_row(row) for row in rows] if len(rows) > 1 or not one else None,
    }
    return item, info


def _row(row: dict[str, Any]) -> dict[str, Any]:
    code, _, scheme = main_code(row)
    undefined = row.get("undefined") == "true"
    out = {"code": code, "code_scheme": scheme, "okved2": row.get("okved2_code") or row.get("okved_code"),
           "quantity": None if undefined else quantity_of(row.get("qty"), field="purchasePlanRowItem qty"),
           "quantity_not_determined": True if undefined else None, "unit": unit_name(row.get("okei_name")),
           "unit_code": row.get("okei_code")}
    return {k: v for k, v in out.items() if v is not None}


def _flag(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get(value or "")


def _total(items: list[Item], annual: Decimal | None, annulled: list[dict[str, Any]],
           positions: list[dict[str, Any]]) -> tuple[Decimal | None, str | None, str | None, list[str]]:
    """(amount, currency, basis, warnings): the plan's annual volume, else the positions' sum."""
    notes = []
    if annulled:
        notes.append(f"{len(annulled)} annulled position(s) are not items and not in amount "
                     "(extra.annulled_positions)")
    shared = sum(1 for p in positions if p.get("shared"))
    if shared:
        notes.append(f"{shared} position(s) are shared with other plans (shared: counted in several plans)")
    t = money.total(((i.amount, i.currency) for i in items), complete=True)
    if annual:  # in roubles: the law's annual volume of planned purchases
        if t.count:
            notes.append("amount is the plan's annual volume (annualVolume), computed by the law's rules: "
                         "the positions' maximum prices (extra.positions_total) do not add up to it")
        return annual, "RUB", "annual volume", notes
    if annual is not None:
        notes.append("the plan states an annual volume of 0: amount is the positions' sum")
    if t.several:
        notes.append(f"positions in several currencies ({', '.join(t.currencies)}): no total amount")
        return None, None, None, notes
    if t.amount is None:
        if t.count:
            notes.append("some positions state no maximum price: no total amount")
        return None, t.currency, None, notes
    return t.amount, t.currency, "positions' sum", notes


FORMATS = [
    Format(
        name=FORMAT,
        description="223-FZ purchase plans (zakupki.gov.ru purchasePlan, plan projects, position packets): "
                    "the plan's positions as items",
        kind="xml", detect=detect, parse=parse,
    ),
]
