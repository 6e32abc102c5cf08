"""The documents of one contracting process (one ocid), and what the releases of each need from the others.

Each release says what its own document says, with a few values that only the whole process knows, so
that the compiled release (whatever order the releases merge in) is right:

- ``tender.numberOfTenderers``: the most applications any protocol of the process lists (a protocol that
  names only some applications, such as a winner's refusal or a placement result, does not count);
- every party's ``roles``: all the roles the organisation has in the process (OCDS merges ``roles`` as a
  whole list, so each release carries all of them);
- bid and award ids leave the lot out when the process has one lot only (44-FZ protocols name lot 1 or no
  lot for the same application);
- a contract's ``awardID``: the protocol's award to the same supplier (and lot), else an award of its own;
- the former value of a notice's deadline and maximum price, and of a contract's price, in the
  ``amendments`` of the next version present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ...models import Kind, Tender
from .ocds_parties import Registry

# protocols that name some applications only: never the number of tenderers
PARTIAL_PROTOCOLS = ("Evasion", "PlacementResult", "Refusal", "Cancel", "Deviation")


def version_number(t: Tender) -> int | None:
    try:
        return int(t.version) if t.version is not None else None
    except ValueError:
        return None


@dataclass
class Process:
    ocid: str
    prefix: str = ""
    docs: list[Tender] = field(default_factory=list)
    registry: Registry = field(default_factory=Registry)
    roles: dict[str, set[str]] = field(default_factory=dict)
    tenderers: int | None = None
    multi_lot: bool = False
    currency: str = "RUB"
    winners: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # award id, party id, lot

    def prepare(self) -> None:
        lots = {a.lot for t in self.docs for a in t.applications if a.lot} | {lot.id for t in self.docs
                                                                              for lot in t.lots if lot.id}
        self.multi_lot = len(lots) > 1
        self.currency = next((t.currency for t in self.docs if t.currency), "RUB")
        counts = []
        for t in self.docs:
            if t.applications and not any(p in t.source_format for p in PARTIAL_PROTOCOLS):
                numbers = {(a.lot if self.multi_lot else None, a.number or f"#{i}")
                           for i, a in enumerate(t.applications)}
                if numbers:
                    counts.append(len(numbers))
        self.tenderers = max(counts) if counts else None
        for t in self.docs:
            for org, role in self._roles_of(t):
                pid = self.registry.party_id(org)
                if pid:
                    self.roles.setdefault(pid, set()).add(role)
            for a in t.applications:
                if a.winner and a.participant is not None:
                    self.winners.append((self.award_id(a.number, a.lot), self.registry.party_id(a.participant),
                                         a.lot if self.multi_lot else None))

    def _roles_of(self, t: Tender):
        if t.customer is not None:
            yield t.customer, "buyer"
        pe = t.responsible or t.customer
        if pe is not None and t.kind is not Kind.plan:
            yield pe, "procuringEntity"
        for s in t.suppliers:
            yield s, "supplier"
        for a in t.applications:
            if a.participant is not None:
                yield a.participant, "tenderer"
                if a.winner:
                    yield a.participant, "supplier"
        if t.kind is Kind.contract_execution and t.customer is not None:
            yield t.customer, "payer"
            for s in t.suppliers:
                yield s, "payee"

    def lot_key(self, lot: str | None) -> str | None:
        return lot if self.multi_lot else None

    def bid_id(self, number: str | None, lot: str | None, fallback: str) -> str:
        key = number or fallback
        lot = self.lot_key(lot)
        return f"bid-{lot}-{key}" if lot else f"bid-{key}"

    def award_id(self, number: str | None, lot: str | None) -> str:
        lot = self.lot_key(lot)
        return f"award-{lot}-{number}" if lot else f"award-{number}"

    def award_for(self, supplier_id: str | None, lot: str | None) -> str | None:
        """The protocol award to this supplier (and lot), if the process has one."""
        for award_id, party, award_lot in self.winners:
            if party is not None and party == supplier_id and (award_lot is None or award_lot == self.lot_key(lot)):
                return award_id
        return None

    def earlier(self, t: Tender) -> Tender | None:
        """The version of the same document just before ``t`` in the process, if present."""
        n = version_number(t)
        if n is None:
            return None
        same = [d for d in self.docs if d.kind is t.kind and d.id == t.id and d.source_format.split("/")[0]
                == t.source_format.split("/")[0] and (version_number(d) or 0) < n]
        return max(same, key=lambda d: version_number(d) or 0, default=None)

    def amount_of(self, t: Tender) -> Decimal | None:
        return t.amount
