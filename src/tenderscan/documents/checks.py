"""What a document says that cannot be right, flagged rather than refused.

A published document is evidence: its values are kept exactly as the publisher wrote them, even wrong ones.
What a reader must not take at face value is listed in ``Tender.extra["warnings"]`` (shown by `show`, kept in
JSON, the store and exports):

- a negative item quantity (a quantity is a count or a measure; a reduction is a change document's job),
- a currency that is not an ISO 4217 code (``"ZZZ"``, ``"руб."``): kept as written, so sums never mix it with
  a real currency by accident, and `spending --currency` refuses to convert it,
- items whose amounts do not add up to the document's amount, where the reader has not already said why
  (its own warning then names the reason: quantities not fixed, lots, purchase objects missing from an
  abridged copy, a plan's annual volume...): the two figures, and that the document does not say why.

Refused outright (a :class:`~tenderscan.errors.ParseError`, see :mod:`tenderscan.values`) is only what is
not a value at all: text, NaN or infinity where a number must be, a number beyond 10^30, a date that does
not exist.
"""

from __future__ import annotations

from functools import lru_cache
from decimal import Decimal
from typing import Iterable, Iterator

from ..models import Tender


@lru_cache(maxsize=1)
def iso_currencies() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_currency(code: str) -> bool:
    return code in iso_currencies()


def _currencies(t: Tender) -> Iterator[tuple[str, str]]:
    if t.currency:
        yield "currency", t.currency
    for field in ("items", "lots", "payments", "applications"):
        for n, part in enumerate(getattr(t, field)):
            if part.currency:
                yield f"{field}[{n}].currency", part.currency


def warnings_for(t: Tender) -> list[str]:
    out = [
        f"items[{n}].quantity is negative ({it.quantity})"
        for n, it in enumerate(t.items)
        if it.quantity is not None and it.quantity < 0
    ]
    seen: set[str] = set()
    for where, code in _currencies(t):
        if code not in seen and not is_currency(code):
            seen.add(code)
            out.append(f"{where} {code[:20]!r} is not an ISO 4217 currency code")
    return out


def totals_warning(t: Tender, explained: Iterable[str] = ()) -> str | None:
    """Items that carry amounts (all in the document's currency) and add up to something else than the
    document's amount, when no warning in ``explained`` already says why ("... add up ...")."""
    if t.amount is None or any("add up" in w for w in explained):
        return None
    amounts = [it.amount for it in t.items if it.amount is not None]
    if not amounts or any(it.currency not in (None, t.currency) for it in t.items if it.amount is not None):
        return None
    total = sum(amounts, Decimal(0))
    if total == t.amount:
        return None
    basis = f" ({t.amount_basis})" if t.amount_basis else ""
    some = "" if len(amounts) == len(t.items) else f" ({len(t.items) - len(amounts)} item(s) carry no amount)"
    return (f"the items add up to {format(total, 'f')}{some}, the document's amount{basis} is "
            f"{format(t.amount, 'f')}: the document does not say why (taxes, items not listed, a value set apart "
            f"from its items)")


def flag(t: Tender) -> None:
    """Add this document's warnings to ``t.extra["warnings"]`` (none: nothing is added)."""
    notes = warnings_for(t)
    old = t.extra.get("warnings")
    totals = totals_warning(t, old if isinstance(old, list) else ())
    if totals:
        notes.append(totals)
    if notes:
        t.extra["warnings"] = (list(old) if isinstance(old, list) else []) + [
            n for n in notes if n not in (old or ())
        ]
