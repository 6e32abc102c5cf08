"""223-FZ XML: golden values from every real 223-FZ fixture, notice variants made from the real notice,
multi-item dumps, detection by namespace URI, and the fast field reader checked against ElementPath."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from tenderscan import parse
from tenderscan.errors import ParseError, UnknownFormatError
from tenderscan.formats.zakupki223 import common as z
from tenderscan.models import Kind

from .conftest import ZAKUPKI

MSK = timezone(timedelta(hours=3))
NOTICE = ZAKUPKI / "223fz_purchaseNotice_31603913641.xml"
ADYGEYA = ZAKUPKI / "223fz_contract_Adygeya_Resp_20191217_daily_001.xml"
OSETIYA = ZAKUPKI / "223fz_contract_Severnaia_Osetiya_Alaniia_Resp_201501_001.xml"
TEST2 = ZAKUPKI / "223fz_contract_test2.xml"
COMPLETING = ZAKUPKI / "223fz_contractCompleting.xml"
PROTOCOL = ZAKUPKI / "223fz_purchaseProtocol_Krasnodarskii_krai_20170221_000000_20170221_235959_daily_001.xml"
PAEP = ZAKUPKI / "223fz_purchaseProtocolPAEP_Tambovskaya_obl_20170217_000000_20170217_235959_daily_001.xml"
ACCOUNT_5 = ZAKUPKI / "223fz_0000000005_purchaseContractAccount_20170221_045247_004.xml"
ACCOUNT_HAB = ZAKUPKI / "223fz_purchaseContractAccount_Habarovskii_krai_20170201_000000_20170228_235959_009.xml"


def one(source) -> object:
    tenders = parse(source if isinstance(source, bytes) else str(source), stations=False)
    assert len(tenders) == 1
    return tenders[0]


# --- purchase notice --------------------------------------------------------------------------------------


def check_notice(t, source_format: str = "zakupki223/purchaseNotice") -> None:
    assert t.kind == Kind.notice
    assert t.id == "31603913641"
    assert t.version == "2"
    assert t.source_format == source_format
    assert t.law == "223-FZ"
    assert t.title == 'Лот 93-16-КС (ТЗ) "Высоконапорный водовод тв.р.куст №65- куст №77"'  # double space collapsed
    assert t.published == datetime(2016, 7, 22, 7, 35, 12, tzinfo=MSK)
    assert t.published.isoformat() == "2016-07-22T07:35:12+03:00"
    assert t.submission_deadline == datetime(2016, 8, 5, 18, 0, tzinfo=MSK)
    assert (t.method, t.method_code, t.status) == ("Открытый запрос цен в электронной форме", "24576", "P")
    assert t.url == "https://zakupki.gov.ru/223/purchase/private/purchase/notice-info/details.html?noticeInfoId=4709492"
    # the customer (Rosneft) and the placer (its subsidiary) differ
    assert t.customer.name == 'ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО "НЕФТЯНАЯ КОМПАНИЯ "РОСНЕФТЬ"'
    assert (t.customer.inn, t.customer.kpp, t.customer.ogrn) == ("7706107510", "770601001", "1027700043502")
    assert t.customer.role == "customer"
    assert t.responsible.name == 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "РН-ЮГАНСКНЕФТЕГАЗ"'
    assert (t.responsible.inn, t.responsible.kpp) == ("8604035473", "860401001")
    assert t.responsible_role == "placer"
    assert (t.currency, t.amount) == ("RUB", Decimal("3077055.86"))
    [lot] = t.lots
    assert (lot.id, lot.amount, lot.currency) == ("1", Decimal("3077055.86"), "RUB")
    assert lot.title == "Выполнение СМР: Высоконапорный водовод тв.р.куст №65- куст №77"
    assert lot.delivery_places == ["Омбинское м/р"]
    [item] = t.items
    assert (item.code, item.code_scheme) == ("41.20.20.310", "OKPD2")
    assert item.name == item.code_name == ("Сооружения топливно-энергетических, металлургических, химических и "
                                           "нефтехимических производств")
    assert [(c.scheme, c.code) for c in item.classifications] == [("OKVED2", "42.21")]
    assert (item.quantity, item.unit_code, item.unit) == (Decimal("0.698"), "008", "Километр; Тысяча метров")
    assert (item.lot, item.id) == ("1", "11866a0d-8151-1ee6-93f8-37dd4ba8d600")
    assert item.unit_price is None and item.amount is None  # a 223-FZ lot item states no price
    assert t.delivery_places == ["Омбинское м/р"]
    assert [(p.text, p.lot) for p in t.places] == [("Омбинское м/р", "1")]
    assert len(t.attachments) == 4
    first = t.attachments[0]
    assert first.name == "7. Документация по лоту 93-16-КС (ТЗ).rar"
    assert first.url == "http://zakupki.gov.ru/223/purchase/public/download/download.html?id=23865461"
    assert first.published == datetime(2016, 7, 22, 7, 34, 39, tzinfo=MSK)
    assert t.extra["etp"] == 'УЭТП ЗАО "ТЭК-Торг" Секция ОАО «НК «Роснефть»'
    assert t.extra["etp_url"] == "http://rn.tektorg.ru"


def test_purchase_notice_golden():
    check_notice(one(NOTICE))


def _variant(root_name: str) -> bytes:
    """The real notice with its root and data elements renamed (purchaseNotice -> purchaseNoticeAE...)."""
    root = etree.fromstring(NOTICE.read_bytes())
    root.tag = f"{{{z.PURCHASE}}}{root_name}"
    data = root.find(f"{{{z.PURCHASE}}}body/{{{z.PURCHASE}}}item/{{{z.PURCHASE}}}purchaseNoticeData")
    data.tag = f"{{{z.PURCHASE}}}{root_name}Data"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("root_name", ["purchaseNoticeAE", "purchaseNoticeAE94", "purchaseNoticeAESMBO",
                                       "purchaseNoticeEP", "purchaseNoticeIS", "purchaseNoticeOA",
                                       "purchaseNoticeOK", "purchaseNoticeZK", "purchaseNoticeZKESMBO",
                                       "purchaseNoticeZPESMBO", "purchaseNoticeKESMBO"])
def test_notice_variants_read_generically(root_name):
    check_notice(one(_variant(root_name)), f"zakupki223/{root_name}")


def test_detection_ignores_prefixes():
    data = NOTICE.read_bytes().replace(b"ns2:", b"purchase:").replace(b"xmlns:ns2=", b"xmlns:purchase=")
    assert b"ns2:" not in data
    check_notice(one(data))


def test_same_local_name_in_another_namespace_is_not_223fz():
    data = NOTICE.read_bytes().replace(b"http://zakupki.gov.ru/223fz/purchase/1", b"http://example.org/purchase/1")
    with pytest.raises(UnknownFormatError):
        parse(data, stations=False)


def test_notice_without_registration_number_is_refused():
    data = NOTICE.read_bytes().replace(b"<ns2:registrationNumber>31603913641</ns2:registrationNumber>", b"")
    with pytest.raises(ParseError, match="registrationNumber"):
        parse(data, stations=False)


def test_notice_with_two_lots_in_two_currencies():
    root = etree.fromstring(NOTICE.read_bytes())
    lot = next(root.iter(f"{{{z.TYPES}}}lot"))
    second = copy.deepcopy(lot)
    second.find(f"{{{z.TYPES}}}ordinalNumber").text = "2"
    second.find(f".//{{{z.TYPES}}}currency/{{{z.TYPES}}}code").text = "EUR"
    second.find(f".//{{{z.TYPES}}}initialSum").text = "1000.50"
    lot.addnext(second)
    t = one(etree.tostring(root))
    assert [(x.id, x.currency, x.amount) for x in t.lots] == [("1", "RUB", Decimal("3077055.86")),
                                                             ("2", "EUR", Decimal("1000.50"))]
    assert (t.amount, t.currency) == (None, None)  # no sum across currencies
    assert [i.lot for i in t.items] == ["1", "2"]


# --- contracts --------------------------------------------------------------------------------------------


def test_contract_adygeya_2019_unqualified_fields():
    """The 2019 dump resets the default namespace (``xmlns=""``): the field elements carry no namespace."""
    t = one(ADYGEYA)
    assert t.kind == Kind.contract
    assert t.id == "50105018196190002040000" and len(t.id) == 23
    assert t.extra["registration_number"] == "50105018196190002040001"
    assert t.extra["contract_number"] == "1638.12.2019"
    assert t.source_format == "zakupki223/contract"
    assert t.notice_id == "31908645944"
    assert t.title == "Поставка газа природного компримированного"
    assert (t.amount, t.currency) == (Decimal(1750000), "RUB")
    assert t.signed == date(2019, 12, 16)
    assert t.published.isoformat() == "2019-12-17T17:01:02+03:00"
    assert (t.execution_period.start, t.execution_period.end) == (date(2019, 12, 16), date(2020, 12, 31))
    assert (t.method, t.method_code) == ("Закупка у единственного поставщика", "30000")
    assert (t.customer.inn, t.customer.kpp) == ("0105018196", "010501001")  # leading zero kept
    assert t.responsible.inn == "0105018196"
    assert t.suppliers == []
    [item] = t.items
    assert (item.code, item.code_scheme, item.quantity) == ("19.20.3", "OKPD2", Decimal("102339.18129"))
    assert (item.unit_code, item.unit, item.lot) == ("113", "Кубический метр", "1")
    assert item.name == "Газы нефтяные и углеводороды газообразные прочие, кроме газа горючего природного"
    [att] = t.attachments
    assert att.name == "Газпром газомоторное топливо.pdf"


def test_contract_2018_with_supplier():
    t = one(TEST2)
    assert t.id == "50105018196180000870000"
    assert t.notice_id == "31806504639"
    assert (t.amount, t.currency, t.signed) == (Decimal("317962.72"), "RUB", date(2018, 5, 28))
    [s] = t.suppliers
    assert s.name == 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "КУБАНСКАЯ НЕФТЕГАЗОВАЯ КОМПАНИЯ"'
    assert (s.inn, s.kpp, s.region, s.country) == ("2310140001", "230801001", "Краснодарский край", "RU")
    assert t.supplier == s
    [item] = t.items
    assert (item.name, item.code, item.quantity, item.unit_code, item.unit) == (
        "Пропан сжиженный", "19.20.31.110", Decimal(1), "876", "Условная единица")


def test_contract_2015_okdp_and_no_registration_number():
    t = one(OSETIYA)
    assert t.id == "51511012960150000010000"
    assert "registration_number" not in t.extra
    assert t.notice_id is None
    assert (t.amount, t.signed) == (Decimal(3984420), date(2015, 1, 15))
    assert (t.execution_period.start, t.execution_period.end) == (date(2015, 1, 1), date(2015, 1, 31))
    [s] = t.suppliers
    assert (s.inn, s.short_name, s.region) == ("1513030845", 'ООО "ТЗК АЭРОПОРТ"', "СЕВЕРНАЯ ОСЕТИЯ - АЛАНИЯ Респ")
    [item] = t.items
    assert (item.code, item.code_scheme) == ("2320221", "OKDP")
    assert item.name == "авиационный еросин ТС-1"  # sic: the publisher's typo is data
    assert (item.quantity, item.unit_code, item.unit) == (Decimal("120.74"), "168", "Тонна; Метрическая тонна (1000 кг)")
    assert t.attachments == []


def test_contract_completion():
    t = one(COMPLETING)
    assert t.kind == Kind.contract_execution
    assert t.id == t.contract_id == "80105015580170000110000"
    assert t.extra["registration_number"] == "80105015580170000110003"
    assert t.extra["contract_number"] == "155-Т"
    assert t.extra["completed"] is True and t.extra["has_penalty"] is False
    assert t.source_format == "zakupki223/performanceContract"
    assert t.title == "Поставка ГСМ на 3 кв.2017 г."
    assert t.signed == date(2017, 6, 29)
    assert (t.amount, t.currency) == (Decimal("264204.07"), "RUB")
    assert t.customer.inn == "0105015580"
    assert [s.name for s in t.suppliers] == ['ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "КУБАНЬ-СЕРВИС"']
    [pay] = t.payments
    assert (pay.date, pay.amount, pay.currency) == (date(2017, 9, 30), Decimal("264204.07"), "RUB")
    assert pay.document == "товарная накладная 71169 от 2017-09-30"
    [item] = t.items
    assert (item.code, item.quantity, item.unit_code) == ("46.71", Decimal(7100), "112")
    assert item.unit == "Литр; кубический дециметр"  # the portal's ";^" line break made readable


def test_a_dump_with_several_items_gives_one_tender_each():
    root = etree.fromstring(TEST2.read_bytes())
    body = root.find(f"{{{z.CONTRACT}}}body")
    item = body.find(f"{{{z.CONTRACT}}}item")
    second = copy.deepcopy(item)
    second.find(f".//{{{z.CONTRACT}}}contractRegNumber").text = "50105018196180000880000"
    second.find(f".//{{{z.CONTRACT}}}price").text = "100.01"
    body.append(second)
    tenders = parse(etree.tostring(root), stations=False)
    assert [(t.id, t.amount) for t in tenders] == [("50105018196180000870000", Decimal("317962.72")),
                                                  ("50105018196180000880000", Decimal("100.01"))]


def test_empty_body_is_refused():
    root = etree.fromstring(TEST2.read_bytes())
    root.remove(root.find(f"{{{z.CONTRACT}}}body"))
    with pytest.raises(ParseError, match="nothing to read"):
        parse(etree.tostring(root), stations=False)


# --- protocols --------------------------------------------------------------------------------------------


def test_protocol_envelope_opening():
    t = one(PROTOCOL)
    assert t.kind == Kind.protocol
    assert t.id == t.notice_id == "31704712239"
    assert t.extra["protocol_number"] == "31704712239-01"
    assert (t.extra["protocol_type"], t.extra["protocol_type_name"]) == ("15721", "Протокол вскрытия конвертов")
    assert t.extra["procedure_date"] == datetime(2017, 2, 20, 11, 0, tzinfo=MSK)
    assert t.title.endswith("Кыргызстана, Молдовы")  # the trailing tabs are gone
    assert (t.method, t.method_code) == ("Открытый одноэтапный конкурс", "4228")
    assert t.published.isoformat() == "2017-02-21T08:50:40+03:00"
    assert t.signed == date(2017, 2, 20)
    [lot] = t.lots
    assert (lot.id, lot.amount, lot.currency) == ("1", Decimal(1055628), "RUB")
    assert (t.amount, t.currency) == (Decimal(1055628), "RUB")
    [app] = t.applications
    assert app.number == "1"
    assert app.participant.name == 'ООО "Информационное агентство "Интерфакс-Юг"'
    assert (app.participant.inn, app.participant.kpp, app.participant.ogrn) == (
        "7710713055", "771001001", "1087746455411")
    assert (app.price, app.currency) == (Decimal(1055628), "RUB")
    assert app.date == datetime(2017, 2, 17, 12, 9, tzinfo=MSK)
    assert app.admitted is None  # accepted "N": not stated as admitted or rejected
    assert app.winner is False and t.winner is None  # an envelope opening names no winner


def test_protocol_paep_lot_inline():
    t = one(PAEP)
    assert t.id == "31704807799"
    assert t.source_format == "zakupki223/purchaseProtocolPAEP"
    assert t.extra["protocol_number"] == "31704807799-01"
    [lot] = t.lots
    assert (lot.id, lot.title, lot.amount) == ("1", "поставка семян подсолнечника F1 Веллокс", Decimal(362500))
    [app] = t.applications
    assert (app.participant.name, app.participant.inn) == ('ООО "Тамбовские семена"', "6829105817")
    assert app.price == Decimal(362500)  # lastPrice
    assert t.customer.inn == t.responsible.inn == "6806003368"


def test_protocol_winner_indication():
    data = PROTOCOL.read_bytes().replace(
        b"<ns2:accepted>N</ns2:accepted>",
        b"<ns2:accepted>T</ns2:accepted><ns2:winnerIndication>F</ns2:winnerIndication>")
    t = one(data)
    [app] = t.applications
    assert app.admitted is True and app.winner is True
    assert t.winner.inn == "7710713055"


# --- contract accounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, guid, inn, period, published", [
    (ACCOUNT_5, "2a700b52-0a7e-4433-8aad-fe336e44fce6", "7707274249", date(2017, 1, 1),
     datetime(2017, 2, 20, 17, 30, 42, tzinfo=MSK)),
    (ACCOUNT_HAB, "3dde2016-7f9a-492c-94b1-84cdb17ee06d", "2723042567", date(2015, 4, 1),
     datetime(2017, 2, 7, 15, 34, 23, tzinfo=MSK)),
])
def test_contract_accounts(path, guid, inn, period, published):
    t = one(path)
    assert t.kind == Kind.other
    assert t.id == guid
    assert t.source_format == "zakupki223/purchaseContractAccount"
    assert t.customer.inn == t.responsible.inn == inn
    assert (t.amount, t.currency) == (Decimal(0), "RUB")
    assert t.extra["period"] == period and t.extra["contracts_count"] == 0 and t.extra["account_type"] == "4"
    assert t.published == published
    assert t.title == ("Договоры, заключенные заказчиком по результатам закупки у субъектов малого и среднего "
                       "предпринимательства")


# --- the fast reader agrees with ElementPath ---------------------------------------------------------------


ALL_XML = sorted(ZAKUPKI.glob("223fz_*.xml"))


@pytest.mark.parametrize("path", ALL_XML, ids=lambda p: p.name[:40])
def test_fields_record_matches_elementpath(path):
    """For every element with children and every field group, ``Fields.record`` gives what ElementPath's
    first non-empty match gives (stripped)."""
    root = etree.fromstring(path.read_bytes())
    [(data, p)] = list(z.iter_data(root))
    groups = [v for v in vars(p).values() if isinstance(v, z.Fields) and v is not p.nav]
    checked = 0
    for el in data.iter():
        if not isinstance(el.tag, str) or len(el) == 0:
            continue
        for group in groups:
            got = group.record(el)
            for name, clark in group.paths.items():
                expected = next((x.text.strip() for x in el.findall(clark) if x.text and x.text.strip()), None)
                assert got.get(name) == expected, (el.tag, name)
                checked += expected is not None
    assert checked > 20
