"""`fetch` against a real HTTP server on 127.0.0.1 serving the real sample documents at the portal's paths."""

from __future__ import annotations

import html
import io
import json
import time
import zipfile

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from tenderscan.store import Store

from .conftest import ZAKUPKI, point_at, run

NOTICE = "0362100022326000101"
NOTICE_FILE = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
CONTRACT = "2366200608816001262"
CONTRACT_FILE = ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml"
P223 = "32109998392"
P223_FILE = ZAKUPKI / "223fz_mobileapi_common-info_32109998392.json"
N223 = "31603913641"
N223_FILE = ZAKUPKI / "223fz_purchaseNotice_31603913641.xml"
CAPTCHA = (ZAKUPKI.parent / "hostile" / "captcha_page.html").read_bytes()

NOTICE_PATH = "/epz/order/notice/printForm/viewXml.html"
CONTRACT_PATH = "/epz/contract/printForm/viewXml.html"
P223_PATH = "/api/mobile/proxy/223/purchase/public/purchase/info/common-info.html"
RESULTS_PATH = "/epz/order/extendedsearch/results.html"
PF_PATH = "/223/purchase/public/print-form/show.html"
FILESTORE = "/44fz/filestore/public/1.0/download/priz/file.html"
XML = "application/xml; charset=utf-8"


@pytest.fixture
def portal(portal_server, monkeypatch):
    return point_at(monkeypatch, portal_server, "TENDERSCAN_ZAKUPKI_URL", retries=3, retry_max=2)


def hits(server: HTTPServer, path: str | None = None) -> int:
    return sum(1 for req, _ in server.log if path is None or req.path == path)


def serve_notice(server: HTTPServer) -> None:
    server.expect_request(NOTICE_PATH, query_string={"regNumber": NOTICE}).respond_with_data(
        NOTICE_FILE.read_bytes(), content_type=XML)


def not_found(server: HTTPServer) -> None:
    server.expect_request(NOTICE_PATH).respond_with_data("not found", status=404)
    server.expect_request(CONTRACT_PATH).respond_with_data("not found", status=404)


def fetch(*args: str):
    return run("fetch", "--rate", "0", *args)


def stored_count() -> int:
    with Store.open() as st:
        return st.count()


# --- the happy paths ---------------------------------------------------------------------------------------


