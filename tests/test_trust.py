"""TLS trust against local HTTPS servers whose certificates a test root CA issued (trustme): without the
bundle one line naming the fix, with it the portal works, and the same bundle never makes another host
trusted. A server that resets the handshake gives the geo-block hint; HTTP(S)_PROXY is honoured."""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import struct
import threading
from typing import Iterator

import httpx
import pytest
import trustme
from pytest_httpserver import HTTPServer

from tenderscan.errors import FetchError, HandshakeResetError, TrustError, UsageError
from tenderscan.sources.http import get, make_client
from tenderscan.store import Store

from .conftest import ZAKUPKI, fast_retries, run

NOTICE = "0362100022326000101"
NOTICE_FILE = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
NOTICE_PATH = "/epz/order/notice/printForm/viewXml.html"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA(organization_name="Test Trusted Root CA")


@pytest.fixture(scope="module")
def bundle(ca, tmp_path_factory):
    path = tmp_path_factory.mktemp("ca") / "test-root.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="module")
def https(ca) -> Iterator[HTTPServer]:
    """One HTTPS server on 127.0.0.1 whose certificate (issued by the test root) names 127.0.0.1, localhost
    and zakupki.gov.ru: the same server is reached as the portal and as another host."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost", "zakupki.gov.ru").configure_cert(ctx)
    srv = HTTPServer(host="127.0.0.1", port=0, ssl_context=ctx)
    srv.expect_request(NOTICE_PATH).respond_with_data(NOTICE_FILE.read_bytes(),
                                                      content_type="application/xml")
    srv.expect_request("/plain").respond_with_data(b"<ok/>", content_type="application/xml")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def portal(https, monkeypatch):
    """The portal's base URL at the HTTPS server as https://127.0.0.1:PORT."""
    monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", f"https://127.0.0.1:{https.port}")
    monkeypatch.delenv("TENDERSCAN_CA_BUNDLE", raising=False)
    fast_retries(monkeypatch, retries=1, retry_max=0.05)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return https


def fetch_plain(url: str, **kw) -> bytes:
    with make_client(rate=0, **kw) as client:
        return get(client, url, expect="xml").content


# --- the portal's root ----------------------------------------------------------------------------------


def test_without_the_bundle_one_line_names_the_missing_root_and_the_fix(portal):
    with pytest.raises(TrustError) as exc:
        fetch_plain(f"https://127.0.0.1:{portal.port}/plain")
    line = exc.value.one_line()
    assert exc.value.exit_code == 5 and "\n" not in line
    assert "Russian Trusted Root CA" in line and "Ministry of Digital Development" in line
    assert "https://www.gosuslugi.ru/crt" in line and "--ca-bundle" in line and "TENDERSCAN_CA_BUNDLE" in line
    assert "system trust store" in line


def test_fetch_without_the_bundle_exits_non_zero_with_the_fix_and_with_it_stores_the_notice(portal, bundle,
                                                                                                monkeypatch):
    r = run("fetch", "--rate", "0", NOTICE)
    assert r.exit_code == 5 and r.stdout == ""
    [line] = [x for x in r.stderr.splitlines() if x.strip()]
    assert "Russian Trusted Root CA" in line and "--ca-bundle" in line
    monkeypatch.setenv("TENDERSCAN_CA_BUNDLE", str(bundle))
    r = run("fetch", "--rate", "0", NOTICE)
    assert r.exit_code == 0, r.stderr
    with Store.open() as st:
        assert str(st.get(NOTICE).amount) == "102871.68"


def test_with_the_bundle_the_portal_works(portal, bundle):
    url = f"https://127.0.0.1:{portal.port}/plain"
    assert fetch_plain(url, ca_bundle=bundle) == b"<ok/>"  # the later --ca-bundle FILE


def test_the_bundle_does_not_make_another_host_trusted(portal, bundle, monkeypatch):
    # the same server, the same root, a certificate that names localhost: not a portal host
    with pytest.raises(TrustError) as exc:
        fetch_plain(f"https://localhost:{portal.port}/plain", ca_bundle=bundle)
    assert "Russian Trusted Root" not in exc.value.one_line()
    assert "portal's hosts only" in exc.value.one_line()
    # a non-portal base URL (another portal's variable) does not make its host the portal's either
    monkeypatch.setenv("TENDERSCAN_PROZORRO_URL", f"https://localhost:{portal.port}")
    monkeypatch.setenv("TENDERSCAN_CA_BUNDLE", str(bundle))
    with pytest.raises(TrustError):
        fetch_plain(f"https://localhost:{portal.port}/plain")
    # ... while the portal's own variables do (a mirror of the portal)
    monkeypatch.setenv("TENDERSCAN_GETDOCS_URL", f"https://localhost:{portal.port}/eis-integration")
    assert fetch_plain(f"https://localhost:{portal.port}/plain") == b"<ok/>"


