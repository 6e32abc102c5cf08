"""Build the metro gazetteer shipped in ``src/tenderscan/data/stations/`` (one JSON file per city).

Run from the repository root::

    .venv/bin/python tools/build_stations.py

Moscow starts from the MIT-licensed snapshot in ``fixtures/metro/sergeypedan_moscow-metro`` (checked
2020-07-01) and applies the dated changes listed below (openings, renamings, closures up to the end of
2025). Saint Petersburg is written out below. For every station name the script adds its inflected
forms (genitive, dative, accusative, instrumental, prepositional) generated with pymorphy3, so the
runtime needs no morphology dictionary; a city file without forms still works (the runtime then
inflects its names with pymorphy3 itself).

The output is committed; rerun the script after editing a city.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tenderscan.stations.morph import inflections

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "fixtures" / "metro" / "sergeypedan_moscow-metro"
OUT = ROOT / "src" / "tenderscan" / "data" / "stations"
AS_OF = "2025-12-31"

# --- Moscow: lines -----------------------------------------------------------------------------------------
# id -> overrides of the source's line table; "refs" are other ways tender texts name the line.
MOSCOW_LINES = {
    "1": dict(kind="metro", color_name="красная", refs=[]),
    "2": dict(kind="metro", color_name="зелёная", refs=[]),
    "3": dict(kind="metro", color_name="синяя", refs=[]),
    "4": dict(kind="metro", color_name="голубая", refs=[]),
    "5": dict(kind="metro", color_name="коричневая", refs=[]),
    "6": dict(kind="metro", color_name="оранжевая", refs=[]),
    "7": dict(kind="metro", color_name="фиолетовая", refs=[]),
    "8": dict(kind="metro", color_name="жёлтая", refs=["Калининско-Солнцевская"]),
    "8A": dict(kind="metro", color_name="жёлтая", refs=["Калининско-Солнцевская"]),
    "9": dict(kind="metro", color_name="серая", refs=[]),
    "10": dict(kind="metro", color_name="салатовая", refs=[]),
    "11": dict(kind="metro", color_name="бирюзовая", refs=["БКЛ", "Третий пересадочный контур", "ТПК"]),
    "12": dict(kind="metro", color_name="серо-голубая", refs=[]),
    "13": dict(kind="monorail", name="Монорельс", color_name="синяя",
               refs=["Московский монорельс", "Монорельсовая транспортная система", "ММТС"]),
    "14": dict(kind="mcc", name="МЦК", color_name="красно-белая",
               refs=["Московское центральное кольцо", "Малое кольцо МЖД"]),
    "15": dict(kind="metro", color_name="розовая", refs=[]),
    "16": dict(kind="metro", name="Троицкая", name_en="Troitskaya", color="#00a88f", color_name="изумрудная",
               opened=2024, refs=[]),
    "D1": dict(kind="mcd", name="МЦД-1", name_en="MCD-1 Belorussko-Savyolovsky", color="#f6a600",
               color_name="физалис (жёлто-оранжевая)", refs=["Белорусско-Савёловский", "Белорусско-Савёловский диаметр",
                                                             "Одинцово — Лобня", "D1", "Д1"]),
    "D2": dict(kind="mcd", name="МЦД-2", name_en="MCD-2 Kursko-Rizhsky", color="#e74280",
               color_name="фуксия (розовая)", refs=["Курско-Рижский", "Курско-Рижский диаметр", "Нахабино — Подольск",
                                                    "D2", "Д2"]),
    "D3": dict(kind="mcd", name="МЦД-3", name_en="MCD-3 Leningradsko-Kazansky", color="#e95b0c", opened=2023,
               color_name="папайя (красно-рыжая)", refs=["Ленинградско-Казанский", "Ленинградско-Казанский диаметр",
                                                         "Зеленоград — Раменское", "D3", "Д3"]),
    "D4": dict(kind="mcd", name="МЦД-4", name_en="MCD-4 Kaluzhsko-Nizhegorodsky", color="#41b384", opened=2023,
               color_name="ментол (зелёно-бирюзовая)",
               refs=["Калужско-Нижегородский", "Калужско-Нижегородский диаметр", "Киевско-Горьковский",
                     "Апрелевка — Железнодорожный", "D4", "Д4"]),
}
LINE_ORDER = ["1", "2", "3", "4", "5", "6", "7", "8", "8A", "9", "10", "11", "12", "13", "14", "15", "16",
              "D1", "D2", "D3", "D4"]

# --- Moscow: station changes since the 2020 snapshot ------------------------------------------------------
# Official spelling/capitalisation (mosmetro.ru style) for names the source writes otherwise.
SPELLING = {
    "Библиотека им. Ленина": "Библиотека имени Ленина", "Красные ворота": "Красные Ворота",
    "Тёплый стан": "Тёплый Стан", "Кузнецкий мост": "Кузнецкий Мост", "Крестьянская застава": "Крестьянская Застава",
    "Октябрьское поле": "Октябрьское Поле", "Нагатинский затон": "Нагатинский Затон",
    "Улица академика Янгеля": "Улица Академика Янгеля", "Бульвар адмирала Ушакова": "Бульвар Адмирала Ушакова",
    "Красный балтиец": "Красный Балтиец", "Красный строитель": "Красный Строитель",
    "Рабочий поселок": "Рабочий Посёлок", "Москва Товарная": "Москва-Товарная",
    "Ул. Академика Королёва": "Улица Академика Королёва", "Ул. Милашенкова": "Улица Милашенкова",
    "Ул. Сергея Эйзенштейна": "Улица Сергея Эйзенштейна",
}
# (line, source name) -> (new name, former names, year of the change)
RENAMED = {
    ("1", "Коммунарка"): ("Новомосковская", ["Коммунарка"], 2024),  # renamed 30 July 2024
    ("11", "Аминьевское шоссе"): ("Аминьевская", [], 2021),  # working names replaced at opening
    ("11", "Улица Новаторов"): ("Новаторская", [], 2021),
    ("11", "Калужская"): ("Воронцовская", [], 2021),
    ("11", "Карамышево"): ("Народное Ополчение", ["Карамышевская"], 2021),
    ("D2", "Каланчёвская"): ("Площадь трёх вокзалов", ["Каланчёвская"], 2023),
}
# (line, name): stations the 2020 snapshot lists that were not open at the end of 2025 on that line
REMOVED = {
    ("5", "Суворовская"),  # under construction
    ("8A", "Петровский парк"), ("8A", "Савёловская"), ("8A", "Хорошёвская"), ("8A", "ЦСКА"),
    ("8A", "Шелепиха"),  # served by line 8A only until the Big Circle Line took them over
    ("15", "Авиамоторная"), ("15", "Лефортово"),  # Big Circle Line stations
    ("11A", "Варшавская"), ("11A", "Каширская"),  # line 11A closed 2019; the stations reopened on line 11
    ("D1", "Илимская"), ("D1", "Петровско-Разумовская"), ("D1", "Дмитровская"),  # planned platforms
    ("D2", "Котляково"), ("D2", "Кубанская"), ("D2", "Покровское-Стрешнево"),
}
# line -> [(name, name_en, year opened)]
ADDED = {
    "1": [("Потапово", "Potapovo", 2024)],
    "8A": [("Деловой центр", "Delovoy Tsentr", 2014), ("Пыхтино", "Pykhtino", 2023),
           ("Аэропорт Внуково", "Aeroport Vnukovo", 2023)],
    "10": [("Яхромская", "Yakhromskaya", 2023), ("Лианозово", "Lianozovo", 2023), ("Физтех", "Fiztekh", 2023)],
    "11": [("Каширская", "Kashirskaya", 2023)],
    "16": [("ЗИЛ", "ZIL", 2025), ("Крымская", "Krymskaya", 2025), ("Академическая", "Akademicheskaya", 2025),
           ("Вавиловская", "Vavilovskaya", 2025), ("Новаторская", "Novatorskaya", 2024),
           ("Университет Дружбы Народов", "Universitet Druzhby Narodov", 2024),
           ("Генерала Тюленева", "Generala Tyuleneva", 2024), ("Тютчевская", "Tyutchevskaya", 2024),
           ("Корниловская", "Kornilovskaya", 2024), ("Коммунарка", "Kommunarka", 2024),
           ("Новомосковская", "Novomoskovskaya", 2024)],
    "D2": [("Щукинская", "Shchukinskaya", None)],
    "D3": [(n, None, 2023) for n in (
        "Зеленоград-Крюково", "Малино", "Фирсановская", "Сходня", "Подрезково", "Новоподрезково", "Молжаниново",
        "Химки", "Левобережная", "Ховрино", "Грачёвская", "Моссельмаш", "Лихоборы", "Петровско-Разумовская",
        "Останкино", "Рижская", "Митьково", "Электрозаводская", "Сортировочная", "Авиамоторная", "Андроновка",
        "Перово", "Плющево", "Вешняки", "Выхино", "Косино", "Ухтомская", "Люберцы", "Панки", "Томилино",
        "Красково", "Малаховка", "Удельная", "Быково", "Ильинская", "Отдых", "Кратово", "Есенинская",
        "Фабричная", "Раменское", "Ипподром")],
    "D4": [(n, None, 2023) for n in (
        "Апрелевка", "Победа", "Крёкшино", "Санино", "Кокошкино", "Толстопальцево", "Лесной Городок", "Внуково",
        "Мичуринец", "Переделкино", "Новопеределкино", "Солнечная", "Мещёрская", "Очаково", "Аминьевская",
        "Матвеевская", "Минская", "Поклонная", "Тестовская", "Белорусская", "Савёловская", "Рижская",
        "Площадь трёх вокзалов", "Курская", "Серп и Молот", "Нижегородская", "Чухлинка", "Кусково",
        "Новогиреево", "Реутово", "Никольское", "Салтыковская", "Кучино", "Ольгино", "Железнодорожная")],
}
DROPPED_LINES = {"11A"}
MOSCOW_CITY = {"id": "moscow", "name": "Москва", "name_en": "Moscow", "priority": 0, "aliases": ["msk", "мск"],
               "hints": ["Москва", "Москвы", "г. Москва", "Московский метрополитен", "Мосметро", "ГУП «Московский метрополитен»"]}

# --- Saint Petersburg ---------------------------------------------------------------------------------------
SPB_CITY = {"id": "saint-petersburg", "name": "Санкт-Петербург", "name_en": "Saint Petersburg", "priority": 1,
            "aliases": ["spb", "спб", "st-petersburg", "petersburg", "петербург"],
            "hints": ["Санкт-Петербург", "Санкт-Петербурга", "Петербург", "СПб", "Петербургский метрополитен",
                      "ГУП «Петербургский метрополитен»"]}
SPB_LINES = [
    dict(id="1", number="1", name="Кировско-Выборгская", name_en="Kirovsko-Vyborgskaya", color="#d6083b",
         color_name="красная", opened=1955, kind="metro", refs=[]),
    dict(id="2", number="2", name="Московско-Петроградская", name_en="Moskovsko-Petrogradskaya", color="#0078c9",
         color_name="синяя", opened=1961, kind="metro", refs=[]),
    dict(id="3", number="3", name="Невско-Василеостровская", name_en="Nevsko-Vasileostrovskaya", color="#009a49",
         color_name="зелёная", opened=1967, kind="metro", refs=[]),
    dict(id="4", number="4", name="Правобережная", name_en="Pravoberezhnaya", color="#ea7125",
         color_name="оранжевая", opened=1985, kind="metro", refs=["Лахтинско-Правобережная"]),
    dict(id="5", number="5", name="Фрунзенско-Приморская", name_en="Frunzensko-Primorskaya", color="#702785",
         color_name="фиолетовая", opened=2008, kind="metro", refs=[]),
    dict(id="6", number="6", name="Красносельско-Калининская", name_en="Krasnoselsko-Kalininskaya",
         color="#8b4513", color_name="коричневая", opened=2025, kind="metro", refs=[]),
]
SPB_STATIONS = {
    "1": "Девяткино, Гражданский проспект, Академическая, Политехническая, Площадь Мужества, Лесная, Выборгская, "
         "Площадь Ленина, Чернышевская, Площадь Восстания, Владимирская, Пушкинская, Технологический институт, "
         "Балтийская, Нарвская, Кировский завод, Автово, Ленинский проспект, Проспект Ветеранов",
    "2": "Парнас, Проспект Просвещения, Озерки, Удельная, Пионерская, Чёрная речка, Петроградская, Горьковская, "
         "Невский проспект, Сенная площадь, Технологический институт, Фрунзенская, Московские ворота, Электросила, "
         "Парк Победы, Московская, Звёздная, Купчино",
    "3": "Беговая, Зенит, Приморская, Василеостровская, Гостиный двор, Маяковская, Площадь Александра Невского, "
         "Елизаровская, Ломоносовская, Пролетарская, Обухово, Рыбацкое",
    "4": "Горный институт, Спасская, Достоевская, Лиговский проспект, Площадь Александра Невского, Новочеркасская, "
         "Ладожская, Проспект Большевиков, Улица Дыбенко",
    "5": "Комендантский проспект, Старая Деревня, Крестовский остров, Чкаловская, Спортивная, Адмиралтейская, "
         "Садовая, Звенигородская, Обводный канал, Волковская, Бухарестская, Международная, Проспект Славы, "
         "Дунайская, Шушары",
    "6": "Юго-Западная, Путиловская",
}
SPB_OPENED = {("4", "Горный институт"): 2024, ("6", "Юго-Западная"): 2025, ("6", "Путиловская"): 2025,
              ("3", "Беговая"): 2018, ("3", "Зенит"): 2018, ("5", "Шушары"): 2019, ("5", "Дунайская"): 2019,
              ("5", "Проспект Славы"): 2019}
SPB_FORMER = {("3", "Зенит"): ["Новокрестовская"]}

# --- helpers ------------------------------------------------------------------------------------------------

TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


def translit(name: str) -> str:
    out = []
    for ch in name:
        low = ch.lower()
        t = TRANSLIT.get(low)
        if t is None:
            out.append(ch)
        else:
            out.append(t.capitalize() if ch != low else t)
    return "".join(out)


def load_yaml_list(path: Path) -> list[dict[str, str]]:
    """The snapshot's YAML is a flat list of `key: value` maps; read it without a YAML dependency."""
    out: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-"):
            cur = {}
            out.append(cur)
            continue
        m = re.match(r"\s+(\w+):\s*(.*)", line)
        if m:
            cur[m.group(1)] = m.group(2).strip().strip('"')
    return out


