"""The rows of each export table (see :mod:`.columns` for their columns), document after document."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ...documents.roles import CUSTOMER, PARTICIPANT, RESPONSIBLE, SUPPLIER
from ...models import Organization, Tender
from ..spending.frames import doc_date, fixed_amount, fixed_quantity, items_total
from .columns import Table


def _base(t: Tender) -> dict[str, Any]:
    d = doc_date(t)
    return {"id": t.id, "version": t.version, "kind": t.kind.value, "year": d.year if d else None}


def table_rows(table: Table, tenders: Iterable[Tender]) -> Iterator[dict[str, Any]]:
    """The rows of one table, document after document."""
    for t in tenders:
        base = _base(t)
        if table == Table.documents:
            yield _document(t, base)
        elif table == Table.items:
            inn = t.customer.inn if t.customer else None
            for n, it in enumerate(t.items, 1):  # an item whose quantity is not fixed: a unit price, no amount
                yield {**base, "customer_inn": inn, "item_no": n, "lot": it.lot, "name": it.name, "code": it.code,
                       "code_scheme": it.code_scheme, "quantity": fixed_quantity(it), "unit": it.unit,
                       "unit_code": it.unit_code, "unit_price": it.unit_price, "amount": fixed_amount(it),
                       "quantity_undefined": it.quantity_undefined, "currency": it.currency or t.currency}
        elif table == Table.parties:
            yield from _parties(t, base)
        elif table == Table.stations:
            for s in t.stations:
                ev = s.evidence[0] if s.evidence else None
                yield {**base, "station": s.name, "line": s.line, "line_number": s.line_number, "city": s.city,
                       "candidate_lines": "; ".join(s.candidate_lines) or None,
                       "evidence_field": ev.field if ev else None, "evidence": ev.text if ev else None}
        else:
            for a in t.attachments:
                yield {**base, "name": a.name, "url": a.url, "attachment_kind": a.kind, "kind_name": a.kind_name,
                       "description": a.description, "size": a.size, "published": a.published,
                       "content_id": a.content_id, "sha256": a.sha256}


def _document(t: Tender, base: dict[str, Any]) -> dict[str, Any]:
    c, r, s = t.customer, t.responsible, t.supplier
    src = t.source.url or ((t.source.path or "") + (f"!{t.source.member}" if t.source.member else "")) or None
    return {**base, "law": t.law, "source_format": t.source_format, "title": t.title, "published": t.published,
            "signed": t.signed, "submission_deadline": t.submission_deadline, "method": t.method,
            "status": t.status, "customer_name": c.name if c else None, "customer_inn": c.inn if c else None,
            "customer_id_scheme": _scheme(c), "customer_kpp": c.kpp if c else None,
            "responsible_name": r.name if r else None, "responsible_inn": r.inn if r else None,
            "responsible_role": t.responsible_role or (r.role_code if r else None),
            "supplier_name": s.name if s else None, "supplier_inn": s.inn if s else None,
            "supplier_id_scheme": _scheme(s), "region": t.region or (c.region if c else None),
            "region_source": t.extra.get("region_source") if t.region else ("customer.region" if c and c.region
                                                                            else None),
            "currency": t.currency, "amount": t.amount, "amount_basis": t.amount_basis,
            "quantity_undefined": t.quantity_undefined or any(it.quantity_undefined for it in t.items),
            "items": len(t.items), "items_total": items_total(t), "stations": len(t.stations),
            "attachments": len(t.attachments), "notice_id": t.notice_id, "contract_id": t.contract_id, "url": t.url,
            "source": src, "sha256": t.source.sha256}


def _scheme(o: Organization | None) -> str | None:
    """The scheme of an organisation's identifier (``inn``): RU-INN for a Russian one, else as published."""
    if o is None or not o.inn:
        return None
    return o.id_scheme or "RU-INN"


def _parties(t: Tender, base: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per organisation: ``role`` from the one vocabulary of :mod:`tenderscan.documents.roles` (customer,
    responsible, supplier, participant), the source's own code in ``role_code``."""
    orgs = [(CUSTOMER, t.customer, None), (RESPONSIBLE, t.responsible, t.responsible_role)]
    orgs += [(SUPPLIER, s, None) for s in t.suppliers]
    orgs += [(PARTICIPANT, a.participant, None) for a in t.applications]
    for role, o, code in orgs:
        if o is None or not (o.name or o.inn or o.short_name):
            continue
        raw = o.role_code or (o.role if o.role and o.role != role else None) or code
        yield {**base, "role": role, "role_code": raw, "name": o.name, "short_name": o.short_name, "inn": o.inn,
               "kpp": o.kpp, "ogrn": o.ogrn, "reg_num": o.reg_num, "id_scheme": _scheme(o), "entity": o.entity,
               "region": o.region, "country": o.country, "address": o.address}
