"""44-FZ contract register: contracts (price, products, suppliers, the link to the notice) and contract
execution (payments, delivered quantities); an export file holding several documents."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from lxml import etree

from tenderscan import parse
from tenderscan.models import Kind

from .conftest import ZAKUPKI

MSK = timezone(timedelta(hours=3))
VLADIVOSTOK = timezone(timedelta(hours=10))
LAB = ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml"
EMPTY = ZAKUPKI / "44fz_contracts_export_contract_2510205003117000004_31762298.xml"
GAS = ZAKUPKI / "44fz_contracts_export_contract_3312601274715000015_25135446.xml"
PHONE = ZAKUPKI / "44fz_contracts_export_contractProcedure_0378100003211000006_77778767.xml"
ROAD = ZAKUPKI / "44fz_contracts_export_contractProcedure_2790102219315000001_78236879.xml"


def one(path):
    [t] = parse(str(path), stations=False)
    return t


def test_contract_with_products():
    t = one(LAB)
    assert (t.kind, t.id, t.version, t.source_format, t.law) == (
        Kind.contract,
        "2366200608816001262",
        "1",
        "zakupki44/contract",
        "44-FZ",
    )
    assert t.notice_id == "0131200001016005027"
    assert t.published == datetime(2016, 11, 21, 13, 44, 22, 541000, tzinfo=MSK)
    assert t.signed == date(2016, 11, 21)
    assert (t.execution_period.start, t.execution_period.end) == (date(2016, 11, 21), date(2016, 12, 31))
    assert (t.status, t.extra["stage"], t.method_code) == ("execution", "E", "12011")
    assert (
        t.url
        == "http://zakupki.gov.ru/epz/contract/contractCard/common-info.html?reestrNumber=2366200608816001262"
    )
    assert (t.customer.inn, t.customer.kpp, t.customer.reg_num) == ("3662006088", "366201001", "03312000178")
    assert t.customer.short_name == "БУЗ ВО ВОКБ №1"
    assert (t.responsible.reg_num, t.responsible_role) == ("03312000178", "CU")
    [s] = t.suppliers
    assert (s.name, s.short_name, s.inn, s.kpp) == (
        'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "Р-ЛАБ"',
        'ООО "Р-ЛАБ"',
        "6829057730",
        "682901001",
    )
    assert (s.email, s.phone, s.role) == ("us@rlab-tambov.ru", "7-4752-712010", "supplier")
    assert t.supplier == s
    assert (t.currency, t.amount) == ("RUB", Decimal("1207680.35"))
    assert len(t.items) == 21
    first = t.items[0]
    # runs of newlines and spaces in the name collapsed
    assert first.name == (
        "Щелочная Фосфотаза Фасовка: 400 тестов для анализатора Cobas С 502 (Roche). Товарный знак: "
        "ROCHE Производство: Германия Ф.Хоффманн-Ля Рош Лтд."
    )
    assert (first.code, first.code_scheme, first.code_name) == (
        "21.20.23.111",
        "OKPD2",
        "Препараты диагностические",
    )
    assert (first.quantity, first.unit, first.unit_code) == (Decimal(7), "НАБОР", "704")
    assert str(first.quantity) == "7"  # "7.0" in the document
    assert (first.unit_price, first.amount, first.id) == (
        Decimal("1753.00"),
        Decimal("12271.00"),
        "111224161",
    )
    assert [str(i.quantity) for i in t.items] == [
        "7",
        "15",
        "15",
        "3",
        "15",
        "4",
        "9",
        "4",
        "6",
        "6",
        "7",
        "20",
        "20",
        "5",
        "8",
        "10",
        "10",
        "2",
        "4",
        "6",
        "6",
    ]
    assert all(i.unit_price * i.quantity == i.amount for i in t.items)
    assert t.items[10].name is None  # an empty <name/> in the register
    assert sum((i.amount for i in t.items), Decimal(0)) == t.amount
    [a] = t.attachments
    assert (a.name, a.kind, a.content_id) == ("5321 Р-Лаб.docx", "scan", "41CDCBC4471A00A2E0530A86120D701F")
    assert t.extra["contract_number"] == "0969-5027"
    assert t.extra["enforcement"] == Decimal("60384.02")
    assert t.extra["protocol_date"] == date(2016, 11, 8)


def test_contract_without_products_or_suppliers():
    t = one(EMPTY)
    assert (t.kind, t.id, t.notice_id) == (Kind.contract, "2510205003117000004", "0149200002316005002")
    assert (t.items, t.suppliers, t.supplier) == ([], [], None)
    assert (t.currency, t.amount) == ("RUB", Decimal("214562.64"))
    assert (t.customer.inn, t.customer.kpp) == ("5102050031", "510201001")
    assert t.customer.name.endswith(
        '"КАНДАЛАКШСКИЙ ЦЕНТР ПОМОЩИ ДЕТЯМ, ОСТАВШИМСЯ БЕЗ ПОПЕЧЕНИЯ РОДИТЕЛЕЙ, "БЕРЕГ"'
    )
    assert t.signed == date(2017, 1, 9)
    assert t.extra["contract_number"] == "Ф.2016.467916"


def test_single_supplier_contract_with_okpd_and_no_quantity():
    t = one(GAS)
    assert (t.kind, t.id, t.notice_id, t.method_code) == (
        Kind.contract,
        "3312601274715000015",
        "0126300015415000046",
        "20000",
    )
    [it] = t.items
    assert (it.name, it.code, it.code_scheme) == ("природный газ", "40.21.10.216", "OKPD")
    assert it.code_name == "Газ горючий природный - топливо для коммунально-бытового потребления"
    assert (it.quantity, it.amount, it.unit, it.unit_code, it.unit_price) == (
        None,
        None,
        "УСЛ ЕД",
        "876",
        Decimal("65000.00"),
    )
    assert t.items_total is None  # the register gives no sum for this position
    assert (t.amount, t.customer.inn) == (Decimal("65000.00"), "3126012747")
    [s] = t.suppliers
    assert (s.name, s.inn, s.kpp) == ('ООО " Газпром межрегионгаз Белгород"', "3123050159", "312350001")
    assert t.extra["single_supplier_reason"].startswith(
        "Закупка товара, работы или услуги, которые относятся к сфере"
    )


def test_execution_with_payment():
    t = one(PHONE)
    assert (t.kind, t.id, t.contract_id, t.version) == (
        Kind.contract_execution,
        "0378100003211000006",
        "0378100003211000006",
        "0",
    )
    assert t.source_format == "zakupki44/contractProcedure"
    assert t.published == datetime(2018, 1, 17, 17, 30, 30, 115000, tzinfo=VLADIVOSTOK)
    assert (t.status, t.currency, t.amount) == ("completed", "RUB", Decimal("600000.00"))
    [p] = t.payments
    assert (p.date, p.amount, p.currency) == (date(2011, 12, 14), Decimal("600000.00"), "RUB")
    assert p.document == "Платежное поручение № 1245632"
    [it] = t.items
    assert (it.name, it.code, it.quantity, it.unit, it.unit_code) == (
        "Услуги междугородней и международной телефонной связи",
        "6420030",
        Decimal(0),
        "ШТ",
        "796",
    )
    assert t.url == "http://zakupki.gov.ru/epz/contract/printForm/viewXml.html?contractProcedureId=77778767"


def test_execution_with_payment_acceptance_and_documents():
    t = one(ROAD)
    assert (t.kind, t.id, t.contract_id) == (
        Kind.contract_execution,
        "2790102219315000001",
        "2790102219315000001",
    )
    [p] = t.payments  # the acceptance act is not a payment
    assert (p.date, p.amount, p.document) == (
        date(2018, 1, 26),
        Decimal("5366.00"),
        "платежное поручение № 324424",
    )
    assert t.amount == Decimal("5366.00")
    assert t.extra["acceptances"] == [
        {
            "document": "Акт о приемке выполненных работ",
            "number": "37",
            "date": date(2017, 12, 31),
            "paid": Decimal("0.00"),
        }
    ]
    assert t.extra["stages"] == [{"ordinal": "13", "end": date(2018, 1, 20), "final": True}]
    [it] = t.items
    assert (it.code, it.quantity, it.unit, it.unit_code) == ("70.32.13.724", Decimal(5), "УСЛ ЕД", "876")
    assert [(a.name, a.kind) for a in t.attachments] == [
        ("п.п. № 324424 от 26.01.2018 гк 2.pdf", "payment"),
        ("акт № 37 от 31.12.2017 гк 2.pdf", "receipt"),
    ]


def test_export_file_with_several_documents():
    first, second = etree.fromstring(LAB.read_bytes()), etree.fromstring(ROAD.read_bytes())
    first.append(second[0])  # two documents in one export wrapper
    tenders = parse(etree.tostring(first), stations=False)
    assert [(t.kind, t.id) for t in tenders] == [
        (Kind.contract, "2366200608816001262"),
        (Kind.contract_execution, "2790102219315000001"),
    ]
