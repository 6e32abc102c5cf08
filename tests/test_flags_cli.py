"""`tenderscan flags`, `export --table ocds` and `tenderscan profile` through the CLI.

The library behind them is tested in test_flags_cardinal.py, test_flags_zakupki.py, test_ocds_export.py and
test_profile.py (values read by hand from the documents there); here: that the commands give the same
results, in every format, and that their errors are one line with the right exit code.
"""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from .conftest import FIXTURES, run
from .test_flags_cardinal import INDICATOR_FIXTURES, settings_text, strict_equal
from .test_ocds_export import SCHEMA_PATH

DOCS = [str(FIXTURES / "zakupki"), str(FIXTURES / "zakupki-more")]
P = "ocds-tenderscan-"
PPRF615 = P + "027300000012001473"  # the capital-repair auction with one application (see test_flags_zakupki)


def ok(*args: str, input=None):
    r = run(*args, input=input)
    assert r.exit_code == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def rows():
    return json.loads(ok("flags", *DOCS, "--format", "json").stdout)


# --- Cardinal's fixtures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", INDICATOR_FIXTURES, ids=lambda p: p.stem)
def test_cardinal_fixture_through_the_cli(path, tmp_path):
    settings = tmp_path / "S.ini"
    settings.write_text(settings_text(path.stem), encoding="utf-8")
    r = ok("flags", str(path), "--settings", str(settings), "--format", "cardinal")
    expected = json.loads(path.with_suffix(".expected").read_text(encoding="utf-8"))
    assert strict_equal(json.loads(r.stdout), expected)
    assert r.stdout.count("\n") == 1  # one line, as Cardinal prints it


# --- flags on the bundled documents -------------------------------------------------------------------------


def test_json_rows_have_the_flag_its_threshold_and_evidence(rows):
    assert len(rows) >= 12
    for row in rows:
        assert list(row)[:8] == ["indicator", "title", "group", "id", "value", "threshold", "threshold_source",
                                 "evidence"]
        assert row["group"] in ("OCID", "Buyer", "ProcuringEntity", "Tenderer")
        assert row["threshold_source"] == row["evidence"].get("threshold_source")
    by = {(r["indicator"], r["id"]): r for r in rows}
    r018 = by[("R018", PPRF615)]
    # pprf615ProtocolEF2: one application (protocolInfo/applications/application) -> numberOfTenderers 1
    assert r018["value"] == 1.0 and r018["threshold"] == 1 and r018["threshold_source"] == "Cardinal default"
    assert r018["evidence"]["numberOfTenderers"] == 1
    [doc] = r018["evidence"]["documents"]
    assert doc["document"] == "027300000012001473@1" and doc["kind"] == "protocol" and len(doc["sha256"]) == 64
    near = by[("TS-PRICE-NEAR-MAX", PPRF615)]
    # 16519417.98 offered against a maximum price of 16602430.13: decimals as strings in the evidence
    assert near["evidence"]["awards"][0]["award_value"] == "16519417.98"
    assert near["evidence"]["awards"][0]["maximum_price"] == "16602430.13"
    assert near["threshold"] == 0.99 and near["threshold_source"] == "tenderscan default"


def test_jsonl_csv_and_table_hold_the_same_flags(rows):
    lines = ok("flags", *DOCS, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x) for x in lines] == rows
    table = list(csv.DictReader(io.StringIO(ok("flags", *DOCS, "--format", "csv").stdout)))
    assert [(r["indicator"], r["id"]) for r in table] == [(r["indicator"], r["id"]) for r in rows]
    assert list(table[0]) == ["indicator", "title", "group", "id", "value", "threshold", "threshold_source",
                              "evidence"]
    assert [json.loads(r["evidence"]) for r in table] == [r["evidence"] for r in rows]
    screen = ok("flags", *DOCS, "--format", "table")
    assert f"{len(rows)} flag(s)" in screen.stdout
    assert PPRF615 in screen.stdout and "027300000012001473@1" in screen.stdout and "0.995" in screen.stdout
    # the 223-FZ monthly reports are not contracting processes: said once, on stderr
    assert "2 document(s) left out (a monthly report" in screen.stderr


