"""44-FZ contract register documents (``oos/types/1`` inside the bulk ``export`` wrapper or the print form):
``contract`` (kind contract: price, products, suppliers, the link to its notice) and ``contractProcedure``
(kind contract_execution: payments and delivered quantities). The id is the contract registry number
(``regNum``, 19 digits); other ``contract*`` documents with a ``regNum`` are read with their header.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ...models import Item, Kind, Organization, Payment, Period, PlanRef, Tender, builder
from .. import money
from ..base import Format, ParseContext, require
from . import common as z
from . import blocks as b
from . import objects as o
from . import parties

_Organization = builder(Organization)
_Item = builder(Item)
_Payment = builder(Payment)
_Period = builder(Period)
_PlanRef = builder(PlanRef)
_Tender = builder(Tender)

_ORDER = "t:foundation/t:fcsOrder/t:order/"
DOC = z.Fields(
    z.FCS_NS,
    many=(
        "products", "suppliers", "suppliers_info", "scans", "attachments", "payment_docs", "receipt_docs",
        "executions",
    ),
    blocks=("customer", "placer", "foundation"),
    id="t:id",
    external_id="t:externalId",
    reg_num="t:regNum",
    version="t:versionNumber",
    number="t:number",
    published="t:publishDate",
    signed="t:signDate",
    protocol_date="t:protocolDate",
    document_base="t:documentBase",
    notice=_ORDER + "t:notificationNumber",
    lot=_ORDER + "t:lotNumber",
    placing=_ORDER + "t:placing",
    single_reason=_ORDER + "t:singleCustomer/t:reason/t:name",
    single_reason2="t:foundation/t:fcsOrder/t:singleCustomer/t:reason/t:name",
    single_reason3="t:foundation/t:singleCustomer/t:reason/t:name",
    notice_oos="t:foundation/t:oosOrder/t:notificationNumber",
    foundation="t:foundation",
    # 94-FZ-era contracts (schemeVersion 1.0): the order, the price and the single-supplier reason are flat
    lot_oos="t:foundation/t:oosOrder/t:lotNumber",
    placing_oos="t:foundation/t:oosOrder/t:placing",
    single_94="t:foundation/t:singleCustomer",
    single_reason_94="t:singleCustomerReason/t:name",
    price_94="t:price",
    currency_94="t:currency/t:code",
    exec_month="t:executionDate/t:month",
    exec_year="t:executionDate/t:year",
    customer="t:customer",
    placer="t:placer/t:responsibleOrg",
    placer_role="t:placer/t:responsibleRole",
    price="t:priceInfo/t:price",
    currency="t:priceInfo/t:currency/t:code",
    price_rur="t:priceInfo/t:priceRUR",
    price_type="t:priceInfo/t:priceType",
    rate="t:priceInfo/t:currencyRate/t:rate",
    start="t:executionPeriod/t:startDate",
    end="t:executionPeriod/t:endDate",
    enforcement="t:enforcement/t:cashAccount/t:amount",
    subject="t:contractSubject",
    products="t:products/t:product",
    # the quantity cannot be set: the products' prices are per unit, the price is the maximum value
    products_undefined="t:products/t:quantityUndefined",
    suppliers="t:suppliers/t:supplier",
    suppliers_info="t:suppliersInfo/t:supplierInfo",
    href="t:href",
    print_form="t:printForm/t:url",
    stage="t:currentContractStage",
    scans="t:scanDocuments/t:attachment",
    attachments="t:attachments/t:attachment",
    payment_docs="t:paymentDocuments/t:attachment",
    receipt_docs="t:receiptDocuments/t:attachment",
    executions="t:executions",
    # contractProcedure: a termination (расторжение) with what was paid until then
    term_date="t:termination/t:terminationDate",
    term_paid="t:termination/t:paid",
    term_reason="t:termination/t:reason/t:name",
    term_doc="t:termination/t:docTermination/t:name",
)
# contractProcedure/executions: a stage and its executions (payments, acceptance documents)
STAGE = z.Fields(
    z.FCS_NS,
    many=("executions",),
    ordinal="t:ordinalNumber",
    final="t:finalStageExecution",
    end="t:stage/t:endDate",
    executions="t:execution",
)
EXECUTION = z.Fields(
    z.FCS_NS,
    many=("subjects",),
    pay_name="t:payDoc/t:documentName",
    pay_date="t:payDoc/t:documentDate",
    pay_num="t:payDoc/t:documentNum",
    doc_name="t:docExecution/t:name",
    doc_date="t:docExecution/t:documentDate",
    doc_num="t:docExecution/t:documentNum",
    currency="t:currency/t:code",
    paid="t:paid",
    paid_rur="t:paidRUR",
    product="t:product",
    subjects="t:quantityContractSubjects/t:quantityContractSubject",
)
# a delivered quantity of a contract subject
DELIVERED = z.Fields(
    z.FCS_NS,
    sid="t:sid",
    name="t:product/t:name",
    okpd2="t:product/t:OKPD2/t:code",
    okpd2_name="t:product/t:OKPD2/t:name",
    okpd="t:product/t:OKPD/t:code",
    okpd_name="t:product/t:OKPD/t:name",
    okei="t:product/t:OKEI/t:code",
    unit="t:product/t:OKEI/t:nationalCode",
    unit_name="t:product/t:OKEI/t:fullName",
    quantity="t:quantity",
)
_STAGES = {"E": "execution", "EC": "completed", "ET": "terminated", "IN": "invalid"}


def _ours(name: str, ns: str) -> bool:
    return ns == z.TYPES and name.startswith("contract")


detect = z.detector(_ours)


def parse(root, ctx: ParseContext) -> Iterable[Tender]:
    what = "a 44-FZ contract register document (contract, contractProcedure)"
    for doc, name in z.own_documents(root, _ours, what):
        v = DOC.read(doc)
        if name == "contract":
            yield contract(doc, v)
        elif name == "contractProcedure":
            yield execution(doc, v)
        else:
            yield _base(doc, v, Kind.cancellation if "Cancel" in name else Kind.other)


def _base(doc, v: z.Found, kind: Kind, **fields) -> Tender:
    stage = v.text("stage")
    extra = fields.pop("extra", {})
    return _Tender(
        kind=kind,
        id=require(v.text("reg_num"), "regNum"),
        version=v.text("version"),
        source_format=z.source_format(doc),
        law=z.LAW,
        country="RU",
        published=v.when("published"),
        url=v.text("href") or v.text("print_form"),
        status=_STAGES.get(stage or "", stage),
        attachments=[
            *b.attachments(v.all("scans"), b.ATT_FCS, kind="scan"),
            *b.attachments(v.all("attachments"), b.ATT_FCS),
            *b.attachments(v.all("payment_docs"), b.ATT_FCS, kind="payment"),
            *b.attachments(v.all("receipt_docs"), b.ATT_FCS, kind="receipt"),
        ],
        extra=z.drop_none(
            {
                "doc_id": v.text("id"),
                "external_id": v.text("external_id"),
                "scheme_version": doc.get("schemeVersion"),
                "stage": stage,
                "print_form": v.text("print_form"),
                **extra,
            }
        ),
        **fields,
    )


def contract(doc, v: z.Found) -> Tender:
    role = v.text("placer_role")
    start, end = v.day("start"), v.day("end")
    undefined = z.is_true(v.text("products_undefined"))
    items = [o.item(el, o.PRODUCT_FCS, undefined=undefined) for el in v.all("products")]
    undefined = undefined or any(it.quantity_undefined for it in items)
    customer = z.organization(v.el("customer"), z.ORG_FCS, role="customer")
    found = parties.suppliers(v.all("suppliers") + v.all("suppliers_info"))
    amount = v.dec("price")
    if amount is None:
        amount = v.dec("price_94")
    price_type = v.text("price_type")
    month, year = v.text("exec_month"), v.text("exec_year")
    return _base(
        doc,
        v,
        Kind.contract,
        title=v.clean("subject"),
        signed=v.day("signed"),
        execution_period=_Period(start=start, end=end) if start or end else None,
        method_code=v.text("placing") or v.text("placing_oos"),
        customer=customer,
        responsible=z.organization(v.el("placer"), z.ORG_FCS, role=role, role_code=role),
        responsible_role=role,
        suppliers=found.found,
        currency=v.text("currency") or v.text("currency_94"),
        amount=amount,
        amount_basis=None if amount is None else _PRICE_TYPES.get(price_type or "", "contract price"),
        items=items,
        quantity_undefined=undefined,
        plan_refs=plan_refs(v.el("foundation"), customer),
        notice_id=v.text("notice") or v.text("notice_oos"),
        extra={
            "contract_number": v.text("number"),
            "lot_number": v.text("lot") or v.text("lot_oos"),
            "protocol_date": v.day("protocol_date"),
            "document_base": v.clean("document_base"),
            "price_type": price_type,
            "price_rur": v.dec("price_rur"),
            "currency_rate": v.dec("rate"),
            "enforcement": v.dec("enforcement"),
            "single_supplier": v.flag("single_94"),
            "single_supplier_reason": z.first(
                v.clean(k) for k in ("single_reason", "single_reason2", "single_reason3", "single_reason_94")
            ),
            "execution_month": f"{year}-{int(month):02d}" if year and month and month.isdigit() else None,
            # suppliers the register withholds (notPublishedOnEIS, art. 103 part 5 of 44-FZ)
            "suppliers_not_published": found.withheld or None,
            "warnings": o.totals_warnings(items, amount, what="the contract") if undefined else None,
        },
    )


# priceInfo/priceType (BaseTypes.xsd electronicContractPriceType): P the contract price, MP its maximum value
# (quantities not fixed, art. 34 part 24 of 44-FZ), OP its approximate value (or a price formula)
_PRICE_TYPES = {"MP": "maximum contract price", "OP": "approximate contract price"}
# a plan reference's numbers: in oos/common/1 in the 2020+ blocks (tenderPlan2020Info), oos/types/1 before
_PLAN = z.Fields(
    z.FCS_NS,
    plan2020="c:plan2020Number",
    position2020="c:position2020Number",
    plan2020t="t:plan2020Number",
    position2020t="t:position2020Number",
    plan2017="t:plan2017Number",
    position2017="t:position2017Number",
    position2017_ext="t:position2017ExtNumber",
    plan="t:planNumber",
    position="t:planPositionNumber",
)
_POSITIONS = ("position2020", "position2020t", "position2017", "position2017_ext", "position")
_PLAN_TAGS = tuple(f"{{{z.TYPES}}}{t}" for t in ("tenderPlan2020Info", "tenderPlanInfo", "purchaseCode"))
_IKZ_TAG = f"{{{z.TYPES}}}purchaseCode"


def plan_refs(foundation, customer: Organization | None) -> list[PlanRef]:
    """The plan-schedule positions a contract comes from (``tenderPlan2020Info``: plan and position
    numbers; ``tenderPlanInfo`` of the 2017-2019 plans) with the purchase's IKZ (``purchaseCode``), found
    wherever the foundation holds them (the notice's order, a single supplier, a purchase outside EIS)."""
    if foundation is None:
        return []
    refs, ikz = [], None
    for el in foundation.iter(*_PLAN_TAGS):
        if el.tag == _IKZ_TAG:
            ikz = ikz or (el.text or "").strip() or None
            continue
        p = _PLAN.read(el)
        plan = z.first(p.text(k) for k in ("plan2020", "plan2020t", "plan2017", "plan"))
        position = z.first(p.text(k) for k in _POSITIONS)
        if plan or position:
            refs.append((plan, position))
    inn = customer.inn if customer is not None else None
    if not refs and ikz:
        refs.append((None, None))
    return [_PlanRef(plan_number=plan, position_number=pos, ikz=ikz, customer_inn=inn) for plan, pos in refs]


def execution(doc, v: z.Found) -> Tender:
    payments, items, acceptances, stages, in_roubles = [], [], [], [], []
    for stage_el in v.all("executions"):
        st = STAGE.read(stage_el)
        stages.append(
            z.drop_none({"ordinal": st.text("ordinal"), "end": st.day("end"), "final": st.flag("final")})
        )
        for ex_el in st.all("executions"):
            ex = EXECUTION.read(ex_el)
            if ex.text("pay_date") or ex.text("pay_num"):
                document = " № ".join(x for x in (ex.clean("pay_name"), ex.text("pay_num")) if x)
                payments.append(
                    _Payment(
                        date=ex.day("pay_date"),
                        amount=ex.dec("paid"),
                        currency=ex.text("currency"),
                        document=document or None,
                        description=ex.clean("product"),
                    )
                )
                in_roubles.append(ex.dec("paid_rur"))
            elif ex.text("doc_name"):
                acceptances.append(
                    z.drop_none(
                        {
                            "document": ex.clean("doc_name"),
                            "number": ex.text("doc_num"),
                            "date": ex.day("doc_date"),
                            "paid": ex.dec("paid"),
                        }
                    )
                )
            items.extend(_delivered(q) for q in ex.all("subjects"))
    paid = _paid(payments, in_roubles)
    termination = z.drop_none(
        {
            "date": v.day("term_date"),
            "paid": v.dec("term_paid"),
            "reason": v.clean("term_reason"),
            "document": v.clean("term_doc"),
        }
    )
    return _base(
        doc,
        v,
        Kind.contract_execution,
        contract_id=v.text("reg_num"),
        payments=payments,
        items=items,
        amount=paid.amount,
        currency=paid.currency,
        amount_basis="payments" if paid.amount is not None else None,
        extra={
            "stages": stages,
            "acceptances": acceptances,
            "termination": termination,
            "warnings": [paid.warning] if paid.warning else [],
        },
    )


@dataclass(frozen=True)
class _Paid:
    amount: Decimal | None
    currency: str | None
    warning: str | None = None


def _paid(payments: list[Payment], in_roubles: list[Decimal | None]) -> _Paid:
    """The sum of the payments in their one currency; in roubles (``paidRUR``) when they are in several
    currencies and each has its rouble value; else no amount, and a warning that says why."""
    t = money.total(((p.amount, p.currency) for p in payments if p.amount is not None), unnamed_apart=True)
    if not t.count:
        return _Paid(None, None)
    if t.amount is not None:
        return _Paid(t.amount, t.currency)
    names = ", ".join(sorted((*t.currencies, "?") if t.unnamed else t.currencies))
    if all(r is not None for r in in_roubles):
        return _Paid(
            money.add(in_roubles),  # type: ignore[arg-type]
            "RUB",
            f"payments in several currencies ({names}): the amount is their sum in roubles (paidRUR)",
        )
    return _Paid(None, None, f"payments in several currencies ({names}) and not all in roubles: no total")


_DELIVERED_CODES = o.code_keys(("okpd2", "OKPD2"), ("okpd", "OKPD"))


def _delivered(el) -> Item:
    """A delivered quantity of a contract subject, as an item (quantity: delivered in this execution)."""
    q = DELIVERED.read(el)
    return _Item(
        id=q.text("sid"),
        name=q.clean("name"),
        quantity=q.qty("quantity"),
        **o.coded(o.codes(q, _DELIVERED_CODES)),
        unit=q.text("unit") or q.clean("unit_name"),
        unit_code=q.text("okei"),
    )


FORMATS = [
    Format(
        name="zakupki44-contract",
        description="zakupki.gov.ru 44-FZ contract register: contract (price, products, suppliers) and "
        "contractProcedure (execution: payments, delivered quantities)",
        kind="xml",
        detect=detect,
        parse=parse,
    ),
]
