"""Map an OCDS compiled release (and ProZorro's OCDS-shaped tenders) onto the model.

Shared by :mod:`.ocds` and :mod:`.prozorro`. Inputs are plain dicts whose numbers are ``Decimal`` (ijson, or
``json`` with ``parse_float=Decimal``). Nothing here reads files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC
from decimal import Decimal
from typing import Any

from ...errors import ParseError
from ...models import (
    Application,
    Attachment,
    Classification,
    Item,
    Kind,
    Lot,
    Organization,
    Payment,
    Period,
    Place,
    Tender,
    builder,
)
from ...values import norm_space, to_datetime
from . import amount as amounts
from .faults import INVALID_KEY, Faults

# the models' constructors without BaseModel.__init__'s Python frame (same validation; ~5% of an OCDS export)
_Application = builder(Application)
_Attachment = builder(Attachment)
_Classification = builder(Classification)
_Item = builder(Item)
_Lot = builder(Lot)
_Organization = builder(Organization)
_Payment = builder(Payment)
_Period = builder(Period)
_Place = builder(Place)
_Tender = builder(Tender)

_RFC = re.compile(r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$")  # Mexico's tax id (RFC)
DEAD_AWARD = {"cancelled", "unsuccessful", "pending"}
DEAD_CONTRACT = {"cancelled", "pending"}


_MISS = object()
_CACHE_MAX = 10_000
# short texts and dates repeat across a package (codes, currencies, statuses, names, dates): read each once
_TEXTS: dict[str, str | None] = {}
_DATES: dict[str, Any] = {}


def _remember(cache: dict, key: str, value: Any) -> Any:
    if len(key) <= 80:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = value
    return value


def text(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        hit = _TEXTS.get(value, _MISS)
        if hit is not _MISS:
            return hit
        if value and not value[0].isspace() and not value[-1].isspace() and "  " not in value \
                and "\n" not in value and "\t" not in value and "\r" not in value and "\xa0" not in value:
            return _remember(_TEXTS, value, value)  # already clean (most values): skip the regex
        return _remember(_TEXTS, value, norm_space(value))
    if isinstance(value, (dict, list)):
        return None
    return norm_space(str(value))


def when(value: Any):
    """An OCDS date-time (always with an offset in practice; UTC when it has none)."""
    if not isinstance(value, str):
        return None
    hit = _DATES.get(value, _MISS)
    if hit is not _MISS:
        return hit
    return _remember(_DATES, value, to_datetime(value, default_tz=UTC))


def faults() -> Faults:
    """A reader of one release's typed fields (see :mod:`._ocds_faults`)."""
    return Faults(when)


def money(value: Any, f: Faults) -> tuple[Decimal | None, str | None]:
    """(amount, currency) of an OCDS Value object (an amount that is not a number: None, noted in ``f``)."""
    if type(value) is not dict:
        return None, None
    return f.number(value, "amount"), text(value.get("currency"))


def address_text(addr: Any) -> str | None:
    if not isinstance(addr, dict):
        return None
    parts = [text(addr.get(k)) for k in ("streetAddress", "locality", "region", "postalCode", "countryName")]
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return ", ".join(seen) or None


def country_code(addr: Any) -> str | None:
    if not isinstance(addr, dict):
        return None
    for key in ("countryCode", "countryName"):
        v = text(addr.get(key))
        if v and len(v) == 2 and v.isalpha():
            return v.upper()
    return None


def id_scheme(ident: dict, addr: Any) -> str | None:
    scheme = text(ident.get("scheme"))
    if scheme:
        return scheme
    ident_id = text(ident.get("id"))
    if not ident_id:
        return None
    if _RFC.match(ident_id.upper()) and (country_code(addr) in (None, "MX")):
        return "MX-RFC"
    return "unknown"


