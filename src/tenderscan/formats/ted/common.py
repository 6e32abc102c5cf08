"""What TED's two notice formats (eForms UBL and TED XML R2.0.9) share: languages, countries, dates, ids."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from ...models import Item, Organization
from ...values import to_date, to_datetime
from .. import money

try:
    from zoneinfo import ZoneInfo

    LUXEMBOURG: timezone | ZoneInfo = ZoneInfo("Europe/Luxembourg")  # the Publications Office's clock
except Exception:  # noqa: BLE001 - no tz database: fall back to CET without summer time
    from datetime import timedelta

    LUXEMBOURG = timezone(timedelta(hours=1))

# ISO 639-1 -> the ISO 639-2/B codes eForms uses (the EU's official languages, plus a few TED accepts)
LANG3 = {
    "bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG", "es": "SPA", "et": "EST",
    "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV", "hu": "HUN", "it": "ITA", "lt": "LIT", "lv": "LAV",
    "mt": "MLT", "nl": "NLD", "pl": "POL", "pt": "POR", "ro": "RON", "sk": "SLK", "sl": "SLV", "sv": "SWE",
    "no": "NOR", "is": "ISL", "uk": "UKR", "ru": "RUS",
}

# ISO 3166-1 alpha-3 -> alpha-2 for the countries that publish on TED or appear as buyers' and suppliers'
ISO2 = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "HRV": "HR", "CYP": "CY", "CZE": "CZ", "DNK": "DK", "EST": "EE",
    "FIN": "FI", "FRA": "FR", "DEU": "DE", "GRC": "GR", "HUN": "HU", "IRL": "IE", "ITA": "IT", "LVA": "LV",
    "LTU": "LT", "LUX": "LU", "MLT": "MT", "NLD": "NL", "POL": "PL", "PRT": "PT", "ROU": "RO", "SVK": "SK",
    "SVN": "SI", "ESP": "ES", "SWE": "SE", "ISL": "IS", "LIE": "LI", "NOR": "NO", "CHE": "CH", "GBR": "GB",
    "MKD": "MK", "SRB": "RS", "MNE": "ME", "ALB": "AL", "BIH": "BA", "TUR": "TR", "UKR": "UA", "MDA": "MD",
    "GEO": "GE", "ARM": "AM", "USA": "US", "CAN": "CA", "JPN": "JP", "CHN": "CN", "KOR": "KR", "ISR": "IL",
    "RUS": "RU", "BLR": "BY", "AUS": "AU", "NZL": "NZ", "IND": "IN", "BRA": "BR", "MEX": "MX", "ZAF": "ZA",
    "XKX": "XK", "MCO": "MC", "AND": "AD", "SMR": "SM", "VAT": "VA",
}

_OJS = re.compile(r"(\d{4})/S\s*\d+\s*-\s*(\d+)")
_PUBNO = re.compile(r"^0*(\d{1,8})-(\d{4})$")


def country2(code: str | None) -> str | None:
    """Alpha-2 from an alpha-3 code (eForms) or TED's own alpha-2 ("UK" is GB)."""
    if not code:
        return None
    code = code.strip().upper()
    if len(code) == 3:
        return ISO2.get(code, code)
    return "GB" if code == "UK" else code


def language_order(preferred: Iterable[str], notice_language: str | None) -> list[str]:
    """Preferred languages as upper-case 3-letter codes, then the notice's own language."""
    out: list[str] = []
    for lang in preferred:
        lang = lang.strip()
        code = LANG3.get(lang.lower(), lang.upper()) if len(lang) == 2 else lang.upper()
        if code and code not in out:
            out.append(code)
    if notice_language and notice_language.upper() not in out:
        out.append(notice_language.upper())
    return out


def pick(texts: list[tuple[str | None, str]], order: list[str]) -> str | None:
    """The text in the first preferred language present, else the first text."""
    if not texts:
        return None
    by_lang: dict[str, str] = {}
    for lang, text in texts:
        by_lang.setdefault((lang or "").upper(), text)
    for lang in order:
        if lang in by_lang:
            return by_lang[lang]
    return texts[0][1]


_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2})(\.\d+)?)?(.*)$")


def norm_time(time: str | None) -> str | None:
    """A time of day as ISO ``HH:MM:SS`` (offset kept): TED notices also write ``9:00`` and ``09.00``."""
    if not time or not time.strip():
        return None
    m = _TIME.match(time.strip())
    if not m:
        return time.strip()  # not a time: the date parser says so
    h, mi, sec, frac, rest = m.groups()
    return f"{int(h):02d}:{mi}:{sec or '00'}{frac or ''}{rest}"


def when(date: str | None, time: str | None = None) -> datetime | None:
    """eForms' separate date and time (each possibly with an offset) as one aware datetime."""
    if not date:
        return None
    date = date.strip()
    day, offset = date[:10], date[10:]
    time = norm_time(time)
    if time:
        has_offset = time.endswith("Z") or re.search(r"[+-]\d{2}:?\d{2}$", time) is not None
        return to_datetime(f"{day}T{time}" + ("" if has_offset else offset), default_tz=LUXEMBOURG)
    return to_datetime(day + offset, default_tz=LUXEMBOURG)


def compact_date(text: str | None) -> datetime | None:
    """R2.0.9's YYYYMMDD dates (publication, dispatch)."""
    if not text or len(text.strip()) != 8 or not text.strip().isdigit():
        return None
    t = text.strip()
    return to_datetime(f"{t[:4]}-{t[4:6]}-{t[6:]}", default_tz=LUXEMBOURG)


def plain_date(text: str | None):
    return to_date(text) if text else None


def publication_number(text: str | None) -> str | None:
    """`2019/S 109-267097` (OJ S reference) or `00267097-2019` as the publication number `267097-2019`."""
    if not text:
        return None
    m = _OJS.search(text)
    if m:
        return f"{int(m.group(2))}-{m.group(1)}"
    m = _PUBNO.match(text.strip())
    if m:
        return f"{int(m.group(1))}-{m.group(2)}"
    return None


def notice_url(pubno: str | None) -> str | None:
    return f"https://ted.europa.eu/en/notice/-/detail/{pubno}" if pubno else None


@dataclass(frozen=True)
class Value:
    """A notice's amount, and what it is (``amount_basis``)."""

    amount: Decimal | None
    currency: str | None
    basis: str | None


def estimated(own: money.Money, parts: Sequence[money.Money]) -> Value:
    """A notice's estimated value: its own, else its lots' (or objects') values added up where they are in
    one currency ("lot values"; a notice's one lot: "estimated value")."""
    if own[0] is not None:
        return Value(own[0], own[1], "estimated value")
    t = money.total(parts)
    basis = ("estimated value" if len(parts) == 1 else "lot values") if t.amount is not None else None
    return Value(t.amount, t.currency, basis)


def currency_once(items: Iterable[Item], currency: str | None) -> None:
    """Leave out the items' currency where it is the notice's (an item names only a currency of its own)."""
    for it in items:
        if it.currency == currency:
            it.currency = None


def unique(orgs: Iterable[Organization | None]) -> list[Organization]:
    out: list[Organization] = []
    seen: set[tuple] = set()
    for o in orgs:
        if o is None:
            continue
        key = (o.name, o.inn)
        if key not in seen:
            seen.add(key)
            out.append(o)
    return out


def join(*parts: str | None) -> str | None:
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return ", ".join(seen) or None
