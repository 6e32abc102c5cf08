"""One vocabulary for the roles of organisations, whatever the format.

A document names the same roles in its own words: 44-FZ its responsible organisation's role by a code
(``CU``, ``OCU``, ``RA``, ``AI``, ``RO``...), 223-FZ a ``placer``, OCDS ``buyer`` and ``procuringEntity``,
eForms a ``service-provider``. After parsing, every organisation gets the role of its place in the model
(:data:`ROLES`) in ``Organization.role``; the source's own code, where it has one, stays in
``Organization.role_code`` (and, for the responsible organisation, in ``Tender.responsible_role``).
:data:`CODES` says what each known code means.

:func:`apply` is called once per document where documents are read (see :mod:`tenderscan.documents.enrich`).
"""

from __future__ import annotations

from ..models import Organization, Tender

CUSTOMER = "customer"
RESPONSIBLE = "responsible"
SUPPLIER = "supplier"
PARTICIPANT = "participant"

ROLES: dict[str, str] = {
    CUSTOMER: "the organisation whose needs the purchase serves and who pays (44-FZ and 223-FZ customer, "
              "OCDS and TED buyer, ProZorro procuring entity)",
    RESPONSIBLE: "the organisation that places and runs the procedure, where the document names one (44-FZ "
                 "responsible organisation, 223-FZ placer, OCDS procuring entity, eForms service provider); "
                 "may be the customer itself",
    SUPPLIER: "the organisation a contract is with, or an award went to",
    PARTICIPANT: "an organisation that applied or bid (a protocol's applications, OCDS tenderers)",
}

# the sources' own codes (Organization.role_code), with what they mean
CODES: dict[str, str] = {
    # 44-FZ responsibleRole (BaseTypes.xsd, responsibleRoleType and its variants, schema 16.2.6.9)
    "CU": "customer (заказчик)",
    "OCU": "customer organising a joint purchase (заказчик - организатор совместной закупки)",
    "RA": "authorised body (уполномоченный орган)",
    "ORA": "authorised body organising a joint purchase (art. 25 44-FZ)",
    "AI": "authorised institution (уполномоченное учреждение)",
    "OAI": "authorised institution organising a joint purchase (art. 25 44-FZ)",
    "OA": "organisation with the customer's powers by agreement (art. 15 part 6 44-FZ)",
    "OOA": "such an organisation organising a joint purchase",
    "CS": "organisation purchasing under art. 15 part 5 44-FZ",
    "OCS": "customer under art. 15 part 5 44-FZ organising a joint purchase",
    "CC": "223-FZ customer purchasing under 44-FZ",
    "OCC": "customer purchasing under 44-FZ for want of a 223-FZ regulation, organising a joint purchase",
    "AU": "legal entity buying a mandatory audit (art. 5 part 4 of 307-FZ)",
    "OAU": "customer of a mandatory audit organising a joint purchase",
    "RO": "regional operator of capital repairs (Government decree 615)",
    "TKO": "regional operator for municipal solid waste (decree 1133)",
    "CN": "organisation purchasing under art. 15 parts 4.1 or 4.3 44-FZ",
    "OCN": "customer under art. 15 part 4.1 44-FZ organising a joint purchase",
    "CU5CH26": "customer as an executive authority (art. 26 part 5 44-FZ)",
    "PE": "project executor (decree 43)",
    "RPO": "body keeping the register of qualified contractors (decree 615)",
    "TC": "technical customer (art. 182 part 4 of the Housing Code)",
    # 223-FZ
    "placer": "the organisation that placed the notice (223-FZ placer)",
    # OCDS partyRole codelist, eForms organisation roles
    "buyer": "OCDS/TED buyer",
    "procuringEntity": "OCDS procuring entity",
    "service-provider": "eForms procurement service provider",
    "tenderer": "OCDS tenderer",
    "payer": "OCDS payer",
    "payee": "OCDS payee",
}


def _code(o: Organization, fallback: str | None = None) -> str | None:
    if o.role_code:
        return o.role_code
    if o.role and o.role not in ROLES:
        return o.role
    return fallback


def apply(t: Tender) -> None:
    """Give each organisation the role of its place in the document, keeping the source's code in
    ``role_code``. An organisation object shared by two places (the customer that is also the responsible
    organisation) is copied, so that each place keeps its own role."""
    seen: set[int] = set()

    def put(o: Organization | None, role: str, fallback: str | None = None) -> Organization | None:
        if o is None:
            return None
        if id(o) in seen:
            o = o.model_copy()
        seen.add(id(o))
        code = _code(o, fallback)
        if o.role != role:  # (pydantic's assignment costs a few µs: only what changes is assigned)
            o.role = role
        if o.role_code != code:
            o.role_code = code
        return o

    t.customer = put(t.customer, CUSTOMER)
    t.responsible = put(t.responsible, RESPONSIBLE, t.responsible_role)
    if t.responsible is not None and not t.responsible_role:
        t.responsible_role = t.responsible.role_code
    t.suppliers = [put(s, SUPPLIER) for s in t.suppliers]  # type: ignore[misc]
    for a in t.applications:
        a.participant = put(a.participant, PARTICIPANT)
