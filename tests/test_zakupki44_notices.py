"""44-FZ notices: golden values from every real notice (ep 2020+ and 2021 print forms, the fcs print form with
medicines), both wrappers (the real print forms re-wrapped in the bulk ``export`` element inside the test),
detection by namespace URI whatever the prefixes, the customer rule, and totals checked against the
document."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from tenderscan import parse
from tenderscan.errors import UnknownFormatError
from tenderscan.formats.zakupki44 import common as z
from tenderscan.models import Kind

from .conftest import ZAKUPKI

EF2020 = ZAKUPKI / "44fz_ep2020_printform_epNotificationEF2020_0173100008726000065_ABRIDGED.xml"
EZK2020 = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
EZK2021 = ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml"
FCS_EF = ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def one(source):
    tenders = parse(source if isinstance(source, bytes) else str(source), stations=False)
    assert len(tenders) == 1
    return tenders[0]


def export_wrapped(path) -> bytes:
    """The real print form's document inside a bulk-dump ``export`` element (as FTP files carry it)."""
    doc = etree.fromstring(path.read_bytes())
    assert z.namespace(doc) == z.PRINTFORM
    root = etree.Element(f"{{{z.EXPORT}}}export", nsmap={"exp": z.EXPORT})  # a prefix the copy does not use
    inner = copy.deepcopy(doc)
    inner.tag = f"{{{z.EXPORT}}}{z.localname(doc)}"
    root.append(inner)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def total(t) -> Decimal:
    return sum((i.amount for i in t.items), Decimal(0))


# --- ep generation, 2020+ schemes ---------------------------------------------------------------------------


def check_ezk2020(t, source_format="zakupki44/epNotificationEZK2020"):
    assert (t.kind, t.id, t.version, t.source_format, t.law) == (
        Kind.notice,
        "0362100022326000101",
        "1",
        source_format,
        "44-FZ",
    )
    assert t.title.startswith(
        "Оказание услуг по предоставлению доступа и сопровождению Электронного периодического"
    )
    assert t.published == datetime(2026, 10, 2, 13, 49, 45, 808000, tzinfo=tz(5))
    assert t.published.isoformat() == "2026-10-02T13:49:45.808000+05:00"
    assert t.submission_deadline == datetime(2026, 10, 9, 17, 0, tzinfo=tz(5))
    assert (t.execution_period.start, t.execution_period.end) == (date(2026, 11, 1), date(2027, 12, 15))
    assert (t.method, t.method_code) == ("Запрос котировок в электронной форме", "ZKP20")
    assert (
        t.url
        == "https://zakupki.gov.ru/epz/order/notice/zk20/view/common-info.html?regNumber=0362100022326000101"
    )
    # role CU: the customer is the responsible organisation, whose block carries the INN
    assert t.responsible_role == "CU"
    assert (t.customer.inn, t.customer.kpp, t.customer.reg_num) == ("6661002456", "667101001", "03621000223")
    assert t.customer.short_name == "ФГБНУ УРФАНИЦ УРО РАН"
    # one vocabulary of roles, the source's code beside it (issue 14 item 9; role was "CU")
    assert t.customer.role == "customer" and (t.responsible.role, t.responsible.role_code) == ("responsible", "CU")
    assert (t.responsible.contact, t.responsible.email) == (
        "Кузвесова Ольга Валерьевна",
        "contract@urfanic.ru",
    )
    assert (t.currency, t.amount) == ("RUB", Decimal("102871.68"))
    assert [(lot.id, lot.amount, lot.currency) for lot in t.lots] == [("1", Decimal("102871.68"), "RUB")]
    [it] = t.items
    assert it.name.startswith("Оказание услуг по предоставлению доступа к сопровождению")
    assert (it.code, it.code_scheme, it.classifications) == ("63.11.13.000", "OKPD2", [])
    assert (it.quantity, it.unit, it.unit_code) == (Decimal(12), "мес", "362")
    assert str(it.quantity) == "12"  # 12.00000000000 in the document
    assert (it.unit_price, it.amount, it.kind, it.id) == (
        Decimal("8572.64"),
        Decimal("102871.68"),
        "service",
        "223995739",
    )
    assert total(t) == t.amount == t.extra["items_total"]
    place = "обл. Свердловская, г.о. город Екатеринбург, п. Исток, ул. Главная, стр. 21"
    assert t.delivery_places == [place]
    [p] = t.places
    assert (p.text, p.gar_guid, p.kladr, p.country) == (
        place,
        "39f80550-53b3-412a-9d09-aaff97bb6001",
        None,
        "RU",
    )
    assert [(a.name, a.kind, a.size) for a in t.attachments] == [
        ("Обоснование цены.docx", "MRJ", 22290),
        ("Проект контракта.doc", "CP", 144896),
        ("Описание объекта закупки.docx", "POD", 25588),
        ("требования к содержанию составу заявки.docx", "CAR", 44738),
    ]
    a = t.attachments[1]
    assert a.url == (
        "https://zakupki.gov.ru/44fz/filestore/public/1.0/download/priz/file.html"
        "?uid=01A0FBCBACDC7288A2707C48AF49CC0D"
    )
    assert (a.kind_name, a.description, a.content_id) == (
        "Проект контракта",
        "Проект контракта",
        "01A0FBCBACDC7288A2707C48AF49CC0D",
    )
    assert a.published == datetime(2026, 10, 2, 11, 47, 4, tzinfo=tz(3))
    assert t.extra["ikz"] == ["261666100245666710100101161166311244"]  # not IKZInfo/purchaseNumber "0116"
    assert t.extra["etp"] == {"code": "ETP_RTS", "name": "РТС-тендер", "url": "http://www.rts-tender.ru"}
    assert t.extra["summarizing_date"] == date(2026, 10, 12)
    assert t.extra["preferences"] == ["PVS33044"] and t.extra["requirements"] == ["ET44", "TR442"]


