"""One input to its tenders: detect the format, parse, attach provenance, enrich (:mod:`.enrich`).

Pure: no store, no network, no output. :func:`parse_input` is what every command runs on each input (through
:func:`tenderscan.documents.batch.read`, or an ingest worker); :func:`parse` is the Python entry point.
"""

from __future__ import annotations

import io
import os
import re
import zlib
from datetime import datetime, timezone
from typing import BinaryIO, Iterable, Iterator

from ..errors import ParseError, TenderscanError, UnknownFormatError, UnsafeInputError
from ..formats import ParseContext, detect_bytes, detect_xml, get_format, looks_like_xml
from ..models import Source, Tender
from ..safety.archive import CappedGzip, gunzip_bytes
from ..safety.json import check_json_depth, guard_stream
from ..safety.xml import parse_xml
from .enrich import enrich
from .inputs import Input, from_bytes, iter_inputs

GZ_STREAM_BYTES = 8 * 1024 * 1024  # with lazy, a gzip file this large is decompressed as a stream, not in memory


def parse_input(
    inp: Input,
    *,
    input_format: str | None = None,
    encoding: str | None = None,
    languages: tuple[str, ...] = ("en",),
    stations: bool = True,
    lazy: bool = False,
) -> list[Tender]:
    """Parse one input into tenders. Raises a TenderscanError subclass on failure.

    With `lazy`, an input that its format streams comes back as an iterator instead of a list. A format
    that can stream (OCDS) streams every file it reads (not only large ones): its memory then stays flat."""
    if inp.tenders is not None:  # already parsed: a document from the store
        return list(inp.tenders)
    source = Source(path=inp.path, url=inp.url, member=inp.member, size=inp.size,
                    read_at=datetime.now(timezone.utc))
    head = inp.head(65536)
    if not head.strip():
        raise ParseError("the file is empty")
    work = inp
    if head[:2] == b"\x1f\x8b":
        work = _gunzip(inp, stream=lazy and not inp.in_memory and (inp.size or 0) >= GZ_STREAM_BYTES)
        head = work.head(65536)
    ctx = ParseContext(source=source, input=work, encoding=encoding, languages=languages)

    fmt = get_format(input_format) if input_format else None
    try:
        if fmt is None or fmt.kind == "xml":
            if fmt is None and not looks_like_xml(head):
                fmt = detect_bytes(head, work.open)
                if fmt is None:
                    raise _unknown(head)
            if fmt is None or fmt.kind == "xml":
                root = parse_xml(work.read(), encoding=encoding, drop_blank_text=_no_mixed_content(head))
                fmt = fmt or detect_xml(root)
                tenders = list(fmt.parse(root, ctx))
                return _finish(tenders, inp, source, stations)
        if fmt.refuse:
            raise ParseError(fmt.refuse)
        if fmt.kind == "json":  # measured as it is read, by whichever reader reads it (streamed or not)
            work = _depth_guarded(work, encoding)
            ctx.input = work
        if fmt.parse_stream is not None and (work.large or (lazy and not work.in_memory)):
            if lazy:
                stream = _guarded(fmt.parse_stream(work, ctx), fmt.name)
                return _finish_stream(stream, inp, source, stations)  # type: ignore[return-value]
            tenders = list(fmt.parse_stream(work, ctx))
        else:
            tenders = list(fmt.parse(work.read(), ctx))
        return _finish(tenders, inp, source, stations)
    except _MISSHAPEN as exc:
        raise _misshapen(exc, fmt.name if fmt else None) from exc
    except RecursionError:
        raise UnsafeInputError("document nested too deeply; refused") from None


# the zakupki.gov.ru schemas (44-FZ oos/..., 223-FZ 223fz/...) have no mixed content: their indentation can be
# left out of the tree (see parse_xml). Their namespaces are declared on the root, in the first bytes.
_NO_MIXED_CONTENT = re.compile(rb"xmlns(?::\w+)?=[\"']http://zakupki\.gov\.ru/(?:oos|223fz)/")


def _no_mixed_content(head: bytes) -> bool:
    return _NO_MIXED_CONTENT.search(head, 0, 4096) is not None


