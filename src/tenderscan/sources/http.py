"""THE one HTTP client factory, and the one place where HTTP failures become tenderscan errors.

:func:`make_client` builds an ``httpx.Client`` whose transport retries 429/502/503/504 and connection
errors with capped exponential backoff and full jitter (honouring ``Retry-After``) and spaces requests to
one host by a per-host rate limit. :func:`get` turns what comes back into bytes or a typed error:
``NotFoundError`` (404/410), ``BlockedError`` (403, a captcha or WAF page, even with status 200),
``FetchError`` (everything else). Every portal module (zakupki, and later ProZorro, TED) uses both.

Settings, each overridable by an argument or an environment variable (tests make the delays tiny):

    TENDERSCAN_USER_AGENT   the User-Agent (default: a current desktop browser's)
    TENDERSCAN_TIMEOUT      seconds to wait for a connection or a read (default 30)
    TENDERSCAN_RETRIES      retries after the first attempt (default 4)
    TENDERSCAN_RETRY_BASE   first backoff in seconds (default 1; doubles each retry)
    TENDERSCAN_RETRY_MAX    cap of one backoff, also of an honoured Retry-After, in seconds (default 60)
    TENDERSCAN_PACE         seconds between two requests to one of the portal's hosts (default 3, with
                            jitter: 2 to 4 s; 0 gives the portal the general rate like any other host)
    TENDERSCAN_CA_BUNDLE    a PEM file of extra roots, trusted for the portal's hosts only (:mod:`.tls`)

Trust and proxies (:mod:`.tls`): the system's trust store and certifi for every host, the extra bundle for
the portal's hosts (:mod:`.hosts`) only, HTTPS_PROXY/HTTP_PROXY/NO_PROXY honoured. A certificate that does
not verify, or a connection the portal resets during the TLS handshake (it does so to addresses outside
Russia), becomes a one-line error that says what to do.
"""

from __future__ import annotations

import email.utils
import os
import random
import re
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import httpx

