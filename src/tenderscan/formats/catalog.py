"""Every format tenderscan reads, in detection order: the one list a new format module is added to.

Order matters only where two formats could claim the same input: the more specific one first. Importing
this module imports every reader (about 100 ms): the registry (``formats/__init__.py``) does it on first use.
"""

from __future__ import annotations

from . import http_capture, prozorro, rss
from .base import Format, claim_bytes
from .ocds import reader as ocds
from .ted import eforms, r209
from .zakupki44 import contract, ep, fcs, protocol
from .zakupki223 import json_api, notice, plan

FORMATS: list[Format] = [
    *ep.FORMATS,
    *fcs.FORMATS,
    *contract.FORMATS,
    *protocol.FORMATS,
    *notice.FORMATS,
    *plan.FORMATS,
    *json_api.FORMATS,
    *rss.FORMATS,
    *ocds.FORMATS,
    *prozorro.FORMATS,
    http_capture.capture_format(lambda head, opener: claim_bytes(FORMATS, head, opener)),
    *eforms.FORMATS,
    *r209.FORMATS,
]
