"""Shared pieces of the 44-FZ (zakupki.gov.ru, EIS) parsers.

Namespaces, unwrapping of the bulk ``export`` wrapper, one-pass reading of named paths (:class:`Fields`),
values and organisations; the blocks (attachments, purchase objects, medicines, delivery places) are in
``blocks``, ``objects`` and ``drugs``, the suppliers and participants (every shape of party) in ``parties``.
Two format generations:

* **fcs** (2014-2020): document fields in ``oos/types/1``;
* **ep** (2020+): fields in ``oos/EPtypes/1``, shared blocks in ``oos/common/1``, codes in ``oos/base/1``.

Both come in the bulk ``export`` wrapper (``oos/export/1``) or bare, as served by the portal's print-form
endpoint (root in ``oos/printform/1``). Everything is matched by namespace URI, never by prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ...errors import ParseError
from ...models import Organization, builder
from ...values import norm_space, to_date, to_datetime, to_decimal, to_quantity
from ...safety.xml import Paths, clark, localname, namespace

_Organization = builder(Organization)

EXPORT = "http://zakupki.gov.ru/oos/export/1"
PRINTFORM = "http://zakupki.gov.ru/oos/printform/1"
TYPES = "http://zakupki.gov.ru/oos/types/1"  # fcs generation
EPTYPES = "http://zakupki.gov.ru/oos/EPtypes/1"  # ep generation
COMMON = "http://zakupki.gov.ru/oos/common/1"
BASE = "http://zakupki.gov.ru/oos/base/1"
PPRF615 = "http://zakupki.gov.ru/oos/pprf615types/1"  # capital repairs (Government decree 615)

DOC_NAMESPACES = (EXPORT, PRINTFORM)
FCS_NS = {"t": TYPES, "c": COMMON, "b": BASE}
EP_NS = {"ep": EPTYPES, "c": COMMON, "b": BASE}
LAW = "44-FZ"

_EXPORT_TAG = f"{{{EXPORT}}}export"


# --- documents --------------------------------------------------------------------------------------------


def documents(root) -> list:
    """The document elements: the children of a bulk ``export`` wrapper, or the root itself."""
    if root.tag == _EXPORT_TAG:
        return [c for c in root if isinstance(c.tag, str)]
    return [root]


def fields_ns(doc) -> str:
    """The namespace of a document's fields (its first child element): tells the generation apart."""
    for c in doc:
        if isinstance(c.tag, str):
            return namespace(c)
    return ""


_DOC_PREFIXES = tuple(f"{{{ns}}}" for ns in DOC_NAMESPACES)


def classify(root) -> tuple[str, str] | None:
    """(root local name, fields namespace) of the first document, or None when it is not a 44-FZ document.

    Every 44-FZ detector calls it on every XML input, so it looks at two elements and nothing else."""
    doc, tag = root, root.tag
    if tag == _EXPORT_TAG:
        for doc in root:
            tag = doc.tag
            if isinstance(tag, str):
                break
        else:
            return None
    if not isinstance(tag, str) or not tag.startswith(_DOC_PREFIXES):
        return None
    return tag[tag.index("}") + 1 :], fields_ns(doc)


Ours = Callable[[str, str], bool]  # is (root local name, fields namespace) a document this reader reads?


def detector(ours: Ours) -> Callable[[Any], bool]:
    """A reader's ``detect(root)``: the first document is one of its own."""

    def detect(root) -> bool:
        found = classify(root)
        return found is not None and ours(*found)

    return detect


def own_documents(root, ours: Ours, what: str) -> Iterator[tuple[Any, str]]:
    """Each document of the input (``export`` wrapper or bare) with its local name; one that is not the
    reader's own (``what`` it reads, for the error) raises a ParseError."""
    for doc in documents(root):
        name = localname(doc)
        if not ours(name, fields_ns(doc)):
            raise foreign(doc, what)
        yield doc, name


def source_format(doc) -> str:
    return f"zakupki44/{localname(doc)}"


def foreign(doc, what: str) -> ParseError:
    return ParseError(
        f"<{localname(doc)}> is not {what}", hint="let tenderscan detect the format (drop --input-format)"
    )


# --- reading: named paths of a block in one pass ---------------------------------------------------------


class Found(dict):
    """What :meth:`Fields.read` found: path name -> the stripped text of the first match (None when empty),
    the element of a ``blocks`` path, the list of elements of a ``many`` path."""

    __slots__ = ()

    el = dict.get  # the accessors that only look a value up are dict.get itself (no Python-level call)
    text = dict.get

    def all(self, key: str) -> list:
        return self.get(key) or []

    def clean(self, key: str) -> str | None:
        """The text with runs of whitespace (newlines, tabs, nbsp) collapsed, as ``values.norm_space``."""
        return clean(self.get(key))

    def dec(self, key: str) -> Decimal | None:
        return to_decimal(self.get(key), field=key)

    def qty(self, key: str) -> Decimal | None:
        """A quantity without insignificant trailing zeros (``12.00000000000`` -> ``12``)."""
        return to_quantity(self.get(key), field=key)

    def when(self, key: str):
        return when(self.get(key), key)

    def day(self, key: str):
        return day(self.get(key), key)

    def flag(self, key: str) -> bool | None:
        return _FLAGS.get(self.get(key) or "")


