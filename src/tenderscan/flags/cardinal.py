"""Flags as the object Cardinal's ``indicators`` command prints (without its ``Meta`` key).

``{"OCID": {ocid: {"R003": 1.0}}, "Buyer": {...}, "ProcuringEntity": {...}, "Tenderer": {...}}``: a group
appears only when it has results, an id only with the indicators it raised, each value a float.
:func:`to_cardinal_json` writes it byte for byte as Cardinal does (serde_json: compact, UTF-8 unescaped,
floats in ryu's shortest form: ``1.0``, ``0.16666666666666666``, ``1e16``, ``1e-7``; NaN and infinities as
``null``).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any, Iterable

from .types import GROUP_ORDER, Flag


def to_cardinal(flags: Iterable[Flag], meta: dict[str, dict[str, float]] | None = None) -> dict[str, Any]:
    """The result object; with ``meta`` (``FlagEngine.meta()``) it gains Cardinal's ``Meta`` key."""
    groups: dict[str, dict[str, dict[str, float]]] = {}
    for flag in flags:
        groups.setdefault(flag.group.value, {}).setdefault(flag.id, {})[flag.indicator] = float(flag.value)
    out: dict[str, Any] = {}
    for group in GROUP_ORDER:
        if group.value in groups:
            out[group.value] = {i: dict(sorted(v.items())) for i, v in groups[group.value].items()}
    if meta is not None:
        out["Meta"] = meta
    return out


def to_cardinal_json(flags: Iterable[Flag], meta: dict[str, dict[str, float]] | None = None) -> str:
    """The result object as Cardinal's JSON text (one line, no trailing newline)."""
    parts: list[str] = []
    _write(to_cardinal(flags, meta), parts)
    return "".join(parts)


def format_float(value: float) -> str:
    """A double as serde_json writes it (ryu's format64)."""
    if not math.isfinite(value):
        return "null"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return f"{sign}0.0"
    digits_tuple = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digits_tuple.digits)).rstrip("0")
    exponent = int(digits_tuple.exponent) + (len(digits_tuple.digits) - len(digits))
    digits = digits.lstrip("0")
    length = len(digits)
    kk = length + exponent  # 10^(kk-1) <= value < 10^kk
    if 0 <= exponent and kk <= 16:
        body = digits + "0" * exponent + ".0"
    elif 0 < kk <= 16:
        body = f"{digits[:kk]}.{digits[kk:]}"
    elif -5 < kk <= 0:
        body = "0." + "0" * -kk + digits
    elif length == 1:
        body = f"{digits}e{kk - 1}"
    else:
        body = f"{digits[0]}.{digits[1:]}e{kk - 1}"
    return sign + body


def _write(value: Any, parts: list[str]) -> None:
    if isinstance(value, dict):
        parts.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                parts.append(",")
            parts.append(json.dumps(str(key), ensure_ascii=False))
            parts.append(":")
            _write(item, parts)
        parts.append("}")
    elif isinstance(value, bool) or value is None:
        parts.append(json.dumps(value))
    elif isinstance(value, float):
        parts.append(format_float(value))
    elif isinstance(value, int):
        parts.append(str(value))
    else:
        parts.append(json.dumps(value, ensure_ascii=False))
