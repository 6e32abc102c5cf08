"""Portals: fetch documents by ID into the store.

A portal is a module in this package with ``NAME``, ``ID_PATTERNS`` (full-match regexes of the IDs it
serves), ``fetch(client, id, *, kind=None, print_form=False) -> list[Fetched]`` and
``attachment_url(url) -> str | None``. List it in ``_MODULES`` (first match wins). :func:`fetch_ids` does the
rest for every portal: store look-up first (no request for a stored ID unless ``refresh``), concurrent
fetches over one rate-limited client (:func:`tenderscan.sources.http.make_client`), attachments and their
text, and one store transaction per document.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Iterable, Iterator

from ..errors import TenderscanError, UsageError
from ..models import Tender

if TYPE_CHECKING:
    import httpx

    from ..store import Store
    from .http import Answer

_MODULES = ["zakupki", "prozorro", "ted", "ocds"]
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
SUMMARY_FORMATS = {"zakupki/rss"}


@dataclass
class Fetched:
    """One raw answer and the tenders read from it."""

    tenders: list[Tender]
    raw: bytes
    url: str
    status: int
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def make(cls, tenders: list[Tender], answer: "Answer", *, annotate: bool = True) -> "Fetched":
        from ..stations import annotate as annotate_stations

        digest = hashlib.sha256(answer.content).hexdigest()
        for t in tenders:
            t.source.url = t.source.url or answer.url
            t.source.http_status = answer.status
            t.source.sha256 = t.source.sha256 or digest
            t.source.size = t.source.size or len(answer.content)
        if annotate:
            for t in tenders:
                annotate_stations(t)
        return cls(tenders, answer.content, answer.url, answer.status)


@dataclass
class Download:
    """A downloaded attachment of tenders[tender].attachments[index]."""

    tender: int
    index: int
    data: bytes
    url: str
    status: int
    text: str | None


@dataclass
class FetchOutcome:
    id: str
    tenders: list[Tender] = field(default_factory=list)
    error: TenderscanError | None = None
    from_store: bool = False  # served from the store, no request made
    added: int = 0  # documents newly stored
    attachments: int = 0  # attachments downloaded
    warnings: list[str] = field(default_factory=list)  # attachments or print forms that failed

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_answer(answer: "Answer", *, expect_id: str | None = None) -> Fetched:
    """Read a portal's answer with the format registry (the same detection as `show`)."""
    from ..documents.inputs import from_bytes
    from ..documents.parse import parse_input

    tenders = parse_input(from_bytes(answer.content, answer.url, url=answer.url))
    if expect_id and not any(t.id == expect_id for t in tenders):
        from ..errors import ParseError

        found = ", ".join(sorted({t.id for t in tenders}))
        raise ParseError(f"the portal answered with {found}, not the requested {expect_id}",
                         hint="the portal may have redirected; check the number")
    return Fetched.make(tenders, answer, annotate=False)  # parse_input annotated the stations


def modules() -> list[ModuleType]:
    found = []
    for name in _MODULES:
        try:
            found.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return found


def source_for(doc_id: str) -> ModuleType:
    """The portal module that serves an ID (by its ID patterns)."""
    for mod in modules():
        if any(p.fullmatch(doc_id) for p in mod.ID_PATTERNS):
            return mod
    raise UsageError(f"{doc_id!r} is not an ID tenderscan can fetch",
                     hint="zakupki.gov.ru numbers have 19 (44-FZ), 11 (223-FZ purchase) or 23 (223-FZ contract) "
                          "digits; ProZorro: a 32-hex id (or a stored UA-... tender ID); TED: NNNNN-YYYY; OCDS: ocds-...")


def normalize_id(doc_id: str) -> str:
    text = doc_id.strip()
    if re.fullmatch(r"[\d\s-]+", text) and not re.fullmatch(r"\d{1,8}-\d{4}", text):  # TED: NNNNN-YYYY
        text = re.sub(r"[\s-]", "", text)
    return text.lstrip("№#")


def fetch_ids(
    ids: Iterable[str],
    *,
    store: "Store",
    kind: str | None = None,
    refresh: bool = False,
    attachments: bool = False,
    print_form: bool = False,
    concurrency: int = 4,
    rate: float = 2.0,
    client: "httpx.Client | None" = None,
    url: str | None = None,
) -> Iterator[FetchOutcome]:
    """Fetch documents into the store, yielding one outcome per ID in the order given.

    At most ``concurrency`` requests are in flight over one rate-limited client, from twice as many threads
    (a thread reading an answer holds no request back); every store write happens here, in the caller's
    thread, one transaction per document.
    """
    from .http import make_client

    own_client = client is None
    if client is None:
        client = make_client(rate=rate, concurrency=concurrency)
    # our client lets at most `concurrency` requests be in flight (RetryTransport's slots), so twice as many
    # threads can read answers while the others wait on the network: reading never holds a request back
    threads = max(1, concurrency) * (2 if own_client else 1)
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="fetch")
    try:
        pending = []
        window = threads * 4
        warm = True
        for raw_id in ids:
            pending.append(_plan(normalize_id(raw_id), store, kind, refresh, attachments, print_form, client, pool,
                                 url))
            if warm and len(pending) >= concurrency:
                warm = False
                _warm_readers()  # while the first requests are in flight, not in 8 threads at once after them
            while len(pending) > window:
                yield _finish(pending.pop(0), store)
        if warm:
            _warm_readers()
        for job in pending:
            yield _finish(job, store)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if own_client:
            client.close()


