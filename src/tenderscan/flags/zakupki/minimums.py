"""The legal minimum advertisement periods and the law's thresholds (``data/legal_minimums.toml``).

The built-in file is read first; a ``legal_minimums.toml`` in the user's config folder (where topics.toml
goes), then each file given explicitly, replace the rows of every (law, method) they name and the
``[thresholds]`` entries they set. Each row keeps its legal source and whether it was checked against the
law's text (see the data file's header).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ...errors import UsageError

FILE = "legal_minimums.toml"
_ROW_KEYS = {"law", "method", "valid_from", "valid_until", "amount_above", "amount_at_most",
             "construction_amount_at_most", "days", "day_kind", "smb", "source", "checked", "checked_in"}


@dataclass(frozen=True)
class PeriodRule:
    law: str
    method: str
    days: int
    source: str
    day_kind: str = "calendar"  # or "working"
    valid_from: date | None = None
    valid_until: date | None = None
    amount_above: Decimal | None = None
    amount_at_most: Decimal | None = None
    construction_amount_at_most: Decimal | None = None
    smb: bool = False  # only for purchases reserved for small and medium businesses
    checked: bool = False
    checked_in: str | None = None
    origin: str = "built-in"

    def applies(self, law: str, method: str, on: date, amount: Decimal | None, construction: bool) -> bool:
        if (law, method) != (self.law, self.method):
            return False
        if (self.valid_from and on < self.valid_from) or (self.valid_until and on > self.valid_until):
            return False
        ceiling = self.construction_amount_at_most if construction and self.construction_amount_at_most \
            else self.amount_at_most
        if amount is None:
            return self.amount_above is None and ceiling is None
        return not ((self.amount_above is not None and amount <= self.amount_above)
                    or (ceiling is not None and amount > ceiling))

    def evidence(self) -> dict[str, Any]:
        out = {"days": self.days, "day_kind": self.day_kind, "source": self.source, "checked": self.checked,
               "table": self.origin}
        if self.checked_in:
            out["checked_in"] = self.checked_in
        return out


@dataclass(frozen=True)
class Threshold:
    amount: Decimal
    source: str
    valid_from: date | None = None
    valid_until: date | None = None
    checked: bool = False

    def applies(self, on: date) -> bool:
        return not ((self.valid_from and on < self.valid_from) or (self.valid_until and on > self.valid_until))


@dataclass(frozen=True)
class Minimums:
    periods: tuple[PeriodRule, ...] = ()
    thresholds: dict[str, tuple[Threshold, ...]] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def matching(self, law: str, method: str, on: date, amount: Decimal | None,
                 construction: bool) -> list[PeriodRule]:
        return [r for r in self.periods if r.applies(law, method, on, amount, construction)]

    def threshold(self, name: str, on: date) -> Threshold | None:
        return next((t for t in self.thresholds.get(name, ()) if t.applies(on)), None)


def _money(raw: Any, where: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise UsageError(f"{where}: {raw!r} is not an amount", hint="write amounts as strings: \"300000000\"") from None


def _day(raw: Any, where: str) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    raise UsageError(f"{where}: {raw!r} is not a date", hint="write dates as 2022-01-01 (TOML dates, no quotes)")


def parse(text: str, origin: str) -> Minimums:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{origin}: not valid TOML ({exc})", hint="fix the legal minimums file") from None
    rows = []
    for i, row in enumerate(data.get("period", [])):
        where = f"{origin}: [[period]] {i + 1}"
        unknown = set(row) - _ROW_KEYS
        if unknown or not {"law", "method", "days", "source"} <= set(row):
            raise UsageError(f"{where} has unknown keys {sorted(unknown)} or lacks law, method, days, source",
                             hint="see the built-in legal_minimums.toml")
        if row.get("day_kind", "calendar") not in ("calendar", "working"):
            raise UsageError(f"{where}: day_kind must be calendar or working")
        rows.append(PeriodRule(
            law=str(row["law"]), method=str(row["method"]), days=int(row["days"]), source=str(row["source"]),
            day_kind=row.get("day_kind", "calendar"), valid_from=_day(row.get("valid_from"), where),
            valid_until=_day(row.get("valid_until"), where), amount_above=_money(row.get("amount_above"), where),
            amount_at_most=_money(row.get("amount_at_most"), where),
            construction_amount_at_most=_money(row.get("construction_amount_at_most"), where),
            smb=bool(row.get("smb", False)), checked=bool(row.get("checked", False)),
            checked_in=row.get("checked_in"), origin=origin))
    thresholds = {}
    for name, entries in (data.get("thresholds") or {}).items():
        where = f"{origin}: [thresholds] {name}"
        thresholds[name] = tuple(Threshold(_money(e["amount"], where), str(e.get("source", origin)),
                                           _day(e.get("valid_from"), where), _day(e.get("valid_until"), where),
                                           bool(e.get("checked", False))) for e in entries)
    return Minimums(tuple(rows), thresholds, (origin,))


def merge(base: Minimums, top: Minimums) -> Minimums:
    named = {(r.law, r.method) for r in top.periods}
    periods = tuple(r for r in base.periods if (r.law, r.method) not in named) + top.periods
    return Minimums(periods, {**base.thresholds, **top.thresholds}, base.files + top.files)


def user_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("tenderscan", appauthor=False)) / FILE


@lru_cache(maxsize=1)
def built_in() -> Minimums:
    return parse(resources.files("tenderscan").joinpath(f"data/{FILE}").read_text(encoding="utf-8"), "built-in")


def load(extra: tuple[str, ...] = (), *, user: bool = True) -> Minimums:
    """The built-in minimums, the user's file over them, then each file in ``extra``."""
    out = built_in()
    paths = ([user_path()] if user and user_path().is_file() else []) + [Path(p) for p in extra]
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read the legal minimums file {path}: {exc.strerror}",
                             hint="check the path") from None
        out = merge(out, parse(text, str(path)))
    return out


def count_days(start: date, end: date, kind: str) -> int:
    """Days after ``start`` up to and including ``end``: calendar days, or working days of the Russian
    production calendar (weekends, public holidays and transferred days off are not working days; a
    Saturday made a working day is one)."""
    if kind == "calendar":
        return (end - start).days
    import holidays

    ru = holidays.country_holidays("RU", years=range(start.year, end.year + 1))
    return ru.get_working_days_count(start, end) - (1 if ru.is_working_day(start) else 0)
