"""The organisations of an OCDS-shaped document: parties and their references (OCDS 1.1 ``{id, name}``
against ``parties``; 1.0 inline objects), identifiers, addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...models import Organization, builder
from .values import text

_Organization = builder(Organization)
_RFC = re.compile(r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$")  # Mexico's tax id (RFC)


def address_text(addr: Any) -> str | None:
    if not isinstance(addr, dict):
        return None
    parts = [text(addr.get(k)) for k in ("streetAddress", "locality", "region", "postalCode", "countryName")]
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return ", ".join(seen) or None


def country_code(addr: Any) -> str | None:
    if not isinstance(addr, dict):
        return None
    for key in ("countryCode", "countryName"):
        v = text(addr.get(key))
        if v and len(v) == 2 and v.isalpha():
            return v.upper()
    return None


def id_scheme(ident: dict, addr: Any) -> str | None:
    scheme = text(ident.get("scheme"))
    if scheme:
        return scheme
    ident_id = text(ident.get("id"))
    if not ident_id:
        return None
    if _RFC.match(ident_id.upper()) and (country_code(addr) in (None, "MX")):
        return "MX-RFC"
    return "unknown"


def organization(party: Any, role: str | None = None) -> Organization | None:
    if not isinstance(party, dict):
        return None
    ident = party.get("identifier") if isinstance(party.get("identifier"), dict) else {}
    addr = party.get("address")
    cp = party.get("contactPoint") if isinstance(party.get("contactPoint"), dict) else {}
    name = text(party.get("name")) or text(ident.get("legalName"))
    inn = text(ident.get("id"))
    if not (name or inn):
        return None
    return _Organization(
        name=name,
        inn=inn,
        id_scheme=id_scheme(ident, addr) if inn else None,
        role=role,
        address=address_text(addr),
        region=text(addr.get("region")) if isinstance(addr, dict) else None,
        country=country_code(addr),
        email=text(cp.get("email")),
        phone=text(cp.get("telephone")),
        contact=text(cp.get("name")),
    )


class Parties:
    """Resolve OCDS 1.1 organization references ({id, name}) against `parties`; 1.0 inline objects pass."""

    def __init__(self, release: dict):
        self.by_id: dict[str, dict] = {}
        self.list = [p for p in release.get("parties") or [] if isinstance(p, dict)]
        for p in self.list:
            if p.get("id") is not None:
                self.by_id[str(p["id"])] = p

    def resolve(self, ref: Any) -> dict | None:
        if not isinstance(ref, dict):
            return None
        full = self.by_id.get(str(ref.get("id"))) if ref.get("id") is not None else None
        if full is None:
            return ref
        merged = dict(full)
        if ref.get("name") and not full.get("name"):
            merged["name"] = ref["name"]
        return merged

    def with_role(self, role: str) -> dict | None:
        for p in self.list:
            if role in (p.get("roles") or []):
                return p
        return None

    def org(self, ref: Any, role: str | None = None) -> Organization | None:
        return organization(self.resolve(ref), role)


def unique_orgs(orgs: Iterable[Organization | None]) -> list[Organization]:
    out: list[Organization] = []
    keys: set[tuple] = set()
    for o in orgs:
        if o is None:
            continue
        key = (o.inn, o.name) if o.inn is None else (o.inn, None)
        if key in keys:
            continue
        keys.add(key)
        out.append(o)
    return out


# --- a compiled release as a Tender ---------------------------------------------------------------------


def supplier_refs(contracts: list[dict], awards: list[dict]) -> list[Any]:
    """The suppliers of the contracts, else those of the awards."""
    return ([s for c in contracts for s in c.get("suppliers") or []]
            or [s for a in awards for s in a.get("suppliers") or []])
