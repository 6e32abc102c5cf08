"""Settings for the flags engine, as Cardinal's settings file holds them (parsed by :mod:`.settings`).

An indicator runs when its section is present (``[R024]``, even empty); its keys override Cardinal's
defaults. Global keys (``currency``, the price-comparison method lists) and ``[exclusions]`` apply to every
indicator. The ``prepare`` sections (``[defaults]``, ``[redactions]``, ``[corrections]``, ``[modifications]``,
``[codelists.*]``) belong to Cardinal's ``prepare`` command: :func:`tenderscan.flags.prepare` applies them;
the indicators themselves never read them (as in Cardinal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .types import CARDINAL_DEFAULT, SETTINGS_FILE


@dataclass(frozen=True)
class Resolved:
    """A setting's value and where it came from: Cardinal's default or the settings file (and which entry)."""

    value: Any
    source: str  # CARDINAL_DEFAULT or SETTINGS_FILE
    setting: str | None = None  # e.g. "[R003] threshold", "[R003.procurement_method_details] x"

    def evidence(self, prefix: str = "threshold") -> dict[str, Any]:
        out: dict[str, Any] = {f"{prefix}_source": self.source}
        if self.setting:
            out[f"{prefix}_setting"] = self.setting
        return out


@dataclass(frozen=True)
class IndicatorSection:
    """One enabled indicator's settings: ``[R003]`` keys in ``values``, ``[R003.x]`` in ``tables``."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def resolve(self, name: str, default: Any) -> Resolved:
        if name in self.values:
            return Resolved(self.values[name], SETTINGS_FILE, f"[{self.code}] {name}")
        return Resolved(default, CARDINAL_DEFAULT)


@dataclass(frozen=True)
class Exclusions:
    """``[exclusions]``: processes left out of every indicator."""

    procurement_method_details: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Defaults:
    """``[defaults]`` (prepare): values filled in where a field is missing."""

    currency: str | None = None  # /bids/details[]/value/currency
    item_classification_scheme: str | None = None  # /bids|awards .../items[]/classification/scheme
    bid_status: str | None = None
    award_status: str | None = None
    party_roles: bool = False  # add the role of each organisation reference to /parties[]/roles


@dataclass(frozen=True)
class Redactions:
    """``[redactions]`` (prepare): placeholder values removed before the indicators see them."""

    amount: frozenset[float] = frozenset()  # /bids/details[]/value/amount
    organization_id: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Corrections:
    """``[corrections]`` (prepare)."""

    award_status_by_contract_status: bool = False


@dataclass(frozen=True)
class Modifications:
    """``[modifications]`` (prepare)."""

    move_auctions: bool = False
    prefix_buyer_or_procuring_entity_id: str = ""
    prefix_tenderer_or_supplier_id: str = ""
    split_procurement_method_details: str | None = None


@dataclass(frozen=True)
class PrepareSettings:
    defaults: Defaults = field(default_factory=Defaults)
    redactions: Redactions = field(default_factory=Redactions)
    corrections: Corrections = field(default_factory=Corrections)
    modifications: Modifications = field(default_factory=Modifications)
    codelists: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # "bid_status"/"award_status"


@dataclass(frozen=True)
class Settings:
    """What to compute and how. ``indicators`` maps each enabled indicator's code to its section.

    ``Settings()`` enables nothing (as Cardinal without a settings file); :func:`tenderscan.flags.
    cardinal_defaults` enables every implemented indicator with Cardinal's defaults.
    """

    indicators: Mapping[str, IndicatorSection] = field(default_factory=dict)
    currency: str | None = None  # the main currency; None: the first currency observed
    no_price_comparison_procurement_methods: frozenset[str] = frozenset()
    price_comparison_procurement_methods: frozenset[str] = frozenset()
    exclusions: Exclusions = field(default_factory=Exclusions)
    prepare: PrepareSettings = field(default_factory=PrepareSettings)
    source: str | None = None  # the settings file read, if any
    warnings: tuple[str, ...] = ()

    def section(self, code: str) -> IndicatorSection | None:
        return self.indicators.get(code)

    def enabled(self) -> list[str]:
        return sorted(self.indicators)
