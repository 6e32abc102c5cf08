"""The portal's search feed (``/epz/order/extendedsearch/rss.html?…``), read as a list of notices.

RSS 2.0 without ``<guid>``: the registry number is in each item's ``<link>`` (``regNumber=…``). The
``<description>`` is HTML sent as escaped text (and the names in it may carry one more level of escaping):
after the XML parser has unescaped it once, it is parsed with lxml's HTML parser and read as a sequence of
``<strong>label:</strong> value`` pairs, in document order, so the portal's unclosed highlight ``<span>``s do
not matter. A feed item is a summary, not the notice: ``extra.from_feed`` is true.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from ..errors import ParseError
from ..models import Kind, Organization, Source, Tender
from ..values import MOSCOW, norm_space, to_date, to_decimal
from ..safety.xml import Paths, localname, namespace, parse_xml
from .base import Format, ParseContext

FORMAT = "zakupki-rss"
SOURCE_FORMAT = "zakupki/rss"
P = Paths({}, channel_link="channel/link", items="channel/item", first_link="channel/item/link",
          title="title", link="link", description="description", published="pubDate", author="author")

_FOUND = "Найденный результат"
_LABELS = {  # label in the description -> our key
    "Искомое слово (словосочетание)": "search_string",
    "Наименование объекта закупки": "object",
    "Размещение выполняется по": "law",
    "Наименование Заказчика": "customer",
    "Наименование заказчика": "customer",
    "Валюта": "currency",
    "Размещено": "placed",
    "Обновлено": "updated",
    "Этап размещения": "stage",
    "Идентификационный код закупки (ИКЗ)": "ikz",
}
_CURRENCIES = {
    "российский рубль": "RUB", "рубль": "RUB", "евро": "EUR", "доллар сша": "USD", "китайский юань": "CNY",
    "юань": "CNY", "юань ренминби": "CNY", "белорусский рубль": "BYN", "казахстанский тенге": "KZT",
    "тенге": "KZT", "фунт стерлингов": "GBP", "швейцарский франк": "CHF", "японская иена": "JPY",
}
_LAWS = {"44-ФЗ": "44-FZ", "223-ФЗ": "223-FZ"}
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_NUMBER_IN_TITLE = re.compile(r"№\s*(\d{11,19})\b")
_local = threading.local()


def detect(root: etree._Element) -> bool:
    """An RSS 2.0 root (no namespace) whose channel or first item links into the portal's search."""
    if localname(root) != "rss" or namespace(root):
        return False
    channel_link = P.text(root, "channel_link") or ""
    first = P.text(root, "first_link") or ""
    return channel_link.startswith("/epz/") or "zakupki.gov.ru" in channel_link or "zakupki.gov.ru" in first


def parse(root: etree._Element, ctx: ParseContext | None = None) -> Iterator[Tender]:
    for item in P.findall(root, "items"):
        yield _item(item)


@dataclass
class FeedPage:
    """One page of the search feed: its notices, and what the channel says of the page.

    ``records_per_page`` is the page size the portal echoes in the channel's link (``recordsPerPage=_50``,
    the query the page answers), None when the link does not say; ``items`` counts the page's items."""

    tenders: list[Tender]
    items: int
    records_per_page: int | None = None
    page_number: int | None = None


def parse_feed(data: bytes) -> list[Tender]:
    """Read the bytes of a search feed into notices (for ``tenderscan search``)."""
    return parse_feed_page(data).tenders


def parse_feed_page(data: bytes) -> FeedPage:
    """Read one page of the search feed: its notices and the page size and number its channel link echoes."""
    root = parse_xml(data)
    if not detect(root):
        raise ParseError("not a zakupki.gov.ru search feed (RSS 2.0 with links into the portal)",
                         hint="the portal may have answered an error page; retry later")
    digest = hashlib.sha256(data).hexdigest()
    read_at = datetime.now(UTC)
    tenders = list(parse(root))
    for t in tenders:
        t.source = Source(url=t.source.url, sha256=digest, read_at=read_at)
    query = parse_qs(urlsplit(P.text(root, "channel_link") or "").query)
    return FeedPage(tenders, len(tenders), _query_int(query, "recordsPerPage"),
                    _query_int(query, "pageNumber"))


def _query_int(query: dict[str, list[str]], key: str) -> int | None:
    """``_50`` or ``50`` -> 50 (the portal writes page sizes with a leading underscore)."""
    for value in query.get(key, []):
        digits = value.strip().lstrip("_")
        if digits.isdigit() and int(digits) > 0:
            return int(digits)
    return None


