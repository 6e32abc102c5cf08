"""Reading OCDS JSON: releases or records one at a time, from bytes or from a stream (the encodings are in
:mod:`.encoding`, the streamed reader's first pass in :mod:`.first_pass`).

In memory (inputs under the stream threshold) the standard ``json`` module reads the whole document
(``parse_float=Decimal``). Streamed, ijson's C backend reads the releases or records of a package one at a
time: the package's layout (a release or record package, a top-level array, JSON Lines) is sniffed from its
first bytes, and a generic event router handles anything else.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from ...errors import ParseError
from . import json_items

Unit = tuple[dict, dict, "str | None"]  # (object, package metadata, container: "releases", "records" or None)


# --- in memory --------------------------------------------------------------------------------------------


def units_from_bytes(utf8: bytes) -> Iterator[Unit]:
    """Every top-level value of a JSON document or of JSON Lines (items of a top-level array one by one)."""
    try:
        text = utf8.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("the bytes are not UTF-8", hint="try --encoding cp1252 (or the publisher's encoding)") from None
    decoder = json.JSONDecoder(parse_float=Decimal)
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            where = f" (line {exc.lineno}, column {exc.colno})"
            if exc.pos >= end - 1 or "Unterminated" in exc.msg or "Expecting value" in exc.msg and exc.pos >= end - 2:
                raise ParseError(f"the JSON is truncated{where}", hint="download the file again") from None
            raise ParseError(f"broken JSON: {exc.msg}{where}", hint="the file may be damaged") from None
        if isinstance(value, list):
            for v in value:
                yield v, {}, None
        else:
            yield value, {}, None


# --- streamed ---------------------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where the releases or records are: an ijson prefix, the package's fields read before them."""

    prefix: str  # "releases.item", "records.item", "item" (a top-level array) or "" (JSON Lines)
    meta: dict = field(default_factory=dict)
    multiple: bool = False

    @property
    def container(self) -> str | None:
        return self.prefix.split(".")[0] if self.prefix.endswith(".item") and "." in self.prefix else None


def sniff(head: bytes) -> Layout | None:
    """The layout of a document from its first bytes; None when the head does not tell (use the router)."""
    import ijson
    from ijson.common import ObjectBuilder

    meta = ObjectBuilder()
    started = False
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(head), use_float=False, multiple_values=True):
            if prefix == "" and not started:
                if event == "start_array":
                    return Layout("item")
                if event != "start_map":
                    return None
                started = True
                meta.event(event, value)
            elif prefix == "" and event == "end_map":
                return Layout("", multiple=True)  # a whole object fits in the head: JSON Lines (or one value)
            elif prefix == "" and event == "map_key" and value in ("releases", "records") and "ocid" not in meta.value:
                return Layout(f"{value}.item", meta.value)
            else:
                meta.event(event, value)
    except Exception:  # noqa: BLE001 - the head ends mid-document or is broken: the full read will say
        return None
    return None


def _guard(events: Iterable[Any]) -> Iterator[Any]:
    try:
        yield from events
    except ParseError:
        raise
    except Exception as exc:  # ijson.JSONError, IncompleteJSONError, UnicodeDecodeError...
        if type(exc).__module__.startswith("ijson") or isinstance(exc, (UnicodeDecodeError, ValueError)):
            raise json_error(exc) from None
        raise


_SNIFF_SIZES = (1 << 16, 1 << 20, 16 << 20)  # a package's fields or a first line can be longer than 64 KB


def _layout(opener: Callable[[], BinaryIO]) -> Layout | None:
    """The layout from a head that grows (64 KB, 1 MB, 16 MB) while it ends before the layout shows."""
    with opener() as fh:
        head = b""
        for size in _SNIFF_SIZES:
            asked = size - len(head)
            more = fh.read(asked)
            head += more
            layout = sniff(head)
            if layout is not None or len(more) < asked:  # found, or the whole input was read
                return layout
    return None


