"""What changed between two tenders (two versions of one notice, or this year's tender and last year's).

Header fields are compared one by one (money with the absolute and % change). Items are matched in three
passes: the same classification code and the same normalised name; then names that are close (rapidfuzz
``token_sort_ratio``, score shown; a lower bar when the code is the same); then the only item left with a
given code on each side. What is not matched was removed (in A) or added (in B). Stations and attachments
are compared as sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, NamedTuple

from ..documents.batch import ReadOptions, read
from ..documents.inputs import Resolver
from ..errors import UsageError
from ..models import Attachment, Item, Tender
from ..store.refs import StoreResolver
from ..values import EXACT

FUZZY_MIN = 85.0  # name similarity (0-100) to match items with different codes
FUZZY_MIN_SAME_CODE = 60.0  # ... and with the same code
PCT = Decimal("0.01")

HEADER: list[tuple[str, Callable[[Tender], Any]]] = [
    ("kind", lambda t: t.kind.value),
    ("title", lambda t: _text(t.title)),
    ("customer", lambda t: _text(t.customer.name) if t.customer else None),
    ("customer_inn", lambda t: t.customer.inn if t.customer else None),
    ("responsible", lambda t: _text(t.responsible.name) if t.responsible else None),
    ("supplier", lambda t: _text(t.supplier.name) if t.supplier else None),
    ("supplier_inn", lambda t: t.supplier.inn if t.supplier else None),
    ("amount", lambda t: t.amount),
    ("currency", lambda t: t.currency),
    ("published", lambda t: t.published),
    ("signed", lambda t: t.signed),
    ("submission_deadline", lambda t: t.submission_deadline),
    ("execution_start", lambda t: t.execution_period.start if t.execution_period else None),
    ("execution_end", lambda t: t.execution_period.end if t.execution_period else None),
    ("method", lambda t: _text(t.method)),
    ("status", lambda t: t.status),
    ("region", lambda t: t.region),
    ("delivery_places", lambda t: [_text(p) for p in t.delivery_places] or None),
    ("notice_id", lambda t: t.notice_id),
    ("contract_id", lambda t: t.contract_id),
]
MONEY_FIELDS = {"amount", "quantity", "unit_price"}


def _text(s: str | None) -> str | None:
    return " ".join(s.split()) if s else None


def norm_name(s: str | None) -> str:
    """Lower case, ё as е, punctuation and runs of spaces as one space."""
    if not s:
        return ""
    return " ".join(re.sub(r"[^\w]+", " ", s.lower().replace("ё", "е")).split())


def _json(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return v


@dataclass
class Change:
    field: str
    old: Any
    new: Any
    delta: Decimal | None = None  # money and quantities: new - old (a missing value counts as 0)
    change_pct: Decimal | None = None  # and the change in % of the old value

    def to_dict(self) -> dict[str, Any]:
        d = {"field": self.field, "old": _json(self.old), "new": _json(self.new)}
        if self.field in MONEY_FIELDS:
            d["delta"] = _json(self.delta)
            d["change_pct"] = _json(self.change_pct)
        return d


def change(name: str, old: Any, new: Any) -> Change | None:
    """A Change when the values differ (decimals compare by value: 12 == 12.000), else None."""
    if old == new:
        return None
    if name in MONEY_FIELDS:
        # exact at any size (the default context rounds past 28 digits, and quantize() refuses a result it cannot
        # hold); only the percentage's division is rounded, to 28 digits, before it is written to 0.01
        delta = EXACT.subtract(new or Decimal(0), old or Decimal(0))
        pct = (EXACT.multiply(delta, 100) / old).quantize(PCT, context=EXACT) if old else None
        return Change(name, old, new, delta, pct)
    return Change(name, old, new)


@dataclass
class ItemRef:
    """An item and its 1-based position in its document."""

    index: int
    item: Item

    def to_dict(self) -> dict[str, Any]:
        it = self.item
        return {"index": self.index, "name": it.name, "code": it.code, "quantity": _json(it.quantity),
                "unit": it.unit, "unit_price": _json(it.unit_price), "amount": _json(it.amount)}


@dataclass
class ItemChange:
    a: ItemRef
    b: ItemRef
    match: str  # "code+name", "fuzzy" or "code"
    score: float | None  # name similarity 0-100 (100 for an exact match)
    changes: list[Change]

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a.to_dict(), "b": self.b.to_dict(), "match": self.match,
                "score": None if self.score is None else round(self.score, 1),
                "changes": [c.to_dict() for c in self.changes]}


@dataclass
class Diff:
    a: str
    b: str
    changes: list[Change] = field(default_factory=list)
    items_added: list[ItemRef] = field(default_factory=list)
    items_removed: list[ItemRef] = field(default_factory=list)
    items_changed: list[ItemChange] = field(default_factory=list)
    items_unchanged: list[ItemChange] = field(default_factory=list)  # matched and equal: not in the JSON
    stations_added: list[str] = field(default_factory=list)
    stations_removed: list[str] = field(default_factory=list)
    attachments_added: list[Attachment] = field(default_factory=list)
    attachments_removed: list[Attachment] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.changes or self.items_added or self.items_removed or self.items_changed
                    or self.stations_added or self.stations_removed or self.attachments_added
                    or self.attachments_removed)

    def to_dict(self) -> dict[str, Any]:
        def att(a: Attachment) -> dict[str, Any]:
            return {"name": a.name, "url": a.url, "kind": a.kind, "content_id": a.content_id}

        return {
            "a": self.a,
            "b": self.b,
            "changes": [c.to_dict() for c in self.changes],
            "items": {"added": [i.to_dict() for i in self.items_added],
                      "removed": [i.to_dict() for i in self.items_removed],
                      "changed": [c.to_dict() for c in self.items_changed]},
            "stations": {"added": self.stations_added, "removed": self.stations_removed},
            "attachments": {"added": [att(a) for a in self.attachments_added],
                            "removed": [att(a) for a in self.attachments_removed]},
        }


# --- the diff ------------------------------------------------------------------------------------------------


def diff(a: Tender, b: Tender) -> Diff:
    """Compare two tenders (A the older, B the newer)."""
    out = Diff(a.label(), b.label())
    for name, get in HEADER:
        c = change(name, get(a), get(b))
        if c is not None:
            out.changes.append(c)
    for m in match_items(a.items, b.items):
        x, y = a.items[m.a], b.items[m.b]
        changes = item_changes(x, y)
        ic = ItemChange(ItemRef(m.a + 1, x), ItemRef(m.b + 1, y), m.how, m.score, changes)
        (out.items_changed if changes else out.items_unchanged).append(ic)
    matched_a = {c.a.index - 1 for c in out.items_changed + out.items_unchanged}
    matched_b = {c.b.index - 1 for c in out.items_changed + out.items_unchanged}
    out.items_removed = [ItemRef(i + 1, it) for i, it in enumerate(a.items) if i not in matched_a]
    out.items_added = [ItemRef(i + 1, it) for i, it in enumerate(b.items) if i not in matched_b]
    out.items_changed.sort(key=lambda c: c.a.index)
    sa, sb = _stations(a), _stations(b)
    out.stations_added = [sb[k] for k in sb if k not in sa]
    out.stations_removed = [sa[k] for k in sa if k not in sb]
    aa, ab = _attachments(a), _attachments(b)
    out.attachments_added = [ab[k] for k in ab if k not in aa]
    out.attachments_removed = [aa[k] for k in aa if k not in ab]
    return out


def item_changes(x: Item, y: Item) -> list[Change]:
    pairs = [("name", _text(x.name), _text(y.name)), ("code", x.code, y.code), ("quantity", x.quantity, y.quantity),
             ("unit", x.unit, y.unit), ("unit_price", x.unit_price, y.unit_price), ("amount", x.amount, y.amount),
             ("currency", x.currency, y.currency), ("lot", x.lot, y.lot)]
    return [c for c in (change(n, o, v) for n, o, v in pairs) if c is not None]


class ItemMatch(NamedTuple):
    """An item of A matched with one of B (0-based positions), how, and the names' similarity (0-100)."""

    a: int
    b: int
    how: str  # "code+name", "fuzzy" or "code"
    score: float | None


