"""`search` over the real search feed sample, served page by page by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from tenderscan.store import Store

from .conftest import ZAKUPKI, run

FEED = (ZAKUPKI / "eis_search_rss_REAL_trimmed_5items_2026.xml").read_bytes()
RSS = "/epz/order/extendedsearch/rss.html"
NOTICE = "0362100022326000101"
NOTICE_FILE = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
FIRST = ["0355200005326000010", "0373200215526000664", "0318300027226000099", "0711200014926000177",
         "0341200003926000222"]


def renumbered(feed: bytes, mapping: dict[str, str]) -> bytes:
    """The real feed with registry numbers replaced (another page of results, made from the real one)."""
    for old, new in mapping.items():
        feed = feed.replace(old.encode(), new.encode())
    return feed


SECOND = [n[:-3] + "999" for n in FIRST]
PAGE2 = renumbered(FEED, dict(zip(FIRST, SECOND)))


@pytest.fixture
def portal(httpserver, monkeypatch):
    monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("TENDERSCAN_RETRY_BASE", "0.01")
    return httpserver


def pages(server, *bodies: bytes) -> None:
    for n, body in enumerate(bodies, 1):
        server.expect_request(RSS, query_string={"searchString": "охрана", "morphology": "on", "pageNumber": str(n),
                                                 "sortDirection": "false", "recordsPerPage": "_50",
                                                 "sortBy": "UPDATE_DATE", "fz44": "on", "fz223": "on"}
                              ).respond_with_data(body, content_type="application/rss+xml; charset=utf-8")


def test_search_one_page_of_the_real_feed(portal):
    pages(portal, FEED)
    r = run("search", "--rate", "0", "охрана", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["id"] for x in rows] == FIRST
    first = rows[0]
    assert first["law"] == "44-FZ" and first["amount"] == "506000.00" and first["currency"] == "RUB"
    assert first["customer"].startswith("ГОСУДАРСТВЕННОЕ БЮДЖЕТНОЕ УЧРЕЖДЕНИЕ ЗДРАВООХРАНЕНИЯ")
    assert "<span" not in first["customer"]
    assert first["published"] == "2026-07-29T09:59:36+03:00"
    assert first["url"].endswith("regNumber=0355200005326000010")
    assert len(portal.log) == 1
    assert "5 hit(s)" in r.stderr


def test_search_several_pages_stops_when_the_portal_repeats_itself(portal):
    pages(portal, FEED, PAGE2, PAGE2)
    r = run("search", "--rate", "0", "охрана", "--pages", "5", "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    ids = [json.loads(line)["id"] for line in r.stdout.splitlines()]
    assert ids == FIRST + SECOND
    assert [req.args["pageNumber"] for req, _ in portal.log] == ["1", "2", "3"]


def test_search_filters_are_sent_to_the_portal_and_checked(portal):
    portal.expect_request(RSS).respond_with_data(FEED, content_type="application/rss+xml")
    r = run("search", "--rate", "0", "охрана", "--law", "44", "--from", "2026-07-29", "--to", "2026-07-29",
            "--customer", "евграфова", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "id,law,published,customer,amount,currency,title,url"
    assert [x.split(",")[0] for x in lines[1:]] == ["0355200005326000010"]
    args = portal.log[0][0].args
    assert args["fz44"] == "on" and "fz223" not in args
    assert args["publishDateFrom"] == "29.07.2026" and args["publishDateTo"] == "29.07.2026"
    assert args["customerTitle"] == "евграфова"


def test_search_dates_outside_the_feed_give_no_hits(portal):
    portal.expect_request(RSS).respond_with_data(FEED, content_type="application/rss+xml")
    r = run("search", "--rate", "0", "охрана", "--from", "2026-08-01", "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout) == []


def test_search_fetch_stores_every_hit(portal):
    feed = renumbered(FEED, {FIRST[0]: NOTICE})
    portal.expect_request(RSS).respond_with_data(feed, content_type="application/rss+xml")
    portal.expect_request("/epz/order/notice/printForm/viewXml.html", query_string={"regNumber": NOTICE}
                          ).respond_with_data(NOTICE_FILE.read_bytes(), content_type="application/xml")
    r = run("search", "--rate", "0", "охрана", "--customer", "евграфова", "--fetch", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert [x["id"] for x in json.loads(r.stdout)] == [NOTICE]
    with Store.open() as st:
        assert str(st.get(NOTICE).amount) == "102871.68"
    assert f"{NOTICE}: fetched, 1 new" in r.stderr


def test_search_captcha_is_blocked(portal):
    captcha = (ZAKUPKI.parent / "hostile" / "captcha_page.html").read_bytes()
    portal.expect_request(RSS).respond_with_data(captcha, content_type="text/html")
    r = run("search", "--rate", "0", "охрана")
    assert r.exit_code == 6
    assert r.stdout == ""
