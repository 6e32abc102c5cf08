"""Shared pieces of the hostile-input tests: a canary file, a server that counts every request, and the
constructed hostile fixtures with their placeholders filled in."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import FIXTURES, local_server

HOSTILE = FIXTURES / "hostile"
CANARY_TEXT = "CANARY-7f3a9c-never-in-any-output"


@pytest.fixture
def canary(tmp_path) -> Path:
    """A local file no document may ever make tenderscan read: its text must never appear in any output."""
    p = tmp_path / "canary.txt"
    p.write_text(CANARY_TEXT + "\n")
    return p


@pytest.fixture(scope="module")
def _server():
    with local_server() as srv:
        yield srv


@pytest.fixture
def counting_server(_server) -> HTTPServer:
    """A local server that answers any request with something an attack would want (an entity, a DTD);
    ``len(server.log)`` is how many requests reached it."""
    _server.clear()
    _server.expect_request(re.compile(".*")).respond_with_data(
        f'<!ENTITY xxe "{CANARY_TEXT}"><!ENTITY % more "">', content_type="application/xml-dtd"
    )
    return _server


def hostile(name: str, *, canary: Path | None = None, server: HTTPServer | None = None) -> bytes:
    """A constructed hostile fixture, with `/CANARY` and `127.0.0.1:PORT` pointed at this test's canary
    file and counting server."""
    data = (HOSTILE / name).read_bytes()
    if canary is not None:
        data = data.replace(b"/CANARY", str(canary).encode())
    if server is not None:
        data = data.replace(b"127.0.0.1:PORT", f"127.0.0.1:{server.port}".encode())
        data = data.replace(b"127.0.0.1:9/", f"127.0.0.1:{server.port}/".encode())
    return data


class Timer:
    """The CPU time of a block (this process's, every thread): tests assert a generous bound, the point
    being that nothing is expanded. CPU, not wall time: on a shared machine at a load of 8 a refusal that
    takes 2 s of CPU took 14 s of wall time, and an expansion would burn CPU however loaded the machine."""

    def __enter__(self) -> Timer:
        self.start = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.process_time() - self.start
