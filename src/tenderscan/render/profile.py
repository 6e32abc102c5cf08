"""`profile INN` on stdout: the organisation's money by year, counterparties, single-bid wins and flags as
tables one after the other, or the profile as one JSON object."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import IO

from ..services.profile import Profile
from .flags import write_flags
from .json_text import dumps
from .writers import OutputFormat, emit_rows


def _kinds(documents: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in documents.items())


def _percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.1'))}%"


def write_profile(fmt: OutputFormat | str, p: Profile, *, out: IO[str] | None = None) -> None:
    """JSON: :meth:`Profile.record` (decimals as strings, shares exact). Table: a heading line, then the
    tables (a table with no row is left out, its absence said in one line)."""
    out = out or sys.stdout
    fmt = OutputFormat(fmt)
    if fmt is not OutputFormat.table:
        out.write(dumps(p.record()) + "\n")
        out.flush()
        return
    names = "; ".join(p.names) or "(no name in the documents)"
    out.write(f"INN {p.inn}: {names}\nas {', '.join(p.roles)} in {p.documents} document(s)\n\n")
    out.flush()
    years = [{"year": r.year, "role": r.role, "documents": _kinds(r.documents), "contracts": r.contracts,
              "amount": r.amount, "currency": r.currency} for r in p.by_year]
    emit_rows(fmt, years, ("year", "role", "documents", "contracts", "amount", "currency"), out=out,
              title="by year", right=("contracts", "amount"))
    out.write("\n")
    if p.counterparties:
        cps = [{"role": c.role, "inn": c.inn or "(none given)", "name": c.name, "contracts": c.contracts,
                "amount": c.amount, "currency": c.currency, "share": _percent(c.share)} for c in p.counterparties]
        emit_rows(fmt, cps, ("role", "inn", "name", "contracts", "amount", "currency", "share"), out=out,
                  title="top counterparties",
                  right=("contracts", "amount", "share"))
    else:
        out.write("no counterparties: no contract with an amount names it\n")
    out.write("\n")
    if p.single_bid_wins:
        wins = [{"ocid": w.ocid, "indicator": " ".join(w.indicators), "customer": w.customer, "amount": w.amount,
                 "currency": w.currency, "document": " ".join(w.documents)} for w in p.single_bid_wins]
        emit_rows(fmt, wins, ("ocid", "indicator", "customer", "amount", "currency", "document"), out=out,
                  title="single-bid wins", right=("amount",))
        out.write("\n")
    if p.flags:
        write_flags(fmt, None, p.flags, out=out)  # type: ignore[arg-type]  # the table needs no report
    else:
        out.write("no flags raised on it or its processes\n")
    out.flush()
