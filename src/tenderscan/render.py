"""Renderers: tenders and rows to table (rich), JSON, JSON Lines and CSV. Library code: writes to a given
stream, never prints on its own, never exits."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any, Iterable, Sequence

from .models import Tender


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


# --- JSON ------------------------------------------------------------------------------------------------


def tender_dict(t: Tender) -> dict[str, Any]:
    """The JSON form of a tender (decimals as strings, dates as ISO 8601 with offset)."""
    return t.model_dump(mode="json")


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=indent, default=json_default)


def write_json(out: IO[str], docs: Sequence[Any]) -> None:
    """One object for one document, an array for several (or none)."""
    data = [d.model_dump(mode="json") if hasattr(d, "model_dump") else d for d in docs]
    out.write(dumps(data[0] if len(data) == 1 else data))
    out.write("\n")


def write_jsonl(out: IO[str], docs: Iterable[Any]) -> None:
    for d in docs:
        out.write(dumps(d.model_dump(mode="json") if hasattr(d, "model_dump") else d, indent=None))
        out.write("\n")


# --- CSV -------------------------------------------------------------------------------------------------

ITEM_COLUMNS = [
    "id", "version", "kind", "source_format", "published", "customer_name", "customer_inn", "currency",
    "document_amount", "item_no", "lot", "item_name", "code", "code_scheme", "quantity", "unit", "unit_code",
    "unit_price", "item_amount",
]


def item_rows(t: Tender) -> Iterable[dict[str, Any]]:
    """One row per item (one row with empty item fields for a document without items)."""
    base = {
        "id": t.id,
        "version": t.version,
        "kind": t.kind.value,
        "source_format": t.source_format,
        "published": t.published.isoformat() if t.published else None,
        "customer_name": t.customer.name if t.customer else None,
        "customer_inn": t.customer.inn if t.customer else None,
        "currency": t.currency,
        "document_amount": t.amount,
    }
    if not t.items:
        yield {**base, **{c: None for c in ITEM_COLUMNS if c not in base}}
        return
    for n, it in enumerate(t.items, 1):
        yield {
            **base,
            "item_no": n,
            "lot": it.lot,
            "item_name": it.name,
            "code": it.code,
            "code_scheme": it.code_scheme,
            "quantity": it.quantity,
            "unit": it.unit,
            "unit_code": it.unit_code,
            "unit_price": it.unit_price,
            "item_amount": it.amount,
        }


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    return str(value)


class _LineFeed:
    """Ends each row csv.writer writes (one write per row) with LF instead of CRLF."""

    def __init__(self, out: IO[str]):
        self.out = out

    def write(self, line: str) -> int:
        return self.out.write(line[:-2] + "\n" if line.endswith("\r\n") else line)


def csv_writer(out: IO[str], *, delimiter: str = ",", crlf: bool = False):
    """A csv.writer that quotes every field holding a CR or an LF. Python's quotes only the characters of its
    own line terminator: with LF endings a lone CR in a name went out unquoted and split the row for every
    reader. Rows end with LF (or CRLF with ``crlf``)."""
    return csv.writer(out if crlf else _LineFeed(out), delimiter=delimiter, lineterminator="\r\n")


def write_csv(out: IO[str], rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    w = csv_writer(out)
    w.writerow(columns)
    for r in rows:
        w.writerow([cell(r.get(c)) for c in columns])


# --- tables (rich) ---------------------------------------------------------------------------------------


def money(value: Decimal | None, currency: str | None = None) -> str:
    """Group thousands with thin spaces, keep every decimal digit the document gave."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sign + "\u202f".join(groups) + (f".{frac}" if frac else "")
    return f"{out} {currency}" if currency else out


