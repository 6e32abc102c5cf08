"""Ctrl-C that no code on the way can swallow.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the main thread happens to be. Where that is inside
code that wraps errors (pydantic's serializer turns it into a ``PydanticSerializationError``) and the batch
loops then turn that error into one bad document, a Ctrl-C would be counted as a failed input and the
command would go on. While a command runs (:func:`catching`, entered by the CLI), a Ctrl-C is also
recorded; the batch loops call :func:`check` after each document and where an error is turned into a
failure, and raise ``KeyboardInterrupt`` if one was pressed. Outside :func:`catching` (library use) nothing
changes: :func:`check` never raises.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_pressed = threading.Event()


def _on_sigint(signum: int, frame: object) -> None:
    _pressed.set()
    raise KeyboardInterrupt


@contextmanager
def catching() -> Iterator[None]:
    """Record Ctrl-C while the block runs (in the main thread, where Python's own handler is installed);
    the handler before it is put back after."""
    own = threading.current_thread() is threading.main_thread() and \
        signal.getsignal(signal.SIGINT) is signal.default_int_handler
    _pressed.clear()
    if own:
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        if own:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        _pressed.clear()


def pressed() -> bool:
    """Ctrl-C was pressed while :func:`catching` ran."""
    return _pressed.is_set()


def check() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed (and swallowed on the way)."""
    if _pressed.is_set():
        raise KeyboardInterrupt