# what Found holds is a stripped text or None; the values functions take their fast paths for the usual shapes
clean = norm_space


def when(t: str | None, key: str) -> datetime | None:
    return to_datetime(t, field=key)


def day(t: str | None, key: str) -> date | None:
    return to_date(t, field=key)


_FLAGS = {"true": True, "false": False, "1": True, "0": False}
_TRUE = frozenset(("true", "1"))


def is_true(text: str | None) -> bool:
    """An xs:boolean that is set: ``true`` or ``1``."""
    return text in _TRUE


class Fields(Paths):
    """Named paths of one block (ElementPath Clark notation, child steps only), read in ONE pass over the
    block's children and, only where a path goes deeper, theirs (for the parse and ingest targets of
    ``benchmarks/run.py``; ``Paths.text``/``find``/``findall``, one ElementPath query per path, is the plain
    reference, and the fidelity tests read the samples' values both ways).

    Each ``find``/``findtext`` call costs a few microseconds of Python-level ElementPath machinery, as much as
    walking a dozen children; a purchase object needs fifteen values, a notice header forty. Matching is on
    the full ``{namespace}local`` tag, so namespaces are still matched by URI. A path keeps the text of its
    first match (``findtext``); ``blocks`` names the paths whose first element is kept (``find``), ``many``
    those whose every element is collected (``findall``).
    """

    def __init__(
        self, nsmap: dict[str, str], *, many: Iterable[str] = (), blocks: Iterable[str] = (), **paths: str
    ):
        super().__init__(nsmap, **paths)
        many, blocks = frozenset(many), frozenset(blocks)
        unknown = (many | blocks) - set(paths)
        if unknown:
            raise ValueError(f"no such paths: {sorted(unknown)}")
        build: dict = {}
        for name, path in paths.items():
            node = build
            steps = [clark(step, nsmap) for step in path.split("/")]
            for i, step in enumerate(steps):
                entry = node.setdefault(step, [None, False, [], {}])
                if i == len(steps) - 1:
                    if name in many:
                        entry[2].append(name)
                    elif entry[0] is None:
                        entry[0], entry[1] = name, name not in blocks
                    else:
                        raise ValueError(f"paths {entry[0]!r} and {name!r} are the same")
                node = entry[3]
        self.tree = _freeze(build)

    def read(self, el) -> Found:
        found = Found()
        if el is not None:
            _walk(el, self.tree, found)
        return found


def _freeze(node: dict) -> dict:
    """tag -> (first-match key or None, keep its text?, every-match keys, subtree or None), for the walk."""
    return {
        tag: (first, as_text, tuple(every), _freeze(sub) if sub else None)
        for tag, (first, as_text, every, sub) in node.items()
    }


def _walk(el, tree: dict, found: Found) -> None:
    get = tree.get
    for child in el[:]:  # a slice builds the children in C: faster than iterating
        node = get(child.tag)
        if node is None:
            continue
        key, as_text, every, sub = node
        if key is not None and key not in found:
            if as_text:
                t = child.text
                found[key] = t.strip() or None if t else None
            else:
                found[key] = child
        if every:
            for k in every:
                found.setdefault(k, []).append(child)
        if sub is not None:
            _walk(child, sub, found)


