"""The fetch plumbing without a portal: rate limiter, Retry-After, block detection, ID routing, attachment text."""

from __future__ import annotations

import io
import zipfile
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tenderscan.errors import BlockedError, FetchError, NotFoundError, UsageError
from tenderscan.sources import normalize_id, source_for, zakupki
from tenderscan.sources.http import RateLimiter, RetryPolicy, get, looks_blocked, make_client, retry_after
from tenderscan.documents.textract import extract_text

from .conftest import ZAKUPKI
from .test_fetch import CAPTCHA, make_docx, make_xlsx


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(round(s, 6))
        self.now += s


def test_rate_limiter_spaces_requests_per_host():
    clock = FakeClock()
    rl = RateLimiter(2.0, clock=clock.time, sleep=clock.sleep)
    for _ in range(3):
        rl.wait("zakupki.gov.ru")
    rl.wait("other.example")
    assert clock.slept == [0.5, 0.5], "2 per second to one host; another host is not held back"
    rl.delay("zakupki.gov.ru", 5)
    rl.wait("zakupki.gov.ru")
    assert clock.slept[-1] == 5.0
    unlimited = RateLimiter(0, clock=clock.time, sleep=clock.sleep)
    unlimited.wait("x")
    unlimited.wait("x")
    assert len(clock.slept) == 3


def test_retry_after_seconds_and_dates():
    assert retry_after("7") == 7.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after(later) <= 31
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_backoff_is_capped_and_jittered():
    p = RetryPolicy(retries=10, base=1.0, cap=8.0)
    delays = [p.backoff(a) for a in range(10) for _ in range(20)]
    assert max(delays) <= 8.0 and min(delays) >= 0.0
    assert len(set(delays)) > 100


def _client(handler, retries=3):
    slept: list[float] = []
    policy = RetryPolicy(retries=retries, base=0.5, cap=4.0, sleep=slept.append)
    return make_client(transport=httpx.MockTransport(handler), rate=0, policy=policy), slept


def test_retries_then_success_and_retry_after_honoured():
    answers = iter([httpx.Response(503), httpx.Response(429, headers={"Retry-After": "3"}),
                    httpx.Response(200, content=b"<x/>")])
    client, slept = _client(lambda req: next(answers))
    assert get(client, "https://zakupki.gov.ru/a", expect="xml").content == b"<x/>"
    assert len(slept) == 2 and slept[1] == 3.0 and 0 <= slept[0] <= 0.5


def test_retry_after_is_capped():
    answers = iter([httpx.Response(503, headers={"Retry-After": "3600"}), httpx.Response(200, content=b"<x/>")])
    client, slept = _client(lambda req: next(answers))
    get(client, "https://zakupki.gov.ru/a")
    assert slept == [4.0]


def test_connection_errors_are_retried_then_fetch_error():
    calls = []

    def handler(req):
        calls.append(1)
        raise httpx.ConnectError("refused", request=req)

    client, slept = _client(handler, retries=2)
    with pytest.raises(FetchError) as exc:
        get(client, "https://zakupki.gov.ru/a")
    assert len(calls) == 3 and len(slept) == 2
    assert exc.value.exit_code == 5 and "network error" in exc.value.message


def test_status_mapping():
    for status, error, code in [(404, NotFoundError, 4), (410, NotFoundError, 4), (403, BlockedError, 6),
                                (500, FetchError, 5), (429, BlockedError, 6)]:
        client, _ = _client(lambda req, s=status: httpx.Response(s), retries=0)
        with pytest.raises(error) as exc:
            get(client, "https://zakupki.gov.ru/a")
        assert exc.value.exit_code == code


def test_html_instead_of_xml_is_not_found_unless_it_is_a_block_page():
    client, _ = _client(lambda req: httpx.Response(200, content="<!DOCTYPE html><html><body>Ошибка</body></html>".encode()))
    with pytest.raises(NotFoundError):
        get(client, "https://zakupki.gov.ru/a", expect="xml")
    client, _ = _client(lambda req: httpx.Response(200, content=CAPTCHA))
    with pytest.raises(BlockedError):
        get(client, "https://zakupki.gov.ru/a", expect="any")


