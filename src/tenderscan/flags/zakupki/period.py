"""TS-SHORT-PERIOD Advertisement period under the legal minimum: did suppliers get less time than the law gives?

In plain words: the time from the start of submission to the deadline is shorter than the minimum the law
sets for the procedure's method, its maximum price and the date (44-FZ, 223-FZ). A period under the legal
minimum leaves out suppliers who were not told in advance; it can also be an error of the document or a
rule this table does not know (an urgent purchase, a purchase reserved for small businesses).
A question, not a verdict: check the notice's dates and the article cited.

Definition (tenderscan, on the OCDS export; Cardinal's R003 compares with one fixed number instead): the
period runs from ``/tender/tenderPeriod/startDate`` to ``endDate``, each taken as a date in its own time
zone. Days are counted generously, from the day after the start up to and including the deadline's day
(calendar days, or working days of the Russian production calendar), so a flag holds under any reading of
"not less than N days before the deadline". The minimum is the smallest of the rows of
``data/legal_minimums.toml`` that match the law (``tender.tenderscan.law``), the method category
(``tender.tenderscan.methodCategory``), the start date and the maximum price (``/tender/value``; the
construction threshold when every item's OKPD2 code is in section F). Rows for purchases reserved for small
businesses are only named in the evidence. Value: the shortfall in days.

Threshold: from the data file (each row cites its article and says whether it was checked against the law's
text); a user's legal_minimums.toml overrides rows; ``[TS-SHORT-PERIOD] minimums = FILE`` adds one more file.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

from .. import ocds
from ..options import TEXT
from ..release import Release
from ..types import Flag
from .base import ZakupkiIndicator
from .common import amount, own, show
from .minimums import count_days, load

CONSTRUCTION = ("41", "42", "43")  # OKPD2 section F: buildings, civil engineering, construction works


def _date(text_value) -> date | None:
    if not isinstance(text_value, str):
        return None
    try:
        return datetime.fromisoformat(text_value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _construction(tender: dict) -> bool:
    codes = [(it.get("classification") or {}).get("id") for it in tender.get("items") or [] if isinstance(it, dict)]
    return bool(codes) and all(isinstance(c, str) and c[:2] in CONSTRUCTION for c in codes)


class ShortPeriod(ZakupkiIndicator):
    code = "TS-SHORT-PERIOD"
    title = "Advertisement period under the legal minimum"
    options = {"minimums": TEXT}
    kinds = ("notice", "change")

    def __init__(self, section, run) -> None:
        super().__init__(section, run)
        extra, _ = self.setting("minimums", None)
        self.table = load((extra,) if extra else ())

    def observe(self, release: Release, ocid: str) -> Iterable[Flag]:
        tender = release.tender
        ts = own(release.raw)
        if tender is None or not ts.get("law") or not ts.get("methodCategory"):
            return ()
        period = ocds.obj(tender.get("tenderPeriod")) or {}
        start, end = _date(period.get("startDate")), _date(period.get("endDate"))
        if start is None or end is None:
            return ()
        value, currency = amount(tender.get("value"))
        if currency not in (None, "RUB"):
            return ()
        construction = _construction(tender)
        rows = self.table.matching(ts["law"], ts["methodCategory"], start, value, construction)
        binding = [r for r in rows if not r.smb]
        if not binding:
            return ()
        measured = [(r, count_days(start, end, r.day_kind)) for r in binding]
        short = [(r, d) for r, d in measured if d < r.days]
        if len(short) < len(binding):  # some matching row is met: not short under every reading
            return ()
        rule, days = min(short, key=lambda rd: rd[0].days - rd[1])
        evidence = {
            "startDate": period.get("startDate"),
            "endDate": period.get("endDate"),
            "period_days": days,
            "day_kind": rule.day_kind,
            "law": ts["law"],
            "method_category": ts["methodCategory"],
            "procurementMethodDetails": tender.get("procurementMethodDetails"),
            "maximum_price": show(value),
            "construction": construction,
            "rule": "days after the start up to and including the deadline's day < the legal minimum",
            "threshold": rule.days,
            "threshold_source": rule.source,
            "legal_minimum": rule.evidence(),
            "paths": {"startDate": "/tender/tenderPeriod/startDate", "endDate": "/tender/tenderPeriod/endDate",
                      "maximum_price": "/tender/value/amount"},
        }
        smb = [r.evidence() for r in rows if r.smb and count_days(start, end, r.day_kind) >= r.days]
        if smb:
            evidence["legal_if_reserved_for_small_business"] = smb
        return (self.process_flag(release, ocid, float(rule.days - days), rule.days, evidence),)
