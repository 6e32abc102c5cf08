"""44-FZ notices (and contract products) in the shapes the first samples missed, on real documents from
``fixtures/zakupki-more`` (issue 13): purchase objects and medicines whose quantity is not fixed
(``quantityUndefined``), medicines described through the reference or in free text, interchangeable medicine
groups, parent and child purchase objects, plan-schedule positions and IKZ per customer requirement, the
amount's basis, and the warnings that say why items do not add up.

Every expected value was read by hand from the XML; the comment beside it names the path (``ep:`` EPtypes,
``c:`` common, ``t:`` types/1 elements; ``…/`` abbreviates ``notificationInfo/purchaseObjectsInfo/``). Where a
shape has no real document here (EZT2020 layout, fcs lots with the quantity not fixed, foreign currency,
older plan-graph references, joint purchases), the test makes it from a real document and says how."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from lxml import etree

from tenderscan import parse
from tenderscan.formats.zakupki44 import common as z
from tenderscan.models import Kind, PlanRef

from .conftest import FIXTURES, ZAKUPKI

MORE = FIXTURES / "zakupki-more"
# EZK2020, services, quantityUndefined true, placed by an authorised body (RA)
SERVICES = MORE / (
    "notice_epNotificationEZK2020_2025-11-01_epNotificationEZK2020_0173100003525000138_1_"
    "019A3E1C64D27AFDAD44705A1EA8A5CF.xml"
)
# EZK2020, 74 medical devices, quantityUndefined true: unit prices add to 22.66 M against a 10 M ceiling
DEVICES = MORE / (
    "notice_epNotificationEZK2020_2025-10-17_epNotificationEZK2020_0373400007725001260_1_"
    "0199F12FC9667EFAA16AAE96F1EC97AA.xml"
)
# EF2020, one medicine with the quantity not fixed, variants in an interchangeable group (drugInterchangeManualInfo)
DRUG_UNDEFINED = MORE / (
    "notice_epNotificationEF2020_2025-10-10_epNotificationEF2020_0873200009825003091_1_"
    "0199CCBF53FC72D987ECB61B0D07C313.xml"
)
# EZK2020, one medicine described in free text (objectInfoUsingTextForm)
DRUG_TEXT = MORE / (
    "notice_epNotificationEZK2020_2025-10-10_epNotificationEZK2020_0873200009825002924_2_"
    "0199CC995F84797481FBE217D4D928B9.xml"
)
# EF2020, a parent work (notDrugPurchaseParentObjectsInfo) with 16 child objects
HIERARCHY = MORE / (
    "notice_epNotificationEF2020_2025-11-06_epNotificationEF2020_0873500002325000460_1_"
    "019A5815761B7737B2EBA543B114FF10.xml"
)
CONTRACT = MORE / "44fz_contract_2020_quantityUndefined_1055400213020000032.xml"
ABRIDGED = ZAKUPKI / "44fz_ep2020_printform_epNotificationEF2020_0173100008726000065_ABRIDGED.xml"
FCS_EF = ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"
NOTICES = sorted(MORE.glob("notice_*.xml"))

EP, C, B, T = (f"{{{ns}}}" for ns in (z.EPTYPES, z.COMMON, z.BASE, z.TYPES))


def one(source):
    tenders = parse(source if isinstance(source, bytes) else str(source), stations=False)
    assert len(tenders) == 1
    return tenders[0]


def tree(path):
    return etree.fromstring(path.read_bytes())


def d(text: str) -> Decimal:
    return Decimal(text)


# --- 1. quantity not fixed ---------------------------------------------------------------------------------


def test_services_with_the_quantity_not_fixed_are_read_as_prices_per_unit():
    t = one(SERVICES)
    assert (t.kind, t.id) == (Kind.notice, "0173100003525000138")  # commonInfo/purchaseNumber
    # notificationInfo/contractConditionsInfo/maxPriceInfo/maxPrice and currency/code
    assert (t.amount, t.currency) == (d("3390184"), "RUB")
    assert t.quantity_undefined is True  # …/notDrugPurchaseObjectsInfo/ep:quantityUndefined = true
    assert t.amount_basis == "maximum contract value"
    assert len(t.items) == 22  # …/notDrugPurchaseObjectsInfo/c:purchaseObject × 22
    first = t.items[0]
    # purchaseObject[1]: sid, name, OKPD2/OKPDCode, OKEI/code + nationalCode, price 4883.33, type SERVICE;
    # its sum (4883.33) only repeats the price and quantity is <undefined>true</undefined>
    assert (first.id, first.name, first.code, first.unit_code, first.unit, first.kind) == (
        "195101061",
        "Дождевик",
        "82.30.11.000",
        "796",
        "шт",
        "service",
    )
    assert (first.unit_price, first.quantity, first.amount, first.quantity_undefined) == (
        d("4883.33"),
        None,
        None,
        True,
    )
    assert all(i.quantity_undefined and i.amount is None and i.quantity is None for i in t.items)
    assert t.items_total is None  # nothing to add up: no unit price is ever an amount
    # …/notDrugPurchaseObjectsInfo/c:totalSum 64081.65 is the initial sum of the unit prices
    assert t.extra["unit_prices_total"] == d("64081.65") == sum(i.unit_price for i in t.items)
    assert "items_total" not in t.extra
    assert any("quantity not fixed" in w and "maximum contract value" in w for w in t.extra["warnings"])


def test_devices_with_the_quantity_not_fixed_do_not_add_up_to_22_million():
    t = one(DEVICES)
    assert (t.id, t.amount) == ("0373400007725001260", d("10000000"))  # maxPriceInfo/maxPrice
    assert len(t.items) == 74 and all(i.quantity_undefined for i in t.items)
    # purchaseObject[1]/price 16761.67 (its KTRU/code 32.50.13.110-00005033, KTRU/OKPD2/OKPDCode 32.50.13.110)
    first = t.items[0]
    assert (first.unit_price, first.amount, first.code, first.code_scheme) == (
        d("16761.67"),
        None,
        "32.50.13.110-00005033",
        "KTRU",
    )
    assert [(c.scheme, c.code) for c in first.classifications] == [("OKPD2", "32.50.13.110")]
    assert t.extra["unit_prices_total"] == d("22657740.04") == sum(i.unit_price for i in t.items)  # totalSum
    assert t.items_total is None
    assert t.extra["warnings"][0].startswith("quantity not fixed (quantityUndefined): 74 item(s)")


def test_a_medicine_with_the_quantity_not_fixed():
    """The price is at drugPurchaseObjectInfo/quantityUndefined/price; the variants sit in an
    interchangeable group (objectInfoUsingReferenceInfo/drugsInfo/drugInterchangeInfo/
    drugInterchangeManualInfo/drugInfo/drugInfoUsingReferenceInfo): an empty item before."""
    t = one(DRUG_UNDEFINED)
    assert (t.id, t.amount, t.currency) == ("0873200009825003091", d("37128494.92"), "RUB")  # maxPriceInfo
    assert (t.quantity_undefined, t.amount_basis) == (True, "maximum contract value")
    [it] = t.items
    assert (it.id, it.kind) == ("11395141", "drug")  # drugPurchaseObjectInfo/sid
    assert it.name == "Палиперидон 350 мг/1.75 мл"  # drugPurchaseObjectInfo/name
    # quantityUndefined/quantityUndefined true, quantityUndefined/price 18098.33
    assert (it.unit_price, it.quantity, it.amount, it.quantity_undefined) == (d("18098.33"), None, None, True)
    # the basic variant (basicUnit true): dosageInfo/dosageUserName, manualUserOKEI/code, KTRU/code, OKPD2
    assert (it.unit, it.unit_code) == ("мл", "111")
    assert (it.code, it.code_scheme) == ("21.20.10.235-00018", "KTRU")
    assert [(c.scheme, c.code, c.name) for c in it.classifications] == [
        ("OKPD2", "21.20.10.235", "Препараты психотропные")
    ]
    assert t.extra["drugs"] == [
        {
            "mnn": "ПАЛИПЕРИДОН",  # MNNInfo/MNNName
            "mnn_code": "1ee26b74-bf5b-11e9-bd5d-3f68dd3de8dc",  # MNNInfo/MNNExternalCode
            "form": "СУСПЕНЗИЯ ДЛЯ ВНУТРИМЫШЕЧНОГО ВВЕДЕНИЯ",  # medicamentalFormInfo/medicamentalFormName
            "dosage": "200 мг/мл",  # dosageInfo/dosageGRLSValue
            "znvlp": True,  # isZNVLP
            "variants": 2,  # two drugInfo in the group
        }
    ]
    assert t.extra["unit_prices_total"] == d("18098.33")  # …/drugPurchaseObjectsInfo/c:total
    assert "quantity not fixed" in t.extra["warnings"][0]


def test_contract_products_with_the_quantity_not_fixed():
    t = one(CONTRACT)
    assert (t.kind, t.id) == (Kind.contract, "1055400213020000032")  # regNum
    assert (t.amount, t.currency) == (d("2637599.51"), "RUB")  # priceInfo/price, priceInfo/currency/code
    assert t.quantity_undefined is True  # products/quantityUndefined = true
    [it] = t.items
    # products/product: sid, name, OKPD2/code, price (no quantity, no sum in the document)
    assert (it.id, it.name, it.code) == ("273115781", "Питание в столовых вне ГОЗ (декабрь)", "56.29.20.140")
    assert (it.unit_price, it.quantity, it.amount, it.quantity_undefined) == (
        d("2637599.51000000000"),
        None,
        None,
        True,
    )
    assert "quantity not fixed" in t.extra["warnings"][0]


def test_contract_products_with_quantities_are_unchanged():
    t = one(ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml")
    assert t.quantity_undefined is False and not any(i.quantity_undefined for i in t.items)
    assert t.items_total == t.amount == d("1207680.35")
    assert "warnings" not in t.extra


def _fcs_lot_quantity_undefined() -> bytes:
    """The real fcs notice (8 medicines) as a lot whose quantity is not fixed: lot/quantityUndefined true and
    each position's quantity and position price replaced by quantityUndefined/price (the shape the common
    types give drugPurchaseObjectInfo), price = the position's pricePerUnit."""
    doc = tree(FCS_EF)
    lot = doc.find(T + "lot")
    lot.find(T + "quantityUndefined").text = "true"
    for pos in lot.iter(T + "drugPurchaseObjectInfo"):
        price = pos.find(T + "pricePerUnit").text
        for tag in ("drugQuantityCustomersInfo", "pricePerUnit", "positionPrice"):
            pos.remove(pos.find(T + tag))
        block = etree.SubElement(pos, T + "quantityUndefined")
        etree.SubElement(block, T + "quantityUndefined").text = "true"
        etree.SubElement(block, T + "price").text = price
        for info in pos.iter(T + "drugQuantity"):
            info.getparent().remove(info)
    return etree.tostring(doc)


