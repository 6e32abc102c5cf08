"""The flags service (``tenderscan flags``): red-flag indicators over documents, a store, or OCDS files.

Every indicator runs on OCDS compiled releases (:mod:`tenderscan.flags`): zakupki and other documents go
through tenderscan's OCDS export first (:mod:`.export.ocds`) and are merged per process, OCDS inputs are
read as they are (release and record packages merged per ocid; JSON Lines of compiled releases, as Cardinal
reads them, taken one line at a time). So a set of documents and its OCDS export give the same flags.

    >>> report = flags(["fixtures/zakupki/"])            # every indicator with its defaults
    >>> report = flags(store=Store.open(), settings=read_settings("S.ini"))
    >>> report.rows(by=By.customer)                      # FlagRow: indicator, group, id, value, evidence
    >>> report.cardinal()                                # what `ocdscardinal indicators --no-meta` prints

Settings: Cardinal's INI (``flags.read_settings``), whose sections may also name tenderscan's indicators
(``[TS-SHORT-PERIOD]``...). Without settings every indicator runs with its defaults; with a settings file,
only the ones it names (as Cardinal).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, BinaryIO, Iterable, Iterator

from ..documents.batch import Failure, ReadOptions, read_input
from ..documents.inputs import Input, Resolver, iter_inputs
from ..errors import ParseError, TenderscanError
from ..flags import FlagEngine, Flag, Group, ProcessCounts, Settings, to_cardinal, to_cardinal_json
from ..flags.registry import ALL_REGISTRY, tenderscan_defaults
from ..formats.ocds import encoding as ocds_encoding
from ..formats.ocds import reader as ocds_reader
from ..formats.ocds import stream as ocds_stream
from ..models import Tender
from .export.ocds import OcdsExport, OcdsOptions, Skipped, export_ocds


class By(StrEnum):
    flag = "flag"
    customer = "customer"
    supplier = "supplier"


@dataclass(frozen=True)
class FlagRow:
    """One flag as a table row: ``evidence`` holds the values that raised it and the documents."""

    indicator: str
    title: str
    group: str  # Cardinal's: OCID, Buyer, ProcuringEntity, Tenderer
    id: str
    value: float
    threshold: float | int | None
    evidence: dict[str, Any]
    key: str | None = None  # with --by: the flag, customer or supplier the row is listed under
    name: str | None = None  # that customer's or supplier's name, where known

    def record(self) -> dict[str, Any]:
        """A JSON-ready dict (decimals are already strings in the evidence)."""
        out = {"indicator": self.indicator, "title": self.title, "group": self.group, "id": self.id,
               "value": self.value, "threshold": self.threshold, "evidence": self.evidence}
        if self.key is not None:
            out = {"by": self.key, "name": self.name, **out}
        return out

    def flat(self) -> dict[str, Any]:
        """For CSV and tables: the evidence as one compact JSON text."""
        out = self.record()
        out["evidence"] = json.dumps(self.evidence, ensure_ascii=False, separators=(",", ":"), default=str)
        return out


@dataclass
class ProcessInfo:
    """Who a process is about: for --by customer / supplier."""

    buyer: str | None = None
    buyer_name: str | None = None
    suppliers: dict[str, str | None] = field(default_factory=dict)  # party id -> name
    input: str | None = None
    sources: list[dict] = field(default_factory=list)  # tenderscanSources: the documents of the process


@dataclass
class FlagReport:
    flags: list[Flag]
    settings: Settings
    counts: ProcessCounts
    meta: dict[str, dict[str, float]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # documents the OCDS export left out, and why
    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    inputs: int = 0

    def rows(self, by: By | str = By.flag) -> list[FlagRow]:
        by = By(by)
        out = []
        for f in self.flags:
            title = ALL_REGISTRY[f.indicator].title if f.indicator in ALL_REGISTRY else f.indicator
            base = FlagRow(f.indicator, title, f.group.value, f.id, f.value, f.threshold, f.evidence)
            if by is By.flag:
                out.append(FlagRow(**{**base.__dict__, "key": None}))
                continue
            for key, name in self._keys(f, by):
                out.append(FlagRow(**{**base.__dict__, "key": key, "name": name}))
        if by is By.flag:
            return sorted(out, key=lambda r: (r.indicator, r.group, r.id))
        return sorted(out, key=lambda r: (r.key or "", r.indicator, r.id))

    def _keys(self, f: Flag, by: By) -> list[tuple[str, str | None]]:
        if f.group is Group.ocid:
            info = self.processes.get(f.id, ProcessInfo())
            if by is By.customer:
                return [(info.buyer or "(no buyer)", info.buyer_name)]
            return list(info.suppliers.items()) or [("(no supplier)", None)]
        if f.group in (Group.buyer, Group.procuring_entity):
            if by is By.customer:
                name = next((p.buyer_name for p in self.processes.values() if p.buyer == f.id), None)
                return [(f.id, name)]
            supplier = f.evidence.get("supplier")
            return [(supplier, None)] if isinstance(supplier, str) else [("(no supplier)", None)]
        if by is By.supplier:  # Tenderer
            return [(f.id, None)]
        buyers = {self.processes[p["ocid"]].buyer for p in f.evidence.get("processes", [])
                  if isinstance(p, dict) and p.get("ocid") in self.processes}
        return [(b or "(no buyer)", None) for b in sorted(buyers, key=str)] or [("(no buyer)", None)]

    def cardinal(self) -> dict[str, Any]:
        """The object Cardinal's ``indicators`` command prints (without ``Meta``)."""
        return to_cardinal(self.flags)

    def cardinal_json(self) -> str:
        return to_cardinal_json(self.flags)


