"""The items of a large JSON document, one at a time, with the standard ``json`` module.

It serves the OCDS target of ``benchmarks/run.py`` (``ocds-csv``: a 465 MB release package to items CSV,
>= 5x flatten-tool): with ijson alone the export of an 88 MB package takes 20 to 44% more CPU
(benchmarks/RESULTS.md, "Spine"), which 5.34x cannot afford. ijson is the reference, next to it in
``stream.units_from_stream``; tests/test_ocds_fastread.py holds the items and errors equal.

ijson (C backend) reads a release package at about 35 ms per MB; ``json``'s C scanner reads the same
releases in about 20: this reader keeps a window of decoded text and lets ``JSONDecoder.raw_decode`` read one
item (a release, a record, a line of JSON Lines) at a time from it. It reads the three layouts the OCDS
reader streams (the items of a top-level ``releases``/``records`` array, of a top-level array, or top-level
values one after another) and nothing else: whatever it does not expect (a syntax error, an item over
``MAX_ITEM`` characters, a second array of the same name, a NaN) raises :class:`Fallback`, after which the
caller reads the document again with ijson, skipping the items already given, so that the items and the
errors are exactly ijson's.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO

# small reads: the window stays under malloc's mmap threshold (256 KB reads crept RSS from 55 to 100 MB)
CHUNK = 1 << 15
MAX_ITEM = 8 << 20  # characters: a longer item is left to ijson
_WS = " \t\n\r"


class Fallback(Exception):
    """Read this document with ijson instead (see the module's docstring)."""


def _refuse_constant(name: str) -> Any:
    raise Fallback  # NaN, Infinity: json accepts them, JSON and ijson do not


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)


class _Window:
    """Decoded text read ahead from a UTF-8 byte stream."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.dec = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        """Read another chunk; False at the end of the stream."""
        if self.eof:
            return False
        chunk = self.fh.read(CHUNK)
        self.eof = not chunk
        try:
            decoded = self.dec.decode(chunk, final=self.eof)
        except UnicodeDecodeError:
            raise Fallback from None
        self.text = self.text[self.pos:] + decoded
        self.pos = 0
        return bool(decoded) or not self.eof

    def skip_ws(self) -> str:
        """The next character that is not whitespace ('' at the end)."""
        while True:
            text, pos, n = self.text, self.pos, len(self.text)
            while pos < n and text[pos] in _WS:
                pos += 1
            self.pos = pos
            if pos < n:
                return text[pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        if self.skip_ws() != char:
            raise Fallback
        self.pos += 1

    def value(self) -> Any:
        """The JSON value at the window's position (whitespace skipped before it)."""
        self.skip_ws()
        if len(self.text) - self.pos < CHUNK:  # read ahead first: an item cut by the window's end is decoded
            self.more()  # up to the cut, then again from its start (a release in eight, in a package)
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                obj, end = None, -1
            # a value that ends where the window ends may be cut (a number, or a broken item): read on
            if 0 <= end < len(self.text) or (end >= 0 and self.eof):
                self.pos = end
                return obj
            if len(self.text) - self.pos > MAX_ITEM:
                raise Fallback
            if not self.more() and end < 0:
                raise Fallback  # broken, or cut at the end: ijson says which


def items(fh: BinaryIO, prefix: str, multiple: bool) -> Iterator[Any]:
    """What ``ijson.items(fh, prefix, multiple_values=multiple)`` yields, for prefix ``releases.item``,
    ``records.item``, ``item`` or ``""`` (top-level values); raises Fallback where it cannot tell."""
    w = _Window(fh)
    if prefix == "":
        if not multiple:
            raise Fallback
        while w.skip_ws():
            yield w.value()
        return
    if multiple or prefix not in ("item", "releases.item", "records.item"):
        raise Fallback
    container = prefix.split(".")[0] if "." in prefix else None
    if container:
        w.expect("{")
        while True:  # the package's fields before the array: read over
            if w.skip_ws() != '"':
                raise Fallback
            key = w.value()
            w.expect(":")
            if key == container:
                break
            w.value()
            w.expect(",")
    w.expect("[")
    if w.skip_ws() == "]":
        w.pos += 1
    else:
        while True:
            yield w.value()
            c = w.skip_ws()
            w.pos += 1
            if c == "]":
                break
            if c != ",":
                raise Fallback
    if container:  # the package's fields after the array, read over (ijson yields a second array's items)
        while (c := w.skip_ws()) == ",":
            w.pos += 1
            if w.skip_ws() != '"' or w.value() == container:
                raise Fallback
            w.expect(":")
            w.value()
        if c != "}":
            raise Fallback
        w.pos += 1
    if w.skip_ws():
        raise Fallback  # something after the document: ijson says what
