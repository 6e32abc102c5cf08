"""The blocks every 44-FZ document type reuses: attachments and delivery places (KLADR / GAR), for both
format generations. Purchase objects are in :mod:`.objects`, medicines in :mod:`.drugs`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from ...models import Attachment, Place
from .common import BASE, EP_NS, FCS_NS, PPRF615, Fields, clean, country_code, when

# the hot blocks validate their dict of values directly, as the builders do, without the builders' frame
_new_attachment = Attachment.__pydantic_validator__.validate_python
_new_place = Place.__pydantic_validator__.validate_python

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
