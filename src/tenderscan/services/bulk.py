"""`bulk`: the portal's bulk service (getDocsIP) into the store, resumable.

A plan (:class:`~tenderscan.sources.bulk.BulkPlan`: one request a day of a range, or one registry number) is
run over the bulk journal of the store's directory (:class:`~tenderscan.sources.bulk_journal.BulkJournal`):
each request the journal has no answer to is asked, each archive not yet done is downloaded and ingested
into the store (:func:`tenderscan.services.ingest.ingest`), every document with its provenance: the
archive's URL, the request it answered and the archive's sha256. An archive is marked done once its
documents are committed, so a run killed at any moment is continued by the same command, which asks and
downloads only what is missing.

A token or quota error stops the run: the result holds what was done before it and the error
(``stopped``), for the caller to report both. Any other failure of a request (errorInfo, the network) is
recorded and the run goes on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..documents.batch import Failure
from ..errors import NoDataError, QuotaError, TenderscanError, TokenError
from ..sources.bulk import BulkArchive, BulkPlan, BulkProgress, BulkRun, open_service
from ..sources.bulk_journal import BulkJournal
from ..sources.getdocs import BulkRequest
from ..store import Store
from ..store.records import Provenance
from .ingest import ingest

# the columns of a request's row in a table or CSV (and the keys of its JSON object)
COLUMNS = ["request", "state", "archives", "documents", "new", "already_stored", "failed", "note"]


@dataclass
class RequestOutcome:
    """What one request of the plan came to in this run."""

    request: BulkRequest
    state: str = "pending"  # fetched | no data | failed | done earlier | not asked (the run stopped)
    archives: int = 0  # archives downloaded and ingested in this run
    documents: int = 0  # documents in them
    new: int = 0  # of them newly stored
    already_stored: int = 0  # of them already in the store (the same bytes)
    failed: int = 0  # of them unreadable (listed in the result's failures)
    note: str = ""

    @property
    def label(self) -> str:
        return self.request.number if self.request.by_number else self.request.day.isoformat()

    def row(self) -> dict:
        return {"request": self.label, "state": self.state, "archives": self.archives,
                "documents": self.documents, "new": self.new, "already_stored": self.already_stored,
                "failed": self.failed, "note": self.note}


@dataclass
class BulkTick:
    """Progress for the caller: where the run is, and about how many seconds the rest takes at the pace."""

    progress: BulkProgress
    remaining: float
    doing: str


@dataclass
class BulkResult:
    outcomes: list[RequestOutcome]
    store: Path
    journal: Path
    failures: list[Failure] = field(default_factory=list)  # requests, archives and documents that failed
    stopped: TenderscanError | None = None  # the token or quota error that stopped the run

    def total(self, name: str) -> int:
        return sum(getattr(o, name) for o in self.outcomes)

    def count(self, state: str) -> int:
        return sum(o.state == state for o in self.outcomes)

    @property
    def rows(self) -> list[dict]:
        return [o.row() for o in self.outcomes]

    @property
    def totals(self) -> dict:
        return {"requests": len(self.outcomes), "fetched": self.count("fetched"),
                "done_earlier": self.count("done earlier"), "no_data": self.count("no data"),
                "failed_requests": self.count("failed"), "archives": self.total("archives"),
                "documents": self.total("documents"), "new": self.total("new"),
                "already_stored": self.total("already_stored"), "failed_documents": self.total("failed")}

    @property
    def nothing_found(self) -> bool:
        """Every request answered noData."""
        return bool(self.outcomes) and all(o.state == "no data" for o in self.outcomes)


def plan_for(*, subsystem: str, region: str | None = None, doc_type: str | None = None, first=None,
             last=None, number: str | None = None) -> BulkPlan:
    """The plan of a command line: by registry number, or a region's documents of one type over days."""
    if number is not None:
        return BulkPlan.by_number(number, subsystem)
    return BulkPlan.by_region(region or "", subsystem, doc_type or "", first, last)


