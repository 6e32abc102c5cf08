"""Is this JSON OCDS? Decided from its structure, wherever the deciding key stands.

Like ``ocdskit detect-format``, this reads the parser's events of the first top-level value (of a document,
of each line of JSON Lines, of each item of a top-level array) and looks at its keys, not at where the
bytes ``"ocid"`` happen to fall: real packages put 100 to 230 KB of releases, publisher data or extensions
before their first ocid. Unlike ocdskit, it stops at the first key that decides (in a package, usually its
first release's or record's first key), so a large package is not read to its end to be recognised.

What decides (``base`` is the top-level value, or the first item of a top-level array):

- at ``base``: ``ocid``, ``initiationType``, ``compiledRelease`` or ``versionedRelease`` (a release,
  record, compiled or versioned release), or a ``tag`` array holding a code of the OCDS release tag codelist;
- the first item of ``base.records`` with a record's key (``ocid``, ``releases``, ``compiledRelease``,
  ``versionedRelease``), or of ``base.releases`` with a release's key (``ocid``, ``tag``, ``tender``,
  ``awards``...): a record or release package;
- the package metadata at ``base``: ``publishedDate``, ``publisher.name`` and ``uri`` or ``version``
  (ocdskit's rule for an empty package).

Keys that other JSON formats share (``awards``, ``items``, ``value``...) decide nothing at the top level:
a ProZorro tender has them too.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from ...errors import UnsafeInputError
from ...safety.json import JsonDepth
from .encoding import Prefixed
from .first_pass import LONG_DIGITS, has_long_number, long_number_error

# the most a stream is read to decide (a JSON that has not shown an OCDS key by then is not taken for OCDS)
MAX_SNIFF = 64 << 20

_ROOT_KEYS = frozenset({"ocid", "initiationType", "compiledRelease", "versionedRelease"})
_RECORD_KEYS = frozenset({"ocid", "releases", "compiledRelease", "versionedRelease"})
_RELEASE_KEYS = frozenset({"ocid", "tag", "initiationType", "planning", "tender", "awards", "contracts",
                           "parties", "buyer", "relatedProcesses"})
_TAGS = frozenset({"planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate",
                   "tenderCancellation", "award", "awardUpdate", "awardCancellation", "contract",
                   "contractUpdate", "contractAmendment", "implementation", "implementationUpdate",
                   "contractTermination", "compiled"})
_META = frozenset({"publishedDate", "uri", "version"})


def decide(events: Iterable[tuple[str, str, Any]]) -> bool | None:
    """True: OCDS; False: the first top-level value ended (or is not an object) without an OCDS key;
    None: the events ran out first (a head cut short) or broke off."""
    it = iter(events)
    try:
        prefix, event, _ = next(it)
    except StopIteration:
        return None
    except Exception:  # noqa: BLE001 - broken JSON: not for this detector to say
        return None
    if prefix != "" or event not in ("start_map", "start_array"):
        return False
    base = "item" if event == "start_array" else ""
    dot = base + "." if base else ""
    records, releases, tags, publisher = f"{dot}records.item", f"{dot}releases.item", f"{dot}tag.item", f"{dot}publisher"
    meta: set[str] = set()
    try:
        for prefix, event, value in it:
            if event == "map_key":
                if prefix == base:
                    if value in _ROOT_KEYS:
                        return True
                    if value in _META:
                        meta.add(value)
                elif prefix == records:
                    if value in _RECORD_KEYS:
                        return True
                elif prefix == releases:
                    if value in _RELEASE_KEYS:
                        return True
                elif prefix == publisher and value == "name":
                    meta.add("publisher.name")
                if {"publishedDate", "publisher.name"} <= meta and ("uri" in meta or "version" in meta):
                    return True
            elif event == "string" and prefix == tags and value in _TAGS:
                return True
            elif prefix == "" and event in ("end_map", "end_array"):
                return False
            elif base and prefix == "item" and event != "start_map" and event != "end_map":
                return False  # a top-level array of something other than objects
    except Exception:  # noqa: BLE001 - the head ends mid-value (or the JSON is broken): undecided
        return None
    return None


def decide_head(head: bytes) -> bool | None:
    """:func:`decide` on the first bytes of an input (UTF-8 or with a UTF-16/32 BOM). JSON nested deeper
    than ``MAX_JSON_DEPTH`` is not parsed (ijson's C parser crashes the process on it): undecided, and the
    reader's depth guard refuses it."""
    import ijson

    data = as_utf8(head)
    if has_long_number(data):
        return None  # ijson would crash on it; the reader refuses such a document
    try:
        JsonDepth().feed(data)
    except UnsafeInputError:
        return None
    return decide(ijson.parse(io.BytesIO(data), use_float=False, multiple_values=True))


def decide_stream(opener: Callable[[], BinaryIO]) -> bool:
    """:func:`decide` reading the input from its start, at most ``MAX_SNIFF`` bytes (streamed: memory stays
    flat whatever the input's size)."""
    import ijson

    with opener() as raw:
        head = raw.read(4)
        fh = _Limited(Prefixed(head.removeprefix(codecs.BOM_UTF8), raw), MAX_SNIFF)
        enc = _bom_encoding(head)
        stream: Any = fh
        if enc:
            stream = io.BufferedReader(_Recoded(fh, enc))
        # every chunk measured before ijson sees it (too deep, a number too long: caught in decide: undecided)
        return bool(decide(ijson.parse(_DepthChecked(stream), use_float=False, multiple_values=True)))


class _DepthChecked(io.RawIOBase):
    """A stream whose chunks are measured (depth, over-long numbers) before ijson reads them."""

    def __init__(self, raw: Any):
        self._raw, self._depth, self._tail = raw, JsonDepth(), b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._raw.read(len(b))
        self._depth.feed(data)
        if has_long_number(self._tail + data):
            raise long_number_error()
        self._tail = data[-LONG_DIGITS:]
        b[: len(data)] = data
        return len(data)


def _bom_encoding(head: bytes) -> str | None:
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return enc
    return None


def as_utf8(head: bytes) -> bytes:
    """The first bytes of an input as UTF-8 (decoded from UTF-16/32 by their BOM; a UTF-8 BOM dropped)."""
    enc = _bom_encoding(head)
    if enc:
        return head.decode(enc, errors="ignore").encode("utf-8")
    return head.removeprefix(codecs.BOM_UTF8)


class _Limited(io.RawIOBase):
    """At most ``limit`` bytes of a stream (then it ends, and the detection stays undecided)."""

    def __init__(self, raw: io.RawIOBase, limit: int):
        self._raw, self._left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(b)[: min(len(b), self._left)]
        n = self._raw.readinto(view)
        self._left -= n or 0
        return n or 0


class _Recoded(io.RawIOBase):
    """A UTF-16/32 stream as UTF-8 bytes (what ijson reads)."""

    def __init__(self, raw: io.RawIOBase, encoding: str):
        self._dec = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._raw, self._buf = raw, b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buf:
            chunk = self._raw.read(1 << 16)
            self._buf = self._dec.decode(chunk or b"", final=not chunk).encode("utf-8")
            if not chunk:
                break
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n
