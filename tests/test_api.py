"""Everything the CLI does is also a library call: `from tenderscan import ...`."""

from __future__ import annotations

from decimal import Decimal

import tenderscan

from .conftest import ZAKUPKI

EZK = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"


def test_parse_diff_stations_store_export(tmp_path):
    [a] = tenderscan.parse(str(EZK))
    assert a.amount == Decimal("102871.68")
    d = tenderscan.diff_tenders(a, a)
    assert not d.changes
    found = tenderscan.extract_stations("на станциях «Площадь Революции» и «Театральная»")
    assert {s.name for s in found} == {"Площадь Революции", "Театральная"}
    with tenderscan.Store.open(tmp_path / "store") as store:
        assert store.add(a, EZK.read_bytes(), path=str(EZK))
        assert store.get(a.id).amount == a.amount
    out = tmp_path / "items.csv"
    tenderscan.export_table([a], "items", out)
    assert "63.11.13.000" in out.read_text(encoding="utf-8")
