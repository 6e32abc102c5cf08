"""Reading what the indicators need from an OCDS compiled release (a plain dict), as Cardinal reads it.

Cardinal takes a field only when it has the JSON type OCDS gives it: a status is a string, an organisation
``id`` a string (numeric ids are ignored until Cardinal's ``prepare`` turns them into strings), an amount a
JSON number (a numeric string is not an amount). These helpers follow that: a value of another type is
treated as missing, never coerced. Amounts may arrive as ``int``, ``float`` or ``Decimal`` (JSON parsed with
``parse_float=Decimal``); arithmetic uses the float Cardinal uses (the nearest double, as serde_json's
``as_f64``), evidence keeps the value as given.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

#: bid statuses that count as submitted (OCDS bidStatus minus invited and withdrawn)
NOT_SUBMITTED = frozenset({"invited", "withdrawn"})

# RFC 3339 date-time, as chrono's DateTime::parse_from_rfc3339 accepts it: a full date, T (or t or a space),
# a time with optional fraction, and Z or a numeric offset. A date alone or a time without offset is refused.
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def obj(value: Any) -> dict | None:
    return value if isinstance(value, dict) else None


def arr(value: Any) -> list | None:
    return value if isinstance(value, list) else None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def get(container: Any, key: str) -> Any:
    return container.get(key) if isinstance(container, dict) else None


def tender(release: dict) -> dict | None:
    return obj(release.get("tender"))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def as_float(value: Any) -> float | None:
    """A JSON number as the nearest double (None for anything else, or a value with no finite double)."""
    if not is_number(value):
        return None
    try:
        out = float(value)
    except (OverflowError, ValueError):
        return None
    return out if math.isfinite(out) else None


def as_whole(value: Any) -> int | None:
    """A JSON integer literal (``1``, not ``1.0``): what serde_json's ``as_u64``/``as_i64`` accept."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent == 0:
        return int(value)  # parsed with parse_int=Decimal: the text had no fraction or exponent
    return None


@dataclass(frozen=True)
class Instant:
    """An RFC 3339 timestamp as whole seconds since the epoch (UTC) and nanoseconds (chrono's precision)."""

    seconds: int
    nanos: int


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_rfc3339(value: Any) -> Instant | None:
    """An RFC 3339 timestamp with an offset; None for anything else (as Cardinal: not a valid date)."""
    if not isinstance(value, str):
        return None
    m = _RFC3339.fullmatch(value)
    if not m:
        return None
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        moment = datetime.fromisoformat(f"{year}-{month}-{day}T{hour}:{minute}:{second}{offset}")
    except ValueError:  # 2000-02-30, 25:00, a leap second...
        return None
    nanos = int(fraction[1:10].ljust(9, "0")) if fraction else 0  # chrono keeps 9 digits, drops the rest
    return Instant((moment - _EPOCH) // timedelta(seconds=1), nanos)


def whole_days(start: Instant, end: Instant) -> int:
    """``end - start`` in whole days, truncated toward zero (chrono's ``num_days``; timedelta.days floors)."""
    nanos = (end.seconds - start.seconds) * 1_000_000_000 + (end.nanos - start.nanos)
    days = abs(nanos) // 86_400_000_000_000
    return days if nanos >= 0 else -days


def is_cancelled(release: dict) -> bool:
    """/tender/status is "cancelled": Cardinal leaves the process out of every indicator."""
    return text(get(tender(release), "status")) == "cancelled"


def matches_procurement_method(tender_obj: dict, methods: frozenset[str]) -> bool:
    """No methods set: every process matches; otherwise /tender/procurementMethod must be one of them."""
    if not methods:
        return True
    method = text(tender_obj.get("procurementMethod"))
    return method is not None and method in methods


def matches_procurement_method_details(
    release: dict, include: frozenset[str], exclude: frozenset[str]
) -> bool:
    """Cardinal's allow/deny list on /tender/procurementMethodDetails.

    With an allow list (``include``) only the listed details match and a process without details never does;
    otherwise the deny list (``exclude``) removes the listed details and a process without details matches.
    """
    details = text(get(tender(release), "procurementMethodDetails"))
    if details is None:
        return not include
    if not include:
        return details not in exclude
    return details in include
