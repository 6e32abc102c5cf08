"""Metro stations named in a document: a gazetteer (Moscow, Saint Petersburg; a city is a data file) and
an extractor that keeps the evidence of every match.

    >>> from tenderscan.stations import extract
    >>> [(s.name, s.line) for s in extract("Монтаж экранов на ст. м. «Охотный Ряд»")]
    [('Охотный Ряд', 'Сокольническая')]

``annotate(tender)`` fills ``tender.stations`` from the title, items (names, delivery places), lots,
delivery places and attachment texts. It costs almost nothing for a document that never mentions a
metro: a precompiled pre-check runs first, and the gazetteer is loaded only when a text passes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..models import Evidence, Station, Tender
from .finder import Mention, find_mentions, precheck
from .gazetteer import Entry, canon, load, norm

__all__ = ["annotate", "cities", "city_conflict", "extract", "extract_fields", "gazetteer_rows", "named_city",
           "station_count"]

EVIDENCE_CHARS = 70  # characters of context kept on each side of a mention


def extract(text: str, field: str = "text", city: str | None = None) -> list[Station]:
    """The stations named in ``text``, one per (station, line), each with its evidence."""
    return extract_fields([(field, text or "")], city=city)


def extract_fields(fields: Iterable[tuple[str, str]], *, city: str | None = None,
                   long_fields: Iterable[tuple[str, str]] = ()) -> list[Station]:
    """Stations from several named texts of one document.

    Short ``fields`` (title, item names, places) are searched as one text, so a list spread over item
    names reads as a list; each ``long_fields`` text (an attachment) is searched on its own, knowing
    whether the short fields spoke of the metro.
    """
    fields = [(f, t) for f, t in fields if t]
    long_fields = [(f, t) for f, t in long_fields if t]
    joined, spans = _join(fields)
    context = precheck(joined) if joined else False
    if not context and not any(precheck(t) for _, t in long_fields):
        return []
    city = _city_id(city)
    found: list[tuple[Mention, str, str]] = []
    for m in find_mentions(joined, city=city):
        name, text = _field_at(spans, joined, m)
        found.append((m, name, _snippet(text[0], m.start - text[1], m.end - text[1])))
    for name, text in long_fields:
        for m in find_mentions(text, city=city, context=context):
            found.append((m, name, _snippet(text, m.start, m.end)))
    return _stations(found)


def annotate(tender: Tender, city: str | None = None) -> None:
    """Fill ``tender.stations`` from the document's texts (replacing what was there).

    ``city`` limits the search to one city of the gazetteer; by default the texts decide.
    """
    if not _may_mention(tender):  # most documents: no field names built, the same empty answer
        tender.stations = []
        return
    fields: list[tuple[str, str]] = [("title", tender.title or "")]
    for i, lot in enumerate(tender.lots):
        fields.append((f"lots[{i}].title", lot.title or ""))
        fields.extend((f"lots[{i}].delivery_places[{j}]", p) for j, p in enumerate(lot.delivery_places))
    for i, item in enumerate(tender.items):
        fields.append((f"items[{i}].name", item.name or ""))
        fields.extend((f"items[{i}].delivery_places[{j}]", p) for j, p in enumerate(item.delivery_places))
    fields.extend((f"delivery_places[{j}]", p) for j, p in enumerate(tender.delivery_places))
    attachments = [(f"attachments[{i}]", a.text or "") for i, a in enumerate(tender.attachments)]
    if not any(t for _, t in fields) and not any(t for _, t in attachments):
        tender.stations = []
        return
    tender.stations = extract_fields(fields, long_fields=attachments, city=city)


# --- helpers ---------------------------------------------------------------------------------------------


def _may_mention(tender: Tender) -> bool:
    """False when :func:`extract_fields` would find nothing because no text passes the pre-check: the same
    texts joined the same way (``_join`` of the non-empty short fields), and each attachment text."""
    texts = [tender.title]
    for lot in tender.lots:
        texts.append(lot.title)
        texts.extend(lot.delivery_places)
    for item in tender.items:
        texts.append(item.name)
        texts.extend(item.delivery_places)
    texts.extend(tender.delivery_places)
    joined = "\n\n".join([t for t in texts if t])
    if joined and precheck(joined):
        return True
    return any(a.text and precheck(a.text) for a in tender.attachments)


def _join(fields: list[tuple[str, str]]) -> tuple[str, list[tuple[int, int, str]]]:
    parts, spans, pos = [], [], 0
    for name, text in fields:
        spans.append((pos, pos + len(text), name))
        parts.append(text)
        pos += len(text) + 2
    return "\n\n".join(parts), spans


def _field_at(spans, joined: str, m: Mention) -> tuple[str, tuple[str, int]]:
    for start, end, name in spans:
        if start <= m.start < end + 1:
            return name, (joined[start:end], start)
    return "text", (joined, 0)


def _snippet(text: str, start: int, end: int) -> str:
    """The row or sentence around a mention, at most EVIDENCE_CHARS on each side, spaces collapsed."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le == -1 else le
    a = max(ls, start - EVIDENCE_CHARS)
    b = min(le, end + EVIDENCE_CHARS)
    if a > ls:
        sp = text.find(" ", a, start)
        a = sp + 1 if sp != -1 else a
    if b < le:
        sp = text.rfind(" ", end, b)
        b = sp if sp != -1 else b
    out = " ".join(text[a:b].split())
    return ("…" if a > ls else "") + out + ("…" if b < le else "")


