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

from ..errors import ParseError
from ..models import Application, Classification, Item, Kind, Lot, Organization, Place, Source, Tender
from ..values import MOSCOW, from_epoch_ms, norm_space, to_decimal, to_quantity
from . import Format, ParseContext

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
    for raw in _list(notice.get("lots")):
        lot, items, place, applications = _lot(raw, tz)
        t.lots.append(lot)
        t.items.extend(items)
        t.applications.extend(applications)
        if place is not None:
            t.places.append(place)
            if place.text not in t.delivery_places:
                t.delivery_places.append(place.text)  # type: ignore[arg-type]
    currencies = {lot.currency for lot in t.lots}
    if len(currencies) == 1:
        t.currency = currencies.pop()
        if t.lots and all(lot.amount is not None for lot in t.lots):
            t.amount = sum((lot.amount for lot in t.lots), Decimal(0))  # type: ignore[misc]
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
    }
    t.extra = {k: v for k, v in extra.items() if v is not None}
    return t


def _load(data: bytes) -> dict[str, Any]:
    data = data.removeprefix(_BOM)
    try:
        doc = json.loads(data, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"broken JSON ({exc})", hint="download the answer again") from None
    if not isinstance(doc, dict):
        raise ParseError("223-FZ common-info JSON is not an object")
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
    currency = _str(_dict(raw.get("currency")).get("code"))
    address = norm_space(_dict(raw.get("deliveryPlace")).get("address"))
    lot = Lot(id=number, title=norm_space(raw.get("contractSubject")), currency=currency,
              amount=to_decimal(raw.get("startingContractPrice"), field="startingContractPrice"),
              delivery_places=[address] if address else [])
    items = [_item(it, number, address) for it in _list(raw.get("commoditiesWorkServiceses"))]
    apps = [_application(a, currency, tz) for block in _list(raw.get("lotApplications"))
            for a in _list(block.get("applications"))]
    return lot, items, Place(text=address, lot=number) if address else None, apps


def _item(raw: dict[str, Any], lot: str | None, lot_address: str | None) -> Item:
    okpd2, okved2, okei = _dict(raw.get("okpd2")), _dict(raw.get("okved2")), _dict(raw.get("okei"))
    code, code_name = _str(okpd2.get("code")), norm_space(okpd2.get("name"))
    extra = [Classification(scheme="OKVED2", code=c, name=norm_space(okved2.get("name")))
             for c in [_str(okved2.get("code"))] if c]
    address = norm_space(_dict(raw.get("deliveryPlace")).get("address")) or lot_address
    unit_name = norm_space(okei.get("localName")) or norm_space((okei.get("name") or "").replace(";^", "; "))
    return Item(
        name=norm_space(raw.get("additionalInfo")) or code_name, code=code,
        code_scheme="OKPD2" if code else None,
        code_name=code_name, classifications=extra,
        quantity=to_quantity(raw.get("amountOfCommodities"), field="amountOfCommodities"),
        unit=unit_name, unit_code=_str(okei.get("digitalCode")), lot=lot, id=_str(raw.get("id")),
        delivery_places=[address] if address else [],
    )


def _application(raw: dict[str, Any], lot_currency: str | None, tz: timezone) -> Application:
    name, inn = norm_space(raw.get("customerName")), _str(raw.get("inn"))  # the participant, despite the key
    participant = None
    if name or inn:
        participant = Organization(name=name, inn=inn, kpp=_str(raw.get("kpp")), ogrn=_str(raw.get("ogrn")),
                                   address=norm_space(raw.get("address")), role="participant")
    price = raw.get("price") if raw.get("price") is not None else raw.get("lastPrice")
    rating = raw.get("rating")
    return Application(
        number=_str(raw.get("applicationNumber")), participant=participant,
        price=to_decimal(price, field="application price"),
        currency=_str(_dict(raw.get("currency")).get("code")) or lot_currency,
        admitted=_ALLOWED.get(str(raw.get("allowance") or "").upper()),
        rating=rating if isinstance(rating, int) and not isinstance(rating, bool) else None,
        reason=norm_space(raw.get("rejectionReason")),
        date=_ms(raw.get("applicationDate"), tz, "applicationDate"),
    )


FORMATS = [
    Format(
        name=FORMAT,
        description="223-FZ purchase JSON from the portal's mobile API (common-info): customer, lots, items",
        kind="json", detect=detect, parse=parse,
    ),
]
