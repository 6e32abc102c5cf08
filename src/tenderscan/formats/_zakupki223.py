"""Shared pieces of the 223-FZ XML readers: namespaces, named paths, organisations, attachments.

223-FZ documents come as ``<root><header/><body><item><…Data/></item>…</body></root>``. Elements declared by
the document schema (``…/223fz/purchase/1`` or ``…/223fz/contract/1``) sit in that namespace; the reusable
field types (``mainInfo``, ``document``, ``lot``, ``currency``…) sit in ``…/223fz/types/1``, except in dumps
whose producer reset the default namespace (``<body xmlns="">``), where the same fields carry no namespace at
all. Both spellings are real (see the Adygeya 2019 contract dump), so the paths below are compiled once per
(document namespace, field namespace) pair, and the field namespace is read from each ``item``.

Speed: every path is a chain of plain Clark names (no predicates, no ``//``). The fields of one element
(a ``mainInfo``, a ``lotItem`` with its ``okpd2/code``, ``okei/name``…) are read together by
:meth:`Fields.record`, one walk over the element's children guided by a tree of the wanted names, instead
of one ElementPath query per field (about 3x faster on these documents). The same walk collects the
elements that repeat or nest (a …Data element's customer, lots, attachments; a lot's items…), so no subtree
is walked twice and lxml's tag-filtered iterators (about 1-2 µs per call to set up) are not used at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lxml import etree

from ..errors import ParseError
from ..models import Attachment, Classification, Kind, Lot, Organization, Tender, builder
from ..values import MOSCOW, norm_space, normalize, to_date, to_datetime, to_decimal
from ..xmlsafe import Paths, clark

_Attachment = builder(Attachment)
_Organization = builder(Organization)
_Tender = builder(Tender)
_Classification = builder(Classification)

PURCHASE = "http://zakupki.gov.ru/223fz/purchase/1"
CONTRACT = "http://zakupki.gov.ru/223fz/contract/1"
TYPES = "http://zakupki.gov.ru/223fz/types/1"
LAW = "223-FZ"

# "d:" = the document's namespace (purchase or contract), "t:" = the field types namespace (or none).
NAV = {"items": "d:body/d:item"}  # root: the …Data elements sit in body/item
# The repeated or nested elements (lots, items, applications…) are collected by the walk that reads the
# fields of the element above them (``first``/``every`` of :class:`Fields`), never looked up again.
# The fields of one element each (text values).
ORG = {  # customer/mainInfo, placer/mainInfo
    "name": "t:fullName", "short_name": "t:shortName", "inn": "t:inn", "kpp": "t:kpp", "ogrn": "t:ogrn",
    "legal_address": "t:legalAddress", "postal_address": "t:postalAddress", "region": "t:region",
    "email": "t:email", "phone": "t:phone",
}
DOCUMENT = {  # attachments/document
    "guid": "t:guid", "file_name": "t:fileName", "description": "t:description", "url": "t:url",
    "created": "t:createDateTime",
}
COMMON = {  # the head of every …Data element (registrationNumber: DATA_FIRST's @reg_number)
    "guid": "d:guid", "url_eis": "d:urlEIS", "url_oos": "d:urlOOS", "status": "d:status",
    "version": "d:version",
}
NOTICE = {  # purchaseNotice<X>Data
    "name": "d:name", "published": "d:publicationDateTime", "modified": "d:modificationDate",
    "method_code": "d:purchaseMethodCode", "method": "d:purchaseCodeName",
    "submission_close": "d:submissionCloseDateTime", "examination": "d:examinationDateTime",
    "etp_name": "d:electronicPlaceInfo/t:name", "etp_url": "d:electronicPlaceInfo/t:url",
}
NOTICE_LOT = {  # lots/lot
    "number": "t:ordinalNumber", "cancelled": "t:cancelled", "subject": "t:lotData/t:subject",
    "initial_sum": "t:lotData/t:initialSum", "currency": "t:lotData/t:currency/t:code",
    "address": "t:lotData/t:deliveryPlace/t:address",
}
LOT_ITEM = {  # lotData/lotItems/lotItem
    "guid": "t:guid", "qty": "t:qty", "info": "t:additionalInfo",
    "okpd2_code": "t:okpd2/t:code", "okpd2_name": "t:okpd2/t:name", "okdp_code": "t:okdp/t:code",
    "okdp_name": "t:okdp/t:name", "okved2_code": "t:okved2/t:code", "okved2_name": "t:okved2/t:name",
    "okved_code": "t:okved/t:code", "okved_name": "t:okved/t:name", "okei_code": "t:okei/t:code",
    "okei_name": "t:okei/t:name",
}
PROTOCOL = {  # purchaseProtocol<X>Data
    "notice_number": "d:purchaseInfo/t:purchaseNoticeNumber", "name": "d:purchaseInfo/t:name",
    "method_code": "d:purchaseInfo/t:purchaseMethodCode", "method": "d:purchaseInfo/t:purchaseCodeName",
    "published": "d:publicationDateTime", "type": "d:type", "type_name": "d:typeName",
    "procedure_date": "d:procedureDate", "sign_date": "d:protocolSignDate",
}
PROTOCOL_LOT = {  # protocolLotApplications/lot, or protocolLotApplications itself (PAEP)
    "number": "d:ordinalNumber", "subject": "d:subject", "currency": "d:currency/t:code",
    "initial_sum": "d:initialSum",
}
APPLICATION = {  # protocolLotApplications/application
    "number": "d:applicationNumber", "date": "d:applicationDate", "price": "d:price",
    "last_price": "d:lastPrice",
    "currency": "d:currency/t:code", "accepted": "d:accepted", "winner": "d:winnerIndication",
    "rate": "d:applicationRate", "reason": "d:rejectionReason", "name": "d:supplierInfo/t:name",
    "inn": "d:supplierInfo/t:inn", "kpp": "d:supplierInfo/t:kpp", "ogrn": "d:supplierInfo/t:ogrn",
    "address": "d:supplierInfo/t:address",
}
ACCOUNT = {  # purchaseContractAccountData
    "published": "d:publicationDateTime", "period": "d:period", "count": "d:contractsNumber",
    "cost": "d:contractsOverallCost", "currency": "d:currency/t:code", "type_code": "d:typeCode",
    "type_name": "d:typeDescription",
}
CONTRACT_DATA = {  # contractData
    "contract_reg_number": "d:contractRegNumber", "number": "d:name", "subject": "d:subjectContract",
    "published": "d:publicationDate", "signed": "d:contractDate", "lot_number": "d:lotNum",
    "notice_number": "d:purchaseNoticeInfo/d:purchaseNoticeNumber",
    "notice_name": "d:purchaseNoticeInfo/d:name",
    "method_code": "d:purchaseTypeInfo/d:code", "method": "d:purchaseTypeInfo/d:name", "price": "d:price",
    "currency": "d:currency/t:code", "start": "d:startExecutionDate", "end": "d:endExecutionDate",
}
SUPPLIER = {  # contractData/supplierInfo
    "name": "d:name", "short_name": "d:shortName", "inn": "d:inn", "kpp": "d:kpp", "ogrn": "d:ogrn",
    "region_full_name": "d:address/d:region/d:fullName", "region_name": "d:address/d:region/d:name",
    "country_code": "d:address/d:country/t:digitalCode",
}
POSITION = {  # contractPositions/contractPosition
    "guid": "d:guid", "name": "d:name", "qty": "d:qty", "okpd2_code": "d:okpd2/t:code",
    "okpd2_name": "d:okpd2/t:name", "okdp_code": "d:okdp/t:code", "okdp_name": "d:okdp/t:name",
    "okei_code": "d:okei/t:code", "okei_name": "d:okei/t:name",
}
PERFORMANCE = {  # performanceContractData
    "contract_reg_number": "d:contractRegNumber", "published": "d:publicationDate",
    "completed": "d:completed", "has_penalty": "d:hasPenalty", "number": "d:contractInfo/d:name",
    "supplier_name": "d:contractInfo/d:supplierName", "subject": "d:contractInfo/d:lotInfo",
    "signed": "d:contractInfo/d:contractDate", "total": "d:positions/d:total",
}
# Read on every …Data element in the same walk as its own fields and COMMON: the first element of the path
# (``first``), or every element of the path (``every``, in document order).
DATA_FIRST = {
    "@customer": "d:customer/t:mainInfo", "@placer": "d:placer/t:mainInfo",
    "@reg_number": "d:registrationNumber", "@guid": "d:guid",
}
DATA_EVERY = {
    "@documents": "d:attachments/t:document", "@lots": "d:lots/t:lot",  # every …Data; notice data
    "@lot_apps": "d:lotApplicationsList/d:protocolLotApplications",  # protocol data
    "@suppliers": "d:supplierInfo", "@positions": "d:contractPositions/d:contractPosition",  # contract data
    "@payments": "d:positions/d:position",  # performanceContractData
}
LOT_EVERY = {"@items": "t:lotData/t:lotItems/t:lotItem"}  # notice lots/lot
# protocolLotApplications: its lot (whose fields PROTOCOL_LOT reads; PAEP has none) and applications
LOT_APPS_FIRST = {"@lot": "d:lot"}
LOT_APPS_EVERY = {"@applications": "d:application"}
PAYMENT_EVERY = {"@docs": "d:docs/d:doc"}  # positions/position
PAYMENT = {"date": "d:paymentDate", "price": "d:price", "currency": "d:currency/t:code"}  # positions/position
PAYMENT_DOC = {  # position/docs/doc
    "date": "d:date", "name": "d:name", "number": "d:number", "qty": "d:qty",
    "position_name": "d:contractPosition/d:name", "okpd2_code": "d:contractPosition/d:okpd2/t:code",
    "okpd2_name": "d:contractPosition/d:okpd2/t:name", "okei_code": "d:okei/t:code",
    "okei_name": "d:okei/t:name",
}


class Fields(Paths):
    """Named paths (Clark notation, compiled by :class:`~tenderscan.xmlsafe.Paths`) with a fast reader.

    :meth:`record` reads every field of the group from one element in a single walk over its children,
    guided by a tree of the wanted names. ``first`` and ``every`` name element paths the same walk collects
    (the first element found on the path, every element on it in document order), so an element's
    children are walked once for its fields and for the blocks below it (a lot's items, a …Data element's
    customer, lots, attachments…), and nothing is looked up again. Like the fields (first non-empty
    occurrence), they are searched under every element of each step, not only the first: the schemas
    allow one of each anyway."""

    def __init__(self, nsmap: dict[str, str], *, first: dict[str, str] | None = None,
                 every: dict[str, str] | None = None, **paths: str):
        super().__init__(nsmap, **paths)
        # one Clark name per step, spelled as lxml spells tags ("{}name", no namespace, is plain "name")
        self.steps = {name: self._steps(p) for name, p in paths.items()}
        # tag -> [field name or None, subtree or None, first-element name or None, every-element name or None]
        self.tree: dict[str, list] = {}
        for slot, group in ((0, self.steps), (2, {k: self._steps(v) for k, v in (first or {}).items()}),
                            (3, {k: self._steps(v) for k, v in (every or {}).items()})):
            for name, steps in group.items():
                level = self.tree
                for step in steps[:-1]:
                    entry = level.setdefault(step, [None, None, None, None])
                    if entry[1] is None:
                        entry[1] = {}
                    level = entry[1]
                entry = level.setdefault(steps[-1], [None, None, None, None])
                if entry[slot] is not None:
                    raise ValueError(f"paths {entry[slot]!r} and {name!r} are the same")
                entry[slot] = name
        self.mixed = bool(first or every)

    def _steps(self, path: str) -> tuple[str, ...]:
        return tuple(clark(step, self.nsmap).removeprefix("{}") for step in path.split("/"))

    def record(self, el: etree._Element | None) -> dict[str, Any]:
        """``{name: stripped text}`` for every field of this group found under ``el`` (first non-empty
        occurrence), ``{name: element}`` for the ``first`` paths found and ``{name: [element, …]}`` for the
        ``every`` paths found."""
        out: dict[str, Any] = {}
        if el is not None:
            (_walk_mixed if self.mixed else _walk)(el, self.tree, out)
        return out


def first_text(el: etree._Element | None) -> str | None:
    """The stripped text of an element (the first element of a path, found by a ``first`` entry)."""
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def _walk(el: etree._Element, tree: dict[str, list], out: dict[str, str]) -> None:
    for child in el[:]:  # a slice builds the children in C: faster than iterating
        entry = tree.get(child.tag)  # comments and PIs have a function as tag: never in the tree
        if entry is None:
            continue
        name, sub, _, _ = entry
        if name is not None and name not in out:
            value = child.text
            if value is not None:
                value = value.strip()
                if value:
                    out[name] = value
        if sub is not None:
            _walk(child, sub, out)


def _walk_mixed(el: etree._Element, tree: dict[str, list], out: dict[str, Any]) -> None:
    for child in el[:]:  # a slice builds the children in C: faster than iterating
        entry = tree.get(child.tag)
        if entry is None:
            continue
        name, sub, first, every = entry
        if name is not None and name not in out:
            value = child.text
            if value is not None:
                value = value.strip()
                if value:
                    out[name] = value
        if first is not None and first not in out:
            out[first] = child
        if every is not None:
            found = out.get(every)
            if found is None:
                out[every] = [child]
            else:
                found.append(child)
        if sub is not None:
            _walk_mixed(child, sub, out)


@dataclass(frozen=True)
class P223:
    """Every path group, compiled for one (document namespace, field namespace) pair."""

    doc_ns: str
    types_ns: str
    nav: Fields
    org: Fields
    document: Fields
    common: Fields
    notice: Fields
    notice_lot: Fields
    lot_item: Fields
    protocol: Fields
    lot_apps: Fields
    protocol_lot: Fields
    application: Fields
    account: Fields
    contract: Fields
    supplier: Fields
    position: Fields
    performance: Fields
    payment: Fields
    payment_doc: Fields


_DATA = (DATA_FIRST, DATA_EVERY)  # read on the …Data element, with COMMON
_GROUPS: dict[str, tuple[dict[str, str], dict[str, str] | None, dict[str, str] | None]] = {
    # name: (fields, first, every)
    "nav": (NAV, None, None), "org": (ORG, None, None), "document": (DOCUMENT, None, None),
    "common": (COMMON, None, None), "notice": ({**COMMON, **NOTICE}, *_DATA),
    "notice_lot": (NOTICE_LOT, None, LOT_EVERY), "lot_item": (LOT_ITEM, None, None),
    "protocol": ({**COMMON, **PROTOCOL}, *_DATA),
    "lot_apps": (PROTOCOL_LOT, LOT_APPS_FIRST, LOT_APPS_EVERY), "protocol_lot": (PROTOCOL_LOT, None, None),
    "application": (APPLICATION, None, None), "account": ({**COMMON, **ACCOUNT}, *_DATA),
    "contract": ({**COMMON, **CONTRACT_DATA}, *_DATA), "supplier": (SUPPLIER, None, None),
    "position": (POSITION, None, None), "performance": ({**COMMON, **PERFORMANCE}, *_DATA),
    "payment": (PAYMENT, None, PAYMENT_EVERY), "payment_doc": (PAYMENT_DOC, None, None),
}


@lru_cache(maxsize=16)
def paths(doc_ns: str, types_ns: str) -> P223:
    nsmap = {"d": doc_ns, "t": types_ns}
    groups = {name: Fields(nsmap, first=first, every=every, **fields)
              for name, (fields, first, every) in _GROUPS.items()}
    return P223(doc_ns, types_ns, **groups)


def iter_data(root: etree._Element) -> Iterator[tuple[etree._Element, P223]]:
    """Each ``body/item/…Data`` element with the paths for its namespaces (a dump holds many items).

    Speed: lxml builds an element's tag string on first use (about 0.5 µs, then cached on the element), so
    what depends on the root's tag alone is worked out once per tag (:func:`_layout`), and only the tags of
    body, item and the item's children are read."""
    doc_ns, body_tag, item_tag = _layout(root.tag)
    for box in root[:]:  # slices and tag tests: cheaper than lxml's tag-filtered iterators for few children
        if box.tag != body_tag:
            continue
        for item in box[:]:
            if item.tag != item_tag:
                continue
            data = None
            types_ns = None
            for child in item[:]:
                tag = child.tag
                if not isinstance(tag, str):
                    continue
                ns = tag[1:tag.index("}")] if tag.startswith("{") else ""  # xmlsafe.namespace, inlined
                if ns == doc_ns and tag.endswith("Data"):
                    data = child
                elif ns != doc_ns and types_ns is None:
                    types_ns = ns  # item/guid: the field namespace in force (types/1, or none)
            if data is not None:
                yield data, paths(doc_ns, TYPES if types_ns is None else types_ns)
        break  # the first body only


