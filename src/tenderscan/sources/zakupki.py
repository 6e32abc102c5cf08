"""zakupki.gov.ru (EIS): documents by registry number, the search feed, 223-FZ print forms, attachments.

Endpoints (``{base}`` is ``https://zakupki.gov.ru`` or ``TENDERSCAN_ZAKUPKI_URL``):

- 44-FZ notice (19 digits):   ``/epz/order/notice/printForm/viewXml.html?regNumber=ID``
- 44-FZ contract (19 digits): ``/epz/contract/printForm/viewXml.html?contractReestrNumber=ID``
  (a 19-digit number can be either: the notice endpoint is tried first unless ``kind`` says otherwise)
- 223-FZ purchase (11 digits): ``/api/mobile/proxy/223/purchase/public/purchase/info/common-info.html?regNumber=ID``
  (JSON); when that path is gone (404/410), the mobile API's other path,
  ``/api/mobile/proxy/917/223/purchase/public/purchase/info/common-info.html``. Its full notice XML is
  published as a print form, ``/223/purchase/public/print-form/show.html?pfid=N``,
  HTML-escaped inside ``div#tabs-2``. ``pfid`` is the print form's own id (not the registry number, not the
  JSON's ``noticeInfo.id``); the portal links it from the search results page of the number.
- 223-FZ contract (23 digits): ``/epz/contractfz223/printForm/viewXml.html?contractNumber=ID``
- search feed: ``/epz/order/extendedsearch/rss.html?searchString=...&morphology=on&pageNumber=N&fz44=on&fz223=on``
  (``recordsPerPage=_50`` asked; a customer's INN as ``customerInn``, a name as ``customerTitle``)
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import HTTPNotFoundError, NotFoundError, ParseError, UsageError
from ..formats.rss import parse_feed_page
from ..formats.zakupki223 import json_api as zakupki223_json
from ..models import Tender
from . import Fetched, Reader
from .http import Answer, get

NAME = "zakupki"
DEFAULT_BASE = "https://zakupki.gov.ru"
PORTAL_HOSTS = ("zakupki.gov.ru", "www.zakupki.gov.ru", "lk.zakupki.gov.ru")

NOTICE_44 = "/epz/order/notice/printForm/viewXml.html"
CONTRACT_44 = "/epz/contract/printForm/viewXml.html"
PURCHASE_223 = "/api/mobile/proxy/223/purchase/public/purchase/info/common-info.html"
# the mobile app's path of the same answer, tried when the first is gone
PURCHASE_223_ALT = "/api/mobile/proxy/917/223/purchase/public/purchase/info/common-info.html"
PRINT_FORM_223 = "/223/purchase/public/print-form/show.html"
RESULTS_PAGE = "/epz/order/extendedsearch/results.html"
CONTRACT_223 = "/epz/contractfz223/printForm/viewXml.html"
RSS = "/epz/order/extendedsearch/rss.html"

ID_PATTERNS = [
    re.compile(r"\d{19}"),  # 44-FZ notice or contract
    re.compile(r"\d{11}"),  # 223-FZ purchase
    re.compile(r"\d{23}"),  # 223-FZ contract
    re.compile(r"pfid:\d{1,12}"),  # a 223-FZ print form by its own id
]

_PFID = re.compile(r"print-form/show\.html\?pfid=(\d+)")
_TABS2 = re.compile(r"<div[^>]*\bid\s*=\s*[\"']tabs-2[\"'][^>]*>(.*?)</div>", re.S | re.I)


def base_url() -> str:
    return (os.environ.get("TENDERSCAN_ZAKUPKI_URL") or DEFAULT_BASE).rstrip("/")


def rebase(url: str | None) -> str | None:
    """A document's link to the portal, pointed at ``{base}`` (so tests and mirrors serve it)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", ""):
        return None
    if not parts.netloc:
        return base_url() + (url if url.startswith("/") else "/" + url)
    if parts.hostname in PORTAL_HOSTS:
        b = urlsplit(base_url())
        return urlunsplit((b.scheme, b.netloc, parts.path, parts.query, ""))
    return url.strip()


def id_kind(doc_id: str) -> str:
    if doc_id.startswith("pfid:"):
        return "pfid"
    return {19: "44", 11: "223", 23: "223-contract"}.get(len(doc_id), "unknown")


