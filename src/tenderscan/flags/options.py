"""The kinds of value a Cardinal settings file holds, each parsed the way Cardinal's settings reader does.

Cardinal reads its INI file with the ``config`` crate and deserialises the strings into typed fields: an
``i64`` threshold accepts ``-3``, a ``usize`` refuses it, a float accepts ``1`` as 1.0, a boolean accepts
``true/false/yes/no/on/off/1/0``, and a list is one string split on ``|`` (Rust's ``split_terminator``: a
trailing ``|`` adds no empty entry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

_INTEGER = re.compile(r"[+-]?[0-9]+")
_NATURAL = re.compile(r"\+?[0-9]+")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


class OptionValueError(ValueError):
    """A setting's text is not a value of its kind; the message says which kind was expected."""


def split_pipes(text: str) -> tuple[str, ...]:
    """``open|selective`` -> ("open", "selective"); ``""`` -> (); ``"a|"`` -> ("a",) (as split_terminator)."""
    parts = text.split("|")
    if parts and parts[-1] == "":
        parts.pop()
    return tuple(parts)


def _integer(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise OptionValueError("an integer")
    return int(text)


def _natural(text: str) -> int:
    if not _NATURAL.fullmatch(text):
        raise OptionValueError("a natural number (0, 1, 2, ...)")
    return int(text)


def _decimal(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise OptionValueError("a decimal number, like 0.05") from None


def _boolean(text: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise OptionValueError("true or false")


def _pipes(text: str) -> frozenset[str]:
    return frozenset(split_pipes(text))


def _text(text: str) -> str:
    return text


@dataclass(frozen=True)
class Kind:
    """A kind of setting value: its name in error messages and its parser."""

    name: str
    parse: Callable[[str], Any]


INTEGER = Kind("integer", _integer)  # Rust i64 (R003 thresholds: whole days)
NATURAL = Kind("natural number", _natural)  # Rust usize (counts, digits, percentiles)
DECIMAL = Kind("decimal", _decimal)  # Rust f64 (ratios, fences)
BOOLEAN = Kind("boolean", _boolean)
PIPES = Kind("pipe-separated list", _pipes)  # e.g. open|selective
TEXT = Kind("text", _text)