def _station(e: Entry) -> Station:
    return Station(name=e.name, line=e.line.name, line_number=e.line.number, line_color=e.line.color,
                   city=e.city_name, name_en=e.name_en)


def _stations(found: list[tuple[Mention, str, str]]) -> list[Station]:
    """One Station per (city, name, line); an unresolved mention joins the one line the document resolved."""
    resolved: dict[tuple[str, str, str], Station] = {}
    unresolved: dict[tuple[str, str], tuple[Station, list[Entry]]] = {}
    pending = []
    for m, fname, snip in found:
        ev = Evidence(field=fname, text=snip)
        names = {(e.city, e.name) for e in m.entries}
        for city, name in sorted(names):
            entries = [e for e in m.entries if (e.city, e.name) == (city, name)]
            if len(entries) == 1:
                key = (city, name, entries[0].line.id)
                st = resolved.get(key)
                if st is None:
                    st = resolved[key] = _station(entries[0])
                _add(st, ev)
            else:
                pending.append((city, name, entries, ev))
    for city, name, entries, ev in pending:
        lines = [e.line.id for e in entries if (city, name, e.line.id) in resolved]
        if len(lines) == 1:
            _add(resolved[(city, name, lines[0])], ev)
            continue
        key = (city, name)
        if key not in unresolved:
            e0 = entries[0]
            st = Station(name=name, city=e0.city_name, name_en=e0.name_en,
                         candidate_lines=[e.line.name for e in entries])
            unresolved[key] = (st, entries)
        st, _ = unresolved[key]
        for e in entries:
            if e.line.name not in st.candidate_lines:
                st.candidate_lines.append(e.line.name)
        _add(st, ev)
    return list(resolved.values()) + [st for st, _ in unresolved.values()]


def _add(st: Station, ev: Evidence) -> None:
    if all((x.field, x.text) != (ev.field, ev.text) for x in st.evidence):
        st.evidence.append(ev)


def _city_id(city: str | None) -> str | None:
    """A city given as id, Russian or English name (case-insensitive); None for every city."""
    if not city:
        return None
    g = load()
    want = norm(city).strip()
    for c in g.cities.values():
        if want in (c.id, norm(c.name), norm(c.name_en or ""), *(norm(a) for a in c.aliases)):
            return c.id
    from ..errors import UsageError

    raise UsageError(f"unknown city {city!r}", hint="use one of: " + ", ".join(sorted(g.cities)))


def named_city(texts: Iterable[str | None]) -> tuple[str, str] | None:
    """The city a text names as its own, by the gazetteer's hints ("г. Москва", "Московский метрополитен",
    "Санкт-Петербург"...): (city id, the first hint found) when one city's hints outnumber every other's
    more than twice over; None when the text names no city or several alike."""
    g = load()
    votes: dict[str, int] = {}
    first: dict[str, str] = {}
    for text in texts:
        if not text:
            continue
        low = norm(text)
        for h in g.hint_re.finditer(low):
            cid = g.hint_city.get(canon(h.group(0)))
            if cid:
                votes[cid] = votes.get(cid, 0) + 1
                first.setdefault(cid, " ".join(re.sub("[«»\"“”„]", " ", text[h.start():h.end()]).split()))
    if not votes:
        return None
    best = max(votes, key=lambda c: votes[c])
    others = sum(v for c, v in votes.items() if c != best)
    return (best, first[best]) if votes[best] > 2 * others else None


def city_conflict(texts: Iterable[str | None], city: str | None) -> str | None:
    """A one-line warning when ``city`` (the --city given) is not the city the texts name, else None."""
    cid = _city_id(city)
    if cid is None:
        return None
    named = named_city(texts)
    if named is None or named[0] == cid:
        return None
    g = load()
    other, hint = g.cities[named[0]], g.cities[cid]
    return (f"the text names {other.name_en or other.name} (\"{named[1]}\") but --city {city} searches "
            f"{hint.name_en or hint.name}'s stations only: names the two cities share are matched to "
            f"{hint.name_en or hint.name}'s lines; give --city {other.id} or leave --city out")


def document_texts(tender: Tender) -> list[str | None]:
    """The texts of a document that may name its city: title, customer, places, items, attachments."""
    c = tender.customer
    texts = [tender.title, c.name if c else None, c.address if c else None, *tender.delivery_places]
    texts += [it.name for it in tender.items] + [a.text for a in tender.attachments]
    return texts


def cities() -> list[dict]:
    """The cities of the gazetteer with their station counts."""
    return [{"id": c.id, "name": c.name, "name_en": c.name_en, "stations": c.count} for c in load().cities.values()]


def station_count(city: str | None = None) -> int:
    cid = _city_id(city)
    return sum(1 for e in load().entries if cid is None or e.city == cid)


def gazetteer_rows(city: str | None = None) -> list[dict]:
    """Every (station, line) pair, as rows."""
    cid = _city_id(city)
    return [{"city": e.city_name, "name": e.name, "name_en": e.name_en, "line": e.line.name,
             "line_number": e.line.number, "line_color": e.line.color, "line_kind": e.line.kind,
             "opened": e.opened, "line_opened": e.line.opened, "former": list(e.former)}
            for e in load().entries if cid is None or e.city == cid]
