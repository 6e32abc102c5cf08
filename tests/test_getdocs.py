"""The bulk service client (getDocsIP) against a local service that validates every request against the
official XSD (tests/getdocs_server.py): envelopes, answers, resumable runs over a range of days, typed
errors, and a token that appears nowhere."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import traceback
import zipfile
from datetime import date
from importlib import resources

import httpx
import pytest
from lxml import etree

from tenderscan.errors import (BulkServiceError, NoDataError, QuotaError, TenderscanError, TokenError,
                               UsageError)
from tenderscan.sources import getdocs
from tenderscan.sources import bulk
from tenderscan.sources.bulk import BulkPlan, BulkRun
from tenderscan.sources.bulk_journal import JOURNAL_NAME, BulkJournal
from tenderscan.sources.getdocs import BulkRequest, GetDocsService, envelope, read_answer, request_element
from tenderscan.sources.secret import Token
from tenderscan.store import Store
from tenderscan.services.ingest import ingest

from .conftest import ROOT, fast_retries
from .getdocs_server import GetDocsServer, running, zip_of

TOKEN = "eis-TOKEN-7f3a9c-DO-NOT-PRINT-d41d8c"  # distinctive: searched for in every output below
NOTICE_A = "44fz_ep2020_printform_epNotificationEF2020_0173100008726000065_ABRIDGED.xml"
NOTICE_B = "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
CONTRACT_A = "44fz_contracts_export_contract_2366200608816001262_30400522.xml"
CONTRACT_B = "44fz_contracts_export_contract_2510205003117000004_31762298.xml"
NOTICE_C = "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"
DAYS = [date(2025, 3, d) for d in (1, 2, 3, 4)]
ARCHIVES = {  # day -> archives (name -> zip of real documents); 2025-03-03 has none (noData)
    DAYS[0]: {"PRIZ_77_20250301_001.zip": zip_of(NOTICE_A, NOTICE_B)},
    DAYS[1]: {"PRIZ_77_20250302_001.zip": zip_of(CONTRACT_A), "PRIZ_77_20250302_002.zip": zip_of(CONTRACT_B)},
    DAYS[3]: {"PRIZ_77_20250304_001.zip": zip_of(NOTICE_C)},
}
DOCUMENT_IDS = {"0173100008726000065", "0362100022326000101", "2366200608816001262", "2510205003117000004",
                "0301300140921000011"}


def open_service(**kw):
    """The service as the later command opens it, without the general rate limit (TENDERSCAN_PACE is 0 in
    tests: the pace itself is tested with a fake clock in test_trust.py)."""
    return bulk.open_service(rate=0, **kw)


def key(day: date) -> str:
    return BulkRequest("PRIZ", region="77", doc_type="epNotificationEF2020", day=day).key


@pytest.fixture(scope="module")
def _server():
    with running(TOKEN) as srv:
        yield srv


@pytest.fixture
def service(_server, monkeypatch) -> GetDocsServer:
    fake = _server
    fake.reset()
    for day, archives in ARCHIVES.items():
        fake.answer(key(day), archives=archives)
    monkeypatch.setenv("TENDERSCAN_GETDOCS_URL", fake.url)
    monkeypatch.setenv("TENDERSCAN_EIS_TOKEN", TOKEN)
    fast_retries(monkeypatch, retries=1, retry_max=0.05)
    return fake


def plan() -> BulkPlan:
    return BulkPlan.by_region("77", "PRIZ", "epNotificationEF2020", DAYS[0], DAYS[-1])


def take_all(run: BulkRun, store: Store | None = None, *, stop_after: int | None = None) -> list:
    """The caller's loop of the later `bulk` command: ingest each archive; `stop_after` plays a kill."""
    got = []
    for archive in run.archives():
        got.append(archive)
        if store is not None:
            with archive.temp_file() as path:
                ingest([str(path)], store=store)
        if stop_after is not None and len(got) == stop_after:
            raise KeyboardInterrupt("killed")
    return got


# --- the official schemas -------------------------------------------------------------------------------


