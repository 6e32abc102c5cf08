"""tenderscan.interrupt: a Ctrl-C is recorded while a command runs, and deferred to safe points where a
KeyboardInterrupt raised inside a lock would hang a process pool (`ingest --jobs`)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tenderscan import interrupt

pytestmark = pytest.mark.usefixtures("ctrl_c")  # Python's SIGINT handler, even if this process began without


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.5)  # the handler runs at the next bytecode, well before this ends


def test_outside_a_command_nothing_changes():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        _ctrl_c()
    assert not interrupt.pressed()
    interrupt.check()  # never raises outside catching()


def test_a_ctrl_c_swallowed_in_a_command_is_raised_again_by_check():
    with interrupt.catching():
        try:
            _ctrl_c()
        except KeyboardInterrupt:
            pass  # what pydantic's serializer or a broad `except` would do
        assert interrupt.pressed()
        with pytest.raises(KeyboardInterrupt):
            interrupt.check()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not interrupt.pressed()


def test_deferred_records_a_ctrl_c_and_check_raises_it_at_a_safe_point():
    with interrupt.catching():
        reached = []
        with pytest.raises(KeyboardInterrupt):
            with interrupt.deferred():
                _ctrl_c()  # recorded, not raised: a lock held here would be released by its `with`
                reached.append("after the signal")
                interrupt.check()
                reached.append("never")
        assert reached == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_leaving_deferred_raises_a_ctrl_c_the_block_never_checked():
    with pytest.raises(KeyboardInterrupt):
        with interrupt.deferred():
            _ctrl_c()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    interrupt.check()  # the Ctrl-C was raised once: nothing is left recorded
