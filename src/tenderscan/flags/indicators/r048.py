"""R048 Heterogeneous supplier: does a supplier win contracts for an unusual variety of things?

In plain words: a supplier's awarded items fall into far more top-level product categories than other
suppliers'. A supplier of everything may be a front or an intermediary that adds cost; it may also be a
genuine general trader. A question, not a verdict: look at what it supplies and to whom.

Cardinal's definition: for each supplier, the variety is the number of distinct first-level classifications
(the first ``digits`` characters of ``/awards[]/items[]/classification/id``) across the items of its active
awards with a single supplier, over all contracting processes. The comparison set is the suppliers awarded
in at least ``minimum_contracting_processes`` processes (a process counts when at least one of its items has
a classification id); a supplier in that set is flagged when its variety is at least the upper fence
``Q3 + 1.5·IQR`` of the set's varieties. Value: the variety.

Settings: ``[R048] digits`` (2, Cardinal default), ``[R048] minimum_contracting_processes`` (20), ``[R048]
threshold`` (a natural number replacing the fence computed from the data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .. import ocds
from ..options import NATURAL
from ..release import Release
from ..stats import Quartiles
from ..types import Flag, Group
from .base import Indicator

DEFAULT_DIGITS = 2
DEFAULT_MINIMUM = 20


@dataclass
class _Supplier:
    processes: int = 0
    codes: set[str] = field(default_factory=set)


class R048(Indicator):
    code = "R048"
    title = "Heterogeneous supplier"
    options = {"digits": NATURAL, "threshold": NATURAL, "minimum_contracting_processes": NATURAL}

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        self.digits = section.resolve("digits", DEFAULT_DIGITS)
        self.suppliers: dict[str, _Supplier] = {}

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        seen: set[str] = set()
        for award in release.awards or ():
            supplier_id = award.sole_supplier
            if award.status != "active" or award.items is None or supplier_id is None:
                continue
            for item in award.items:
                code = ocds.text(ocds.get(ocds.obj(ocds.get(item, "classification")), "id"))
                if code is None:
                    continue
                supplier = self.suppliers.setdefault(supplier_id, _Supplier())
                if supplier_id not in seen:
                    seen.add(supplier_id)
                    supplier.processes += 1
                supplier.codes.add(code[: self.digits.value])
        return ()

    def finish(self) -> Iterator[Flag]:
        minimum = self.section.resolve("minimum_contracting_processes", DEFAULT_MINIMUM)
        kept = {i: s for i, s in self.suppliers.items() if s.processes >= minimum.value}
        varieties = {i: float(len(s.codes)) for i, s in kept.items()}
        threshold = self.section.resolve("threshold", None)
        if threshold.value is None:
            quartiles = Quartiles.of(varieties.values())
            fence = quartiles.upper_fence
            self.run.set_meta(self.code, "q1", quartiles.q1)
            self.run.set_meta(self.code, "q3", quartiles.q3)
            basis = {"threshold_rule": "Q3 + 1.5·IQR of the suppliers' varieties", **quartiles.evidence()}
        else:
            fence = float(threshold.value)
            basis = {}
        self.run.set_meta(self.code, "upper_fence", fence)
        common = {
            "upper_fence": fence,
            "threshold": fence,
            **threshold.evidence(),
            **basis,
            "digits": self.digits.value,
            **self.digits.evidence("digits"),
            "minimum_contracting_processes": minimum.value,
            **minimum.evidence("minimum"),
        }
        for supplier_id, variety in varieties.items():
            if variety >= fence:
                supplier = kept[supplier_id]
                evidence = {
                    "variety": variety,
                    "classifications": sorted(supplier.codes),
                    "contracting_processes": supplier.processes,
                    **common,
                }
                yield self.flag(Group.tenderer, supplier_id, variety, fence, evidence)
