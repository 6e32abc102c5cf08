"""One zakupki document (one version) as one OCDS 1.1 release: tender, bids, awards, contracts, planning.

The mapping per document kind (``Tender.kind``):

- notice: ``tender`` (id = purchase number, title, value = maximum price, items with classification, unit,
  quantity and unit price, lots, ``tenderPeriod`` from the start of submission to the deadline,
  ``procurementMethod`` and ``procurementMethodDetails`` = the method's name, documents); a later version
  adds an entry to ``tender.amendments``; plan positions it comes from are ``relatedProcesses``;
- protocol: ``bids.details`` (bids extension: one per application, its tenderer, price, ``valid`` when
  admitted and ``disqualified`` when rejected, the lot) and ``awards`` (the winners, per lot, ``active``);
  ``tender.numberOfTenderers``;
- contract: ``contracts`` (id = the contract's registry number, value, period, ``dateSigned``, items,
  documents) and the award it comes from (its suppliers); a later version adds ``contracts[].amendments``;
- contract execution: ``contracts[].implementation.transactions`` (the payments);
- cancellation: ``tender.status`` = ``cancelled``; date change: ``tender.amendments``;
- plan: ``planning.budget`` (the plan's total) and the positions as ``tender.items`` (``tender.status``
  ``planned``);
- other (44-FZ clarifications, contract signing records): the tender with the clarification as an
  amendment-free update, the signed contract as a contract.

Parties carry every role their organisation has in the process; ``buyer`` is the customer,
``tender.procuringEntity`` the organisation that placed the purchase (the customer when none is named).
Dates without a time (a contract's signing date) are written as midnight UTC (``2017-11-09T00:00:00Z``):
the date part is the document's. Amounts are the documents' decimals, written as exact JSON numbers;
prices a protocol gives without a currency are in the process's currency, else roubles (the portal's
documents are in roubles unless they say otherwise).

``tender.tenderscan`` holds what OCDS has no field for and the flags read: ``law`` (44-FZ, 223-FZ),
``methodCode`` (the document's own code), ``methodCategory`` (auction, tender, quotations, proposals,
single_supplier), ``electronic``, ``noticeVersion`` and ``maxPrice`` (a protocol's own copy of the
notice's maximum price).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ...models import Application, Item, Kind, Organization, Tender
from .ocds_methods import classify
from .ocds_process import PARTIAL_PROTOCOLS, Process, version_number

TAGS = {
    Kind.notice: ("tender", "tenderAmendment"),
    Kind.protocol: ("award", "award"),
    Kind.contract: ("contract", "contractAmendment"),
    Kind.contract_execution: ("implementation", "implementationUpdate"),
    Kind.cancellation: ("tenderCancellation", "tenderCancellation"),
    Kind.change: ("tenderAmendment", "tenderAmendment"),
    Kind.plan: ("planning", "planningUpdate"),
    Kind.other: ("tenderUpdate", "tenderUpdate"),
}
CONTRACT_STATUS = {"execution": "active", "E": "active", "P": "active", "completed": "terminated",
                   "EC": "terminated", "ET": "terminated", "cancelled": "cancelled", "IN": "cancelled"}


def _typed(value):
    """A date or time of ``Tender.extra`` as read from a document (a date or datetime), or as the store gives
    it back (``extra`` is kept as JSON: an ISO 8601 string): the date or datetime either way, else None."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, (date, datetime)) else None


