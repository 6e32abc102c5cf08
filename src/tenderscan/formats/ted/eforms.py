"""TED eForms (UBL 2.3): contract notices, contract award notices, prior information notices.

Organisations are listed once in ``efac:Organizations`` and referenced by id (``ORG-0001``) from the
buyer, the review bodies, the tendering parties...; they are joined here. Each lot (``LOT-…``, or a PIN's
part ``PAR-…``) becomes a lot and an item with its main CPV code, estimated value (awarded value in an award
notice) and place of performance (NUTS). Texts come in several languages: the first of ``--lang`` present
wins, then the notice's own language.

``id`` is the publication number (``NoticePublicationID``, e.g. ``12345678-2025``) when the notice carries
one, else the notice id (a UUID); ``version`` is the notice version. ``amount``: the estimated total of a
contract notice or PIN, the total awarded value of an award notice.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from lxml import etree

from ...models import (
    Application,
    Attachment,
    Classification,
    Item,
    Kind,
    Lot,
    Organization,
    Period,
    Place,
    Tender,
)
from ...values import norm_space, to_decimal, to_quantity
from ...safety.xml import Paths, localname, namespace
from .. import money
from ..base import Format, ParseContext
from . import common as ted

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
ROOTS = {
    f"{UBL}ContractNotice-2": "ContractNotice",
    f"{UBL}ContractAwardNotice-2": "ContractAwardNotice",
    f"{UBL}PriorInformationNotice-2": "PriorInformationNotice",
}
NS = {
    "cac": f"{UBL}CommonAggregateComponents-2",
    "cbc": f"{UBL}CommonBasicComponents-2",
    "ext": f"{UBL}CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
P = Paths(
    NS,
    ext=EXT,
    notice_id="cbc:ID",
    folder="cbc:ContractFolderID",
    issue_date="cbc:IssueDate",
    issue_time="cbc:IssueTime",
    version="cbc:VersionID",
    notice_type="cbc:NoticeTypeCode",
    language="cbc:NoticeLanguageCode",
    pub_id="efac:Publication/efbc:NoticePublicationID",
    pub_date="efac:Publication/efbc:PublicationDate",
    subtype="efac:NoticeSubType/cbc:SubTypeCode",
    changes="efac:Changes",
    organizations="efac:Organizations/efac:Organization",
    result="efac:NoticeResult",
    buyer="cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID",
    provider="cac:ContractingParty/cac:Party/cac:ServiceProviderParty/cac:Party/cac:PartyIdentification/cbc:ID",
    procedure="cac:TenderingProcess/cbc:ProcedureCode",
    project="cac:ProcurementProject",
    lots="cac:ProcurementProjectLot",
    name="cbc:Name",
    estimate="cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
    cpv="cac:MainCommodityClassification/cbc:ItemClassificationCode",
    cpv_more="cac:AdditionalCommodityClassification/cbc:ItemClassificationCode",
    quantity="cbc:EstimatedOverallContractQuantity",
    nature="cbc:ProcurementTypeCode",
    locations="cac:RealizedLocation",
    planned_start="cac:PlannedPeriod/cbc:StartDate",
    planned_end="cac:PlannedPeriod/cbc:EndDate",
    deadline_date="cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate",
    deadline_time="cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndTime",
    previous="cac:TenderingProcess/cac:NoticeDocumentReference/cbc:ID",
    documents="cac:TenderingTerms/cac:CallForTendersDocumentReference",
    doc_uri="cac:Attachment/cac:ExternalReference/cbc:URI",
    id="cbc:ID",
)
METHODS = {
    "open": "Open procedure", "restricted": "Restricted procedure", "neg-w-call": "Negotiated with prior publication",
    "neg-wo-call": "Negotiated without prior publication", "comp-dial": "Competitive dialogue",
    "innovation": "Innovation partnership", "comp-tend": "Competitive tendering", "oth-single": "Other single stage procedure",
    "oth-mult": "Other multiple stage procedure", "exp-int-rail": "Expression of interest (rail)",
}


def detect(root: etree._Element) -> bool:
    return ROOTS.get(namespace(root)) == localname(root)


class _Notice:
    def __init__(self, root: etree._Element, ctx: ParseContext):
        self.root = root
        self.ext = P.find(root, "ext")
        self.order = ted.language_order(ctx.languages, P.text(root, "language"))
        self.orgs: dict[str, etree._Element] = {}
        for org in P.findall(self.ext, "organizations"):
            for part in org:
                pid = part.findtext(P.q("cac:PartyIdentification/cbc:ID"))
                if pid:
                    self.orgs[pid.strip()] = part

    def text(self, el, path: str) -> str | None:
        """A possibly multilingual text: the preferred language's."""
        if el is None:
            return None
        found = el.findall(P.q(path))
        texts = [(e.get("languageID"), norm_space(e.text)) for e in found if norm_space(e.text)]
        return ted.pick(texts, self.order)

    def org(self, ref: str | None, role: str) -> Organization | None:
        part = self.orgs.get((ref or "").strip())
        if part is None:
            return None
        addr = part.find(P.q("cac:PostalAddress"))
        company_id = part.find(P.q("cac:PartyLegalEntity/cbc:CompanyID"))
        country = ted.country2(addr.findtext(P.q("cac:Country/cbc:IdentificationCode")) if addr is not None else None)
        inn = norm_space(company_id.text) if company_id is not None else None
        return Organization(
            name=self.text(part, "cac:PartyName/cbc:Name"),
            inn=inn,
            id_scheme=(company_id.get("schemeName") or "national") if inn else None,
            role=role,
            address=ted.join(*(norm_space(addr.findtext(P.q(p))) for p in (
                "cbc:StreetName", "cbc:AdditionalStreetName", "cbc:CityName", "cbc:PostalZone")), country)
            if addr is not None else None,
            region=norm_space(addr.findtext(P.q("cbc:CountrySubentityCode"))) if addr is not None else None,
            country=country,
            email=norm_space(part.findtext(P.q("cac:Contact/cbc:ElectronicMail"))),
            phone=norm_space(part.findtext(P.q("cac:Contact/cbc:Telephone"))),
            contact=norm_space(part.findtext(P.q("cac:Contact/cbc:Name"))),
        )

    def places(self, project, lot: str | None) -> list[Place]:
        out = []
        for loc in P.findall(project, "locations"):
            addr = loc.find(P.q("cac:Address"))
            nuts = norm_space(addr.findtext(P.q("cbc:CountrySubentityCode"))) if addr is not None else None
            country = ted.country2(addr.findtext(P.q("cac:Country/cbc:IdentificationCode"))) if addr is not None else None
            parts = [self.text(loc, "cbc:Description")]
            if addr is not None:
                parts += [norm_space(addr.findtext(P.q(p))) for p in
                          ("cbc:StreetName", "cbc:AdditionalStreetName", "cbc:CityName", "cbc:PostalZone")]
            text = ted.join(*parts, f"NUTS {nuts}" if nuts else None, country)
            if text:
                out.append(Place(text=text, nuts=nuts, country=country, lot=lot,
                                 region=norm_space(addr.findtext(P.q("cbc:Region"))) if addr is not None else None))
        return out


