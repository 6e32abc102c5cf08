"""tenderscan's own indicators over zakupki documents (``TS-...``), computed on OCDS compiled releases.

Each module's class docstring (or the module's, for one-class modules) says what the flag means, its
definition and its default threshold. They run beside Cardinal's indicators in one engine: enable them in
the settings file (``[TS-SHORT-PERIOD]``...) or with :func:`tenderscan.flags.registry.tenderscan_defaults` (every indicator, Cardinal's
and tenderscan's, with their defaults). Cardinal's R018 (single bid) and R036 (lowest bid disqualified) read
the bids the OCDS export writes from the protocols' applications.
"""

from __future__ import annotations

from .across import PossibleSplitting, UnitPriceOutlier, WinnerConcentration
from .changes import NoticeChanged
from .competition import NonCompetitive, SingleAdmitted
from .minimums import Minimums, PeriodRule, load as load_minimums
from .period import ShortPeriod
from .prices import PriceNearMax, ValueGrowth

#: tenderscan's indicators, in the order they run (after Cardinal's)
TS_INDICATORS = (SingleAdmitted, ShortPeriod, NonCompetitive, NoticeChanged, PriceNearMax, ValueGrowth,
                 UnitPriceOutlier, WinnerConcentration, PossibleSplitting)


__all__ = ["Minimums", "PeriodRule", "TS_INDICATORS", "load_minimums"]
