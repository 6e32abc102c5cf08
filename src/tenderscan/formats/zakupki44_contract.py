"""44-FZ contract register documents (``oos/types/1`` inside the bulk ``export`` wrapper or the print form):
``contract`` (kind contract: price, products, suppliers, the link to its notice) and ``contractProcedure``
(kind contract_execution: payments and delivered quantities). The id is the contract registry number
(``regNum``, 19 digits); other ``contract*`` documents with a ``regNum`` are read with their header.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..models import Item, Kind, Organization, Payment, Period, Tender, builder
from ..xmlsafe import localname
from . import Format, ParseContext, require
from . import _zakupki44 as z
from . import _zakupki44_blocks as b

_Organization = builder(Organization)
_Item = builder(Item)
_Payment = builder(Payment)
_Period = builder(Period)
_Tender = builder(Tender)

_ORDER = "t:foundation/t:fcsOrder/t:order/"
DOC = z.Fields(
    z.FCS_NS,
    many=("products", "suppliers", "scans", "attachments", "payment_docs", "receipt_docs", "executions"),
    blocks=("customer", "placer"),
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
    notice_oos="t:foundation/t:oosOrder/t:notificationNumber",
    customer="t:customer",
    placer="t:placer/t:responsibleOrg",
    placer_role="t:placer/t:responsibleRole",
    price="t:priceInfo/t:price",
    currency="t:priceInfo/t:currency/t:code",
    price_rur="t:priceInfo/t:priceRUR",
    rate="t:priceInfo/t:currencyRate/t:rate",
    start="t:executionPeriod/t:startDate",
    end="t:executionPeriod/t:endDate",
    enforcement="t:enforcement/t:cashAccount/t:amount",
    subject="t:contractSubject",
    products="t:products/t:product",
    # the quantity cannot be set: the products' prices are per unit, the price is the maximum value
    products_undefined="t:products/t:quantityUndefined",
    suppliers="t:suppliers/t:supplier",
    href="t:href",
    print_form="t:printForm/t:url",
    stage="t:currentContractStage",
    scans="t:scanDocuments/t:attachment",
    attachments="t:attachments/t:attachment",
    payment_docs="t:paymentDocuments/t:attachment",
    receipt_docs="t:receiptDocuments/t:attachment",
    executions="t:executions",
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
# suppliers/supplier: a Russian legal entity or individual, or a foreign one
_P = ("legalEntityRF", "individualPersonRF", "legalEntityForeignState", "individualPersonForeignState")
SUPPLIER = z.Fields(
    z.FCS_NS,
    **{
        f"{k}_{f}": f"t:{block}/t:{local}"
        for k, block in zip(("le", "ip", "lef", "ipf"), _P)
        for f, local in (
            ("name", "fullName"),
            ("short", "shortName"),
            ("inn", "INN"),
            ("kpp", "KPP"),
            ("address", "address"),
            ("post", "postAddress"),
            ("email", "contactEMail"),
            ("phone", "contactPhone"),
            ("last", "lastName"),
            ("first", "firstName"),
            ("middle", "middleName"),
            ("lat", "fullNameLat"),
            ("country", "placeOfStayInRegCountry/t:country/t:countryCode"),
        )
    },
)
_STAGES = {"E": "execution", "EC": "completed", "ET": "terminated", "IN": "invalid"}


def _ours(name: str, ns: str) -> bool:
    return ns == z.TYPES and name.startswith("contract")


def detect(root) -> bool:
    found = z.classify(root)
    return found is not None and _ours(*found)


def parse(root, ctx: ParseContext) -> Iterable[Tender]:
    for doc in z.documents(root):
        name = localname(doc)
        if not _ours(name, z.fields_ns(doc)):
            raise z.foreign(doc, "a 44-FZ contract register document (contract, contractProcedure)")
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


def supplier(el) -> Organization | None:
    s = SUPPLIER.read(el)
    for k in ("le", "ip", "lef", "ipf"):
        name = (
            s.clean(f"{k}_name")
            or s.clean(f"{k}_lat")
            or z.person_name(s.text(f"{k}_last"), s.text(f"{k}_first"), s.text(f"{k}_middle"))
        )
        if name or s.text(f"{k}_inn"):
            country = s.text(f"{k}_country")
            return _Organization(
                name=name,
                short_name=s.clean(f"{k}_short"),
                inn=s.text(f"{k}_inn"),
                kpp=s.text(f"{k}_kpp"),
                role="supplier",
                address=s.clean(f"{k}_address") or s.clean(f"{k}_post"),
                email=s.text(f"{k}_email"),
                phone=s.text(f"{k}_phone"),
                country=z.country_code(country) or country,
            )
    return None


def contract(doc, v: z.Found) -> Tender:
    role = v.text("placer_role")
    start, end = v.day("start"), v.day("end")
    undefined = b.is_true(v.text("products_undefined"))
    items = [b.item(el, b.PRODUCT_FCS, undefined=undefined) for el in v.all("products")]
    undefined = undefined or any(it.quantity_undefined for it in items)
    return _base(
        doc,
        v,
        Kind.contract,
        title=v.clean("subject"),
        signed=v.day("signed"),
        execution_period=_Period(start=start, end=end) if start or end else None,
        method_code=v.text("placing"),
        customer=z.organization(v.el("customer"), z.ORG_FCS, role="customer"),
        responsible=z.organization(v.el("placer"), z.ORG_FCS, role=role),
        responsible_role=role,
        suppliers=[s for s in (supplier(el) for el in v.all("suppliers")) if s is not None],
        currency=v.text("currency"),
        amount=v.dec("price"),
        items=items,
        quantity_undefined=undefined,
        notice_id=v.text("notice") or v.text("notice_oos"),
        extra={
            "contract_number": v.text("number"),
            "lot_number": v.text("lot"),
            "protocol_date": v.day("protocol_date"),
            "document_base": v.clean("document_base"),
            "price_rur": v.dec("price_rur"),
            "currency_rate": v.dec("rate"),
            "enforcement": v.dec("enforcement"),
            "single_supplier_reason": v.clean("single_reason"),
            "warnings": b.totals_warnings(items, v.dec("price"), what="the contract") if undefined else None,
        },
    )


def execution(doc, v: z.Found) -> Tender:
    payments, items, acceptances, stages = [], [], [], []
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
    paid = [p.amount for p in payments if p.amount is not None]
    currencies = {p.currency for p in payments}
    return _base(
        doc,
        v,
        Kind.contract_execution,
        contract_id=v.text("reg_num"),
        payments=payments,
        items=items,
        amount=sum(paid, Decimal(0)) if paid else None,
        currency=next(iter(currencies)) if len(currencies) == 1 else None,
        extra={"stages": stages, "acceptances": acceptances},
    )


_DELIVERED_CODES = b.code_keys(("okpd2", "OKPD2"), ("okpd", "OKPD"))


def _delivered(el) -> Item:
    """A delivered quantity of a contract subject, as an item (quantity: delivered in this execution)."""
    q = DELIVERED.read(el)
    return _Item(
        id=q.text("sid"),
        name=q.clean("name"),
        quantity=q.qty("quantity"),
        **b.coded(b.codes(q, _DELIVERED_CODES)),
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