def organization(party: Any, role: str | None = None) -> Organization | None:
    if not isinstance(party, dict):
        return None
    ident = party.get("identifier") if isinstance(party.get("identifier"), dict) else {}
    addr = party.get("address")
    cp = party.get("contactPoint") if isinstance(party.get("contactPoint"), dict) else {}
    name = text(party.get("name")) or text(ident.get("legalName"))
    inn = text(ident.get("id"))
    if not (name or inn):
        return None
    return _Organization(
        name=name,
        inn=inn,
        id_scheme=id_scheme(ident, addr) if inn else None,
        role=role,
        address=address_text(addr),
        region=text(addr.get("region")) if isinstance(addr, dict) else None,
        country=country_code(addr),
        email=text(cp.get("email")),
        phone=text(cp.get("telephone")),
        contact=text(cp.get("name")),
    )


class Parties:
    """Resolve OCDS 1.1 organization references ({id, name}) against `parties`; 1.0 inline objects pass."""

    def __init__(self, release: dict):
        self.by_id: dict[str, dict] = {}
        self.list = [p for p in release.get("parties") or [] if isinstance(p, dict)]
        for p in self.list:
            if p.get("id") is not None:
                self.by_id[str(p["id"])] = p

    def resolve(self, ref: Any) -> dict | None:
        if not isinstance(ref, dict):
            return None
        full = self.by_id.get(str(ref.get("id"))) if ref.get("id") is not None else None
        if full is None:
            return ref
        merged = dict(full)
        if ref.get("name") and not full.get("name"):
            merged["name"] = ref["name"]
        return merged

    def with_role(self, role: str) -> dict | None:
        for p in self.list:
            if role in (p.get("roles") or []):
                return p
        return None

    def org(self, ref: Any, role: str | None = None) -> Organization | None:
        return organization(self.resolve(ref), role)


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


def stage_of(release: dict) -> tuple[Kind, str]:
    """The most advanced stage a compiled release reached: contract, award, tender, planning."""
    tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
    if live(release.get("contracts"), DEAD_CONTRACT):
        return Kind.contract, "contracts"
    if live(release.get("awards"), DEAD_AWARD):
        return Kind.protocol, "awards"
    if tender.get("status") in ("cancelled", "withdrawn"):
        return Kind.cancellation, "tender"
    if tender.get("status") in ("planning", "planned"):
        return Kind.other, "tender"
    if tender:
        return Kind.notice, "tender"
    return Kind.other, "planning"


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


def unique_orgs(orgs: Iterable[Organization | None]) -> list[Organization]:
    out: list[Organization] = []
    keys: set[tuple] = set()
    for o in orgs:
        if o is None:
            continue
        key = (o.inn, o.name) if o.inn is None else (o.inn, None)
        if key in keys:
            continue
        keys.add(key)
        out.append(o)
    return out


# --- a compiled release as a Tender ---------------------------------------------------------------------


