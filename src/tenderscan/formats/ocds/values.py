"""One OCDS JSON value read as what it should be: a text (whitespace collapsed), a date-time, a Value
object's amount and currency; what is not (a price that is not a number...) is noted in a :class:`Faults`."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from ...values import norm_space, to_datetime
from .faults import Faults


# Short texts and dates repeat across a package (codes, currencies, statuses, names, dates): each is read
# once. This serves the OCDS target of benchmarks/run.py (ocds-csv, >= 5x flatten-tool): without the caches
# the reading of a package costs ~4% more instructions (callgrind, benchmarks/RESULTS.md "Spine"). The plain
# reference is the call each caches (values.norm_space, values.to_datetime); tests/test_ocds_values.py holds
# them equal.
_MISS = object()
_CACHE_MAX = 10_000
_TEXTS: dict[str, str | None] = {}
_DATES: dict[str, Any] = {}


def _remember(cache: dict, key: str, value: Any) -> Any:
    if len(key) <= 80:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = value
    return value


def text(value: Any) -> str | None:
    """A JSON value as a text, whitespace collapsed (numbers as written; objects and arrays are no text)."""
    if type(value) is str:
        hit = _TEXTS.get(value, _MISS)
        return _remember(_TEXTS, value, norm_space(value)) if hit is _MISS else hit
    if value is None or isinstance(value, (dict, list)):
        return None
    return norm_space(str(value))


def when(value: Any):
    """An OCDS date-time (always with an offset in practice; UTC when it has none)."""
    if not isinstance(value, str):
        return None
    hit = _DATES.get(value, _MISS)
    return _remember(_DATES, value, to_datetime(value, default_tz=UTC)) if hit is _MISS else hit


def faults() -> Faults:
    """A reader of one release's typed fields (see :mod:`.faults`)."""
    return Faults(when)


def money(value: Any, f: Faults) -> tuple[Decimal | None, str | None]:
    """(amount, currency) of an OCDS Value object (an amount that is not a number: None, noted in ``f``)."""
    if type(value) is not dict:
        return None, None
    return f.number(value, "amount"), text(value.get("currency"))
