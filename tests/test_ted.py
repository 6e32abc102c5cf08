"""TED: every eForms and R2.0.9 sample, golden values, languages, the converter's paired notices."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tenderscan import parse
from tenderscan.documents.inputs import iter_inputs
from tenderscan.models import Kind
from tenderscan.documents.parse import parse_input

from .conftest import FIXTURES

TED = FIXTURES / "ted"
ALL = sorted(TED.glob("*.xml"))
CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))


def one(name, languages=("en",)):
    [inp] = list(iter_inputs([str(TED / name)]))
    [t] = parse_input(inp, languages=languages, stations=False)
    return t


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_ted_notice_through_show_json(cli, path):
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["law"] == "TED" and d["id"]
    assert d["customer"]["name"]
    assert d["items"] and all(i["code_scheme"] == "CPV" for i in d["items"])


# --- eForms -----------------------------------------------------------------------------------------------


def test_contract_notice_minimal():
    t = one("eforms_cn_24_minimal.xml")
    assert t.id == "f42be27e-09cf-4f0e-a745-63ec689631e6"  # no publication number: the notice id
    assert (t.kind, t.version, t.source_format) == (Kind.notice, "01", "ted-eforms/ContractNotice")
    assert t.title == "Provision of IT Services Related to OP IT Systems (EUR-Lex, N-Lex, Search Layer, and Others)"
    assert (t.customer.name, t.customer.inn, t.customer.country) == (
        "Publications Office of the European Union", "EU-PO", "LU")
    assert t.published == datetime(2019, 11, 21, tzinfo=CET)
    assert t.submission_deadline == datetime(2020, 2, 4, 10, 0, tzinfo=CEST)
    assert t.method_code == "open" and t.method == "Open procedure"
    [item] = t.items
    assert (item.code, item.lot) == ("72230000", "LOT-0000")
    assert [(p.nuts, p.country) for p in t.places] == [("FRD22", "FR")]
    assert t.delivery_places == ["NUTS FRD22, FR"]
    assert t.attachments[0].url == "https://etendering.ted.europa.eu/cft/cft-display.html?cftId=5629"
    assert t.amount is None


def test_contract_notice_estimated_value_and_lots():
    t = one("eforms_cn_24_maximal.xml")
    assert (t.amount, t.currency) == (Decimal("9999999.99"), "EUR")
    assert [(lot.id, lot.amount) for lot in t.lots] == [("LOT-0001", Decimal("9999999.99")),
                                                        ("LOT-0002", Decimal("9999999.99"))]
    assert [(i.code, i.quantity, i.unit_code) for i in t.items] == [("75121000", Decimal(1000), "HUR")] * 2
    assert t.responsible.name == "eSendCorp" and t.responsible_role == "service-provider"


def test_award_notice_total_and_winners():
    t = one("eforms_can_24_FRA_comments.xml")
    assert (t.kind, t.source_format) == (Kind.contract, "ted-eforms/ContractAwardNotice")
    assert (t.amount, t.currency) == (Decimal("390697.84"), "EUR")  # BT-161 notice value
    assert (t.customer.name, t.customer.inn) == ("Rouen Habitat", "123 456 789")
    assert [(s.name, s.inn) for s in t.suppliers] == [("Espaces Verts Lemire", "326 912 557"),
                                                      ("ID Verde SASU", "339 609 661")]
    assert [(lot.id, lot.amount) for lot in t.lots] == [("LOT-0001", Decimal(95414)), ("LOT-0002", Decimal(26500))]
    assert [i.code for i in t.items] == ["77310000", "77310000"]
    assert t.signed == date(2019, 9, 3)
    assert [(a.number, a.price, a.winner) for a in t.applications] == [
        ("BID/ABC/2020-003", Decimal(95414), True), ("BID/EFG/2020-001", Decimal(26500), True)]
    assert t.title == "Service d'entretien de remise en état et de nettoyage des espaces verts"


def test_award_notice_in_gbp():
    t = one("eforms_can_24_UKRI.xml")
    assert (t.amount, t.currency) == (Decimal(60000000), "GBP")
    assert [s.name for s in t.suppliers] == ["Ramboll UK Ltd"]
    assert t.delivery_places == ["British Antarctic Survey, High Cross, Madingley Road, Cambridge, CB3 0ET, GB"]


def test_pin_with_publication_number():
    t = one("eforms_pin-buyer_24_published.xml")
    assert t.id == "12345678-2025" and t.version == "02"
    assert t.url == "https://ted.europa.eu/en/notice/-/detail/12345678-2025"
    assert t.extra["notice_uuid"] == "e5dc3c2b-3df5-45e0-af7f-399ca201d7e0"
    assert t.published == datetime(2025, 5, 22, tzinfo=CET)
    assert (t.customer.name, t.customer.country) == ("IRCCS Policlinico ospedale San Martino", "IT")
    assert [(i.code, i.delivery_places) for i in t.items] == [("33157000", ["NUTS ITC33, IT"])]


def test_pin_parts_are_lots():
    t = one("eforms_pin-only_24_lots.xml")
    assert (t.amount, t.currency) == (Decimal(750000000), "EUR")
    assert len(t.lots) == len(t.items) == 10
    assert t.lots[0].id == "PAR-0001" and t.items[0].code == "44111000"


def test_change_notice_is_a_change():
    assert one("eforms_change-cn_24_open_dates.xml").kind == Kind.change


@pytest.mark.parametrize("langs, title, buyer", [
    (("en",), "Provision of IT Services Related to OP IT Systems (EUR-Lex, N-Lex, Search Layer, and Others)",
     "Publications Office of the European Union"),
    (("fr", "en"), ("Fourniture de services informatiques liés aux systèmes informatiques OP (EUR-Lex, N-Lex, "
                    "Search Layer, etc.)"), "Office des publications de l'Union européenne"),
    (("de",), ("Bereitstellung von IT-Dienstleistungen im Zusammenhang mit OP-IT-Systemen (EUR-Lex, N-Lex, "
               "Search Layer und weitere)"), "Amt für Veröffentlichungen der Europäischen Union"),
    (("xx",), "Provision of IT Services Related to OP IT Systems (EUR-Lex, N-Lex, Search Layer, and Others)",
     "Publications Office of the European Union"),  # unknown: the notice's own language
])
def test_language_preference(langs, title, buyer):
    t = one("eforms_cn_24_multilingual.xml", languages=langs)
    assert (t.title, t.customer.name) == (title, buyer)


def test_lang_option_from_the_cli(cli):
    r = cli("show", "--format", "json", "--lang", "fr,en", str(TED / "eforms_cn_24_multilingual.xml"))
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["title"].startswith("Fourniture de services informatiques")


# --- R2.0.9 -----------------------------------------------------------------------------------------------------


def test_r209_award_notice_norway():
    t = one("tedxml-R2.0.9_20-157399-001-EXP.xml")
    assert (t.id, t.kind, t.source_format) == ("154292-2020", Kind.contract, "ted-r2.0.9/F03")
    assert (t.amount, t.currency) == (Decimal("4500000.00"), "NOK")
    assert (t.customer.name, t.customer.inn, t.customer.country) == ("Kåfjord Kommune", "940 363 586", "NO")
    assert [s.name for s in t.suppliers] == ["Kurt Steinar Wiik", "Manndalen Maskin AS", "Myrvoll Maskin AS",
                                             "Traktor and Maskin"]
    assert t.signed == date(2019, 9, 24)
    assert t.published == datetime(2020, 3, 31, tzinfo=CEST)
    assert t.notice_id == "267097-2019"
    [item] = t.items
    assert (item.code, item.delivery_places) == ("90620000", ["9146 Olderdalen, NUTS NO072"])
    assert t.method == "Open procedure" and t.method_code == "open"


def test_r209_award_notice_lots_spain():
    t = one("tedxml-R2.0.9_20-157543-001-EXP.xml")
    assert (t.id, t.amount, t.currency) == ("153579-2020", Decimal("9642953.44"), "EUR")
    assert [(lot.id, lot.amount) for lot in t.lots] == [
        ("1", Decimal("7834899.64")), ("2", Decimal("1205369.20")), ("3", Decimal("602684.60"))]
    assert sum(lot.amount for lot in t.lots) == t.amount
    assert t.country == "ES" and t.places[0].nuts == "ES51"


def test_r209_contract_notice_uk_lots():
    t = one("tedxml-R2.0.9_20-156983-001-EXP.xml")
    assert (t.id, t.kind, t.amount, t.currency) == ("154324-2020", Kind.notice, Decimal("12000000.00"), "GBP")
    assert t.country == "GB" and t.customer.name == "Langstane Housing Association Ltd"
    assert [lot.id for lot in t.lots] == ["2", "1", "3", "4", "5", "6", "7"]
    assert t.items[0].delivery_places == ["Lot 2: Aberdeenshire North., NUTS UKM50",
                                          "Lot 2: Aberdeenshire North., NUTS UKM62"]
    assert t.submission_deadline == datetime(2020, 5, 8, 12, 0, tzinfo=CEST)
    assert t.method_code == "restricted"


def test_r209_pin_germany():
    t = one("tedxml-R2.0.9_20-155018-001-EXP.xml")
    assert (t.id, t.kind, t.source_format) == ("150025-2020", Kind.notice, "ted-r2.0.9/F01")
    assert t.customer.name == "Gemeinde Veitshöchheim"
    assert [(i.code, i.delivery_places) for i in t.items] == [
        ("45212200", ["Günterslebener Straße 41 97209 Veitshöchheim, NUTS DE26C"])]


@pytest.mark.parametrize("number", ["20-157399", "20-164186"])
def test_r209_and_its_eforms_conversion_agree(number):
    old = one(f"tedxml-R2.0.9_{number}-001-EXP.xml")
    new = one(f"converted-to-eforms_{number}-001-EXP.xml")
    assert new.id == old.id
    assert (new.kind, new.title, new.customer.name, new.customer.inn) == (
        old.kind, old.title, old.customer.name, old.customer.inn)
    assert (new.amount, new.currency) == (old.amount, old.currency)
    assert [i.code for i in new.items] == [i.code for i in old.items]
    assert [s.name for s in new.suppliers] == [s.name for s in old.suppliers]
    # R2.0.9 times are the buyer's local time (CEST in May); the converter wrote them with a fixed +01:00
    assert new.submission_deadline is None or (
        new.submission_deadline.replace(tzinfo=None) == old.submission_deadline.replace(tzinfo=None))


def test_detection_is_by_namespace_not_file_name(tmp_path):
    odd = tmp_path / "notice.json"
    odd.write_bytes((TED / "eforms_can_24_minimal.xml").read_bytes())
    [t] = parse(str(odd), stations=False)
    assert t.source_format == "ted-eforms/ContractAwardNotice"