def test_by_flag_customer_supplier_count_the_flags(rows):
    for by in ("flag", "customer", "supplier"):
        counts = json.loads(ok("flags", *DOCS, "--by", by, "--format", "json").stdout)
        assert all(c["flags"] == len(c["ids"]) for c in counts)
        if by == "flag":
            assert {c["by"]: c["flags"] for c in counts} == {
                i: sum(1 for r in rows if r["indicator"] == i) for i in {r["indicator"] for r in rows}}
            assert {c["by"]: c["name"] for c in counts}["R018"] == "Single bid received"
    suppliers = json.loads(ok("flags", *DOCS, "--by", "supplier", "--format", "json").stdout)
    vek = [c for c in suppliers if c["by"] == "RU-INN-7723806652"]
    assert {c["indicator"] for c in vek} == {"R018", "TS-PRICE-NEAR-MAX"}
    assert vek[0]["name"] == 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ВЕК"'
    customers = list(csv.DictReader(io.StringIO(ok("flags", *DOCS, "--by", "customer", "-f", "csv").stdout)))
    assert list(customers[0]) == ["by", "name", "indicator", "flags", "ids"]
    gazprom = [c for c in customers if c["by"] == "RU-INN-0105018196"]  # two single-supplier contracts
    assert [(c["indicator"], c["flags"]) for c in gazprom] == [("TS-NON-COMPETITIVE", "2")]


def test_indicator_filter(rows):
    only = json.loads(ok("flags", *DOCS, "--indicator", "R018", "--indicator", "TS-PRICE-NEAR-MAX",
                         "-f", "json").stdout)
    assert only == [r for r in rows if r["indicator"] in ("R018", "TS-PRICE-NEAR-MAX")]
    # R003 does not run by default; named, it runs with Cardinal's 15 days
    r003 = json.loads(ok("flags", *DOCS, "--indicator", "R003", "-f", "json").stdout)
    assert {r["indicator"] for r in r003} <= {"R003"}


def test_flags_of_the_documents_equal_flags_of_their_ocds_export(rows, tmp_path):
    out = tmp_path / "export.json"
    r = ok("export", *DOCS, "--table", "ocds", "-o", str(out))
    assert "releases of" in r.stderr and str(out) in r.stderr
    again = json.loads(ok("flags", str(out), "--format", "json").stdout)
    assert again == rows
    assert ok("flags", str(out), "-f", "cardinal").stdout == ok("flags", *DOCS, "-f", "cardinal").stdout


def test_flags_from_the_store_equal_flags_of_the_files(rows, tmp_path):
    store = str(tmp_path / "st")
    ok("ingest", "--store", store, *DOCS)
    # the store gives `extra` back as JSON (dates and decimals as strings): the export reads them the same
    stored = json.loads(ok("flags", "--store", store, "-f", "json").stdout)
    assert stored == rows
    # a stored ID as a SOURCE
    one = json.loads(ok("flags", "--store", store, "027300000012001473", "-f", "json").stdout)
    assert {r["indicator"] for r in one} == {"R018", "TS-PRICE-NEAR-MAX"}


# --- flags: errors ---------------------------------------------------------------------------------------------


def test_a_bad_settings_file_is_one_line_naming_the_line(tmp_path):
    bad = tmp_path / "S.ini"
    bad.write_text("[R003]\nthreshold\n", encoding="utf-8")
    r = run("flags", *DOCS, "--settings", str(bad))
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"error: {bad}: line 2 is not `key = value`: 'threshold'")
    assert len(r.stderr.strip().splitlines()) == 1
    r = run("flags", *DOCS, "--settings", str(tmp_path / "none.ini"))
    assert r.exit_code == 2 and "no such settings file" in r.stderr


