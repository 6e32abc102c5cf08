"""The one parser of date options (`--from`, `--to` of `spending` and `search`): YYYY-MM-DD or DD.MM.YYYY,
as the portal writes dates; anything else is a one-line usage error."""

from __future__ import annotations

import re
from datetime import date

from ..errors import UsageError

FORMATS = "YYYY-MM-DD or DD.MM.YYYY"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RU = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")


def parse_day(value: str | None, option: str) -> date | None:
    """``2022-03-15`` or ``15.03.2022`` -> a date; None for no value."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    m = _ISO.match(text)
    if m:
        y, mo, d = m.groups()
    else:
        m = _RU.match(text)
        if not m:
            raise UsageError(f"{option} {value!r} is not a date", hint=f"write {FORMATS}, e.g. 2022-03-15")
        d, mo, y = m.groups()
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a day of the calendar",
                         hint=f"write {FORMATS}, e.g. 2022-03-15") from None