def test_the_shipped_schemas_are_the_official_ones_and_the_default_address_is_the_wsdls():
    base = resources.files("tenderscan").joinpath("data/getdocs")
    expected = {"GetDocsWS/GetDocsIndividualPerson/getDocsIP-ws-api.xsd":
                "3740d48a1b365a6370dba1cd60f226a1ccfda4281d1d894ed9a1fcff3404bec2",
                "GetDocsWS/GetDocsIndividualPerson/WSDL/WebServiceGetDocsIP.wsdl":
                "2fe335b6bf9d326c9f96624b10743bd74e9898c8018c16143dc8194a5e37cceb",
                "BaseTypes.xsd": "23e66902a0c3576669e83c9a3bc308e9b18f9f288b60fe2d504ebacfc44e6f03"}
    for path, sha in expected.items():  # the sha256 of the package 44-FZ 16.2.6.9 (samples' SOURCES.md)
        assert hashlib.sha256(base.joinpath(path).read_bytes()).hexdigest() == sha, path
    wsdl_path = "GetDocsWS/GetDocsIndividualPerson/WSDL/WebServiceGetDocsIP.wsdl"
    wsdl = etree.fromstring(base.joinpath(wsdl_path).read_bytes())
    # wsdl:service/wsdl:port/soap:address/@location
    [location] = wsdl.xpath("//soap:address/@location", namespaces={"soap": "http://schemas.xmlsoap.org/wsdl/soap/"})
    assert location == getdocs.DEFAULT_URL
    # every operation's soapAction (wsdl:binding/wsdl:operation/soap:operation/@soapAction) is the one sent
    actions = wsdl.xpath("//soap:operation/@soapAction", namespaces={"soap": "http://schemas.xmlsoap.org/wsdl/soap/"})
    assert set(actions) == {getdocs.SOAP_ACTION}


@pytest.mark.parametrize("req", [
    BulkRequest("PRIZ", region="77", doc_type="epNotificationEF2020", day=date(2025, 3, 1)),
    BulkRequest("RGK", region="50", doc_type="contract", day=date(2025, 1, 31)),
    BulkRequest("RI223", region="78", doc_type="purchaseNotice", day=date(2024, 12, 31)),
    BulkRequest("PRIZ", number="0373200215526000664"),
    BulkRequest("rd223", number="57701234567250000010000"),
], ids=["44-region", "44-contracts", "223-region", "44-number", "223-number"])
def test_every_request_is_valid_against_the_official_xsd(req):
    schema = getdocs.schema()
    el = request_element(req)
    assert schema.validate(el), schema.error_log
    params = el.find("selectionParams")
    assert etree.QName(el).namespace == getdocs.NS and params.tag == "selectionParams"  # children unqualified
    if req.by_number:
        assert [c.tag for c in params] == ["subsystemType", "reestrNumber"]
    else:
        order = ["orgRegion", "subsystemType", f"documentType{req.law}", "periodInfo"]
        assert [c.tag for c in params] == order
        assert params.findtext("periodInfo/exactDate") == req.day.isoformat()


def test_the_token_is_in_the_soap_header_of_the_envelope():
    env = etree.fromstring(envelope(BulkRequest("PRIZ", number="1"), Token(TOKEN)))
    assert env.findtext(f"{{{getdocs.SOAP_NS}}}Header/individualPerson_token") == TOKEN


def test_bad_requests_are_usage_errors():
    with pytest.raises(UsageError, match="unknown subsystem"):
        BulkRequest("FTP", region="77", doc_type="x", day=date(2025, 1, 1))
    with pytest.raises(UsageError, match="two-digit region"):
        BulkRequest("PRIZ", region="7", doc_type="x", day=date(2025, 1, 1))
    with pytest.raises(UsageError, match="ends"):
        BulkPlan.by_region("77", "PRIZ", "x", date(2025, 1, 2), date(2025, 1, 1))


