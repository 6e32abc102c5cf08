"""What `fetch` does to keep the network busy gives the same results: at most ``--concurrency`` requests in
flight however many threads read answers, the JSON printed piece by piece equals render.write_json's, and the
TLS context built ahead is the one make_client would build. (Never timings: the benchmark measures those.)"""

from __future__ import annotations

import io
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tenderscan import parse
from tenderscan.models import Kind, Tender
from tenderscan.render.json_text import write_json
from tenderscan.render.writers import OutputFormat, writer_for
from tenderscan.sources import http

from .conftest import FIXTURES


def _real_tenders() -> list[Tender]:
    out: list[Tender] = []
    for p in sorted(FIXTURES.rglob("*")):
        if p.suffix in (".xml", ".json") and "hostile" not in p.parts and not p.name.startswith("schema_"):
            try:
                out += parse(str(p), stations=True)
            except Exception:  # noqa: BLE001,S112 - constructed and refused files: not this test's subject
                continue
    return out


@pytest.fixture(scope="module")
def tenders():
    ts = _real_tenders()
    assert len(ts) > 60
    odd = Tender(kind=Kind.notice, id="x\u202e1", law="44-FZ", source_format="x",
                 title='"quoted" \\ back\tslash\n\x01\x1f\x7f \u2028 эт\u00a0о 😀',
                 extra={"n": 1, "d": {"k": [1, "2", None, True]}, "e": {}, "l": []})
    lone = Tender(kind=Kind.notice, id="y", law="OCDS", source_format="x", title="a\ud800b")
    return ts + [odd, lone]


def _printed(ts) -> str:
    out = io.StringIO()
    p = writer_for(OutputFormat.json, out)  # the one tender writer of show and fetch
    for t in ts:
        p.tender(t)
    p.close(failed=True)  # (write_json is not called for none: nothing at all, not an empty array)
    return out.getvalue()


def _written(ts) -> str:
    out = io.StringIO()
    if ts:
        write_json(out, ts)
    return out.getvalue()


@pytest.mark.parametrize("n", [0, 1, 2, 7, None])
def test_json_printed_piece_by_piece_equals_write_json(tenders, n):
    ts = tenders if n is None else tenders[:n]
    assert _printed(ts) == _written(ts)


def test_json_of_odd_texts_and_a_lone_surrogate(tenders):
    for t in tenders[-2:]:
        assert _printed([t]) == _written([t])
    assert _printed(tenders[-2:]) == _written(tenders[-2:])


def test_at_most_concurrency_requests_in_flight_whatever_the_threads():
    lock = threading.Lock()
    state = {"now": 0, "max": 0, "calls": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["calls"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        if state["calls"] % 5 == 0:
            raise httpx.ConnectError("reset")  # retried: a failed attempt gives its slot back
        return httpx.Response(200, content=b"<x/>")

    client = http.make_client(transport=httpx.MockTransport(handler), rate=0, concurrency=3, retries=5,
                              policy=http.RetryPolicy(retries=5, base=0.001, cap=0.002))
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda i: http.get(client, f"http://h/{i}"), range(40)))
    assert len(answers) == 40 and state["max"] == 3


def test_tls_context_built_ahead_is_the_clients(monkeypatch):
    """warm_tls builds the default TLS context once, in a thread, and the client's transport takes that very
    context. (Issue 16: the context is no longer httpx's certifi-only one but the operating system's trust
    store and certifi, sources/tls.py, built once per process; what this test held stays: built ahead, once,
    used by the client, verifying certificates and host names.)"""
    import certifi
    import truststore

    from tenderscan.sources import tls

    built = []
    real = tls._system_context
    monkeypatch.setattr(tls, "_CACHE", {})
    monkeypatch.setattr(tls, "_system_context", lambda: built.append(1) or real())
    http.warm_tls()
    http.warm_tls()  # once
    client = http.make_client(rate=0)
    try:
        pool = client._transport.inner._transport(False, None)._pool  # the router's transport for any host
        ctx = pool._ssl_context
        assert built == [1] and ctx is tls.default_context()
        assert isinstance(ctx, truststore.SSLContext)
        assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
        certifi_roots = ssl.create_default_context(cafile=certifi.where()).get_ca_certs(binary_form=True)
        # certifi's roots are in it (truststore's context keeps the loaded roots in its inner ssl.SSLContext)
        assert set(certifi_roots) <= set(ctx._ctx.get_ca_certs(binary_form=True))
    finally:
        client.close()
    other = http.make_client(rate=0)  # a second client shares the context: not built again
    try:
        assert other._transport.inner._transport(False, None)._pool._ssl_context is ctx and built == [1]
    finally:
        other.close()


def test_readers_warmed_ahead_fetch_what_readers_imported_on_first_use_fetch(tmp_path, monkeypatch):
    """services.fetch._warm_readers (speed work for the fetch target) only imports the format readers early:
    with it and without it (each reader imported by the thread that first needs it) the same documents
    come back and are stored."""
    from tenderscan.services import fetch as fetch_service
    from tenderscan.store import Store

    from .conftest import ZAKUPKI

    files = {"0362100022326000101": ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml",
             "2366200608816001262": ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml"}

    def handler(request: httpx.Request) -> httpx.Response:
        number = request.url.params.get("regNumber") or request.url.params.get("contractReestrNumber")
        if number in files and ("contract" in request.url.path) == (number.startswith("2366")):
            return httpx.Response(200, content=files[number].read_bytes(), headers={"content-type": "text/xml"})
        return httpx.Response(404, content=b"not found")

    def fetched(folder, warm: bool):
        if not warm:
            monkeypatch.setattr(fetch_service, "_warm_readers", lambda: None)
        client = http.make_client(transport=httpx.MockTransport(handler), rate=0, concurrency=2)
        with client, Store.open(folder) as st:
            out = [(o.id, o.ok, o.added, [t.model_dump(mode="json", exclude={"source": {"read_at"}})
                                          for t in o.tenders])
                   for o in fetch_service.fetch_ids(list(files) * 2, store=st, client=client, concurrency=2)]
            return out, [t.id for t in st.iter_tenders()]

    with_warm = fetched(tmp_path / "a", True)
    assert fetched(tmp_path / "b", False) == with_warm
    assert [added for _, ok, added, _ in with_warm[0]] == [1, 1, 0, 0]
