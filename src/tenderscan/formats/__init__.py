"""The format registry: one module per source format, each exposing ``Format`` objects (``formats/base.py``).

A ``Format`` is a ``detect``/``parse`` pair. XML formats detect on the parsed root element (the bytes are
parsed once, safely, by :func:`tenderscan.safety.xml.parse_xml`) by namespace URI and local name, never by
prefix or file name. JSON and other formats detect on the first bytes of the input.

To add a format: write ``formats/<name>.py`` (or ``formats/<family>/<name>.py``) defining
``FORMATS = [Format(...), ...]`` with ``from .base import Format, ParseContext``, and list it in
``formats/catalog.py`` (order matters only when two formats could claim the same input: specific first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import UnknownFormatError
from ..safety.xml import localname, namespace
from .base import Format, Openable, ParseContext, claim_bytes, claim_xml, require

__all__ = ["Format", "Openable", "ParseContext", "detect_bytes", "detect_xml", "formats", "get_format",
           "looks_like_xml", "require"]

_catalog: list[Format] | None = None


def formats() -> list[Format]:
    """All registered formats, in detection order (``formats/catalog.py``). The readers are imported on the
    first call, not when ``tenderscan`` is imported: commands that read no document (``--help``, ``list``,
    ``spending``) start without them (about 100 ms)."""
    global _catalog
    if _catalog is None:
        from .catalog import FORMATS

        _catalog = FORMATS
    return _catalog


def get_format(name: str) -> Format:
    for f in formats():
        if f.name == name:
            return f
    names = ", ".join(f.name for f in formats())
    raise UnknownFormatError(f"unknown input format {name!r}", hint=f"choose one of: {names}")


def detect_xml(root) -> Format:
    found = claim_xml(formats(), root)
    if found is not None:
        return found
    ns = namespace(root)
    raise UnknownFormatError(
        f"unknown XML document <{localname(root)}>" + (f" in namespace {ns}" if ns else " (no namespace)")
    )


def detect_bytes(head: bytes, opener: Callable[[], Any] | None = None) -> Format | None:
    """The format whose ``detect`` claims the head; else, when ``opener`` (a function opening the input as a
    binary stream) is given and the input may go on past the head, the first whose ``detect_stream`` claims
    the stream."""
    return claim_bytes(formats(), head, opener)


def looks_like_xml(head: bytes) -> bool:
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if h[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return h.startswith(b"<")
