"""The streamed OCDS reader's first pass: one read of the bytes, no JSON parsing (about 20x cheaper than
an ijson pass over every event): whether each ocid's releases are adjacent, whether the bytes are UTF-8, and
whether the JSON is complete, its depth measured on the way.

It serves the OCDS target of ``benchmarks/run.py`` (``ocds-csv``, >= 5x flatten-tool): with the ijson pass
(``stream.adjacent_ocids``, its reference, asked where the bytes cannot tell) the reading of a package costs
~10 to 25% more CPU (benchmarks/RESULTS.md, "Spine"). tests/test_ocds_fastread.py holds the two equal.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass

from ...errors import ParseError
from ...safety.json import JsonDepth
from ..base import Openable
from .encoding import fallback_encoding, first_bad_chunk, utf8_view

_SCAN_CHUNK = 1 << 16  # small reads: under malloc's mmap threshold, so freed chunks do not fragment the heap


@dataclass
class Prescan:
    adjacent: bool | None  # each ocid's releases follow one another; None: the bytes did not tell
    encoding: str | None  # as given, or the fallback when the bytes are not UTF-8


_KEY = re.compile(rb'"ocid"\s*:\s*')
_KEY_CUT = re.compile(rb'"ocid"\s*(?::\s*)?')  # a key the end of a chunk may have cut
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
# "ocid" written with an escaped letter: a key the byte search would miss (then the ijson pass decides)
_ESCAPED_LETTER = re.compile(rb"\\u00(?:6[fF349])")


class _OcidScan:
    """The ocid values of a JSON text fed in chunks, at any depth (a superset of the releases' ocids: when
    they are adjacent, so are the releases'), as str the way ``str(release["ocid"])`` gives them."""

    def __init__(self):
        self.carry = b""
        self.seen: set[str] = set()
        self.last: str | None = None
        self.adjacent = True
        self.unsure = False
        self.escaped = False

    def feed(self, chunk: bytes, eof: bool = False) -> None:
        if self.unsure or not self.adjacent:
            return
        buf = self.carry + chunk if self.carry else chunk
        self.carry = b""
        if _ESCAPED_LETTER.search(buf):
            self.unsure = True
            return
        pos, n = 0, len(buf)
        while True:
            i = buf.find(b'"ocid"', pos)
            if i < 0:
                if not eof:
                    self.carry = buf[max(pos, n - 5):]
                return
            key = _KEY.match(buf, i)
            if key is None or key.end() == n:
                if not eof and _KEY_CUT.fullmatch(buf, i):
                    self.carry = buf[i:]
                    return
                pos = i + 1  # the string "ocid" as a value
                continue
            if buf[key.end()] != 0x22:  # not a string (null, a number, an object...): the ijson pass decides
                self.unsure = True
                return
            m = _STRING.match(buf, key.end())
            if m is None:
                if not eof:
                    self.carry = buf[i:]
                return  # at the end: a truncated document, which the depth count reports
            token = m.group()
            if b"\\" in token:
                self.escaped = True
                value = json.loads(token.decode("utf-8", "surrogateescape"))
            else:
                value = token[1:-1].decode("utf-8", "surrogateescape")
            if value != self.last:
                if value in self.seen:
                    self.adjacent = False
                    return
                self.seen.add(value)
                self.last = value
            pos = m.end()


# ijson's C parser crashes the process on an integer of about 4,300 digits or more (Python's limit on int
# digits raised inside it); such a number is no value anyway (values stop at 10^30): refused before ijson
LONG_DIGITS = 4000
_DIGITS = bytes(0x39 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))  # digits as 9, the rest as space
_RUN = b"9" * LONG_DIGITS


def long_number_error() -> ParseError:
    return ParseError(f"the JSON holds a number of {LONG_DIGITS:,} digits or more, which is not a value",
                      hint="the file may be damaged")


def has_long_number(data: bytes) -> bool:
    """Whether ``data`` holds a run of LONG_DIGITS digits (a substring search: ~50 us per 64 KB)."""
    return _RUN in data.translate(_DIGITS)


def prescan(inp: Openable, encoding: str | None) -> Prescan:
    """One read of the input, no JSON parsing (about 20x cheaper than an ijson pass): whether each ocid's
    releases are adjacent, whether the bytes are UTF-8 (else the fallback encoding), and whether the JSON
    is complete (a truncated package fails here, before any tender). Its depth is measured on the way: by
    the reader's guard when the input has one, else here."""
    raw = inp.open()
    depth = getattr(raw, "json_depth", None)
    own = JsonDepth() if depth is None else None
    scan = _OcidScan()
    found = encoding
    dec = codecs.getincrementaldecoder("utf-8")() if encoding is None else None
    utf8 = True
    tail = b""
    with utf8_view(raw, encoding) if encoding else raw as fh:
        while chunk := fh.read(_SCAN_CHUNK):  # small reads: the decoded text and copies stay small
            if own is not None:
                own.feed(chunk)
            if has_long_number(tail + chunk if tail else chunk):
                raise long_number_error()
            tail = chunk[-LONG_DIGITS:]
            if dec is not None:
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError:
                    utf8, dec = False, None
            scan.feed(chunk)
        if own is not None:
            own.feed(b"", final=True)
        if dec is not None:
            try:
                dec.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
        scan.feed(b"", eof=True)
    if not utf8:  # rare: read again up to the first chunk that is not UTF-8, the sample for the fallback
        with inp.open() as again:
            found = fallback_encoding(first_bad_chunk(again))
    if not (own or depth).balanced:
        raise ParseError("the JSON is truncated", hint="download the file again")
    if scan.escaped and found != encoding:  # escaped and raw non-UTF-8 ocids do not compare as bytes
        scan.unsure = True
    return Prescan(None if scan.unsure else scan.adjacent, found)
