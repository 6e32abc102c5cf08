"""Issue 14, "Data and files": what the commands do to a user's files and store when the input is wrong.

Every test goes through the CLI as a user runs it (CliRunner, or a real subprocess where a signal or the
process's memory matters).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import FIXTURES, ZAKUPKI, run, sigint_as_a_terminal_gives_it

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


# --- item 1: nothing read, nothing written; partial failures said; --strict ---------------------------------


def test_a_typo_never_replaces_an_existing_workbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("export", str(CONTRACT), "-o", "important.xlsx")
    before = (tmp_path / "important.xlsx").read_bytes()
    r = run("export", "good.xlm", "-o", "important.xlsx")  # the typo of the issue
    assert r.exit_code == 4
    assert (tmp_path / "important.xlsx").read_bytes() == before
    assert "nothing written: no input could be read; important.xlsx was left as it was" in r.stderr
    assert r.stderr.startswith("error: good.xlm: ")


def test_nothing_read_creates_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("export", "nosuch.xml", "-o", "x.csv")
    assert r.exit_code == 4
    assert not (tmp_path / "x.csv").exists()  # it used to be a header-only file
    assert "x.csv was not created" in r.stderr
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary left either
    both = run("export", "nosuch.xml", str(FIXTURES / "hostile" / "empty.xml"), "-o", "x.csv")
    assert both.exit_code == 1 and not (tmp_path / "x.csv").exists()


def test_some_inputs_failed_is_said_and_exits_1(tmp_path):
    out = tmp_path / "docs.csv"
    r = run("export", str(CONTRACT), "nosuch.xml", str(NOTICE), "-o", str(out))
    assert r.exit_code == 1
    assert "error: nosuch.xml: no such file or folder" in r.stderr
    assert "1 of 3 inputs failed" in r.stderr
    assert "2 documents rows written" in r.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3  # header + the two documents read


def test_strict_writes_nothing_unless_every_input_was_read(tmp_path):
    out = tmp_path / "docs.csv"
    out.write_text("previous export\n", encoding="utf-8")
    r = run("export", "--strict", str(CONTRACT), "nosuch.xml", "-o", str(out))
    assert r.exit_code == 1
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert "nothing written: 1 of 2 inputs could not be read (--strict)" in r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["docs.csv"]
    ok = run("export", "--strict", str(CONTRACT), str(NOTICE), "-o", str(out))
    assert ok.exit_code == 0 and len(out.read_text(encoding="utf-8").splitlines()) == 3
    # to standard output: held back until every input is read, so a failure prints nothing
    streamed = run("export", "--strict", str(CONTRACT), "nosuch.xml", "-o", "-")
    assert streamed.exit_code == 1 and streamed.stdout == ""


def test_an_empty_store_exports_nothing(tmp_path):
    from tenderscan.store import Store

    Store.open(tmp_path / "st", create=True).close()
    r = run("export", "--store", str(tmp_path / "st"), "-o", str(tmp_path / "all.xlsx"))
    assert r.exit_code == 4 and "no documents in the store at" in r.stderr
    assert not (tmp_path / "all.xlsx").exists()


# --- item 2: a file is never turned into a folder (or the reverse) without --force --------------------------


def test_partitioned_export_over_a_file_needs_force(tmp_path):
    target = tmp_path / "items.parquet"
    assert run("export", str(CONTRACT), "--table", "items", "-o", str(target)).exit_code == 0
    single = target.read_bytes()
    r = run("export", str(CONTRACT), "--table", "items", "--partition-by", "year", "-o", str(target))
    assert r.exit_code == 2
    assert r.stderr.startswith(f"error: {target} is a file, and a partitioned dataset is a folder")
    assert len(r.stderr.strip().splitlines()) == 1
    assert target.is_file() and target.read_bytes() == single
    forced = run("export", str(CONTRACT), "--table", "items", "--partition-by", "year", "-o", str(target),
                 "--force")
    assert forced.exit_code == 0 and target.is_dir() and (target / "year=2016").is_dir()


def test_single_file_over_a_folder_needs_force(tmp_path):
    target = tmp_path / "items.parquet"
    first = run("export", str(CONTRACT), "--table", "items", "--partition-by", "year", "-o", str(target))
    assert first.exit_code == 0
    again = run("export", str(NOTICE), "--table", "items", "--partition-by", "year", "-o", str(target))
    assert again.exit_code == 0  # a dataset replaced by a dataset: no surprise
    r = run("export", str(CONTRACT), "--table", "items", "-o", str(target))
    assert r.exit_code == 2 and "is a folder: the file would replace it" in r.stderr
    assert target.is_dir()
    forced = run("export", str(CONTRACT), "--table", "items", "-o", str(target), "--force")
    assert forced.exit_code == 0 and target.is_file()


def test_a_folder_of_other_files_is_not_replaced_by_a_dataset(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    r = run("export", str(CONTRACT), "--partition-by", "year", "--format", "parquet", "-o", str(folder))
    assert r.exit_code == 2 and "holds more than a partitioned dataset" in r.stderr
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


# --- item 3: -o - is standard output (text formats only) ----------------------------------------------------


def test_output_dash_streams_csv_and_jsonl(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("export", str(CONTRACT), "--table", "items", "-o", "-")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("id,version,kind,year,customer_inn,item_no")
    # the contract's first product: its 21 items, the first with quantity 7 at 1753.00 (product/quantity, price)
    assert len(lines) == 22 and ",7,НАБОР,704,1753.00,12271.00,false,RUB" in lines[1]
    assert "21 items rows written to standard output" in r.stderr
    assert not (tmp_path / "-").exists()
    j = run("export", str(CONTRACT), "--table", "items", "--format", "jsonl", "-o", "-")
    rows = [json.loads(x) for x in j.stdout.splitlines()]
    assert j.exit_code == 0 and len(rows) == 21 and rows[0]["amount"] == "12271.00"


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_output_dash_refuses_binary_formats(tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    r = run("export", str(CONTRACT), "-o", "-", "--format", fmt)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"error: --output - writes text to standard output, and {fmt} is a binary format")
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "-").exists()


# --- item 5: OCDS ingest memory stays flat whatever the package's size ---------------------------------------

ROOT_DIR = FIXTURES.parent
PEAK = ("import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(rc)")


def _peak_mb(*args: str, env: dict | None = None) -> float:
    """Peak RSS of one real `tenderscan` process (ru_maxrss of the only child of a fresh Python)."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "tenderscan", *args],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.strip().splitlines()[-1]) / 1024


