"""`--redact-contacts`: documents without the people in them.

Portals publish the contact person of a customer or a supplier (name, e-mail, phone). tenderscan stores what
was published; a display or an export meant for others can leave the people out. Organisations themselves
(names, INNs, addresses) are public procurement data and stay.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from ..models import Organization, Tender

# keys of format-specific values (``Tender.extra``) that hold contact data
CONTACT_KEY = re.compile(r"contact|e_?mail|phone|fax|person|fio", re.IGNORECASE)


def organizations(t: Tender) -> Iterator[Organization]:
    for org in (t.customer, t.responsible, *t.suppliers, *(a.participant for a in t.applications)):
        if org is not None:
            yield org


def redact_contacts(t: Tender) -> Tender:
    """Drop contact persons' names, e-mails and phones from ``t`` (in place; returns it)."""
    for org in organizations(t):
        org.contact = org.email = org.phone = None
    t.extra = _scrub(t.extra)
    return t


def redacted(tenders: Iterable[Tender]) -> Iterator[Tender]:
    for t in tenders:
        yield redact_contacts(t)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if not CONTACT_KEY.search(str(k))}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value