def estimate(plan: BulkPlan, store: str | os.PathLike | None = None, *, pace: float | None = None) -> Estimate:
    """What is left of ``plan`` in the journal of the store directory ``store``: requests not done, and about
    how many seconds they take at the portal's pace (no request is made)."""
    with BulkJournal.open(store) as journal:
        run = BulkRun(plan, journal, None)  # type: ignore[arg-type] - nothing is asked
        return Estimate(len(plan), len(run.pending()), run.estimate(pace))


@dataclass
class Estimate:
    requests: int  # in the plan
    pending: int  # not done yet (the journal)
    seconds: float  # at the least, at the portal's pace


def bulk_download(plan: BulkPlan, *, store: Store, pace: float | None = None,
                  ca_bundle: str | os.PathLike | None = None, url: str | None = None,
                  timeout: float | None = None, rate: float = 2.0, debug: bool = False,
                  on_progress: Callable[[BulkTick], None] | None = None, client=None) -> BulkResult:
    """Run ``plan`` into ``store`` (its directory holds the journal); see the module's docstring. A missing
    token raises :class:`~tenderscan.errors.TokenError` before any request."""
    outcomes = {req.key: RequestOutcome(req) for req in plan}
    with BulkJournal.open(store.path) as journal:
        result = BulkResult(list(outcomes.values()), store.path, journal.path)
        for req in plan:
            if journal.request_done(req):
                outcomes[req.key].state = "no data" if journal.no_data(req) else "done earlier"
        with open_service(pace=pace, ca_bundle=ca_bundle, url=url, timeout=timeout, rate=rate,
                          client=client) as service:
            def tick(p: BulkProgress) -> None:
                if on_progress is not None:
                    on_progress(BulkTick(p, run.estimate(pace), p.request.describe() if p.request else ""))

            run = BulkRun(plan, journal, service, on_progress=tick)
            try:
                for archive in run.archives():
                    _take(archive, outcomes[archive.request.key], store, result, debug)
            except (TokenError, QuotaError) as exc:
                result.stopped = exc
            _settle(run, outcomes, result)
    return result


def _take(archive: BulkArchive, outcome: RequestOutcome, store: Store, result: BulkResult, debug: bool) -> None:
    """One archive into the store, its documents' provenance the archive's."""
    origin = Provenance(url=archive.url, http_status=200, request=archive.request.key,
                        archive_sha256=archive.sha256)
    name = archive.url.rsplit("/", 1)[-1].split("?", 1)[0] or archive.url
    with archive.temp_file() as path:  # the system's temporary directory: a kill leaves nothing in the store
        stats = ingest([str(path)], store=store, origin=origin, debug=debug)
        for f in stats.failures:  # named by the archive, not by its temporary copy
            result.failures.append(Failure(f.name.replace(str(path), name), f.message.replace(str(path), name),
                                           f.exit_code, f.detail))
    outcome.archives += 1
    outcome.documents += stats.parsed + stats.skipped + stats.failed
    outcome.new += stats.parsed
    outcome.already_stored += stats.skipped
    outcome.failed += stats.failed
    outcome.state = "fetched"


def _settle(run: BulkRun, outcomes: dict[str, RequestOutcome], result: BulkResult) -> None:
    """The states of the run's requests: noData, failures (with their lines), not asked after a stop."""
    for req in run.no_data:
        outcomes[req.key].state = "no data"
    for f in run.failures:
        o = outcomes[f.request.key]
        o.state = "failed"
        o.note = " ".join(f.error.message.split())
        what = f"{f.request.describe()}" + (f" ({f.url.rsplit('/', 1)[-1].split('?', 1)[0]})" if f.url else "")
        result.failures.append(Failure(what, f"{what}: {f.error.one_line()}", f.error.exit_code))
    for o in outcomes.values():
        if o.state == "pending":
            o.state = "stopped" if result.stopped is not None else "fetched"
        if o.state == "no data" and not o.note:
            o.note = "the service has no documents for it"


def no_data_error(result: BulkResult) -> NoDataError:
    if len(result.outcomes) == 1:
        return NoDataError(f"the bulk service has no documents for {result.outcomes[0].request.describe()}",
                           hint="check the number and the subsystem (notices: PRIZ or RI223, contracts: RGK)")
    return NoDataError(f"the bulk service has no documents for any of the {len(result.outcomes)} days",
                       hint="check the region, subsystem, document type and days")
