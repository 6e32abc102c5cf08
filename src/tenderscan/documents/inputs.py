"""Where documents come from: files, folders, zip archives (the portal's bulk dumps), stdin, stored IDs.

:func:`iter_inputs` turns the user's SOURCE arguments into :class:`Input` objects, lazily. Reading an input
may raise a :class:`~tenderscan.errors.TenderscanError`; callers report it and go on with the next one.
Nothing from an archive is ever extracted to disk: members are read into memory under size caps.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import stat
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from ..errors import NotFoundError, ParseError, TenderscanError, UnsafeInputError

# Caps against zip bombs. A real zakupki notice is well under 10 MB; a 223-FZ daily dump member can be
# tens of MB. Override with TENDERSCAN_MAX_MEMBER_MB / TENDERSCAN_MAX_RATIO.
MAX_MEMBER_BYTES = int(os.environ.get("TENDERSCAN_MAX_MEMBER_MB", "512")) * 1024 * 1024
MAX_RATIO = int(os.environ.get("TENDERSCAN_MAX_RATIO", "200"))
MAX_ARCHIVE_BYTES = int(os.environ.get("TENDERSCAN_MAX_ARCHIVE_GB", "64")) * 1024 * 1024 * 1024
# a single file larger than this is not read into memory: streaming formats read it from disk
STREAM_THRESHOLD = 64 * 1024 * 1024

SKIP_SUFFIXES = (".sig", ".p7s", ".sgn")
DOC_SUFFIXES = (".xml", ".json", ".jsonl", ".gz", ".txt", ".zip", ".http")


@dataclass
class Input:
    """One document source: a file, a zip member, stdin, a URL body or a stored document."""

    name: str  # for messages: path, path!member, url, "<stdin>"
    path: str | None = None
    member: str | None = None
    url: str | None = None
    size: int | None = None
    _data: bytes | None = field(default=None, repr=False)
    _opener: Callable[[], BinaryIO] | None = field(default=None, repr=False)
    _error: TenderscanError | None = field(default=None, repr=False)
    stored: object | None = field(default=None, repr=False)  # a store record when read from the store
    index: int | None = None  # a zip member's place in its archive's list (iter_zip(lazy=True) sets it)
    digest: str | None = field(default=None, repr=False)  # the raw bytes' sha256 when already known

    def read(self) -> bytes:
        if self._error is not None:
            raise self._error
        if self._data is None:
            assert self._opener is not None
            with self._opener() as fh:
                self._data = fh.read()
        return self._data

    def open(self) -> BinaryIO:
        """A binary stream of the raw bytes (for streaming parsers)."""
        if self._error is not None:
            raise self._error
        if self._data is not None:
            return io.BytesIO(self._data)
        assert self._opener is not None
        return self._opener()

    def head(self, n: int = 65536) -> bytes:
        if self._data is not None:
            return self._data[:n]
        with self.open() as fh:
            return fh.read(n)

    @property
    def large(self) -> bool:
        return self._data is None and (self.size or 0) > STREAM_THRESHOLD

    def sha256(self) -> str:
        if self.digest is not None:
            return self.digest
        if self._data is not None:
            return hashlib.sha256(self._data).hexdigest()
        h = hashlib.sha256()
        with self.open() as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


def from_bytes(data: bytes, name: str = "<bytes>", *, url: str | None = None, path: str | None = None) -> Input:
    return Input(name=name, url=url, path=path, size=len(data), _data=data)


def failed(name: str, error: TenderscanError, **kw) -> Input:
    return Input(name=name, _error=error, **kw)


def is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def iter_inputs(sources: list[str], *, stdin: BinaryIO | None = None, store=None,
                lazy: bool = False, ids: bool = True) -> Iterator[Input]:
    """Expand SOURCE arguments into inputs: `-` is stdin, folders are walked recursively (sorted),
    zip archives are opened member by member, anything else that is not a path is looked up in the store
    as `ID` or `ID@version` (with ``ids``; without, it is a missing path). A folder or archive that holds no
    document is one failed input ("no documents found in PATH"). With ``lazy``, members of archives on
    disk are checked but not read (see :func:`iter_zip`)."""
    for src in sources:
        if src == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read()
            yield from _maybe_zip_bytes(data, "<stdin>")
            continue
        p = Path(src)
        if p.is_dir():
            yield from _or_none_found(src, (i for f in sorted(_walk(p)) for i in _file_inputs(f, lazy)))
        elif p.exists():
            yield from _or_none_found(src, _file_inputs(p, lazy))
        elif not ids:
            yield failed(src, NotFoundError("no such file or folder", hint="check the path"), path=src)
        else:
            yield from _stored_inputs(src, store)


def _or_none_found(src: str, inputs: Iterator[Input]) -> Iterator[Input]:
    n = 0
    for inp in inputs:
        n += 1
        yield inp
    if not n:
        yield failed(src, none_found(src), path=src)


def none_found(src: str) -> NotFoundError:
    """The error of a folder or archive given as SOURCE that holds no document."""
    return NotFoundError(f"no documents found in {src}",
                         hint="tenderscan reads " + ", ".join(DOC_SUFFIXES) + " files (folders are searched "
                              "recursively)")


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith("."):
                continue
            low = name.lower()
            if low.endswith(SKIP_SUFFIXES) or not low.endswith(DOC_SUFFIXES):
                continue
            yield Path(root) / name


def _file_inputs(p: Path, lazy: bool = False) -> Iterator[Input]:
    name = str(p)
    try:
        st = p.stat()
    except OSError as exc:
        yield failed(name, ParseError(f"cannot read the file: {exc.strerror}"), path=name)
        return
    if not stat.S_ISREG(st.st_mode):
        yield failed(name, ParseError("not a regular file"), path=name)
        return
    if is_zip(p):
        yield from iter_zip(p, lazy=lazy)
        return
    yield Input(name=name, path=str(p), size=st.st_size, _opener=lambda p=p: open(p, "rb"))


def _maybe_zip_bytes(data: bytes, name: str) -> Iterator[Input]:
    if data[:4] == b"PK\x03\x04":
        yield from iter_zip(io.BytesIO(data), name=name)
    else:
        yield Input(name=name, path="-", size=len(data), _data=data)


def iter_zip(archive: Path | BinaryIO, *, name: str | None = None, lazy: bool = False) -> Iterator[Input]:
    """The document members of a zip archive, in archive order, under bomb caps.

    Signature files (.sig) and folders are skipped silently; nested archives, encrypted members,
    unsafe names (absolute, `..`), symlinks and duplicates are reported as failed inputs.
    With ``lazy`` (an archive on disk), members pass the same checks but are not read here: each input
    carries its ``index`` in the archive and is read when asked, under the same caps
    (:func:`read_zip_member`), possibly in another process.
    """
    label = name or str(archive)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield failed(label, ParseError(f"not a readable zip archive ({exc})", hint="download the archive again"),
                     path=label)
        return
    with zf:
        if "[Content_Types].xml" in zf.NameToInfo and any(n.startswith(("xl/", "word/")) for n in zf.NameToInfo):
            yield failed(label, ParseError("an Office document (xlsx/docx), not an archive of procurement documents",
                                           hint="for a flattened OCDS spreadsheet, convert it to JSON first "
                                                "(flatten-tool unflatten)"), path=label)
            return
        seen: set[str] = set()
        total = 0
        lazy = lazy and isinstance(archive, (str, os.PathLike))
        for index, info in enumerate(zf.infolist()):
            mname = info.filename
            full = f"{label}!{mname}"
            if info.is_dir():
                continue
            low = mname.lower()
            if low.endswith(SKIP_SUFFIXES):
                continue
            err = _member_problem(info, seen)
            seen.add(mname)
            if err is None:
                total += info.file_size
                if total > MAX_ARCHIVE_BYTES:
                    err = UnsafeInputError("the archive expands beyond the total size cap; refused the rest "
                                           "(possible zip bomb); set TENDERSCAN_MAX_ARCHIVE_GB to raise it")
            if err is not None:
                yield failed(full, err, path=label, member=mname)
                if total > MAX_ARCHIVE_BYTES:
                    return
                continue
            if lazy:
                yield Input(name=full, path=label, member=mname, size=info.file_size, index=index,
                            _opener=functools.partial(_open_member, label, index, mname))
                continue
            try:
                data = _read_member(zf, info)
            except TenderscanError as exc:
                yield failed(full, exc, path=label, member=mname)
                continue
            yield Input(name=full, path=label, member=mname, size=len(data), _data=data)


def _member_problem(info: zipfile.ZipInfo, seen: set[str]) -> TenderscanError | None:
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
        stream = _deflate_stream(zf, raw, info)
        if stream is not None:
            d = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                data = d.decompress(stream, info.file_size + 1)
            except zlib.error:
                data = b""
            if len(data) == info.file_size and d.eof and zlib.crc32(data) == info.CRC:
                return data, stream
    return _read_member(zf, info), None


def _deflate_stream(zf: zipfile.ZipFile, fh: BinaryIO, info: zipfile.ZipInfo) -> bytes | None:
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


def _open_member(path: str, index: int, member: str) -> BinaryIO:
    try:
        with zipfile.ZipFile(path) as zf:
            return io.BytesIO(read_zip_member(zf, index, member)[0])
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ParseError(f"not a readable zip archive ({exc})", hint="download the archive again") from None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read a member, enforcing the caps on what is actually decompressed (headers can lie)."""
    limit = min(MAX_MEMBER_BYTES, max(info.file_size, 0) + 1)
    ratio_limit = max(info.compress_size, 1) * MAX_RATIO
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except RuntimeError as exc:  # encrypted
        raise ParseError(f"cannot read member: {exc}") from None
    except (zipfile.BadZipFile, zlib_error(), EOFError, OSError) as exc:
        raise ParseError(f"damaged archive member ({exc})", hint="download the archive again") from None
    if len(data) > limit:
        raise UnsafeInputError("member is larger than its header says (possible zip bomb); refused")
    if len(data) > 1024 * 1024 and len(data) > ratio_limit:
        raise UnsafeInputError("member compression ratio over the cap (possible zip bomb); refused")
    return data


def zlib_error():
    import zlib

    return zlib.error


def _stored_inputs(src: str, store) -> Iterator[Input]:
    """SOURCE is not a path: treat it as a stored `ID` or `ID@version`."""
    try:
        from .. import store as store_mod
    except ImportError:  # pragma: no cover - the store module always ships
        store_mod = None
    resolver = getattr(store_mod, "resolve_inputs", None) if store_mod else None
    if resolver is None:
        yield failed(src, NotFoundError("no such file or folder", hint="check the path"))
        return
    try:
        yield from resolver(src, store=store)
    except TenderscanError as exc:
        yield failed(src, exc)
