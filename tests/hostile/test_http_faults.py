"""HTTP faults beyond the fetch tests: a connection reset mid-body, a Content-Length that lies both ways, a
corrupt gzip body, broken chunked encoding, a redirect loop, a redirect to another host (never followed
silently), and a 200 that carries another registry number's document (refused, never stored under the number
asked). Each ends in one line with the network (5) or parse (3) exit code, and nothing half-read is stored.

pytest-httpserver serves what a well-behaved server can say; a raw socket server in a thread says what no
well-behaved server would."""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading
from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer

from tenderscan.store import Store
from tests.conftest import FIXTURES, ZAKUPKI, fast_retries, point_at, run

NOTICE = "0362100022326000101"
NOTICE_XML = (ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml").read_bytes()
OTHER = "0320100007621000014"
OTHER_XML = (ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml").read_bytes()
CONTRACT_XML = (ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml").read_bytes()
NOTICE_PATH = "/epz/order/notice/printForm/viewXml.html"
CONTRACT_PATH = "/epz/contract/printForm/viewXml.html"
FILESTORE = "/44fz/filestore/public/1.0/download/priz/file.html"
XML = "application/xml; charset=utf-8"


class RawServer:
    """A TCP server on 127.0.0.1 whose handler gets the socket after the request head is read."""

    def __init__(self, handler: Callable[[socket.socket, bytes], None]):
        self.handler = handler
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            conn.settimeout(5)
            try:
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                self.requests += 1
                self.handler(conn, head)
            except OSError:
                pass

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def reset(conn: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


RETRY = {"retries": 2, "retry_max": 0.05, "timeout": 3}


@pytest.fixture
def fast(monkeypatch):
    fast_retries(monkeypatch, **RETRY)


@pytest.fixture
def raw(fast, monkeypatch):
    servers: list[RawServer] = []

    def make(handler) -> RawServer:
        srv = RawServer(handler)
        servers.append(srv)
        monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", srv.url)
        return srv

    yield make
    for s in servers:
        s.close()


@pytest.fixture
def portal(portal_server, monkeypatch):
    return point_at(monkeypatch, portal_server, "TENDERSCAN_ZAKUPKI_URL", **RETRY)


def fetch(*args: str):
    return run("fetch", "--rate", "0", "--format", "json", *args)


def stored() -> int:
    with Store.open() as st:
        assert st.integrity_check() == "ok"
        return st.count()


def one_error_line(r) -> str:
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    return lines[0]


# --- broken transfers ---------------------------------------------------------------------------------------


def test_connection_reset_mid_body(raw):
    def handler(conn, _):
        conn.sendall(head(Content_Type=XML, Content_Length=str(len(NOTICE_XML))) + NOTICE_XML[:3000])
        reset(conn)

    srv = raw(handler)
    r = fetch(NOTICE)
    assert r.exit_code == 5, r.stderr
    assert "reset" in one_error_line(r).lower()
    assert srv.requests == 3, "one try and two retries"
    assert stored() == 0


def test_content_length_shorter_than_the_body_gives_a_cut_document(raw):
    """The header says 3,000 bytes, the server sends the whole document: the client reads 3,000 bytes,
    which is a truncated document, refused as such, not stored."""

    def handler(conn, _):
        conn.sendall(head(Content_Type=XML, Content_Length="3000") + NOTICE_XML)

    raw(handler)
    r = fetch(NOTICE)
    assert r.exit_code == 3, r.stderr
    assert "truncated" in one_error_line(r)
    assert stored() == 0


BROKEN_BODIES = {
    "content_length_longer_than_the_body":
        head(Content_Type=XML, Content_Length=str(len(NOTICE_XML) + 5000)) + NOTICE_XML,
    "broken_chunked_encoding":
        head(Content_Type=XML, Transfer_Encoding="chunked") + b"ffff\r\n" + NOTICE_XML[:500]
        + b"\r\nzz-not-a-size\r\n",
}


@pytest.mark.parametrize("answer", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_a_body_that_ends_before_its_framing_says(raw, answer):
    def handler(conn, _):
        conn.sendall(answer)
        conn.shutdown(socket.SHUT_WR)

    raw(handler)
    r = fetch(NOTICE)
    assert r.exit_code == 5, r.stderr
    one_error_line(r)
    assert stored() == 0


def test_corrupt_gzip_body(portal):
    body = gzip.compress(NOTICE_XML)
    body = body[:200] + bytes(b ^ 0x5A for b in body[200:260]) + body[260:]
    portal.expect_request(NOTICE_PATH).respond_with_data(
        body, content_type=XML, headers={"Content-Encoding": "gzip"}
    )
    r = fetch(NOTICE)
    assert r.exit_code == 5, r.stderr
    assert "DecodingError" in one_error_line(r) or "decod" in one_error_line(r).lower()
    assert stored() == 0


def test_gzip_body_that_is_not_gzip(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data(
        NOTICE_XML, content_type=XML, headers={"Content-Encoding": "gzip"}
    )
    r = fetch(NOTICE)
    assert r.exit_code == 5, r.stderr
    one_error_line(r)
    assert stored() == 0


# --- redirects ----------------------------------------------------------------------------------------------


def test_redirect_loop(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data("", status=302, headers={"Location": "/loop/a"})
    portal.expect_request("/loop/a").respond_with_data("", status=302, headers={"Location": "/loop/b"})
    portal.expect_request("/loop/b").respond_with_data("", status=302, headers={"Location": "/loop/a"})
    r = fetch(NOTICE)
    assert r.exit_code == 5, r.stderr
    assert "redirect" in one_error_line(r).lower()
    assert len(portal.log) <= 12, "the loop is cut after a few rounds"
    assert stored() == 0


def test_redirect_within_the_site_is_followed(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data(
        "", status=301, headers={"Location": "/moved/notice.xml"}
    )
    portal.expect_request("/moved/notice.xml").respond_with_data(NOTICE_XML, content_type=XML)
    r = fetch(NOTICE)
    assert r.exit_code == 0, r.stderr
    assert stored() == 1


def test_redirect_to_another_host_is_not_followed(portal):
    elsewhere = HTTPServer(host="localhost", port=0)  # another host name (and port): another site
    elsewhere.start()
    try:
        elsewhere.expect_request("/notice.xml").respond_with_data(OTHER_XML, content_type=XML)
        target = f"http://localhost:{elsewhere.port}/notice.xml"
        portal.expect_request(NOTICE_PATH).respond_with_data("", status=302, headers={"Location": target})
        r = fetch(NOTICE)
        assert r.exit_code == 5, r.stderr
        line = one_error_line(r)
        assert "localhost" in line and "not followed" in line
        assert len(elsewhere.log) == 0, "not a single request to the other host"
    finally:
        elsewhere.stop()
    assert stored() == 0


def test_redirect_of_an_attachment_to_another_host_is_reported_not_followed(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data(NOTICE_XML, content_type=XML)
    portal.expect_request(FILESTORE).respond_with_data(
        "", status=302, headers={"Location": "http://localhost:1/steal?cookie=1"}
    )
    r = run("fetch", "--rate", "0", "--attachments", "--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert "not followed" in r.stderr
    with Store.open() as st:
        assert all(a.sha256 is None for a in st.get(NOTICE).attachments)


# --- the wrong document -------------------------------------------------------------------------------------


def test_a_200_with_another_notice_is_refused_and_not_stored(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data(OTHER_XML, content_type=XML)
    r = fetch(NOTICE)
    assert r.exit_code == 3, r.stderr
    line = one_error_line(r)
    assert OTHER in line and NOTICE in line
    assert stored() == 0
    with Store.open() as st:
        assert st.find(OTHER) is None and st.find(NOTICE) is None


def test_a_200_with_a_contract_of_another_number_is_refused(portal):
    portal.expect_request(NOTICE_PATH).respond_with_data("no", status=404)
    portal.expect_request(CONTRACT_PATH).respond_with_data(CONTRACT_XML, content_type=XML)
    r = fetch("1111111111111111111")
    assert r.exit_code == 3, r.stderr
    assert "2366200608816001262" in one_error_line(r)
    assert stored() == 0


def test_prozorro_answer_for_another_tender_is_refused(portal_server, monkeypatch):
    api = point_at(monkeypatch, portal_server, "TENDERSCAN_PROZORRO_URL", **RETRY)
    doc = json.loads((FIXTURES / "prozorro" / "tender_to_render.json").read_text(encoding="utf-8"))
    asked = "0" * 32
    api.expect_request(f"/api/2.5/tenders/{asked}").respond_with_json({"data": doc})
    r = fetch(asked)
    assert r.exit_code == 3, r.stderr
    assert asked in one_error_line(r)
    assert stored() == 0


def test_attachment_reset_mid_body_stores_the_notice_without_it(portal):
    """An attachment whose download breaks is reported; the notice is stored, the broken file is not."""
    state = {"n": 0}

    def cut(request):
        from werkzeug.wrappers import Response

        state["n"] += 1

        def body():
            yield b"PK\x03\x04" + b"x" * 1000
            raise ConnectionResetError("reset mid-body")

        return Response(body(), headers={"Content-Length": "100000"}, content_type="application/octet-stream")

    portal.expect_request(NOTICE_PATH).respond_with_data(NOTICE_XML, content_type=XML)
    portal.expect_request(FILESTORE).respond_with_handler(cut)
    r = run("fetch", "--rate", "0", "--attachments", "--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert "attachment" in r.stderr
    with Store.open() as st:
        t = st.get(NOTICE)
        assert all(a.sha256 is None for a in t.attachments)
        roles = st.conn.execute("SELECT role, count(*) FROM blobs GROUP BY role").fetchall()
        assert roles == [("document", 1)], "no partial attachment is stored"
