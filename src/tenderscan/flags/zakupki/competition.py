"""TS-SINGLE-ADMITTED Single admitted application: did the buyer let only one application through?

In plain words: in a competitive procedure, the protocols admitted exactly one application (whatever the
number submitted). With one admitted application the price is whatever that supplier offered: the law then
often lets the contract be signed with it at up to the maximum price. Rejections can be right (an
incomplete application); many rejections in favour of one supplier are a classic way to steer a contract.
A question, not a verdict: read the protocol's reasons for each rejection.

Definition (tenderscan, on the OCDS export): ``/tender/procurementMethod`` is competitive (open, selective,
limited) and exactly one entry of ``/bids/details`` has the status ``valid`` (an admitted application); the
submitted bids are those with a status (valid, disqualified, pending). Value: the number of submitted bids.
Cardinal's R018 (``numberOfTenderers`` is 1) is the single-bid case of the same question and runs beside it.

Threshold: exactly one admitted application (fixed). ``[TS-SINGLE-ADMITTED] procurement_methods`` sets the
competitive methods (tenderscan default open|selective|limited).
"""

from __future__ import annotations

from typing import Iterable

from .. import ocds
from ..options import PIPES
from ..release import Release
from ..types import Flag
from .base import ZakupkiIndicator
from .common import COMPETITIVE


class SingleAdmitted(ZakupkiIndicator):
    code = "TS-SINGLE-ADMITTED"
    title = "Single admitted application"
    options = {"procurement_methods": PIPES}
    kinds = ("protocol", "notice")

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.methods, self.methods_source = self.setting("procurement_methods", COMPETITIVE)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        tender = release.tender
        if tender is None or ocds.text(tender.get("procurementMethod")) not in self.methods:
            return ()
        valid = [b for b in release.bids if b.status == "valid"]
        if len(valid) != 1:
            return ()
        submitted = release.submitted_bids
        evidence = {
            "admitted_bid": valid[0].describe(),
            "submitted_bids": [b.describe() for b in submitted],
            "numberOfTenderers": tender.get("numberOfTenderers"),
            "procurementMethod": tender.get("procurementMethod"),
            "procurementMethodDetails": tender.get("procurementMethodDetails"),
            "rule": "exactly one bid is valid (admitted) in a competitive procedure",
            "threshold": 1,
            "threshold_source": "fixed",
            "competitive_methods": sorted(self.methods),
            "competitive_methods_source": self.methods_source["source"],
        }
        return (self.process_flag(release, ocid, float(len(submitted)), 1, evidence),)


class NonCompetitive(ZakupkiIndicator):
    """TS-NON-COMPETITIVE Non-competitive method: was the supplier chosen without competition?

    In plain words: the purchase was made from a single supplier (44-FZ art. 93, a 223-FZ customer's own
    single-supplier rules), so nobody else could offer a price. Many such purchases are lawful (natural
    monopolies, small purchases, a failed procedure); a large or repeated one deserves a look at the
    reason the document gives. A question, not a verdict: read ``procurementMethodRationale``.

    Definition (tenderscan): ``/tender/procurementMethod`` is ``direct`` (the export's reading of the
    method's name, its code, or the single-supplier reason of a contract). Value: 1.0.

    Threshold: none (fixed); ``[TS-NON-COMPETITIVE] procurement_methods`` sets the methods (tenderscan
    default direct).
    """

    code = "TS-NON-COMPETITIVE"
    title = "Non-competitive method"
    options = {"procurement_methods": PIPES}
    kinds = ("notice", "contract", "protocol")

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.methods, self.methods_source = self.setting("procurement_methods", frozenset({"direct"}))

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        tender = release.tender
        if tender is None or ocds.text(tender.get("procurementMethod")) not in self.methods:
            return ()
        evidence = {
            "procurementMethod": tender.get("procurementMethod"),
            "procurementMethodDetails": tender.get("procurementMethodDetails"),
            "procurementMethodRationale": tender.get("procurementMethodRationale"),
            "rule": "procurementMethod is one of the non-competitive methods",
            "methods": sorted(self.methods),
            "threshold_source": self.methods_source["source"],
        }
        return (self.process_flag(release, ocid, 1.0, None, evidence),)
