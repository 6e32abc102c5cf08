"""The blocks every 44-FZ document type reuses: attachments, purchase objects (items with their codes),
medicines (``drugPurchaseObjectsInfo``) and delivery places (KLADR / GAR), for both format generations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..models import Attachment, Classification, Item, Place, builder
from ..values import norm_space, to_quantity
from ._zakupki44 import BASE, EP_NS, FCS_NS, PPRF615, Fields, Found, country_code, drop_none

_Attachment = builder(Attachment)
_Classification = builder(Classification)
_Item = builder(Item)
_Place = builder(Place)

_ITEM_KINDS = {"PRODUCT": "product", "SERVICE": "service", "WORK": "work"}

_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(байт|б|кб|мб|гб|b|kb|mb|gb)?\s*$", re.IGNORECASE)
_SIZE_FACTOR = {"кб": 1024, "kb": 1024, "мб": 1024**2, "mb": 1024**2, "гб": 1024**3, "gb": 1024**3}


def file_size(text: str | None) -> int | None:
    """Bytes from ``22290`` (ep) or ``45.5 Кб`` / ``0 байт`` (fcs print forms: rounded by the portal)."""
    if not text:
        return None
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
    out = []
    for el in elements:
        v = F.read(el)
        out.append(
            _Attachment(
                name=v.clean("name"),
                url=v.text("url"),
                kind=v.text("kind") or kind,
                kind_name=v.clean("kind_name"),
                description=v.clean("description"),
                size=file_size(v.text("size")),
                published=v.when("date"),
                content_id=v.text("content_id"),
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
    "qty_plain": "{p}:quantity",
    "sum": "{p}:sum",
}
# notice purchaseObject and contract product: fcs (types/1); ep (common/1 with base/1 codes)
ITEM_FCS = Fields(FCS_NS, **{k: v.format(p="t", b="t", code="code", cname="name") for k, v in _ITEM.items()})
ITEM_EP = Fields(
    EP_NS, **{k: v.format(p="c", b="b", code="OKPDCode", cname="OKPDName") for k, v in _ITEM.items()}
)
_CODES = (("ktru", "KTRU"), ("okpd2", "OKPD2"), ("ktru_okpd2", "OKPD2"), ("okpd", "OKPD"))


def codes(v: Found, keys: Iterable[tuple[str, str]] = _CODES) -> list[tuple[str, str, str | None]]:
    """(scheme, code, name) of an item, most specific first (KTRU, then OKPD2, then OKPD), without repeats."""
    out: list[tuple[str, str, str | None]] = []
    for key, scheme in keys:
        code = v.get(key)
        if code and (not out or all(c[1] != code for c in out)):
            out.append((scheme, code, v.clean(key + "_name")))
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
        "classifications": [_Classification(scheme=s, code=c, name=n) for s, c, n in found[1:]],
    }


# models from dicts of values, validated as Model(**values) does, without BaseModel.__init__'s Python frame
_new_item = Item.__pydantic_validator__.validate_python


def item(el, F: Fields, *, lot: str | None = None, plain_quantity: bool = False) -> Item:
    """A purchase object / contract product: the main code, the others as extra classifications."""
    v = F.read(el)
    get = v.get
    kind = get("type")
    values = {
        "id": get("sid"),
        "name": v.clean("name"),
        "quantity": v.qty("qty_plain" if plain_quantity else "qty"),
        "unit": get("unit") or v.clean("unit_name") or v.clean("unit_full"),
        "unit_code": get("okei"),
        "unit_price": v.dec("price"),
        "amount": v.dec("sum"),
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


def drug(el, F: Fields, *, lot: str | None = None) -> tuple[Item, dict[str, Any]]:
    """A medicine position as an item of kind "drug" (MNN name, quantity, price per unit, position price),
    and its details (form, dosage, MNN code) for ``extra``. The drug described by the reference (ESKLP)
    comes first; a drug described in free text otherwise."""
    v = F.read(el)
    p = "" if v.text("mnn") or not v.text("text_mnn") else "text_"
    mnn = v.clean(p + "mnn")
    unit = v.text(p + "dosage_unit") or v.text(p + "okei_symbol") or v.text(p + "manual_unit")
    it = _Item(
        id=v.text("sid"),
        name=mnn,
        kind="drug",
        lot=lot,
        quantity=to_quantity(v.text("total_qty") or v.text(p + "drug_qty"), field="drugQuantity"),
        unit=norm_space(unit),
        unit_code=v.text(p + "okei") or v.text(p + "manual_okei"),
        **coded(codes(v, ((p + "ktru", "KTRU"), (p + "okpd2", "OKPD2")))),
        unit_price=v.dec("price"),
        amount=v.dec("sum"),
    )
    details = drop_none(
        {
            "mnn": mnn,
            "mnn_code": v.text(p + "mnn_code"),
            "form": v.clean(p + "form"),
            "dosage": v.clean(p + "dosage"),
            "znvlp": v.flag("znvlp") or None,
        }
    )
    return it, details


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
    v = F.read(el)
    text = v.clean("place")
    area = norm_space(v.text("gar_address") or v.text("kladr_name"))
    if area and (not text or area.lower() not in text.lower()):
        text = f"{area}, {text}" if text else area
    if not text:
        return None
    return _Place(
        text=text,
        kladr=v.text("kladr"),
        gar_guid=v.text("gar"),
        lot=lot,
        country=country_code(v.text("country")),
    )