def test_flag_usage_errors():
    r = run("flags", *DOCS, "--indicator", "R999")
    assert r.exit_code == 2 and "unknown indicator R999" in r.stderr and r.stdout == ""
    r = run("flags", *DOCS, "--by", "customer", "--format", "cardinal")
    assert r.exit_code == 2 and "--by" in r.stderr
    r = run("flags", *DOCS, "--format", "xml")
    assert r.exit_code == 2 and "cardinal" in r.stderr


def test_a_bad_input_is_listed_and_the_others_flagged():
    r = run("flags", str(FIXTURES / "zakupki"), str(FIXTURES / "hostile" / "empty.xml"), "-f", "json")
    assert r.exit_code == 1
    assert ("R018", PPRF615) in {(x["indicator"], x["id"]) for x in json.loads(r.stdout)}
    assert "empty.xml" in r.stderr and "1 of 34 inputs failed" in r.stderr


def test_no_store_is_an_error(tmp_path):
    r = run("flags", "--store", str(tmp_path / "nothing"))
    assert r.exit_code == 7 and "no store at" in r.stderr
    assert not (tmp_path / "nothing").exists()


# --- export --table ocds -----------------------------------------------------------------------------------------


def test_export_ocds_validates_and_takes_the_prefix(tmp_path):
    out = tmp_path / "releases.json"
    ok("export", *DOCS, "--table", "ocds", "--ocid-prefix", "ocds-a1b2c3-", "-o", str(out))
    package = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker(["date-time"]))
    assert [(r["id"], e.message) for r in package["releases"] for e in validator.iter_errors(r)] == []
    assert package["version"] == "1.1"
    assert {r["ocid"] for r in package["releases"]} >= {"ocds-a1b2c3-027300000012001473"}
    assert all(r["ocid"].startswith("ocds-a1b2c3-") for r in package["releases"])
    assert [p.name for p in tmp_path.iterdir()] == ["releases.json"]  # no temporary left beside it


def test_export_ocds_to_stdout_is_the_same_package(tmp_path):
    out = tmp_path / "releases.json"
    ok("export", *DOCS, "--table", "ocds", "-o", str(out))
    r = ok("export", *DOCS, "--table", "ocds", "-o", "-")
    assert r.stdout == out.read_text(encoding="utf-8")
    assert "releases of" in r.stderr


