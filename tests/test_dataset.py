"""The Parquet dataset (issue 17), in one process: real dump zips of the real documents in fixtures/, one fixed
schema, duplicates written once, versions marked latest, failures as rows, a killed run that leaves the
dataset as it was and resumes, and `list`/`spending` from the dataset equal to the same from a store."""

from __future__ import annotations

import itertools
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tenderscan.errors import UsageError
from tenderscan.services.dataset import export as export_mod
from tenderscan.services.dataset.export import export_dataset
from tenderscan.services.dataset.query import Dataset, list_rows
from tenderscan.services.dataset.schema import DATA_TABLES, SCALES, TABLES, schema
from tenderscan.services.dataset.spending import in_sql, spending
from tenderscan.services.ingest import ingest
from tenderscan.services.spending.query import BY_KEYS, Query
from tenderscan.services.spending.report import run
from tenderscan.store import Store

from .conftest import FIXTURES, ZAKUPKI
from .test_ingest import dump_zip

MORE = FIXTURES / "zakupki-more"
# a real notice whose first 400 bytes make a member that is not well-formed XML (a download cut short)
CUT = "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"


def members(folder: Path, names: list[str] | None = None) -> dict[str, bytes]:
    files = sorted(p for p in folder.iterdir() if p.suffix == ".xml" and (names is None or p.name in names))
    return {p.name: p.read_bytes() for p in files}


def dumps(tmp_path: Path) -> list[str]:
    """A daily and a monthly dump of the real documents (the daily's members are all in the monthly one too:
    the same bytes, read twice) and an archive of the other shapes with one member cut short."""
    daily = tmp_path / "dumps" / "notification_Moskva_2021010100_2021010200_001.xml.zip"
    monthly = tmp_path / "dumps" / "notification_Moskva_202101_001.xml.zip"
    more = tmp_path / "dumps" / "contract_Adygeya_Resp_202101_001.xml.zip"
    daily.parent.mkdir()
    everything = members(ZAKUPKI)
    dump_zip(daily, dict(itertools.islice(everything.items(), 6)))
    dump_zip(monthly, everything)
    dump_zip(more, {**members(MORE), "cut_short.xml": (ZAKUPKI / CUT).read_bytes()[:400]})
    # and folders of loose files: OCDS packages and records (versions of one contracting process), ProZorro
    return [str(daily), str(monthly), str(more), str(FIXTURES / "ocds"), str(FIXTURES / "prozorro")]


def table_rows(path: Path, table: str) -> list[tuple]:
    with Dataset.open(path) as ds:
        return ds.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def same_dataset(a: Path, b: Path) -> None:
    for table in TABLES:
        assert table_rows(a, table) == table_rows(b, table), table


WHERE = {"task_seq", "input_no", "doc"}  # where a row was read: differs when the inputs are split into other tasks


