"""Open Contracting Data Standard 1.1 (JSON): one document per contracting process (ocid).

Reads release packages, record packages (embedded or linked releases, ``compiledRelease``,
``versionedRelease``), single releases, compiled and versioned releases, JSON Lines and top-level arrays of
any of these; gzip is undone by the reader. Releases of one ocid are merged with ``ocdsmerge`` (the Open
Contracting Partnership's reference implementation) under the OCDS 1.1.5 release schema shipped in
``tenderscan/data``; a record's own ``compiledRelease`` is used as published.

Streaming (inputs over ``inputs.STREAM_THRESHOLD``): ijson reads releases one at a time. A first pass
reads only the ocids (and finds out whether the bytes are UTF-8); when each ocid's releases are adjacent (as
publishers write them) the second pass keeps one ocid's releases in memory at a time. When they are not,
the releases are spilled to a temporary SQLite file on disk and merged ocid by ocid from there, so memory
never grows with the number of releases either way (the disk use is about the size of the input).
"""

from __future__ import annotations

import codecs
import os
import pickle
import sqlite3
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from ...errors import ParseError
from ...models import Source, Tender
from ..base import Format, Openable, Opener, ParseContext
from . import detect as _detect
from . import encoding, first_pass
from . import stream as rd
from .mapping import to_tender
from .merge import Trie, Unsupported, compile_fast, rules_trie

SCHEMA_FILE = "ocds-release-schema-1.1.5.json"
_VERSION_KEYS = {"releaseID", "releaseDate", "releaseTag", "value"}


# --- detection ------------------------------------------------------------------------------------------


def is_json_schema(head: bytes) -> bool:
    h = _detect.as_utf8(head)[:4096]
    return h.lstrip()[:1] == b"{" and b'"$schema"' in h and b"json-schema.org" in h


def detect(head: bytes) -> bool:
    """OCDS from the first bytes: an ``"ocid"`` key, a package's keys, or (wherever those stand) the
    structure of the first value (:mod:`.detect`)."""
    h = _detect.as_utf8(head).lstrip()
    if h[:1] not in (b"{", b"["):
        return False
    if b'"ocid"' in h or (b'"releases"' in h and b'"publisher"' in h) or (b'"records"' in h and b'"publisher"' in h):
        return True
    return _detect.decide_head(head) is True


def detect_stream(opener: Opener) -> bool:
    """OCDS whose deciding key stands past the head: the structure of the first value, streamed."""
    with opener() as fh:
        first = _detect.as_utf8(fh.read(64)).lstrip()[:1]
    return first in (b"{", b"[") and _detect.decide_stream(opener)


# --- classifying and merging --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def merger():
    """An ocdsmerge Merger with the merge rules of the shipped OCDS 1.1.5 release schema (no network)."""
    import json

    import ocdsmerge
    from ocdsmerge.rules import get_merge_rules

    schema = json.loads(resources.files("tenderscan.data").joinpath(SCHEMA_FILE).read_text("utf-8"))
    return ocdsmerge.Merger(merge_rules=get_merge_rules(schema))


@lru_cache(maxsize=1)
def merge_trie() -> Trie:
    return rules_trie(merger().merge_rules)


def compile_releases(releases: list[dict]) -> dict:
    """Merge releases of one ocid into a compiled release (ocdsmerge, OCDS merge rules).

    A lone release without duplicate ids in its arrays compiles to itself (ocdsmerge would only drop its
    nulls and `tag`, which the mapping ignores anyway): that shortcut halves the time of a bulk package.
    Several releases go through :func:`.merge.compile_fast`, which gives exactly ocdsmerge's result
    about 5x faster, or declines the few shapes whose result depends on ocdsmerge's internals.
    """
    import ocdsmerge.exceptions

    if len(releases) == 1 and not _duplicate_ids(releases[0]):
        r = releases[0]
        return {**r, "tag": ["compiled"], "id": f"{r.get('ocid')}-{r.get('date')}"}
    try:
        try:
            return compile_fast(releases, merge_trie())
        except Unsupported:
            pass
        with warnings.catch_warnings():  # duplicate ids are merged as the standard says: no stderr noise
            warnings.simplefilter("ignore", ocdsmerge.exceptions.OCDSMergeWarning)
            return merger().create_compiled_release(releases)
    except ocdsmerge.exceptions.OCDSMergeError as exc:
        raise ParseError(f"cannot merge the releases of {releases[0].get('ocid')}: {exc}",
                         hint="every release needs a date") from None


def _duplicate_ids(release: dict) -> bool:
    """Whether an array of objects anywhere in a release repeats an `id` (ocdsmerge would merge those)."""
    stack: list[Any] = [release]
    pop, push = stack.pop, stack.append
    while stack:
        value = pop()
        if type(value) is dict:
            for v in value.values():
                if type(v) is dict or type(v) is list:
                    push(v)
            continue
        seen: set[str] | None = None
        for v in value:
            t = type(v)
            if t is dict:
                ident = v.get("id")
                if ident is not None:
                    key = ident if type(ident) is str else str(ident)
                    if seen is None:
                        seen = {key}
                    elif key in seen:
                        return True
                    else:
                        seen.add(key)
                push(v)
            elif t is list:
                push(v)
    return False


