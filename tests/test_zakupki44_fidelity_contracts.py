"""Issue 13, 44-FZ contracts, contract procedures and protocols: suppliers and participants that are not
Russian legal entities (sole traders, natural persons, foreign entities and persons), 94-FZ-era contracts,
plan references and the amount basis of contracts, protocols with several lots, payments in several
currencies.

Values are read by hand from the XML; each assertion names the path it comes from. Where no real document
shows a shape, the test builds it from a real fixture by replacing one block with the shape the portal's
schema defines, and says so (the schema each shape comes from is named there).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from lxml import etree

from tenderscan import parse
from tenderscan.models import Kind

from .conftest import FIXTURES, ZAKUPKI, run

MORE = FIXTURES / "zakupki-more"
C94_DRUGS = MORE / "94fz_contract_2014_0303200051314000002.xml"
C94_TWO = MORE / "94fz_contract_2013_0103100008814000023.xml"
C2020 = MORE / "44fz_contract_2020_quantityUndefined_1055400213020000032.xml"
LAB = ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml"
ROAD = ZAKUPKI / "44fz_contracts_export_contractProcedure_2790102219315000001_78236879.xml"
EZK2 = ZAKUPKI / "44fz_ep_export_epProtocolEZK2_2020_0373200554120000039_30312504.xml"
EF3_2020 = ZAKUPKI / "44fz_fcs_export_fcsProtocolEF3_2020_0873500000820003425_30311379.xml"
EF3_2017 = ZAKUPKI / "44fz_fcs_export_fcsProtocolEF3_0111100000217000017_15585361.xml"
P615 = ZAKUPKI / "44fz_pprf615_export_pprf615ProtocolEF2_2020_027300000012001473_30313173.xml"

TYPES = "http://zakupki.gov.ru/oos/types/1"
COMMON = "http://zakupki.gov.ru/oos/common/1"
BASE = "http://zakupki.gov.ru/oos/base/1"


def one(source):
    [t] = parse(source if isinstance(source, bytes) else str(source), stations=False)
    return t


def replace_block(path, start: str, end: str, new: str) -> bytes:
    """The real document with the text from ``start`` to ``end`` (inclusive, first occurrence) replaced."""
    text = path.read_text("utf-8")
    i = text.index(start)
    j = text.index(end, i) + len(end)
    return (text[:i] + new + text[j:]).encode("utf-8")


def with_supplier(block: str) -> bytes:
    """The real LAB contract (schemeVersion 6.3, default namespace oos/types/1) with its suppliers block
    replaced by ``block``."""
    return replace_block(LAB, "<suppliers>", "</suppliers>", block)


# --- 94-FZ-era contracts (schemeVersion 1.0) --------------------------------------------------------------


def test_94fz_contract_with_98_drug_products():
    t = one(C94_DRUGS)
    # export/contract/@schemeVersion 1.0; oos:regNum, oos:versionNumber
    assert (t.kind, t.id, t.version, t.extra["scheme_version"]) == (Kind.contract, "0303200051314000002", "0", "1.0")
    assert t.signed == date(2014, 1, 13)  # oos:signDate
    assert t.published == datetime(2014, 1, 13, 16, 11, 44, tzinfo=timezone.utc)  # oos:publishDate ...Z
    # oos:foundation/oos:oosOrder/oos:notificationNumber, oos:lotNumber, oos:placing
    assert (t.notice_id, t.extra["lot_number"], t.method_code) == ("0303200051313000017", "1", "7")
    # oos:price, oos:currency/oos:code: the contract price
    assert (t.amount, t.currency, t.amount_basis) == (Decimal("990355.93"), "RUB", "contract price")
    # oos:customer/oos:regNum, oos:inn, oos:kpp
    assert (t.customer.reg_num, t.customer.inn, t.customer.kpp) == ("03032000513", "0560026308", "057301001")
    [s] = t.suppliers
    # oos:suppliers/oos:supplier: participantType U (legal entity of Russia), inn, kpp, organizationName
    # (published with its closing quote missing), country/countryCode 643, factualAddress, contactPhone
    assert (s.inn, s.kpp, s.entity, s.country, s.role) == ("0541017026", "057001001", "legal_entity", "RU", "supplier")
    assert s.name == 'Общество с ограниченной ответственностью "Медфармаснаб'
    assert (s.address, s.phone) == ("г. Махачкала, ул. Г.Далгата 15/41", "8-8722-674835")
    assert s.contact is None  # oos:contactInfo is the supplier's contact person, not its name
    # 98 oos:products/oos:product with price, quantity and sum; the sums add up to oos:price
    assert len(t.items) == 98
    first = t.items[0]
    assert (first.name, first.code, first.code_scheme) == (
        "Кардикет® таблетки пролонгированного действия 20мг №50", "24.42.13.728", "OKPD")
    assert (first.unit_price, first.quantity, first.amount, first.unit, first.unit_code) == (
        Decimal("118.89"), Decimal("5"), Decimal("594.45"), "УПАК", "778")
    assert t.items_total == t.amount
    assert t.extra["protocol_date"] == date(2013, 12, 30)  # oos:protocolDate
    assert t.extra["document_base"] == "Протокол подведения итогов аукциона №0303200051313000017-2 от 30.12.2013"
    assert t.extra["execution_month"] == "2014-12"  # oos:executionDate/oos:month 12, oos:year 2014
    # oos:singleCustomerReason/oos:name (the 94-FZ ground, here a single application)
    assert t.extra["single_supplier_reason"].startswith("Пункт 8 части 2 статьи 55 – представлена только одна")


def test_94fz_contract_with_two_suppliers():
    t = one(C94_TWO)
    assert (t.id, t.signed) == ("0103100008814000023", date(2013, 12, 31))  # oos:regNum, oos:signDate
    assert (t.amount, t.currency) == (Decimal("59748"), "RUB")  # oos:price, oos:currency/oos:code
    assert t.extra["single_supplier"] is True  # oos:foundation/oos:singleCustomer = true
    assert t.notice_id is None  # no notice: a single-supplier contract
    a, b = t.suppliers  # two oos:suppliers/oos:supplier, both participantType U
    assert (a.inn, a.kpp, a.entity, a.country) == ("0572002439", "054843001", "legal_entity", "RU")
    assert a.name.startswith('Федеральное государственное казенное учреждение "Управление вневедомственной')
    assert (a.address, a.phone) == ("368500, Республика Дагестан, г.Избербаш, ул.Леваневского,9", "7-245-24071")
    assert (b.inn, b.kpp, b.entity) == ("7719555477", "057143001", "legal_entity")
    assert b.name == 'Федеральное государственное унитарное предприятие "Охрана" Министерства внутренних дел Российской Федерации'
    [it] = t.items  # one service: oos:price 59748 and oos:sum 59748, no quantity
    assert (it.unit_price, it.amount, it.quantity, it.unit) == (Decimal("59748"), Decimal("59748"), None, "УСЛ ЕД")


@pytest.mark.parametrize(
    ("ptype", "extra", "entity", "inn", "scheme", "country"),
    [
        # participantType B: a sole trader of Russia (12-digit INN)
        ("B", "<oos:inn>054800317290</oos:inn>", "sole_trader", "054800317290", None, "RU"),
        # P: a natural person of Russia
        ("P", "<oos:inn>054800317290</oos:inn>", "individual", "054800317290", None, "RU"),
        # UF: a legal entity of a foreign state with its own identification number (idNumber), Belarus (112)
        ("UF", "<oos:idNumber>190542056</oos:idNumber>", "foreign", "190542056", "BY-TIN", "BY"),
    ],
)
def test_94fz_flat_supplier_kinds(ptype, extra, entity, inn, scheme, country):
    # Built from the real 94-FZ contract: its first supplier's participantType, inn and country replaced by
    # the other kinds the schema's participantType allows (P, PF, U, UF; B, BF from 2014)
    code = "112" if country == "BY" else "643"
    block = (f"<oos:supplier><oos:participantType>{ptype}</oos:participantType>{extra}"
             "<oos:organizationName>ИВАНОВ ИВАН ИВАНОВИЧ</oos:organizationName>"
             f"<oos:country><oos:countryCode>{code}</oos:countryCode></oos:country>"
             "<oos:factualAddress>г. Махачкала</oos:factualAddress></oos:supplier>")
    data = replace_block(C94_TWO, "<oos:supplier>", "</oos:supplier>", block)
    s = one(data).suppliers[0]
    assert (s.entity, s.inn, s.id_scheme, s.country, s.name) == (entity, inn, scheme, country, "ИВАНОВ ИВАН ИВАНОВИЧ")


# --- 2015+ contracts: the other supplier shapes -----------------------------------------------------------


def test_contract_2020_plan_reference_ikz_and_maximum_price():
    t = one(C2020)
    # foundation/fcsOrder/singleCustomer/tenderPlan2020Info/plan2020Number, position2020Number (common/1)
    # and foundation/fcsOrder/singleCustomer/purchaseCode (the IKZ); the customer's INN from customer/inn
    [ref] = t.plan_refs
    assert (ref.plan_number, ref.position_number, ref.ikz, ref.customer_inn) == (
        "202001034000003001", "202001034000003001000130", "201055400213005720100101271235629244", "0554002130")
    # priceInfo/price with priceType MP: the maximum value of the price (quantities not fixed)
    assert (t.amount, t.currency, t.amount_basis) == (Decimal("2637599.51"), "RUB", "maximum contract price")
    assert t.extra["price_type"] == "MP"
    # foundation/fcsOrder/singleCustomer/reason/name
    assert t.extra["single_supplier_reason"].startswith("Осуществление закупки для государственных нужд у единственного")
    [s] = t.suppliers  # suppliers/supplier/legalEntityRF
    assert (s.inn, s.kpp, s.entity, s.country) == ("9105013451", "910501001", "legal_entity", "RU")
    assert (s.email, s.phone) == ("contract@agro-optima.ru", "7-926-6832705")  # contactEMail, contactPhone
    assert (t.responsible.role_code, t.responsible_role) == ("CU", "CU")  # placer/responsibleRole


@pytest.mark.parametrize(("code", "basis"), [("P", "contract price"), ("OP", "approximate contract price")])
def test_contract_price_type_says_what_the_amount_is(code, basis):
    # priceInfo/priceType: P the contract price, OP its approximate value (BaseTypes.xsd
    # electronicContractPriceType); built from the real LAB contract with the code replaced
    data = replace_block(LAB, "<priceType>", "</priceType>", f"<priceType>{code}</priceType>")
    assert one(data).amount_basis == basis


def test_contract_price_basis_of_a_real_contract():
    t = one(LAB)  # priceInfo/priceType P: the contract price
    assert (t.amount, t.amount_basis, t.extra["price_type"]) == (Decimal("1207680.35"), "contract price", "P")
    assert t.plan_refs == []  # the 2016 contract names no plan position
    [s] = t.suppliers
    assert (s.entity, s.country) == ("legal_entity", "RU")


# Built from the real LAB contract: suppliers/supplier/legalEntityRF replaced by the other children of
# zfcs_contract2015SupplierType (IntegrationTypes.xsd 11.0, the schema of 2015-2021 contracts):
# individualPersonRF (lastName, firstName, middleName, INN, isIP, address, contactEMail, contactPhone),
# legalEntityForeignState (fullName, fullNameLat, taxPayerCode, registerInRFTaxBodies/INN+KPP,
# placeOfStayInRegCountry/country/countryCode + address), individualPersonForeignState (names, names in
# Latin letters, taxPayerCode, placeOfStayInRegCountry), notPublishedOnEIS.
PERSON_RF = """<suppliers><supplier><individualPersonRF>
  <lastName>Кузнецова</lastName><firstName>Анна</firstName><middleName>Петровна</middleName>
  <INN>682900123456</INN>{is_ip}<registrationDate>2012-03-01</registrationDate>
  <OKTMO><code>68701000</code><name>город Тамбов</name></OKTMO>
  <address>392000, г Тамбов, ул Советская, 1</address>
  <contactEMail>anna@example.ru</contactEMail><contactPhone>7-4752-000000</contactPhone>
