"""Adding up amounts: a document's total only where every amount is in one currency.

Every format reads a document's amount from its parts somewhere (lots, awards, contracts, payments, plan
positions, a joint lot's customers): :func:`total` is that one rule. Amounts in different currencies are
never added up; the result says which currencies there were, so that the reader can say why there is no
total (``extra["warnings"]``), and what each currency's amounts come to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..values import EXACT

Money = tuple["Decimal | None", "str | None"]  # (amount, currency) of one part; either may be missing
_ZERO = Decimal(0)


def add(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of amounts (0 for none), rounded at no size."""
    out = _ZERO
    for a in amounts:
        out = EXACT.add(out, a)
    return out


@dataclass(slots=True)
class Total:
    """What the parts of a document add up to (see :func:`total`)."""

    amount: Decimal | None  # None: no part has one, the parts are in several currencies, or one is missing
    currency: str | None  # the parts' one currency (None: they name none, or several)
    currencies: tuple[str, ...] = ()  # the currencies the parts name, sorted
    by_currency: dict[str, Decimal] = field(default_factory=dict)  # each named currency's sum, in order
    count: int = 0  # parts with an amount
    missing: int = 0  # parts without one
    unnamed: bool = False  # some part names no currency

    @property
    def several(self) -> bool:
        """The parts name more than one currency: they have no total."""
        return len(self.currencies) > 1


def total(parts: Iterable[Money], *, complete: bool = False, unnamed_apart: bool = False) -> Total:
    """The parts' amounts added up, when they are all in one currency.

    Every part's currency counts, with an amount or without one. A part without an amount is left out of
    the sum, or, with ``complete``, leaves the parts without a total. A part that names no currency is in
    the currency the others name; with ``unnamed_apart`` it is in a currency of its own (one part in roubles
    and one without a currency have no total then, and parts that all name none are in ``None``)."""
    seen: dict[str, None] = {}  # the currencies named
    sums: dict[str, Decimal] = {}
    added = _ZERO
    count = n = 0
    unnamed = False
    for amount, currency in parts:
        n += 1
        if currency:
            seen[currency] = None
        else:
            unnamed = True
        if amount is not None:
            count += 1
            added = EXACT.add(added, amount)
            if currency:
                sums[currency] = EXACT.add(sums.get(currency, _ZERO), amount)
    currencies = tuple(sorted(seen)) if len(seen) > 1 else tuple(seen)
    groups = len(currencies) + (1 if unnamed and unnamed_apart else 0)
    one = groups == 1 if unnamed_apart else groups <= 1
    amount = added if one and count and not (complete and count < n) else None
    return Total(amount, currencies[0] if one and currencies else None, currencies, sums, count, n - count, unnamed)
