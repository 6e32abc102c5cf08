"""`flags --dataset DIR` and `profile INN --dataset DIR` (issue 18): the flags and the profile of a Parquet
dataset's latest documents are those of a store ingested from the same files, read from the dataset's
``tenders`` table (each document's model as JSON); the options that do not go with it are one usage line, a
missing dataset and one written before the table existed are one line each.

The inputs are the real documents of fixtures/zakupki/ and fixtures/zakupki-more/ (notices, contracts and
the protocols: the single-bid flags come from them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tenderscan.services.dataset.query import Dataset
from tenderscan.store import Store

from .conftest import FIXTURES, run
from .test_first_hour_messages import one_error_line

DOCS = [str(FIXTURES / "zakupki"), str(FIXTURES / "zakupki-more")]
# fixtures/zakupki/44fz_pprf615_export_pprf615ProtocolEF2_2020_027300000012001473_30313173.xml:
# export/pprf615ProtocolEF2/protocolInfo/applications/application/appParticipantInfo/legalEntityRFInfo/INN
# 7723806652 (ООО "ВЕК"), the one application of a capital-repair auction: a single-bid win (R018)
SUPPLIER = "7723806652"
# fixtures/zakupki/223fz_contract_Adygeya_Resp_20191217_daily_001.xml:
# contract/body/item/contractData/customer/mainInfo/inn 0105018196 (АО "ГАЗПРОМ ГАЗОРАСПРЕДЕЛЕНИЕ
# МАЙКОП"), a customer
CUSTOMER = "0105018196"
SINGLE_BID = {"R018", "TS-SINGLE-ADMITTED"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A store written by `ingest` and a dataset by `export --dataset`, of the same files."""
    tmp = tmp_path_factory.mktemp("dataset-flags")
    exported = run("-q", "export", *DOCS, "--dataset", str(tmp / "ds"))
    assert exported.exit_code == 0, exported.stderr
    ingested = run("-q", "ingest", *DOCS, "--store", str(tmp / "store"))
    assert ingested.exit_code == 0, ingested.stderr
    return tmp / "ds", tmp / "store"


def same(args: list[str], ds: Path, store: Path):
    want = run(*args, "--store", str(store))
    got = run(*args, "--dataset", str(ds))
    assert want.exit_code == got.exit_code == 0, got.stderr
    assert got.stdout == want.stdout
    assert got.stderr == want.stderr  # the documents left out (monthly reports), named alike
    return got


@pytest.mark.parametrize("extra", [[], ["--by", "customer"], ["--by", "supplier"], ["--by", "flag"]])
def test_flags_from_the_dataset_are_the_stores(built, extra):
    ds, store = built
    got = same(["flags", "--format", "json", *extra], ds, store)
    rows = json.loads(got.stdout)
    key = "by" if extra[1:] == ["flag"] else "indicator"  # --by flag: one row per indicator
    assert rows and SINGLE_BID <= {r[key] for r in rows}  # the protocols are read


def test_flags_cardinal_and_one_indicator_from_the_dataset(built):
    ds, store = built
    same(["flags", "--format", "cardinal"], ds, store)
    got = same(["flags", "--format", "json", "--indicator", "R018"], ds, store)
    assert {r["indicator"] for r in json.loads(got.stdout)} == {"R018"}


@pytest.mark.parametrize("inn", [SUPPLIER, CUSTOMER])
def test_profile_from_the_dataset_is_the_stores(built, inn):
    ds, store = built
    got = json.loads(same(["profile", inn, "--format", "json"], ds, store).stdout)
    assert got["inn"] == inn
    if inn == SUPPLIER:
        assert got["roles"] == ["supplier"]
        assert [w["ocid"] for w in got["single_bid_wins"]] == ["ocds-tenderscan-027300000012001473"]


def test_profile_of_an_inn_no_document_names(built):
    ds, _ = built
    r = run("profile", "7700000000", "--dataset", str(ds))
    assert r.exit_code == 4
    assert "no document names the INN 7700000000" in one_error_line(r)


def models(tenders) -> list[dict]:
    """The documents as JSON, without the time each was read at (the store and the dataset read them apart)."""
    return [t.model_dump(mode="json", exclude={"source": {"read_at"}}) for t in tenders]