@lru_cache(maxsize=64)
def _layout(root_tag: str) -> tuple[str, str, str]:
    """(document namespace, body tag, item tag) for a root tag."""
    doc_ns = root_tag[1:root_tag.index("}")] if root_tag.startswith("{") else ""  # xmlsafe.namespace
    return (doc_ns, *paths(doc_ns, TYPES).nav.steps["items"])


_fromisoformat = datetime.fromisoformat


def when(value: str | None, field: str) -> datetime | None:
    """A timestamp (Moscow time when it has no offset, as everywhere in these documents)."""
    if value is None:
        return None
    if len(value) == 19 and value[10] == "T":  # the usual 2020-07-02T16:15:37: parse it with the offset,
        try:  # 5x cheaper than .replace(tzinfo=MOSCOW) (an equal timezone, +03:00, unnamed like MOSCOW)
            return _fromisoformat(value + "+03:00")
        except ValueError:
            pass  # an offset already (2020-07-02T16:15+03), or not a date: as below
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        return to_datetime(value, field=field)  # dates with only an offset, odd forms: the careful path
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=MOSCOW)


date_of = to_date  # the usual 2020-07-02 takes to_date's fast path


def decimal_of(value: str | None, *, field: str) -> Decimal | None:
    """``values.to_decimal``, with a shortcut for plain numbers (ASCII digits and at most one point, as the
    portal writes them): nothing to clean, and at most 30 characters are always within its range check."""
    if value is not None and len(value) <= 30 and value.isascii() and value.replace(".", "", 1).isdigit():
        return Decimal(value)
    return to_decimal(value, field=field)


