"""Shared pieces of the 223-FZ XML readers: namespaces, named paths, organisations, attachments.

223-FZ documents come as ``<root><header/><body><item><…Data/></item>…</body></root>``. Elements declared by
the document schema (``…/223fz/purchase/1`` or ``…/223fz/contract/1``) sit in that namespace; the reusable
field types (``mainInfo``, ``document``, ``lot``, ``currency``…) sit in ``…/223fz/types/1``, except in dumps
whose producer reset the default namespace (``<body xmlns="">``), where the same fields carry no namespace at
all. Both spellings are real (see the Adygeya 2019 contract dump), so the paths (``paths``) are
compiled once per (document namespace, field namespace) pair, and the field namespace is read from each
``item``.

Speed (the parse and ingest targets of ``benchmarks/run.py``): every path is a chain of plain Clark names
(no predicates, no ``//``). The fields of one element
(a ``mainInfo``, a ``lotItem`` with its ``okpd2/code``, ``okei/name``…) are read together by
:meth:`Fields.record`, one walk over the element's children guided by a tree of the wanted names, instead
of one ElementPath query per field (about 3x faster on these documents). The same walk collects the
elements that repeat or nest (a …Data element's customer, lots, attachments; a lot's items…), so no subtree
is walked twice and lxml's tag-filtered iterators (about 1-2 µs per call to set up) are not used at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lxml import etree

from ...errors import ParseError
from ...models import Attachment, Classification, Kind, Lot, Organization, PlanRef, Tender, builder
from ...values import MOSCOW, norm_space, to_date, to_datetime, to_decimal, to_quantity
from ...safety.xml import Paths, clark
from .. import money
from . import paths as T

_Attachment = builder(Attachment)
_Organization = builder(Organization)
_Tender = builder(Tender)
_Classification = builder(Classification)
_PlanRef = builder(PlanRef)

PURCHASE = "http://zakupki.gov.ru/223fz/purchase/1"
CONTRACT = "http://zakupki.gov.ru/223fz/contract/1"
TYPES = "http://zakupki.gov.ru/223fz/types/1"
LAW = "223-FZ"

class Fields(Paths):
    """Named paths (Clark notation, compiled by :class:`~tenderscan.safety.xml.Paths`) with a fast reader.

    :meth:`record` reads every field of the group from one element in a single walk over its children,
    guided by a tree of the wanted names. ``first`` and ``every`` name element paths the same walk collects
    (the first element found on the path, every element on it in document order), so an element's
    children are walked once for its fields and for the blocks below it (a lot's items, a …Data element's
    customer, lots, attachments…), and nothing is looked up again. Like the fields (first non-empty
    occurrence), they are searched under every element of each step, not only the first: the schemas
    allow one of each anyway. ElementPath (``Paths``: the first non-empty ``findall`` match) is the plain
    reference; tests/test_zakupki223.py holds the walk equal to it on every element of every sample."""

    def __init__(self, nsmap: dict[str, str], *, first: dict[str, str] | None = None,
                 every: dict[str, str] | None = None, **paths: str):
        super().__init__(nsmap, **paths)
        # one Clark name per step, spelled as lxml spells tags ("{}name", no namespace, is plain "name")
        self.steps = {name: self._steps(p) for name, p in paths.items()}
        # tag -> [field name or None, subtree or None, first-element name or None, every-element name or None]
        self.tree: dict[str, list] = {}
        for slot, group in ((0, self.steps), (2, {k: self._steps(v) for k, v in (first or {}).items()}),
                            (3, {k: self._steps(v) for k, v in (every or {}).items()})):
            for name, steps in group.items():
                level = self.tree
                for step in steps[:-1]:
                    entry = level.setdefault(step, [None, None, None, None])
                    if entry[1] is None:
                        entry[1] = {}
                    level = entry[1]
                entry = level.setdefault(steps[-1], [None, None, None, None])
                if entry[slot] is not None:
                    raise ValueError(f"paths {entry[slot]!r} and {name!r} are the same")
                entry[slot] = name
        self.mixed = bool(first or every)

    def _steps(self, path: str) -> tuple[str, ...]:
        return tuple(clark(step, self.nsmap).removeprefix("{}") for step in path.split("/"))

    def record(self, el: etree._Element | None) -> dict[str, Any]:
        """``{name: stripped text}`` for every field of this group found under ``el`` (first non-empty
        occurrence), ``{name: element}`` for the ``first`` paths found and ``{name: [element, …]}`` for the
        ``every`` paths found."""
        out: dict[str, Any] = {}
        if el is not None:
            (_walk_mixed if self.mixed else _walk)(el, self.tree, out)
        return out


def first_text(el: etree._Element | None) -> str | None:
    """The stripped text of an element (the first element of a path, found by a ``first`` entry)."""
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def _walk(el: etree._Element, tree: dict[str, list], out: dict[str, str]) -> None:
    for child in el[:]:  # a slice builds the children in C: faster than iterating
        entry = tree.get(child.tag)  # comments and PIs have a function as tag: never in the tree
        if entry is None:
            continue
        name, sub, _, _ = entry
        if name is not None and name not in out:
            value = child.text
            if value is not None:
                value = value.strip()
                if value:
                    out[name] = value
        if sub is not None:
            _walk(child, sub, out)


def _walk_mixed(el: etree._Element, tree: dict[str, list], out: dict[str, Any]) -> None:
    for child in el[:]:  # a slice builds the children in C: faster than iterating
        entry = tree.get(child.tag)
        if entry is None:
            continue
        name, sub, first, every = entry
        if name is not None and name not in out:
            value = child.text
            if value is not None:
                value = value.strip()
                if value:
                    out[name] = value
        if first is not None and first not in out:
            out[first] = child
        if every is not None:
            found = out.get(every)
            if found is None:
                out[every] = [child]
            else:
                found.append(child)
        if sub is not None:
            _walk_mixed(child, sub, out)


@dataclass(frozen=True)
class P223:
    """Every path group, compiled for one (document namespace, field namespace) pair."""

    doc_ns: str
    types_ns: str
    nav: Fields
    org: Fields
    document: Fields
    common: Fields
    notice: Fields
    notice_lot: Fields
    lot_customer: Fields
    lot_item: Fields
    protocol: Fields
    lot_apps: Fields
    protocol_lot: Fields
    lot_parameters: Fields
    application: Fields
    account: Fields
    contract: Fields
    supplier: Fields
    position: Fields
    performance: Fields
    payment: Fields
    payment_doc: Fields
    purchase_contract: Fields
    party: Fields
    rejection: Fields
    lot_cancellation: Fields
    cancelled_lot: Fields
    protocol_cancellation: Fields
    contract_cancellation: Fields
    year_volume: Fields


def _merge(*groups: dict[str, str]) -> dict[str, str]:
    """One field table from several; a name in two of them would silently lose a path, so it is an error."""
    out: dict[str, str] = {}
    for group in groups:
        for name, path in group.items():
            if name in out:
                raise ValueError(f"field {name!r} is in two path tables")
            out[name] = path
    return out


_DATA = (T.DATA_FIRST, T.DATA_EVERY)  # read on the …Data element, with COMMON
_GROUPS: dict[str, tuple[dict[str, str], dict[str, str] | None, dict[str, str] | None]] = {
    # name: (fields, first, every)
    "nav": (T.NAV, None, None), "org": (T.ORG, None, None), "document": (T.DOCUMENT, None, None),
    "common": (T.COMMON, None, None), "notice": (_merge(T.COMMON, T.NOTICE), *_DATA),
    "notice_lot": (T.NOTICE_LOT, None, T.LOT_EVERY),
    "lot_customer": (T.LOT_CUSTOMER, None, T.LOT_CUSTOMER_EVERY),
    "lot_item": (T.LOT_ITEM, None, None), "protocol": (_merge(T.COMMON, T.PROTOCOL), *_DATA),
    "lot_apps": (_merge(T.PROTOCOL_LOT, T.LOT_PARAMETERS), T.LOT_APPS_FIRST, T.LOT_APPS_EVERY),
    "protocol_lot": (T.PROTOCOL_LOT, None, None), "lot_parameters": (T.LOT_PARAMETERS, None, None),
    "application": (T.APPLICATION, None, None), "account": (_merge(T.COMMON, T.ACCOUNT), *_DATA),
    "contract": (_merge(T.COMMON, T.CONTRACT_DATA), *_DATA), "supplier": (T.SUPPLIER, None, None),
    "position": (T.POSITION, None, None), "performance": (_merge(T.COMMON, T.PERFORMANCE), *_DATA),
    "payment": (T.PAYMENT, None, T.PAYMENT_EVERY), "payment_doc": (T.PAYMENT_DOC, None, None),
    "purchase_contract": (_merge(T.COMMON, T.PURCHASE_CONTRACT), *_DATA), "party": (T.PARTY, None, None),
    "rejection": (_merge(T.COMMON, T.REJECTION), *_DATA),
    "lot_cancellation": (_merge(T.COMMON, T.LOT_CANCELLATION), *_DATA),
    "cancelled_lot": (T.CANCELLED_LOT, None, None),
    "protocol_cancellation": (_merge(T.COMMON, T.PROTOCOL_CANCELLATION), *_DATA),
    "contract_cancellation": (_merge(T.COMMON, T.CONTRACT_CANCELLATION), *_DATA),
    "year_volume": (T.YEAR_VOLUME, None, None),
}


@lru_cache(maxsize=16)
def paths(doc_ns: str, types_ns: str) -> P223:
    nsmap = {"d": doc_ns, "t": types_ns}
    groups = {name: Fields(nsmap, first=first, every=every, **fields)
              for name, (fields, first, every) in _GROUPS.items()}
    return P223(doc_ns, types_ns, **groups)


def iter_data(root: etree._Element) -> Iterator[tuple[etree._Element, P223]]:
    """Each ``body/item/…Data`` element with the paths for its namespaces (a dump holds many items).

    Speed: lxml builds an element's tag string on first use (about 0.5 µs, then cached on the element), so
    what depends on the root's tag alone is worked out once per tag (:func:`_layout`), and only the tags of
    body, item and the item's children are read."""
    doc_ns, body_tag, item_tag = _layout(root.tag)
    for box in root[:]:  # slices and tag tests: cheaper than lxml's tag-filtered iterators for few children
        if box.tag != body_tag:
            continue
        for item in box[:]:
            if item.tag != item_tag:
                continue
            data = None
            types_ns = None
            for child in item[:]:
                tag = child.tag
                if not isinstance(tag, str):
                    continue
                ns = tag[1:tag.index("}")] if tag.startswith("{") else ""  # xmlsafe.namespace, inlined
                if ns == doc_ns and tag.endswith("Data"):
                    data = child
                elif ns != doc_ns and types_ns is None:
                    types_ns = ns  # item/guid: the field namespace in force (types/1, or none)
            if data is not None:
                yield data, paths(doc_ns, TYPES if types_ns is None else types_ns)
        break  # the first body only


