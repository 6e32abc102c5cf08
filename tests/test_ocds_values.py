"""The OCDS readers' cached texts and dates (formats/ocds/values.py) equal the plain calls they cache."""

from __future__ import annotations

from datetime import UTC

from hypothesis import given, settings
from hypothesis import strategies as st

from tenderscan.errors import ParseError
from tenderscan.formats.ocds import values as ov
from tenderscan.values import norm_space, to_datetime

_TEXTS = st.one_of(st.text(max_size=90), st.text(" \t\n\r\xa0\u2009\u3000\x0bab", max_size=12),
                   st.sampled_from(["MXN", " a ", "a  b", "a\u2009b", "x" * 81]))
_DATES = st.one_of(st.sampled_from(["2020-07-01T10:00:00Z", "2020-07-01T10:00:00-06:00", "2020-07-01",
                                    "2020-07-01T10:00:00", "not a date"]), st.text(max_size=30))


@settings(max_examples=2000, deadline=None)
@given(_TEXTS)
def test_text_is_norm_space_cached(value):
    for _ in range(2):  # the second time from the cache
        assert ov.text(value) == norm_space(value)


def _date_or_error(fn, value):
    try:
        return fn(value)
    except ParseError as exc:
        return str(exc)


@settings(max_examples=1000, deadline=None)
@given(_DATES)
def test_when_is_to_datetime_cached(value):
    expected = _date_or_error(lambda v: to_datetime(v, default_tz=UTC), value)
    for _ in range(2):
        got = _date_or_error(ov.when, value)
        assert got == expected
        if got is not None and not isinstance(got, str):
            assert got.utcoffset() == expected.utcoffset()


def test_values_that_are_not_texts():
    assert ov.text(None) is None and ov.text({"a": 1}) is None and ov.text([1]) is None
    assert ov.text(12) == "12" and ov.when(12) is None
