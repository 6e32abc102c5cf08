"""`fetch`: documents by ID from their portals (:mod:`tenderscan.sources`) into the store.

For every ID: the store first (no request for a stored ID unless ``refresh``), else its portal, asked over
one rate-limited client (:func:`tenderscan.sources.http.make_client`) from a pool of threads; answers are
read by the documents layer (:func:`read_answer`), attachments downloaded with their text, and each answer
stored with its tenders and attachments in one transaction (:meth:`tenderscan.store.db.Store.write`), in
the caller's thread. Outcomes come back in the order of the IDs given.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Iterable, Iterator

from .. import stations
from ..documents.inputs import from_bytes
from ..documents.parse import parse_input
from ..documents.textract import extract_text
from ..errors import ParseError, TenderscanError, UsageError
from ..formats import formats
from ..models import Tender
from ..sources import Fetched, normalize_id, source_for
from ..sources.http import Answer, get, make_client
from ..store import Store
from ..store.records import AttachmentBlob, Provenance, StoredDocument, stored_document
from ..store.rows import prepare

if TYPE_CHECKING:
    import httpx

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
SUMMARY_FORMATS = {"zakupki/rss"}  # a search-feed entry is a summary of a document, not the document


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


def read_answer(answer: Answer, *, expect_id: str | None = None) -> Fetched:
    """A portal's answer read with the format registry (the same detection and enrichment as `show`): the
    :class:`~tenderscan.sources.Reader` every portal is given."""
    tenders = parse_input(from_bytes(answer.content, answer.url, url=answer.url))
    if expect_id and not any(t.id == expect_id for t in tenders):
        found = ", ".join(sorted({t.id for t in tenders}))
        raise ParseError(f"the portal answered with {found}, not the requested {expect_id}",
                         hint="the portal may have redirected; check the number")
    return Fetched.make(tenders, answer)


def fetch_ids(
    ids: Iterable[str],
    *,
    store: Store,
    kind: str | None = None,
    refresh: bool = False,
    attachments: bool = False,
    print_form: bool = False,
    concurrency: int = 4,
    rate: float = 2.0,
    client: "httpx.Client | None" = None,
    url: str | None = None,
    pace: float | None = None,
    ca_bundle: "str | os.PathLike | None" = None,
) -> Iterator[FetchOutcome]:
    """Fetch documents into the store, yielding one outcome per ID in the order given.

    At most ``concurrency`` requests are in flight over one rate-limited client, from twice as many threads
    (a thread reading an answer holds no request back); every store write happens here, in the caller's
    thread, one transaction per answer. ``pace`` (seconds between two requests to the portal's hosts) and
    ``ca_bundle`` (extra roots for the portal's hosts) go to the client factory (default: TENDERSCAN_PACE,
    TENDERSCAN_CA_BUNDLE).
    """
    own_client = client is None
    if client is None:
        client = make_client(rate=rate, concurrency=concurrency, pace=pace, ca_bundle=ca_bundle)
    # our client lets at most `concurrency` requests be in flight (RetryTransport's slots), so twice as many
    # threads can read answers while the others wait on the network: reading never holds a request back
    threads = max(1, concurrency) * (2 if own_client else 1)
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="fetch")
    options = _Options(kind, refresh, attachments, print_form, url)
    try:
        pending = []
        window = threads * 4
        warm = True
        for raw_id in ids:
            pending.append(_plan(normalize_id(raw_id), store, options, client, pool))
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
    """Import the format readers (~0.1 s) in this thread: the worker threads that read the first answers
    would otherwise wait on the import lock one after another. Speed work for the ``fetch`` target of
    benchmarks/run.py (RESULTS.md, "fetch"); its plain reference is the import on first use, which the
    readers do all the same: tests/test_fetch.py fetches the same documents either way."""
    formats()


@dataclass
class _Options:
    kind: str | None
    refresh: bool
    attachments: bool
    print_form: bool
    url: str | None


@dataclass
class _Job:
    """One ID's work: its outcome when decided without the network, else the future of its portal's
    answers (or, for a stored document, of its attachments only)."""

    id: str
    outcome: FetchOutcome | None = None
    future: Future | None = None
    stored: Tender | None = None  # attachments-only job for this stored tender


@dataclass
class _Answers:
    """What a portal answered for one ID, with the attachments downloaded per answer."""

    fetched: list[Fetched]
    downloads: list[list[AttachmentBlob]]
    warnings: list[str]


@dataclass
class _Downloads:
    """Attachments downloaded for some tenders, and the ones that failed (one line each)."""

    blobs: list[AttachmentBlob]
    warnings: list[str]


def _plan(doc_id: str, store: Store, o: _Options, client, pool: ThreadPoolExecutor) -> _Job:
    try:
        mod = source_for(doc_id)
    except TenderscanError as exc:
        return _Job(doc_id, FetchOutcome(doc_id, error=exc))
    if o.url and not getattr(mod, "ACCEPTS_URL", False):
        return _Job(doc_id, FetchOutcome(doc_id, error=UsageError(f"--url does not apply to {doc_id}",
                                                                  hint="--url is for ocds-... IDs")))
    if not o.refresh:
        stored = store.find(doc_id, kind=o.kind)
        if stored is not None and stored.source_format in SUMMARY_FORMATS:
            stored = None  # a search-feed entry is a summary of the document, not the document
        if stored is not None:
            missing = [i for i, a in enumerate(stored.attachments)
                       if a.sha256 is None and mod.attachment_url(a.url)]
            if not o.attachments or not missing:
                return _Job(doc_id, FetchOutcome(doc_id, [stored], from_store=True))
            return _Job(doc_id, future=pool.submit(_download_all, mod, client, [stored]), stored=stored)
    return _Job(doc_id, future=pool.submit(_work, mod, client, doc_id, o))


def _work(mod: ModuleType, client, doc_id: str, o: _Options) -> _Answers:
    fetched: list[Fetched] = mod.fetch(client, doc_id, read=read_answer, kind=o.kind, print_form=o.print_form,
                                       **({"url": o.url} if o.url else {}))
    out = _Answers(fetched, [], [])
    for f in fetched:
        if not f.annotated:  # read by the portal itself, not by the documents layer
            for t in f.tenders:
                stations.annotate(t)
        out.warnings.extend(f.warnings)
        if o.attachments:
            got = _download_all(mod, client, f.tenders)
            out.downloads.append(got.blobs)
            out.warnings.extend(got.warnings)
        else:
            out.downloads.append([])
    return out


def _download_all(mod: ModuleType, client, tenders: list[Tender]) -> _Downloads:
    """The attachments of ``tenders`` that the portal serves and are not downloaded yet, with their text;
    the stations of a tender are found again when its attachments' text came."""
    out: list[AttachmentBlob] = []
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
            out.append(AttachmentBlob(ti, ai, answer.content, answer.url, answer.status, text))
            att.sha256 = hashlib.sha256(answer.content).hexdigest()
            att.text = text
        if out:
            t.stations = []
            stations.annotate(t)
    return _Downloads(out, errors)


def _finish(job: _Job, store: Store) -> FetchOutcome:
    if job.outcome is not None:
        return job.outcome
    try:
        result = job.future.result()  # type: ignore[union-attr]
    except TenderscanError as exc:
        return FetchOutcome(job.id, error=exc)
    if job.stored is not None:  # attachments for a stored document
        t = job.stored
        store.write([StoredDocument(None, None, [prepare(t, t.source.sha256 or "")], result.blobs)])
        return FetchOutcome(job.id, [store.find(job.id) or t], from_store=True, attachments=len(result.blobs),
                            warnings=result.warnings)
    out = FetchOutcome(job.id, warnings=result.warnings)
    for f, downloads in zip(result.fetched, result.downloads):
        record = stored_document(f.tenders, f.raw, Provenance(url=f.url, http_status=f.status), downloads)
        out.added += store.write([record])
        out.attachments += len(downloads)
        out.tenders.extend(f.tenders)
    return out
