"""R028 Identical bid prices: did different tenderers offer exactly the same price?

In plain words: two bids from different tenderers carry the same amount in the same currency. Identical
prices can come from leaked prices or a shared calculation; they are also normal where the price is fixed
or a round number is usual. A question, not a verdict: look at the bids and how the price is set.

Cardinal's definition: among the submitted bids (pending, valid or disqualified) with an amount, a currency
and at least one tenderer with a string id, two bids have the same (amount, currency) and different sets of
tenderers (a tenderer may repeat its own price; the same tenderers in another order are the same set).
Amounts are compared as doubles (1 and 1.0 are the same price). The process and those tenderers are flagged.
Value: always 1.0. Prices set by the buyer can be left out with the global
``no_price_comparison_procurement_methods`` / ``price_comparison_procurement_methods``.

Threshold: none (any two identical prices); the indicator has no settings.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from .. import ocds
from ..release import Bid, Release
from ..types import CARDINAL_DEFAULT, Flag, Group
from .base import Indicator, TendererFlags


class R028(Indicator):
    code = "R028"
    title = "Identical bid prices"

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        settings = run.settings
        self.include = settings.price_comparison_procurement_methods
        self.exclude = settings.no_price_comparison_procurement_methods
        self.tenderers = TendererFlags(self, 1.0)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        if not ocds.matches_procurement_method_details(release.raw, self.include, self.exclude):
            return ()
        last: dict[tuple[float, str], Bid] = {}  # the last bid seen at each price
        matches = []
        for bid in release.submitted_bids:
            if not bid.has_tenderers or bid.amount_float is None or bid.currency is None:
                continue
            ids = frozenset(bid.tenderer_ids)
            if not ids:
                continue
            price = (bid.amount_float, bid.currency)
            other = last.get(price)
            if other is not None and ids != frozenset(other.tenderer_ids):
                matches.append(
                    {
                        "amount": bid.amount,
                        "currency": bid.currency,
                        "bids": [other.describe(), bid.describe()],
                    }
                )
                for tenderer_id in sorted(ids | frozenset(other.tenderer_ids)):
                    self.tenderers.add(tenderer_id, ocid)
            last[price] = bid
        if not matches:
            return ()
        evidence = {
            "identical_prices": matches,
            "rule": "bids from different tenderers with the same amount and currency",
            "threshold_source": CARDINAL_DEFAULT,
        }
        return (self.flag(Group.ocid, ocid, 1.0, None, evidence),)

    def finish(self) -> Iterator[Flag]:
        yield from self.tenderers.flags(None, {"threshold_source": CARDINAL_DEFAULT})
