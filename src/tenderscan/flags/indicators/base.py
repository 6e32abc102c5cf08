"""What every indicator shares: the run's state, the indicator protocol, and per-tenderer flag collection.

An indicator sees each usable release once (:meth:`Indicator.observe`, which may return flags at once: the
streaming indicators) and is asked for its remaining flags at the end (:meth:`Indicator.finish`: the
indicators that compare a process or an organisation with the whole set, and the tenderers named by
process-level flags, one flag per tenderer however many processes name it). Between the two, an indicator
keeps only the per-process numbers it needs, never the releases.

A :class:`Collector` is a pass shared by several indicators (Cardinal's ``SecondLowestBidRatio`` for R024
and R058); it observes each release before the indicators do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Iterator, Mapping, TypeVar

from ..config import IndicatorSection, Settings
from ..options import Kind
from ..release import Release
from ..types import Flag, Group

FIRST_OBSERVED = "first currency observed"

C = TypeVar("C", bound="Collector")


class RunState:
    """State shared by the indicators of one run: the main currency, shared collectors, Cardinal's Meta."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.currency: str | None = None
        self.collectors: dict[type, Collector] = {}
        self.meta: dict[str, dict[str, float]] = {}

    def main_currency(self, observed: str) -> str:
        """The main currency: the settings' ``currency``, else the first currency a price comparison sees.

        As Cardinal, the main currency is fixed the first time an indicator compares a bid's currency with it
        (in input order, the shared bid-ratio pass before R036 within a release).
        """
        if self.currency is None:
            self.currency = self.settings.currency if self.settings.currency is not None else observed
        return self.currency

    def currency_evidence(self) -> dict[str, Any]:
        source = "settings file" if self.settings.currency is not None else FIRST_OBSERVED
        return {"main_currency": self.currency, "main_currency_source": source}

    def set_meta(self, code: str, key: str, value: float) -> None:
        self.meta.setdefault(code, {})[key] = value

    def collector(self, cls: type[C]) -> C:
        return self.collectors[cls]  # type: ignore[return-value]


class Collector:
    """A pass over the releases whose results several indicators read."""

    def __init__(self, run: RunState) -> None:
        self.run = run

    def observe(self, release: Release, ocid: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class Indicator:
    """One indicator. Subclasses set ``code``, ``title``, the settings they accept and what they need."""

    code: ClassVar[str]
    title: ClassVar[str]
    #: keys of the indicator's section and their kinds (unknown keys are a settings error, as in Cardinal)
    options: ClassVar[Mapping[str, Kind]] = {}
    #: dotted subsections (``[R003.procurement_method_details]``): name -> kind of every value
    tables: ClassVar[Mapping[str, Kind]] = {}
    #: shared passes this indicator reads
    needs: ClassVar[tuple[type[Collector], ...]] = ()

    def __init__(self, section: IndicatorSection, run: RunState) -> None:
        self.section = section
        self.run = run

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        return ()

    def finish(self) -> Iterable[Flag]:
        return ()

    def flag(
        self, group: Group, id: str, value: float, threshold: float | int | None, evidence: dict[str, Any]
    ) -> Flag:
        if threshold is not None and "threshold" not in evidence:
            evidence = {**evidence, "threshold": threshold}
        return Flag(self.code, group, id, float(value), threshold, evidence)


@dataclass
class _Named:
    processes: list[dict[str, Any]] = field(default_factory=list)
    seen: set[tuple] = field(default_factory=set)


class TendererFlags:
    """Tenderers named by process-level flags: one flag per tenderer, listing the processes that name it."""

    def __init__(self, indicator: Indicator, value: float) -> None:
        self.indicator = indicator
        self.value = value
        self._named: dict[str, _Named] = {}

    def add(self, tenderer_id: str, ocid: str, **details: Any) -> None:
        named = self._named.setdefault(tenderer_id, _Named())
        key = (ocid, *sorted(details.items()))  # details are scalars: a role, a bid's path and date
        if key not in named.seen:
            named.seen.add(key)
            named.processes.append({"ocid": ocid, **details})

    def flags(self, threshold: float | int | None, evidence: dict[str, Any]) -> Iterator[Flag]:
        for tenderer_id, named in self._named.items():
            yield self.indicator.flag(
                Group.tenderer, tenderer_id, self.value, threshold, {"processes": named.processes, **evidence}
            )