def _item(item: etree._Element) -> Tender:
    link = P.text(item, "link")
    feed_title = norm_space(P.text(item, "title"))
    fields, method, number = _description(P.text(item, "description"))
    reg = _reg_number(link) or number or _title_number(feed_title)
    if reg is None:
        raise ParseError(f"a feed item without a registry number (link {link!r})")
    currency_name = fields.get("currency")
    amount = None
    for label, value in fields.items():
        if label.startswith("Начальная") and "цена" in label:
            amount = to_decimal(value.replace(" ", ""), field="feed price") if value else None
            break
    customer_name = fields.get("customer") or _html_text(P.text(item, "author"))
    placed, updated = fields.get("placed"), fields.get("updated")
    extra = {"from_feed": True, "ikz": fields.get("ikz"), "search_string": fields.get("search_string"),
             "placed": to_date(placed, field="Размещено") if placed else None,
             "updated": to_date(updated, field="Обновлено") if updated else None,
             "currency_name": currency_name if currency_name and not _currency(currency_name) else None}
    return Tender(
        kind=Kind.notice, id=reg, source_format=SOURCE_FORMAT, law=_law(fields.get("law"), link),
        title=fields.get("object") or feed_title, published=_published(P.text(item, "published")),
        method=method, status=fields.get("stage"), url=link, country="RU",
        customer=Organization(name=customer_name, role="customer") if customer_name else None,
        currency=_currency(currency_name), amount=amount,
        extra={k: v for k, v in extra.items() if v is not None}, source=Source(url=link),
    )


def _description(text: str | None) -> tuple[dict[str, str], str | None, str | None]:
    """(label -> value for the found result, the purchase method, the "№" number) from the item's HTML."""
    pairs = _pairs(text)
    fields: dict[str, str] = {}
    method = number = None
    found = False
    after_found = 0
    for label, value in pairs:
        if label == _FOUND:
            found, after_found = True, 0
            continue
        key = _LABELS.get(label)
        if key == "search_string" and not found:
            fields[key] = value
            continue
        if not found:
            continue
        after_found += 1
        if key is not None:
            if key not in fields and value and value.lower() != "null":
                fields[key] = value
        elif label == "№" or label.isdigit():
            number = number or (label if label.isdigit() else None)
        elif after_found == 1 and not value:
            method = label  # "Электронный аукцион" before the link to the notice
        elif label not in fields and value:
            fields[label] = value
    return fields, method, number


_LABEL_START, _LABEL_END = "\ue000", "\ue001"  # private-use marks, never in the portal's text


def _html(text: str) -> etree._Element | None:
    """The HTML fragment parsed by libxml2's HTML parser (no network, no external entities)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        doc = etree.fromstring(f"<div>{text}</div>", parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if doc is None:
        return None
    body = doc.find("body")
    return body if body is not None else doc


def _pairs(text: str | None) -> list[tuple[str, str]]:
    """``<strong>label:</strong> value<br/>`` runs, in document order, whatever the nesting.

    The parsed tree is marked (a line break after each ``<br>``, private-use marks around each ``<strong>``
    and ``<b>``) and read back as text in one go: an unclosed ``<span>`` that swallows the rest of the
    description changes nothing."""
    if not text or not text.strip():
        return []
    root = _html(text)
    if root is None:
        return []
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for strong in root.iter("strong", "b"):
        strong.text = _LABEL_START + (strong.text or "")
        strong.tail = _LABEL_END + (strong.tail or "")
    pairs: list[tuple[str, str]] = []
    for line in root.xpath("string()").split("\n"):
        for chunk in line.split(_LABEL_START)[1:]:
            label, _, value = chunk.partition(_LABEL_END)
            label, value = label.replace(_LABEL_END, ""), value.replace(_LABEL_END, "")
            pairs.append((_clean_label(label), _clean(value) or ""))
    return pairs


def _clean_label(text: str) -> str:
    return (_clean(text) or "").rstrip(":").strip()


def _clean(text: str | None) -> str | None:
    """Whitespace normalised, with one more level of HTML entities undone where the portal left them."""
    if not text:
        return None
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    return " ".join(text.split()) or None  # what values.norm_space does, for text with no stray \xa0 rules


def _html_text(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    if "<" not in text:
        return _clean(text)
    root = _html(text)
    return None if root is None else _clean(root.xpath("string()"))


def _reg_number(link: str | None) -> str | None:
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get("regNumber")
    return values[0].strip() if values and values[0].strip() else None


def _title_number(title: str | None) -> str | None:
    m = _NUMBER_IN_TITLE.search(title or "")
    return m.group(1) if m else None


def _law(text: str | None, link: str | None) -> str | None:
    if text:
        return _LAWS.get(text.replace(" ", ""), text)
    if link and ("/223/" in link or "notice223" in link):
        return "223-FZ"
    return None


def _currency(name: str | None) -> str | None:
    if not name:
        return None
    return _CURRENCIES.get(name.strip().lower())


def _published(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        raise ParseError(f"pubDate: {text[:40]!r} is not an RFC 822 date") from None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(MOSCOW)


FORMATS = [
    Format(
        name=FORMAT,
        description="zakupki.gov.ru search feed (RSS 2.0): each item as a notice summary (extra.from_feed)",
        kind="xml", detect=detect, parse=parse,
    ),
]