def match_items(a: list[Item], b: list[Item]) -> list[ItemMatch]:
    """The items of A matched with those of B, in A's order."""
    pairs: list[ItemMatch] = []
    left_b: dict[tuple[str, str], list[int]] = {}
    for j, it in enumerate(b):
        left_b.setdefault((it.code or "", norm_name(it.name)), []).append(j)
    rest_a: list[int] = []
    for i, it in enumerate(a):
        js = left_b.get((it.code or "", norm_name(it.name)))
        if js:
            pairs.append(ItemMatch(i, js.pop(0), "code+name", 100.0))
        else:
            rest_a.append(i)
    used_b = {p.b for p in pairs}
    rest_b = [j for j in range(len(b)) if j not in used_b]
    if rest_a and rest_b:
        from rapidfuzz import fuzz, process

        names_a = [norm_name(a[i].name) for i in rest_a]
        names_b = [norm_name(b[j].name) for j in rest_b]
        scores = process.cdist(names_a, names_b, scorer=fuzz.token_sort_ratio)
        candidates = []
        for x, i in enumerate(rest_a):
            for y, j in enumerate(rest_b):
                same = bool(a[i].code) and a[i].code == b[j].code
                s = float(scores[x][y])
                if s >= (FUZZY_MIN_SAME_CODE if same else FUZZY_MIN) and names_a[x] and names_b[y]:
                    candidates.append((same, s, -x, -y, i, j))
        taken_a: set[int] = set()
        taken_b: set[int] = set()
        for same, s, _, _, i, j in sorted(candidates, reverse=True):
            if i not in taken_a and j not in taken_b:
                pairs.append(ItemMatch(i, j, "fuzzy", s))
                taken_a.add(i)
                taken_b.add(j)
        rest_a = [i for i in rest_a if i not in taken_a]
        rest_b = [j for j in rest_b if j not in taken_b]
        # the only item left with a code on each side: the same position, renamed beyond recognition
        by_code_a: dict[str, list[int]] = {}
        by_code_b: dict[str, list[int]] = {}
        for i in rest_a:
            if a[i].code:
                by_code_a.setdefault(a[i].code, []).append(i)
        for j in rest_b:
            if b[j].code:
                by_code_b.setdefault(b[j].code, []).append(j)
        for code, ia in by_code_a.items():
            jb = by_code_b.get(code, [])
            if len(ia) == 1 and len(jb) == 1:
                s = fuzz.token_sort_ratio(norm_name(a[ia[0]].name), norm_name(b[jb[0]].name))
                pairs.append(ItemMatch(ia[0], jb[0], "code", float(s)))
    return sorted(pairs)


