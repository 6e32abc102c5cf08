"""Find station mentions in a text and decide which are stations, with the evidence of each.

A name alone is never enough: "Тверская" is a street, "Динамо" a club, "Текстильщики" a trade, and most
MCD stations are towns. A mention counts when
- a metro marker stands right before it («ст. м.», «м.», «станция метро», «станции», «МЦК», «МЦД-2»,
  «платформа») or a line is named right next to it («Киевская (Кольцевая линия)»);
- or it is one item of a list (commas, «и», new lines, numbering) whose other items or lead-in carry such
  a marker («на станциях «Площадь Революции» и «Театральная»», «станции: …»);
- or it fills a table cell (a station per row) in a text that speaks of the metro, with at least three
  such rows;
and no street, square, district, club or company word sits right against it («ул. Тверская»,
«Смоленская площадь», «ФК «Динамо»», «Киевская область»). Inflected forms and abbreviations
(«пл. Революции») need a capital letter or a marker of their own.

A name on several lines is resolved by a line named nearby (after it, before it, or in the lead-in of its
list), then by the marker («МЦК», «МЦД», «метро»); otherwise it is reported with every candidate line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .gazetteer import Entry, Gazetteer, Line, canon, line_names, load, norm

# The pre-check runs on every document: plain substring tests on the lower-cased text (fast C searches),
# a small regex only to confirm a hit. Words a metro text has and an ordinary notice rarely has; "метров",
# "ст. 99", "10 м." and "платформа" do not count.
_WORDS = ("метро", "станц", "мцк", "мцд", "монорельс", "пересадк", "о.п.", "о. п.")
_CONFIRM_METRO = re.compile(r"метро(?![а-я])|метрополит")
_ABBREV = re.compile(r"(?<![\w.])(?:[сС][тТ]\.\s*(?:[мМ]\b|[мМ]\.|[«\"“„]?[А-ЯЁ])|м\.\s*[«\"“„]?[А-ЯЁ])")


@functools.lru_cache(maxsize=1)
def _line_stems() -> tuple[str, ...]:
    """Every line name of the gazetteer without its ending ("кольцев", "арбатско-покровск")."""
    stems = {re.sub(r"(?:ая|ий|ое|ой|ы)$", "", norm(n).split()[-1]) for n in line_names()}
    return tuple(sorted(s for s in stems if len(s) > 4 and not s[-1].isdigit()))


def precheck(text: str) -> bool:
    """Cheap test: could this text speak of a metro at all? (No gazetteer load, no big regex.)"""
    low = text.lower()
    if "ё" in low:
        low = low.replace("ё", "е")
    for w in _WORDS:
        if w in low and (w != "метро" or _CONFIRM_METRO.search(low)):
            return True
    if ("м." in low or "ст." in low) and _ABBREV.search(text):
        return True
    return any(s in low for s in _line_stems())


_SEPS = r"[\s:(№,\-]*"
_MARKER = re.compile(
    r"(?:(?P<mcc>мцк)|(?P<mcd>мцд(?:\s*-?\s*\d)?|д\d|платформ[аыеуой]*|о\.\s*п\.|остановочн\w*\s+пункт\w*)"
    r"|(?P<mono>монорельс\w*)|(?P<metro>метро(?:политена)?|ст\.?\s*м\.?|(?<![\w.])м\.)"
    r"|(?P<station>станци[яиюейям]*|ст\.|(?:переход\w*|пересадк\w*)(?:\s+(?:с|со|на))?))" + _SEPS + r"$")
_M_NOT_METRO = re.compile(r"(?:\d|кв\.?|куб\.?|п\.|пог\.?|см\.?|мм\.?|км\.?)\s*м\.$")

_NEG_BEFORE = re.compile(
    r"(?<![\w])(?:ул|улиц\w*|пр-?т|просп|проспект\w*|пр-д|проезд\w*|пл|площад\w*|пер|переул\w*|ш|шоссе|б-р|бул"
    r"|бульвар\w*|наб|набережн\w*|туп|тупик\w*|алле[яи]|г|город\w*|гор|пос|посел\w*|пгт|д|дер|деревн\w*|с|село"
    r"|мкр|микрорайон\w*|р-н|район\w*|обл|област\w*|тц|трц|тк|бц|жк|фк|пфк|хк|мфк|вфск|клуб\w*|стадион\w*"
    r"|спорткомплекс\w*|ск|дс|команд\w*|кинотеатр\w*|парк\w*|усадьб\w*|музе\w*|гостиниц\w*|отел\w*|рын[оке]\w*"
    r"|магазин\w*|сквер\w*|кафе|ресторан\w*|завод\w*|комбинат\w*|фабрик\w*|ао|оао|зао|ооо|пао|гбу|гбоу|гуп|фгуп"
    r"|ано|нии|фгбу|журнал\w*|газет\w*|издательств\w*|болельщик\w*|игрок\w*|матч\w*)\.?[\s,]*$")
_NEG_AFTER = re.compile(
    r"^\s*(?:ул\.|улиц\w*|пр-т|просп\w*|пер\.|переул\w*|ш\.|шосс\w*|б-р|бульвар\w*|наб\.|набережн\w*|проезд\w*"
    r"|пр-д|туп\w*|площад\w*|пл\.|застав\w*|алле\w*|област\w*|обл\.|кра[йяю]\w*|губерни\w*|район\w*|р-н"
    r"|вокзал\w*|ж/?д|железн\w*|направлени\w*|революци\w*|правд\w*|стадион\w*|арен\w*|спорткомплекс\w*|парк\w*"
    r"|дорог\w*|трасс\w*|лавр\w*|галере\w*|филармони\w*|ярмарк\w*|аэропорт\w*|ао|оао|ооо|зао|пао"
    r"|фк|хк|футбол\w*|хоккей\w*|клуб\w*|обыгр\w*|выиграл\w*|проиграл\w*|- ?\d+:\d+|\d+:\d+)(?![\w])")
_GAP_LIST = re.compile(
    r"^[\s,;/|+()\-.:]*(?:(?:и|или|а также|а|также)(?![\w]))?[\s,;/|()\-.:]*"
    r"(?:(?:\d{1,3}[.)]?|№\s*\d+)[\s.)|]*)?"
    r"(?:(?:станци[яиюейям]*|ст\.?\s*м\.?|ст\.|м\.|метро|мцк|мцд\s*-?\s*\d?|платформ\w*)[\s:,]*)*$")
_GAP_LINE = re.compile(r"^[\s,;:()\-|/]*(?:(?:станци\w*|ст\.|м\.|метро|линии|линия)[\s,;:()\-|/]*){0,2}$")
_CELL_BEFORE = re.compile(
    r"^[\s|]*(?:\d{1,3}[.)]?[\s|]*)?(?:(?:ст\.?\s*м\.?|ст\.|м\.|станци[яи]|метро|мцк|мцд\s*-?\s*\d?)[\s:]*)?$")
_CELL_AFTER = re.compile(r"^[ \t]*(?:$|[\n\t|;]|\(|,\s|-\s)")
_RING = re.compile(r"\s*[-(]\s*(кольцев\w*|радиальн\w*)(?!\s+лини)")
_LEAD_IN = re.compile(r"станци|метро|мцк|мцд|монорельс|вестибюл|линии|линия|перегон|платформ")
_LINE_NUMBER = re.compile(
    r"(?:(?<![\w])(?:лини[яиюей]|ветк[аиуе])\s*(?:№\s*)?(?P<n1>\d{1,2}[аa]?)(?![\w]))"
    r"|(?:(?<![\w\d])(?P<n2>\d{1,2}[аa]?)(?:\s*-?\s*(?:я|й|ю|ой))?\s+(?:лини[яиюей]|ветк[аиуе])(?![\w]))")


@dataclass
class Mention:
    start: int
    end: int
    entries: list[Entry]
    kinds: set[str]
    marker: str | None = None  # metro, mcc, mcd, mono, station, line
    negative: bool = False
    capital: bool = True
    cell: bool = False
    lines: list[Line] = field(default_factory=list)  # lines named right next to it
    accepted: bool = False
    ring: str | None = None  # "ring" / "radial" from a colloquial suffix


def find_mentions(text: str, *, city: str | None = None, context: bool = False) -> list[Mention]:
    """Accepted station mentions in ``text`` (offsets into it), candidates narrowed where the text allows.

    ``context`` says the surrounding document speaks of the metro even if this text does not.
    """
    if not text or not (context or precheck(text)):
        return []
    g = load()
    low = norm(text)
    raw = [m for m in g.station_re.finditer(low)]
    if not raw:
        return []
    refs = _line_refs(g, low)
    ref_spans = [(s, e) for s, e, _ in refs]
    upper_text = not any(c.islower() for c in text if c.isalpha())
    mentions: list[Mention] = []
    for m in raw:
        s, e = m.span()
        if any(rs <= s and e <= re_ for rs, re_ in ref_spans):
            continue
        bucket = g.forms.get(canon(m.group(0)), [])
        entries = [g.entries[i] for i, _ in bucket if city is None or g.entries[i].city == city]
        if not entries:
            continue
        kinds = {k for i, k in bucket}
        cap = text[s].isupper() or text[s].isdigit() or upper_text
        mentions.append(Mention(s, e, entries, kinds, capital=cap))
    if not mentions:
        return []
    for i, mt in enumerate(mentions):
        prev_end = mentions[i - 1].end if i else 0
        next_start = mentions[i + 1].start if i + 1 < len(mentions) else len(low)
        _features(low, mt, refs, prev_end, next_start)
    metro_text = context or _LEAD_IN.search(low) is not None
    _accept(low, mentions, metro_text, refs)
    accepted = [m for m in mentions if m.accepted]
    _narrow(g, low, accepted, city)
    return accepted


def _line_refs(g: Gazetteer, low: str) -> list[tuple[int, int, list[Line]]]:
    out = []
    for m in g.line_re.finditer(low):
        lines, needs = g.line_forms.get(canon(m.group("ref")), ([], True))
        if not lines:
            continue
        s, e = m.span()
        if needs and not m.group("suffix"):  # "(Кольцевая)" or a table cell of its own
            before = low[max(0, s - 3):s].rstrip(" ")
            after = low[e:e + 3].lstrip(" ")
            paren = before.endswith("(") and after.startswith(")")
            cell = before.endswith(("\t", "|")) and (after[:1] in ("\t", "|", "\n", ""))
            if not (paren or cell):
                continue
        out.append((s, e, lines))
    for m in _LINE_NUMBER.finditer(low):
        num = (m.group("n1") or m.group("n2")).replace("а", "A").replace("a", "A")
        lines = [ln for ln in g.lines if ln.number.upper() == num]
        if lines:
            out.append((m.start(), m.end(), lines))
    out.sort(key=lambda r: r[0])
    return out


def _features(low: str, mt: Mention, refs, prev_end: int, next_start: int) -> None:
    s, e = mt.start, mt.end
    pre = low[max(prev_end, s - 60):s]
    mk = _MARKER.search(pre)
    if mk:
        kind = next(k for k, v in mk.groupdict().items() if v)
        if kind == "metro" and mk.group("metro").startswith("м.") and _M_NOT_METRO.search(pre[:mk.end()].rstrip(
                " :(№,-")):
            kind = None
        mt.marker = kind
    if _NEG_BEFORE.search(low[max(prev_end, s - 40):s]) and not mt.marker:
        mt.negative = True
    if _NEG_AFTER.search(low[e:e + 40]):
        mt.negative = True
    # lines named right after (same row) or right before the mention
    stop = min(next_start, e + 90)
    nl = low.find("\n", e, stop)
    stop = nl if nl != -1 else stop
    for rs, re_, lines in refs:
        if e <= rs < stop and _GAP_LINE.match(low[e:rs]):
            mt.lines = lines
            break
        if prev_end <= rs and re_ <= s and _GAP_LINE.match(low[re_:s]):
            mt.lines = lines
    ring = _RING.match(low, e)
    if ring:  # "Киевская-кольцевая" / "Парк культуры (радиальная)"
        mt.ring = "ring" if ring.group(1).startswith("кольцев") else "radial"
        mt.marker = mt.marker or "line"
    if mt.lines and not mt.marker:
        mt.marker = "line"
    cs = max(low.rfind("\n", 0, s), low.rfind("\t", 0, s), low.rfind("|", 0, s)) + 1
    mt.cell = bool(_CELL_BEFORE.match(low[cs:s])) and bool(_CELL_AFTER.match(low[e:e + 3]) or mt.lines)


def _accept(low: str, mentions: list[Mention], metro_text: bool, refs) -> None:
    # chains: neighbours separated only by list punctuation, numbering and markers
    chains: list[list[Mention]] = []
    for i, mt in enumerate(mentions):
        if i and mentions[i - 1].end <= mt.start and mt.start - mentions[i - 1].end <= 80 \
                and _list_gap(low, mentions[i - 1].end, mt.start):
            chains[-1].append(mt)
        else:
            chains.append([mt])
    for chain in chains:
        strong = [m for m in chain if m.marker and not m.negative]
        first = chain[0]
        lead_start = max(0, first.start - 70)
        para = low.rfind("\n\n", lead_start, first.start)
        lead_start = para + 2 if para != -1 else lead_start
        lead_ok = _LEAD_IN.search(low, lead_start, first.start) is not None
        listed = len(chain) >= 2 and bool(strong or lead_ok)
        lead_lines = [lines for rs, re_, lines in refs if lead_start <= rs and re_ <= first.start]
        if len(chain) >= 2 and chain[-1].lines and not any(m.lines for m in chain[:-1]):
            lead_lines.append(chain[-1].lines)  # "на станциях X и Y Кольцевой линии"
        for m in chain:
            if m.negative:
                continue
            if lead_lines and not m.lines:
                m.lines = lead_lines[-1]
            if m.marker or (listed and m.capital and not _only(m, "abbr")):
                m.accepted = True
    cells = [m for m in mentions if m.cell and not m.negative and m.capital and not _only(m, "abbr")]
    if metro_text and len(cells) >= 3:
        for m in cells:
            m.accepted = True
    for m in mentions:  # inflected forms and abbreviations: a capital letter or a marker of their own
        if m.accepted and _only(m, "form") and not m.capital:
            m.accepted = False
        if m.accepted and _only(m, "abbr") and not m.marker:
            m.accepted = False


def _only(m: Mention, kind: str) -> bool:
    return m.kinds == {kind}


def _list_gap(low: str, start: int, end: int) -> bool:
    """Only list punctuation, numbering, markers and named lines between two mentions?"""
    gap = low[start:end]
    if "(" in gap:  # "Киевская (Кольцевая линия), Курская"
        gap = re.sub(r"\([^()]{0,60}\)", " ", gap)
    if "лини" in gap or "ветк" in gap or "диаметр" in gap:
        gap = re.sub(r"[\w\-]+\s+(?:лини[яиюей]|ветк\w*|диаметр\w*)", " ", gap)
    return _GAP_LIST.match(gap) is not None


def _narrow(g: Gazetteer, low: str, mentions: list[Mention], city: str | None) -> None:
    """Keep the candidate lines the text supports: a named line, the marker's kind, one city."""
    for m in mentions:
        lines = {(ln.city, ln.id) for ln in m.lines}
        if lines:
            hit = [e for e in m.entries if (e.line.city, e.line.id) in lines]
            m.entries = hit or m.entries
    for m in mentions:
        if m.ring and len(m.entries) > 1:
            ring = [e for e in m.entries if norm(e.line.name) == "кольцевая"]
            hit = ring if m.ring == "ring" else [e for e in m.entries if "кольцев" not in norm(e.line.name)
                                                 and e.line.kind == "metro"]
            m.entries = hit or m.entries
        if len(m.entries) > 1:
            kinds = {"mcc": {"mcc"}, "mcd": {"mcd"}, "mono": {"monorail"}, "metro": {"metro", "mcc", "monorail"}}
            want = kinds.get(m.marker or "")
            if want:
                hit = [e for e in m.entries if e.line.kind in want]
                m.entries = hit or m.entries
    if city is None and len(g.cities) > 1:
        _pick_city(g, low, mentions)


def _pick_city(g: Gazetteer, low: str, mentions: list[Mention]) -> None:
    votes: dict[str, int] = {}
    for h in g.hint_re.finditer(low):
        cid = g.hint_city.get(canon(h.group(0)))
        if cid:
            votes[cid] = votes.get(cid, 0) + 3
    for m in mentions:
        cities = {e.city for e in m.entries}
        if len(cities) == 1:
            cid = next(iter(cities))
            votes[cid] = votes.get(cid, 0) + 1
    for m in mentions:
        cities = {e.city for e in m.entries}
        if len(cities) > 1:
            best = max(cities, key=lambda c: (votes.get(c, 0), -g.cities[c].priority))
            m.entries = [e for e in m.entries if e.city == best]
