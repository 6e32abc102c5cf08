"""Values as text in tables and CSV cells: money with every decimal the document gave, timestamps to the
minute on screen, identifier schemes by their usual names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from ..models import Organization


def money(value: Decimal | None, currency: str | None = None) -> str:
    """Group thousands with thin spaces, keep every decimal digit the document gave."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sign + "\u202f".join(groups) + (f".{frac}" if frac else "")
    return f"{out} {currency}" if currency else out


def cell(value: Any) -> str:
    """A value as a CSV cell or a table's text: ISO dates, true/false, lists joined with "; "."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    return str(value)


def when(value: Any) -> str:
    """A date, or a timestamp to the minute, as `show` prints it ("—" for none)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def when_text(value: str | None) -> str | None:
    """An ISO timestamp as tables show it, to the minute: ``2026-07-29T09:59:36+03:00`` -> ``2026-07-29
    09:59`` (JSON and CSV keep the full timestamp)."""
    return value[:16].replace("T", " ") if value else value


# the usual names of identifier schemes (OCDS org-id.guide codes, or the scheme as some publishers write it)
ID_LABELS = {"UA-EDR": "EDRPOU", "MX-RFC": "RFC", "Registro Federal de Contribuyentes de México": "RFC",
             "GB-COH": "Companies House no.", "CL-RUT": "RUT", "GB-CHC": "charity no.", "XI-EORI": "EORI"}


def id_label(o: Organization | None) -> str | None:
    """The name of an organisation's identifier scheme: INN for a Russian one (the default), EDRPOU, RFC..."""
    if o is None or not o.inn:
        return None
    scheme = o.id_scheme
    if scheme in (None, "RU-INN"):
        return "INN"
    return ID_LABELS.get(scheme, scheme)
