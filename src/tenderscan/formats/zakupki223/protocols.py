"""223-FZ protocols (``purchaseProtocol`` and every ``purchaseProtocol<X>`` of the schema: PAEP, PAAE, PAOA,
VK, ZK, OSZ, RZ…, the SMB ones): the lots, each lot's applications and each lot's winner.

A protocol's id is its purchase's number (like 44-FZ protocols); its own number is ``extra.protocol_number``.
Each application carries its lot (``Application.lot``); a lot's winner is the application marked so
(``winnerIndication`` F or W, ``applicationPlace`` F; in ``purchaseProtocolZK``, whose own scale has W for the
winner and F for "offered the winner's price", only W); where the lot's applications carry no such mark, the
one the contract is signed with (``contractSigned``), else the admitted application ranked 1
(``applicationRate``, ``rating``), as for 44-FZ protocols.
``suppliers`` are the lots' winners (each once); ``amount`` is the sum of the winners' prices ("awarded
value") when every lot with applications has a priced winner, else the lots' initial sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ...models import Application, Kind, Lot, Organization, Tender, builder
from .common import P223, Total, base, date_of, decimal_of, first_text, lots_total, norm, require, warn, when
from .codes import country_from_oksm, currency_of, entity_of, foreign_scheme

_Organization = builder(Organization)
_Lot = builder(Lot)
_Application = builder(Application)

_ACCEPTED = {"T": True, "Y": True, "TRUE": True, "F": False, "FALSE": False}  # "N" and others: not stated
_WINNER = frozenset({"F", "W"})  # winnerIndication / applicationPlace: F or W = the winner, S = second...
_WINNER_ZK = frozenset({"W"})  # purchaseProtocolZK (winnerIndication3): F = "offered the winner's price"


@dataclass
class _LotResult:
    lot: Lot
    applications: list[Application] = field(default_factory=list)

    @property
    def winners(self) -> list[Application]:
        return [a for a in self.applications if a.winner]


def protocol(data: etree._Element, p: P223, source_format: str) -> Tender:
    r = p.protocol.record(data)
    number = require(r.get("notice_number"), "purchaseInfo/purchaseNoticeNumber")
    winner_marks = _WINNER_ZK if source_format.endswith("/purchaseProtocolZK") else _WINNER
    results = [_lot_result(block, p, winner_marks)
               for block in (*r.get("@lot_apps", ()), *r.get("@lot_apps_vk", ()))]
    lots = [res.lot for res in results]
    applications = [a for res in results for a in res.applications]
    suppliers = _suppliers(results)
    total, basis = _amount(results)
    extra: dict[str, Any] = {
        "protocol_number": first_text(r.get("@reg_number")), "protocol_type": r.get("type"),
        "protocol_type_name": norm(r.get("type_name")),
        "procedure_date": when(r.get("procedure_date"), "procedureDate"),
        "missed_contest": True if r.get("missed") == "true" else None,
        "missed_reason": norm(r.get("missed_reason")),
    }
    warn(extra, total.warnings)
    return base(r, p, source_format, Kind.protocol, number, notice_id=number, title=norm(r.get("name")),
                published=when(r.get("published"), "publicationDateTime"),
                signed=date_of(r.get("sign_date"), field="protocolSignDate"), method=norm(r.get("method")),
                method_code=r.get("method_code"), lots=lots, applications=applications, suppliers=suppliers,
                amount=total.amount, currency=total.currency, amount_basis=basis, extra=extra)


def _lot_result(block: etree._Element, p: P223, winner_marks: frozenset[str]) -> _LotResult:
    """One ``protocolLotApplications``: its lot (a ``lot`` element, or its own fields in PAEP, OSZ, ZK and
    the RZ protocols) and its applications."""
    br = p.lot_apps.record(block)
    lot_el = br.get("@lot")
    lr = br if lot_el is None else p.protocol_lot.record(lot_el)
    currency = currency_of(lr, "currency") or currency_of(br, "offer_currency")  # the lot's, else offers'
    initial = lr.get("initial_sum") if "initial_sum" in lr else lr.get("max_price")
    lot = _Lot(id=lr.get("number"), title=norm(lr.get("subject")), currency=currency,
               amount=decimal_of(initial, field="lot initialSum"))
    records = [p.application.record(a) for a in br.get("@applications", ())]
    if any("winner" in a or "place" in a for a in records):
        rule = "marks"
    elif any(a.get("contract_signed") == "true" for a in records):
        rule = "signed"
    else:
        rule = "rank"
    return _LotResult(lot, [_application(a, lot, winner_marks, rule) for a in records])


def _application(r: dict[str, Any], lot: Lot, winner_marks: frozenset[str], rule: str) -> Application:
    """One application. Its lot's ``rule`` says how the winner is known: by the result marks
    (winnerIndication, applicationPlace), else by the contract signed with it (contractSigned), else as the
    admitted application ranked first."""
    accepted = r.get("accepted")
    if accepted is None or accepted.upper() == "N":
        accepted = r.get("accepted_2") or accepted
    admitted = _ACCEPTED.get((accepted or "").upper())
    rate = r.get("rate") or r.get("rating")
    rating = int(rate) if rate and rate.isdigit() else None
    if rule == "marks":
        winner = (r.get("winner") or "").upper() in winner_marks or (r.get("place") or "").upper() in _WINNER
    elif rule == "signed":
        winner = r.get("contract_signed") == "true"
    else:
        winner = rating == 1 and admitted is not False
    return _Application(
        number=r.get("number"), participant=_participant(r),
        price=decimal_of(r.get("price") or r.get("last_price"), field="application price"),
        currency=currency_of(r, "currency") or lot.currency, admitted=admitted, rating=rating,
        winner=winner, lot=lot.id, reason=norm(r.get("reason") or r.get("reason_2")),
        date=when(r.get("date"), "applicationDate"),
    )


def _participant(r: dict[str, Any]) -> Organization | None:
    """``supplierInfo`` (a Russian legal entity or natural person) or ``nonResidentInfo`` (foreign: its
    identification number in its country is ``inn``, with ``id_scheme`` "<country>-TIN")."""
    if "name" in r or "inn" in r:
        return _Organization(name=norm(r.get("name")), inn=r.get("inn"), kpp=r.get("kpp"), ogrn=r.get("ogrn"),
                             address=norm(r.get("address")), role="participant",
                             entity=entity_of(type_code=r.get("type")),
                             country="RU" if r.get("inn") else None)
    if "nr_name" in r or "nr_code" in r or "nr_info" in r:
        country = country_from_oksm(r.get("nr_country"))
        code = r.get("nr_code") or r.get("nr_code_2")
        return _Organization(name=norm(r.get("nr_name") or r.get("nr_info")), inn=code,
                             id_scheme=foreign_scheme(country) if code else None,
                             address=norm(r.get("nr_address")), country=country, role="participant",
                             entity="foreign")
    return None


def _suppliers(results: list[_LotResult]) -> list[Organization]:
    """Every lot's winner, once each (the same company winning two lots is one supplier)."""
    out: list[Organization] = []
    seen: set[tuple[str | None, str | None]] = set()
    for res in results:
        for a in res.winners:
            org = a.participant
            if org is None:
                continue
            key = (org.inn, org.name)
            if key not in seen:
                seen.add(key)
                out.append(org.model_copy(update={"role": "supplier"}))
    return out


def _amount(results: list[_LotResult]) -> tuple[Total, str | None]:
    """(total, basis): the winners' prices where every lot with applications has one priced winner, else
    the lots' initial sums (the maximum prices)."""
    contested = [res for res in results if res.applications and res.lot.status != "cancelled"]
    awarded = [res for res in contested if len(res.winners) == 1 and res.winners[0].price is not None]
    if contested and len(awarded) == len(contested):
        awards = [_Lot(id=res.lot.id, amount=res.winners[0].price, currency=res.winners[0].currency)
                  for res in awarded]
        total = lots_total(awards, "awarded price")
        if total.amount is not None:
            return total, "awarded value"
    total = lots_total([res.lot for res in results])
    unawarded = [res.lot.id or "?" for res in contested if all(res is not a for a in awarded)]
    if awarded and unawarded:
        total = Total(total.amount, total.currency,
                      (*total.warnings, f"lot {', '.join(unawarded)} has no single priced winner in this "
                                        "protocol: amount is the lots' initial sums, not the awarded value"))
    return total, "maximum price" if total.amount is not None else None
