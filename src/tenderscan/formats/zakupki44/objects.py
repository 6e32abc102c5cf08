"""44-FZ purchase objects (items with their codes, parent objects of a hierarchy) and what the readers know
about totals (what a notice's amount is; why its items do not add up to it), for both format generations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...models import Classification, Item, builder
from ...values import to_decimal, to_quantity
from .. import money
from .common import EP_NS, FCS_NS, Fields, Found, clean, drop_none, is_true

_Classification = builder(Classification)
_new_item = Item.__pydantic_validator__.validate_python  # a dict validated directly, without a frame

_ITEM_KINDS = {"PRODUCT": "product", "SERVICE": "service", "WORK": "work"}


# --- purchase objects -------------------------------------------------------------------------------------

_ITEM = {
    "sid": "{p}:sid",
    "ext_sid": "{p}:externalSid",
    "name": "{p}:name",
    "type": "{p}:type",
    "okpd2": "{p}:OKPD2/{b}:{code}",
    "okpd2_name": "{p}:OKPD2/{b}:{cname}",
    "okpd": "{p}:OKPD/{b}:code",
    "okpd_name": "{p}:OKPD/{b}:name",
    "ktru": "{p}:KTRU/{b}:code",
    "ktru_name": "{p}:KTRU/{b}:name",
    "ktru_okpd2": "{p}:KTRU/{p}:OKPD2/{b}:{code}",
    "ktru_okpd2_name": "{p}:KTRU/{p}:OKPD2/{b}:{cname}",
    "okei": "{p}:OKEI/{b}:code",
    "unit": "{p}:OKEI/{b}:nationalCode",
    "unit_name": "{p}:OKEI/{b}:name",
    "unit_full": "{p}:OKEI/{b}:fullName",
    "price": "{p}:price",
    "qty": "{p}:quantity/{p}:value",
    # quantity/undefined: "the quantity cannot be set" (filled when the block's quantityUndefined is true)
    "qty_undefined": "{p}:quantity/{p}:undefined",
    "sum": "{p}:sum",
    # hierarchies (2022+): a child object (hierarchyType CH) names its parent by the parent's sid/externalSid
    "parent_sid": "{p}:parentPurchaseObject/{p}:sid",
    "parent_ext": "{p}:parentPurchaseObject/{p}:externalSid",
}
# notice purchaseObject: fcs (types/1); ep (common/1 with base/1 codes)
_ITEM_FCS = {k: v.format(p="t", b="t", code="code", cname="name") for k, v in _ITEM.items()}
ITEM_FCS = Fields(FCS_NS, **_ITEM_FCS)
ITEM_EP = Fields(
    EP_NS, **{k: v.format(p="c", b="b", code="OKPDCode", cname="OKPDName") for k, v in _ITEM.items()}
)
# contract product (types/1): the quantity is the text of <quantity> itself
PRODUCT_FCS = Fields(FCS_NS, **{**_ITEM_FCS, "qty": "t:quantity"})
_CODES = (("ktru", "KTRU"), ("okpd2", "OKPD2"), ("ktru_okpd2", "OKPD2"), ("okpd", "OKPD"))
def code_keys(*keys: tuple[str, str]) -> tuple[tuple[str, str, str], ...]:
    """(key, scheme, key of the name) for :func:`codes`: the name keys made once, not per item."""
    return tuple((key, scheme, key + "_name") for key, scheme in keys)


CODES = code_keys(*_CODES)


def codes(v: Found, keys: Iterable[tuple[str, str, str]] = CODES) -> list[tuple[str, str, str | None]]:
    """(scheme, code, name) of an item, most specific first (KTRU, then OKPD2, then OKPD), without repeats."""
    out: list[tuple[str, str, str | None]] = []
    seen: list[str] = []
    get = v.get
    for key, scheme, name in keys:
        code = get(key)
        if code and code not in seen:
            seen.append(code)
            out.append((scheme, code, clean(get(name))))
    return out


def coded(found: list[tuple[str, str, str | None]]) -> dict[str, Any]:
    """Item fields for the main code, the others as extra classifications."""
    if not found:
        return {}
    scheme, code, name = found[0]
    return {
        "code": code,
        "code_scheme": scheme,
        "code_name": name,
        "classifications": [_Classification(scheme=s, code=c, name=n) for s, c, n in found[1:]]
        if len(found) > 1
        else [],  # most items have one code: no comprehension to run
    }


def item(
    el,
    F: Fields,
    *,
    lot: str | None = None,
    undefined: bool = False,
    parents: dict[str, str] | None = None,
) -> Item:
    """A purchase object / contract product: the main code, the others as extra classifications.

    ``undefined``: the block says the quantity cannot be set (``quantityUndefined`` true; the object itself
    may say so too, ``quantity/undefined``). Then ``price`` is a price per unit and ``sum`` only repeats it:
    the item gets ``unit_price`` and no quantity or amount. ``parents``: the names of the parent objects by
    ``sid`` (and ``"ext:" + externalSid``), for the child objects of a hierarchy.

    The hottest reader of all (a contract lists dozens of products), so ``Found``'s accessors are inlined:
    ``clean(get(k))`` for ``v.clean(k)``, ``to_decimal`` for ``v.dec``."""
    v = F.read(el)
    get = v.get
    kind = get("type")
    qty, price, amount = get("qty"), get("price"), get("sum")
    if undefined or is_true(get("qty_undefined")):
        # the price per unit; where only a sum is given it is that price ("initial sum of unit prices")
        price, qty, amount = price if price is not None else amount, None, None
        undefined = True
    values = {
        "id": get("sid"),
        "name": clean(get("name")),
        "quantity": to_quantity(qty, field="qty"),
        "unit": get("unit") or clean(get("unit_name")) or clean(get("unit_full")),
        "unit_code": get("okei"),
        "unit_price": to_decimal(price, field="price"),
        "amount": to_decimal(amount, field="sum"),
        "lot": lot,
        "kind": _ITEM_KINDS.get(kind, kind.lower()) if kind else None,
    }
    if undefined:
        values["quantity_undefined"] = True
    if parents:
        sid, ext = get("parent_sid"), get("parent_ext")
        parent = (parents.get(sid) if sid else None) or (parents.get("ext:" + ext) if ext else None)
        if parent:
            values["parent"] = parent
    found = codes(v)
    if found:
        values.update(coded(found))
    return _new_item(values)


# parent purchase objects (notDrugPurchaseParentObjectsInfo, ep): not items, the names their children keep
PARENT_EP = Fields(
    EP_NS,
    sid="c:sid",
    ext_sid="c:externalSid",
    name="c:name",
    type="c:type",
    okpd2="c:OKPD2/b:OKPDCode",
    okpd2_name="c:OKPD2/b:OKPDName",
    ktru="c:KTRU/b:code",
    ktru_name="c:KTRU/b:name",
    sum="c:sum",
)
_PARENT_CODES = code_keys(("ktru", "KTRU"), ("okpd2", "OKPD2"))


def parent_objects(elements: Iterable, F: Fields = PARENT_EP) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The parent objects of a hierarchy: their names by ``sid`` and ``"ext:" + externalSid`` (what a
    child's ``parentPurchaseObject`` gives), and each parent's own values for ``extra``."""
    names: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for el in elements:
        v = F.read(el)
        found = codes(v, _PARENT_CODES)
        name = v.clean("name") or (found[0][2] if found else None)
        kind = v.text("type")
        if name:
            if v.text("sid"):
                names[v.text("sid")] = name
            if v.text("ext_sid"):
                names["ext:" + v.text("ext_sid")] = name
        out.append(
            drop_none(
                {
                    "id": v.text("sid"),
                    "name": name,
                    "code": found[0][1] if found else None,
                    "code_scheme": found[0][0] if found else None,
                    "kind": _ITEM_KINDS.get(kind, kind.lower()) if kind else None,
                    "amount": v.dec("sum"),
                }
            )
        )
    return names, out


