"""223-FZ shapes the first readers missed, checked on real documents (values read by hand from the XML; the
comment beside each value names its path): notices of the 2012-2014 schema, every lot price shape of the
schema, plan positions named by notices, protocols with several lots and a winner each, suppliers that are
sole traders, natural persons or foreign, and purchase plans (kind ``plan``), through the library and the CLI.

Where the schema (223-FZ 16.2 XSD) allows a shape no real sample shows, the test makes it from a real
document (an element renamed, added or removed) and says so.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from tenderscan import parse
from tenderscan.formats.zakupki223 import common as z
from tenderscan.formats.zakupki223 import json_api as zj
from tenderscan.models import Kind, PlanRef

from .conftest import FIXTURES, ZAKUPKI

MSK = timezone(timedelta(hours=3))
MORE = FIXTURES / "zakupki-more"
OLD_NOTICE = MORE / "purchaseNotice_Adygeya_Resp_20130301_000000_20130401_235959_001.xml"
NOTICE_2019 = MORE / "223fz_purchaseNotice_2019_31908251995_Moskva_daily_002.xml"
PLAN = MORE / "purchasePlan_test.xml"
PROTOCOL = ZAKUPKI / "223fz_purchaseProtocol_Krasnodarskii_krai_20170221_000000_20170221_235959_daily_001.xml"
PAEP = ZAKUPKI / "223fz_purchaseProtocolPAEP_Tambovskaya_obl_20170217_000000_20170217_235959_daily_001.xml"
CONTRACT = ZAKUPKI / "223fz_contract_test2.xml"
COMMON_INFO = ZAKUPKI / "223fz_mobileapi_common-info_32109998392.json"
P, T, C = z.PURCHASE, z.TYPES, z.CONTRACT


def one(source):
    tenders = parse(source if isinstance(source, bytes) else str(source), stations=False)
    assert len(tenders) == 1
    return tenders[0]


def tree(path):
    return etree.fromstring(path.read_bytes())


def el(tag: str, text: str | None = None, *children) -> etree._Element:
    e = etree.Element(tag)
    e.text = text
    for c in children:
        e.append(c)
    return e


def xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- notices of the 2012-2014 schema (lot fields straight under lots/lot) ---------------------------------


def test_notice_2013_schema_amount_currency_items():
    t = one(OLD_NOTICE)
    assert t.kind == Kind.notice and t.source_format == "zakupki223/purchaseNotice"
    assert t.id == "31300177655"  # purchaseNoticeData/registrationNumber
    assert t.version == "1"  # purchaseNoticeData/version
    assert (t.method, t.method_code) == ("Запрос цен", "18010")  # purchaseCodeName, purchaseMethodCode
    assert t.published == datetime(2013, 3, 5, 16, 30, 49, tzinfo=MSK)  # publicationDateTime
    assert t.submission_deadline == datetime(2013, 3, 12, 8, 0, tzinfo=MSK)  # submissionCloseDateTime
    assert (t.customer.inn, t.customer.kpp) == ("0103005265", "010101001")  # customer/mainInfo/inn, kpp
    # lots/lot/initialSum 227674.00, lots/lot/currency/code RUB (digitalCode 810, the old rouble code)
    assert (t.amount, t.currency, t.amount_basis) == (Decimal("227674.00"), "RUB", "maximum price")
    [lot] = t.lots
    assert (lot.id, lot.amount, lot.currency) == ("1", Decimal("227674.00"), "RUB")  # lot/ordinalNumber
    assert lot.title == 'Поставка дорожных знаков для нужд ГУП РА "Кошехабльский ДРСУ"'  # lot/subject, trimmed
    place = "385400, Россия, Республика Адыгея, Кошехабльский район, аул Кошехабль, ул. Дружбы Народов, 74"
    assert lot.delivery_places == [place] and t.delivery_places == [place]  # lot/deliveryPlace (text)
    [item] = t.items  # lots/lot/lotItems/lotItem
    assert (item.code, item.code_scheme, item.name) == ("3599410", "OKDP", "Знаки дорожные")  # okdp/code, name
    assert [(c.scheme, c.code) for c in item.classifications] == [("OKVED", "28.75.27")]  # okved/code
    assert (item.quantity, item.unit_code, item.unit) == (Decimal(235), "796", "Штука")  # qty, okei/code, name
    assert (item.lot, item.id) == ("1", "5d1ccc91-1500-479f-b2f3-0248d09a8e64")  # lotItem/guid
    assert item.amount is None and item.unit_price is None  # a lot item states no price
    assert "warnings" not in t.extra


@pytest.mark.parametrize("root_name", ["purchaseNoticeAE", "purchaseNoticeAE94FZ", "purchaseNoticeOA",
                                       "purchaseNoticeOK", "purchaseNoticeZK", "purchaseNoticeEP",
                                       "purchaseNoticeIS", "purchaseNoticeAESMBO", "purchaseNoticeZKESMBO",
                                       "purchaseNoticeZPESMBO", "purchaseNoticeKESMBO"])
def test_every_notice_type_reads_the_2013_lot(root_name):
    """The 2013 notice renamed to each notice type of the schema (root and …Data element)."""
    root = tree(OLD_NOTICE)
    root.tag = f"{{{P}}}{root_name}"
    root.find(f"{{{P}}}body/{{{P}}}item/{{{P}}}purchaseNoticeData").tag = f"{{{P}}}{root_name}Data"
    t = one(xml(root))
    assert t.source_format == f"zakupki223/{root_name}"
    assert (t.id, t.amount, t.currency, len(t.items), t.customer.inn) == (
        "31300177655", Decimal("227674.00"), "RUB", 1, "0103005265")


def test_notice_2019_customer_method_and_plan_position():
    t = one(NOTICE_2019)
    assert t.id == "31908251995"  # registrationNumber
    # the customer's own method: purchaseMethodCode 75939, purchaseCodeName
    assert (t.method, t.method_code) == ("РСХБ_Запрос котировок в электронной форме", "75939")
    assert t.title.startswith("Запрос котировок в электронной форме №ЗКЭФ909/19-РФ на право заключения договора")
    assert (t.customer.inn, t.customer.name) == ("7725114488", 'АКЦИОНЕРНОЕ ОБЩЕСТВО "РОССИЙСКИЙ '
                                                               'СЕЛЬСКОХОЗЯЙСТВЕННЫЙ БАНК"')
    assert t.responsible.inn == "1655218458"  # placer/mainInfo/inn: the ETP operator
    # lot/lotData/initialSum, lotData/currency/code
    assert (t.amount, t.currency, t.amount_basis) == (Decimal("4385117.76"), "RUB", "maximum price")
    # lot/lotPlanInfo/planRegistrationNumber, positionNumber
    assert t.plan_refs == [PlanRef(plan_number="2180330736", position_number="3684")]
    [item] = t.items  # lotData/lotItems/lotItem
    assert (item.code, item.code_scheme, item.quantity, item.unit_code) == ("81.21.10.000", "OKPD2", Decimal(1),
                                                                            "876")
    assert [(c.scheme, c.code) for c in item.classifications] == [("OKVED2", "81.21")]
    assert t.delivery_places == ["Указано в извещении"]  # lotData/deliveryPlace/address


# --- the lot price shapes of the schema (made from the real 2019 notice) -----------------------------------


def _lot_data(root) -> etree._Element:
    return next(root.iter(f"{{{T}}}lotData"))


def _replace_sum(root, *new: etree._Element) -> None:
    """lotData/initialSum replaced by ``new`` (in its place: the schema's sequence)."""
    lot_data = _lot_data(root)
    initial = lot_data.find(f"{{{T}}}initialSum")
    for e in reversed(new):
        initial.addnext(e)
    lot_data.remove(initial)


def test_price_per_unit_under_a_maximum_contract_value():
    """lotData: commodityPrice (a price per unit) and maxContractPrice instead of initialSum: the amount is
    the maximum contract value, never the unit price; how much will be bought is not fixed."""
    root = tree(NOTICE_2019)
    _replace_sum(root, el(f"{{{T}}}commodityPrice", "1500.50"), el(f"{{{T}}}maxContractPrice", "990000.00"))
    t = one(xml(root))
    assert (t.amount, t.currency, t.amount_basis) == (Decimal("990000.00"), "RUB", "maximum contract value")
    assert t.quantity_undefined is True
    assert t.extra["lots"]["1"]["unit_price"] == Decimal("1500.50")
    assert t.lots[0].amount == Decimal("990000.00")


def test_price_formula_and_price_in_words():
    root = tree(NOTICE_2019)
    _replace_sum(root, el(f"{{{T}}}priceFormula", "Цена = ставка × объём"),
                 el(f"{{{T}}}maxContractPrice", "5000000"))
    t = one(xml(root))
    assert (t.amount, t.amount_basis, t.quantity_undefined) == (Decimal(5000000), "maximum contract value", True)
    assert t.extra["lots"]["1"]["price_formula"] == "Цена = ставка × объём"

    root = tree(NOTICE_2019)
    cur = _lot_data(root).find(f"{{{T}}}currency")
    _lot_data(root).remove(cur)
    _replace_sum(root, el(f"{{{T}}}initialSumInfo", "Цена определяется по итогам торгов"))
    t = one(xml(root))
    assert (t.amount, t.currency, t.amount_basis) == (None, None, None)  # no figure: none invented
    assert t.extra["lots"]["1"]["price_info"] == "Цена определяется по итогам торгов"


def test_lot_in_a_foreign_currency_with_its_rouble_equivalent():
    """currency as letterCode only, exchangeInfo, startingContractPriceRub (the schema's foreign-currency
    lot)."""
    root = tree(NOTICE_2019)
    lot_data = _lot_data(root)
    cur = lot_data.find(f"{{{T}}}currency")
    for c in list(cur):
        cur.remove(c)
    cur.append(el(f"{{{T}}}letterCode", "EUR"))
    cur.addnext(el(f"{{{T}}}exchangeInfo", None, el(f"{{{T}}}exchangeRate", "69.5"),
                   el(f"{{{T}}}exchangeRateDate", "2019-08-28")))
    lot_data.find(f"{{{T}}}initialSum").text = "63095.22"
    lot_data.find(f"{{{T}}}initialSum").addnext(el(f"{{{T}}}startingContractPriceRub", "4385117.79"))
    t = one(xml(root))
    assert (t.amount, t.currency) == (Decimal("63095.22"), "EUR")
    assert t.extra["lots"]["1"] == {"amount_rub": Decimal("4385117.79"), "exchange_rate": Decimal("69.5"),
                                    "exchange_rate_date": date(2019, 8, 28)}


def test_currency_given_only_by_its_numeric_code():
    root = tree(NOTICE_2019)
    code = _lot_data(root).find(f"{{{T}}}currency/{{{T}}}code")
    code.getparent().remove(code)  # digitalCode 643 left
    assert one(xml(root)).currency == "RUB"


def test_unit_price_of_a_lot_item_is_a_unit_price():
    root = tree(NOTICE_2019)
    lot_item = next(root.iter(f"{{{T}}}lotItem"))
    lot_item.append(el(f"{{{T}}}commodityItemPrice", "12.30"))
    [item] = one(xml(root)).items
    assert (item.unit_price, item.amount) == (Decimal("12.30"), None)


def test_cancelled_lot_is_left_out_of_the_amount():
    root = tree(NOTICE_2019)
    lot = next(root.iter(f"{{{T}}}lot"))
    second = copy.deepcopy(lot)
    second.find(f"{{{T}}}ordinalNumber").text = "2"
    second.find(f"{{{T}}}cancelled").text = "true"
    second.find(f".//{{{T}}}initialSum").text = "100"
    lot.addnext(second)
    t = one(xml(root))
    assert [(x.id, x.status) for x in t.lots] == [("1", None), ("2", "cancelled")]
    assert t.amount == Decimal("4385117.76")
    assert t.extra["warnings"] == ["lot 2 is cancelled: its price is not in amount"]


def test_joint_lot_priced_per_customer():
    """jointLotData/lotCustomers: each customer's part (lotCustomerData/initialSum) and plan position; the
    lot without lotData has the parts' sum."""
    root = tree(NOTICE_2019)
    lot = next(root.iter(f"{{{T}}}lot"))
    lot.remove(lot.find(f"{{{T}}}lotData"))
    joint = lot.find(f"{{{T}}}jointLotData")
    joint.find(f"{{{T}}}jointLot").text = "true"
    customers = el(f"{{{T}}}lotCustomers")
    for inn, amount, position in (("7725114488", "100.10", "11"), ("7701234567", "200.20", "12")):
        customers.append(el(
            f"{{{T}}}lotCustomer", None,
            el(f"{{{T}}}lotCustomerData", None,
               el(f"{{{T}}}currency", None, el(f"{{{T}}}code", "RUB")), el(f"{{{T}}}initialSum", amount)),
            el(f"{{{T}}}lotPlanInfo", None, el(f"{{{T}}}planRegistrationNumber", "2190000001"),
               el(f"{{{T}}}positionNumber", position)),
            el(f"{{{T}}}customerInfo", None, el(f"{{{T}}}fullName", "Заказчик"), el(f"{{{T}}}inn", inn))))
    joint.append(customers)
    t = one(xml(root))
    assert (t.amount, t.currency, t.amount_basis) == (Decimal("300.30"), "RUB", "maximum price")
    assert [(r.plan_number, r.position_number, r.customer_inn) for r in t.plan_refs] == [
        ("2190000001", "11", "7725114488"), ("2190000001", "12", "7701234567"),
        ("2180330736", "3684", None)]  # the customers', then the lot's own lotPlanInfo
    assert [c["amount"] for c in t.extra["lots"]["1"]["customers"]] == [Decimal("100.10"), Decimal("200.20")]


# --- protocols with several lots -------------------------------------------------------------------------


def _application(root) -> etree._Element:
    return next(root.iter(f"{{{P}}}application"))


def _second_lot(root, *, supplier: tuple[str, str], price: str, mark: str | None) -> None:
    """A second protocolLotApplications made from the real first: lot 2, another supplier."""
    block = next(root.iter(f"{{{P}}}protocolLotApplications"))
    second = copy.deepcopy(block)
    second.find(f"{{{P}}}lot/{{{P}}}ordinalNumber").text = "2"
    second.find(f"{{{P}}}lot/{{{P}}}initialSum").text = "500000"
    app = second.find(f"{{{P}}}application")
    app.find(f"{{{P}}}supplierInfo/{{{T}}}name").text, app.find(f"{{{P}}}supplierInfo/{{{T}}}inn").text = supplier
    app.find(f"{{{P}}}price").text = price
    if mark is not None:
        app.find(f"{{{P}}}accepted").addnext(el(f"{{{P}}}winnerIndication", mark))
    block.addnext(second)


def test_protocol_two_lots_two_winners():
    """The real envelope protocol (one lot, one application) with winnerIndication F (the winner) added,
    and a second lot won by another supplier."""
    root = tree(PROTOCOL)
    _application(root).find(f"{{{P}}}accepted").addnext(el(f"{{{P}}}winnerIndication", "F"))
    _second_lot(root, supplier=('ООО "Вторая"', "2310000002"), price="450000.50", mark="F")
    t = one(xml(root))
    assert [(lot.id, lot.amount) for lot in t.lots] == [("1", Decimal(1055628)), ("2", Decimal(500000))]
    assert [(a.lot, a.participant.inn, a.winner, a.price) for a in t.applications] == [
        ("1", "7710713055", True, Decimal(1055628)), ("2", "2310000002", True, Decimal("450000.50"))]
    assert [(s.inn, s.role) for s in t.suppliers] == [("7710713055", "supplier"), ("2310000002", "supplier")]
    # the awarded value: each lot's winning price (application/price), added up
    assert (t.amount, t.currency, t.amount_basis) == (Decimal("1505628.50"), "RUB", "awarded value")
    assert t.supplier.inn == "7710713055" and t.winner.inn == "7710713055"


def test_protocol_lot_without_a_winner_keeps_the_initial_sums():
    root = tree(PROTOCOL)
    _application(root).find(f"{{{P}}}accepted").addnext(el(f"{{{P}}}winnerIndication", "F"))
    _second_lot(root, supplier=('ООО "Вторая"', "2310000002"), price="450000.50", mark="S")
    t = one(xml(root))
    assert [s.inn for s in t.suppliers] == ["7710713055"]
    assert (t.amount, t.amount_basis) == (Decimal(1555628), "maximum price")  # lot/initialSum 1055628 + 500000
    assert t.extra["warnings"] == ["lot 2 has no single priced winner in this protocol: amount is the lots' "
                                   "initial sums, not the awarded value"]


def test_protocol_zk_scale_f_is_not_the_winner():
    """purchaseProtocolZK's winnerIndication (winnerIndication3): W the winner, F "offered the winner's
    price"."""
    root = tree(PROTOCOL)
    root.tag = f"{{{P}}}purchaseProtocolZK"
    root.find(f"{{{P}}}body/{{{P}}}item/{{{P}}}purchaseProtocolData").tag = f"{{{P}}}purchaseProtocolZKData"
    _application(root).find(f"{{{P}}}accepted").addnext(el(f"{{{P}}}winnerIndication", "F"))
    _second_lot(root, supplier=('ООО "Вторая"', "2310000002"), price="1", mark="W")
    t = one(xml(root))
    assert [(a.lot, a.winner) for a in t.applications] == [("1", False), ("2", True)]
    assert [s.inn for s in t.suppliers] == ["2310000002"]


def test_protocol_rank_one_is_the_winner_where_nothing_else_says():
    root = tree(PROTOCOL)
    app = _application(root)
    app.find(f"{{{P}}}accepted").text = "T"
    app.find(f"{{{P}}}accepted").addnext(el(f"{{{P}}}applicationRate", "1"))
    [a] = one(xml(root)).applications
    assert (a.rating, a.admitted, a.winner) == (1, True, True)


def test_protocol_participants_natural_person_and_foreign():
    root = tree(PROTOCOL)
    app = _application(root)
    app.find(f"{{{P}}}supplierInfo/{{{T}}}type").text = "P"
    app.find(f"{{{P}}}supplierInfo/{{{T}}}inn").text = "231500112233"  # a person's 12-digit INN
    foreign = copy.deepcopy(app)
    foreign.remove(foreign.find(f"{{{P}}}supplierInfo"))
    foreign.find(f"{{{P}}}provider").addnext(el(
        f"{{{P}}}nonResidentInfo", None, el(f"{{{T}}}type", "L"), el(f"{{{T}}}name", "Beijing Example Co."),
        el(f"{{{T}}}code", "91110000600037341L"),
        el(f"{{{T}}}country", None, el(f"{{{T}}}name", "КИТАЙ"), el(f"{{{T}}}digitalCode", "156"))))
    app.addnext(foreign)
    person, company = (a.participant for a in one(xml(root)).applications)
    assert (person.inn, person.entity, person.country) == ("231500112233", "individual", "RU")
    assert (company.name, company.inn, company.id_scheme, company.country, company.entity) == (
        "Beijing Example Co.", "91110000600037341L", "CN-TIN", "CN", "foreign")


def test_real_protocols_read_the_lot_currency_and_participant_kind():
    t = one(PAEP)  # protocolLotApplications/currency/code (the lot's fields inline), supplierInfo/type L
    assert (t.lots[0].currency, t.currency, t.amount) == ("RUB", "RUB", Decimal(362500))
    assert t.applications[0].participant.entity == "legal_entity"
    assert t.applications[0].lot == "1"  # protocolLotApplications/ordinalNumber


# --- contracts: supplier kinds, several suppliers, positions ----------------------------------------------


def _supplier(root) -> etree._Element:
    return next(root.iter(f"{{{C}}}supplierInfo"))


def test_contract_supplier_kinds():
    t = one(CONTRACT)
    assert (t.supplier.inn, t.supplier.entity, t.supplier.country) == ("2310140001", "legal_entity", "RU")
    assert t.amount_basis == "contract price"

    root = tree(CONTRACT)
    s = _supplier(root)
    s.find(f"{{{C}}}inn").text = "231001234567"  # a sole trader's 12-digit INN
    s.find(f"{{{C}}}type").text = "P"
    s.find(f"{{{C}}}subcontractor").addnext(el(f"{{{C}}}individual", "true"))
    foreign = copy.deepcopy(s)
    for tag in ("inn", "kpp"):
        foreign.remove(foreign.find(f"{{{C}}}{tag}"))
    foreign.find(f"{{{C}}}name").text = "Example GmbH"
    foreign.find(f"{{{C}}}okpo").addnext(el(f"{{{C}}}code", "DE123456789"))
    foreign.find(f"{{{C}}}type").text = "L"
    foreign.remove(foreign.find(f"{{{C}}}individual"))
    foreign.find(f"{{{C}}}nonResident").text = "true"
    country = foreign.find(f"{{{C}}}address/{{{C}}}country")
    country.find(f"{{{T}}}digitalCode").text = "276"
    s.addnext(foreign)
    t = one(xml(root))
    sole, gmbh = t.suppliers
    assert (sole.inn, sole.entity, sole.country) == ("231001234567", "sole_trader", "RU")
    assert (gmbh.inn, gmbh.id_scheme, gmbh.entity, gmbh.country) == ("DE123456789", "DE-TIN", "foreign", "DE")


def test_contract_position_unit_price_and_quantity_not_determined():
    root = tree(CONTRACT)
    pos = next(root.iter(f"{{{C}}}contractPosition"))
    pos.find(f"{{{C}}}qty").addnext(el(f"{{{C}}}unitPrice", "52.5"))
    t = one(xml(root))
    [item] = t.items
    assert (item.quantity, item.unit_price, item.amount) == (Decimal(1), Decimal("52.5"), None)

    pos.find(f"{{{C}}}impossibleToDetermineAttr").text = "true"  # "false" in the real contract
    t = one(xml(root))
    [item] = t.items
    assert (item.quantity, item.quantity_undefined, item.unit_price) == (None, True, Decimal("52.5"))
    assert t.quantity_undefined is True


def test_contract_plan_position_and_foreign_currency():
    root = tree(CONTRACT)
    data = next(root.iter(f"{{{C}}}contractData"))
    data.find(f"{{{C}}}lotNum").addnext(el(f"{{{C}}}planPosition", None,
                                               el(f"{{{T}}}planRegistrationNumber", "2180000077"),
                                               el(f"{{{T}}}positionNumber", "15")))
    price = data.find(f"{{{C}}}price")
    price.addnext(el(f"{{{C}}}rubPrice", "317962.72"))
    price.text = "4500.00"
    cur = data.find(f"{{{C}}}currency")
    cur.find(f"{{{T}}}code").text = "USD"
    t = one(xml(root))
    assert t.plan_refs == [PlanRef(plan_number="2180000077", position_number="15")]
    assert (t.amount, t.currency, t.extra["amount_rub"]) == (Decimal("4500.00"), "USD", Decimal("317962.72"))


# --- the mobile-API JSON -----------------------------------------------------------------------------------


def test_json_winner_plan_and_participant_kinds():
    doc = json.loads(COMMON_INFO.read_bytes())
    t = zj.parse_common_info(COMMON_INFO.read_bytes(), "32109998392")
    # noticeInfo.lots[0].reestrNumber: the plan's registry number; planPositionId is an internal id
    assert t.plan_refs == [PlanRef(plan_number="2200489574")]
    assert t.extra["lots"]["1"]["plan_position_id"] == "76651051029"
    assert t.amount_basis == "maximum price"  # lots[0].startingContractPrice
    [app] = t.applications
    assert (app.winner, app.lot) == (True, "1")  # contactSigned true
    app_raw = doc["noticeInfo"]["lots"][0]["lotApplications"][0]["applications"][0]
    person = dict(app_raw, customerName="Иванов Иван Иванович", inn="420500112233", physical=True)
    foreign = dict(app_raw, applicationNumber="2", customerName="Example LLP", notRFResident=True,
                   identificationNumber="123456789012", country={"digitalCode": "398"}, contactSigned=False)
    doc["noticeInfo"]["lots"][0]["lotApplications"][0]["applications"] = [person, foreign]
    t = zj.parse_common_info(json.dumps(doc).encode(), "32109998392")
    p, f = (a.participant for a in t.applications)
    assert (p.inn, p.entity, p.country) == ("420500112233", "individual", "RU")
    assert (f.inn, f.id_scheme, f.entity, f.country) == ("123456789012", "KZ-TIN", "foreign", "KZ")
    assert [s.inn for s in t.suppliers] == ["420500112233"]  # the one the contract was signed with


# --- purchase plans ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan():
    return one(PLAN)


def test_plan_head(plan):
    t = plan
    assert (t.kind, t.source_format, t.law) == (Kind.plan, "zakupki223/purchasePlan", "223-FZ")
    assert (t.id, t.version) == ("2180316803", "63")  # purchasePlanData/registrationNumber, version
    assert (t.customer.inn, t.customer.name) == ("7710043065", 'АКЦИОНЕРНОЕ ОБЩЕСТВО "МОСКАПСТРОЙ"')
    assert (t.execution_period.start, t.execution_period.end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert t.published == datetime(2019, 12, 30, 21, 23, 10, tzinfo=MSK)  # publicationDateTime
    assert t.extra["approved"] == date(2019, 12, 30)  # approveDate
    # annualVolume 409901014.6: the plan's own total (volumeSMB 94518312.04, percentSMB 23.06)
    assert (t.amount, t.currency, t.amount_basis) == (Decimal("409901014.6"), "RUB", "annual volume")
    assert (t.extra["volume_smb"], t.extra["percent_smb"]) == (Decimal("94518312.04"), Decimal("23.06"))
    assert t.url == "https://lk.zakupki.gov.ru/223/plan/private/plan/info/common-info.html?planInfoId=3829153"


def test_plan_positions_are_the_items(plan):
    t = plan
    assert len(t.items) == 209  # purchasePlanItems/purchasePlanItem: 209; the 20 of purchasePlanItemsSMB repeat
    assert len(t.extra["positions"]) == 209 and sum(1 for p in t.extra["positions"] if p.get("smb")) == 20
    first, info = t.items[0], t.extra["positions"][0]
    assert (first.id, first.name) == ("1", "Поставка питьевой воды")  # ordinalNumber, contractSubject
    assert (first.code, first.code_scheme) == ("11.07.11.121", "OKPD2")  # purchasePlanRowItem/okpd2/code
    assert [(c.scheme, c.code) for c in first.classifications] == [("OKVED2", "11.07")]  # okved2/code
    assert (first.quantity, first.unit_code, first.unit) == (Decimal(1200), "796", "Штука")  # qty, okei
    assert first.amount == Decimal("290000.00") and first.currency is None  # maximumContractPrice, RUB
    assert first.delivery_places == ["Москва"]  # region
    assert info == {"number": "1", "guid": "0edbb9f0-5be2-478f-a971-9b78878a40d0", "status": "P",
                    "year": "2019", "quarter": "1", "month": "1", "contract_end": date(2019, 12, 1),
                    "method": "Закупка у единственного поставщика (подрядчика, исполнителя) (до 01.07.18)",
                    "method_code": "3363", "electronic": False, "long_term": False, "smb": True}
    assert sum(i.amount for i in t.items) == t.extra["positions_total"] == Decimal("1166063136.93")
    assert t.extra["warnings"] == [
        "18 position(s) are shared with other plans (shared: counted in several plans)",
        "amount is the plan's annual volume (annualVolume), computed by the law's rules: the positions' "
        "maximum prices (extra.positions_total) do not add up to it"]


def test_plan_long_term_position_by_year(plan):
    i = next(n for n, it in enumerate(plan.items) if it.id == "3")
    item, info = plan.items[i], plan.extra["positions"][i]
    assert (item.name, item.amount) == ("Предоставление банковских гарантий", Decimal("5319608.00"))
    # longTermVolumes/details/longTermVolumeDetail: year, summ; longTermVolumes/volume
    assert info["by_year"] == {"2018": Decimal(0), "2019": Decimal(3400453), "2020": Decimal(1919155)}
    assert (info["long_term"], info["long_term_volume"]) == (True, Decimal(5319608))
    assert (info["year"], info["quarter"], info["month"]) == ("2018", "4", "12")  # purchasePeriod*


def test_plan_position_with_many_rows_and_a_planned_date(plan):
    i = next(n for n, it in enumerate(plan.items) if it.id == "43")
    item, info = plan.items[i], plan.extra["positions"][i]
    assert (item.name, item.amount) == ("Закупка малого объема (до 500 тыс. рублей)", Decimal("3000000.00"))
    assert item.quantity is None and len(info["rows"]) == 81  # 81 purchasePlanRowItem, quantities not fixed
    assert info["rows"][0] == {"code": "01", "code_scheme": "OKPD2", "okved2": "01", "quantity_not_determined": True}
    assert info["planned_date"] == date(2019, 1, 1)  # purchasePlannedDate


def test_plan_annulled_position_and_no_annual_volume():
    """A position annulled (status A) is not an item; without annualVolume the amount is the positions'
    sum (made from the real plan)."""
    root = tree(PLAN)
    ns = "http://zakupki.gov.ru/223fz/purchasePlan/1"
    data = next(root.iter(f"{{{ns}}}purchasePlanData"))
    data.remove(data.find(f"{{{ns}}}annualVolume"))
    next(data.iter(f"{{{ns}}}purchasePlanItem")).find(f"{{{ns}}}status").text = "A"
    t = one(xml(root))
    assert len(t.items) == 208 and t.items[0].id == "2"
    assert t.extra["annulled_positions"] == [{"number": "1", "guid": "0edbb9f0-5be2-478f-a971-9b78878a40d0",
                                             "name": "Поставка питьевой воды", "amount": Decimal("290000.00"),
                                             "currency": "RUB"}]
    assert (t.amount, t.amount_basis) == (Decimal("1166063136.93") - Decimal("290000.00"), "positions' sum")


# --- through the CLI ----------------------------------------------------------------------------------------


def test_cli_plan_ingest_list_export_spending(cli, tmp_path):
    store = str(tmp_path / "store")
    r = cli("ingest", "--store", store, str(PLAN))
    assert r.exit_code == 0, r.stderr
    r = cli("list", "--store", store, "--kind", "plan", "--format", "json")
    assert r.exit_code == 0, r.stderr
    [row] = json.loads(r.stdout)
    assert (row["id"], row["kind"], row["amount"], row["n_items"]) == ("2180316803", "plan", "409901014.6", 209)
    out = tmp_path / "items.csv"
    r = cli("export", "--store", store, "--table", "items", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 210 and lines[1].startswith("2180316803,63,plan,2019,7710043065,1,,Поставка питьевой воды,"
                                                     "11.07.11.121,OKPD2,1200,Штука,796,,290000.00,false,RUB")
    for table in ("documents", "parties", "stations", "attachments"):
        r = cli("export", "--store", store, "--table", table, "-o", str(tmp_path / f"{table}.csv"))
        assert r.exit_code == 0, r.stderr
    r = cli("spending", "--store", store, "--kind", "plan", "--format", "json")
    assert r.exit_code == 0, r.stderr
    [group] = json.loads(r.stdout)
    assert (group["year"], group["kind"], group["currency"], group["count"], group["amount"]) == (
        2019, "plan", "RUB", 1, "409901014.6")


def test_cli_show_plan(cli):
    r = cli("show", "--format", "json", str(PLAN))
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert (d["kind"], d["id"], d["amount"], d["amount_basis"]) == ("plan", "2180316803", "409901014.6",
                                                                    "annual volume")
    assert d["items"][0]["amount"] == "290000.00"


ALL_223 = sorted([*ZAKUPKI.glob("223fz_*"), *MORE.glob("*223fz*"), *MORE.glob("purchase*")])


@pytest.mark.parametrize("path", ALL_223, ids=lambda p: p.name[:50])
def test_every_223fz_fixture_shows_amount_currency_and_items(cli, path):
    """Nothing refused; amount and currency where the document has a price, a supplier where a contract
    names one, items where the document lists goods."""
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    for d in out if isinstance(out, list) else [out]:
        if d["kind"] in ("notice", "protocol", "contract", "plan", "contract_execution"):
            assert d["amount"] is not None and d["currency"], d["id"]
        if d["kind"] == "contract" and b"supplierInfo>" in path.read_bytes():
            assert d["supplier"] and d["supplier"]["name"]
        if d["kind"] in ("notice", "contract", "plan"):
            assert d["items"], d["id"]
        priced = [Decimal(i["amount"]) for i in d["items"] if i["amount"] is not None]
        if priced and sum(priced) != Decimal(d["amount"] or 0):  # the items add up, or a warning says why not
            assert d["extra"].get("warnings"), d["id"]


# --- the other documents of the schema: no real sample; made from the XSD with the real 2013 notice's parts -


def _packet(ns: str, root_name: str, *children: etree._Element) -> bytes:
    data = el(f"{{{ns}}}{root_name}Data", None, *children)
    body = el(f"{{{ns}}}body", None, el(f"{{{ns}}}item", None, el(f"{{{T}}}guid", "0000"), data))
    return xml(el(f"{{{ns}}}{root_name}", None, body))


def _old_notice_part(path: str) -> etree._Element:
    return copy.deepcopy(tree(OLD_NOTICE).find(path, {"p": P, "t": T}))


def test_purchase_contract_of_the_purchase_schema():
    """purchaseContract (purchase.xsd purchaseContractDataType): sum, currency, customerInfo, supplier/mainInfo
    (supplierMainInfoType), contractItems/contractItem (the 2013 notice's lotItem fields)."""
    customer = _old_notice_part(".//p:customer/t:mainInfo")
    customer.tag = f"{{{P}}}customerInfo"
    item = _old_notice_part(".//t:lotItem")
    item.tag = f"{{{P}}}contractItem"
    data = _packet(P, "purchaseContract",
                   el(f"{{{P}}}guid", "c0ffee"), el(f"{{{P}}}registrationNumber", "31300177655-01"),
                   el(f"{{{P}}}contractCreateDate", "2013-03-20"),
                   el(f"{{{P}}}lot", None, el(f"{{{T}}}subject", "Поставка дорожных знаков")),
                   el(f"{{{P}}}currency", None, el(f"{{{T}}}code", "RUB")), el(f"{{{P}}}sum", "220000.00"),
                   el(f"{{{P}}}purchaseInfo", None, el(f"{{{T}}}purchaseNoticeNumber", "31300177655")),
                   customer,
                   el(f"{{{P}}}supplier", None, el(f"{{{T}}}mainInfo", None, el(f"{{{T}}}name", "ИП Петров П. П."),
                                                   el(f"{{{T}}}inn", "010500123456"), el(f"{{{T}}}type", "P"))),
                   el(f"{{{P}}}contractItems", None, item))
    t = one(data)
    assert (t.kind, t.id, t.notice_id, t.source_format) == (Kind.contract, "31300177655-01", "31300177655",
                                                            "zakupki223/purchaseContract")
    assert (t.amount, t.currency, t.amount_basis, t.signed) == (Decimal("220000.00"), "RUB", "contract price",
                                                                date(2013, 3, 20))
    assert t.customer.inn == "0103005265"
    assert (t.supplier.inn, t.supplier.entity) == ("010500123456", "individual")  # type P: a natural person
    [i] = t.items
    assert (i.code, i.quantity) == ("3599410", Decimal(235))


def test_cancellations():
    placer = _old_notice_part(".//p:placer")
    t = one(_packet(P, "purchaseRejection", el(f"{{{P}}}guid", "r1"),
                    el(f"{{{P}}}cancelNoticeRegistrationNumber", "31300177655"),
                    el(f"{{{P}}}name", "Поставка дорожных знаков"),
                    el(f"{{{P}}}publicationDateTime", "2013-03-07T10:00:00"),
                    el(f"{{{P}}}rejectionDate", "2013-03-06T00:00:00"), el(f"{{{P}}}causeForRejection", "Нет нужды"),
                    placer))
    assert (t.kind, t.id, t.notice_id, t.extra["reason"]) == (Kind.cancellation, "31300177655", "31300177655",
                                                             "Нет нужды")
    assert t.extra["decision_date"] == datetime(2013, 3, 6, tzinfo=MSK) and t.customer.inn == "0103005265"

    t = one(_packet(P, "purchaseLotCancellation", el(f"{{{P}}}guid", "l1"),
                    el(f"{{{P}}}purchaseInfo", None, el(f"{{{T}}}purchaseNoticeNumber", "31300177655")),
                    el(f"{{{P}}}cancelledLots", None, el(
                        f"{{{P}}}cancelledLot", None, el(f"{{{P}}}ordinalNumber", "2"), el(f"{{{P}}}subject", "Лот 2"),
                        el(f"{{{P}}}cancellation", None, el(f"{{{T}}}cancelDate", "2013-03-08"),
                           el(f"{{{T}}}cancelInfo", "Ошибка в документации"))))))
    assert [(x.id, x.status) for x in t.lots] == [("2", "cancelled")]
    assert (t.extra["lot_reasons"], t.extra["decision_date"]) == ({"2": "Ошибка в документации"}, date(2013, 3, 8))

    t = one(_packet(P, "protocolCancellation", el(f"{{{P}}}guid", "p1"),
                    el(f"{{{P}}}purchaseInfo", None, el(f"{{{T}}}purchaseNoticeNumber", "31704712239")),
                    el(f"{{{P}}}protocolInfo", None, el(f"{{{P}}}registrationNumber", "31704712239-01")),
                    el(f"{{{P}}}cancellationReason", "Предписание ФАС")))
    assert (t.id, t.extra["protocol_number"], t.extra["reason"]) == ("31704712239", "31704712239-01",
                                                                    "Предписание ФАС")

    t = one(_packet(C, "contractCancellation", el(f"{{{C}}}guid", "k1"),
                    el(f"{{{C}}}contractRegNumber", "50105018196180000870000"),
                    el(f"{{{C}}}contractInfo", None, el(f"{{{C}}}supplierName", 'ООО "КНК"')),
                    el(f"{{{C}}}baseContractCancellationName", "Соглашение сторон"),
                    el(f"{{{C}}}completionDate", "2018-09-01T00:00:00")))
    assert (t.kind, t.id, t.contract_id, t.supplier.name) == (Kind.cancellation, "50105018196180000870000",
                                                             "50105018196180000870000", 'ООО "КНК"')
    assert t.extra["reason"] == "Соглашение сторон"


@pytest.mark.parametrize("path", [OLD_NOTICE, NOTICE_2019], ids=lambda p: p.name[:40])
def test_fields_record_matches_elementpath_on_the_new_notices(path):
    """As in test_zakupki223: the one-walk reader gives what ElementPath's first non-empty match gives."""
    [(data, p)] = list(z.iter_data(tree(path)))
    groups = [v for v in vars(p).values() if isinstance(v, z.Fields) and v is not p.nav]
    checked = 0
    for e in data.iter():
        if not isinstance(e.tag, str) or len(e) == 0:
            continue
        for group in groups:
            got = group.record(e)
            for name, clark in group.paths.items():
                want = next((x.text.strip() for x in e.findall(clark) if x.text and x.text.strip()), None)
                assert got.get(name) == want, (e.tag, name)
                checked += want is not None
    assert checked > 20


def test_plan_fields_record_matches_elementpath():
    from tenderscan.formats.zakupki223 import plan as zp

    [(data, p)] = list(z.iter_data(tree(PLAN)))
    g = zp._plan(p.types_ns)
    checked = 0
    for e in data.iter():
        if not isinstance(e.tag, str) or len(e) == 0:
            continue
        for group in (g.data, g.position, g.row, g.year):
            got = group.record(e)
            for name, clark in group.paths.items():
                want = next((x.text.strip() for x in e.findall(clark) if x.text and x.text.strip()), None)
                assert got.get(name) == want, (e.tag, name)
                checked += want is not None
    assert checked > 1000


def test_protocol_vk_lot_applications():
    """purchaseProtocolVK names its blocks protocolVKLotApplications (made from the real protocol)."""
    root = tree(PROTOCOL)
    root.tag = f"{{{P}}}purchaseProtocolVK"
    root.find(f"{{{P}}}body/{{{P}}}item/{{{P}}}purchaseProtocolData").tag = f"{{{P}}}purchaseProtocolVKData"
    next(root.iter(f"{{{P}}}protocolLotApplications")).tag = f"{{{P}}}protocolVKLotApplications"
    t = one(xml(root))
    assert [(x.id, x.amount) for x in t.lots] == [("1", Decimal(1055628))]
    assert [(a.lot, a.participant.inn) for a in t.applications] == [("1", "7710713055")]


def test_amount_basis_of_the_other_223fz_documents():
    assert one(ZAKUPKI / "223fz_contractCompleting.xml").amount_basis == "payments"  # positions/total
    account = ZAKUPKI / "223fz_purchaseContractAccount_Habarovskii_krai_20170201_000000_20170228_235959_009.xml"
    assert one(account).amount_basis == "contracts' total"  # contractsOverallCost


def test_contract_long_term_payments_by_year():
    root = tree(CONTRACT)
    data = next(root.iter(f"{{{C}}}contractData"))
    data.find(f"{{{C}}}endExecutionDate").addnext(el(
        f"{{{C}}}longTermContractVolumes", None,
        el(f"{{{C}}}details", None,
           el(f"{{{C}}}longTermContractVolumeDetail", None, el(f"{{{C}}}year", "2018"), el(f"{{{C}}}summ", "100")),
           el(f"{{{C}}}longTermContractVolumeDetail", None, el(f"{{{C}}}year", "2019"),
              el(f"{{{C}}}summ", "317862.72"))),
        el(f"{{{C}}}volume", "317962.72")))
    t = one(xml(root))
    assert t.extra["by_year"] == {"2018": Decimal(100), "2019": Decimal("317862.72")}


def test_json_wrapped_in_data_and_priced_per_unit():
    """The portal's web answer wraps the same object as {"data": ..., "error": null} (the real answer's
    object wrapped); a lot with commodityPrice is priced per unit under a maximum contract value."""
    doc = json.loads(COMMON_INFO.read_bytes())
    doc["noticeInfo"]["lots"][0]["commodityPrice"] = 52.5
    t = zj.parse_common_info(json.dumps({"data": doc, "error": None}).encode(), "32109998392")
    assert (t.amount, t.amount_basis, t.quantity_undefined) == (Decimal(21200000), "maximum contract value", True)
    assert t.extra["lots"]["1"]["unit_price"] == Decimal("52.5")
    with pytest.raises(z.ParseError, match="an error: not found"):
        zj.parse_common_info(b'{"data": null, "error": "not found", "noticeInfo_": 1}', "1")
