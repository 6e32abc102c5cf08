"""JSON text for OCDS with exact amounts: a ``Decimal`` is written as the JSON number of its own digits.

OCDS amounts are JSON numbers (``Value.amount`` is ``number``); going through ``float`` would round
``1840283.61`` to the nearest double, which prints the same here but not for every amount (a 19-digit
total, a unit price of ``0.94768`` times a quantity...). Python's ``json`` cannot write a ``Decimal`` as a
number, so this small writer does: everything else is written as ``json.dumps`` writes it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterator

from ...errors import UsageError


def number(value: Decimal) -> str:
    """A finite Decimal as a JSON number: its digits as written (``1E+3`` and ``0.00`` are JSON numbers)."""
    if not value.is_finite():
        raise UsageError(f"an amount that is not a number ({value}) cannot be written as OCDS JSON")
    text = str(value)
    return text if "E" not in text else text.replace("E", "e")


def _parts(value: Any, indent: int | None, level: int) -> Iterator[str]:
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        pad, inner = _pads(indent, level)
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ("," if i else "") + inner + json.dumps(str(key), ensure_ascii=False) + (": " if indent else ":")
            yield from _parts(item, indent, level + 1)
        yield pad + "}"
    elif isinstance(value, (list, tuple)):
        if not value:
            yield "[]"
            return
        pad, inner = _pads(indent, level)
        yield "["
        for i, item in enumerate(value):
            yield ("," if i else "") + inner
            yield from _parts(item, indent, level + 1)
        yield pad + "]"
    elif isinstance(value, Decimal):
        yield number(value)
    else:
        yield json.dumps(value, ensure_ascii=False)


def _pads(indent: int | None, level: int) -> tuple[str, str]:
    if not indent:
        return "", ""
    return "\n" + " " * (indent * level), "\n" + " " * (indent * (level + 1))


def dumps(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON text (UTF-8 characters unescaped); decimals as exact numbers."""
    return "".join(_parts(value, indent, 0))
