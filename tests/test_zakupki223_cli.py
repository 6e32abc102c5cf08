"""Every real 223-FZ sample and the search feed through `tenderscan show --format json`: exit 0, the right kind
and id, decimals as strings, dates with offsets."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import ZAKUPKI

EXPECTED = {  # file -> [(kind, id)] in document order
    "223fz_0000000005_purchaseContractAccount_20170221_045247_004.xml": [
        ("other", "2a700b52-0a7e-4433-8aad-fe336e44fce6")],
    "223fz_contractCompleting.xml": [("contract_execution", "80105015580170000110000")],
    "223fz_contract_Adygeya_Resp_20191217_daily_001.xml": [("contract", "50105018196190002040000")],
    "223fz_contract_Severnaia_Osetiya_Alaniia_Resp_201501_001.xml": [("contract", "51511012960150000010000")],
    "223fz_contract_test2.xml": [("contract", "50105018196180000870000")],
    "223fz_mobileapi_common-info_32109998392.json": [("notice", "10491283")],  # the answer lacks the number
    "223fz_purchaseContractAccount_Habarovskii_krai_20170201_000000_20170228_235959_009.xml": [
        ("other", "3dde2016-7f9a-492c-94b1-84cdb17ee06d")],
    "223fz_purchaseNotice_31603913641.xml": [("notice", "31603913641")],
    "223fz_purchaseProtocolPAEP_Tambovskaya_obl_20170217_000000_20170217_235959_daily_001.xml": [
        ("protocol", "31704807799")],
    "223fz_purchaseProtocol_Krasnodarskii_krai_20170221_000000_20170221_235959_daily_001.xml": [
        ("protocol", "31704712239")],
    "eis_search_rss_REAL_trimmed_5items_2026.xml": [
        ("notice", "0355200005326000010"), ("notice", "0373200215526000664"), ("notice", "0318300027226000099"),
        ("notice", "0711200014926000177"), ("notice", "0341200003926000222")],
}
FILES = sorted(p.name for p in ZAKUPKI.iterdir() if p.name.startswith("223fz_")) + [
    "eis_search_rss_REAL_trimmed_5items_2026.xml"]


def test_every_file_has_an_expectation():
    assert set(FILES) == set(EXPECTED)


@pytest.mark.parametrize("name", FILES)
def test_show_json(cli, name):
    r = cli("show", "--format", "json", str(ZAKUPKI / name))
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    out = json.loads(r.stdout)
    docs = out if isinstance(out, list) else [out]
    assert [(d["kind"], d["id"]) for d in docs] == EXPECTED[name]
    for d in docs:
        assert d["law"] in ("223-FZ", "44-FZ")
        assert d["amount"] is None or isinstance(d["amount"], str)
        assert d["published"] is None or d["published"][-6:] in ("+03:00", "+07:00")
        assert len(d["source"]["sha256"]) == 64


def test_show_json_exact_values_of_the_notice(cli):
    r = cli("show", "--format", "json", str(ZAKUPKI / "223fz_purchaseNotice_31603913641.xml"))
    d = json.loads(r.stdout)
    assert (d["customer"]["inn"], d["responsible"]["inn"]) == ("7706107510", "8604035473")
    assert (d["amount"], d["currency"], d["published"]) == ("3077055.86", "RUB", "2016-07-22T07:35:12+03:00")
    assert [(i["code"], i["code_scheme"], i["quantity"], i["unit_code"]) for i in d["items"]] == [
        ("41.20.20.310", "OKPD2", "0.698", "008")]
    assert d["attachments"][1]["name"] == "Пакет закупочной документации поставщика.rar"


def test_show_csv_rows_of_a_contract(cli):
    r = cli("show", "--format", "csv", str(ZAKUPKI / "223fz_contract_Adygeya_Resp_20191217_daily_001.xml"))
    assert r.exit_code == 0, r.stderr
    [cells] = list(csv.DictReader(io.StringIO(r.stdout)))
    assert cells["id"] == "50105018196190002040000"
    assert cells["customer_inn"] == "0105018196"
    assert (cells["code"], cells["quantity"], cells["unit_code"]) == ("19.20.3", "102339.18129", "113")


def test_show_table_of_a_completion(cli):
    r = cli("show", "--format", "table", str(ZAKUPKI / "223fz_contractCompleting.xml"))
    assert r.exit_code == 0, r.stderr
    assert "80105015580170000110000" in r.stdout
    assert "46.71" in r.stdout


def test_input_format_override(cli):
    r = cli("show", "--format", "json", "--input-format", "zakupki223",
            str(ZAKUPKI / "223fz_contract_test2.xml"))
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["id"] == "50105018196180000870000"
    r = cli("show", "--format", "json", "--input-format", "zakupki223",
            str(ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml"))
    assert r.exit_code == 3
    assert "not a 223-FZ document" in r.stderr