def test_fcs_lot_with_the_quantity_not_fixed():
    t = one(_fcs_lot_quantity_undefined())
    assert (t.amount, t.quantity_undefined, t.amount_basis) == (
        d("44648.67"),
        True,
        "maximum contract value",
    )
    # the first position's pricePerUnit in the real file: 9.941 (ФОРМАЛЬДЕГИД, 600 мл, 5964.60)
    first = t.items[0]
    assert (first.name, first.unit_price, first.quantity, first.amount) == (
        "ФОРМАЛЬДЕГИД",
        d("9.941"),
        None,
        None,
    )
    assert all(i.quantity_undefined for i in t.items) and t.items_total is None
    assert "quantity not fixed" in t.extra["warnings"][0]


# --- 2. medicines described through the reference or in free text ------------------------------------------


def test_a_medicine_described_in_free_text():
    t = one(DRUG_TEXT)
    assert (t.id, t.amount) == ("0873200009825002924", d("1132200"))  # maxPriceInfo/maxPrice
    assert (t.quantity_undefined, t.amount_basis) == (False, "maximum price")
    [it] = t.items
    # drugPurchaseObjectInfo: name, drugQuantityCustomersInfo/total 900, pricePerUnit, positionPrice
    assert it.name == "Дорназа альфа 2.5 мг/2.5 мл (2500 ЕД/2.5 мл)"
    assert (it.quantity, it.unit_price, it.amount) == (d("900"), d("1258.00"), d("1132200.00"))
    # objectInfoUsingTextForm/drugsInfo/drugInfo: OKPD2/OKPDCode, manualUserOKEI/code and name
    assert (it.code, it.code_scheme, it.unit_code, it.unit) == (
        "21.20.23.192",
        "OKPD2",
        "111",
        "Кубический сантиметр; миллилитр",
    )
    assert t.extra["drugs"] == [
        {
            "mnn": "Дорназа альфа",  # MNNInfo/MNNName
            "trade_name": "Пульмозим р-р д/ингал. 2.5 мг/2.5 мл (2500 ЕД/2.5 мл) 2.5 мл амп.",  # tradeInfo
            "form": "РАСТВОР ДЛЯ ИНГАЛЯЦИЙ",  # medicamentalFormInfo/medicamentalForm/name
            "dosage": "2.5 мг/2.5 мл (2500 ЕД/2.5 мл)",  # dosageInfo/dosageGRLSValue
        }
    ]
    assert t.items_total == t.amount == t.extra["drugs_total"]  # …/drugPurchaseObjectsInfo/c:total
    assert "warnings" not in t.extra