# --- reading --------------------------------------------------------------------------------------------


def is_ocds(inp: Input) -> bool:
    try:
        return ocds_reader.detect(inp.head())
    except TenderscanError:
        return False


def _objects(inp: Input) -> Iterator[Any]:
    if inp.in_memory or not inp.large:
        utf8, _ = ocds_encoding.bytes_as_utf8(inp.read(), None)
        units = ocds_stream.units_from_bytes(utf8)
    else:
        units = ocds_stream.units_from_stream(lambda: ocds_encoding.open_utf8(inp, None))
    for obj, _package, _container in units:
        yield obj


def ocds_compiled(inp: Input) -> Iterator[Any]:
    """Compiled releases of an OCDS input: a package's releases merged per ocid, a record's compiled release
    (or its releases merged), anything else (JSON Lines of compiled releases, as Cardinal reads them) as is."""
    for obj in _objects(inp):
        if isinstance(obj, dict) and "ocid" not in obj and isinstance(obj.get("releases"), list):
            groups: dict[Any, list[dict]] = {}
            for r in obj["releases"]:
                if isinstance(r, dict):
                    groups.setdefault(r.get("ocid"), []).append(r)
                else:
                    yield r
            for rs in groups.values():
                yield ocds_reader.compile_releases(rs)
        elif isinstance(obj, dict) and "ocid" not in obj and isinstance(obj.get("records"), list):
            for rec in obj["records"]:
                yield _record(rec)
        elif isinstance(obj, dict) and ("compiledRelease" in obj or (isinstance(obj.get("releases"), list)
                                                                      and "tag" not in obj)):
            yield _record(obj)
        else:
            yield obj


def _record(rec: Any) -> Any:
    if not isinstance(rec, dict):
        return rec
    if isinstance(rec.get("compiledRelease"), dict):
        return rec["compiledRelease"]
    embedded = [r for r in rec.get("releases") or [] if isinstance(r, dict) and "ocid" in r]
    if embedded:
        return ocds_reader.compile_releases(embedded)
    raise ParseError(f"record {rec.get('ocid')} has neither a compiled release nor embedded releases",
                     hint="give the release package instead")


def compiled_from_tenders(tenders: Iterable[Tender], options: OcdsOptions | None = None) -> tuple[list[dict],
                                                                                                  OcdsExport]:
    """Documents through the OCDS export, merged per process: what the indicators read."""
    export = export_ocds(tenders, options)
    return list(export.compiled().values()), export