def _money(el) -> tuple[Decimal | None, str | None]:
    if el is None or not norm_space(el.text):
        return None, None
    return to_decimal(el.text, field="amount"), el.get("currencyID")


def parse(root: etree._Element, ctx: ParseContext) -> Iterator[Tender]:
    yield to_tender(root, ctx)


def to_tender(root: etree._Element, ctx: ParseContext) -> Tender:
    n = _Notice(root, ctx)
    root_name = ROOTS[namespace(root)]
    notice_uuid = P.text(root, "notice_id")
    pubno = ted.publication_number(P.text(n.ext, "pub_id"))
    award = root_name == "ContractAwardNotice"
    kind = Kind.contract if award else Kind.change if P.find(n.ext, "changes") is not None else Kind.notice
    project = P.find(root, "project")
    result = P.find(n.ext, "result")
    results = _Results(result, n) if result is not None else None

    lots, items, places = [], [], []
    notes: list[str] = []
    lot_bases: list[str | None] = []
    for lot_el in P.findall(root, "lots"):
        lot_id_el = lot_el.find(P.q("cbc:ID"))
        if lot_id_el is None or lot_id_el.get("schemeName") == "LotsGroup":
            continue
        lot_id = norm_space(lot_id_el.text)
        lp = P.find(lot_el, "project")
        estimate, cur = _money(P.find(lp, "estimate"))
        status = None
        if award and results:
            won = results.lot_total(lot_id)
            amount, amount_cur = won.amount, won.currency
            if won.winners:
                lot_bases.append(won.basis)
            if won.note:
                notes.append(won.note)
            status = results.lot_status(lot_id)
        else:
            amount, amount_cur = (estimate, cur) if not award else (None, None)
            lot_bases.append("estimated value" if amount is not None else None)
        lot_places = n.places(lp, lot_id)
        places += lot_places
        title = n.text(lp, "cbc:Name")
        lots.append(Lot(id=lot_id, title=title, amount=amount, currency=amount_cur, status=status,
                        delivery_places=[p.text for p in lot_places if p.text]))
        items.append(_item(n, lp, lot_id, title, amount, amount_cur, lot_places))
    if not items and project is not None:
        own = n.places(project, None)
        places += own
        estimate, cur = _money(P.find(project, "estimate"))
        items.append(_item(n, project, None, n.text(project, "cbc:Name"), estimate, cur, own))
    if not places and project is not None:
        places = n.places(project, None)

    basis = None
    if award:
        amount, currency = _money(result.find(P.q("cbc:TotalAmount"))) if result is not None else (None, None)
        basis = "awarded value" if amount is not None else None
        if amount is None and result is not None:
            amount, currency = _money(result.find(P.q("efbc:OverallMaximumFrameworkContractsAmount")))
            basis = FRAMEWORK if amount is not None else None
        if amount is None and results and lot_bases and all(b is not None for b in lot_bases):
            lots_total = money.total((lot.amount, lot.currency) for lot in lots)
            amount, currency = lots_total.amount, lots_total.currency
            basis = _combined(lot_bases) if amount is not None else None
    else:
        lot_values = [(lot.amount, lot.currency) for lot in lots]
        value = ted.estimated(_money(P.find(project, "estimate")), lot_values)
        amount, currency, basis = value.amount, value.currency, value.basis
    currency = currency or next((lot.currency for lot in lots if lot.currency), None)
    ted.currency_once(items, currency)

    customer = n.org(P.text(root, "buyer"), "buyer")
    responsible = n.org(P.text(root, "provider"), "service-provider")
    deadlines = [ted.when(P.text(lot, "deadline_date"), P.text(lot, "deadline_time")) for lot in P.findall(root, "lots")]
    deadlines = [d for d in deadlines if d]
    procedure = P.text(root, "procedure")
    delivery: list[str] = []
    for p in places:
        if p.text and p.text not in delivery:
            delivery.append(p.text)
    extra = {k: v for k, v in {
        "notice_uuid": notice_uuid, "notice_type": P.text(root, "notice_type"),
        "notice_subtype": P.text(n.ext, "subtype"), "procedure_id": P.text(root, "folder"),
        "notice_language": P.text(root, "language"), "contract_nature": P.text(project, "nature"),
        "warnings": notes or None,
    }.items() if v}
    return Tender(
        kind=kind,
        id=pubno or notice_uuid or "",
        version=P.text(root, "version"),
        source_format=f"ted-eforms/{root_name}",
        law="TED",
        title=n.text(project, "cbc:Name"),
        published=ted.when(P.text(n.ext, "pub_date")) or ted.when(P.text(root, "issue_date"), P.text(root, "issue_time")),
        signed=results.signed() if results else None,
        submission_deadline=min(deadlines) if deadlines else None,
        execution_period=_period(project),
        method=METHODS.get(procedure or "", procedure),
        method_code=procedure,
        url=ted.notice_url(pubno),
        country=customer.country if customer else None,
        region=customer.region if customer else None,
        customer=customer,
        responsible=responsible,
        responsible_role="service-provider" if responsible else None,
        suppliers=results.winners() if results else [],
        currency=currency,
        amount=amount,
        amount_basis=basis,
        lots=lots,
        items=items,
        delivery_places=delivery,
        places=places,
        attachments=_documents(root),
        notice_id=_previous(root),
        applications=results.applications() if results else [],
        extra=extra,
    )


