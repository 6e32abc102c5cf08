"""TED XML R2.0.9 (``TED_EXPORT``): the standard forms F01 to F25 as TED published them until 2023.

Only the form section's ORIGINAL form is read (the other language versions are translations). ``id`` is the
publication number ``TED_EXPORT/@DOC_ID`` (``154292-2020``). Each object description (``OBJECT_DESCR``, one
per lot) becomes an item with the main CPV code and the lot's NUTS places; ``amount`` is the estimated total
of a contract notice or PIN (``VAL_ESTIMATED_TOTAL``), the total awarded value of an award notice
(``VAL_TOTAL``, else the sum of the awarded contracts' values).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from ...errors import ParseError
from ...models import Application, Classification, Item, Kind, Lot, Organization, Period, Place, Tender
from ...values import norm_space, to_decimal
from ...safety.xml import Paths, localname, namespace
from .. import money
from ..base import Format, ParseContext
from . import common as ted

TED = "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"
NUTS = "http://publications.europa.eu/resource/schema/ted/2016/nuts"
# the R2.0.9 family: the S03+ namespace above, and the 2017-2018 sub-releases' relative ones
# (``ted/R2.0.9.S02/publication``, with NUTS in ``ted/2016/nuts``), with or without the publisher's prefix
_FAMILY = re.compile(r"^(?:https?://publications\.europa\.eu/resource/schema/)?ted/R2\.0\.9(?:\.S\d+)?/publication$")
_NUTS_NS = re.compile(r"(?:^|/)ted/\d{4}/nuts$")
_PATHS = dict(
    pub_date="t:CODED_DATA_SECTION/t:REF_OJS/t:DATE_PUB",
    country="t:CODED_DATA_SECTION/t:NOTICE_DATA/t:ISO_COUNTRY",
    ref_notice="t:CODED_DATA_SECTION/t:NOTICE_DATA/t:REF_NOTICE/t:NO_DOC_OJS",
    doc_type="t:CODED_DATA_SECTION/t:CODIF_DATA/t:TD_DOCUMENT_TYPE",
    proc="t:CODED_DATA_SECTION/t:CODIF_DATA/t:PR_PROC",
    forms="t:FORM_SECTION/*",
    uuid="t:FORM_SECTION/t:NOTICE_UUID",
    body="t:CONTRACTING_BODY/t:ADDRESS_CONTRACTING_BODY",
    object="t:OBJECT_CONTRACT",
    title="t:TITLE",
    reference="t:REFERENCE_NUMBER",
    cpv="t:CPV_MAIN/t:CPV_CODE",
    cpv_more="t:CPV_ADDITIONAL/t:CPV_CODE",
    type="t:TYPE_CONTRACT",
    estimated="t:VAL_ESTIMATED_TOTAL",
    total="t:VAL_TOTAL",
    lots="t:OBJECT_DESCR",
    lot_no="t:LOT_NO",
    nuts="n:NUTS",
    site="t:MAIN_SITE",
    value="t:VAL_OBJECT",
    start="t:DATE_START",
    end="t:DATE_END",
    procedure="t:PROCEDURE",
    deadline_date="t:PROCEDURE/t:DATE_RECEIPT_TENDERS",
    deadline_time="t:PROCEDURE/t:TIME_RECEIPT_TENDERS",
    previous="t:PROCEDURE/t:NOTICE_NUMBER_OJ",
    awards="t:AWARD_CONTRACT",
    contract_no="t:CONTRACT_NO",
    awarded="t:AWARDED_CONTRACT",
    concluded="t:AWARDED_CONTRACT/t:DATE_CONCLUSION_CONTRACT",
    contractors="t:AWARDED_CONTRACT/t:CONTRACTORS/t:CONTRACTOR/t:ADDRESS_CONTRACTOR",
    award_total="t:AWARDED_CONTRACT/t:VALUES/t:VAL_TOTAL",
    url_document="t:CONTRACTING_BODY/t:URL_DOCUMENT",
    no_lots="t:NO_LOT_DIVISION",
    no_award="t:NO_AWARDED_CONTRACT",
    framework="t:FRAMEWORK",
    award_estimated="t:AWARDED_CONTRACT/t:VALUES/t:VAL_ESTIMATED_TOTAL",
)


@lru_cache(maxsize=16)
def paths(ted_ns: str = TED, nuts_ns: str = NUTS) -> Paths:
    """The named paths of one namespace of the family."""
    return Paths({"t": ted_ns, "n": nuts_ns}, **_PATHS)


P = paths()


def _paths_for(root: etree._Element) -> Paths:
    nuts = next((ns for ns in (root.nsmap or {}).values() if ns and _NUTS_NS.search(ns)), NUTS)
    return paths(namespace(root), nuts)


CHANGE_FORMS = {"F14", "F20"}
PROTOCOL_FORMS = {"F13"}


def detect(root: etree._Element) -> bool:
    return localname(root) == "TED_EXPORT" and _FAMILY.match(namespace(root) or "") is not None


def _ptext(el) -> str | None:
    """A text block made of <P> paragraphs."""
    if el is None:
        return None
    return norm_space(" ".join(t for t in el.itertext()))


def _org(el, role: str, P: Paths = P) -> Organization | None:
    if el is None:
        return None
    t = lambda name: norm_space(el.findtext(P.q(f"t:{name}")))
    country_el = el.find(P.q("t:COUNTRY"))
    country = ted.country2(country_el.get("VALUE")) if country_el is not None else None
    nuts_el = el.find(P["nuts"])
    inn = t("NATIONALID")
    return Organization(name=t("OFFICIALNAME"), inn=inn, id_scheme="national" if inn else None, role=role,
                        address=ted.join(t("ADDRESS"), t("TOWN"), t("POSTAL_CODE"), country),
                        region=nuts_el.get("CODE") if nuts_el is not None else None, country=country,
                        email=t("E_MAIL"), phone=t("PHONE"), contact=t("CONTACT_POINT"))


def parse(root: etree._Element, ctx: ParseContext) -> Iterator[Tender]:
    yield to_tender(root, ctx)


def _money(el) -> tuple[Decimal | None, str | None]:
    if el is None or not norm_space(el.text):
        return None, None
    return to_decimal(el.text, field="amount"), el.get("CURRENCY")


def to_tender(root: etree._Element, ctx: ParseContext) -> Tender:
    P = _paths_for(root)
    form = next((f for f in P.findall(root, "forms") if f.get("CATEGORY") == "ORIGINAL"), None)
    if form is None:
        raise ParseError("a TED_EXPORT without an ORIGINAL form in its form section")
    form_code = form.get("FORM") or localname(form).split("_")[0]
    pubno = ted.publication_number(root.get("DOC_ID")) or norm_space(root.get("DOC_ID"))
    obj = P.find(form, "object")
    awards = P.findall(form, "awards")
    award_form = bool(awards)
    kind = (Kind.change if form_code in CHANGE_FORMS else Kind.protocol if form_code in PROTOCOL_FORMS
            else Kind.contract if award_form else Kind.notice)
    main_cpv_el = P.find(obj, "cpv")
    main_cpv = main_cpv_el.get("CODE") if main_cpv_el is not None else None
    nature_el = P.find(obj, "type")
    framework = P.find(P.find(form, "procedure"), "framework") is not None
    notes: list[str] = []

    award_by_lot: dict[str | None, list] = {}
    for a in awards:
        award_by_lot.setdefault(P.text(a, "lot_no"), []).append(a)

    lots, items, places = [], [], []
    lot_els = P.findall(obj, "lots")
    several = False  # a lot of a framework agreement won by several contractors
    for lot_el in lot_els:
        lot_no = P.text(lot_el, "lot_no")
        title = _ptext(P.find(lot_el, "title")) or _ptext(P.find(obj, "title"))
        status = None
        if award_form:
            mine = award_by_lot.get(lot_no) or (awards if len(lot_els) == 1 else [])
            won = [a for a in mine if P.find(a, "awarded") is not None]
            if mine and not won:
                status = "unsuccessful"  # NO_AWARDED_CONTRACT: no contract for this lot
            values = [_money(P.find(a, "award_total")) for a in won]
            if framework and len([v for v in values if v[0] is not None]) > 1:
                several = True
                amount, cur = None, None  # each winner's value is the whole lot's: not added up
            else:
                won_total = money.total(values)
                amount, cur = won_total.amount, won_total.currency
        else:
            amount, cur = _money(P.find(lot_el, "value"))
        site = _ptext(P.find(lot_el, "site"))
        lot_places = []
        for nuts in P.findall(lot_el, "nuts"):
            code = nuts.get("CODE")
            lot_places.append(Place(text=ted.join(site, f"NUTS {code}" if code else None), nuts=code,
                                    country=(code or "")[:2] and ted.country2(code[:2]), lot=lot_no))
        if not lot_places and site:
            lot_places.append(Place(text=site, lot=lot_no))
        places += lot_places
        more = [Classification(scheme="CPV", code=c.get("CODE")) for c in P.findall(lot_el, "cpv_more")
                if c.get("CODE") and c.get("CODE") != main_cpv]
        items.append(Item(name=title, code=main_cpv, code_scheme="CPV" if main_cpv else None, classifications=more,
                          amount=amount, currency=cur, lot=lot_no,
                          kind=(nature_el.get("CTYPE") or "").lower() or None if nature_el is not None else None,
                          delivery_places=[p.text for p in lot_places if p.text]))
        if lot_no is not None:
            lots.append(Lot(id=lot_no, title=title, amount=amount, currency=cur, status=status,
                            delivery_places=[p.text for p in lot_places if p.text]))

    basis = None
    if award_form:
        amount, currency = _money(P.find(obj, "total"))
        basis = "awarded value" if amount is not None else None
        if amount is None and not several:
            won = [a for a in awards if P.find(a, "awarded") is not None]
            awards_total = money.total(_money(P.find(a, "award_total")) for a in won)
            amount, currency = awards_total.amount, awards_total.currency
            basis = "awards total" if amount is not None else None
        if several:
            notes.append("a framework agreement with several contractors on one lot: their contract values "
                         "are each the whole lot's and are not added up"
                         + ("" if amount is not None else "; the notice gives no total value (VAL_TOTAL)"))
    else:
        # else the object descriptions' values: the lots', or the one of a notice without lots (NO_LOT_DIVISION)
        object_values = [(it.amount, it.currency) for it in items]
        value = ted.estimated(_money(P.find(obj, "estimated")), object_values)
        amount, currency, basis = value.amount, value.currency, value.basis
    ted.currency_once(items, currency)

    suppliers, applications, signed = [], [], []
    for a in awards:
        price, cur = _money(P.find(a, "award_total"))
        concluded = ted.plain_date(P.text(a, "concluded"))
        if concluded:
            signed.append(concluded)
        for c in P.findall(a, "contractors"):
            org = _org(c, "supplier", P)
            suppliers.append(org)
            applications.append(Application(number=P.text(a, "contract_no") or a.get("ITEM"), participant=org,
                                            price=price, currency=cur, winner=True, date=concluded,
                                            lot=P.text(a, "lot_no")))
    customer = _org(P.find(form, "body"), "buyer", P)
    country_el = P.find(root, "country")
    proc_el = P.find(root, "proc")
    procedure = P.find(form, "procedure")
    pt = next((localname(c) for c in procedure if localname(c).startswith("PT_")), None) if procedure is not None else None
    delivery: list[str] = []
    for p in places:
        if p.text and p.text not in delivery:
            delivery.append(p.text)
    start = ted.plain_date(P.text(lot_els[0], "start")) if lot_els else None
    end = ted.plain_date(P.text(lot_els[0], "end")) if lot_els else None
    doc_type = P.find(root, "doc_type")
    extra = {k: v for k, v in {
        "form": form_code, "form_language": form.get("LG"), "notice_uuid": P.text(root, "uuid"),
        "document_type": norm_space(doc_type.text) if doc_type is not None else None,
        "reference_number": P.text(obj, "reference"), "ted_version": root.get("VERSION"),
        "framework_agreement": True if framework else None, "warnings": notes or None,
    }.items() if v}
    return Tender(
        kind=kind,
        id=pubno or "",
        source_format=f"ted-r2.0.9/{form_code}",
        law="TED",
        title=_ptext(P.find(obj, "title")),
        published=ted.compact_date(P.text(root, "pub_date")),
        signed=min(signed) if signed else None,
        submission_deadline=ted.when(P.text(form, "deadline_date"), P.text(form, "deadline_time")),
        execution_period=Period(start=start, end=end) if start or end else None,
        method=norm_space(proc_el.text) if proc_el is not None else None,
        method_code=pt[3:].lower() if pt else None,
        url=ted.notice_url(pubno),
        country=ted.country2(country_el.get("VALUE")) if country_el is not None else (customer.country if customer else None),
        region=customer.region if customer else None,
        customer=customer,
        suppliers=ted.unique(suppliers),
        currency=currency,
        amount=amount,
        amount_basis=basis,
        lots=lots,
        items=items,
        delivery_places=delivery,
        places=places,
        notice_id=ted.publication_number(P.text(form, "previous") or P.text(root, "ref_notice")),
        applications=applications,
        extra=extra,
    )


FORMATS = [
    Format(name="ted-r2.0.9", description="TED XML R2.0.9 (TED_EXPORT, forms F01-F25, the original form)",
           kind="xml", detect=detect, parse=parse),
]
