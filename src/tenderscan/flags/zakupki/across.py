"""Indicators that compare a process or a buyer with the whole set: unit prices, concentration, splitting.

They keep a few numbers per process while reading and flag at the end (``finish``), so their results depend
on the set given (a store, a folder): the evidence names the comparison set.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from statistics import median
from typing import Iterable

from .. import ocds
from ..options import DECIMAL, NATURAL
from ..release import Release
from ..types import Flag, Group
from .base import ZakupkiIndicator
from .common import amount, awarded, buyer_id, own, show, sources, stage_items
from .minimums import load
from .period import _date

MAD_SCALE = Decimal("1.4826")  # MAD x 1.4826 estimates the standard deviation of normal data


@dataclass(frozen=True)
class _Price:
    ocid: str
    path: str
    price: Decimal
    description: str | None


class UnitPriceOutlier(ZakupkiIndicator):
    """TS-UNIT-PRICE Unit price far above the others for the same code and unit: was this one overpriced?

    In plain words: an item's price per unit is far above what the other processes of the set pay (or
    estimate) for items with the same classification code (OKPD2, KTRU...) and the same unit. Overpricing
    is the most direct way to overpay; a different quality, a small quantity or a remote delivery place can
    explain it. A question, not a verdict: compare the items' descriptions and quantities.

    Definition (tenderscan, on the OCDS export): the items of each process's most advanced stage (contract
    items, else award items, else the notice's) with a unit price, grouped by (stage, scheme, code, unit);
    in a group of at least ``min_count`` prices from at least ``min_processes`` processes (items of one
    document with one code are often different products), an item is an outlier when its price is above
    median + k x 1.4826 x MAD (median absolute deviation) and at least ``min_ratio`` x the median. One flag
    per process; value: its highest price / median.

    Threshold: k = 3, min_count = 5, min_processes = 2, min_ratio = 1.5 (tenderscan defaults),
    ``[TS-UNIT-PRICE] k``, ``min_count``, ``min_processes``, ``min_ratio``. The evidence names the comparison set (its size, median, MAD, fence and
    members).
    """

    code = "TS-UNIT-PRICE"
    title = "Unit price far above the others for the same code and unit"
    options = {"k": DECIMAL, "min_count": NATURAL, "min_processes": NATURAL, "min_ratio": DECIMAL}
    kinds = ("notice", "contract")
    MEMBERS_SHOWN = 50

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.k, self.k_source = self.setting("k", 3.0)
        self.min_count, _ = self.setting("min_count", 5)
        self.min_ratio, _ = self.setting("min_ratio", 1.5)
        self.min_processes, _ = self.setting("min_processes", 2)
        self.groups: dict[tuple, list[_Price]] = defaultdict(list)
        self.docs: dict[str, list[dict]] = {}

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        for stage, path, item in stage_items(release.raw):
            cls = item.get("classification") if isinstance(item.get("classification"), dict) else {}
            unit = item.get("unit") if isinstance(item.get("unit"), dict) else {}
            price, cur = amount(unit.get("value"))
            code, unit_key = cls.get("id"), unit.get("id") or unit.get("name")
            if price is None or not isinstance(code, str) or not unit_key:
                continue
            key = (stage, cls.get("scheme"), code, str(unit_key), cur)
            self.groups[key].append(_Price(ocid, path, price, ocds.text(item.get("description"))))
            self.docs.setdefault(ocid, sources(release.raw, self.kinds))
        return ()

    def finish(self) -> Iterable[Flag]:
        k, ratio_floor = Decimal(repr(float(self.k))), Decimal(repr(float(self.min_ratio)))
        per_process: dict[str, list[dict]] = defaultdict(list)
        for (stage, scheme, code, unit, cur), prices in self.groups.items():
            if len(prices) < self.min_count or len({p.ocid for p in prices}) < self.min_processes:
                continue
            values = [p.price for p in prices]
            mid = median(values)
            mad = median([abs(v - mid) for v in values])
            fence = mid + k * MAD_SCALE * mad
            for p in prices:
                if p.price > fence and mid > 0 and p.price >= ratio_floor * mid:
                    per_process[p.ocid].append({
                        "item": p.path, "description": p.description, "unit_price": show(p.price),
                        "currency": cur, "ratio_to_median": show(p.price / mid),
                        "comparison_set": {
                            "stage": stage, "scheme": scheme, "code": code, "unit": unit, "count": len(prices),
                            "processes": len({q.ocid for q in prices}),
                            "median": show(mid), "mad": show(mad), "fence": show(fence),
                            "members": [{"ocid": q.ocid, "item": q.path, "unit_price": show(q.price)}
                                        for q in prices[: self.MEMBERS_SHOWN]]}})
        for ocid, hits in per_process.items():
            top = max(Decimal(h["ratio_to_median"]) for h in hits)
            evidence = {"items": hits,
                        "rule": "unit price > median + k x 1.4826 x MAD and >= min_ratio x median, in a set of "
                                ">= min_count prices of the same stage, code, unit and currency",
                        "k": float(self.k), "min_count": self.min_count, "min_processes": self.min_processes,
                        "min_ratio": float(self.min_ratio),
                        "threshold_source": self.k_source["source"], "documents": self.docs.get(ocid, [])}
            yield self.flag(Group.ocid, ocid, float(top), float(self.k), evidence)


class WinnerConcentration(ZakupkiIndicator):
    """TS-CONCENTRATION Winner concentration per buyer: does one supplier take most of a buyer's money?

    In plain words: one supplier got at least half of what a buyer awarded across its processes in the set.
    A buyer that keeps paying one supplier may have a captured relationship; it may also buy something only
    one firm sells locally. A question, not a verdict: look at how each of those contracts was won.

    Definition (tenderscan, on the OCDS export): per buyer (``/buyer/id``), each process's awarded amount
    (its contracts' values with their award's supplier, else its active awards' values), in one currency;
    a supplier's share is its sum over the buyer's total. The buyer must have at least ``min_processes``
    processes with an awarded amount. Value: the top supplier's share. Group: Buyer.

    Threshold: share >= 0.5 and min_processes = 3 (tenderscan defaults), ``[TS-CONCENTRATION] threshold``,
    ``min_processes``.
    """

    code = "TS-CONCENTRATION"
    title = "Winner concentration per buyer"
    options = {"threshold": DECIMAL, "min_processes": NATURAL}
    kinds = ("contract", "protocol")

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.threshold, self.threshold_source = self.setting("threshold", 0.5)
        self.min_processes, _ = self.setting("min_processes", 3)
        self.buyers: dict[tuple[str, str | None], list[tuple[str, str | None, Decimal, list]]] = defaultdict(list)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        buyer = buyer_id(release.raw)
        found = awarded(release.raw)
        if buyer is None or not found:
            return ()
        currencies = {cur for _, _, cur, _ in found}
        if len(currencies) != 1:
            return ()
        by_supplier: dict[str | None, Decimal] = defaultdict(Decimal)
        for supplier, value, _, _ in found:
            by_supplier[supplier] += value
        docs = sources(release.raw, self.kinds)
        for supplier, value in by_supplier.items():
            self.buyers[(buyer, next(iter(currencies)))].append((ocid, supplier, value, docs))
        return ()

    def finish(self) -> Iterable[Flag]:
        limit = Decimal(repr(float(self.threshold)))
        for (buyer, cur), rows in self.buyers.items():
            processes = {r[0] for r in rows}
            total = sum((r[2] for r in rows), Decimal(0))
            if len(processes) < self.min_processes or not total:
                continue
            shares: dict[str | None, Decimal] = defaultdict(Decimal)
            for _, supplier, value, _ in rows:
                shares[supplier] += value
            top, amount_top = max(((s, v) for s, v in shares.items() if s is not None), key=lambda sv: sv[1],
                                  default=(None, Decimal(0)))
            if top is None or amount_top / total < limit:
                continue
            evidence = {"supplier": top, "supplier_amount": show(amount_top), "buyer_total": show(total),
                        "currency": cur, "share": show(amount_top / total), "processes": len(processes),
                        "awards": [{"ocid": o, "supplier": s, "amount": show(v), "documents": d}
                                   for o, s, v, d in rows],
                        "rule": "top supplier's amount / buyer's awarded total >= threshold, over >= "
                                "min_processes processes",
                        "threshold": float(self.threshold), "min_processes": self.min_processes,
                        "threshold_source": self.threshold_source["source"]}
            yield self.flag(Group.buyer, buyer, float(amount_top / total), float(self.threshold), evidence)


class PossibleSplitting(ZakupkiIndicator):
    """TS-SPLITTING Possible splitting: was one purchase cut into small ones to avoid a competition?

    In plain words: a buyer signed several contracts with the same supplier for the same kind of goods or
    services (the same OKPD2 class), each just under the limit of a small purchase that needs no competition
    (44-FZ art. 93 part 1 item 4), within a short time. Splitting a purchase to stay under that limit is
    unlawful; recurring small needs are not. A question, not a verdict: compare the contracts' subjects and
    dates.

    Definition (tenderscan, on the OCDS export): 44-FZ contracts (``tender.tenderscan.law``) with a value
    in [limit x (1 - margin), limit], where the limit is the small-purchase limit on the signing date
    (``data/legal_minimums.toml`` [thresholds] small_purchase); grouped by buyer, supplier (the contract's
    award) and the first two levels of the items' code (``41.20``); a group with at least ``min_contracts``
    contracts signed within ``window_days`` is flagged. Value: the number of contracts. Group: Buyer.

    Threshold: margin 0.2, min_contracts 2, window_days 90 (tenderscan defaults), ``[TS-SPLITTING] margin``,
    ``min_contracts``, ``window_days``; the limits and their legal sources come from the data file.
    """

    code = "TS-SPLITTING"
    title = "Possible splitting"
    options = {"margin": DECIMAL, "min_contracts": NATURAL, "window_days": NATURAL}
    kinds = ("contract",)

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.margin, self.margin_source = self.setting("margin", 0.2)
        self.min_contracts, _ = self.setting("min_contracts", 2)
        self.window, _ = self.setting("window_days", 90)
        self.table = load()
        self.groups: dict[tuple, list[dict]] = defaultdict(list)

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        raw = release.raw
        buyer = buyer_id(raw)
        if buyer is None or own(raw).get("law") != "44-FZ":
            return ()
        awards = {a.get("id"): a for a in ocds.arr(raw.get("awards")) or () if isinstance(a, dict)}
        margin = Decimal(repr(float(self.margin)))
        for i, c in enumerate(ocds.arr(raw.get("contracts")) or ()):
            if not isinstance(c, dict):
                continue
            value, cur = amount(c.get("value"))
            signed = _date(c.get("dateSigned"))
            if value is None or signed is None or cur not in (None, "RUB"):
                continue
            limit = self.table.threshold("small_purchase", signed)
            if limit is None or not (limit.amount * (1 - margin) <= value <= limit.amount):
                continue
            suppliers = [s.get("id") for s in (awards.get(c.get("awardID")) or {}).get("suppliers") or []
                         if isinstance(s, dict)]
            codes = {".".join(str((it.get("classification") or {}).get("id", "")).split(".")[:2])
                     for it in c.get("items") or [] if isinstance(it, dict)}
            code = next(iter(codes)) if len(codes) == 1 else None
            if len(suppliers) != 1 or not code:
                continue
            self.groups[(buyer, suppliers[0], code)].append({
                "ocid": ocid, "contract": f"/contracts/{i}", "contract_id": c.get("id"), "value": show(value),
                "dateSigned": c.get("dateSigned"), "signed": signed, "limit": show(limit.amount),
                "limit_source": limit.source, "limit_checked": limit.checked,
                "documents": sources(raw, self.kinds)})
        return ()

    def finish(self) -> Iterable[Flag]:
        best: dict[str, tuple[int, dict]] = {}
        for (buyer, supplier, code), rows in self.groups.items():
            rows = sorted(rows, key=lambda r: r["signed"])
            for j, first in enumerate(rows):
                window = [r for r in rows[j:] if r["signed"] - first["signed"] <= timedelta(days=self.window)]
                if len(window) >= self.min_contracts and len(window) > best.get(buyer, (0, {}))[0]:
                    best[buyer] = (len(window), {"supplier": supplier, "code": code, "contracts": [
                        {k: v for k, v in r.items() if k != "signed"} for r in window]})
        for buyer, (count, found) in best.items():
            evidence = {**found, "rule": "contracts with the same supplier and code class, each in [limit x (1 - "
                                          "margin), limit], signed within window_days",
                        "margin": float(self.margin), "min_contracts": self.min_contracts,
                        "window_days": self.window, "threshold": self.min_contracts,
                        "threshold_source": self.margin_source["source"]}
            yield self.flag(Group.buyer, buyer, float(count), self.min_contracts, evidence)


