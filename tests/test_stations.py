"""Gazetteer facts and counts, the extractor's contract (evidence, lines, cities), annotate on documents,
and the `tenderscan stations` command."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter

import pytest

from tenderscan import stations as st
from tenderscan.models import Attachment, Item, Tender
from tenderscan.stations import annotate, extract, gazetteer_rows
from tenderscan.stations import gazetteer as gz

from .conftest import FIXTURES, ROOT, ZAKUPKI, run

DATA = ROOT / "src" / "tenderscan" / "data" / "stations"
SPEC85 = FIXTURES / "constructed" / "metro_screens_85_stations.txt"


def pairs(text, **kw):
    return {(s.name, s.line) for s in extract(text, **kw)}


# --- gazetteer ---------------------------------------------------------------------------------------------


def test_counts_match_the_sources_file():
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    stated = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| (Moscow|Saint Petersburg) \| \*\*(\d+)\*\*",
                                                                 sources, re.MULTILINE)}
    assert stated == {"Moscow": 449, "Saint Petersburg": 75}
    assert st.station_count("moscow") == stated["Moscow"]
    assert st.station_count("saint-petersburg") == stated["Saint Petersburg"]
    for c in st.cities():
        data = json.loads((DATA / f"{c['id']}.json").read_text(encoding="utf-8"))
        assert data["city"]["count"] == len(data["stations"]) == c["stations"]


def test_moscow_lines_at_the_end_of_2025():
    rows = gazetteer_rows("moscow")
    per_line = Counter(r["line_number"] for r in rows)
    assert per_line == {"1": 27, "2": 24, "3": 22, "4": 13, "5": 12, "6": 24, "7": 23, "8": 8, "8A": 14, "9": 25,
                        "10": 26, "11": 31, "12": 7, "13": 6, "14": 31, "15": 8, "16": 11, "D1": 25, "D2": 36,
                        "D3": 41, "D4": 35}
    by_line = {}
    for r in rows:
        by_line.setdefault(r["line"], set()).add(r["name"])
    assert {"Потапово", "Новомосковская"} <= by_line["Сокольническая"]
    assert "Коммунарка" not in by_line["Сокольническая"]
    assert {"Коммунарка", "Новомосковская", "ЗИЛ", "Крымская", "Вавиловская"} <= by_line["Троицкая"]
    assert {"Каширская", "Варшавская", "Каховская", "Нагатинский Затон", "Народное Ополчение",
            "Воронцовская"} <= by_line["Большая кольцевая"]
    assert {"Пыхтино", "Аэропорт Внуково", "Деловой центр"} <= by_line["Солнцевская"]
    assert "ЦСКА" not in by_line["Солнцевская"]
    assert {"Физтех", "Лианозово", "Яхромская"} <= by_line["Люблинско-Дмитровская"]
    assert "Суворовская" not in by_line["Кольцевая"]
    assert not {"Авиамоторная", "Лефортово"} & by_line["Некрасовская"]
    assert {"Ипподром", "Зеленоград-Крюково"} <= by_line["МЦД-3"]
    assert {"Апрелевка", "Железнодорожная"} <= by_line["МЦД-4"]
    assert "Каховская" not in {r["line"] for r in rows if r["line_number"] == "11A"}
    assert {r["line_number"] for r in rows if r["name"] == "Киевская"} == {"3", "4", "5"}


def test_every_line_has_a_colour_and_an_opening_year_and_every_station_an_english_name():
    for r in gazetteer_rows():
        assert re.fullmatch(r"#[0-9a-f]{6}", r["line_color"]), r
        assert r["line_opened"] and 1935 <= r["line_opened"] <= 2025, r
        assert r["name_en"], r
        assert r["opened"] is None or r["opened"] <= 2025


def test_saint_petersburg_includes_the_2024_and_2025_openings():
    rows = gazetteer_rows("Санкт-Петербург")
    names = {(r["name"], r["line"]) for r in rows}
    assert ("Горный институт", "Правобережная") in names
    assert ("Путиловская", "Красносельско-Калининская") in names
    assert ("Юго-Западная", "Красносельско-Калининская") in names
    assert ("Театральная", "Правобережная") not in names


def test_aliases_spellings_and_former_names():
    assert pairs("ст. м. «Библиотека им. Ленина»") == {("Библиотека имени Ленина", "Сокольническая")}
    assert pairs("ст. м. Теплый Стан") == {("Тёплый Стан", "Калужско-Рижская")}
    assert pairs("станция МЦД-2 Каланчёвская") == {("Площадь трёх вокзалов", "МЦД-2")}
    # a former name that is now another station's name means the current station
    assert pairs("ст. м. Коммунарка") == {("Коммунарка", "Троицкая")}


def test_a_new_city_is_a_data_file(tmp_path, monkeypatch):
    city = {"city": {"id": "testgrad", "name": "Тестоград", "name_en": "Testograd", "hints": ["Тестоград"]},
            "lines": [{"id": "1", "name": "Опытная", "color": "#123456", "opened": 2030}],
            "stations": [{"name": "Площадь Испытателей", "line": "1"}, {"name": "Проверочная", "line": "1"}]}
    (tmp_path / "testgrad.json").write_text(json.dumps(city, ensure_ascii=False), encoding="utf-8")
    real = gz._city_files()
    monkeypatch.setattr(gz, "_city_files", lambda: [*real, tmp_path / "testgrad.json"])
    for cached in (gz._city_data, gz.load, st.finder._line_stems):
        cached.cache_clear()
    try:
        found = extract("Тестоград: станция метро «Проверочная»; вестибюль станции Площади Испытателей",
                        city="testgrad")
        assert {(s.name, s.line, s.city) for s in found} == {
            ("Проверочная", "Опытная", "Тестоград"), ("Площадь Испытателей", "Опытная", "Тестоград")}
    finally:
        for cached in (gz._city_data, gz.load, st.finder._line_stems):
            cached.cache_clear()


# --- extractor -----------------------------------------------------------------------------------------------


def test_evidence_keeps_field_and_surrounding_text():
    [s] = extract("Поставка экранов. Место поставки: г. Москва, ст. м. «Охотный Ряд», вестибюль 1.", field="title")
    assert (s.name, s.line, s.line_number, s.line_color, s.city, s.name_en) == (
        "Охотный Ряд", "Сокольническая", "1", "#f91f22", "Москва", "Okhotny Ryad")
    assert s.evidence[0].field == "title"
    assert "ст. м. «Охотный Ряд»" in s.evidence[0].text


def test_inflected_forms():
    assert pairs("вестибюль станции Охотного Ряда") == {("Охотный Ряд", "Сокольническая")}
    assert pairs("на станциях метро Воробьёвых горах и Спортивной") == {
        ("Воробьёвы горы", "Сокольническая"), ("Спортивная", "Сокольническая")}
    assert pairs("у станции метро Марьиной Рощи (Люблинско-Дмитровская линия)") == {
        ("Марьина Роща", "Люблинско-Дмитровская")}


def test_unresolved_names_carry_every_candidate_line():
    [s] = extract("Работы на ст. м. Киевская")
    assert s.line is None and s.line_number is None
    assert s.candidate_lines == ["Арбатско-Покровская", "Филёвская", "Кольцевая"]
    [s] = extract("Работы на ст. м. Киевская Кольцевой линии")
    assert (s.line, s.candidate_lines) == ("Кольцевая", [])


def test_one_document_resolving_a_name_resolves_its_other_mentions():
    found = extract("Станция метро «Киевская» (Филёвская линия).\nВестибюль ст. м. Киевская закрыт.")
    assert [(s.name, s.line, len(s.evidence)) for s in found] == [("Киевская", "Филёвская", 2)]


@pytest.mark.parametrize("text", [
    "Согласно ст. 99 Закона № 44-ФЗ", "Кабель 100 м. Тверская сторона", "г. Москва, ул. Тверская, д. 7",
    "Матч «Динамо» — «Спартак»", "рейс в аэропорт", "охота с соколом: сокол", "текстильщики и швеи",
    "Москва, Смоленская площадь, 3", "Киевская область", "",
])
def test_no_false_positives(text):
    assert extract(text) == []


def test_city_option_limits_the_search():
    assert pairs("ст. м. Пионерская", city="saint-petersburg") == {("Пионерская", "Московско-Петроградская")}
    assert pairs("ст. м. Пионерская", city="moscow") == {("Пионерская", "Филёвская")}
    assert pairs("Санкт-Петербург, ст. м. Пионерская") == {("Пионерская", "Московско-Петроградская")}
    with pytest.raises(Exception, match="unknown city"):
        extract("ст. м. Пионерская", city="Atlantis")


# --- annotate ------------------------------------------------------------------------------------------------


def test_annotate_reads_title_items_places_and_attachment_text():
    t = Tender(id="1", source_format="test", title="Поставка экранов для нужд метрополитена",
               items=[Item(name="Экран, ст. м. Тверская", delivery_places=["г. Москва, м. Маяковская"]),
                      Item(name="Экран")],
               delivery_places=["г. Москва, ул. Тверская, д. 13"],
               attachments=[Attachment(name="ТЗ.docx", text="Перечень станций:\n1 | Арбатская | Филёвская\n"
                                                             "2 | Смоленская | Филёвская\n3 | Киевская | Филёвская")])
    annotate(t)
    got = {(s.name, s.line): [e.field for e in s.evidence] for s in t.stations}
    assert got == {("Тверская", "Замоскворецкая"): ["items[0].name"],
                   ("Маяковская", "Замоскворецкая"): ["items[0].delivery_places[0]"],
                   ("Арбатская", "Филёвская"): ["attachments[0]"],
                   ("Смоленская", "Филёвская"): ["attachments[0]"],
                   ("Киевская", "Филёвская"): ["attachments[0]"]}


def test_real_documents_name_no_station():
    """No real zakupki sample concerns the metro: every one passes through annotate with no station."""
    from .conftest import read_outcomes as read_sources

    seen = 0
    for outcome in read_sources([str(p) for p in sorted(ZAKUPKI.iterdir()) if p.suffix in (".xml", ".json")]):
        for t in outcome.tenders:
            seen += 1
            assert t.stations == [], (t.id, t.stations)
    assert seen >= 30


def test_show_json_carries_stations(tmp_path):
    """A real notice whose purchase object names a station (edited in the test): show --format json."""
    src = ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"
    data = src.read_bytes().replace(
        "<purchaseObjectInfo>Закупка материалов".encode(),
        "<purchaseObjectInfo>Монтаж экранов на ст. м. «Охотный Ряд». Закупка материалов".encode(), 1)
    assert data != src.read_bytes()
    path = tmp_path / "notice.xml"
    path.write_bytes(data)
    res = run("show", "--format", "json", str(path))
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert [(s["name"], s["line"]) for s in doc["stations"]] == [("Охотный Ряд", "Сокольническая")]
    assert doc["stations"][0]["evidence"][0]["field"] == "title"
    res = run("show", "--format", "table", str(path))
    assert "Stations (1): Охотный Ряд (Сокольническая)" in res.stdout


# --- the command ---------------------------------------------------------------------------------------------


def spec85_pairs() -> set[tuple[str, str]]:
    rows = [ln.split(" | ") for ln in SPEC85.read_text(encoding="utf-8").splitlines() if re.match(r"\d+ \| ", ln)]
    assert len(rows) == 85
    return {(r[1], r[2]) for r in rows}


def test_85_stations_exactly():
    res = run("stations", "--format", "json", str(SPEC85))
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert len(rows) == 85
    assert {(r["name"], r["line"]) for r in rows} == spec85_pairs()
    for r in rows:
        assert {"name", "line", "evidence", "line_color", "document"} <= set(r)
        assert r["evidence"][0]["field"] == SPEC85.name
        assert r["name"] in r["evidence"][0]["text"]


def test_85_stations_as_tab_separated_cells_and_csv(tmp_path):
    tabbed = tmp_path / "spec.txt"
    tabbed.write_text(SPEC85.read_text(encoding="utf-8").replace(" | ", "\t"), encoding="cp1251")
    res = run("stations", "--format", "csv", str(tabbed))
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("document,name,line,line_number,line_color,city")
    assert len(lines) == 86
    res = run("stations", "--format", "jsonl", "--encoding", "cp1251", str(tabbed))
    assert {(json.loads(ln)["name"], json.loads(ln)["line"]) for ln in res.stdout.splitlines()} == spec85_pairs()


def test_table_format_and_city_option(tmp_path):
    res = run("stations", "--format", "table", str(SPEC85))
    assert res.exit_code == 0
    assert "Stations (85)" in res.stdout and "Охотный Ряд" in res.stdout
    res = run("stations", "--format", "json", "--city", "saint-petersburg", str(SPEC85))
    assert res.exit_code == 0
    assert {r["city"] for r in json.loads(res.stdout)} <= {"Санкт-Петербург"}


def test_folders_zips_and_documents(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("станция метро «Сокол»", encoding="utf-8")
    (folder / "notice.xml").write_bytes((ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml")
                                        .read_bytes())
    res = run("stations", "--format", "json", str(folder))
    assert res.exit_code == 0, res.stderr
    assert [(r["document"].endswith("a.txt"), r["name"]) for r in json.loads(res.stdout)] == [(True, "Сокол")]
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(folder / "notice.xml", "notice.xml")
    res = run("stations", "--format", "json", str(archive))
    assert res.exit_code == 0 and json.loads(res.stdout) == []


def test_errors_and_gazetteer_listing(tmp_path):
    res = run("stations", "--city", "atlantis", str(SPEC85))
    assert res.exit_code == 2 and "unknown city" in res.stderr and res.stdout == ""
    res = run("stations")
    assert res.exit_code == 2 and "SOURCE" in res.stderr
    res = run("stations", "--format", "json", str(tmp_path / "missing.txt"))
    assert res.exit_code != 0
    res = run("stations", "--gazetteer", "--city", "moscow", "--format", "json")
    rows = json.loads(res.stdout)
    assert len(rows) == 449 and {"name", "line", "line_color", "opened"} <= set(rows[0])
