"""The procurement method of a zakupki document as OCDS gives it, and as the legal minimums need it.

``procurementMethod`` (OCDS's closed codelist): ``open`` for competitive procedures anyone may enter
(auctions, tenders, requests for quotations or proposals), ``selective`` for procedures with a
prequalification (``с ограниченным участием``, two-stage tenders are open), ``limited`` for closed procedures
(``закрыт...``: the buyer invites suppliers), ``direct`` for purchases from a single supplier.

``category`` is tenderscan's: auction, tender, quotations, proposals, single_supplier or None (unknown). It is
read from the method's name first (the 223-FZ names are each customer's own: "РСХБ_Запрос котировок в
электронной форме"), then from the 44-FZ placing-way code (EAP44, EAP20, ZKP20, OK504...), then from the
format of a protocol that came without its notice (``fcsProtocolEF3`` is an electronic auction's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...models import Tender

AUCTION, TENDER, QUOTATIONS, PROPOSALS, SINGLE = "auction", "tender", "quotations", "proposals", "single_supplier"

_BY_NAME = (  # first match wins: "запрос котировок" before "конкурс" ("конкурентный запрос котировок"...)
    ("единствен", SINGLE),
    ("котиров", QUOTATIONS),
    ("запрос цен", QUOTATIONS),
    ("предложени", PROPOSALS),
    ("аукцион", AUCTION),
    ("редукцион", AUCTION),
    ("конкурс", TENDER),
)
# 44-FZ placing-way codes (nsiPlacingWay): the letters before the digits
_BY_CODE = {"EA": AUCTION, "EAP": AUCTION, "OA": AUCTION, "ZK": QUOTATIONS, "ZKP": QUOTATIONS,
            "EZK": QUOTATIONS, "OK": TENDER, "OKP": TENDER, "EOK": TENDER, "OKU": TENDER, "OKD": TENDER,
            "ZP": PROPOSALS, "ZPP": PROPOSALS, "EZP": PROPOSALS, "EP": SINGLE}
# protocols and changes read without their notice: the procedure their format belongs to
_BY_FORMAT = (("EF", AUCTION), ("EZK", QUOTATIONS), ("ZK", QUOTATIONS), ("EOK", TENDER), ("OK", TENDER),
              ("EZP", PROPOSALS), ("ZP", PROPOSALS))
_CODE = re.compile(r"([A-Z]+)\d*")


@dataclass(frozen=True)
class Method:
    procurement_method: str | None  # OCDS: open, selective, limited, direct
    category: str | None
    electronic: bool | None
    source: str  # what decided: "name", "code", "format", "single supplier reason" or "unknown"


def _from_format(source_format: str) -> str | None:
    name = source_format.rpartition("/")[2]
    for prefix in ("fcsProtocol", "epProtocol", "pprf615Protocol", "fcs_notification", "fcsNotification",
                   "epNotification"):
        if name.startswith(prefix):
            rest = name[len(prefix):]
            for key, category in _BY_FORMAT:
                if rest.startswith(key):
                    return category
    return None


def classify(t: Tender) -> Method:
    name = (t.method or "").casefold()
    category, source = None, "unknown"
    for key, cat in _BY_NAME:
        if key in name:
            category, source = cat, "name"
            break
    if category is None and t.method_code and t.law == "44-FZ":
        m = _CODE.fullmatch(t.method_code)
        if m and m.group(1) in _BY_CODE:
            category, source = _BY_CODE[m.group(1)], "code"
    if category is None and (t.extra.get("single_supplier") or t.extra.get("single_supplier_reason")):
        category, source = SINGLE, "single supplier reason"
    if category is None:
        category = _from_format(t.source_format)
        source = "format" if category else "unknown"
    electronic = None
    if "электрон" in name or (t.method_code or "").startswith("E") or "EF" in t.source_format.rpartition("/")[2]:
        electronic = True
    if category is None:
        return Method(None, None, electronic, source)
    if category == SINGLE:
        pm = "direct"
    elif "закрыт" in name:
        pm = "limited"
    elif "ограниченным участием" in name:
        pm = "selective"
    else:
        pm = "open"
    return Method(pm, category, electronic, source)
