"""The metro gazetteer: one JSON file per city under ``data/stations/``, loaded once, lazily.

Each file holds the city (name, hints), its lines (number, name, colour, opening year, other names) and
its stations as (station, line) pairs with English names, former names and spellings, plus the inflected
forms of every name (generated at build time by ``tools/build_stations.py`` with pymorphy3). A city file
without forms still works: its names are then inflected at load time with pymorphy3.

Matching runs over *normalised* text (:func:`norm`): lower case, ё→е, every dash a hyphen, quotes and odd
spaces as plain spaces. It keeps the text's length, so offsets found in it are offsets in the original.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources

_TRANS = str.maketrans({
    "ё": "е", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "«": " ", "»": " ", "„": " ", "“": " ", "”": " ", '"': " ", "'": " ", "‘": " ", "’": " ",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u00ad": " ", "\ufeff": " ",
})


def norm(text: str) -> str:
    """Lower case, ё→е, dashes→'-', quotes→' '. Same length as ``text`` (offsets stay valid)."""
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case into two ("İ"): keep one
        low = "".join(c.lower()[:1] or c for c in text)
    return low.translate(_TRANS)


def canon(text: str) -> str:
    """The key of a normalised name: words separated by one space, "им.ленина" -> "им. ленина"."""
    t = re.sub(r"[\s\-]+", " ", text.strip())
    return re.sub(r"\.\s*(?=\w)", ". ", t)


@dataclass(frozen=True)
class Line:
    city: str
    id: str
    number: str
    name: str
    name_en: str | None
    kind: str  # metro, mcc, mcd, monorail
    color: str | None
    color_name: str | None
    opened: int | None


@dataclass(frozen=True)
class Entry:
    """One (station, line) pair."""

    city: str
    city_name: str
    name: str
    name_en: str | None
    line: Line
    opened: int | None = None
    former: tuple[str, ...] = ()


@dataclass
class City:
    id: str
    name: str
    name_en: str | None
    priority: int
    hints: tuple[str, ...]
    count: int
    aliases: tuple[str, ...] = ()


@dataclass
class Gazetteer:
    cities: dict[str, City] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    # canonical normalised form -> [(entry index, kind)]; kind: name, form (inflected), abbr, former
    forms: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # canonical normalised line reference -> (lines, needs "линия" after it)
    line_forms: dict[str, tuple[list[Line], bool]] = field(default_factory=dict)
    station_re: re.Pattern | None = None
    line_re: re.Pattern | None = None
    hint_re: re.Pattern | None = None
    hint_city: dict[str, str] = field(default_factory=dict)

    def by_name(self, name: str, city: str | None = None) -> list[Entry]:
        key = canon(norm(name))
        return [self.entries[i] for i, kind in self.forms.get(key, []) if kind == "name"
                and (city is None or self.entries[i].city == city)]


# --- one regex for thousands of names: a trie of the normalised forms ------------------------------------

SEP = r"(?:\s*-\s*|\s+)"
_END = ""


def trie_regex(forms: list[str]) -> str:
    """A regex matching any of ``forms`` (canonical, normalised), longest first, with flexible separators."""
    root: dict = {}
    for f in forms:
        node = root
        for ch in f:
            node = node.setdefault(ch, {})
        node[_END] = True
    return _node_regex(root, "")


def _node_regex(node: dict, prev: str) -> str:
    alts = []
    for ch in sorted(k for k in node if k != _END):
        if ch == " ":
            sym = r"\s*" if prev == "." else SEP
        else:
            sym = re.escape(ch)
        alts.append(sym + _node_regex(node[ch], ch))
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if _END in node else body


_ADJ_END = re.compile(r"(?:ая|ой|ую|ий|ый|ого|ому|ым|им|ом|ое|ые|ых|ей)$")


def _needs_suffix(form: str) -> bool:
    """A line named only by adjectives ("Кольцевой") counts as a reference with "линия" after it."""
    return all(_ADJ_END.search(w) for w in form.split())


def _city_files():
    folder = resources.files("tenderscan") / "data" / "stations"
    return sorted((p for p in folder.iterdir() if p.name.endswith(".json")), key=lambda p: p.name)


@functools.lru_cache(maxsize=1)
def _city_data() -> tuple[dict, ...]:
    return tuple(json.loads(p.read_text(encoding="utf-8")) for p in _city_files())


def line_names() -> list[str]:
    """Every line's name (for the pre-check; cheaper than :func:`load`)."""
    return [ln["name"] for data in _city_data() for ln in data["lines"]]


