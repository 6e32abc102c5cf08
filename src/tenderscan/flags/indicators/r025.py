"""R025 Excessive unsuccessful bids: does a frequent bidder lose far more often than others?

In plain words: a tenderer that bids very often wins an unusually small share of its bids. Deliberately
losing bids can fake competition for a partner in a cartel; a frequent loser may also just be a large firm
that bids on everything. A question, not a verdict: look at whom it loses to, and where.

Cardinal's definition: for each tenderer, the ratio ``winning bids / valid bids`` across all contracting
processes (a tenderer counts once per process however many valid bids it made; a bid counts only from a
single tenderer with a string id). A process counts when every award is final, exactly one award is active
and it has one supplier (the winner). A tenderer is flagged when its number of valid bids is at least the
75th percentile of all tenderers' numbers, and its ratio is at most the lower fence ``Q1 - 1.5·IQR`` of all
ratios. Value: the ratio. Nothing is flagged when Q1 or the fence is not above 0.

Thresholds: the 75th percentile of valid-bid counts (``[R025] percentile``, a whole percentage) and the lower
fence computed from the data (``[R025] threshold``, a decimal); both Cardinal defaults unless set.
"""

from __future__ import annotations

from typing import Iterator

from ..options import DECIMAL, NATURAL
from ..release import Release
from ..stats import Quartiles, quantile
from ..types import Flag, Group
from .base import Indicator

DEFAULT_PERCENTILE = 75


class R025(Indicator):
    code = "R025"
    title = "Excessive unsuccessful bids"
    options = {"percentile": NATURAL, "threshold": DECIMAL}

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.tenderers: dict[str, list[int]] = {}  # id -> [winning bids, valid bids]

    def observe(self, release: Release, ocid: str) -> tuple:
        active = release.final_awards
        if active is None or len(active) != 1:
            return ()
        supplier = active[0].sole_supplier
        if supplier is None:
            return ()
        for tenderer_id in {b.tenderer_ids[0] for b in release.single_tenderer_valid_bids}:
            counts = self.tenderers.setdefault(tenderer_id, [0, 0])
            counts[0] += tenderer_id == supplier
            counts[1] += 1
        return ()

    def finish(self) -> Iterator[Flag]:
        percentile = self.section.resolve("percentile", DEFAULT_PERCENTILE)
        bids_fence = quantile((float(c[1]) for c in self.tenderers.values()), percentile.value / 100)
        ratios = {tid: c[0] / c[1] for tid, c in self.tenderers.items()}
        threshold = self.section.resolve("threshold", None)
        if threshold.value is None:
            quartiles = Quartiles.of(ratios.values())
            fence, q1 = quartiles.lower_fence, quartiles.q1
            self.run.set_meta(self.code, "q1", quartiles.q1)
            self.run.set_meta(self.code, "q3", quartiles.q3)
            basis = {"threshold_rule": "Q1 - 1.5·IQR of the tenderers' ratios", **quartiles.evidence()}
        else:
            fence, q1 = threshold.value, 1.0  # Cardinal's placeholder: only the fence is checked
            basis = {}
        self.run.set_meta(self.code, "upper_fence", bids_fence)
        self.run.set_meta(self.code, "lower_fence", fence)
        if not (q1 > 0.0 and fence > 0.0):
            return
        common = {
            "valid_bids_fence": bids_fence,
            "valid_bids_fence_rule": f"percentile {percentile.value} of the tenderers' valid-bid counts",
            **percentile.evidence("valid_bids_fence"),
            "lower_fence": fence,
            "threshold": fence,
            **threshold.evidence(),
            **basis,
        }
        for tenderer_id, (wins, count) in self.tenderers.items():
            ratio = ratios[tenderer_id]
            if count >= bids_fence and ratio <= fence:
                evidence = {"winning_bids": wins, "valid_bids": count, "ratio": ratio, **common}
                yield self.flag(Group.tenderer, tenderer_id, ratio, fence, evidence)
