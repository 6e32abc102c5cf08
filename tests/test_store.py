"""The store: a real SQLite file, real documents, versions side by side, concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from decimal import Decimal

import pytest

from tenderscan import NotFoundError, parse
from tenderscan.store import DB_NAME, Store, StoreResolver

from .conftest import ZAKUPKI, run

NOTICE = "0362100022326000101"
NOTICE_FILE = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
CONTRACT = "2366200608816001262"
CONTRACT_FILE = ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml"


def version(data: bytes, n: int, amount: str | None = None) -> bytes:
    """Another version of the real notice, made from it (as the portal publishes a changed notice)."""
    out = data.replace(b"<versionNumber>1</versionNumber>", f"<versionNumber>{n}</versionNumber>".encode())
    if amount:
        out = out.replace(b"102871.68", amount.encode())
    return out


def add_file(st: Store, path, data: bytes | None = None) -> list:
    data = data if data is not None else path.read_bytes()
    tenders = parse(data, name=str(path))
    return [st.add(t, data, path=str(path)) for t in tenders]


def test_open_creates_the_directory_in_wal_mode(tmp_path, monkeypatch):
    target = tmp_path / "a" / "b"
    with Store.open(target) as st:
        assert st.path == target
        assert st.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (target / DB_NAME).is_file()
    monkeypatch.setenv("TENDERSCAN_STORE", str(tmp_path / "env"))
    with Store.open() as st:
        assert st.path == tmp_path / "env"


def test_store_path_that_is_a_file_is_a_store_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    from tenderscan.errors import StoreError

    with pytest.raises(StoreError):
        Store.open(f)


def test_add_get_raw_and_provenance(tmp_path):
    with Store.open(tmp_path / "s") as st:
        assert add_file(st, NOTICE_FILE) == [True]
        assert add_file(st, NOTICE_FILE) == [False], "same bytes, id and version: already stored"
        t = st.get(NOTICE)
        assert t.amount == Decimal("102871.68") and t.version == "1" and t.kind.value == "notice"
        assert t.items[0].quantity == Decimal("12") and t.items[0].unit_price == Decimal("8572.64")
        assert st.raw(t.source.sha256) == NOTICE_FILE.read_bytes()
        [prov] = st.provenance(t.source.sha256)
        assert prov["path"] == str(NOTICE_FILE) and prov["url"] == "" and prov["at"]
        assert st.count() == 1
        with pytest.raises(NotFoundError):
            st.get("0000000000000000000")
        with pytest.raises(NotFoundError):
            st.raw("0" * 64)


def test_versions_side_by_side_latest_by_default(tmp_path):
    data = NOTICE_FILE.read_bytes()
    with Store.open(tmp_path / "s") as st:
        add_file(st, NOTICE_FILE, version(data, 3, "99999.99"))
        add_file(st, NOTICE_FILE, data)
        add_file(st, NOTICE_FILE, version(data, 2, "100000.00"))
        assert st.versions(NOTICE) == ["1", "2", "3"]
        assert st.get(NOTICE).amount == Decimal("99999.99")
        assert st.get(NOTICE, "1").amount == Decimal("102871.68")
        assert st.get(NOTICE, "2").amount == Decimal("100000.00")
        with pytest.raises(NotFoundError) as exc:
            st.get(NOTICE, "7")
        assert exc.value.one_line().endswith("stored versions: 1, 2, 3")
        # only the latest version counts in the frames
        docs = st.documents_frame()
        assert list(docs["version"]) == ["3"]
        assert list(st.documents_frame(latest=False)["version"]) == ["3", "1", "2"]
        items = st.items_frame()
        assert len(items) == 1 and items["version"].tolist() == ["3"]


def test_documents_and_items_frames_keep_decimals(tmp_path):
    with Store.open(tmp_path / "s") as st:
        add_file(st, CONTRACT_FILE)
        add_file(st, NOTICE_FILE)
        items = st.items_frame()
        contract = items[items["id"] == CONTRACT]
        assert len(contract) == 21
        assert all(isinstance(v, Decimal) for v in contract["amount"])
        assert sum(contract["amount"], Decimal(0)) == Decimal("1207680.35")
        assert set(contract["customer_inn"]) == {st.get(CONTRACT).customer.inn}
        docs = st.documents_frame().set_index("id")
        assert docs.loc[CONTRACT, "amount"] == Decimal("1207680.35")
        assert docs.loc[NOTICE, "n_items"] == 1
        assert docs.loc[NOTICE, "year"] == 2026
        assert docs.loc[NOTICE, "stations"] == []
        assert str(docs.loc[NOTICE, "published"].tz) == "UTC"
        only = st.items_frame(columns=["year", "amount"])
        assert list(only.columns) == ["year", "amount"]
        with pytest.raises(ValueError):
            st.items_frame(columns=["nope"])


def test_iter_tenders_filters(tmp_path):
    with Store.open(tmp_path / "s") as st:
        add_file(st, CONTRACT_FILE)
        add_file(st, NOTICE_FILE)
        c = st.get(CONTRACT)
        assert [t.id for t in st.iter_tenders(kind="contract")] == [CONTRACT]
        assert [t.id for t in st.iter_tenders(year=2026)] == [NOTICE]
        assert [t.id for t in st.iter_tenders(customer=c.customer.inn)] == [CONTRACT]
        part = c.customer.name.split()[-1].lower()
        assert CONTRACT in [t.id for t in st.iter_tenders(customer=part)]
        item_word = c.items[0].name.split()[0].upper()
        assert [t.id for t in st.iter_tenders(search=item_word)] == [CONTRACT]
        assert list(st.iter_tenders(search="никогда-не-встречается")) == []


def test_resolve_inputs_and_show_by_id(tmp_path):
    with Store.open() as st:
        add_file(st, NOTICE_FILE)
        add_file(st, NOTICE_FILE, version(NOTICE_FILE.read_bytes(), 2, "100000.00"))
        [stored] = StoreResolver(st)(f"{NOTICE}@1")
        assert stored.version == "1"
    r = run("show", "--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["amount"] == "100000.00"
    r = run("show", "--format", "json", f"{NOTICE}@1")
    assert json.loads(r.stdout)["amount"] == "102871.68"
    r = run("show", f"{NOTICE}@9")
    assert r.exit_code == 4 and "stored versions: 1, 2" in r.stderr
    r = run("show", "0000000000000000000")
    assert r.exit_code == 4 and "tenderscan fetch" in r.stderr


def test_show_with_store_option(tmp_path):
    other = tmp_path / "other"
    with Store.open(other) as st:
        add_file(st, NOTICE_FILE)
    assert run("show", NOTICE).exit_code == 4
    r = run("show", "--store", str(other), "--format", "json", NOTICE)
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == NOTICE


def _writer(path: str, n: int, offset: int) -> None:
    data = NOTICE_FILE.read_bytes()
    with Store.open(path) as st:
        for i in range(n):
            number = f"{offset + i:019d}"
            doc = data.replace(NOTICE.encode(), number.encode())
            [t] = parse(doc)
            st.add(t, doc, path=f"gen/{number}.xml")
            # the same document from both processes: stored once
            shared = data.replace(NOTICE.encode(), f"{i:019d}".encode())
            [t] = parse(shared)
            st.add(t, shared, path=f"shared/{i}.xml")


def test_two_processes_writing_at_once(tmp_path):
    path = str(tmp_path / "s")
    Store.open(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, 40, 10_000 * (k + 1))) for k in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with Store.open(path) as st:
        assert st.integrity_check() == "ok"
        assert st.count() == 40 * 2 + 40
        dupes = st.conn.execute("SELECT id, count(*) FROM documents GROUP BY id HAVING count(*) > 1").fetchall()
        assert dupes == []


def test_the_database_is_plain_sqlite(tmp_path):
    with Store.open(tmp_path / "s") as st:
        add_file(st, CONTRACT_FILE)
    con = sqlite3.connect(tmp_path / "s" / DB_NAME)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"documents", "items", "parties", "attachments", "blobs", "provenance", "texts"} <= tables
    (amount,) = con.execute("SELECT amount FROM documents WHERE id = ?", (CONTRACT,)).fetchone()
    assert amount == "1207680.35", "money is exact decimal text"
    roles = [r[0] for r in con.execute("SELECT role FROM parties ORDER BY n")]
    assert roles[0] == "customer" and "supplier" in roles