</individualPersonRF></supplier></suppliers>"""


def test_contract_sole_trader_supplier():
    t = one(with_supplier(PERSON_RF.format(is_ip="<isIP>true</isIP>")))
    [s] = t.suppliers
    # individualPersonRF with isIP true: a sole trader; name from lastName firstName middleName; INN 12 digits
    assert (s.entity, s.name, s.inn, s.kpp, s.country) == (
        "sole_trader", "Кузнецова Анна Петровна", "682900123456", None, "RU")
    assert (s.address, s.email, s.phone, s.role) == (
        "392000, г Тамбов, ул Советская, 1", "anna@example.ru", "7-4752-000000", "supplier")
    assert t.supplier == s


def test_contract_natural_person_supplier():
    [s] = one(with_supplier(PERSON_RF.format(is_ip=""))).suppliers
    assert (s.entity, s.name, s.inn) == ("individual", "Кузнецова Анна Петровна", "682900123456")


FOREIGN_LE = """<suppliers><supplier><legalEntityForeignState>
  <fullName>ТОВАРИЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "СТЕПЬ"</fullName><fullNameLat>STEP LLP</fullNameLat>
  <taxPayerCode>050540004455</taxPayerCode>{register}
  <placeOfStayInRegCountry><country><countryCode>398</countryCode><countryFullName>Республика Казахстан</countryFullName></country>
    <address>Республика Казахстан, г. Алматы, пр. Абая, 1</address>
    <contactEMail>step@example.kz</contactEMail><contactPhone>7-727-0000000</contactPhone></placeOfStayInRegCountry>
