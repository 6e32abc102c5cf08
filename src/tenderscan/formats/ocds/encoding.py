"""The encodings of OCDS JSON: bytes and streams read as UTF-8 (a BOM dropped, or transcoded from the
encoding given or detected: publishers' 'ISO-8859-1' is usually Windows-1252)."""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO

from ...errors import ParseError
from ..base import Openable

_CHUNK = 1 << 20


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
            return io.BufferedReader(Prefixed(head, raw)) if head else raw
        return raw
    return io.BufferedReader(_Transcoder(raw, encoding), _CHUNK)


class Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of it."""

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
