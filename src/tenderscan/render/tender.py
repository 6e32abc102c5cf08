"""`show`'s table: one document as a header panel, its lots, items (with a total row), applications,
payments, delivery places, stations and attachments, laid out by :mod:`tenderscan.render.layout` (identifiers,
codes, dates and amounts never broken; names wrapped between words; too narrow a terminal gives blocks)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..models import Organization, Tender
from ..services.spending.frames import fixed_amount
from .cells import id_label, money, when
from .layout import GLUE, Cell, Column, cells, print_table, whole_lines, wrap

PANEL_OVERHEAD = 4  # "│ " and " │"
HEAD_GAP = 2


def org_text(o: Organization) -> str:
    """Name, then the identifier labelled by its scheme and the KPP, each kept in one piece."""
    parts = [o.name or o.short_name or "?"]
    label = id_label(o)
    if label:
        parts.append(f"{label} {o.inn}".replace(" ", GLUE))
    if o.kpp:
        parts.append(f"KPP{GLUE}{o.kpp}")
    return ", ".join(parts)


def quantity_note(t: Tender) -> str | None:
    """What a reader must know about a document whose quantities are not fixed (44-FZ quantityUndefined)."""
    loose = [it for it in t.items if it.quantity_undefined]
    if not (loose or t.quantity_undefined):
        return None
    what = (f"{len(loose)} of {len(t.items)} item(s) have no fixed quantity" if loose
            else "the quantities are not fixed")
    amount = f" ({money(t.amount, t.currency)})" if t.amount is not None else ""
    return (f"note: {what}: their prices are per unit, not sums, and the document's amount{amount} is the "
            "maximum contract value, not a total of the items")


def render_tender(console, t: Tender, *, max_items: int = 200) -> None:
    """A header panel, the items with a total row, delivery places, attachments and stations."""
    from rich.text import Text

    _header(console, t)
    for w in t.extra.get("warnings") or ():
        _say(console, f"warning: {w}", "yellow")
    note = quantity_note(t)
    if note:
        _say(console, note, "yellow")

    if t.lots and len(t.lots) > 1:
        print_table(console, [Column("lot"), Column("title", text=True), Column("amount", right=True)],
                    [{"lot": lot.id or "", "title": lot.title or "",
                      "amount": money(lot.amount, lot.currency or t.currency)} for lot in t.lots], title="Lots")
    if t.items:
        _items(console, t, max_items)
    if t.applications:
        _applications(console, t)
    if t.payments:
        print_table(console, [Column("date"), Column("amount", right=True), Column("document", text=True)],
                    [{"date": when(p.date), "amount": money(p.amount, p.currency), "document": p.document or ""}
                     for p in t.payments], title="Payments")
    if t.delivery_places:
        console.print(Text("Delivery places", style="bold"))
        for p in t.delivery_places:
            lines = wrap(p, console.width - 4)
            for n, line in enumerate(lines):
                console.print(Text(("  • " if n == 0 else "    ") + line), no_wrap=True, overflow="fold")
    if t.stations:
        names = ", ".join(f"{s.name} ({s.line})" if s.line else s.name for s in t.stations)
        head = f"Stations ({len(t.stations)}): "
        lines = wrap(names, console.width - 2, first=console.width - len(head))
        console.print(Text(head, style="bold") + Text(lines[0]), no_wrap=True, overflow="fold")
        for line in lines[1:]:
            console.print(Text("  " + line), no_wrap=True, overflow="fold")
    if t.attachments:
        print_table(console, [Column("name", text=True), Column("kind", text=True), Column("url")],
                    [{"name": a.name or "", "kind": a.kind_name or a.kind or "", "url": a.url or ""}
                     for a in t.attachments], title=f"Attachments ({len(t.attachments)})")


def _say(console, text: str, style: str | None = None) -> None:
    from rich.text import Text

    for line in wrap(text, console.width):
        console.print(Text(line, style=style or ""), no_wrap=True, overflow="fold")


def _header(console, t: Tender) -> None:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    rows: list[tuple[str, str, bool]] = []  # label, value, whole

    def row(label: str, value: Any, whole: bool = False) -> None:
        if value not in (None, "", [], "—"):
            rows.append((label, str(value), whole))

    row("id", t.label(), True)
    row("kind", f"{t.kind.value} ({t.source_format})", True)
    row("title", t.title)
    if t.customer:
        row("customer", org_text(t.customer))
    if t.responsible and (not t.customer or t.responsible.name != t.customer.name):
        role = t.responsible_role or t.responsible.role_code
        row("placed by", org_text(t.responsible) + (f" [{role}]" if role else ""))
    for s in t.suppliers:
        row("supplier", org_text(s))
    if t.amount is not None:
        basis = f" ({t.amount_basis})" if t.amount_basis else ""
        row("amount", money(t.amount, t.currency) + basis, not basis)
    row("region", t.region)
    row("method", t.method)
    row("published", when(t.published) if t.published else None, True)
    row("signed", when(t.signed) if t.signed else None, True)
    row("submission until", when(t.submission_deadline) if t.submission_deadline else None, True)
    if t.execution_period and (t.execution_period.start or t.execution_period.end):
        row("execution", f"{when(t.execution_period.start)} – {when(t.execution_period.end)}", True)
    row("notice", t.notice_id if t.notice_id and t.notice_id != t.id else None, True)
    row("contract", t.contract_id, True)
    row("winner", org_text(t.winner) if t.winner else None)
    row("source", t.source.url or (t.source.path + (f"!{t.source.member}" if t.source.member else "")
                                   if t.source.path else None), True)
    label_w = max(cells(r[0]) for r in rows)
    value_w = max(8, console.width - PANEL_OVERHEAD - label_w - HEAD_GAP)
    head = Table.grid(padding=(0, HEAD_GAP))
    head.add_column(style="bold", no_wrap=True, width=label_w)
    head.add_column(no_wrap=True, width=value_w)
    for label, value, whole in rows:
        lines = whole_lines(value, value_w) if whole else wrap(value, value_w)
        head.add_row(label, Text("\n".join(lines)))
    console.print(Panel(head, title=f"[bold]{t.kind.value}[/] {t.id}", title_align="left", box=box.ROUNDED))


def _items(console, t: Tender, max_items: int) -> None:
    shown = t.items[:max_items]
    loose = any(it.quantity_undefined for it in t.items)
    rows = []
    for n, it in enumerate(shown, 1):
        rows.append({"#": str(n), "name": it.name or "", "code": it.code or "",
                     "qty": "not fixed" if it.quantity_undefined else _q(it.quantity), "unit": it.unit or "",
                     "unit price": money(it.unit_price) if it.unit_price is not None else "",
                     "sum": money(fixed_amount(it))})
    amounts = [a for a in (fixed_amount(it) for it in t.items) if a is not None]
    total = sum(amounts, Decimal(0)) if amounts else None
    label = "total" + (" of the items with a fixed quantity" if loose and total is not None else "")
    if loose and total is None:
        label = "no total: the quantities are not fixed"
    if len(t.items) > max_items:
        label += f" (first {max_items} shown)"
    columns = [Column("#", right=True), Column("name", text=True), Column("code"), Column("qty", right=True),
               Column("unit"), Column("unit price", right=True), Column("sum", right=True)]
    print_table(console, columns, rows, title=f"Items ({len(t.items)})", head=("#", "name"),
                footer={"name": Cell(label, whole=False), "sum": money(total) if total is not None else ""})
    if (not loose and total is not None and t.amount is not None and total != t.amount
            and t.kind.value != "protocol"):
        _say(console, f"note: the items add up to {money(total)}, the document's amount is {money(t.amount)}",
             "yellow")


def _applications(console, t: Tender) -> None:
    apps = t.applications
    labels = {id_label(a.participant) for a in apps if a.participant and a.participant.inn}
    one = labels.pop() if len(labels) == 1 else None
    id_col = one or "identifier"
    with_lot = any(a.lot for a in apps)
    rows = []
    for a in apps:
        p = a.participant
        ident = ""
        if p and p.inn:
            ident = p.inn if one else f"{id_label(p)} {p.inn}"
        rows.append({"#": a.number or "", "lot": a.lot or "", "participant": (p.name if p else "") or "",
                     id_col: ident, "price": money(a.price), "admitted": _yn(a.admitted),
                     "rating": str(a.rating) if a.rating is not None else "", "winner": "yes" if a.winner else ""})
    columns = [Column("#"), *([Column("lot")] if with_lot else []), Column("participant", text=True),
               Column(id_col), Column("price", right=True), Column("admitted"), Column("rating", right=True),
               Column("winner")]
    print_table(console, columns, rows, title=f"Applications ({len(apps)})", head=("#", "participant"))


def _q(v: Decimal | None) -> str:
    return "" if v is None else format(v, "f")


def _yn(v: bool | None) -> str:
    return "" if v is None else ("yes" if v else "no")