def fetch(client: httpx.Client, doc_id: str, *, read: Reader, kind: str | None = None,
          print_form: bool = False) -> list[Fetched]:
    """Fetch one document by registry number; returns what was read (one or more raw answers)."""
    k = id_kind(doc_id)
    if k == "44":
        return [_fetch_44(client, doc_id, kind, read)]
    if kind not in (None, "notice", "contract"):
        raise UsageError(f"--kind {kind} does not apply to {doc_id}", hint="use --kind notice or --kind contract")
    if k == "223":
        if kind == "contract":
            raise UsageError(f"{doc_id} is an 11-digit 223-FZ purchase number, not a contract",
                             hint="223-FZ contract numbers have 23 digits")
        out = [_fetch_223_json(client, doc_id)]
        if print_form:
            try:
                pfid = find_pfid(client, doc_id)
                if pfid is None:
                    raise NotFoundError("the portal's search results link no print form for it")
                out.append(fetch_print_form(client, pfid, read, expect_id=doc_id))
            except (ParseError, NotFoundError) as exc:
                out[0].warnings.append(f"{doc_id}: print form: {exc.one_line()}; stored the JSON only")
        return out
    if k == "223-contract":
        url = f"{base_url()}{CONTRACT_223}"
        answer = get(client, url, params={"contractNumber": doc_id}, expect="xml", what=f"223-FZ contract {doc_id}")
        return [read(answer, expect_id=doc_id)]
    if k == "pfid":
        return [fetch_print_form(client, doc_id.split(":", 1)[1], read)]
    raise UsageError(f"{doc_id!r} is not a zakupki.gov.ru registry number")


def _fetch_44(client: httpx.Client, doc_id: str, kind: str | None, read: Reader) -> Fetched:
    attempts = {"notice": (NOTICE_44, "regNumber"), "contract": (CONTRACT_44, "contractReestrNumber")}
    order = [kind] if kind in attempts else ["notice", "contract"]
    if kind not in (None, "notice", "contract"):
        raise UsageError(f"--kind {kind} does not apply to {doc_id}", hint="use --kind notice or --kind contract")
    last: NotFoundError | None = None
    for k in order:
        path, param = attempts[k]
        try:
            answer = get(client, f"{base_url()}{path}", params={param: doc_id}, expect="xml",
                         what=f"44-FZ {k} {doc_id}")
        except NotFoundError as exc:
            last = exc
            continue
        return read(answer, expect_id=doc_id)
    tried = " or ".join(order)
    raise NotFoundError(f"zakupki.gov.ru has no 44-FZ {tried} {doc_id}",
                        hint="check the number" + ("" if kind else "; 19-digit numbers are tried as notice, then contract")) \
        from last


def _fetch_223_json(client: httpx.Client, doc_id: str) -> Fetched:
    what = f"223-FZ purchase {doc_id}"
    try:
        answer = get(client, f"{base_url()}{PURCHASE_223}", params={"regNumber": doc_id}, expect="json",
                     what=what)
    except HTTPNotFoundError:  # the path is gone (an HTML "no such purchase" page is not this): the other one
        answer = get(client, f"{base_url()}{PURCHASE_223_ALT}", params={"regNumber": doc_id}, expect="json",
                     what=what)
    body = answer.content.strip()
    if body in (b"", b"null", b"{}") or not body.startswith(b"{"):
        raise NotFoundError(f"zakupki.gov.ru has no 223-FZ purchase {doc_id}", hint="check the number")
    try:
        parsed = zakupki223_json.parse_common_info(answer.content, doc_id)
    except ParseError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError(f"the portal's 223-FZ answer for {doc_id} could not be read ({exc})",
                         hint="retry later; the answer may be cut") from None
    tenders = [parsed] if isinstance(parsed, Tender) else list(parsed)
    return Fetched.make(tenders, answer, annotated=False)  # read here: stations still to find


def find_pfid(client: httpx.Client, doc_id: str) -> str | None:
    """The print-form id of a 223-FZ purchase, read from the portal's search results page for the number."""
    answer = get(client, f"{base_url()}{RESULTS_PAGE}",
                 params={"searchString": doc_id, "morphology": "on", "fz223": "on"}, expect="html",
                 what=f"the search results page of {doc_id}")
    return pfid_from_html(answer.content.decode("utf-8", "replace"), doc_id)


def pfid_from_html(page: str, doc_id: str) -> str | None:
    """The pfid of the print-form link in the results entry that names ``doc_id`` (the link precedes it)."""
    for m in _PFID.finditer(page):
        if doc_id in page[m.end(): m.end() + 6000]:
            return m.group(1)
    return None


def extract_print_form(page: bytes) -> bytes:
    """The notice XML inside a 223-FZ print-form page (HTML-escaped in ``div#tabs-2``)."""
    text = page.decode("utf-8", "replace")
    m = _TABS2.search(text)
    if m is None:
        raise ParseError("the print-form page holds no XML (no div#tabs-2)", hint="check the pfid")
    xml = html.unescape(m.group(1)).strip()
    if not xml.startswith("<"):
        raise ParseError("the print-form page's div#tabs-2 holds no XML", hint="check the pfid")
    return xml.encode("utf-8")


