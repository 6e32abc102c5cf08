"""Caps against archive bombs: zip members (size, ratio, total, names) and gzip streams.

Every byte tenderscan inflates from a zip archive or a gzip file passes through here. Caps can be raised
with TENDERSCAN_MAX_MEMBER_MB, TENDERSCAN_MAX_RATIO and TENDERSCAN_MAX_ARCHIVE_GB.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import struct
import zipfile
import zlib
from typing import BinaryIO

from ..errors import ParseError, TenderscanError, UnsafeInputError

# A real zakupki notice is well under 10 MB; a 223-FZ daily dump member can be tens of MB.
MAX_MEMBER_BYTES = int(os.environ.get("TENDERSCAN_MAX_MEMBER_MB", "512")) * 1024 * 1024
MAX_RATIO = int(os.environ.get("TENDERSCAN_MAX_RATIO", "200"))
MAX_ARCHIVE_BYTES = int(os.environ.get("TENDERSCAN_MAX_ARCHIVE_GB", "64")) * 1024 * 1024 * 1024
MAX_GUNZIP_BYTES = 4 * 1024 * 1024 * 1024  # a gzip member may expand to this much when streamed
MAX_GUNZIP_RATIO = 1000
SKIP_SUFFIXES = (".sig", ".p7s", ".sgn")  # signatures beside the documents of a bulk dump


def member_problem(info: zipfile.ZipInfo, seen: set[str]) -> TenderscanError | None:
    """Why a zip member is not read (an unsafe name, a link, encryption, a duplicate, a nested archive, a
    size or ratio over the caps), or None."""
    mname = info.filename
    parts = mname.replace("\\", "/").split("/")
    if mname.startswith(("/", "\\")) or ".." in parts or (len(mname) > 1 and mname[1] == ":"):
        return UnsafeInputError(f"unsafe member name {mname!r} skipped (path traversal)")
    if (info.external_attr >> 16) & 0o170000 == stat.S_IFLNK:
        return UnsafeInputError("symbolic link member skipped")
    if info.flag_bits & 0x1:
        return ParseError("encrypted member skipped", hint="decrypt the archive first")
    if mname in seen:
        return ParseError("duplicate member name skipped (only the first one is read)")
    if mname.lower().endswith((".zip", ".rar", ".7z", ".gz", ".tar")) and not mname.lower().endswith(".json.gz"):
        return UnsafeInputError("nested archive skipped", hint="extract it and pass the inner archive itself")
    if info.file_size > MAX_MEMBER_BYTES:
        return UnsafeInputError(
            f"member expands to {info.file_size // (1024 * 1024)} MB, over the "
            f"{MAX_MEMBER_BYTES // (1024 * 1024)} MB cap (possible zip bomb); set TENDERSCAN_MAX_MEMBER_MB to raise it")
    if info.compress_size and info.file_size > 1024 * 1024 and info.file_size / info.compress_size > MAX_RATIO:
        return UnsafeInputError(
            f"member compression ratio {info.file_size // max(info.compress_size, 1)}:1 is over the "
            f"{MAX_RATIO}:1 cap (possible zip bomb); set TENDERSCAN_MAX_RATIO to raise it")
    return None


def read_zip_member(zf: zipfile.ZipFile, index: int, member: str, *,
                    raw: BinaryIO | None = None) -> tuple[bytes, bytes | None]:
    """The member ``iter_zip(lazy=True)`` checked at ``index`` (its name must still be ``member``), read
    under the same caps; ``zf`` may be kept open between calls. Returns (bytes, deflate): with ``raw``, a
    second handle on the archive file, a plainly deflated member is inflated straight from its compressed
    bytes, which come back too (to be stored as they are); the bytes are exactly what zipfile reads, and
    anything unusual (a damaged or lying member, a bomb) goes through zipfile and the caps as always."""
    infos = zf.infolist()
    if not 0 <= index < len(infos) or infos[index].filename != member:
        raise ParseError("the archive changed while it was read", hint="read it again")
    info = infos[index]
    if raw is not None:
        stream = deflate_stream(zf, raw, info)
        if stream is not None:
            d = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                data = d.decompress(stream, info.file_size + 1)
            except zlib.error:
                data = b""
            if len(data) == info.file_size and d.eof and zlib.crc32(data) == info.CRC:
                return data, stream
    return read_member(zf, info), None


def deflate_stream(zf: zipfile.ZipFile, fh: BinaryIO, info: zipfile.ZipInfo) -> bytes | None:
    """A plainly deflated member's compressed bytes, when nothing about it needs zipfile's own checks or the
    caps' errors (small enough, under the ratio cap, a local header that agrees); else None."""
    size = info.file_size
    # encrypted, patched data or strong encryption (flag bits 0, 5, 6): zipfile's own errors
    if (info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x61 or not size or not info.compress_size
            or size > MAX_MEMBER_BYTES or (size > 1024 * 1024 and size > info.compress_size * MAX_RATIO)):
        return None
    try:
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            return None
        flags, = struct.unpack("<H", head[6:8])  # the local header's (zipfile decodes the name by these)
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        encoding = "utf-8" if flags & 0x800 else (getattr(zf, "metadata_encoding", None) or "cp437")
        name = fh.read(name_len).decode(encoding)
        start = info.header_offset + 30 + name_len + extra_len
        end = getattr(info, "_end_offset", None)  # zipfile's overlapped-entries check, where it has one
        if name != info.orig_filename or (end is not None and start + info.compress_size > end):
            return None
        fh.seek(start)
        stream = fh.read(info.compress_size)
    except (OSError, ValueError, UnicodeDecodeError, struct.error):
        return None
    return stream if len(stream) == info.compress_size else None


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read a member, enforcing the caps on what is actually decompressed (headers can lie)."""
    limit = min(MAX_MEMBER_BYTES, max(info.file_size, 0) + 1)
    ratio_limit = max(info.compress_size, 1) * MAX_RATIO
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except RuntimeError as exc:  # encrypted
        raise ParseError(f"cannot read member: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ParseError(f"damaged archive member ({exc})", hint="download the archive again") from None
    if len(data) > limit:
        raise UnsafeInputError("member is larger than its header says (possible zip bomb); refused")
    if len(data) > 1024 * 1024 and len(data) > ratio_limit:
        raise UnsafeInputError("member compression ratio over the cap (possible zip bomb); refused")
    return data


def gunzip_bytes(raw: bytes) -> bytes:
    """A gzip file held in memory, decompressed in steps, checking the ratio of what came out to what went in
    as it goes (a gzip bomb is refused before it is inflated whole)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    chunks, size, rest = [], 0, raw
    try:
        while True:
            chunk = d.decompress(rest, 1 << 24)
            rest = d.unconsumed_tail
            size += len(chunk)
            if size > max((len(raw) - len(rest)) * MAX_GUNZIP_RATIO, 1 << 20):
                raise UnsafeInputError("gzip data expands beyond the ratio cap (possible gzip bomb); refused")
            chunks.append(chunk)
            if d.eof or (not rest and len(chunk) < 1 << 24):
                break
    except zlib.error as exc:
        raise ParseError(f"damaged gzip data ({exc})", hint="download the file again") from None
    if not d.eof:
        raise ParseError("the gzip data is truncated", hint="download the file again")
    return b"".join(chunks)


class CappedGzip(io.RawIOBase):
    def __init__(self, raw: BinaryIO):
        self._gz = gzip.GzipFile(fileobj=raw)
        self._raw = raw
        self._n = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            data = self._gz.read(len(b))
        except (OSError, EOFError, zlib.error) as exc:
            raise ParseError(f"damaged gzip data ({exc})", hint="download the file again") from None
        self._n += len(data)
        if self._n > MAX_GUNZIP_BYTES:
            raise UnsafeInputError("gzip data expands beyond the size cap; refused")
        if self._n > (1 << 20) and self._n > self._consumed() * MAX_GUNZIP_RATIO:
            raise UnsafeInputError("gzip data expands beyond the ratio cap (possible gzip bomb); refused")
        b[: len(data)] = data
        return len(data)

    def _consumed(self) -> int:
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return MAX_GUNZIP_BYTES  # not seekable: only the size cap applies

    def close(self) -> None:
        self._gz.close()
        super().close()
