"""Portals: where documents are fetched from by ID, and the HTTP client they share.

A portal is a module in this package with ``NAME``, ``ID_PATTERNS`` (full-match regexes of the IDs it
serves), ``fetch(client, id, *, read, kind=None, print_form=False) -> list[Fetched]`` and
``attachment_url(url) -> str | None``; ``ACCEPTS_URL = True`` when it takes ``url=`` (``--url``). List it in
``_MODULES`` (first match wins). A portal asks for a document and checks the answer; it reads an answer with
the ``read`` it is given (the documents layer's, :func:`tenderscan.services.fetch.read_answer`), or with a
reader of :mod:`tenderscan.formats` of its own. Everything around it (the store, concurrency, attachments) is
:mod:`tenderscan.services.fetch`'s.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

from ..errors import UsageError
from ..models import Tender

if TYPE_CHECKING:
    from .http import Answer

_MODULES = ["zakupki", "prozorro", "ted", "ocds"]


@dataclass
class Fetched:
    """One raw answer and the tenders read from it. ``annotated`` is False for tenders a portal read with a
    reader of its own: their stations are still to be found (the documents layer's ``read`` finds them)."""

    tenders: list[Tender]
    raw: bytes
    url: str
    status: int
    warnings: list[str] = field(default_factory=list)
    annotated: bool = True

    @classmethod
    def make(cls, tenders: list[Tender], answer: "Answer", *, annotated: bool = True) -> "Fetched":
        """The answer's tenders, their ``source`` naming it (URL, HTTP status, sha256 and size)."""
        digest = hashlib.sha256(answer.content).hexdigest()
        for t in tenders:
            t.source.url = t.source.url or answer.url
            t.source.http_status = answer.status
            t.source.sha256 = t.source.sha256 or digest
            t.source.size = t.source.size or len(answer.content)
        return cls(tenders, answer.content, answer.url, answer.status, annotated=annotated)


class Reader(Protocol):
    """How a portal reads an answer into tenders (given by the caller: the documents layer's reader).
    ``expect_id``: the answer must hold that ID (a portal that redirected answers with another)."""

    def __call__(self, answer: "Answer", *, expect_id: str | None = None) -> Fetched: ...


def modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in _MODULES]


def source_for(doc_id: str) -> ModuleType:
    """The portal module that serves an ID (by its ID patterns)."""
    for mod in modules():
        if any(p.fullmatch(doc_id) for p in mod.ID_PATTERNS):
            return mod
    raise UsageError(f"{doc_id!r} is not an ID tenderscan can fetch",
                     hint="zakupki.gov.ru numbers have 19 (44-FZ), 11 (223-FZ purchase) or 23 (223-FZ contract) "
                          "digits; ProZorro: a 32-hex id (or a stored UA-... tender ID); TED: NNNNN-YYYY; OCDS: ocds-...")


def normalize_id(doc_id: str) -> str:
    text = doc_id.strip()
    if re.fullmatch(r"[\d\s-]+", text) and not re.fullmatch(r"\d{1,8}-\d{4}", text):  # TED: NNNNN-YYYY
        text = re.sub(r"[\s-]", "", text)
    return text.lstrip("№#")