def _regroup(path, group: str, wrapper: str) -> bytes:
    """The real document with its medicine variants moved into an interchangeable group ``group`` whose
    drugInfo wrap each description in ``wrapper`` (drugInfoUsingReferenceInfo / drugInfoUsingTextForm), the
    variant's drugQuantity beside it: the other two group shapes of the common types."""
    doc = tree(path)
    for info in list(doc.iter(C + "drugInfo")):
        drugs_info = info.getparent()
        if etree.QName(drugs_info).localname != "drugsInfo":
            continue
        grp = etree.Element(C + group)
        if group != "drugInterchangeTextFormInfo":
            holder = etree.SubElement(drugs_info, C + "drugInterchangeInfo")
            holder.append(grp)
        else:
            drugs_info.append(grp)
        etree.SubElement(grp, C + "isInterchange").text = "true"
        drugs_info.remove(info)
        outer = etree.SubElement(grp, C + "drugInfo")
        qty = info.find(C + "drugQuantity")
        info.tag = C + wrapper
        outer.append(info)
        if qty is not None:
            info.remove(qty)
            outer.append(qty)
    return etree.tostring(doc)


def test_a_free_text_medicine_in_an_interchangeable_group_reads_the_same():
    data = _regroup(DRUG_TEXT, "drugInterchangeTextFormInfo", "drugInfoUsingTextForm")
    assert b"drugInterchangeTextFormInfo" in data
    want, got = one(DRUG_TEXT), one(data)
    assert got.items == want.items and got.extra["drugs"] == want.extra["drugs"]