def units_from_stream(opener: Callable[[], BinaryIO]) -> Iterator[Unit]:
    """Releases or records one at a time from a stream (`opener` opens it as UTF-8 bytes): with ``json``
    (`json_items`, 40% faster), or with ijson from where that stops (the same items, and ijson's errors)."""
    import ijson

    layout = _layout(opener)
    if layout is None:
        with opener() as fh:
            yield from iter_units(fh)
        return
    container = layout.container
    meta = layout.meta if container else {}
    given = 0
    try:
        with opener() as fh:
            for obj in json_items.items(fh, layout.prefix, layout.multiple):
                given += 1
                yield obj, meta, container
        return
    except json_items.Fallback:
        pass
    with opener() as fh:
        items = _guard(ijson.items(fh, layout.prefix, use_float=False, multiple_values=layout.multiple))
        for obj in itertools.islice(items, given, None):
            yield obj, meta, container


def ocid_sequence(opener: Callable[[], BinaryIO]) -> Iterator[str]:
    """The ocid of every release-level object, in order, read cheaply (no objects are built)."""
    import ijson

    layout = _layout(opener)
    with opener() as fh:
        if layout is None:
            yield from _scan_events(fh)
            return
        path = f"{layout.prefix}.ocid" if layout.prefix else "ocid"
        for value in _guard(ijson.items(fh, path, use_float=False, multiple_values=layout.multiple)):
            if isinstance(value, str):
                yield value


def adjacent_ocids(opener: Callable[[], BinaryIO]) -> bool:
    """Whether the releases of each ocid follow one another (so one ocid at a time can be merged)."""
    seen: set[str] = set()
    last = None
    for ocid in ocid_sequence(opener):
        if ocid != last:
            if ocid in seen:
                return False
            seen.add(ocid)
            last = ocid
    return True


# --- the generic event router (any layout) ------------------------------------------------------------------


def json_error(exc: Exception) -> ParseError:
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "utf8" in msg.lower() or "utf-8" in msg.lower():
        return ParseError("the bytes are not UTF-8", hint="try --encoding cp1252 (or the publisher's encoding)")
    if "incomplete" in msg.lower() or "premature" in msg.lower():
        return ParseError("the JSON is truncated", hint="download the file again")
    return ParseError(f"broken JSON: {msg.strip(chr(39)).strip()[:120]}", hint="the file may be damaged")


def iter_units(fh: BinaryIO) -> Iterator[tuple[dict, dict, str | None]]:
    """Yield (object, package, container) for every release or record in a JSON stream, one at a time.

    Release and record packages are split: their `releases`/`records` items are yielded one by one, with the
    package's other top-level fields (publisher, uri...) as `package` and "releases"/"records" as
    `container`. Any other top-level value (a single release, record, compiled or versioned release; each
    line of JSON Lines; each item of a top-level array) is yielded whole, with an empty package and no
    container.
    """
    import ijson
    from ijson.common import ObjectBuilder

    item: Any = None
    depth = 0
    top: Any = None
    container: str | None = None
    for prefix, event, value in _guard(ijson.parse(fh, use_float=False, multiple_values=True)):
        if item is not None:
            item.event(event, value)
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == 0:
                    yield item.value, (top.value if container else {}), container
                    item = None
            continue
        if event == "start_map" and (prefix == "item" or (container and prefix == f"{container}.item")):
            item, depth = ObjectBuilder(), 1
            item.event(event, value)
            continue
        if prefix == "":
            if event == "start_map":
                top, container = ObjectBuilder(), None
                top.event(event, value)
            elif event == "end_map":
                top.event(event, value)
                if not container:
                    yield top.value, {}, None
                top, container = None, None
            elif event == "map_key":
                if value in ("releases", "records") and not container and "ocid" not in top.value:
                    container = value  # a package: its items are yielded one by one, not kept
                else:
                    top.event(event, value)
            elif event not in ("start_array", "end_array"):
                raise ParseError("the JSON holds a bare value, not OCDS releases or records")
            continue
        if container and (prefix == container or prefix.startswith(container + ".")):
            continue
        if top is not None:
            top.event(event, value)


def _scan_events(fh: BinaryIO) -> Iterator[str]:
    import ijson

    for prefix, event, value in _guard(ijson.parse(fh, use_float=False, multiple_values=True)):
        if event == "string" and prefix in ("releases.item.ocid", "item.ocid", "ocid"):
            yield value
