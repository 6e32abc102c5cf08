"""R018 Single bid received: did only one supplier bid in a procedure meant to be competitive?

In plain words: an open or selective procedure drew a single tenderer. Lack of competition can mean
competition was suppressed (a tailored specification, a hidden notice); it can also mean a small market or
an unattractive contract. A question, not a verdict: look at the notice, the market and the other bidders
the buyer usually gets.

Cardinal's definition: ``/tender/numberOfTenderers`` is 1 and ``/tender/procurementMethod`` is competitive.
The number must be a JSON integer (``1``; ``1.0`` or ``"1"`` is not read). Value: always 1.0.

Threshold: exactly 1 tenderer (fixed). Competitive methods: ``open|selective`` (Cardinal default), set by
``[R018] procurement_methods``; a process without a method is left out.
"""

from __future__ import annotations

from typing import Iterable

from .. import ocds
from ..options import PIPES
from ..release import Release
from ..types import CARDINAL_DEFAULT, Flag, Group
from .base import Indicator

DEFAULT_METHODS = frozenset({"open", "selective"})


class R018(Indicator):
    code = "R018"
    title = "Single bid received"
    options = {"procurement_methods": PIPES}

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.methods = section.resolve("procurement_methods", DEFAULT_METHODS)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        tender = release.tender
        if tender is None or not ocds.matches_procurement_method(tender, self.methods.value):
            return ()
        if ocds.as_whole(tender.get("numberOfTenderers")) != 1:
            return ()
        evidence = {
            "numberOfTenderers": tender["numberOfTenderers"],
            "procurementMethod": ocds.text(tender.get("procurementMethod")),
            "rule": "numberOfTenderers is 1 and procurementMethod is competitive",
            "threshold": 1,
            "threshold_source": CARDINAL_DEFAULT,
            "competitive_methods": sorted(self.methods.value),
            **self.methods.evidence("competitive_methods"),
            "paths": {
                "numberOfTenderers": "/tender/numberOfTenderers",
                "procurementMethod": "/tender/procurementMethod",
            },
        }
        return (self.flag(Group.ocid, ocid, 1.0, 1, evidence),)
