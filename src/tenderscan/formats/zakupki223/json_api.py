"""The 223-FZ purchase JSON of the portal's mobile API (``common-info``).

Served by ``https://zakupki.gov.ru/api/mobile/proxy/223/purchase/public/purchase/info/common-info.html
?regNumber=…``. The answer does NOT carry the registry number it was asked for: only the portal's internal
ids (``purchase.id``, ``noticeInfo.id``). :func:`parse_common_info` takes the number from the caller (the
fetch code knows what it asked for); from a file, the number is taken from the source URL's ``regNumber``
when there is one, else the internal ``purchase.id`` stands in as the id and ``extra.reg_number_missing``
says so.

Dates are epoch milliseconds. ``noticeInfo.timezoneId`` points into the answer's ``timeZones`` list (offsets
in hours from Moscow time); the notice's times (submission close, examination, summing up, auction,
applications) are given at that offset; calendar dates (submission start, stored as Moscow midnight) and
anything without a zone at Moscow time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ...errors import ParseError
from ...models import (
    Application,
    Classification,
    Item,
    Kind,
    Lot,
    Organization,
    Place,
    PlanRef,
    Source,
    Tender,
)
from ...values import MOSCOW, from_epoch_ms, norm_space, to_decimal, to_quantity
from .. import money
from ..base import Format, ParseContext
from .codes import country_from_oksm, currency_from_numeric, foreign_scheme

FORMAT = "zakupki223-json"
SOURCE_FORMAT = "zakupki223/mobileapi-common-info"
PAGE_URL = "https://zakupki.gov.ru/223/purchase/public/purchase/info/common-info.html?regNumber={}"
_ALLOWED = {"ALLOWED": True, "NOT_ALLOWED": False, "REJECTED": False, "DENIED": False}
_BOM = b"\xef\xbb\xbf"


def detect(head: bytes) -> bool:
    """The keys that identify this answer: an object with ``noticeInfo`` beside ``purchaseMethod`` or
    ``timeZones``."""
    h = head.lstrip(_BOM + b" \t\r\n")
    if h[:1] != b"{" or b'"noticeInfo"' not in head:
        return False
    return b'"purchaseMethod"' in head or b'"timeZones"' in head


def parse(data: bytes, ctx: ParseContext | None = None) -> Iterator[Tender]:
    yield parse_common_info(data, _reg_number_from(ctx))


def _reg_number_from(ctx: ParseContext | None) -> str | None:
    if ctx is None:
        return None
    given = ctx.options.get("reg_number")
    if given:
        return str(given)
    url = ctx.source.url if ctx.source else None
    if url:
        values = parse_qs(urlsplit(url).query).get("regNumber")
        if values and values[0].strip():
            return values[0].strip()
    return None


def parse_common_info(data: bytes, reg_number: str | None) -> Tender:
    """Read one common-info answer. ``reg_number`` is the purchase's registry number (the answer lacks it)."""
    doc = _load(data)
    notice = doc.get("noticeInfo")
    if not isinstance(notice, dict):
        raise ParseError("223-FZ common-info JSON without noticeInfo",
                         hint="the portal may have answered an error")
    tz = _notice_tz(doc, notice)
    purchase = doc.get("purchase") if isinstance(doc.get("purchase"), dict) else {}
    method = doc.get("purchaseMethod") if isinstance(doc.get("purchaseMethod"), dict) else {}
    purchase_id = _str(purchase.get("id"))
    reg = (reg_number or "").strip() or None
    if reg is None and purchase_id is None:
        raise ParseError("223-FZ common-info JSON without a registry number or purchase id",
                         hint="pass the registry number the answer was fetched for")
    t = Tender(
        kind=Kind.notice, id=reg or purchase_id, source_format=SOURCE_FORMAT, law="223-FZ", country="RU",
        title=norm_space(notice.get("purchaseName")), method=norm_space(method.get("name")),
        method_code=_str(method.get("id")), url=PAGE_URL.format(reg) if reg else None,
        customer=_customer(notice),
        submission_deadline=_ms(notice.get("applSubmissionCloseTime"), tz, "applSubmissionCloseTime"),
        source=Source(source_id=purchase_id),
    )
    lot_extra: dict[str, dict[str, Any]] = {}
    for raw in _list(notice.get("lots")):
        lot, items, place, applications = _lot(raw, tz)
        t.lots.append(lot)
        t.items.extend(items)
        t.applications.extend(applications)
        if place is not None:
            t.places.append(place)
            if place.text not in t.delivery_places:
                t.delivery_places.append(place.text)  # type: ignore[arg-type]
        ref = _plan_ref(raw)
        if ref is not None and ref not in t.plan_refs:
            t.plan_refs.append(ref)
        details = _lot_details(raw)
        if details:
            lot_extra[lot.id or ""] = details
    lots_total = money.total(((lot.amount, lot.currency) for lot in t.lots), complete=True, unnamed_apart=True)
    per_unit = any("unit_price" in d for d in lot_extra.values())
    t.currency = lots_total.currency
    if lots_total.amount is not None:
        t.amount = lots_total.amount
        # a lot priced per unit (commodityPrice): its figure is the maximum contract value, as in the XML
        t.amount_basis = "maximum contract value" if per_unit else "maximum price"
    t.quantity_undefined = per_unit or any(i.quantity_undefined for i in t.items)
    t.suppliers = _winners(t.applications)
    extra = {
        "purchase_id": purchase_id, "notice_info_id": _str(notice.get("id")),
        "reg_number_missing": True if reg is None else None, "timezone": _tz_name(doc, notice),
        # a calendar date stored as Moscow midnight: shown in Moscow time so the date reads as entered
        "submission_start": _ms(notice.get("applSubmisionStartDate"), MOSCOW, "applSubmisionStartDate"),
        "examination": _ms(notice.get("applExaminationTime"), tz, "applExaminationTime"),
        "summing_up": _ms(notice.get("summingupTime"), tz, "summingupTime"),
        "auction": _ms(notice.get("auctionTime"), tz, "auctionTime"),
        "etp_url": notice.get("urlVsrz") or None,
        "submission_place": norm_space(notice.get("applSubmisionPlace")),
        "method_type": method.get("methodType") or None,
        "lots": lot_extra or None,
    }
    t.extra = {k: v for k, v in extra.items() if v is not None}
    return t


