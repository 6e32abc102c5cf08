"""Inflected forms of station and line names, generated with pymorphy3.

Used at build time by ``tools/build_stations.py`` (the forms are then shipped in the city files) and at
load time only for a city file that ships no forms.
"""

from __future__ import annotations

import re

CASES = ("gent", "datv", "accs", "ablt", "loct", "loc2")
NOMINAL = {"NOUN", "ADJF", "PRTF"}


def _head_parses(morph, words: list[str]):
    """Parses for the leading nominative words (adjectives and the first noun); None for words kept as is."""
    out = []
    number = None
    after_noun = False
    for i, w in enumerate(words):
        if after_noun:
            if w == "и":  # "Серп и Молот": both nouns inflect
                out.append(None)
                after_noun = False
                continue
            break
        if not re.fullmatch(r"[А-Яа-яЁё-]+", w):
            break
        prefix, last = _split_compound(w)
        cands = [p for p in morph.parse(last.lower()) if p.tag.POS in NOMINAL and p.tag.case == "nomn"]
        if number:
            same = [p for p in cands if p.tag.number == number]
            cands = same or cands
        if not cands:
            break
        p = cands[0]
        p = _Compound(prefix, p) if prefix else p
        if "Fixd" in p.tag:
            out.append(None)  # indeclinable (шоссе, динамо): keep
        else:
            out.append(p)
        number = number or p.tag.number
        if p.tag.POS == "NOUN" and "Surn" not in p.tag:  # "Воробьёвы горы": a surname-like adjective
            after_noun = True
    return out


def _split_compound(word: str) -> tuple[str, str]:
    """"Арбатско-Покровская" -> ("Арбатско-", "Покровская"): compound adjectives inflect their last part."""
    head, sep, last = word.rpartition("-")
    if sep and head.lower().endswith(("о", "е")) and re.fullmatch(r"[А-Яа-яЁё]+", last):
        return head + "-", last
    return "", word


class _Compound:
    """A parse of the last part of a compound word that inflects into the whole word."""

    def __init__(self, prefix: str, parse):
        self.prefix, self.parse, self.tag = prefix, parse, parse.tag

    def inflect(self, grammemes):
        inf = self.parse.inflect(grammemes)
        if inf is None:
            return None

        class _W:
            word = self.prefix.lower() + inf.word
        return _W()


def _match_case(form: str, original: str) -> str:
    parts_f, parts_o = form.split("-"), original.split("-")
    if len(parts_f) != len(parts_o):
        return form[:1].upper() + form[1:] if original[:1].isupper() else form
    res = []
    for f, o in zip(parts_f, parts_o):
        if o.isupper() and len(o) > 1:
            res.append(f.upper())
        elif o[:1].isupper():
            res.append(f[:1].upper() + f[1:])
        else:
            res.append(f)
    return "-".join(res)


def inflections(morph, name: str) -> list[str]:
    """The oblique-case forms of a station name ("Охотный Ряд" -> "Охотного Ряда", "Охотном Ряду"...)."""
    words = name.split()
    heads = _head_parses(morph, words)
    if not heads or all(h is None for h in heads):
        return []
    forms = []
    for case in CASES:
        new = list(words)
        ok = True
        for i, p in enumerate(heads):
            if p is None:
                continue
            grammemes = {case}
            if p.tag.number:
                grammemes.add(p.tag.number)
            inf = None
            if case == "accs" and p.tag.animacy != "anim" and (p.tag.number == "plur" or p.tag.gender == "masc"):
                inf = p.inflect(grammemes | {"inan"})  # "Охотный Ряд", not "Охотного Ряд"
            inf = inf or p.inflect(grammemes)
            if inf is None:
                if case == "loc2":
                    ok = False
                    break
                continue
            if "ё" not in words[i].lower():
                word = inf.word.replace("ё", "е")
            else:
                word = inf.word
            new[i] = _match_case(word, words[i])
        if ok:
            f = " ".join(new)
            if f != name and f not in forms:
                forms.append(f)
    return forms




def forms_for(names) -> dict[str, list[str]]:
    """Inflected forms of each name; empty when pymorphy3 or its dictionary is not installed."""
    try:
        import pymorphy3

        morph = pymorphy3.MorphAnalyzer()
    except Exception:  # noqa: BLE001 - forms improve recall, they are never required
        return {}
    return {n: fs for n in names if (fs := inflections(morph, n))}