def test_ep_ezk2020_print_form():
    check_ezk2020(one(EZK2020))


def test_ep_ezk2020_in_the_export_wrapper_reads_the_same():
    check_ezk2020(one(export_wrapped(EZK2020)))


def test_ep_ef2020_abridged_items_do_not_add_up():
    t = one(EF2020)
    assert (t.kind, t.id, t.version, t.source_format) == (
        Kind.notice,
        "0173100008726000065",
        "1",
        "zakupki44/epNotificationEF2020",
    )
    assert t.title == "Поставка компьютерной техники для нужд Счетной палаты Российской Федерации"
    assert t.published == datetime(2026, 10, 8, 16, 44, 23, 377000, tzinfo=tz(3))
    assert t.extra["planned_publish_date"] == date(2026, 10, 12)  # "2026-10-12+03:00": a date with an offset
    assert t.submission_deadline == datetime(2026, 10, 20, 9, 0, tzinfo=tz(3))
    assert (t.execution_period.start, t.execution_period.end) == (None, date(2026, 12, 30))
    assert (t.method, t.method_code) == ("Электронный аукцион", "EAP20")
    assert (t.customer.name, t.customer.inn, t.customer.kpp) == (
        "СЧЕТНАЯ ПАЛАТА РОССИЙСКОЙ ФЕДЕРАЦИИ",
        "7702166610",
        "770401001",
    )
    assert (t.currency, t.amount) == ("RUB", Decimal("108142501.80"))
    assert [
        (i.code, i.code_scheme, i.quantity, i.unit, i.unit_code, i.unit_price, i.amount) for i in t.items
    ] == [
        (
            "26.20.11.110-00000141",
            "KTRU",
            Decimal(365),
            "шт",
            "796",
            Decimal("186166.67"),
            Decimal("67950834.55"),
        ),
        (
            "26.20.11.110-00000139",
            "KTRU",
            Decimal(35),
            "шт",
            "796",
            Decimal("279000.00"),
            Decimal("9765000.00"),
        ),
    ]
    for it in t.items:  # a KTRU position keeps its OKPD2 code as an extra classification
        assert it.name == "Ноутбук" and it.kind == "product"
        assert [(c.scheme, c.code) for c in it.classifications] == [("OKPD2", "26.20.11.110")]
        assert it.unit_price * it.quantity == it.amount
    # the publisher removed repeated positions: the items no longer add up to the declared total
    assert total(t) == Decimal("77715834.55")
    assert t.extra["items_total"] == t.amount == Decimal("108142501.80")
    assert total(t) != t.amount
    assert t.delivery_places == ["по адресу Заказчика: 119121, г. Москва, ул. Зубовская, дом 2"]
    assert t.places[0].gar_guid == "0c5b2444-70a0-4932-980c-b4dc0d3f02b5"
    assert t.attachments == []  # removed by the publisher
    assert t.extra["customer_requirements"] == [
        {
            "customer_reg_num": "01731000087",
            "max_price": Decimal("108142501.80"),
            "application_guarantee": Decimal("1081425.02"),
            "contract_guarantee": Decimal("10814250.18"),
        }
    ]