def same_rows(a: Path, b: Path) -> None:
    """Every table holds the same rows, whatever the tasks were."""
    for table in TABLES:
        cols = [f.name for f in schema(table) if f.name not in WHERE]
        with Dataset.open(a) as x, Dataset.open(b) as y:
            q = f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL"
            assert x.sql(q).fetchall() == y.sql(q).fetchall(), table


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The dumps, their dataset (local engine) and a store ingested from the same files."""
    tmp = tmp_path_factory.mktemp("dataset")
    sources = dumps(tmp)
    result = export_dataset(sources, tmp / "ds")
    with Store.open(tmp / "store", create=True) as st:
        ingest(sources, store=st)
    return sources, tmp / "ds", tmp / "store", result


def test_every_file_has_its_tables_one_schema(built):
    _, ds, _, result = built
    m = json.loads((ds / "_manifest.json").read_text())
    assert result.manifest.commits == 1 and len(m["tasks"]) == 5
    seen = set()
    for task in m["tasks"]:
        for f in task["files"]:
            got = pq.read_schema(ds / f["path"])
            assert got.equals(schema(f["table"]), check_metadata=False), f["path"]
            seen.add(f["table"])
    assert set(DATA_TABLES) - {"attachments"} <= seen
    # decimals: one precision and scale in every file, whatever the values' own decimals
    assert str(schema("items").field("unit_price").type) == f"decimal128(38, {SCALES['unit_price']})"
    assert str(schema("documents").field("amount").type) == f"decimal128(38, {SCALES['amount']})"


def test_hive_layout_is_read_by_duckdb_without_tenderscan(built):
    import duckdb

    _, ds, _, _ = built
    con = duckdb.connect()
    by_glob = con.execute(f"SELECT count(*) FROM read_parquet('{ds}/items/**/*.parquet', hive_partitioning = true)"
                          ).fetchall()[0][0]
    assert by_glob == len(table_rows(ds, "items")) > 0
    # 44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml: published 2026-10-02, customer's
    # factAddress "Российская Федерация, 620142, Свердловская обл, Екатеринбург г, ...": ISO 3166-2 RU-SVE
    rows = con.execute(f"SELECT DISTINCT year, region_code FROM read_parquet('{ds}/documents/**/*.parquet', "
                       "hive_partitioning = true) WHERE id = '0362100022326000101'").fetchall()
    assert rows == [(2026, "RU-SVE")]


def test_the_same_bytes_twice_are_written_once(built):
    sources, ds, _, result = built
    assert result.duplicates == 6  # the daily's six members, met again in the monthly archive
    with Dataset.open(ds) as d:
        twice = d.sql("SELECT sha256, doc_no, count(*) FROM documents GROUP BY ALL HAVING count(*) > 1").fetchall()
        assert twice == []
        statuses = dict(d.sql("SELECT status, count(*) FROM inputs GROUP BY ALL").fetchall())
        first = d.sql("SELECT DISTINCT i.path FROM documents d JOIN inputs i ON i.sha256 = d.sha256 "
                      "AND i.status = 'ok'").fetchall()
    assert statuses["duplicate"] == 6
    assert (sources[0],) in first  # kept from its first reading: the daily archive


def test_a_member_cut_short_is_a_failure_row(built):
    _, ds, _, result = built
    with Dataset.open(ds) as d:
        rows = d.sql("SELECT name, message, exit_code FROM failures").fetchall()
    cut = [r for r in rows if r[0].endswith("!cut_short.xml")]
    assert len(cut) == 1 and cut[0][2] == 3 and "cut_short.xml" in cut[0][1]
    assert any(f.name.endswith("!cut_short.xml") for f in result.failures)


def test_latest_is_the_stores_latest(built):
    _, ds, store, _ = built
    with Store.open(store) as st:
        want = set(st.conn.execute("SELECT id, version, sha256 FROM documents WHERE latest = 1").fetchall())
        versions = st.conn.execute("SELECT count(*) FROM documents").fetchall()[0][0]
    with Dataset.open(ds) as d:
        got = set(d.sql("SELECT id, version, sha256 FROM counted").fetchall())
        assert d.sql("SELECT count(*) FROM documents").fetchall()[0][0] == versions > len(want)
    assert got == want


def test_list_from_the_dataset_is_list_from_the_store(built):
    _, ds, store, _ = built
    with Store.open(store) as st, Dataset.open(ds) as d:
        # 0301300140921000011: customer INN 7842336160 (fcsNotificationEF .../customer/INN... as in test_zakupki44)
        inn = st.conn.execute("SELECT customer_inn FROM documents WHERE customer_inn IS NOT NULL "
                              "LIMIT 1").fetchall()[0][0]
        for kw in ({}, {"latest": False}, {"kind": "contract"}, {"year": 2021}, {"customer": inn},
                   {"customer": "администрац"}, {"search": "поставка"}, {"limit": 3}):
            assert list_rows(d, **kw) == st.rows(**{"latest": True, **kw}), kw


def strict(rows: list[dict]) -> list[dict]:
    """Rows compared with their types and the text of every value (1.5 and 1.50 differ)."""
    return [{k: (type(v).__name__, str(v)) for k, v in r.items()} for r in rows]


QUERIES = [Query(by=[b]) for b in BY_KEYS] + [Query(by=[b], kinds=["all"]) for b in BY_KEYS] + [
    Query(by=["year", "customer"]), Query(by=["year", "okpd2"], kinds=["all"]), Query(by=["region", "kind"]),
    Query(by=["year", "source", "kind"], kinds=["all"]), Query(by=["okpd2"], depth=2, kinds=["all"]),
    Query(by=["year"], date_from=date(2019, 1, 1), date_to=date(2021, 12, 31), kinds=["all"]),
    Query(by=["year"], kinds=["contract"]), Query(by=["customer"], customer="администрац", kinds=["all"]),
    Query(by=["year"], search="поставка", kinds=["all"]), Query(by=["okpd2"], okpd2="21", kinds=["all"]),
    Query(by=["year"], topic="surveillance", kinds=["all"]), Query(by=["kind"], kinds=["plan", "protocol"]),
]


@pytest.mark.parametrize("q", QUERIES, ids=lambda q: f"{'+'.join(q.by)}:{q.kinds}:{q.search or q.topic or q.okpd2 or q.customer or ''}")
def test_spending_from_the_dataset_is_spending_from_the_store(built, q):
    _, ds, store, _ = built
    want = run([], q, store=store)
    with Dataset.open(ds) as d:
        got = spending(d, q)
    assert strict(got.rows) == strict(want.rows)
    assert got.summaries_left_out == want.summaries_left_out
    assert want.rows or q.topic or q.okpd2  # most queries find something


def test_by_year_runs_in_sql_and_okpd2_on_frames():
    assert in_sql(Query(by=["year", "customer", "region", "kind", "source"]))
    assert not in_sql(Query(by=["okpd2"])) and not in_sql(Query(by=["year"], search="x"))
    assert not in_sql(Query(by=["year"], topic="surveillance"))


def test_spending_by_customer_keeps_inn_and_name(built):
    _, ds, _, _ = built
    with Dataset.open(ds) as d:
        rows = spending(d, Query(by=["customer"], kinds=["all"])).rows
    assert rows and all(set(r) >= {"customer", "customer_inn", "count", "amount", "change_pct"} for r in rows)
    assert all(isinstance(r["amount"], Decimal) or r["amount"] is None for r in rows)


def test_a_rerun_adds_nothing(built, tmp_path):
    sources, ds, _, _ = built
    again = tmp_path / "again"
    export_dataset(sources, again)
    second = export_dataset(sources, again)
    assert second.skipped == second.tasks == 5 and second.inputs == 0
    same_dataset(ds, again)


def test_tasks_split_by_member_ranges_write_the_same_rows(built, tmp_path):
    sources, ds, _, _ = built
    small = export_dataset(sources, tmp_path / "small", chunk=4)
    assert small.tasks > 5
    same_rows(ds, tmp_path / "small")


def test_a_killed_run_leaves_the_dataset_as_it_was_and_resumes(built, tmp_path, monkeypatch):
    sources, ds, _, _ = built
    out = tmp_path / "ds"
    real = export_mod.run_tasks
    ran = []

    def dies_after_two(engine, tasks, root, options, **kw):
        for r in real(engine, tasks, root, options, **kw):
            ran.append(r.key)
            yield r
            if len(ran) == 2:
                raise KeyboardInterrupt  # the driver killed between two tasks

    monkeypatch.setattr(export_mod, "run_tasks", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        export_dataset(sources, out, chunk=4)
    assert not (out / "_manifest.json").exists()
    assert [p for p in out.iterdir() if not p.name.startswith("_")] == []  # nothing visible to other readers
    monkeypatch.setattr(export_mod, "run_tasks", real)
    resumed = export_dataset(sources, out, chunk=4)
    assert resumed.skipped == 2 and resumed.tasks > 2
    same_rows(ds, out)


def test_a_commit_cut_short_is_finished_by_the_next_run(built, tmp_path, monkeypatch):
    from tenderscan.services.dataset import manifest as mf

    sources, ds, _, _ = built
    out = tmp_path / "ds"

    real = mf.roll_forward

    def cut(root):  # the intent is written; the driver dies before moving the files
        if (root / "_staging" / "commit.json").exists():
            raise KeyboardInterrupt
        return real(root)

    monkeypatch.setattr(mf, "roll_forward", cut)
    with pytest.raises(KeyboardInterrupt):
        export_dataset(sources, out)
    monkeypatch.undo()
    assert not (out / "_manifest.json").exists() and (out / "_staging" / "commit.json").exists()
    export_dataset(sources, out)
    same_dataset(ds, out)


def test_a_value_that_does_not_fit_is_refused_not_rounded(tmp_path):
    # the real notice's pricePerUnit 0.68807143 (8 decimals: fits), given 14 decimals
    name = CUT
    data = (ZAKUPKI / name).read_bytes()
    bad = data.replace(b"<pricePerUnit>0.68807143<", b"<pricePerUnit>0.68807143123456<", 1)
    assert bad != data
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(bad)
    result = export_dataset([str(folder)], tmp_path / "ds")
    assert result.documents == 0 and result.failed == 1
    assert "does not fit the dataset's decimal(38,12)" in result.failures[0].message
    assert "0.68807143123456" in result.failures[0].message


def test_a_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(UsageError, match="holds other files"):
        export_dataset([str(ZAKUPKI)], tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_dask_engine_without_dask_says_how_to_install(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(UsageError) as exc:
        export_dataset([str(ZAKUPKI)], tmp_path / "ds", engine="dask")
    assert "pip install 'tenderscan[dask]'" in exc.value.one_line()
    assert not (tmp_path / "ds").exists()


def test_no_dataset_is_a_clear_error(tmp_path):
    from tenderscan.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no dataset at"):
        Dataset.open(tmp_path)


def test_zip_members_are_read_in_the_task_not_the_driver(tmp_path):
    """The driver lists, the task reads: a task's inputs carry the member's index, never its bytes."""
    from tenderscan.services.dataset.plan import plan

    archive = tmp_path / "a.zip"
    dump_zip(archive, members(ZAKUPKI))
    tasks = list(plan([str(archive)], chunk=5))
    assert len(tasks) == -(-len(members(ZAKUPKI)) // 5)
    assert all(u.index is not None and u.member for t in tasks for u in t.units)
    assert [t.seq for t in tasks] == list(range(len(tasks)))
    with zipfile.ZipFile(archive) as zf:
        assert [u.member for t in tasks for u in t.units] == [n for n in zf.namelist() if n.endswith(".xml")]


def test_documents_carry_their_items_quantity_sums(built):
    """Each document's ``items_*`` columns (what `spending` reads instead of the items) are what its rows of
    ``items`` add up to: the same sums and units as the store's per-document sums."""
    _, ds, _, _ = built
    with Dataset.open(ds) as d:
        got = d.sql("SELECT doc, items_quantity, items_units, items_unit_key, items_unit, items_unit_missing "
                    "FROM documents ORDER BY doc").fetchall()
        want = d.sql(
            "SELECT d.doc, sum(i.quantity), count(DISTINCT coalesce(i.unit_code, i.unit)), "
            "max(coalesce(i.unit_code, i.unit)), max(coalesce(i.unit, i.unit_code)), "
            "coalesce(bool_or(i.unit_code IS NULL AND i.unit IS NULL) FILTER (WHERE i.doc IS NOT NULL), false) "
            "FROM documents d LEFT JOIN items i ON i.doc = d.doc AND i.quantity IS NOT NULL "
            "GROUP BY d.doc ORDER BY d.doc").fetchall()
    assert got == want
    assert any(r[1] is not None and r[2] == 1 for r in got)  # the real documents: quantities in one unit,
    assert any(r[2] > 1 for r in got)  # in several units
    assert any(r[1] is None for r in got)  # and documents without a fixed quantity


