"""The two consoles and the lines on stderr: the only place tenderscan writes to a terminal.

Data goes to stdout (:func:`out_console` for tables, the writers of :mod:`tenderscan.render.writers` for the
rest); progress, summaries, warnings and errors go to :data:`err`, a stderr console that never hard-wraps
(``soft_wrap``: the terminal wraps a long line at its own width). :data:`state` holds what the global
options ask of the output (``--quiet``, ``--debug``); the CLI sets it once, before any command runs.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from dataclasses import dataclass
from typing import Iterable

from rich.console import Console
from rich.segment import Segment

from ..documents.batch import Failure


@dataclass
class OutputState:
    debug: bool = False  # --debug: tracebacks before the one-line errors
    quiet: bool = False  # --quiet: only errors on stderr (no progress, summaries or warnings)


state = OutputState()

# control characters (ESC sequences can retitle, recolour or rewrite a terminal) and bidi overrides (they
# reorder what follows on the line): documents and file names may carry them; what we print may not
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class SafeConsole(Console):
    """A console that shows control characters and bidi overrides in text as U+FFFD instead of sending them
    to the terminal (rich's own styling codes are control segments, untouched)."""

    def render(self, renderable, options=None):
        for seg in super().render(renderable, options):
            if not seg.control and _UNSAFE.search(seg.text):
                seg = Segment(_UNSAFE.sub("\ufffd", seg.text), seg.style, seg.control)
            yield seg


err = SafeConsole(stderr=True, soft_wrap=True, highlight=False)


def out_console() -> Console:
    """A console for tables on stdout (wide when stdout is not a terminal, so pipes are not wrapped)."""
    if sys.stdout.isatty():
        return SafeConsole(soft_wrap=False, highlight=False)
    return SafeConsole(width=int(os.environ.get("COLUMNS", "160")), highlight=False, soft_wrap=False,
                       force_terminal=False)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def out_line(text: str) -> None:
    """One line of data on stdout (e.g. the version)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def warn(message: str) -> None:
    if not state.quiet:
        err.print(f"warning: {message}", markup=False)


def info(message: str) -> None:
    if not state.quiet:
        err.print(message, markup=False)


def error_line(message: str) -> None:
    err.print(f"error: {message}", markup=False)


def stderr_line(message: str) -> None:
    """A line on stderr even with --quiet (e.g. "interrupted")."""
    err.print(message, markup=False)


def progress_enabled() -> bool:
    return not state.quiet and err.is_terminal


def print_traceback(exc: BaseException) -> None:
    """With --debug: the traceback of an error, with the exception it was raised from or while handling
    (the one-line errors hide it: ``raise ... from None``)."""
    exc.__suppress_context__ = False
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    err.print(text.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)


def print_failures(failures: Iterable[Failure]) -> None:
    """One line per failed input (with --debug, its traceback first)."""
    for f in failures:
        if state.debug and f.detail:
            err.print(f.detail.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)
        error_line(f.message)


def silence_stdout() -> None:
    """After a closed pipe (``| head``): whatever is still buffered for stdout goes nowhere, quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