@lru_cache(maxsize=64)
def _layout(root_tag: str) -> tuple[str, str, str]:
    """(document namespace, body tag, item tag) for a root tag."""
    doc_ns = root_tag[1:root_tag.index("}")] if root_tag.startswith("{") else ""  # xmlsafe.namespace
    return (doc_ns, *paths(doc_ns, TYPES).nav.steps["items"])


_fromisoformat = datetime.fromisoformat


def when(value: str | None, field: str) -> datetime | None:
    """A timestamp (Moscow time when it has no offset, as everywhere in these documents).

    Fast path (the parse target, ``benchmarks/run.py`` parse: ~0.7 us per 223-FZ timestamp): the usual
    offset-less shape read with the offset appended; anything else through ``values.to_datetime``, the
    reference (tests/test_fast_paths.py holds them equal)."""
    if value is None:
        return None
    if len(value) == 19 and value[10] == "T":  # the usual 2020-07-02T16:15:37: parse it with the offset,
        try:  # 5x cheaper than .replace(tzinfo=MOSCOW) (an equal timezone, +03:00, unnamed like MOSCOW)
            return _fromisoformat(value + "+03:00")
        except ValueError:
            pass  # an offset already (2020-07-02T16:15+03), or not a date: as below
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        return to_datetime(value, field=field)  # dates with only an offset, odd forms: the careful path
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=MOSCOW)


