"""Every indicator the engine can run: Cardinal's (``indicators.INDICATORS``, each with a Cardinal fixture)
and tenderscan's own (``zakupki.TS_INDICATORS``), in the order they run."""

from __future__ import annotations

from dataclasses import replace

from .config import IndicatorSection, Settings
from .indicators import INDICATORS, Indicator
from .zakupki import TS_INDICATORS

ALL_INDICATORS: tuple[type[Indicator], ...] = INDICATORS + TS_INDICATORS
ALL_REGISTRY: dict[str, type[Indicator]] = {cls.code: cls for cls in ALL_INDICATORS}


#: left out of :func:`tenderscan_defaults`: R003 compares every period with one fixed number (15 days) that
#: neither 44-FZ nor 223-FZ uses; TS-SHORT-PERIOD compares it with the legal minimum. Name ``[R003]`` in a
#: settings file to run it.
NOT_BY_DEFAULT = ("R003",)


def tenderscan_defaults(settings: Settings | None = None) -> Settings:
    """Every indicator (Cardinal's and tenderscan's, but R003) enabled with its defaults; with
    ``settings``: those settings, plus every indicator they do not name, with its defaults."""
    base = settings or Settings()
    sections = dict(base.indicators)
    for cls in ALL_INDICATORS:
        if cls.code not in NOT_BY_DEFAULT:
            sections.setdefault(cls.code, IndicatorSection(cls.code))
    return replace(base, indicators={cls.code: sections[cls.code] for cls in ALL_INDICATORS
                                     if cls.code in sections})
