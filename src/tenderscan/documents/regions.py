"""The region of a document (``Tender.region``), from what the document itself says, by one rule for every
format.

Russian documents get the name of a federal subject from ``data/ru_regions.csv`` (85 subjects: the
subject code that KLADR, FIAS/GAR and the tax service share, the OKATO code, ISO 3166-2; see
``data/SOURCES-regions.md``). The first rule that gives an answer wins, and ``extra["region_source"]`` says
which one it was:

1. the region the reader found (TED: the buyer's NUTS code; ProZorro and OCDS: the buyer's address region)
   is kept as it is (no ``region_source``);
2. ``customer.region``: the customer's region as the document states it (223-FZ ``mainInfo/region``),
   given as the subject's name when it names one, else as written;
3. ``customer.address``: the first part of the customer's address (postal order: index, region, city,
   street) that names a federal subject ("Свердловская обл", "г. Москва", "ОБЛ КЕМЕРОВСКАЯ");
4. ``places.kladr`` / ``places.okato`` / ``places.nuts`` / ``places.region``: the codes of the delivery
   places, when every place that has one is in the same region (KLADR: its first two digits; OKATO: its
   first two, the autonomous okrugs by their own root code; NUTS: the longest code all places share);
5. ``places.text``: the delivery places' addresses, read as in 3, when they all name the same subject;
6. ``customer.kpp``: the first two digits of the customer's KPP, the code of the region of the tax office
   the customer is registered with (not 99: the interregional inspectorates of the largest taxpayers).
   Last, because it says where the customer is registered for tax, which is almost always but not
   always where it sits. The INN is never used: its first digits say where the organisation was first
   registered, which may be decades and several moves ago.

Nothing is guessed from names of cities or organisations. A GAR GUID carries no region by itself; its
place's address text is read instead (rule 5).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

from ..models import Place, Tender


@dataclass(frozen=True)
class Subject:
    code: str  # the subject code of KLADR, FIAS/GAR and the tax service ("77")
    okato: str  # its OKATO root ("45"; "11100" for the Nenets okrug)
    iso: str | None  # ISO 3166-2 ("RU-MOW")
    name: str  # the official name ("Москва", "Свердловская область")


@dataclass(frozen=True)
class Table:
    by_code: dict[str, Subject]
    by_okato: dict[str, Subject]
    by_name: dict[str, Subject]  # normalised names and aliases


# words that say what kind of subject a name is: left out before names are compared
_KIND_WORDS = frozenset(
    "г гор город обл область край кр респ республика ао аобл автономный автономная округ федерального "
    "значения субъект".split())
_COUNTRY = frozenset({"российская федерация", "россия", "рф"})
_NOT_LETTERS = re.compile(r"[^\w\s-]+")
_DASHES = re.compile(r"\s+[-–—]+\s+|\s+[-–—]+|[-–—]+\s+|[–—]")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=8192)  # address parts repeat from document to document
def norm(text: str) -> str:
    """A name or address part compared as words: case, ё, punctuation, kind words and numbers left out."""
    s = text.casefold().replace("ё", "е")
    s = _DASHES.sub(" ", s)
    s = _NOT_LETTERS.sub(" ", s)
    words = [w for w in _SPACES.split(s) if w and w not in _KIND_WORDS and not w.isdigit()]
    return " ".join(words)


@functools.lru_cache(maxsize=1)
def table() -> Table:
    by_code, by_okato, by_name = {}, {}, {}
    with (resources.files("tenderscan") / "data" / "ru_regions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            s = Subject(row["code"], row["okato"], row["iso"] or None, row["name"])
            by_code[s.code] = s
            by_okato[s.okato] = s
            for name in [s.name, *filter(None, row["aliases"].split("|"))]:
                by_name.setdefault(norm(name), s)
    return Table(by_code, by_okato, by_name)


def subject_named(text: str | None) -> Subject | None:
    """The federal subject a region name names ("ГОРОД МОСКВА", "СЕВЕРНАЯ ОСЕТИЯ - АЛАНИЯ Респ")."""
    if not text:
        return None
    return table().by_name.get(norm(text))


def subject_of_address(text: str | None, parts: int = 2) -> Subject | None:
    """The subject the first ``parts`` meaningful parts of an address name (the country, the postal index
    and a lead-in such as "по адресу Заказчика:" are skipped)."""
    if not text:
        return None
    seen = 0
    for part in text.split(","):
        part = part.rsplit(":", 1)[-1]
        key = norm(part)
        if not key or key in _COUNTRY:
            continue
        found = table().by_name.get(key)
        if found:
            return found
        seen += 1
        if seen >= parts:
            return None
    return None


def subject_of_kladr(code: str | None) -> Subject | None:
    if not code or not code[:2].isdigit():
        return None
    return table().by_code.get(code[:2])


_OKRUG_ROOTS = {"11": ("11100",), "71": ("71100", "71140")}  # autonomous okrugs inside another subject


def subject_of_okato(code: str | None) -> Subject | None:
    """An OKATO code's subject. Within the Arkhangelsk and Tyumen regions (11, 71) only the root codes of
    their autonomous okrugs and of the region itself say which subject a code is in."""
    if not code or not code.isdigit() or len(code) < 2 or set(code) == {"0"}:
        return None
    head = code[:2]
    if head in _OKRUG_ROOTS:
        for root in _OKRUG_ROOTS[head]:
            if code.startswith(root) and set(code[len(root):]) <= {"0"}:
                return table().by_okato.get(root)
        return table().by_okato.get(head) if set(code[2:]) <= {"0"} else None
    return table().by_okato.get(head)


def subject_of_kpp(kpp: str | None) -> Subject | None:
    if not kpp or len(kpp) != 9 or not kpp[:2].isdigit() or kpp[:2] == "99":
        return None
    return table().by_code.get(kpp[:2])


def _one(values: list[str | None]) -> str | None:
    found = {v for v in values if v}
    return found.pop() if len(found) == 1 else None


def _common_nuts(codes: list[str]) -> str | None:
    """The longest NUTS code every place's code starts with (at least a country and one level)."""
    codes = [c.strip().upper() for c in codes if c and c.strip()]
    if not codes:
        return None
    prefix = codes[0]
    for c in codes[1:]:
        while not c.startswith(prefix):
            prefix = prefix[:-1]
    return prefix if len(prefix) >= 3 else None