def fetch_print_form(client: httpx.Client, pfid: str, read: Reader, *,
                     expect_id: str | None = None) -> Fetched:
    answer = get(client, f"{base_url()}{PRINT_FORM_223}", params={"pfid": pfid}, expect="html",
                 what=f"223-FZ print form {pfid}")
    xml = extract_print_form(answer.content)
    doc = Answer(answer.url, answer.status, xml, "application/xml", answer.headers)
    return read(doc, expect_id=expect_id)


def attachment_url(url: str | None) -> str | None:
    """Where to download an attachment from (the portal's filestore links, rebased)."""
    return rebase(url)


# --- search -----------------------------------------------------------------------------------------------


RECORDS_PER_PAGE = 50  # asked for; the page size actually served is read from each answer
_INN = re.compile(r"\d{10}|\d{12}")  # a legal entity's INN has 10 digits, a person's or sole trader's 12


def is_inn(text: str | None) -> bool:
    return bool(text) and _INN.fullmatch(text.strip()) is not None


def search_params(query: str, *, page: int = 1, law: str | None = None, date_from: date | None = None,
                  date_to: date | None = None, customer: str | None = None,
                  per_page: int = RECORDS_PER_PAGE) -> dict[str, str]:
    """The feed's query: a customer given as an INN (10 or 12 digits) is searched by ``customerInn``,
    anything else by ``customerTitle``."""
    params = {"searchString": query, "morphology": "on", "pageNumber": str(page), "sortDirection": "false",
              "recordsPerPage": f"_{per_page}", "sortBy": "UPDATE_DATE"}
    if law in (None, "44"):
        params["fz44"] = "on"
    if law in (None, "223"):
        params["fz223"] = "on"
    if date_from:
        params["publishDateFrom"] = date_from.strftime("%d.%m.%Y")
    if date_to:
        params["publishDateTo"] = date_to.strftime("%d.%m.%Y")
    if customer and customer.strip():
        if is_inn(customer):
            params["customerInn"] = customer.strip()
        else:
            params["customerTitle"] = customer.strip()
    return params


@dataclass
class SearchPage:
    """One raw page of the search feed as the portal sent it."""

    number: int
    body: bytes
    url: str


def search_pages(client: httpx.Client, query: str, *, pages: int = 1, **filters) -> Iterator[SearchPage]:
    """The raw feed pages of a search, page 1 to ``pages`` (the caller stops reading when it has enough)."""
    for n in range(1, max(pages, 1) + 1):
        answer = get(client, f"{base_url()}{RSS}", params=search_params(query, page=n, **filters), expect="any",
                     what=f"search results page {n}")
        yield SearchPage(n, answer.content, answer.url)


def search(client: httpx.Client, query: str, *, pages: int = 1, law: str | None = None,
           date_from: date | None = None, date_to: date | None = None, customer: str | None = None,
           per_page: int = RECORDS_PER_PAGE) -> list[Tender]:
    """Hits of the portal's search feed over ``pages`` pages, without duplicates, in the feed's order.

    The page size is asked for (``recordsPerPage``) and read from the answer, not assumed: the size the
    channel's link echoes, else the number of items on the first page (the portal has served 200 items a
    page when not asked). Stops early at a page with fewer items than that (the last one), and at a page
    with no new hit (past the last page the portal repeats it). The portal applies the filters; the dates
    and a customer name are checked again here on what the feed says.
    """
    seen: set[str] = set()
    out: list[Tender] = []
    filters = dict(law=law, date_from=date_from, date_to=date_to, customer=customer, per_page=per_page)
    page_size: int | None = None
    for page in search_pages(client, query, pages=pages, **filters):
        try:
            feed = parse_feed_page(page.body)
        except ParseError as exc:
            raise ParseError(f"the portal's search feed could not be read: {exc.message}",
                             hint="retry later; the portal may have answered with an error page") from None
        new = [t for t in feed.tenders if t.id not in seen]
        for t in new:
            seen.add(t.id)
            if _keep(t, law, date_from, date_to, customer):
                out.append(t)
        if page_size is None:
            page_size = feed.records_per_page or feed.items
        if not new or feed.items < (feed.records_per_page or page_size):
            break
    return out


def _keep(t: Tender, law: str | None, date_from: date | None, date_to: date | None, customer: str | None) -> bool:
    if law and t.law and not t.law.startswith(law):
        return False
    day = t.published.date() if t.published else None
    if day is not None and ((date_from and day < date_from) or (date_to and day > date_to)):
        return False
    if customer and not is_inn(customer) and not customer.strip().isdigit():
        name = (t.customer.name if t.customer else None) or ""
        if name and customer.strip().casefold() not in name.casefold():
            return False
    return True