def test_ep_2021_notice_with_kladr_place_and_modification():
    t = one(EZK2021)
    assert (t.kind, t.id, t.version, t.source_format) == (
        Kind.notice,
        "0320100007621000014",
        "3",
        "zakupki44/epNotificationEZK",
    )
    assert t.title == "закупка запаховых имитаторов"
    assert t.published == datetime(2021, 4, 13, 9, 49, 58, 162000, tzinfo=tz(10))
    assert t.submission_deadline == datetime(2021, 4, 22, 9, 0, tzinfo=tz(10))
    assert (t.method_code, t.customer.inn, t.customer.name) == (
        "ZKP504",
        "2540015767",
        "ВЛАДИВОСТОКСКАЯ ТАМОЖНЯ",
    )
    assert (t.currency, t.amount) == ("RUB", Decimal(121600))
    assert [(i.name, i.code, i.quantity, i.unit, i.unit_code, i.unit_price, i.amount) for i in t.items] == [
        (
            "набор имитаторов запахов",
            "20.13.52.110",
            Decimal(2),
            "КОМПЛ",
            "839",
            Decimal(11300),
            Decimal(22600),
        ),
        (
            "набор имитаторов запахов наркотических веществ",
            "20.13.52.110",
            Decimal(3),
            "КОМПЛ",
            "839",
            Decimal(33000),
            Decimal(99000),
        ),
    ]
    assert total(t) == t.amount == t.extra["items_total"]
    [p] = t.places
    assert p.kladr == "25000001000"
    assert p.text == (
        "Российская Федерация, Приморский край, Владивосток г, ул. Нижне-Портовая, 3Б "
        "(здание АБК МПП, кинологический отдел)."
    )
    assert t.extra["ikz"] == ["211254001576725400100100410012013244"]  # 2021: purchaseCode outside IKZInfo
    assert t.extra["modification"] == "уточнение сроков проведения закупки и характеристик товара"
    assert t.extra["customer_requirements"][0]["delivery_term"] == "не позднее 31.05.2021."
    assert [a.size for a in t.attachments] == [2558444, 126464, 48640, 46328]
    assert t.attachments[0].name == "Решение и предписание УФАС.pdf"


# --- fcs generation ---------------------------------------------------------------------------------------

DRUGS = [  # MNN name, quantity (ml), price per unit, position price
    ("ФОРМАЛЬДЕГИД", "600", "9.941", "5964.60"),
    ("ВОДОРОДА ПЕРОКСИД", "4500", "0.94768", "4264.56"),
    ("ВОДОРОДА ПЕРОКСИД", "10800", "0.34025", "3674.70"),
    ("ВОДА ДЛЯ ИНЪЕКЦИЙ", "8400", "0.68807143", "5779.80"),
    ("СЕРЕБРА ПРОТЕИНАТ", "1350", "6.29433333", "8497.35"),
    ("БОРНАЯ КИСЛОТА", "1350", "6.034", "8145.90"),
    ("ЙОД+КАЛИЯ ЙОДИД+ГЛИЦЕРОЛ", "600", "4.5954", "2757.24"),
    ("НИТРОФУРАЛ", "7560", "0.73604762", "5564.52"),
]


def check_fcs_ef(t, source_format="zakupki44/fcsNotificationEF"):
    assert (t.kind, t.id, t.version, t.source_format) == (
        Kind.notice,
        "0301300140921000011",
        None,
        source_format,
    )
    assert t.title.startswith(
        "Закупка материалов медицинского назначения и лекарственных препаратов в 2021 году"
    )
    assert t.published == datetime(2021, 4, 8, 0, 22, 49, 760000, tzinfo=tz(5))
    assert t.submission_deadline == datetime(2021, 4, 16, 10, 0, tzinfo=tz(5))
    assert (t.method, t.method_code) == ("Электронный аукцион", "EAP44")
    assert t.customer.inn == "0278060411"  # leading zero kept
    assert (t.customer.kpp, t.customer.reg_num) == ("027801001", "03013001409")
    assert (
        t.customer.name == "ГОСУДАРСТВЕННОЕ БЮДЖЕТНОЕ УЧРЕЖДЕНИЕ ЗДРАВООХРАНЕНИЯ РЕСПУБЛИКИ БАШКОРТОСТАН "
        "ПОЛИКЛИНИКА № 48 ГОРОДА УФА"
    )
    assert (t.currency, t.amount) == ("RUB", Decimal("44648.67"))
    assert [(i.name, str(i.quantity), str(i.unit_price), str(i.amount)) for i in t.items] == DRUGS
    for it in t.items:
        assert (it.kind, it.unit, it.unit_code, it.code) == ("drug", "мл", "111", None)
    assert total(t) == t.amount == t.extra["drugs_total"] == Decimal("44648.67")
    assert t.extra["drugs"][1] == {
        "mnn": "ВОДОРОДА ПЕРОКСИД",
        "mnn_code": "1ee08368-bf5b-11e9-bd5d-8b21df2ba890",
        "form": "РАСТВОР ДЛЯ НАРУЖНОГО ПРИМЕНЕНИЯ",
        "dosage": "30 мг/мл",
        "znvlp": True,
    }
    assert t.delivery_places == [
        "Республика Башкортостан, г. Уфа, ул. Минигали Губайдуллина 21/1, кабинет 2а"
    ]
    assert [a.name for a in t.attachments] == [
        "Часть IV Обоснование НМЦК.xls",
        "Описание объекта.doc",
        "Проект контракта.doc",
        "Документация о закупке.doc",
    ]
    assert [a.size for a in t.attachments] == [46592, 72192, 209408, 397824]  # "45.5 Кб" ... in KiB
    assert t.extra["ikz"] == ["213027806041102780100100020030000244"]
    assert t.extra["restrictions"] == ["JB2149"] and t.extra["preferences"] == ["RBK126"]
    assert t.extra["bidding_date"] == datetime(2021, 4, 20, 0, 0, tzinfo=tz(5))