</legalEntityForeignState></supplier></suppliers>"""


def test_contract_foreign_legal_entity_supplier():
    [s] = one(with_supplier(FOREIGN_LE.format(register=""))).suppliers
    # taxPayerCode (the tax number in the country of registration) with its scheme; country from OKSM 398
    assert (s.entity, s.inn, s.id_scheme, s.country) == ("foreign", "050540004455", "KZ-TIN", "KZ")
    assert s.name == 'ТОВАРИЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "СТЕПЬ"'  # fullName (fullNameLat when absent)
    assert (s.address, s.email, s.phone) == (
        "Республика Казахстан, г. Алматы, пр. Абая, 1", "step@example.kz", "7-727-0000000")


def test_contract_foreign_legal_entity_registered_in_russia():
    register = ("<registerInRFTaxBodies><INN>9909012345</INN><KPP>773851001</KPP>"
                "<registrationDate>2015-01-01</registrationDate></registerInRFTaxBodies>")
    [s] = one(with_supplier(FOREIGN_LE.format(register=register))).suppliers
    # registerInRFTaxBodies/INN and KPP: the Russian INN is the identifier (id_scheme: the default RU-INN)
    assert (s.entity, s.inn, s.kpp, s.id_scheme, s.country) == ("foreign", "9909012345", "773851001", None, "KZ")


def test_contract_foreign_person_supplier():
    block = """<suppliers><supplier><individualPersonForeignState>
      <lastName>Петренко</lastName><firstName>Олег</firstName>
      <lastNameLat>Petrenko</lastNameLat><firstNameLat>Oleg</firstNameLat>
      <taxPayerCode>1234567890</taxPayerCode>
      <placeOfStayInRegCountry><country><countryCode>112</countryCode></country>
        <address>Беларусь, г. Минск</address><contactEMail>o@example.by</contactEMail>
        <contactPhone>375-17-0000000</contactPhone></placeOfStayInRegCountry>
    </individualPersonForeignState></supplier></suppliers>"""
    [s] = one(with_supplier(block)).suppliers
    assert (s.entity, s.name, s.inn, s.id_scheme, s.country) == (
        "foreign", "Петренко Олег", "1234567890", "BY-TIN", "BY")


def test_contract_withheld_supplier():
    # supplier/notPublishedOnEIS: the register withholds the supplier (art. 103 part 5 of 44-FZ)
    t = one(with_supplier("<suppliers><supplier><notPublishedOnEIS>true</notPublishedOnEIS></supplier></suppliers>"))
    assert (t.suppliers, t.extra["suppliers_not_published"]) == ([], 1)


def test_contract_2022_suppliers_info_sole_trader():
    # Built from the real 2020 contract: suppliers replaced by suppliersInfo/supplierInfo, the 2022+ shape
    # (schemeVersion 13+: legalEntityRF/EGRULInfo, individualPersonRFIndEntr/EGRIPInfo with the contacts
    # in otherInfo; the IntegrationTypes.xsd of the 16.2.6.9 package here is empty, the element names are
    # those real 2022+ exports carry, as read by published parsers of them)
    block = """<suppliersInfo><supplierInfo><individualPersonRFIndEntr>
      <EGRIPInfo><OGRNIP>323723200081561</OGRNIP><lastName>ВЫШЕГОРОДСКИХ</lastName><firstName>ПАВЕЛ</firstName>
        <middleName>АНАТОЛЬЕВИЧ</middleName><INN>720404599455</INN>
        <address>625063, Тюменская обл, г Тюмень</address></EGRIPInfo>
      <otherInfo><contactEMail>ip@example.ru</contactEMail><contactPhone>7-3452-000000</contactPhone></otherInfo>
    </individualPersonRFIndEntr></supplierInfo>
    <supplierInfo><legalEntityRF>
      <EGRULInfo><OGRN>1137746274930</OGRN><fullName>ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ЛЕГИОН"</fullName>
        <INN>7718927411</INN><KPP>771901001</KPP><address>105037, Г МОСКВА</address></EGRULInfo>
      <otherInfo><contactEMail>legion@example.ru</contactEMail><contactPhone>7-985-0000000</contactPhone></otherInfo>
    </legalEntityRF></supplierInfo></suppliersInfo>"""
    text = C2020.read_text("utf-8")
    i, j = text.index("<suppliers>"), text.index("</suppliers>") + len("</suppliers>")
    t = one((text[:i] + block + text[j:]).encode("utf-8"))
    ip, le = t.suppliers
    # individualPersonRFIndEntr/EGRIPInfo: a sole trader, name from lastName firstName middleName
    assert (ip.entity, ip.name, ip.inn, ip.ogrn, ip.country) == (
        "sole_trader", "ВЫШЕГОРОДСКИХ ПАВЕЛ АНАТОЛЬЕВИЧ", "720404599455", "323723200081561", "RU")
    assert (ip.address, ip.email, ip.phone) == ("625063, Тюменская обл, г Тюмень", "ip@example.ru", "7-3452-000000")
    # legalEntityRF/EGRULInfo/fullName, INN, KPP, OGRN
    assert (le.entity, le.inn, le.kpp, le.ogrn, le.email) == (
        "legal_entity", "7718927411", "771901001", "1137746274930", "legion@example.ru")


def test_contract_in_foreign_currency_keeps_rouble_value():
    # Built from the real LAB contract: priceInfo with the contract currency USD, currencyRate and priceRUR
    # (zfcs_contract2015PriceInfoType: price in the contract's currency, priceRUR its rouble equivalent)
    price = ("<priceInfo><price>15000.00</price><priceType>P</priceType><currency><code>USD</code>"
             "<name>Доллар США</name></currency><currencyRate><rate>64.5</rate><raiting>1</raiting>"
             "</currencyRate><priceRUR>967500.00</priceRUR></priceInfo>")
    t = one(replace_block(LAB, "<priceInfo>", "</priceInfo>", price))
    assert (t.amount, t.currency) == (Decimal("15000.00"), "USD")  # priceInfo/price, priceInfo/currency/code
    assert (t.extra["price_rur"], t.extra["currency_rate"]) == (Decimal("967500.00"), Decimal("64.5"))


def test_contract_sign_flat_supplier():
    # fcsContractSign: oos:suppliers/oos:supplier with participantType U, inn, kpp, organizationName
    t = one(ZAKUPKI / "44fz_fcs_export_fcsContractSign_0111100000217000017_10907945.xml")
    [s] = t.suppliers
    assert (s.inn, s.kpp, s.entity, s.country) == ("1660086239", "166001001", "legal_entity", "RU")
    assert s.name == 'Общество с ограниченной ответственностью "Информфинанссервис"'


# --- contract procedures ------------------------------------------------------------------------------------


def test_contract_procedure_payments_basis():
    t = one(ROAD)
    # executions/execution/payDoc with paid 5366.00 in currency/code RUB; the docExecution is an acceptance
    assert (t.kind, t.amount, t.currency, t.amount_basis) == (Kind.contract_execution, Decimal("5366.00"), "RUB", "payments")
    [p] = t.payments
    assert (p.document, p.date, p.amount) == ("платежное поручение № 324424", date(2018, 1, 26), Decimal("5366.00"))
    assert "termination" not in t.extra


def _execution(pay_num: str, paid: str, currency: str, paid_rur: str | None) -> str:
    rur = f"<paidRUR>{paid_rur}</paidRUR>" if paid_rur else ""
    return (f"<execution><payDoc><documentName>платежное поручение</documentName><documentDate>2018-01-26"
            f"</documentDate><documentNum>{pay_num}</documentNum></payDoc><currency><code>{currency}</code>"
            f"</currency><paid>{paid}</paid>{rur}</execution>")


def test_contract_procedure_payments_in_two_currencies():
    # Built from the real ROAD contract procedure: its execution blocks replaced by two payments, one in
    # euros and one in roubles, each with paidRUR (zfcs_contractProcedure2015Type execution: currency,
    # paid in that currency, paidRUR in roubles)
    block = ("<ordinalNumber>13</ordinalNumber>" + _execution("1", "100.00", "EUR", "9000.00")
             + _execution("2", "500.00", "RUB", "500.00"))
    text = ROAD.read_text("utf-8")
    i = text.index("<ordinalNumber>")
    j = text.rindex("</execution>") + len("</execution>")
    t = one((text[:i] + block + text[j:]).encode("utf-8"))
    assert [(p.amount, p.currency) for p in t.payments] == [(Decimal("100.00"), "EUR"), (Decimal("500.00"), "RUB")]
    # not 600 of nothing: the sum of paidRUR, in roubles, and a warning that says so
    assert (t.amount, t.currency) == (Decimal("9500.00"), "RUB")
    assert any("several currencies (EUR, RUB)" in w for w in t.extra["warnings"])
    # without the rouble values there is no honest total
    block2 = block.replace("<paidRUR>9000.00</paidRUR>", "")
    t2 = one((text[:i] + block2 + text[j:]).encode("utf-8"))
    assert (t2.amount, t2.currency) == (None, None)
    assert any("no total" in w for w in t2.extra["warnings"])


def test_contract_procedure_termination():
    # Built from the real ROAD contract procedure: a termination block added (zfcs_contractProcedure2015Type
    # termination: terminationDate, paid, reason/name)
    block = ("<termination><terminationDate>2018-02-01</terminationDate><paid>5366.00</paid>"
             "<reason><code>1</code><name>Соглашение сторон</name></reason></termination><printForm>")
    t = one(replace_block(ROAD, "<printForm>", "<printForm>", block))
    assert t.extra["termination"] == {"date": date(2018, 2, 1), "paid": Decimal("5366.00"), "reason": "Соглашение сторон"}


# --- protocols ------------------------------------------------------------------------------------------------


def test_protocol_sole_traders_among_participants():
    t = one(EF3_2020)  # fcsProtocolEF3 2020: appParticipantInfo in oos/common/1
    by_number = {a.number: a.participant for a in t.applications}
    # application journalNumber 2: individualPersonRFInfo/nameInfo, INN, isIP true
    p = by_number["2"]
    assert (p.entity, p.name, p.inn, p.country) == ("sole_trader", "ЖУКОВ АЛЕКСАНДР АЛЕКСАНДРОВИЧ", "613303041597", "RU")
    assert (p.email, p.phone) == ("atlantis2017@list.ru", "79852323838")  # contactEMail, contactPhone
    # journalNumber 1: legalEntityRFInfo/fullName, INN, KPP, contactInfo/contactEMail
    le = by_number["1"]
    assert (le.entity, le.inn, le.kpp, le.email) == ("legal_entity", "9729232422", "772901001", "lokuhor@gmail.com")
    entities = sorted(a.participant.entity for a in t.applications)
    assert entities == ["legal_entity"] * 3 + ["sole_trader"] * 3
    # the winner's offer (appRating 1, winnerPrice) is the awarded value
    assert (t.amount, t.amount_basis, t.winner.inn) == (Decimal("1840283.61"), "awarded value", "9703009483")
    assert all(a.lot is None for a in t.applications)  # one lot: no lot on the applications


def test_ep_protocol_sole_trader_with_placeholder_first_name():
    t = one(EZK2)
    p = t.applications[0].participant
    # individualPersonRFInfo/nameInfo/lastName holds the whole name and firstName is "-"
    assert (p.entity, p.name, p.inn) == ("sole_trader", "Сельченков Сергей Александрович", "771917383159")
    assert (t.responsible.role_code, t.customer.role_code) == ("CU", "CU")  # protocolPublisherInfo/publisherRole


FOREIGN_PARTICIPANT = """<ns3:legalEntityForeignStateInfo>
  <ns3:fullName>ОАО "МИНСКИЙ ЗАВОД"</ns3:fullName><ns3:fullNameLat>MINSK PLANT OJSC</ns3:fullNameLat>
  <ns3:taxPayerCode>100010078</ns3:taxPayerCode>{register}
  <ns3:placeOfStayInRegCountryInfo><ns3:country><ns4:countryCode>112</ns4:countryCode></ns3:country>
    <ns3:orgPostAddress>220000, г. Минск</ns3:orgPostAddress><ns3:orgFactAddress>220000, г. Минск, ул. Ленина, 1</ns3:orgFactAddress>
    <ns3:contactEMail>plant@example.by</ns3:contactEMail><ns3:contactPhone>375-17-1111111</ns3:contactPhone>
  </ns3:placeOfStayInRegCountryInfo>
