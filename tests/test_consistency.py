"""Issue 13: over every real document bundled (and the shared samples when they are beside the checkout), the
items that carry amounts add up to the document's amount, or a warning says why not."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tenderscan.documents.checks import totals_warning
from tenderscan.models import Item, Tender
from .conftest import read_outcomes as read_sources

from .conftest import FIXTURES, ROOT

SAMPLES = ROOT.parent / "shared" / "samples"
SUFFIXES = (".xml", ".json", ".jsonl", ".zip", ".http", ".gz")


def _documents(folder: Path):
    files = sorted(str(p) for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                   and "hostile" not in p.parts)
    for outcome in read_sources(files, stations=False):
        if not outcome.ok:
            continue
        try:
            yield from ((outcome.input.name, t) for t in outcome.tenders)
        except Exception:  # noqa: BLE001 - a stream that fails midway is another test's business
            continue


def _mismatches(folder: Path):
    for name, t in _documents(folder):
        amounts = [it.amount for it in t.items if it.amount is not None]
        if not amounts or t.amount is None:
            continue
        if any(it.currency not in (None, t.currency) for it in t.items if it.amount is not None):
            continue
        if sum(amounts, Decimal(0)) != t.amount:
            yield name, t


@pytest.mark.parametrize("folder", [FIXTURES, SAMPLES], ids=["fixtures", "shared-samples"])
def test_items_add_up_or_a_warning_says_why(folder):
    if not folder.exists():
        pytest.skip(f"{folder} is not beside this checkout")
    seen = 0
    for name, t in _mismatches(folder):
        seen += 1
        warnings = t.extra.get("warnings") or []
        assert any("add up" in w for w in warnings), (name, t.label(), t.items_total, t.amount, warnings)
    assert seen  # the real data does hold such documents (the abridged EF2020 notice, the plan, OCDS, TED)


def test_the_generic_warning_names_both_figures_and_the_basis():
    t = Tender(id="x", source_format="test", amount=Decimal("10"), currency="RUB", amount_basis="contract price",
               items=[Item(amount=Decimal("4")), Item(amount=Decimal("5")), Item()])
    w = totals_warning(t)
    assert w is not None
    assert "the items add up to 9 (1 item(s) carry no amount)" in w
    assert "the document's amount (contract price) is 10" in w
    # a reader's own reason is not repeated; items that add up, or in another currency, raise nothing
    assert totals_warning(t, ["the items do not add up to it: quantities not fixed"]) is None
    t.amount = Decimal("9")
    assert totals_warning(t) is None
    t.amount = Decimal("10")
    t.items[0].currency = "USD"
    assert totals_warning(t) is None


def test_abridged_notice_is_explained_by_its_reader_not_by_the_generic_rule():
    [t] = [t for _, t in _documents(FIXTURES / "zakupki") if t.id == "0173100008726000065"]
    warnings = t.extra["warnings"]
    assert sum("add up" in w for w in warnings) == 1
    assert "some purchase objects are missing" in " ".join(warnings)
