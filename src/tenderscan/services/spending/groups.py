"""The groups of `spending`: documents (by year, customer, region, kind, source) or items (by OKPD2 class)
summed exactly, with the quantity only where it is in one unit and, by class, what the item amounts do not
cover.

Quantities are added only within one unit: a group whose items' quantities are in several units (hours,
pieces, square metres) or in an unknown one has no quantity (``quantity`` and ``unit`` null, ``units`` says
how many units there were).

By class the amount is the sum of the item amounts, and a document without items counts with its own
amount under the empty class. Where items carry no amount (223-FZ lots priced as a whole, quantities not
fixed, an abridged document) the class would lose that money without a word, so each group also says:

* ``priced``: how many of its documents are fully counted (every item of the document in the class has an
  amount, or the document has no items);
* ``not_in_items``: the part of its documents' amounts that no item amount covers (the document's amount
  minus the amounts of all its items), when the document's items without an amount all fall in this
  class. When they fall in several classes, or every item has an amount and they still fall short (an
  abridged document, items missing), that money cannot be put in a class: it is reported in a group of its
  own, class ``unassigned`` (count: its documents; amount: none).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .frames import SEVERAL
from .series import map_unique, okpd2_at_depth

if TYPE_CHECKING:
    import pandas as pd

UNASSIGNED = "unassigned"  # the class of document amounts no item amount covers that no one class can take
_NONE = "\x00none"


def quantities(q_items: "pd.DataFrame", index) -> "pd.DataFrame":
    """Per group number ``g``: quantity (sum, when one known unit), unit (its name), units (how many)."""
    import pandas as pd

    q = q_items[q_items["quantity"].notna()]
    out = pd.DataFrame(index=index)
    if q.empty:
        out["quantity"], out["unit"], out["units"] = None, None, 0
        return out
    g = q["g"].to_numpy()
    known = q["unit_key"].where(q["unit_key"] != SEVERAL)
    units = known.groupby(g).nunique() + q["unit_key"].isna().groupby(g).any().astype(int)
    units = units + (q["unit_key"] == SEVERAL).groupby(g).any().astype(int) * 2  # a store sum in 2+ units
    one = units[units == 1].index
    sums = q["quantity"].groupby(g).sum(min_count=1)
    names = q["unit"].groupby(g).min()
    out["quantity"] = sums.reindex(index).where(pd.Series(index, index=index).isin(one), None).astype(object)
    out["unit"] = names.reindex(index).where(pd.Series(index, index=index).isin(one), None).astype(object)
    out["units"] = units.reindex(index).fillna(0).astype(int)
    out.loc[out["quantity"].isna(), "quantity"] = None
    out.loc[out["unit"].isna(), "unit"] = None
    return out


def by_document(docs: "pd.DataFrame", items: "pd.DataFrame", keys: list[str]):
    """Groups of documents; their items and stations follow the document's group number. Returns the
    groups (keys, count, amount, quantity, unit, units) and the (doc, g) pairs."""
    import pandas as pd

    gid = docs.groupby(keys, dropna=False, sort=False).ngroup()
    grouped = docs.groupby(gid.to_numpy(), sort=False)
    first = ~gid.duplicated()
    out = docs.loc[first, keys].set_index(gid[first].to_numpy())
    out["count"] = grouped.size()
    out["amount"] = grouped["amount"].sum(min_count=1)
    item_gid = pd.Series(gid.to_numpy(), index=docs["doc"].to_numpy()).reindex(items["doc"].to_numpy())
    q = items[["quantity", "unit_key", "unit"]].assign(g=item_gid.to_numpy())
    out = out.join(quantities(q, out.index))
    pairs = pd.DataFrame({"doc": docs["doc"].to_numpy(), "g": gid.to_numpy()})
    return out, pairs


def residuals(docs: "pd.DataFrame", all_items: "pd.DataFrame", depth: int) -> "pd.DataFrame":
    """Per document whose item amounts fall short of its amount: ``residual`` (its amount minus the amounts
    of all its items) and ``unpriced_class`` (the one class of its items without an amount; UNASSIGNED
    when they are in several classes, or when every item has an amount and some are missing from the
    document)."""
    import pandas as pd

    mine = all_items[all_items["doc"].isin(docs["doc"])]
    empty = pd.DataFrame({"doc": pd.Series([], dtype="int64"), "residual": pd.Series([], dtype=object),
                          "unpriced_class": pd.Series([], dtype=object)})
    if mine.empty:
        return empty
    by_doc = mine["doc"].to_numpy()
    covered = mine["amount"].groupby(by_doc).sum(min_count=1)
    amounts = docs.set_index("doc")["amount"].reindex(covered.index)
    residual = pd.Series([None if a is None or pd.isna(a) else a - (Decimal(0) if c is None or pd.isna(c) else c)
                          for a, c in zip(amounts, covered)], index=covered.index, dtype=object)
    short = residual[residual.map(lambda r: r is not None and r > 0)]
    if short.empty:
        return empty
    unpriced = mine[mine["amount"].isna() & mine["doc"].isin(short.index)]
    cls = map_unique(unpriced["okpd2"], lambda c: okpd2_at_depth(c, depth)).astype(object).fillna(_NONE)
    grouped = cls.groupby(unpriced["doc"].to_numpy())
    one = grouped.first().where(grouped.nunique() == 1, UNASSIGNED)
    classes = one.reindex(short.index).fillna(UNASSIGNED)
    return pd.DataFrame({"doc": short.index.astype("int64"), "residual": short.to_numpy(dtype=object),
                         "unpriced_class": [None if c == _NONE else c for c in classes]})


def by_class(docs: "pd.DataFrame", items: "pd.DataFrame", all_items: "pd.DataFrame", keys: list[str],
             depth: int):
    """Groups of items by OKPD2 class (``keys`` ends with kind, currency; the class goes before them).
    ``docs`` has a ``residual`` and an ``unpriced_class`` column (see :func:`residuals`, converted with the
    amounts)."""
    import pandas as pd

    group_of = docs.set_index("doc")[keys]
    units = items[["doc", "okpd2", "quantity", "amount", "unit_key", "unit"]].assign(
        okpd2=map_unique(items["okpd2"], lambda c: okpd2_at_depth(c, depth)))
    units = pd.concat([units.reset_index(drop=True), group_of.loc[units["doc"]].reset_index(drop=True)], axis=1)
    bare = docs[~docs["doc"].isin(all_items["doc"])]
    units = pd.concat([units, bare.assign(okpd2=None, quantity=None, unit_key=None, unit=None)[units.columns]],
                      ignore_index=True)
    gkeys = keys[:-2] + ["okpd2", "kind", "currency"]
    gid = units.groupby(gkeys, dropna=False, sort=False).ngroup()
    grouped = units.groupby(gid.to_numpy(), sort=False)
    first = ~gid.duplicated()
    out = units.loc[first, gkeys].set_index(gid[first].to_numpy())
    out["count"] = grouped["doc"].nunique()
    out["amount"] = grouped["amount"].sum(min_count=1)
    out = out.join(quantities(units[["quantity", "unit_key", "unit"]].assign(g=gid.to_numpy()), out.index))
    # fully counted documents: every item of theirs in the group has an amount (or they have no items)
    unpriced_pairs = pd.DataFrame({"doc": units["doc"].to_numpy(), "g": gid.to_numpy(),
                                   "missing": units["amount"].isna().to_numpy()
                                   & units["doc"].isin(all_items["doc"]).to_numpy()})
    per_doc = unpriced_pairs.groupby(["g", "doc"])["missing"].any()
    out["priced"] = (~per_doc).groupby(level=0).sum().reindex(out.index).fillna(0).astype(int)
    # what the item amounts do not cover: to the one class of a document's unpriced items
    out["not_in_items"] = None
    index = {tuple(_key(v) for v in rec): g for g, rec in zip(out.index, out[gkeys].itertuples(index=False))}
    spread: dict[tuple, list] = {}
    res = docs[docs["residual"].notna() | docs["unpriced_class"].notna()] if "residual" in docs else docs[:0]
    for rec in res.itertuples(index=False):
        base = tuple(_key(getattr(rec, k)) for k in keys[:-2])
        tail = (_key(rec.kind), _key(rec.currency))
        if rec.unpriced_class == UNASSIGNED:
            spread.setdefault((*base, UNASSIGNED, *tail), []).append(rec)
            continue
        g = index.get((*base, _key(rec.unpriced_class), *tail))
        if g is not None and rec.residual is not None and not pd.isna(rec.residual):
            cur = out.at[g, "not_in_items"]
            out.at[g, "not_in_items"] = rec.residual if cur is None else cur + rec.residual
    pairs = pd.DataFrame({"doc": units["doc"].to_numpy(), "g": gid.to_numpy()}).drop_duplicates()
    if spread:
        extra, more_pairs = [], []
        g = int(out.index.max()) + 1 if len(out) else 0
        for key, recs in spread.items():
            values = [r.residual for r in recs if r.residual is not None and not pd.isna(r.residual)]
            extra.append({**dict(zip(gkeys, key)), "count": len(recs), "amount": None, "quantity": None,
                          "unit": None, "units": 0, "priced": 0,
                          "not_in_items": sum(values, Decimal(0)) if values else None, "_g": g})
            more_pairs += [(r.doc, g) for r in recs]
            g += 1
        add = pd.DataFrame(extra).set_index("_g")
        add.index.name = None
        out = pd.concat([out, add.astype(object)])
        pairs = pd.concat([pairs, pd.DataFrame(more_pairs, columns=["doc", "g"])], ignore_index=True)
    return out, pairs


def _key(v):
    """A group key value comparable across frames (NaN/NA -> None)."""
    try:
        import pandas as pd

        if v is None or (not isinstance(v, (str, Decimal)) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    return v.item() if hasattr(v, "item") else v