def test_a_reference_medicine_in_a_reference_group_reads_the_same():
    """drugInterchangeReferenceInfo (the group from the reference) instead of the real drugInterchangeManualInfo."""
    data = DRUG_UNDEFINED.read_bytes().replace(b"drugInterchangeManualInfo", b"drugInterchangeReferenceInfo")
    want, got = one(DRUG_UNDEFINED), one(data)
    assert got.items == want.items and got.extra["drugs"] == want.extra["drugs"]


def test_reference_medicines_as_plain_variants():
    """The fcs print form's medicines (objectInfoUsingReferenceInfo/drugsInfo/drugInfo) keep their values."""
    t = one(FCS_EF)
    assert [(i.name, i.quantity, i.unit_price, i.amount) for i in t.items][:2] == [
        (
            "ФОРМАЛЬДЕГИД",
            d("600"),
            d("9.941"),
            d("5964.60"),
        ),  # MNNName, drugQuantity, pricePerUnit, positionPrice
        ("ВОДОРОДА ПЕРОКСИД", d("4500"), d("0.94768"), d("4264.56")),
    ]
    assert t.items_total == t.amount == d("44648.67")


# --- 3. parent and child purchase objects ----------------------------------------------------------------------


def test_child_objects_are_the_items_and_keep_their_parent():
    t = one(HIERARCHY)
    assert (t.id, t.amount) == ("0873500002325000460", d("29752886"))  # maxPriceInfo/maxPrice
    # 16 …/notDrugPurchaseObjectsInfo/c:purchaseObject, all hierarchyType CH with parentPurchaseObject/sid
    # 195465882 = …/notDrugPurchaseParentObjectsInfo/c:purchaseObject/sid, whose name is below
    assert len(t.items) == 16
    assert {i.parent for i in t.items} == {"Монтаж информационно-технологического оборудования"}
    # the parent is no item: the children's sums (sum) add up to the price once
    assert t.items_total == t.amount == t.extra["items_total"] == d("29752886")  # totalSum
    first = t.items[0]  # purchaseObject[1]: sid, name, price, quantity/value, sum
    assert (first.id, first.name, first.unit_price, first.quantity, first.amount) == (
        "195465883",
        "Пульт управления светом",
        d("167542"),
        d("1"),
        d("167542"),
    )
    assert t.extra["parent_objects"] == [
        {
            "id": "195465882",  # parent purchaseObject/sid
            "name": "Монтаж информационно-технологического оборудования",  # name
            "code": "33.20.39.900",  # OKPD2/OKPDCode
            "code_scheme": "OKPD2",
            "kind": "work",  # type WORK
            "amount": d("29752886"),  # sum
        }
    ]
    assert t.extra["parent_objects_total"] == d("29752886")  # notDrugPurchaseParentObjectsInfo/c:totalSum
    assert "warnings" not in t.extra