def _load(data: bytes) -> dict[str, Any]:
    """The answer's object; the web page's answer wraps it as ``{"data": {...}, "error": ...}``."""
    data = data.removeprefix(_BOM)
    try:
        doc = json.loads(data, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"broken JSON ({exc})", hint="download the answer again") from None
    if not isinstance(doc, dict):
        raise ParseError("223-FZ common-info JSON is not an object")
    if "noticeInfo" not in doc and "data" in doc:
        if not isinstance(doc["data"], dict):
            error = doc.get("error")
            raise ParseError(f"the portal answered an error: {str(error)[:200]}" if error else
                             "223-FZ common-info JSON with an empty data object",
                             hint="fetch the purchase again later")
        doc = doc["data"]
    return doc


def _str(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, (dict, list, bool)):
        return None
    return str(value).strip() or None


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _zone(doc: dict[str, Any], notice: dict[str, Any]) -> dict[str, Any] | None:
    tz_id = notice.get("timezoneId")
    if tz_id is None:
        return None
    for zone in _list(doc.get("timeZones")):
        if zone.get("id") == tz_id and isinstance(zone.get("offset"), int):
            return zone
    return None


def _notice_tz(doc: dict[str, Any], notice: dict[str, Any]) -> timezone:
    zone = _zone(doc, notice)
    if zone is None:
        return MOSCOW
    return timezone(MOSCOW.utcoffset(None) + timedelta(hours=zone["offset"]))


def _tz_name(doc: dict[str, Any], notice: dict[str, Any]) -> str | None:
    zone = _zone(doc, notice)
    return _str(zone.get("shortName")) if zone else None


def _ms(value: Any, tz: timezone, field: str):
    if value is None or isinstance(value, bool):
        return None
    try:
        return from_epoch_ms(value, tz=tz)
    except ParseError as exc:
        raise ParseError(f"{field}: {exc.message}") from None


