"""The 223-FZ mobile-API JSON (common-info): golden values, the registry number it lacks, time zones."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tenderscan import parse
from tenderscan.errors import ParseError
from tenderscan.formats import ParseContext
from tenderscan.formats.zakupki223 import json_api as zj
from tenderscan.models import Kind, Source

from .conftest import ZAKUPKI

COMMON_INFO = ZAKUPKI / "223fz_mobileapi_common-info_32109998392.json"
DATA = COMMON_INFO.read_bytes()
MSK = timezone(timedelta(hours=3))
KEMEROVO = timezone(timedelta(hours=7))  # timezoneId 17: МСК+4


def test_detect_on_head_bytes():
    assert zj.detect(DATA[:4096])
    assert not zj.detect(b'{"releases": []}')
    assert not zj.detect(b"<xml/>")


def test_golden_with_the_registry_number_from_the_caller():
    t = zj.parse_common_info(DATA, "32109998392")
    assert t.kind == Kind.notice
    assert t.id == "32109998392"
    assert t.url == "https://zakupki.gov.ru/223/purchase/public/purchase/info/common-info.html?regNumber=32109998392"
    assert t.source_format == "zakupki223/mobileapi-common-info"
    assert t.law == "223-FZ"
    assert t.title == "Поставка дизельного топлива"
    assert (t.method, t.method_code) == ("Аукцион в электронной форме", "379679")
    c = t.customer
    assert c.name == 'АКЦИОНЕРНОЕ ОБЩЕСТВО "КЕМЕРОВСКАЯ ТРАНСПОРТНАЯ КОМПАНИЯ"'
    assert (c.inn, c.kpp, c.ogrn) == ("4205355989", "420501001", "1174205014224")
    assert c.contact == "Мамаев А. В."
    assert (t.currency, t.amount) == ("RUB", Decimal(21200000))
    [lot] = t.lots
    assert (lot.id, lot.title, lot.amount, lot.currency) == ("1", "Поставка дизельного топлива",
                                                             Decimal(21200000), "RUB")
    assert lot.delivery_places == ["Область Кемеровская, город Кемерово, улица Волгоградская, дом 51"]
    [item] = t.items
    assert (item.code, item.code_scheme, item.name) == ("19.20.21.300", "OKPD2", "Топливо дизельное")
    assert [(x.scheme, x.code) for x in item.classifications] == [("OKVED2", "19.20")]
    assert (item.quantity, item.unit_code, item.unit) == (Decimal(420), "168", "т")
    assert (item.lot, item.id) == ("1", "33121425")
    # dates: epoch milliseconds, shown at the notice's time zone (МСК+4 = UTC+7)
    assert t.submission_deadline == datetime(2021, 4, 26, 16, 0, tzinfo=KEMEROVO)
    assert t.submission_deadline.isoformat() == "2021-04-26T16:00:00+07:00"
    assert t.extra["summing_up"].isoformat() == "2021-04-29T20:00:00+07:00"
    assert t.extra["submission_start"].isoformat() == "2021-04-09T00:00:00+03:00"  # a date: Moscow midnight
    assert t.extra["timezone"] == "МСК+4"
    assert (t.extra["purchase_id"], t.extra["notice_info_id"]) == ("10491283", "12516919")
    assert "reg_number_missing" not in t.extra
    assert t.source.source_id == "10491283"
    [app] = t.applications
    # the winner: lots[0].lotApplications[0].applications[0].contactSigned is true (the contract was signed
    # with it; it is also rated 1 and ALLOWED). The expectation was False before the winner was read.
    assert (app.number, app.admitted, app.rating, app.price, app.winner) == ("1", True, 1, None, True)
    assert app.lot == "1"
    assert app.date.isoformat() == "2021-04-23T22:18:08+07:00"
    assert app.participant is None  # the answer names no participant


def test_without_a_registry_number_the_internal_id_stands_in():
    """The answer does not carry 32109998392 anywhere: the internal purchase id is the best it has."""
    assert b"32109998392" not in DATA
    t = zj.parse_common_info(DATA, None)
    assert t.id == "10491283"
    assert t.extra["reg_number_missing"] is True
    assert t.url is None


def test_from_a_file_the_id_is_the_internal_one():
    [t] = parse(str(COMMON_INFO), stations=False)
    assert t.id == "10491283" and t.extra["reg_number_missing"] is True


def test_the_registry_number_from_the_source_url_or_options():
    url = "https://zakupki.gov.ru/api/mobile/proxy/223/purchase/public/purchase/info/common-info.html?regNumber=32109998392"
    [t] = zj.parse(DATA, ParseContext(source=Source(url=url)))
    assert t.id == "32109998392"
    [t] = zj.parse(DATA, ParseContext(source=Source(), options={"reg_number": "32109998392"}))
    assert t.id == "32109998392"


def _changed(**notice_changes) -> bytes:
    doc = json.loads(DATA)
    for key, value in notice_changes.items():
        if value is None:
            doc["noticeInfo"].pop(key, None)
        else:
            doc["noticeInfo"][key] = value
    return json.dumps(doc).encode()


def test_without_a_time_zone_dates_are_moscow_time():
    t = zj.parse_common_info(_changed(timezoneId=None), "32109998392")
    assert t.submission_deadline.isoformat() == "2021-04-26T12:00:00+03:00"
    t = zj.parse_common_info(_changed(timezoneId=999), "32109998392")
    assert t.submission_deadline.isoformat() == "2021-04-26T12:00:00+03:00"
    assert "timezone" not in t.extra


def test_fractional_prices_stay_exact():
    doc = json.loads(DATA)
    doc["noticeInfo"]["lots"][0]["startingContractPrice"] = 0.1
    doc["noticeInfo"]["lots"][0]["commoditiesWorkServiceses"][0]["amountOfCommodities"] = 420.125
    t = zj.parse_common_info(json.dumps(doc).encode(), "32109998392")
    assert t.lots[0].amount == Decimal("0.1") and t.amount == Decimal("0.1")
    assert t.items[0].quantity == Decimal("420.125")


@pytest.mark.parametrize("data, words", [
    (b'{"noticeInfo": ', "broken JSON"),
    (b'{"purchase": {"id": 1}}', "without noticeInfo"),
    (b"[1, 2]", "not an object"),
    (b'{"noticeInfo": {"lots": []}}', "registry number"),
])
def test_bad_answers_are_parse_errors(data, words):
    with pytest.raises(ParseError, match=words):
        zj.parse_common_info(data, None)


def test_a_bom_is_accepted():
    assert zj.parse_common_info(b"\xef\xbb\xbf" + DATA, "32109998392").id == "32109998392"
