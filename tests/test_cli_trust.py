"""`--ca-bundle` and `--pace` through the CLI (fetch, search, bulk), against the HTTPS server of test_trust.py
whose certificate a test root CA issued: with the option the portal works, without it one line names the
fix, the bundle never makes another host trusted, and a bundle that is not there is a usage error."""

from __future__ import annotations

import pytest

from tenderscan.errors import FetchError
from tenderscan.store import Store

from .conftest import run
from .test_trust import NOTICE, bundle, ca, https, portal  # noqa: F401 - the fixtures

PROZORRO_ID = "38bca89f7ba4477d97f553d576fd6994"


def lines(text: str) -> list[str]:
    return [x for x in text.splitlines() if x.strip()]


def test_fetch_with_ca_bundle_works_and_without_it_says_the_fix(portal, bundle):  # noqa: F811
    r = run("fetch", "--rate", "0", NOTICE)
    assert r.exit_code == 5 and r.stdout == ""
    [line] = lines(r.stderr)
    assert "Russian Trusted Root CA" in line and "https://www.gosuslugi.ru/crt" in line and "--ca-bundle" in line
    r = run("fetch", "--rate", "0", "--ca-bundle", str(bundle), "--format", "json", NOTICE)
    assert r.exit_code == 0, r.stderr
    assert '"102871.68"' in r.stdout
    with Store.open() as st:
        assert str(st.get(NOTICE).amount) == "102871.68"


def test_the_bundle_does_not_make_another_host_trusted_through_the_cli(portal, bundle, monkeypatch):  # noqa: F811
    # ProZorro's base URL at the same server, as localhost (its certificate names it, from the same root)
    monkeypatch.setenv("TENDERSCAN_PROZORRO_URL", f"https://localhost:{portal.port}")
    r = run("fetch", "--rate", "0", "--ca-bundle", str(bundle), PROZORRO_ID)
    assert r.exit_code == 5 and r.stdout == ""
    [line] = lines(r.stderr)
    assert "could not be verified" in line and "localhost" in line
    assert "portal's hosts only" in line and "Russian Trusted Root" not in line
    assert portal.log == [] or all("/api/2.5/" not in str(req) for req, _ in portal.log)


@pytest.mark.parametrize("command", [["fetch", NOTICE], ["search", "охрана"],
                                     ["bulk", "--number", "1", "--subsystem", "PRIZ"]])
def test_a_missing_or_unreadable_bundle_is_a_one_line_usage_error(command, tmp_path, monkeypatch):
    monkeypatch.setenv("TENDERSCAN_EIS_TOKEN", "a-token")
    r = run(command[0], "--ca-bundle", str(tmp_path / "missing.pem"), *command[1:])
    assert r.exit_code == 2 and r.stdout == ""
    [line] = lines(r.stderr)
    assert "--ca-bundle" in line and "no such file" in line and "gosuslugi.ru/crt" in line
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    monkeypatch.setenv("TENDERSCAN_CA_BUNDLE", str(junk))  # the variable is checked the same way
    r = run(*command)
    assert r.exit_code == 2
    [line] = lines(r.stderr)
    assert "holds no PEM certificate" in line
    r = run(command[0], "--ca-bundle", str(tmp_path), *command[1:])
    assert r.exit_code == 2 and "is a directory" in r.stderr


def test_pace_and_bundle_reach_the_client_factory(monkeypatch, bundle):  # noqa: F811
    from tenderscan.services import fetch as fetch_service
    from tenderscan.services import search as search_service

    seen = []

    def factory(**kw):
        seen.append(kw)
        raise FetchError("stopped here by the test")

    monkeypatch.setattr(fetch_service, "make_client", factory)
    monkeypatch.setattr(search_service, "make_client", factory)
    assert run("fetch", "--pace", "7.5", "--ca-bundle", str(bundle), NOTICE).exit_code == 5
    assert run("search", "--pace", "0", "охрана").exit_code == 5
    monkeypatch.setenv("TENDERSCAN_PACE", "4")
    assert run("search", "охрана").exit_code == 5
    assert [(kw["pace"], kw["ca_bundle"]) for kw in seen] == [(7.5, bundle), (0.0, None), (4.0, None)]


def test_a_negative_pace_is_a_usage_error():
    r = run("fetch", "--pace", "-1", NOTICE)
    assert r.exit_code == 2 and "--pace" in r.stderr