# --- what the readers know about totals ------------------------------------------------------------------

AMOUNT_MAX = "maximum price"  # the initial (maximum) contract price (НМЦК)
AMOUNT_MAX_VALUE = "maximum contract value"  # quantity not fixed, or a price formula: the ceiling
AMOUNT_LOTS = "lot maximum prices"  # several lots: the sum of their maximum prices


def amount_basis(amount, *, ceiling: bool = False, lots: int = 1) -> str | None:
    """What a notice's amount is: the maximum price; the maximum contract value when the quantity is not
    fixed or a price formula sets the price (``ceiling``); the sum of the lots' maximum prices."""
    if amount is None:
        return None
    if lots > 1:
        return AMOUNT_LOTS
    return AMOUNT_MAX_VALUE if ceiling else AMOUNT_MAX


def totals_warnings(
    items: list[Item], amount, *, listed=None, where: str = "", what: str = "the document"
) -> list[str]:
    """Why the items of one document (or lot: ``where``) do not add up to its ``amount``, where the reader
    knows: prices per unit (quantity not fixed), or the document's own total of its positions (``listed``:
    totalSum, drugs total) that the positions listed here do not reach (a document cut short)."""
    out = []
    per_unit = sum(1 for it in items if it.quantity_undefined)
    if per_unit:
        out.append(
            f"{where}quantity not fixed (quantityUndefined): {per_unit} item(s) give a price per unit, not "
            f"an amount; {what}'s amount is the maximum contract value, the items do not add up to it"
        )
        return out
    amounts = [it.amount for it in items if it.amount is not None]
    if not amounts or amount is None:
        return out
    total = money.add(amounts)
    if total == amount:
        return out
    if listed is not None and listed == amount and total != listed:
        out.append(
            f"{where}the items listed add up to {total}, {what}'s own total of its purchase objects is "
            f"{listed}: some purchase objects are missing from this copy of {what}"
        )
    elif listed is not None and listed != amount and total == listed:
        out.append(
            f"{where}{what}'s own total of its purchase objects ({listed}) differs from its amount ({amount})"
        )
    return out
