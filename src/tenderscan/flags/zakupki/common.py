"""What tenderscan's own indicators read from a compiled release, with the release's own numbers kept exact.

The indicators work on OCDS compiled releases, like Cardinal's: a zakupki document goes through tenderscan's
OCDS export first (:mod:`tenderscan.services.export.ocds`), so the same flags come out of the documents and
of their OCDS export. The export's own fields (``tender.tenderscan``: law, method category, notice version,
a protocol's maximum price; ``tenderscanSources``: the documents each release was made from) are read
here; a release from another publisher simply lacks them, and the indicators that need them skip it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Iterator

from ..ocds import arr, obj, text

COMPETITIVE = frozenset({"open", "selective", "limited"})


def dec(value: Any) -> Decimal | None:
    """A JSON number as a Decimal (a float through its shortest repr, so 0.1 stays 0.1)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, (int, float)):
        try:
            out = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return None
        return out if out.is_finite() else None
    return None


def amount(value_obj: Any) -> tuple[Decimal | None, str | None]:
    v = obj(value_obj)
    if v is None:
        return None, None
    return dec(v.get("amount")), text(v.get("currency"))


def own(release: dict) -> dict:
    """``tender.tenderscan``: the export's fields (empty for other publishers' releases)."""
    return obj(obj(release.get("tender") or {}).get("tenderscan")) or {}


def sources(release: dict, kinds: tuple[str, ...] = ()) -> list[dict]:
    """The documents the process's releases were made from (``tenderscanSources``), of the given kinds."""
    out = []
    for s in arr(release.get("tenderscanSources")) or ():
        if isinstance(s, dict) and (not kinds or s.get("kind") in kinds):
            out.append({k: v for k, v in s.items() if v is not None})
    return out


def lot_values(tender: dict) -> dict[str, tuple[Decimal | None, str | None]]:
    return {lot["id"]: amount(lot.get("value")) for lot in arr(tender.get("lots")) or ()
            if isinstance(lot, dict) and isinstance(lot.get("id"), str)}


def party_name(release: dict, party_id: str | None) -> str | None:
    for p in arr(release.get("parties")) or ():
        if isinstance(p, dict) and p.get("id") == party_id:
            return text(p.get("name"))
    return None


def stage_items(release: dict) -> Iterator[tuple[str, str, dict]]:
    """(stage, JSON path, item) for the items of the most advanced stage that lists any."""
    for stage, holders in (("contract", arr(release.get("contracts"))), ("award", arr(release.get("awards")))):
        found = [(f"/{stage}s/{i}/items/{j}", it) for i, h in enumerate(holders or ()) if isinstance(h, dict)
                 for j, it in enumerate(arr(h.get("items")) or ()) if isinstance(it, dict)]
        if found:
            for path, it in found:
                yield stage, path, it
            return
    tender = obj(release.get("tender")) or {}
    for j, it in enumerate(arr(tender.get("items")) or ()):
        if isinstance(it, dict):
            yield "tender", f"/tender/items/{j}", it


def awarded(release: dict) -> list[tuple[str | None, Decimal, str | None, str]]:
    """(supplier id, amount, currency, path) of what the process awarded: its contracts' values (with their
    award's supplier) when any contract has one, else its active awards' values."""
    awards = {a.get("id"): a for a in arr(release.get("awards")) or () if isinstance(a, dict)}
    out = []
    for i, c in enumerate(arr(release.get("contracts")) or ()):
        if not isinstance(c, dict) or c.get("status") == "cancelled":
            continue
        value, cur = amount(c.get("value"))
        if value is None:
            continue
        award = awards.get(c.get("awardID")) or {}
        suppliers = [s.get("id") for s in arr(award.get("suppliers")) or () if isinstance(s, dict)]
        out.append((suppliers[0] if len(suppliers) == 1 else None, value, cur, f"/contracts/{i}"))
    if out:
        return out
    for i, a in enumerate(arr(release.get("awards")) or ()):
        if not isinstance(a, dict) or a.get("status") != "active":
            continue
        value, cur = amount(a.get("value"))
        suppliers = [s.get("id") for s in arr(a.get("suppliers")) or () if isinstance(s, dict)]
        if value is not None:
            out.append((suppliers[0] if len(suppliers) == 1 else None, value, cur, f"/awards/{i}"))
    return out


def buyer_id(release: dict) -> str | None:
    return text((obj(release.get("buyer")) or {}).get("id"))


def num(value: Decimal) -> float:
    return float(value)


def show(value: Decimal | None) -> str | None:
    """A Decimal for evidence: its exact text (JSON carries decimals as strings)."""
    return None if value is None else str(value)
