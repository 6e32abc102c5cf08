"""The pass R024 and R058 share: the winning bid against the second-lowest valid bid, per process.

Cardinal's ``SecondLowestBidRatio``. A process counts when its prices may be compared (the global
``price_comparison_procurement_methods`` / ``no_price_comparison_procurement_methods`` lists), every award is
final (active, cancelled or unsuccessful: a pending or invalid award leaves the process out), exactly one
award is active and it has exactly one supplier. Among the valid bids from a single tenderer with an amount
in the main currency, the winner's bid is the supplier's lowest and the second-lowest is the lowest bid of
anyone else (the first one seen wins a tie). The difference is ``(second - winner) / winner``; a process
whose winning bid is not the lowest (award criteria not price-only) is left out. Joint bids are skipped, not
the whole process (Cardinal's docs say the process is excluded; its code skips the bid).

One departure: a winning bid of 0 would divide by zero (Cardinal stores inf or NaN); such a process is left
out here. Cardinal's ``prepare`` reports zero amounts as a quality issue ("is zero").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import ocds
from ..release import Bid, Release
from .base import Collector


@dataclass(frozen=True)
class BidRatio:
    """One process's winning and second-lowest valid bids (only what R024/R058 need, not the release)."""

    ratio: float
    winner: Bid
    second: Bid
    award_path: str

    @property
    def winner_id(self) -> str:
        return self.winner.tenderer_ids[0]

    @property
    def second_id(self) -> str:
        return self.second.tenderer_ids[0]

    def evidence(self) -> dict[str, Any]:
        return {
            "difference": self.ratio,
            "rule": "(second-lowest valid bid - winning bid) / winning bid",
            "winning_bid": self.winner.describe(),
            "second_lowest_valid_bid": self.second.describe(),
            "award": self.award_path,
        }


class SecondLowestBids(Collector):
    def __init__(self, run) -> None:
        super().__init__(run)
        settings = run.settings
        self.include = settings.price_comparison_procurement_methods
        self.exclude = settings.no_price_comparison_procurement_methods
        self.records: dict[str, BidRatio] = {}  # by ocid (a repeated ocid replaces, as in Cardinal)

    def observe(self, release: Release, ocid: str) -> None:
        if not ocds.matches_procurement_method_details(release.raw, self.include, self.exclude):
            return
        active = release.final_awards
        if active is None or len(active) != 1:
            return
        supplier = active[0].sole_supplier
        if supplier is None:
            return
        winner = second = None
        for bid in release.single_tenderer_valid_bids:
            if bid.amount_float is None or bid.currency is None:
                continue
            if bid.currency != self.run.main_currency(bid.currency):
                continue
            if bid.tenderer_ids[0] == supplier:
                if winner is None or bid.amount_float < winner.amount_float:
                    winner = bid
            elif second is None or bid.amount_float < second.amount_float:
                second = bid
        if winner is None or second is None or second.amount_float < winner.amount_float:
            return
        if winner.amount_float == 0.0:
            return
        ratio = (second.amount_float - winner.amount_float) / winner.amount_float
        self.records[ocid] = BidRatio(ratio, winner, second, active[0].path)