def _is_version_list(value: Any) -> bool:
    return (isinstance(value, list) and bool(value) and isinstance(value[0], dict)
            and "value" in value[0] and set(value[0]) <= _VERSION_KEYS)


def is_versioned(obj: dict) -> bool:
    return any(_is_version_list(v) for k, v in obj.items() if k != "ocid")


def unversion(value: Any) -> Any:
    """A versioned release as a compiled one: each field takes the value of its latest version."""
    if _is_version_list(value):
        return unversion(value[-1].get("value"))
    if isinstance(value, dict):
        return {k: unversion(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unversion(v) for v in value]
    return value


def _kind_of(obj: dict) -> str:
    if not isinstance(obj, dict):
        raise ParseError("the JSON holds something other than OCDS objects")
    if "compiledRelease" in obj or "versionedRelease" in obj:
        return "record"
    if "ocid" not in obj and isinstance(obj.get("releases"), list):
        return "release-package"
    if "ocid" not in obj and isinstance(obj.get("records"), list):
        return "record-package"
    if "ocid" in obj and isinstance(obj.get("releases"), list) and "tag" not in obj:
        return "record"
    if "ocid" in obj and is_versioned(obj):
        return "versioned-release"
    if "ocid" in obj:
        return "compiled-release" if "compiled" in (obj.get("tag") or []) else "release"
    raise ParseError("JSON without an ocid: not an OCDS release, record or package")


def _record_release(record: dict) -> tuple[dict, int]:
    releases = [r for r in record.get("releases") or [] if isinstance(r, dict)]
    if isinstance(record.get("compiledRelease"), dict):
        return record["compiledRelease"], len(releases)
    if isinstance(record.get("versionedRelease"), dict):
        return unversion(record["versionedRelease"]), len(releases)
    embedded = [r for r in releases if "ocid" in r or "id" in r and "url" not in r]
    if embedded:
        return compile_releases(embedded), len(embedded)
    raise ParseError(f"record {record.get('ocid')} has only linked releases and no compiledRelease",
                     hint="download the linked releases and read them as a release package")


_SHAPES = {"releases": "release-package", "records": "record-package"}


class _Builder:
    """Turns OCDS objects into tenders."""

    def __init__(self, ctx: ParseContext, encoding_note: str | None):
        self.ctx = ctx
        self.encoding_note = encoding_note

    def tender(self, compiled: dict, unit: _Unit, releases: int, tags: Iterable[str] = ()) -> Tender:
        t = to_tender(compiled, source_format=f"ocds/{unit.shape}", package=unit.package,
                      releases=releases, tags=tags)
        if self.encoding_note:
            t.extra["encoding"] = self.encoding_note
        t.source = Source(path=self.ctx.source.path, url=self.ctx.source.url)
        return t

    def direct(self, unit: _Unit) -> Tender:
        """A tender for an object that needs no grouping (records, compiled and versioned releases)."""
        obj = unit.obj
        if unit.kind == "record":
            compiled, n = _record_release(obj)
            tags = [t for r in obj.get("releases") or [] if isinstance(r, dict) for t in r.get("tag") or []]
            return self.tender(compiled, unit, n, tags)
        if unit.kind == "versioned-release":
            return self.tender(unversion(obj), unit, 0)
        return self.tender(obj, unit, 0)  # compiled release

    def group(self, units: list[_Unit]) -> Tender:
        releases = [u.obj for u in units]
        tags = [t for r in releases for t in (r.get("tag") or [])]
        return self.tender(compile_releases(releases), units[-1], len(releases), tags)


class _Unit:
    __slots__ = ("kind", "obj", "package", "shape")

    def __init__(self, obj: dict, kind: str, package: dict, shape: str):
        self.obj, self.kind, self.package, self.shape = obj, kind, package, shape

    @property
    def ocid(self) -> str:
        return str(self.obj.get("ocid"))


def _flatten(units: Iterable[tuple[dict, dict, str | None]]) -> Iterator[_Unit]:
    """Units with their kind, nested packages (e.g. JSON Lines of packages) opened up."""
    for obj, package, container in units:
        kind = _kind_of(obj)
        if kind in ("release-package", "record-package"):
            meta = {k: v for k, v in obj.items() if k not in ("releases", "records")}
            for inner in obj.get("releases") or obj.get("records") or []:
                yield _Unit(inner, _kind_of(inner), meta, kind)
        else:
            yield _Unit(obj, kind, package, _SHAPES.get(container or "", kind))


def _tenders_in_memory(units: Iterable[tuple[dict, dict, str | None]], b: _Builder) -> Iterator[Tender]:
    slots: list[Tender | list[_Unit]] = []
    groups: dict[str, list[_Unit]] = {}
    for unit in _flatten(units):
        if unit.kind != "release":
            slots.append(b.direct(unit))
        elif unit.ocid in groups:
            groups[unit.ocid].append(unit)
        else:
            groups[unit.ocid] = [unit]
            slots.append(groups[unit.ocid])
    for slot in slots:
        yield b.group(slot) if isinstance(slot, list) else slot


def _tenders_adjacent(units: Iterable[tuple[dict, dict, str | None]], b: _Builder) -> Iterator[Tender]:
    current: list[_Unit] = []
    done: set[int] = set()  # hashes of the ocids merged (less memory than the ocids)
    for unit in _flatten(units):
        if unit.kind != "release":
            yield b.direct(unit)
            continue
        if current and unit.ocid != current[0].ocid:
            yield b.group(current)
            done.add(hash(current[0].ocid))
            current = []
        if not current and hash(unit.ocid) in done:  # the first pass said adjacent; never merge halves
            raise ParseError(f"the releases of {unit.ocid} are not next to each other in the package",
                             hint="report it (--debug shows where); sort the package by ocid to work around it")
        current.append(unit)
    if current:
        yield b.group(current)


def _tenders_spilled(units: Iterable[tuple[dict, dict, str | None]], b: _Builder) -> Iterator[Tender]:
    with tempfile.TemporaryDirectory(prefix="tenderscan-ocds-") as tmp:
        db = sqlite3.connect(os.path.join(tmp, "releases.sqlite"))
        try:
            db.execute("CREATE TABLE r (seq INTEGER PRIMARY KEY, ocid TEXT, blob BLOB)")
            for seq, unit in enumerate(_flatten(units)):
                if unit.kind != "release":
                    yield b.direct(unit)
                    continue
                blob = pickle.dumps((unit.obj, unit.package, unit.shape), pickle.HIGHEST_PROTOCOL)
                db.execute("INSERT INTO r VALUES (?, ?, ?)", (seq, unit.ocid, blob))
            db.execute("CREATE INDEX r_ocid ON r (ocid, seq)")
            db.commit()
            ocids = [row[0] for row in db.execute("SELECT ocid FROM r GROUP BY ocid ORDER BY MIN(seq)")]
            for ocid in ocids:
                rows = db.execute("SELECT blob FROM r WHERE ocid = ? ORDER BY seq", (ocid,))
                group = [_Unit(obj, "release", pkg, shape) for obj, pkg, shape in (pickle.loads(r[0]) for r in rows)]
                yield b.group(group)
        finally:
            db.close()


# --- entry points ---------------------------------------------------------------------------------------------------


def parse(data: bytes, ctx: ParseContext) -> Iterator[Tender]:
    """Read a document held in memory (any layout); releases are grouped by ocid over the whole input."""
    utf8, enc = encoding.bytes_as_utf8(data, ctx.encoding)
    b = _Builder(ctx, _encoding_note(enc, ctx))
    return iter(list(_tenders_in_memory(rd.units_from_bytes(utf8), b)))


def parse_stream(inp: Openable, ctx: ParseContext) -> Iterator[Tender]:
    """Read a large input from its stream: a cheap first pass over the bytes (are the ocids adjacent, are
    the bytes UTF-8, is the JSON complete: `first_pass.prescan`), then the releases one at a time, merged one
    ocid at a time."""
    enc = ctx.encoding
    if enc:
        try:
            codecs.lookup(enc)
        except LookupError:
            raise ParseError(f"unknown encoding {enc!r}", hint="use a name such as utf-8 or cp1252") from None
    scan = first_pass.prescan(inp, enc)
    enc = scan.encoding
    adjacent = scan.adjacent
    if adjacent is None:  # ocids the byte scan cannot compare (escaped key letters, numbers, null)
        adjacent = rd.adjacent_ocids(lambda: encoding.open_utf8(inp, enc))
    b = _Builder(ctx, _encoding_note(enc, ctx))
    units = rd.units_from_stream(lambda: encoding.open_utf8(inp, enc))
    yield from (_tenders_adjacent(units, b) if adjacent else _tenders_spilled(units, b))


def _encoding_note(enc: str | None, ctx: ParseContext) -> str | None:
    if enc is None:
        return None
    return enc if ctx.encoding else f"{enc} (detected: the bytes are not UTF-8)"


_SCHEMA_REFUSAL = ("a JSON Schema, not a document: tenderscan reads OCDS releases, records and packages; "
                   "pass the data files instead")

FORMATS = [
    Format(name="json-schema", description="JSON Schema files (refused: they describe documents, hold none)",
           kind="json", detect=is_json_schema, parse=lambda data, ctx: iter(()), refuse=_SCHEMA_REFUSAL),
    Format(name="ocds", description="Open Contracting Data Standard 1.1 JSON: release and record packages, "
                                    "releases, compiled/versioned releases, JSON Lines (merged per ocid)",
           kind="json", detect=detect, parse=parse, parse_stream=parse_stream, detect_stream=detect_stream),
]

__all__ = ["FORMATS", "compile_releases", "parse", "parse_stream", "to_tender"]