def test_item_sums_of_units_missing_undefined_and_empty():
    from tenderscan.services.dataset.rows import item_sums

    def it(q, code=None, unit=None):
        return {"quantity": None if q is None else Decimal(q), "unit_code": code, "unit": unit}

    assert item_sums([]) == {"items_quantity": None, "items_units": 0, "items_unit_key": None,
                             "items_unit": None, "items_unit_missing": False}
    one = item_sums([it("1.5", "796", "Штука"), it("2", "796", "шт"), it(None, "112", "Литр")])
    assert one == {"items_quantity": Decimal("3.5"), "items_units": 1, "items_unit_key": "796",
                   "items_unit": "шт", "items_unit_missing": False}  # an undefined quantity adds nothing
    assert str(one["items_quantity"]) == "3.5"
    several = item_sums([it("1", "796"), it("2", None, "кг")])
    assert several["items_units"] == 2 and several["items_unit_key"] == "кг" and several["items_unit"] == "кг"
    missing = item_sums([it("1", "796", "шт"), it("2")])
    assert missing["items_unit_missing"] and missing["items_units"] == 1
    empty = item_sums([it("1", "", "шт")])  # an empty code is a value, as SQL's coalesce has it
    assert empty["items_unit_key"] == "" and empty["items_unit"] == "шт"


def test_a_dataset_of_another_version_is_refused_with_what_to_do(built, tmp_path):
    _, ds, _, _ = built
    old = tmp_path / "old"
    old.mkdir()
    data = json.loads((ds / "_manifest.json").read_text())
    (old / "_manifest.json").write_text(json.dumps({**data, "version": 1}))
    with pytest.raises(UsageError) as e:
        Dataset.open(old)
    assert "dataset version 1" in str(e.value) and "export its inputs again" in e.value.hint
    with pytest.raises(UsageError):  # and nothing is added to it
        export_dataset([str(FIXTURES / "prozorro")], old)
