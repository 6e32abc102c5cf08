"""R035 All except winning bid disqualified: was everyone but the winner thrown out?

In plain words: one tenderer's bids were valid and won, and the other tenderers' bids were all disqualified.
Disqualifying every competitor can hand the contract to a chosen supplier; the others' bids may also really
have failed the requirements. A question, not a verdict: read the protocol's reasons for each rejection.

Cardinal's definition: every award is final (active, cancelled or unsuccessful), exactly one tenderer
submitted valid bids, the suppliers of the active awards are exactly that tenderer, and at least ``threshold``
other tenderers submitted a disqualified bid. The process is flagged with the number of other tenderers
with disqualified bids; the winner is flagged too (value 0.0). Pending, invited and withdrawn bids are
ignored.

Threshold: 1 tenderer with a disqualified bid (Cardinal default); ``[R035] threshold`` sets it (a natural
number; 0 is read as 1, as Cardinal does).
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ..options import NATURAL
from ..release import Release
from ..types import Flag, Group
from .base import Indicator, TendererFlags

DEFAULT_THRESHOLD = 1


class R035(Indicator):
    code = "R035"
    title = "All except winning bid disqualified"
    options = {"threshold": NATURAL}

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.threshold = section.resolve("threshold", DEFAULT_THRESHOLD)
        self.minimum = max(self.threshold.value, 1)
        self.tenderers = TendererFlags(self, 0.0)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        active = release.final_awards
        if active is None:
            return ()
        suppliers = {s for award in active for s in award.supplier_ids}
        valid: set[str] = set()
        disqualified: dict[str, list[str]] = {}  # tenderer -> its disqualified bids' paths
        for bid in release.bids:
            if not bid.has_tenderers:
                continue
            if bid.status == "valid":
                valid.update(bid.tenderer_ids)
            elif bid.status == "disqualified":
                for tenderer_id in bid.tenderer_ids:
                    disqualified.setdefault(tenderer_id, []).append(bid.path)
        if len(valid) != 1 or valid != suppliers:
            return ()
        others = {t: paths for t, paths in disqualified.items() if t not in valid}
        if len(others) < self.minimum:
            return ()
        [winner] = valid
        self.tenderers.add(winner, ocid)
        evidence = {
            "winner": winner,
            "awards": [a.path for a in active],
            "disqualified_tenderers": [{"tenderer": t, "bids": paths} for t, paths in others.items()],
            "rule": "one tenderer's valid bids won; at least threshold other tenderers were disqualified",
            "threshold": self.minimum,
            **self.threshold.evidence(),
        }
        return (self.flag(Group.ocid, ocid, float(len(others)), self.minimum, evidence),)

    def finish(self) -> Iterator[Flag]:
        yield from self.tenderers.flags(self.minimum, self.threshold.evidence())
