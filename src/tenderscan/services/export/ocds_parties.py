"""Organisations as OCDS parties: ids, identifiers, roles.

A party's ``id`` is ``{scheme}-{identifier}``: ``RU-INN-7714338609`` for a Russian INN (10 digits for an
organisation, 12 for a sole trader or an individual), the organisation's own ``id_scheme`` otherwise
(``UA-EDR-...``). An organisation without an INN gets ``RU-EIS-{regNum}`` (its number in the portal's register
of organisations, when an INN for that number is known from another document of the export, the INN is
used), else ``name-{digest of its name}``. Branches share their organisation's INN, so they are one party
(the KPP stays in ``additionalIdentifiers``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ...models import Organization
from ...values import norm_space

RU_INN = "RU-INN"


@dataclass
class Registry:
    """What the export knows about organisations across its documents: INNs by register number."""

    inn_by_reg: dict[str, str] = field(default_factory=dict)

    def learn(self, org: Organization | None) -> None:
        if org is not None and org.inn and org.reg_num:
            self.inn_by_reg.setdefault(org.reg_num, org.inn)

    def inn(self, org: Organization) -> str | None:
        return org.inn or (self.inn_by_reg.get(org.reg_num) if org.reg_num else None)

    def party_id(self, org: Organization | None) -> str | None:
        if org is None:
            return None
        inn = self.inn(org)
        if inn:
            return f"{org.id_scheme or RU_INN}-{inn}"
        if org.reg_num:
            return f"RU-EIS-{org.reg_num}"
        if org.name:
            digest = hashlib.sha256(norm_space(org.name).casefold().encode("utf-8")).hexdigest()[:16]
            return f"name-{digest}"
        return None

    def party(self, org: Organization, roles: list[str]) -> dict:
        pid = self.party_id(org)
        out: dict = {"id": pid}
        if org.name:
            out["name"] = org.name
        inn = self.inn(org)
        if inn:
            ident = {"scheme": org.id_scheme or RU_INN, "id": inn}
            if org.name:
                ident["legalName"] = org.name
            out["identifier"] = ident
        more = [{"scheme": s, "id": v} for s, v in (("RU-KPP", org.kpp), ("RU-OGRN", org.ogrn),
                                                      ("RU-EIS", org.reg_num)) if v]
        if more:
            out["additionalIdentifiers"] = more
        address = {k: v for k, v in (("streetAddress", org.address), ("region", org.region),
                                     ("countryCode", org.country)) if v}
        if address:
            out["address"] = address
        contact = {k: v for k, v in (("name", org.contact), ("email", org.email), ("telephone", org.phone)) if v}
        if contact:
            out["contactPoint"] = contact
        if org.entity or org.short_name:
            out["details"] = {k: v for k, v in (("entityType", org.entity), ("shortName", org.short_name)) if v}
        out["roles"] = sorted(set(roles))
        return out

    def ref(self, org: Organization) -> dict:
        out = {"id": self.party_id(org)}
        if org.name:
            out["name"] = org.name
        return out
