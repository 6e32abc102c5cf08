"""A compiled release merged the way ``ocdsmerge`` merges it, in one walk of nested dicts instead of its
flatten/unflatten of every leaf path (about 5x faster on publishers' releases).

It serves the OCDS target of ``benchmarks/run.py`` (``ocds-csv``: a 465 MB release package to items CSV,
>= 5x flatten-tool): without it (every ocid with several releases merged by ocdsmerge) the export of an
88 MB package takes 73% more CPU (benchmarks/RESULTS.md, "Spine"), and 5.34x would fall to about 3x.

ocdsmerge stays the reference: :func:`compile_fast` gives exactly what ``Merger.create_compiled_release``
gives (the same values, the same key order, the same array order) or raises :class:`Unsupported` for the
inputs whose result depends on ocdsmerge's internals, and the caller then asks ocdsmerge. Those are: a field
that is a value (or null) in one release and an object or array of objects in another, an object in one and
an array in another, an array of objects repeating an ``id`` within one release, and ``id`` values that are
not strings or integers, or that change type between releases (``1`` and ``"1"``). Tests compare both on
every real sample and on generated releases (tests/test_ocds_merge.py).

The rules reproduced (OCDS 1.1 merging, as ocdsmerge implements them):

- releases are taken in date order (ocdsmerge's own sort, with its errors); the result starts with
  ``tag: ["compiled"]``, then ``id`` (``{ocid}-{date}``), ``date`` and ``ocid`` of the latest release;
- fields whose merge rule is ``omitWhenMerged`` are skipped; a value, an array holding anything but objects,
  and any field whose rule is ``wholeListMerge`` replace what earlier releases had (a null replaces too, and
  fields that end null are left out); empty objects and arrays of objects change nothing;
- objects are merged field by field; arrays of objects are merged by ``id`` (an object without one is
  appended); an object in an array starts with its ``id``;
- a field keeps the place where it first appeared, except that a field that was null and becomes an object
  moves to where it became one (ocdsmerge builds its result from leaf paths, and a null leaf builds nothing);
- a value arriving where an earlier release put an object or array of objects changes nothing.
"""

from __future__ import annotations

from typing import Any

OMIT, WHOLE = "omitWhenMerged", "wholeListMerge"
_MISSING = object()

Trie = dict[str, tuple["str | None", "Trie | None"]]


class Unsupported(Exception):
    """The releases need ocdsmerge's own handling (see the module's docstring)."""


class _Obj(dict):
    """An object of the result (as opposed to an object that is a field's whole value)."""

    cont: set[str] | None = None  # its fields that hold objects or arrays of objects of the result
    nulled: set[str] | None = None  # fields that were null before they became objects


class _Arr(list):
    """An array of objects of the result, with its objects by ``id``."""

    __slots__ = ("ids",)

    def __init__(self):
        super().__init__()
        self.ids: dict[str, tuple[_Obj, type]] = {}


def rules_trie(merge_rules: dict[tuple[str, ...], str]) -> Trie:
    """ocdsmerge's merge rules (field path -> rule) as nested dicts: key -> (rule, rules below it)."""
    trie: Trie = {}
    for path, rule in merge_rules.items():
        node = trie
        for i, key in enumerate(path):
            last = i == len(path) - 1
            old_rule, sub = node.get(key, (None, None))
            if last:
                node[key] = (rule, sub)
            else:
                if sub is None:
                    sub = {}
                node[key] = (old_rule, sub)
                node = sub
    return trie


def compile_fast(releases: list[dict], trie: Trie) -> dict:
    """The compiled release of ``releases`` (of one ocid), as ocdsmerge makes it; raises Unsupported."""
    from ocdsmerge.util import sorted_releases  # the same order and the same errors as ocdsmerge

    out = _Obj()
    out["tag"] = ["compiled"]
    for release in sorted_releases(releases):
        ocid, date = release.get("ocid"), release.get("date")
        if type(ocid) in (dict, list):
            raise Unsupported
        out["id"] = f"{ocid}-{date}"
        out["date"] = date
        out["ocid"] = ocid
        if len(out) == 4:  # the first release: nothing to merge with
            _fill(out, release, trie)
        else:
            _merge(out, release, trie)
    return _finish(out)


