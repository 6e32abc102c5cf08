"""Reading OCDS JSON: encodings, and releases or records one at a time, from bytes or from a stream.

In memory (inputs under the stream threshold) the standard ``json`` module reads the whole document
(``parse_float=Decimal``). Streamed, ijson's C backend reads the releases or records of a package one at a
time: the package's layout (a release or record package, a top-level array, JSON Lines) is sniffed from its
first bytes, and a generic event router handles anything else.
"""

from __future__ import annotations

import codecs
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from ...errors import ParseError
from ...safety.json import JsonDepth
from ..base import Openable
from . import json_items

_CHUNK = 1 << 20
_SCAN_CHUNK = 1 << 16  # small reads: under malloc's mmap threshold, so freed chunks do not fragment the heap
Unit = tuple[dict, dict, "str | None"]  # (object, package metadata, container: "releases", "records" or None)


# --- encodings --------------------------------------------------------------------------------------------


def fallback_encoding(sample: bytes) -> str:
    """Not UTF-8: Windows-1252 when it decodes (Latin American and European publishers' 'ISO-8859-1' is
    usually it), else ISO-8859-1, which decodes anything."""
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def bytes_as_utf8(data: bytes, encoding: str | None) -> tuple[bytes, str | None]:
    """The input re-encoded as UTF-8, and the encoding it was read in when it was not UTF-8."""
    if encoding:
        try:
            return data.decode(encoding).encode("utf-8"), encoding
        except LookupError:
            raise ParseError(f"unknown encoding {encoding!r}", hint="use a name such as utf-8 or cp1252") from None
        except UnicodeDecodeError as exc:
            raise ParseError(f"the file is not valid {encoding} at byte {exc.start}") from None
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16").encode("utf-8"), "utf-16"
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        data.decode("utf-8")
        return data, None
    except UnicodeDecodeError:
        enc = fallback_encoding(data)
        return data.decode(enc).encode("utf-8"), enc