def when(value: date | datetime | str | None) -> str | None:
    value = _typed(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo else value.isoformat() + "Z"
    return f"{value.isoformat()}T00:00:00Z"


def release_date(t: Tender) -> str | None:
    """The document's date: published, else the first of its own dates that says when it was made."""
    for value in (t.published, t.extra.get("modified"), t.extra.get("doc_date"), t.extra.get("protocol_date"),
                  t.signed, t.extra.get("submission_start"), t.extra.get("collecting_start")):
        if _typed(value) is not None:
            return when(value)
    return None


def _value(amount: Decimal | None, currency: str | None) -> dict | None:
    if amount is None:
        return None
    return {"amount": amount, "currency": currency}


def _put(out: dict, key: str, value: Any) -> None:
    if value is not None and value != [] and value != {}:
        out[key] = value


class Builder:
    """Releases of one process's documents."""

    def __init__(self, proc: Process):
        self.proc = proc
        self.reg = proc.registry

    # --- shared pieces -------------------------------------------------------------------------------

    def currency(self, t: Tender, own: str | None = None) -> str:
        return own or t.currency or self.proc.currency

    def item(self, it: Item, i: int, t: Tender) -> dict:
        out: dict = {"id": it.id or str(i + 1)}
        _put(out, "description", it.name)
        if it.code:
            cls = {"scheme": it.code_scheme or "unknown", "id": it.code}
            _put(cls, "description", it.code_name)
            out["classification"] = cls
        extra = [{"scheme": c.scheme, "id": c.code, **({"description": c.name} if c.name else {})}
                 for c in it.classifications if c.code]
        _put(out, "additionalClassifications", extra)
        if it.quantity is not None and not it.quantity_undefined:
            out["quantity"] = it.quantity
        unit: dict = {}
        if it.unit_code:
            unit["scheme"], unit["id"] = "OKEI", it.unit_code
        _put(unit, "name", it.unit)
        _put(unit, "value", _value(it.unit_price, self.currency(t, it.currency)))
        _put(out, "unit", unit)
        if it.delivery_places:
            out["deliveryAddress"] = {"streetAddress": it.delivery_places[0]}
        _put(out, "relatedLot", it.lot)
        return out

    def items(self, t: Tender) -> list[dict]:
        """Items with ids unique in the document (ocdsmerge merges items by id): the source's own id when it
        is unique there, else the item's place (1, 2...)."""
        ids = [it.id for it in t.items]
        unique = len(set(ids)) == len(ids) and None not in ids
        return [self.item(it if unique else it.model_copy(update={"id": str(i + 1)}), i, t)
                for i, it in enumerate(t.items)]

    def documents(self, t: Tender) -> list[dict]:
        out = []
        for i, a in enumerate(t.attachments):
            d: dict = {"id": a.content_id or f"{release_id(t)}-doc-{i + 1}"}
            for key, value in (("title", a.name), ("description", a.description), ("url", a.url),
                               ("datePublished", when(a.published))):
                _put(d, key, value)
            out.append(d)
        return out

    def parties(self, orgs: list[Organization | None]) -> list[dict]:
        seen: dict[str, dict] = {}
        for org in orgs:
            pid = self.reg.party_id(org)
            if org is None or pid is None or pid in seen:
                continue
            seen[pid] = self.reg.party(org, sorted(self.proc.roles.get(pid, ())))
        return list(seen.values())

    def method(self, t: Tender, tender: dict) -> None:
        m = classify(t)
        _put(tender, "procurementMethod", m.procurement_method)
        _put(tender, "procurementMethodDetails", t.method)
        _put(tender, "procurementMethodRationale", t.extra.get("single_supplier_reason"))
        own = {"law": t.law, "methodCode": t.method_code, "methodCategory": m.category,
               "electronic": m.electronic}
        tender["tenderscan"] = {k: v for k, v in own.items() if v is not None}

    def base(self, t: Tender) -> tuple[dict, dict]:
        """The release's envelope (buyer, tender id and method) and its tender object."""
        tender: dict = {"id": t.notice_id or t.id}
        self.method(t, tender)
        release: dict = {}
        if t.customer is not None:
            release["buyer"] = self.reg.ref(t.customer)
        pe = t.responsible or t.customer
        if pe is not None and t.kind is not Kind.plan:
            tender["procuringEntity"] = self.reg.ref(pe)
        return release, tender

    # --- per kind ----------------------------------------------------------------------------------

    def notice(self, t: Tender, release: dict, tender: dict) -> None:
        _put(tender, "title", t.title)
        tender["status"] = "active"
        _put(tender, "value", _value(t.amount, self.currency(t)))
        _put(tender, "items", self.items(t))
        start = t.extra.get("collecting_start") or t.extra.get("submission_start")
        if start is None and version_number(t) in (None, 0, 1):
            start = t.published
        period = {k: v for k, v in (("startDate", when(start)), ("endDate", when(t.submission_deadline))) if v}
        _put(tender, "tenderPeriod", period)
        _put(tender, "lots", [{k: v for k, v in (("id", lot.id), ("title", lot.title),
                                                 ("value", _value(lot.amount, self.currency(t, lot.currency))))
                               if v is not None} for lot in t.lots if lot.id])
        _put(tender, "documents", self.documents(t))
        n = version_number(t)
        if n is not None:
            tender["tenderscan"]["noticeVersion"] = n
        if n is not None and n > 1:
            tender["amendments"] = [self._notice_amendment(t, n)]
        plans = [{"id": f"plan-{p.plan_number}-{p.position_number or ''}".rstrip("-"), "relationship": ["planning"],
                  "scheme": "ocid", "identifier": self.proc_plan_ocid(p.plan_number)}
                 for p in t.plan_refs if p.plan_number]
        _put(release, "relatedProcesses", plans)

    def proc_plan_ocid(self, plan_number: str) -> str:
        return f"{self.proc.prefix}plan-{plan_number}"

    def _notice_amendment(self, t: Tender, n: int) -> dict:
        a: dict = {"id": f"notice-v{n}", "date": when(t.published), "description": f"notice version {n}"}
        _put(a, "rationale", t.extra.get("modification"))
        before = self.proc.earlier(t)
        changes = []
        if before is not None:
            a["amendsReleaseID"] = release_id(before)
            if before.submission_deadline != t.submission_deadline and before.submission_deadline:
                changes.append({"property": "tenderPeriod.endDate", "former_value": when(before.submission_deadline)})
            if before.amount != t.amount and before.amount is not None:
                changes.append({"property": "value.amount", "former_value": before.amount})
        a["releaseID"] = release_id(t)
        _put(a, "changes", changes)
        return {k: v for k, v in a.items() if v is not None}

    def protocol(self, t: Tender, release: dict, tender: dict) -> None:
        self.applications(t, release, tender)
        if t.amount_basis == "maximum price":
            _put(tender, "value", _value(t.amount, self.currency(t)))
        max_price = t.extra.get("max_price")
        if isinstance(max_price, str):  # from the store, whose `extra` is JSON (decimals as strings)
            try:
                max_price = Decimal(max_price)
            except ArithmeticError:
                max_price = None
        if isinstance(max_price, Decimal):
            tender["tenderscan"]["maxPrice"] = max_price
        _put(tender, "lots", [{k: v for k, v in (("id", lot.id), ("title", lot.title),
                                                 ("value", _value(lot.amount, self.currency(t, lot.currency))))
                               if v is not None} for lot in t.lots if lot.id])
        _put(tender, "documents", self.documents(t))
        if not release.get("awards"):
            release["tag"] = ["tenderUpdate"]

    def applications(self, t: Tender, release: dict, tender: dict) -> None:
        """A document's applications as bids, its winners as awards (protocols; 223-FZ notices read from the
        portal's API carry their applications too)."""
        when_done = when(t.extra.get("protocol_date") or t.published or t.signed)
        bids, awards = [], []
        for i, app in enumerate(t.applications):
            bids.append(self._bid(t, app, i, when_done))
            if app.winner:
                awards.append(self._award(t, app, when_done))
        if bids:
            release["bids"] = {"details": bids}
        _put(release, "awards", awards)
        if bids and self.proc.tenderers is not None and not any(p in t.source_format for p in PARTIAL_PROTOCOLS):
            tender["numberOfTenderers"] = self.proc.tenderers

    def _bid(self, t: Tender, app: Application, i: int, date_text: str | None) -> dict:
        bid: dict = {"id": self.proc.bid_id(app.number, app.lot, f"{release_id(t)}-{i + 1}")}
        _put(bid, "date", when(app.date) or date_text)
        if app.admitted is True:
            bid["status"] = "valid"
        elif app.admitted is False:
            bid["status"] = "disqualified"
        if app.participant is not None and self.reg.party_id(app.participant):
            bid["tenderers"] = [self.reg.ref(app.participant)]
        _put(bid, "value", _value(app.price, self.currency(t, app.currency)))
        if app.lot:
            bid["relatedLots"] = [app.lot]
        details = {k: v for k, v in (("applicationNumber", app.number), ("rank", app.rating),
                                     ("rejectionReason", app.reason), ("winner", app.winner or None)) if v}
        _put(bid, "tenderscan", details)
        return bid

    def _award(self, t: Tender, app: Application, date_text: str | None) -> dict:
        award: dict = {"id": self.proc.award_id(app.number, app.lot), "status": "active"}
        _put(award, "date", when(app.date) or date_text)
        _put(award, "value", _value(app.price, self.currency(t, app.currency)))
        if app.participant is not None and self.reg.party_id(app.participant):
            award["suppliers"] = [self.reg.ref(app.participant)]
        if app.lot:
            award["relatedLots"] = [app.lot]
        return award

    def contract(self, t: Tender, release: dict, tender: dict, cid: str | None = None) -> None:
        cid = cid or t.id
        award_id = self.linked_award(t)
        award: dict = {"id": award_id or f"award-contract-{cid}"}
        if award_id is None:
            award["status"] = "active"
            _put(award, "date", when(t.signed) or release_date(t))
            _put(award, "value", _value(t.amount, self.currency(t)))
        _put(award, "suppliers", [self.reg.ref(s) for s in t.suppliers if self.reg.party_id(s)])
        release["awards"] = [award]
        c: dict = {"id": cid, "awardID": award["id"]}
        _put(c, "title", t.title)
        _put(c, "status", CONTRACT_STATUS.get(t.status or ""))
        _put(c, "value", _value(t.amount, self.currency(t)))
        if t.execution_period is not None:
            _put(c, "period", {k: v for k, v in (("startDate", when(t.execution_period.start)),
                                                 ("endDate", when(t.execution_period.end))) if v})
        _put(c, "dateSigned", when(t.signed))
        _put(c, "items", self.items(t))
        _put(c, "documents", self.documents(t))
        n = version_number(t)
        if n is not None and n > 1:
            a: dict = {"id": f"contract-v{n}", "date": when(t.published), "description": f"contract version {n}",
                       "releaseID": release_id(t)}
            before = self.proc.earlier(t)
            if before is not None:
                a["amendsReleaseID"] = release_id(before)
                if before.amount is not None and before.amount != t.amount:
                    a["changes"] = [{"property": "value.amount", "former_value": before.amount}]
            c["amendments"] = [{k: v for k, v in a.items() if v is not None}]
        release["contracts"] = [c]

    def linked_award(self, t: Tender) -> str | None:
        """The protocol's award a contract comes from (same supplier, same lot), if the process has one."""
        lot = t.extra.get("lot_number") or t.extra.get("lot")
        return next((a for a in (self.proc.award_for(self.reg.party_id(s), lot) for s in t.suppliers) if a), None)

    def execution(self, t: Tender, release: dict, tender: dict) -> None:
        transactions = []
        for i, p in enumerate(t.payments):
            tr: dict = {"id": f"{release_id(t)}-payment-{i + 1}"}
            _put(tr, "date", when(p.date))
            _put(tr, "value", _value(p.amount, self.currency(t, p.currency)))
            if t.customer is not None and self.reg.party_id(t.customer):
                tr["payer"] = self.reg.ref(t.customer)
            if t.suppliers and self.reg.party_id(t.suppliers[0]):
                tr["payee"] = self.reg.ref(t.suppliers[0])
            details = {k: v for k, v in (("document", p.document), ("description", p.description)) if v}
            _put(tr, "tenderscan", details)
            transactions.append(tr)
        cid = t.contract_id or t.id
        contract = next((d for d in self.proc.docs if d.kind is Kind.contract and d.id == cid), None)
        award_id = (self.linked_award(contract) if contract is not None else None) or f"award-contract-{cid}"
        c = {"id": cid, "awardID": award_id, "implementation": {"transactions": transactions}}
        release["contracts"] = [c]

    def cancellation(self, t: Tender, release: dict, tender: dict) -> None:
        tender["status"] = "cancelled"
        _put(tender, "statusDetails", t.extra.get("reason"))

    def change(self, t: Tender, release: dict, tender: dict) -> None:
        a: dict = {"id": f"change-{t.extra.get('doc_id') or release_id(t)}", "date": when(t.published),
                   "description": "date change"}
        _put(a, "rationale", t.extra.get("reason"))
        changes = [{"property": p, "former_value": when(t.extra.get(k))}
                   for p, k in (("auctionPeriod.startDate", "auction_time"),) if t.extra.get(k)]
        if t.extra.get("new_auction_date"):
            a["description"] = f"date change: auction date now {when(t.extra['new_auction_date'])}"
        if t.submission_deadline:
            a["description"] += f"; submission deadline {when(t.submission_deadline)}"
            tender["tenderPeriod"] = {"endDate": when(t.submission_deadline)}
        _put(a, "changes", changes)
        tender["amendments"] = [a]

    def plan(self, t: Tender, release: dict, tender: dict) -> None:
        tender["status"] = "planned"
        _put(tender, "title", t.title)
        _put(tender, "items", self.items(t))
        budget: dict = {"id": t.id}
        _put(budget, "description", t.amount_basis)
        _put(budget, "amount", _value(t.amount, self.currency(t)))
        release["planning"] = {"budget": budget}
        _put(release["planning"], "documents", self.documents(t))

    def other(self, t: Tender, release: dict, tender: dict) -> None:
        if t.suppliers and t.amount is not None:  # a record of the contract's signing (fcsContractSign)
            number = t.extra.get("contract_number") or t.extra.get("doc_id") or release_id(t)
            same = next((d.id for d in self.proc.docs if d.kind is Kind.contract
                         and d.extra.get("contract_number") == t.extra.get("contract_number")), None)
            self.contract(t, release, tender, cid=same or f"signed-{number}")
            release["tag"] = ["contract"]
            return
        _put(tender, "documents", self.documents(t))
        if t.extra.get("question"):
            release["tenderscan"] = {k: v for k, v in (("clarificationTopic", t.extra.get("topic")),
                                                       ("clarificationQuestion", t.extra.get("question")),
                                                       ("requestNumber", t.extra.get("request_number"))) if v}

    def build(self, t: Tender) -> dict:
        release, tender = self.base(t)
        getattr(self, _HANDLERS[t.kind])(t, release, tender)
        if t.applications and t.kind is not Kind.protocol:
            self.applications(t, release, tender)
        n = version_number(t)
        first, later = TAGS[t.kind]
        tag = release.pop("tag", None) or [later if n is not None and n > 1 else first]
        out: dict = {"ocid": self.proc.ocid, "id": release_id(t), "date": release_date(t), "tag": tag,
                     "initiationType": "tender"}
        if "buyer" in release:
            out["buyer"] = release.pop("buyer")
        _put(out, "parties", self.parties(self._orgs(t)))
        if t.kind is not Kind.plan or len(tender) > 2:
            out["tender"] = tender
        out.update(release)
        out["tenderscanSources"] = [source_of(t)]
        return out

    @staticmethod
    def _orgs(t: Tender) -> list[Organization | None]:
        return [t.customer, t.responsible, *t.suppliers, *(a.participant for a in t.applications)]


_HANDLERS = {Kind.notice: "notice", Kind.protocol: "protocol", Kind.contract: "contract",
             Kind.contract_execution: "execution", Kind.cancellation: "cancellation", Kind.change: "change",
             Kind.plan: "plan", Kind.other: "other"}


def source_of(t: Tender) -> dict:
    """The document a release was made from (``tenderscanSources``: merged by id, so a compiled release
    lists every document of its process)."""
    out = {"id": release_id(t), "document": t.label(), "kind": t.kind.value, "format": t.source_format,
           "path": t.source.path, "member": t.source.member, "url": t.url or t.source.url,
           "sha256": t.source.sha256}
    return {k: v for k, v in out.items() if v is not None}


def release_id(t: Tender) -> str:
    """Unique within the process: the document's format, its own id and its version."""
    fmt = t.source_format.rpartition("/")[2]
    own = t.extra.get("doc_id") or t.extra.get("guid") or t.extra.get("registration_number") or t.id
    out = f"{fmt}-{own}"
    if t.version is not None:
        out += f"-v{t.version}"
    return out
