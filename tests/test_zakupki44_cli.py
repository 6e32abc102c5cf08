"""44-FZ documents through the CLI: every real `44fz_*` fixture through `show --format json` (parametrized
over the folder), the whole set as table, jsonl and csv, and broken inputs made from real files inside the
tests: windows-1251 with a right and a wrong declaration, a truncated file, a bulk-dump zip with a bad
member."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from decimal import Decimal

import pytest

from tenderscan.render.csv_text import ITEM_COLUMNS

from .conftest import ZAKUPKI

FILES = sorted(p.name for p in ZAKUPKI.glob("44fz_*"))
EZK2021 = ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml"


def expected_kind(doc_type: str) -> str:
    """The kind a document type is read as (the rules, written independently of the parsers)."""
    if doc_type == "contractProcedure":
        return "contract_execution"
    if doc_type == "contract":
        return "contract"
    if "Protocol" in doc_type or doc_type == "fcsPlacementResult":
        return "protocol"
    if "Cancel" in doc_type:
        return "cancellation"
    if "DateChange" in doc_type:
        return "change"
    if "Notification" in doc_type:
        return "notice"
    return "other"  # clarifications, contract signing


def test_the_folder_has_every_generation_and_wrapper():
    assert len(FILES) >= 22
    for part in (
        "_ep2020_printform_",
        "_ep_printform_",
        "_ep_export_",
        "_fcs_export_",
        "_fcs_printform_",
        "_contracts_export_",
        "_pprf615_export_",
    ):
        assert any(part in name for name in FILES), part


@pytest.mark.parametrize("name", FILES)
def test_show_json_every_44fz_file(cli, name):
    r = cli("show", "--format", "json", str(ZAKUPKI / name))
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    doc = json.loads(r.stdout)
    assert isinstance(doc, dict)  # one document per file
    doc_type = doc["source_format"].removeprefix("zakupki44/")
    assert doc_type in name  # the root element named in the file name
    assert doc["kind"] == expected_kind(doc_type)
    number = re.search(r"_(\d{18,19})(?:_|\.)", name).group(1)  # registry number in the file name
    assert doc["id"] == number
    assert doc["law"] == "44-FZ"
    assert doc["source"]["sha256"] and doc["source"]["path"].endswith(name)
    if doc["published"]:
        assert re.search(r"[+-]\d\d:\d\d$", doc["published"])  # aware, with its offset
    if doc["amount"] is not None:
        assert isinstance(doc["amount"], str) and Decimal(doc["amount"]) > 0
    for item in doc["items"]:
        for key in ("quantity", "unit_price", "amount"):
            assert item[key] is None or isinstance(item[key], str)


@pytest.fixture
def folder(tmp_path):
    """The real 44-FZ fixtures alone (other formats in fixtures/zakupki belong to other readers)."""
    out = tmp_path / "44fz"
    out.mkdir()
    for name in FILES:
        shutil.copy(ZAKUPKI / name, out / name)
    return out


def test_show_folder_as_table(cli, folder):
    r = cli("show", "--format", "table", str(folder))
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert out.count("╭") == len(FILES)  # a header panel per document
    assert "Items (21)" in out and "Items (8)" in out
    assert "1\u202f207\u202f680.35" in out  # the contract's items total row equals its price
    assert "44\u202f648.67" in out
    # the abridged notice says its items do not add up
    assert (
        "note: the items add up to 77\u202f715\u202f834.55, the document's amount is 108\u202f142\u202f501.80"
        in out
    )
    assert "Applications (6)" in out and "Payments" in out
    assert "ФОРМАЛЬДЕГИД" in out


def test_show_folder_as_jsonl(cli, folder):
    r = cli("show", "--format", "jsonl", str(folder))
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == len(FILES)
    docs = [json.loads(line) for line in lines]
    assert sorted(d["source"]["path"].rsplit("/", 1)[-1] for d in docs) == FILES
    assert {d["kind"] for d in docs} == {
        "notice",
        "contract",
        "contract_execution",
        "protocol",
        "cancellation",
        "change",
        "other",
    }


def test_show_folder_as_csv_one_row_per_item(cli, folder):
    r = cli("show", "--format", "csv", str(folder))
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ITEM_COLUMNS
    jl = [json.loads(line) for line in cli("show", "--format", "jsonl", str(folder)).stdout.splitlines()]
    assert len(rows) == sum(max(1, len(d["items"])) for d in jl)
    drugs = [r for r in rows if r["id"] == "0301300140921000011"]
    first = drugs[0]
    assert (
        first["item_name"],
        first["quantity"],
        first["unit"],
        first["unit_price"],
        first["item_amount"],
    ) == ("ФОРМАЛЬДЕГИД", "600", "мл", "9.941", "5964.60")
    assert (
        sum(Decimal(r["item_amount"]) for r in drugs)
        == Decimal(drugs[0]["document_amount"])
        == Decimal("44648.67")
    )
    lab = [r for r in rows if r["id"] == "2366200608816001262"]
    assert len(lab) == 21 and {r["customer_inn"] for r in lab} == {"3662006088"}
    assert sum(Decimal(r["item_amount"]) for r in lab) == Decimal("1207680.35")
    [inn] = {r["customer_inn"] for r in rows if r["id"] == "0301300140921000011"}
    assert inn == "0278060411"  # the leading zero survives CSV


# --- broken inputs made from a real notice ----------------------------------------------------------------


def as_cp1251(declared: str) -> bytes:
    text = EZK2021.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return text.replace('encoding="UTF-8"', f'encoding="{declared}"', 1).encode("cp1251")


def reference() -> dict:
    from tenderscan import parse

    [t] = parse(str(EZK2021), stations=False)
    return t.model_dump(mode="json", exclude={"source"})


def same_values(stdout: str) -> bool:
    doc = json.loads(stdout)
    doc.pop("source")
    return doc == reference()


def test_windows_1251_with_a_correct_declaration(cli, tmp_path):
    path = tmp_path / "notice-cp1251.xml"
    path.write_bytes(as_cp1251("windows-1251"))
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 0, r.stderr
    assert same_values(r.stdout)
    assert "Владивосток" in json.loads(r.stdout)["delivery_places"][0]


def test_windows_1251_declared_utf8_suggests_encoding_then_reads(cli, tmp_path):
    path = tmp_path / "notice-mislabelled.xml"
    path.write_bytes(as_cp1251("UTF-8"))
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 3
    assert r.stdout == ""
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("error: ") and "--encoding cp1251" in line and "Traceback" not in r.stderr
    r = cli("show", "--format", "json", "--encoding", "cp1251", str(path))
    assert r.exit_code == 0, r.stderr
    assert same_values(r.stdout)


def test_truncated_real_file(cli, tmp_path):
    data = EZK2021.read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: len(data) // 2])
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 3
    assert r.stdout == ""
    [line] = r.stderr.strip().splitlines()
    assert "truncated" in line and "Traceback" not in r.stderr


def test_bulk_dump_zip_with_signatures_and_a_bad_member(cli, tmp_path):
    archive = tmp_path / "notification_Moskva_2021040100_2021040200_001.xml.zip"
    good = [
        "44fz_contracts_export_contract_2366200608816001262_30400522.xml",
        "44fz_fcs_export_fcsNotificationCancel_0111100002417000043_212694.xml",
        "44fz_ep_export_epProtocolEZK2_2020_0373200554120000039_30312504.xml",
    ]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in good:
            zf.writestr(name, (ZAKUPKI / name).read_bytes())
            zf.writestr(name.replace(".xml", ".sig"), b"0\x82\x05\x8a\x06\t*\x86H\x86\xf7\r\x01\x07\x02")
        broken = (ZAKUPKI / FILES[0]).read_bytes()
        zf.writestr("fcsNotificationEF_broken.xml", broken[: len(broken) // 3])
    r = cli("show", "--format", "jsonl", str(archive))
    assert r.exit_code == 1
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(d["kind"], d["id"]) for d in docs] == [
        ("contract", "2366200608816001262"),
        ("cancellation", "0111100002417000043"),
        ("protocol", "0373200554120000039"),
    ]
    assert [d["source"]["member"] for d in docs] == good
    assert ".sig" not in r.stdout + r.stderr  # signatures skipped silently
    assert "fcsNotificationEF_broken.xml" in r.stderr and "truncated" in r.stderr
    assert "1 of 4 inputs failed" in r.stderr and "Traceback" not in r.stderr
