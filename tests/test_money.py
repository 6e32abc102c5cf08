"""formats/money.py: the one rule every format adds its parts up by (a total only in one currency)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from tenderscan.formats.money import add, total

D = Decimal


def test_one_currency_is_added_up():
    t = total([(D("100.50"), "RUB"), (D("20"), "RUB")])
    assert (t.amount, t.currency, t.currencies, t.count, t.missing) == (D("120.50"), "RUB", ("RUB",), 2, 0)
    assert t.by_currency == {"RUB": D("120.50")}


def test_several_currencies_have_no_total_but_their_sums():
    t = total([(D("1"), "USD"), (D("2"), "EUR"), (D("3"), "USD")])
    assert t.amount is None and t.currency is None and t.several
    assert t.currencies == ("EUR", "USD")
    assert list(t.by_currency.items()) == [("USD", D("4")), ("EUR", D("2"))]  # in the order first seen


def test_a_currency_without_an_amount_still_counts():
    assert total([(D("1"), "RUB"), (None, "USD")]).amount is None
    t = total([(D("1"), "RUB"), (None, "RUB")])
    assert (t.amount, t.missing) == (D("1"), 1)
    assert total([(D("1"), "RUB"), (None, "RUB")], complete=True).amount is None


def test_a_part_without_a_currency_joins_the_others_or_stands_apart():
    assert total([(D("1"), "RUB"), (D("2"), None)]).amount == D("3")
    assert total([(D("1"), "RUB"), (D("2"), None)]).currency == "RUB"
    apart = total([(D("1"), "RUB"), (D("2"), None)], unnamed_apart=True)
    assert apart.amount is None and apart.currency is None and apart.unnamed
    none_named = total([(D("1"), None), (D("2"), "")], unnamed_apart=True)
    assert (none_named.amount, none_named.currency) == (D("3"), None)


def test_nothing_to_add():
    t = total([])
    assert (t.amount, t.currency, t.count, t.missing) == (None, None, 0, 0)
    assert total([(None, "RUB")]).amount is None and total([(None, "RUB")]).currency == "RUB"
    assert add([]) == 0 and str(add([])) == "0"


def test_sums_are_exact_at_any_size():
    big = D("123456789012345678901234567890.123456789")  # 39 digits: the default context would round it
    assert add([big, D("0.000000001")]) == D("123456789012345678901234567890.123456790")
    assert total([(big, "RUB")]).amount == big


_AMOUNTS = st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=2,
                                            min_value=-10**12, max_value=10**12))
_PARTS = st.lists(st.tuples(_AMOUNTS, st.sampled_from([None, "", "RUB", "USD"])), max_size=6)


@given(_PARTS, st.booleans(), st.booleans())
def test_never_adds_two_currencies(parts, complete, apart):
    t = total(parts, complete=complete, unnamed_apart=apart)
    named = {c for _, c in parts if c}
    groups = named | ({None} if apart and any(not c for _, c in parts) else set())
    priced = [a for a, _ in parts if a is not None]
    one = len(groups) == 1 if apart else len(groups) <= 1
    expected = None
    if one and priced and not (complete and len(priced) < len(parts)):
        expected = sum(Fraction(a) for a in priced)
    assert (None if t.amount is None else Fraction(t.amount)) == expected
    assert t.currency == (next(iter(named)) if one and named else None)
    for cur, amount in t.by_currency.items():
        assert Fraction(amount) == sum(Fraction(a) for a, c in parts if c == cur and a is not None)
