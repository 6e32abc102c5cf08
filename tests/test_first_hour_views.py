"""What a new user sees (issue 14 items 7, 8, 11, 19, 20, 21, 22, 24, and the consumer side of issue 13's
rule that a unit price is never an amount), through the CLI as they run it: CliRunner at 80 and 140 columns,
a pseudo-terminal where the terminal matters, a subprocess where stderr must stay clean."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tenderscan.models import Item, Kind, Organization, Tender
from .conftest import read_outcomes as read_sources
from tenderscan.store import Store

from .conftest import FIXTURES, ROOT, ZAKUPKI, run

MORE = FIXTURES / "zakupki-more"
# 44-FZ EZK2020, quantityUndefined true: 22 items priced per unit (their `totalSum` 64081.65 adds the unit
# prices), maximum price (`maxPriceInfo/maxPrice`) 3390184
LOOSE = MORE / ("notice_epNotificationEZK2020_2025-11-01_epNotificationEZK2020_0173100003525000138_1_"
                "019A3E1C64D27AFDAD44705A1EA8A5CF.xml")
EF2020 = ZAKUPKI / "44fz_ep2020_printform_epNotificationEF2020_0173100008726000065_ABRIDGED.xml"
EZK2020 = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
EZK_V3 = ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml"
FCS = ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"
MOBILE = ZAKUPKI / "223fz_mobileapi_common-info_32109998392.json"
NOTICE_223 = ZAKUPKI / "223fz_purchaseNotice_31603913641.xml"
SPEC = FIXTURES / "constructed" / "metro_screens_85_stations.txt"
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b\][^\x07]*\x07")


def jrun(*args, env=None):
    r = run(*args, env=env)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def ingest(store: Path, *paths) -> None:
    r = run("ingest", "--store", str(store), *map(str, paths))
    assert r.exit_code == 0, r.stderr


def lines_of(text: str) -> list[str]:
    return text.splitlines()


# --- item 7: by OKPD2 class, what the item amounts do not cover; quantities within one unit -------------------


def test_by_class_says_what_the_item_amounts_do_not_cover():
    rows = jrun("spending", str(ZAKUPKI), "--by", "okpd2", "--depth", "2", "--format", "json")
    got = {(r["okpd2"], r["kind"]): r for r in rows}
    # the 223-FZ mobile-API notice: lot amount 21200000 (lots[0].initialSum), its items carry no price
    # (lots[0].lotItems[*]: qty 420 t, no sum), OKPD2 19.20...: the class says so instead of showing nothing
    fuel = got[("19", "notice")]
    assert (fuel["count"], fuel["priced"], fuel["amount"], fuel["not_in_items"]) == (1, 0, None, "21200000")
    # 223-FZ notice 31603913641: lot/initialSum 3077055.86, lotItems/lotItem without prices, okpd2 41.x
    pipe = got[("41", "notice")]
    assert pipe["not_in_items"] == "3077055.86" and pipe["priced"] == 0
    # the abridged EF2020 notice: maxPrice 108142501.80, its two printed items 67950834.55 + 9765000.00:
    # the 30426667.25 no printed item covers is in no class, and said so
    assert got[("26", "notice")]["amount"] == "77715834.55" and got[("26", "notice")]["priced"] == 1
    assert got[("unassigned", "notice")]["not_in_items"] == "30426667.25"
    # and so every document's amount is in the view, exactly: item amounts plus what they do not cover
    tenders = [t for o in read_sources([str(ZAKUPKI)]) for t in o.tenders]
    notices = sum(t.amount for t in tenders if t.kind == Kind.notice and t.amount and t.source_format != "zakupki/rss")
    shown = sum(Decimal(r[k]) for r in rows if r["kind"] == "notice" for k in ("amount", "not_in_items") if r[k])
    assert shown == notices


def test_by_class_the_table_names_the_uncovered_money(tmp_path):
    r = run("spending", str(ZAKUPKI), "--by", "okpd2", "--depth", "2", "--format", "table", env={"COLUMNS": "140"})
    assert r.exit_code == 0, r.stderr
    assert "not in items" in r.stdout and "priced" in r.stdout
    assert "30\u202f426\u202f667.25" in r.stdout and "21\u202f200\u202f000" in r.stdout


def test_a_quantity_only_where_the_group_has_one_unit():
    rows = jrun("spending", str(EZK2020), str(EZK_V3), str(FCS), "--by", "kind", "--format", "json")
    # 12 months (EZK2020 items: 12 мес), 5 sets (EZK v3: 2 + 3 КОМПЛ) and 35,160 ml (FCS: 8 drugs in мл):
    # three units, no sum of them (it used to say 35177)
    assert [(r["quantity"], r["unit"], r["units"]) for r in rows] == [(None, None, 3)]
    one = jrun("spending", str(FCS), "--by", "okpd2", "--format", "json")
    assert {(r["quantity"], r["unit"]) for r in one} == {("35160", "мл")}  # every drug in ml: a quantity


# --- item 8: search-feed summaries apart from notices ---------------------------------------------------------


def test_feed_summaries_are_not_notices(tmp_path):
    store = tmp_path / "st"
    ingest(store, ZAKUPKI)
    r = run("spending", "--store", str(store), "--by", "year", "--format", "json")
    assert r.exit_code == 0, r.stderr
    y2026 = [x for x in json.loads(r.stdout) if x["year"] == 2026]
    # the two notices of 2026 (EF2020 0173100008726000065, EZK2020 0362100022326000101), not the five RSS items
    assert [(x["kind"], x["count"], x["amount"]) for x in y2026] == [("notice", 2, "108245373.48")]
    assert "5 search-feed summaries" in r.stderr and "--kind feed_summary" in r.stderr
    apart = jrun("spending", "--store", str(store), "--by", "year", "--kind", "feed_summary", "--format", "json")
    # the feed's five <item>s: 506000.00 + 441666.67 + 533333.35 + 77178.00 + 109500.00 (Начальная цена)
    assert [(x["year"], x["kind"], x["count"]) for x in apart] == [(2026, "feed_summary", 5)]
    everything = jrun("spending", "--store", str(store), "--by", "kind", "--kind", "all", "--format", "json")
    assert {x["kind"] for x in everything} >= {"notice", "feed_summary"}
    listed = jrun("list", "--store", str(store), "--format", "json")  # list still shows them, as stored
    assert sum(1 for x in listed if x["source_format"] == "zakupki/rss") == 5


# --- item 11: XLSX precision, identifiers by scheme ---------------------------------------------------------


def test_xlsx_shows_prices_at_their_precision(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "items.xlsx"
    r = run("export", str(FCS), "--table", "items", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    ws = load_workbook(out).active
    head = [c.value for c in ws[1]]
    price = head.index("unit_price") + 1
    # item 4 (ВОДА ДЛЯ ИНЪЕКЦИЙ): purchaseObject/price 0.68807143
    cell = ws.cell(row=5, column=price)
    assert Decimal(str(cell.value)) == Decimal("0.68807143") and cell.number_format == "#,##0.00000000"
    amount = ws.cell(row=5, column=head.index("amount") + 1)
    assert amount.number_format == "#,##0.00"  # purchaseObject/sum 5779.80


def test_identifiers_are_labelled_by_their_scheme():
    # OCDS ocdskit compiled release: the tenderer's identifier.scheme is MX-RFC, not a Russian INN
    path = FIXTURES / "ocds" / "ocds-ocdskit" / "compiled-release-1.json"
    r = run("show", str(path), "--format", "table", env={"COLUMNS": "160"})
    assert r.exit_code == 0, r.stderr
    apps = r.stdout[r.stdout.index("Applications"):]
    header = apps.splitlines()[1]
    assert "RFC" in header and "INN" not in header
    docs = tmp_csv("documents", path)
    assert docs[0]["customer_id_scheme"] and docs[0]["customer_id_scheme"] != "RU-INN"


def tmp_csv(table: str, *paths) -> list[dict]:
    r = run("export", *map(str, paths), "--table", table, "--format", "csv", "-o", "-")
    if r.exit_code != 0 or not r.stdout:  # `-o -` may not stream yet (issue 14 item 3, another helper's)
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / f"{table}.csv"
            r = run("export", *map(str, paths), "--table", table, "-o", str(out))
            assert r.exit_code == 0, r.stderr
            return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    return list(csv.DictReader(io.StringIO(r.stdout)))


# --- item 19: at 80 (and 140) columns nothing is cut ---------------------------------------------------------


@pytest.mark.parametrize("width", [80, 140])
def test_show_keeps_codes_whole_and_names_unbroken(width):
    r = run("show", str(EF2020), str(FCS), "--format", "table", env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.stderr
    out = lines_of(r.stdout)
    assert max(len(x) for x in out) <= width
    # purchaseObject/KTRU/code of the two laptops, whole on one line
    for code in ("26.20.11.110-00000141", "26.20.11.110-00000139"):
        assert any(code in x for x in out), code
    assert any("INN 7702166610" in x for x in out)  # customerInfo INN, never parted from its label
    for word in ("ВОДОРОДА", "ПЕРОКСИД", "ЙОД+КАЛИЯ", "ФОРМАЛЬДЕГИД", "ИНЪЕКЦИЙ"):  # the drugs' names
        assert any(word in x for x in out), word
    assert "…" not in r.stdout.split("Items")[0]  # the source path folds, it is not cut with an ellipsis
    assert "fcsNotificationEF_0301300140921000011.xml" in re.sub(r"[\s│]", "", r.stdout)


@pytest.mark.parametrize("width", [80, 140])
def test_diff_keeps_field_names_and_timestamps_whole(width):
    r = run("diff", str(EZK2020), str(EZK_V3), "--format", "table", env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.stderr
    out = lines_of(r.stdout)
    assert max(len(x) for x in out) <= width
    # submission_deadline: collectingEndDate 2026-10-09T17:00+05:00 against 2021-04-22T09:00+10:00
    assert any("submission_deadline" in x for x in out)
    for stamp in ("2026-10-09 17:00+05:00", "2021-04-22 09:00+10:00", "2026-10-02 13:49:45+05:00"):
        assert any(stamp in x for x in out), stamp
    # no word of a wrapped name is split: every word of the removed item's name is on one line
    name = ("Оказание услуг по предоставлению доступа к сопровождению Электронного периодического справочника "
            "(справочно-правовой системы)")
    for word in name.replace("(", " ").replace(")", " ").split():
        if "-" not in word:
            assert any(word in x for x in out), word


# --- item 20: bars on one scale per currency -----------------------------------------------------------------


def in_terminal(args: list[str], env: dict, cols: int = 140) -> tuple[int, str, str]:
    """Run tenderscan with stdout on a pseudo-terminal of ``cols`` columns; (exit code, stdout, stderr)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    p = subprocess.Popen([sys.executable, "-m", "tenderscan", *args], stdin=subprocess.DEVNULL, stdout=slave,
                         stderr=subprocess.PIPE, env=env, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    err = p.stderr.read().decode()
    p.wait()
    os.close(master)
    return p.returncode, ANSI.sub("", b"".join(chunks).decode()), err


def test_bars_share_one_scale_per_currency(tmp_path):
    store = tmp_path / "st"
    ingest(store, ZAKUPKI)
    env = {**os.environ, "TENDERSCAN_STORE": str(store), "COLUMNS": "140"}
    code, out, err = in_terminal(["spending", "--by", "year"], env)
    assert code == 0, err
    bars = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d{4}|—)\s+(notice|contract)\s.*?([█▏▎▍▌▋▊▉]+)\s*$", line)
        if m:
            bars[(m.group(1), m.group(2))] = m.group(3)
    # notices of 2026: 108245373.48 RUB, the largest amount in rubles: the full 24 cells
    assert bars[("2026", "notice")].count("█") >= 20
    # contracts of 2015: 4049420.00 RUB, 3.7% of it: under a cell, not a full bar of its own (per kind)
    assert len(bars[("2015", "contract")]) == 1


