"""A local getDocsIP: a real HTTP server on 127.0.0.1 (http.server in a thread) that plays the portal's bulk
service.

(Not pytest-httpserver: werkzeug's server drops every header whose name has an underscore, and the token
header is ``individualPerson_token``.)

It refuses what the real service refuses: every request body is validated against the official getDocsIP XSD
(the package's copy of the 44-FZ 16.2.6.9 schemas) with lxml, element order included, and a request without
the right token (SOAP header ``individualPerson_token`` and HTTP header of the same name) gets a SOAP fault
that echoes the token it was sent (as careless services do: the client must scrub it). It answers with
archive URLs served by the same server (zip archives of real documents from fixtures/zakupki), ``noData``
and ``errorInfo``, and every answer it sends is itself valid against the XSD's response elements.
"""

from __future__ import annotations

import contextlib
import copy
import io
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from tenderscan.sources import getdocs

from .conftest import ZAKUPKI

PATH = "/eis-integration/services/getDocsIP"
ARCHIVES = "/eis-data/archives/"
SOAP = getdocs.SOAP_NS
NS = getdocs.NS


def zip_of(*names: str) -> bytes:
    """A zip archive of real documents from fixtures/zakupki (as the service's archives hold XML files)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.writestr(name, (ZAKUPKI / name).read_bytes())
    return buf.getvalue()


@dataclass
class Answer:
    """What the service answers to one request: archives (name -> zip bytes), noData, or errorInfo."""

    archives: dict[str, bytes] = field(default_factory=dict)
    error: tuple[int, str] | None = None

    @property
    def no_data(self) -> bool:
        return not self.archives and self.error is None


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "text/xml; charset=utf-8"


@dataclass
class Seen:
    """What the handler hands over of a request: path, query, headers (names in lower case), body."""

    path: str
    args: dict[str, str]
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _seen(self) -> Seen:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        return Seen(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()}, body)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def do_POST(self) -> None:  # noqa: N802
        seen = self._seen()
        ok = seen.path == PATH
        self._send(self.server.app._soap(seen) if ok else Reply(404, b"not found", "text/plain"))

    def do_GET(self) -> None:  # noqa: N802
        seen = self._seen()
        ok = seen.path.startswith(ARCHIVES)
        self._send(self.server.app._archive(seen) if ok else Reply(404, b"not found", "text/plain"))

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def running(token: str) -> Iterator[GetDocsServer]:
    """A GetDocsServer on 127.0.0.1 (a free port), stopped on exit."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    app = GetDocsServer(f"http://127.0.0.1:{httpd.server_address[1]}", token)
    httpd.app = app  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, name="getdocs-server", daemon=True)
    thread.start()
    try:
        yield app
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


