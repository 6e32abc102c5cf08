"""Exact conversions of the text values found in procurement documents.

The readers call these for most values of every document, so four of them take a fast path for the common
shape before their general code (which gives the same answer: tests/test_fast_paths.py holds each equal to
the general code as it was before the fast path, on the portals' shapes and on random text). They serve the
parse target (``benchmarks/run.py`` parse, tenderscan.parse against xmltodict, CPU per document): measured
on the quick corpus (benchmarks/RESULTS.md, "Spine"), ``norm_space`` saves ~1.6 us per document (23 calls),
``to_decimal`` ~3.5 us (9 calls), ``to_date`` and ``to_datetime`` ~0.7 us each.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, InvalidOperation

from .errors import ParseError

_DATE_ONLY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:?\d{2})?$")
_RU_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
MOSCOW = timezone(timedelta(hours=3))


def norm_space(text: str | None) -> str | None:
    """Collapse runs of whitespace (newlines, tabs, nbsp) into single spaces; '' becomes None.

    Fast path (the parse target, see the module's docstring): most texts need nothing. Every whitespace
    character but the space is non-printable (checked over all code points), so a printable text without a
    double space or a space at either end is returned as it is, two C-level checks instead of a split and
    join that builds a string per word (the general code, the line after)."""
    if not text:
        return None
    if "  " not in text and text.isprintable() and text[0] != " " != text[-1]:
        return text
    return " ".join(text.split()) or None


def to_decimal(text: str | int | float | Decimal | None, *, field: str = "number") -> Decimal | None:
    """Parse a money or quantity value exactly. Accepts a decimal comma and spaces as thousands separators.

    Floats are converted through ``repr`` (JSON numbers such as 21200000.5) so no binary noise appears.

    Fast path (the parse target, see the module's docstring): a text that is already a plain decimal in
    range is read as it is, without the clean-up of the general code below (which gives the same value).
    """
    if text is None:
        return None
    if type(text) is str:
        try:
            value = Decimal(text)
        except InvalidOperation:
            pass  # a decimal comma, spaces, or not a number: the general code says which
        else:
            if value.is_finite() and -30 <= value.adjusted() <= 30:
                return value
    if isinstance(text, bool) or not isinstance(text, (str, int, float, Decimal)):
        raise ParseError(f"{field}: expected a number, got {_kind(text)}")
    if isinstance(text, (int, float, Decimal)):  # JSON numbers: the same limits as written ones
        if isinstance(text, float) and (text != text or text in (float("inf"), float("-inf"))):
            raise ParseError(f"{field}: expected a number, got {text!r}")
        value = Decimal(repr(text)) if isinstance(text, float) else Decimal(text)
        return _in_range(value, field, str(text) if not isinstance(text, int) or abs(text) < 10**40 else "")
    s = text.strip().replace("\xa0", "").replace(" ", "")
    if not s:
        return None
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ParseError(f"{field}: {text.strip()[:40]!r} is not a number") from None
    return _in_range(value, field, text.strip())


def _in_range(value: Decimal, field: str, text: str) -> Decimal:
    if not value.is_finite():
        raise ParseError(f"{field}: {text[:40]!r} is not a finite number")
    if value and abs(value.adjusted()) > 30:
        raise ParseError(f"{field}: {text[:40] or 'a number'!r} is out of range")
    return value


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", bool: f"{value!r}".lower()}.get(type(value), type(value).__name__)


def to_quantity(text: str | int | float | Decimal | None, *, field: str = "quantity") -> Decimal | None:
    """Like :func:`to_decimal` but drops insignificant trailing zeros (``12.00000000000`` -> ``12``)."""
    value = to_decimal(text, field=field)
    if value is None:
        return None
    return normalize(value)


# a context that never rounds: the default's 28 digits would round a 30-digit quantity in normalize(), and
# refuse (InvalidOperation) to write 10**28 with exponent 0 in quantize(); a limit costs nothing by itself
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def normalize(value: Decimal) -> Decimal:
    """Remove trailing zeros without switching to exponent notation (``1E+2`` stays ``100``), exactly at any
    size."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=EXACT)
    return value.normalize(context=EXACT)


def _tz(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def to_datetime(text: str | None, *, default_tz: timezone = MOSCOW, field: str = "date") -> datetime | None:
    """Parse ISO 8601 timestamps and dates into an aware datetime.

    ``2026-10-12+03:00`` (a date with only an offset) becomes midnight at that offset; a value without an
    offset gets ``default_tz`` (Moscow time, the portal's clock).

    Fast path (the parse target, see the module's docstring): a full timestamp skips the two patterns for
    dates, which it cannot match.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise ParseError(f"{field}: expected a date, got {_kind(text)}")
    s = text.strip()
    if not s:
        return None
    # a full timestamp (2020-07-01T12:54:30.539+03:00, most of them) cannot match the two patterns below
    m = None if len(s) > 10 and s[10] == "T" else _DATE_ONLY.match(s)
    try:
        if m:
            y, mo, d, off = m.groups()
            tz = _tz(off) or default_tz
            return datetime(int(y), int(mo), int(d), tzinfo=tz)
        m = None if len(s) > 10 else _RU_DATE.match(s)
        if m:
            d, mo, y = m.groups()
            return datetime(int(y), int(mo), int(d), tzinfo=default_tz)
        value = datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    except ValueError:
        raise ParseError(f"{field}: {s[:40]!r} is not a date") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz)
    return value


def to_date(text: str | None, *, field: str = "date") -> date | None:
    """Parse a calendar date (an offset, if any, is dropped: a date is a date).

    Fast path (the parse target, see the module's docstring): ``2020-07-01`` and ``2020-07-01+03:00`` through
    ``date.fromisoformat``; anything else, and anything it refuses, through the general code below."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ParseError(f"{field}: expected a date, got {_kind(text)}")
    s = text.strip()
    if not s:
        return None
    if len(s) in (10, 16) and s[4] == "-" == s[7] and s.isascii() and (len(s) == 10 or s[10] in "+-"):
        try:  # 2020-07-01 or 2020-07-01+03:00 (ASCII, dashes checked: fromisoformat also takes "2020W011")
            value = date.fromisoformat(s[:10])
        except ValueError:
            pass  # not a date after all: the pattern below says so
        else:
            if len(s) == 10 or _DATE_ONLY.match(s):
                return value
    m = _DATE_ONLY.match(s)
    try:
        if m:
            y, mo, d, _ = m.groups()
            return date(int(y), int(mo), int(d))
        m = _RU_DATE.match(s)
        if m:
            d, mo, y = m.groups()
            return date(int(y), int(mo), int(d))
        return datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        raise ParseError(f"{field}: {s[:40]!r} is not a date") from None


def from_epoch_ms(value: int | float | str | None, *, tz: timezone = MOSCOW) -> datetime | None:
    """223-FZ JSON dates: epoch milliseconds."""
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=tz)
    except (ValueError, OverflowError, OSError):
        raise ParseError(f"date: {value!r} is not an epoch timestamp") from None


def to_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    s = text.strip().lower()
    if s in ("true", "1", "yes"):
        return True
    if s in ("false", "0", "no"):
        return False
    return None