def test_fcs_print_form_with_medicines():
    check_fcs_ef(one(FCS_EF))


def test_fcs_notice_in_the_export_wrapper_reads_the_same():
    check_fcs_ef(one(export_wrapped(FCS_EF)))


def test_fcs_notice_with_several_lots():
    """A multi-lot notice (lots/lot) made from the real one: two lots, items tagged with their lot."""
    doc = etree.fromstring(FCS_EF.read_bytes())
    T = f"{{{z.TYPES}}}"
    lot = doc.find(T + "lot")
    lots = etree.Element(T + "lots")
    lot.addprevious(lots)
    for n in ("1", "2"):
        copy_ = copy.deepcopy(lot)
        number = etree.Element(T + "lotNumber")
        number.text = n
        copy_.insert(0, number)
        lots.append(copy_)
    doc.remove(lot)
    t = one(etree.tostring(doc))
    assert [(lot.id, lot.amount) for lot in t.lots] == [
        ("1", Decimal("44648.67")),
        ("2", Decimal("44648.67")),
    ]
    assert t.amount == Decimal("89297.34")
    assert [i.lot for i in t.items] == ["1"] * 8 + ["2"] * 8
    assert t.extra["drugs_total"] == [Decimal("44648.67"), Decimal("44648.67")]


# --- the customer rule, detection -------------------------------------------------------------------------


def test_customer_when_an_authorised_body_places_the_notice():
    """Not the customer's own notice (role OCU): the customer block, its INN from the IKZ customer code."""
    data = EZK2020.read_bytes().replace(
        b"<responsibleRole>CU</responsibleRole>", b"<responsibleRole>OCU</responsibleRole>"
    )
    data = data.replace(b"<regNum>03621000223</regNum>", b"<regNum>01000000001</regNum>", 1)
    data = data.replace(b"<INN>6661002456</INN>", b"<INN>7700000000</INN>")
    t = one(data)
    assert t.responsible_role == "OCU"
    assert (t.responsible.inn, t.responsible.reg_num) == ("7700000000", "01000000001")
    assert (t.customer.reg_num, t.customer.inn, t.customer.kpp) == ("03621000223", "6661002456", "667101001")
    assert t.customer.name.startswith("ФЕДЕРАЛЬНОЕ ГОСУДАРСТВЕННОЕ БЮДЖЕТНОЕ НАУЧНОЕ УЧРЕЖДЕНИЕ")


def test_namespaces_matched_by_uri_not_prefix():
    data = EZK2021.read_bytes()
    renamed = data.replace(b"ns2:", b"bb:").replace(b"xmlns:ns2=", b"xmlns:bb=")
    renamed = renamed.replace(b"ns4:", b"pf:").replace(b"xmlns:ns4=", b"xmlns:pf=")
    assert renamed != data
    assert one(renamed).model_dump(exclude={"source"}) == one(data).model_dump(exclude={"source"})


def test_right_local_name_in_another_namespace_is_not_a_44fz_notice():
    data = EZK2021.read_bytes().replace(b"http://zakupki.gov.ru/oos/printform/1", b"http://example.org/other")
    with pytest.raises(UnknownFormatError):
        parse(data, stations=False)


def test_input_format_forced_on_the_wrong_document_says_so():
    from tenderscan.errors import ParseError

    with pytest.raises(ParseError, match="not a 44-FZ ep notice"):
        parse(str(FCS_EF), input_format="zakupki44-ep", stations=False)


def test_registered_formats():
    from tenderscan.formats import formats

    names = [f.name for f in formats()]
    for name in ("zakupki44-ep", "zakupki44-fcs", "zakupki44-contract", "zakupki44-protocol"):
        assert name in names


def test_an_ep_cancellation_is_not_read_as_a_notice():
    data = EZK2021.read_bytes().replace(b"epNotificationEZK", b"epNotificationCancel")
    t = one(data)
    assert (t.kind, t.id, t.source_format) == (
        Kind.cancellation,
        "0320100007621000014",
        "zakupki44/epNotificationCancel",
    )