def test_iter_tenders_is_the_stores_in_batches(built):
    ds, store = built
    with Store.open(store) as st:
        want = models(st.iter_tenders(latest=True))
    with Dataset.open(ds) as d:
        got = models(d.iter_tenders(latest=True, batch=3))  # 16 fetches of 3
        assert d.count() == len(got)
        stopped = d.iter_tenders(batch=3)
        next(stopped)
        stopped.close()  # a reader left before its end gives the connection back
        assert d.count(latest=False) == len(models(d.iter_tenders(latest=False))) == len(got)
    assert got == want and len(got) > 40


# --- errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["flags", DOCS[0], "--dataset", "D"], "--dataset does not go with SOURCE arguments"),
    (["flags", "--dataset", "D", "--store", "S"], "--dataset does not go with --store"),
    (["flags", "--dataset", "D", "--input-format", "ocds"], "--dataset does not go with --input-format"),
    (["profile", SUPPLIER, DOCS[0], "--dataset", "D"], "--dataset does not go with SOURCE arguments"),
    (["profile", SUPPLIER, "--dataset", "D", "--store", "S"], "--dataset does not go with --store"),
    (["profile", SUPPLIER, "--dataset", "D", "--encoding", "cp1251"], "--dataset does not go with --encoding"),
])
def test_options_beside_dataset_are_one_usage_line(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    r = run(*args)
    assert r.exit_code == 2, r.stderr
    assert words in one_error_line(r)
    assert not (tmp_path / "D").exists() and not (tmp_path / "S").exists()


@pytest.mark.parametrize("args", [["flags"], ["profile", SUPPLIER]])
def test_no_dataset_is_one_line(tmp_path, args):
    r = run(*args, "--dataset", str(tmp_path / "nope"))
    assert r.exit_code == 4
    assert one_error_line(r).startswith(f"error: no dataset at {tmp_path / 'nope'}")
    assert not (tmp_path / "nope").exists()


def without_tenders(src: Path, out: Path) -> Path:
    """The dataset as a tenderscan before the ``tenders`` table wrote it: the same files and manifest, without
    that table's files."""
    shutil.copytree(src, out)
    m = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    for task in m["tasks"]:
        task["files"] = [f for f in task["files"] if f["table"] != "tenders"]
    m["schema"].pop("tenders")
    (out / "_manifest.json").write_text(json.dumps(m), encoding="utf-8")
    shutil.rmtree(out / "tenders")
    return out


@pytest.mark.parametrize("args", [["flags"], ["profile", SUPPLIER]])
def test_a_dataset_written_before_the_tenders_table_says_export_again(built, tmp_path, args):
    ds, _ = built
    old = without_tenders(ds, tmp_path / "old")
    r = run(*args, "--dataset", str(old))
    assert r.exit_code == 4
    line = one_error_line(r)
    assert f"the dataset at {old} has no tenders table" in line and "export its inputs again" in line
    listed = run("list", "--dataset", str(old), "--format", "json")  # the other tables are read as before
    assert listed.exit_code == 0 and json.loads(listed.stdout)


def test_a_dataset_without_documents_is_one_line(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<export><notice")  # not well-formed: the one input fails, the dataset holds no document
    assert run("-q", "export", str(bad), "--dataset", str(tmp_path / "ds")).exit_code == 3
    r = run("flags", "--dataset", str(tmp_path / "ds"))
    assert r.exit_code == 4
    assert one_error_line(r).startswith(f"error: no documents in the dataset at {tmp_path / 'ds'}")


def test_flags_of_dump_archives_ocds_versions_and_prozorro(tmp_path):
    """test_dataset.py's inputs: archive members (read twice, written once; one cut short), OCDS releases
    and records (versions of one process), ProZorro: the same flags and messages from both."""
    from .test_dataset import dumps

    sources = dumps(tmp_path)
    exported = run("-q", "export", *sources, "--dataset", str(tmp_path / "ds"))
    assert exported.exit_code == 1  # the member cut short
    assert run("-q", "ingest", *sources, "--store", str(tmp_path / "store")).exit_code == 1
    for extra in ([], ["--by", "supplier"]):
        got = same(["flags", "--format", "json", *extra], tmp_path / "ds", tmp_path / "store")
        assert json.loads(got.stdout)