def moscow() -> dict:
    src_lines = {ln["uid"]: ln for ln in load_yaml_list(SRC / "lines.yml")}
    lines = []
    for lid in LINE_ORDER:
        base = src_lines.get(lid, {})
        over = MOSCOW_LINES[lid]
        name = over.get("name") or base["name"]
        refs = list(over.get("refs", []))
        if lid == "D2":
            base = {**base, "name": "Курско-Рижский диаметр"}  # the snapshot calls it "Калужско-Рижский"
        if base.get("name") and base["name"] != name:
            refs.insert(0, base["name"])
        lines.append({
            "id": lid, "number": lid, "name": name,
            "name_en": over.get("name_en") or base.get("name_en"),
            "kind": over["kind"], "color": (over.get("color") or base.get("color", "")).lower(),
            "color_name": over["color_name"],
            "opened": over.get("opened") or (int(base["open_year"]) if base.get("open_year") else None),
            "refs": refs,
        })
    stations = []
    seen = set()
    for s in load_yaml_list(SRC / "stations.yml"):
        lid, name = s["line_uid"], " ".join(s["name"].split())  # the snapshot has a no-break space
        if (lid, name) in REMOVED or lid in DROPPED_LINES:
            continue
        former: list[str] = []
        opened = None
        name = SPELLING.get(name, name)
        name_en = s.get("name_en") or translit(name)
        if (lid, name) in RENAMED:
            name, former, opened = RENAMED[(lid, name)]
            name_en = translit(name)
        key = (lid, name)
        if key in seen:
            continue
        seen.add(key)
        stations.append({"name": name, "name_en": name_en, "line": lid, "opened": opened, "former": former})
    for lid, rows in ADDED.items():
        for name, name_en, year in rows:
            if (lid, name) in seen:
                continue
            seen.add((lid, name))
            stations.append({"name": name, "name_en": name_en or translit(name), "line": lid, "opened": year,
                             "former": []})
    order = {lid: i for i, lid in enumerate(LINE_ORDER)}
    stations.sort(key=lambda s: (order[s["line"]], s["name"]))
    return {"city": dict(MOSCOW_CITY), "lines": lines, "stations": stations}