def _customer(notice: dict[str, Any]) -> Organization | None:
    name, inn = norm_space(notice.get("customerName")), _str(notice.get("customerInn"))
    if name is None and inn is None:
        return None
    contact = norm_space(" ".join(str(notice.get(k) or "") for k in ("lastName", "firstName", "patronymic")))
    return Organization(
        name=name, inn=inn, kpp=_str(notice.get("customerKpp")), ogrn=_str(notice.get("customerOgrn")),
        role="customer",
        address=norm_space(notice.get("customerPostalAddress") or notice.get("customerFullAddress")),
        country="RU", email=_str(notice.get("email")), phone=_str(notice.get("phone")), contact=contact,
    )


def _lot(raw: dict[str, Any], tz: timezone) -> tuple[Lot, list[Item], Place | None, list[Application]]:
    number = _str(raw.get("ordinalNumber"))
    currency = _currency(raw.get("currency"))
    address = norm_space(_dict(raw.get("deliveryPlace")).get("address"))
    lot = Lot(id=number, title=norm_space(raw.get("contractSubject")), currency=currency,
              amount=to_decimal(raw.get("startingContractPrice"), field="startingContractPrice"),
              delivery_places=[address] if address else [])
    items = [_item(it, number, address) for it in _list(raw.get("commoditiesWorkServiceses"))]
    apps = [_application(a, currency, tz, number) for block in _list(raw.get("lotApplications"))
            for a in _list(block.get("applications"))]
    _mark_winners(apps, [a for block in _list(raw.get("lotApplications"))
                         for a in _list(block.get("applications"))])
    return lot, items, Place(text=address, lot=number) if address else None, apps


def _currency(raw: Any) -> str | None:
    """A currency object: its letter code, else the ISO letter code of its numeric code."""
    cur = _dict(raw)
    code = _str(cur.get("code")) or _str(cur.get("letterCode"))
    digital = _str(cur.get("digitalCode"))
    return code or (currency_from_numeric(digital) or digital if digital else None)


def _plan_ref(raw: dict[str, Any]) -> PlanRef | None:
    """The plan a lot comes from: ``reestrNumber`` is the plan's registry number (``planPositionId`` is the
    portal's internal id of the position, not its number: kept in ``extra.lots``)."""
    number = _str(raw.get("reestrNumber"))
    return PlanRef(plan_number=number) if number else None


def _lot_details(raw: dict[str, Any]) -> dict[str, Any]:
    """A lot's price details and plan ids for ``extra.lots`` (only what the answer states)."""
    currency = _currency(raw.get("currency"))
    details = {
        "amount_rub": to_decimal(raw.get("startingContractPriceRub"), field="startingContractPriceRub")
        if currency != "RUB" else None,
        "unit_price": to_decimal(raw.get("commodityPrice"), field="commodityPrice"),
        "unit_price_rub": to_decimal(raw.get("commodityPriceRub"), field="commodityPriceRub"),
        "price_info": norm_space(raw.get("priceInformation")),
        "price_not_determined": True if raw.get("impossibleToDeterminePrice") is True else None,
        "exchange_rate": to_decimal(raw.get("exchangeRate"), field="exchangeRate"),
        "plan_position_id": _str(raw.get("planPositionId")), "plan_info_id": _str(raw.get("planInfoId")),
        "joint_lot": True if raw.get("jointLot") is True else None,
    }
    return {k: v for k, v in details.items() if v is not None}


def _item(raw: dict[str, Any], lot: str | None, lot_address: str | None) -> Item:
    okpd2, okved2, okei = _dict(raw.get("okpd2")), _dict(raw.get("okved2")), _dict(raw.get("okei"))
    code, code_name = _str(okpd2.get("code")), norm_space(okpd2.get("name"))
    extra = [Classification(scheme="OKVED2", code=c, name=norm_space(okved2.get("name")))
             for c in [_str(okved2.get("code"))] if c]
    address = norm_space(_dict(raw.get("deliveryPlace")).get("address")) or lot_address
    unit_name = norm_space(okei.get("localName")) or norm_space((okei.get("name") or "").replace(";^", "; "))
    undefined = raw.get("impossibleToDetermineAttr") is True
    return Item(
        name=norm_space(raw.get("additionalInfo")) or code_name, code=code,
        code_scheme="OKPD2" if code else None,
        code_name=code_name, classifications=extra, quantity_undefined=undefined,
        quantity=None if undefined else to_quantity(raw.get("amountOfCommodities"),
                                                     field="amountOfCommodities"),
        unit=unit_name, unit_code=_str(okei.get("digitalCode")), lot=lot, id=_str(raw.get("id")),
        delivery_places=[address] if address else [],
    )


