"""The document amount of an OCDS compiled release or a ProZorro tender, and what it is (``amount_basis``).

The rule (the README's "Amounts" sections say the same):

1. the live contracts' values added up ("contracts total"); live = any status but ``cancelled`` or
   ``pending`` (``terminated`` contracts were signed, so they count);
2. else the live awards' values added up ("awards total"); live = any status but ``cancelled``,
   ``unsuccessful`` or ``pending``, and an award without a status counts as live;
3. else the tender's value ("tender value"), else the lots' values added up ("lot values"), else the
   planning budget ("planning budget");
4. else, as the last resort, the pending awards' values added up ("pending awards total": not final): a
   release that publishes only a pending award still says how much it is for.

A stage whose objects carry no value at all hands over to the next one. A stage whose values cannot be
added up (several currencies, or a value that is not a number) gives no amount: a warning says why, and
``extra["amounts_by_currency"]`` has the sums per currency.

Framework agreements with several winners of one lot (OCDS: ``tender.techniques.hasFrameworkAgreement``, a
lot's techniques, or awards with a ``maximumValue``; ProZorro: ``closeFrameworkAgreementUA``, or several
active awards on one lot) are not added up: each winner's offer or ceiling is the whole lot's, so the sum
counts the lot once per winner. The amount is then the framework maximum where the document gives it
(``tender.techniques.frameworkAgreement.value``, the lots' ones, the awards' ``maximumValue``; "framework
maximum"), else the tender value or the lot values, and a warning says what was not added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import money as _money
from .faults import Faults

CONTRACTS, AWARDS, TENDER, LOTS, BUDGET, FRAMEWORK, PENDING = (
    "contracts total", "awards total", "tender value", "lot values", "planning budget", "framework maximum",
    "pending awards total")


@dataclass
class Total:
    """Value objects added up, in one currency."""

    amount: Decimal | None = None
    currency: str | None = None
    by_currency: dict[str, Decimal] = field(default_factory=dict)
    count: int = 0  # values that carried an amount
    failed: bool = False  # one of them was not a number

    @property
    def present(self) -> bool:
        return self.count > 0 or self.failed


@dataclass
class Amount:
    amount: Decimal | None = None
    currency: str | None = None
    basis: str | None = None
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def money(value: Any, f: Faults) -> tuple[Decimal | None, str | None]:
    """(amount, currency) of an OCDS Value object."""
    if type(value) is not dict:
        return None, None
    cur = value.get("currency")
    return f.number(value, "amount"), (cur.strip() or None if type(cur) is str else None)


def total(values: Iterable[Any], f: Faults) -> Total:
    mark = f.mark()
    priced = [m for m in (money(v, f) for v in values) if m[0] is not None]
    t = _money.total(priced)
    out = Total(by_currency=t.by_currency, count=t.count, failed=f.since(mark))
    if t.count and not out.failed:
        out.amount, out.currency = t.amount, t.currency
    return out


def _stage(t: Total, basis: str, what: str, result: Amount) -> bool:
    """Take a stage's total into ``result``; False when the stage carries no value (the next one is asked)."""
    if not t.present:
        return False
    if t.amount is not None:
        result.amount, result.currency, result.basis = t.amount, t.currency, basis
        return True
    if t.failed:
        result.notes.append(f"no amount: a value of the {what} is not a number (see extra['invalid_values'])")
    elif len(t.by_currency) > 1:
        shown = ", ".join(f"{a} {c}" for c, a in t.by_currency.items())
        result.notes.append(f"no amount: the {what} are in several currencies ({shown}); they are not added up")
        result.extra["amounts_by_currency"] = {c: a for c, a in t.by_currency.items()}
    return True


def _lot_of(entry: dict) -> Any:
    lots = entry.get("relatedLots")
    if isinstance(lots, list) and lots:
        return tuple(str(x) for x in lots)
    lot = entry.get("lotID") or entry.get("relatedLot")
    return (str(lot),) if lot is not None else None


def several_winners(awards: list[dict]) -> bool:
    """Whether some lot (or the tender, without lots) has several live awards."""
    seen: set = set()
    for a in awards:
        key = _lot_of(a)
        if key in seen:
            return True
        seen.add(key)
    return False


def _techniques(obj: Any) -> dict:
    t = obj.get("techniques") if isinstance(obj, dict) else None
    return t if isinstance(t, dict) else {}


