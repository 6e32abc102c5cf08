"""`tenderscan bulk` through the CLI against a local getDocsIP (tests/getdocs_server.py: every request validated
against the official XSD, zips of real documents): a range of days stored once with each document's
provenance, reruns after a quota stop, a Ctrl-C and a SIGKILL that fetch only what is missing, noData,
errorInfo, quota and token lines with their exit codes, and a token that appears nowhere."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tenderscan.sources.getdocs import BulkRequest
from tenderscan.store import Store

from .conftest import ROOT, fast_retries, run
from .getdocs_server import running, zip_of
from .test_getdocs import ARCHIVES, CONTRACT_A, DAYS, DOCUMENT_IDS, NOTICE_A, NOTICE_B, TOKEN, key

RANGE = ["--region", "77", "--subsystem", "PRIZ", "--type", "epNotificationEF2020", "--date", "2025-03-01",
         "--to", "2025-03-04"]
NAMES = {name: day for day, archives in ARCHIVES.items() for name in archives}  # archive -> its day


@pytest.fixture(scope="module")
def _server():
    with running(TOKEN) as srv:
        yield srv


@pytest.fixture
def service(_server, monkeypatch):
    fake = _server
    fake.reset()
    for day, archives in ARCHIVES.items():
        fake.answer(key(day), archives=archives)
    monkeypatch.setenv("TENDERSCAN_GETDOCS_URL", fake.url)
    monkeypatch.setenv("TENDERSCAN_EIS_TOKEN", TOKEN)
    monkeypatch.setenv("TENDERSCAN_PACE", "0.01")  # the portal's pace, tiny (0 would give the general rate)
    fast_retries(monkeypatch, retries=1, retry_max=0.05)
    return fake


def bulk(*args: str):
    return run("bulk", *args, "--format", "json")


def rows(r) -> dict[str, dict]:
    return {row["request"]: row for row in json.loads(r.stdout)}


def lines(text: str) -> list[str]:
    return [x for x in text.splitlines() if x.strip()]


def served(day) -> int:
    """How many documents the service's archives of ``day`` hold."""
    return sum(len(z) for z in ((zip_names(b)) for b in ARCHIVES.get(day, {}).values()))


def zip_names(data: bytes) -> list[str]:
    import io
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).namelist()


# --- a range of days ------------------------------------------------------------------------------------


def test_a_range_of_days_stores_every_document_once_with_its_archives_provenance(service):
    r = bulk(*RANGE)
    assert r.exit_code == 0, r.stderr
    got = rows(r)
    assert list(got) == [d.isoformat() for d in DAYS] + ["total"]
    for day in DAYS:  # the counts of the served zips: 2 notices on day 1, 2 contracts on day 2, 1 on day 4
        row = got[day.isoformat()]
        assert row["archives"] == len(ARCHIVES.get(day, {})) and row["documents"] == served(day)
        assert row["new"] == served(day) and row["already_stored"] == 0 and row["failed"] == 0
    assert got["2025-03-03"]["state"] == "no data" and got["2025-03-01"]["state"] == "fetched"
    total = got["total"]
    assert (total["archives"], total["documents"], total["new"]) == (4, 5, 5)
    assert "3 fetched" in total["note"] and "1 no data" in total["note"]
    assert service.requests == [key(d) for d in DAYS] and sorted(service.downloads) == sorted(NAMES)
    assert "4 request(s) to make" in r.stderr and "5 new" in r.stderr

    with Store.open() as st:
        assert {t.id for t in st.iter_tenders()} == DOCUMENT_IDS and st.count() == len(DOCUMENT_IDS)
        for t in st.iter_tenders():
            [prov] = st.provenance(t.source.sha256)
            name = prov["url"].split("/")[-1].split("?")[0]
            day = NAMES[name]
            assert prov["url"].startswith(service.url_for("/eis-data/archives/")) and "dsUid=" in prov["url"]
            assert prov["request"] == key(day) and prov["http_status"] == 200 and prov["path"] == ""
            assert prov["archive_sha256"] == hashlib.sha256(ARCHIVES[day][name]).hexdigest()
            assert prov["member"] in zip_names(ARCHIVES[day][name])
            assert t.source.url == prov["url"] and t.source.path is None  # not the temporary copy

    again = bulk(*RANGE)
    assert again.exit_code == 0, again.stderr
    assert {row["state"] for d, row in rows(again).items() if d != "total"} == {"done earlier", "no data"}
    assert rows(again)["total"]["documents"] == 0 and "nothing to ask" in again.stderr
    assert len(service.requests) == 4 and len(service.downloads) == 4  # the rerun asked nothing