def test_fetch_a_44fz_notice_stores_it_once_with_its_provenance(portal):
    serve_notice(portal)
    r = fetch("--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["id"] == NOTICE and doc["amount"] == "102871.68" and doc["version"] == "1"
    assert doc["source"]["url"].startswith(portal.url_for(NOTICE_PATH))
    assert hits(portal) == 1
    with Store.open() as st:
        t = st.get(NOTICE)
        assert str(t.amount) == "102871.68"
        assert st.raw(t.source.sha256) == NOTICE_FILE.read_bytes()
        [prov] = st.provenance(t.source.sha256)
        assert prov["http_status"] == 200 and NOTICE in prov["url"]
    assert "fetched, 1 new" in r.stderr


def test_fetching_a_stored_id_makes_no_request(portal):
    serve_notice(portal)
    assert fetch("--format", "json", NOTICE).exit_code == 0
    assert hits(portal) == 1
    r = fetch("--format", "json", NOTICE)
    assert r.exit_code == 0
    assert json.loads(r.stdout)["id"] == NOTICE
    assert hits(portal) == 1, "a stored ID must be served from the store"
    assert "from the store" in r.stderr
    r = fetch("--refresh", "--format", "json", NOTICE)
    assert r.exit_code == 0 and hits(portal) == 2
    assert stored_count() == 1, "the same bytes fetched again add nothing"


def test_a_19_digit_number_falls_back_to_the_contract_endpoint(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data("no such notice", status=404)
    portal.expect_request(CONTRACT_PATH, query_string={"contractReestrNumber": CONTRACT}).respond_with_data(
        CONTRACT_FILE.read_bytes(), content_type=XML)
    r = fetch("--format", "json", CONTRACT)
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["kind"] == "contract" and doc["id"] == CONTRACT and doc["amount"] == "1207680.35"
    assert hits(portal, NOTICE_PATH) == 1 and hits(portal, CONTRACT_PATH) == 1
    r = fetch("--kind", "contract", "--refresh", "--format", "json", CONTRACT)
    assert r.exit_code == 0
    assert hits(portal, NOTICE_PATH) == 1, "--kind contract goes straight to the contract endpoint"


def test_223fz_purchase_from_the_mobile_api_json(portal):
    portal.expect_request(P223_PATH, query_string={"regNumber": P223}).respond_with_data(
        P223_FILE.read_bytes(), content_type="application/json")
    r = fetch("--format", "json", P223)
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["id"] == P223 and doc["amount"] == "21200000" and doc["customer"]["inn"] == "4205355989"
    with Store.open() as st:
        assert st.get(P223).source_format == "zakupki223/mobileapi-common-info"


def _print_form_page(xml: bytes) -> bytes:
    escaped = html.escape(xml.decode("utf-8"), quote=False)
    return ("<!DOCTYPE html><html><head><title>Печатная форма</title></head><body>"
            "<ul><li><a href='#tabs-1'>Печатная форма</a></li><li><a href='#tabs-2'>XML</a></li></ul>"
            f"<div id=\"tabs-1\">...</div><div id=\"tabs-2\" class=\"xml\">{escaped}</div></body></html>").encode()


def _results_page(pfid: str, number: str) -> bytes:
    # the shape of a real results entry: the print-form link precedes the registry number
    return (f"<!DOCTYPE html><html><body><div class=\"search-registry-entry-block\">"
            f"<a class=\"m-0\" href=\"https://zakupki.gov.ru/223/purchase/public/print-form/show.html?pfid={pfid}\" "
            f"target=\"_blank\"><img src=\"/epz/static/img/icons/icon_print_small.svg\"/></a>"
            f"<div class=\"registry-entry__header-mid__number\"><a href=\"/epz/order/notice/notice223/"
            f"common-info.html?noticeInfoId=19282020\">№ {number}</a></div></div></body></html>").encode()


def test_223fz_print_form_by_pfid(portal):
    portal.expect_request(PF_PATH, query_string={"pfid": "72293346"}).respond_with_data(
        _print_form_page(N223_FILE.read_bytes()), content_type="text/html; charset=utf-8")
    r = fetch("--format", "json", "pfid:72293346")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["id"] == N223 and doc["version"] == "2" and doc["amount"] == "3077055.86"
    with Store.open() as st:
        t = st.get(N223)
        assert st.raw(t.source.sha256) == N223_FILE.read_bytes().strip()  # the XML as the print form holds it


def test_223fz_json_with_its_print_form(portal):
    # the print form of the same purchase, made from the real 223-FZ notice with its number replaced
    xml = N223_FILE.read_bytes().replace(N223.encode(), P223.encode())
    portal.expect_request(P223_PATH, query_string={"regNumber": P223}).respond_with_data(
        P223_FILE.read_bytes(), content_type="application/json")
    portal.expect_request(RESULTS_PATH).respond_with_data(_results_page("72293346", P223),
                                                          content_type="text/html; charset=utf-8")
    portal.expect_request(PF_PATH, query_string={"pfid": "72293346"}).respond_with_data(
        _print_form_page(xml), content_type="text/html; charset=utf-8")
    r = fetch("--print-form", "--format", "json", P223)
    assert r.exit_code == 0, r.stderr
    docs = json.loads(r.stdout)
    assert [d["source_format"] for d in docs] == ["zakupki223/mobileapi-common-info", docs[1]["source_format"]]
    assert docs[1]["version"] == "2"
    with Store.open() as st:
        assert st.versions(P223) == [None, "2"]
        assert st.get(P223).version == "2", "the print form (a versioned notice) is the latest"


def test_a_print_form_of_another_purchase_is_not_stored(portal):
    portal.expect_request(P223_PATH).respond_with_data(P223_FILE.read_bytes(), content_type="application/json")
    portal.expect_request(RESULTS_PATH).respond_with_data(_results_page("1", P223), content_type="text/html")
    portal.expect_request(PF_PATH).respond_with_data(_print_form_page(N223_FILE.read_bytes()),
                                                     content_type="text/html")
    r = fetch("--print-form", "--format", "json", P223)
    assert r.exit_code == 0
    assert f"not the requested {P223}" in r.stderr
    with Store.open() as st:
        assert st.versions(P223) == [None] and st.find(N223) is None


# --- the portal misbehaving ------------------------------------------------------------------------------


def test_unknown_number_is_not_found_and_stores_nothing(portal):
    not_found(portal)
    r = fetch(NOTICE)
    assert r.exit_code == 4
    assert "no 44-FZ notice or contract" in r.stderr and r.stdout == ""
    assert hits(portal, NOTICE_PATH) == 1 and hits(portal, CONTRACT_PATH) == 1
    assert stored_count() == 0


def test_429_with_retry_after_then_success(portal):
    calls = []

    def handler(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(NOTICE_FILE.read_bytes(), content_type=XML)

    portal.expect_request(NOTICE_PATH).respond_with_handler(handler)
    r = fetch("--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert len(calls) == 2 and stored_count() == 1
    assert calls[1] - calls[0] >= 0.9, "Retry-After: 1 must be honoured"


def test_503_twice_then_success(portal):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) <= 2:
            return Response("unavailable", status=503)
        return Response(NOTICE_FILE.read_bytes(), content_type=XML)

    portal.expect_request(NOTICE_PATH).respond_with_handler(handler)
    r = fetch("--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert len(calls) == 3 and stored_count() == 1


def test_503_for_ever_is_a_network_failure(portal, monkeypatch):
    monkeypatch.setenv("TENDERSCAN_RETRIES", "2")
    portal.expect_request(NOTICE_PATH).respond_with_data("unavailable", status=503)
    r = fetch(NOTICE)
    assert r.exit_code == 5
    assert "503" in r.stderr and hits(portal) == 3
    assert stored_count() == 0


def test_an_answer_slower_than_the_timeout(portal, monkeypatch):
    monkeypatch.setenv("TENDERSCAN_TIMEOUT", "0.3")
    monkeypatch.setenv("TENDERSCAN_RETRIES", "1")

    def slow(request):
        time.sleep(1.0)
        return Response(NOTICE_FILE.read_bytes(), content_type=XML)

    portal.expect_request(NOTICE_PATH).respond_with_handler(slow)
    r = fetch(NOTICE)
    assert r.exit_code == 5
    assert "timed out" in r.stderr and "TENDERSCAN_TIMEOUT" in r.stderr
    assert stored_count() == 0
    deadline = time.monotonic() + 5  # let the server finish the answers nobody waits for any more
    while hits(portal) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hits(portal) == 2, "one try and one retry"


def test_a_truncated_body_is_retried_then_reported(portal, monkeypatch):
    monkeypatch.setenv("TENDERSCAN_TIMEOUT", "1")
    monkeypatch.setenv("TENDERSCAN_RETRIES", "1")
    data = NOTICE_FILE.read_bytes()

    def cut(request):
        # the header promises the whole document, the connection ends after a third of it
        return Response(iter([data[: len(data) // 3]]), headers={"Content-Length": str(len(data))},
                        content_type=XML)

    portal.expect_request(NOTICE_PATH).respond_with_handler(cut)
    r = fetch(NOTICE)
    assert r.exit_code == 5, r.stderr
    assert stored_count() == 0


def test_a_cut_document_is_a_parse_error_and_stores_nothing(portal):
    data = NOTICE_FILE.read_bytes()
    portal.expect_request(NOTICE_PATH).respond_with_data(data[: len(data) // 2], content_type=XML)
    r = fetch(NOTICE)
    assert r.exit_code == 3
    assert stored_count() == 0


def test_a_captcha_page_with_status_200_is_blocked(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data(CAPTCHA, content_type="text/html; charset=utf-8")
    r = fetch(NOTICE)
    assert r.exit_code == 6
    assert "captcha" in r.stderr and "TENDERSCAN_USER_AGENT" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert hits(portal) == 1 and stored_count() == 0


def test_403_is_blocked(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data("<html>Forbidden</html>", status=403)
    assert fetch(NOTICE).exit_code == 6
    assert stored_count() == 0


def test_connection_refused_is_a_network_failure(monkeypatch):
    monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TENDERSCAN_RETRY_BASE", "0.01")
    monkeypatch.setenv("TENDERSCAN_RETRIES", "1")
    r = fetch(NOTICE)
    assert r.exit_code == 5
    assert "network error" in r.stderr


def test_not_an_id(portal):
    r = fetch("12345")
    assert r.exit_code == 2
    assert "not an ID" in r.stderr and hits(portal) == 0


def test_several_ids_one_failing_exits_1_and_stores_the_others(portal):
    serve_notice(portal)
    portal.expect_request(CONTRACT_PATH).respond_with_data("gone", status=404)
    r = fetch("--format", "jsonl", NOTICE, "0000000000000000001")
    assert r.exit_code == 1
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == [NOTICE]
    assert "1 of 2 inputs failed" in r.stderr
    assert stored_count() == 1


def test_the_user_agent_is_browser_like_and_overridable(portal, monkeypatch):
    serve_notice(portal)
    assert fetch(NOTICE).exit_code == 0
    assert "Mozilla/5.0" in portal.log[-1][0].headers["User-Agent"]
    monkeypatch.setenv("TENDERSCAN_USER_AGENT", "tenderscan-test/1")
    assert fetch("--refresh", NOTICE).exit_code == 0
    assert portal.log[-1][0].headers["User-Agent"] == "tenderscan-test/1"


# --- attachments -------------------------------------------------------------------------------------------


def make_docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{html.escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f"<w:body>{body}</w:body></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        zf.writestr("word/document.xml", doc)
    return buf.getvalue()


def make_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_attachments_are_downloaded_with_their_text(portal):
    serve_notice(portal)
    docx = make_docx(["Техническое задание", "Станция метро «Охотный Ряд» — 2 камеры"])
    xlsx = make_xlsx([["Наименование", "Количество"], ["Видеокамера", 85]])
    portal.expect_request(FILESTORE, query_string={"uid": "01A0FB5D623D77F29EA516932A5DDC3F"}).respond_with_data(
        docx, content_type="application/octet-stream")
    portal.expect_request(FILESTORE, query_string={"uid": "01A0FB5D8CBA7978A0C4F7DAD5B8C947"}).respond_with_data(
        xlsx, content_type="application/octet-stream")
    portal.expect_request(FILESTORE, query_string={"uid": "01A0FBCBACDC7288A2707C48AF49CC0D"}).respond_with_data(
        b"\xd0\xcf\x11\xe0 an old .doc", content_type="application/msword")
    portal.expect_request(FILESTORE).respond_with_data(CAPTCHA, content_type="text/html")
    r = fetch("--attachments", "--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert hits(portal, FILESTORE) == 4
    assert "captcha" in r.stderr, "the blocked attachment is reported"
    with Store.open() as st:
        t = st.get(NOTICE)
        by_name = {a.name: a for a in t.attachments}
        assert "Охотный Ряд" in by_name["Обоснование цены.docx"].text
        assert by_name["Описание объекта закупки.docx"].text == "Наименование\tКоличество\nВидеокамера\t85"
        assert by_name["Проект контракта.doc"].sha256 and by_name["Проект контракта.doc"].text is None
        assert by_name["требования к содержанию составу заявки.docx"].sha256 is None
        assert st.raw(by_name["Обоснование цены.docx"].sha256) == docx
    # stored with 3 of 4 attachments: fetching again asks only for the missing one
    portal.clear()
    portal.expect_request(FILESTORE).respond_with_data(make_docx(["Требования"]),
                                                       content_type="application/octet-stream")
    r = fetch("--attachments", "--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert hits(portal) == 1 and hits(portal, FILESTORE) == 1
    with Store.open() as st:
        assert all(a.sha256 for a in st.get(NOTICE).attachments)
    portal.clear()
    assert fetch("--attachments", NOTICE).exit_code == 0
    assert hits(portal) == 0, "everything is stored: no request"


def test_concurrent_fetches_keep_the_order_given(portal):
    fcs = "0301300140921000011"
    serve_notice(portal)
    portal.expect_request(NOTICE_PATH, query_string={"regNumber": fcs}).respond_with_data(
        (ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml").read_bytes(), content_type=XML)
    portal.expect_request(NOTICE_PATH, query_string={"regNumber": CONTRACT}).respond_with_data("no", status=404)
    portal.expect_request(CONTRACT_PATH, query_string={"contractReestrNumber": CONTRACT}).respond_with_data(
        CONTRACT_FILE.read_bytes(), content_type=XML)
    r = fetch("--concurrency", "3", "--format", "jsonl", CONTRACT, NOTICE, fcs)
    assert r.exit_code == 0, r.stderr
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == [CONTRACT, NOTICE, fcs]
    assert stored_count() == 3 and hits(portal) == 4


def test_kind_that_does_not_apply(portal):
    r = fetch("--kind", "contract", P223)
    assert r.exit_code == 2 and "23 digits" in r.stderr
    assert hits(portal) == 0


def test_a_stored_search_feed_entry_does_not_stop_a_fetch(portal, tmp_path):
    feed = (ZAKUPKI / "eis_search_rss_REAL_trimmed_5items_2026.xml").read_bytes().replace(
        b"0355200005326000010", NOTICE.encode())
    (tmp_path / "feed.xml").write_bytes(feed)
    assert run("ingest", str(tmp_path / "feed.xml")).exit_code == 0
    serve_notice(portal)
    r = fetch("--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["source_format"] != "zakupki/rss"
    assert hits(portal) == 1
    with Store.open() as st:
        assert st.get(NOTICE).amount is not None and st.get(NOTICE).version == "1"
