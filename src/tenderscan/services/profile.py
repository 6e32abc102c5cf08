"""The profile service (``tenderscan profile INN``): a customer or supplier across a set of documents.

For one INN: the documents that name it (as customer, placer, supplier or participant) and the money of
its contracts by year, its top counterparties with their shares, the processes it won where a single bid
or a single admitted application was flagged, and the flags raised on it or on its processes.

Money is the contracts' amounts (each contract once, its latest version), per currency, by the year it was
signed (else published); documents are counted by kind and year. Flags come from :func:`.flags.flags` over
the same documents (its settings apply).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from ..documents.batch import Failure
from ..errors import NotFoundError
from ..flags import Group, Settings
from ..models import Kind, Organization, Tender
from .export.ocds import DEFAULT_PREFIX, OcdsOptions
from .export.ocds_parties import RU_INN
from .flags import FlagRow, compiled_from_tenders
from .spending.frames import doc_date

SINGLE_BID = ("R018", "TS-SINGLE-ADMITTED")


@dataclass(frozen=True)
class YearRow:
    year: int | None
    role: str  # "customer" or "supplier"
    documents: dict[str, int]  # kind -> count
    contracts: int
    amount: Decimal | None  # contracts' amounts in ``currency``
    currency: str | None


@dataclass(frozen=True)
class Counterparty:
    inn: str | None
    name: str | None
    role: str  # the counterparty's role: "supplier" (of a customer) or "customer" (of a supplier)
    contracts: int
    amount: Decimal
    currency: str | None
    share: Decimal  # of the profiled organisation's contract amount in that currency


@dataclass(frozen=True)
class SingleBidWin:
    ocid: str
    indicators: tuple[str, ...]
    customer: str | None
    amount: Decimal | None
    currency: str | None
    documents: tuple[str, ...]  # ID@version


@dataclass
class Profile:
    inn: str
    names: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # customer, placer, supplier, participant
    by_year: list[YearRow] = field(default_factory=list)
    counterparties: list[Counterparty] = field(default_factory=list)
    single_bid_wins: list[SingleBidWin] = field(default_factory=list)
    flags: list[FlagRow] = field(default_factory=list)
    documents: int = 0
    failures: list[Failure] = field(default_factory=list)  # inputs that could not be read (SOURCEs given)
    inputs: int = 0

    def record(self) -> dict[str, Any]:
        def plain(v):
            if isinstance(v, Decimal):
                return str(v)
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [plain(x) for x in v]
            return v

        return {"inn": self.inn, "names": self.names, "roles": self.roles, "documents": self.documents,
                "by_year": [plain(r.__dict__) for r in self.by_year],
                "counterparties": [plain(c.__dict__) for c in self.counterparties],
                "single_bid_wins": [plain(w.__dict__) for w in self.single_bid_wins],
                "flags": [f.record() for f in self.flags]}


def _roles(t: Tender, inn: str) -> set[str]:
    out = set()
    if t.customer and t.customer.inn == inn:
        out.add("customer")
    if t.responsible and t.responsible.inn == inn:
        out.add("placer")
    if any(s.inn == inn for s in t.suppliers):
        out.add("supplier")
    for a in t.applications:
        if a.participant and a.participant.inn == inn:
            out.add("supplier" if a.winner else "participant")
    return out


def _latest_contracts(tenders: list[Tender]) -> list[Tender]:
    best: dict[str, Tender] = {}
    for t in tenders:
        if t.kind is not Kind.contract:
            continue
        cur = best.get(t.id)
        if cur is None or _vnum(t) >= _vnum(cur):
            best[t.id] = t
    return list(best.values())


def _vnum(t: Tender) -> int:
    try:
        return int(t.version or 0)
    except ValueError:
        return 0


def _year(t: Tender) -> int | None:
    d = t.signed or doc_date(t)
    return d.year if d else None


def profile(inn: str, store: Any = None, *, tenders: Iterable[Tender] | None = None,
            settings: Settings | None = None, top: int = 10, prefix: str = DEFAULT_PREFIX) -> Profile:
    """The profile of ``inn`` over a store's documents (latest versions) and/or ``tenders``.

    Raises NotFoundError when no document names the INN."""
    inn = inn.strip()
    docs = list(tenders or [])
    if store is not None:
        docs.extend(store.iter_tenders(latest=True))
    mine = [(t, _roles(t, inn)) for t in docs]
    mine = [(t, r) for t, r in mine if r]
    if not mine:
        raise NotFoundError(f"no document names the INN {inn}",
                            hint="check the INN, or ingest the documents first (`tenderscan ingest`)")
    out = Profile(inn, documents=len(mine))
    names: list[str] = []
    for t, _ in mine:
        for org in _orgs(t):
            if org.inn == inn and org.name and org.name not in names:
                names.append(org.name)
    out.names = names
    out.roles = sorted({r for _, rs in mine for r in rs})
    _money(out, [t for t, _ in mine], inn, top)
    _flags(out, docs, inn, settings, prefix)
    return out


def _orgs(t: Tender) -> list[Organization]:
    return [o for o in (t.customer, t.responsible, *t.suppliers, *(a.participant for a in t.applications)) if o]


def _money(out: Profile, docs: list[Tender], inn: str, top: int) -> None:
    counts: dict[tuple[int | None, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for t in docs:  # a placer counts as the customer side, a participant as the supplier side
        roles = _roles(t, inn)
        for role in {"customer" if r in ("customer", "placer") else "supplier" for r in roles}:
            counts[(_year(t), role)][t.kind.value] += 1
    money: dict[tuple[int | None, str, str | None], list[Decimal]] = defaultdict(list)
    parties: dict[tuple[str, str | None, str | None], list] = defaultdict(list)
    totals: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for c in _latest_contracts(docs):
        roles = _roles(c, inn)
        for role in ("customer", "supplier"):
            if role not in roles or c.amount is None:
                continue
            money[(_year(c), role, c.currency)].append(c.amount)
            totals[(role, c.currency)] += c.amount
            others = c.suppliers if role == "customer" else [c.customer] if c.customer else []
            for o in others or [None]:
                key = (role, o.inn if o else None, c.currency)
                parties[key].append((o.name if o else None, c.amount))
    rows = []
    for (year, role), kinds in counts.items():
        currencies = {cur for (y, r, cur) in money if (y, r) == (year, role)} or {None}
        for cur in sorted(currencies, key=str):
            amounts = money.get((year, role, cur), [])
            rows.append(YearRow(year, role, dict(sorted(kinds.items())), len(amounts),
                                sum(amounts, Decimal(0)) if amounts else None, cur))
    out.by_year = sorted(rows, key=lambda r: (r.role, r.year or 0, str(r.currency)))
    cps = []
    for (role, other, cur), entries in parties.items():
        amount = sum((a for _, a in entries), Decimal(0))
        total = totals[(role, cur)]
        cps.append(Counterparty(other, next((n for n, _ in entries if n), None),
                                "supplier" if role == "customer" else "customer", len(entries), amount, cur,
                                amount / total if total else Decimal(0)))
    out.counterparties = sorted(cps, key=lambda c: (-c.amount, str(c.inn)))[:top]


def _flags(out: Profile, docs: list[Tender], inn: str, settings: Settings | None, prefix: str) -> None:
    from ..flags import FlagEngine
    from ..flags.registry import tenderscan_defaults
    from .flags import FlagReport, _info, _with_input

    compiled, export = compiled_from_tenders(docs, OcdsOptions(prefix=prefix))
    engine = FlagEngine(settings if settings is not None else tenderscan_defaults())
    found = {}
    processes = {}
    for release in compiled:
        processes[release["ocid"]] = _info(release, None)
        for f in engine.observe(release):
            found[f.key] = f
    for f in engine.finish():
        found[f.key] = f
    report = FlagReport([_with_input(f, processes) for f in found.values()], engine.settings, engine.counts,
                        processes=processes)  # each flag with the documents of its process, as `flags` gives it
    party = f"{RU_INN}-{inn}"
    as_buyer = {o for o, p in processes.items() if p.buyer == party}
    as_supplier = {o for o, p in processes.items() if party in p.suppliers}
    rows = [r for r in report.rows() if (r.group == Group.ocid.value and r.id in as_buyer | as_supplier)
            or (r.group != Group.ocid.value and r.id == party)]
    out.flags = rows
    by_ocid: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r.group == Group.ocid.value and r.indicator in SINGLE_BID and r.id in as_supplier:
            by_ocid[r.id].append(r.indicator)
    labels: dict[str, list[str]] = defaultdict(list)
    for rel in export.releases:
        for s in rel.get("tenderscanSources", []):
            labels[rel["ocid"]].append(s["document"])
    compiled_by = {c["ocid"]: c for c in compiled}
    wins = []
    for ocid, codes in sorted(by_ocid.items()):
        c = compiled_by.get(ocid, {})
        award = next((a for a in c.get("awards", []) if any(s.get("id") == party for s in a.get("suppliers", []))),
                     {})
        value = award.get("value") or {}
        wins.append(SingleBidWin(ocid, tuple(sorted(codes)), processes[ocid].buyer, value.get("amount"),
                                 value.get("currency"), tuple(labels.get(ocid, []))))
    out.single_bid_wins = wins


def run(inn: str, sources: list[str] | None = None, *, store: Any = None, settings_file: Any = None,
        input_format: str | None = None, encoding: str | None = None, dataset: Any = None) -> Profile:
    """``tenderscan profile`` as one call: the profile over SOURCEs (stored IDs resolved in the store at
    ``store``), or with none over every document in that store, or over the latest documents of the Parquet
    dataset at ``dataset``. A settings file (Cardinal's INI) is read
    before any input; inputs that cannot be read are in ``failures`` (and named in the NotFoundError when
    no document names the INN)."""
    from ..documents.batch import ReadOptions, read
    from ..flags import read_settings
    from ..store import Store
    from ..store.refs import StoreResolver

    settings = read_settings(settings_file) if settings_file is not None else None
    if dataset is not None:
        from .dataset.query import open_documents

        with open_documents(dataset) as ds:
            return profile(inn, ds, settings=settings)
    if not sources:
        with Store.open(store) as st:
            return profile(inn, st, settings=settings)
    with StoreResolver(store) as resolver:
        batch = read(list(sources), resolver=resolver,
                     options=ReadOptions(input_format=input_format, encoding=encoding, stations=False))
        tenders = list(batch)
    try:
        out = profile(inn, tenders=tenders, settings=settings)
    except NotFoundError as exc:
        if batch.failures:
            exc.message += f" ({len(batch.failures)} of {batch.inputs} inputs could not be read: " \
                           f"{batch.failures[0].message})"
        raise
    out.failures, out.inputs = batch.failures, batch.inputs
    return out
