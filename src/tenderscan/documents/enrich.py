"""What every document gets after its reader, whatever its format, in this order: the warnings of
:mod:`.checks` (values that cannot be right, items that do not add up), one vocabulary of roles
(:mod:`.roles`), the region by one rule (:mod:`.regions`) and the metro stations its texts name
(:mod:`tenderscan.stations`). Called once per document by :mod:`.parse`, so that `show`, `ingest`,
`export` and `spending` see the same values."""

from __future__ import annotations

from .. import stations as _stations
from ..models import Tender
from . import checks, regions, roles


def enrich(t: Tender, *, stations: bool = True) -> None:
    checks.flag(t)
    roles.apply(t)
    regions.apply(t)
    if stations:
        _stations.annotate(t)

