"""The OCDS export (services/export/ocds.py) on every real zakupki fixture.

Checks: every release validates against the bundled OCDS 1.1.5 release schema (with its date-time format
checks); ``ocdskit compile`` gives the same compiled release per ocid as tenderscan's merge; tenderscan
reading the exported package back gives the documents' amounts, suppliers and items; and the values of one
full process (44-FZ purchase 0111100000217000017: three protocols, a placement result, a clarification and
a contract signing record), read by hand from the XML (paths in the comments).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from tenderscan.documents.batch import ReadOptions, read
from tenderscan.documents.parse import parse
from tenderscan.formats.ocds.reader import compile_releases
from tenderscan.models import Kind
from tenderscan.services.export.ocds import OcdsOptions, export_ocds, ocid_of
from tenderscan.services.export.ocds_json import dumps

from .conftest import FIXTURES

SCHEMA_PATH = Path(__file__).parents[1] / "src/tenderscan/data/ocds-release-schema-1.1.5.json"
ZAKUPKI = sorted(p for d in ("zakupki", "zakupki-more") for p in (FIXTURES / d).iterdir()
                 if p.suffix in (".xml", ".json"))
PROCESS = "ocds-tenderscan-0111100000217000017"


@pytest.fixture(scope="module")
def tenders():
    return list(read([str(p) for p in ZAKUPKI], options=ReadOptions(stations=False)))


@pytest.fixture(scope="module")
def export(tenders):
    return export_ocds(tenders)


@pytest.fixture(scope="module")
def package(export):
    return json.loads(export.dumps(), parse_float=Decimal)


@pytest.fixture(scope="module")
def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_every_fixture_is_exported_or_left_out_with_a_reason(tenders, export):
    assert len(export.releases) + len(export.skipped) == len(tenders)
    # the two 223-FZ purchaseContractAccount files are monthly counts of contracts, not purchases
    assert {s.reason for s in export.skipped} == {
        "a monthly report of the contracts concluded, not a contracting process"}
    assert len(export.skipped) == 2
    kinds = {t.kind for t in tenders if t.source_format != "zakupki223/purchaseContractAccount"}
    assert kinds == set(Kind)  # every kind of zakupki document is in the export


def test_releases_validate_against_the_ocds_release_schema(package, schema):
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker(["date-time"]))
    errors = [(r["id"], list(e.absolute_path), e.message) for r in package["releases"]
              for e in validator.iter_errors(r)]
    assert errors == []
    ids = [(r["ocid"], r["id"]) for r in package["releases"]]
    assert len(ids) == len(set(ids))  # a release id is unique within its process


def ocdskit() -> str:
    found = Path(sys.executable).with_name("ocdskit")
    return str(found) if found.exists() else shutil.which("ocdskit") or pytest.skip("ocdskit is not installed")


def test_ocdskit_compile_gives_tenderscans_merge(export, package, tmp_path):
    path = tmp_path / "package.json"
    path.write_text(export.dumps(), encoding="utf-8")
    with path.open("rb") as fh:  # `ocdskit compile` with the bundled schema (no download)
        done = subprocess.run([ocdskit(), "compile", "--schema", str(SCHEMA_PATH)], stdin=fh,
                              capture_output=True, check=True)
    kit = {}
    for line in done.stdout.decode("utf-8").splitlines():
        c = json.loads(line, parse_float=Decimal)
        kit[c["ocid"]] = c
    mine = {}
    for r in package["releases"]:
        mine.setdefault(r["ocid"], []).append(r)
    assert set(kit) == set(mine)
    for ocid, releases in mine.items():
        assert compile_releases(releases) == kit[ocid], ocid


def test_amounts_are_exact_json_numbers(export):
    text = export.dumps()
    # fcsNotificationEF 0301300140921000011: drugPurchaseObjectInfo/.../pricePerUnit 0.94768 (not 0.9476800001)
    assert '"amount": 0.94768,' in text
    # fcsProtocolEF2: protocolLot/applications/application[journalNumber=1]/priceOffers/lastOffer/price
    assert '"amount": 190105.00,' in text
    assert dumps({"a": Decimal("1E+3"), "b": Decimal("-0.10")}) == '{"a":1e+3,"b":-0.10}'
    assert json.loads(dumps({"a": Decimal("1E+3")})) == {"a": 1000.0}


def test_ocid_rule(tenders):
    by_file = {Path(t.source.path).name: t for t in tenders}
    contract = by_file["44fz_contracts_export_contract_2366200608816001262_30400522.xml"]
    # contract/foundation/fcsOrder/order/notificationNumber: the purchase the contract comes from
    assert ocid_of(contract, "ocds-tenderscan-", {}) == "ocds-tenderscan-0131200001016005027"
    single = by_file["44fz_contract_2020_quantityUndefined_1055400213020000032.xml"]  # no notice: its own process
    assert ocid_of(single, "ocds-tenderscan-", {}) == "ocds-tenderscan-contract-1055400213020000032"
    c223 = by_file["223fz_contract_Adygeya_Resp_20191217_daily_001.xml"]  # contractData/purchaseNoticeInfo
    assert ocid_of(c223, "x-", {}) == "x-31908645944"
    plan = by_file["purchasePlan_test.xml"]
    assert ocid_of(plan, "x-", {}) == "x-plan-2180316803"
    out = export_ocds([contract], OcdsOptions(prefix="ocds-abc123-"))
    assert out.releases[0]["ocid"] == "ocds-abc123-0131200001016005027"


def test_one_purchase_protocols_and_contract_share_a_process(export):
    releases = export.by_ocid()[PROCESS]
    assert [r["id"] for r in releases] == [
        "fcsClarification-1030713", "fcsContractSign-10907945", "fcsPlacementResult-0111100000217000017-v0",
        "fcsProtocolEF1-15516465", "fcsProtocolEF2-15528232", "fcsProtocolEF3-15585361"]
    c = export.compiled()[PROCESS]
    bids = {b["id"]: b for b in c["bids"]["details"]}
    # EF1 protocolLot/applications/application/admitted true for journalNumber 1 and 2
    assert {b: bids[b]["status"] for b in bids} == {"bid-1": "valid", "bid-2": "valid"}
    # EF2 .../application[journalNumber]/priceOffers/lastOffer/price
    assert bids["bid-1"]["value"] == {"amount": Decimal("190105.00"), "currency": "RUB"}
    assert bids["bid-2"]["value"] == {"amount": Decimal("189140.00"), "currency": "RUB"}
    # EF3 .../application[journalNumber=2]/appParticipant/inn
    assert bids["bid-2"]["tenderers"][0]["id"] == "RU-INN-1660086239"
    assert bids["bid-1"]["tenderers"][0]["id"] == "RU-INN-1660075808"
    assert c["tender"]["numberOfTenderers"] == 2
    [award] = c["awards"]  # PlacementResult: winner journalNumber 2, price 189140
    assert award["id"] == "award-2" and award["status"] == "active"
    assert award["value"] == {"amount": Decimal("189140"), "currency": "RUB"}
    assert award["suppliers"][0]["id"] == "RU-INN-1660086239"
    [contract] = c["contracts"]  # fcsContractSign: contractSignDate 2017-11-09, price 189140, number 2017.56852
    assert contract == {"id": "signed-2017.56852", "awardID": "award-2",
                        "value": {"amount": Decimal("189140"), "currency": "RUB"},
                        "dateSigned": "2017-11-09T00:00:00Z"}
    assert c["tender"]["procurementMethod"] == "open"  # an electronic auction's protocols (fcsProtocolEF*)
    assert c["tender"]["tenderscan"]["methodCategory"] == "auction"
    assert {s["document"] for s in c["tenderscanSources"]} == {"0111100000217000017", "0111100000217000017@0"}
    assert len(c["tenderscanSources"]) == 6


def test_sole_trader_parties_and_roles(export):
    c = export.compiled()["ocds-tenderscan-0873500000820003425"]
    parties = {p["id"]: p for p in c["parties"]}
    # fcsProtocolEF3 2020: application journalNumber 2, appParticipantInfo/individualPersonInfo/INN (12 digits)
    sole = parties["RU-INN-613303041597"]
    assert sole["identifier"] == {"scheme": "RU-INN", "id": "613303041597",
                                  "legalName": "ЖУКОВ АЛЕКСАНДР АЛЕКСАНДРОВИЧ"}
    assert sole["details"]["entityType"] == "sole_trader"
    assert sole["roles"] == ["tenderer"]
    assert parties["RU-INN-9703009483"]["roles"] == ["supplier", "tenderer"]  # the winner (journalNumber 4)


def test_reading_the_export_back_gives_the_documents(tenders, export):
    back = {t.id: t for t in parse(export.dumps().encode("utf-8"), name="export.json")}
    lossless = (Kind.notice, Kind.contract)
    checked = 0
    for t in tenders:
        if t.kind not in lossless or t.source_format == "zakupki/rss":
            continue
        ocid = ocid_of(t, "ocds-tenderscan-", {})
        if len(export.by_ocid()[ocid]) != 1:
            continue
        b = back[ocid]
        assert b.amount == t.amount, ocid
        assert [s.inn for s in b.suppliers] == [s.inn for s in t.suppliers], ocid
        assert len(b.items) == len(t.items), ocid
        for mine, theirs in zip(t.items, b.items):
            assert (theirs.name, theirs.code, theirs.unit_price, theirs.unit_code) == \
                (mine.name, mine.code, mine.unit_price, mine.unit_code), ocid
            if not mine.quantity_undefined:
                assert theirs.quantity == mine.quantity, ocid
        checked += 1
    assert checked >= 20
    # a protocol's award: fcsProtocolEF3 2020, winner journalNumber 4, winnerPrice 1840283.61
    assert back["ocds-tenderscan-0873500000820003425"].amount == Decimal("1840283.61")
    assert back["ocds-tenderscan-0873500000820003425"].suppliers[0].inn == "9703009483"
