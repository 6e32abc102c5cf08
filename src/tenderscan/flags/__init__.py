"""Red-flag indicators over OCDS compiled releases, compatible with Open Contracting's Cardinal.

A flag is a question, not a verdict: a number read from the documents crossed a threshold. Each
:class:`Flag` carries the values that raised it, the threshold and where the threshold came from, so it can
be checked against the documents.

    >>> from tenderscan.flags import compute, read_settings, to_cardinal
    >>> settings = read_settings("settings.ini")  # Cardinal's INI settings file
    >>> flags = compute(releases, settings)  # releases: compiled releases (dicts), one per process
    >>> to_cardinal(flags)  # what `ocdscardinal indicators --no-meta` prints
    {'OCID': {'ocds-1': {'R018': 1.0}}}

The indicators (one module each in :mod:`tenderscan.flags.indicators`, whose docstrings say what each means,
its definition and default threshold): R003 short submission period, R018 single bid received, R024 price
close to winning bid, R025 excessive unsuccessful bids, R028 identical bid prices, R030 late bid won, R035 all
except winning bid disqualified, R036 lowest bid disqualified, R038 excessive disqualified bids, R048
heterogeneous supplier, R058 heavily discounted bid.
"""

from __future__ import annotations

from .cardinal import format_float, to_cardinal, to_cardinal_json
from .config import IndicatorSection, Resolved, Settings
from .engine import FlagEngine, compute, iter_flags
from .indicators import INDICATORS, REGISTRY
from .prepare import PreparedRelease, QualityIssue, prepare
from .settings import SettingsError, cardinal_defaults, parse_settings, read_settings
from .types import CARDINAL_DEFAULT, SETTINGS_FILE, Flag, Group, ProcessCounts

__all__ = [
    "CARDINAL_DEFAULT",
    "INDICATORS",
    "REGISTRY",
    "SETTINGS_FILE",
    "Flag",
    "FlagEngine",
    "Group",
    "IndicatorSection",
    "PreparedRelease",
    "ProcessCounts",
    "QualityIssue",
    "Resolved",
    "Settings",
    "SettingsError",
    "cardinal_defaults",
    "compute",
    "format_float",
    "iter_flags",
    "parse_settings",
    "prepare",
    "read_settings",
    "to_cardinal",
    "to_cardinal_json",
]