class GetDocsServer:
    """getDocsIP at ``url``; answers set per request key (``BulkRequest.key`` shape) with :meth:`answer`."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.token = token
        self.schema = getdocs.schema()
        self.answers: dict[str, Answer] = {}
        self.requests: list[str] = []  # keys of the valid requests, in order
        self.refused: list[str] = []  # why invalid requests were refused
        self.downloads: list[str] = []  # archive names, in order
        self.quota = False  # answer every request with a quota errorInfo
        self.issued: list[str] = []  # the dsUid of every archive link handed out
        self.expired: set[str] = set()  # links (by dsUid) that answer 404 now
        self.before_download = None  # called with an archive's name before it is served (a test's hold)
        self._archives: dict[str, bytes] = {}

    @property
    def url(self) -> str:
        return self.url_for(PATH)

    def url_for(self, path: str) -> str:
        return self.base + path

    def reset(self) -> None:
        """Forget every answer and everything seen (one server serves a test module)."""
        self.answers.clear()
        self.requests.clear()
        self.refused.clear()
        self.downloads.clear()
        self.issued.clear()
        self.expired.clear()
        self.quota = False
        self.before_download = None
        self._archives.clear()

    def expire(self) -> None:
        """Every link handed out so far expires (answers 404); links given from now on work."""
        self.expired.update(self.issued)

    def answer(self, key: str, *, archives: dict[str, bytes] | None = None,
               error: tuple[int, str] | None = None) -> None:
        self.answers[key] = Answer(dict(archives or {}), error)
        self._archives.update(archives or {})

    # --- the SOAP endpoint ------------------------------------------------------------------------------

    def _soap(self, request: Seen) -> Reply:
        try:
            env = etree.fromstring(request.body, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            return self._fault("Client", f"Некорректный XML: {exc}")
        if env.tag != f"{{{SOAP}}}Envelope" or env.find(f"{{{SOAP}}}Body") is None:
            return self._fault("Client", "Ожидается SOAP 1.1 Envelope с Body")
        sent = env.findtext(f"{{{SOAP}}}Header/{getdocs.TOKEN_HEADER}")
        if sent != self.token or request.headers.get(getdocs.TOKEN_HEADER.lower()) != self.token:
            return self._fault("Client", f"Ошибка аутентификации: токен {getdocs.TOKEN_HEADER} {sent} "
                                         "не найден или заблокирован", status=500)
        body = [c for c in env.find(f"{{{SOAP}}}Body") if isinstance(c.tag, str)]
        if len(body) != 1:
            return self._fault("Client", "Body должен содержать один запрос")
        req = copy.deepcopy(body[0])
        if not self.schema.validate(req):
            reason = "; ".join(str(e.message) for e in self.schema.error_log)[:500]
            self.refused.append(reason)
            return self._fault("Client", f"Запрос не соответствует схеме getDocsIP-ws-api.xsd: {reason}")
        op = etree.QName(req).localname.removesuffix("Request")
        key = self._key(req)
        self.requests.append(key)
        request_id = req.findtext("index/id")
        if self.quota:
            return self._response(op, request_id, error=(429, "Превышен лимит количества запросов к сервису "
                                                              "для данного токена. Повторите запрос позднее"))
        answer = self.answers.get(key, Answer())
        if answer.error is not None:
            return self._response(op, request_id, error=answer.error)
        if answer.no_data:
            return self._response(op, request_id, no_data=True)
        uids = [uuid.uuid4().hex for _ in answer.archives]
        self.issued.extend(uids)
        urls = [self.url_for(ARCHIVES + name) + f"?dsUid={uid}" for name, uid in zip(answer.archives, uids)]
        return self._response(op, request_id, urls=urls)

    @staticmethod
    def _key(req: etree._Element) -> str:
        p = req.find("selectionParams")
        if etree.QName(req).localname == "getDocsByReestrNumberRequest":
            return f"number={p.findtext('reestrNumber')};subsystem={p.findtext('subsystemType')}"
        doc_type = p.findtext("documentType44") or p.findtext("documentType223")
        return (f"region={p.findtext('orgRegion')};subsystem={p.findtext('subsystemType')};type={doc_type};"
                f"day={p.findtext('periodInfo/exactDate')}")

    def _response(self, op: str, ref: str | None, *, urls: list[str] | None = None, no_data: bool = False,
                  error: tuple[int, str] | None = None) -> Reply:
        resp = etree.Element(f"{{{NS}}}{op}Response", nsmap={"ns2": NS})
        index = etree.SubElement(resp, "index")
        etree.SubElement(index, "id").text = str(uuid.uuid4())
        etree.SubElement(index, "refId").text = ref
        etree.SubElement(index, "createDateTime").text = datetime.now().isoformat(timespec="seconds")
        etree.SubElement(index, "mode").text = "PROD"
        info = etree.SubElement(resp, "dataInfo")
        if error is not None:
            err = etree.SubElement(info, "errorInfo")
            etree.SubElement(err, "code").text = str(error[0])
            etree.SubElement(err, "message").text = error[1]
        elif no_data:
            etree.SubElement(info, "noData").text = "true"
        else:
            for u in urls or []:
                etree.SubElement(info, "archiveUrl").text = etree.CDATA(u)  # the service wraps them in CDATA
        self.schema.assertValid(copy.deepcopy(resp))  # the answers are the schema's shapes too
        env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
        etree.SubElement(env, f"{{{SOAP}}}Body").append(resp)
        return Reply(200, etree.tostring(env, xml_declaration=True, encoding="UTF-8"))

    @staticmethod
    def _fault(code: str, text: str, status: int = 500) -> Reply:
        env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
        fault = etree.SubElement(etree.SubElement(env, f"{{{SOAP}}}Body"), f"{{{SOAP}}}Fault")
        etree.SubElement(fault, "faultcode").text = f"soap:{code}"
        etree.SubElement(fault, "faultstring").text = text
        return Reply(status, etree.tostring(env, xml_declaration=True, encoding="UTF-8"))

    # --- the archives ---------------------------------------------------------------------------------

    def _archive(self, request: Seen) -> Reply:
        if request.headers.get(getdocs.TOKEN_HEADER.lower()) != self.token:
            return Reply(401, "Доступ запрещён: нет токена individualPerson_token".encode(),
                         "text/plain; charset=utf-8")
        name = request.path[len(ARCHIVES):]
        if request.args.get("dsUid") in self.expired or name not in self._archives:
            return Reply(404, b"not found", "text/plain")
        if self.before_download is not None:
            self.before_download(name)
        self.downloads.append(name)
        return Reply(200, self._archives[name], "application/zip")