def test_a_wrongly_ordered_request_is_refused_by_the_local_service(service):
    req = BulkRequest("PRIZ", region="77", doc_type="epNotificationEF2020", day=DAYS[0])
    body = envelope(req, Token(TOKEN))
    env = etree.fromstring(body)
    params = env.find(".//selectionParams")
    region = params.find("orgRegion")
    params.remove(region)
    params.insert(1, region)  # subsystemType before orgRegion: the XSD's sequence says otherwise
    answer = httpx.post(service.url, content=etree.tostring(env), headers={getdocs.TOKEN_HEADER: TOKEN})
    assert answer.status_code == 500 and b"Fault" in answer.content
    assert service.requests == [] and "orgRegion" in service.refused[0], answer.text
    with pytest.raises(BulkServiceError, match="getDocsIP-ws-api.xsd") as exc:
        read_answer(answer.content, BulkRequest("PRIZ", number="1"), Token(TOKEN), status=500)
    assert exc.value.exit_code == 5


# --- runs -----------------------------------------------------------------------------------------------


def test_a_range_of_days_downloads_every_archive_once_and_stores_every_document_once(service, tmp_path):
    with Store.open() as store, BulkJournal.open() as journal, open_service() as svc:
        run = BulkRun(plan(), journal, svc)
        got = take_all(run, store)
        assert [(a.request.day, a.url.split("/")[-1].split("?")[0]) for a in got] == [
            (DAYS[0], "PRIZ_77_20250301_001.zip"), (DAYS[1], "PRIZ_77_20250302_001.zip"),
            (DAYS[1], "PRIZ_77_20250302_002.zip"), (DAYS[3], "PRIZ_77_20250304_001.zip")]
        for a in got:  # provenance: the archive's URL, the request, the sha256 of the bytes
            name = a.url.split("/")[-1].split("?")[0]
            assert a.content == ARCHIVES[a.request.day][name]
            assert a.sha256 == hashlib.sha256(a.content).hexdigest()
        assert run.no_data == [BulkRequest("PRIZ", region="77", doc_type="epNotificationEF2020", day=DAYS[2])]
        assert run.failures == [] and run.progress.requests_done == 4 and run.progress.archives_done == 4
        assert service.requests == [key(d) for d in DAYS]  # one request a day, in order
        assert sorted(service.downloads) == sorted(n for a in ARCHIVES.values() for n in a)
        assert {t.id for t in store.iter_tenders()} == DOCUMENT_IDS and store.count() == len(DOCUMENT_IDS)

        again = BulkRun(plan(), journal, svc)
        assert take_all(again, store) == [] and again.pending() == []
        assert len(service.requests) == 4 and len(service.downloads) == 4  # the rerun asked nothing
        assert store.count() == len(DOCUMENT_IDS)
    assert (tmp_path / "store" / JOURNAL_NAME).exists()  # in the store's directory


def test_a_rerun_after_a_kill_fetches_only_what_is_missing(service):
    with Store.open() as store, BulkJournal.open() as journal, open_service() as svc:
        with pytest.raises(KeyboardInterrupt):
            take_all(BulkRun(plan(), journal, svc), store, stop_after=2)  # killed while the 2nd is processed
        assert service.requests == [key(DAYS[0]), key(DAYS[1])]
        assert service.downloads == ["PRIZ_77_20250301_001.zip", "PRIZ_77_20250302_001.zip"]

        run = BulkRun(plan(), journal, svc)
        assert run.pending() == [r for r in plan() if r.day != DAYS[0]]
        # left: 2 archives of day 2 (answered), days 3 and 4 (not asked): 4 calls at 3 s at the least
        assert run.estimate(pace=3.0) == 12.0
        got = take_all(run, store)
        # the 2nd archive again (it was not done), the rest of day 2 from the recorded answer, then days 3-4
        assert [a.url.split("/")[-1].split("?")[0] for a in got] == [
            "PRIZ_77_20250302_001.zip", "PRIZ_77_20250302_002.zip", "PRIZ_77_20250304_001.zip"]
        assert service.requests == [key(d) for d in DAYS]  # day 2 was not asked again
        assert service.downloads.count("PRIZ_77_20250301_001.zip") == 1
        assert store.count() == len(DOCUMENT_IDS)
        assert BulkRun(plan(), journal, svc).pending() == []


