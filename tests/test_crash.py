"""SIGKILL during ingest: the store always opens, passes SQLite's integrity check, and a rerun stores every
document exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from tenderscan.store import Store

from .conftest import ROOT, ZAKUPKI

NOTICE = "0362100022326000101"
N_FILES = 500
N_ZIPPED = 300


def build_corpus(folder) -> set[str]:
    """Many distinct documents made from the real notice (a new registry number in each)."""
    data = (ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml").read_bytes()
    ids = set()
    folder.mkdir()
    for i in range(N_FILES):
        number = f"03621000223{i:08d}"
        ids.add(number)
        (folder / f"epNotificationEZK2020_{number}_{i}.xml").write_bytes(data.replace(NOTICE.encode(),
                                                                                      number.encode()))
    with zipfile.ZipFile(folder / "notification_Moskva_2026100100_2026100200_001.xml.zip", "w",
                         zipfile.ZIP_DEFLATED) as zf:
        for i in range(N_ZIPPED):
            number = f"03621000224{i:08d}"
            ids.add(number)
            zf.writestr(f"epNotificationEZK2020_{number}_{i}.xml", data.replace(NOTICE.encode(), number.encode()))
            zf.writestr(f"epNotificationEZK2020_{number}_{i}.sig", b"signature")
    return ids


def start_ingest(folder, store, jobs: int) -> subprocess.Popen:
    env = {**os.environ, "TENDERSCAN_STORE": str(store), "TENDERSCAN_INGEST_BATCH": "25",
           "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "tenderscan", "--quiet", "ingest", "--jobs", str(jobs),
                             str(folder)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def check(store) -> int:
    with Store.open(store) as st:
        assert st.integrity_check() == "ok"
        dupes = st.conn.execute("SELECT id FROM documents GROUP BY id HAVING count(*) > 1").fetchall()
        assert dupes == []
        orphans = st.conn.execute("SELECT count(*) FROM items WHERE doc NOT IN (SELECT doc FROM documents)"
                                  ).fetchone()[0]
        assert orphans == 0, "nothing half-written"
        missing_raw = st.conn.execute("SELECT count(*) FROM documents WHERE sha256 NOT IN "
                                      "(SELECT sha256 FROM blobs)").fetchone()[0]
        assert missing_raw == 0
        return st.count()


@pytest.mark.slow
def test_sigkill_at_random_moments_then_rerun(tmp_path):
    folder = tmp_path / "corpus"
    ids = build_corpus(folder)
    store = tmp_path / "store"
    rng = random.Random(20261126)
    counts = []
    for round_ in range(5):
        proc = start_ingest(folder, store, jobs=2 if round_ % 2 else 1)
        time.sleep(rng.uniform(0.6, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        counts.append(check(store))
    assert counts == sorted(counts), "committed documents are never lost"
    print("stored after each kill:", counts)
    proc = start_ingest(folder, store, jobs=1)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert check(store) == len(ids)
    with Store.open(store) as st:
        stored = {r[0] for r in st.conn.execute("SELECT id FROM documents")}
        assert stored == ids
        assert st.conn.execute("SELECT count(*) FROM blobs").fetchone()[0] == len(ids)


@pytest.mark.slow
def test_two_ingests_of_one_folder_at_once(tmp_path):
    folder = tmp_path / "corpus"
    ids = build_corpus(folder)
    store = tmp_path / "store"
    procs = [start_ingest(folder, store, jobs=1), start_ingest(folder, store, jobs=1)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    assert check(store) == len(ids)
    with Store.open(store) as st:
        assert {r[0] for r in st.conn.execute("SELECT id FROM documents")} == ids