def _places(places: list[Place]) -> tuple[str, str] | None:
    subjects = [subject_of_kladr(p.kladr) for p in places if p.kladr]
    if subjects and all(subjects) and _one([s.name for s in subjects]):
        return subjects[0].name, "places.kladr"  # type: ignore[union-attr]
    subjects = [subject_of_okato(p.okato) for p in places if p.okato]
    if subjects and all(subjects) and _one([s.name for s in subjects]):
        return subjects[0].name, "places.okato"  # type: ignore[union-attr]
    nuts = _common_nuts([p.nuts for p in places if p.nuts])  # type: ignore[misc]
    if nuts:
        return nuts, "places.nuts"
    named = [p.region for p in places if p.region]
    if named:
        subjects = [subject_named(r) for r in named]
        if all(subjects) and _one([s.name for s in subjects]):
            return subjects[0].name, "places.region"  # type: ignore[union-attr]
    return None


def _place_texts(t: Tender) -> str | None:
    texts = [p.text for p in t.places if p.text] or list(t.delivery_places)
    subjects = [subject_of_address(x) for x in texts]
    if subjects and all(subjects):
        return _one([s.name for s in subjects])  # type: ignore[union-attr]
    return None


def _russian(t: Tender) -> bool:
    c = t.customer
    return (t.law in ("44-FZ", "223-FZ") or t.source_format.startswith("zakupki")
            or bool(c and c.country == "RU"))


def apply(t: Tender) -> None:
    """Fill ``t.region`` by the rule above (a region the reader found is kept)."""
    if t.region:
        return
    c = t.customer
    found: tuple[str, str] | None = None
    if c and c.region:
        s = subject_named(c.region) if _russian(t) else None
        found = (s.name if s else c.region), "customer.region"
    if found is None and c and c.address and _russian(t):
        s = subject_of_address(c.address)
        if s:
            found = s.name, "customer.address"
    if found is None and t.places:
        found = _places(t.places)
    if found is None and _russian(t):
        name = _place_texts(t)
        if name:
            found = name, "places.text"
    if found is None and c and _russian(t):
        s = subject_of_kpp(c.kpp)
        if s:
            found = s.name, "customer.kpp"
    if found is not None:
        t.region, t.extra["region_source"] = found