@functools.lru_cache(maxsize=1)
def load() -> Gazetteer:
    """Read every city file once and build the matchers."""
    g = Gazetteer()
    for data in _city_data():
        _add_city(g, data)
    # "Киевская-кольцевая", "Курская-радиальная": colloquial ring/radial suffixes end a name too
    g.station_re = re.compile(r"(?<![\w\-])(?:" + trie_regex(sorted(g.forms)) + r")(?![\w]|-(?!кольцев|радиал)\w)")
    g.line_re = re.compile(
        r"(?<![\w\-])(?P<ref>" + trie_regex(sorted(g.line_forms)) + r")"
        r"(?P<suffix>\s+(?:лини[яиюей]|ветк[аиуео]й?|диаметр[аеуом]*)(?![\w]))?(?![\w]|-\w)")
    hints = {}
    for c in g.cities.values():
        for h in c.hints:
            hints.setdefault(canon(norm(h)), c.id)
    g.hint_city = hints
    g.hint_re = re.compile(r"(?<![\w])(?:" + trie_regex(sorted(hints)) + r")(?![\w])")
    return g


def _add_city(g: Gazetteer, data: dict) -> None:
    c = data["city"]
    city = City(c["id"], c["name"], c.get("name_en"), int(c.get("priority", 100)), tuple(c.get("hints", [])),
                int(c.get("count", len(data["stations"]))), tuple(c.get("aliases", [])))
    g.cities[city.id] = city
    lines = {}
    for ln in data["lines"]:
        line = Line(city.id, ln["id"], ln.get("number") or ln["id"], ln["name"], ln.get("name_en"),
                    ln.get("kind", "metro"), ln.get("color"), ln.get("color_name"), ln.get("opened"))
        lines[line.id] = line
        g.lines.append(line)
        for ref in [ln["name"], *ln.get("refs", []), *ln.get("ref_forms", [])]:
            key = canon(norm(ref))
            found, suffix = g.line_forms.get(key, ([], True))
            if line not in found:
                found.append(line)
            g.line_forms[key] = (found, suffix and _needs_suffix(key))
    forms = data.get("forms")
    if forms is None:
        forms = _inflect_at_runtime(data)
    for s in data["stations"]:
        entry = Entry(city.id, city.name, s["name"], s.get("name_en"), lines[s["line"]], s.get("opened"),
                      tuple(s.get("former", [])))
        idx = len(g.entries)
        g.entries.append(entry)
        variants = [(s["name"], "name"), *((v, "name") for v in s.get("spellings", [])),
                    *((f, "former") for f in s.get("former", [])),
                    *((f, "form") for n in [s["name"], *s.get("former", [])] for f in forms.get(n, [])),
                    *((a, "abbr") for a in s.get("abbreviations", []))]
        for text, kind in variants:
            key = canon(norm(text))
            bucket = g.forms.setdefault(key, [])
            if all(i != idx for i, _ in bucket):
                bucket.append((idx, kind))
    # a former name that is now another station's name means that station, not the renamed one
    for key, bucket in g.forms.items():
        if any(k == "name" for _, k in bucket):
            bucket[:] = [(i, k) for i, k in bucket if k != "former"]


def _inflect_at_runtime(data: dict) -> dict[str, list[str]]:
    """Forms for a city file that ships none (a city just added): pymorphy3 at load time."""
    from .morph import forms_for

    return forms_for({n for s in data["stations"] for n in [s["name"], *s.get("former", [])]})
