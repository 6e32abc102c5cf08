"""The portal's bulk service, getDocsIP (the "individual person" door of the EIS data service).

Since 2025-01-01 the portal's bulk dumps (the FTP) are served by SOAP services instead. getDocsIP answers a
request with links to zip archives of the documents (``archiveUrl``, up to 1000), ``noData``, or
``errorInfo`` (code and message); each archive is then downloaded with a GET. Two operations are used here
(WSDL ``GetDocsIPFacade``, SOAP 1.1, document/literal, one SOAPAction for all):

- ``getDocsByOrgRegionRequest``: index (id, createDateTime, mode), selectionParams: orgRegion (2 chars,
  KLADR), subsystemType (PRIZ, RGK, RPEC... for 44-FZ; RI223, RD223... for 223-FZ), documentType44 or
  documentType223 (a type of the nsiDocumentTypes lists, e.g. epNotificationEF2020, contract,
  purchaseNotice), periodInfo/exactDate (one day): in this order, which the service checks.
- ``getDocsByReestrNumberRequest``: index, selectionParams: subsystemType, reestrNumber.

The schema (``getDocsIP-ws-api.xsd``) is ``elementFormDefault="unqualified"``: only the request element is in
the service's namespace, its children are not. The token goes in the ``individualPerson_token`` element of
the SOAP header and in an HTTP header of the same name, on the request and on every archive download (it is
sent to the portal's hosts only, :mod:`.hosts`).

The envelope is built here with lxml from the official XSD's element order (the tests validate every
request against the XSD shipped in ``tenderscan/data/getdocs/``) rather than by zeep from the WSDL: zeep
would bring a second HTTP stack (requests) beside the project's one client factory, 0.15-0.45 s of imports
and 0.06 s of WSDL parsing per run, debug logs of whole envelopes (token included), and the token header is
not in the WSDL anyway; two request shapes and three answer shapes do not need a generic SOAP client.

    TENDERSCAN_GETDOCS_URL   the service's address (default: the WSDL's soap:address, DEFAULT_URL)
    TENDERSCAN_EIS_TOKEN     the token (:mod:`.secret`)
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

import httpx
from lxml import etree

from ..errors import (BlockedError, BulkServiceError, FetchError, HTTPNotFoundError, NoDataError, QuotaError,
                      TenderscanError, TokenError, UsageError)
from ..values import MOSCOW
from ..safety.xml import localname, parse_xml
from .hosts import configured_hosts, is_portal_host
from .http import MAX_BODY_BYTES, looks_blocked, network_error, read_capped
from .secret import Token

NS = "http://zakupki.gov.ru/fz44/get-docs-ip/ws"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_ACTION = "http://zakupki.gov.ru/fz44/queue/ws/get-docs-ip"
DEFAULT_URL = "https://int44.zakupki.gov.ru/eis-integration/services/getDocsIP"  # the WSDL's soap:address
URL_ENV = "TENDERSCAN_GETDOCS_URL"
TOKEN_HEADER = "individualPerson_token"
MODE = "PROD"
SCHEMA_PATH = "data/getdocs/GetDocsWS/GetDocsIndividualPerson/getDocsIP-ws-api.xsd"
MAX_ARCHIVE_BYTES = MAX_BODY_BYTES

# commonSubsystemType of getDocsIP-ws-api.xsd (those the service gives an individual person)
SUBSYSTEMS_44 = ("BTK", "PRIZ", "RPEC", "PZKLKP", "RPGZ", "RPNZ", "RDI", "RGK", "CRK", "EA", "UR", "RJ",
                 "REC", "RPP", "RVP", "RRK", "RRA", "RNP", "RKPO", "PPRF615", "RD615", "LKOK", "OZ", "ZC")
SUBSYSTEMS_223 = ("OD223", "RD223", "MSP223", "IPVP223", "TRU223", "RJ223", "RPP223", "RPZ223", "RI223",
                  "RZ223", "OV223", "TPOZ223", "POZ223", "RNP223", "POM223")
_REGION = re.compile(r"\d{2}")  # orgRegionKladrType: length 2 (the KLADR region code, 77 = Moscow)


def service_url(url: str | None = None) -> str:
    return (url or os.environ.get(URL_ENV) or DEFAULT_URL).strip()


def schema() -> etree.XMLSchema:
    """The official getDocsIP schema (the package's copy), to validate an envelope's request element."""
    path = resources.files("tenderscan").joinpath(SCHEMA_PATH)
    with resources.as_file(path) as file:
        return etree.XMLSchema(etree.parse(str(file)))


@dataclass(frozen=True)
class BulkRequest:
    """One request to the service: a region's documents of one type on one day, or one registry number."""

    subsystem: str
    region: str | None = None
    doc_type: str | None = None
    day: date | None = None
    number: str | None = None

    def __post_init__(self) -> None:
        sub = (self.subsystem or "").strip().upper()
        object.__setattr__(self, "subsystem", sub)
        if sub not in SUBSYSTEMS_44 + SUBSYSTEMS_223:
            raise UsageError(f"unknown subsystem {self.subsystem!r}",
                             hint="44-FZ: " + ", ".join(SUBSYSTEMS_44[:9]) + "...; 223-FZ: "
                                  + ", ".join(SUBSYSTEMS_223[:9])
                                  + "... (notices: PRIZ or RI223, contracts: RGK)")
        if self.number is not None:
            if not 1 <= len(self.number.strip()) <= 50 or any(v is not None for v in (self.region, self.day)):
                raise UsageError("a request by registry number takes the number (1-50 characters) and the "
                                 "subsystem only")
            object.__setattr__(self, "number", self.number.strip())
            return
        if not self.region or not _REGION.fullmatch(self.region.strip()):
            raise UsageError(f"region {self.region!r} is not a two-digit region code",
                             hint="the KLADR code of the customer's region: 77 Moscow, 78 Saint Petersburg, "
                                  "50 Moscow region...")
        object.__setattr__(self, "region", self.region.strip())
        if not self.doc_type or not 1 <= len(self.doc_type.strip()) <= 50:
            raise UsageError("a document type is needed (1-50 characters)",
                             hint="e.g. epNotificationEF2020 (PRIZ), contract (RGK), purchaseNotice (RI223)")
        object.__setattr__(self, "doc_type", self.doc_type.strip())
        if not isinstance(self.day, date):
            raise UsageError("a day is needed for a request by region")

    @property
    def by_number(self) -> bool:
        return self.number is not None

    @property
    def law(self) -> str:
        return "223" if self.subsystem in SUBSYSTEMS_223 else "44"

    @property
    def operation(self) -> str:
        return "getDocsByReestrNumber" if self.by_number else "getDocsByOrgRegion"

    @property
    def key(self) -> str:
        """A stable text key (the journal's)."""
        if self.by_number:
            return f"number={self.number};subsystem={self.subsystem}"
        return (f"region={self.region};subsystem={self.subsystem};type={self.doc_type};"
                f"day={self.day.isoformat()}")

    def describe(self) -> str:
        if self.by_number:
            return f"{self.subsystem} number {self.number}"
        return f"region {self.region}, {self.subsystem}, {self.doc_type}, {self.day.isoformat()}"


def request_element(req: BulkRequest, *, request_id: str | None = None,
                    created: datetime | None = None) -> etree._Element:
    """The ``ws:...Request`` element, its children unqualified and in the XSD's order."""
    root = etree.Element(f"{{{NS}}}{req.operation}Request", nsmap={"ws": NS})
    index = etree.SubElement(root, "index")
    etree.SubElement(index, "id").text = request_id or str(uuid.uuid4())
    when = created or datetime.now(MOSCOW)
    etree.SubElement(index, "createDateTime").text = when.isoformat(timespec="seconds")
    etree.SubElement(index, "mode").text = MODE
    params = etree.SubElement(root, "selectionParams")
    if req.by_number:
        etree.SubElement(params, "subsystemType").text = req.subsystem
        etree.SubElement(params, "reestrNumber").text = req.number
        return root
    etree.SubElement(params, "orgRegion").text = req.region
    etree.SubElement(params, "subsystemType").text = req.subsystem
    etree.SubElement(params, f"documentType{req.law}").text = req.doc_type
    period = etree.SubElement(params, "periodInfo")
    etree.SubElement(period, "exactDate").text = req.day.isoformat()
    return root


def envelope(req: BulkRequest, token: Token, *, request_id: str | None = None,
             created: datetime | None = None) -> bytes:
    """The SOAP 1.1 envelope: the token in the header, the request element in the body."""
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soapenv": SOAP_NS, "ws": NS})
    etree.SubElement(etree.SubElement(env, f"{{{SOAP_NS}}}Header"), TOKEN_HEADER).text = token.reveal()
    body = etree.SubElement(env, f"{{{SOAP_NS}}}Body")
    body.append(request_element(req, request_id=request_id, created=created))
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


# --- answers ------------------------------------------------------------------------------------------------

_TOKEN_WORDS = ("токен", "token", "аутентиф", "авториз", "authent", "authoriz", "unauthori")
_QUOTA_WORDS = ("лимит", "квот", "количество запросов", "количества запросов", "частота запросов", "too many",
                "quota", "rate limit", "throttl")


def service_error(code: int | None, message: str, token: Token, *,
                  status: int | None = None) -> BulkServiceError:
    """errorInfo, a SOAP fault or an HTTP status as a typed error (by the words of the message: the
    service's error codes are not published in its schema)."""
    text = " ".join(token.scrub(message or "").split())[:300] or "no message"
    low = text.lower()
    said = f"error {code}: {text}" if code is not None else text
    if status == 429 or any(w in low for w in _QUOTA_WORDS):
        return QuotaError(f"the bulk service refused the request for its quota ({said})", code=code)
    if status in (401, 403) or any(w in low for w in _TOKEN_WORDS):
        return TokenError(f"the bulk service refused the token ({said})", code=code)
    return BulkServiceError(f"the bulk service answered {said}", code=code,
                            hint="check the request (region, subsystem, document type, day); retry later")


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    for c in el:
        if isinstance(c.tag, str) and localname(c) == name:
            return c
    return None


def _parse(data: bytes) -> etree._Element | None:
    try:
        return parse_xml(data)
    except TenderscanError:
        return None


# The errors below are raised outside the ``except`` blocks that found them, so that they carry no
# ``__context__``: an httpx error holds its request, and the request holds the token header.


def read_answer(data: bytes, req: BulkRequest, token: Token, *, status: int = 200) -> list[str]:
    """The archive URLs of an answer; NoDataError, or the typed error of errorInfo or a fault."""
    root = _parse(data)
    if root is None:
        raise service_error(None, f"HTTP {status}, not a SOAP answer", token, status=status)
    body = _child(root, "Body") if localname(root) == "Envelope" else None
    fault = _child(body, "Fault")
    if fault is not None:
        said = _child(fault, "faultstring")
        text = (said if said is not None else fault).xpath("string()")
        raise service_error(None, text, token, status=status)
    answer = next((c for c in (body if body is not None else []) if isinstance(c.tag, str)), None)
    info = _child(answer, "dataInfo")
    if info is None:
        raise service_error(None, f"HTTP {status}, an answer without dataInfo", token, status=status)
    urls = [(c.text or "").strip() for c in info if isinstance(c.tag, str) and localname(c) == "archiveUrl"]
    if any(urls):
        return [u for u in urls if u]
    if _child(info, "noData") is not None:
        raise NoDataError(f"the bulk service has no documents for {req.describe()}",
                          hint="check the region, subsystem, document type and day")
    err = _child(info, "errorInfo")
    if err is not None:
        code_text = (_child(err, "code").text or "").strip() if _child(err, "code") is not None else ""
        message = _child(err, "message").xpath("string()") if _child(err, "message") is not None else ""
        raise service_error(int(code_text) if code_text.lstrip("-").isdigit() else None, message, token)
    raise service_error(None, "an answer with neither archiveUrl, noData nor errorInfo", token, status=status)


# --- the service --------------------------------------------------------------------------------------------


class GetDocsService:
    """getDocsIP over one client of :func:`tenderscan.sources.http.make_client` (its pace, retries, trust)."""

    def __init__(self, client: httpx.Client, token: Token, url: str | None = None):
        self.client = client
        self.token = token
        self.url = service_url(url)

    def __repr__(self) -> str:
        return f"GetDocsService({self.url!r}, token={self.token!r})"

    def archives(self, req: BulkRequest) -> list[str]:
        """Ask for the archives of one request: their URLs, or NoDataError / a BulkServiceError."""
        what = f"the bulk service's answer for {req.describe()}"
        self._check_host(self.url, what="the bulk service")
        failure: FetchError | None = None
        try:
            response = self.client.post(self.url, content=envelope(req, self.token), headers={
                "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{SOAP_ACTION}"',
                TOKEN_HEADER: self.token.reveal()})
        except httpx.HTTPError as exc:
            failure = network_error(exc, self.url, what)
        if failure is not None:
            raise failure
        status, data = response.status_code, response.content
        if data.lstrip()[:1] == b"<" and not looks_blocked(data, response.headers.get("Content-Type", "")):
            if status in (401, 403, 429) and b"Envelope" not in data[:4096]:
                raise service_error(None, f"HTTP {status} {response.reason_phrase}", self.token,
                                    status=status)
            return read_answer(data, req, self.token, status=status)
        if looks_blocked(data, response.headers.get("Content-Type", "")):
            raise BlockedError(f"the bulk service answered with a captcha or firewall page ({status})")
        raise service_error(None, f"HTTP {status} {response.reason_phrase}", self.token, status=status)

    def download(self, url: str) -> bytes:
        """One archive, with the token header; its bytes (a zip)."""
        self._check_host(url, what="an archive")
        shown = self.token.scrub(url)
        failure: FetchError | None = None
        try:
            with self.client.stream("GET", url, headers={TOKEN_HEADER: self.token.reveal()}) as response:
                status = response.status_code
                if status in (404, 410):
                    raise HTTPNotFoundError(f"the archive is gone ({status} at {shown})", status=status,
                                            hint="the service's links expire; the request is asked again")
                if status in (401, 403, 429):
                    raise service_error(None, f"HTTP {status} downloading {shown}", self.token, status=status)
                if status >= 400:
                    raise FetchError(f"the archive server answered {status} ({shown})", hint="retry later")
                data = read_capped(response, MAX_ARCHIVE_BYTES, "the archive")
                ctype = response.headers.get("Content-Type", "")
        except httpx.HTTPError as exc:
            failure = network_error(exc, shown, "an archive")
        if failure is not None:
            raise failure
        if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            if looks_blocked(data, ctype):
                raise BlockedError(f"the archive server answered with a captcha or firewall page ({shown})")
            raise BulkServiceError(f"the archive at {shown} is not a zip archive ({len(data)} bytes)",
                                   hint="retry later")
        return data

    def _check_host(self, url: str, *, what: str) -> None:
        """The token goes to the portal's hosts only, and over HTTPS unless a base-URL variable names the
        host with http:// (a local mirror or test server)."""
        parsed = httpx.URL(url)
        host = parsed.host
        if not is_portal_host(host):
            raise BulkServiceError(f"{what} is at {host or url!r}, outside the portal: not contacted "
                                   "(the token is sent to the portal's hosts only)",
                                   hint=f"point {URL_ENV} at the portal's service")
        if parsed.scheme != "https" and host not in configured_hosts("http"):
            raise BulkServiceError(f"{what} is at a plain-http address ({host}): not contacted (the token "
                                   "travels over HTTPS only)")
