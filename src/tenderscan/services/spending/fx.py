"""Exchange rates for `spending --currency`: the Bank of Russia for anything with RUB, the ECB for the rest.

* Bank of Russia (CBR): ``{base}/scripts/XML_daily.asp?date_req=DD/MM/YYYY`` answers, in windows-1251 with a
  decimal comma, the rubles per ``Nominal`` units of every quoted currency in force on that date. The base is
  ``https://www.cbr.ru`` unless ``TENDERSCAN_CBR_URL`` says otherwise. Each date is fetched once: the whole
  table is cached in memory and in the store (:func:`open_cache`), so a second run never asks again.
* European Central Bank: the euro reference rates history (1999 onwards) ships with tenderscan as package data
  (``data/ecb_eurofxref-hist.zip``, the ECB's own file): it is small, never changes for past dates, and keeps
  conversions offline and reproducible. A date newer than the bundled file downloads the current history
  once from ``{TENDERSCAN_ECB_URL or https://www.ecb.europa.eu}/stats/eurofxref/eurofxref-hist.zip`` into the
  store folder. The ECB publishes no rate on weekends and TARGET holidays: the previous working day's applies.

A rate that cannot be found is a :class:`~tenderscan.errors.RateError` naming the currency and the date,
never a zero.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from importlib import resources
from pathlib import Path
from typing import Protocol

from ...errors import FetchError, NotFoundError, ParseError, RateError, TenderscanError
from ...safety.xml import localname, parse_xml
from ...store import DB_NAME, Store, default_dir
from ...values import to_date, to_decimal

CBR_DEFAULT = "https://www.cbr.ru"
ECB_DEFAULT = "https://www.ecb.europa.eu"
ECB_HIST_PATH = "/stats/eurofxref/eurofxref-hist.zip"
ECB_MAX_GAP_DAYS = 7  # the longest run of days without an ECB fixing (Easter + weekend is 4)
CENT = Decimal("0.01")


# --- the cache ---------------------------------------------------------------------------------------------


class RateCache(Protocol):
    """Where fetched daily tables are kept between runs: ``{currency: rubles per 1 unit}`` per date."""

    def get_rates(self, source: str, day: date) -> dict[str, Decimal] | None: ...

    def put_rates(self, source: str, day: date, rates: dict[str, Decimal]) -> None: ...


class MemoryCache:
    def __init__(self) -> None:
        self._data: dict[tuple[str, date], dict[str, Decimal]] = {}

    def get_rates(self, source: str, day: date) -> dict[str, Decimal] | None:
        return self._data.get((source, day))

    def put_rates(self, source: str, day: date, rates: dict[str, Decimal]) -> None:
        self._data[(source, day)] = dict(rates)


class SqliteCache:
    """The store's ``fx_rates`` table (:meth:`Store.fx_rates`, :meth:`Store.put_fx_rates`), through a store
    opened on first use (never created) and kept for the next dates."""

    def __init__(self, path: Path):
        self.path = Path(path)  # the store's database file
        self._lock = threading.Lock()
        self._store: Store | None = None

    def _open(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.path.parent, create=False)
        return self._store

    def get_rates(self, source: str, day: date) -> dict[str, Decimal] | None:
        try:
            with self._lock:
                return self._open().fx_rates(source, day)
        except (TenderscanError, sqlite3.Error):
            return None  # a cache that cannot be read is a cache miss

    def put_rates(self, source: str, day: date, rates: dict[str, Decimal]) -> None:
        if not rates:
            return
        try:
            with self._lock:
                self._open().put_fx_rates(source, day, rates)
        except (TenderscanError, sqlite3.Error):
            pass  # not being able to cache must not stop a conversion

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def store_dir(store: str | Path | None = None) -> Path:
    """The store folder: the argument, else ``TENDERSCAN_STORE``, else the user data dir."""
    return Path(store).expanduser() if store else default_dir()


def open_cache(store: str | Path | None = None) -> RateCache:
    """The rate cache: the ``fx_rates`` table of the store in ``store`` (or the default one), or, where no
    store is, one in memory for this run (none is created for it)."""
    folder = store_dir(store)
    if not (folder / DB_NAME).is_file():
        return MemoryCache()
    return SqliteCache(folder / DB_NAME)


# --- Bank of Russia ----------------------------------------------------------------------------------------


def cbr_url(day: date, base: str | None = None) -> str:
    base = (base or os.environ.get("TENDERSCAN_CBR_URL") or CBR_DEFAULT).rstrip("/")
    return f"{base}/scripts/XML_daily.asp?date_req={day:%d/%m/%Y}"


def parse_cbr_daily(data: bytes) -> tuple[date | None, dict[str, Decimal]]:
    """Parse an ``XML_daily.asp`` answer into its date and ``{CharCode: rubles per 1 unit}`` (Value/Nominal).

    The bytes are parsed as they are (the document declares windows-1251); values use a decimal comma.
    """
    root = parse_xml(data)
    if localname(root) != "ValCurs":
        raise ParseError(f"not a Bank of Russia rates document (root <{localname(root)}>)")
    day = to_date(root.get("Date")) if root.get("Date") else None
    rates: dict[str, Decimal] = {}
    for v in root:
        if localname(v) != "Valute":
            continue
        fields = {localname(c): (c.text or "").strip() for c in v}
        code = fields.get("CharCode", "").upper()
        value = to_decimal(fields.get("Value"), field=f"{code} Value")
        nominal = to_decimal(fields.get("Nominal") or "1", field=f"{code} Nominal")
        if not code or value is None or not nominal:
            continue
        with localcontext() as ctx:
            ctx.prec = 34
            rates[code] = value / nominal
    return day, rates


def _http_get(url: str, what: str, env: str) -> bytes:
    """GET through the project's one HTTP client factory (retries, timeouts, User-Agent live there).
    Imported here, not at the top: only a conversion that misses the cache asks the Bank of Russia, and
    httpx with the trust store is 80 ms of every `spending` start (the spending target, RESULTS.md)."""
    from ...sources.http import get, make_client

    try:
        with make_client(rate=0) as client:
            return get(client, url, expect="any", what=what).content
    except NotFoundError as exc:
        raise FetchError(exc.message, hint=f"check {env}") from None
    except FetchError as exc:
        if type(exc) is FetchError:
            exc.hint = f"check the network or {env}, or retry later"
        raise


# --- ECB -----------------------------------------------------------------------------------------------------


def parse_ecb_history(data: bytes) -> dict[date, dict[str, Decimal]]:
    """Parse ``eurofxref-hist.csv`` (a zip holding it, or the CSV itself): units per 1 EUR, by date."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            name = next(n for n in zf.namelist() if n.lower().endswith(".csv"))
            data = zf.read(name)
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    header = [h.strip() for h in next(reader)]
    out: dict[date, dict[str, Decimal]] = {}
    for row in reader:
        if not row or not row[0].strip():
            continue
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            day = datetime.strptime(row[0].strip(), "%d %B %Y").date()
        rates = {"EUR": Decimal(1)}
        for code, value in zip(header[1:], row[1:]):
            value = value.strip()
            if code and value and value != "N/A":
                rates[code] = Decimal(value)
        out[day] = rates
    return out


