"""SIGKILL during export and during fetch with attachments (ingest is `tests/test_crash.py`, whose corpus and
store checks are reused here): the store passes SQLite's integrity check, no partial file is ever at an
export's target path (the previous complete file stays, or nothing), and a rerun completes once."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from tenderscan.store import Store
from tests.conftest import ROOT, ZAKUPKI, local_server
from tests.test_crash import build_corpus, check, start_ingest

NOTICE = "0362100022326000101"
NOTICE_XML = (ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml").read_bytes()
NOTICE_PATH = "/epz/order/notice/printForm/viewXml.html"
FILESTORE = "/44fz/filestore/public/1.0/download/priz/file.html"


def cli(*args: str, store, **env: str) -> subprocess.Popen:
    full = {**os.environ, "TENDERSCAN_STORE": str(store), "PYTHONPATH": str(ROOT / "src"), **env}
    return subprocess.Popen(
        [sys.executable, "-m", "tenderscan", "--quiet", *args],
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_when(proc: subprocess.Popen, ready, timeout: float = 60) -> bool:
    """SIGKILL `proc` once `ready()` holds (or at the timeout); False when it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            return True
        time.sleep(0.005)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        return True
    return False


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """800 real-notice documents ingested (the crash test's corpus)."""
    base = tmp_path_factory.mktemp("crash")
    ids = build_corpus(base / "corpus")
    store = base / "store"
    proc = start_ingest(base / "corpus", store, jobs=2)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert check(store) == len(ids)
    return store, len(ids)


def temp_files(folder, name: str) -> list:
    return [p for p in folder.iterdir() if p.name.startswith(f".{name}.")]


def rows_in(path) -> int:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1
    if path.suffix == ".jsonl":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if json.loads(line))
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        return sum(1 for _ in wb.active.iter_rows(values_only=True)) - 1
    import pyarrow.parquet as pq

    return pq.read_table(path).num_rows


@pytest.mark.slow
@pytest.mark.parametrize("name", ["items.xlsx", "items.csv", "items.parquet"])
def test_sigkill_during_export_leaves_no_partial_file(name, big_store, tmp_path):
    store, _ = big_store
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / name
    rng = random.Random(name)
    killed_mid_write = 0
    for round_ in range(4):
        proc = cli("export", "--table", "items", "-o", str(target), store=store)
        if round_ % 2:  # kill as soon as the temporary file is being written
            killed = kill_when(proc, lambda: bool(temp_files(out_dir, name)))
        else:  # or at a random moment
            time.sleep(rng.uniform(0.2, 1.5))
            killed = kill_when(proc, lambda: True)
        killed_mid_write += killed and bool(temp_files(out_dir, name))
        if target.exists():  # only ever a complete file: the one a finished run renamed there
            assert rows_in(target) > 0
        # what a killed process leaves is a hidden temporary next to the target; the next run removes the
        # earlier runs' ones before it starts its own, so at most the last killed run's is here
        assert len(temp_files(out_dir, name)) <= 1
        with Store.open(store) as st:
            assert st.integrity_check() == "ok"
    assert killed_mid_write >= 1, "at least one kill landed while the file was being written"
    proc = cli("export", "--table", "items", "-o", str(target), store=store)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    with Store.open(store) as st:
        n_items = st.conn.execute("SELECT count(*) FROM items WHERE latest = 1").fetchone()[0]
    assert rows_in(target) == n_items
    assert temp_files(out_dir, name) == []


@pytest.mark.slow
def test_sigkill_during_export_keeps_the_previous_file(big_store, tmp_path):
    store, _ = big_store
    target = tmp_path / "documents.csv"
    proc = cli("export", "--table", "documents", "-o", str(target), store=store)
    assert proc.wait(300) == 0
    before = target.read_bytes()
    proc = cli("export", "--table", "items", "-o", str(target), store=store)
    kill_when(proc, lambda: bool(temp_files(tmp_path, "documents.csv")))
    assert target.read_bytes() == before, "the old complete file is untouched until the new one is complete"