FRAMEWORK = "framework maximum"


class _LotValue(NamedTuple):
    amount: Decimal | None
    currency: str | None
    basis: str | None
    note: str | None = None
    winners: int = 0


def _combined(bases: list[str | None]) -> str:
    """One basis for lots read on different ones."""
    kinds = set(bases)
    return kinds.pop() if len(kinds) == 1 else "lot values"


def _item(n: _Notice, project, lot_id, title, amount, currency, places: list[Place]) -> Item:
    cpv = norm_space(project.findtext(P["cpv"])) if project is not None else None
    more = [Classification(scheme="CPV", code=c) for c in
            (norm_space(e.text) for e in P.findall(project, "cpv_more")) if c and c != cpv]
    qty_el = P.find(project, "quantity")
    return Item(name=title, code=cpv, code_scheme="CPV" if cpv else None, classifications=more,
                quantity=to_quantity(qty_el.text) if qty_el is not None else None,
                unit_code=qty_el.get("unitCode") if qty_el is not None else None,
                amount=amount, currency=currency, lot=lot_id, kind=P.text(project, "nature"),
                delivery_places=[p.text for p in places if p.text])


def _period(project) -> Period | None:
    start, end = P.text(project, "planned_start"), P.text(project, "planned_end")
    if not (start or end):
        return None
    return Period(start=ted.when(start), end=ted.when(end))