def test_a_child_names_its_parent_by_external_id_too():
    doc = tree(HIERARCHY)
    for ref in doc.iter(C + "parentPurchaseObject"):
        ref.find(C + "sid").tag = C + "externalSid"
        ref.find(C + "externalSid").text = "226046766"  # the parent's externalSid
    t = one(etree.tostring(doc))
    assert {i.parent for i in t.items} == {"Монтаж информационно-технологического оборудования"}


# --- 8. plan-schedule positions and IKZ ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "ref"),
    [
        # customerRequirementInfo/contractConditionsInfo: tenderPlan2020Info/plan2020Number and
        # position2020Number, IKZInfo/purchaseCode; the INN from IKZInfo/customerCode (1 + INN + KPP)
        (
            SERVICES,
            PlanRef(
                plan_number="202503731001007001",
                position_number="202503731001007001000014",
                ikz="251770708717577090100100120018230244",
                customer_inn="7707087175",
            ),
        ),
        (
            HIERARCHY,
            PlanRef(
                plan_number="202503732006567001",
                position_number="202503732006567001000118",
                ikz="252772719845177510100101200010000244",
                customer_inn="7727198451",
            ),
        ),
        (
            DRUG_TEXT,
            PlanRef(
                plan_number="202508732000098001",
                position_number="202508732000098001001998",
                ikz="252771433860977140100119743550000323",
                customer_inn="7714338609",
            ),
        ),
        # fcs print form: customerRequirement/purchaseCode, tenderPlan2020Info/c:plan2020Number, …
        (
            FCS_EF,
            PlanRef(
                plan_number="202103013001409001",
                position_number="202103013001409001000014",
                ikz="213027806041102780100100020030000244",
                customer_inn="0278060411",
            ),
        ),
    ],
    ids=lambda v: getattr(v, "name", "")[:40] if hasattr(v, "name") else "",
)
def test_plan_position_and_ikz(path, ref):
    t = one(path)
    assert t.plan_refs == [ref]
    assert t.extra["ikz"] == [ref.ikz]  # kept as before


