"""Suppliers and participants of 44-FZ documents, in every shape the portal's schemas give them.

A party is a Russian legal entity, a sole trader (индивидуальный предприниматель), a natural person,
or a foreign legal entity or person; each shape is read into ``Organization`` with ``entity`` ("legal_entity",
"sole_trader", "individual", "foreign"), the INN (10 digits for organisations, 12 for persons), a person's
full name from the last, first and middle names, and the country (ISO alpha-2 from the OKSM code).

* **contracts** (``oos/types/1``): ``suppliers/supplier`` of 2015-2021 (one child per shape:
  ``legalEntityRF``, ``individualPersonRF`` with ``isIP``, ``legalEntityForeignState``,
  ``individualPersonForeignState``, the ``...isCulture`` suppliers of cultural goods, or
  ``notPublishedOnEIS`` when the supplier is withheld under art. 103 part 5 of 44-FZ); ``suppliersInfo/
  supplierInfo`` of 2022+ (``legalEntityRF/EGRULInfo``, ``individualPersonRFIndEntr/EGRIPInfo`` for sole
  traders, the contacts in ``otherInfo``); and the flat supplier of the 94-FZ era and early 44-FZ exports
  (``participantType`` U/UF/P/PF/B/BF, ``inn``, ``organizationName``, ``country``, ``idNumber``);
* **protocols**: ``appParticipantInfo`` of 2020+ (``oos/common/1`` participantType: ``legalEntityRFInfo``,
  ``individualPersonRFInfo`` with ``isIP``, ``legalEntityForeignStateInfo``,
  ``individualPersonForeignStateInfo``), of capital repairs (``oos/pprf615types/1``: ``legalEntityRFInfo``,
  ``individualPersonInfo``, ``legalEntityForeignStateInfo``) and the flat ``appParticipant`` of fcs
  protocols before 2020 (same fields as the flat supplier).

A foreign party registered with Russian tax authorities keeps its Russian INN in ``inn``; otherwise ``inn``
holds its tax payer code in the country of registration (``taxPayerCode``, ``idNumber``) and ``id_scheme``
says so: ``"<country>-TIN"`` (``"TIN"`` when the country is not given).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ...models import Organization
from .common import BASE, COMMON, FCS_NS, PPRF615, Fields, Found, clean, country_code, person_name

LEGAL, SOLE, PERSON, FOREIGN = "legal_entity", "sole_trader", "individual", "foreign"

_new_organization = Organization.__pydantic_validator__.validate_python


class _Shapes:
    """The named paths of several party shapes in one block, read in one pass. ``shapes`` maps a shape to
    its element and the entity it is; ``spec`` maps a field to the paths (relative to the shape's element)
    that may hold it, the first found wins."""

    def __init__(self, nsmap: dict[str, str], shapes: dict[str, tuple[str, str]],
                 spec: dict[str, tuple[str, ...]], **extra: str):
        paths: dict[str, str] = dict(extra)
        self.shapes = {shape: entity for shape, (_, entity) in shapes.items()}
        self.keys: dict[str, dict[str, tuple[str, ...]]] = {}
        for shape, (block, _) in shapes.items():
            paths[f"@{shape}"] = block  # the shape's element itself: tells which shape the block has
            own: dict[str, tuple[str, ...]] = {}
            for name, rels in spec.items():
                keys = tuple(f"{shape}.{name}.{i}" for i in range(len(rels)))
                paths.update(zip(keys, (f"{block}/{rel}" for rel in rels)))
                own[name] = keys
            self.keys[shape] = own
        self.F = Fields(nsmap, blocks=[f"@{shape}" for shape in shapes], **paths)

    def read(self, el) -> Found:
        return self.F.read(el)

    def get(self, v: Found, shape: str, name: str) -> str | None:
        for key in self.keys[shape].get(name, ()):
            t = v.get(key)
            if t is not None:
                return t
        return None


def _foreign_id(inn: str | None, code: str | None, country: str | None) -> tuple[str | None, str | None]:
    """(inn, id_scheme): the Russian INN where the party has one, else its own country's tax code."""
    if inn:
        return inn, None
    if code:
        return code, f"{country}-TIN" if country else "TIN"
    return None, None


def _build(**values: Any) -> Organization:
    return _new_organization({k: v for k, v in values.items() if v is not None})


# --- contracts: suppliers/supplier (2015-2021) and suppliersInfo/supplierInfo (2022+) ---------------------

_PERSON = {
    "last": ("t:lastName", "t:EGRIPInfo/t:lastName"),
    "first": ("t:firstName", "t:EGRIPInfo/t:firstName"),
    "middle": ("t:middleName", "t:EGRIPInfo/t:middleName"),
}
_CONTACTS = {
    "email": ("t:contactEMail", "t:otherInfo/t:contactEMail", "t:placeOfStayInRegCountry/t:contactEMail",
              "t:placeOfStayInRegCountryInfo/t:contactEMail"),
    "phone": ("t:contactPhone", "t:otherInfo/t:contactPhone", "t:placeOfStayInRegCountry/t:contactPhone",
              "t:placeOfStayInRegCountryInfo/t:contactPhone"),
}
_SUPPLIER_SPEC = {
    "name": ("t:fullName", "t:EGRULInfo/t:fullName"),
    "short": ("t:shortName", "t:EGRULInfo/t:shortName"),
    "lat": ("t:fullNameLat",),
    "inn": ("t:INN", "t:EGRULInfo/t:INN", "t:EGRIPInfo/t:INN", "t:registerInRFTaxBodies/t:INN",
            "t:registerInRFTaxBodiesInfo/t:INN"),
    "kpp": ("t:KPP", "t:EGRULInfo/t:KPP", "t:registerInRFTaxBodies/t:KPP",
            "t:registerInRFTaxBodiesInfo/t:KPP"),
    "ogrn": ("t:OGRN", "t:EGRULInfo/t:OGRN", "t:EGRIPInfo/t:OGRNIP", "t:OGRNIP"),
    "code": ("t:taxPayerCode",),
    "is_ip": ("t:isIP", "t:otherInfo/t:isIP", "t:registerInRFTaxBodies/t:isIP"),
    "country": ("t:placeOfStayInRegCountry/t:country/t:countryCode",
                "t:placeOfStayInRegCountryInfo/t:country/t:countryCode"),
    "address": ("t:address", "t:EGRULInfo/t:address", "t:EGRIPInfo/t:address",
                "t:placeOfStayInRegCountry/t:address", "t:placeOfStayInRegCountryInfo/t:address",
                "t:placeOfStayInRF/t:address"),
    "post": ("t:postAddress", "t:postAdressInfo/t:mailingAdress", "t:postAddressInfo/t:mailingAdress",
             "t:otherInfo/t:postAdressInfo/t:mailingAdress", "t:otherInfo/t:postAddressInfo/t:mailingAdress",
             "t:placeOfStayInRegCountry/t:postAddress"),
    **_PERSON,
    "last_lat": ("t:lastNameLat",),
    "first_lat": ("t:firstNameLat",),
    "middle_lat": ("t:middleNameLat",),
    **_CONTACTS,
}
# shape -> (element, entity); an individualPersonRF with isIP true is a sole trader
_SUPPLIER_SHAPES = {
    "le": ("t:legalEntityRF", LEGAL),
    "ipe": ("t:individualPersonRFIndEntr", SOLE),
    "ipec": ("t:individualPersonRFIndEntrisCulture", SOLE),
    "ip": ("t:individualPersonRF", PERSON),
    "ipc": ("t:individualPersonRFisCulture", PERSON),
    "lef": ("t:legalEntityForeignState", FOREIGN),
    "ipf": ("t:individualPersonForeignState", FOREIGN),
    "ipfc": ("t:individualPersonForeignStateisCulture", FOREIGN),
}
# the flat supplier (94-FZ era, early fcs exports) and the fcs protocols' appParticipant before 2020
_FLAT = {
    "f.type": "t:participantType",
    "f.inn": "t:inn",
    "f.kpp": "t:kpp",
    "f.name": "t:organizationName",
    "f.firm": "t:firmName",
    "f.id": "t:idNumber",
    "f.country": "t:country/t:countryCode",
    "f.address": "t:factualAddress",
    "f.post": "t:postAddress",
    "f.email": "t:contactEMail",
    "f.phone": "t:contactPhone",
    "f.last": "t:lastName",
    "f.first": "t:firstName",
    "f.middle": "t:middleName",
}
SUPPLIER = _Shapes(FCS_NS, _SUPPLIER_SHAPES, _SUPPLIER_SPEC, hidden="t:notPublishedOnEIS", **_FLAT)
_FLAT_ONLY = Fields(FCS_NS, **_FLAT)
# participantType: U legal entity, P natural person, B sole trader; F: of a foreign state
_FLAT_ENTITY = {"U": LEGAL, "P": PERSON, "B": SOLE, "UF": FOREIGN, "PF": FOREIGN, "BF": FOREIGN}


@dataclass
class Suppliers:
    """A contract's suppliers, and how many the document withholds (``notPublishedOnEIS``)."""

    found: list[Organization] = field(default_factory=list)
    withheld: int = 0


def suppliers(els: list, role: str = "supplier") -> Suppliers:
    out = Suppliers()
    for el in els:
        v = SUPPLIER.read(el)
        org = _shaped(v, SUPPLIER, role) or _flat(v, role)
        if org is not None:
            out.found.append(org)
        elif v.get("hidden") == "true":
            out.withheld += 1
    return out


def _shaped(v: Found, S: _Shapes, role: str) -> Organization | None:
    for shape, entity in S.shapes.items():
        if v.get(f"@{shape}") is None:
            continue
        get = partial(S.get, v, shape)
        person = person_name(get("last"), get("first"), get("middle"))
        name = clean(get("name")) or person or clean(get("lat")) or person_name(
            get("last_lat"), get("first_lat"), get("middle_lat"))
        inn, code = get("inn"), get("code")
        if not (name or inn or code):
            continue
        if entity == PERSON and get("is_ip") == "true":
            entity = SOLE
        country = "RU" if entity != FOREIGN else country_code(get("country"))
        inn, scheme = _foreign_id(inn, code, country) if entity == FOREIGN else (inn, None)
        return _build(
            name=name,
            short_name=clean(get("short")),
            inn=inn,
            id_scheme=scheme,
            kpp=get("kpp"),
            ogrn=get("ogrn"),
            role=role,
            entity=entity,
            country=country,
            address=clean(get("address") or get("post")),
            email=get("email"),
            phone=get("phone"),
        )
    return None


def _flat(v: Found, role: str) -> Organization | None:
    get = v.get
    name = clean(get("f.name")) or clean(get("f.firm")) or person_name(
        get("f.last"), get("f.first"), get("f.middle"))
    inn, ptype = get("f.inn"), get("f.type")
    if not (name or inn or get("f.id")):
        return None
    entity = _FLAT_ENTITY.get(ptype or "")
    if entity is None and inn and len(inn) == 10:
        entity = LEGAL  # a 10-digit INN is only ever given to an organisation
    country = country_code(get("f.country")) or ("RU" if entity in (LEGAL, SOLE, PERSON) else None)
    scheme = None
    if entity == FOREIGN:
        inn, scheme = _foreign_id(inn, get("f.id"), country)
    return _build(
        name=name,
        inn=inn,
        id_scheme=scheme,
        kpp=get("f.kpp"),
        role=role,
        entity=entity,
        country=country,
        address=clean(get("f.address") or get("f.post")),
        email=get("f.email"),
        phone=get("f.phone"),
    )


def flat_participant(el, role: str = "participant") -> Organization | None:
    """An fcs protocol's ``appParticipant`` (before 2020): the flat shape."""
    return None if el is None else _flat(_FLAT_ONLY.read(el), role)


# --- protocols: appParticipantInfo (common/1 from 2020; pprf615types/1) ----------------------------------

_PARTY_SPEC_C = {
    "name": ("c:fullName",),
    "short": ("c:shortName",),
    "lat": ("c:fullNameLat",),
    "inn": ("c:INN", "c:registerInRFTaxBodiesInfo/c:INN"),
    "kpp": ("c:KPP", "c:registerInRFTaxBodiesInfo/c:KPP"),
    "ogrn": ("c:ogrn",),
    "code": ("c:taxPayerCode",),
    "is_ip": ("c:isIP",),
    "country": ("c:placeOfStayInRegCountryInfo/c:country/b:countryCode",),
    "address": (
        "c:contactInfo/c:orgFactAddress",
        "c:factAddress",
        "c:placeOfStayInRegCountryInfo/c:orgFactAddress",
        "c:placeOfStayInRegCountryInfo/c:factAddress",
        "c:contactInfo/c:orgPostAddress",
        "c:postAddress",
        "c:placeOfStayInRegCountryInfo/c:orgPostAddress",
        "c:placeOfStayInRegCountryInfo/c:postAddress",
    ),
    "last": ("c:nameInfo/c:lastName",),
    "first": ("c:nameInfo/c:firstName",),
    "middle": ("c:nameInfo/c:middleName",),
    "last_lat": ("c:nameLatInfo/c:lastName",),
    "first_lat": ("c:nameLatInfo/c:firstName",),
    "middle_lat": ("c:nameLatInfo/c:middleName",),
    "email": ("c:contactInfo/c:contactEMail", "c:contactEMail",
              "c:placeOfStayInRegCountryInfo/c:contactEMail"),
    "phone": ("c:contactInfo/c:contactPhone", "c:contactPhone",
              "c:placeOfStayInRegCountryInfo/c:contactPhone"),
}
_PARTY_SHAPES_C = {
    "le": ("c:legalEntityRFInfo", LEGAL),
    "ip": ("c:individualPersonRFInfo", PERSON),
    "lef": ("c:legalEntityForeignStateInfo", FOREIGN),
    "ipf": ("c:individualPersonForeignStateInfo", FOREIGN),
}
PARTY_C = _Shapes({"c": COMMON, "b": BASE}, _PARTY_SHAPES_C, _PARTY_SPEC_C)

_PARTY_SPEC_615 = {
    "name": ("p:fullName",),
    "lat": ("p:fullNameLat",),
    "inn": ("p:INN",),
    "kpp": ("p:KPP",),
    "ogrn": ("p:OGRN",),
    "code": ("p:taxPayerCode",),
    "country": ("p:countryInfo/b:countryCode",),
    "address": ("p:orgFactAddress", "p:factAddress", "p:address", "p:postAddress"),
    "last": ("p:nameInfo/p:lastName", "p:lastName"),
    "first": ("p:nameInfo/p:firstName", "p:firstName"),
    "middle": ("p:nameInfo/p:middleName", "p:middleName"),
    "email": ("p:eMail",),
    "phone": ("p:phone",),
}
# capital repairs: the schema's natural person is individualPersonInfo (individualPersonRFInfo in older ones)
_PARTY_SHAPES_615 = {
    "le": ("p:legalEntityRFInfo", LEGAL),
    "ip": ("p:individualPersonInfo", PERSON),
    "ipr": ("p:individualPersonRFInfo", PERSON),
    "lef": ("p:legalEntityForeignStateInfo", FOREIGN),
}
PARTY_615 = _Shapes({"p": PPRF615, "b": BASE}, _PARTY_SHAPES_615, _PARTY_SPEC_615)


def participant(el, S: _Shapes, role: str = "participant") -> Organization | None:
    """An ``appParticipantInfo`` block read with one generation's shapes (``PARTY_C`` or ``PARTY_615``)."""
    if el is None:
        return None
    return _shaped(S.read(el), S, role)
