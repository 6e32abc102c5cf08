"""Property tests of diff: diff(A, A) is empty; every item is accounted for exactly once; money adds up."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tenderscan.services.diff import diff
from tenderscan.models import Item, Tender

WORDS = ["камера", "видеонаблюдения", "кабель", "монитор", "набор", "имитаторов", "запахов", "сервер",
         "купольная", "уличная", "IP", "4K"]
CODES = [None, "26.40.33.110", "27.32.13.190", "26.20.17.110", "20.13.52.110"]

money = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False,
                                         allow_infinity=False))
items = st.builds(
    Item,
    name=st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join),
    code=st.sampled_from(CODES),
    quantity=st.one_of(st.none(), st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False,
                                              allow_infinity=False)),
    unit_price=money,
    amount=money,
)


def tender(its: list[Item], amount: Decimal | None, version: str) -> Tender:
    return Tender(id="0373100000123000001", version=version, kind="notice", source_format="test",
                  amount=amount, currency="RUB", items=its)


@st.composite
def pairs(draw):
    """A and B, where B is often an edit of A (kept, changed, renamed, dropped and new items)."""
    a_items = draw(st.lists(items, max_size=12))
    b_items = []
    for it in a_items:
        action = draw(st.sampled_from(["keep", "change", "rename", "drop"]))
        if action == "keep":
            b_items.append(it.model_copy())
        elif action == "change":
            b_items.append(it.model_copy(update={"amount": draw(money), "quantity": draw(money)}))
        elif action == "rename":
            b_items.append(it.model_copy(update={"name": (it.name or "") + " " + draw(st.sampled_from(WORDS))}))
    b_items += draw(st.lists(items, max_size=4))
    b_items = draw(st.permutations(b_items))
    return tender(a_items, draw(money), "1"), tender(list(b_items), draw(money), "2")


@settings(max_examples=100, deadline=None)
@given(st.lists(items, max_size=15), money)
def test_diff_of_a_document_with_itself_is_empty(its, amount):
    a = tender(its, amount, "1")
    d = diff(a, a.model_copy(deep=True))
    assert not d.differs
    assert d.to_dict()["changes"] == [] and d.to_dict()["items"] == {"added": [], "removed": [], "changed": []}
    assert len(d.items_unchanged) == len(its)


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_every_item_is_matched_changed_or_removed_exactly_once(ab):
    a, b = ab
    d = diff(a, b)
    matched = d.items_changed + d.items_unchanged
    seen_a = [m.a.index for m in matched] + [r.index for r in d.items_removed]
    seen_b = [m.b.index for m in matched] + [r.index for r in d.items_added]
    assert sorted(seen_a) == list(range(1, len(a.items) + 1))
    assert sorted(seen_b) == list(range(1, len(b.items) + 1))
    for m in matched:  # a pair points at the right items
        assert m.a.item is a.items[m.a.index - 1] and m.b.item is b.items[m.b.index - 1]
        assert bool(m.changes) == (m in d.items_changed)


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_money_changes_add_up(ab):
    a, b = ab

    def total(its):
        return sum((i.amount or Decimal(0) for i in its), Decimal(0))

    d = diff(a, b)
    deltas = sum((c.delta for m in d.items_changed for c in m.changes if c.field == "amount"), Decimal(0))
    assert total(b.items) - total(a.items) == (total(r.item for r in d.items_added)
                                               - total(r.item for r in d.items_removed) + deltas)
    header = {c.field: c for c in d.changes}
    if a.amount != b.amount:
        c = header["amount"]
        assert c.delta == (b.amount or 0) - (a.amount or 0)
        if a.amount:
            assert c.change_pct == (c.delta * 100 / a.amount).quantize(Decimal("0.01"))
    else:
        assert "amount" not in header
