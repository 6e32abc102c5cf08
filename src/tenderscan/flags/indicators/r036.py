"""R036 Lowest bid disqualified: was the cheapest offer thrown out?

In plain words: the lowest submitted bid was disqualified while a valid bid with a price remained, in a
process that awarded a contract. Rejecting the cheapest bid can steer the contract to a chosen supplier; the
cheapest bid may also have been abnormally low or incomplete. A question, not a verdict: read the reason
for the disqualification.

Cardinal's definition: there is an active award; among the submitted bids (pending, valid, disqualified) with
an amount in the main currency, at least one is valid, and the lowest is disqualified. When several bids
share the lowest amount, the first one in ``/bids/details`` decides (so a disqualified bid listed before an
equal valid bid raises the flag, the other way round it does not). Value: always 1.0. Prices set by the
buyer can be left out with the global ``no_price_comparison_procurement_methods`` /
``price_comparison_procurement_methods``.

Threshold: none (the lowest amount); the indicator has no settings. The main currency is the global
``currency`` setting, else the first currency observed.
"""

from __future__ import annotations

from typing import Iterable

from .. import ocds
from ..release import Release
from ..types import CARDINAL_DEFAULT, Flag, Group
from .base import Indicator


class R036(Indicator):
    code = "R036"
    title = "Lowest bid disqualified"

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        settings = run.settings
        self.include = settings.price_comparison_procurement_methods
        self.exclude = settings.no_price_comparison_procurement_methods

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        if not ocds.matches_procurement_method_details(release.raw, self.include, self.exclude):
            return ()
        found = release.awards
        if not found or not any(a.status == "active" for a in found):
            return ()
        lowest = None
        lowest_valid = None
        for bid in release.submitted_bids:
            if bid.amount_float is None or bid.currency is None:
                continue
            if bid.currency != self.run.main_currency(bid.currency):
                continue
            if lowest is None or bid.amount_float < lowest.amount_float:
                lowest = bid
            if bid.status == "valid" and (
                lowest_valid is None or bid.amount_float < lowest_valid.amount_float
            ):
                lowest_valid = bid
        if lowest is None or lowest_valid is None or lowest.status != "disqualified":
            return ()
        evidence = {
            "lowest_bid": lowest.describe(),
            "lowest_valid_bid": lowest_valid.describe(),
            "active_awards": [a.path for a in found if a.status == "active"],
            **self.run.currency_evidence(),
            "rule": "the lowest submitted bid is disqualified and a valid bid has an amount",
            "threshold_source": CARDINAL_DEFAULT,
        }
        return (self.flag(Group.ocid, ocid, 1.0, None, evidence),)