def to_tender(r: dict, *, source_format: str, package: dict | None = None, releases: int = 0,
              tags: Iterable[str] = ()) -> Tender:
    """One compiled release as a Tender."""
    package = package or {}
    ocid = text(r.get("ocid"))
    if not ocid:
        raise ParseError("an OCDS release without an ocid")
    parties = Parties(r)
    tender = r.get("tender") if isinstance(r.get("tender"), dict) else {}
    planning = r.get("planning") if isinstance(r.get("planning"), dict) else {}
    awards = live(r.get("awards"), DEAD_AWARD)
    contracts = live(r.get("contracts"), DEAD_CONTRACT)
    kind, stage = stage_of(r)

    buyer_ref = r.get("buyer") or parties.with_role("buyer")
    customer = parties.org(buyer_ref, "buyer")
    pe_ref = tender.get("procuringEntity") or parties.with_role("procuringEntity")
    responsible = parties.org(pe_ref, "procuringEntity")

    f = faults()
    pending = [a for a in r.get("awards") or [] if isinstance(a, dict) and a.get("status") == "pending"]
    rule = amounts.ocds(stage, tender, planning, awards, contracts, f, pending)
    currency = rule.currency
    doc_currency = currency or text(tender.get("value", {}).get("currency")
                                    if isinstance(tender.get("value"), dict) else None)

    raw_items = _stage_items(stage, tender, awards, contracts)
    items, places = [], []
    for raw in raw_items:
        it, pl = item(raw, doc_currency, f)
        items.append(it)
        places.extend(pl)
    delivery: list[str] = []
    for it in items:
        for p in it.delivery_places:
            if p not in delivery:
                delivery.append(p)

    supplier_refs = [s for c in contracts for s in c.get("suppliers") or []] or \
                    [s for a in awards for s in a.get("suppliers") or []]
    suppliers = unique_orgs(parties.org(s, "supplier") for s in supplier_refs)
    title = (text(tender.get("title")) or next((text(c.get("title")) for c in contracts if c.get("title")), None)
             or next((text(a.get("title")) for a in awards if a.get("title")), None)
             or text((planning.get("budget") or {}).get("project") if isinstance(planning.get("budget"), dict)
                       else None))
    signed = next((d for d in (f.date(c, "dateSigned") for c in contracts) if d), None)
    exec_period = next((p for p in (period(c.get("period"), f) for c in contracts) if p), None) \
        or period(tender.get("contractPeriod"), f)
    tender_period = tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"), dict) else {}
    extra: dict[str, Any] = {}
    publisher = package.get("publisher") if isinstance(package.get("publisher"), dict) else {}
    if text(publisher.get("name")):
        extra["publisher"] = text(publisher.get("name"))
    if releases:
        extra["releases_merged"] = releases
    tag_list = sorted({str(t) for t in tags if t != "compiled"})
    if tag_list:
        extra["tags"] = tag_list
    if text(tender.get("id")) and text(tender.get("id")) != ocid:
        extra["tender_id"] = text(tender.get("id"))
    published = f.date(r, "date")
    deadline = f.date(tender_period, "endDate")
    lot_list = lots(tender, f)
    attachments = documents(f, planning.get("documents"), tender.get("documents"),
                            *(a.get("documents") for a in awards), *(c.get("documents") for c in contracts))
    paid = payments(contracts, f)
    apps = applications(awards, parties, f)
    finish_extra(extra, rule, f, r)
    return _Tender(
        kind=kind,
        id=ocid,
        version=text(r.get("date")),
        source_format=source_format,
        law="OCDS",
        title=title,
        published=published,
        signed=signed,
        submission_deadline=deadline,
        execution_period=exec_period,
        method=text(tender.get("procurementMethodDetails")) or text(tender.get("procurementMethod")),
        method_code=text(tender.get("procurementMethod")),
        status=text(tender.get("status")) or next((text(c.get("status")) for c in contracts), None),
        country=customer.country if customer else None,
        region=customer.region if customer else None,
        customer=customer,
        responsible=responsible,
        responsible_role="procuringEntity" if responsible else None,
        suppliers=suppliers,
        currency=currency or doc_currency,
        amount=rule.amount,
        amount_basis=rule.basis,
        lots=lot_list,
        items=items,
        delivery_places=delivery,
        places=places,
        attachments=attachments,
        payments=paid,
        applications=apps,
        extra=extra,
    )


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


def _stage_items(stage: str, tender: dict, awards: list[dict], contracts: list[dict]) -> list[dict]:
    """Items of the most advanced stage that lists any (contract items carry the agreed unit prices)."""
    candidates = []
    if stage == "contracts":
        candidates.append([i for c in contracts for i in c.get("items") or []])
    if stage in ("contracts", "awards"):
        candidates.append([i for a in awards for i in a.get("items") or []])
    candidates.append(list(tender.get("items") or []))
    for c in candidates:
        found = [i for i in c if isinstance(i, dict)]
        if found:
            return found
    return []
