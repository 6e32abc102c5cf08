"""The portal's search and JSON as they are today, against the local portal server (conftest `portal_server`):
an INN searched by customerInn, the page size asked for and read from the answer, the 223-FZ JSON's other
path; and the portal's pace (a fake clock: no wall-time assertions)."""

from __future__ import annotations

import httpx
import pytest
from werkzeug.wrappers import Response

from tenderscan.errors import NotFoundError
from tenderscan.formats.rss import parse_feed_page
from tenderscan.services.fetch import read_answer
from tenderscan.sources import zakupki
from tenderscan.sources.http import DEFAULT_PACE, RateLimiter, get, make_client, portal_pace

from .conftest import ZAKUPKI, point_at, run
from .test_fetch_plumbing import FakeClock

FEED = (ZAKUPKI / "eis_search_rss_REAL_trimmed_5items_2026.xml").read_bytes()
RSS = "/epz/order/extendedsearch/rss.html"
FIRST = ["0355200005326000010", "0373200215526000664", "0318300027226000099", "0711200014926000177",
         "0341200003926000222"]
P223 = "32109998392"
P223_FILE = ZAKUPKI / "223fz_mobileapi_common-info_32109998392.json"


@pytest.fixture
def portal(portal_server, monkeypatch):
    return point_at(monkeypatch, portal_server, "TENDERSCAN_ZAKUPKI_URL", retries=1, retry_max=0.05)


def page(n: int, *, items: int = 5, echo: str | None = None) -> bytes:
    """A page of the real feed: its items renumbered for page n, repeated to ``items``; its channel link
    echoing ``recordsPerPage=echo`` as the portal echoes the query it answers (or as in the sample: not)."""
    head, rest = FEED.split(b"<item>", 1)
    body, tail = rest.rsplit(b"</item>", 1)
    one = [b"<item>" + x for x in (b"<item>" + body + b"</item>").split(b"<item>")[1:]]
    out = []
    for k in range(items):
        item = one[k % len(one)]
        for i, reg in enumerate(FIRST):
            item = item.replace(reg.encode(), f"{reg[:-5]}{n:01d}{k:04d}".encode())
        out.append(item)
    if echo is not None:
        echoed = f"pageNumber={n}&amp;fz44=on&amp;recordsPerPage={echo}".encode()
        head = head.replace(b"pageNumber=1&amp;fz44=on", echoed)
    return head + b"".join(out) + tail


def serve_pages(server, *bodies: bytes) -> None:
    """Page n of the feed is bodies[n-1]; past the last one the portal repeats it."""

    def handler(request):
        n = int(request.args.get("pageNumber", "1"))
        return Response(bodies[min(n, len(bodies)) - 1], content_type="application/rss+xml; charset=utf-8")

    server.expect_request(RSS).respond_with_handler(handler)


def search(**kw):
    with make_client(rate=0) as client:
        return zakupki.search(client, "охрана", **kw)


# --- the customer: INN or name ----------------------------------------------------------------------------


@pytest.mark.parametrize("customer,param", [("7701234567", "customerInn"), ("770123456789", "customerInn"),
                                            ("  7701234567 ", "customerInn"), ("евграфова", "customerTitle"),
                                            ("77012345", "customerTitle")])
def test_an_inn_is_searched_by_customer_inn_and_a_name_by_customer_title(portal, customer, param):
    serve_pages(portal, FEED)
    search(customer=customer)
    args = portal.log[0][0].args
    other = {"customerInn", "customerTitle"} - {param}
    assert args[param] == customer.strip() and not other & set(args)


def test_the_cli_sends_an_inn_as_customer_inn(portal):
    serve_pages(portal, FEED)
    r = run("search", "--rate", "0", "охрана", "--customer", "3662006088", "--format", "json")
    assert r.exit_code == 0, r.stderr
    args = portal.log[0][0].args
    assert args["customerInn"] == "3662006088" and "customerTitle" not in args


# --- the page size ----------------------------------------------------------------------------------------


def test_the_page_size_is_asked_for(portal):
    serve_pages(portal, FEED)
    search(per_page=100)
    assert portal.log[0][0].args["recordsPerPage"] == "_100"


def test_the_echoed_page_size_ends_the_search_at_a_short_page(portal):
    serve_pages(portal, page(1, items=5, echo="_50"), page(2))
    hits = search(pages=5)
    assert len(hits) == 5 and len(portal.log) == 1  # 5 of 50: the last page, nothing more asked


def test_without_an_echo_the_first_page_sets_the_size(portal):
    # the portal served 60 a page though 50 were asked: not assumed, read (page 3 is short: the end)
    serve_pages(portal, page(1, items=60), page(2, items=60), page(3, items=7), page(4, items=60))
    hits = search(pages=10)
    assert len(hits) == 127 and len(set(t.id for t in hits)) == 127
    assert [req.args["pageNumber"] for req, _ in portal.log] == ["1", "2", "3"]


