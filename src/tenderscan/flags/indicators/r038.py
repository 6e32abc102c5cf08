"""R038 Excessive disqualified bids: does a buyer (or a tenderer) see far more disqualifications than others?

In plain words: a buyer or procuring entity disqualifies an unusually large share of the bids it receives,
or a tenderer has an unusually large share of its bids disqualified, compared with the others in the same
data. A buyer can steer contracts by disqualifying competitors; a tenderer with many rejected bids can be a
cover bidder. Strict requirements or weak bidders explain it too. A question, not a verdict: read the
protocols' rejection reasons.

Cardinal's definition: for each buyer (``/buyer/id``) and each procuring entity
(``/tender/procuringEntity/id``), the ratio ``disqualified bids / submitted bids`` over all its processes; for
each tenderer, the same over its own bids (a bid counts for each of its tenderers). Submitted bids are
pending, valid or disqualified. An organisation is flagged when its ratio is at least the upper fence
``Q3 + 1.5·IQR`` of the ratios in its group. Value: the ratio. Nothing is flagged when the fence is not
above 0.

Minimums: tenderers with fewer than 2 submitted bids are left out (``[R038] minimum_submitted_bids``).
Buyers and procuring entities are left out below ``[R038] minimum_contracting_processes`` (default 2), which
Cardinal's documentation calls a number of contracting processes but its code (and its test fixture)
compares with the organisation's number of submitted bids; this module does the same, so the results agree.

Threshold: the upper fence computed per group from the data (Cardinal default); ``[R038] threshold`` sets one
fence for all three groups (a decimal, e.g. 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .. import ocds
from ..options import DECIMAL, NATURAL
from ..release import Release
from ..stats import Quartiles
from ..types import Flag, Group
from .base import Indicator


@dataclass
class _Tally:
    disqualified: int = 0
    submitted: int = 0
    processes: int = 0
    last_ocid: str | None = None
    disqualifying: list[str] = field(
        default_factory=list
    )  # ocids where at least one of its bids was disqualified


class R038(Indicator):
    code = "R038"
    title = "Excessive disqualified bids"
    options = {
        "threshold": DECIMAL,
        "minimum_submitted_bids": NATURAL,
        "minimum_contracting_processes": NATURAL,
    }

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.tallies: dict[Group, dict[str, _Tally]] = {
            Group.buyer: {},
            Group.procuring_entity: {},
            Group.tenderer: {},
        }

    def _add(self, group: Group, id: str, disqualified: int, submitted: int, ocid: str) -> None:
        tally = self.tallies[group].setdefault(id, _Tally())
        tally.disqualified += disqualified
        tally.submitted += submitted
        if tally.last_ocid != ocid:
            tally.processes += 1
            tally.last_ocid = ocid
        if disqualified and tally.disqualifying[-1:] != [ocid]:
            tally.disqualifying.append(ocid)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        submitted = release.submitted_bids
        if not submitted:
            return ()
        disqualified = 0
        for bid in submitted:
            increment = int(bid.status == "disqualified")
            disqualified += increment
            for tenderer_id in bid.tenderer_ids:
                self._add(Group.tenderer, tenderer_id, increment, 1, ocid)
        buyer = ocds.text(ocds.get(ocds.obj(release.raw.get("buyer")), "id"))
        if buyer is not None:
            self._add(Group.buyer, buyer, disqualified, len(submitted), ocid)
        entity = ocds.text(ocds.get(ocds.obj(ocds.get(release.tender, "procuringEntity")), "id"))
        if entity is not None:
            self._add(Group.procuring_entity, entity, disqualified, len(submitted), ocid)
        return ()

    def finish(self) -> Iterator[Flag]:
        threshold = self.section.resolve("threshold", None)
        bids_minimum = self.section.resolve("minimum_submitted_bids", 2)
        processes_minimum = self.section.resolve("minimum_contracting_processes", 2)
        for group in (Group.buyer, Group.procuring_entity, Group.tenderer):
            minimum = bids_minimum if group is Group.tenderer else processes_minimum
            kept = {i: t for i, t in self.tallies[group].items() if t.submitted >= minimum.value}
            if not kept:
                continue
            ratios = {i: t.disqualified / t.submitted for i, t in kept.items()}
            if threshold.value is None:
                quartiles = Quartiles.of(ratios.values())
                fence = quartiles.upper_fence
                self.run.set_meta(self.code, f"{group.value}_q1", quartiles.q1)
                self.run.set_meta(self.code, f"{group.value}_q3", quartiles.q3)
                basis = {
                    "threshold_rule": f"Q3 + 1.5·IQR of the {group.value} ratios",
                    **quartiles.evidence(),
                }
            else:
                fence = threshold.value
                basis = {}
            self.run.set_meta(self.code, f"{group.value}_upper_fence", fence)
            if not fence > 0.0:
                continue
            common = {
                "upper_fence": fence,
                "threshold": fence,
                **threshold.evidence(),
                **basis,
                **_minimum_evidence(group, minimum),
            }
            for id, ratio in ratios.items():
                if ratio >= fence:
                    tally = kept[id]
                    evidence = {
                        "disqualified_bids": tally.disqualified,
                        "submitted_bids": tally.submitted,
                        "ratio": ratio,
                        "processes": tally.processes,
                        "processes_with_disqualified_bids": tally.disqualifying,
                        **common,
                    }
                    yield self.flag(group, id, ratio, fence, evidence)


def _minimum_evidence(group: Group, minimum) -> dict:
    if group is Group.tenderer:
        out = {"minimum_submitted_bids": minimum.value}
    else:  # Cardinal compares this minimum with the organisation's submitted bids, not its processes
        out = {"minimum_contracting_processes": minimum.value, "minimum_compared_with": "submitted_bids"}
    return {**out, **minimum.evidence("minimum")}
