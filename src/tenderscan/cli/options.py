"""The options shared by several commands, and the checks of their values.

Every option value is checked while the command line is parsed, before any work starts (a bad value is a
usage error: one line with the allowed values, exit 2). Choices are enums; the rest goes through the
callbacks here. Dates (`--from`, `--to`) are parsed by :func:`parse_day`.
"""

from __future__ import annotations

import codecs
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable

import typer

from ..errors import UsageError
from ..render.writers import OutputFormat
from ..services.formats import format_names

FORMAT_HELP = "Output format: table (default on a terminal), json (default otherwise), jsonl or csv."


def format_option(default: OutputFormat | None = None, help: str = FORMAT_HELP) -> Any:
    return typer.Option(default, "--format", "-f", help=help, case_sensitive=False)


def input_format_option() -> Any:
    return typer.Option(None, "--input-format", "-i", callback=check_input_format,
                        help="Force the input format instead of detecting it (see `tenderscan formats`).")


def encoding_option() -> Any:
    return typer.Option(None, "--encoding", "-e", callback=check_encoding,
                        help="Read the input in this encoding (e.g. cp1251), overriding what it declares.")


def store_option() -> Any:
    return typer.Option(None, "--store", envvar="TENDERSCAN_STORE",
                        help="The store directory (default: the user data dir; env TENDERSCAN_STORE).",
                        show_envvar=True)


def concurrency_option() -> Any:
    return typer.Option(4, "--concurrency", "-c", min=1, max=32, help="Requests in flight at once.")


def rate_option() -> Any:
    return typer.Option(2.0, "--rate", min=0.0,
                        help="At most this many requests per second to one host (0: no limit).")


def pace_option() -> Any:
    return typer.Option(None, "--pace", envvar="TENDERSCAN_PACE", show_envvar=True, min=0.0, metavar="SECONDS",
                        help="Seconds between two requests to one of zakupki.gov.ru's hosts, jittered by a "
                             "third (default 3; 0: the portal gets --rate like any host).")


def ca_bundle_option() -> Any:
    return typer.Option(None, "--ca-bundle", envvar="TENDERSCAN_CA_BUNDLE", show_envvar=True, metavar="FILE",
                        callback=check_ca_bundle,
                        help="A PEM file of extra root certificates (the Russian Trusted Root CA), trusted "
                             "for zakupki.gov.ru's hosts only.")


# --- checks ---------------------------------------------------------------------------------------------------


def check_ca_bundle(value: Path | None) -> Path | None:
    """A PEM file that is there and readable and holds a certificate (read fully when the client is made)."""
    if value is None or not str(value).strip():
        return None
    path = Path(str(value).strip()).expanduser()
    try:
        head = path.read_bytes()[:1 << 20]
    except IsADirectoryError:
        raise typer.BadParameter(f"{str(path)!r} is a directory, not a PEM file") from None
    except FileNotFoundError:
        raise typer.BadParameter(f"{str(path)!r}: no such file; give the PEM file of the Russian Trusted Root "
                                 "CA (published at https://www.gosuslugi.ru/crt)") from None
    except OSError as exc:
        raise typer.BadParameter(f"{str(path)!r} cannot be read ({exc.strerror})") from None
    if b"-----BEGIN CERTIFICATE-----" not in head:
        raise typer.BadParameter(f"{str(path)!r} holds no PEM certificate (-----BEGIN CERTIFICATE-----); "
                                 "https://www.gosuslugi.ru/crt publishes the root") from None
    return path


def check_input_format(value: str | None) -> str | None:
    if value is None:
        return None
    names = format_names()
    if value not in names:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(names)} (see `tenderscan formats`)")
    return value


def check_encoding(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        codecs.lookup(value)
    except LookupError:
        raise typer.BadParameter(f"unknown encoding {value!r}; use a name such as utf-8 or cp1251") from None
    return value


def check_currency(value: str | None) -> str | None:
    """An ISO 4217 code (any case), given back in capitals."""
    if value is None:
        return None
    import pycountry  # ~50 ms to import: only when --currency is given

    code = value.strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise typer.BadParameter(f"{value!r} is not an ISO 4217 currency code (e.g. USD, EUR, RUB, UAH)")
    return code


def check_char(value: str | None) -> str | None:
    if value is not None and len(value) != 1:
        raise typer.BadParameter(f"{value!r} is not one character (e.g. ';')")
    return value


def check_languages(value: str | None) -> str | None:
    if value is None:
        return None
    bad = [x for x in (p.strip() for p in value.split(",")) if x and not re.fullmatch(r"[A-Za-z]{2,3}", x)]
    if bad or not value.strip(" ,"):
        raise typer.BadParameter(f"{value!r} is not a list of language codes (e.g. en or fr,en)")
    return value


def languages(value: str) -> tuple[str, ...]:
    """``--lang fr,en`` -> ("fr", "en")."""
    return tuple(x.strip() for x in value.split(",") if x.strip())


def check_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"https?://[^/\s]+", value):
        raise typer.BadParameter(f"{value!r} is not an http:// or https:// address")
    return value


def check_code_prefix(value: str | None) -> str | None:
    """A classification code prefix such as 26.40 or 2640."""
    if value is not None and not re.fullmatch(r"[0-9][0-9.]*", value.strip()):
        raise typer.BadParameter(f"{value!r} is not a code prefix (digits and dots, e.g. 26.40)")
    return value


def check_suffix(*suffixes: str) -> Callable[[Any], Any]:
    """A file name that must end with one of ``suffixes``."""

    def check(value: Any) -> Any:
        if value is not None and not str(value).lower().endswith(suffixes):
            raise typer.BadParameter(f"{str(value)!r} must end with {' or '.join(suffixes)}")
        return value

    return check


# --- dates: `--from`, `--to` of `spending` and `search`: YYYY-MM-DD or DD.MM.YYYY, as the portal writes dates

DATE_FORMATS = "YYYY-MM-DD or DD.MM.YYYY"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RU = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")


def parse_day(value: str | None, option: str) -> date | None:
    """``2022-03-15`` or ``15.03.2022`` -> a date; None for no value; anything else is a one-line usage
    error."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    m = _ISO.match(text)
    if m:
        y, mo, d = m.groups()
    else:
        m = _RU.match(text)
        if not m:
            raise UsageError(f"{option} {value!r} is not a date", hint=f"write {DATE_FORMATS}, e.g. 2022-03-15")
        d, mo, y = m.groups()
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a day of the calendar",
                         hint=f"write {DATE_FORMATS}, e.g. 2022-03-15") from None
