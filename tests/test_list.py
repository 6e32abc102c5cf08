"""`list`: stored documents filtered by kind, year, customer, text; table, json, csv."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import ZAKUPKI, run

FILES = [
    "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml",
    "44fz_contracts_export_contract_2366200608816001262_30400522.xml",
    "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml",
]


@pytest.fixture
def stored():
    r = run("ingest", *(str(ZAKUPKI / f) for f in FILES))
    assert r.exit_code == 0, r.stderr


def listed(*args: str) -> list[dict]:
    r = run("list", "--format", "json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_list_json_has_the_contract_keys(stored):
    rows = listed()
    assert len(rows) == 3
    for row in rows:
        assert {"id", "kind", "version", "published", "customer", "amount", "currency"} <= set(row)
    by_id = {r["id"]: r for r in rows}
    n = by_id["0362100022326000101"]
    assert n["kind"] == "notice" and n["version"] == "1" and n["amount"] == "102871.68" and n["currency"] == "RUB"
    assert n["published"] == "2026-10-02T13:49:45.808000+05:00"
    assert by_id["2366200608816001262"]["amount"] == "1207680.35"
    assert [r["id"] for r in rows][0] == "0362100022326000101", "newest first"


def test_list_filters(stored):
    assert [r["id"] for r in listed("--kind", "contract")] == ["2366200608816001262"]
    assert [r["id"] for r in listed("--year", "2026")] == ["0362100022326000101"]
    contract = listed("--kind", "contract")[0]
    assert [r["id"] for r in listed("--customer", contract["customer_inn"])] == ["2366200608816001262"]
    word = contract["customer"].split()[-1].lower()
    assert "2366200608816001262" in [r["id"] for r in listed("--customer", word)]
    assert listed("--search", "справочно-правовой") and \
        [r["id"] for r in listed("--search", "справочно-правовой")] == ["0362100022326000101"]
    assert listed("--kind", "protocol") == []


def test_list_search_looks_in_item_names(stored):
    r = run("show", "--format", "json", "2366200608816001262")
    item = json.loads(r.stdout)["items"][3]["name"]
    word = max(item.split(), key=len)
    assert "2366200608816001262" in [x["id"] for x in listed("--search", word.upper())]


def test_list_csv_and_table(stored):
    r = run("list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 3 and rows[0]["id"] == "0362100022326000101" and rows[0]["amount"] == "102871.68"
    r = run("list", "--format", "table")
    assert r.exit_code == 0 and "102 871.68" in r.stdout.replace("\u202f", " ")


def test_list_all_versions_and_limit(stored, tmp_path):
    data = (ZAKUPKI / FILES[0]).read_bytes().replace(b"<versionNumber>1</versionNumber>",
                                                     b"<versionNumber>2</versionNumber>")
    p = tmp_path / "v2.xml"
    p.write_bytes(data)
    assert run("ingest", str(p)).exit_code == 0
    assert [r["version"] for r in listed() if r["id"] == "0362100022326000101"] == ["2"]
    assert sorted(r["version"] for r in listed("--all-versions") if r["id"] == "0362100022326000101") == ["1", "2"]
    assert len(listed("--limit", "1")) == 1


def test_list_empty_store_and_store_option(tmp_path):
    # issue 14 item 4: a store that does not exist is an error, never created (it used to list [] and make one)
    from tenderscan.store import Store

    Store.open(tmp_path / "x", create=True).close()
    r = run("list", "--store", str(tmp_path / "x"), "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    missing = run("list", "--store", str(tmp_path / "y"), "--format", "json")
    assert missing.exit_code == 7 and "no store at" in missing.stderr and not (tmp_path / "y").exists()
