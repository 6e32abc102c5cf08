"""R024 Price close to winning bid: was the runner-up's price suspiciously close to the winner's?

In plain words: the second-lowest valid bid is only a little above the winning bid, much closer than in most
processes of the same data. Colluding bidders can fake competition with a cover bid just above the chosen
winner; close prices are also what a competitive market produces. A question, not a verdict: look at who the
two bidders are and whether they meet elsewhere.

Cardinal's definition: the difference ``(secondLowestValidBid - winningBid) / winningBid`` (see
:mod:`.bid_ratio` for which processes and bids count) is less than or equal to the lower fence
``Q1 - 1.5·IQR`` of all processes' differences. Value: the difference; the winner and the second-lowest
bidder are flagged too (value 0.0). Nothing is flagged when Q1 or the fence is not above 0 (otherwise most
processes would be).

Threshold: the lower fence computed from the data (Cardinal default); ``[R024] threshold`` sets it (a
decimal, e.g. 0.05; it must be above 0 to flag anything).
"""

from __future__ import annotations

from typing import Iterator

from ..options import DECIMAL
from ..stats import Quartiles
from ..types import Flag, Group
from .base import Indicator, TendererFlags
from .bid_ratio import SecondLowestBids


class R024(Indicator):
    code = "R024"
    title = "Price close to winning bid"
    options = {"threshold": DECIMAL}
    needs = (SecondLowestBids,)

    def finish(self) -> Iterator[Flag]:
        records = self.run.collector(SecondLowestBids).records
        threshold = self.section.resolve("threshold", None)
        if threshold.value is None:
            quartiles = Quartiles.of(r.ratio for r in records.values())
            fence, q1 = quartiles.lower_fence, quartiles.q1
            self.run.set_meta(self.code, "q1", quartiles.q1)
            self.run.set_meta(self.code, "q3", quartiles.q3)
            basis = {"threshold_rule": "Q1 - 1.5·IQR of the differences", **quartiles.evidence()}
        else:
            fence, q1 = threshold.value, 1.0  # Cardinal's placeholder: only the fence is checked
            basis = {}
        self.run.set_meta(self.code, "lower_fence", fence)
        if not (q1 > 0.0 and fence > 0.0):
            return
        common = {"lower_fence": fence, "threshold": fence, **threshold.evidence(), **basis}
        tenderers = TendererFlags(self, 0.0)
        for ocid, record in records.items():
            if record.ratio <= fence:
                evidence = {**record.evidence(), **self.run.currency_evidence(), **common}
                yield self.flag(Group.ocid, ocid, record.ratio, fence, evidence)
                tenderers.add(record.winner_id, ocid, role="winner")
                tenderers.add(record.second_id, ocid, role="second-lowest bidder")
        yield from tenderers.flags(fence, common)