def _stations(t: Tender) -> dict[tuple[str, str], str]:
    return {(s.name.casefold(), (s.line or "").casefold()): (f"{s.name} ({s.line})" if s.line else s.name)
            for s in t.stations}


def _attachments(t: Tender) -> dict[str, Attachment]:
    out: dict[str, Attachment] = {}
    for a in t.attachments:
        key = a.content_id or a.url or a.sha256 or a.name or ""
        out.setdefault(key, a)
    return out


# --- from SOURCE arguments ---------------------------------------------------------------------------------


def read_one(source: str, *, resolver: Resolver | None = None, options: ReadOptions | None = None) -> Tender:
    """The one document a SOURCE (file, `-`, stored `ID` or `ID@version`) holds."""
    batch = read([source], resolver=resolver, options=options)
    tenders = list(batch)
    if batch.failures:
        raise batch.failures[0].error  # type: ignore[misc]
    if len(tenders) != 1:
        raise UsageError(f"{source} holds {len(tenders)} documents; diff compares one with one",
                         hint="give a single document (a file, or a stored ID@version)")
    return tenders[0]


def diff_sources(a: str, b: str, *, store: Path | None = None, input_format: str | None = None,
                 encoding: str | None = None) -> Diff:
    """`tenderscan diff A B` as one call."""
    # the store, only when A or B is a stored ID; without one, such an ID fails as "no store at PATH"
    options = ReadOptions(input_format=input_format, encoding=encoding)
    with StoreResolver(store) as resolver:
        return diff(read_one(a, resolver=resolver, options=options), read_one(b, resolver=resolver, options=options))