def quantity_of(value: str | None, *, field: str) -> Decimal | None:
    """``values.to_quantity`` (trailing zeros dropped), with the shortcut of :func:`decimal_of`."""
    number = decimal_of(value, field=field)
    return None if number is None else normalize(number)


norm = norm_space  # whitespace collapsed; most values have nothing to collapse (norm_space's fast path)


def unit_name(name: str | None) -> str | None:
    """An OKEI unit name. The portal writes a line break in them as ";^" ("Литр;^кубический дециметр")."""
    return norm(name.replace(";^", "; ")) if name else None


def main_code(r: dict[str, str]) -> tuple[str | None, str | None, str | None]:
    """(code, name, scheme) from a record with okpd2_*/okdp_* fields: OKPD2, or the OKDP of old documents."""
    if "okpd2_code" in r:
        return r["okpd2_code"], norm(r.get("okpd2_name")), "OKPD2"
    if "okdp_code" in r:
        return r["okdp_code"], norm(r.get("okdp_name")), "OKDP"
    return None, None, None


def classifications(r: dict[str, str], *schemes: str) -> list[Classification]:
    """Extra codes (``okved2_code`` -> OKVED2...) present in a record."""
    return [_Classification(scheme=s.upper(), code=r[f"{s}_code"], name=norm(r.get(f"{s}_name")))
            for s in schemes if f"{s}_code" in r]