def test_a_joint_purchase_has_one_plan_ref_per_customer():
    """The real notice with a second customer requirement (another customer, plan and position)."""
    doc = tree(SERVICES)
    req = next(doc.iter(EP + "customerRequirementInfo"))
    other = copy.deepcopy(req)
    other.find(EP + "customer").find(B + "regNum").text = "03731000001"
    cc = other.find(EP + "contractConditionsInfo")
    cc.find(EP + "IKZInfo").find(EP + "purchaseCode").text = "251770000000077000100100010010000244"
    cc.find(EP + "IKZInfo").find(EP + "customerCode").text = "17700000000770001001"
    plan = cc.find(EP + "tenderPlan2020Info")
    plan.find(C + "plan2020Number").text = "202503731000001001"
    plan.find(C + "position2020Number").text = "202503731000001001000007"
    req.addnext(other)
    t = one(etree.tostring(doc))
    assert [(r.plan_number, r.position_number, r.customer_inn) for r in t.plan_refs] == [
        ("202503731001007001", "202503731001007001000014", "7707087175"),
        ("202503731000001001", "202503731000001001000007", "7700000000"),
    ]


def test_fcs_plan_graph_references_of_2017_and_2014():
    """fcs notices before 2020 name a plan-graph position in customerRequirement/tenderPlanInfo
    (plan2017Number/position2017Number, or planNumber/positionNumber): the real 2021 notice with its
    tenderPlan2020Info replaced by each."""
    for plan_tag, pos_tag in (("plan2017Number", "position2017Number"), ("planNumber", "positionNumber")):
        doc = tree(FCS_EF)
        old = next(doc.iter(T + "tenderPlan2020Info"))
        new = etree.Element(T + "tenderPlanInfo")
        etree.SubElement(new, T + plan_tag).text = "2018011530001850020002"
        etree.SubElement(new, T + pos_tag).text = "2018011530001850020000100002"
        old.getparent().replace(old, new)
        t = one(etree.tostring(doc))
        assert [(r.plan_number, r.position_number) for r in t.plan_refs] == [
            ("2018011530001850020002", "2018011530001850020000100002")
        ]


# --- 5. amount basis, 6. other shapes ----------------------------------------------------------------------------


def test_amount_basis_of_notices():
    assert one(HIERARCHY).amount_basis == "maximum price"
    assert one(FCS_EF).amount_basis == "maximum price"
    assert (
        one(ZAKUPKI / "44fz_fcs_export_fcsNotificationCancel_0111100002417000043_212694.xml").amount_basis
        is None
    )


def test_maximum_price_in_a_foreign_currency():
    """maxPriceInfo/isMaxPriceCurrency (the contract's currency, the rate, the price in it) added to the real
    notice: the amount stays the maximum price in roubles, the contract currency goes to extra."""
    doc = tree(HIERARCHY)
    info = next(doc.iter(EP + "maxPriceInfo"))
    block = etree.Element(EP + "isMaxPriceCurrency")
    info.find(EP + "currency").addnext(block)
    etree.SubElement(block, C + "maxPriceCurrency").text = "297528.86"
    cur = etree.SubElement(block, C + "currency")
    etree.SubElement(cur, B + "code").text = "USD"
    rate = etree.SubElement(block, C + "currencyRate")
    etree.SubElement(rate, C + "rate").text = "100"
    etree.SubElement(rate, C + "raiting").text = "1"
    t = one(etree.tostring(doc))
    assert (t.amount, t.currency) == (d("29752886"), "RUB")
    assert t.extra["max_price_contract_currency"] == {
        "amount": d("297528.86"),
        "currency": "USD",
        "rate": d("100"),
        "nominal": "1",
    }


def _as_ezt2020(path) -> bytes:
    """The real EZK2020 notice in the epNotificationEZT2020 layout (IntegrationEPTypes notificationEZT2020Type):
    the purchase objects straight under purchaseObjectsInfo, medicines straight under notificationInfo."""
    doc = tree(path)
    notice = z.documents(doc)[0]  # the document inside the export wrapper
    notice.tag = notice.tag.replace("epNotificationEZK2020", "epNotificationEZT2020")
    info = next(doc.iter(EP + "notificationInfo"))
    objects = info.find(EP + "purchaseObjectsInfo")
    inner = objects[0]
    if etree.QName(inner).localname == "notDrugPurchaseObjectsInfo":
        objects.remove(inner)
        objects.extend(list(inner))
    else:  # drugPurchaseObjectsInfo
        info.replace(objects, inner)
    return etree.tostring(doc)