def _application(raw: dict[str, Any], lot_currency: str | None, tz: timezone, lot: str | None) -> Application:
    price = raw.get("price") if raw.get("price") is not None else raw.get("lastPrice")
    rating = raw.get("rating")
    return Application(
        number=_str(raw.get("applicationNumber")), participant=_participant(raw),
        price=to_decimal(price, field="application price"),
        currency=_currency(raw.get("currency")) or lot_currency,
        admitted=_ALLOWED.get(str(raw.get("allowance") or "").upper()),
        rating=rating if isinstance(rating, int) and not isinstance(rating, bool) else None,
        reason=norm_space(raw.get("rejectionReason")), lot=lot,
        date=_ms(raw.get("applicationDate"), tz, "applicationDate"),
    )


def _participant(raw: dict[str, Any]) -> Organization | None:
    """The participant of an application (``customerName`` is the participant's name, despite the key):
    ``physical`` true is a natural person, ``notRFResident`` a foreign one (its own identification number,
    country)."""
    foreign = raw.get("notRFResident") is True
    name, inn = norm_space(raw.get("customerName")), _str(raw.get("inn"))
    code = _str(raw.get("identificationNumber")) or _str(raw.get("additionalIdentificationNumber"))
    if name is None and inn is None and not (foreign and (code or raw.get("notRFResidentInfo"))):
        return None
    country = _country(raw.get("country"))
    scheme = None
    if foreign and not inn and code:
        inn, scheme = code, foreign_scheme(country)
    entity = "foreign" if foreign else ("individual" if raw.get("physical") is True else
                                        "legal_entity" if raw.get("physical") is False and inn else None)
    return Organization(name=name or norm_space(raw.get("notRFResidentInfo")), inn=inn, id_scheme=scheme,
                        kpp=_str(raw.get("kpp")), ogrn=_str(raw.get("ogrn")),
                        address=norm_space(raw.get("address")), role="participant", entity=entity,
                        country=country or ("RU" if inn and not foreign else None))


def _country(raw: Any) -> str | None:
    """A country given as an object (``digitalCode``: OKSM) or a bare OKSM code."""
    if isinstance(raw, dict):
        return country_from_oksm(_str(raw.get("digitalCode")) or _str(raw.get("code")))
    return country_from_oksm(_str(raw))


_WIN_PLACES = {"F", "W"}  # place: as applicationPlace / winnerIndication in the XML protocols


def _mark_winners(apps: list[Application], raws: list[dict[str, Any]]) -> None:
    """Each lot's winner: the application whose ``place`` is F or W; where no place is given, the one the
    contract was signed with (``contactSigned``, sic); else the admitted application ranked first."""
    places = [str(r.get("place") or "").upper() for r in raws]
    if any(places):
        for app, place in zip(apps, places):
            app.winner = place in _WIN_PLACES
    elif any(r.get("contactSigned") is True or r.get("contractSigned") is True for r in raws):
        for app, r in zip(apps, raws):
            app.winner = r.get("contactSigned") is True or r.get("contractSigned") is True
    else:
        for app in apps:
            app.winner = app.rating == 1 and app.admitted is not False


def _winners(apps: list[Application]) -> list[Organization]:
    """The lots' winners that the answer names, once each."""
    out: list[Organization] = []
    for app in apps:
        org = app.participant
        if app.winner and org is not None and all((o.inn, o.name) != (org.inn, org.name) for o in out):
            out.append(org.model_copy(update={"role": "supplier"}))
    return out


FORMATS = [
    Format(
        name=FORMAT,
        description="223-FZ purchase JSON from the portal's mobile API (common-info): customer, lots, items",
        kind="json", detect=detect, parse=parse,
    ),
]