def organization(p: P223, el: etree._Element | None, role: str) -> Organization | None:
    """A ``mainInfo`` block."""
    r = p.org.record(el)
    name, inn = norm(r.get("name")), r.get("inn")
    if name is None and inn is None:
        return None
    return _Organization(
        name=name, short_name=norm(r.get("short_name")), inn=inn, kpp=r.get("kpp"), ogrn=r.get("ogrn"),
        role=role, address=norm(r.get("postal_address") or r.get("legal_address")),
        region=norm(r.get("region")), email=r.get("email"), phone=r.get("phone"),
        country="RU" if inn else None,
    )


def attachments(p: P223, docs: list[etree._Element]) -> list[Attachment]:
    """The ``attachments/document`` blocks."""
    out = []
    for doc in docs:
        r = p.document.record(doc)
        out.append(_Attachment(
            name=norm(r.get("file_name")), url=r.get("url"), description=norm(r.get("description")),
            published=when(r.get("created"), "attachment createDateTime"), content_id=r.get("guid"),
        ))
    return out


def require(value: str | None, what: str) -> str:
    if not value:
        raise ParseError(f"223-FZ document without {what}", hint="check that the file is a complete document")
    return value


def base(r: dict[str, Any], p: P223, source_format: str, kind: Kind, id_: str, **fields: Any) -> Tender:
    """A Tender with what every …Data element has: version, status, link, customer and placer, attachments.

    ``r`` is the …Data element's record (a group read with ``_DATA``: COMMON and the blocks). The customer
    is ``customer/mainInfo`` (the placer when there is none); the placer is the responsible organisation.
    ``fields`` are the document's own; ``extra`` values that are None are dropped."""
    customer = organization(p, r.get("@customer"), "customer")
    placer = organization(p, r.get("@placer"), "placer")
    extra = {"guid": r.get("guid"), **fields.pop("extra", {})}
    return _Tender(
        kind=kind, id=id_, version=r.get("version"), source_format=source_format, law=LAW,
        status=r.get("status"), url=r.get("url_eis") or r.get("url_oos"), country="RU",
        customer=customer or placer, responsible=placer, responsible_role="placer" if placer else None,
        attachments=attachments(p, r.get("@documents", ())),
        extra={k: v for k, v in extra.items() if v is not None}, **fields,
    )


def lots_total(lots: list[Lot]) -> tuple[Decimal | None, str | None]:
    """(sum of the lots' initial sums, currency) when every lot states one, all in one currency."""
    currencies = {lot.currency for lot in lots}
    currency = next(iter(currencies)) if len(currencies) == 1 else None
    if not lots or currency is None or any(lot.amount is None for lot in lots):
        return None, currency
    return sum((lot.amount for lot in lots), Decimal(0)), currency  # type: ignore[misc]
