"""The blocks every 44-FZ document type reuses: attachments, purchase objects (items with their codes),
medicines (``drugPurchaseObjectsInfo``) and delivery places (KLADR / GAR), for both format generations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ...models import Attachment, Classification, Item, Place, builder
from ...values import normalize
from .. import money
from .common import BASE, EP_NS, FCS_NS, PPRF615, Fields, Found, _dec, clean, country_code, drop_none, when

_Classification = builder(Classification)
# the hot blocks validate their dict of values directly, as the builders do, without the builders' frame
_new_attachment = Attachment.__pydantic_validator__.validate_python
_new_item = Item.__pydantic_validator__.validate_python
_new_place = Place.__pydantic_validator__.validate_python

_ITEM_KINDS = {"PRODUCT": "product", "SERVICE": "service", "WORK": "work"}

_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(байт|б|кб|мб|гб|b|kb|mb|gb)?\s*$", re.IGNORECASE)
_SIZE_FACTOR = {"кб": 1024, "kb": 1024, "мб": 1024**2, "mb": 1024**2, "гб": 1024**3, "gb": 1024**3}


def file_size(text: str | None) -> int | None:
    """Bytes from ``22290`` (ep) or ``45.5 Кб`` / ``0 байт`` (fcs print forms: rounded by the portal)."""
    if not text:
        return None
    if text.isdigit() and text.isascii():  # the ep form, what most are: the regular expression gives the same
        return int(text)
    m = _SIZE.match(text)
    if m is None:
        return None
    number = Decimal(m.group(1).replace(",", "."))
    return int(number * _SIZE_FACTOR.get((m.group(2) or "").lower(), 1))


# --- attachments ------------------------------------------------------------------------------------------

_ATT = {
    "content_id": "{p}:publishedContentId",
    "name": "{p}:fileName",
    "size": "{p}:fileSize",
    "description": "{p}:docDescription",
    "date": "{p}:docDate",
    "url": "{p}:url",
    "kind": "{p}:docKindInfo/{b}:code",
    "kind_name": "{p}:docKindInfo/{b}:name",
}
ATT_FCS = Fields(FCS_NS, **{k: v.format(p="t", b="t") for k, v in _ATT.items()})
ATT_EP = Fields(EP_NS, **{k: v.format(p="c", b="b") for k, v in _ATT.items()})
ATT_615 = Fields({"p": PPRF615, "b": BASE}, **{k: v.format(p="p", b="b") for k, v in _ATT.items()})


def attachments(elements: Iterable, F: Fields, kind: str | None = None) -> list[Attachment]:
    read = F.read
    out = []
    for el in elements:
        get = read(el).get
        out.append(
            _new_attachment(
                {
                    "name": clean(get("name")),
                    "url": get("url"),
                    "kind": get("kind") or kind,
                    "kind_name": clean(get("kind_name")),
                    "description": clean(get("description")),
                    "size": file_size(get("size")),
                    "published": when(get("date"), "date"),
                    "content_id": get("content_id"),
                }
            )
        )
    return out


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
_TRUE = frozenset(("true", "1"))


def is_true(text: str | None) -> bool:
    """An xs:boolean that is set: ``true`` or ``1``."""
    return text in _TRUE


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
    ``clean(get(k))`` for ``v.clean(k)``, ``_dec`` for ``v.dec``."""
    v = F.read(el)
    get = v.get
    kind = get("type")
    qty, price, amount = get("qty"), get("price"), get("sum")
    if undefined or get("qty_undefined") in _TRUE:
        # the price per unit; where only a sum is given it is that price ("initial sum of unit prices")
        price, qty, amount = price if price is not None else amount, None, None
        undefined = True
    values = {
        "id": get("sid"),
        "name": clean(get("name")),
        "quantity": None if qty is None else normalize(_dec(qty, "qty")),
        "unit": get("unit") or clean(get("unit_name")) or clean(get("unit_full")),
        "unit_code": get("okei"),
        "unit_price": None if price is None else _dec(price, "price"),
        "amount": None if amount is None else _dec(amount, "sum"),
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


# --- medicines (drugPurchaseObjectsInfo) ------------------------------------------------------------------
#
# A medicine position (drugPurchaseObjectInfo) describes its delivery variants ("drugInfo") in one of five
# shapes: by the reference (ESKLP) or in free text, each either as plain variants or as a group of
# interchangeable medicines whose variants wrap the description in drugInfoUsingReferenceInfo /
# drugInfoUsingTextForm. The position carries the quantity (drugQuantityCustomersInfo/total) and the price per
# unit of the basic variant (pricePerUnit) with the position price (positionPrice); or, when the quantity
# cannot be set, only the price per unit (quantityUndefined/price).

_R, _T = "{p}:objectInfoUsingReferenceInfo/{p}:drugsInfo/", "{p}:objectInfoUsingTextForm/{p}:drugsInfo/"
_DRUG = {
    "sid": "{p}:sid",
    "name": "{p}:name",
    "total_qty": "{p}:drugQuantityCustomersInfo/{p}:total",
    "price": "{p}:pricePerUnit",
    "sum": "{p}:positionPrice",
    "undefined": "{p}:quantityUndefined/{p}:quantityUndefined",
    "undefined_price": "{p}:quantityUndefined/{p}:price",
    "znvlp": "{p}:isZNVLP",
    # the variants: described directly, or wrapped (interchangeable medicines)
    "variants": _R + "{p}:drugInfo",
    "text_variants": _T + "{p}:drugInfo",
    "ref_group": _R + "{p}:drugInterchangeInfo/{p}:drugInterchangeReferenceInfo/{p}:drugInfo",
    "manual_group": _R + "{p}:drugInterchangeInfo/{p}:drugInterchangeManualInfo/{p}:drugInfo",
    "text_group": _T + "{p}:drugInterchangeTextFormInfo/{p}:drugInfo",
}
_DRUG_MANY = ("variants", "text_variants", "ref_group", "manual_group", "text_group")
# one variant (a drugInfo, or the description a group's drugInfo wraps)
_DRUG_INFO = {
    "mnn": "{p}:MNNInfo/{p}:MNNName",
    "mnn_code": "{p}:MNNInfo/{p}:MNNExternalCode",
    "trade": "{p}:tradeInfo/{p}:tradeName",
    "form": "{p}:medicamentalFormInfo/{p}:medicamentalFormName",
    "form_ref": "{p}:medicamentalFormInfo/{p}:medicamentalForm/{b}:name",
    "dosage": "{p}:dosageInfo/{p}:dosageGRLSValue",
    "dosage_unit": "{p}:dosageInfo/{p}:dosageUserName",
    "okei": "{p}:dosageInfo/{p}:dosageUserOKEI/{b}:code",
    "okei_symbol": "{p}:dosageInfo/{p}:dosageUserOKEI/{b}:nationalCode",
    "manual_okei": "{p}:manualUserOKEI/{b}:code",
    "manual_symbol": "{p}:manualUserOKEI/{b}:nationalCode",
    "manual_unit": "{p}:manualUserOKEI/{b}:name",
    "basic": "{p}:basicUnit",
    "drug_qty": "{p}:drugQuantity",
    "okpd2": "{p}:OKPD2/{b}:{code}",
    "okpd2_name": "{p}:OKPD2/{b}:{cname}",
    "ktru": "{p}:KTRU/{b}:code",
    "ktru_name": "{p}:KTRU/{b}:name",
}
# a group's drugInfo: the wrapped description and the variant's quantity beside it
_DRUG_WRAP = {
    "ref": "{p}:drugInfoUsingReferenceInfo",
    "text": "{p}:drugInfoUsingTextForm",
    "drug_qty": "{p}:drugQuantity",
}
_FCS_FMT = {"p": "t", "b": "t", "code": "code", "cname": "name"}
_EP_FMT = {"p": "c", "b": "b", "code": "OKPDCode", "cname": "OKPDName"}


def _fields(ns: dict[str, str], paths: dict[str, str], fmt: dict[str, str], **kw) -> Fields:
    return Fields(ns, **kw, **{k: v.format(**fmt) for k, v in paths.items()})


class DrugFields:
    """The three field sets of one generation: the position, a variant, a group's wrapper."""

    def __init__(self, ns: dict[str, str], fmt: dict[str, str]):
        self.position = _fields(ns, _DRUG, fmt, many=_DRUG_MANY)
        self.info = _fields(ns, _DRUG_INFO, fmt)
        self.wrap = _fields(ns, _DRUG_WRAP, fmt, blocks=("ref", "text"))


DRUG_FCS = DrugFields(FCS_NS, _FCS_FMT)
DRUG_EP = DrugFields(EP_NS, _EP_FMT)
_DRUG_CODES = code_keys(("ktru", "KTRU"), ("okpd2", "OKPD2"))


def _variant(v: Found, F: DrugFields) -> tuple[Found, int]:
    """The basic delivery variant of a medicine position (``basicUnit`` true, else the first), read; and how
    many variants the position lists."""
    plain = v.all("variants") or v.all("text_variants")
    wrapped = () if plain else (v.all("ref_group") or v.all("manual_group") or v.all("text_group"))
    chosen = None
    for el in plain:
        info = F.info.read(el)
        if chosen is None or info.get("basic") in _TRUE:
            chosen = info
            if info.get("basic") in _TRUE:
                break
    for el in wrapped:
        w = F.wrap.read(el)
        inner = w.get("ref")
        info = F.info.read(inner if inner is not None else w.get("text"))
        if info.get("drug_qty") is None and w.get("drug_qty") is not None:
            info["drug_qty"] = w["drug_qty"]
        if chosen is None or info.get("basic") in _TRUE:
            chosen = info
            if info.get("basic") in _TRUE:
                break
    return (chosen if chosen is not None else Found()), len(plain) + len(wrapped)


def drug(
    el, F: DrugFields, *, lot: str | None = None, undefined: bool = False
) -> tuple[Item, dict[str, Any]]:
    """A medicine position as an item of kind "drug" and its details (MNN, form, dosage, trade name, codes of
    the variants) for ``extra``. The name is the position's own (``name``: MNN with the dosage) or else the
    MNN; the quantity is in the basic variant's dosage unit, ``unit_price`` the price per that unit,
    ``amount`` the position price. ``undefined`` (the block's ``quantityUndefined``) or the position's own
    ``quantityUndefined`` block: the price per unit only, no quantity or amount."""
    v = F.position.read(el)
    get = v.get
    info, variants = _variant(v, F)
    iget = info.get
    mnn = clean(iget("mnn"))
    qty, price, amount = get("total_qty") or iget("drug_qty"), get("price"), get("sum")
    if undefined or get("undefined") in _TRUE:
        price, qty, amount = get("undefined_price") or price, None, None
        undefined = True
    values = {
        "id": get("sid"),
        "name": clean(get("name")) or mnn,
        "kind": "drug",
        "lot": lot,
        "quantity": None if qty is None else normalize(_dec(qty, "drugQuantity")),  # values.to_quantity
        "unit": clean(
            iget("dosage_unit") or iget("okei_symbol") or iget("manual_symbol") or iget("manual_unit")
        ),
        "unit_code": iget("okei") or iget("manual_okei"),
        "unit_price": None if price is None else _dec(price, "price"),
        "amount": None if amount is None else _dec(amount, "sum"),
    }
    if undefined:
        values["quantity_undefined"] = True
    found = codes(info, _DRUG_CODES)
    if found:
        values.update(coded(found))
    details = drop_none(
        {
            "mnn": mnn,
            "mnn_code": iget("mnn_code"),
            "trade_name": clean(iget("trade")),
            "form": clean(iget("form") or iget("form_ref")),
            "dosage": clean(iget("dosage")),
            "znvlp": v.flag("znvlp") or None,
            "variants": variants if variants > 1 else None,
        }
    )
    return _new_item(values), details


# --- delivery places --------------------------------------------------------------------------------------

PLACE_FCS = Fields(
    FCS_NS,
    kladr="t:kladr/t:kladrCode",
    kladr_name="t:kladr/t:fullName",
    place="t:deliveryPlace",
    gar="t:GARInfo/t:GARGuid",
    gar_address="t:GARInfo/t:GARAddress",
    country="t:countryInfo/t:countryCode",
)
PLACE_EP = Fields(
    EP_NS,
    kladr="ep:kladr/ep:kladrCode",
    kladr_name="ep:kladr/ep:fullName",
    place="ep:deliveryPlace",
    gar="c:GARInfo/c:GARGuid",
    gar_address="c:GARInfo/c:GARAddress",
    country="c:countryInfo/b:countryCode",
)
PLACE_EP_C = Fields(
    EP_NS,
    kladr="c:kladr/c:kladrCode",
    kladr_name="c:kladr/c:fullName",
    place="c:deliveryPlace",
    gar="c:GARInfo/c:GARGuid",
    gar_address="c:GARInfo/c:GARAddress",
    country="c:countryInfo/b:countryCode",
)


def place(el, F: Fields, *, lot: str | None = None) -> Place | None:
    """A delivery place: the region/address of the KLADR or GAR record, then the free text."""
    get = F.read(el).get
    text = clean(get("place"))
    area = clean(get("gar_address") or get("kladr_name"))  # norm_space of a stripped text
    if area and (not text or area.lower() not in text.lower()):
        text = f"{area}, {text}" if text else area
    if not text:
        return None
    return _new_place(
        {
            "text": text,
            "kladr": get("kladr"),
            "gar_guid": get("gar"),
            "lot": lot,
            "country": country_code(get("country")),
        }
    )


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
