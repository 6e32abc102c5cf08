"""Typed OCDS values that are not what their field holds: the field fails, not the process.

Real publishers write ``n/a``, ``30/052017`` or ``20/12/2016.`` where a date belongs, text where a number
belongs. :class:`Faults` reads each typed field (dates, numbers, booleans) of one compiled release; a value it
cannot read leaves that field empty and is remembered with the object holding it. :meth:`Faults.report`
then names each such field by its path in the release (``awards[0].documents[1].datePublished``), found by
walking the release once, only when something failed: reading stays as fast as before on good data.

In the document they become ``extra["invalid_values"]`` (path -> the value as published) and one warning per
field in ``extra["warnings"]``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...errors import ParseError
from ...values import to_decimal, to_quantity

INVALID_KEY = "invalid_values"
_KIND_NAMES = {"date": "a date", "number": "a number", "boolean": "true or false"}


class Faults:
    """The typed values of one release, read field by field; see the module's docstring."""

    __slots__ = ("found", "_when")

    def __init__(self, when):
        self.found: list[tuple[Any, str, Any, str]] = []  # (object holding the field, key, raw value, kind)
        self._when = when  # the mapping's cached date reader

    def date(self, parent: Any, key: str):
        if type(parent) is not dict:
            return None
        value = parent.get(key)
        if value is None:
            return None
        if type(value) is str:
            try:
                return self._when(value)
            except ParseError:
                pass
        self.found.append((parent, key, value, "date"))
        return None

    def number(self, parent: Any, key: str, *, quantity: bool = False) -> Decimal | None:
        if type(parent) is not dict:
            return None
        value = parent.get(key)
        if value is None:
            return None
        try:
            return to_quantity(value) if quantity else to_decimal(value, field=key)
        except ParseError:
            self.found.append((parent, key, value, "number"))
            return None

    def item_number(self, parent: list, index: int) -> Decimal | None:
        """A number that is an array's item (a GeoJSON coordinate)."""
        value = parent[index]
        try:
            return to_decimal(value)
        except ParseError:
            self.found.append((parent, str(index), value, "number"))
            return None

    def boolean(self, parent: Any, key: str) -> bool | None:
        if type(parent) is not dict:
            return None
        value = parent.get(key)
        if value is None or type(value) is bool:
            return value
        if type(value) is str and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.found.append((parent, key, value, "boolean"))
        return None

    def mark(self) -> int:
        return len(self.found)

    def since(self, mark: int) -> bool:
        """Whether a value failed since :meth:`mark`."""
        return len(self.found) > mark

    def report(self, release: dict) -> tuple[dict[str, Any], list[str]]:
        """(path -> value as published, warnings) of the fields that failed, paths found in ``release``."""
        if not self.found:
            return {}, []
        paths = _paths_of({id(p) for p, _, _, _ in self.found}, release)
        values: dict[str, Any] = {}
        notes: list[str] = []
        for parent, key, raw, kind in self.found:
            base = paths.get(id(parent))
            where = (f"{base}[{key}]" if isinstance(parent, list) else f"{base}.{key}" if base else key) \
                if base is not None else key
            if where in values:
                continue
            values[where] = raw
            shown = repr(raw if not isinstance(raw, Decimal) else str(raw))
            notes.append(f"{where}: {shown[:60]} is not {_KIND_NAMES[kind]}; the field is left empty "
                         f"(the value as published is in extra['{INVALID_KEY}'])")
        return values, notes


def _paths_of(wanted: set[int], root: Any) -> dict[int, str]:
    """The path of each object whose id is in ``wanted`` (``awards[0].value``), in one walk of ``root``."""
    out: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack and len(out) < len(wanted):
        node, path = stack.pop()
        if id(node) in wanted and id(node) not in out:
            out[id(node)] = path
        if type(node) is dict:
            for k, v in node.items():
                if type(v) is dict or type(v) is list:
                    stack.append((v, f"{path}.{k}" if path else str(k)))
        elif type(node) is list:
            for i, v in enumerate(node):
                if type(v) is dict or type(v) is list:
                    stack.append((v, f"{path}[{i}]"))
    return out