def _package(path: Path, releases: int) -> dict:
    import sys

    sys.path.insert(0, str(ROOT_DIR / "benchmarks"))
    try:
        from ocds_corpus import build_release_package
    finally:
        sys.path.remove(str(ROOT_DIR / "benchmarks"))
    return build_release_package(path, releases=releases, seed=5)


@pytest.mark.slow
def test_ocds_ingest_memory_does_not_grow_with_the_package(tmp_path):
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    s, b = _package(small, 1500), _package(big, 6000)  # real releases of the fixtures, ~7 and ~27 MB
    assert b["bytes"] > 3.5 * s["bytes"] > 20e6
    rss_small = _peak_mb("-q", "ingest", "--store", str(tmp_path / "s1"), str(small))
    rss_big = _peak_mb("-q", "ingest", "--store", str(tmp_path / "s2"), str(big))
    # before: ~90 MB and ~270 MB (every tender and its rows of the package held until one last transaction)
    assert rss_big < rss_small * 1.25 and rss_big - rss_small < 25, (rss_small, rss_big)
    listed = run("list", "--store", str(tmp_path / "s2"), "--format", "json")
    assert len(json.loads(listed.stdout)) == b["processes"]  # one document per ocid
    again = run("ingest", "--store", str(tmp_path / "s2"), str(big))
    assert again.exit_code == 0 and "0 new document(s) stored, 1 input(s) already stored" in again.stderr


def test_a_streamed_package_keeps_its_raw_bytes(tmp_path, monkeypatch):
    import hashlib

    import tenderscan.services.ingest as mod
    from tenderscan.store import Store

    monkeypatch.setattr(mod, "STREAM_BYTES", 1024)  # this small package goes the streamed way too
    monkeypatch.setattr(mod, "BATCH", 7)  # several batches
    pkg = tmp_path / "p.json"
    info = _package(pkg, 60)
    r = run("ingest", "--store", str(tmp_path / "s"), str(pkg))
    assert r.exit_code == 0, r.stderr
    assert f"{info['processes']} new document(s)" in r.stderr
    data = pkg.read_bytes()
    with Store.open(tmp_path / "s") as st:
        assert st.raw(hashlib.sha256(data).hexdigest()) == data
        assert st.count() == info["processes"]
        assert st.integrity_check() == "ok"


# --- item 6: Ctrl-C (a real process, a real SIGINT) ----------------------------------------------------------


def _copies(folder: Path, n: int, source: Path = NOTICE) -> None:
    """n documents with different bytes (the real notice, each with its own trailing comment)."""
    folder.mkdir()
    data = source.read_bytes()
    for i in range(n):
        (folder / f"n{i:05d}.xml").write_bytes(data + f"\n<!-- copy {i} -->\n".encode())