def _framework_value(tender: dict, awards: list[dict], f: Faults) -> Total:
    fa = _techniques(tender).get("frameworkAgreement")
    if isinstance(fa, dict) and isinstance(fa.get("value"), dict):
        t = total([fa["value"]], f)
        if t.present:
            return t
    lot_values = [lt["frameworkAgreement"].get("value") for lt in
                  (_techniques(lot) for lot in tender.get("lots") or [] if isinstance(lot, dict))
                  if isinstance(lt.get("frameworkAgreement"), dict)]
    t = total(lot_values, f)
    if t.present:
        return t
    per_lot: dict[Any, Any] = {}  # one maximum per lot: the winners of a lot share it
    for a in awards:
        if isinstance(a.get("maximumValue"), dict):
            per_lot.setdefault(_lot_of(a), a["maximumValue"])
    return total(per_lot.values(), f)


def ocds(stage: str, tender: dict, planning: dict, awards: list[dict], contracts: list[dict],
         f: Faults, pending: list[dict] = ()) -> Amount:
    out = Amount()
    framework = (_techniques(tender).get("hasFrameworkAgreement") is True
                 or any(_techniques(lot).get("hasFrameworkAgreement") is True for lot in tender.get("lots") or [])
                 or any(isinstance(a.get("maximumValue"), dict) for a in awards))
    if framework and several_winners(awards):
        offers = total((a.get("value") for a in awards), f)
        if not (_stage(_framework_value(tender, awards, f), FRAMEWORK, "framework maximum", out)
                or _estimate(tender, planning, f, out)):
            out.amount = out.currency = out.basis = None  # nothing else to take: never the winners' sum
        out.notes.append(_framework_note(len(awards), offers, out.basis))
        return out
    if stage == "contracts" and _stage(total((c.get("value") for c in contracts), f), CONTRACTS, "contracts", out):
        return out
    if stage in ("contracts", "awards") and _stage(total((a.get("value") for a in awards), f), AWARDS, "awards", out):
        return out
    if not _estimate(tender, planning, f, out) and pending:  # not final: `amount_basis` says so
        _stage(total((a.get("value") for a in pending), f), PENDING, "pending awards", out)
    return out


def _estimate(tender: dict, planning: dict, f: Faults, out: Amount) -> bool:
    if _stage(total([tender.get("value")], f), TENDER, "tender value", out):
        return True
    if _stage(total((lot.get("value") for lot in tender.get("lots") or [] if isinstance(lot, dict)), f),
              LOTS, "lots' values", out):
        return True
    budget = planning.get("budget") if isinstance(planning.get("budget"), dict) else {}
    return _stage(total([budget.get("amount")], f), BUDGET, "planning budget", out)


def _framework_note(n: int, offers: Total, basis: str | None) -> str:
    summed = f" (together {offers.amount} {offers.currency or ''}".rstrip() + ")" if offers.amount is not None else ""
    then = f"the amount is the {basis}" if basis else "the document gives no other value: no amount"
    return (f"a framework agreement with several winners of one lot: the {n} winners' offers{summed} are not "
            f"added up (each is for the whole lot); {then}")


FRAMEWORK_METHODS = {"closeFrameworkAgreementUA"}


def prozorro(data: dict, awards: list[dict], contracts: list[dict], f: Faults) -> Amount:
    out = Amount()
    if awards and (data.get("procurementMethodType") in FRAMEWORK_METHODS or several_winners(awards)):
        offers = total((a.get("value") for a in awards), f)
        if not _estimate(data, {}, f, out):
            out.amount = out.currency = out.basis = None  # nothing else to take: never the winners' sum
        out.notes.append(_framework_note(len(awards), offers, out.basis))
        return out
    if _stage(total((c.get("value") for c in contracts), f), CONTRACTS, "contracts", out):
        net = total(({"amount": c["value"].get("amountNet"), "currency": c["value"].get("currency")}
                     for c in contracts if isinstance(c.get("value"), dict)), f)
        if net.amount is not None and net.count == len(contracts):
            out.extra["amount_net"] = net.amount
        return out
    if _stage(total((a.get("value") for a in awards), f), AWARDS, "awards", out):
        return out
    _estimate(data, {}, f, out)
    return out