# --- the service ---------------------------------------------------------------------------------------


def flags(sources: list[str] | None = None, *, store: Any = None, settings: Settings | None = None,
          resolver: Resolver | None = None, options: ReadOptions | None = None, stdin: BinaryIO | None = None,
          ocds_options: OcdsOptions | None = None) -> FlagReport:
    """Flags over SOURCEs (files, folders, zip archives, ``-``, stored IDs through ``resolver``) and/or a
    store's documents (the latest version of each, ``store.iter_tenders(latest=True)``).

    ``settings=None``: every indicator, Cardinal's and tenderscan's, with its defaults. A bad input becomes a
    :class:`Failure` in ``report.failures`` and the others are still read.
    """
    options = options or ReadOptions(stations=False)
    settings = settings if settings is not None else tenderscan_defaults()
    failures: list[Failure] = []
    tenders: list[Tender] = []
    compiled: list[tuple[Any, str | None]] = []
    inputs = 0
    for inp in iter_inputs(list(sources or []), stdin=stdin, resolver=resolver):
        inputs += 1
        if inp.error is not None:
            failures.append(Failure.of(inp.name, inp.error))
            continue
        if inp.tenders is None and is_ocds(inp):
            try:
                compiled.extend((c, inp.name) for c in ocds_compiled(inp))
            except TenderscanError as exc:
                failures.append(Failure.of(inp.name, exc))
            continue
        doc = read_input(inp, options)
        if doc.error is not None:
            failures.append(Failure.of(inp.name, doc.error))
            continue
        try:
            tenders.extend(doc.tenders)
        except TenderscanError as exc:
            failures.append(Failure.of(inp.name, exc))
    if store is not None:
        tenders.extend(store.iter_tenders(latest=True))
    skipped: list[Skipped] = []
    if tenders:
        from_docs, export = compiled_from_tenders(tenders, ocds_options)
        compiled.extend((c, None) for c in from_docs)
        skipped = export.skipped
    engine = FlagEngine(settings)
    found: dict[tuple, Flag] = {}
    processes: dict[str, ProcessInfo] = {}
    for release, name in compiled:
        if isinstance(release, dict) and isinstance(release.get("ocid"), str):
            processes[release["ocid"]] = _info(release, name)
        for flag in engine.observe(release):
            found[flag.key] = flag
    for flag in engine.finish():
        found[flag.key] = flag
    result = [_with_input(f, processes) for f in found.values()]
    return FlagReport(result, settings, engine.counts, engine.meta(), failures, skipped, processes, inputs)


def _info(release: dict, name: str | None) -> ProcessInfo:
    parties = {p.get("id"): p.get("name") for p in release.get("parties") or [] if isinstance(p, dict)}
    buyer = release.get("buyer") if isinstance(release.get("buyer"), dict) else {}
    info = ProcessInfo(buyer.get("id"), buyer.get("name") or parties.get(buyer.get("id")), input=name,
                       sources=[x for x in release.get("tenderscanSources") or [] if isinstance(x, dict)])
    for a in release.get("awards") or []:
        if isinstance(a, dict) and a.get("status") in (None, "active"):
            for s in a.get("suppliers") or []:
                if isinstance(s, dict) and isinstance(s.get("id"), str):
                    info.suppliers[s["id"]] = s.get("name") or parties.get(s["id"])
    return info


def _with_input(flag: Flag, processes: dict[str, ProcessInfo]) -> Flag:
    """An OCID flag whose indicator names no document (Cardinal's) gets the process's documents (the export's
    ``tenderscanSources``), else the OCDS input it was read from."""
    if flag.group is not Group.ocid or flag.evidence.get("documents"):
        return flag
    info = processes.get(flag.id)
    if info is None or not (info.sources or info.input):
        return flag
    docs = info.sources or [{"input": info.input, "ocid": flag.id}]
    return Flag(flag.indicator, flag.group, flag.id, flag.value, flag.threshold, {**flag.evidence, "documents": docs})