def test_the_real_feed_says_no_page_size():
    # the sample's channel link echoes the query it answered, which asked for no recordsPerPage
    # (channel/link: /epz/order/extendedsearch/results.html?searchString=...&pageNumber=1&fz44=on)
    feed = parse_feed_page(FEED)
    assert feed.items == 5 and feed.records_per_page is None and feed.page_number == 1
    assert parse_feed_page(page(3, echo="_20")).records_per_page == 20


# --- the 223-FZ JSON's other path -------------------------------------------------------------------------


def test_the_223fz_json_falls_back_to_the_917_path_when_the_first_is_gone(portal):
    portal.expect_request(zakupki.PURCHASE_223).respond_with_data("gone", status=404)
    portal.expect_request(zakupki.PURCHASE_223_ALT, query_string={"regNumber": P223}).respond_with_data(
        P223_FILE.read_bytes(), content_type="application/json")
    with make_client(rate=0) as client:
        [fetched] = zakupki.fetch(client, P223, read=read_answer)
    [t] = fetched.tenders
    assert t.id == P223 and fetched.url.startswith(portal.url_for(zakupki.PURCHASE_223_ALT))
    assert [req.path for req, _ in portal.log] == [zakupki.PURCHASE_223, zakupki.PURCHASE_223_ALT]


def test_an_html_not_found_page_is_not_a_gone_path(portal):
    # the portal's "no such purchase" page (HTML, 200) is an answer about the number, not a moved path
    portal.expect_request(zakupki.PURCHASE_223).respond_with_data("<html><body>Not found</body></html>",
                                                                  content_type="text/html")
    with make_client(rate=0) as client, pytest.raises(NotFoundError):
        zakupki.fetch(client, P223, read=read_answer)
    assert [req.path for req, _ in portal.log] == [zakupki.PURCHASE_223]


def test_both_paths_gone_is_not_found(portal):
    portal.expect_request(zakupki.PURCHASE_223).respond_with_data("gone", status=404)
    portal.expect_request(zakupki.PURCHASE_223_ALT).respond_with_data("gone", status=410)
    r = run("fetch", "--rate", "0", P223)
    assert r.exit_code == 4 and "410" in r.stderr


# --- the pace ---------------------------------------------------------------------------------------------


def test_a_second_request_to_a_portal_host_waits_the_pace_with_jitter():
    clock = FakeClock()
    draws = iter([2.5, 3.7, 2.1, 3.0])
    rl = RateLimiter(2.0, pace=3.0, clock=clock.time, sleep=clock.sleep, draw=lambda a, b: next(draws))
    rl.wait("zakupki.gov.ru")
    assert clock.slept == []  # the first goes at once
    rl.wait("zakupki.gov.ru")
    assert clock.slept == [2.5]  # the second waits the first interval drawn
    rl.wait("lk.zakupki.gov.ru")  # another host of the portal has its own slot
    rl.wait("prozorro.example")  # other portals keep the general rate: 2 a second
    rl.wait("prozorro.example")
    assert clock.slept == [2.5, 0.5]
    rl.wait("zakupki.gov.ru")  # 3.7 s after the second (drawn with it), of which 0.5 s went by meanwhile
    assert clock.slept[-1] == pytest.approx(3.2)


def test_the_jitter_is_drawn_between_two_thirds_and_four_thirds_of_the_pace():
    seen = []
    rl = RateLimiter(0, pace=3.0, draw=lambda a, b: seen.append((a, b)) or a)
    rl.interval_for("int44.zakupki.gov.ru")
    assert seen == [(2.0, 4.0)]
    assert rl.interval_for("example.org") == 0.0
    assert rl.estimate("zakupki.gov.ru", 21) == 60.0  # 21 requests: about a minute at 3 s each


def test_the_pace_is_configurable_and_zero_gives_the_general_rate(monkeypatch):
    monkeypatch.delenv("TENDERSCAN_PACE")
    assert portal_pace() == DEFAULT_PACE == 3.0
    monkeypatch.setenv("TENDERSCAN_PACE", "7.5")
    assert portal_pace() == 7.5 and portal_pace(1.0) == 1.0  # the argument is the later --pace
    clock = FakeClock()
    rl = RateLimiter(2.0, pace=portal_pace(0), clock=clock.time, sleep=clock.sleep)
    rl.wait("zakupki.gov.ru")
    rl.wait("zakupki.gov.ru")
    assert clock.slept == [0.5]


def test_make_client_paces_the_portals_hosts_and_the_base_url_host(monkeypatch):
    monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", "https://mirror.example.net")
    clock = FakeClock()
    limiter = RateLimiter(0, pace=4.0, clock=clock.time, sleep=clock.sleep, draw=lambda a, b: (a + b) / 2)
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=b"<x/>"))
    with make_client(transport=transport, limiter=limiter) as client:
        for url in ("https://zakupki.gov.ru/a", "https://zakupki.gov.ru/b", "https://mirror.example.net/a",
                    "https://mirror.example.net/b", "https://ted.example.eu/a", "https://ted.example.eu/b"):
            get(client, url, expect="xml")
    assert clock.slept == [4.0, 4.0]  # one wait per portal host; the other host is not paced
