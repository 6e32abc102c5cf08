"""223-FZ XML documents of zakupki.gov.ru: purchase notices (every ``purchaseNotice*`` variant), protocols
(``purchaseProtocol*``), contract accounts (``purchaseContractAccount``), and from the contract register
contracts (``contract``) and contract completion (``performanceContract``, in ``_zakupki223_contracts``).

Detection is by the root's namespace URI and local name. A dump file holds several ``body/item`` entries:
each becomes one Tender. Dates in these documents carry no offset; they are Moscow time (the portal's clock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from lxml import etree

from ..errors import ParseError
from ..models import Application, Item, Kind, Lot, Organization, Place, Tender, builder
from ..xmlsafe import localname
from . import Format, ParseContext
from ._zakupki223 import (
    CONTRACT,
    P223,
    PURCHASE,
    base,
    classifications,
    date_of,
    decimal_of,
    first_text,
    iter_data,
    lots_total,
    main_code,
    norm,
    quantity_of,
    require,
    unit_name,
    when,
)
from ._zakupki223_contracts import contract, performance

_Organization = builder(Organization)
_Item = builder(Item)
_Place = builder(Place)
_Lot = builder(Lot)
_Application = builder(Application)

FORMAT = "zakupki223"
_ACCEPTED = {"T": True, "Y": True, "TRUE": True, "F": False, "FALSE": False}  # "N" and others: not stated
_WINNER = {"F", "W"}  # winnerIndication: F/W = first place (the winner), S = second place


def _kind_of(root: etree._Element) -> str | None:
    tag = root.tag
    return _reader(tag)[0] if isinstance(tag, str) else None


@lru_cache(maxsize=64)  # detection asks for every document that is not 44-FZ: one dict lookup, not 1-2 µs
def _reader(tag: str) -> tuple[str | None, str]:
    """(kind or None, source format) for a root tag."""
    ns = tag[1:tag.index("}")] if tag.startswith("{") else ""  # xmlsafe.namespace and localname, of a tag
    name = tag.rpartition("}")[2]
    source_format = f"{FORMAT}/{name}"
    if ns == PURCHASE:
        if name.startswith("purchaseNotice"):
            return "notice", source_format
        if name.startswith("purchaseProtocol"):
            return "protocol", source_format
        if name == "purchaseContractAccount":
            return "account", source_format
    elif ns == CONTRACT:
        if name == "contract":
            return "contract", source_format
        if name == "performanceContract":
            return "performance", source_format
    return None, source_format


def detect(root: etree._Element) -> bool:
    return _kind_of(root) is not None


def parse(root: etree._Element, ctx: ParseContext | None = None) -> Iterator[Tender]:
    tag = root.tag
    kind, source_format = _reader(tag) if isinstance(tag, str) else (None, "")
    if kind is None:
        raise ParseError(f"<{localname(root)}> is not a 223-FZ document tenderscan reads")
    build = _BUILDERS[kind]
    found = False
    for data, p in iter_data(root):
        found = True
        yield build(data, p, source_format)
    if not found:
        raise ParseError(f"223-FZ <{localname(root)}> without body/item/…Data: nothing to read",
                         hint="check that the file is a complete document from the portal")


# --- notices --------------------------------------------------------------------------------------------


def _notice(data: etree._Element, p: P223, source_format: str) -> Tender:
    r = p.notice.record(data)
    lots: list[Lot] = []
    items: list[Item] = []
    for lot_el in r.get("@lots", ()):
        lots.append(_notice_lot(lot_el, p, items))
    places = [_Place(text=a, lot=lot.id) for lot in lots for a in lot.delivery_places]
    amount, currency = lots_total(lots)
    extra = {"examination": when(r.get("examination"), "examinationDateTime"),
             "modified": when(r.get("modified"), "modificationDate"), "etp": norm(r.get("etp_name")),
             "etp_url": r.get("etp_url")}
    return base(
        r, p, source_format, Kind.notice, require(first_text(r.get("@reg_number")), "registrationNumber"),
        title=norm(r.get("name")), published=when(r.get("published"), "publicationDateTime"),
        submission_deadline=when(r.get("submission_close"), "submissionCloseDateTime"),
        method=norm(r.get("method")), method_code=r.get("method_code"), lots=lots, items=items, places=places,
        delivery_places=list(dict.fromkeys(pl.text for pl in places if pl.text)), amount=amount,
        currency=currency, extra=extra,
    )


def _notice_lot(lot: etree._Element, p: P223, items: list[Item]) -> Lot:
    """One lot (its items are appended to ``items``)."""
    r = p.notice_lot.record(lot)
    number = r.get("number")
    address = norm(r.get("address"))
    places = [address] if address else []
    for it in r.get("@items", ()):
        i = p.lot_item.record(it)
        code, code_name, scheme = main_code(i)
        items.append(_Item(
            name=norm(i.get("info")) or code_name, code=code, code_scheme=scheme, code_name=code_name,
            classifications=classifications(i, "okved2", "okved"),
            quantity=quantity_of(i.get("qty"), field="lotItem qty"), unit=unit_name(i.get("okei_name")),
            unit_code=i.get("okei_code"), lot=number, id=i.get("guid"), delivery_places=places,
        ))
    return _Lot(id=number, title=norm(r.get("subject")), currency=r.get("currency"),
               amount=decimal_of(r.get("initial_sum"), field="lot initialSum"),
               status="cancelled" if r.get("cancelled") == "true" else None, delivery_places=places)


# --- protocols ------------------------------------------------------------------------------------------


def _protocol(data: etree._Element, p: P223, source_format: str) -> Tender:
    """A protocol's id is its purchase's number (like 44-FZ protocols); its own number is extra."""
    r = p.protocol.record(data)
    number = require(r.get("notice_number"), "purchaseInfo/purchaseNoticeNumber")
    lots, applications = [], []
    for block in r.get("@lot_apps", ()):
        br = p.lot_apps.record(block)
        lot_el = br.get("@lot")
        # purchaseProtocolPAEP: the lot's fields sit in protocolLotApplications itself
        lr = br if lot_el is None else p.protocol_lot.record(lot_el)
        lot = _Lot(id=lr.get("number"), title=norm(lr.get("subject")), currency=lr.get("currency"),
                  amount=decimal_of(lr.get("initial_sum"), field="lot initialSum"))
        lots.append(lot)
        applications.extend(_application(a, p, lot) for a in br.get("@applications", ()))
    amount, currency = lots_total(lots)
    extra = {"protocol_number": first_text(r.get("@reg_number")), "protocol_type": r.get("type"),
             "protocol_type_name": norm(r.get("type_name")),
             "procedure_date": when(r.get("procedure_date"), "procedureDate")}
    return base(r, p, source_format, Kind.protocol, number, notice_id=number, title=norm(r.get("name")),
                published=when(r.get("published"), "publicationDateTime"),
                signed=date_of(r.get("sign_date"), field="protocolSignDate"), method=norm(r.get("method")),
                method_code=r.get("method_code"), lots=lots, applications=applications, amount=amount,
                currency=currency, extra=extra)


def _application(el: etree._Element, p: P223, lot: Lot) -> Application:
    r = p.application.record(el)
    participant = None
    if "name" in r or "inn" in r:
        participant = _Organization(name=norm(r.get("name")), inn=r.get("inn"), kpp=r.get("kpp"),
                                   ogrn=r.get("ogrn"), address=norm(r.get("address")), role="participant")
    rate = r.get("rate")
    return _Application(
        number=r.get("number"), participant=participant,
        price=decimal_of(r.get("price") or r.get("last_price"), field="application price"),
        currency=r.get("currency") or lot.currency, admitted=_ACCEPTED.get((r.get("accepted") or "").upper()),
        rating=int(rate) if rate and rate.isdigit() else None,
        winner=(r.get("winner") or "").upper() in _WINNER, reason=norm(r.get("reason")),
        date=when(r.get("date"), "applicationDate"),
    )


# --- contract accounts ----------------------------------------------------------------------------------


def _account(data: etree._Element, p: P223, source_format: str) -> Tender:
    """A monthly account of the contracts concluded (how many, for how much). It has no registry number:
    its id is the document's guid."""
    r = p.account.record(data)
    count = r.get("count")
    extra = {"period": date_of(r.get("period"), field="period"), "account_type": r.get("type_code"),
             "contracts_count": int(count) if count and count.isdigit() else None}
    return base(r, p, source_format, Kind.other, require(first_text(r.get("@guid")), "guid"),
                title=norm(r.get("type_name")), published=when(r.get("published"), "publicationDateTime"),
                amount=decimal_of(r.get("cost"), field="contractsOverallCost"), currency=r.get("currency"),
                extra=extra)


_BUILDERS: dict[str, Callable[[etree._Element, P223, str], Tender]] = {
    "notice": _notice, "protocol": _protocol, "account": _account, "contract": contract,
    "performance": performance,
}

FORMATS = [
    Format(
        name=FORMAT,
        description="223-FZ XML (zakupki.gov.ru): purchase notices (all purchaseNotice* variants), "
                    "protocols, contract accounts, contracts and contract completion (contract register)",
        kind="xml", detect=detect, parse=parse,
    ),
]