def _when(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def render_tender(console, t: Tender, *, max_items: int = 200) -> None:
    """A header panel, the items with a total row, delivery places, attachments and stations."""
    from rich import box
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()

    def row(label: str, value: Any) -> None:
        if value not in (None, "", [], "—"):
            head.add_row(label, Text(str(value)))

    row("id", t.label())
    row("kind", f"{t.kind.value} ({t.source_format})")
    row("title", t.title)
    if t.customer:
        row("customer", _org(t.customer))
    if t.responsible and (not t.customer or t.responsible.name != t.customer.name):
        row("placed by", _org(t.responsible) + (f" [{t.responsible_role}]" if t.responsible_role else ""))
    for s in t.suppliers:
        row("supplier", _org(s))
    row("amount", money(t.amount, t.currency) if t.amount is not None else None)
    row("method", t.method)
    row("published", _when(t.published) if t.published else None)
    row("signed", _when(t.signed) if t.signed else None)
    row("submission until", _when(t.submission_deadline) if t.submission_deadline else None)
    if t.execution_period and (t.execution_period.start or t.execution_period.end):
        row("execution", f"{_when(t.execution_period.start)} – {_when(t.execution_period.end)}")
    row("notice", t.notice_id if t.notice_id and t.notice_id != t.id else None)
    row("contract", t.contract_id)
    row("winner", _org(t.winner) if t.winner else None)
    row("source", t.source.url or (t.source.path + (f"!{t.source.member}" if t.source.member else "")
                                   if t.source.path else None))
    console.print(Panel(head, title=f"[bold]{t.kind.value}[/] {t.id}", title_align="left", box=box.ROUNDED))
    for w in t.extra.get("warnings") or ():
        console.print(Text(f"warning: {w}", style="yellow"))

    if t.lots and len(t.lots) > 1:
        lots = Table(title="Lots", box=box.SIMPLE_HEAD, title_justify="left")
        for c in ("lot", "title", "amount"):
            lots.add_column(c, justify="right" if c == "amount" else "left", overflow="fold")
        for lot in t.lots:
            lots.add_row(lot.id or "", lot.title or "", money(lot.amount, lot.currency or t.currency))
        console.print(lots)

    if t.items:
        items = Table(title=f"Items ({len(t.items)})", box=box.SIMPLE_HEAD, title_justify="left",
                      show_footer=True)
        items.add_column("#", justify="right")
        items.add_column("name", overflow="fold", ratio=3)
        items.add_column("code", overflow="fold")
        items.add_column("qty", justify="right")
        items.add_column("unit")
        items.add_column("unit price", justify="right")
        items.add_column("sum", justify="right")
        for n, it in enumerate(t.items[:max_items], 1):
            items.add_row(str(n), it.name or "", it.code or "", _q(it.quantity), it.unit or "",
                          money(it.unit_price), money(it.amount))
        total = t.items_total
        items.columns[1].footer = "total" + (f" (first {max_items} shown)" if len(t.items) > max_items else "")
        items.columns[6].footer = money(total)
        console.print(items)
        if total is not None and t.amount is not None and total != t.amount and t.kind.value != "protocol":
            console.print(Text(f"note: the items add up to {money(total)}, the document's amount is "
                               f"{money(t.amount)}", style="yellow"))

    if t.applications:
        apps = Table(title=f"Applications ({len(t.applications)})", box=box.SIMPLE_HEAD, title_justify="left")
        for c in ("#", "participant", "INN", "price", "admitted", "rating", "winner"):
            apps.add_column(c, justify="right" if c in ("price", "rating") else "left", overflow="fold")
        for a in t.applications:
            p = a.participant
            apps.add_row(a.number or "", (p.name if p else "") or "", (p.inn if p else "") or "",
                         money(a.price), _yn(a.admitted), str(a.rating) if a.rating is not None else "",
                         "yes" if a.winner else "")
        console.print(apps)

    if t.payments:
        pays = Table(title="Payments", box=box.SIMPLE_HEAD, title_justify="left")
        for c in ("date", "amount", "document"):
            pays.add_column(c, justify="right" if c == "amount" else "left", overflow="fold")
        for p in t.payments:
            pays.add_row(_when(p.date), money(p.amount, p.currency), p.document or "")
        console.print(pays)

    if t.delivery_places:
        console.print(Text("Delivery places", style="bold"))
        for p in t.delivery_places:
            console.print(Text(f"  • {p}"))
    if t.stations:
        names = ", ".join(f"{s.name} ({s.line})" if s.line else s.name for s in t.stations)
        console.print(Text(f"Stations ({len(t.stations)}): ", style="bold") + Text(names))
    if t.attachments:
        att = Table(title=f"Attachments ({len(t.attachments)})", box=box.SIMPLE_HEAD, title_justify="left")
        att.add_column("name", overflow="fold")
        att.add_column("kind", overflow="fold")
        att.add_column("url", overflow="fold")
        for a in t.attachments:
            att.add_row(a.name or "", a.kind_name or a.kind or "", a.url or "")
        console.print(att)


def _org(o) -> str:
    parts = [o.name or o.short_name or "?"]
    if o.inn:
        scheme = "INN" if o.id_scheme in (None, "RU-INN") else {"UA-EDR": "EDRPOU"}.get(o.id_scheme, o.id_scheme)
        parts.append(f"{scheme} {o.inn}")
    if o.kpp:
        parts.append(f"KPP {o.kpp}")
    return ", ".join(parts)


def _q(v: Decimal | None) -> str:
    return "" if v is None else format(v, "f")


def _yn(v: bool | None) -> str:
    return "" if v is None else ("yes" if v else "no")


# columns of running text: they fold onto several lines in a table; every other column (identifiers, codes,
# dates, money, counts) is kept whole on one line, since a registry number or an amount cut in two is misread
TEXT_COLUMNS = frozenset({"title", "customer", "customer_name", "name", "name_en", "description", "evidence",
                          "document", "line", "address", "supplier", "supplier_name", "place"})
_FOLD_MIN = 14  # the least room a text column is given before the rows are printed as blocks instead
_WHOLE_MAX = 40  # a value longer than this folds even in a column that is otherwise kept whole


def print_block(console, head: str, parts: Sequence[str], *, indent: int = 2) -> None:
    """``head`` in bold, then ``parts`` ("label value") packed onto as few lines as fit the terminal. A part
    is never split across lines (rich would break it at any space, the no-break spaces inside numbers too);
    only a part wider than the whole line folds."""
    from rich.cells import cell_len
    from rich.text import Text

    pad = " " * indent
    lines: list[str] = []
    line = ""
    for part in parts:
        if line and cell_len(line) + 3 + cell_len(part) > console.width:
            lines.append(line)
            line = pad + part
        else:
            line = f"{line}   {part}" if line else pad + part
    if line:
        lines.append(line)
    first = Text(head, style="bold")
    if lines and cell_len(head) + 3 + cell_len(lines[0].lstrip()) <= console.width:
        first.append("   " + lines.pop(0).lstrip())
    console.print(first, overflow="fold")
    for rest in lines:
        console.print(Text(rest), overflow="fold")


def render_rows(console, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str | None = None,
                right: Sequence[str] = ()) -> None:
    """A generic table of rows (list, search, stations, formats). When the terminal is too narrow for every
    identifier, date and figure to stay whole beside room for the texts, each row is printed as a block
    instead (its whole values labelled and packed onto lines, each text on a line of its own): nothing is
    cropped at the right edge and no number is broken across lines."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    texts = [{c: money(r.get(c)) if isinstance(r.get(c), Decimal) else cell(r.get(c)) for c in columns}
             for r in rows]
    folding = [c for c in columns if c in TEXT_COLUMNS]
    whole = {c: max([len(c), *(cell_len(t[c]) for t in texts)]) for c in columns if c not in TEXT_COLUMNS}
    # a text column gets at least its longest word (up to 20), so that words are not cut where avoidable
    words = {c: min(20, max([len(c), *(cell_len(w) for t in texts for w in t[c].split())])) for c in folding}
    needed = (sum(min(w, _WHOLE_MAX) + 2 for w in whole.values()) + sum(max(_FOLD_MIN, w) for w in words.values())
              + 1)
    if rows and needed > console.width:
        if title:
            console.print(Text(title, style="italic"))
        for t in texts:
            head = next((c for c in columns if t[c]), columns[0])  # the row's first value names it
            print_block(console, t[head], [f"{c} {t[c]}" for c in columns if c not in TEXT_COLUMNS
                                           and c != head and t[c]])
            for c in folding:
                if t[c] and c != head:
                    console.print(Text(f"  {c}: {t[c]}"))
        return
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", collapse_padding=True, pad_edge=False)
    for c in columns:
        if c in TEXT_COLUMNS:
            table.add_column(c, overflow="fold", ratio=1, min_width=words[c])
        else:
            w = whole[c]
            table.add_column(c, justify="right" if c in right else "left", no_wrap=w <= _WHOLE_MAX,
                             overflow="fold", min_width=min(w, _WHOLE_MAX))
    for t in texts:
        table.add_row(*(t[c] for c in columns))
    console.print(table)


def emit_rows(fmt: OutputFormat, out: IO[str], rows: Sequence[dict[str, Any]], columns: Sequence[str], *,
              console=None, title: str | None = None, right: Sequence[str] = ()) -> None:
    """Rows in any --format. JSON is always a list of objects (scripts can rely on it)."""
    if fmt == OutputFormat.json:
        out.write(dumps(list(rows)))
        out.write("\n")
    elif fmt == OutputFormat.jsonl:
        write_jsonl(out, rows)
    elif fmt == OutputFormat.csv:
        write_csv(out, rows, columns)
    else:
        render_rows(console, rows, columns, title=title, right=right)


RENDERERS = {f: emit_rows for f in OutputFormat}  # every member has a renderer (tested)
