"""Running the indicators over compiled releases: one pass, streaming where the indicator allows.

Every release goes through Cardinal's global filters first: it must be an object with a string ``ocid``,
its ``/tender/status`` must not be "cancelled", and its ``/tender/procurementMethodDetails`` must not be in
``[exclusions] procurement_method_details``. Then the shared passes (the bid ratio of R024/R058) and the
enabled indicators see it, in Cardinal's order. Process-level flags that need only their own release (R003,
R018, R028, R030, R035, R036) come out as soon as the release is read; the rest come out at the end.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from . import ocds
from .config import Settings
from .indicators import Collector, Indicator, RunState
from .registry import ALL_INDICATORS as INDICATORS, ALL_REGISTRY as REGISTRY
from .release import Release
from .settings import SettingsError, cardinal_defaults
from .stats import round4
from .types import Flag, ProcessCounts


class FlagEngine:
    """Feed releases one at a time (:meth:`observe`), then :meth:`finish`; ``counts`` says what was used.

    ``settings=None`` runs every implemented indicator with Cardinal's defaults (Cardinal itself runs none
    without a settings file).
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else cardinal_defaults()
        unknown = [code for code in self.settings.indicators if code not in REGISTRY]
        if unknown:
            raise SettingsError(
                f"unknown indicator {', '.join(unknown)}", hint=f"choose from {', '.join(REGISTRY)}"
            )
        self.run = RunState(self.settings)
        self.counts = ProcessCounts()
        self.indicators: list[Indicator] = []
        collectors: list[Collector] = []
        for cls in INDICATORS:
            section = self.settings.indicators.get(cls.code)
            if section is None:
                continue
            for needed in cls.needs:
                if needed not in self.run.collectors:
                    self.run.collectors[needed] = needed(self.run)
                    collectors.append(self.run.collectors[needed])
            self.indicators.append(cls(section, self.run))
        self._collectors = collectors
        self._exclude = self.settings.exclusions.procurement_method_details
        self._finished = False

    def observe(self, release: Any) -> list[Flag]:
        """Read one compiled release; returns the flags it raises at once (possibly none)."""
        counts = self.counts
        counts.read += 1
        if not isinstance(release, dict):
            counts.not_an_object += 1
            return []
        ocid = release.get("ocid")
        if not isinstance(ocid, str):
            counts.no_ocid += 1
            return []
        if ocds.is_cancelled(release):
            counts.cancelled += 1
            return []
        if not ocds.matches_procurement_method_details(release, frozenset(), self._exclude):
            counts.excluded += 1
            return []
        view = Release(release)
        for collector in self._collectors:
            collector.observe(view, ocid)
        out: list[Flag] = []
        for indicator in self.indicators:
            out.extend(indicator.observe(view, ocid))
        return out

    def finish(self) -> list[Flag]:
        """The flags that need the whole input (quartiles, tenderers named across processes). Call once."""
        if self._finished:
            raise RuntimeError("FlagEngine.finish() was already called")
        self._finished = True
        out: list[Flag] = []
        for indicator in self.indicators:
            out.extend(indicator.finish())
        return out

    def meta(self) -> dict[str, dict[str, float]]:
        """Cardinal's ``Meta`` object: the quartiles and fences used, rounded to 4 decimals (after finish)."""
        return {code: {k: round4(v) for k, v in values.items()} for code, values in self.run.meta.items()}


def iter_flags(releases: Iterable[Any], settings: Settings | None = None) -> Iterator[Flag]:
    """Flags as they are known: streaming ones while reading, the others after the last release.

    A contracting process repeated in the input (the same ocid on two lines) can yield two flags for one
    (indicator, group, id); :func:`compute` keeps the last, as Cardinal does.
    """
    engine = FlagEngine(settings)
    for release in releases:
        yield from engine.observe(release)
    yield from engine.finish()


def compute(releases: Iterable[Any], settings: Settings | None = None) -> list[Flag]:
    """Every flag, one per (indicator, group, id), in the order they were raised."""
    found: dict[tuple, Flag] = {}
    for flag in iter_flags(releases, settings):
        found[flag.key] = flag
    return list(found.values())