</ns3:legalEntityForeignStateInfo>"""


def _ezk2_with(block: str) -> bytes:
    """The real epProtocolEZK2 with its first participant (individualPersonRFInfo) replaced by ``block``."""
    return replace_block(EZK2, "<ns3:individualPersonRFInfo>", "</ns3:individualPersonRFInfo>", block)


def test_protocol_foreign_legal_entity_participant():
    # Built from the real EZK2 protocol: a participant of the shape common/1 participantType defines for a
    # foreign legal entity (CommonTypes.xsd 16.2.6.9: legalEntityForeignStateInfo with fullName,
    # fullNameLat, taxPayerCode, registerInRFTaxBodiesInfo, placeOfStayInRegCountryInfo/country (OKSMRef))
    p = one(_ezk2_with(FOREIGN_PARTICIPANT.format(register=""))).applications[0].participant
    assert (p.entity, p.name, p.inn, p.id_scheme, p.country) == (
        "foreign", 'ОАО "МИНСКИЙ ЗАВОД"', "100010078", "BY-TIN", "BY")
    assert (p.address, p.email, p.phone) == ("220000, г. Минск, ул. Ленина, 1", "plant@example.by", "375-17-1111111")
    register = ("<ns3:registerInRFTaxBodiesInfo><ns3:INN>9909000001</ns3:INN><ns3:KPP>770501001</ns3:KPP>"
                "</ns3:registerInRFTaxBodiesInfo>")
    p = one(_ezk2_with(FOREIGN_PARTICIPANT.format(register=register))).applications[0].participant
    assert (p.inn, p.kpp, p.id_scheme, p.entity) == ("9909000001", "770501001", None, "foreign")


def test_protocol_foreign_person_and_natural_person_participants():
    # Built from the real EZK2 protocol: individualPersonForeignStateInfo (nameInfo, nameLatInfo,
    # taxPayerCode, placeOfStayInRegCountryInfo) and individualPersonRFInfo with isIP false, as in
    # CommonTypes.xsd 16.2.6.9 participantType
    foreign = """<ns3:individualPersonForeignStateInfo>
      <ns3:nameInfo><ns3:lastName>Алиев</ns3:lastName><ns3:firstName>Рустам</ns3:firstName></ns3:nameInfo>
      <ns3:nameLatInfo><ns3:lastName>Aliev</ns3:lastName><ns3:firstName>Rustam</ns3:firstName></ns3:nameLatInfo>
      <ns3:taxPayerCode>AZ-77</ns3:taxPayerCode>
      <ns3:placeOfStayInRegCountryInfo><ns3:country><ns4:countryCode>031</ns4:countryCode></ns3:country>
        <ns3:factAddress>Баку</ns3:factAddress><ns3:contactEMail>a@example.az</ns3:contactEMail>
        <ns3:contactPhone>994-12-0000000</ns3:contactPhone></ns3:placeOfStayInRegCountryInfo>
    </ns3:individualPersonForeignStateInfo>"""
    p = one(_ezk2_with(foreign)).applications[0].participant
    assert (p.entity, p.name, p.inn, p.id_scheme, p.country) == ("foreign", "Алиев Рустам", "AZ-77", "AZ-TIN", "AZ")
    person = replace_block(EZK2, "<ns3:isIP>true</ns3:isIP>", "<ns3:isIP>true</ns3:isIP>", "<ns3:isIP>false</ns3:isIP>")
    p = one(person).applications[0].participant
    assert (p.entity, p.inn) == ("individual", "771917383159")


def test_pprf615_protocol_participants():
    t = one(P615)
    p = t.applications[0].participant  # ns7:legalEntityRFInfo: fullName, INN, KPP, orgFactAddress, eMail, phone
    assert (p.entity, p.inn, p.kpp, p.email, p.phone) == (
        "legal_entity", "7723806652", "771501001", "vek2014msk@gmail.com", "79263614010")
    # Built from it: the natural person of pprf615types purchaseContractorInfoType (individualPersonInfo:
    # nameInfo, INN, factAddress, eMail, phone) and the foreign legal entity (legalEntityForeignStateInfo:
    # fullName, taxPayerCode, countryInfo (OKSMRef), address)
    person = """<ns7:individualPersonInfo><ns7:nameInfo><ns7:lastName>Орлов</ns7:lastName>
      <ns7:firstName>Пётр</ns7:firstName><ns7:middleName>Ильич</ns7:middleName></ns7:nameInfo>
      <ns7:INN>500100732259</ns7:INN><ns7:factAddress>г. Москва</ns7:factAddress>
      <ns7:eMail>orlov@example.ru</ns7:eMail></ns7:individualPersonInfo>"""
    data = replace_block(P615, "<ns7:legalEntityRFInfo>", "</ns7:legalEntityRFInfo>", person)
    p = one(data).applications[0].participant
    assert (p.entity, p.name, p.inn, p.country, p.email) == (
        "individual", "Орлов Пётр Ильич", "500100732259", "RU", "orlov@example.ru")
    foreign = """<ns7:legalEntityForeignStateInfo><ns7:fullName>ТОО "АЛАТАУ"</ns7:fullName>
      <ns7:taxPayerCode>990140000123</ns7:taxPayerCode><ns7:countryInfo><ns4:countryCode>398</ns4:countryCode>
      </ns7:countryInfo><ns7:address>Алматы</ns7:address><ns7:eMail>a@example.kz</ns7:eMail>
      </ns7:legalEntityForeignStateInfo>"""
    data = replace_block(P615, "<ns7:legalEntityRFInfo>", "</ns7:legalEntityRFInfo>", foreign)
    p = one(data).applications[0].participant
    assert (p.entity, p.inn, p.id_scheme, p.country, p.address) == ("foreign", "990140000123", "KZ-TIN", "KZ", "Алматы")


def test_fcs_protocol_flat_participants():
    t = one(EF3_2017)  # fcsProtocolEF3 2017: protocolLot/applications/application/appParticipant
    p = t.applications[0].participant
    # participantType U, inn, kpp, organizationName, country/countryCode 643
    assert (p.entity, p.inn, p.kpp, p.country) == ("legal_entity", "1660086239", "166001001", "RU")
    # Built from it: participantType B (a sole trader) and UF with idNumber (zfcs_participantType)
    block = ("<appParticipant><participantType>UF</participantType><idNumber>AB-12345</idNumber>"
             "<organizationName>ALFA GMBH</organizationName><country><countryCode>276</countryCode></country>"
             "</appParticipant>")
    p = one(replace_block(EF3_2017, "<appParticipant>", "</appParticipant>", block)).applications[0].participant
    assert (p.entity, p.inn, p.id_scheme, p.country, p.name) == ("foreign", "AB-12345", "DE-TIN", "DE", "ALFA GMBH")
    block = ("<appParticipant><participantType>B</participantType><inn>165000001234</inn>"
             "<organizationName>ИП Сидоров С.С.</organizationName></appParticipant>")
    p = one(replace_block(EF3_2017, "<appParticipant>", "</appParticipant>", block)).applications[0].participant
    assert (p.entity, p.inn, p.country) == ("sole_trader", "165000001234", "RU")


def test_protocol_with_several_lots():
    # Built from the real fcsProtocolEF3 2020: its six applications split over two protocolLots/protocolLot
    # (lotNumber 1 and 2), the form fcs protocols of the contests with lots take; journal 1's appRating
    # made 1 so that lot 1 has its own winner
    tree = etree.parse(str(EF3_2020))
    ns = {"t": TYPES}
    [lot] = tree.findall(".//t:protocolLot", ns)
    apps = lot.findall("t:applications/t:application", ns)
    parent = lot.getparent()
    lots_el = etree.Element(f"{{{TYPES}}}protocolLots")
    parent.replace(lot, lots_el)
    for number, group in (("1", apps[:3]), ("2", apps[3:])):
        new = etree.SubElement(lots_el, f"{{{TYPES}}}protocolLot")
        etree.SubElement(new, f"{{{TYPES}}}lotNumber").text = number
        container = etree.SubElement(new, f"{{{TYPES}}}applications")
        container.extend(group)
    apps[0].find("t:appRating", ns).text = "1"
    t = one(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    assert [(a.number, a.lot) for a in t.applications] == [
        ("1", "1"), ("2", "1"), ("3", "1"), ("10", "2"), ("4", "2"), ("6", "2")]
    winners = [(a.lot, a.number, a.price) for a in t.applications if a.winner]
    # lot 1: journal 1's winnerPrice 1960000.00; lot 2: journal 4's winnerPrice 1840283.61
    assert winners == [("1", "1", Decimal("1960000.00")), ("2", "4", Decimal("1840283.61"))]
    assert (t.amount, t.amount_basis) == (Decimal("3800283.61"), "awarded value")
    assert [(lot.id, lot.status) for lot in t.lots] == [("1", "awarded"), ("2", "awarded")]
    assert t.extra["lots"] == ["1", "2"]
    # lot 1 without a winner: the amount is lot 2's winning offer, and a warning says so
    apps[0].find("t:appRating", ns).text = "2"
    t = one(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    assert (t.amount, [(lot.id, lot.status) for lot in t.lots]) == (Decimal("1840283.61"), [("1", None), ("2", "awarded")])
    assert any("lots without a winning offer in this protocol: 1" in w for w in t.extra["warnings"])


EP = "http://zakupki.gov.ru/oos/EPtypes/1"


def test_2020_final_part_protocol_lists_participants_apart():
    # Built from the real epProtocolEZK2: reshaped as an epProtocolEF2020FinalPart (IntegrationEPTypes.xsd
    # 16.2.6.9 protocolEF2020FinalPartType): the participants moved out of the applications into
    # appParticipantsInfo/appParticipantInfo (appNumber + participantInfo, common/1 participantType), and
    # each application's resultType replaced by admittedInfo/appAdmittedInfo/appRating (1 for the WIN_OFFER)
    tree = etree.parse(str(EZK2))
    ns = {"ep": EP}
    doc = tree.getroot()[0]
    doc.tag = "{http://zakupki.gov.ru/oos/export/1}epProtocolEF2020FinalPart"
    parts = etree.SubElement(doc, f"{{{EP}}}appParticipantsInfo")
    for app in doc.findall("ep:protocolInfo/ep:applicationsInfo/ep:applicationInfo", ns):
        number = app.findtext("ep:commonInfo/ep:appNumber", namespaces=ns)
        info = app.find("ep:appParticipantInfo", ns)
        app.remove(info)
        part = etree.SubElement(parts, f"{{{EP}}}appParticipantInfo")
        etree.SubElement(part, f"{{{EP}}}appNumber").text = number
        info.tag = f"{{{EP}}}participantInfo"
        part.append(info)
        admitted = app.find("ep:admittedInfo/ep:appAdmittedInfo", ns)
        result = admitted.find("ep:resultType", ns)
        rating = "1" if result.text == "WIN_OFFER" else "2"
        admitted.remove(result)
        etree.SubElement(admitted, f"{{{EP}}}appRating").text = rating
    t = one(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    assert t.source_format == "zakupki44/epProtocolEF2020FinalPart"
    first, second = t.applications
    # appParticipantsInfo/appParticipantInfo[appNumber=108314388]/participantInfo/individualPersonRFInfo
    assert (first.number, first.participant.inn, first.participant.entity, first.rating) == (
        "108314388", "771917383159", "sole_trader", 2)
    # [appNumber=108314489]: legalEntityRFInfo; appRating 1 and admitted: the winner, finalPrice 99550
    assert (second.number, second.participant.inn, second.rating, second.winner) == ("108314489", "7718927411", 1, True)
    assert (t.amount, t.amount_basis) == (Decimal("99550"), "awarded value")


# --- every 44-FZ contract, protocol and contract procedure among the fixtures, through the CLI -------------

DOCUMENTS = sorted(
    [p for p in ZAKUPKI.glob("44fz_*.xml") if re.search(r"contract|Protocol", p.name)]
    + sorted(MORE.glob("*contract*.xml"))
)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name[:60])
def test_show_json_gives_parties_amount_and_currency(path):
    r = run("show", "--format", "json", str(path))
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    doc = doc[0] if isinstance(doc, list) else doc
    if doc["kind"] == "contract":
        assert doc["amount"] is not None and doc["currency"], path.name
        assert doc["amount_basis"] in ("contract price", "maximum contract price")
        # every suppliers/supplier (suppliersInfo/supplierInfo) with content is read
        root = etree.parse(str(path)).getroot()
        named = [el for el in root.iter(f"{{{TYPES}}}supplier", f"{{{TYPES}}}supplierInfo") if len(el)]
        assert len(doc["suppliers"]) == len(named), path.name
        assert all(s["entity"] and s["inn"] for s in doc["suppliers"])
    elif doc["kind"] == "contract_execution":
        assert doc["amount"] is not None and doc["currency"] == "RUB"
    else:
        named = re.findall(r"<(\w+:)?appParticipant(Info)?>", path.read_text("utf-8"))
        with_party = [a for a in doc["applications"] if a["participant"]]
        assert len(with_party) == len(named), path.name
        assert all(a["participant"]["entity"] and a["participant"]["inn"] for a in with_party)
