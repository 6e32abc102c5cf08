"""`fetch` of ProZorro tenders against a real HTTP server on 127.0.0.1 serving the real API documents."""

from __future__ import annotations

import json

import pytest
from werkzeug.wrappers import Response

from tenderscan.store import Store

from .conftest import FIXTURES, point_at, run

PZ = FIXTURES / "prozorro"
HEX = "38bca89f7ba4477d97f553d576fd6994"
TENDER_ID = "UA-2027-01-01-000001-a"
DOC = PZ / "has-auction-true-tender-complete.json"  # the API's {"config": ..., "data": ...} answer
PATH = f"/api/2.5/tenders/{HEX}"
JSON = "application/json"


@pytest.fixture
def api(portal_server, monkeypatch):
    return point_at(monkeypatch, portal_server, "TENDERSCAN_PROZORRO_URL")


def fetch(*args: str):
    return run("fetch", "--rate", "0", *args)


def stored():
    with Store.open() as st:
        return st.count()


def test_fetch_by_hex_id_stores_the_tender_under_its_tender_id(api):
    api.expect_request(PATH).respond_with_data(DOC.read_bytes(), content_type=JSON)
    r = fetch("--format", "json", HEX)
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["id"] == TENDER_ID and d["law"] == "ProZorro"
    assert d["source"]["source_id"] == HEX
    assert d["source"]["url"] == api.url_for(PATH)
    assert d["source"]["http_status"] == 200
    assert d["customer"]["inn"] == "21725150" and d["amount"] == "1000.0"
    assert stored() == 1
    with Store.open() as st:
        assert st.find(TENDER_ID).source.source_id == HEX


def test_a_stored_tender_id_is_served_without_a_request(api):
    api.expect_request(PATH).respond_with_data(DOC.read_bytes(), content_type=JSON)
    assert fetch("--format", "json", HEX).exit_code == 0
    api.clear()
    r = fetch("--format", "json", TENDER_ID)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["id"] == TENDER_ID
    assert len(api.log) == 0


def test_an_unknown_tender_id_says_to_use_the_hex_id(api):
    r = fetch("UA-2020-01-01-000001-b")
    assert r.exit_code == 4
    assert "32-hex id" in r.stderr and "Traceback" not in r.stderr
    assert len(api.log) == 0


def test_404_is_not_found(api):
    api.expect_request(PATH).respond_with_json({"status": "error", "errors": [{"description": "Not Found"}]},
                                               status=404)
    r = fetch(HEX)
    assert r.exit_code == 4 and "no ProZorro tender" in r.stderr
    assert stored() == 0


def test_429_then_success(api):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "0"})
        return Response(DOC.read_bytes(), content_type=JSON)

    api.expect_request(PATH).respond_with_handler(handler)
    r = fetch("--format", "json", HEX)
    assert r.exit_code == 0, r.stderr
    assert len(calls) == 2 and stored() == 1


def test_429_for_ever_is_blocked(api):
    api.expect_request(PATH).respond_with_data("slow down", status=429, headers={"Retry-After": "0"})
    r = fetch(HEX)
    assert r.exit_code == 6 and "429" in r.stderr
    assert stored() == 0


def test_an_answer_for_another_tender_is_refused(api):
    other = json.loads((PZ / "tender_to_render.json").read_text("utf-8"))
    api.expect_request(PATH).respond_with_json({"data": other})
    r = fetch(HEX)
    assert r.exit_code == 3 and "not " + HEX in r.stderr
    assert stored() == 0


def test_masked_tender_from_the_api(api):
    doc = json.loads((PZ / "tender_masked.json").read_text("utf-8"))
    api.expect_request(f"/api/2.5/tenders/{doc['id']}").respond_with_json({"data": doc})
    r = fetch("--format", "json", doc["id"])
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["id"] == "UA-2021-11-08-000045-a" and d["extra"]["masked"] is True
    assert "Приховано" not in r.stdout