from ..errors import BlockedError, FetchError, HandshakeResetError, HTTPNotFoundError, NotFoundError
from . import tls
from .hosts import is_portal_host

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_BODY_BYTES = 256 * 1024 * 1024  # no answer we read is larger than this
# The portal's pace. The survey of public zakupki.gov.ru clients (2024-2026): those that keep
# working pace themselves to a few requests a minute. In the public code index, a contract-search scraper of
# the portal sleeps 5 s between result pages, generic scrapers of Russian sites use 2-5 s with jitter (scrapy
# DOWNLOAD_DELAY 3-4.5 with RANDOMIZE_DOWNLOAD_DELAY, e.g. UserNikita/loft_price loft_parser/settings.py,
# sushilovinfun/Scrapy piracylab/scrapy/rutracker/settings.py), and stufently/free-zakupki-gov-ru-monitor
# (README) polls the portal's feeds a minute apart at the least. One request every 3 s, drawn between 2 and
# 4 s (about 20 a minute at most), per host; other portals keep the general rate.
DEFAULT_PACE = 3.0
PACE_JITTER = 1 / 3  # each interval is drawn from pace * (1 - jitter) .. pace * (1 + jitter)


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class RetryPolicy:
    retries: int = 4
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_env(cls) -> "RetryPolicy":
        return cls(retries=int(_env_float("TENDERSCAN_RETRIES", 4)), base=_env_float("TENDERSCAN_RETRY_BASE", 1.0),
                   cap=_env_float("TENDERSCAN_RETRY_MAX", 60.0))

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random delay up to base * 2**attempt, capped."""
        return random.uniform(0, min(self.cap, self.base * (2 ** attempt)))


def portal_pace(pace: float | None = None) -> float:
    """Seconds between two requests to one of the portal's hosts: the argument, else TENDERSCAN_PACE,
    else :data:`DEFAULT_PACE` (0: no pace of its own, the general rate applies)."""
    value = pace if pace is not None else _env_float("TENDERSCAN_PACE", DEFAULT_PACE)
    return max(0.0, value)


class RateLimiter:
    """At most ``rate`` requests per second to each host (thread-safe; 0 or less means no limit), and for
    the portal's hosts one request every ``pace`` seconds (jittered) instead, when ``pace`` is set.

    Each host has its own slot: a request to one host never waits for another host's."""

    def __init__(self, rate: float, *, pace: float | None = None, jitter: float = PACE_JITTER,
                 paced: Callable[[str], bool] = is_portal_host, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 draw: Callable[[float, float], float] = random.uniform):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.pace = pace if pace and pace > 0 else 0.0
        self.jitter = min(max(jitter, 0.0), 1.0)
        self._paced = paced
        self._draw = draw
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def interval_for(self, host: str) -> float:
        """The spacing before the next request to ``host`` (drawn anew for each request to a paced host)."""
        if self.pace and self._paced(host):
            return self._draw(self.pace * (1 - self.jitter), self.pace * (1 + self.jitter))
        return self.interval

    def estimate(self, host: str, requests: int) -> float:
        """About how long ``requests`` more requests to ``host`` take at this pace (seconds, no network)."""
        per = self.pace if self.pace and self._paced(host) else self.interval
        return max(0, requests - 1) * per

    def wait(self, host: str) -> None:
        interval = self.interval_for(host)
        if not interval:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        if start > now:
            self._sleep(start - now)

    def delay(self, host: str, seconds: float) -> None:
        """Push the host's next slot back (after a 429/503 with Retry-After, every thread waits)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), self._clock() + seconds)


class RetryTransport(httpx.BaseTransport):
    """Rate limiting and retries around a real transport (httpx's own ``retries=`` only covers connects),
    and at most ``slots`` requests in flight at once (None: as many as the caller's threads make)."""

    def __init__(self, inner: httpx.BaseTransport, policy: RetryPolicy, limiter: RateLimiter,
                 slots: int | None = None):
        self.inner = inner
        self.policy = policy
        self.limiter = limiter
        self.slots = threading.BoundedSemaphore(slots) if slots else None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        attempt = 0
        while True:
            self.limiter.wait(host)
            if self.slots is not None:
                self.slots.acquire()
            failure: httpx.TransportError | None = None
            try:
                response = self._complete(self.inner.handle_request(request), request)
            except httpx.TransportError as exc:
                failure = exc
            finally:  # the body is read (or the attempt failed): no longer in flight, not while backing off
                if self.slots is not None:
                    self.slots.release()
            if failure is not None:
                if attempt >= self.policy.retries or isinstance(failure, httpx.UnsupportedProtocol):
                    raise failure
                self.policy.sleep(self.policy.backoff(attempt))
                attempt += 1
                continue
            if response.status_code not in RETRY_STATUSES or attempt >= self.policy.retries:
                return response
            wait = retry_after(response.headers.get("Retry-After"))
            response.close()
            delay = min(self.policy.cap, wait) if wait is not None else self.policy.backoff(attempt)
            if wait is not None:
                self.limiter.delay(host, delay)
            self.policy.sleep(delay)
            attempt += 1

    def _complete(self, response: httpx.Response, request: httpx.Request) -> httpx.Response:
        """Read the whole body here, so a truncated or stalled body is retried like a failed connect."""
        chunks, size = [], 0
        try:
            for chunk in response.stream:  # type: ignore[union-attr]
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise httpx.DecodingError(f"answer larger than {MAX_BODY_BYTES >> 20} MB refused")
                chunks.append(chunk)
        finally:
            response.close()
        return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(b"".join(chunks)),
                              extensions=response.extensions, request=request)

    def close(self) -> None:
        self.inner.close()


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def warm_tls() -> None:
    """Start building the default TLS context (the system's trust store and certifi) in a thread: loading
    the roots takes 50-70 ms, mostly outside the GIL, while the caller opens the store; the next
    :func:`make_client` takes it (the same context it would build itself)."""
    tls.warm()


def user_agent() -> str:
    return os.environ.get("TENDERSCAN_USER_AGENT") or DEFAULT_USER_AGENT


def make_client(
    *,
    transport: httpx.BaseTransport | None = None,
    rate: float = 2.0,
    timeout: float | None = None,
    retries: int | None = None,
    concurrency: int = 4,
    policy: RetryPolicy | None = None,
    headers: dict[str, str] | None = None,
    pace: float | None = None,
    ca_bundle: str | os.PathLike | None = None,
    limiter: RateLimiter | None = None,
) -> httpx.Client:
    """The httpx client every portal module uses: browser-like User-Agent, timeouts, connection limits,
    per-host rate limit (``rate`` requests/second; the portal's hosts: one request every ``pace`` seconds,
    default TENDERSCAN_PACE or 3, jittered), retries with capped exponential backoff and jitter, the
    system's trust store and certifi, ``ca_bundle`` (default TENDERSCAN_CA_BUNDLE) for the portal's hosts
    only, the environment's proxies.

    ``transport`` replaces the network (tests); retries and rate limiting still wrap it. ``limiter``
    replaces the rate limiter (tests inject one with a fake clock).
    """
    policy = policy or RetryPolicy.from_env()
    if retries is not None:
        policy.retries = retries
    timeout = timeout if timeout is not None else _env_float("TENDERSCAN_TIMEOUT", 30.0)
    limits = httpx.Limits(max_connections=max(concurrency, 1) * 2, max_keepalive_connections=max(concurrency, 1))
    if transport is None:
        inner: httpx.BaseTransport = tls.TrustRouter(bundle=tls.ca_bundle_path(ca_bundle), limits=limits)
    else:
        inner = transport
    limiter = limiter or RateLimiter(rate, pace=portal_pace(pace))
    base_headers = {
        "User-Agent": user_agent(),
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,*/*;q=0.7",
        "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.6",
    }
    base_headers.update(headers or {})
    return httpx.Client(
        transport=RetryTransport(inner, policy, limiter, slots=max(concurrency, 1)),
        timeout=httpx.Timeout(timeout),
        headers=base_headers,
        follow_redirects=True,
        limits=limits,
        max_redirects=MAX_REDIRECTS,
        event_hooks={"response": [check_redirect]},
    )


MAX_REDIRECTS = 10


def same_site(a: str, b: str) -> bool:
    """Hosts of one site: equal, or one a subdomain of the other (zakupki.gov.ru and lk.zakupki.gov.ru)."""
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def check_redirect(response: httpx.Response) -> None:
    """Redirects are followed within the site asked, never silently elsewhere: another host (a mirror, a
    phishing copy, a login page) or a step down from https to http is an error that names where it led."""
    if not response.has_redirect_location:
        return
    target = response.url.join(response.headers["Location"])
    here = response.url
    if target.scheme not in ("http", "https") or not same_site(here.host, target.host) or (
            here.scheme == "https" and target.scheme == "http"):
        response.close()
        raise FetchError(f"{here.host} redirected to {_short(target)}, another site or a weaker scheme; not followed",
                         hint="open the address yourself if you trust it")


# --- answers -> bytes or typed errors -----------------------------------------------------------------------

_BLOCK_MARKERS = re.compile(
    rb"captcha|\xd0\xbd\xd0\xb5 \xd1\x80\xd0\xbe\xd0\xb1\xd0\xbe\xd1\x82"  # "не робот"
    rb"|\xd0\x94\xd0\xbe\xd1\x81\xd1\x82\xd1\x83\xd0\xbf \xd0\xbe\xd0\xb3\xd1\x80\xd0\xb0\xd0\xbd\xd0\xb8\xd1\x87"  # Доступ огранич
    rb"|\xd0\x94\xd0\xbe\xd1\x81\xd1\x82\xd1\x83\xd0\xbf \xd0\xb7\xd0\xb0\xd0\xbf\xd1\x80\xd0\xb5\xd1\x89"  # Доступ запрещ
    rb"|access denied|request unsuccessful|incapsula|ddos-guard|servicepipe|qrator|cf-chl|just a moment"
    rb"|attention required|web application firewall|the requested url was rejected|support id",
    re.IGNORECASE,
)


def looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<meta"))


def looks_blocked(body: bytes, content_type: str = "") -> bool:
    """A captcha or WAF page instead of the document (checked on HTML answers only)."""
    if not (looks_like_html(body) or "html" in content_type.lower()):
        return False
    return bool(_BLOCK_MARKERS.search(body[:65536]))


@dataclass
class Answer:
    url: str
    status: int
    content: bytes
    content_type: str
    headers: httpx.Headers


def get(client: httpx.Client, url: str, *, params: dict | None = None, expect: str = "any",
        what: str = "the document", max_bytes: int = MAX_BODY_BYTES, headers: dict[str, str] | None = None
        ) -> Answer:
    """GET ``url`` and return its body, or raise NotFoundError / BlockedError / FetchError.

    ``expect`` is "xml", "json", "html" or "any": an HTML answer where XML or JSON was expected is a
    block page when it looks like one (BlockedError) and "not found" otherwise (the portal answers
    unknown numbers with an HTML error page). A 404 or 410 is an :class:`HTTPNotFoundError` (its
    ``status`` says which), so a caller can tell a path that is gone from a number the portal does not know.
    """
    try:
        with client.stream("GET", url, params=params, headers=headers) as response:
            status = response.status_code
            ctype = response.headers.get("Content-Type", "")
            if status in (404, 410):
                raise HTTPNotFoundError(f"the portal has no {what} ({status} at {_short(response.url)})",
                                        hint="check the number, or try --kind", status=status)
            if status == 403:
                raise BlockedError(f"the portal refused the request with 403 Forbidden ({_short(response.url)})")
            if status == 429:
                raise BlockedError(f"the portal kept answering 429 Too Many Requests ({_short(response.url)})",
                                   hint="wait and retry later, or lower --rate")
            if status >= 400:
                raise FetchError(f"the portal answered {status} {response.reason_phrase} "
                                 f"({_short(response.url)})", hint="retry later; the portal may be down")
            body = read_capped(response, max_bytes, "the answer")
            final_url = str(response.url)
            headers = response.headers
    except httpx.HTTPError as exc:
        raise network_error(exc, url, what) from None
    if looks_blocked(body, ctype):
        raise BlockedError(f"the portal answered with a captcha or firewall page instead of {what} "
                           f"(status {status}); nothing was stored")
    if expect in ("xml", "json") and (looks_like_html(body) or not body.strip()):
        raise NotFoundError(f"the portal has no {what} (it answered with "
                            f"{'an HTML page' if body.strip() else 'an empty body'})",
                            hint="check the number, or try --kind")
    return Answer(final_url, status, body, ctype, headers)


_RESET_MARKS = ("reset by peer", "unexpected_eof", "eof occurred in violation", "connection aborted",
                "connection was reset", "forcibly closed")


def handshake_reset(exc: BaseException) -> bool:
    """A connection the server reset or dropped before the TLS handshake finished (not a refused one)."""
    if not isinstance(exc, httpx.ConnectError):
        return False
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, ssl.SSLEOFError,
                          ssl.SSLZeroReturnError)):
            return True
        if any(mark in str(e).lower() for mark in _RESET_MARKS):
            return True
        e = e.__cause__ or e.__context__
    return False


def read_capped(response: httpx.Response, max_bytes: int, what: str) -> bytes:
    """A streamed response's body, refused (FetchError) as soon as it passes ``max_bytes``."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{what} is larger than {max_bytes // (1 << 20)} MB; refused")
        chunks.append(chunk)
    return b"".join(chunks)


def network_error(exc: httpx.HTTPError, url, what: str = "the document") -> FetchError:
    """The one place an httpx failure becomes a tenderscan error (one line that says what to do next)."""
    host = httpx.URL(str(url)).host if url else ""
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"timed out fetching {what} ({type(exc).__name__} at {_short(url)})",
                          hint="retry later, or raise TENDERSCAN_TIMEOUT")
    if handshake_reset(exc) and is_portal_host(host):
        return HandshakeResetError(
            f"{host} reset the connection during the TLS handshake: the portal may be refusing addresses "
            "outside Russia",
            hint="use a proxy in Russia (HTTPS_PROXY=http://HOST:PORT is honoured) or a mirror of the portal "
                 "(TENDERSCAN_ZAKUPKI_URL, TENDERSCAN_GETDOCS_URL)")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"the connection broke while reading {what} ({exc}; {_short(url)})",
                          hint="retry later")
    return FetchError(f"network error fetching {what}: {type(exc).__name__}: {exc}".rstrip(": "),
                      hint="check the connection and TENDERSCAN_ZAKUPKI_URL")


def _short(url) -> str:
    text = str(url)
    return text if len(text) <= 160 else text[:157] + "..."
