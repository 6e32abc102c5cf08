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
of one ElementPath query per field (about 3x faster on these documents). ``NAV`` paths lead to the elements
that repeat or nest (lots, items, applications); they are followed with lxml's tag-filtered child iterators.
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
from ..values import MOSCOW, to_datetime
from ..xmlsafe import Paths, clark, localname, namespace

_Attachment = builder(Attachment)
_Organization = builder(Organization)
_Tender = builder(Tender)
_Classification = builder(Classification)

PURCHASE = "http://zakupki.gov.ru/223fz/purchase/1"
CONTRACT = "http://zakupki.gov.ru/223fz/contract/1"
TYPES = "http://zakupki.gov.ru/223fz/types/1"
LAW = "223-FZ"

# "d:" = the document's namespace (purchase or contract), "t:" = the field types namespace (or none).
NAV = {  # elements to go to (repeated or nested records), relative to the element named in the comment
    "items": "d:body/d:item",  # root
    "customer": "d:customer/t:mainInfo", "placer": "d:placer/t:mainInfo",  # …Data
    "documents": "d:attachments/t:document",  # …Data
    "lots": "d:lots/t:lot", "lot_items": "t:lotData/t:lotItems/t:lotItem",  # notice data, lot
    "lot_apps": "d:lotApplicationsList/d:protocolLotApplications", "protocol_lot": "d:lot",  # protocol data
    "applications": "d:application",  # protocolLotApplications
    "suppliers": "d:supplierInfo", "positions": "d:contractPositions/d:contractPosition",  # contract data
    "payments": "d:positions/d:position", "payments_box": "d:positions", "payment_docs": "d:docs/d:doc",
}
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
COMMON = {  # the head of every …Data element
    "guid": "d:guid", "reg_number": "d:registrationNumber", "url_eis": "d:urlEIS", "url_oos": "d:urlOOS",
    "status": "d:status", "version": "d:version",
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
    "signed": "d:contractInfo/d:contractDate",
}
# Read on every …Data element in the same walk as its own fields and COMMON: the first element (first child
# of that name, as NAV's first step takes it) or every element of these names, for the NAV steps below them.
DATA_FIRST = {
    "@customer": "d:customer", "@placer": "d:placer", "@attachments": "d:attachments",
    "@reg_number": "d:registrationNumber", "@guid": "d:guid", "@lots": "d:lots",
    "@lot_apps": "d:lotApplicationsList", "@positions": "d:contractPositions", "@payments": "d:positions",
}
DATA_EVERY = {"@suppliers": "d:supplierInfo"}
PAYMENTS = {"total": "d:total"}  # performanceContractData/positions
PAYMENT = {"date": "d:paymentDate", "price": "d:price", "currency": "d:currency/t:code"}  # positions/position
PAYMENT_DOC = {  # position/docs/doc
    "date": "d:date", "name": "d:name", "number": "d:number", "qty": "d:qty",
    "position_name": "d:contractPosition/d:name", "okpd2_code": "d:contractPosition/d:okpd2/t:code",
    "okpd2_name": "d:contractPosition/d:okpd2/t:name", "okei_code": "d:okei/t:code",
    "okei_name": "d:okei/t:name",
}


class Fields(Paths):
    """Named paths (Clark notation, compiled by :class:`~tenderscan.xmlsafe.Paths`) with fast readers.

    :meth:`record` reads every field of the group from one element in a single walk; ``text``/``find``/
    ``findall`` follow one path with lxml's tag-filtered child iterators (C-level matching). ``first`` and
    ``every`` name one-step element paths the walk also collects (the first child of that name, every child
    of that name), so the …Data element's children are walked once for its fields and its blocks."""

    def __init__(self, nsmap: dict[str, str], *, first: dict[str, str] | None = None,
                 every: dict[str, str] | None = None, **paths: str):
        super().__init__(nsmap, **paths)
        # one Clark name per step, spelled as lxml spells tags ("{}name", no namespace, is plain "name")
        self.steps = {name: self._steps(p) for name, p in paths.items()}
        # tag -> [field name or None, subtree or None, first-element name or None, every-element name or None]
        self.tree: dict[str, list] = {}
        for name, steps in self.steps.items():
            level = self.tree
            for i, step in enumerate(steps):
                entry = level.setdefault(step, [None, None, None, None])
                if i == len(steps) - 1:
                    if entry[0] is not None:
                        raise ValueError(f"paths {entry[0]!r} and {name!r} are the same")
                    entry[0] = name
                else:
                    if entry[1] is None:
                        entry[1] = {}
                    level = entry[1]
        self.mixed = bool(first or every)
        for slot, group in ((2, first or {}), (3, every or {})):
            for name, path in group.items():
                (step,) = self._steps(path)
                self.tree.setdefault(step, [None, None, None, None])[slot] = name

    def _steps(self, path: str) -> tuple[str, ...]:
        return tuple(clark(step, self.nsmap).removeprefix("{}") for step in path.split("/"))

    def record(self, el: etree._Element | None) -> dict[str, Any]:
        """``{name: stripped text}`` for every field of this group found under ``el`` (first non-empty
        occurrence), and the ``first``/``every`` elements."""
        out: dict[str, Any] = {}
        if el is not None:
            (_walk_mixed if self.mixed else _walk)(el, self.tree, out)
        return out

    def find(self, el: etree._Element | None, name: str) -> etree._Element | None:
        for step in self.steps[name]:
            if el is None:
                return None
            el = next(el.iterchildren(step), None)
        return el

    def findall(self, el: etree._Element | None, name: str) -> list[etree._Element]:
        steps = self.steps[name]
        for step in steps[:-1]:
            if el is None:
                return []
            el = next(el.iterchildren(step), None)
        return [] if el is None else list(el.iterchildren(steps[-1]))

    def below(self, el: etree._Element | None, name: str) -> list[etree._Element]:
        """``findall`` from the element of the path's first step (collected by a ``first`` entry)."""
        return [] if el is None else list(el.iterchildren(self.steps[name][1]))

    def under(self, el: etree._Element | None, name: str) -> etree._Element | None:
        """``find`` from the element of the path's first step (collected by a ``first`` entry)."""
        return None if el is None else next(el.iterchildren(self.steps[name][1]), None)

    def text(self, el: etree._Element | None, name: str) -> str | None:
        el = self.find(el, name)
        if el is None or el.text is None:
            return None
        return el.text.strip() or None


