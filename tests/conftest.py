from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ZAKUPKI = FIXTURES / "zakupki"

# tests never touch the user's real store or the real portals
os.environ.setdefault("TENDERSCAN_ZAKUPKI_URL", "http://127.0.0.1:9")
os.environ.setdefault("TENDERSCAN_PROZORRO_URL", "http://127.0.0.1:9")
os.environ.setdefault("TENDERSCAN_TED_URL", "http://127.0.0.1:9")
os.environ.setdefault("TENDERSCAN_CBR_URL", "http://127.0.0.1:9")
os.environ.setdefault("TENDERSCAN_PACE", "0")  # the portal's pace (3 s a request) is tested with a fake clock
os.environ["COLUMNS"] = "200"


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    """Every test gets its own empty store directory."""
    monkeypatch.setenv("TENDERSCAN_STORE", str(tmp_path / "store"))


@pytest.fixture
def ctrl_c():
    """Ctrl-C as a terminal gives it: Python's handler, for a test that sends SIGINT to this process. A test
    process can start with SIGINT ignored (a job started with `&` by a non-interactive shell, as a CI script
    may be), and a SIGINT then does nothing at all."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def sigint_as_a_terminal_gives_it() -> None:
    """``preexec_fn`` of a command a test interrupts: SIGINT at its default disposition whatever this
    process's is (see :func:`ctrl_c`), so that Python in the child installs its handler."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(autouse=True)
def _sigint_kept():
    """No test leaves the test process's Ctrl-C handling changed: a SIGINT ignored here would be inherited by
    every command a later test starts, which then could not be interrupted (the Ctrl-C tests)."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    yield
    after = signal.getsignal(signal.SIGINT)
    if after is not before:
        signal.signal(signal.SIGINT, before)
        pytest.fail(f"the test changed the SIGINT handler ({before!r} -> {after!r})")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(*args: str, input: bytes | str | None = None, env: dict | None = None):
    """Invoke the CLI in-process; returns the click Result (exit_code, stdout, stderr separately)."""
    from tenderscan.cli import app

    return CliRunner().invoke(app, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def cli():
    return run


# --- local servers that play the portals ------------------------------------------------------------------


@contextlib.contextmanager
def local_server(*, threaded: bool = True) -> Iterator[HTTPServer]:
    """A real HTTP server on 127.0.0.1 (pytest-httpserver) that plays a portal; stopped on exit."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=threaded)
    srv.start()
    try:
        yield srv
    finally:
        srv.clear()
        if srv.is_running():
            srv.stop()


@pytest.fixture(scope="module")
def portal_server() -> Iterator[HTTPServer]:
    """One local server per test module (starting one per test is slow); `point_at` clears it per test."""
    with local_server() as srv:
        yield srv


def fast_retries(monkeypatch, *, retries: int = 2, retry_max: float = 1, timeout: float = 5) -> None:
    """Retries and back-off short enough for tests (the client's real defaults wait seconds)."""
    monkeypatch.setenv("TENDERSCAN_RETRY_BASE", "0.01")
    monkeypatch.setenv("TENDERSCAN_RETRY_MAX", str(retry_max))
    monkeypatch.setenv("TENDERSCAN_RETRIES", str(retries))
    monkeypatch.setenv("TENDERSCAN_TIMEOUT", str(timeout))


def point_at(monkeypatch, server: HTTPServer, env: str, **retry) -> HTTPServer:
    """Point a portal's base URL (`env`, e.g. TENDERSCAN_ZAKUPKI_URL) at `server`, emptied of earlier
    tests' expectations and log, with fast retries."""
    server.clear()
    monkeypatch.setenv(env, server.url_for("/").rstrip("/"))
    fast_retries(monkeypatch, **retry)
    return server


def read_outcomes(sources, *, resolver=None, **options):
    """Every input of SOURCEs read on its own (documents.batch.read_input): the per-input view, with the
    failed inputs and a stream's own errors, which `read()`'s batch gathers into its failures instead."""
    from tenderscan.documents.batch import ReadOptions, read_input
    from tenderscan.documents.inputs import iter_inputs

    opts = ReadOptions(**options)
    return (read_input(inp, opts) for inp in iter_inputs(list(sources), resolver=resolver))
