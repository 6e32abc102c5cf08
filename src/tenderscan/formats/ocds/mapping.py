"""Map an OCDS compiled release onto the model: its stage, amount, items, parties and documents.

The blocks it is made of are in :mod:`.blocks` (items, documents...), :mod:`.parties` and :mod:`.values`,
shared with the ProZorro reader. Inputs are plain dicts whose numbers are ``Decimal``. Nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...errors import ParseError
from ...models import Kind, Tender, builder
from . import amount as amounts
from .blocks import (
    applications,
    delivery_texts,
    documents,
    finish_extra,
    live,
    lots,
    payments,
    period,
    read_items,
    value_currency,
)
from .parties import Parties, supplier_refs, unique_orgs
from .values import faults, text

_Tender = builder(Tender)

DEAD_AWARD = {"cancelled", "unsuccessful", "pending"}
DEAD_CONTRACT = {"cancelled", "pending"}


def stage_of(release: dict) -> tuple[Kind, str]:
    """The most advanced stage a compiled release reached: contract, award, tender, planning."""
    tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
    if live(release.get("contracts"), DEAD_CONTRACT):
        return Kind.contract, "contracts"
    if live(release.get("awards"), DEAD_AWARD):
        return Kind.protocol, "awards"
    if tender.get("status") in ("cancelled", "withdrawn"):
        return Kind.cancellation, "tender"
    if tender.get("status") in ("planning", "planned"):
        return Kind.other, "tender"
    if tender:
        return Kind.notice, "tender"
    return Kind.other, "planning"


# --- a compiled release as a Tender ---------------------------------------------------------------------


def to_tender(r: dict, *, source_format: str, package: dict | None = None, releases: int = 0,
              tags: Iterable[str] = ()) -> Tender:
    """One compiled release as a Tender."""
    package = package or {}
    ocid = text(r.get("ocid"))
    if not ocid:
        raise ParseError("an OCDS release without an ocid")
    parties = Parties(r)
    tender = r.get("tender") if isinstance(r.get("tender"), dict) else {}
    planning = r.get("planning") if isinstance(r.get("planning"), dict) else {}
    awards = live(r.get("awards"), DEAD_AWARD)
    contracts = live(r.get("contracts"), DEAD_CONTRACT)
    kind, stage = stage_of(r)

    buyer_ref = r.get("buyer") or parties.with_role("buyer")
    customer = parties.org(buyer_ref, "buyer")
    pe_ref = tender.get("procuringEntity") or parties.with_role("procuringEntity")
    responsible = parties.org(pe_ref, "procuringEntity")

    f = faults()
    pending = [a for a in r.get("awards") or [] if isinstance(a, dict) and a.get("status") == "pending"]
    rule = amounts.ocds(stage, tender, planning, awards, contracts, f, pending)
    currency = rule.currency
    doc_currency = currency or value_currency(tender)
    items, places = read_items(_stage_items(stage, tender, awards, contracts), doc_currency, f)
    suppliers = unique_orgs(parties.org(s, "supplier") for s in supplier_refs(contracts, awards))
    title = (text(tender.get("title")) or next((text(c.get("title")) for c in contracts if c.get("title")), None)
             or next((text(a.get("title")) for a in awards if a.get("title")), None)
             or text((planning.get("budget") or {}).get("project") if isinstance(planning.get("budget"), dict)
                       else None))
    signed = next((d for d in (f.date(c, "dateSigned") for c in contracts) if d), None)
    exec_period = next((p for p in (period(c.get("period"), f) for c in contracts) if p), None) \
        or period(tender.get("contractPeriod"), f)
    tender_period = tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"), dict) else {}
    extra: dict[str, Any] = {}
    publisher = package.get("publisher") if isinstance(package.get("publisher"), dict) else {}
    if text(publisher.get("name")):
        extra["publisher"] = text(publisher.get("name"))
    if releases:
        extra["releases_merged"] = releases
    tag_list = sorted({str(t) for t in tags if t != "compiled"})
    if tag_list:
        extra["tags"] = tag_list
    if text(tender.get("id")) and text(tender.get("id")) != ocid:
        extra["tender_id"] = text(tender.get("id"))
    published = f.date(r, "date")
    deadline = f.date(tender_period, "endDate")
    lot_list = lots(tender, f)
    attachments = documents(f, planning.get("documents"), tender.get("documents"),
                            *(a.get("documents") for a in awards), *(c.get("documents") for c in contracts))
    paid = payments(contracts, f)
    apps = applications(awards, parties, f)
    finish_extra(extra, rule, f, r)
    return _Tender(
        kind=kind,
        id=ocid,
        version=text(r.get("date")),
        source_format=source_format,
        law="OCDS",
        title=title,
        published=published,
        signed=signed,
        submission_deadline=deadline,
        execution_period=exec_period,
        method=text(tender.get("procurementMethodDetails")) or text(tender.get("procurementMethod")),
        method_code=text(tender.get("procurementMethod")),
        status=text(tender.get("status")) or next((text(c.get("status")) for c in contracts), None),
        country=customer.country if customer else None,
        region=customer.region if customer else None,
        customer=customer,
        responsible=responsible,
        responsible_role="procuringEntity" if responsible else None,
        suppliers=suppliers,
        currency=currency or doc_currency,
        amount=rule.amount,
        amount_basis=rule.basis,
        lots=lot_list,
        items=items,
        delivery_places=delivery_texts(items),
        places=places,
        attachments=attachments,
        payments=paid,
        applications=apps,
        extra=extra,
    )


def _stage_items(stage: str, tender: dict, awards: list[dict], contracts: list[dict]) -> list[dict]:
    """Items of the most advanced stage that lists any (contract items carry the agreed unit prices)."""
    candidates = []
    if stage == "contracts":
        candidates.append([i for c in contracts for i in c.get("items") or []])
    if stage in ("contracts", "awards"):
        candidates.append([i for a in awards for i in a.get("items") or []])
    candidates.append(list(tender.get("items") or []))
    for c in candidates:
        found = [i for i in c if isinstance(i, dict)]
        if found:
            return found
    return []
