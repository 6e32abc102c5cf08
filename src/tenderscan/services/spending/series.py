"""Helpers on the frames' columns shared by the filters, the groups and the store's frames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import pandas as pd


def okpd2_at_depth(code: str | None, depth: int) -> str | None:
    """``26.40.33.110`` at depth 4 is ``26.40``; the depth counts digits."""
    if not isinstance(code, str) or not code:
        return None
    digits = "".join(ch for ch in code.split("-")[0] if ch.isdigit())[:depth]
    return ".".join(p for p in (digits[0:2], digits[2:4], digits[4:6], digits[6:]) if p) or None


def map_unique(series: "pd.Series", fn: Callable[[Any], Any], default: Any = None) -> "pd.Series":
    """``series.map(fn)`` calling ``fn`` once per distinct value (item names and codes repeat a lot)."""
    values = series.dropna().unique()
    out = series.map({v: fn(v) for v in values})
    if default is None:
        return out
    out = out.astype(object)
    return out.where(out.notna(), default).astype(type(default))
