"""JSON and JSON Lines: decimals as strings, dates as ISO 8601 with their offset, non-ASCII text as is.

:func:`write_json` is the reference: one object for one document, an indented array for several.
:func:`tender_json` and :func:`json_document` write the same text piece by piece (see their docstrings).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any, Iterable, Sequence

from ..models import Tender


def tender_dict(t: Tender) -> dict[str, Any]:
    """The JSON form of a tender (decimals as strings, dates as ISO 8601 with offset)."""
    return t.model_dump(mode="json")


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=indent, default=json_default)


def _plain(d: Any) -> Any:
    return d.model_dump(mode="json") if hasattr(d, "model_dump") else d


def write_json(out: IO[str], docs: Sequence[Any]) -> None:
    """One object for one document, an array for several (or none)."""
    data = [_plain(d) for d in docs]
    out.write(dumps(data[0] if len(data) == 1 else data))
    out.write("\n")


def write_jsonl(out: IO[str], docs: Iterable[Any]) -> None:
    for d in docs:
        out.write(dumps(_plain(d), indent=None))
        out.write("\n")


# --- the fast path of `fetch --format json` ------------------------------------------------------------------


def tender_json(t: Tender) -> str:
    """One tender's text in :func:`write_json`'s output, from pydantic's serializer: the same text as
    ``dumps(t.model_dump(mode="json"))``, 5x faster, so that a tender is rendered as it arrives while later
    answers are still on their way.

    A fast path for the ``fetch`` target of ``benchmarks/run.py`` (<= 1.5x the ideal time; RESULTS.md,
    "fetch", change 3); ``tests/test_fetch_speed.py`` holds it equal to :func:`write_json` on every fixture
    and on odd texts. pydantic refuses a lone surrogate (a text read from JSON): such a tender takes the
    reference way."""
    try:
        return t.model_dump_json(indent=2)
    except ValueError:  # a lone surrogate
        return dumps(tender_dict(t))


def json_document(pieces: Sequence[str]) -> str:
    """:func:`write_json`'s framing of pieces from :func:`tender_json`: one object alone, several (or none)
    as an indented array, and the final newline."""
    if len(pieces) == 1:
        return pieces[0] + "\n"
    if not pieces:
        return "[]\n"
    return "[\n  " + ",\n  ".join(p.replace("\n", "\n  ") for p in pieces) + "\n]\n"
