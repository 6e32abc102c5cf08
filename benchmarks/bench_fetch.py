"""Target: `tenderscan fetch` of many documents from a local server that answers each request after 100 ms."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from bench_ingest import Ctx
from corpus import Mutator, load_templates
from harness import Fig, Result, Skip, fresh_dir, judge, run_cli

DELAY = 0.1
CONCURRENCY = 8
# the viewXml print form the portal serves at /epz/order/notice/printForm/viewXml.html (a real capture)
TEMPLATE = "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml"


class SlowPortal:
    """A local stand-in for the portal: each document at its viewXml path, answered after ``delay``."""

    def __init__(self, docs: dict[str, bytes], delay: float = DELAY):
        self.docs, self.delay = docs, delay
        self.requests = 0
        self.inflight = self.max_inflight = 0
        self.first = self.last = 0.0  # when the first request came and the last answer went
        self.lock = threading.Lock()
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body in two writes wait 40 ms for an ACK

            def do_GET(self):
                with portal.lock:
                    portal.requests += 1
                    portal.inflight += 1
                    portal.max_inflight = max(portal.max_inflight, portal.inflight)
                    portal.first = portal.first or time.perf_counter()
                try:
                    self._answer()
                finally:
                    with portal.lock:
                        portal.inflight -= 1
                        portal.last = time.perf_counter()

            def _answer(self):
                time.sleep(portal.delay)
                url = urlparse(self.path)
                number = (parse_qs(url.query).get("regNumber") or [""])[0]
                body = portal.docs.get(number) if url.path.endswith("/notice/printForm/viewXml.html") else None
                if body is None:
                    self.send_response(404)
                    body = b"<html><body>not found</body></html>"
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/xml; charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def rate_off_args(help_text: str) -> list[str]:
    """How today's `fetch` spells "no rate limit"."""
    if "--no-rate-limit" in help_text:
        return ["--no-rate-limit"]
    if "--rate" in help_text:
        return ["--rate", "0"]
    return []


def target_fetch(ctx: Ctx) -> Result:
    from harness import require_command

    help_text = require_command("fetch", "--concurrency")
    if TEMPLATE not in ctx.parsable():
        raise Skip(f"the parser does not read {TEMPLATE} yet")
    n = ctx.sizes.fetch_docs
    [tpl] = load_templates([TEMPLATE])
    mut = Mutator(ctx.seed)
    docs = {}
    for _ in range(n):
        g = mut.make(tpl)
        docs[g.reg_number] = g.data
    ids = sorted(docs)
    args = ["--quiet", "fetch", *ids, "--concurrency", str(CONCURRENCY), *rate_off_args(help_text),
            "--format", "json", *(["--kind", "notice"] if "--kind" in help_text else [])]
    ideal = n * DELAY / CONCURRENCY
    walls, served, inflight, spans = [], [], [], []
    store = ctx.work / "store-fetch"
    for _ in range(ctx.reps):
        fresh_dir(store)
        with SlowPortal(docs) as portal:
            run = run_cli(args, store=store, env_extra={"TENDERSCAN_ZAKUPKI_URL": portal.url,
                                                      # the portal's own pace (3 s a request, issue 16) would
                                                      # measure the pace, not fetch: off, as --rate 0 is
                                                      "TENDERSCAN_PACE": "0"},
                          timeout=max(120.0, ideal * 20))
        if run.rc != 0:
            raise RuntimeError(f"fetch exited {run.rc}: {run.tail()}")
        walls.append(run.wall)
        served.append(portal.requests)
        inflight.append(portal.max_inflight)
        spans.append(portal.last - portal.first)
    walls.sort()
    wall = walls[len(walls) // 2]
    ratio = wall / ideal
    note = (f"{n} docs, {max(served)} requests served, at most {max(inflight)} in flight, first request to "
            f"last answer {sorted(spans)[len(spans) // 2]:.2f}s, concurrency {CONCURRENCY}, "
            f"CLI start {ctx.startup():.2f}s")
    return Result("fetch", judge(ratio, at_most=1.5), Fig("tenderscan", wall, "s"), Fig("ideal", ideal, "s"),
                  ratio, "<= 1.5x", note, {"docs": n, "wall_s": wall, "ideal_s": ideal})
