"""ProZorro (Ukraine) native tender JSON, as the openprocurement API serves it (`{"data": {...}}`) or bare.

`id` is the human tender ID (``UA-2022-07-23-000100-a``); the API's 32-hex id goes to ``source.source_id``.
The buyer's EDRPOU code is ``customer.inn`` with ``id_scheme`` "UA-EDR". Classification ДК021:2015 is the
Ukrainian edition of CPV (same codes) and is reported as scheme "CPV". Masked tenders (the portal replaces
personal data with "Приховано", quantities with 0 and dates with 1970-01-01) read as missing values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..errors import ParseError
from ..models import Application, Kind, Source, Tender
from .base import Format, ParseContext
from .ocds import amount as amounts
from .ocds import blocks as m
from .ocds import parties as op
from .ocds import values as ov

MASK = {"Приховано", "Hidden", "Скрыто"}
_EPOCH = "1970-01-01"
_COUNTRIES = {"україна": "UA", "ukraine": "UA", "украина": "UA"}
_SCHEMES = {"ДК021": "CPV", "CPV": "CPV"}
_MARKERS = (b'"tenderID"', b'"procurementMethodType"', b'"UA-EDR"', b'"hasAuction"', b"prozorro.gov.ua")


_HEX_ID = re.compile(rb'"id":\s*"[0-9a-f]{32}"')
_KEYS = (b'"procuringEntity"', b'"criteria"', b'"plans"', b'"items"', b'"data"')


def detect(head: bytes) -> bool:
    """openprocurement JSON: its markers, or (when a long `criteria` list pushes them past the head, as in
    \\u-escaped answers) the 32-hex object ids the API gives everything, next to a tender's keys."""
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if h[:1] != b"{" or b'"ocid"' in h:
        return False
    return any(mk in h for mk in _MARKERS) or (_HEX_ID.search(h) is not None and any(k in h for k in _KEYS))


def _unmask(value: Any, masked: list[bool]) -> Any:
    if isinstance(value, str):
        if value.strip() in MASK:
            masked[0] = True
            return None
        return value
    if isinstance(value, dict):
        return {k: _unmask(v, masked) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmask(v, masked) for v in value]
    return value


