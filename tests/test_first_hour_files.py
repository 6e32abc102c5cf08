"""Issue 14, "Data and files": what the commands do to a user's files and store when the input is wrong.

Every test goes through the CLI as a user runs it (CliRunner, or a real subprocess where a signal or the
process's memory matters).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import FIXTURES, ZAKUPKI, run

CONTRACT = ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml"
NOTICE = ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml"
STORED_ID = "0320100007621000014"  # commonInfo/purchaseNumber of NOTICE


# --- item 4: read-only commands never create a store --------------------------------------------------------

READ_ONLY = [
    ("list",),
    ("list", "--kind", "notice"),
    ("spending",),
    ("spending", STORED_ID),
    ("show", STORED_ID),
    ("show", f"{STORED_ID}@2"),
    ("diff", f"{STORED_ID}@2", f"{STORED_ID}@3"),
    ("stations", STORED_ID),
    ("export", "-o", "out.csv"),
    ("export", STORED_ID, "-o", "out.csv"),
]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
@pytest.mark.parametrize("where", ["--store", "default"])
def test_read_only_commands_say_no_store_and_create_none(tmp_path, monkeypatch, args, where):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "typo-store"
    if where == "--store":
        r = run(*args, "--store", str(missing), "--format", "json") if args[0] not in ("export", "diff") \
            else run(*args, "--store", str(missing))
    else:  # the default location (TENDERSCAN_STORE, as a user's data dir would be): not there yet
        monkeypatch.setenv("TENDERSCAN_STORE", str(missing))
        r = run(*args)
    assert r.exit_code != 0
    assert f"no store at {missing}" in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2 and "Traceback" not in r.stderr
    assert not missing.exists(), "a read-only command created a store"
    assert not (tmp_path / "out.csv").exists()


def test_no_store_exit_codes(tmp_path):
    missing = str(tmp_path / "nowhere")
    assert run("list", "--store", missing).exit_code == 7  # a store problem
    # a SOURCE that is neither a path nor a stored ID: not found, as `show nosuch.xml` is
    r = run("show", STORED_ID, "--store", missing)
    assert r.exit_code == 4
    assert r.stderr.startswith(f"error: {STORED_ID}: no such file or folder, and no store at {missing}")


def test_ingest_creates_the_store_and_then_reads_work(tmp_path):
    store = tmp_path / "new"
    r = run("ingest", str(NOTICE), "--store", str(store))
    assert r.exit_code == 0, r.stderr
    assert (store / "tenderscan.sqlite").is_file()
    listed = run("list", "--store", str(store), "--format", "json")
    assert listed.exit_code == 0 and [d["id"] for d in json.loads(listed.stdout)] == [STORED_ID]


def test_a_file_source_needs_no_store(tmp_path):
    store = tmp_path / "none"
    r = run("show", str(NOTICE), "--store", str(store), "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == STORED_ID
    assert not store.exists()
