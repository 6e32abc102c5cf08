"""`fetch` of OCDS ocids: from the store, or from a publisher's API with --url (a real local server)."""

from __future__ import annotations

import json

import pytest

from tenderscan.store import Store

from .conftest import FIXTURES, fast_retries, local_server, run

KIT = FIXTURES / "ocds" / "ocds-ocdskit"
OCID = "OCDS-87SD3T-AD-SF-DRM-063-2015"


@pytest.fixture
def publisher(monkeypatch):
    fast_retries(monkeypatch, retries=1)
    with local_server(threaded=False) as srv:
        yield srv


def fetch(*args: str):
    return run("fetch", "--rate", "0", *args)


def test_fetch_an_ocid_from_a_publishers_api(publisher):
    publisher.expect_request("/api/contrato/063").respond_with_data(
        (KIT / "release-package-1.json").read_bytes(), content_type="application/json")
    url = publisher.url_for("/api/contrato/063")
    r = fetch("--format", "json", "--url", url, OCID)
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert (d["id"], d["amount"], d["currency"]) == (OCID, "1311264.00", "MXN")
    assert d["source"]["url"] == url and d["extra"]["releases_merged"] == 2
    publisher.clear()
    again = fetch("--format", "json", OCID)  # now from the store, without a request
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["id"] == OCID and len(publisher.log) == 0


def test_an_ocid_that_is_not_stored_needs_url():
    r = fetch("ocds-213czf-000-00001")
    assert r.exit_code == 4
    assert "--url" in r.stderr and "Traceback" not in r.stderr


def test_the_answer_must_hold_the_ocid(publisher):
    publisher.expect_request("/other").respond_with_data((KIT / "release-package-2.json").read_bytes(),
                                                         content_type="application/json")
    r = fetch("--url", publisher.url_for("/other"), OCID)
    assert r.exit_code == 3 and "holds no" in r.stderr
    with Store.open() as st:
        assert st.count() == 0


def test_url_is_only_for_ocids(publisher):
    r = fetch("--url", publisher.url_for("/x"), "154292-2020")
    assert r.exit_code == 2 and "--url" in r.stderr
    assert len(publisher.log) == 0
