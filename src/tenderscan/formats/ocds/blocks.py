"""The blocks of an OCDS-shaped document as model objects: items and their delivery places, documents,
lots, awards' applications, transactions, and the amount rule's notes in ``extra``.

Shared by the OCDS reader (:mod:`.mapping`) and the ProZorro reader (:mod:`..prozorro`). Inputs are plain
dicts whose numbers are ``Decimal`` (ijson, or ``json`` with ``parse_float=Decimal``). Nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ...models import Application, Attachment, Classification, Item, Lot, Payment, Period, Place, builder
from . import amount as amounts
from .faults import INVALID_KEY, Faults
from .parties import Parties, address_text, country_code
from .values import money, text

# the models' constructors without BaseModel.__init__'s Python frame (same validation; ~5% of an OCDS export)
_Application = builder(Application)
_Attachment = builder(Attachment)
_Classification = builder(Classification)
_Item = builder(Item)
_Lot = builder(Lot)
_Payment = builder(Payment)
_Period = builder(Period)
_Place = builder(Place)


def place_of(item: dict, lot: str | None, f: Faults) -> tuple[list[str], list[Place]]:
    """Delivery places of an item: `deliveryAddress` and `deliveryLocation` (OCDS location extension,
    ProZorro)."""
    texts: list[str] = []
    places: list[Place] = []
    addr = item.get("deliveryAddress")
    loc = item.get("deliveryLocation") if isinstance(item.get("deliveryLocation"), dict) else {}
    addr_text = address_text(addr)
    lat = lon = None
    geometry = loc.get("geometry") if isinstance(loc.get("geometry"), dict) else None
    if geometry and geometry.get("type") == "Point" and isinstance(geometry.get("coordinates"), list):
        coords = geometry["coordinates"]
        if len(coords) >= 2:  # GeoJSON order: longitude, latitude
            lon, lat = f.item_number(coords, 0), f.item_number(coords, 1)
    elif loc.get("latitude") is not None and loc.get("longitude") is not None:
        lat, lon = f.number(loc, "latitude"), f.number(loc, "longitude")
    if lat is not None and lon is not None and lat == 0 and lon == 0:
        lat = lon = None
    loc_text = text(loc.get("description"))
    gaz = loc.get("gazetteer") if isinstance(loc.get("gazetteer"), dict) else {}
    if addr_text or loc_text or lat is not None:
        t = ", ".join(x for x in (loc_text, addr_text) if x) or None
        if t:
            texts.append(t)
        places.append(_Place(
            text=t,
            region=text(addr.get("region")) if isinstance(addr, dict) else None,
            country=country_code(addr),
            lot=lot,
            latitude=lat,
            longitude=lon,
            nuts=_gazetteer(gaz, "NUTS"),
        ))
    return texts, places


def _gazetteer(gaz: dict, scheme: str) -> str | None:
    if text(gaz.get("scheme")) and scheme.lower() in str(gaz.get("scheme")).lower():
        ids = gaz.get("identifiers") or []
        return text(ids[0]) if ids else None
    return None


def item(raw: dict, doc_currency: str | None, f: Faults) -> tuple[Item, list[Place]]:
    cls = raw.get("classification") if isinstance(raw.get("classification"), dict) else {}
    unit = raw.get("unit") if isinstance(raw.get("unit"), dict) else {}
    quantity = f.number(raw, "quantity", quantity=True)
    unit_price, price_cur = money(unit.get("value"), f)
    amount = quantity * unit_price if quantity is not None and unit_price is not None else None
    lot = text(raw.get("relatedLot"))
    places_text, places = place_of(raw, lot, f)
    extra_cls = [
        _Classification(scheme=text(c.get("scheme")) or "unknown", code=text(c.get("id")) or "",
                       name=text(c.get("description")))
        for c in raw.get("additionalClassifications") or [] if isinstance(c, dict) and text(c.get("id"))
    ]
    return _Item(
        id=text(raw.get("id")),
        name=text(raw.get("description")),
        code=text(cls.get("id")),
        code_scheme=text(cls.get("scheme")),
        code_name=text(cls.get("description")),
        classifications=extra_cls,
        quantity=quantity,
        unit=text(unit.get("name")),
        unit_code=text(unit.get("id")) or text(unit.get("code")),
        unit_price=unit_price,
        amount=amount,
        currency=price_cur if price_cur and price_cur != doc_currency else None,
        lot=lot,
        delivery_places=places_text,
    ), places


def read_items(raws: Iterable[dict], doc_currency: str | None, f: Faults) -> tuple[list[Item], list[Place]]:
    """The items, and the delivery places of them all."""
    items, places = [], []
    for raw in raws:
        it, pl = item(raw, doc_currency, f)
        items.append(it)
        places.extend(pl)
    return items, places


def delivery_texts(items: Iterable[Item]) -> list[str]:
    """Every item's delivery places, each once, in order."""
    out: list[str] = []
    for it in items:
        for p in it.delivery_places:
            if p not in out:
                out.append(p)
    return out