def spb() -> dict:
    stations = []
    for lid, names in SPB_STATIONS.items():
        for name in (n.strip() for n in names.split(",")):
            stations.append({"name": name, "name_en": translit(name), "line": lid,
                             "opened": SPB_OPENED.get((lid, name)), "former": SPB_FORMER.get((lid, name), [])})
    return {"city": dict(SPB_CITY), "lines": SPB_LINES, "stations": stations}


# --- inflection: tenderscan.stations.morph (pymorphy3) ------------------------------------------------------

ABBREVIATIONS = [
    (r"^Улица ", ["ул. "]), (r"^Проспект ", ["пр-т ", "просп. ", "пр. "]), (r"^Площадь ", ["пл. "]),
    (r"^Бульвар ", ["б-р ", "бул. "]), (r" проспект$", [" пр-т", " просп.", " пр."]), (r" шоссе$", [" ш."]),
    (r" бульвар$", [" б-р"]), (r"^Шоссе ", ["ш. "]), (r" имени ", [" им. "]),
]


def abbreviations(name: str) -> list[str]:
    out = []
    for pattern, reps in ABBREVIATIONS:
        if re.search(pattern, name):
            for rep in reps:
                out.append(re.sub(pattern, rep, name).strip())
    return out


def finish(city: dict, morph) -> dict:
    names = {s["name"] for s in city["stations"]} | {f for s in city["stations"] for f in s["former"]}
    lower_names = {n.lower().replace("ё", "е") for n in names}
    forms: dict[str, list[str]] = {}
    for n in sorted(names):
        fs = [f for f in inflections(morph, n) if f.lower().replace("ё", "е") not in lower_names]
        if fs:
            forms[n] = fs
    for s in city["stations"]:
        s["spellings"] = [v for v in (s["name"].replace("ё", "е").replace("Ё", "Е"),
                                      s["name"].replace("имени", "им.")) if v != s["name"]]
        s["abbreviations"] = abbreviations(s["name"])
    for line in city["lines"]:
        refs = [r for r in [line["name"], *line["refs"]] if "—" not in r]
        line["ref_forms"] = sorted({f.replace("Большей", "Большой") for r in refs for f in inflections(morph, r)})
    city["city"]["as_of"] = AS_OF
    city["city"]["count"] = len(city["stations"])
    city["forms"] = forms
    return city


def dump(city: dict, path: Path) -> None:
    """JSON with one station per line, so diffs stay readable."""
    head = {k: v for k, v in city.items() if k not in ("lines", "stations", "forms")}
    parts = ["{"]
    for k, v in head.items():
        parts.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    for key in ("lines", "stations"):
        parts.append(f'  "{key}": [')
        rows = [json.dumps(r, ensure_ascii=False) for r in city[key]]
        parts.append(",\n".join("    " + r for r in rows))
        parts.append("  ],")
    parts.append('  "forms": {')
    rows = [f"    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in city["forms"].items()]
    parts.append(",\n".join(rows))
    parts.append("  }")
    parts.append("}")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def main() -> None:
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer()
    OUT.mkdir(parents=True, exist_ok=True)
    for city in (moscow(), spb()):
        city = finish(city, morph)
        dump(city, OUT / f"{city['city']['id']}.json")
        print(city["city"]["id"], city["city"]["count"], "stations",
              len({s['name'] for s in city['stations']}), "names")


if __name__ == "__main__":
    main()
