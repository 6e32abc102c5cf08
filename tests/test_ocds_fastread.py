"""The streamed OCDS reader's fast paths give what the ijson paths give: `_json_items` (releases read with
``json``) the same items and errors as ``ijson.items``, and `prescan` (one read of the bytes) the same
adjacency, encoding and truncation verdicts as the ijson first pass."""

from __future__ import annotations

import importlib.util
import io
import json

import ijson
import pytest

from tenderscan.errors import ParseError
from tenderscan.formats import ParseContext
from tenderscan.formats.ocds import reader as ocds
from tenderscan.formats.ocds import json_items as ji
from tenderscan.formats.ocds import encoding as enc_mod
from tenderscan.formats.ocds import first_pass as fp
from tenderscan.formats.ocds import stream as rd
from tenderscan.documents.inputs import from_bytes, iter_inputs
from tenderscan.models import Source

from .conftest import FIXTURES, ROOT

REAL = sorted(p for p in (FIXTURES / "ocds").rglob("*.json") if not p.name.startswith("schema_"))


def _corpus():
    spec = importlib.util.spec_from_file_location("ocds_corpus", ROOT / "benchmarks" / "ocds_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _package(tmp_path, releases=120, seed=4, interleave=False):
    path = tmp_path / f"p-{releases}-{seed}-{interleave}.json"
    _corpus().build_release_package(path, releases=releases, seed=seed, interleave=interleave)
    return path.read_bytes()


def _units(data: bytes, *, fast: bool, monkeypatch=None):
    """(items, error message) of units_from_stream over ``data``, with or without the json fast path."""
    opener = lambda: io.BytesIO(data)
    out = []
    try:
        if fast:
            for obj, meta, container in rd.units_from_stream(opener):
                out.append((obj, meta, container))
        else:
            monkeypatch.setattr(ji, "items", _refuse)
            try:
                for obj, meta, container in rd.units_from_stream(opener):
                    out.append((obj, meta, container))
            finally:
                monkeypatch.undo()
    except ParseError as exc:
        return out, exc.message
    return out, None


def _refuse(*a, **k):
    raise ji.Fallback
    yield  # pragma: no cover


def _layouts(data: bytes):
    layout = rd.sniff(data[:65536].removeprefix(b"\xef\xbb\xbf"))
    return layout


@pytest.mark.parametrize("chunk", [5, 333, 1 << 18])
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_files_read_the_same_items_as_ijson(path, chunk, monkeypatch):
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = data.decode("cp1252").encode("utf-8")
    layout = _layouts(data)
    if layout is None:
        pytest.skip("read by the generic event router, not by items")
    monkeypatch.setattr(ji, "CHUNK", chunk)
    want = list(ijson.items(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), layout.prefix, use_float=False,
                            multiple_values=layout.multiple))
    got = list(ji.items(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), layout.prefix, layout.multiple))
    assert json.dumps(got, default=repr) == json.dumps(want, default=repr)  # key order and number types too


@pytest.mark.parametrize("chunk", [97, 4096])
def test_generated_package_reads_the_same_items_as_ijson(tmp_path, chunk, monkeypatch):
    data = _package(tmp_path, releases=150, seed=8)
    monkeypatch.setattr(ji, "CHUNK", chunk)
    want = list(ijson.items(io.BytesIO(data), "releases.item", use_float=False))
    got = list(ji.items(io.BytesIO(data), "releases.item", False))
    assert len(got) == 150 and json.dumps(got, default=repr) == json.dumps(want, default=repr)


def test_json_lines_and_top_level_arrays(monkeypatch):
    releases = json.loads((FIXTURES / "ocds" / "ocds-ocdskit" / "release-package-1.json").read_text("utf-8"))
    releases = releases["releases"]
    monkeypatch.setattr(ji, "CHUNK", 50)
    lines = "\n".join(json.dumps(r) for r in releases).encode()
    assert list(ji.items(io.BytesIO(lines), "", True)) == releases
    array = json.dumps(releases, indent=2).encode()
    assert list(ji.items(io.BytesIO(array), "item", False)) == releases


BROKEN = {
    "nan": b'{"releases": [{"ocid": "a", "id": "1", "date": "2020", "x": NaN}]}',
    "garbage after": b'{"releases": [{"ocid": "a", "id": "1", "date": "2020"}]} x',
    "second array": b'{"releases": [{"ocid": "a", "id": "1", "date": "2020"}], "releases": [{"ocid": "b", '
                    b'"id": "2", "date": "2021"}]}',
    "missing comma": b'{"releases": [{"ocid": "a", "id": "1", "date": "2020"} {"ocid": "b"}]}',
    "bad item": b'{"releases": [{"ocid": "a", "id": "1", "date": "2020"}, {"ocid": "b", "id": tru}]}',
    "cut": b'{"releases": [{"ocid": "a", "id": "1", "date": "2020"}, {"ocid": "b", "id": "2"',
    "fields after": b'{"releases": [{"ocid": "a", "id": "1", "date": "2020"}], "uri": "u", "x": {"y": [1]}}',
    "empty": b'{"uri": "u", "releases": []}',
    "control char": b'{"releases": [{"ocid": "a\x01", "id": "1", "date": "2020"}]}',
    "big numbers": b'{"releases": [{"ocid": "a", "v": [1e400, -0, 12345678901234567890123, 1.50, -0.0]}]}',
    "not utf-8": b'{"releases": [{"ocid": "a\xe9", "id": "1", "date": "2020"}]}',
}


