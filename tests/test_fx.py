"""Exchange rates: the real Bank of Russia answers served by a local server, the bundled ECB history."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from tenderscan.errors import FetchError, RateError
from tenderscan.services.spending.fx import (
    Converter,
    MemoryCache,
    SqliteCache,
    ecb_bundled,
    open_cache,
    parse_cbr_daily,
)

from .conftest import FIXTURES

FX = FIXTURES / "fx"
CBR_2022 = (FX / "cbr_XML_daily_2022-03-15.xml").read_bytes()
CBR_2020 = (FX / "cbr_XML_daily_2020-08-08.xml").read_bytes()
XML_1251 = "application/xml; charset=windows-1251"


@pytest.fixture
def cbr(httpserver, monkeypatch):
    """The real CBR answers at the real path, keyed on date_req."""
    monkeypatch.setenv("TENDERSCAN_CBR_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("TENDERSCAN_RETRIES", "0")
    httpserver.expect_request("/scripts/XML_daily.asp", query_string={"date_req": "15/03/2022"}).respond_with_data(
        CBR_2022, content_type=XML_1251)
    httpserver.expect_request("/scripts/XML_daily.asp", query_string={"date_req": "08/08/2020"}).respond_with_data(
        CBR_2020, content_type=XML_1251)
    return httpserver


def requests(server, path="/scripts/XML_daily.asp") -> int:
    return sum(1 for req, _ in server.log if req.path == path)


def test_parse_the_real_windows_1251_answer():
    day, rates = parse_cbr_daily(CBR_2022)
    assert day == date(2022, 3, 15)
    assert len(rates) == 34
    assert rates["USD"] == Decimal("115.1963")
    assert rates["EUR"] == Decimal("127.2343")
    assert rates["AMD"] == Decimal("0.223221")  # 22,3221 per 100 drams: Value / Nominal
    assert rates["HUF"] == Decimal("0.334868")
    day, rates = parse_cbr_daily(CBR_2020)
    assert day == date(2020, 8, 8) and rates["USD"] == Decimal("73.6376") and rates["EUR"] == Decimal("87.1722")


def test_rub_to_usd_uses_the_rate_of_the_day_fetched_once(cbr):
    c = Converter("USD")
    amount = Decimal("102871.68")
    assert c.convert(amount, "RUB", date(2022, 3, 15)) == (amount / Decimal("115.1963")).quantize(Decimal("0.01"))
    assert c.convert(amount, "RUB", date(2022, 3, 15)) == Decimal("893.01")
    assert c.convert(Decimal("1000000"), "RUB", date(2022, 3, 15)) == Decimal("8680.83")
    assert c.convert(Decimal("73.6376"), "RUB", date(2020, 8, 8)) == Decimal("1.00")
    assert requests(cbr) == 2 and c.fetches == 2  # one request per date, whatever the number of amounts


def test_usd_to_rub_and_cross_rates_through_the_ruble(cbr):
    c = Converter("RUB")
    assert c.convert(Decimal("10"), "USD", date(2022, 3, 15)) == Decimal("1151.96")
    kzt = Converter("KZT")  # a pair the ECB does not quote: through the ruble
    _, rates = parse_cbr_daily(CBR_2022)
    expected = (Decimal("100") * rates["USD"] / rates["KZT"]).quantize(Decimal("0.01"))
    assert kzt.convert(Decimal("100"), "USD", date(2022, 3, 15)) == expected


def test_rates_are_cached_in_the_store(cbr, tmp_path):
    from tenderscan.store import Store

    Store.open(tmp_path / "store", create=True).close()  # a store that exists (none is made for the rates)
    cache = open_cache(tmp_path / "store")
    assert isinstance(cache, SqliteCache) and cache.path.parent == tmp_path / "store"
    Converter("USD", cache=cache).convert(Decimal("1"), "RUB", date(2022, 3, 15))
    assert requests(cbr) == 1
    again = Converter("USD", cache=open_cache(tmp_path / "store"))  # a later run
    assert again.convert(Decimal("115.1963"), "RUB", date(2022, 3, 15)) == Decimal("1.00")
    assert requests(cbr) == 1 and again.fetches == 0
    assert cache.get_rates("cbr", date(2022, 3, 15))["USD"] == Decimal("115.1963")


def test_a_missing_rate_is_an_error_naming_the_date_never_zero(cbr):
    c = Converter("XYZ")
    with pytest.raises(RateError, match="2022-03-15"):
        c.convert(Decimal("5"), "RUB", date(2022, 3, 15))
    empty = b'<?xml version="1.0" encoding="windows-1251"?><ValCurs Date="01.01.1990" name="Foreign Currency Market"/>'
    cbr.expect_request("/scripts/XML_daily.asp", query_string={"date_req": "01/01/1990"}).respond_with_data(empty)
    with pytest.raises(RateError, match="1990-01-01"):
        Converter("USD").convert(Decimal("5"), "RUB", date(1990, 1, 1))
    with pytest.raises(RateError, match="no date"):
        Converter("USD").convert(Decimal("5"), "RUB", None)


def test_a_server_error_is_a_fetch_error(cbr):
    cbr.expect_request("/scripts/XML_daily.asp", query_string={"date_req": "02/02/2022"}).respond_with_data(
        "oops", status=500)
    with pytest.raises(FetchError) as exc:
        Converter("USD").convert(Decimal("5"), "RUB", date(2022, 2, 2))
    assert exc.value.exit_code == 5 and "TENDERSCAN_CBR_URL" in exc.value.one_line()


def test_pairs_without_rub_use_the_bundled_ecb_history(monkeypatch):
    monkeypatch.setenv("TENDERSCAN_CBR_URL", "http://127.0.0.1:9")  # never asked
    hist = ecb_bundled()
    assert min(hist) == date(1999, 1, 4) and hist[date(2022, 3, 15)]["USD"] == Decimal("1.0991")
    c = Converter("USD", cache=MemoryCache())
    assert c.convert(Decimal("100"), "EUR", date(2022, 3, 15)) == Decimal("109.91")
    assert c.convert(Decimal("100"), "EUR", date(2022, 3, 13)) == Decimal("109.90")  # Sunday: Friday's 1.099
    # GBP -> USD through the euro: 100 / 0.8... * 1.0991
    gbp = hist[date(2022, 3, 15)]["GBP"]
    assert c.convert(Decimal("100"), "GBP", date(2022, 3, 15)) == (
        Decimal("100") * Decimal("1.0991") / gbp).quantize(Decimal("0.01"))
    assert c.fetches == 0


def test_a_date_after_the_bundled_history_downloads_it_once(httpserver, monkeypatch, tmp_path):
    csv = "Date,USD,JPY,\n2027-01-05,1.2000,160.00,\n2027-01-04,1.1000,150.00,\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("eurofxref-hist.csv", csv)
    httpserver.expect_request("/stats/eurofxref/eurofxref-hist.zip").respond_with_data(buf.getvalue())
    monkeypatch.setenv("TENDERSCAN_ECB_URL", httpserver.url_for("/").rstrip("/"))
    from tenderscan.store import Store

    Store.open(tmp_path / "store", create=True).close()  # kept in a store that exists; none is made for it
    c = Converter("USD", store=tmp_path / "store")
    assert c.convert(Decimal("10"), "EUR", date(2027, 1, 5)) == Decimal("12.00")
    assert c.convert(Decimal("10"), "EUR", date(2027, 1, 6)) == Decimal("12.00")  # the last fixing before
    assert (tmp_path / "store" / "ecb_eurofxref-hist.zip").exists()
    assert c.fetches == 1
