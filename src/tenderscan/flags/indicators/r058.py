"""R058 Heavily discounted bid: did the winner bid far below everyone else?

In plain words: the winning bid is much lower than the second-lowest valid bid, far more than in most
processes of the same data. A supplier that underbids this much may cut quality or recover the money later
(amendments, extra work); it may also simply be more efficient. A question, not a verdict: check the
contract's execution, its amendments and payments.

Cardinal's definition: the difference ``(secondLowestValidBid - winningBid) / winningBid`` (see
:mod:`.bid_ratio` for which processes and bids count) is greater than or equal to the upper fence
``Q3 + 1.5·IQR`` of all processes' differences. Value: the difference; the winner is flagged too (value
0.0). Nothing is flagged when the fence is not above 0.

Threshold: the upper fence computed from the data (Cardinal default); ``[R058] threshold`` sets it (a
decimal, e.g. 0.5).
"""

from __future__ import annotations

from typing import Iterator

from ..options import DECIMAL
from ..stats import Quartiles
from ..types import Flag, Group
from .base import Indicator, TendererFlags
from .bid_ratio import SecondLowestBids


class R058(Indicator):
    code = "R058"
    title = "Heavily discounted bid"
    options = {"threshold": DECIMAL}
    needs = (SecondLowestBids,)

    def finish(self) -> Iterator[Flag]:
        records = self.run.collector(SecondLowestBids).records
        threshold = self.section.resolve("threshold", None)
        if threshold.value is None:
            quartiles = Quartiles.of(r.ratio for r in records.values())
            fence = quartiles.upper_fence
            self.run.set_meta(self.code, "q1", quartiles.q1)
            self.run.set_meta(self.code, "q3", quartiles.q3)
            basis = {"threshold_rule": "Q3 + 1.5·IQR of the differences", **quartiles.evidence()}
        else:
            fence = threshold.value
            basis = {}
        self.run.set_meta(self.code, "upper_fence", fence)
        if not fence > 0.0:
            return
        common = {"upper_fence": fence, "threshold": fence, **threshold.evidence(), **basis}
        tenderers = TendererFlags(self, 0.0)
        for ocid, record in records.items():
            if record.ratio >= fence:
                evidence = {**record.evidence(), **self.run.currency_evidence(), **common}
                yield self.flag(Group.ocid, ocid, record.ratio, fence, evidence)
                tenderers.add(record.winner_id, ocid, role="winner")
        yield from tenderers.flags(fence, common)