class _Transcoder(io.RawIOBase):
    """A byte stream in some encoding, read as UTF-8 bytes (what ijson's C backend takes)."""

    def __init__(self, raw: BinaryIO, encoding: str):
        self._text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            while len(self._buf) < len(b):
                chunk = self._text.read(_CHUNK // 4)
                if not chunk:
                    break
                self._buf += chunk.encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(f"the file is not valid {self._text.encoding} ({exc.reason})") from None
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        self._text.close()
        super().close()


def open_utf8(inp: Openable, encoding: str | None) -> BinaryIO:
    return utf8_view(inp.open(), encoding)


def utf8_view(raw: BinaryIO, encoding: str | None) -> BinaryIO:
    """``raw`` as UTF-8 bytes: a UTF-8 BOM dropped, or transcoded from ``encoding``."""
    if encoding is None:
        head = raw.read(3)
        if head != codecs.BOM_UTF8:
            return io.BufferedReader(_Prefixed(head, raw)) if head else raw
        return raw
    return io.BufferedReader(_Transcoder(raw, encoding), _CHUNK)


class _Prefixed(io.RawIOBase):
    def __init__(self, prefix: bytes, raw: BinaryIO):
        self._prefix, self._raw = prefix, raw

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._prefix:
            n = min(len(b), len(self._prefix))
            b[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._raw.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()




def first_bad_chunk(raw: BinaryIO) -> bytes:
    """The first chunk of a stream that is not valid UTF-8 (a sample to choose the fallback encoding)."""
    dec = codecs.getincrementaldecoder("utf-8")()
    while chunk := raw.read(_CHUNK):
        try:
            dec.decode(chunk)
        except UnicodeDecodeError:
            return chunk
    return b""


# --- in memory --------------------------------------------------------------------------------------------


def units_from_bytes(utf8: bytes) -> Iterator[Unit]:
    """Every top-level value of a JSON document or of JSON Lines (items of a top-level array one by one)."""
    try:
        text = utf8.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("the bytes are not UTF-8", hint="try --encoding cp1252 (or the publisher's encoding)") from None
    decoder = json.JSONDecoder(parse_float=Decimal)
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            where = f" (line {exc.lineno}, column {exc.colno})"
            if exc.pos >= end - 1 or "Unterminated" in exc.msg or "Expecting value" in exc.msg and exc.pos >= end - 2:
                raise ParseError(f"the JSON is truncated{where}", hint="download the file again") from None
            raise ParseError(f"broken JSON: {exc.msg}{where}", hint="the file may be damaged") from None
        if isinstance(value, list):
            for v in value:
                yield v, {}, None
        else:
            yield value, {}, None


# --- streamed ---------------------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where the releases or records are: an ijson prefix, the package's fields read before them."""

    prefix: str  # "releases.item", "records.item", "item" (a top-level array) or "" (JSON Lines)
    meta: dict = field(default_factory=dict)
    multiple: bool = False

    @property
    def container(self) -> str | None:
        return self.prefix.split(".")[0] if self.prefix.endswith(".item") and "." in self.prefix else None


def sniff(head: bytes) -> Layout | None:
    """The layout of a document from its first bytes; None when the head does not tell (use the router)."""
    import ijson
    from ijson.common import ObjectBuilder

    meta = ObjectBuilder()
    started = False
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(head), use_float=False, multiple_values=True):
            if prefix == "" and not started:
                if event == "start_array":
                    return Layout("item")
                if event != "start_map":
                    return None
                started = True
                meta.event(event, value)
            elif prefix == "" and event == "end_map":
                return Layout("", multiple=True)  # a whole object fits in the head: JSON Lines (or one value)
            elif prefix == "" and event == "map_key" and value in ("releases", "records") and "ocid" not in meta.value:
                return Layout(f"{value}.item", meta.value)
            else:
                meta.event(event, value)
    except Exception:  # noqa: BLE001 - the head ends mid-document or is broken: the full read will say
        return None
    return None


def _guard(events: Iterable[Any]) -> Iterator[Any]:
    try:
        yield from events
    except ParseError:
        raise
    except Exception as exc:  # ijson.JSONError, IncompleteJSONError, UnicodeDecodeError...
        if type(exc).__module__.startswith("ijson") or isinstance(exc, (UnicodeDecodeError, ValueError)):
            raise json_error(exc) from None
        raise


_SNIFF_SIZES = (1 << 16, 1 << 20, 16 << 20)  # a package's fields or a first line can be longer than 64 KB


def _layout(opener: Callable[[], BinaryIO]) -> Layout | None:
    """The layout from a head that grows (64 KB, 1 MB, 16 MB) while it ends before the layout shows."""
    with opener() as fh:
        head = b""
        for size in _SNIFF_SIZES:
            asked = size - len(head)
            more = fh.read(asked)
            head += more
            layout = sniff(head)
            if layout is not None or len(more) < asked:  # found, or the whole input was read
                return layout
    return None


def units_from_stream(opener: Callable[[], BinaryIO]) -> Iterator[Unit]:
    """Releases or records one at a time from a stream (`opener` opens it as UTF-8 bytes): with ``json``
    (`_json_items`, 40% faster), or with ijson from where that stops (the same items, and ijson's errors)."""
    import ijson

    layout = _layout(opener)
    if layout is None:
        with opener() as fh:
            yield from iter_units(fh)
        return
    container = layout.container
    meta = layout.meta if container else {}
    given = 0
    try:
        with opener() as fh:
            for obj in json_items.items(fh, layout.prefix, layout.multiple):
                given += 1
                yield obj, meta, container
        return
    except json_items.Fallback:
        pass
    with opener() as fh:
        items = _guard(ijson.items(fh, layout.prefix, use_float=False, multiple_values=layout.multiple))
        for obj in itertools.islice(items, given, None):
            yield obj, meta, container


def ocid_sequence(opener: Callable[[], BinaryIO]) -> Iterator[str]:
    """The ocid of every release-level object, in order, read cheaply (no objects are built)."""
    import ijson

    layout = _layout(opener)
    with opener() as fh:
        if layout is None:
            yield from _scan_events(fh)
            return
        path = f"{layout.prefix}.ocid" if layout.prefix else "ocid"
        for value in _guard(ijson.items(fh, path, use_float=False, multiple_values=layout.multiple)):
            if isinstance(value, str):
                yield value


def adjacent_ocids(opener: Callable[[], BinaryIO]) -> bool:
    """Whether the releases of each ocid follow one another (so one ocid at a time can be merged)."""
    seen: set[str] = set()
    last = None
    for ocid in ocid_sequence(opener):
        if ocid != last:
            if ocid in seen:
                return False
            seen.add(ocid)
            last = ocid
    return True


# --- the first pass: one read of the bytes, no JSON parsing -------------------------------------------------


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


# --- the generic event router (any layout) ------------------------------------------------------------------


def json_error(exc: Exception) -> ParseError:
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "utf8" in msg.lower() or "utf-8" in msg.lower():
        return ParseError("the bytes are not UTF-8", hint="try --encoding cp1252 (or the publisher's encoding)")
    if "incomplete" in msg.lower() or "premature" in msg.lower():
        return ParseError("the JSON is truncated", hint="download the file again")
    return ParseError(f"broken JSON: {msg.strip(chr(39)).strip()[:120]}", hint="the file may be damaged")


def iter_units(fh: BinaryIO) -> Iterator[tuple[dict, dict, str | None]]:
    """Yield (object, package, container) for every release or record in a JSON stream, one at a time.

    Release and record packages are split: their `releases`/`records` items are yielded one by one, with the
    package's other top-level fields (publisher, uri...) as `package` and "releases"/"records" as
    `container`. Any other top-level value (a single release, record, compiled or versioned release; each
    line of JSON Lines; each item of a top-level array) is yielded whole, with an empty package and no
    container.
    """
    import ijson
    from ijson.common import ObjectBuilder

    item: Any = None
    depth = 0
    top: Any = None
    container: str | None = None
    try:
        for prefix, event, value in ijson.parse(fh, use_float=False, multiple_values=True):
            if item is not None:
                item.event(event, value)
                if event in ("start_map", "start_array"):
                    depth += 1
                elif event in ("end_map", "end_array"):
                    depth -= 1
                    if depth == 0:
                        yield item.value, (top.value if container else {}), container
                        item = None
                continue
            if event == "start_map" and (prefix == "item" or (container and prefix == f"{container}.item")):
                item, depth = ObjectBuilder(), 1
                item.event(event, value)
                continue
            if prefix == "":
                if event == "start_map":
                    top, container = ObjectBuilder(), None
                    top.event(event, value)
                elif event == "end_map":
                    top.event(event, value)
                    if not container:
                        yield top.value, {}, None
                    top, container = None, None
                elif event == "map_key":
                    if value in ("releases", "records") and not container and "ocid" not in top.value:
                        container = value  # a package: its items are yielded one by one, not kept
                    else:
                        top.event(event, value)
                elif event not in ("start_array", "end_array"):
                    raise ParseError("the JSON holds a bare value, not OCDS releases or records")
                continue
            if container and (prefix == container or prefix.startswith(container + ".")):
                continue
            if top is not None:
                top.event(event, value)
    except ParseError:
        raise
    except Exception as exc:  # ijson.JSONError, IncompleteJSONError, UnicodeDecodeError...
        if type(exc).__module__.startswith("ijson") or isinstance(exc, (UnicodeDecodeError, ValueError)):
            raise json_error(exc) from None
        raise


def _scan_events(fh: BinaryIO) -> Iterator[str]:
    import ijson

    for prefix, event, value in _guard(ijson.parse(fh, use_float=False, multiple_values=True)):
        if event == "string" and prefix in ("releases.item.ocid", "item.ocid", "ocid"):
            yield value
