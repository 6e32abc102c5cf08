"""44-FZ medicines (``drugPurchaseObjectsInfo``) as items, for both format generations."""

from __future__ import annotations

from typing import Any

from ...models import Item
from ...values import to_decimal, to_quantity
from .common import EP_NS, FCS_NS, Fields, Found, clean, drop_none, is_true
from .objects import code_keys, codes, coded

_new_item = Item.__pydantic_validator__.validate_python  # a dict validated directly, without a frame


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
        if chosen is None or is_true(info.get("basic")):
            chosen = info
            if is_true(info.get("basic")):
                break
    for el in wrapped:
        w = F.wrap.read(el)
        inner = w.get("ref")
        info = F.info.read(inner if inner is not None else w.get("text"))
        if info.get("drug_qty") is None and w.get("drug_qty") is not None:
            info["drug_qty"] = w["drug_qty"]
        if chosen is None or is_true(info.get("basic")):
            chosen = info
            if is_true(info.get("basic")):
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
    if undefined or is_true(get("undefined")):
        price, qty, amount = get("undefined_price") or price, None, None
        undefined = True
    values = {
        "id": get("sid"),
        "name": clean(get("name")) or mnn,
        "kind": "drug",
        "lot": lot,
        "quantity": to_quantity(qty, field="drugQuantity"),
        "unit": clean(
            iget("dosage_unit") or iget("okei_symbol") or iget("manual_symbol") or iget("manual_unit")
        ),
        "unit_code": iget("okei") or iget("manual_okei"),
        "unit_price": to_decimal(price, field="price"),
        "amount": to_decimal(amount, field="sum"),
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
