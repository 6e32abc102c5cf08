"""The same commands across formats: a zakupki notice, a ProZorro tender, a TED notice and an OCDS process
shown, exported, diffed and summarised together."""

from __future__ import annotations

import csv
import io
import json

from .conftest import FIXTURES

ZAKUPKI = FIXTURES / "zakupki" / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
PROZORRO = FIXTURES / "prozorro" / "has-auction-true-tender-complete.json"
TED = FIXTURES / "ted" / "tedxml-R2.0.9_20-157543-001-EXP.xml"
OCDS = FIXTURES / "ocds" / "ocds-ocdskit" / "release-package-1.json"
MIXED = [str(p) for p in (ZAKUPKI, PROZORRO, TED, OCDS)]


def test_show_four_formats_in_one_call(cli):
    r = cli("show", "--format", "json", *MIXED)
    assert r.exit_code == 0, r.stderr
    docs = json.loads(r.stdout)
    assert [d["law"] for d in docs] == ["44-FZ", "ProZorro", "TED", "OCDS"]
    assert [d["id"] for d in docs[1:]] == ["UA-2027-01-01-000001-a", "153579-2020", "OCDS-87SD3T-AD-SF-DRM-063-2015"]
    assert [(d["currency"], d["amount"]) for d in docs[1:]] == [
        ("UAH", "1000.0"), ("EUR", "9642953.44"), ("MXN", "1311264.00")]


def test_csv_rows_for_every_format(cli):
    r = cli("show", "--format", "csv", *MIXED[1:])
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    by_id: dict[str, list] = {}
    for row in rows:
        by_id.setdefault(row["id"], []).append(row)
    assert [r["code"] for r in by_id["UA-2027-01-01-000001-a"]] == ["55523100-3", "55523100-3"]
    assert [r["code"] for r in by_id["153579-2020"]] == ["79212000"] * 3
    assert [r["quantity"] for r in by_id["OCDS-87SD3T-AD-SF-DRM-063-2015"]] == ["471"]


def test_export_items_of_three_formats(cli, tmp_path):
    out = tmp_path / "items.csv"
    r = cli("--quiet", "export", *MIXED[1:], "--table", "items", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert {row["id"] for row in rows} == {"UA-2027-01-01-000001-a", "153579-2020", "OCDS-87SD3T-AD-SF-DRM-063-2015"}
    assert len(rows) == 2 + 3 + 1


def test_diff_a_ted_notice_and_its_eforms_conversion(cli):
    r = cli("diff", "--format", "json", str(FIXTURES / "ted" / "tedxml-R2.0.9_20-157399-001-EXP.xml"),
            str(FIXTURES / "ted" / "converted-to-eforms_20-157399-001-EXP.xml"))
    assert r.exit_code in (0, 1), r.stderr
    d = json.loads(r.stdout)
    fields = {c["field"] for c in d["changes"]}
    assert "amount" not in fields and "customer" not in fields


def test_spending_by_source(cli):
    r = cli("spending", "--format", "json", "--by", "source", *MIXED[1:])
    assert r.exit_code == 0, r.stderr
    rows = {(row["source"], row["currency"]): row for row in json.loads(r.stdout)}
    assert rows[("ProZorro", "UAH")]["amount"] == "1000.0"
    assert rows[("TED", "EUR")]["amount"] == "9642953.44"
    assert rows[("OCDS", "MXN")]["amount"] == "1311264.00"