def test_expired_links_are_asked_again_once(service):
    with BulkJournal.open() as journal, open_service() as svc:
        with pytest.raises(KeyboardInterrupt):
            take_all(BulkRun(plan(), journal, svc), stop_after=1)
        service.expire()  # the recorded links of days 1-2 now answer 404
        got = take_all(BulkRun(plan(), journal, svc))
        assert [a.request.day for a in got] == [DAYS[0], DAYS[1], DAYS[1], DAYS[3]]
        assert service.requests.count(key(DAYS[0])) == 2 and service.requests.count(key(DAYS[1])) == 1


def test_by_registry_number(service):
    service.answer("number=0362100022326000101;subsystem=PRIZ", archives={"n.zip": zip_of(NOTICE_B)})
    with BulkJournal.open() as journal, open_service() as svc:
        [archive] = take_all(BulkRun(BulkPlan.by_number("0362100022326000101", "PRIZ"), journal, svc))
        assert zipfile.ZipFile(io.BytesIO(archive.content)).namelist() == [NOTICE_B]
        with pytest.raises(NoDataError) as exc:
            svc.archives(BulkRequest("PRIZ", number="0000000000000000000"))
        assert exc.value.exit_code == 4 and "no documents" in exc.value.one_line()


# --- typed errors, one line each ------------------------------------------------------------------------


def test_error_info_is_a_service_error_with_its_code_and_the_run_goes_on(service):
    service.answer(key(DAYS[1]), error=(15, "Указанный тип документа не допускается к выгрузке"))
    with BulkJournal.open() as journal, open_service() as svc:
        run = BulkRun(plan(), journal, svc)
        got = take_all(run)
        assert [a.request.day for a in got] == [DAYS[0], DAYS[3]]
        [failure] = run.failures
        assert failure.request.day == DAYS[1] and failure.error.code == 15 and failure.error.exit_code == 5
        line = failure.error.one_line()
        assert "\n" not in line and "error 15" in line and "тип документа" in line
        assert [r.day for r in run.pending()] == [DAYS[1]]  # asked again on the next run


def test_quota_stops_the_run(service):
    service.quota = True
    with BulkJournal.open() as journal, open_service() as svc:
        with pytest.raises(QuotaError) as exc:
            take_all(BulkRun(plan(), journal, svc))
    assert exc.value.exit_code == 10 and "quota" in exc.value.one_line() and "лимит" in exc.value.one_line()
    assert journal_counts()["requests"] == 0


def test_http_429_is_a_quota_error(monkeypatch):
    monkeypatch.setenv("TENDERSCAN_RETRIES", "0")
    from tenderscan.sources.http import make_client

    transport = httpx.MockTransport(lambda r: httpx.Response(429, text="Too Many Requests"))
    client = make_client(transport=transport)
    monkeypatch.setenv("TENDERSCAN_GETDOCS_URL", "https://int44.zakupki.gov.ru/eis-integration/services/getDocsIP")
    with pytest.raises(QuotaError):
        GetDocsService(client, Token(TOKEN)).archives(BulkRequest("PRIZ", number="1"))


def test_token_errors(service, monkeypatch):
    monkeypatch.delenv("TENDERSCAN_EIS_TOKEN")
    with pytest.raises(TokenError, match="TENDERSCAN_EIS_TOKEN is not set") as exc:
        with open_service():
            pass
    assert exc.value.exit_code == 9
    wrong = "wrong-token-0000-but-also-secret"
    monkeypatch.setenv("TENDERSCAN_EIS_TOKEN", wrong)
    with open_service() as svc:
        with pytest.raises(TokenError) as exc:
            svc.archives(BulkRequest("PRIZ", region="77", doc_type="epNotificationEF2020", day=DAYS[0]))
        assert wrong not in exc.value.one_line() and "***" in exc.value.one_line()  # the fault echoed it
        with pytest.raises(TokenError):  # an archive link asked with the wrong token: 401
            svc.download(service.url_for("/eis-data/archives/PRIZ_77_20250301_001.zip"))
    monkeypatch.setenv("TENDERSCAN_EIS_TOKEN", "two words")
    with pytest.raises(TokenError, match="cannot carry") as exc:
        Token.from_env()
    assert "two words" not in exc.value.one_line()


