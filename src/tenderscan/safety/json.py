"""The nesting depth of JSON, measured on its bytes as they are read, before any JSON reader sees them.

A JSON reader that recurses (``json``), or whose events carry their whole path (ijson: 20,000 levels took a
gigabyte, 200,000 exhaust memory), must never see JSON nested deeper than :data:`MAX_JSON_DEPTH`.
:class:`JsonDepth` counts the brackets outside strings chunk by chunk with bytes methods that run at memory
speed (about 3 ms per MB): escaped quotes are dropped, everything but quotes and brackets is dropped, empty
strings are dropped, and what is left (a few percent of the input) is counted in blocks that could not
reach the limit, or walked one bracket at a time where one could. :func:`guard_stream` wraps a binary
stream so that every chunk is measured before it is handed on: a stream is refused at the first chunk that
goes too deep, without ever being held whole.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import BinaryIO

from ..errors import UnsafeInputError

MAX_JSON_DEPTH = 512  # OCDS, ProZorro and EIS JSON nest 10 to 20 levels

_NOT_SHAPE = bytes(set(range(256)) - set(b'"[]{}'))
_OPENERS = (0x5B, 0x7B)
_STRING = re.compile(rb'"[^"]*"')


class JsonDepth:
    """Bracket depth outside strings of JSON fed in chunks of bytes (UTF-8 or any ASCII-compatible
    single-byte encoding); raises UnsafeInputError as soon as it passes ``limit``."""

    def __init__(self, limit: int = MAX_JSON_DEPTH):
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self._held = b""  # a trailing run of backslashes: what it escapes is in the next chunk

    @property
    def balanced(self) -> bool:
        """Whether everything fed so far closes every bracket and string it opens (complete JSON)."""
        return self.depth == 0 and not self.in_string and not self._held

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self._held + chunk if self._held else chunk
        self._held = b""
        if b"\\" in data:
            if not final:
                end = len(data.rstrip(b"\\"))
                if end < len(data):
                    self._held, data = data[end:], data[:end]
            shape = _shape_escaped(data)
        else:
            shape = data.translate(None, _NOT_SHAPE)
        # two adjacent quotes enclose no bracket: dropping them keeps every bracket inside or outside
        shape = shape.replace(b'""', b"")
        if self.in_string:
            shape = b'"' + shape
        if b'"' in shape:
            shape = _STRING.sub(b"", shape)
            open_at = shape.find(b'"')  # a string still open at the end of the chunk
            self.in_string = open_at >= 0
            if self.in_string:
                shape = shape[:open_at]
        else:
            self.in_string = False
        if not shape:
            return
        self.depth = _walk(shape, self.depth, self.limit)


def _walk(shape: bytes, depth: int, limit: int) -> int:
    """The depth after the brackets ``shape``, starting at ``depth``; raises past ``limit``. A block can go
    no deeper than its opening brackets, so only a block that could pass the limit is walked one by one."""
    pos, n = 0, len(shape)
    while pos < n:
        block = shape[pos:pos + max(limit - depth, 64)]
        pos += len(block)
        opens = block.count(b"[") + block.count(b"{")
        if depth + opens > limit:
            for c in block:
                depth = depth + 1 if c in _OPENERS else max(depth - 1, 0)
                if depth > limit:
                    raise UnsafeInputError(f"JSON nested more than {limit} levels deep; refused")
        else:
            depth = max(depth + 2 * opens - len(block), 0)
    return depth


_SPARSE = 64  # backslashes in a chunk up to which escaped quotes are found one by one


def _shape_escaped(data: bytes) -> bytes:
    """The quotes and brackets of ``data`` without its escaped quotes. Outside strings a backslash is invalid
    JSON (a reader stops there); inside one it escapes the next character, so a quote after an odd run of
    backslashes is text."""
    cuts = []
    n = len(data)
    i = data.find(b"\\")
    for _ in range(_SPARSE):
        if i < 0:
            break
        j = i + 1
        while j < n and data[j] == 0x5C:
            j += 1
        if (j - i) & 1 and j < n and data[j] == 0x22:
            cuts.append(j)
        i = data.find(b"\\", j)
    else:
        if i >= 0:  # many (JSON written with \uXXXX escapes): drop escaped backslashes, then escaped quotes
            return data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_SHAPE)
    if not cuts:
        return data.translate(None, _NOT_SHAPE)
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(data[start:cut].translate(None, _NOT_SHAPE))
        start = cut + 1
    pieces.append(data[start:].translate(None, _NOT_SHAPE))
    return b"".join(pieces)


def check_json_depth(data: bytes, encoding: str | None = None) -> None:
    """Refuse JSON held in memory that nests deeper than MAX_JSON_DEPTH."""
    depth = JsonDepth()
    decoder = _decoder(data[:4], encoding)
    if decoder is None:
        depth.feed(data, final=True)
    else:
        depth.feed(decoder.decode(data, final=True).encode("utf-8"), final=True)


def guard_stream(raw: BinaryIO, encoding: str | None = None, on_end=None) -> BinaryIO:
    """``raw``, with every chunk measured by :class:`JsonDepth` before it is returned; ``on_end()`` is
    called when the stream has been read to its end (every byte measured, none too deep)."""
    return _Guarded(raw, encoding, on_end)


def _ascii_safe(encoding: str) -> bool:
    """Whether every byte below 0x80 is that ASCII character wherever it stands (UTF-8 and single-byte
    encodings: yes; UTF-16/32, EBCDIC, Shift_JIS, GBK: no)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return True  # the reader refuses the name before reading
    if name in ("utf-8", "utf-8-sig", "ascii"):
        return True
    try:
        decoded = bytes(range(256)).decode(name, errors="replace")
    except (LookupError, ValueError, TypeError):
        return False
    return len(decoded) == 256 and decoded[:128] == bytes(range(128)).decode("ascii")


def _decoder(head: bytes, encoding: str | None):
    """An incremental decoder when the bytes must be decoded to be measured, else None."""
    if encoding:
        return None if _ascii_safe(encoding) else codecs.getincrementaldecoder(encoding)(errors="replace")
    if head[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return codecs.getincrementaldecoder("utf-32")(errors="replace")
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return codecs.getincrementaldecoder("utf-16")(errors="replace")
    return None


class _Guarded(io.RawIOBase):
    def __init__(self, raw: BinaryIO, encoding: str | None, on_end=None):
        self._raw = raw
        self._encoding = encoding
        self._decoder = None
        self._started = False
        self._on_end = on_end
        self.json_depth = JsonDepth()  # read by a caller that wants to know the JSON was complete

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if not self._started and data:
            self._started = True
            self._decoder = _decoder(data[:4], self._encoding)
        final = not data or size is None or size < 0
        if self._decoder is not None:
            self.json_depth.feed(self._decoder.decode(data, final=final).encode("utf-8"), final=final)
        else:
            self.json_depth.feed(data, final=final)
        if not data and self._on_end is not None:
            self._on_end()
            self._on_end = None
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()