date_of = to_date  # the usual 2020-07-02 takes to_date's fast path


decimal_of = to_decimal  # a plain number (most of them) takes to_decimal's fast path
quantity_of = to_quantity  # the same, trailing zeros dropped


norm = norm_space  # whitespace collapsed; most values have nothing to collapse (norm_space's fast path)


def unit_name(name: str | None) -> str | None:
    """An OKEI unit name. The portal writes a line break in them as ";^" ("Литр;^кубический дециметр")."""
    return norm(name.replace(";^", "; ")) if name else None


def main_code(r: dict[str, str]) -> tuple[str | None, str | None, str | None]:
    """(code, name, scheme) from a record with okpd2_*/okpd_*/okdp_* fields: OKPD2, else the OKPD or OKDP of
    old documents."""
    if "okpd2_code" in r:
        return r["okpd2_code"], norm(r.get("okpd2_name")), "OKPD2"
    if "okpd_code" in r:
        return r["okpd_code"], norm(r.get("okpd_name")), "OKPD"
    if "okdp_code" in r:
        return r["okdp_code"], norm(r.get("okdp_name")), "OKDP"
    return None, None, None


def classifications(r: dict[str, str], *schemes: str) -> list[Classification]:
    """Extra codes (``okved2_code`` -> OKVED2...) present in a record."""
    return [_Classification(scheme=s.upper(), code=r[f"{s}_code"], name=norm(r.get(f"{s}_name")))
            for s in schemes if f"{s}_code" in r]