def _warm_readers() -> None:
    """Import the format readers and the station finder (~0.1 s) in this thread: the worker threads that
    read the first answers would otherwise wait on the import lock one after another."""
    from .. import stations  # noqa: F401 - the finder; its gazetteer loads only for a text that names a station
    from ..formats import formats

    formats()


@dataclass
class _Job:
    id: str
    outcome: FetchOutcome | None = None  # decided without the network
    future: object | None = None
    stored: list[Tender] | None = None  # attachments-only job for stored tenders


def _plan(doc_id, store, kind, refresh, attachments, print_form, client, pool, url=None) -> _Job:
    try:
        mod = source_for(doc_id)
    except TenderscanError as exc:
        return _Job(doc_id, FetchOutcome(doc_id, error=exc))
    if url and not getattr(mod, "ACCEPTS_URL", False):
        return _Job(doc_id, FetchOutcome(doc_id, error=UsageError(f"--url does not apply to {doc_id}",
                                                                  hint="--url is for ocds-... IDs")))
    if not refresh:
        stored = store.find(doc_id, kind=kind)
        if stored is not None and stored.source_format in SUMMARY_FORMATS:
            stored = None  # a search-feed entry is a summary of the document, not the document
        if stored is not None:
            missing = [i for i, a in enumerate(stored.attachments) if a.sha256 is None and mod.attachment_url(a.url)]
            if not attachments or not missing:
                return _Job(doc_id, FetchOutcome(doc_id, [stored], from_store=True))
            return _Job(doc_id, future=pool.submit(_download_all, mod, client, [stored]), stored=[stored])
    return _Job(doc_id, future=pool.submit(_work, mod, client, doc_id, kind, print_form, attachments, url))


def _work(mod, client, doc_id, kind, print_form, attachments, url=None):
    fetched = mod.fetch(client, doc_id, kind=kind, print_form=print_form, **({"url": url} if url else {}))
    downloads: list[list[Download]] = []
    errors: list[str] = []
    for f in fetched:
        errors.extend(f.warnings)
        if attachments:
            d, e = _download_all(mod, client, f.tenders)
            downloads.append(d)
            errors.extend(e)
        else:
            downloads.append([])
    return fetched, downloads, errors


def _download_all(mod, client, tenders: list[Tender]) -> tuple[list[Download], list[str]]:
    from ..documents.textract import extract_text
    from ..stations import annotate as annotate_stations
    from .http import get

    out: list[Download] = []
    errors: list[str] = []
    for ti, t in enumerate(tenders):
        for ai, att in enumerate(t.attachments):
            url = mod.attachment_url(att.url)
            if not url or att.sha256:
                continue
            try:
                answer = get(client, url, what=f"attachment {att.name or url}", max_bytes=MAX_ATTACHMENT_BYTES)
            except TenderscanError as exc:
                errors.append(f"{t.id}: attachment {att.name or url}: {exc.one_line()}")
                continue
            text = extract_text(answer.content, name=att.name)
            out.append(Download(ti, ai, answer.content, answer.url, answer.status, text))
            att.sha256 = hashlib.sha256(answer.content).hexdigest()
            att.text = text
        if out:
            t.stations = []
            annotate_stations(t)
    return out, errors


def _finish(job: _Job, store: "Store") -> FetchOutcome:
    if job.outcome is not None:
        return job.outcome
    try:
        result = job.future.result()  # type: ignore[union-attr]
    except TenderscanError as exc:
        return FetchOutcome(job.id, error=exc)
    if job.stored is not None:  # attachments for a stored document
        downloads, errors = result
        t = job.stored[0]
        n = store.add_attachments(t, downloads)
        return FetchOutcome(job.id, [store.find(job.id) or t], from_store=True, attachments=n,
                            warnings=errors)
    fetched, downloads, errors = result
    out = FetchOutcome(job.id, warnings=errors)
    for f, dl in zip(fetched, downloads):
        for ti, t in enumerate(f.tenders):
            mine = [d for d in dl if d.tender == ti]
            if store.add(t, f.raw, url=f.url, http_status=f.status, attachments=mine):
                out.added += 1
            out.attachments += len(mine)
            out.tenders.append(t)
    return out
