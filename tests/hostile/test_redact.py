"""`--redact-contacts` on `show` and `export`: contact persons' names, e-mails and phones (of customers,
placers, suppliers and participants, and any contact data among format-specific values) are left out of every
output format; organisations stay."""

from __future__ import annotations

import json

import pytest

from tenderscan import parse
from tenderscan.documents.redact import organizations, redact_contacts
from tests.conftest import FIXTURES, ZAKUPKI, run

WITH_CONTACTS = [
    FIXTURES / "ocds" / "ocds-ocdskit" / "compiled-release-1.json",
    ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml",
    ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml",
    ZAKUPKI / "223fz_mobileapi_common-info_32109998392.json",
    FIXTURES / "ted" / "eforms_cn_24_maximal.xml",
    FIXTURES / "prozorro" / "tender_to_render.json",
]


def contacts(path) -> list[str]:
    """The contact texts the document holds (what must not come out)."""
    out = []
    for t in parse(str(path), stations=False):
        for org in organizations(t):
            out += [v for v in (org.contact, org.email, org.phone) if v]
    return out


@pytest.mark.parametrize("path", WITH_CONTACTS, ids=lambda p: p.name)
def test_show_leaves_out_every_contact(path):
    found = contacts(path)
    assert found, "the real document names a contact person, an e-mail or a phone"
    plain = run("show", "--format", "json", str(path))
    assert any(c in plain.stdout for c in found)
    for fmt in ("json", "jsonl", "table", "csv"):
        r = run("show", "--redact-contacts", "--format", fmt, str(path))
        assert r.exit_code == 0, r.stderr
        leaked = [c for c in found if c in r.stdout]
        assert leaked == [], (fmt, leaked)
    doc = json.loads(run("show", "--redact-contacts", "--format", "json", str(path)).stdout)
    doc = doc if isinstance(doc, dict) else doc[0]
    assert doc["customer"] is None or doc["customer"]["name"] or doc["customer"]["inn"], "organisations stay"


@pytest.mark.parametrize("table", ["documents", "parties"])
def test_export_leaves_out_every_contact(table, tmp_path):
    found = [c for p in WITH_CONTACTS for c in contacts(p)]
    for ext in ("jsonl", "csv", "xlsx"):
        out = tmp_path / f"{table}.{ext}"
        r = run("export", *map(str, WITH_CONTACTS), "--table", table, "--redact-contacts", "-o", str(out))
        assert r.exit_code == 0, r.stderr
        if ext == "xlsx":
            from openpyxl import load_workbook

            text = "\n".join(
                str(c) for row in load_workbook(out).active.iter_rows(values_only=True) for c in row
            )
        else:
            text = out.read_text(encoding="utf-8")
        assert [c for c in found if c in text] == []
        assert "4205355989" in text or table == "documents", "organisations' identifiers stay"


def test_export_from_the_store_redacts_too(tmp_path):
    path = WITH_CONTACTS[0]
    assert run("ingest", str(path)).exit_code == 0
    out = tmp_path / "all.jsonl"
    r = run("export", "--table", "parties", "--redact-contacts", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert text and not [c for c in contacts(path) if c in text]


def test_contact_data_among_format_specific_values_is_dropped():
    [t] = parse(str(WITH_CONTACTS[1]), stations=False)
    t.extra.update(
        {
            "contact_person": "Иванов И. И.",
            "responsible_email": "a@b.ru",
            "fax": "+7 495 000",
            "stages": [{"end": "2026-01-01", "contactPhone": "+7 900"}],
            "ikz": "2616661002456",
        }
    )
    redact_contacts(t)
    assert t.extra["ikz"] == "2616661002456" and t.extra["stages"] == [{"end": "2026-01-01"}]
    assert not {"contact_person", "responsible_email", "fax"} & set(t.extra)
    assert all(o.contact is None and o.email is None and o.phone is None for o in organizations(t))
