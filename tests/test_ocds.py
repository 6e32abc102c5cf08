"""OCDS: every real sample, golden values, the standard's merging example, JSON Lines, gzip, encodings."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tenderscan import parse
from tenderscan.errors import ParseError
from tenderscan.formats.ocds import reader as ocds
from tenderscan.models import Kind
from .conftest import read_outcomes as read_sources

from .conftest import FIXTURES

OCDS = FIXTURES / "ocds"
KIT = OCDS / "ocds-ocdskit"
STD = OCDS / "ocds-standard-1.1"
FIC = OCDS / "ocds-sample-data-fictional"
DATA_FILES = sorted(p for p in OCDS.rglob("*.json") if not p.name.startswith("schema_"))
SCHEMAS = sorted(OCDS.rglob("schema_*.json"))
CST = timezone(timedelta(hours=-6))


def one(path, **kw):
    [t] = parse(str(path), stations=False, **kw)
    return t


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_real_ocds_file_reads(path):
    tenders = parse(str(path), stations=False)
    assert tenders
    for t in tenders:
        assert t.law == "OCDS" and t.id and t.source_format.startswith("ocds/")
        assert t.amount is None or isinstance(t.amount, Decimal)
        assert t.published is None or t.published.tzinfo is not None


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_real_ocds_file_through_show_json(cli, path):
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    for d in doc if isinstance(doc, list) else [doc]:
        assert d["law"] == "OCDS"
        assert d["amount"] is None or isinstance(d["amount"], str)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_json_schemas_are_refused_in_one_line(cli, path):
    r = cli("show", "--format", "json", str(path))
    assert r.exit_code == 3
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "JSON Schema, not a document" in lines[0]


def test_flattened_spreadsheet_is_refused_as_a_whole(cli):
    r = cli("show", "--format", "json", str(FIC / "flattened_ocds-213czf-000-00001-02-tender.xlsx"))
    assert r.exit_code == 3
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Office document" in lines[0] and "unflatten" in lines[0]


def test_cdmx_release_package_merges_two_releases():
    t = one(KIT / "release-package-1.json")
    assert t.id == "OCDS-87SD3T-AD-SF-DRM-063-2015"
    assert t.kind == Kind.contract
    assert t.source_format == "ocds/release-package"
    assert t.version == "2017-06-05T00:00:00-06:00"
    assert t.published == datetime(2017, 6, 5, tzinfo=CST)
    assert t.title == "ARRENDAMIENTO DE BIENES INFORMÁTICOS"
    assert t.customer.name == "SECRETARÍA DE FINANZAS"
    assert t.customer.inn == "GDF9712054NA" and t.customer.id_scheme == "MX-RFC"
    assert t.customer.country == "MX"
    assert t.responsible.name == "SECRETARÍA DE FINANZAS"
    assert (t.amount, t.currency) == (Decimal("1311264.00"), "MXN")
    assert [s.name for s in t.suppliers] == ["COMUNIC@RTE & CONSULTING SA DE C"]
    assert t.signed == datetime(2015, 12, 30, tzinfo=CST)
    assert t.submission_deadline == datetime(2015, 12, 22, tzinfo=CST)
    assert len(t.items) == 1
    item = t.items[0]
    assert (item.name, item.quantity, item.unit) == ("COMPUTADORA PORTATIL TIPO 1", Decimal(471), "SER")
    assert len(t.payments) == 11 and len(t.attachments) == 6
    assert len(t.applications) == 1 and t.winner.name == "COMUNIC@RTE & CONSULTING SA DE C"
    assert t.extra["publisher"] == "CDMX-SEFIN" and t.extra["releases_merged"] == 2


def test_paraguay_contract_items_with_unit_prices():
    t = one(KIT / "release-package_1.1-2.json")
    assert t.id == "ocds-03ad3f-246807"
    assert t.kind == Kind.contract
    assert (t.amount, t.currency) == (Decimal(17875000), "PYG")
    assert [s.name for s in t.suppliers] == ["11 DE SETIEMBRE SRL"]
    assert len(t.items) == 5
    assert [i.code for i in t.items] == ["42201810-001", "42201810-001", "42203708-002", "42203704-001",
                                        "41122404-001"]
    first = t.items[0]
    assert (first.quantity, first.unit, first.unit_price, first.amount) == (
        Decimal(10), "Unidad", Decimal(445000), Decimal(4450000))
    assert sum(i.amount for i in t.items) == t.amount


def test_record_package_federal_mexico_two_terminated_contracts():
    t = one(KIT / "record-package-1.json")
    assert t.id == "ocds-07smqs-993235"
    assert t.source_format == "ocds/record-package"
    assert t.customer.name == "Instituto Nacional de Antropología e Historia"
    assert t.responsible.name == "INAH-Dirección de Recursos Materiales y Servicios #048D00001"
    assert t.responsible.inn == "INA450815GV1-048D00001"
    assert (t.amount, t.currency) == (Decimal("227584.71"), "MXN")  # 189654 + 37930.71
    assert t.suppliers[0].inn == "GAB0709244G5"
    assert t.suppliers[0].id_scheme == "Registro Federal de Contribuyentes de México"


@pytest.mark.parametrize("name", ["record-package_linked-releases.json", "record-package_versioned.json"])
def test_record_packages_linked_or_versioned(name):
    a, b = parse(str(KIT / name), stations=False)
    assert (a.id, a.amount, a.currency) == ("OCDS-87SD3T-AD-SF-DRM-063-2015", Decimal("1311264.0"), "MXN")
    assert (b.id, b.amount, b.currency) == ("OCDS-87SD3T-AD-SF-DRM-065-2015", Decimal("75464.96"), "USD")
    assert b.suppliers[0].name == "BENTLEY SYSTEMS DE MEXICO SA de"


def test_versioned_release_reads_like_its_compiled_release():
    v = one(KIT / "versioned-release-1.json")
    c = one(KIT / "compiled-release-1.json")
    assert v.source_format == "ocds/versioned-release"
    keep = {"source", "source_format", "version", "published", "extra"}
    assert v.model_dump(exclude=keep) == c.model_dump(exclude=keep)


def test_fictional_lifecycle_all_shapes_agree():
    package = one(FIC / "1.1_ocds-213czf-000-00001.json")
    record = one(FIC / "record_ocds-213czf-000-00001.json")
    versions = one(FIC / "record_ocds-213czf-000-00001-withversions.json")
    for t in (package, record, versions):
        assert t.id == "ocds-213czf-000-00001"
        assert t.kind == Kind.contract
        assert t.customer.name == "London Borough of Barnet"
        assert (t.customer.inn, t.customer.id_scheme) == ("E09000003", "GB-LAC")
        assert (t.amount, t.currency) == (Decimal(11000000), "GBP")
        assert [s.name for s in t.suppliers] == ["AnyCorp Cycle Provision"]
        [item] = t.items
        assert (item.code, item.code_scheme) == ("45233130.0", "CPV")  # a spreadsheet float artefact, verbatim
        assert [c.code for c in item.classifications] == ["45233162-2"]
        assert (item.quantity, item.unit, item.unit_code, item.unit_price) == (
            Decimal(8), "Miles", "SMI", Decimal(137000))
        assert len(t.payments) == 2
    assert package.extra["releases_merged"] == 6


@pytest.mark.parametrize("stage, kind, amount", [
    ("01-planning", Kind.other, Decimal(1000000)),
    ("02-tender", Kind.notice, Decimal(1100000)),
    ("05-contract", Kind.contract, Decimal(11000000)),
])
def test_fictional_stages(stage, kind, amount):
    t = one(FIC / f"1.1_ocds-213czf-000-00001-{stage}.json")
    assert (t.kind, t.amount, t.currency) == (kind, amount, "GBP")


def test_frameworks_example_unspsc_item():
    t = one(STD / "frameworks_open_multiple_award.json")
    assert t.id == "ocds-70d2nz-54705"
    assert t.kind == Kind.protocol
    assert (t.amount, t.currency) == (Decimal(280000), "CLP")
    assert (t.suppliers[0].inn, t.suppliers[0].id_scheme) == ("76364678", "CL-RUT")
    [item] = t.items
    assert (item.code, item.code_scheme, item.quantity, item.unit_price) == (
        "38204627", "UNSPSC", Decimal(200), Decimal(1400))


# --- merging --------------------------------------------------------------------------------------------


UPDATES = ["tender1", "tender2", "tender3", "award1", "award2"]


def _update_releases() -> list[dict]:
    out = []
    for name in UPDATES:
        out += json.loads((STD / f"merging_updates_{name}.json").read_text("utf-8"))["releases"]
    return out


def test_ocdsmerge_compiles_the_standards_worked_example_exactly():
    expected = json.loads((STD / "merging_updates_merged.json").read_text("utf-8"))["records"][0]["compiledRelease"]
    assert ocds.compile_releases(_update_releases()) == expected


def test_merged_tender_matches_the_published_compiled_release(tmp_path):
    package = {"publisher": {"name": "x"}, "releases": list(reversed(_update_releases()))}  # order must not matter
    path = tmp_path / "updates.json"
    path.write_text(json.dumps(package), "utf-8")
    merged = one(path)
    published = one(STD / "merging_updates_merged.json")
    keep = {"source", "source_format", "extra"}
    assert merged.model_dump(exclude=keep) == published.model_dump(exclude=keep)
    assert merged.id == "ocds-213czf-000-00002"
    assert (merged.amount, merged.currency) == (Decimal(1500), "USD")  # two active awards of 750
    assert merged.extra["releases_merged"] == 5


def test_amendment_raises_the_tender_value():
    assert one(STD / "merging_updates_tender1.json").amount == Decimal(1000)
    assert one(STD / "merging_updates_tender3.json").amount == Decimal(2000)


# --- layouts ----------------------------------------------------------------------------------------------


def _releases(path) -> list[dict]:
    return json.loads(path.read_text("utf-8"))["releases"]


def test_json_lines_of_releases_group_by_ocid(tmp_path):
    lines = _releases(KIT / "release-package-1.json") + _releases(KIT / "release-package-2.json")
    path = tmp_path / "releases.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in lines) + "\n", "utf-8")
    tenders = parse(str(path), stations=False)
    assert [t.id for t in tenders] == ["OCDS-87SD3T-AD-SF-DRM-063-2015", "OCDS-87SD3T-AD-SF-DRM-065-2015"]
    assert tenders[0].source_format == "ocds/release"
    assert tenders[0].amount == one(KIT / "release-package-1.json").amount


def test_json_lines_of_packages(tmp_path):
    texts = [json.dumps(json.loads((KIT / n).read_text("utf-8"))) for n in ("release-package-1.json",
                                                                            "release-package-2.json")]
    path = tmp_path / "packages.jsonl"
    path.write_text("\n".join(texts), "utf-8")
    assert [t.id for t in parse(str(path), stations=False)] == [
        "OCDS-87SD3T-AD-SF-DRM-063-2015", "OCDS-87SD3T-AD-SF-DRM-065-2015"]


def test_top_level_array_and_single_release(tmp_path):
    rel = _releases(KIT / "release-package_1.1-2.json")
    (tmp_path / "array.json").write_text(json.dumps(rel), "utf-8")
    (tmp_path / "single.json").write_text(json.dumps(rel[0]), "utf-8")
    a = one(tmp_path / "array.json")
    s = one(tmp_path / "single.json")
    assert a.id == s.id == "ocds-03ad3f-246807"
    assert a.amount == s.amount == Decimal(17875000)


def test_gzipped_package(tmp_path):
    path = tmp_path / "package.json.gz"
    path.write_bytes(gzip.compress((KIT / "release-package-1.json").read_bytes()))
    t = one(path)
    assert t.id == "OCDS-87SD3T-AD-SF-DRM-063-2015"
    assert t.amount == Decimal("1311264.00")


def test_record_with_only_linked_releases_says_what_to_do(tmp_path):
    doc = json.loads((STD / "merging_updates_merged.json").read_text("utf-8"))
    del doc["records"][0]["compiledRelease"]
    path = tmp_path / "linked.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(ParseError, match="only linked releases"):
        parse(str(path), stations=False)


def test_truncated_json_is_one_clear_error(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes((KIT / "release-package-1.json").read_bytes()[:5000])
    [outcome] = list(read_sources([str(path)], stations=False))
    assert not outcome.ok and "truncated" in outcome.error.message


# --- encodings --------------------------------------------------------------------------------------------


ISO = KIT / "release-package_encoding-iso-8859-1.json"


def test_iso_8859_1_package_is_detected():
    with pytest.raises(UnicodeDecodeError):
        ISO.read_bytes().decode("utf-8")
    t = one(ISO)
    assert t.id == "OCDS-87SD3T-SEFIN-DRM-AD-024-2016"
    assert t.title == "MANTENIMIENTO A MÁQUINA CORTADORA"
    assert t.customer.name == "SECRETARÍA DE FINANZAS"
    assert (t.amount, t.currency) == (Decimal("193817.39"), "MXN")
    assert t.kind == Kind.notice  # its award and contract are still "pending"
    assert t.extra["releases_merged"] == 3
    assert t.extra["encoding"].startswith("cp1252 (detected")


def test_encoding_option(cli):
    r = cli("show", "--format", "json", "--encoding", "latin-1", str(ISO))
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["title"] == "MANTENIMIENTO A MÁQUINA CORTADORA"
    assert d["extra"]["encoding"] == "latin-1"


def test_wrong_encoding_option_is_one_line(cli):
    r = cli("show", "--format", "json", "--encoding", "no-such-codec", str(ISO))
    assert r.exit_code == 2  # issue 14 item 12: a usage error before any reading (it was 3, from the reader)
    assert "unknown encoding" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def _all_real_releases() -> list[dict]:
    out = []
    for path in DATA_FILES:
        raw = path.read_bytes()
        try:
            doc = json.loads(raw.decode("utf-8"), parse_float=Decimal)
        except UnicodeDecodeError:
            doc = json.loads(raw.decode("cp1252"), parse_float=Decimal)
        out += [r for r in doc.get("releases") or [] if isinstance(r, dict) and "ocid" in r and "date" in r]
        for rec in doc.get("records") or []:
            out += [r for r in rec.get("releases") or [] if "ocid" in r and "date" in r]
    return out


def test_lone_release_shortcut_reads_like_ocdsmerge():
    from tenderscan.formats.ocds.mapping import to_tender

    releases = _all_real_releases()
    assert len(releases) > 30
    for r in releases:
        fast = to_tender(ocds.compile_releases([r]), source_format="x")
        slow = to_tender(ocds.merger().create_compiled_release([r]), source_format="x")
        assert fast.model_dump() == slow.model_dump(), r.get("id")


def test_duplicate_ids_in_a_lone_release_go_through_ocdsmerge():
    r = {"ocid": "ocds-abcdef-1", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"],
         "tender": {"id": "t", "items": [{"id": "1", "description": "a", "quantity": 1},
                                         {"id": "1", "quantity": 2}]}}
    compiled = ocds.compile_releases([r])
    assert compiled["tender"]["items"] == [{"id": "1", "description": "a", "quantity": 2}]


def test_delivery_address_and_location_extension(tmp_path):
    """The location extension (GeoJSON point: longitude first) and deliveryAddress, on a real release."""
    rel = json.loads((FIC / "1.1_ocds-213czf-000-00001-02-tender.json").read_text("utf-8"))["releases"][0]
    item = rel["tender"]["items"][0]
    item["deliveryAddress"] = {"streetAddress": "Oakleigh Rd S", "locality": "London", "postalCode": "N11 1NP",
                               "countryName": "United Kingdom"}
    item["deliveryLocation"] = {"description": "Central junction", "geometry": {"type": "Point",
                                "coordinates": [-0.1419, 51.6249]},
                                "gazetteer": {"scheme": "NUTS", "identifiers": ["UKI71"]}}
    path = tmp_path / "located.json"
    path.write_text(json.dumps({"releases": [rel]}), "utf-8")
    t = one(path)
    assert t.delivery_places == ["Central junction, Oakleigh Rd S, London, N11 1NP, United Kingdom"]
    [place] = t.places
    assert (place.latitude, place.longitude, place.nuts) == (Decimal("51.6249"), Decimal("-0.1419"), "UKI71")
    assert t.items[0].delivery_places == t.delivery_places