# --- fetch with attachments ---------------------------------------------------------------------------------


def numbers(n: int) -> list[str]:
    return [f"03621000223{i:08d}" for i in range(n)]


@pytest.fixture
def slow_portal():
    def notice(request):
        from werkzeug.wrappers import Response

        number = request.args["regNumber"]
        return Response(NOTICE_XML.replace(NOTICE.encode(), number.encode()), content_type="application/xml")

    def attachment(request):
        from werkzeug.wrappers import Response

        time.sleep(0.15)  # slow files: the kill lands while they are downloading
        return Response(
            b"%PDF-1.4 not really a pdf " + request.args["uid"].encode() * 200, content_type="application/pdf"
        )

    with local_server() as srv:
        srv.expect_request(NOTICE_PATH).respond_with_handler(notice)
        srv.expect_request(FILESTORE).respond_with_handler(attachment)
        yield srv


def fetch_proc(ids, store, srv) -> subprocess.Popen:
    return cli(
        "fetch",
        "--rate",
        "0",
        "--attachments",
        "--concurrency",
        "2",
        "--format",
        "jsonl",
        *ids,
        store=store,
        TENDERSCAN_ZAKUPKI_URL=srv.url_for("/").rstrip("/"),
        TENDERSCAN_RETRY_BASE="0.01",
    )


def check_fetch_store(store) -> tuple[int, int]:
    """Every stored notice is whole: all its attachments downloaded, each blob present (one transaction)."""
    with Store.open(store) as st:
        assert st.integrity_check() == "ok"
        docs = st.count()
        missing = st.conn.execute("SELECT count(*) FROM attachments WHERE sha256 IS NULL").fetchone()[0]
        assert missing == 0, "a notice is stored with all its attachments or not at all"
        orphans = st.conn.execute(
            "SELECT count(*) FROM attachments WHERE sha256 NOT IN (SELECT sha256 FROM blobs)"
        ).fetchone()[0]
        assert orphans == 0
        dupes = st.conn.execute("SELECT id FROM documents GROUP BY id HAVING count(*) > 1").fetchall()
        assert dupes == []
        blobs = st.conn.execute("SELECT count(*) FROM blobs WHERE role = 'attachment'").fetchone()[0]
        return docs, blobs


def downloads_after(srv, start: int, n: int):
    """True once `n` attachment downloads were asked for since request number `start`."""
    return lambda: sum(1 for req, _ in srv.log[start:] if req.path == FILESTORE) >= n


@pytest.mark.slow
def test_sigkill_during_fetch_with_attachments_then_rerun(slow_portal, tmp_path):
    ids = numbers(6)
    store = tmp_path / "store"
    seen = []
    for round_ in range(3):
        proc = fetch_proc(ids, store, slow_portal)
        kill_when(proc, downloads_after(slow_portal, len(slow_portal.log), 3 + 2 * round_))
        seen.append(check_fetch_store(store))
    docs = [d for d, _ in seen]
    assert docs == sorted(docs), "what was committed is never lost"
    assert docs[-1] < len(ids), "the kills landed before the end"
    proc = fetch_proc(ids, store, slow_portal)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    docs, blobs = check_fetch_store(store)
    assert docs == len(ids)
    with Store.open(store) as st:
        assert {r[0] for r in st.conn.execute("SELECT id FROM documents")} == set(ids)
        n_att = st.conn.execute("SELECT count(*) FROM attachments").fetchone()[0]
    assert n_att == 4 * len(ids) and blobs == 4, "four distinct files, each stored once however often fetched"
    before = len(slow_portal.log)
    proc = fetch_proc(ids, store, slow_portal)
    assert proc.wait(60) == 0
    assert len(slow_portal.log) == before, "a complete rerun asks nothing"
