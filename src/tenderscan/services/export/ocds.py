"""tenderscan documents as OCDS 1.1 release packages (``export --table ocds``).

One release per document and version, grouped into contracting processes by ``ocid``:

- ``ocid`` = the prefix (default ``ocds-tenderscan-``; a publisher registers its own with the Open
  Contracting Partnership) + the purchase number. A 44-FZ notice (``0111100000217000017``), its protocols,
  date changes, cancellation, clarifications and contracts (whose ``notice_id`` is that number) share it;
  so do a 223-FZ notice (its registration number ``31908251995``), its protocols and its contracts;
- a contract without a purchase number (a purchase from a single supplier without a notice) is a process of
  its own: prefix + ``contract-`` + its registry number; a contract execution goes into its contract's
  process when the contract is in the same export, else into ``contract-`` + the contract's number;
- a plan (plan-schedule) is a planning process: prefix + ``plan-`` + its number; a notice names the plan
  positions it comes from in ``relatedProcesses``.

Release ``id``: the document's format, its own id (the portal's document id, guid or registration number)
and version (``fcsProtocolEF3-15585361``, ``epNotificationEZK2020-44163525-v1``). Documents that are not part
of a contracting process (223-FZ monthly contract reports) and documents with no date at all are left out,
each with the reason in :attr:`OcdsExport.skipped`. See :mod:`.ocds_release` for the mapping of each kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, TextIO

from ...models import Kind, Tender
from .ocds_json import dumps
from .ocds_parties import Registry
from .ocds_process import Process
from .ocds_release import Builder, release_date

DEFAULT_PREFIX = "ocds-tenderscan-"
NOT_A_PROCESS = ("zakupki223/purchaseContractAccount",)  # monthly counts of contracts, no purchase in them


@dataclass(frozen=True)
class OcdsOptions:
    prefix: str = DEFAULT_PREFIX
    publisher: str = "tenderscan"
    uri: str = "https://example.invalid/tenderscan/ocds"  # the package's own address (required by OCDS)
    published: datetime | None = None  # the package's publishedDate; default: the latest release's date


@dataclass(frozen=True)
class Skipped:
    document: str  # ID@version
    source: str | None
    reason: str


@dataclass
class OcdsExport:
    """The releases (in input order, grouped by process) and the documents left out."""

    releases: list[dict] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    options: OcdsOptions = field(default_factory=OcdsOptions)

    def by_ocid(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for r in self.releases:
            out.setdefault(r["ocid"], []).append(r)
        return out

    def compiled(self) -> dict[str, dict]:
        """Each process's compiled release, merged with ocdsmerge's rules (tenderscan's OCDS reader)."""
        from ...formats.ocds.reader import compile_releases

        return {ocid: compile_releases(rs) for ocid, rs in self.by_ocid().items()}

    def package(self) -> dict[str, Any]:
        dates = sorted(r["date"] for r in self.releases)
        published = self.options.published
        return {
            "uri": self.options.uri,
            "version": "1.1",
            "publishedDate": published.isoformat() if published else (dates[-1] if dates else
                                                                        datetime.now(timezone.utc).isoformat()),
            "publisher": {"name": self.options.publisher},
            "releases": self.releases,
        }

    def dumps(self, *, indent: int | None = 2) -> str:
        return dumps(self.package(), indent=indent)

    def write(self, fh: TextIO, *, indent: int | None = 2) -> None:
        fh.write(self.dumps(indent=indent))
        fh.write("\n")


def ocid_of(t: Tender, prefix: str, contracts: dict[str, str]) -> str:
    """The process a document belongs to (see the module's docstring). ``contracts``: contract number ->
    the ocid of its process, for contract executions."""
    if t.kind is Kind.plan:
        return f"{prefix}plan-{t.id}"
    if t.kind is Kind.contract:
        return f"{prefix}{t.notice_id}" if t.notice_id else f"{prefix}contract-{t.id}"
    if t.kind is Kind.contract_execution:
        number = t.contract_id or t.id
        return contracts.get(number) or f"{prefix}contract-{number}"
    return f"{prefix}{t.notice_id or t.id}"


def export_ocds(tenders: Iterable[Tender], options: OcdsOptions | None = None) -> OcdsExport:
    """OCDS releases of ``tenders`` (read into memory: a release needs the other documents of its process)."""
    options = options or OcdsOptions()
    out = OcdsExport(options=options)
    registry = Registry()
    kept: list[Tender] = []
    for t in tenders:
        reason = _left_out(t)
        if reason:
            out.skipped.append(Skipped(t.label(), t.source.path or t.source.url, reason))
            continue
        kept.append(t)
        for org in (t.customer, t.responsible, *t.suppliers, *(a.participant for a in t.applications)):
            registry.learn(org)
    contracts = {t.id: ocid_of(t, options.prefix, {}) for t in kept if t.kind is Kind.contract}
    processes: dict[str, Process] = {}
    order: list[tuple[Tender, Process]] = []
    for t in kept:
        ocid = ocid_of(t, options.prefix, contracts)
        proc = processes.get(ocid)
        if proc is None:
            proc = processes[ocid] = Process(ocid, options.prefix, registry=registry)
        proc.docs.append(t)
        order.append((t, proc))
    for proc in processes.values():
        proc.prepare()
    builders = {ocid: Builder(proc) for ocid, proc in processes.items()}
    seen: dict[tuple[str, str], int] = {}
    for t, proc in order:
        release = builders[proc.ocid].build(t)
        key = (release["ocid"], release["id"])
        if key in seen:  # the same document twice (two copies of one file): a release id is unique
            seen[key] += 1
            release["id"] = f"{release['id']}-{(t.source.sha256 or str(seen[key]))[:12]}"
        else:
            seen[key] = 1
        out.releases.append(release)
    return out


def _left_out(t: Tender) -> str | None:
    if t.source_format in NOT_A_PROCESS:
        return "a monthly report of the contracts concluded, not a contracting process"
    if release_date(t) is None:
        return "the document gives no date at all (an OCDS release needs one)"
    return None
