"""ProZorro: the real API documents and HTTP captures, golden values, masked tenders."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tenderscan import parse
from tenderscan.errors import ParseError
from tenderscan.models import Kind

from .conftest import FIXTURES

PZ = FIXTURES / "prozorro"
KYIV_SUMMER = timezone(timedelta(hours=3))
KYIV_WINTER = timezone(timedelta(hours=2))
TENDERS = sorted(PZ.glob("*.json")) + [PZ / "blank-tender-view.http", PZ / "tender-add-relatedLot-to-item.http"]


def one(name):
    [t] = parse(str(PZ / name), stations=False)
    return t


@pytest.mark.parametrize("path", TENDERS, ids=lambda p: p.name)
def test_every_prozorro_document_through_show_json(cli, path):
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["law"] == "ProZorro" and d["id"].startswith("UA-")
    assert len(d["source"]["source_id"]) == 32
    assert d["customer"]["id_scheme"] == "UA-EDR"


def test_feed_page_capture_is_refused_in_one_line(cli):
    r = cli("show", "--format", "json", str(PZ / "tender-listing-after-patch.http"))
    assert r.exit_code == 3 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "feed page" in lines[0] and "fetch" in lines[0]


def test_lviv_tender_golden():
    t = one("tender_to_render.json")
    assert t.id == "UA-2022-07-23-000100-a"
    assert t.source.source_id == "520d3c3a9a9f47b9bec63eb6d86610eb"
    assert t.kind == Kind.notice and t.status == "active.tendering"
    assert t.method_code == "aboveThresholdEU"
    assert t.customer.inn == "44496574" and t.customer.id_scheme == "UA-EDR"
    assert t.customer.name.startswith("Комунальне некомерційне підприємство «Львівське")
    assert (t.customer.country, t.region) == ("UA", "Львівська область")
    assert (t.amount, t.currency) == (Decimal(7225305), "UAH")
    assert t.published == datetime(2022, 7, 23, 14, 57, 54, 128761, tzinfo=KYIV_SUMMER)
    assert t.submission_deadline == datetime(2022, 8, 24, 12, 0, tzinfo=KYIV_SUMMER)
    assert t.url == "https://prozorro.gov.ua/tender/UA-2022-07-23-000100-a"
    [lot] = t.lots
    assert (lot.id, lot.title, lot.amount, lot.status) == (
        "268c0b11caf3a45ecb178e92ea36b9c4", "Лот №1 – Allopurinol;", Decimal(201), "unsuccessful")
    [item] = t.items
    assert (item.code, item.code_scheme, item.code_name) == ("38510000-3", "CPV", "Мікроскопи")
    assert [(c.scheme, c.code) for c in item.classifications] == [("GMDN", "17440")]
    assert (item.quantity, item.unit, item.unit_code, item.lot) == (
        Decimal(2), "штуки", "H87", "268c0b11caf3a45ecb178e92ea36b9c4")
    assert t.delivery_places == ["вул. І. Миколайчука, 9, Львів, Львівська область, 79059, Україна"]
    assert t.places[0].country == "UA"
    assert len(t.attachments) == 2


def test_completed_tender_with_lots_awards_contracts():
    t = one("has-auction-true-tender-complete.json")
    assert t.id == "UA-2027-01-01-000001-a"
    assert t.source.source_id == "38bca89f7ba4477d97f553d576fd6994"
    assert t.kind == Kind.contract and t.status == "complete"
    assert (t.customer.name, t.customer.inn) == ("ЗОСШ #10 м.Вінниці", "21725150")
    assert (t.amount, t.currency) == (Decimal("1000.0"), "UAH")  # two active contracts of 500
    assert [(s.name, s.inn, s.id_scheme) for s in t.suppliers] == [("ДКП «Школяр»", "00137256", "UA-EDR")]
    assert [lot.id for lot in t.lots] == ["d7afc0eb4f6d42549557d7b3226417e6", "ffb255f57e054aaa9f45701dbce47420"]
    assert [(i.code, i.lot) for i in t.items] == [
        ("55523100-3", "d7afc0eb4f6d42549557d7b3226417e6"), ("55523100-3", "ffb255f57e054aaa9f45701dbce47420")]
    assert t.items[0].delivery_places == ["вул. Банкова 1, м. Київ, 79000, Україна"]
    assert [(a.participant.name, a.price, a.winner) for a in t.applications] == [
        ("ДКП «Школяр»", Decimal("1000.0"), True), ("ДКП «Книга»", Decimal("1000.0"), False)]


def test_masked_tender_reads_as_missing_values():
    t = one("tender_masked.json")
    assert t.id == "UA-2021-11-08-000045-a"
    assert t.extra["masked"] is True
    assert t.kind == Kind.contract
    assert (t.amount, t.currency) == (Decimal("34909065.49"), "UAH")  # the active contract only
    assert t.signed == datetime(2021, 11, 8, 16, 57, 38, 548072, tzinfo=KYIV_WINTER)
    assert t.suppliers == []  # the supplier is masked entirely
    [item] = t.items
    assert item.name is None and item.quantity is None and item.amount is None
    assert (item.code, item.unit_price) == ("33632100-0", Decimal(256307))
    assert t.places == [] and t.delivery_places == []
    assert all(a.name is None and a.url is None for a in t.attachments)
    assert all(a.participant is None for a in t.applications)
    dumped = json.dumps(t.model_dump(mode="json"), ensure_ascii=False)
    assert "Приховано" not in dumped and "Hidden" not in dumped and "1970-01-01" not in dumped


@pytest.mark.parametrize("name, lots, host", [("blank-tender-view.http", 0, "public-api-sandbox"),
                                              ("tender-add-relatedLot-to-item.http", 1, "lb-api-sandbox")])
def test_http_capture_reads_the_response_body(name, lots, host):
    t = one(name)
    assert t.id == "UA-2027-01-01-000001-a"
    assert t.source.source_id == "fa2e9cbf88314cb6ae4f240dacbb041f"
    assert (t.customer.name, t.customer.inn) == ("Державне управління справами", "00037256")
    assert (t.amount, t.currency) == (Decimal("500.0"), "UAH")
    assert [(i.code, i.quantity, i.unit) for i in t.items] == [("44617100-9", Decimal(5), "кілограм")]
    assert len(t.lots) == lots
    assert t.source.url == f"https://{host}.prozorro.gov.ua/api/2.5/tenders/fa2e9cbf88314cb6ae4f240dacbb041f"
    assert "acc_token" not in t.source.url


def test_error_response_capture(tmp_path):
    path = tmp_path / "404.http"
    path.write_bytes(b"GET /api/2.5/tenders/0000 HTTP/1.0\nHost: x\n\n\nHTTP/1.0 404 Not Found\n"
                     b"Content-Type: application/json\n\n{\"status\": \"error\"}\n")
    with pytest.raises(ParseError, match="HTTP 404"):
        parse(str(path), stations=False)
