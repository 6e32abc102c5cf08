"""44-FZ notices of the ep generation: ``epNotification*`` (2021: epNotificationEZK...; 2020+ schemes:
epNotificationEF2020, EZK2020, EOK2020...), bare print forms and bulk ``export`` files alike.

Fields live in ``oos/EPtypes/1``; purchase objects, attachments and places in ``oos/common/1``; codes in
``oos/base/1``. The customer block carries no INN: it comes from the responsible organisation when that is
the customer (role CU), else from the IKZ customer code.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Kind, Lot, Period, Tender, builder
from ..xmlsafe import localname
from . import Format, ParseContext, require
from . import _zakupki44 as z
from . import _zakupki44_blocks as b

_Lot = builder(Lot)
_Period = builder(Period)
_Tender = builder(Tender)

_NI = "ep:notificationInfo/"
_OBJ = _NI + "ep:purchaseObjectsInfo/"
NOTICE = z.Fields(
    z.EP_NS,
    many=(
        "attachments",
        "requirements",
        "objects",
        "drugs",
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
    max_price=_NI + "ep:contractConditionsInfo/ep:maxPriceInfo/ep:maxPrice",
    currency=_NI + "ep:contractConditionsInfo/ep:maxPriceInfo/ep:currency/b:code",
    requirements=_NI + "ep:customerRequirementsInfo/ep:customerRequirementInfo",
    objects=_OBJ + "ep:notDrugPurchaseObjectsInfo/c:purchaseObject",
    objects_total=_OBJ + "ep:notDrugPurchaseObjectsInfo/c:totalSum",
    drugs=_OBJ + "ep:drugPurchaseObjectsInfo/c:drugPurchaseObjectInfo",
    drugs_total=_OBJ + "ep:drugPurchaseObjectsInfo/c:total",
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
    ikz=_CC + "ep:IKZInfo/ep:purchaseCode",
    ikz_2021=_CC + "ep:purchaseCode",
    customer_code=_CC + "ep:IKZInfo/ep:customerCode",
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


def detect(root) -> bool:
    found = z.classify(root)
    return found is not None and found[0].startswith("epNotification") and found[1] == z.EPTYPES


def parse(root, ctx: ParseContext) -> Iterable[Tender]:
    for doc in z.documents(root):
        if not localname(doc).startswith("epNotification") or z.fields_ns(doc) != z.EPTYPES:
            raise z.foreign(doc, "a 44-FZ ep notice (epNotification*)")
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

    customers, places, ikz, requirements = [], [], [], []
    period = None
    for el in v.all("requirements"):
        r = REQUIREMENT.read(el)
        cust = z.customer(r.el("customer"), z.CUSTOMER_EP, responsible, r.text("customer_code"))
        if cust is not None:
            customers.append(cust)
        if r.text("ikz") or r.text("ikz_2021"):
            ikz.append(r.text("ikz") or r.text("ikz_2021"))
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

    items = [b.item(el, b.ITEM_EP) for el in v.all("objects")]
    drugs = []
    for el in v.all("drugs"):
        it, details = b.drug(el, b.DRUG_EP)
        items.append(it)
        drugs.append(details)
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
            "items_total": v.dec("objects_total"),
            "drugs_total": v.dec("drugs_total"),
            "drugs": drugs,
            "customer_requirements": [r for r in requirements if len(r) > 1],
            "customers": [c.model_dump(exclude_none=True) for c in customers] if len(customers) > 1 else None,
            "preferences": [e.text for e in v.all("preferences")],
            "requirements": [e.text for e in v.all("requirement_codes")],
            "restrictions": [e.text for e in v.all("restrictions")],
            "print_form": v.text("print_form"),
            "modification": v.clean("modification"),
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
        lots=[_Lot(id="1", title=title, amount=amount, currency=currency, delivery_places=texts)],
        items=items,
        delivery_places=texts,
        places=places,
        attachments=b.attachments(v.all("attachments"), b.ATT_EP),
        extra=extra,
    )


FORMATS = [
    Format(
        name="zakupki44-ep",
        description="zakupki.gov.ru 44-FZ ep notices (epNotification*, 2020+): print form or export",
        kind="xml",
        detect=detect,
        parse=parse,
    ),
]