# --- the command as one call -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagCount:
    """``--by``: how many flags one indicator raised, or one customer or supplier drew (per indicator)."""

    by: str  # the indicator (--by flag), or the customer's or supplier's party id
    name: str | None  # the indicator's title, or the organisation's name where known
    indicator: str | None  # None for --by flag (``by`` is the indicator)
    flags: int
    ids: tuple[str, ...]  # the flagged processes or organisations

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"by": self.by, "name": self.name}
        if self.indicator is not None:
            out["indicator"] = self.indicator
        return {**out, "flags": self.flags, "ids": list(self.ids)}


def counts(report: FlagReport, by: By | str) -> list[FlagCount]:
    """The flags counted per indicator (``By.flag``), or per customer / supplier and indicator."""
    by = By(by)
    groups: dict[tuple[str, str | None], list[FlagRow]] = {}
    for r in report.rows(by):
        key = (r.indicator, None) if by is By.flag else (r.key or "", r.indicator)
        groups.setdefault(key, []).append(r)
    out = []
    for (first, indicator), rows in groups.items():
        name = rows[0].title if by is By.flag else next((r.name for r in rows if r.name), None)
        ids = tuple(dict.fromkeys(r.id for r in rows))
        out.append(FlagCount(first, name, indicator, len(rows), ids))
    if by is By.flag:
        return sorted(out, key=lambda c: c.by)
    totals: dict[str, int] = {}
    for c in out:
        totals[c.by] = totals.get(c.by, 0) + c.flags
    return sorted(out, key=lambda c: (-totals[c.by], c.by, c.indicator or ""))  # the most flagged first


def choose_indicators(settings: Settings | None, codes: Iterable[str]) -> Settings | None:
    """Only the indicators ``codes`` (``--indicator``), each with its section of ``settings`` if it has one,
    else its defaults. No codes: ``settings`` as they are."""
    from dataclasses import replace

    from ..flags import IndicatorSection
    from ..errors import UsageError

    codes = list(dict.fromkeys(codes))
    if not codes:
        return settings
    unknown = [c for c in codes if c not in ALL_REGISTRY]
    if unknown:
        raise UsageError(f"--indicator: unknown indicator {', '.join(unknown)}",
                         hint=f"choose from {', '.join(ALL_REGISTRY)}")
    base = settings if settings is not None else Settings()
    return replace(base, indicators={c: base.indicators.get(c) or IndicatorSection(c) for c in ALL_REGISTRY
                                     if c in codes})


def run(sources: list[str] | None = None, *, store: Any = None, settings_file: Any = None,
        indicators: Iterable[str] = (), input_format: str | None = None, encoding: str | None = None,
        stdin: BinaryIO | None = None, dataset: Any = None) -> FlagReport:
    """``tenderscan flags`` as one call: SOURCEs (stored IDs resolved in the store at ``store``, a path or
    None for the default one), or with none every document in that store (the latest version of each), or
    in the Parquet dataset at ``dataset`` (:meth:`~.dataset.query.Dataset.iter_tenders`).

    ``settings_file``: Cardinal's INI (a bad one is a :class:`~tenderscan.flags.SettingsError`, naming the
    line); ``indicators``: only these. Settings are read before any input; a store that does not exist, or
    holds no document, is an error (none is created)."""
    from ..errors import NotFoundError
    from ..flags import read_settings
    from ..store import Store
    from ..store.refs import StoreResolver

    settings = read_settings(settings_file) if settings_file is not None else None
    settings = choose_indicators(settings, indicators)
    options = ReadOptions(input_format=input_format, encoding=encoding, stations=False)
    if dataset is not None:
        from .dataset.query import open_documents

        with open_documents(dataset) as ds:
            return flags(settings=settings, store=ds, options=options)
    if sources:
        with StoreResolver(store) as resolver:
            return flags(list(sources), settings=settings, resolver=resolver, options=options, stdin=stdin)
    with Store.open(store) as st:
        if next(iter(st.iter_tenders(latest=True)), None) is None:
            raise NotFoundError(f"no documents in the store at {st.path}",
                                hint="load some with `tenderscan ingest PATH`, or give SOURCEs")
        return flags(settings=settings, store=st, options=options)
