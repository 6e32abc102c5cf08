"""44-FZ documents of the fcs generation (2014-2020 schemes, fields in ``oos/types/1``), other than
contracts and protocols: notices (``fcsNotification*``), cancellations (``fcsNotificationCancel*``), date
changes (``fcs_notificationEFDateChange``), clarifications, placement results, contract-sign notices; any
other ``fcs*`` document with a purchase number is read with its common header (kind "other" or "change").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...models import Application, Kind, Lot, Organization, PlanRef, Tender, builder
from .. import money
from ..base import Format, ParseContext, require
from . import common as z
from . import blocks as b
from . import objects as o
from . import drugs as d
from . import parties

_Organization = builder(Organization)
_Lot = builder(Lot)
_Application = builder(Application)
_PlanRef = builder(PlanRef)
_Tender = builder(Tender)

_HEADER = {
    "id": "t:id",
    "external_id": "t:externalId",
    "version": "t:versionNumber",
    "number": "t:purchaseNumber",
    "doc_number": "t:docNumber",
    "published": "t:docPublishDate",
    "publish_date": "t:publishDate",
    "href": "t:href",
    "print_form": "t:printForm/t:url",
    "title": "t:purchaseObjectInfo",
    "resp": "t:purchaseResponsible/t:responsibleOrg",
    "role": "t:purchaseResponsible/t:responsibleRole",
    "contact": "t:purchaseResponsible/t:responsibleInfo",
    "method_code": "t:placingWay/t:code",
    "method": "t:placingWay/t:name",
    "attachments": "t:attachments/t:attachment",
    "notice_attachments": "t:notificationAttachments/t:attachment",
}
_MANY = ("attachments", "notice_attachments")
# every fcs document but the notice: the header and the fields of each document type
DOC = z.Fields(
    z.FCS_NS,
    many=(*_MANY, "applications", "suppliers"),
    blocks=("resp", "contact", "customer"),
    **_HEADER,
    doc_date="t:docDate",
    decision_date="t:cancelReason/t:responsibleDecision/t:decisionDate",
    add_info="t:addInfo",
    auction_time="t:auctionTime",
    new_auction_date="t:newAuctionDate",
    reason="t:reason/t:addInfo",
    authority="t:reason/t:authorityPrescription/t:externalPrescription/t:authorityName",
    authority_doc="t:reason/t:authorityPrescription/t:externalPrescription/t:docNumber",
    authority_date="t:reason/t:authorityPrescription/t:externalPrescription/t:docDate",
    request_number="t:requestNumber",
    question="t:question",
    topic="t:topic",
    lot_number="t:lotNumber",
    foundation_protocol="t:foundationProtocolNumber",
    create_date="t:createDate",
    failed="t:procedurelFailed",
    result="t:result",
    applications="t:applications/t:application",
    contract_number="t:number",
    sign_date="t:signDate",
    order_number="t:foundation/t:order/t:purchaseNumber",
    customer="t:customer",
    price="t:price",
    price_rur="t:priceRUR",
    currency="t:currency/t:code",
    protocol_date="t:protocolDate",
    right="t:concludeContractRight",
    suppliers="t:suppliers/t:supplier",
)
NOTICE = z.Fields(
    z.FCS_NS,
    many=(*_MANY, "lot", "lots"),
    blocks=("resp", "contact"),
    **_HEADER,
    etp_code="t:ETP/t:code",
    etp_name="t:ETP/t:name",
    etp_url="t:ETP/t:url",
    start="t:procedureInfo/t:collecting/t:startDate",
    end="t:procedureInfo/t:collecting/t:endDate",
    scoring="t:procedureInfo/t:scoring/t:date",
    bidding="t:procedureInfo/t:bidding/t:date",
    lot="t:lot",
    lots="t:lots/t:lot",
    modification="t:modification/t:info",
)
LOT = z.Fields(
    z.FCS_NS,
    many=("requirements", "objects", "drugs", "preferences", "requirement_codes", "restrictions"),
    number="t:lotNumber",
    title="t:lotObjectInfo",
    max_price="t:maxPrice",
    currency="t:currency/t:code",
    # the quantity cannot be set: the objects' prices are per unit, maxPrice is the maximum contract value
    quantity_undefined="t:quantityUndefined",
    requirements="t:customerRequirements/t:customerRequirement",
    objects="t:purchaseObjects/t:purchaseObject",
    objects_total="t:purchaseObjects/t:totalSum",
    drugs="t:drugPurchaseObjectsInfo/t:drugPurchaseObjectInfo",
    drugs_total="t:drugPurchaseObjectsInfo/t:total",
    drugs_undefined="t:drugPurchaseObjectsInfo/t:quantityUndefined",
    preferences="t:preferenses/t:preferense/t:shortName",
    requirement_codes="t:requirements/t:requirement/t:shortName",
    restrictions="t:restrictions/t:restriction/t:shortName",
)
REQUIREMENT = z.Fields(
    z.FCS_NS,
    many=("kladr_places",),
    blocks=("customer",),
    customer="t:customer",
    max_price="t:maxPrice",
    kladr_places="t:kladrPlaces/t:kladrPlace",
    delivery_place="t:deliveryPlace",
    delivery_term="t:deliveryTerm",
    ikz="t:purchaseCode",
    customer_code="t:IKZInfo/t:customerCode",
    # the plan position: 2020+ plan-schedules (codes in common/1), 2017-2019 plan-graphs, 2014-2016 ones
    plan2020="t:tenderPlan2020Info/c:plan2020Number",
    position2020="t:tenderPlan2020Info/c:position2020Number",
    plan2020_t="t:tenderPlan2020Info/t:plan2020Number",
    position2020_t="t:tenderPlan2020Info/t:position2020Number",
    plan2017="t:tenderPlanInfo/t:plan2017Number",
    position2017="t:tenderPlanInfo/t:position2017Number",
    plan2014="t:tenderPlanInfo/t:planNumber",
    position2014="t:tenderPlanInfo/t:positionNumber",
    application_guarantee="t:applicationGuarantee/t:amount",
    contract_guarantee="t:contractGuarantee/t:amount",
)
APPLICATION = z.Fields(
    z.FCS_NS, number="t:journalNumber", rating="t:appRating", price="t:price", result="t:result"
)


def _ours(name: str, ns: str) -> bool:
    return ns == z.TYPES and name.startswith("fcs") and not name.startswith("fcsProtocol")


detect = z.detector(_ours)


def parse(root, ctx: ParseContext) -> Iterable[Tender]:
    for doc, name in z.own_documents(root, _ours, "a 44-FZ fcs document"):
        low = name.lower()
        if name.startswith("fcsNotification") and "cancel" not in low and "change" not in low:
            yield notice(doc)
            continue
        v = DOC.read(doc)
        if name == "fcsPlacementResult":
            yield placement_result(doc, v)
        elif name == "fcsContractSign":
            yield contract_sign(doc, v)
        elif "cancel" in low:
            yield header(
                doc,
                v,
                Kind.cancellation,
                {
                    "doc_date": v.when("doc_date"),
                    "decision_date": v.when("decision_date"),
                    "reason": v.clean("add_info"),
                },
            )
        elif "datechange" in low:
            yield date_change(doc, v)
        elif name == "fcsClarification":
            yield header(
                doc,
                v,
                Kind.other,
                {
                    "document": "clarification",
                    "request_number": v.text("request_number"),
                    "topic": v.clean("topic"),
                    "question": v.clean("question"),
                },
            )
        else:
            yield header(doc, v, Kind.change if "change" in low or "prolongation" in low else Kind.other, {})


def header(doc, v: z.Found, kind: Kind, extra: dict[str, Any], **fields) -> Tender:
    """A Tender from the common header (purchase number, dates, responsible org, attachments)."""
    role = v.text("role")
    resp = z.responsible(v.el("resp"), z.ORG_FCS, role, v.el("contact"), z.CONTACT_FCS)
    number = require(v.text("number"), "purchaseNumber")
    base = {
        "kind": kind,
        "id": number,
        "version": v.text("version"),
        "source_format": z.source_format(doc),
        "law": z.LAW,
        "title": v.clean("title"),
        "published": v.when("published") or v.when("publish_date"),
        "method": v.clean("method"),
        "method_code": v.text("method_code"),
        "url": v.text("href"),
        "country": "RU",
        "customer": resp.model_copy(update={"role": "customer"})
        if resp is not None and role == "CU"
        else None,
        "responsible": resp,
        "responsible_role": role,
        "notice_id": None if kind == Kind.notice else number,
        "attachments": b.attachments(v.all("notice_attachments"), b.ATT_FCS)
        + b.attachments(v.all("attachments"), b.ATT_FCS),
        "extra": z.drop_none(
            {
                "doc_id": v.text("id"),
                "external_id": v.text("external_id"),
                "doc_number": v.text("doc_number"),
                "scheme_version": doc.get("schemeVersion"),
                "print_form": v.text("print_form"),
                **extra,
            }
        ),
    }
    base.update(fields)
    return _Tender(**base)


def notice(doc) -> Tender:
    v = NOTICE.read(doc)
    role = v.text("role")
    resp_block = z.organization(v.el("resp"), z.ORG_FCS, role=role)
    multi = bool(v.all("lots"))
    lots, items, places, ikz, drugs, reqs, customers, plan_refs = [], [], [], [], [], [], [], []
    warnings: list[str] = []
    undefined = False
    totals: dict[str, list] = {}
    codes: dict[str, list[str]] = {"preferences": [], "requirements": [], "restrictions": []}
    for n, lot_el in enumerate(v.all("lots") or v.all("lot"), 1):
        lv = LOT.read(lot_el)
        lot_id = lv.text("number") or str(n)
        item_lot = lot_id if multi else None
        lot_places = []
        for cr in lv.all("requirements"):
            r = REQUIREMENT.read(cr)
            cust = z.customer(r.el("customer"), z.ORG_FCS, resp_block, r.text("customer_code"))
            if cust is not None and all(c.reg_num != cust.reg_num for c in customers):
                customers.append(cust)
            if r.text("ikz"):
                ikz.append(r.text("ikz"))
            ref = plan_ref(r, cust.inn if cust else None)
            if ref is not None:
                plan_refs.append(ref)
            lot_places.extend(b.place(el, b.PLACE_FCS, lot=item_lot) for el in r.all("kladr_places"))
            if r.text("delivery_place"):
                lot_places.append(b.place(cr, b.PLACE_FCS, lot=item_lot))
            reqs.append(
                z.drop_none(
                    {
                        "lot": item_lot,
                        "customer_reg_num": cust.reg_num if cust else None,
                        "max_price": r.dec("max_price"),
                        "delivery_term": r.clean("delivery_term"),
                        "application_guarantee": r.dec("application_guarantee"),
                        "contract_guarantee": r.dec("contract_guarantee"),
                    }
                )
            )
        lot_places = [p for p in lot_places if p is not None]
        places.extend(lot_places)
        lot_undefined = z.is_true(lv.text("quantity_undefined"))
        lot_items = [
            o.item(el, o.ITEM_FCS, lot=item_lot, undefined=lot_undefined) for el in lv.all("objects")
        ]
        drugs_undefined = lot_undefined or z.is_true(lv.text("drugs_undefined"))
        for el in lv.all("drugs"):
            it, details = d.drug(el, d.DRUG_FCS, lot=item_lot, undefined=drugs_undefined)
            lot_items.append(it)
            drugs.append(details)
        items.extend(lot_items)
        undefined = undefined or drugs_undefined or any(it.quantity_undefined for it in lot_items)
        warnings.extend(
            o.totals_warnings(
                lot_items,
                lv.dec("max_price"),
                listed=lv.dec("objects_total") if lv.text("objects_total") else lv.dec("drugs_total"),
                where=f"lot {lot_id}: " if multi else "",
                what="the lot" if multi else "the notice",
            )
        )
        for key, name in (("objects_total", "items_total"), ("drugs_total", "drugs_total")):
            if lv.text(key):  # with the quantity not fixed: the sum of the positions' prices per unit
                totals.setdefault("unit_prices_total" if lot_undefined else name, []).append(lv.dec(key))
        for key, path in (
            ("preferences", "preferences"),
            ("requirements", "requirement_codes"),
            ("restrictions", "restrictions"),
        ):
            codes[key].extend(e.text for e in lv.all(path) if e.text)
        lots.append(
            _Lot(
                id=lot_id,
                title=lv.clean("title") or v.clean("title"),
                amount=lv.dec("max_price"),
                currency=lv.text("currency"),
                delivery_places=[p.text for p in lot_places if p.text],
            )
        )
    lots_total = money.total(((lot.amount, lot.currency) for lot in lots), unnamed_apart=True)
    amount = lots_total.amount
    extra = {
        "etp": z.drop_none(
            {"code": v.text("etp_code"), "name": v.text("etp_name"), "url": v.text("etp_url")}
        ),
        "collecting_start": v.when("start"),
        "scoring_date": v.when("scoring"),
        "bidding_date": v.when("bidding"),
        "ikz": ikz,
        "drugs": drugs,
        **{k: t if multi else t[0] for k, t in totals.items()},
        "customer_requirements": [r for r in reqs if len(r) > 1],
        "customers": [c.model_dump(exclude_none=True) for c in customers] if len(customers) > 1 else None,
        **codes,
        "modification": v.clean("modification"),
        "warnings": warnings,
    }
    t = header(
        doc,
        v,
        Kind.notice,
        extra,
        submission_deadline=v.when("end"),
        amount=amount,
        amount_basis=o.amount_basis(amount, ceiling=undefined, lots=len(lots)),
        quantity_undefined=undefined,
        plan_refs=plan_refs,
        lots=lots,
        items=items,
        currency=lots_total.currency,
        delivery_places=[p.text for p in places if p.text],
        places=places,
    )
    if t.customer is None:  # not placed by the customer itself: the (first) customer of the requirements
        t.customer = customers[0] if customers else t.responsible
    return t


def plan_ref(r: z.Found, customer_inn: str | None) -> PlanRef | None:
    """The plan position a customer requirement comes from (2020+ plan-schedule, else a 2017-2019 or a
    2014-2016 plan-graph), with the requirement's IKZ and its customer's INN."""
    plan = r.text("plan2020") or r.text("plan2020_t") or r.text("plan2017") or r.text("plan2014")
    position = (
        r.text("position2020") or r.text("position2020_t") or r.text("position2017") or r.text("position2014")
    )
    if not (plan or position or r.text("ikz")):
        return None
    return _PlanRef(plan_number=plan, position_number=position, ikz=r.text("ikz"), customer_inn=customer_inn)


def date_change(doc, v: z.Found) -> Tender:
    authority = z.drop_none(
        {
            "name": v.clean("authority"),
            "doc_number": v.text("authority_doc"),
            "doc_date": v.when("authority_date"),
        }
    )
    return header(
        doc,
        v,
        Kind.change,
        {
            "auction_time": v.when("auction_time"),
            "new_auction_date": v.when("new_auction_date"),
            "reason": v.clean("reason"),
            "authority_prescription": authority,
        },
    )


def placement_result(doc, v: z.Found) -> Tender:
    apps = []
    for el in v.all("applications"):
        a = APPLICATION.read(el)
        rating = a.text("rating")
        apps.append(
            _Application(
                number=a.text("number"),
                rating=int(rating) if rating and rating.isdigit() else None,
                price=a.dec("price"),
                winner=rating == "1",
            )
        )
    winner = next((a for a in apps if a.winner), None)
    return header(
        doc,
        v,
        Kind.protocol,
        {
            "lot_number": v.text("lot_number"),
            "foundation_protocol": v.text("foundation_protocol"),
            "procedure_failed": v.flag("failed"),
            "result": v.text("result"),
        },
        published=v.when("create_date"),
        applications=apps,
        amount=winner.price if winner else None,
        amount_basis="awarded value" if winner and winner.price is not None else None,
    )


def contract_sign(doc, v: z.Found) -> Tender:
    # the flat supplier (participantType U/P/B and their foreign F kinds) read as in contracts
    suppliers = parties.suppliers(v.all("suppliers")).found
    number = require(v.text("order_number"), "foundation/order/purchaseNumber")
    return _Tender(
        kind=Kind.other,
        id=number,
        source_format=z.source_format(doc),
        law=z.LAW,
        country="RU",
        signed=v.day("sign_date"),
        customer=z.organization(v.el("customer"), z.ORG_FCS, role="customer"),
        suppliers=suppliers,
        currency=v.text("currency"),
        amount=v.dec("price"),
        amount_basis="contract price" if v.text("price") else None,
        notice_id=number,
        extra=z.drop_none(
            {
                "document": "contract_sign",
                "doc_id": v.text("id"),
                "contract_number": v.text("contract_number"),
                "protocol_date": v.day("protocol_date"),
                "price_rur": v.dec("price_rur"),
                "conclude_contract_right": v.text("right"),
                "scheme_version": doc.get("schemeVersion"),
            }
        ),
    )


FORMATS = [
    Format(
        name="zakupki44-fcs",
        description="zakupki.gov.ru 44-FZ fcs documents (2014-2020): fcsNotification*, cancellations, date "
        "changes, clarifications, placement results, contract signing; print form or export",
        kind="xml",
        detect=detect,
        parse=parse,
    ),
]
