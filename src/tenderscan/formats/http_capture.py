"""HTTP captures (``.http`` files: a request and its response, as in the openprocurement docs): the
response body is read with whichever format it holds; an error response or an empty body is refused."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

from ..errors import ParseError
from ..models import Tender
from .base import HEAD, Format, Opener, ParseContext

NAME = "http-capture"
_REQUEST = re.compile(rb"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP/\d(?:\.\d)?\r?$", re.MULTILINE)
_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)? (\d{3})[^\r\n]*\r?$", re.MULTILINE)
_HOST = re.compile(rb"^Host: *(\S+)\r?$", re.MULTILINE | re.IGNORECASE)

Detector = Callable[[bytes, Opener], "Format | None"]  # the registry's detection of a body's format


def detect(head: bytes) -> bool:
    return _REQUEST.match(head.lstrip()) is not None


def parse(data: bytes, ctx: ParseContext, detect_body: Detector) -> Iterator[Tender]:
    """The tenders of the (last) response's body, read with the format ``detect_body`` finds for it."""
    statuses = list(_STATUS.finditer(data))
    if not statuses:
        raise ParseError("an HTTP request without a response", hint="capture the response too")
    last = statuses[-1]
    status = int(last.group(1))
    if not 200 <= status < 300:
        raise ParseError(f"the captured response is an error (HTTP {status}), not a document")
    rest = data[last.end():]
    sep = re.search(rb"\r?\n\r?\n", rest)
    body = rest[sep.end():].strip() if sep else b""
    if not body:
        raise ParseError(f"the captured response (HTTP {status}) has no body")
    fmt = detect_body(body[:HEAD], lambda: io.BytesIO(body))
    if fmt is None or fmt.name == NAME:
        raise ParseError("the captured response holds no document tenderscan knows")
    if fmt.refuse:
        raise ParseError(fmt.refuse)
    request = _REQUEST.search(data)
    host = _HOST.search(data)
    if request and host:
        path = request.group(2).decode("ascii", "replace").split("?")[0]  # never keep tokens from the query
        ctx.source.url = f"https://{host.group(1).decode('ascii', 'replace')}{path}"
    tenders = list(fmt.parse(body, ctx))
    for t in tenders:
        t.source.url = t.source.url or ctx.source.url
    return iter(tenders)


def capture_format(detect_body: Detector) -> Format:
    """The HTTP capture format, reading bodies in the formats ``detect_body`` knows (the registry's)."""
    return Format(name=NAME, kind="other", detect=detect, parse=lambda data, ctx: parse(data, ctx, detect_body),
                  description="an HTTP request/response capture (.http): the response body is read")