def test_documents_already_stored_are_counted_as_such(service):
    service.answer(key(DAYS[2]), archives={"again.zip": zip_of(NOTICE_A, CONTRACT_A)})  # stored on days 1-2
    r = bulk(*RANGE)
    assert r.exit_code == 0, r.stderr
    row = rows(r)["2025-03-03"]
    assert (row["documents"], row["new"], row["already_stored"]) == (2, 0, 2)
    assert rows(r)["total"]["new"] == 5 and rows(r)["total"]["already_stored"] == 2


def test_a_table_on_stdout(service):
    r = run("bulk", *RANGE, "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert "2025-03-04" in r.stdout and "total" in r.stdout and "no data" in r.stdout


def test_by_registry_number_and_no_data(service):
    service.answer("number=0362100022326000101;subsystem=PRIZ", archives={"n.zip": zip_of(NOTICE_B)})
    r = bulk("--number", "0362100022326000101", "--subsystem", "PRIZ")
    assert r.exit_code == 0, r.stderr
    assert rows(r)["0362100022326000101"]["new"] == 1
    r = bulk("--number", "0000000000000000000", "--subsystem", "PRIZ")
    assert r.exit_code == 4
    [line] = [x for x in lines(r.stderr) if x.startswith("error:")]
    assert "no documents for PRIZ number 0000000000000000000" in line


# --- reruns ---------------------------------------------------------------------------------------------


def test_a_quota_stop_mid_range_then_a_rerun_fetches_only_what_is_missing(service):
    asked = []
    original = service._soap

    def soap(request):  # the quota is used up after two days
        reply = original(request)
        asked.append(1)
        if len(asked) == 2:
            service.quota = True
        return reply

    service._soap = soap
    try:
        r = bulk(*RANGE)
    finally:
        del service._soap
    assert r.exit_code == 10, r.stderr
    [line] = [x for x in lines(r.stderr) if x.startswith("error:")]
    assert "quota" in line and "лимит" in line and "rerun" in line
    got = rows(r)
    assert got["2025-03-01"]["state"] == "fetched" and got["2025-03-02"]["state"] == "fetched"
    assert got["2025-03-04"]["state"] == "stopped"
    assert len(service.downloads) == 3
    service.quota = False
    r = bulk(*RANGE)
    assert r.exit_code == 0, r.stderr
    assert service.requests == [key(DAYS[0]), key(DAYS[1]), key(DAYS[2]), key(DAYS[2]), key(DAYS[3])]
    assert sorted(service.downloads) == sorted(NAMES)  # each archive once
    assert rows(r)["2025-03-01"]["state"] == "done earlier" and rows(r)["total"]["new"] == 1
    with Store.open() as st:
        assert st.count() == len(DOCUMENT_IDS)


def test_ctrl_c_mid_archive_then_the_rerun_continues(service, monkeypatch):
    from tenderscan.services import bulk as bulk_service

    real = bulk_service.ingest
    calls = []

    def interrupted(paths, **kw):
        calls.append(paths)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(paths, **kw)

    monkeypatch.setattr(bulk_service, "ingest", interrupted)
    r = bulk(*RANGE)
    assert r.exit_code == 130 and "interrupted" in r.stderr and "run the same command again" in r.stderr
    monkeypatch.setattr(bulk_service, "ingest", real)
    r = bulk(*RANGE)
    assert r.exit_code == 0, r.stderr
    assert service.requests == [key(d) for d in DAYS]  # day 2's answer was recorded: not asked again
    assert service.downloads.count("PRIZ_77_20250301_001.zip") == 1
    assert service.downloads.count("PRIZ_77_20250302_001.zip") == 2  # interrupted while it was ingested
    with Store.open() as st:
        assert st.count() == len(DOCUMENT_IDS)


def test_a_process_killed_mid_run_is_continued_by_the_same_command(service, tmp_path):
    reached, release = threading.Event(), threading.Event()

    def hold(name):
        if name == "PRIZ_77_20250302_002.zip" and not release.is_set():
            reached.set()
            release.wait(20)

    service.before_download = hold
    env = {**os.environ, "TENDERSCAN_STORE": str(tmp_path / "store")}
    proc = subprocess.Popen([sys.executable, "-m", "tenderscan", "bulk", *RANGE, "--format", "json"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert reached.wait(60), proc.stderr.read1().decode() if proc.poll() is not None else "no download"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    for _ in range(100):  # the held answer goes (into a closed socket) once released
        if len(service.downloads) == 3:
            break
        time.sleep(0.05)
    # the third was being sent when the process was killed
    assert service.downloads == ["PRIZ_77_20250301_001.zip", "PRIZ_77_20250302_001.zip",
                                 "PRIZ_77_20250302_002.zip"]
    r = bulk(*RANGE)
    assert r.exit_code == 0, r.stderr
    assert service.requests == [key(d) for d in DAYS]  # days 1-2 not asked again
    assert service.downloads[3:] == ["PRIZ_77_20250302_002.zip", "PRIZ_77_20250304_001.zip"]
    got = rows(r)
    assert got["2025-03-01"]["state"] == "done earlier" and got["2025-03-02"]["archives"] == 1
    with Store.open() as st:
        assert st.count() == len(DOCUMENT_IDS)
        assert st.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- errors, one line each ------------------------------------------------------------------------------


def test_error_info_of_one_day_fails_it_and_the_others_are_stored(service):
    service.answer(key(DAYS[1]), error=(15, "Указанный тип документа не допускается к выгрузке"))
    r = bulk(*RANGE)
    assert r.exit_code == 1
    [line] = [x for x in lines(r.stderr) if x.startswith("error:")]
    assert "2025-03-02" in line and "error 15" in line and "тип документа" in line
    assert rows(r)["2025-03-02"]["state"] == "failed" and rows(r)["total"]["new"] == 3
    service.answer(key(DAYS[1]), archives=ARCHIVES[DAYS[1]])
    r = bulk(*RANGE)
    assert r.exit_code == 0 and service.requests[4:] == [key(DAYS[1])]  # only the failed day again


def test_error_info_of_the_only_request_exits_5(service):
    service.answer(key(DAYS[0]), error=(15, "Указанный тип документа не допускается к выгрузке"))
    r = bulk("-r", "77", "-s", "PRIZ", "-t", "epNotificationEF2020", "-d", "01.03.2025")
    assert r.exit_code == 5 and "error 15" in r.stderr


def test_no_token_says_how_to_get_one_and_creates_nothing(service, monkeypatch, tmp_path):
    monkeypatch.delenv("TENDERSCAN_EIS_TOKEN")
    r = bulk(*RANGE)
    assert r.exit_code == 9 and r.stdout == ""
    [line] = lines(r.stderr)
    assert "TENDERSCAN_EIS_TOKEN is not set" in line and "Gosuslugi" in line and "personal account" in line
    assert service.requests == [] and not (tmp_path / "store").exists()


def test_a_refused_token_exits_9(service, monkeypatch):
    monkeypatch.setenv("TENDERSCAN_EIS_TOKEN", "wrong-" + TOKEN)
    r = bulk(*RANGE)
    assert r.exit_code == 9
    [line] = [x for x in lines(r.stderr) if x.startswith("error:")]
    assert "refused the token" in line and "***" in line and TOKEN not in line


@pytest.mark.parametrize("args, says", [
    (["--number", "1", "--region", "77"], "--region does not go with it"),
    (["--number", "1", "--date", "2025-03-01", "--to", "2025-03-02"], "--date, --to do not go with it"),
    (["--region", "77", "--type", "x"], "missing --date"),
    (["--region", "77", "--type", "x", "--date", "2025-03-02", "--to", "2025-03-01"], "is before --date"),
    (["--region", "77", "--type", "x", "--date", "2024-01-01", "--to", "2025-03-01"], "split the range"),
    (["--region", "7", "--type", "x", "--date", "2025-03-01"], "two-digit region"),
    (["--region", "77", "--type", "x", "--date", "2025-13-01"], "not a day of the calendar"),
], ids=["number-region", "number-dates", "no-date", "backwards", "too-long", "region", "bad-day"])
def test_option_conflicts_are_one_line_usage_errors(service, args, says):
    r = bulk("--subsystem", "PRIZ", *args)
    assert r.exit_code == 2 and r.stdout == ""
    [line] = lines(r.stderr)
    assert says in line, line
    r = bulk("--subsystem", "FTP", "--number", "1")
    assert r.exit_code == 2 and "unknown subsystem" in r.stderr
    assert service.requests == []


# --- the token appears nowhere --------------------------------------------------------------------------


def test_the_token_appears_in_no_output_store_or_debug_traceback(service, monkeypatch, tmp_path):
    service.answer(key(DAYS[1]), error=(7, f"Внутренняя ошибка при обработке запроса {TOKEN}"))  # echoed
    outputs = []
    for args in (RANGE, ["--number", "1", "--subsystem", "PRIZ"]):
        for debug in ((), ("--debug",)):
            r = run(*debug, "bulk", *args, "--format", "json")
            outputs += [r.stdout, r.stderr]
    service.quota = True
    r = run("--debug", "bulk", *RANGE, "--format", "json")
    assert r.exit_code == 10 and "Traceback" in r.stderr
    outputs += [r.stdout, r.stderr]
    service.quota = False
    monkeypatch.setenv("TENDERSCAN_EIS_TOKEN", TOKEN + "x")  # a wrong token the service echoes back
    r = run("--debug", "bulk", "--number", "2", "--subsystem", "PRIZ")
    assert r.exit_code == 9 and "Traceback" in r.stderr
    outputs += [r.stdout, r.stderr]
    blob = "\n".join(outputs)
    assert "error 7" in blob and TOKEN not in blob and TOKEN[4:20] not in blob
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"tenderscan.sqlite", "bulk-journal.sqlite"}
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path.name


def test_requests_are_valid_against_the_xsd_and_nothing_was_refused(service):
    assert bulk(*RANGE).exit_code == 0
    assert service.refused == []
    assert BulkRequest("PRIZ", number="1").key == "number=1;subsystem=PRIZ"


def test_bulk_is_paced(service, monkeypatch):
    monkeypatch.setenv("TENDERSCAN_PACE", "0.3")  # 8 calls to the portal's host: at least 7 intervals of 0.2
    start = time.monotonic()
    r = bulk(*RANGE)
    assert r.exit_code == 0 and time.monotonic() - start >= 7 * 0.2
    assert "0.3 s a request" in r.stderr


def test_an_unreadable_document_in_an_archive_is_listed_by_the_archives_name(service):
    import io
    import zipfile

    from .conftest import FIXTURES

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(NOTICE_B, (FIXTURES / "zakupki" / NOTICE_B).read_bytes())
        zf.writestr("broken.xml", (FIXTURES / "hostile" / "not_xml.xml").read_bytes())
    service.answer("number=0362100022326000101;subsystem=PRIZ", archives={"mixed.zip": buf.getvalue()})
    r = bulk("--number", "0362100022326000101", "--subsystem", "PRIZ")
    assert r.exit_code == 1
    row = rows(r)["0362100022326000101"]
    assert (row["documents"], row["new"], row["failed"]) == (2, 1, 1)
    [line] = [x for x in lines(r.stderr) if x.startswith("error:")]
    assert "mixed.zip" in line and "broken.xml" in line and "getdocs-" not in line and "/tmp" not in line


def test_a_store_made_before_the_bulk_provenance_gets_its_columns(service, tmp_path):
    import sqlite3

    db = tmp_path / "store" / "tenderscan.sqlite"
    with Store.open():
        pass
    with sqlite3.connect(db) as conn:  # the provenance table as the first stores had it
        conn.execute("DROP TABLE provenance")
        conn.execute("CREATE TABLE provenance (rowid INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, url TEXT NOT NULL "
                     "DEFAULT '', path TEXT NOT NULL DEFAULT '', member TEXT NOT NULL DEFAULT '', http_status "
                     "INTEGER, at TEXT NOT NULL, UNIQUE (sha256, url, path, member))")
    assert run("ingest", str(ROOT / "fixtures" / "zakupki" / NOTICE_B)).exit_code == 0
    assert bulk(*RANGE).exit_code == 0
    with Store.open() as st:
        assert st.count() == len(DOCUMENT_IDS)
        stored = [p for t in st.iter_tenders() for p in st.provenance(t.source.sha256)]
        assert sum(p["request"] == "" for p in stored) == 1 and sum(p["request"] != "" for p in stored) == 4