def test_a_bundle_that_is_not_there_or_not_a_certificate_is_a_usage_error(portal, tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        make_client(ca_bundle=tmp_path / "missing.pem")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(UsageError, match="holds no certificate") as exc:
        make_client(ca_bundle=junk)
    assert "PEM" in exc.value.one_line() and exc.value.exit_code == 2


def test_a_wrong_bundle_says_so(portal, tmp_path):
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(TrustError, match="even with the CA bundle"):
        fetch_plain(f"https://127.0.0.1:{portal.port}/plain", ca_bundle=other)


# --- a handshake the portal resets ----------------------------------------------------------------------


@contextlib.contextmanager
def resetting_server() -> Iterator[int]:
    """Accepts connections and resets them at once (SO_LINGER 0: an RST), as the portal does abroad."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def test_a_reset_handshake_gives_the_geo_block_hint(monkeypatch):
    fast_retries(monkeypatch, retries=1, retry_max=0.05)
    with resetting_server() as port:
        monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", f"https://127.0.0.1:{port}")
        with pytest.raises(HandshakeResetError) as exc:
            fetch_plain(f"https://127.0.0.1:{port}/plain")
        line = exc.value.one_line()
        assert "outside Russia" in line and "HTTPS_PROXY" in line and "TENDERSCAN_ZAKUPKI_URL" in line
        assert exc.value.exit_code == 5
        r = run("fetch", "--rate", "0", NOTICE)
        assert r.exit_code == 5 and "outside Russia" in r.stderr
        # another host that resets is a plain network error, not the portal's geo-block
        monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", "https://zakupki.invalid")
        with pytest.raises(FetchError) as exc:
            fetch_plain(f"https://127.0.0.1:{port}/plain")
        assert not isinstance(exc.value, HandshakeResetError) and "network error" in exc.value.one_line()


# --- proxies --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def tunnel_proxy(target_port: int) -> Iterator[tuple[int, list[str]]]:
    """An HTTP proxy that answers CONNECT by tunnelling to 127.0.0.1:target_port, whatever host was asked
    (so https://zakupki.gov.ru reaches the local server: no traffic leaves the machine)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()
    asked: list[str] = []

    def relay(a: socket.socket, b: socket.socket) -> None:
        with a, b:
            while not stop.is_set():
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                head += chunk
            asked.append(head.split(b"\r\n", 1)[0].decode())
            upstream = socket.create_connection(("127.0.0.1", target_port), timeout=5)
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            threading.Thread(target=relay, args=(conn, upstream), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], asked
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def test_https_proxy_is_honoured_with_the_portals_trust(portal, bundle, monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with tunnel_proxy(portal.port) as (port, asked):
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
        # the real portal's name, through the proxy, verified with the bundle (trusted for zakupki.gov.ru)
        assert fetch_plain("https://zakupki.gov.ru/plain", ca_bundle=bundle) == b"<ok/>"
        assert asked == ["CONNECT zakupki.gov.ru:443 HTTP/1.1"]
        with pytest.raises(TrustError, match="Russian Trusted Root"):  # and without it, the fix
            fetch_plain("https://zakupki.gov.ru/plain")
        assert len(asked) == 2
    # NO_PROXY exempts a host (checked without a connection: nothing may reach the real portal from here)
    from tenderscan.sources.tls import env_proxy

    assert env_proxy(httpx.URL("https://zakupki.gov.ru/x")) == f"http://127.0.0.1:{port}"
    monkeypatch.setenv("NO_PROXY", ".gov.ru")
    assert env_proxy(httpx.URL("https://zakupki.gov.ru/x")) is None
    assert env_proxy(httpx.URL("http://zakupki.gov.ru/x")) is None


def test_there_is_no_way_to_switch_verification_off():
    import inspect

    from tenderscan.sources import http, tls

    for module in (http, tls):
        source = inspect.getsource(module)
        assert "verify=False" not in source and "CERT_NONE" not in source and "insecure" not in source.lower()
    assert "insecure" not in inspect.signature(make_client).parameters
