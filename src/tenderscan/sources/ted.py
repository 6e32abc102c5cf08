"""TED (Tenders Electronic Daily): a notice by its publication number.

``GET {base}/en/notice/{number}/xml`` where ``{base}`` is ``https://ted.europa.eu`` or ``TENDERSCAN_TED_URL``
and ``{number}`` the publication number ``NNNNN-YYYY`` (leading zeros dropped). The answer is an eForms or a
TED XML R2.0.9 notice. TED sits behind an AWS WAF: a challenge comes back as ``202`` with an empty body
(and an ``x-amzn-waf-action`` header), which is a refusal, not a document.
"""

from __future__ import annotations

import os
import re

import httpx

from ..errors import BlockedError, NotFoundError, ParseError
from . import Fetched, Reader
from .http import get, looks_like_html

NAME = "ted"
DEFAULT_BASE = "https://ted.europa.eu"
NOTICE = "/en/notice/{number}/xml"
NUMBER = re.compile(r"0*(\d{1,8})-((?:19|20)\d{2})")
ID_PATTERNS = [NUMBER]


def base_url() -> str:
    return (os.environ.get("TENDERSCAN_TED_URL") or DEFAULT_BASE).rstrip("/")


def publication_number(doc_id: str) -> str:
    m = NUMBER.fullmatch(doc_id.strip())
    return f"{int(m.group(1))}-{m.group(2)}" if m else doc_id.strip()


def fetch(client: httpx.Client, doc_id: str, *, read: Reader, kind: str | None = None,
          print_form: bool = False) -> list[Fetched]:
    number = publication_number(doc_id)
    answer = get(client, base_url() + NOTICE.format(number=number), expect="any", what=f"TED notice {number}")
    if answer.status == 202 or answer.headers.get("x-amzn-waf-action") or not answer.content.strip():
        raise BlockedError(f"TED answered {answer.status} with "
                           f"{'an empty body' if not answer.content.strip() else 'a firewall challenge'} "
                           f"for notice {number} (an AWS WAF challenge); nothing was stored",
                           hint="wait and retry later with a lower --rate, or set TENDERSCAN_USER_AGENT")
    if looks_like_html(answer.content):
        raise NotFoundError(f"TED has no notice {number} (it answered with an HTML page)",
                            hint="check the publication number, e.g. 123456-2024")
    fetched = read(answer)
    for t in fetched.tenders:
        if t.id != number and NUMBER.fullmatch(t.id):
            raise ParseError(f"TED answered with notice {t.id}, not {number}", hint="check the publication number")
        if t.id != number:  # an eForms notice without its publication number: it is the one asked for
            t.extra.setdefault("notice_uuid", t.id)
            t.id = number
            t.url = t.url or f"https://ted.europa.eu/en/notice/-/detail/{number}"
    return [fetched]


def attachment_url(url: str | None) -> str | None:
    """TED notices link procurement documents on the buyers' own platforms (web pages): not downloaded."""
    return None
