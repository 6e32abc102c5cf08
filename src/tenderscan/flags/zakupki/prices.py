"""TS-PRICE-NEAR-MAX Winning price close to the maximum: did the competition lower the price at all?

In plain words: the winner's price is at least 99% of the maximum price the notice set. In a working
competition bidders undercut each other; a price at the ceiling can mean there was no real competition
(one bidder, bidders who agreed not to compete) or a market where the estimate was right.
A question, not a verdict: look at the other bids and at similar purchases.

Definition (tenderscan, on the OCDS export): for each active award with a value, its ratio to the maximum
price: the value of its lot (``/tender/lots``, by ``relatedLots``), else ``/tender/value``, else the maximum
price a protocol repeats (``/tender/tenderscan/maxPrice``), in the same currency. Non-competitive
procedures (``procurementMethod`` direct) are left out: their price is the ceiling by design. Value: the
highest ratio.

Threshold: ratio >= 0.99 (tenderscan default), ``[TS-PRICE-NEAR-MAX] threshold``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from .. import ocds
from ..options import DECIMAL
from ..release import Release
from ..types import Flag
from .base import ZakupkiIndicator
from .common import amount, dec, lot_values, own, show


class PriceNearMax(ZakupkiIndicator):
    code = "TS-PRICE-NEAR-MAX"
    title = "Winning price close to the maximum"
    options = {"threshold": DECIMAL}
    kinds = ("notice", "protocol", "contract")

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.threshold, self.threshold_source = self.setting("threshold", 0.99)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        tender = release.tender or {}
        if ocds.text(tender.get("procurementMethod")) == "direct":
            return ()
        lots = lot_values(tender)
        ceiling, ceiling_cur = amount(tender.get("value"))
        where = "/tender/value"
        if ceiling is None and dec(own(release.raw).get("maxPrice")) is not None:
            ceiling, where = dec(own(release.raw)["maxPrice"]), "/tender/tenderscan/maxPrice"
        limit = Decimal(repr(float(self.threshold)))
        hits = []
        for i, award in enumerate(ocds.arr(release.raw.get("awards")) or ()):
            if not isinstance(award, dict) or award.get("status") != "active":
                continue
            value, cur = amount(award.get("value"))
            related = award.get("relatedLots") if isinstance(award.get("relatedLots"), list) else []
            ref, ref_cur, ref_path = ceiling, ceiling_cur, where
            if len(related) == 1 and related[0] in lots and lots[related[0]][0] is not None:
                ref, ref_cur = lots[related[0]]
                ref_path = f"/tender/lots[id={related[0]}]/value"
            if value is None or not ref or (ref_cur and cur and ref_cur != cur):
                continue
            ratio = value / ref
            if ratio >= limit:
                hits.append({"award": f"/awards/{i}", "award_value": show(value), "currency": cur,
                             "maximum_price": show(ref), "maximum_price_path": ref_path, "ratio": show(ratio),
                             "suppliers": [s.get("id") for s in award.get("suppliers") or [] if isinstance(s, dict)]})
        if not hits:
            return ()
        top = max(Decimal(h["ratio"]) for h in hits)
        evidence = {"awards": hits, "rule": "award value / maximum price >= threshold",
                    "threshold": float(self.threshold), "threshold_source": self.threshold_source["source"]}
        return (self.process_flag(release, ocid, float(top), float(self.threshold), evidence),)


class ValueGrowth(ZakupkiIndicator):
    """TS-VALUE-GROWTH Contract value grew after signature: did the buyer end up paying more than agreed?

    In plain words: a later version of the contract has a higher price than an earlier one, or the payments
    recorded add up to more than the contract's price. Prices may rise lawfully (44-FZ art. 95 lets a price
    change by up to 10% with the quantity); growth right after a competitive award is a known way to win low
    and be paid high. A question, not a verdict: read the contract's versions and the payment documents.

    Definition (tenderscan, on the OCDS export): for each contract, its first known price is the earliest
    ``former_value`` of ``value.amount`` in its ``amendments`` (``changes``), else its value; the contract
    grew when its value is above that, or when ``implementation.transactions`` add up (one currency) to more
    than its value. Value: the highest ratio (current or paid / first price).

    Threshold: ratio > 1.0 (tenderscan default), ``[TS-VALUE-GROWTH] threshold``.
    """

    code = "TS-VALUE-GROWTH"
    title = "Contract value grew after signature"
    options = {"threshold": DECIMAL}
    kinds = ("contract", "contract_execution")

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.threshold, self.threshold_source = self.setting("threshold", 1.0)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        limit = Decimal(repr(float(self.threshold)))
        hits = []
        for i, c in enumerate(ocds.arr(release.raw.get("contracts")) or ()):
            if not isinstance(c, dict):
                continue
            value, cur = amount(c.get("value"))
            formers = [(a.get("id"), dec(ch.get("former_value"))) for a in c.get("amendments") or []
                       if isinstance(a, dict) for ch in a.get("changes") or []
                       if isinstance(ch, dict) and ch.get("property") == "value.amount"]
            formers = [(aid, v) for aid, v in formers if v is not None]
            first = formers[0][1] if formers else value
            if value is not None and first and value / first > limit:
                hits.append({"contract": f"/contracts/{i}", "contract_id": c.get("id"), "first_price": show(first),
                             "price": show(value), "currency": cur, "ratio": show(value / first),
                             "versions": [{"amendment": aid, "former_price": show(v)} for aid, v in formers]})
            paid = [amount(t.get("value")) for t in ((c.get("implementation") or {}).get("transactions") or [])
                    if isinstance(t, dict)]
            paid_cur = {pc for _, pc in paid if pc}
            total = sum((a for a, _ in paid if a is not None), Decimal(0))
            if value and paid and len(paid_cur) <= 1 and (not cur or not paid_cur or paid_cur == {cur}) \
                    and total / value > limit:
                hits.append({"contract": f"/contracts/{i}", "contract_id": c.get("id"), "price": show(value),
                             "paid": show(total), "payments": len(paid), "ratio": show(total / value),
                             "currency": cur})
        if not hits:
            return ()
        top = max(Decimal(h["ratio"]) for h in hits)
        evidence = {"contracts": hits, "rule": "later price or payments / first price > threshold",
                    "threshold": float(self.threshold), "threshold_source": self.threshold_source["source"]}
        return (self.process_flag(release, ocid, float(top), float(self.threshold), evidence),)