def _documents(db: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM blobs WHERE role = 'document'").fetchone()[0]
    except sqlite3.Error:
        return 0


def _interrupt(args: list[str], ready, env: dict | None = None, timeout: float = 120):
    """Start `tenderscan ARGS`, send SIGINT once ``ready()`` is true, return (exit code, stderr); (None,
    stderr) when the command ended before it could be interrupted."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "tenderscan", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, preexec_fn=sigint_as_a_terminal_gives_it)
    deadline = time.monotonic() + timeout
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if proc.poll() is not None:
        return None, proc.communicate()[1]
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_of_ingest_says_what_is_stored_and_a_rerun_continues(tmp_path, jobs):
    docs, store = tmp_path / "docs", tmp_path / "store"
    _copies(docs, 1500)
    db = store / "tenderscan.sqlite"
    code, err = _interrupt(["ingest", "--jobs", jobs, "--store", str(store), str(docs)],
                           lambda: _documents(db) >= 50)
    if code is None:
        pytest.skip("the ingest ended before it could be interrupted (a fast machine)")
    assert code == 130, err
    import re

    m = re.search(r"interrupted: ([\d,]+) of the ([\d,]+) input\(s\) read so far are in the store (\S+) "
                  r"\(([\d,]+) new document\(s\)\); run the same command again to continue", err)
    assert m, err
    assert "Traceback" not in err
    committed = int(m.group(1).replace(",", ""))
    assert 50 <= committed < 1500
    assert _documents(db) == committed  # exactly what it said
    again = run("ingest", "--store", str(store), str(docs))
    assert again.exit_code == 0
    assert f"1500 input(s), {1500 - committed} new document(s) stored, {committed} input(s) already stored" \
        in again.stderr
    assert _documents(db) == 1500


@pytest.mark.parametrize("swallowed", ["wrapped", "silently"])
def test_a_ctrl_c_swallowed_inside_a_document_still_stops_ingest(tmp_path, monkeypatch, swallowed, ctrl_c):
    """Seen under load: SIGINT arriving inside pydantic's serializer came back as PydanticSerializationError
    ("Error serializing to JSON: KeyboardInterrupt"), was counted as one bad document, and ingest went on to
    exit 0 or 1. A Ctrl-C pressed while a command runs stops it whatever code it met on the way."""
    import signal
    import time

    from tenderscan.services import ingest_work

    docs, store = tmp_path / "docs", tmp_path / "store"
    _copies(docs, 5)
    real = ingest_work.parse_input
    calls = []

    def parse(inp, *args, **kwargs):
        calls.append(inp.name)
        if len(calls) == 3:  # the third document: Ctrl-C lands inside code that wraps it
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)
            except KeyboardInterrupt:
                if swallowed == "wrapped":
                    raise RuntimeError("Error serializing to JSON: KeyboardInterrupt") from None
        return real(inp, *args, **kwargs)

    monkeypatch.setattr(ingest_work, "parse_input", parse)
    r = run("ingest", "--jobs", "1", "--store", str(store), str(docs))
    assert r.exit_code == 130, r.stderr
    assert "interrupted: 2 of the 3 input(s)" in r.stderr and "run the same command again" in r.stderr, r.stderr
    assert "internal error" not in r.stderr and "failed" not in r.stderr, r.stderr
    assert len(calls) == 3  # nothing read after the Ctrl-C
    monkeypatch.setattr(ingest_work, "parse_input", real)
    again = run("ingest", "--store", str(store), str(docs))
    assert again.exit_code == 0 and "3 new document(s) stored, 2 input(s) already stored" in again.stderr, \
        again.stderr


@pytest.mark.slow
def test_ctrl_c_of_an_xlsx_export_prints_one_line(tmp_path):
    package = tmp_path / "package.json"
    _package(package, 6000)  # an OCDS package: its items go to the sheet while the releases are read
    out = tmp_path / "items.xlsx"
    interrupted = 0
    for delay in (0.3, 0.8, 1.3, 1.8, 2.5):  # interrupted at different points of the writing
        started = []

        def ready() -> bool:
            import time

            if not started and any(p.name.startswith(".items.xlsx.") for p in tmp_path.iterdir()):
                started.append(time.monotonic())
            return bool(started) and time.monotonic() - started[0] >= delay

        code, err = _interrupt(["export", str(package), "--table", "items", "-o", str(out)], ready)
        if code is None or "rows written to" in err:  # done before the signal (a fast machine), or the
            out.unlink()  # signal came after the work, as the interpreter shut down: nothing to interrupt
            continue
        interrupted += 1
        assert code == 130
        assert err.strip() == "interrupted", err  # no "Exception ignored ... LxmlSyntaxError" tracebacks
        assert not out.exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["package.json"]  # its temporary is gone too
    if interrupted < 2:
        pytest.skip("the export ended before it could be interrupted (a fast machine)")


def test_an_interrupted_xlsx_export_leaves_no_writer_to_complain(tmp_path, monkeypatch):
    """The same, in this process: once the interrupted export is over, collecting its objects raises nothing
    (it was two "Exception ignored in: <generator ...> LxmlSyntaxError" tracebacks, whenever the garbage
    collector closed the sheet's two XML writers in the wrong order)."""
    import gc
    import sys

    import tenderscan.services.export.tables as ex

    real = ex.table_rows

    def interrupted(table, tenders):  # Ctrl-C after the 30th row
        for n, row in enumerate(real(table, tenders)):
            if n == 30:
                raise KeyboardInterrupt
            yield row

    monkeypatch.setattr(ex, "table_rows", interrupted)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    r = run("export", str(ZAKUPKI), "--table", "items", "-o", str(tmp_path / "items.xlsx"))
    gc.collect()
    assert r.exit_code == 130 and r.stderr.strip() == "interrupted"
    assert not unraisable, [repr(u.exc_value) for u in unraisable]
    assert list(tmp_path.iterdir()) == []
