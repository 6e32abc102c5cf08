"""One vocabulary of roles (issue 14 item 9) and the region of every document by one rule (item 10), applied
after every reader: through the CLI on the real documents, the rule's order on documents made from them, the
data table against ISO 3166-2."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tenderscan.models import Organization, Place, Tender
from tenderscan.documents.regions import apply as region_of, subject_of_okato, table
from tenderscan.documents.roles import CODES, ROLES

from .conftest import FIXTURES, ZAKUPKI, run

MORE = FIXTURES / "zakupki-more"


def export_rows(table_name: str, *paths, tmp_path) -> list[dict]:
    out = tmp_path / f"{table_name}.csv"
    r = run("export", *map(str, paths), "--table", table_name, "-o", str(out))
    assert r.exit_code == 0, r.stderr
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


def shown(path) -> dict:
    r = run("show", str(path), "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


# --- roles ----------------------------------------------------------------------------------------------------


def test_parties_export_has_one_vocabulary_and_the_raw_code_apart(tmp_path):
    rows = export_rows("parties", ZAKUPKI, FIXTURES / "ted", tmp_path=tmp_path)
    assert {r["role"] for r in rows} == {"customer", "responsible", "supplier", "participant"}
    codes = {r["role_code"] for r in rows if r["role"] == "responsible"}
    # 44-FZ responsibleRole CU (notices, contracts), RA (fcsProtocolEvasion), AI (fcsProtocolEF3 2020),
    # AU (epProtocolEOK1), RO (pprf615ProtocolEF2); 223-FZ placer; eForms service-provider
    assert {"CU", "RA", "AI", "AU", "RO", "placer", "service-provider"} <= codes
    assert codes <= set(CODES)  # every code is documented
    assert all(not r["role_code"] for r in rows if r["role"] == "supplier")


def test_the_json_of_a_document_has_the_same_roles():
    # 44-FZ EZK2020: purchaseResponsibleInfo/responsibleRole CU
    t = shown(ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml")
    assert (t["customer"]["role"], t["responsible"]["role"], t["responsible"]["role_code"]) == (
        "customer", "responsible", "CU")
    assert t["responsible_role"] == "CU"
    # OCDS buyer and procuringEntity: the party's roles as published, kept as the code
    o = shown(FIXTURES / "ocds" / "ocds-ocdskit" / "compiled-release-1.json")
    assert o["customer"]["role"] == "customer" and o["customer"]["role_code"] == "buyer"


def test_the_readme_documents_the_vocabulary():
    readme = (FIXTURES.parent / "README.md").read_text(encoding="utf-8")
    for role in ROLES:
        assert f"`{role}`" in readme
    assert "role_code" in readme


# --- regions: the real documents, through the CLI -------------------------------------------------------------


@pytest.mark.parametrize("path, region, source", [
    # ns2:customer/mainInfo/region «ГОРОД МОСКВА» (223-FZ TFF-9.0.3)
    (MORE / "223fz_purchaseNotice_2019_31908251995_Moskva_daily_002.xml", "Москва", "customer.region"),
    # customer/factAddress «Российская Федерация, 690003, Приморский край, Владивосток г, …»
    (ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml", "Приморский край",
     "customer.address"),
    # customerInfo/…/factAddress «Российская Федерация, 620142, Свердловская обл, Екатеринбург г, …»
    (ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml", "Свердловская область",
     "customer.address"),
    # purchaseResponsible/responsibleOrg/factAddress «Российская Федерация, 450022, Башкортостан Респ, Уфа г»
    (ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml", "Республика Башкортостан",
     "customer.address"),
    # customer/mainInfo/postalAddress «363000, Республика Северная Осетия - Алания, г. Беслан, …»
    (ZAKUPKI / "223fz_contract_Severnaia_Osetiya_Alaniia_Resp_201501_001.xml",
     "Республика Северная Осетия — Алания", "customer.address"),
    # 223-FZ mobile API: customer.postalAddress «650056, ОБЛ КЕМЕРОВСКАЯ, Г КЕМЕРОВО, …»
    (ZAKUPKI / "223fz_mobileapi_common-info_32109998392.json", "Кемеровская область — Кузбасс",
     "customer.address"),
    # contract/customer/kpp 366201001 (no address in the contract): tax office 3662, Voronezh region
    (ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml", "Воронежская область",
     "customer.kpp"),
])
def test_region_of_real_documents(path, region, source):
    t = shown(path)
    assert (t["region"], t["extra"].get("region_source")) == (region, source)


def test_ted_keeps_the_buyers_nuts_code():
    # eForms: the buyer's cac:Address/cbc:CountrySubentityCode FRD22, as the reader gives it
    t = shown(FIXTURES / "ted" / "eforms_cn_24_FRA_comments.xml")
    assert t["region"] == "FRD22" and "region_source" not in t["extra"]


def test_spending_by_region_groups_the_bundled_documents():
    r = run("spending", str(ZAKUPKI), "--by", "region", "--kind", "all", "--format", "json")
    assert r.exit_code == 0, r.stderr
    regions = {x["region"] for x in json.loads(r.stdout)}
    assert {"Москва", "Свердловская область", "Приморский край", "Республика Башкортостан",
            "Республика Адыгея", "Хабаровский край", "Тамбовская область", "Краснодарский край"} <= regions


def test_the_documents_export_says_where_the_region_comes_from(tmp_path):
    rows = export_rows("documents", ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml",
                       tmp_path=tmp_path)
    assert (rows[0]["region"], rows[0]["region_source"]) == ("Воронежская область", "customer.kpp")


# --- regions: the order of the rule, on documents made from the real ones -------------------------------------


def made(**kw) -> Tender:
    return Tender(id="0373200000000000001", source_format="zakupki44/test", law="44-FZ", **kw)


def test_the_rule_order():
    cust = Organization(name="Заказчик", kpp="770401001", address="119121, г. Москва, ул. Зубовская, дом 2")
    far = Place(text="обл. Свердловская, г. Екатеринбург", kladr="66000001000")
    t = made(customer=cust, places=[far])
    region_of(t)
    assert (t.region, t.extra["region_source"]) == ("Москва", "customer.address")  # the customer before places
    t = made(customer=Organization(name="Заказчик", kpp="770401001"), places=[far])
    region_of(t)
    assert (t.region, t.extra["region_source"]) == ("Свердловская область", "places.kladr")  # places before KPP
    t = made(customer=Organization(name="Заказчик", kpp="770401001"),
             places=[Place(text="обл. Свердловская"), Place(text="Приморский край, Владивосток г")])
    region_of(t)
    assert (t.region, t.extra["region_source"]) == ("Москва", "customer.kpp")  # two regions: no place wins
    t = made(customer=Organization(name="ГБУЗ", kpp="997750001"))  # an interregional inspectorate (99)
    region_of(t)
    assert t.region is None and "region_source" not in t.extra
    t = made(region="Уфа")
    region_of(t)
    assert t.region == "Уфа"  # what the reader found is kept


def test_okato_and_nuts_of_places():
    assert subject_of_okato("45286596000").name == "Москва"  # 223-FZ mainInfo/okato of ПАО «НК «Роснефть»»
    assert subject_of_okato("79401000000").name == "Республика Адыгея"
    assert subject_of_okato("71100000000").name == "Ханты-Мансийский автономный округ — Югра"
    assert subject_of_okato("71136000000") is None  # inside the Tyumen region: which subject is not certain
    assert subject_of_okato("00000000000") is None  # the placeholder 223-FZ placers carry
    t = Tender(id="x", source_format="ted/test", law="TED",
               places=[Place(nuts="UKM50"), Place(nuts="UKM62")])  # TED R2.0.9 20-156983, lot 2
    region_of(t)
    assert (t.region, t.extra["region_source"]) == ("UKM", "places.nuts")


def test_the_table_of_subjects():
    tab = table()
    assert len(tab.by_code) == 85
    import pycountry

    iso = {s.code for s in pycountry.subdivisions.get(country_code="RU")}
    assert {s.iso for s in tab.by_code.values() if s.iso} == iso  # the 83 subjects ISO 3166-2:RU lists
    assert tab.by_code["77"].okato == "45" and tab.by_code["50"].okato == "46"
    assert tab.by_code["52"].okato == "22" and tab.by_code["63"].okato == "36"  # where the orders differ
