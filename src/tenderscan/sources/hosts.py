"""Which hosts are the portal's: they get the portal's trust (an extra CA bundle) and its pace.

The portal's hosts are zakupki.gov.ru and its subdomains (www., lk., int44., the bulk service's hosts) and
whatever host the portal's base-URL variables point at (a mirror, a proxy of the portal, a test server):

    TENDERSCAN_ZAKUPKI_URL   the portal's pages and print forms (default https://zakupki.gov.ru)
    TENDERSCAN_GETDOCS_URL   the bulk service (default: the address in the official getDocsIP WSDL)

No other host is: the other portals' variables (TENDERSCAN_PROZORRO_URL...) are not the portal's.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

PORTAL_DOMAIN = "zakupki.gov.ru"
BASE_URL_VARS = ("TENDERSCAN_ZAKUPKI_URL", "TENDERSCAN_GETDOCS_URL")


def _norm(host: str | None) -> str:
    return (host or "").strip().lower().rstrip(".").strip("[]")


def configured_hosts(scheme: str | None = None) -> frozenset[str]:
    """The hosts the base-URL variables point at (read each time: tests and users change them); with
    ``scheme``, only those the variables name with that scheme."""
    hosts = set()
    for name in BASE_URL_VARS:
        value = os.environ.get(name)
        if value:
            parts = urlsplit(value.strip())
            host = _norm(parts.hostname)
            if host and (scheme is None or parts.scheme.lower() == scheme):
                hosts.add(host)
    return frozenset(hosts)


def is_portal_host(host: str | None) -> bool:
    """zakupki.gov.ru, a subdomain of it, or the host of a portal base-URL variable."""
    h = _norm(host)
    if not h:
        return False
    return h == PORTAL_DOMAIN or h.endswith("." + PORTAL_DOMAIN) or h in configured_hosts()
