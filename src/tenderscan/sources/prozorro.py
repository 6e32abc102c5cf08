"""ProZorro (Ukraine): a tender by its id from the openprocurement public API.

``GET {base}/api/2.5/tenders/{id}`` where ``{base}`` is ``https://public-api.prozorro.gov.ua`` or
``TENDERSCAN_PROZORRO_URL`` and ``{id}`` the 32-hex id. The human tender ID (``UA-2022-07-23-000100-a``) is what
tenderscan stores and shows: a stored one is served from the store; the API itself is addressed by the hex
id only (it is in the tender's page address and in ``source.source_id``).
"""

from __future__ import annotations

import os
import re

import httpx

from ..errors import NotFoundError, ParseError
from . import Fetched, Reader
from .http import get

NAME = "prozorro"
DEFAULT_BASE = "https://public-api.prozorro.gov.ua"
TENDER = "/api/2.5/tenders/{id}"
HEX = re.compile(r"[0-9a-f]{32}")
TENDER_ID = re.compile(r"UA-\d{4}-\d{2}-\d{2}-\d{6}-[a-z]")
ID_PATTERNS = [HEX, TENDER_ID]


def base_url() -> str:
    return (os.environ.get("TENDERSCAN_PROZORRO_URL") or DEFAULT_BASE).rstrip("/")


def fetch(client: httpx.Client, doc_id: str, *, read: Reader, kind: str | None = None,
          print_form: bool = False) -> list[Fetched]:
    """One tender by its 32-hex id (a UA-... tender ID can only be served from the store)."""
    doc_id = doc_id.strip()
    if TENDER_ID.fullmatch(doc_id):
        raise NotFoundError(f"{doc_id} is not in the store, and ProZorro's API looks tenders up by their 32-hex id",
                            hint="fetch the hex id from the tender's page address "
                                 "(prozorro.gov.ua/tender/... links to it), e.g. tenderscan fetch 0123...cdef")
    hex_id = doc_id.lower()
    answer = get(client, base_url() + TENDER.format(id=hex_id), expect="json", what=f"ProZorro tender {hex_id}")
    fetched = read(answer)
    if not any(t.source.source_id == hex_id for t in fetched.tenders):
        found = ", ".join(sorted(str(t.source.source_id) for t in fetched.tenders))
        raise ParseError(f"ProZorro answered with tender {found}, not {hex_id}", hint="check the id")
    return [fetched]


def attachment_url(url: str | None) -> str | None:
    """Documents are files on ProZorro's document service: download them as linked."""
    if url and url.startswith(("http://", "https://")):
        return url
    return None
