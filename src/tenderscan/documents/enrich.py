"""What every document gets after its reader, whatever its format: one vocabulary of roles
(:mod:`tenderscan.documents.roles`) and the region by one rule (:mod:`tenderscan.documents.regions`). Called once per document
where documents are read (:mod:`tenderscan.documents.parse`), so that `show`, `ingest`, `export` and `spending` see
the same values."""

from __future__ import annotations

from . import regions, roles
from ..models import Tender


def enrich(t: Tender) -> None:
    roles.apply(t)
    regions.apply(t)