@pytest.mark.parametrize("args,message", [
    (["-o", "x.csv"], "is not a .json file"),
    (["-o", "x.json", "--format", "csv"], "--format does not apply"),
    (["-o", "x.json", "--excel", "--delimiter", ";"], "--excel, --delimiter do not apply"),
    (["-o", "x.json", "--ocid-prefix", " "], "is not a prefix"),
])
def test_export_ocds_usage_errors(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("export", *DOCS, "--table", "ocds", *args)
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_ocid_prefix_needs_table_ocds(tmp_path):
    r = run("export", *DOCS, "--table", "items", "--ocid-prefix", "x-", "-o", str(tmp_path / "i.csv"))
    assert r.exit_code == 2 and "--ocid-prefix applies to --table ocds only" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_ocds_writes_nothing_when_nothing_read_or_strict(tmp_path):
    missing = tmp_path / "none.json"
    r = run("export", str(tmp_path / "nosuch.xml"), "--table", "ocds", "-o", str(missing))
    assert r.exit_code == 4 and "nothing written" in r.stderr and not missing.exists()
    kept = tmp_path / "kept.json"
    kept.write_text("old", encoding="utf-8")
    r = run("export", "--strict", *DOCS, str(FIXTURES / "hostile" / "empty.xml"), "--table", "ocds",
            "-o", str(kept))
    assert r.exit_code == 1 and "(--strict)" in r.stderr and kept.read_text(encoding="utf-8") == "old"
    r = run("export", *DOCS, str(FIXTURES / "hostile" / "empty.xml"), "--table", "ocds", "-o", str(kept))
    assert r.exit_code == 1 and "empty.xml" in r.stderr and json.loads(kept.read_text(encoding="utf-8"))["releases"]


def test_export_ocds_from_the_store(tmp_path):
    store = str(tmp_path / "st")
    ok("ingest", "--store", store, str(FIXTURES / "zakupki"))
    out = tmp_path / "releases.json"
    ok("export", "--store", store, "--table", "ocds", "-o", str(out))
    assert PPRF615 in {r["ocid"] for r in json.loads(out.read_text(encoding="utf-8"))["releases"]}
    r = run("export", "--store", str(tmp_path / "none"), "--table", "ocds", "-o", str(tmp_path / "n.json"))
    assert r.exit_code == 7 and not (tmp_path / "n.json").exists()


# --- profile ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("profile") / "store")
    ok("ingest", "--store", path, *DOCS)
    return path


def test_profile_of_a_single_bid_winner_from_the_store(store):
    p = json.loads(ok("profile", "7723806652", "--store", store, "--format", "json").stdout)
    # pprf615ProtocolEF2: the only application, OOO "VEK", INN 7723806652, price 16519417.98
    assert p["inn"] == "7723806652" and p["roles"] == ["supplier"]
    assert p["names"] == ['ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ВЕК"']
    [win] = p["single_bid_wins"]
    assert win["ocid"] == PPRF615 and win["amount"] == "16519417.98" and win["indicators"] == ["R018"]
    assert {f["indicator"] for f in p["flags"]} == {"R018", "TS-PRICE-NEAR-MAX"}
    assert all(f["evidence"].get("documents") for f in p["flags"])  # each flag names its documents
    screen = ok("profile", "7723806652", "--store", store, "--format", "table").stdout
    assert "single-bid wins" in screen and "16\u202f519\u202f417.98 RUB" in screen and "TS-PRICE-NEAR-MAX" in screen


def test_profile_of_a_customer_money_and_counterparties(store):
    p = json.loads(ok("profile", "0105018196", "--store", store, "-f", "json").stdout)
    # 223fz_contract_test2.xml (317962.72, signed 2018) and 223fz_contract_Adygeya_Resp_20191217 (1750000, 2019)
    assert [(r["year"], r["role"], r["amount"], r["currency"]) for r in p["by_year"]] == [
        (2018, "customer", "317962.72", "RUB"), (2019, "customer", "1750000", "RUB")]
    top = {c["inn"]: c for c in p["counterparties"]}
    assert top["2310140001"]["amount"] == "317962.72"
    screen = ok("profile", "0105018196", "--store", store, "-f", "table").stdout
    assert "15.4%" in screen and "84.6%" in screen and "top counterparties" in screen


def test_profile_of_sources_equals_the_store(store):
    a = json.loads(ok("profile", "7723806652", *DOCS, "-f", "json").stdout)
    b = json.loads(ok("profile", "7723806652", "--store", store, "-f", "json").stdout)
    assert a["single_bid_wins"] == b["single_bid_wins"] and a["by_year"] == b["by_year"]


@pytest.mark.parametrize("inn", ["123", "77238066521", "77238O6652", "1234567890123"])
def test_profile_refuses_what_is_not_an_inn(inn, store):
    r = run("profile", inn, "--store", store)
    assert r.exit_code == 2 and "is not an INN" in r.stderr and r.stdout == ""


def test_profile_of_an_inn_nothing_names(store, tmp_path):
    r = run("profile", "0000000000", "--store", store)
    assert r.exit_code == 4 and r.stdout == ""
    assert r.stderr.strip() == ("error: no document names the INN 0000000000; check the INN, or ingest the "
                                "documents first (`tenderscan ingest`)")
    r = run("profile", "7723806652", "--store", str(tmp_path / "none"))
    assert r.exit_code == 7 and "no store at" in r.stderr


def test_flags_of_standard_input():
    protocol = FIXTURES / "zakupki" / "44fz_pprf615_export_pprf615ProtocolEF2_2020_027300000012001473_30313173.xml"
    r = ok("flags", "-", "-f", "jsonl", input=protocol.read_bytes())
    assert {(json.loads(x)["indicator"], json.loads(x)["id"]) for x in r.stdout.splitlines()} == {
        ("R018", PPRF615), ("TS-PRICE-NEAR-MAX", PPRF615)}