def test_block_page_detection():
    assert looks_blocked(CAPTCHA)
    assert looks_blocked(b"<html><head><title>Access Denied</title></head></html>")
    assert looks_blocked(b"<html><body>Request unsuccessful. Incapsula incident ID</body></html>")
    assert not looks_blocked((ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
                              ).read_bytes())
    assert not looks_blocked(b'{"captcha": "a field in JSON is not a block page"}', "application/json")


def test_ids_route_to_their_portal():
    assert source_for("0362100022326000101") is zakupki
    assert source_for("32109998392") is zakupki
    assert source_for("50105018196190002040000") is zakupki
    assert source_for("pfid:72293346") is zakupki
    with pytest.raises(UsageError):
        source_for("12345")
    assert normalize_id(" 0362 1000 2232 6000 101 ") == "0362100022326000101"
    assert normalize_id("№0362100022326000101") == "0362100022326000101"


def test_rebase_points_portal_links_at_the_configured_base(monkeypatch):
    monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", "http://127.0.0.1:8000/")
    assert zakupki.rebase("https://zakupki.gov.ru/44fz/filestore/public/1.0/download/priz/file.html?uid=AB") == \
        "http://127.0.0.1:8000/44fz/filestore/public/1.0/download/priz/file.html?uid=AB"
    assert zakupki.rebase("/epz/x.html?a=1") == "http://127.0.0.1:8000/epz/x.html?a=1"
    assert zakupki.rebase("https://etp.example/file") == "https://etp.example/file"
    assert zakupki.rebase("ftp://x/y") is None and zakupki.rebase(None) is None


def test_pfid_is_read_from_the_results_entry_of_the_number():
    page = ('<a href="https://zakupki.gov.ru/223/purchase/public/print-form/show.html?pfid=111">x</a>'
            '<a>№ 32600000001</a>'
            '<a href="https://zakupki.gov.ru/223/purchase/public/print-form/show.html?pfid=222">x</a>'
            '<a>№ 32600000002</a>')
    assert zakupki.pfid_from_html(page, "32600000002") in ("111", "222")
    assert zakupki.pfid_from_html(page.split("№ 32600000001")[1], "32600000002") == "222"
    assert zakupki.pfid_from_html(page, "32699999999") is None


def test_print_form_extraction():
    xml = (ZAKUPKI / "223fz_purchaseNotice_31603913641.xml").read_bytes()
    import html

    page = f'<html><div id="tabs-2">{html.escape(xml.decode())}</div></html>'.encode()
    assert zakupki.extract_print_form(page) == xml.strip()
    from tenderscan.errors import ParseError

    with pytest.raises(ParseError):
        zakupki.extract_print_form(b"<html><div id='tabs-1'>nothing</div></html>")


# --- attachment text ---------------------------------------------------------------------------------------


def test_docx_and_xlsx_text():
    assert extract_text(make_docx(["Первый абзац", "Станция «Арбатская»"])) == "Первый абзац\nСтанция «Арбатская»"
    assert extract_text(make_xlsx([["Станция", "Камеры"], ["Тверская", 4], [None, None]])) == \
        "Станция\tКамеры\nТверская\t4"


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a line of text, written out by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_pdf_text():
    assert "Technical specification 85 cameras" in extract_text(minimal_pdf("Technical specification 85 cameras"))


def test_unreadable_attachments_give_no_text():
    assert extract_text(b"\xd0\xcf\x11\xe0 legacy .doc") is None
    assert extract_text(b"%PDF-1.4 broken") is None
    assert extract_text(b"PK\x03\x04 not really a zip") is None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "a zip that is not an office file")
    assert extract_text(buf.getvalue()) is None


def test_office_zip_bombs_give_no_text():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<a>" + b" " * (80 * 1024 * 1024) + b"</a>")
    assert extract_text(buf.getvalue()) is None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", '<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    "<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>")
    assert extract_text(buf.getvalue()) is None, "entity declarations are refused, never expanded"