_ecb_lock = threading.Lock()
_ecb_bundled: dict[date, dict[str, Decimal]] | None = None


def ecb_bundled() -> dict[date, dict[str, Decimal]]:
    global _ecb_bundled
    with _ecb_lock:
        if _ecb_bundled is None:
            data = resources.files("tenderscan").joinpath("data/ecb_eurofxref-hist.zip").read_bytes()
            _ecb_bundled = parse_ecb_history(data)
    return _ecb_bundled


# --- conversion --------------------------------------------------------------------------------------------


@dataclass
class Converter:
    """Convert amounts into ``target`` at the rate of each amount's date.

    ``rate(currency, day)`` gives a ``(multiply, divide)`` pair so the division happens once, on the amount,
    at full precision; :meth:`convert` rounds the result to the cent (half to even).
    """

    target: str
    cache: RateCache = field(default_factory=MemoryCache)
    cbr_base: str | None = None
    ecb_base: str | None = None
    store: Path | None = None  # where a newer ECB history is downloaded to
    fetches: int = 0  # HTTP requests made (one per CBR date at most)
    _cbr: dict[date, dict[str, Decimal]] = field(default_factory=dict, repr=False)
    _ecb_newer: dict[date, dict[str, Decimal]] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.target = self.target.upper()

    # CBR: rubles per 1 unit, one request per date
    def cbr(self, currency: str, day: date) -> Decimal:
        table = self._cbr_table(day)
        if currency == "RUB":
            return Decimal(1)
        rate = table.get(currency)
        if rate is None:
            raise RateError(f"the Bank of Russia has no {currency} rate for {day.isoformat()}",
                            hint="choose another --currency")
        return rate

    def _cbr_table(self, day: date) -> dict[str, Decimal]:
        with self._lock:
            table = self._cbr.get(day)
            if table is None:
                table = self.cache.get_rates("cbr", day)
                if table is None:
                    url = cbr_url(day, self.cbr_base)
                    self.fetches += 1
                    try:
                        _, table = parse_cbr_daily(_http_get(url, f"the Bank of Russia rates for "
                                                                       f"{day.isoformat()}", "TENDERSCAN_CBR_URL"))
                    except ParseError as exc:
                        raise FetchError(f"the Bank of Russia answer for {day.isoformat()} is not a rates "
                                         f"document ({exc.message})", hint="retry later") from None
                    if not table:
                        raise RateError(f"the Bank of Russia published no rates for {day.isoformat()}",
                                        hint="check the document's date")
                    self.cache.put_rates("cbr", day, table)
                self._cbr[day] = table
        return table

    # ECB: units per 1 EUR, the last fixing on or before the date
    def ecb(self, currency: str, day: date) -> Decimal | None:
        hist = ecb_bundled()
        last = max(hist)
        if day > last:
            hist = self._newer_ecb(day) or hist
        for back in range(ECB_MAX_GAP_DAYS + 1):
            rates = hist.get(day - timedelta(days=back))
            if rates is not None:
                return rates.get(currency)
        return None

    def _newer_ecb(self, day: date) -> dict[date, dict[str, Decimal]] | None:
        if self._ecb_newer is not None:  # at most one look per run
            return self._ecb_newer
        path = store_dir(self.store) / "ecb_eurofxref-hist.zip"
        hist = None
        if path.exists():
            hist = parse_ecb_history(path.read_bytes())
        if hist is None or max(hist) < day - timedelta(days=ECB_MAX_GAP_DAYS):
            base = (self.ecb_base or os.environ.get("TENDERSCAN_ECB_URL") or ECB_DEFAULT).rstrip("/")
            self.fetches += 1
            data = _http_get(base + ECB_HIST_PATH, "the ECB reference rates", "TENDERSCAN_ECB_URL")
            hist = parse_ecb_history(data)
            if (path.parent / DB_NAME).is_file():  # kept in the store, which is never created for it
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(data)
                os.replace(tmp, path)
        self._ecb_newer = hist
        return hist

    def rate(self, currency: str, day: date) -> tuple[Decimal, Decimal]:
        """``(mul, div)``: an amount in ``currency`` on ``day`` is ``amount * mul / div`` in the target."""
        src, dst = currency.upper(), self.target
        if src == dst:
            return Decimal(1), Decimal(1)
        if src == "RUB":
            return Decimal(1), self.cbr(dst, day)
        if dst == "RUB":
            return self.cbr(src, day), Decimal(1)
        a, b = self.ecb(src, day), self.ecb(dst, day)
        if a is not None and b is not None:
            return b, a  # units per EUR: amount / a EUR, times b
        try:  # a pair the ECB does not quote: cross through the ruble
            return self.cbr(src, day), self.cbr(dst, day)
        except RateError:
            raise RateError(f"no exchange rate from {src} to {dst} for {day.isoformat()} (ECB or Bank of "
                            "Russia)", hint="choose another --currency") from None

    def convert(self, amount: Decimal, currency: str | None, day: date | None) -> Decimal:
        if currency is None:
            raise RateError("an amount has no currency; cannot convert it",
                            hint="run without --currency to see amounts by currency")
        if currency.upper() == self.target:
            return amount
        if day is None:
            raise RateError(f"an amount in {currency} has no date; cannot pick an exchange rate",
                            hint="run without --currency")
        mul, div = self.rate(currency, day)
        with localcontext() as ctx:
            ctx.prec = 50
            return (amount * mul / div).quantize(CENT, rounding=ROUND_HALF_EVEN)


def make_converter(target: str, *, store: str | Path | None = None, cache: RateCache | None = None) -> Converter:
    """A converter into ``target`` whose fetched rates are cached in the store."""
    return Converter(target=target, cache=cache if cache is not None else open_cache(store),
                     store=Path(store) if store else None)
