"""What every format module is written against: :class:`Format` (a ``detect``/``parse`` pair), the
:class:`ParseContext` a parser is given, :class:`Openable` (what a streaming parser needs of its input), and
the detection rule over a list of formats (:func:`claim_xml`, :func:`claim_bytes`). Format modules import
this module, never the registry (``formats/__init__.py``), which imports them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal, Protocol

from ..errors import ParseError
from ..models import Source, Tender


class Openable(Protocol):
    """An input a parser can open (again, from its start) as a binary stream: what a streaming format
    (``Format.parse_stream``) reads. ``documents.inputs.Input`` is one."""

    def open(self) -> BinaryIO: ...


Opener = Callable[[], BinaryIO]  # opens an input as a binary stream, from its start


@dataclass
class ParseContext:
    """What a parser may need besides the document itself."""

    source: Source
    input: Openable | None = None  # for streaming formats (large JSON): open the raw stream from here
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
    parse: Callable[..., Iterable[Tender]]
    # optional: parse_stream(input: Openable, ctx) for inputs too large to read into memory (json/other only)
    parse_stream: Callable[..., Iterable[Tender]] | None = None
    # the input is readable but holds no tenders (schemas, HTTP captures...): a one-line reason to refuse it
    refuse: str | None = None
    # optional (json/other): detect_stream(opener) -> bool, asked when no format claims the head of an input
    # longer than its head (what decides may stand past it, as an OCDS package's first ocid can)
    detect_stream: Callable[..., bool] | None = None


HEAD = 65536  # the first bytes a json/other format's ``detect`` is shown


def claim_xml(formats: Sequence[Format], root) -> Format | None:
    """The first XML format whose ``detect`` claims the parsed root element."""
    for f in formats:
        if f.kind == "xml" and f.detect(root):
            return f
    return None


def claim_bytes(formats: Sequence[Format], head: bytes, opener: Opener | None = None) -> Format | None:
    """The first json/other format whose ``detect`` claims the head; else, when ``opener`` is given and the
    input may go on past the head, the first whose ``detect_stream`` claims the stream."""
    for f in formats:
        if f.kind != "xml" and f.detect(head):
            return f
    if opener is None or len(head) < HEAD:
        return None
    for f in formats:
        if f.kind != "xml" and f.detect_stream is not None and f.detect_stream(opener):
            return f
    return None


def require(value, what: str):
    """Raise a ParseError when a value a document must have is missing."""
    if value in (None, ""):
        raise ParseError(f"required field missing: {what}")
    return value
