"""`fetch` of TED notices against a real HTTP server on 127.0.0.1: eForms and R2.0.9, 429, the WAF's 202."""

from __future__ import annotations

import json

import pytest
from werkzeug.wrappers import Response

from tenderscan.store import Store

from .conftest import FIXTURES, point_at, run

TED = FIXTURES / "ted"
XML = "application/xml; charset=utf-8"


@pytest.fixture
def ted(portal_server, monkeypatch):
    return point_at(monkeypatch, portal_server, "TENDERSCAN_TED_URL")


def fetch(*args: str):
    return run("fetch", "--rate", "0", *args)


def stored():
    with Store.open() as st:
        return st.count()


def test_fetch_an_r209_notice(ted):
    ted.expect_request("/en/notice/154292-2020/xml").respond_with_data(
        (TED / "tedxml-R2.0.9_20-157399-001-EXP.xml").read_bytes(), content_type=XML)
    r = fetch("--format", "json", "154292-2020")
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert (d["id"], d["law"], d["amount"], d["currency"]) == ("154292-2020", "TED", "4500000.00", "NOK")
    assert d["source"]["url"] == ted.url_for("/en/notice/154292-2020/xml")
    assert stored() == 1


def test_fetch_an_eforms_notice(ted):
    ted.expect_request("/en/notice/12345678-2025/xml").respond_with_data(
        (TED / "eforms_pin-buyer_24_published.xml").read_bytes(), content_type=XML)
    r = fetch("--format", "json", "12345678-2025")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["id"] == "12345678-2025"


def test_eforms_style_number_with_leading_zeros(ted):
    ted.expect_request("/en/notice/154292-2020/xml").respond_with_data(
        (TED / "tedxml-R2.0.9_20-157399-001-EXP.xml").read_bytes(), content_type=XML)
    r = fetch("--format", "json", "00154292-2020")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["id"] == "154292-2020"


def test_an_eforms_notice_without_its_number_takes_the_number_asked_for(ted):
    ted.expect_request("/en/notice/563384-2019/xml").respond_with_data(
        (TED / "eforms_cn_24_minimal.xml").read_bytes(), content_type=XML)
    r = fetch("--format", "json", "563384-2019")
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["id"] == "563384-2019"
    assert d["extra"]["notice_uuid"] == "f42be27e-09cf-4f0e-a745-63ec689631e6"
    with Store.open() as st:
        assert st.find("563384-2019") is not None


def test_a_stored_notice_makes_no_request(ted):
    ted.expect_request("/en/notice/154292-2020/xml").respond_with_data(
        (TED / "tedxml-R2.0.9_20-157399-001-EXP.xml").read_bytes(), content_type=XML)
    assert fetch("154292-2020").exit_code == 0
    ted.clear()
    r = fetch("--format", "json", "154292-2020")
    assert r.exit_code == 0 and len(ted.log) == 0


def test_waf_challenge_202_empty_body_is_blocked(ted):
    ted.expect_request("/en/notice/154292-2020/xml").respond_with_response(
        Response(b"", status=202, headers={"x-amzn-waf-action": "challenge"}))
    r = fetch("154292-2020")
    assert r.exit_code == 6
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "202" in lines[0] and "WAF" in lines[0]
    assert stored() == 0


def test_429_for_ever_is_blocked(ted):
    ted.expect_request("/en/notice/154292-2020/xml").respond_with_data("Too Many Requests", status=429)
    r = fetch("154292-2020")
    assert r.exit_code == 6 and "429" in r.stderr
    assert stored() == 0


def test_429_then_the_notice(ted):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            return Response("Too Many Requests", status=429, headers={"Retry-After": "0"})
        return Response((TED / "tedxml-R2.0.9_20-157543-001-EXP.xml").read_bytes(), content_type=XML)

    ted.expect_request("/en/notice/153579-2020/xml").respond_with_handler(handler)
    r = fetch("--format", "json", "153579-2020")
    assert r.exit_code == 0, r.stderr
    assert len(calls) == 2 and json.loads(r.stdout)["amount"] == "9642953.44"


def test_404_is_not_found(ted):
    ted.expect_request("/en/notice/1-2020/xml").respond_with_data("no", status=404)
    r = fetch("1-2020")
    assert r.exit_code == 4 and stored() == 0


def test_another_notice_than_asked_is_refused(ted):
    ted.expect_request("/en/notice/999-2020/xml").respond_with_data(
        (TED / "tedxml-R2.0.9_20-157399-001-EXP.xml").read_bytes(), content_type=XML)
    r = fetch("999-2020")
    assert r.exit_code == 3 and "154292-2020, not 999-2020" in r.stderr
    assert stored() == 0


def test_id_forms_go_to_their_portal(ted, monkeypatch):
    from tenderscan.sources import normalize_id, source_for

    assert source_for(normalize_id("154292-2020")).NAME == "ted"
    assert source_for(normalize_id("UA-2022-07-23-000100-a")).NAME == "prozorro"
    assert source_for(normalize_id("520d3c3a9a9f47b9bec63eb6d86610eb")).NAME == "prozorro"
    assert source_for(normalize_id("0362100022326000101")).NAME == "zakupki"
    assert source_for(normalize_id("32109998392")).NAME == "zakupki"
