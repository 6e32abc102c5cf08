"""Where documents come from: files, folders, zip archives (the portal's bulk dumps), stdin, stored IDs.

:func:`iter_inputs` turns the user's SOURCE arguments into :class:`Input` objects, lazily. Reading an input
may raise a :class:`~tenderscan.errors.TenderscanError`; callers report it and go on with the next one.
Nothing from an archive is ever extracted to disk: members are read into memory under the caps of
:mod:`tenderscan.safety.archive`. A SOURCE that is not a path is a stored ``ID`` or ``ID@version``, looked up
by the ``resolver`` the caller passes (the store's: :class:`tenderscan.store.refs.StoreResolver`); this
module never opens a store.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import stat
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from ..errors import NotFoundError, ParseError, TenderscanError, UnsafeInputError
from ..models import Tender
from ..safety import archive as caps
from ..safety.archive import SKIP_SUFFIXES

# a single file larger than this is not read into memory: streaming formats read it from disk
STREAM_THRESHOLD = 64 * 1024 * 1024
DOC_SUFFIXES = (".xml", ".json", ".jsonl", ".gz", ".txt", ".zip", ".http")

Resolver = Callable[[str], list[Tender]]
"""Looks a stored ``ID`` or ``ID@version`` up: its tenders, or a NotFoundError saying what is stored."""


@dataclass
class Input:
    """One document source: a file, a zip member, stdin, a URL body or a stored document.

    Its bytes are in ``data`` (read into memory), or come from ``opener`` when asked (a file, a member of an
    archive on disk: not read until then); ``error`` is why it cannot be read at all (a failed input);
    ``tenders`` holds the parsed documents of a stored ID (no bytes to read)."""

    name: str  # for messages: path, path!member, url, "<stdin>"
    path: str | None = None
    member: str | None = None
    url: str | None = None
    size: int | None = None
    data: bytes | None = field(default=None, repr=False)
    opener: Callable[[], BinaryIO] | None = field(default=None, repr=False)
    error: TenderscanError | None = field(default=None, repr=False)
    tenders: list[Tender] | None = field(default=None, repr=False)  # a stored ID's documents
    index: int | None = None  # a zip member's place in its archive's list (iter_zip(lazy=True) sets it)
    digest: str | None = field(default=None, repr=False)  # the raw bytes' sha256 when already known

    def read(self) -> bytes:
        if self.error is not None:
            raise self.error
        if self.data is None:
            assert self.opener is not None
            with self.opener() as fh:
                self.data = fh.read()
        return self.data

    def open(self) -> BinaryIO:
        """A binary stream of the raw bytes (for streaming parsers)."""
        if self.error is not None:
            raise self.error
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.opener is not None
        return self.opener()

    def head(self, n: int = 65536) -> bytes:
        if self.data is not None:
            return self.data[:n]
        with self.open() as fh:
            return fh.read(n)

    def with_opener(self, opener: Callable[[], BinaryIO]) -> "Input":
        """The same input read through another opener (a decompressing or measuring stream)."""
        return Input(name=self.name, path=self.path, member=self.member, url=self.url, size=self.size,
                     opener=opener, error=self.error)

    @property
    def in_memory(self) -> bool:
        return self.data is not None

    @property
    def large(self) -> bool:
        return self.data is None and (self.size or 0) > STREAM_THRESHOLD

    def sha256(self) -> str:
        if self.digest is not None:
            return self.digest
        if self.data is not None:
            return hashlib.sha256(self.data).hexdigest()
        h = hashlib.sha256()
        with self.open() as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


def from_bytes(data: bytes, name: str = "<bytes>", *, url: str | None = None, path: str | None = None,
               member: str | None = None) -> Input:
    return Input(name=name, url=url, path=path, member=member, size=len(data), data=data)


def failed(name: str, error: TenderscanError, **kw) -> Input:
    return Input(name=name, error=error, **kw)


def is_path(src: str) -> bool:
    """Whether a SOURCE names a file or folder (or stdin, ``-``), not a stored ID: decided here only."""
    return src == "-" or Path(src).exists()


def is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def iter_inputs(sources: list[str], *, stdin: BinaryIO | None = None, resolver: Resolver | None = None,
                lazy: bool = False) -> Iterator[Input]:
    """Expand SOURCE arguments into inputs: `-` is stdin, folders are walked recursively (sorted),
    zip archives are opened member by member, anything else that is not a path is a stored `ID` or
    `ID@version` looked up by ``resolver`` (without one, it is a missing path). A folder or archive that
    holds no document is one failed input ("no documents found in PATH"). With ``lazy``, members of
    archives on disk are checked but not read (see :func:`iter_zip`)."""
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
        else:
            yield from _stored_inputs(src, resolver)


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
    yield Input(name=name, path=str(p), size=st.st_size, opener=lambda p=p: open(p, "rb"))


def _maybe_zip_bytes(data: bytes, name: str) -> Iterator[Input]:
    if data[:4] == b"PK\x03\x04":
        yield from iter_zip(io.BytesIO(data), name=name)
    else:
        yield Input(name=name, path="-", size=len(data), data=data)


def iter_zip(archive: Path | BinaryIO, *, name: str | None = None, lazy: bool = False) -> Iterator[Input]:
    """The document members of a zip archive, in archive order, under bomb caps.

    Signature files (.sig) and folders are skipped silently; nested archives, encrypted members,
    unsafe names (absolute, `..`), symlinks and duplicates are reported as failed inputs.
    With ``lazy`` (an archive on disk), members pass the same checks but are not read here: each input
    carries its ``index`` in the archive and is read when asked, under the same caps
    (:func:`tenderscan.safety.archive.read_zip_member`), possibly in another process.
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
            err = caps.member_problem(info, seen)
            seen.add(mname)
            if err is None:
                total += info.file_size
                if total > caps.MAX_ARCHIVE_BYTES:
                    err = UnsafeInputError("the archive expands beyond the total size cap; refused the rest "
                                           "(possible zip bomb); set TENDERSCAN_MAX_ARCHIVE_GB to raise it")
            if err is not None:
                yield failed(full, err, path=label, member=mname)
                if total > caps.MAX_ARCHIVE_BYTES:
                    return
                continue
            if lazy:
                yield Input(name=full, path=label, member=mname, size=info.file_size, index=index,
                            opener=functools.partial(_open_member, label, index, mname))
                continue
            try:
                data = caps.read_member(zf, info)
            except TenderscanError as exc:
                yield failed(full, exc, path=label, member=mname)
                continue
            yield Input(name=full, path=label, member=mname, size=len(data), data=data)


def _open_member(path: str, index: int, member: str) -> BinaryIO:
    try:
        with zipfile.ZipFile(path) as zf:
            return io.BytesIO(caps.read_zip_member(zf, index, member)[0])
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ParseError(f"not a readable zip archive ({exc})", hint="download the archive again") from None


def _stored_inputs(src: str, resolver: "Resolver | None") -> Iterator[Input]:
    """SOURCE is not a path: a stored `ID` or `ID@version`, looked up by ``resolver`` (the store's)."""
    if resolver is None:
        yield failed(src, NotFoundError("no such file or folder", hint="check the path"))
        return
    try:
        tenders = resolver(src)
    except TenderscanError as exc:
        yield failed(src, exc)
        return
    yield Input(name=src, tenders=list(tenders))
