"""One compiled release as the indicators see it: its bids and awards read once, shared by every indicator.

The engine wraps each release in a :class:`Release`; the bid and award lists are built on first use and
kept for the other indicators of the same release (then dropped with it). Fields are read with Cardinal's
types (see :mod:`.ocds`): a bid's tenderer ids are its string ids, its amount a JSON number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .ocds import NOT_SUBMITTED, arr, as_float, get, obj, text


@dataclass(slots=True)
class Bid:
    """One entry of /bids/details."""

    index: int
    status: str | None
    tenderer_ids: tuple[str, ...]  # the string ids of /tenderers, in order (duplicates kept)
    tenderers_count: int  # len(/tenderers) when it is an array, else 0
    has_tenderers: bool  # /tenderers is an array
    amount: Any  # /value/amount as given, when it is a JSON number with a finite double
    amount_float: float | None
    currency: str | None
    date: str | None

    @property
    def path(self) -> str:
        return f"/bids/details/{self.index}"

    def describe(self) -> dict[str, Any]:
        """The bid as evidence: its path, status, tenderers, amount and currency, date."""
        out: dict[str, Any] = {"path": self.path, "status": self.status, "tenderers": list(self.tenderer_ids)}
        if self.amount is not None:
            out["amount"] = self.amount
        if self.currency is not None:
            out["currency"] = self.currency
        if self.date is not None:
            out["date"] = self.date
        return out


@dataclass(slots=True)
class Award:
    """One entry of /awards."""

    index: int
    status: str | None
    supplier_ids: tuple[str, ...]
    suppliers_count: int  # len(/suppliers) when it is an array, else -1 (no array)
    items: list | None  # /items when it is an array

    @property
    def path(self) -> str:
        return f"/awards/{self.index}"

    @property
    def sole_supplier(self) -> str | None:
        """The supplier's id when the award has exactly one supplier and its id is a string."""
        if self.suppliers_count == 1 and len(self.supplier_ids) == 1:
            return self.supplier_ids[0]
        return None


def _ids(entries: list | None) -> tuple[str, ...]:
    if not entries:
        return ()
    return tuple(e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str))


def _bid(index: int, raw: dict) -> Bid:
    tenderers = arr(raw.get("tenderers"))
    value = obj(raw.get("value"))
    amount = value.get("amount") if value is not None else None
    amount_float = as_float(amount) if amount is not None else None
    return Bid(
        index,
        text(raw.get("status")),
        _ids(tenderers),
        len(tenderers) if tenderers is not None else 0,
        tenderers is not None,
        amount if amount_float is not None else None,
        amount_float,
        text(value.get("currency")) if value is not None else None,
        text(raw.get("date")),
    )


class Release:
    """A compiled release (``raw``) with its bids and awards parsed on first use."""

    def __init__(self, raw: dict) -> None:
        self.raw = raw

    @cached_property
    def tender(self) -> dict | None:
        return obj(self.raw.get("tender"))

    @cached_property
    def bid_details(self) -> list | None:
        """/bids/details when /bids is an object and details an array."""
        return arr(get(obj(self.raw.get("bids")), "details"))

    @cached_property
    def bids(self) -> list[Bid]:
        """The bids that are objects (others are skipped, as Cardinal does)."""
        return [_bid(i, raw) for i, raw in enumerate(self.bid_details or ()) if isinstance(raw, dict)]

    @cached_property
    def submitted_bids(self) -> list[Bid]:
        """Bids whose status is a string other than invited or withdrawn (pending, valid, disqualified...)."""
        return [b for b in self.bids if b.status is not None and b.status not in NOT_SUBMITTED]

    @cached_property
    def single_tenderer_valid_bids(self) -> list[Bid]:
        """Valid bids from one tenderer with a string id (a joint bid is left out, not the process)."""
        return [b for b in self.bids if b.status == "valid" and b.tenderers_count == len(b.tenderer_ids) == 1]

    @cached_property
    def awards(self) -> list[Award] | None:
        """/awards when it is an array (entries that are not objects are skipped)."""
        found = arr(self.raw.get("awards"))
        if found is None:
            return None
        out = []
        for i, award in enumerate(found):
            if not isinstance(award, dict):
                continue
            suppliers = arr(award.get("suppliers"))
            count = len(suppliers) if suppliers is not None else -1
            out.append(Award(i, text(award.get("status")), _ids(suppliers), count, arr(award.get("items"))))
        return out

    @cached_property
    def final_awards(self) -> list[Award] | None:
        """The active awards, when every award with a status is final and the release has /bids/details.

        Cardinal: an award must be final for a result to be stable. Active awards are kept, cancelled and
        unsuccessful ones ignored; any other status (pending, invalid, or a code outside the codelist) means
        None. An award without a string status is ignored. None also when /awards or /bids/details is missing.
        """
        if self.awards is None or self.bid_details is None:
            return None
        active = []
        for award in self.awards:
            if award.status is None:
                continue
            if award.status == "active":
                active.append(award)
            elif award.status not in ("cancelled", "unsuccessful"):
                return None
        return active