def _documents(root) -> list[Attachment]:
    out, seen = [], set()
    for lot in P.findall(root, "lots"):
        for doc in P.findall(lot, "documents"):
            uri = norm_space(doc.findtext(P["doc_uri"]))
            key = (P.text(doc, "id"), uri)
            if key in seen:
                continue
            seen.add(key)
            out.append(Attachment(name=P.text(doc, "id"), url=uri, kind=norm_space(doc.findtext(P.q("cbc:DocumentType")))))
    return out


def _previous(root) -> str | None:
    for lot in P.findall(root, "lots"):
        ref = P.text(lot, "previous")
        if ref:
            return ref
    return None


class _Results:
    """An award notice's results: lot results, tenders, tendering parties, settled contracts."""

    def __init__(self, result, n: _Notice):
        self.n = n
        q = P.q
        self.tenders = {norm_space(t.findtext(q("cbc:ID"))): t for t in result.findall(q("efac:LotTender"))}
        self.parties = {norm_space(t.findtext(q("cbc:ID"))): t for t in result.findall(q("efac:TenderingParty"))}
        self.contracts = result.findall(q("efac:SettledContract"))
        won: list[str] = []
        for lr in result.findall(q("efac:LotResult")):
            if norm_space(lr.findtext(q("cbc:TenderResultCode"))) == "selec-w":
                won += [norm_space(e.text) for e in lr.findall(q("efac:LotTender/cbc:ID"))]
        for c in self.contracts:
            won += [norm_space(e.text) for e in c.findall(q("efac:LotTender/cbc:ID"))]
        self.won = [t for t in dict.fromkeys(won) if t in self.tenders]
        self.lot_results: dict[str | None, etree._Element] = {}
        for lr in result.findall(q("efac:LotResult")):
            self.lot_results.setdefault(norm_space(lr.findtext(q("efac:TenderLot/cbc:ID"))), lr)

    def price(self, tender_id: str) -> tuple[Decimal | None, str | None]:
        return _money(self.tenders[tender_id].find(P.q("cac:LegalMonetaryTotal/cbc:PayableAmount")))

    def lot_of(self, tender_id: str) -> str | None:
        return norm_space(self.tenders[tender_id].findtext(P.q("efac:TenderLot/cbc:ID")))

    def lot_total(self, lot_id: str | None) -> "_LotValue":
        """A lot's awarded value: its winning tender's. Several winning tenders of one lot (a framework
        agreement's winners, each offering the whole lot) are not added up: the lot's framework maximum
        value (BT-709) stands for them where the notice gives it."""
        winners = [t for t in self.won if self.lot_of(t) == lot_id]
        prices = [p for p in (self.price(t) for t in winners) if p[0] is not None]
        together = money.total(prices)
        if len(prices) <= 1:
            return _LotValue(together.amount, together.currency,
                             "awards total" if together.amount is not None else None, winners=len(winners))
        summed = (f" (together {together.amount} {together.currency or ''}".rstrip() + ")"
                  if together.amount is not None else "")
        maximum, max_cur = _money(self.framework_max(lot_id))
        note = (f"{lot_id}: {len(prices)} winning tenders{summed} are not added up: each is for the whole lot "
                f"(a framework agreement); ")
        if maximum is not None:
            return _LotValue(maximum, max_cur, FRAMEWORK, note + "the lot's amount is its framework maximum value",
                             len(winners))
        return _LotValue(None, None, None, note + "the notice gives no framework maximum value for the lot",
                         len(winners))

    def lot_status(self, lot_id: str | None) -> str | None:
        """The lot's result (BT-142): ``selec-w`` a winner was chosen, ``clos-nw`` closed without a winner,
        ``open-nw`` still open."""
        lr = self.lot_results.get(lot_id)
        return norm_space(lr.findtext(P.q("cbc:TenderResultCode"))) if lr is not None else None

    def framework_max(self, lot_id: str | None):
        lr = self.lot_results.get(lot_id)
        return lr.find(P.q("efac:FrameworkAgreementValues/cbc:MaximumValueAmount")) if lr is not None else None

    def tenderer(self, tender_id: str, role: str) -> Organization | None:
        party_id = norm_space(self.tenders[tender_id].findtext(P.q("efac:TenderingParty/cbc:ID")))
        party = self.parties.get(party_id)
        if party is None:
            return None
        members = party.findall(P.q("efac:Tenderer"))
        lead = next((m for m in members if norm_space(m.findtext(P.q("efbc:GroupLeadIndicator"))) == "true"),
                    members[0] if members else None)
        return self.n.org(lead.findtext(P.q("cbc:ID")) if lead is not None else None, role)

    def winners(self) -> list[Organization]:
        return ted.unique(self.tenderer(t, "supplier") for t in self.won)

    def applications(self) -> list[Application]:
        out = []
        for tid, t in self.tenders.items():
            price, cur = self.price(tid)
            rank = norm_space(t.findtext(P.q("cbc:RankCode")))
            out.append(Application(number=norm_space(t.findtext(P.q("efac:TenderReference/cbc:ID"))) or tid,
                                   participant=self.tenderer(tid, "participant"), price=price, currency=cur,
                                   winner=tid in self.won, rating=int(rank) if rank and rank.isdigit() else None))
        return out

    def signed(self):
        dates = [ted.plain_date(norm_space(c.findtext(P.q("cbc:IssueDate")))[:10])
                 for c in self.contracts if norm_space(c.findtext(P.q("cbc:IssueDate")))]
        return min(dates) if dates else None


FORMATS = [
    Format(name="ted-eforms", description="TED eForms UBL notices: contract notices, award notices, PINs",
           kind="xml", detect=detect, parse=parse),
]
