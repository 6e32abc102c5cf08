"""The one XML parser refuses hostile documents before expanding anything, and explains broken ones."""

from __future__ import annotations

import time

import pytest

from tenderscan.errors import ParseError, UnsafeInputError
from tenderscan.safety.xml import Paths, parse_xml

from .conftest import FIXTURES, ZAKUPKI

HOSTILE = FIXTURES / "hostile"


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity_file.xml", "external_dtd.xml"])
def test_hostile_dtds_are_refused_quickly(name):
    data = (HOSTILE / name).read_bytes()
    start = time.monotonic()
    with pytest.raises(UnsafeInputError) as exc:
        parse_xml(data)
    assert time.monotonic() - start < 1.0
    assert "refused" in str(exc.value)
    assert "\n" not in exc.value.one_line()


def test_internal_subset_without_entities_is_still_parsed_without_expansion():
    data = b'<?xml version="1.0"?><!DOCTYPE a [<!ELEMENT a ANY>]><a>ok</a>'
    assert parse_xml(data).text == "ok"


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"not xml", "not an XML document"),
        (b"<a><b>", "truncated"),
        (b"<!DOCTYPE html><html><body><p>captcha<br></body></html>", "HTML page"),
    ],
)
def test_broken_inputs_get_a_clear_message(data, words):
    with pytest.raises(ParseError) as exc:
        parse_xml(data)
    assert words in exc.value.one_line()


def test_truncated_real_document():
    data = (ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml").read_bytes()
    with pytest.raises(ParseError) as exc:
        parse_xml(data[: len(data) // 2])
    assert "truncated" in exc.value.one_line()


def test_wrong_encoding_suggests_an_override():
    text = '<?xml version="1.0" encoding="UTF-8"?><a>Поставка</a>'
    data = text.encode("cp1251")
    with pytest.raises(ParseError) as exc:
        parse_xml(data)
    assert "--encoding" in exc.value.one_line()
    assert parse_xml(data, encoding="cp1251").text == "Поставка"


def test_declared_cp1251_is_read():
    data = '<?xml version="1.0" encoding="windows-1251"?><a>Поставка</a>'.encode("cp1251")
    assert parse_xml(data).text == "Поставка"


def test_deep_nesting_is_refused():
    data = b"<a>" * 100_000 + b"</a>" * 100_000
    with pytest.raises(ParseError):
        parse_xml(data)


def test_paths_match_by_uri_not_prefix():
    a = b'<x:r xmlns:x="urn:one"><x:v>1</x:v></x:r>'
    b = b'<r xmlns="urn:one"><v>1</v></r>'
    c = b'<r xmlns="urn:two"><v>1</v></r>'
    P = Paths({"o": "urn:one"}, v="o:v")
    assert P.text(parse_xml(a), "v") == "1"
    assert P.text(parse_xml(b), "v") == "1"
    assert P.text(parse_xml(c), "v") is None