def _depth_guarded(inp: Input, encoding: str | None) -> Input:
    """JSON deeper than MAX_JSON_DEPTH is refused before any JSON reader sees it: bytes in memory are
    measured now, a file as it is read (each chunk before it is handed on: jsondepth.guard_stream), so a
    package is never read whole just to be measured. A file read to its end once (the OCDS reader's first
    pass) is not measured again on a later read while it is unchanged (same device, inode, size and
    modification time as when that read began)."""
    if inp.data is not None:
        check_json_depth(inp.data, encoding)
        return inp
    opener = inp.open
    measured: list = []

    def guarded() -> BinaryIO:
        sig = _signature(inp.path)
        if sig is not None and sig in measured:
            return opener()
        return guard_stream(opener(), encoding, on_end=lambda: measured.append(sig) if sig is not None else None)

    return inp.with_opener(guarded)


def _signature(path: str | None) -> tuple | None:
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


# what a format reader raises when a document's values have types or a shape it does not expect (a JSON
# string where an object should be, a number where a list should be): the document is malformed
_MISSHAPEN = (TypeError, AttributeError, KeyError, IndexError, ValueError)


def _misshapen(exc: Exception, fmt: str | None) -> ParseError:
    what = f"the document (read as {fmt})" if fmt else "the document"
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
    return ParseError(f"{what} has a structure its reader does not expect ({detail})",
                      hint="the file may be damaged or hand-edited; if it is as published, report it "
                           "(--debug shows where)")


def _guarded(tenders: Iterable[Tender], fmt: str) -> Iterator[Tender]:
    try:
        yield from tenders
    except _MISSHAPEN as exc:
        raise _misshapen(exc, fmt) from exc
    except RecursionError:
        raise UnsafeInputError("document nested too deeply; refused") from None


def _finish(tenders: list[Tender], inp: Input, source: Source, stations: bool) -> list[Tender]:
    if not tenders:
        raise ParseError("the document holds no tender, notice or contract")
    digest = inp.sha256()
    for t in tenders:
        s = t.source
        s.path = s.path or source.path
        s.url = s.url or source.url
        s.member = s.member or source.member
        s.size = s.size or source.size
        s.read_at = s.read_at or source.read_at
        s.sha256 = s.sha256 or digest
        enrich(t, stations=stations)
    return tenders


def _finish_stream(tenders: Iterable[Tender], inp: Input, source: Source, stations: bool) -> Iterator[Tender]:
    """`_finish` one tender at a time, for streamed inputs."""
    digest = inp.sha256()
    count = 0
    for t in tenders:
        count += 1
        s = t.source
        s.path, s.url, s.member = s.path or source.path, s.url or source.url, s.member or source.member
        s.size, s.read_at, s.sha256 = s.size or source.size, s.read_at or source.read_at, s.sha256 or digest
        enrich(t, stations=stations)
        yield t
    if not count:
        raise ParseError("the document holds no tender, notice or contract")


def streams(inp: Input, *, input_format: str | None = None) -> bool:
    """Whether :func:`parse_input` with ``lazy`` reads this input a document at a time from its stream (its
    format streams, as OCDS does), instead of reading it whole: judged from its first bytes, never raises."""
    try:
        head = inp.head(65536)
        if head[:2] == b"\x1f\x8b":
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 65536)
        if input_format:
            fmt = get_format(input_format)
        else:
            fmt = None if looks_like_xml(head) else detect_bytes(head)
    except (TenderscanError, OSError, zlib.error):
        return False
    return fmt is not None and fmt.parse_stream is not None and not fmt.refuse


def _unknown(head: bytes) -> UnknownFormatError:
    h = head.lstrip()[:200]
    if h[:1] in (b"{", b"["):
        return UnknownFormatError("JSON that is not a format tenderscan knows")
    return UnknownFormatError("neither XML nor a known JSON format")


def _gunzip(inp: Input, *, stream: bool = False) -> Input:
    """A gzip-compressed input, decompressed under the bomb caps: in memory (in steps), or as a stream when
    it is large or ``stream``."""
    if not inp.large and not stream:
        return from_bytes(gunzip_bytes(inp.read()), inp.name, url=inp.url, path=inp.path, member=inp.member)
    return inp.with_opener(lambda: io.BufferedReader(CappedGzip(inp.open())))


def parse(data: bytes | str, *, name: str = "<bytes>", input_format: str | None = None,
          encoding: str | None = None, stations: bool = True) -> list[Tender]:
    """Parse a document given as bytes (or a path string) into tenders. The Python entry point."""
    if isinstance(data, str):
        from pathlib import Path

        p = Path(data)
        inputs = list(iter_inputs([str(p)]))
        out: list[Tender] = []
        for inp in inputs:
            out.extend(parse_input(inp, input_format=input_format, encoding=encoding, stations=stations))
        return out
    return parse_input(from_bytes(data, name), input_format=input_format, encoding=encoding, stations=stations)
