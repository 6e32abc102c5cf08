"""The readers' fast paths for common shapes give exactly what the general parsers in ``values`` give, on
the portal's shapes and on anything else: the same value (with the same UTC offset), or the same error."""

from __future__ import annotations

import re
from datetime import date, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tenderscan import values
from tenderscan.errors import ParseError
from tenderscan.formats.zakupki44 import common as z44
from tenderscan.formats.zakupki223 import common as z223
from tenderscan.values import MOSCOW, norm_space, to_date, to_datetime, to_decimal, to_quantity

# the portal's shapes, and near misses of them (Python 3.11's fromisoformat takes "20200701T1", "2020W011")
_DIGITS = st.text("0123456789", min_size=1, max_size=4)
_SHAPES = st.one_of(
    st.from_regex(r"\A(19|20)\d\d-[01]\d-[0-3]\d\Z"),
    st.from_regex(r"\A(19|20)\d\d-[01]\d-[0-3]\d[+-][01]\d:[0-5]\d\Z"),
    st.from_regex(r"\A(19|20)\d\d-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(:[0-5]\d(\.\d{1,6})?)?([+-][01]\d:?[0-5]\d|Z)?\Z"),
    st.from_regex(r"\A[0-3]\d\.[01]\d\.(19|20)\d\d\Z"),
    st.builds(lambda a, b, c: f"{a}-{b}-{c}", _DIGITS, _DIGITS, _DIGITS),
    st.sampled_from(["20200701T1", "2020W011", "2020-W01-1", "2020-07-01T", "2020-07-01 10:00", "2020-07-01+3",
                     "2020-07-01T10:00:00+03", "٢٠٢٠-07-01", "2020-07-01T10:00:00.5Z"]),
)
_NUMBERS = st.one_of(
    st.from_regex(r"\A-?\d{1,40}(\.\d{1,20})?\Z"),
    st.sampled_from(["1,5", "1 000.00", ".5", "5.", "1e3", "NaN", "Infinity", "١٢٣", "1.2.3", "+1", "00012.3400"]),
)
_TEXTS = st.one_of(st.text(), st.text(" \t\n\r\xa0\u2009\u3000ab"), st.sampled_from(["a  b", " a", "a ", "\xa0"]))


def _same(fast, slow, *args, **kw):
    """Both give the same value (datetimes: and the same offset) or raise the same ParseError."""
    try:
        expected = slow(*args, **kw)
    except ParseError as exc:
        expected = ("error", str(exc))
    try:
        got = fast(*args, **kw)
    except ParseError as exc:
        got = ("error", str(exc))
    assert got == expected
    assert type(got) is type(expected)
    if isinstance(got, datetime):
        assert got.utcoffset() == expected.utcoffset()


def _old_when_223(value, field):
    """223-FZ's timestamp reading before its fast path (fromisoformat, then to_datetime)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return to_datetime(value, field=field)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=MOSCOW)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_SHAPES, st.text(max_size=40)))
@example("2020-07-02T16:15:37")
@example("2026-10-12+03:00")
def test_dates_and_timestamps(text):
    held = text.strip() or None  # what the 44-FZ walk holds: the stripped text, or None
    _same(lambda t: z44.when(t, "f"), lambda t: to_datetime(t, field="f"), held)
    _same(lambda t: z44.day(t, "f"), lambda t: to_date(t, field="f"), held)
    _same(lambda t: z223.date_of(t, field="f"), lambda t: to_date(t, field="f"), held)
    _same(lambda t: z223.when(t, "f"), lambda t: _old_when_223(t, "f"), held)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_NUMBERS, st.text(max_size=40)))
def test_numbers(text):
    held = text.strip() or None
    _same(lambda t: z223.decimal_of(t, field="f"), lambda t: to_decimal(t, field="f"), held)
    _same(lambda t: z223.quantity_of(t, field="f"), lambda t: to_quantity(t, field="f"), held)


@settings(max_examples=3000, deadline=None)
@given(_TEXTS)
def test_whitespace(text):
    assert z44.clean(text.strip() or None) == norm_space(text)
    assert z223.norm(text) == norm_space(text)


def test_quantities_stay_exact_beyond_28_digits():
    """Found by the property test above: the default decimal context (28 digits) made a 29-digit whole
    quantity an internal error (InvalidOperation) and rounded a 30-digit one silently."""
    assert str(to_quantity("10000000000000000000000000000")) == "10000000000000000000000000000"
    assert str(to_quantity("1.23456789012345678901234567890")) == "1.2345678901234567890123456789"
    assert str(to_quantity("1.000000000000000000000000000000000001000")) == "1.000000000000000000000000000000000001"
    assert str(to_quantity("12.000")) == "12" and str(to_quantity("1E+2")) == "100"


# the general parsers as they were before their fast paths (regular expressions first, as written originally)
_REF_WS = re.compile(r"\s+")


def _ref_norm_space(text):
    if text is None:
        return None
    return _REF_WS.sub(" ", text.replace("\xa0", " ")).strip() or None


def _ref_to_date(text, *, field="date"):
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    m = values._DATE_ONLY.match(s)
    try:
        if m:
            y, mo, d, _ = m.groups()
            return date(int(y), int(mo), int(d))
        m = values._RU_DATE.match(s)
        if m:
            d, mo, y = m.groups()
            return date(int(y), int(mo), int(d))
        return datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        raise ParseError(f"{field}: {s[:40]!r} is not a date") from None


def _ref_to_datetime(text, *, field="date"):
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    m = values._DATE_ONLY.match(s)
    try:
        if m:
            y, mo, d, off = m.groups()
            return datetime(int(y), int(mo), int(d), tzinfo=values._tz(off) or MOSCOW)
        m = values._RU_DATE.match(s)
        if m:
            d, mo, y = m.groups()
            return datetime(int(y), int(mo), int(d), tzinfo=MOSCOW)
        value = datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    except ValueError:
        raise ParseError(f"{field}: {s[:40]!r} is not a date") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=MOSCOW)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_SHAPES, st.text(max_size=40), _TEXTS))
@example(" 2020-07-01 ")
@example("2020-07-01+03:00")
def test_values_fast_paths_against_the_general_parsers(text):
    _same(values.to_date, _ref_to_date, text, field="f")
    _same(values.to_datetime, _ref_to_datetime, text, field="f")
    assert values.norm_space(text) == _ref_norm_space(text)


def _ref_to_decimal(text, *, field="number"):
    """values.to_decimal as it was before its fast path (the general code alone)."""
    if text is None:
        return None
    s = text.strip().replace("\xa0", "").replace(" ", "")
    if not s:
        return None
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    try:
        value = values.Decimal(s)
    except values.InvalidOperation:
        raise ParseError(f"{field}: {text.strip()[:40]!r} is not a number") from None
    return values._in_range(value, field, text.strip())


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_NUMBERS, st.text(max_size=40), st.sampled_from([" 5 ", "\xa05", "1_000", "0E+100", "1E+31",
                                                                  "-0.00", "sNaN", "1e-31", " 1,5 "])))
def test_to_decimal_fast_path_against_the_general_code(text):
    _same(values.to_decimal, _ref_to_decimal, text, field="f")
    _same(lambda t: repr(values.to_decimal(t)), lambda t: repr(_ref_to_decimal(t)), text)  # digits, exponent
    held = text.strip() or None  # the 44-FZ walk's text
    found = z44.Found(n=held)
    _same(lambda k: repr(found.dec(k)), lambda k: repr(to_decimal(held, field=k)), "n")
    _same(lambda k: repr(found.qty(k)), lambda k: repr(to_quantity(held, field=k)), "n")