@pytest.mark.parametrize("name", BROKEN)
@pytest.mark.parametrize("chunk", [3, 1 << 18])
def test_odd_documents_give_ijsons_items_and_errors(name, chunk, monkeypatch):
    data = BROKEN[name]
    monkeypatch.setattr(ji, "CHUNK", chunk)
    fast = _units(data, fast=True)
    monkeypatch.setattr(ji, "CHUNK", chunk)
    slow = _units(data, fast=False, monkeypatch=monkeypatch)
    assert json.dumps(fast, default=repr) == json.dumps(slow, default=repr)


# --- the first pass ------------------------------------------------------------------------------------------


def _input(data: bytes):
    return from_bytes(data, "p.json")


@pytest.mark.parametrize("interleave", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prescan_tells_adjacency_like_the_ijson_pass(tmp_path, interleave, seed):
    data = _package(tmp_path, releases=80, seed=seed, interleave=interleave)
    scan = fp.prescan(_input(data), None)
    assert scan.adjacent == rd.adjacent_ocids(lambda: io.BytesIO(data)) == (not interleave or scan.adjacent)
    assert scan.encoding is None


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_prescan_on_real_files(path):
    [inp] = list(iter_inputs([str(path)]))
    scan = fp.prescan(inp, None)
    if scan.encoding is None:
        assert scan.adjacent in (None, rd.adjacent_ocids(lambda: enc_mod.open_utf8(inp, None)))
    else:  # the ISO-8859-1 sample: the same fallback as the ijson pass found
        with inp.open() as raw:
            assert scan.encoding == enc_mod.fallback_encoding(enc_mod.first_bad_chunk(raw))


def test_prescan_is_unsure_where_bytes_cannot_tell():
    base = b'{"releases": [{"ocid": "a", "id": "1"}, {"ocid": "b", "id": "2"}, %s]}'
    assert fp.prescan(_input(base % b'{"ocid": "c", "id": "3"}'), None).adjacent is True
    assert fp.prescan(_input(base % b'{"ocid": "a", "id": "3"}'), None).adjacent is False
    assert fp.prescan(_input(base % b'{"\\u006fcid": "a", "id": "3"}'), None).adjacent is None
    assert fp.prescan(_input(base % b'{"ocid": 7, "id": "3"}'), None).adjacent is None
    # an escaped ocid equal to an earlier one is the same ocid
    assert fp.prescan(_input(base % b'{"ocid": "\\u0061", "id": "3"}'), None).adjacent is False
    # "ocid" as a value, or inside a string, is not a key
    assert fp.prescan(_input(base % b'{"scheme": "ocid", "x": "\\"ocid\\": \\"a\\"", "ocid": "c"}'), None).adjacent


@pytest.mark.parametrize("chunk", [1, 4, 9, 1 << 18])
def test_prescan_across_chunk_boundaries(monkeypatch, chunk):
    monkeypatch.setattr(fp, "_SCAN_CHUNK", chunk)
    data = b'{"releases": [{"ocid"  :  "ab\\"c", "id": "1"}, {"ocid":"x"}, {"ocid" : "ab\\"c"}]}'
    assert fp.prescan(_input(data), None).adjacent is False
    data = b'{"releases": [{"ocid"  :  "ab\\"c", "id": "1"}, {"ocid":"ab\\"c"}, {"ocid" : "x"}]}'
    assert fp.prescan(_input(data), None).adjacent is True


def test_a_truncated_package_fails_in_the_first_pass():
    with pytest.raises(ParseError, match="truncated"):
        fp.prescan(_input(b'{"releases": [{"ocid": "a", "id": "1"}, {"ocid": "b"'), None)
    with pytest.raises(ParseError, match="truncated"):
        fp.prescan(_input(b'{"releases": [{"ocid": "a", "id": "1 and a cut string'), None)


def test_the_second_pass_checks_what_the_first_said(tmp_path, monkeypatch):
    """If the byte scan ever said 'adjacent' for a package that is not, no ocid is merged in halves."""
    data = _package(tmp_path, releases=60, seed=2, interleave=True)
    monkeypatch.setattr(fp, "prescan", lambda inp, enc: fp.Prescan(True, enc))
    with pytest.raises(ParseError, match="not next to each other"):
        list(ocds.parse_stream(_input(data), ParseContext(source=Source(path="p.json"))))