# --- item 21: plots a journalist could publish -------------------------------------------------------------


def plot_svg(tmp_path, *args) -> tuple[str, str]:
    out = tmp_path / "chart.svg"
    env = {**os.environ, "TENDERSCAN_STORE": str(tmp_path / "store")}
    p = subprocess.run([sys.executable, "-m", "tenderscan", "spending", *map(str, args), "--plot", str(out),
                        "--format", "json"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode in (0, 1), p.stderr
    return out.read_text(encoding="utf-8"), p.stderr


def svg_texts(svg: str) -> list[str]:
    return [" ".join(re.sub("<[^>]+>", "", t).split()) for t in re.findall(r"<text[^>]*>.*?</text>", svg, re.S)]


def test_plot_by_customer_is_readable_and_quiet(tmp_path):
    svg, err = plot_svg(tmp_path, ZAKUPKI, "--by", "customer")
    assert "Warning" not in err and "warning" not in err.lower().replace("plot written", "")
    texts = svg_texts(svg)
    assert "amount, million RUB" in texts  # the axis names its unit and currency: no bare "amount", no 1e8
    assert not any(t.startswith("1e") or "×10" in t for t in texts)
    assert "СЧЕТНАЯ ПАЛАТА РОССИЙСКОЙ" in " ".join(texts)  # names wrapped from their start, not their end


def test_plot_one_panel_per_currency_and_years_on_a_time_axis(tmp_path):
    svg, err = plot_svg(tmp_path, FIXTURES / "ted", "--by", "year", "--kind", "all")
    texts = svg_texts(svg)
    titles = [t for t in texts if t.startswith("Spending by year")]
    assert {"Spending by year, EUR", "Spending by year, GBP", "Spending by year, NOK"} <= set(titles)
    # EUR documents of 2019, 2020 and 2023: the years are a time axis, 2021 and 2022 stand between them
    assert all(str(y) in texts for y in range(2019, 2024))


def test_plot_okpd2_classes_in_code_order(tmp_path):
    svg, _ = plot_svg(tmp_path, ZAKUPKI, "--by", "okpd2", "--depth", "4")
    classes = [t for t in svg_texts(svg) if re.fullmatch(r"\d{2}\.\d{2}", t)]
    assert classes == sorted(classes) and len(classes) >= 5


# --- item 22: list a table at 140, blocks indented, search times, unknown year, --from formats ----------------


def test_list_is_a_table_at_140_columns(tmp_path):
    store = tmp_path / "st"
    ingest(store, ZAKUPKI)
    r = run("list", "--store", str(store), "--format", "table", env={"COLUMNS": "140"})
    assert r.exit_code == 0, r.stderr
    out = lines_of(r.stdout)
    assert max(len(x) for x in out) <= 140
    assert any(x.startswith("──") or "────" in x for x in out)  # a table (it was blocks below ~200 columns)
    assert any("0320100007621000014@3" in x for x in out)  # ID@version, as show takes it
    assert any("108 142 501.80 RUB".replace(" ", "\u202f", 2) in x for x in out)


def test_blocks_indent_their_wrapped_lines(tmp_path):
    store = tmp_path / "st"
    ingest(store, ZAKUPKI)
    r = run("list", "--store", str(store), "--format", "table", env={"COLUMNS": "80"})
    out = lines_of(r.stdout)
    title = [n for n, x in enumerate(out) if x.startswith("  title: Оказание услуг по предоставлению доступа")]
    assert title, r.stdout
    follow = out[title[0] + 1]
    assert follow.startswith("    ") and follow.strip()  # the title's second line, under its label


def test_search_shows_times_like_list(httpserver, monkeypatch):
    monkeypatch.setenv("TENDERSCAN_ZAKUPKI_URL", httpserver.url_for("/").rstrip("/"))
    feed = (ZAKUPKI / "eis_search_rss_REAL_trimmed_5items_2026.xml").read_bytes()
    httpserver.expect_request("/epz/order/extendedsearch/rss.html").respond_with_data(
        feed, content_type="application/rss+xml; charset=utf-8")
    r = run("search", "--rate", "0", "охрана", "--format", "table", env={"COLUMNS": "240"})
    assert r.exit_code == 0, r.stderr
    assert "2026-07-29 09:59" in r.stdout and "2026-07-29T09:59:36" not in r.stdout  # pubDate, to the minute
    again = run("search", "--rate", "0", "охрана", "--format", "json", "--from", "29.07.2026")
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)[0]["published"] == "2026-07-29T09:59:36+03:00"  # JSON keeps the timestamp


def test_spending_shows_an_unknown_year_as_a_dash_and_takes_both_date_forms():
    r = run("spending", str(MOBILE), str(FCS), "--format", "table", env={"COLUMNS": "140"})
    assert r.exit_code == 0, r.stderr
    # the mobile-API notice has no publication date: its row's year is "—", as the plot labels it
    assert any(re.match(r"\s*—\s+notice", x) for x in lines_of(r.stdout)), r.stdout
    iso = jrun("spending", str(ZAKUPKI), "--from", "2021-01-01", "--to", "2021-12-31", "--format", "json")
    ru = jrun("spending", str(ZAKUPKI), "--from", "01.01.2021", "--to", "31.12.2021", "--format", "json")
    assert iso == ru and iso and all(x["year"] == 2021 for x in iso)
    bad = run("spending", str(FCS), "--from", "31.02.2021")
    assert bad.exit_code == 2 and "YYYY-MM-DD or DD.MM.YYYY" in bad.stderr and "Traceback" not in bad.stderr


# --- item 24: stations --city against the text's own city ----------------------------------------------------


def test_stations_city_that_the_text_contradicts():
    r = run("stations", str(SPEC), "--city", "saint-petersburg", "--format", "json")
    assert r.exit_code == 0, r.stderr
    # the specification's customer: «ГУП «Московский метрополитен»» (line 6)
    assert "names Moscow" in r.stderr and "--city saint-petersburg" in r.stderr and "--city moscow" in r.stderr
    ok = run("stations", str(SPEC), "--city", "moscow", "--format", "json")
    assert ok.exit_code == 0 and "names" not in ok.stderr
    assert len(json.loads(ok.stdout)) == 85


# --- issue 13, the consumer side: a unit price is never an amount ---------------------------------------------


def loose_notice() -> tuple[Tender, bytes]:
    """The quantityUndefined notice as issue 13 item 1 reads it: each item's price per unit in unit_price,
    no quantity, no amount, item and document marked (done here too, so that this test of the views does not
    depend on the reader's state)."""
    [t] = [t for o in read_sources([str(LOOSE)]) for t in o.tenders]
    for it in t.items:
        if not it.quantity_undefined:
            it.unit_price = it.unit_price if it.unit_price is not None else it.amount
            it.quantity = it.amount = None
            it.quantity_undefined = True
    t.quantity_undefined = True
    return t, LOOSE.read_bytes()


@pytest.fixture
def loose_store(tmp_path) -> Path:
    store = tmp_path / "st"
    t, raw = loose_notice()
    with Store.open(store) as st:
        st.add(t, raw, path=str(LOOSE))
    return store


def test_show_says_prices_are_per_unit_and_the_amount_a_maximum(loose_store):
    r = run("show", "--store", str(loose_store), "0173100003525000138", "--format", "table", env={"COLUMNS": "140"})
    assert r.exit_code == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert "prices are per unit" in flat and "maximum contract value" in flat
    assert "3 390 184".replace(" ", "\u202f") in r.stdout  # maxPriceInfo/maxPrice
    assert "64\u202f081.65" not in r.stdout  # totalSum, the sum of unit prices: never shown as a total
    assert "no total" in flat and "not fixed" in flat
    assert "4\u202f883.33" in r.stdout  # Дождевик's purchaseObject/price, in the unit price column


def test_spending_never_adds_unit_prices(loose_store):
    by_year = jrun("spending", "--store", str(loose_store), "--format", "json")
    assert [(x["amount"], x["quantity"]) for x in by_year] == [("3390184", None)]
    by_class = jrun("spending", "--store", str(loose_store), "--by", "okpd2", "--format", "json")
    amounts = [x["amount"] for x in by_class if x["amount"]]
    assert amounts == []  # no item has an amount
    assert sum(Decimal(x["not_in_items"]) for x in by_class if x["not_in_items"]) == Decimal("3390184")


def test_exports_carry_quantity_undefined_and_no_amount(loose_store, tmp_path):
    items = tmp_path / "items.csv"
    assert run("export", "--store", str(loose_store), "--table", "items", "-o", str(items)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(items.read_text(encoding="utf-8"))))
    assert len(rows) == 22 and {r["quantity_undefined"] for r in rows} == {"true"}
    assert {r["amount"] for r in rows} == {""} and {r["quantity"] for r in rows} == {""}
    assert rows[0]["unit_price"] == "4883.33"
    docs = tmp_path / "docs.csv"
    assert run("export", "--store", str(loose_store), "--table", "documents", "-o", str(docs)).exit_code == 0
    [doc] = list(csv.DictReader(io.StringIO(docs.read_text(encoding="utf-8"))))
    assert (doc["quantity_undefined"], doc["amount"], doc["items_total"]) == ("true", "3390184", "")
    show_csv = run("show", "--store", str(loose_store), "0173100003525000138", "--format", "csv")
    first = next(csv.DictReader(io.StringIO(show_csv.stdout)))
    assert (first["quantity_undefined"], first["item_amount"], first["unit_price"]) == ("true", "", "4883.33")


