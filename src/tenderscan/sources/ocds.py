"""OCDS: a contracting process by its ocid, from the store or from a publisher's API (``--url``).

OCDS has no central portal: each publisher serves its own API. An ``ocds-xxxxxx-...`` ID is served from the
store when it is there; otherwise ``--url`` names the publisher's address for it (a release package, record
package or release), which is read with the OCDS reader (releases merged per ocid) and must hold that ocid.
"""

from __future__ import annotations

import re

import httpx

from ..errors import NotFoundError, ParseError
from . import Fetched, Reader
from .http import get

NAME = "ocds"
ACCEPTS_URL = True
ID_PATTERNS = [re.compile(r"ocds-[0-9a-z]{6}-\S+", re.IGNORECASE)]


def fetch(client: httpx.Client, doc_id: str, *, read: Reader, kind: str | None = None, print_form: bool = False,
          url: str | None = None) -> list[Fetched]:
    if not url:
        raise NotFoundError(f"{doc_id} is not in the store",
                            hint="OCDS has no central portal: pass --url with the publisher's API address for it "
                                 "(a release or record package), or read a downloaded file with `show`")
    answer = get(client, url, expect="json", what=f"OCDS data for {doc_id}")
    fetched = read(answer)
    mine = [t for t in fetched.tenders if t.id.lower() == doc_id.lower()]
    if not mine:
        found = ", ".join(sorted({t.id for t in fetched.tenders})[:5])
        raise ParseError(f"the answer at {url} holds no {doc_id} (it holds {found})",
                         hint="check the ocid and the URL")
    fetched.tenders = mine
    return [fetched]


def attachment_url(url: str | None) -> str | None:
    if url and url.startswith(("http://", "https://")):
        return url
    return None
