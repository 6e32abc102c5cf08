"""The terminal table of plain rows (`list`, `search`, `stations`, `formats`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from .cells import cell, money
from .layout import GLUE, Cell, Column, print_table

# columns of running text: they wrap between words in a table; every other column (identifiers, codes,
# dates, money, counts) is kept whole on one line, since a registry number or an amount cut in two is misread
TEXT_COLUMNS = frozenset({"title", "customer", "customer_name", "name", "name_en", "description", "evidence",
                          "document", "line", "address", "supplier", "supplier_name", "place"})


def render_rows(console, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str | None = None,
                right: Sequence[str] = ()) -> None:
    """A generic table of rows (list, search, stations, formats). Identifiers, dates and figures stay whole,
    texts wrap between words. To fit a terminal the table stacks what belongs together: ``id@version``
    with the kind under it, the amount with its currency, the customer's INN under its name. When even
    that does not fit, each row is printed as a block instead (its whole values labelled and packed onto
    lines, each text on lines of its own, indented): nothing is cropped at the right edge and no number is
    broken across lines."""
    texts = [{c: money(r.get(c)) if isinstance(r.get(c), Decimal) else cell(r.get(c)) for c in columns}
             for r in rows]
    plain = [Column(c, text=c in TEXT_COLUMNS, right=c in right) for c in columns]
    cols, grid = list(plain), [dict(t) for t in texts]
    have = set(columns)
    if {"id", "version"} <= have:
        for g in grid:  # ID@version, as show and diff take it (the version on a line of its own if long)
            if g["version"]:
                label = f"{g['id']}@{g['version']}"
                g["id"] = label if len(label) <= 40 else f"{g['id']}\n@{g['version']}"
        cols = [c for c in cols if c.key != "version"]
    if {"id", "kind"} <= have:
        for g in grid:
            g["id"] = "\n".join(x for x in (g["id"], g["kind"]) if x)
        cols = [Column("id", "document" if "version" in have else "id / kind") if c.key == "id" else c
                for c in cols if c.key != "kind"]
    if {"amount", "currency"} <= have:
        for g in grid:
            g["amount"] = f"{g['amount']} {g['currency']}" if g["amount"] and g["currency"] else g["amount"]
        cols = [c for c in cols if c.key != "currency"]
    if {"customer", "customer_inn"} <= have:
        for g in grid:
            inn = f"INN{GLUE}{g['customer_inn']}" if g["customer_inn"] else ""
            g["customer"] = "\n".join(x for x in (g["customer"], inn) if x)
        cols = [c for c in cols if c.key != "customer_inn"]
    cols = [Column(c.key, "items", right=True) if c.key == "n_items" else c for c in cols]
    print_table(console, cols, [{k: Cell(v) for k, v in g.items()} for g in grid], title=title,
                blocks_columns=plain, block_rows=texts)