def test_diff_shows_quantity_not_fixed(loose_store, tmp_path):
    t, raw = loose_notice()
    t.version, t.items = "2", t.items[1:]  # a later version without the first item
    with Store.open(loose_store) as st:
        st.add(t, raw + b" ", path="v2.xml")
    r = run("diff", "--store", str(loose_store), "0173100003525000138@1", "0173100003525000138@2", "--format",
            "table", env={"COLUMNS": "140"})
    assert r.exit_code == 0, r.stderr
    removed = r.stdout[r.stdout.index("Items removed"):]
    assert "Дождевик" in removed and "not fixed" in removed and "4\u202f883.33" in removed


def test_plans_count_in_their_own_kind(tmp_path):
    store = tmp_path / "st"
    plan = Tender(kind=Kind.plan, id="2200000000000000001", version="1", source_format="test/plan", law="223-FZ",
                  currency="RUB", amount=Decimal("500000.00"), customer=Organization(name="Заказчик", inn="7700000001"),
                  items=[Item(name="Позиция плана", code="26.20.11.110", code_scheme="OKPD2",
                              amount=Decimal("500000.00"))])
    notice = Tender(kind=Kind.notice, id="0373100000000000001", version="1", source_format="test/notice",
                    law="44-FZ", currency="RUB", amount=Decimal("100.00"))
    with Store.open(store) as st:
        st.add(plan, b"plan")
        st.add(notice, b"notice")
    default = jrun("spending", "--store", str(store), "--by", "kind", "--format", "json")
    assert [x["kind"] for x in default] == ["notice"]
    plans = jrun("spending", "--store", str(store), "--by", "okpd2", "--kind", "plan", "--format", "json")
    assert [(x["kind"], x["okpd2"], x["amount"]) for x in plans] == [("plan", "26.20", "500000.00")]
    both = jrun("spending", "--store", str(store), "--by", "kind", "--kind", "all", "--format", "json")
    assert {(x["kind"], x["amount"]) for x in both} == {("plan", "500000.00"), ("notice", "100.00")}
    bad = run("spending", "--store", str(store), "--kind", "plans")
    assert bad.exit_code == 2 and "plan" in bad.stderr
