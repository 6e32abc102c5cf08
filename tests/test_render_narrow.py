"""Row tables (list, search, stations, formats) on terminals of any width: nothing is cropped at the right
edge, and no identifier, date or amount is broken across lines; a table too wide becomes blocks."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from rich.console import Console

from tenderscan.render.cells import money
from tenderscan.render.layout import print_block
from tenderscan.render.rows import render_rows

from .conftest import FIXTURES, ZAKUPKI, run

ROWS = [
    {"id": "0173100008726000065", "version": "1", "kind": "notice", "published": "2026-10-08 16:44",
     "customer": "СЧЕТНАЯ ПАЛАТА РОССИЙСКОЙ ФЕДЕРАЦИИ", "customer_inn": "7702166610",
     "amount": Decimal("108142501.80"), "currency": "RUB",
     "title": "Поставка компьютерной техники для нужд Счетной палаты Российской Федерации", "n_items": 2},
    {"id": "UA-2027-01-01-000001-a", "version": "2027-01-31T00:00:00+02:00", "kind": "contract",
     "published": "2027-01-01 00:00", "customer": "ЗОСШ #10 м.Вінниці", "customer_inn": "00037256",
     "amount": Decimal("1000.0"), "currency": "UAH", "title": "футляри до державних нагород", "n_items": 2},
]
COLUMNS = list(ROWS[0])


def rendered(width: int) -> str:
    out = io.StringIO()
    render_rows(Console(file=out, width=width, color_system=None), ROWS, COLUMNS, title="2 document(s)",
                right=("amount", "n_items"))
    return out.getvalue()


@pytest.mark.parametrize("width", [40, 60, 80, 120, 240])
def test_every_identifier_and_amount_whole_on_one_line(width):
    text = rendered(width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    for r in ROWS:
        for whole in (r["id"], r["customer_inn"], r["version"], r["published"], money(r["amount"])):
            assert any(whole in line for line in lines), (whole, text)
    # a table only where everything fits, else blocks; the table stacks ID@version over the kind, the INN
    # under the name, the currency beside the amount, so that 120 columns are enough (issue 14 item 22:
    # these rows needed 240 before)
    assert ("──" in text) == (width >= 120)


def test_print_block_packs_parts_and_never_splits_one():
    out = io.StringIO()
    parts = [f"amount {money(Decimal('108142501.80'))}", "currency RUB", "customer_inn 0278060411"] * 3
    print_block(Console(file=out, width=30, color_system=None), "0301300140921000011", parts)
    lines = out.getvalue().splitlines()
    assert lines[0] == "0301300140921000011"
    assert all(len(line) <= 30 for line in lines)
    for part in parts:
        assert any(part in line for line in lines)


def test_stations_of_one_document_name_it_once(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    path = FIXTURES / "constructed" / "metro_screens_85_stations.txt"
    r = run("stations", str(path), "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert f"Stations (85) in {path}" in r.stdout
    assert r.stdout.count(str(path)) == 1


def test_list_at_80_columns_keeps_registry_numbers_whole(monkeypatch):
    assert run("ingest", str(ZAKUPKI)).exit_code == 0
    monkeypatch.setenv("COLUMNS", "80")
    r = run("list", "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert "0301300140921000011" in r.stdout and "0278060411" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