def _fill(node: _Obj, src: dict, trie: Trie | None) -> _Obj:
    """``_merge`` into an object none of whose fields ``src`` holds yet (bar the same scalar ``id``/``ocid``):
    no field to compare with, so values are placed and objects filled the same way."""
    for key, value in src.items():
        tv = type(value)
        sub = None
        if trie is not None and key in trie:
            rule, sub = trie[key]
            if rule == OMIT:
                continue
            if rule == WHOLE:
                node[key] = value
                continue
        if tv is dict:
            if value:
                child = _fill(_Obj(), value, sub)
                if child:
                    node[key] = child
                    if node.cont is None:
                        node.cont = set()
                    node.cont.add(key)
        elif tv is list:
            if not value:
                continue
            for i in value:
                if not isinstance(i, dict):
                    node[key] = value
                    break
            else:
                arr = _Arr()
                _merge_array(arr, value, sub)
                if arr:
                    node[key] = arr
                    if node.cont is None:
                        node.cont = set()
                    node.cont.add(key)
        else:
            node[key] = value
    return node


def _merge(node: _Obj, src: dict, trie: Trie | None) -> None:
    for key, value in src.items():
        tv = type(value)
        if trie is not None and key in trie:
            rule, sub = trie[key]
            if rule == OMIT:
                continue
            if rule == WHOLE:
                _leaf(node, key, value)
                continue
        else:
            sub = None
        if tv is dict:
            if value:
                _object(node, key, value, sub, _Obj)
        elif tv is list:
            if not value:
                continue
            for i in value:
                if not isinstance(i, dict):
                    _leaf(node, key, value)
                    break
            else:
                _object(node, key, value, sub, _Arr)
        elif node.cont is not None and key in node.cont:
            _leaf(node, key, value)
        else:
            node[key] = value


def _leaf(node: _Obj, key: str, value: Any) -> None:
    if node.cont is not None and key in node.cont:
        if value is not None and node.nulled and key in node.nulled:
            raise Unsupported  # ocdsmerge would place the value where the null was, then fail
        return  # ocdsmerge's result keeps the object: the value is never placed
    node[key] = value


def _object(node: _Obj, key: str, value: Any, trie: Trie | None, kind: type) -> None:
    """Merge an object or an array of objects into the field ``key`` of ``node``."""
    fill = _merge if kind is _Obj else _merge_array
    cur = node.get(key, _MISSING)
    if type(cur) is kind:
        fill(cur, value, trie)
        return
    if cur is None:
        del node[key]  # null, now an object: it goes where it became one
        if node.nulled is None:
            node.nulled = set()
        node.nulled.add(key)
    elif cur is not _MISSING:
        raise Unsupported  # a value, or an object where an array was (or the reverse)
    new = node[key] = kind()
    (_fill if kind is _Obj else _merge_array)(new, value, trie)
    if not new:  # nothing below it to place (only empty objects and arrays): ocdsmerge builds nothing
        if cur is None:
            raise Unsupported  # and the null keeps its first place, which is gone
        del node[key]
        return
    if node.cont is None:
        node.cont = set()
    node.cont.add(key)


def _merge_array(arr: _Arr, items: list[dict], trie: Trie | None) -> None:
    seen: set[str] = set()
    for item in items:
        if not item:
            continue
        if "id" in item:
            ident = item["id"]
            t = type(ident)
            if t is str:
                k = ident
            elif t is int:
                k = str(ident)
            else:
                raise Unsupported
            if k in seen:
                raise Unsupported  # a repeated id within one release (ocdsmerge warns and merges them)
            seen.add(k)
            hit = arr.ids.get(k)
            if hit is None:
                obj = _Obj()
                obj["id"] = ident
                arr.append(obj)
                arr.ids[k] = (obj, t)
                _fill(obj, item, trie)
                continue
            obj, t0 = hit
            if t0 is not t:
                raise Unsupported
        else:
            obj = _Obj()
            arr.append(obj)
            _fill(obj, item, trie)
            if not obj:
                arr.pop()  # nothing placed: ocdsmerge builds no object
            continue
        _merge(obj, item, trie)


def _finish(node: _Obj) -> dict:
    """Plain dicts and lists, fields that ended null left out."""
    cont = node.cont
    if cont is None:
        return {k: v for k, v in node.items() if v is not None}
    return {k: ((_finish(v) if type(v) is _Obj else [_finish(o) for o in v]) if k in cont else v)
            for k, v in node.items() if v is not None}
