"""R003 Short submission period: did suppliers get fewer days to bid than the rule allows?

In plain words: the time between the call for bids and the deadline is shorter than a threshold. A short
period can favour a bidder told in advance; it can also be legal (an urgent or repeated purchase, a method
with a short legal minimum). A question, not a verdict: check the dates in the notice and the minimum the
law sets for its method and amount.

Cardinal's definition: the submission period is ``/tender/tenderPeriod/endDate -
/tender/tenderPeriod/startDate`` in whole days (truncated: 14 days and 23 hours is 14); the process is
flagged when the period is shorter than the threshold. Both dates must be RFC 3339 timestamps with an
offset (a date alone is not read); an end before the start is a negative period, so it is flagged (as in
Cardinal: check such dates first, they are usually a data error). Value: always 1.0.

Threshold: 15 whole days (Cardinal default); ``[R003] threshold`` sets it;
``[R003.procurement_method_details]`` sets one per ``/tender/procurementMethodDetails`` value (used when
the process's details match a key exactly);
``[R003] procurement_methods = open|selective`` limits the indicator to those ``/tender/procurementMethod``
values (a process without a method is then left out).
"""

from __future__ import annotations

from typing import Iterable

from .. import ocds
from ..config import Resolved
from ..options import INTEGER, PIPES
from ..release import Release
from ..types import SETTINGS_FILE, Flag, Group
from .base import Indicator

DEFAULT_THRESHOLD = 15


class R003(Indicator):
    code = "R003"
    title = "Short submission period"
    options = {"threshold": INTEGER, "procurement_methods": PIPES}
    tables = {"procurement_method_details": INTEGER}

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.threshold = section.resolve("threshold", DEFAULT_THRESHOLD)
        self.methods = section.resolve("procurement_methods", frozenset())
        self.per_details = section.tables.get("procurement_method_details", {})

    def _threshold_for(self, details: str | None) -> Resolved:
        if details is not None and details in self.per_details:
            setting = f"[R003.procurement_method_details] {details}"
            return Resolved(self.per_details[details], SETTINGS_FILE, setting)
        return self.threshold

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        tender = release.tender
        if tender is None or not ocds.matches_procurement_method(tender, self.methods.value):
            return ()
        period = ocds.obj(tender.get("tenderPeriod"))
        if period is None:
            return ()
        start_text, end_text = period.get("startDate"), period.get("endDate")
        start, end = ocds.parse_rfc3339(start_text), ocds.parse_rfc3339(end_text)
        if start is None or end is None:
            return ()
        days = ocds.whole_days(start, end)
        details = ocds.text(tender.get("procurementMethodDetails"))
        threshold = self._threshold_for(details)
        if not days < threshold.value:
            return ()
        evidence = {
            "startDate": start_text,
            "endDate": end_text,
            "submission_period_days": days,
            "procurementMethod": ocds.text(tender.get("procurementMethod")),
            "procurementMethodDetails": details,
            "rule": "submission period in whole days < threshold",
            "threshold": threshold.value,
            **threshold.evidence(),
            "paths": {
                "startDate": "/tender/tenderPeriod/startDate",
                "endDate": "/tender/tenderPeriod/endDate",
            },
        }
        if self.methods.value:
            evidence["procurement_methods"] = sorted(self.methods.value)
        return (self.flag(Group.ocid, ocid, 1.0, threshold.value, evidence),)
