"""The blocks every 44-FZ document type reuses: attachments, purchase objects (items with their codes),
medicines (``drugPurchaseObjectsInfo``) and delivery places (KLADR / GAR), for both format generations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..models import Attachment, Classification, Item, Place, builder
from ..values import normalize
from ._zakupki44 import (
    BASE,
    EP_NS,
    FCS_NS,
    PPRF615,
    Fields,
    Found,
    _dec,
    clean,
    country_code,
    drop_none,
    when,
)

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
    "sum": "{p}:sum",
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


def item(el, F: Fields, *, lot: str | None = None) -> Item:
    """A purchase object / contract product: the main code, the others as extra classifications.

    The hottest reader of all (a contract lists dozens of products), so ``Found``'s accessors are inlined:
    ``clean(get(k))`` for ``v.clean(k)``, ``_dec`` for ``v.dec``."""
    v = F.read(el)
    get = v.get
    kind = get("type")
    qty, price, amount = get("qty"), get("price"), get("sum")
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
    found = codes(v)
    if found:
        values.update(coded(found))
    return _new_item(values)


# --- medicines (drugPurchaseObjectsInfo) ------------------------------------------------------------------

_INFO = (
    "{p}:objectInfoUsingReferenceInfo/{p}:drugsInfo/{p}:drugInfo/",
    "{p}:objectInfoUsingTextForm/{p}:drugsInfo/{p}:drugInfo/",
)
_DRUG_INFO = {
    "mnn": "{p}:MNNInfo/{p}:MNNName",
    "mnn_code": "{p}:MNNInfo/{p}:MNNExternalCode",
    "form": "{p}:medicamentalFormInfo/{p}:medicamentalFormName",
    "dosage": "{p}:dosageInfo/{p}:dosageGRLSValue",
    "dosage_unit": "{p}:dosageInfo/{p}:dosageUserName",
    "okei": "{p}:dosageInfo/{p}:dosageUserOKEI/{b}:code",
    "okei_symbol": "{p}:dosageInfo/{p}:dosageUserOKEI/{b}:nationalCode",
    "manual_okei": "{p}:manualUserOKEI/{b}:code",
    "manual_unit": "{p}:manualUserOKEI/{b}:name",
    "drug_qty": "{p}:drugQuantity",
    "okpd2": "{p}:OKPD2/{b}:{code}",
    "okpd2_name": "{p}:OKPD2/{b}:{cname}",
    "ktru": "{p}:KTRU/{b}:code",
    "ktru_name": "{p}:KTRU/{b}:name",
}
_DRUG = dict(
    sid="{p}:sid",
    total_qty="{p}:drugQuantityCustomersInfo/{p}:total",
    price="{p}:pricePerUnit",
    sum="{p}:positionPrice",
    znvlp="{p}:isZNVLP",
    **{k: _INFO[0] + v for k, v in _DRUG_INFO.items()},
    **{"text_" + k: _INFO[1] + v for k, v in _DRUG_INFO.items()},
)
DRUG_FCS = Fields(FCS_NS, **{k: v.format(p="t", b="t", code="code", cname="name") for k, v in _DRUG.items()})
DRUG_EP = Fields(
    EP_NS, **{k: v.format(p="c", b="b", code="OKPDCode", cname="OKPDName") for k, v in _DRUG.items()}
)


_DRUG_CODES = {p: code_keys((p + "ktru", "KTRU"), (p + "okpd2", "OKPD2")) for p in ("", "text_")}


def drug(el, F: Fields, *, lot: str | None = None) -> tuple[Item, dict[str, Any]]:
    """A medicine position as an item of kind "drug" (MNN name, quantity, price per unit, position price),
    and its details (form, dosage, MNN code) for ``extra``. The drug described by the reference (ESKLP)
    comes first; a drug described in free text otherwise. (``Found``'s accessors inlined, as in item().)"""
    v = F.read(el)
    get = v.get
    p = "" if get("mnn") or not get("text_mnn") else "text_"
    mnn = clean(get(p + "mnn"))
    qty, price, amount = get("total_qty") or get(p + "drug_qty"), get("price"), get("sum")
    values = {
        "id": get("sid"),
        "name": mnn,
        "kind": "drug",
        "lot": lot,
        "quantity": None if qty is None else normalize(_dec(qty, "drugQuantity")),  # values.to_quantity
        "unit": clean(get(p + "dosage_unit") or get(p + "okei_symbol") or get(p + "manual_unit")),
        "unit_code": get(p + "okei") or get(p + "manual_okei"),
        "unit_price": None if price is None else _dec(price, "price"),
        "amount": None if amount is None else _dec(amount, "sum"),
    }
    found = codes(v, _DRUG_CODES[p])
    if found:
        values.update(coded(found))
    details = drop_none(
        {
            "mnn": mnn,
            "mnn_code": get(p + "mnn_code"),
            "form": clean(get(p + "form")),
            "dosage": clean(get(p + "dosage")),
            "znvlp": v.flag("znvlp") or None,
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
