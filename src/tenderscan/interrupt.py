"""Ctrl-C that no code on the way can swallow.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the main thread happens to be. Where that is inside
code that wraps errors (pydantic's serializer turns it into a ``PydanticSerializationError``) and the batch
loops then turn that error into one bad document, a Ctrl-C would be counted as a failed input and the
command would go on. While a command runs (:func:`catching`, entered by the CLI), a Ctrl-C is also
recorded; the batch loops call :func:`check` after each document and where an error is turned into a
failure, and raise ``KeyboardInterrupt`` if one was pressed. Outside :func:`catching` (library use) nothing
changes: :func:`check` never raises.

:func:`deferred` is for code that waits on locks while other threads need them (``ingest --jobs``: the
process pool's futures): a ``KeyboardInterrupt`` raised between a lock's acquire and the ``with`` that
releases it leaves the lock held (CPython's bpo-29988), the pool's thread then waits for it forever and so
does the ``shutdown`` that joins that thread (seen: a Ctrl-C of ``ingest --jobs 2`` hung). Inside
:func:`deferred` a Ctrl-C is only recorded, and :func:`check`, called at the loop's safe points, raises it.
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


def _record(signum: int, frame: object) -> None:
    _pressed.set()


@contextmanager
def deferred() -> Iterator[None]:
    """Inside the block a Ctrl-C is recorded, not raised: the block calls :func:`check` where raising is
    safe. Leaving the block restores the handler before it (and raises the Ctrl-C if the block never
    checked). Only in the main thread, and only over Python's or :func:`catching`'s handler."""
    previous = signal.getsignal(signal.SIGINT)
    own = threading.current_thread() is threading.main_thread() and \
        previous in (signal.default_int_handler, _on_sigint)
    if own:
        signal.signal(signal.SIGINT, _record)
    try:
        yield
    finally:
        if own:
            signal.signal(signal.SIGINT, previous)
    if _pressed.is_set():
        if previous is not _on_sigint:  # not inside catching(): the record was this block's own
            _pressed.clear()
        raise KeyboardInterrupt


def pressed() -> bool:
    """Ctrl-C was pressed while :func:`catching` ran."""
    return _pressed.is_set()


def check() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed (and swallowed on the way)."""
    if _pressed.is_set():
        raise KeyboardInterrupt
