"""write_csv's plain path (one converter per column) writes exactly what csv_cell writes, for every table of
every real sample."""

from __future__ import annotations

import io

import pytest

from tenderscan import parse
from tenderscan.services.export.columns import COLUMNS, Table
from tenderscan.services.export.rows import table_rows
from tenderscan.services.export.text_files import csv_cell, csv_writer, write_csv

from .conftest import FIXTURES


@pytest.fixture(scope="module")
def tenders():
    out = []
    for p in sorted(FIXTURES.rglob("*")):
        if p.suffix in (".xml", ".json") and "hostile" not in p.parts and not p.name.startswith("schema_"):
            try:
                out += parse(str(p), stations=True)
            except Exception:  # noqa: BLE001,S112 - refused files are not this test's subject
                continue
    assert len(out) > 60
    return out


@pytest.mark.parametrize("table", list(Table))
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_plain_csv_equals_csv_cell(tenders, table, delimiter):
    cols = COLUMNS[table]
    rows = list(table_rows(table, tenders))
    got = io.StringIO()
    n = write_csv(rows, cols, got, delimiter=delimiter)
    want = io.StringIO()
    w = csv_writer(want, delimiter=delimiter, crlf=False)
    w.writerow([c.name for c in cols])
    for r in rows:
        w.writerow([csv_cell(r.get(c.name), c, excel=False, decimal_comma=False) for c in cols])
    assert n == len(rows) and got.getvalue() == want.getvalue()
