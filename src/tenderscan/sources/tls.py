"""TLS trust and proxies, chosen per request host.

Every host is verified against the operating system's trust store (``truststore``, as pip does) and
certifi's roots. The portal's certificates are issued under the Russian Trusted Root CA of the Ministry of
Digital Development, which certifi does not carry: a user who installed it in the system store just works,
and a user who cannot may give the root in a PEM file (``TENDERSCAN_CA_BUNDLE`` or ``ca_bundle=``, the
later ``--ca-bundle FILE``). That file is trusted for the portal's hosts only (:mod:`.hosts`): each host gets
its own transport with its own SSL context, so a national root never becomes trusted for the whole internet
through tenderscan. There is no way to switch verification off.

Proxies come from the environment as everywhere (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``,
``NO_PROXY``): httpx reads them only when it builds its own transport, and tenderscan builds its own.
"""

from __future__ import annotations

import os
import ssl
import threading
import urllib.request
from pathlib import Path

import httpx

from ..errors import TrustError, UsageError
from .hosts import is_portal_host

CA_BUNDLE_ENV = "TENDERSCAN_CA_BUNDLE"
ROOT_CA_NAME = "the Russian Trusted Root CA (Ministry of Digital Development)"
ROOT_CA_URL = "https://www.gosuslugi.ru/crt"

_LOCK = threading.Lock()
_CACHE: dict[object, ssl.SSLContext] = {}
_WARM: dict[str, threading.Thread] = {}


def _system_context() -> ssl.SSLContext:
    """The operating system's trust store (and SSL_CERT_FILE/SSL_CERT_DIR) plus certifi's roots."""
    import certifi
    import truststore

    ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=certifi.where())
    return ctx


def default_context() -> ssl.SSLContext:
    """The context for every host (built once per process: loading the roots takes 50-70 ms)."""
    with _LOCK:
        thread = _WARM.pop("thread", None)
    if thread is not None:
        thread.join()
    with _LOCK:
        ctx = _CACHE.get("default")
        if ctx is None:
            ctx = _CACHE["default"] = _system_context()
        return ctx


def warm() -> None:
    """Build the default context in a thread while the caller does something else (mostly outside the GIL)."""
    with _LOCK:
        if "default" in _CACHE or "thread" in _WARM:
            return

        def build() -> None:
            try:
                ctx = _system_context()
            except Exception:  # noqa: BLE001,S110 - default_context builds it again and raises there
                return
            with _LOCK:
                _CACHE.setdefault("default", ctx)

        thread = threading.Thread(target=build, name="tenderscan-tls", daemon=True)
        _WARM["thread"] = thread
        thread.start()


def ca_bundle_path(ca_bundle: str | os.PathLike | None = None) -> Path | None:
    """The extra CA bundle: the argument, else TENDERSCAN_CA_BUNDLE, else none."""
    value = ca_bundle if ca_bundle is not None else os.environ.get(CA_BUNDLE_ENV)
    if value is None or not str(value).strip():
        return None
    return Path(str(value).strip()).expanduser()


def portal_context(bundle: Path) -> ssl.SSLContext:
    """The default roots plus the roots in ``bundle`` (a PEM file), for the portal's hosts only."""
    try:
        stat = bundle.stat()
    except OSError:
        raise UsageError(f"CA bundle {bundle}: no such file",
                         hint=f"give a PEM file holding {ROOT_CA_NAME} (--ca-bundle / {CA_BUNDLE_ENV})"
                         ) from None
    key = ("portal", str(bundle.resolve()), stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    ctx = _system_context()
    try:
        ctx.load_verify_locations(cafile=str(bundle))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise UsageError(f"CA bundle {bundle} holds no certificate tenderscan can read "
                         f"({type(exc).__name__})",
                         hint="give the root certificate in PEM form (-----BEGIN CERTIFICATE-----); "
                              f"{ROOT_CA_URL} publishes it") from None
    with _LOCK:
        _CACHE[key] = ctx
    return ctx


def env_proxy(url: httpx.URL) -> str | None:
    """The proxy the environment names for ``url`` (HTTPS_PROXY/HTTP_PROXY/ALL_PROXY), unless NO_PROXY
    exempts its host."""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy:
        return None
    if urllib.request.proxy_bypass_environment(url.host, proxies):
        return None
    return proxy if "://" in proxy else "http://" + proxy


def cert_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error behind an httpx error, if that is what it is."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, ssl.SSLCertVerificationError):
            return e
        e = e.__cause__ or e.__context__
    return None


class TrustRouter(httpx.BaseTransport):
    """The network transport: per request, the portal's trust or the default one, and the environment's
    proxy; one pooled ``httpx.HTTPTransport`` per (trust, proxy). A certificate that fails verification
    becomes a :class:`TrustError` that names the fix (not retried: it fails the same way every time)."""

    def __init__(self, *, bundle: Path | None, limits: httpx.Limits, default: ssl.SSLContext | None = None,
                 portal: ssl.SSLContext | None = None):
        self.bundle = bundle
        self.limits = limits
        self._default = default
        self._portal = portal if portal is not None else (portal_context(bundle) if bundle else None)
        self._transports: dict[tuple[bool, str | None], httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def _transport(self, portal: bool, proxy: str | None) -> httpx.HTTPTransport:
        key = (portal, proxy)
        with self._lock:
            transport = self._transports.get(key)
            if transport is None:
                ctx = self._portal if portal else (self._default or default_context())
                try:
                    transport = httpx.HTTPTransport(verify=ctx, limits=self.limits, retries=0,
                                                    proxy=httpx.Proxy(proxy) if proxy else None)
                except ImportError:  # a socks5:// proxy without httpx's socks extra
                    raise UsageError(f"the proxy {httpx.URL(proxy).scheme}://... needs an extra package",
                                     hint="pip install 'httpx[socks]', or use an http:// proxy") from None
                self._transports[key] = transport
            return transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        portal = is_portal_host(host)
        transport = self._transport(portal and self._portal is not None, env_proxy(request.url))
        error: TrustError | None = None
        try:
            return transport.handle_request(request)
        except httpx.ConnectError as exc:
            failure = cert_failure(exc)
            if failure is None:
                raise
            error = trust_error(host, failure, portal=portal, bundle=self.bundle if portal else None)
        raise error  # outside the except block: no __context__ (the httpx error holds the request's headers)

    def close(self) -> None:
        with self._lock:
            transports, self._transports = list(self._transports.values()), {}
        for t in transports:
            t.close()


def trust_error(host: str, failure: ssl.SSLCertVerificationError, *, portal: bool,
                bundle: Path | None) -> TrustError:
    reason = (failure.verify_message or failure.reason or "verification failed").strip()
    if not portal:
        return TrustError(f"the TLS certificate of {host} could not be verified ({reason})",
                          hint="check the address; tenderscan trusts the system's store and certifi "
                               "(an extra CA bundle applies to the portal's hosts only)")
    if bundle is not None:
        return TrustError(f"the portal's TLS certificate ({host}) could not be verified ({reason}), even "
                          f"with the CA bundle {bundle}",
                          hint=f"check that the file holds {ROOT_CA_NAME}, published at {ROOT_CA_URL}")
    return TrustError(f"the portal's TLS certificate ({host}) could not be verified ({reason}): "
                      f"{ROOT_CA_NAME} is missing",
                      hint=f"it is published at {ROOT_CA_URL}: install it in the system trust store, "
                           f"or pass --ca-bundle FILE / set {CA_BUNDLE_ENV}=FILE (trusted for the portal "
                           "only)")
