"""The portal's search feed (RSS 2.0, real, 5 items): read as a list of notices; variants made from it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tenderscan import parse
from tenderscan.errors import ParseError, UnknownFormatError
from tenderscan.formats.rss import parse_feed
from tenderscan.models import Kind

from .conftest import ZAKUPKI

FEED = ZAKUPKI / "eis_search_rss_REAL_trimmed_5items_2026.xml"
DATA = FEED.read_bytes()
MSK = timezone(timedelta(hours=3))

EXPECTED = [  # id, method, amount, published (pubDate, GMT, in Moscow time)
    ("0355200005326000010", "Закупка, осуществляемая в соответствии с частью 12 статьи 93 Закона № 44-ФЗ",
     Decimal("506000.00"), datetime(2026, 7, 29, 9, 59, 36, tzinfo=MSK)),
    ("0373200215526000664", "Электронный аукцион", Decimal("441666.67"), datetime(2026, 7, 29, 9, 59, 12, tzinfo=MSK)),
    ("0318300027226000099", "Закупка, осуществляемая в соответствии с частью 12 статьи 93 Закона № 44-ФЗ",
     Decimal("533333.35"), datetime(2026, 7, 29, 9, 59, 1, tzinfo=MSK)),
    ("0711200014926000177", "Электронный аукцион", Decimal("77178.00"), datetime(2026, 7, 29, 9, 58, 17, tzinfo=MSK)),
    ("0341200003926000222", "Электронный аукцион", Decimal("109500.00"), datetime(2026, 7, 29, 9, 58, 16, tzinfo=MSK)),
]


def test_parse_feed_golden():
    tenders = parse_feed(DATA)
    assert [(t.id, t.method, t.amount, t.published) for t in tenders] == EXPECTED
    for t in tenders:
        assert t.kind == Kind.notice
        assert t.law == "44-FZ"
        assert t.currency == "RUB"
        assert t.status == "Подача заявок"
        assert t.source_format == "zakupki/rss"
        assert t.url.endswith(f"common-info.html?regNumber={t.id}") and t.url.startswith("https://zakupki.gov.ru/")
        assert t.extra["from_feed"] is True
        assert t.extra["placed"] == t.extra["updated"] == date(2026, 7, 29)
        assert t.extra["search_string"] == "охрана"
        assert len(t.source.sha256) == 64
        assert t.items == [] and t.lots == []
    first, second = tenders[0], tenders[1]
    # "Наименование объекта закупки: null": the item's title stands in
    assert first.title == ("Закупка, осуществляемая в соответствии с частью 12 статьи 93 Закона № 44-ФЗ "
                           "№0355200005326000010")
    assert second.title == ("Электронный аукцион на поставку аппарата фототерапии новорожденных со светоизлучающим "
                            "одеялом для нужд Родильного дома ГБУЗ «ГКБ № 29 им. Н.Э. Баумана ДЗМ»")
    # the highlight <span> is unclosed in the description: the name still ends where the line ends
    assert first.customer.name == ('ГОСУДАРСТВЕННОЕ БЮДЖЕТНОЕ УЧРЕЖДЕНИЕ ЗДРАВООХРАНЕНИЯ "ОБЛАСТНАЯ ПСИХИАТРИЧЕСКАЯ '
                                   'БОЛЬНИЦА ИМ. К.Р. ЕВГРАФОВА"')
    assert second.customer.name == ('ГОСУДАРСТВЕННОЕ БЮДЖЕТНОЕ УЧРЕЖДЕНИЕ ЗДРАВООХРАНЕНИЯ ГОРОДА МОСКВЫ "ГОРОДСКАЯ '
                                    'КЛИНИЧЕСКАЯ БОЛЬНИЦА № 29 ИМ. Н.Э. БАУМАНА ДЕПАРТАМЕНТА ЗДРАВООХРАНЕНИЯ ГОРОДА '
                                    'МОСКВЫ"')
    assert first.extra["ikz"] == "262583700797058370100100020100000244"


def test_show_path_reads_the_same():
    tenders = parse(str(FEED), stations=False)
    assert [(t.id, t.amount) for t in tenders] == [(e[0], e[2]) for e in EXPECTED]
    assert all(t.source.path == str(FEED) for t in tenders)


def _first_item_changed(old: bytes, new: bytes) -> bytes:
    start = DATA.index(b"<item>")
    end = DATA.index(b"</item>") + len(b"</item>")
    item = DATA[start:end]
    assert old in item
    return DATA[:start] + item.replace(old, new) + DATA[end:]


def test_a_223fz_item_without_regnumber_in_the_link():
    data = _first_item_changed("по: &lt;/strong&gt;44-ФЗ&lt;br/&gt;&lt;strong&gt;Наим".encode(),
                               "по: &lt;/strong&gt;223-ФЗ&lt;br/&gt;&lt;strong&gt;Наим".encode())
    data = data.replace(b"<link>https://zakupki.gov.ru/epz/order/notice/ezt20/view/common-info.html?regNumber="
                        b"0355200005326000010</link>",
                        b"<link>https://zakupki.gov.ru/epz/order/notice/notice223/common-info.html?noticeInfoId=1</link>")
    first = parse_feed(data)[0]
    assert first.id == "0355200005326000010"  # from the description's "№" when the link has no regNumber
    assert first.law == "223-FZ"


def test_names_escaped_once_more_are_unescaped():
    data = _first_item_changed('ЕВГРАФОВА"&lt;br/&gt;'.encode(), "ЕВГРАФОВА&amp;amp;quot;&lt;br/&gt;".encode())
    first = parse_feed(data)[0]
    assert first.customer.name.endswith('ИМ. К.Р. ЕВГРАФОВА"')


def test_an_item_without_price_or_currency():
    data = _first_item_changed(b"506000.00", b"")
    first = parse_feed(data)[0]
    assert first.amount is None and first.currency == "RUB"


def test_other_feeds_are_not_read_as_the_portals():
    other = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><link>https://example.org/</link>'
             b"<item><title>t</title><link>https://example.org/a</link></item></channel></rss>")
    with pytest.raises(UnknownFormatError):
        parse(other, stations=False)
    with pytest.raises(ParseError, match="not a zakupki.gov.ru search feed"):
        parse_feed(other)


def test_an_error_page_is_refused():
    with pytest.raises(ParseError):
        parse_feed(b"<!DOCTYPE html><html><body>captcha</body></html>")


def test_cli_show_reads_the_feed(cli):
    import json

    r = cli("show", "--format", "json", str(FEED))
    assert r.exit_code == 0, r.stderr
    docs = json.loads(r.stdout)
    assert [(d["kind"], d["id"], d["amount"], d["law"]) for d in docs] == [
        ("notice", e[0], str(e[2]), "44-FZ") for e in EXPECTED]
    assert docs[0]["published"] == "2026-07-29T09:59:36+03:00"
    assert all(d["extra"]["from_feed"] is True for d in docs)
