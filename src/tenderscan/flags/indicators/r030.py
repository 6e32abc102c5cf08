"""R030 Late bid won: was the winning bid received after the deadline?

In plain words: a valid bid dated after the submission deadline belongs to a supplier that won. Accepting a
late bid can favour a bidder who saw the others first; the date may also be a data-entry or time-zone slip,
or the deadline may have been extended without the notice showing it. A question, not a verdict: compare
the bid's receipt with the deadline and any change notices.

Cardinal's definition: a valid bid's ``/bids/details[]/date`` is after ``/tender/tenderPeriod/endDate`` and
one of its tenderers is a supplier of an active award. The process and that tenderer are flagged. Value:
always 1.0. As in Cardinal, "after" compares the two dates as text (which is right when both are written the
same way, e.g. both in UTC with Z; ``2000-04-01T00:00:00+03:00`` and ``...Z`` do not compare as instants).

Threshold: the deadline itself (``/tender/tenderPeriod/endDate``); the indicator has no settings.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from .. import ocds
from ..release import Release
from ..types import CARDINAL_DEFAULT, Flag, Group
from .base import Indicator, TendererFlags


class R030(Indicator):
    code = "R030"
    title = "Late bid won"

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.tenderers = TendererFlags(self, 1.0)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        end_date = ocds.text(ocds.get(ocds.obj(ocds.get(release.tender, "tenderPeriod")), "endDate"))
        found = release.awards
        if end_date is None or found is None or release.bid_details is None:
            return ()
        suppliers: dict[str, str] = {}  # supplier id -> the first active award naming it
        for award in found:
            if award.status == "active" and award.suppliers_count >= 0:
                for supplier_id in award.supplier_ids:
                    suppliers.setdefault(supplier_id, award.path)
        late = []
        for bid in release.bids:
            if bid.status != "valid" or bid.date is None or not bid.has_tenderers or not bid.date > end_date:
                continue
            winners = [t for t in bid.tenderer_ids if t in suppliers]
            for tenderer_id in winners:
                self.tenderers.add(tenderer_id, ocid, bid=bid.path, date=bid.date)
            if winners:
                late.append({**bid.describe(), "awards": sorted({suppliers[t] for t in winners})})
        if not late:
            return ()
        evidence = {
            "endDate": end_date,
            "late_winning_bids": late,
            "rule": "a valid bid dated after the submission deadline, from an active award's supplier",
            "threshold": end_date,
            "threshold_source": CARDINAL_DEFAULT,
            "paths": {"endDate": "/tender/tenderPeriod/endDate"},
        }
        return (self.flag(Group.ocid, ocid, 1.0, None, evidence),)

    def finish(self) -> Iterator[Flag]:
        yield from self.tenderers.flags(None, {"threshold_source": CARDINAL_DEFAULT})