@pytest.mark.parametrize("path", [SERVICES, DRUG_TEXT], ids=["objects", "drugs"])
def test_ezt2020_layout_reads_the_same(path):
    want, got = one(path), one(_as_ezt2020(path))
    assert got.source_format == "zakupki44/epNotificationEZT2020"
    assert got.items == want.items and len(got.items) > 0
    assert (got.quantity_undefined, got.amount_basis) == (want.quantity_undefined, want.amount_basis)


# --- 7. warnings where items do not add up -------------------------------------------------------------------


def test_abridged_notice_says_why_its_items_do_not_add_up():
    t = one(ABRIDGED)
    # 2 purchaseObject sums 67950834.55 + 9765000.00 against notDrugPurchaseObjectsInfo/totalSum = maxPrice
    assert t.items_total == d("77715834.55") and t.amount == t.extra["items_total"] == d("108142501.80")
    assert t.extra["warnings"] == [
        (
            "the items listed add up to 77715834.55, the notice's own total of its purchase objects is "
            "108142501.80: some purchase objects are missing from this copy of the notice"
        )
    ]


@pytest.mark.parametrize("path", NOTICES, ids=lambda p: p.name[:48])
def test_every_new_notice_adds_up_or_says_why(cli, path):
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 0, r.stderr
    t = json.loads(r.stdout)
    amounts = [Decimal(i["amount"]) for i in t["items"] if i["amount"] is not None]
    for i in t["items"]:  # a price per unit is never an amount
        if i["quantity_undefined"]:
            assert i["amount"] is None and i["quantity"] is None and i["unit_price"] is not None
    if not amounts or sum(amounts) != Decimal(t["amount"]):
        assert t["extra"]["warnings"], "items do not add up and nothing says why"


def test_show_prints_the_warning(cli):
    r = cli("show", "--format", "table", str(SERVICES))
    assert r.exit_code == 0, r.stderr
    assert "warning: quantity not fixed (quantityUndefined): 22 item(s) give a price per unit" in " ".join(
        r.stdout.split()
    )


def test_ep_plan_graph_reference_of_2017_and_an_external_position_number():
    """2019-2021 ep notices may name a 2017-2019 plan-graph position instead (contractConditionsInfo/
    tenderPlanInfo: ep:plan2017Number, ep:position2017Number); a position given by its external number only
    (c:position2020ExtNumber) is no registry number: kept in extra, not as position_number. Both made from the
    real 2021 ep notice (EZK2021), whose tenderPlan2020Info is plan 202103201000076001."""
    path = ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml"
    doc = tree(path)
    old = next(doc.iter(EP + "tenderPlan2020Info"))
    new = etree.Element(EP + "tenderPlanInfo")
    etree.SubElement(new, EP + "plan2017Number").text = "2019032010000760020001"
    etree.SubElement(new, EP + "position2017Number").text = "2019032010000760020000100005"
    old.getparent().replace(old, new)
    t = one(etree.tostring(doc))
    # IKZ: contractConditionsInfo/purchaseCode (2021 layout); INN: the responsible organisation (role CU)
    assert t.plan_refs == [
        PlanRef(
            plan_number="2019032010000760020001",
            position_number="2019032010000760020000100005",
            ikz="211254001576725400100100410012013244",
            customer_inn="2540015767",
        )
    ]
    doc = tree(path)
    pos = next(doc.iter(C + "position2020Number"))
    pos.tag = C + "position2020ExtNumber"
    pos.text = "ПГ-55"
    t = one(etree.tostring(doc))
    assert [(r.plan_number, r.position_number) for r in t.plan_refs] == [("202103201000076001", None)]
    assert t.extra["customer_requirements"][0]["plan_position_ext_number"] == "ПГ-55"