def organization(p: P223, el: etree._Element | None, role: str) -> Organization | None:
    """A ``mainInfo`` block."""
    r = p.org.record(el)
    name, inn = norm(r.get("name")), r.get("inn")
    if name is None and inn is None:
        return None
    return _Organization(
        name=name, short_name=norm(r.get("short_name")), inn=inn, kpp=r.get("kpp"), ogrn=r.get("ogrn"),
        role=role, address=norm(r.get("postal_address") or r.get("legal_address")),
        region=norm(r.get("region")), email=r.get("email"), phone=r.get("phone"),
        country="RU" if inn else None,
    )


def attachments(p: P223, docs: list[etree._Element]) -> list[Attachment]:
    """The ``attachments/document`` blocks."""
    out = []
    for doc in docs:
        r = p.document.record(doc)
        out.append(_Attachment(
            name=norm(r.get("file_name")), url=r.get("url"), description=norm(r.get("description")),
            published=when(r.get("created"), "attachment createDateTime"), content_id=r.get("guid"),
        ))
    return out


def require(value: str | None, what: str) -> str:
    if not value:
        raise ParseError(f"223-FZ document without {what}", hint="check that the file is a complete document")
    return value


def base(r: dict[str, Any], p: P223, source_format: str, kind: Kind, id_: str, **fields: Any) -> Tender:
    """A Tender with what every …Data element has: version, status, link, customer and placer, attachments.

    ``r`` is the …Data element's record (a group read with ``_DATA``: COMMON and the blocks). The customer
    is ``customer/mainInfo`` (the placer when there is none); the placer is the responsible organisation.
    ``fields`` are the document's own; ``extra`` values that are None are dropped."""
    customer = organization(p, r.get("@customer"), "customer")
    placer = organization(p, r.get("@placer"), "placer")
    extra = {"guid": r.get("guid"), **fields.pop("extra", {})}
    return _Tender(
        kind=kind, id=id_, version=r.get("version"), source_format=source_format, law=LAW,
        status=r.get("status"), url=r.get("url_eis") or r.get("url_oos"), country="RU",
        customer=customer or placer, responsible=placer, responsible_role="placer" if placer else None,
        attachments=attachments(p, r.get("@documents", ())),
        extra={k: v for k, v in extra.items() if v is not None}, **fields,
    )


@dataclass(frozen=True)
class Total:
    """A document's amount made of its lots' (or awards') figures, and why it is empty when it is."""

    amount: Decimal | None
    currency: str | None
    warnings: tuple[str, ...] = ()


def lots_total(lots: list[Lot], what: str = "price") -> Total:
    """The sum of the lots' amounts when every live lot states one, all in one currency. A cancelled lot
    (``status`` "cancelled") is left out, and a warning says so; so does a warning when there is no sum."""
    warnings = [f"lot {lot.id} is cancelled: its {what} is not in amount" for lot in lots
                if lot.status == "cancelled" and lot.amount is not None]
    live = [lot for lot in lots if lot.status != "cancelled"]
    t = money.total(((lot.amount, lot.currency) for lot in live), complete=True)
    if t.several:
        warnings.append(f"lots in several currencies ({', '.join(t.currencies)}): no total amount")
        return Total(None, None, tuple(warnings))
    if t.missing and t.count:
        missing = [lot.id or "?" for lot in live if lot.amount is None]
        warnings.append(f"lot {', '.join(missing)} states no {what}: no total amount")
    return Total(t.amount, t.currency, tuple(warnings))


def plan_ref(plan_number: str | None, position: str | None,
             customer_inn: str | None = None) -> PlanRef | None:
    """A ``lotPlanInfo``/``planPosition`` block as a PlanRef (None when it names no plan and no position)."""
    if not plan_number and not position:
        return None
    return _PlanRef(plan_number=plan_number, position_number=position, customer_inn=customer_inn)


def warn(extra: dict[str, Any], notes: Iterable[str]) -> None:
    """Append ``notes`` to ``extra["warnings"]`` (kept in document order, without repeats)."""
    notes = [n for n in notes if n not in extra.get("warnings", ())]
    if notes:
        extra["warnings"] = [*extra.get("warnings", ()), *notes]