def value_currency(obj: dict) -> str | None:
    """The currency of an object's ``value`` (a tender's estimate)."""
    value = obj.get("value")
    return text(value.get("currency")) if isinstance(value, dict) else None


def documents(f: Faults, *groups: Iterable[Any]) -> list[Attachment]:
    out: list[Attachment] = []
    seen: set[tuple] = set()
    for group in groups:
        for d in group or []:
            if not isinstance(d, dict):
                continue
            key = (d.get("id"), d.get("url"), d.get("title"))
            if key in seen:
                continue
            seen.add(key)
            out.append(_Attachment(
                name=text(d.get("title")),
                url=text(d.get("url")),
                kind=text(d.get("documentType")),
                description=text(d.get("description")),
                published=f.date(d, "datePublished"),
                content_id=text(d.get("id")),
            ))
    return out


def live(entries: Any, dead: set[str]) -> list[dict]:
    return [e for e in entries or [] if isinstance(e, dict) and e.get("status") not in dead]


def total(values: Iterable[Any], f: Faults) -> tuple[Decimal | None, str | None]:
    """Sum of Value objects in one currency; (None, None) when they are in several currencies or one is not
    a number."""
    t = amounts.total(values, f)
    return t.amount, t.currency


def period(raw: Any, f: Faults) -> Period | None:
    if not isinstance(raw, dict):
        return None
    start, end = f.date(raw, "startDate"), f.date(raw, "endDate")
    return _Period(start=start, end=end) if start or end else None


def lots(tender: dict, f: Faults) -> list[Lot]:
    out = []
    for raw in tender.get("lots") or []:
        if not isinstance(raw, dict):
            continue
        amount, cur = money(raw.get("value"), f)
        out.append(_Lot(id=text(raw.get("id")), title=text(raw.get("title")), amount=amount, currency=cur,
                       status=text(raw.get("status"))))
    return out


def applications(awards: list[dict], parties: Parties, f: Faults) -> list[Application]:
    out = []
    seen: set[tuple] = set()
    for a in awards:
        price, cur = money(a.get("value"), f)
        date = f.date(a, "date")
        lot = _one_lot(a)
        for s in a.get("suppliers") or []:
            org = parties.org(s, "supplier")
            key = (a.get("id"), org.inn if org else None, org.name if org else None)
            if key in seen:  # ocdsmerge appends id-less suppliers of several releases: the same one twice
                continue
            seen.add(key)
            out.append(_Application(number=text(a.get("id")), participant=org, price=price,
                                   currency=cur, winner=a.get("status") in (None, "active"),
                                   date=date, lot=lot))
    return out


def payments(contracts: list[dict], f: Faults) -> list[Payment]:
    out = []
    for c in contracts:
        impl = c.get("implementation") if isinstance(c.get("implementation"), dict) else {}
        for t in impl.get("transactions") or []:
            if not isinstance(t, dict):
                continue
            amount, cur = money(t.get("value") or t.get("amount"), f)
            out.append(_Payment(date=f.date(t, "date"), amount=amount, currency=cur, document=text(t.get("id")),
                               description=text(t.get("source")) if isinstance(t.get("source"), str) else None))
    return out


def finish_extra(extra: dict[str, Any], rule: amounts.Amount, f: Faults, release: dict) -> None:
    """The amount rule's notes and values, and the fields that failed, into a document's ``extra``."""
    extra.update(rule.extra)
    invalid, notes = f.report(release)
    if invalid:
        extra[INVALID_KEY] = invalid
    notes = rule.notes + notes
    if notes:
        extra["warnings"] = list(extra.get("warnings") or []) + notes


def _one_lot(award: dict) -> str | None:
    """The lot an award is for, when it is for one (``relatedLots``, ProZorro's ``lotID``)."""
    lots = award.get("relatedLots")
    if isinstance(lots, list) and len(lots) == 1:
        return text(lots[0])
    return text(award.get("lotID")) if award.get("lotID") is not None else None
