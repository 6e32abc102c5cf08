"""JSON depth measured chunk by chunk (jsondepth) equals a plain character-by-character count, wherever the
chunks are cut; streamed files of any size are refused past 512 levels before a JSON reader sees them."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tenderscan.documents.inputs as inputs_mod
from tenderscan.safety import json as jsondepth
from tenderscan.errors import TenderscanError, UnsafeInputError
from tenderscan.documents.inputs import from_bytes, iter_inputs
from tenderscan.safety.json import MAX_JSON_DEPTH, JsonDepth, check_json_depth, guard_stream
from tenderscan.documents.parse import parse_input

from .conftest import read_outcomes as read_sources

from .conftest import FIXTURES


def plain_depth(data: bytes) -> tuple[int, int, bool]:
    """(deepest, final depth, inside a string at the end), one character at a time."""
    depth = deepest = 0
    in_string = escaped = False
    for b in data:
        c = chr(b)
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest, depth, in_string


def measured(data: bytes, cuts: list[int], limit: int) -> tuple[bool, JsonDepth]:
    d = JsonDepth(limit)
    pos = 0
    try:
        for cut in sorted(set(cuts)) + [len(data)]:
            d.feed(data[pos:cut])
            pos = cut
        d.feed(b"", final=True)
    except UnsafeInputError:
        return True, d
    return False, d


JSON_TEXT = st.recursive(
    st.one_of(st.none(), st.integers(), st.sampled_from(["", "[", "]", "{", "}", '"', "\\", '\\"', "a\\\\", "\\\\\"",
                                                          "[[{", "x\\", "é[", "\u0412]"]),
              st.text(alphabet='ab"\\[]{}', max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(alphabet='k"\\[]{', max_size=4), inner, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=900, deadline=None)
@given(doc=JSON_TEXT, cuts=st.lists(st.integers(0, 400), max_size=12), limit=st.integers(1, 8),
       ascii_only=st.booleans(), sparse=st.sampled_from([0, 1, 2, 64]))
def test_chunked_depth_equals_a_plain_count(doc, cuts, limit, ascii_only, sparse):
    """Also with escaped quotes found one by one (up to `sparse` backslashes per chunk) or by replace()."""
    data = json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8")
    deepest, final, _ = plain_depth(data)
    cuts = [c for c in cuts if c <= len(data)]
    saved = jsondepth._SPARSE
    jsondepth._SPARSE = sparse
    try:
        refused, d = measured(data, cuts, limit)
    finally:
        jsondepth._SPARSE = saved
    assert refused == (deepest > limit)
    if not refused:
        assert d.depth == final == 0 and d.balanced


@settings(max_examples=300, deadline=None)
@given(doc=JSON_TEXT, cut_at=st.floats(0, 1), cuts=st.lists(st.integers(0, 400), max_size=6))
def test_truncated_json_is_not_balanced(doc, cut_at, cuts):
    data = json.dumps(doc).encode("utf-8")
    part = data[: int(len(data) * cut_at)]
    refused, d = measured(part, [c for c in cuts if c <= len(part)], 10_000)
    _, final, in_string = plain_depth(part)
    assert not refused
    assert d.balanced == (final == 0 and not in_string and not part.endswith(b"\\"))


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 16])
def test_deep_arrays_refused_at_any_chunk_size(chunk):
    deep = b'{"a": "[[[[", "b": ' + b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1) + b"}"
    ok = b'{"a": "[[[[", "b": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    assert measured(deep, list(range(0, len(deep), chunk)), MAX_JSON_DEPTH)[0]
    assert not measured(ok, list(range(0, len(ok), chunk)), MAX_JSON_DEPTH)[0]
    with pytest.raises(UnsafeInputError):
        fh = guard_stream(io.BytesIO(deep))
        while fh.read(chunk):
            pass
    fh = guard_stream(io.BytesIO(ok))
    got = b""
    while block := fh.read(chunk):
        got += block
    assert got == ok and fh.json_depth.balanced


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"s": "[" * 5000, "t": "{\\\"[" * 1000, "u": "\\" * 9}).encode()
    check_json_depth(text)
    check_json_depth(text.decode().encode("utf-16"))


def test_utf16_is_measured_as_text():
    deep = ("[" * 600 + "]" * 600).encode("utf-16")
    with pytest.raises(UnsafeInputError):
        check_json_depth(deep)
    with pytest.raises(UnsafeInputError):
        fh = guard_stream(io.BytesIO(deep))
        while fh.read(100):
            pass
    # U+225B is the bytes 5B 22 in UTF-16-LE ("[" and a quote): read as bytes it would hide the brackets
    sneaky = ('"\u225b' + '"' + "[" * 600 + "]" * 600).encode("utf-16")
    with pytest.raises(UnsafeInputError):
        check_json_depth(sneaky)
    with pytest.raises(UnsafeInputError):
        check_json_depth(('"\u225b"' + "[" * 600).encode("utf-16-le"), "utf-16-le")


def _deep_ocds(depth: int, pad: int = 0) -> bytes:
    real = json.loads((FIXTURES / "ocds" / "ocds-ocdskit" / "release-package-1.json").read_text("utf-8"))
    head = json.dumps({"uri": "x", "publisher": {"name": "p"}, "releases": real["releases"] * pad})[:-2]
    deep = b"[" * depth + b"]" * depth
    return (head.encode() + (b", " if pad else b"") +
            b'{"ocid": "ocds-x-1", "id": "1", "tag": ["tender"], "date": "2020-01-01T00:00:00Z", '
            b'"tender": {"title": "t", "x": ' + deep + b"}}]}")


@pytest.mark.parametrize("threshold", [0, 1 << 10, 64 << 20], ids=["streamed", "large", "in memory"])
def test_deep_json_in_a_file_is_refused_streamed_or_not(tmp_path, monkeypatch, threshold):
    """Before, files over the stream threshold (64 MB) were not measured at all."""
    monkeypatch.setattr(inputs_mod, "STREAM_THRESHOLD", threshold)
    path = tmp_path / "deep.json"
    path.write_bytes(_deep_ocds(200_000, pad=20))
    [outcome] = list(read_sources([str(path)], stations=False))
    with pytest.raises(TenderscanError) as exc:
        if outcome.ok:
            list(outcome.tenders)
        raise outcome.error
    assert "deep" in exc.value.one_line()
    [inp] = list(iter_inputs([str(path)]))
    with pytest.raises(UnsafeInputError):
        parse_input(inp, stations=False)


def test_a_streamed_package_is_not_read_whole_to_be_measured(tmp_path, monkeypatch):
    """The depth is measured on the chunks the JSON reader reads: no read of the whole file."""
    path = tmp_path / "p.json"
    path.write_bytes(_deep_ocds(3, pad=300))
    sizes = []
    real_open = inputs_mod.Input.open

    def spy(self):
        fh = real_open(self)
        read = fh.read

        def counted(n=-1):
            data = read(n)
            sizes.append(len(data))
            return data

        fh.read = counted
        return fh

    monkeypatch.setattr(inputs_mod.Input, "open", spy)
    [outcome] = list(read_sources([str(path)], stations=False))
    assert outcome.ok and len(list(outcome.tenders)) == 2
    assert path.stat().st_size > 4 << 20 and max(sizes) <= 1 << 20


def test_in_memory_bytes_are_measured_too():
    with pytest.raises(UnsafeInputError):
        parse_input(from_bytes(_deep_ocds(600), "deep.json"))
    assert parse_input(from_bytes(_deep_ocds(500), "ok.json"), stations=False)


def test_a_file_read_whole_once_is_not_measured_again_unless_it_changed(tmp_path):
    """The OCDS reader reads a package twice (a first pass over the bytes, then the releases): measured once,
    unless the file changed in between (then measured again, and refused if it now nests too deep)."""
    import os

    from tenderscan.documents.parse import _depth_guarded

    path = tmp_path / "p.json"
    path.write_bytes(_deep_ocds(3, pad=2))
    [inp] = list(iter_inputs([str(path)]))
    guarded = _depth_guarded(inp, None)
    with guarded.open() as fh:
        assert hasattr(fh, "json_depth")
        fh.read(100)  # not to the end: the next read is measured again
    with guarded.open() as fh:
        assert hasattr(fh, "json_depth")
        while fh.read(1 << 16):
            pass
    with guarded.open() as fh:
        assert not hasattr(fh, "json_depth")  # read whole and unchanged
    st = os.stat(path)
    path.write_bytes(_deep_ocds(MAX_JSON_DEPTH + 1, pad=2))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # even with the old time: the size differs
    with pytest.raises(UnsafeInputError), guarded.open() as fh:
        while fh.read(1 << 16):
            pass