def _drop_placeholders(value: Any) -> Any:
    """In a masked tender: zero quantities and 1970-01-01 dates are placeholders too."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "quantity" and isinstance(v, (int, Decimal)) and v == 0:
                continue
            if isinstance(v, str) and v.startswith(_EPOCH):
                continue
            out[k] = _drop_placeholders(v)
        return out
    if isinstance(value, list):
        return [_drop_placeholders(v) for v in value]
    return value


def parse(data: bytes, ctx: ParseContext) -> Iterator[Tender]:
    try:
        doc = json.loads(data.decode(ctx.encoding or "utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ParseError(f"cannot decode the file ({exc})", hint="try --encoding utf-8") from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"broken JSON: {exc.msg} (line {exc.lineno})", hint="download the tender again") from None
    return iter([to_tender(doc, ctx)])


def to_tender(doc: Any, ctx: ParseContext | None = None) -> Tender:
    data = doc.get("data") if isinstance(doc, dict) and isinstance(doc.get("data"), dict) else doc
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        raise ParseError("a ProZorro feed page (a list of tender ids), not a tender",
                         hint="fetch each tender: tenderscan fetch ID")
    if not isinstance(data, dict):
        raise ParseError("not a ProZorro tender")
    flag = [False]
    data = _unmask(data, flag)
    masked = flag[0]
    if masked:
        data = _drop_placeholders(data)
    tender_id = ov.text(data.get("tenderID"))
    hex_id = ov.text(data.get("id"))
    if not (tender_id or hex_id):
        raise ParseError("a ProZorro tender without tenderID or id")
    parties = op.Parties({})
    awards = m.live(data.get("awards"), {"cancelled", "unsuccessful", "pending"})
    contracts = m.live(data.get("contracts"), {"cancelled", "pending"})
    kind = (Kind.contract if contracts else Kind.protocol if awards
            else Kind.cancellation if data.get("status") == "cancelled" else Kind.notice)

    f = ov.faults()
    rule = amounts.prozorro(data, awards, contracts, f)
    currency = rule.currency
    doc_currency = currency or m.value_currency(data)
    raw_items = [i for c in contracts for i in c.get("items") or [] if isinstance(i, dict)] \
        or [i for i in data.get("items") or [] if isinstance(i, dict)]
    items, places = m.read_items(raw_items, doc_currency, f)
    for it in items:
        if it.code_scheme in _SCHEMES:
            it.code_scheme = _SCHEMES[it.code_scheme]
    for p in places:
        p.country = p.country or _country(p.text)

    customer = _org(data.get("procuringEntity"), "buyer")
    suppliers = op.unique_orgs(_org(s, "supplier") for s in op.supplier_refs(contracts, awards))
    tender_period = data.get("tenderPeriod") if isinstance(data.get("tenderPeriod"), dict) else {}
    published = (f.date(data, "noticePublicationDate") or f.date(tender_period, "startDate")
                 or f.date(data, "dateCreated") or f.date(data, "date"))
    extra: dict[str, Any] = {}
    for key in ("procurementMethodType", "mainProcurementCategory", "owner", "title_en"):
        if ov.text(data.get(key)):
            extra[key] = ov.text(data.get(key))
    vat = f.boolean(data.get("value"), "valueAddedTaxIncluded")
    if vat is not None:
        extra["value_added_tax_included"] = vat
    if masked:
        extra["masked"] = True
    signed = next((d for d in (f.date(c, "dateSigned") for c in contracts) if d), None)
    deadline = f.date(tender_period, "endDate")
    exec_period = next((p for p in (m.period(c.get("period"), f) for c in contracts) if p), None)
    lot_list = m.lots(data, f)
    attachments = m.documents(f, data.get("documents"), *(a.get("documents") for a in awards),
                              *(c.get("documents") for c in contracts))
    apps = _bids(data, awards, parties, f)
    m.finish_extra(extra, rule, f, data)
    source = Source(source_id=hex_id if tender_id else None)
    if ctx is not None:
        source.path, source.url = ctx.source.path, ctx.source.url
    return Tender(
        kind=kind,
        id=tender_id or hex_id,
        version=ov.text(data.get("dateModified")),
        source_format="prozorro/tender",
        law="ProZorro",
        title=ov.text(data.get("title")) or ov.text(data.get("title_en")),
        published=published,
        signed=signed,
        submission_deadline=deadline,
        execution_period=exec_period,
        method=ov.text(data.get("procurementMethodType")) or ov.text(data.get("procurementMethod")),
        method_code=ov.text(data.get("procurementMethodType")),
        status=ov.text(data.get("status")),
        url=f"https://prozorro.gov.ua/tender/{tender_id}" if tender_id else None,
        country=(customer.country if customer else None) or "UA",
        region=customer.region if customer else None,
        customer=customer,
        suppliers=suppliers,
        currency=currency or doc_currency,
        amount=rule.amount,
        amount_basis=rule.basis,
        lots=lot_list,
        items=items,
        delivery_places=m.delivery_texts(items),
        places=places,
        attachments=attachments,
        applications=apps,
        extra=extra,
        source=source,
    )


def _country(text: str | None) -> str | None:
    if not text:
        return None
    return next((code for name, code in _COUNTRIES.items() if name in text.lower()), None)


def _org(raw: Any, role: str):
    o = op.organization(raw, role)
    if o is not None and o.country is None and isinstance(raw, dict):
        o.country = _country(ov.text((raw.get("address") or {}).get("countryName"))
                             if isinstance(raw.get("address"), dict) else None)
    return o


def _bids(data: dict, awards: list[dict], parties: op.Parties, f) -> list[Application]:
    winners = {a.get("bid_id") for a in awards if a.get("bid_id")}
    out = []
    for bid in data.get("bids") or []:
        if not isinstance(bid, dict) or bid.get("status") in ("deleted", "invalid"):
            continue
        price, cur = ov.money(bid.get("value"), f)
        lot_values = [lv for lv in bid.get("lotValues") or [] if isinstance(lv, dict)]
        if price is None:
            price, cur = m.total((lv.get("value") for lv in lot_values), f)
        tenderers = bid.get("tenderers") or [None]
        out.append(Application(number=ov.text(bid.get("id")), participant=_org(tenderers[0], "participant"),
                               price=price, currency=cur, winner=bid.get("id") in winners,
                               date=f.date(bid, "date"),
                               lot=ov.text(lot_values[0].get("relatedLot")) if len(lot_values) == 1 else None))
    return out


FORMATS = [
    Format(name="prozorro", description="ProZorro (Ukraine) tender JSON from the openprocurement API",
           kind="json", detect=detect, parse=parse),
]
