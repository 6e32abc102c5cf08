"""The profile service on the real fixtures: a customer with two 223-FZ contracts, a single-bid winner."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenderscan.documents.batch import ReadOptions, read
from tenderscan.errors import NotFoundError
from tenderscan.services.profile import profile

from .conftest import FIXTURES


@pytest.fixture(scope="module")
def tenders():
    return list(read([str(FIXTURES / "zakupki"), str(FIXTURES / "zakupki-more")],
                     options=ReadOptions(stations=False)))


def test_customer_money_by_year_and_counterparties(tenders):
    p = profile("0105018196", tenders=tenders)
    # 223fz_contract_test2.xml: contractData/customer/mainInfo/inn 0105018196, price 317962.72, signed 2018-05-28
    # 223fz_contract_Adygeya_Resp_20191217: the same customer, price 1750000, signed 2019-12-16 (no supplier)
    assert p.names == ['АКЦИОНЕРНОЕ ОБЩЕСТВО "ГАЗПРОМ ГАЗОРАСПРЕДЕЛЕНИЕ МАЙКОП"']
    assert [(r.year, r.role, r.contracts, r.amount) for r in p.by_year] == [
        (2018, "customer", 1, Decimal("317962.72")), (2019, "customer", 1, Decimal("1750000"))]
    top = {c.inn: c for c in p.counterparties}
    assert top["2310140001"].amount == Decimal("317962.72")
    assert top["2310140001"].share == Decimal("317962.72") / Decimal("2067962.72")
    assert {r.indicator for r in p.flags} == {"TS-NON-COMPETITIVE"}  # both single-supplier contracts
    assert p.single_bid_wins == []


def test_supplier_single_bid_win(tenders):
    p = profile("7723806652", tenders=tenders)
    # pprf615ProtocolEF2: the only application (INN 7723806652), price 16519417.98
    assert p.roles == ["supplier"]
    [win] = p.single_bid_wins
    assert win.ocid == "ocds-tenderscan-027300000012001473" and win.indicators == ("R018",)
    assert win.amount == Decimal("16519417.98")
    assert win.documents == ("027300000012001473@1",)
    assert {r.indicator for r in p.flags} == {"R018", "TS-PRICE-NEAR-MAX"}
    assert p.record()["single_bid_wins"][0]["amount"] == "16519417.98"


def test_unknown_inn(tenders):
    with pytest.raises(NotFoundError, match="no document names the INN 0000000000"):
        profile("0000000000", tenders=tenders)
