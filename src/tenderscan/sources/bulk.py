"""Bulk downloads from the portal's bulk service, resumable: a plan of requests, a journal, the archives.

    >>> plan = BulkPlan.by_region("77", "PRIZ", "epNotificationEF2020", date(2025, 3, 1), date(2025, 3, 7))
    >>> with BulkJournal.open() as journal, open_service() as service:
    ...     run = BulkRun(plan, journal, service)
    ...     for archive in run.archives():           # only what the journal does not have yet
    ...         with archive.temp_file() as path:     # a zip of the portal's XML documents
    ...             ingest([str(path)], store=store)  # (wired by the `bulk` command's service)
    ...     run.failures, run.no_data, run.progress

A plan has one request per day (``periodInfo/exactDate``) or one by registry number. The run asks the service
for each request the journal has no answer to, records the answer (archive URLs, or noData), then downloads
each archive not yet done and yields it; the archive is marked done when the caller asks for the next one, so
an archive whose processing was interrupted (an exception in the caller's loop, a kill) comes again on the
rerun, and nothing else does. A token or quota error stops the run (nothing after it could succeed); an
error of one request (errorInfo, a network failure) is recorded in ``failures`` and the run goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator

import httpx

from ..errors import HTTPNotFoundError, NoDataError, QuotaError, TenderscanError, TokenError, UsageError
from .bulk_journal import BulkJournal
from .getdocs import BulkRequest, GetDocsService, service_url
from .http import _env_float, make_client, portal_pace
from .secret import Token

MAX_DAYS = 366  # one request a day: a year is already ~20 minutes at the portal's pace


@dataclass(frozen=True)
class BulkPlan:
    """The requests of one bulk download, in order."""

    requests: tuple[BulkRequest, ...]

    @classmethod
    def by_region(cls, region: str, subsystem: str, doc_type: str, first: date,
                  last: date | None = None) -> BulkPlan:
        """One request per day from ``first`` to ``last`` (inclusive; default: the one day)."""
        last = last or first
        if last < first:
            raise UsageError(f"the range ends ({last}) before it starts ({first})",
                             hint="swap --date and --to")
        days = (last - first).days + 1
        if days > MAX_DAYS:
            raise UsageError(f"{days} days is more than {MAX_DAYS} requests at once", hint="split the range")
        return cls(tuple(BulkRequest(subsystem, region=region, doc_type=doc_type, day=first + timedelta(n))
                         for n in range(days)))

    @classmethod
    def by_number(cls, number: str, subsystem: str) -> BulkPlan:
        return cls((BulkRequest(subsystem, number=number),))

    def __len__(self) -> int:
        return len(self.requests)

    def __iter__(self) -> Iterator[BulkRequest]:
        return iter(self.requests)


@dataclass
class BulkArchive:
    """One downloaded archive with its provenance: where it came from, for which request, its sha256."""

    url: str
    request: BulkRequest
    sha256: str
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)

    @contextlib.contextmanager
    def temp_file(self, directory: str | os.PathLike | None = None) -> Iterator[Path]:
        """The archive as a temporary ``.zip`` file (for ``ingest(paths, store=...)``), removed afterwards."""
        fd, name = tempfile.mkstemp(prefix=f"getdocs-{self.sha256[:12]}-", suffix=".zip", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.content)
            yield Path(name)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)


@dataclass
class BulkFailure:
    request: BulkRequest
    error: TenderscanError
    url: str | None = None  # the archive, when a download failed


@dataclass
class BulkProgress:
    """Where a run is: requests of the plan done (answered, every archive done), archives handed over."""

    requests_total: int
    requests_done: int = 0
    archives_known: int = 0
    archives_done: int = 0
    bytes: int = 0
    request: BulkRequest | None = None  # the one being worked on


class BulkRun:
    """One pass over a plan: ask, record, download, yield (see the module's docstring)."""

    def __init__(self, plan: BulkPlan, journal: BulkJournal, service: GetDocsService,
                 on_progress: Callable[[BulkProgress], None] | None = None):
        self.plan = plan
        self.journal = journal
        self.service = service
        self.on_progress = on_progress
        self.failures: list[BulkFailure] = []
        self.no_data: list[BulkRequest] = []
        self.progress = BulkProgress(len(plan))

    def _tick(self, request: BulkRequest | None = None) -> None:
        self.progress.request = request
        if self.on_progress is not None:
            self.on_progress(self.progress)

    def pending(self) -> list[BulkRequest]:
        """The requests of the plan that are not done (nothing asked: the journal only)."""
        return [r for r in self.plan if not self.journal.request_done(r)]

    def estimate(self, pace: float | None = None) -> float:
        """About how many seconds the rest takes at the portal's pace, at the least: one request for each
        pending request the journal has no answer to, one download for each archive not yet done (the
        archives of unanswered requests are not known yet)."""
        calls = 0
        for req in self.pending():
            urls = self.journal.answer(req)
            calls += 1 if urls is None else sum(not self.journal.archive_done(u) for u in urls)
        return calls * portal_pace(pace)

    def archives(self) -> Iterator[BulkArchive]:
        for req in self.plan:
            if self.journal.request_done(req):
                self.progress.requests_done += 1
                if self.journal.no_data(req):
                    self.no_data.append(req)
                continue
            self._tick(req)
            yield from self._request(req)
            self._tick(None)

    def _ask(self, req: BulkRequest) -> list[str] | None:
        try:
            urls = [self.service.token.scrub(u) for u in self.service.archives(req)]
        except NoDataError:
            urls = []
        except (TokenError, QuotaError):
            raise
        except TenderscanError as exc:
            self.failures.append(BulkFailure(req, exc))
            return None
        self.journal.record_answer(req, urls)
        return urls

    def _request(self, req: BulkRequest) -> Iterator[BulkArchive]:
        urls = self.journal.answer(req)
        asked = urls is None
        if urls is None and (urls := self._ask(req)) is None:
            return
        if not urls:
            self.no_data.append(req)
            self.progress.requests_done += 1
            return
        todo = [u for u in urls if not self.journal.archive_done(u)]
        self.progress.archives_known += len(todo)
        failed = False
        for url in todo:
            try:
                data = self.service.download(url)
            except HTTPNotFoundError as exc:
                if asked:  # a fresh link already gone: the service's fault, not an expired answer
                    self.failures.append(BulkFailure(req, exc, url))
                    failed = True
                    continue
                self.journal.forget(req)  # the recorded links expired: ask again, once
                self.progress.archives_known -= len(todo)
                yield from self._request(req)
                return
            except (TokenError, QuotaError):
                raise
            except TenderscanError as exc:
                self.failures.append(BulkFailure(req, exc, url))
                failed = True
                continue
            archive = BulkArchive(url, req, hashlib.sha256(data).hexdigest(), data)
            yield archive
            self.journal.mark_archive(url, sha256=archive.sha256, size=archive.size)
            self.progress.archives_done += 1
            self.progress.bytes += archive.size
            self._tick(req)
        if not failed:
            self.progress.requests_done += 1


@contextlib.contextmanager
def open_service(*, token: Token | None = None, url: str | None = None, client: httpx.Client | None = None,
                 pace: float | None = None, rate: float = 2.0, ca_bundle: str | os.PathLike | None = None,
                 timeout: float | None = None) -> Iterator[GetDocsService]:
    """The service over a client of the project's factory (its own, closed afterwards, unless ``client``
    is given): the portal's pace (``pace``, TENDERSCAN_PACE; with 0, ``rate`` requests a second), its
    retries, its trust (``ca_bundle``, TENDERSCAN_CA_BUNDLE). The token comes from TENDERSCAN_EIS_TOKEN
    (``token`` is for library callers; the CLI never takes one)."""
    token = token or Token.from_env()
    if client is not None:
        yield GetDocsService(client, token, url)
        return
    # preparing a day's archives takes the service a while: a longer default read timeout than a page's
    timeout = timeout if timeout is not None else _env_float("TENDERSCAN_TIMEOUT", 120.0)
    with make_client(timeout=timeout, concurrency=1, rate=rate, pace=pace, ca_bundle=ca_bundle) as own:
        yield GetDocsService(own, token, service_url(url))