def first(values: Iterable[Any]) -> Any:
    """The first value that is not None (zero counts: ``or`` would skip a price of 0)."""
    return next((v for v in values if v is not None), None)


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` without None, "", [] and {}. A true value is kept without the four equality tests (each a
    Python-level ``__eq__`` for a Decimal or a date): none of the values read here equals them."""
    return {k: v for k, v in d.items() if v or (v is not None and v not in ("", [], {}))}


def person_name(*parts: str | None) -> str | None:
    """Join name parts, skipping placeholders such as "-" that portals put in empty fields."""
    return " ".join(" ".join(p for p in parts if p and p.strip() not in ("-", "—")).split()) or None


def inn_from_customer_code(code: str | None) -> tuple[str, str] | None:
    """INN and KPP from the 20-digit customer code of an IKZ (1 digit, INN of 10, KPP of 9)."""
    if code and len(code) == 20 and code.isdigit():
        return code[1:11], code[11:]
    return None


# --- organisations ----------------------------------------------------------------------------------------


def _org_fields(nsmap: dict[str, str], p: str, c: str | None = None) -> Fields:
    c = c or p
    return Fields(
        nsmap,
        reg_num=f"{c}:regNum",
        cons=f"{c}:consRegistryNum",
        name=f"{c}:fullName",
        short=f"{p}:shortName",
        inn=f"{p}:INN",
        inn_l=f"{p}:inn",
        kpp=f"{p}:KPP",
        kpp_l=f"{p}:kpp",
        fact=f"{p}:factAddress",
        post=f"{p}:postAddress",
    )


# responsibleOrg(Info), publisherOrg, contract customer and placer, notice customer (ep: codes in base/1)
ORG_FCS = _org_fields(FCS_NS, "t")
ORG_EP = _org_fields(EP_NS, "ep")
CUSTOMER_EP = _org_fields(EP_NS, "b")
ORG_615 = _org_fields({"p": PPRF615}, "p")
CONTACT_FCS = Fields(
    FCS_NS,
    last="t:contactPerson/t:lastName",
    first="t:contactPerson/t:firstName",
    middle="t:contactPerson/t:middleName",
    email="t:contactEMail",
    phone="t:contactPhone",
)
CONTACT_EP = Fields(
    EP_NS,
    last="ep:contactPersonInfo/c:lastName",
    first="ep:contactPersonInfo/c:firstName",
    middle="ep:contactPersonInfo/c:middleName",
    email="ep:contactEMail",
    phone="ep:contactPhone",
)


# a builder without its frame, for the organisations read into a dict of values first
_new_organization = Organization.__pydantic_validator__.validate_python


def organization(el, F: Fields, role: str | None = None, role_code: str | None = None) -> Organization | None:
    """An organisation block (responsible org, customer, publisher) read with one generation's fields;
    ``role_code`` is the source's own code of its role (CU, RA, AI...)."""
    values = _organization(el, F, role)
    if values is None:
        return None
    if role_code:
        values["role_code"] = role_code
    return _new_organization(values)


def _organization(el, F: Fields, role: str | None) -> dict[str, Any] | None:
    if el is None:
        return None
    get = F.read(el).get
    name, reg_num, inn = clean(get("name")), get("reg_num"), get("inn") or get("inn_l")
    if not (name or reg_num or inn):
        return None
    return {
        "name": name,
        "short_name": clean(get("short")),
        "inn": inn,
        "kpp": get("kpp") or get("kpp_l"),
        "reg_num": reg_num,
        "role": role,
        "address": clean(get("fact") or get("post")),  # norm_space of a stripped text
    }


def responsible(el, F: Fields, role: str | None, contact, CF: Fields) -> Organization | None:
    """The responsible organisation with the contact person, e-mail and phone of its responsibleInfo block
    (``contact``, read with ``CF``), validated once: adding them afterwards with ``model_copy`` costs more
    than the validation itself."""
    values = _organization(el, F, role)
    if values is None:
        return None
    if contact is not None:
        get = CF.read(contact).get
        values["contact"] = person_name(get("last"), get("first"), get("middle"))
        values["email"] = get("email")
        values["phone"] = get("phone")
    return _new_organization(values)


def customer(el, F: Fields, source: Organization | None, customer_code: str | None) -> Organization | None:
    """A customer block, given the INN that 2020+ customer blocks do not carry from the block that has it:
    the responsible organisation (``source``) when it is the same body, else the IKZ customer code (set
    before the one validation, not with a ``model_copy`` after it)."""
    values = _organization(el, F, "customer")
    if values is None:
        return None
    if not values["inn"]:
        if source is not None and source.inn and source.reg_num and source.reg_num == values["reg_num"]:
            values["inn"] = source.inn
            values["kpp"] = values["kpp"] or source.kpp
            values["address"] = values["address"] or source.address
        else:
            found = inn_from_customer_code(customer_code)
            if found:
                values["inn"], values["kpp"] = found[0], values["kpp"] or found[1]
    return _new_organization(values)


def country_code(code: str | None) -> str | None:
    """ISO 3166-1 alpha-2 from an OKSM code (OKSM's numeric codes are ISO 3166-1 numeric: 643 -> RU,
    398 -> KZ); an alpha-2 or alpha-3 code is normalised. None when the code is not an ISO country (OKSM's
    own additions such as 895 Abkhazia have no ISO code)."""
    if not code:
        return None
    return "RU" if code == "643" else _iso2(code.strip())


@lru_cache(maxsize=512)
def _iso2(code: str) -> str | None:
    import pycountry  # loaded on the first country other than Russia

    if code.isdigit():
        country = pycountry.countries.get(numeric=code.zfill(3))
    elif len(code) in (2, 3) and code.isalpha():
        country = pycountry.countries.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code.upper()})
    else:
        country = None
    return country.alpha_2 if country is not None else None