def test_the_token_goes_to_the_portal_only(monkeypatch):
    monkeypatch.setenv("TENDERSCAN_GETDOCS_URL", "https://int44.zakupki.gov.ru/eis-integration/services/getDocsIP")
    calls = []
    from tenderscan.sources.http import make_client

    client = make_client(transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200)))
    svc = GetDocsService(client, Token(TOKEN))
    with pytest.raises(BulkServiceError, match="outside the portal"):
        svc.download("https://files.example.org/archive.zip")
    with pytest.raises(BulkServiceError, match="plain-http"):
        svc.download("http://int44.zakupki.gov.ru/archive.zip")
    with pytest.raises(BulkServiceError, match="outside the portal"):
        elsewhere = GetDocsService(client, Token(TOKEN), "https://getdocs.example.org/ws")
        elsewhere.archives(BulkRequest("PRIZ", number="1"))
    assert calls == []


# --- the token appears nowhere --------------------------------------------------------------------------


def journal_counts() -> dict:
    with BulkJournal.open() as journal:
        return journal.counts()


def test_the_token_appears_in_no_output_error_journal_store_or_traceback(service, tmp_path, monkeypatch):
    # a careless echo of the token in an error message
    service.answer(key(DAYS[1]), error=(7, f"Внутренняя ошибка при обработке запроса {TOKEN}"))
    texts: list[str] = []
    errors: list[BaseException] = []
    with Store.open() as store, BulkJournal.open() as journal, open_service() as svc:
        run = BulkRun(plan(), journal, svc, on_progress=lambda p: texts.append(repr(p)))
        got = take_all(run, store)
        texts += [repr(svc), repr(svc.token), str(svc.token), f"{svc.token}", repr(journal), repr(run.plan)]
        texts += [repr(a) for a in got] + [a.url for a in got]
        errors += [f.error for f in run.failures]
        with pytest.raises(TypeError):
            import pickle
            pickle.dumps(svc.token)
    service.quota = True
    with BulkJournal.open() as journal, open_service() as svc:
        try:
            take_all(BulkRun(BulkPlan.by_number("1", "PRIZ"), journal, svc))
        except TenderscanError as exc:
            errors.append(exc)
    service.quota = False
    monkeypatch.setenv("TENDERSCAN_EIS_TOKEN", TOKEN + "x")  # a wrong token the service echoes back
    with open_service() as svc2:
        for call in (lambda: svc2.archives(BulkRequest("PRIZ", number="1")),
                     lambda: svc2.download(service.url_for("/eis-data/archives/x.zip"))):
            try:
                call()
            except TenderscanError as exc:
                errors.append(exc)
    assert len(errors) == 4 and {type(e) for e in errors} == {BulkServiceError, QuotaError, TokenError}
    for exc in errors:
        texts.append(exc.one_line())
        texts.append("".join(traceback.format_exception(exc)))
        # and nothing chained to it (an httpx error would hold its request, and the request the header)
        assert exc.__context__ is None and exc.__cause__ is None, type(exc.__context__)
    blob = "\n".join(texts)
    assert TOKEN not in blob and TOKEN[4:20] not in blob
    for path in (tmp_path / "store").iterdir():  # the journal (and its WAL) and the store's database
        assert TOKEN.encode() not in path.read_bytes(), path.name


def test_the_cli_stays_light():
    """`tenderscan --help` imports neither the bulk service, its XML schema work nor truststore."""
    code = ("import sys, tenderscan.cli; "
            "bad = [m for m in ('tenderscan.sources.getdocs', 'tenderscan.sources.bulk', 'truststore', "
            "'tenderscan.sources.tls') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
