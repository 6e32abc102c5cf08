"""44-FZ protocols: ``fcsProtocol*`` (fields in ``oos/types/1``, participants in ``oos/common/1`` from 2020),
``epProtocol*`` (``oos/EPtypes/1`` + ``oos/common/1``) and ``pprf615Protocol*`` (capital repairs,
``oos/pprf615types/1``): the applications with participant, price, admitted or rejected, rating, and the
winner. The id is the purchase number (``notice_id`` too); each generation has its own named paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...models import Application, Kind, Lot, Organization, Tender, builder
from .. import money
from ..base import Format, ParseContext, require
from . import common as z
from . import blocks as b
from . import parties

_Organization = builder(Organization)
_Application = builder(Application)
_Lot = builder(Lot)
_Tender = builder(Tender)


@dataclass(frozen=True)
class Generation:
    H: z.Fields  # the document: header and lot containers
    L: z.Fields  # a lot container: applications, customer, refusal, abandoned reason
    A: z.Fields  # an application
    party: parties._Shapes  # appParticipantInfo (legal entity, sole trader, natural person, foreign)
    org: z.Fields  # publisher organisation
    att: z.Fields  # attachments


_LOT = ("apps", "apps_direct")
FCS = Generation(
    H=z.Fields(
        z.FCS_NS,
        many=("attachments", "lots", "lots_multi"),
        blocks=("publisher",),
        id="t:id",
        external_id="t:externalId",
        version="t:versionNumber",
        number="t:purchaseNumber",
        doc_number="t:docNumber",
        protocol_number="t:protocolNumber",
        foundation="t:foundationProtocolNumber",
        published="t:publishDate",
        protocol_date="t:protocolDate",
        href="t:href",
        print_form="t:printForm/t:url",
        publisher="t:protocolPublisher/t:publisherOrg",
        role="t:protocolPublisher/t:publisherRole",
        attachments="t:attachments/t:attachment",
        commission="t:commission/t:commissionName",
        place="t:place",
        lots="t:protocolLot",
        lots_multi="t:protocolLots/t:protocolLot",
    ),
    L=z.Fields(
        z.FCS_NS,
        many=_LOT,
        blocks=("customer",),
        apps="t:applications/t:application",
        apps_direct="t:application",
        customer="t:customer",
        number="t:lotNumber",
        abandoned="t:abandonedReason/t:name",
        max_price="t:maxPrice",
        refusal="t:refusalFact/t:foundation/t:name",
        refusal_text="t:refusalFact/t:explanation",
    ),
    A=z.Fields(
        z.FCS_NS,
        blocks=("participant", "old_participant", "joint_participant"),
        number="t:journalNumber",
        date="t:appDate",
        price="t:price",
        last_price="t:priceOffers/t:lastOffer/t:price",
        winner_price="t:winnerPrice",
        admitted="t:admitted",
        result_type="t:resultType",
        rating="t:appRating",
        participant="t:appParticipantInfo",
        old_participant="t:appParticipant",
        joint_participant="t:appParticipants/t:appParticipant",
        reason="t:appRejectedReason/t:nsiRejectReason/t:reason",
        explanation="t:appRejectedReason/t:explanation",
    ),
    party=parties.PARTY_C,
    org=z.ORG_FCS,
    att=b.ATT_FCS,
)
_REJECTED = "ep:admittedInfo/ep:appNotAdmittedInfo/ep:appRejectedReasonsInfo/ep:appRejectedReasonInfo/"
EP = Generation(
    H=z.Fields(
        z.EP_NS,
        many=("attachments", "lots", "lots_multi", "parts"),
        blocks=("publisher",),
        id="ep:id",
        external_id="ep:externalId",
        version="ep:versionNumber",
        number="ep:commonInfo/ep:purchaseNumber",
        doc_number="ep:commonInfo/ep:docNumber",
        protocol_number="ep:commonInfo/ep:docNumberExternal",
        foundation="ep:foundationDocInfo/ep:foundationDocNumber",
        published="ep:commonInfo/ep:publishDTInEIS",
        protocol_date="ep:commonInfo/ep:procedureDT",
        href="ep:commonInfo/ep:href",
        print_form="ep:printFormInfo/c:url",
        publisher="ep:protocolPublisherInfo/ep:publisherOrg",
        role="ep:protocolPublisherInfo/ep:publisherRole",
        attachments="ep:attachmentsInfo/c:attachmentInfo",
        commission="ep:commissionInfo/c:commissionName",
        place="ep:commonInfo/ep:place",
        lots="ep:protocolInfo",
        lots_multi="ep:protocolLotsInfo/ep:protocolLotInfo",
        # the protocols of the 2022+ procedures (...2020FinalPart): participants apart, by application number
        parts="ep:appParticipantsInfo/ep:appParticipantInfo",
    ),
    L=z.Fields(
        z.EP_NS,
        many=_LOT,
        blocks=("customer",),
        apps="ep:applicationsInfo/ep:applicationInfo",
        apps_direct="ep:applicationInfo",
        customer="ep:customer",
        number="ep:lotNumber",
        abandoned="ep:abandonedReason/b:name",
        max_price="ep:maxPriceInfo/ep:maxPrice",
        refusal="ep:refusalFactInfo/ep:foundationInfo/b:name",
        refusal_text="ep:refusalFactInfo/ep:explanation",
    ),
    A=z.Fields(
        z.EP_NS,
        blocks=("participant", "joint_participant", "not_admitted"),
        number="ep:commonInfo/ep:appNumber",
        date="ep:commonInfo/ep:appDT",
        price="ep:finalPrice",
        last_price="ep:priceOffersInfo/ep:lastOfferInfo/ep:price",
        winner_price="ep:winnerPrice",
        admitted="ep:admittedInfo/ep:appAdmittedInfo/ep:admitted",
        result_type="ep:admittedInfo/ep:appAdmittedInfo/ep:resultType",
        not_admitted="ep:admittedInfo/ep:appNotAdmittedInfo",
        rating="ep:appRating",
        participant="ep:appParticipantInfo",
        joint_participant="ep:appParticipantsInfo/ep:appParticipantInfo",
        explanation="ep:admittedInfo/ep:appNotAdmittedInfo/ep:explanation",
        # ...2020Final protocols: the rating beside the admission, the last offer, the rejection reasons
        rating2="ep:admittedInfo/ep:appAdmittedInfo/ep:appRating",
        last_price2="ep:lastPriceOffer/ep:price",
        explanation2=_REJECTED + "c:explanation",
        reason=_REJECTED + "c:rejectReason/b:name",
    ),
    party=parties.PARTY_C,
    org=z.ORG_EP,
    att=b.ATT_EP,
)
_615 = {"p": z.PPRF615, "b": z.BASE}
PPRF615 = Generation(
    H=z.Fields(
        _615,
        many=("attachments", "lots", "lots_multi"),
        blocks=("publisher",),
        id="p:id",
        external_id="p:externalId",
        version="p:versionNumber",
        number="p:commonInfo/p:purchaseNumber",
        doc_number="p:commonInfo/p:docNumber",
        protocol_number="p:commonInfo/p:docNumberExternal",
        foundation="p:foundationProtocolNumber",
        published="p:commonInfo/p:docPublishDate",
        protocol_date="p:commonInfo/p:createDate",
        href="p:commonInfo/p:href",
        print_form="p:printFormInfo/p:url",
        publisher="p:protocolPublisherInfo/p:publisherOrgInfo",
        role="p:protocolPublisherInfo/p:publisherRole",
        attachments="p:attachmentsInfo/p:attachmentInfo",
        commission="p:commissionInfo/p:commissionName",
        place="p:commonInfo/p:place",
        lots="p:protocolInfo",
        lots_multi="p:protocolLots/p:protocolLot",
    ),
    L=z.Fields(
        _615,
        many=_LOT,
        blocks=("customer",),
        apps="p:applications/p:application",
        apps_direct="p:application",
        customer="p:customer",
        number="p:lotNumber",
        abandoned="p:abandonedReason/b:name",
        max_price="p:biddingInfo/p:maxPrice",
        refusal="p:refusalFact/p:foundation/b:name",
        refusal_text="p:refusalFact/p:explanation",
    ),
    A=z.Fields(
        _615,
        blocks=("participant",),
        number="p:journalNumber",
        date="p:appDate",
        price="p:price",
        last_price="p:lastOffer/p:price",
        winner_price="p:winnerPrice",
        admitted="p:admitted",
        rating="p:appRating",
        participant="p:appParticipantInfo",
        reason="p:appRejectedReason/p:nsiRejectReason/b:name",
        explanation="p:appRejectedReason/p:explanation",
    ),
    party=parties.PARTY_615,
    org=z.ORG_615,
    att=b.ATT_615,
)
# an appParticipantsInfo/appParticipantInfo of a ...2020FinalPart protocol: the application number and
# the participant (common/1 participantType)
PART = z.Fields(z.EP_NS, blocks=("participant",), number="ep:appNumber", participant="ep:participantInfo")
_PREFIXES = ("fcsProtocol", "epProtocol", "pprf615Protocol")
_GENERATIONS = {z.TYPES: FCS, z.EPTYPES: EP, z.PPRF615: PPRF615}


def _ours(name: str, ns: str) -> bool:
    return name.startswith(_PREFIXES) and ns in _GENERATIONS


detect = z.detector(_ours)


def parse(root, ctx: ParseContext) -> Iterable[Tender]:
    what = "a 44-FZ protocol (fcsProtocol*, epProtocol*, pprf615Protocol*)"
    for doc, _ in z.own_documents(root, _ours, what):
        yield protocol(doc, _GENERATIONS[z.fields_ns(doc)])


def protocol(doc, g: Generation) -> Tender:
    v = g.H.read(doc)
    number = require(v.text("number"), "purchaseNumber")
    role = v.text("role")
    publisher = z.organization(v.el("publisher"), g.org, role=role, role_code=role)
    customer = (
        publisher.model_copy(update={"role": "customer"}) if publisher is not None and role == "CU" else None
    )
    apps: list[Application] = []
    lot_numbers, abandoned, max_prices, lots, unawarded = [], [], [], [], []
    listed = _listed_participants(v.all("parts"), g)
    lot_els = v.all("lots") + v.all("lots_multi")
    several = len(lot_els) > 1  # then each application says its lot, and each lot is listed
    awarded: list = []
    for n, lot_el in enumerate(lot_els, 1):
        lot = g.L.read(lot_el)
        lot_no = lot.text("number")
        if lot_no:
            lot_numbers.append(lot_no)
        if customer is None:
            customer = z.organization(lot.el("customer"), g.org, role="customer")
        if lot.text("abandoned"):
            abandoned.append(lot.clean("abandoned"))
        max_price = lot.dec("max_price")
        if max_price is not None:
            max_prices.append(max_price)
        # a refusal to sign with the winner (fcsProtocolEvasion) sits beside the application
        refusal = lot.clean("refusal") or lot.clean("refusal_text")
        lot_id = (lot_no or str(n)) if several else None
        lot_apps = [
            application(el, g, refusal, lot_id, listed) for el in lot.all("apps") + lot.all("apps_direct")
        ]
        apps.extend(lot_apps)
        win = next((a for a in lot_apps if a.winner), None)
        if win is not None and win.price is not None:
            awarded.append(win.price)
        elif several:
            unawarded.append(lot_id)
        if several:
            lots.append(_Lot(id=lot_id, amount=max_price, status="awarded" if win is not None else None))
    # the amount is what the winners offered: the sum over the lots when there are several
    amount = (money.add(awarded) if several else awarded[0]) if awarded else None
    warnings = []
    if awarded and unawarded:
        warnings.append(
            f"lots without a winning offer in this protocol: {', '.join(unawarded)}; "
            "the amount is the other lots' winning offers"
        )
    return _Tender(
        kind=Kind.protocol,
        id=number,
        version=v.text("version"),
        source_format=z.source_format(doc),
        law=z.LAW,
        country="RU",
        published=v.when("published"),
        url=v.text("href"),
        customer=customer,
        responsible=publisher,
        responsible_role=role,
        notice_id=number,
        applications=apps,
        lots=lots,
        amount=amount,
        amount_basis="awarded value" if amount is not None else None,
        attachments=b.attachments(v.all("attachments"), g.att),
        extra=z.drop_none(
            {
                "doc_id": v.text("id"),
                "external_id": v.text("external_id"),
                "doc_number": v.text("doc_number"),
                "protocol_number": v.text("protocol_number"),
                "foundation_protocol": v.text("foundation"),
                "protocol_date": v.when("protocol_date"),
                "place": v.clean("place"),
                "commission": v.clean("commission"),
                "print_form": v.text("print_form"),
                "scheme_version": doc.get("schemeVersion"),
                "lots": lot_numbers,
                "abandoned_reason": "; ".join(abandoned) or None,
                "max_price": max_prices[0] if len(max_prices) == 1 else max_prices,
                "warnings": warnings,
            }
        ),
    )


def _listed_participants(els: list, g: Generation) -> dict[str, Organization]:
    """Application number -> participant, where the protocol lists the participants apart."""
    out = {}
    for el in els:
        p = PART.read(el)
        org = parties.participant(p.el("participant"), g.party, "participant")
        if org is not None and p.text("number"):
            out[p.text("number")] = org
    return out


def application(
    el, g: Generation, refusal: str | None = None, lot: str | None = None,
    listed: dict[str, Organization] | None = None,
) -> Application:
    """An application (for ``lot`` where the protocol has several); with its lot's ``refusal`` to sign, not
    admitted and not the winner (set here, not with a ``model_copy`` of the built application: that costs
    as much as building it)."""
    a = g.A.read(el)
    admitted = a.flag("admitted")
    if a.el("not_admitted") is not None:
        admitted = False
    rating = a.text("rating") or a.text("rating2")
    rating_value = int(rating) if rating and rating.isdigit() else None
    result_type = a.text("result_type")
    winner = result_type == "WIN_OFFER" or (
        rating_value == 1 and admitted is not False and result_type is None
    )
    reason = a.clean("explanation") or a.clean("explanation2") or a.clean("reason")
    if refusal:
        admitted, winner, reason = False, False, reason or refusal
    return _Application(
        number=a.text("number"),
        participant=_participant(a, g) or (listed or {}).get(a.text("number") or ""),
        admitted=admitted,
        rating=rating_value,
        price=z.first(a.dec(k) for k in ("winner_price", "price", "last_price", "last_price2")),
        winner=winner,
        lot=lot,
        reason=reason,
        date=a.when("date"),
    )


def _participant(a: z.Found, g: Generation) -> Organization | None:
    if a.el("participant") is not None:
        return parties.participant(a.el("participant"), g.party, "participant")
    if a.el("old_participant") is not None:
        return parties.flat_participant(a.el("old_participant"), "participant")
    joint = a.el("joint_participant")  # a joint application: its first participant (common/1 or flat)
    found = parties.participant(joint, g.party, "participant")
    return found if found is not None else parties.flat_participant(joint, "participant")


FORMATS = [
    Format(
        name="zakupki44-protocol",
        description="zakupki.gov.ru 44-FZ protocols (fcsProtocol*, epProtocol*, pprf615Protocol*): "
        "applications, participants, prices, admission, rating, winner",
        kind="xml",
        detect=detect,
        parse=parse,
    ),
]
