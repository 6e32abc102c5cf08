"""The format registry: one module per source format, each exposing ``Format`` objects.

A ``Format`` is a ``detect``/``parse`` pair. XML formats detect on the parsed root element (the bytes are
parsed once, safely, by :func:`tenderscan.safety.xml.parse_xml`) by namespace URI and local name, never by
prefix or file name. JSON and other formats detect on the first bytes of the input.

To add a format: write ``formats/<name>.py`` defining ``FORMATS = [Format(...), ...]`` and list the module
in ``_MODULES`` below (order matters only when two formats could claim the same input: specific first).
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal

from ..errors import ParseError, UnknownFormatError

if TYPE_CHECKING:
    from ..documents.inputs import Input
    from ..models import Source, Tender


@dataclass
class ParseContext:
    """What a parser may need besides the document itself."""

    source: "Source"
    input: "Input | None" = None  # for streaming formats (large JSON): open the raw stream from here
    encoding: str | None = None  # user override (--encoding)
    languages: tuple[str, ...] = ("en",)  # preferred languages for multilingual texts (TED)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Format:
    name: str  # short, stable, used by --input-format, e.g. "zakupki44-ep"
    description: str
    kind: Literal["xml", "json", "other"]
    # xml: detect(root) -> bool; json/other: detect(head: bytes) -> bool
    detect: Callable[..., bool]
    # xml: parse(root, ctx) -> Iterable[Tender]; json/other: parse(data: bytes, ctx) -> Iterable[Tender]
    parse: Callable[..., Iterable["Tender"]]
    # optional: parse_stream(input, ctx) for inputs too large to read into memory (json/other only)
    parse_stream: Callable[..., Iterable["Tender"]] | None = None
    # the input is readable but holds no tenders (schemas, HTTP captures...): a one-line reason to refuse it
    refuse: str | None = None
    # optional (json/other): detect_stream(opener) -> bool, asked when no format claims the head of an input
    # longer than its head (what decides may stand past it, as an OCDS package's first ocid can)
    detect_stream: Callable[..., bool] | None = None


_MODULES = [
    "zakupki44.ep",
    "zakupki44.fcs",
    "zakupki44.contract",
    "zakupki44.protocol",
    "zakupki223.notice",
    "zakupki223.plan",
    "zakupki223.json_api",
    "rss",
    "ocds.reader",
    "prozorro",
    "ted.eforms",
    "ted.r209",
]

_registry: list[Format] | None = None


def formats() -> list[Format]:
    """All registered formats, in detection order (modules that do not exist yet are skipped)."""
    global _registry
    if _registry is None:
        found: list[Format] = []
        for mod_name in _MODULES:
            try:
                mod = importlib.import_module(f"{__name__}.{mod_name}")
            except ModuleNotFoundError as exc:
                if exc.name == f"{__name__}.{mod_name}":
                    continue
                raise
            found.extend(getattr(mod, "FORMATS", []))
        _registry = found
    return _registry


def get_format(name: str) -> Format:
    for f in formats():
        if f.name == name:
            return f
    names = ", ".join(f.name for f in formats())
    raise UnknownFormatError(f"unknown input format {name!r}", hint=f"choose one of: {names}")


_detecting = threading.local()


def detection_memo() -> dict | None:
    """A dict that lives for one :func:`detect_xml` call (None outside one): detectors of one family (the
    four 44-FZ readers) keep what they all look at there, so it is read once per document."""
    return getattr(_detecting, "memo", None)


def detect_xml(root) -> Format:
    _detecting.memo = {}
    try:
        for f in formats():
            if f.kind == "xml" and f.detect(root):
                return f
    finally:
        _detecting.memo = None
    from ..safety.xml import localname, namespace

    ns = namespace(root)
    raise UnknownFormatError(
        f"unknown XML document <{localname(root)}>" + (f" in namespace {ns}" if ns else " (no namespace)")
    )


def detect_bytes(head: bytes, opener: Callable[[], Any] | None = None) -> Format | None:
    """The format whose ``detect`` claims the head; else, when ``opener`` (a function opening the input as a
    binary stream) is given and the input may go on past the head, the first whose ``detect_stream`` claims
    the stream."""
    for f in formats():
        if f.kind != "xml" and f.detect(head):
            return f
    if opener is None or len(head) < 65536:
        return None
    for f in formats():
        if f.kind != "xml" and f.detect_stream is not None and f.detect_stream(opener):
            return f
    return None


def looks_like_xml(head: bytes) -> bool:
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if h[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return h.startswith(b"<")


def require(value, what: str):
    """Raise a ParseError when a value a document must have is missing."""
    if value in (None, ""):
        raise ParseError(f"required field missing: {what}")
    return value
