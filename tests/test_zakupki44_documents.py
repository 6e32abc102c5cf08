"""Other 44-FZ fcs documents: cancellation, date change, clarification, placement result, contract signing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from tenderscan import parse
from tenderscan.models import Kind

from .conftest import ZAKUPKI

MSK = timezone(timedelta(hours=3))


def one(name: str):
    [t] = parse(str(ZAKUPKI / name), stations=False)
    return t


def test_cancellation():
    t = one("44fz_fcs_export_fcsNotificationCancel_0111100002417000043_212694.xml")
    assert (t.kind, t.id, t.notice_id, t.version) == (
        Kind.cancellation,
        "0111100002417000043",
        "0111100002417000043",
        None,
    )
    assert t.source_format == "zakupki44/fcsNotificationCancel" and t.law == "44-FZ"
    assert t.published == datetime(2017, 10, 25, 11, 17, 18, 553000, tzinfo=MSK)
    assert (
        t.url
        == "http://zakupki.gov.ru/epz/order/notice/zk44/view/documents.html?regNumber=0111100002417000043"
    )
    assert t.extra["reason"] == "Согласно часть 1 статья 36 Федерального закона 44-ФЗ"
    assert t.extra["decision_date"] == datetime(2017, 10, 25, 0, 0, tzinfo=MSK)
    assert t.extra["doc_number"] == "№ИО1" and t.extra["doc_id"] == "212694"
    assert (t.amount, t.items, t.customer) == (None, [], None)


def test_date_change():
    t = one("44fz_fcs_export_fcs_notificationEFDateChange_0111100008417000189_17485.xml")
    assert (t.kind, t.id, t.source_format) == (
        Kind.change,
        "0111100008417000189",
        "zakupki44/fcs_notificationEFDateChange",
    )
    assert t.title == "Поставка гигрометра психрометрического ВИТ – 2"
    assert t.published == datetime(2017, 12, 18, 8, 5, 52, 754000, tzinfo=MSK)
    assert (t.method, t.method_code) == ("Электронный аукцион", "EAP44")
    assert (t.customer.name, t.customer.reg_num) == (
        "УПРАВЛЕНИЕ СУДЕБНОГО ДЕПАРТАМЕНТА В РЕСПУБЛИКЕ ТАТАРСТАН",
        "01111000084",
    )
    assert t.responsible_role == "CU"
    assert t.extra["auction_time"] == datetime(2017, 12, 1, 9, 45, tzinfo=MSK)
    assert t.extra["new_auction_date"] == datetime(2017, 12, 18, 0, 0, tzinfo=MSK)
    assert t.extra["authority_prescription"] == {
        "name": "Управление Федеральной антимонопольной службы по Нижегородской области",
        "doc_number": "827-АК",
        "doc_date": datetime(2017, 12, 14, tzinfo=MSK),
    }
    assert t.extra["reason"] == "Решение № 827- АК"


def test_clarification():
    t = one("44fz_fcs_export_fcsClarification_0111100000217000017_1030713.xml")
    assert (t.kind, t.id, t.notice_id) == (Kind.other, "0111100000217000017", "0111100000217000017")
    assert t.extra["document"] == "clarification" and t.extra["request_number"] == "73477"
    assert t.extra["question"].startswith("В части 4 «Техническое задание» описывается программно-аппаратный")
    assert "\n" not in t.extra["topic"]
    [a] = t.attachments
    assert (a.name, a.size, a.content_id) == (
        "Разяъяснение документации.doc",
        34304,
        "5B1C7E7AFA5A01CAE0530A86121FEBA8",
    )  # "33.5 Кб"


def test_placement_result():
    t = one("44fz_fcs_export_fcsPlacementResult_0111100000217000017_7669755.xml")
    assert (t.kind, t.id, t.version, t.notice_id) == (
        Kind.protocol,
        "0111100000217000017",
        "0",
        "0111100000217000017",
    )
    assert t.published == datetime(2017, 10, 19, 23, 55, 14, 416000, tzinfo=MSK)
    [a] = t.applications
    assert (a.number, a.rating, a.price, a.winner) == ("2", 1, Decimal(189140), True)
    assert t.amount == Decimal(189140)
    assert t.extra["foundation_protocol"] == "0111100000217000017-3" and t.extra["procedure_failed"] is False


def test_contract_signing():
    t = one("44fz_fcs_export_fcsContractSign_0111100000217000017_10907945.xml")
    assert (t.kind, t.id, t.notice_id) == (Kind.other, "0111100000217000017", "0111100000217000017")
    assert t.extra["document"] == "contract_sign" and t.extra["contract_number"] == "2017.56852"
    assert t.signed == date(2017, 11, 9)
    assert (t.currency, t.amount) == ("RUB", Decimal(189140))
    assert (t.customer.name, t.customer.reg_num) == (
        "ГОСУДАРСТВЕННАЯ ИНСПЕКЦИЯ ТРУДА В РЕСПУБЛИКЕ ТАТАРСТАН",
        "01111000002",
    )
    [s] = t.suppliers
    assert (s.name, s.inn, s.kpp, s.country) == (
        'Общество с ограниченной ответственностью "Информфинанссервис"',
        "1660086239",
        "166001001",
        "RU",
    )
    assert t.supplier == s
