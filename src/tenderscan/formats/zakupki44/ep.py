"""44-FZ notices of the ep generation: ``epNotification*`` (2021: epNotificationEZK...; 2020+ schemes:
epNotificationEF2020, EZK2020, EOK2020...), bare print forms and bulk ``export`` files alike.

Fields live in ``oos/EPtypes/1``; purchase objects, attachments and places in ``oos/common/1``; codes in
``oos/base/1``. The customer block carries no INN: it comes from the responsible organisation when that is
the customer (role CU), else from the IKZ customer code.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...models import Kind, Lot, Period, PlanRef, Tender, builder
from ...safety.xml import localname
from ..base import Format, ParseContext, require
from . import common as z
from . import blocks as b
from . import objects as o
from . import drugs as d

_Lot = builder(Lot)
_Period = builder(Period)
_PlanRef = builder(PlanRef)
_Tender = builder(Tender)

_NI = "ep:notificationInfo/"
_OBJ = _NI + "ep:purchaseObjectsInfo/"
_MAXP = _NI + "ep:contractConditionsInfo/ep:maxPriceInfo/"
NOTICE = z.Fields(
    z.EP_NS,
    many=(
        "attachments",
        "requirements",
        "objects",
        "parents",
        "ezt_objects",
        "drugs",
        "ezt_drugs",
        "preferences",
        "requirement_codes",
        "restrictions",
    ),
    blocks=("resp", "contact"),
    id="ep:id",
    external_id="ep:externalId",
    version="ep:versionNumber",
    number="ep:commonInfo/ep:purchaseNumber",
    doc_number="ep:commonInfo/ep:docNumber",
    planned="ep:commonInfo/ep:plannedPublishDate",
    published="ep:commonInfo/ep:publishDTInEIS",
    href="ep:commonInfo/ep:href",
    title="ep:commonInfo/ep:purchaseObjectInfo",
    method_code="ep:commonInfo/ep:placingWay/b:code",
    method="ep:commonInfo/ep:placingWay/b:name",
    etp_code="ep:commonInfo/ep:ETP/b:code",
    etp_name="ep:commonInfo/ep:ETP/b:name",
    etp_url="ep:commonInfo/ep:ETP/b:url",
    resp="ep:purchaseResponsibleInfo/ep:responsibleOrgInfo",
    role="ep:purchaseResponsibleInfo/ep:responsibleRole",
    contact="ep:purchaseResponsibleInfo/ep:responsibleInfo",
    print_form="ep:printFormInfo/c:url",
    attachments="ep:attachmentsInfo/c:attachmentInfo",
    modification="ep:modificationInfo/ep:info",
    start=_NI + "ep:procedureInfo/ep:collectingInfo/ep:startDT",
    end=_NI + "ep:procedureInfo/ep:collectingInfo/ep:endDT",
    bidding=_NI + "ep:procedureInfo/ep:biddingDate",
    summarizing=_NI + "ep:procedureInfo/ep:summarizingDate",
    max_price=_MAXP + "ep:maxPrice",
    currency=_MAXP + "ep:currency/b:code",
    # the maximum price in the contract's currency when that is not the rouble (maxPrice stays in roubles)
    max_price_cur=_MAXP + "ep:isMaxPriceCurrency/c:maxPriceCurrency",
    cur_code=_MAXP + "ep:isMaxPriceCurrency/c:currency/b:code",
    cur_rate=_MAXP + "ep:isMaxPriceCurrency/c:currencyRate/c:rate",
    cur_nominal=_MAXP + "ep:isMaxPriceCurrency/c:currencyRate/c:raiting",
    price_formula=_MAXP + "ep:isContractPriceFormula",
    requirements=_NI + "ep:customerRequirementsInfo/ep:customerRequirementInfo",
    objects=_OBJ + "ep:notDrugPurchaseObjectsInfo/c:purchaseObject",
    objects_total=_OBJ + "ep:notDrugPurchaseObjectsInfo/c:totalSum",
    objects_total_cur=_OBJ + "ep:notDrugPurchaseObjectsInfo/c:totalSumCurrency",
    objects_undefined=_OBJ + "ep:notDrugPurchaseObjectsInfo/ep:quantityUndefined",
    # parent objects of a hierarchy: not items (their children are), only the names the children keep
    parents=_OBJ + "ep:notDrugPurchaseParentObjectsInfo/c:purchaseObject",
    parents_total=_OBJ + "ep:notDrugPurchaseParentObjectsInfo/c:totalSum",
    drugs=_OBJ + "ep:drugPurchaseObjectsInfo/c:drugPurchaseObjectInfo",
    drugs_total=_OBJ + "ep:drugPurchaseObjectsInfo/c:total",
    drugs_total_cur=_OBJ + "ep:drugPurchaseObjectsInfo/c:totalSumCurrency",
    drugs_undefined=_OBJ + "ep:drugPurchaseObjectsInfo/ep:quantityUndefined",
    # epNotificationEZT2020 (purchases from the e-shop): the objects straight under purchaseObjectsInfo, the
    # medicines straight under notificationInfo
    ezt_objects=_OBJ + "c:purchaseObject",
    ezt_total=_OBJ + "c:totalSum",
    ezt_undefined=_OBJ + "ep:quantityUndefined",
    ezt_drugs=_NI + "ep:drugPurchaseObjectsInfo/c:drugPurchaseObjectInfo",
    ezt_drugs_total=_NI + "ep:drugPurchaseObjectsInfo/c:total",
    preferences=_NI + "ep:preferensesInfo/ep:preferenseInfo/c:preferenseRequirementInfo/b:shortName",
    requirement_codes=_NI + "ep:requirementsInfo/ep:requirementInfo/c:preferenseRequirementInfo/b:shortName",
    restrictions=_NI + "ep:restrictionsInfo/ep:restrictionInfo/c:preferenseRequirementInfo/b:shortName",
)
_CC = "ep:contractConditionsInfo/"
_TERMS = _CC + "ep:contractExecutionPaymentPlan/ep:contractExecutionTermsInfo/"
# a customerRequirementInfo (one per customer of a joint purchase)
REQUIREMENT = z.Fields(
    z.EP_NS,
    many=("gar_places", "kladr_places"),
    blocks=("customer",),
    customer="ep:customer",
    max_price=_CC + "ep:maxPriceInfo/ep:maxPrice",
    max_price_cur=_CC + "ep:maxPriceCurrency",
    ikz=_CC + "ep:IKZInfo/ep:purchaseCode",
    ikz_2021=_CC + "ep:purchaseCode",
    customer_code=_CC + "ep:IKZInfo/ep:customerCode",
    # the plan-schedule position the purchase comes from: 2020+ plans, or the 2017-2019 plan-graphs
    plan2020=_CC + "ep:tenderPlan2020Info/c:plan2020Number",
    position2020=_CC + "ep:tenderPlan2020Info/c:position2020Number",
    position2020_ext=_CC + "ep:tenderPlan2020Info/c:position2020ExtNumber",
    plan2017=_CC + "ep:tenderPlanInfo/ep:plan2017Number",
    position2017=_CC + "ep:tenderPlanInfo/ep:position2017Number",
    position2017_ext=_CC + "ep:tenderPlanInfo/ep:position2017ExtNumber",
    # the period block is in EPtypes (EF2020) or in common (EZK2020)
    start=_TERMS + "ep:notRelativeTermsInfo/ep:startDate",
    end=_TERMS + "ep:notRelativeTermsInfo/ep:endDate",
    c_start=_TERMS + "c:notRelativeTermsInfo/c:startDate",
    c_end=_TERMS + "c:notRelativeTermsInfo/c:endDate",
    gar_places=_CC + "ep:deliveryPlacesInfo/ep:byGARInfo",
    kladr_places=_CC + "ep:deliveryPlacesInfo/ep:deliveryPlaceInfo",
    delivery_term=_CC + "ep:deliveryTerm",
    application_guarantee="ep:applicationGuarantee/ep:amount",
    contract_guarantee="ep:contractGuarantee/ep:amount",
)


def _ours(name: str, ns: str) -> bool:
    return name.startswith("epNotification") and ns == z.EPTYPES


detect = z.detector(_ours)


def parse(root, ctx: ParseContext) -> Iterable[Tender]:
    for doc, _ in z.own_documents(root, _ours, "a 44-FZ ep notice (epNotification*)"):
        yield notice(doc)


def _kind(name: str) -> Kind:
    """epNotification* is a notice; its cancellations and changes (epNotificationCancel...) say so."""
    if "Cancel" in name:
        return Kind.cancellation
    if "Change" in name or "Prolongation" in name:
        return Kind.change
    return Kind.notice


def notice(doc) -> Tender:
    v = NOTICE.read(doc)
    number = require(v.text("number"), "commonInfo/purchaseNumber")
    role = v.text("role")
    responsible = z.responsible(v.el("resp"), z.ORG_EP, role, v.el("contact"), z.CONTACT_EP)
    currency, amount, title = v.text("currency"), v.dec("max_price"), v.clean("title")

    customers, places, ikz, requirements, plan_refs = [], [], [], [], []
    period = None
    for el in v.all("requirements"):
        r = REQUIREMENT.read(el)
        cust = z.customer(r.el("customer"), z.CUSTOMER_EP, responsible, r.text("customer_code"))
        if cust is not None:
            customers.append(cust)
        code = r.text("ikz") or r.text("ikz_2021")
        if code:
            ikz.append(code)
        ref = plan_ref(r, code, cust.inn if cust else None)
        if ref is not None:
            plan_refs.append(ref)
        places.extend(b.place(p, b.PLACE_EP_C) for p in r.all("gar_places"))
        places.extend(b.place(p, b.PLACE_EP) for p in r.all("kladr_places"))
        start, end = r.day("start") or r.day("c_start"), r.day("end") or r.day("c_end")
        if period is None and (start or end):
            period = _Period(start=start, end=end)
        requirements.append(
            z.drop_none(
                {
                    "customer_reg_num": cust.reg_num if cust else None,
                    "max_price": r.dec("max_price"),
                    "max_price_contract_currency": r.dec("max_price_cur"),
                    "plan_position_ext_number": r.text("position2020_ext") or r.text("position2017_ext"),
                    "delivery_term": r.clean("delivery_term"),
                    "application_guarantee": r.dec("application_guarantee"),
                    "contract_guarantee": r.dec("contract_guarantee"),
                }
            )
        )
    places = [p for p in places if p is not None]
    if role == "CU" and responsible is not None:
        customer = responsible.model_copy(update={"role": "customer"})
    else:
        customer = customers[0] if customers else responsible

    parent_names, parents = o.parent_objects(v.all("parents"))
    objects_undefined = z.is_true(v.text("objects_undefined") or v.text("ezt_undefined"))
    items = [
        o.item(el, o.ITEM_EP, undefined=objects_undefined, parents=parent_names)
        for el in v.all("objects") or v.all("ezt_objects")
    ]
    drugs = []
    drugs_undefined = z.is_true(v.text("drugs_undefined"))
    for el in v.all("drugs") or v.all("ezt_drugs"):
        it, details = d.drug(el, d.DRUG_EP, undefined=drugs_undefined)
        items.append(it)
        drugs.append(details)
    undefined = objects_undefined or drugs_undefined or any(it.quantity_undefined for it in items)
    objects_total = v.dec("objects_total") if v.text("objects_total") else v.dec("ezt_total")
    drugs_total = v.dec("drugs_total") if v.text("drugs_total") else v.dec("ezt_drugs_total")
    unit_prices_total = objects_total if objects_undefined else (drugs_total if drugs_undefined else None)
    warnings = o.totals_warnings(
        items, amount, listed=objects_total if objects_total is not None else drugs_total, what="the notice"
    )
    texts = [p.text for p in places if p.text]
    extra = z.drop_none(
        {
            "doc_id": v.text("id"),
            "external_id": v.text("external_id"),
            "doc_number": v.text("doc_number"),
            "scheme_version": doc.get("schemeVersion"),
            "planned_publish_date": v.day("planned"),
            "etp": z.drop_none(
                {"code": v.text("etp_code"), "name": v.text("etp_name"), "url": v.text("etp_url")}
            ),
            "collecting_start": v.when("start"),
            "bidding_date": v.day("bidding"),
            "summarizing_date": v.day("summarizing"),
            "ikz": ikz,
            # the positions' total; with the quantity not fixed it is the sum of their prices per unit
            "items_total": None if objects_undefined else objects_total,
            "drugs_total": None if drugs_undefined else drugs_total,
            "unit_prices_total": unit_prices_total,
            "items_total_contract_currency": v.dec("objects_total_cur"),
            "drugs_total_contract_currency": v.dec("drugs_total_cur"),
            "drugs": drugs,
            "parent_objects": parents,
            "parent_objects_total": v.dec("parents_total"),
            "max_price_contract_currency": z.drop_none(
                {
                    "amount": v.dec("max_price_cur"),
                    "currency": v.text("cur_code"),
                    "rate": v.dec("cur_rate"),
                    "nominal": v.text("cur_nominal"),
                }
            ),
            "contract_price_formula": v.flag("price_formula") or None,
            "customer_requirements": [r for r in requirements if len(r) > 1],
            "customers": [c.model_dump(exclude_none=True) for c in customers] if len(customers) > 1 else None,
            "preferences": [e.text for e in v.all("preferences")],
            "requirements": [e.text for e in v.all("requirement_codes")],
            "restrictions": [e.text for e in v.all("restrictions")],
            "print_form": v.text("print_form"),
            "modification": v.clean("modification"),
            "warnings": warnings,
        }
    )
    kind = _kind(localname(doc))
    return _Tender(
        kind=kind,
        id=number,
        notice_id=None if kind == Kind.notice else number,
        version=v.text("version"),
        source_format=z.source_format(doc),
        law=z.LAW,
        title=title,
        published=v.when("published"),
        submission_deadline=v.when("end"),
        execution_period=period,
        method=v.clean("method"),
        method_code=v.text("method_code"),
        url=v.text("href"),
        country="RU",
        customer=customer,
        responsible=responsible,
        responsible_role=role,
        currency=currency,
        amount=amount,
        amount_basis=o.amount_basis(amount, ceiling=undefined or bool(v.flag("price_formula"))),
        quantity_undefined=undefined,
        lots=[_Lot(id="1", title=title, amount=amount, currency=currency, delivery_places=texts)],
        items=items,
        delivery_places=texts,
        places=places,
        attachments=b.attachments(v.all("attachments"), b.ATT_EP),
        plan_refs=plan_refs,
        extra=extra,
    )


def plan_ref(r: z.Found, ikz: str | None, customer_inn: str | None) -> PlanRef | None:
    """The plan-schedule position a customer requirement comes from (2020+ plan, else a 2017-2019 plan-graph),
    with the requirement's IKZ and its customer's INN: what matches the notice to its plan position."""
    plan = r.text("plan2020") or r.text("plan2017")
    position = r.text("position2020") or r.text("position2017")
    if not (plan or position or ikz):
        return None
    return _PlanRef(plan_number=plan, position_number=position, ikz=ikz, customer_inn=customer_inn)


FORMATS = [
    Format(
        name="zakupki44-ep",
        description="zakupki.gov.ru 44-FZ ep notices (epNotification*, 2020+): print form or export",
        kind="xml",
        detect=detect,
        parse=parse,
    ),
]