def first_text(el: etree._Element | None) -> str | None:
    """The stripped text of an element (``Fields.text`` of a path found by a ``first`` entry)."""
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
            _walk(child, sub, out)


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
    protocol_lot: Fields
    application: Fields
    account: Fields
    contract: Fields
    supplier: Fields
    position: Fields
    performance: Fields
    payments: Fields
    payment: Fields
    payment_doc: Fields


_GROUPS = {
    "nav": NAV, "org": ORG, "document": DOCUMENT, "common": COMMON, "notice": NOTICE,
    "notice_lot": NOTICE_LOT, "lot_item": LOT_ITEM, "protocol": PROTOCOL, "protocol_lot": PROTOCOL_LOT,
    "application": APPLICATION,
    "account": ACCOUNT, "contract": CONTRACT_DATA, "supplier": SUPPLIER, "position": POSITION,
    "performance": PERFORMANCE, "payments": PAYMENTS, "payment": PAYMENT, "payment_doc": PAYMENT_DOC,
}


_DATA_GROUPS = {"notice", "protocol", "account", "contract", "performance"}  # read on the …Data element


@lru_cache(maxsize=16)
def paths(doc_ns: str, types_ns: str) -> P223:
    nsmap = {"d": doc_ns, "t": types_ns}
    groups = {}
    for name, group in _GROUPS.items():
        if name in _DATA_GROUPS:  # with COMMON and the blocks, so one walk reads the …Data element
            groups[name] = Fields(nsmap, first=DATA_FIRST, every=DATA_EVERY, **COMMON, **group)
        else:
            groups[name] = Fields(nsmap, **group)
    return P223(doc_ns, types_ns, **groups)


def iter_data(root: etree._Element) -> Iterator[tuple[etree._Element, P223]]:
    """Each ``body/item/…Data`` element with the paths for its namespaces (a dump holds many items)."""
    doc_ns = namespace(root)
    for item in paths(doc_ns, TYPES).nav.findall(root, "items"):
        data = None
        types_ns = None
        for child in item:
            if not isinstance(child.tag, str):
                continue
            ns = namespace(child)
            if ns == doc_ns and localname(child).endswith("Data"):
                data = child
            elif ns != doc_ns and types_ns is None:
                types_ns = ns  # item/guid: the field namespace in force (types/1, or none)
        if data is not None:
            yield data, paths(doc_ns, TYPES if types_ns is None else types_ns)


def when(value: str | None, field: str) -> datetime | None:
    """A timestamp (Moscow time when it has no offset, as everywhere in these documents)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return to_datetime(value, field=field)  # dates with only an offset, odd forms: the careful path
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=MOSCOW)


def norm(value: str | None) -> str | None:
    """Whitespace collapsed (what values.norm_space does to XML text, only faster)."""
    return " ".join(value.split()) or None if value else None


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


def attachments(p: P223, box: etree._Element | None) -> list[Attachment]:
    """The ``attachments/document`` blocks (``box``: the ``attachments`` element)."""
    out = []
    for doc in p.nav.below(box, "documents"):
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

    ``r`` is the …Data element's record (a ``_DATA_GROUPS`` group: COMMON and the blocks). The customer is
    ``customer/mainInfo`` (the placer when there is none); the placer is the responsible organisation.
    ``fields`` are the document's own; ``extra`` values that are None are dropped."""
    customer = organization(p, p.nav.under(r.get("@customer"), "customer"), "customer")
    placer = organization(p, p.nav.under(r.get("@placer"), "placer"), "placer")
    extra = {"guid": r.get("guid"), **fields.pop("extra", {})}
    return _Tender(
        kind=kind, id=id_, version=r.get("version"), source_format=source_format, law=LAW,
        status=r.get("status"), url=r.get("url_eis") or r.get("url_oos"), country="RU",
        customer=customer or placer, responsible=placer, responsible_role="placer" if placer else None,
        attachments=attachments(p, r.get("@attachments")),
        extra={k: v for k, v in extra.items() if v is not None}, **fields,
    )


def lots_total(lots: list[Lot]) -> tuple[Decimal | None, str | None]:
    """(sum of the lots' initial sums, currency) when every lot states one, all in one currency."""
    currencies = {lot.currency for lot in lots}
    currency = next(iter(currencies)) if len(currencies) == 1 else None
    if not lots or currency is None or any(lot.amount is None for lot in lots):
        return None, currency
    return sum((lot.amount for lot in lots), Decimal(0)), currency  # type: ignore[misc]
