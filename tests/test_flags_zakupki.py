"""tenderscan's zakupki flags, on the real protocols, notices and contracts of the fixtures.

Each flag's value and evidence are checked against the XML (paths in the comments); variants (a rejected
lowest bid, a shortened deadline, a later contract version, contracts just under the small-purchase limit)
are made from real documents here, in the test. The flags computed on the documents equal the flags computed
on tenderscan's OCDS export of those documents; Cardinal's fixtures give Cardinal's results through the
service too.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from statistics import median

import pytest

from tenderscan.documents.batch import ReadOptions, read
from tenderscan.flags import FlagEngine, parse_settings, to_cardinal
from tenderscan.flags.registry import ALL_REGISTRY, tenderscan_defaults
from tenderscan.flags.zakupki import TS_INDICATORS
from tenderscan.flags.zakupki.minimums import count_days, load
from tenderscan.services.export.ocds import export_ocds
from tenderscan.services.flags import By, compiled_from_tenders, flags

from .conftest import FIXTURES
from .test_flags_cardinal import INDICATOR_FIXTURES, settings_text

ZAKUPKI = sorted(p for d in ("zakupki", "zakupki-more") for p in (FIXTURES / d).iterdir()
                 if p.suffix in (".xml", ".json"))
P = "ocds-tenderscan-"


@pytest.fixture(scope="module")
def tenders():
    return list(read([str(p) for p in ZAKUPKI], options=ReadOptions(stations=False)))


@pytest.fixture(scope="module")
def report():
    return flags([str(FIXTURES / "zakupki"), str(FIXTURES / "zakupki-more")])


def by_file(tenders, name):
    return next(t for t in tenders if Path(t.source.path).name == name)


def run(docs, settings=None):
    compiled, _ = compiled_from_tenders(docs)
    engine = FlagEngine(settings if settings is not None else tenderscan_defaults())
    out = {}
    for r in compiled:
        for f in engine.observe(r):
            out[f.key] = f
    for f in engine.finish():
        out[f.key] = f
    return {(f.indicator, f.id): f for f in out.values()}


def test_the_flags_of_the_documents_are_the_flags_of_their_ocds_export(tenders, report, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(export_ocds(tenders).dumps(), encoding="utf-8")
    again = flags([str(path)])
    assert again.failures == [] and report.failures == []
    assert to_cardinal(again.flags) == to_cardinal(report.flags)
    assert [r.record() for r in again.rows()] == [r.record() for r in report.rows()]
    assert len(report.flags) >= 12


def test_the_default_run_on_the_fixtures(report):
    found = {(r.indicator, r.id) for r in report.rows()}
    assert not any(code == "R003" for code, _ in found)  # R003's fixed 15 days is not run by default
    assert ("R018", P + "027300000012001473") in found
    assert ("TS-SHORT-PERIOD", P + "0362100022326000101") not in found  # 5 working days >= 4


def test_single_bid_pprf615_auction(report):
    rows = {r.indicator: r for r in report.rows() if r.id == P + "027300000012001473"}
    # pprf615ProtocolEF2: one application (protocolInfo/applications/application, journalNumber 1),
    # abandonedReason "подано единственное ценовое предложение"
    assert rows["R018"].evidence["numberOfTenderers"] == 1
    near = rows["TS-PRICE-NEAR-MAX"]
    # maxPrice 16602430.13, the application's price 16519417.98
    [award] = near.evidence["awards"]
    assert (award["award_value"], award["maximum_price"]) == ("16519417.98", "16602430.13")
    assert Decimal(award["ratio"]) == Decimal("16519417.98") / Decimal("16602430.13")
    assert near.value == float(Decimal("16519417.98") / Decimal("16602430.13")) and near.value >= 0.99
    assert award["maximum_price_path"] == "/tender/tenderscan/maxPrice"
    [doc] = near.evidence["documents"]
    assert doc["document"] == "027300000012001473@1" and doc["path"].endswith("30313173.xml")
    assert len(doc["sha256"]) == 64


def test_single_application_223_auction_from_the_mobile_api(report):
    rows = {r.indicator: r for r in report.rows() if r.id == P + "10491283"}
    # 223fz_mobileapi_common-info: lots[0].applications: one application, admitted, the winner
    assert set(rows) >= {"R018", "TS-SINGLE-ADMITTED"}
    single = rows["TS-SINGLE-ADMITTED"]
    assert single.value == 1.0 and single.evidence["admitted_bid"]["status"] == "valid"
    assert single.evidence["procurementMethodDetails"] == "Аукцион в электронной форме"


def test_single_bid_223_tender_opening_protocol(report):
    [row] = [r for r in report.rows() if r.id == P + "31704712239" and r.indicator == "R018"]
    # purchaseProtocol (Протокол вскрытия конвертов), one application; method "Открытый одноэтапный конкурс"
    assert row.evidence["numberOfTenderers"] == 1 and row.evidence["procurementMethod"] == "open"


def test_multi_participant_protocol_raises_no_competition_flag(report):
    ids = {(r.indicator, r.id) for r in report.rows()}
    for code in ("R018", "TS-SINGLE-ADMITTED", "R036"):
        # fcsProtocolEF3 2020: six applications, all admitted; epProtocolEZK2: two, both admitted
        assert (code, P + "0873500000820003425") not in ids
        assert (code, P + "0373200554120000039") not in ids


def test_lowest_bid_disqualified_r036(tenders):
    protocol = by_file(tenders, "44fz_fcs_export_fcsProtocolEF3_2020_0873500000820003425_30311379.xml")
    apps = [a.model_copy() for a in protocol.applications]
    # journalNumber 4 (1840283.61) is the lowest; make it rejected and journalNumber 1 (1960000.00) the winner
    for a in apps:
        if a.number == "4":
            a.admitted, a.winner, a.reason = False, False, "variant made by the test"
        elif a.number == "1":
            a.winner = True
    variant = protocol.model_copy(update={"applications": apps})
    found = run([variant], parse_settings("[R036]\n"))
    flag = found[("R036", P + "0873500000820003425")]
    assert flag.evidence["lowest_bid"]["amount"] == Decimal("1840283.61")
    assert flag.evidence["lowest_bid"]["status"] == "disqualified"
    assert flag.evidence["lowest_valid_bid"]["amount"] == Decimal("1960000.00")
    assert not run([protocol], parse_settings("[R036]\n"))  # the real protocol: the lowest bid won


def test_notice_changed_twice_version_3(report):
    [row] = [r for r in report.rows() if r.id == P + "0320100007621000014" and r.indicator == "TS-NOTICE-CHANGED"]
    # epNotificationEZK versionNumber 3, modification/info "уточнение сроков проведения закупки..."
    assert row.value == 2.0 and row.evidence["notice_version"] == 3
    assert row.evidence["amendments"][0]["rationale"].startswith("уточнение сроков проведения закупки")


def test_date_change_document_moves_the_auction(report):
    [row] = [r for r in report.rows() if r.id == P + "0111100008417000189" and r.indicator == "TS-NOTICE-CHANGED"]
    assert row.evidence["dates_moved"] is True
    [a] = row.evidence["amendments"]
    # fcsNotificationEFDateChange: auctionTime 2017-12-01T09:45:00+03:00, newAuctionDate 2017-12-18
    assert a["changes"] == [{"property": "auctionPeriod.startDate", "former_value": "2017-12-01T09:45:00+03:00"}]
    assert "2017-12-18T00:00:00+03:00" in a["description"]
    assert a["rationale"] == "Решение № 827- АК"  # reason (decision of the antimonopoly service)


def test_version_changes_carry_the_former_deadline(tenders):
    notice = by_file(tenders, "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml")
    later = notice.model_copy(update={"version": "2", "submission_deadline": notice.submission_deadline
                                      + timedelta(days=3), "published": notice.published + timedelta(days=1)})
    found = run([notice, later])
    flag = found[("TS-NOTICE-CHANGED", P + "0362100022326000101")]
    assert flag.evidence["dates_moved"] is True
    # the first version's collectingEndDate 2026-10-09T17:00:00+05:00
    assert flag.evidence["amendments"][0]["changes"] == [
        {"property": "tenderPeriod.endDate", "former_value": "2026-10-09T17:00:00+05:00"}]


def test_non_competitive_single_supplier(report):
    rows = {r.id: r for r in report.rows() if r.indicator == "TS-NON-COMPETITIVE"}
    # 223fz contract: purchaseTypeInfo/name "Закупка у единственного поставщика (подрядчика, исполнителя)"
    assert rows[P + "31806504639"].evidence["procurementMethodDetails"].startswith("Закупка у единственного")
    # 44fz contract 3312601274715000015: singleCustomerReason (natural monopolies, art. 93 part 1 item 1)
    assert "естественных монополий" in rows[P + "0126300015415000046"].evidence["procurementMethodRationale"]
    assert P + "0873200009825003091" not in rows  # an electronic auction


def test_short_period_against_the_legal_minimum(tenders):
    notice = by_file(tenders, "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml")
    assert not run([notice])  or ("TS-SHORT-PERIOD", P + "0362100022326000101") not in run([notice])
    # collectingStartDate 2026-10-02 (Friday), deadline moved by the test to 2026-10-06: working days
    # after the start up to the deadline's day: 5 and 6 October = 2 < 4 (44-FZ art. 50, request for quotations)
    short = notice.model_copy(update={"submission_deadline": datetime(2026, 10, 6, 17, 0,
                                                                      tzinfo=timezone(timedelta(hours=5)))})
    flag = run([short])[("TS-SHORT-PERIOD", P + "0362100022326000101")]
    assert flag.evidence["period_days"] == 2 and flag.threshold == 4 and flag.value == 2.0
    assert flag.evidence["day_kind"] == "working" and flag.evidence["law"] == "44-FZ"
    assert flag.evidence["threshold_source"].startswith("44-FZ art. 50")
    assert flag.evidence["legal_minimum"]["checked"] is False
    auction = by_file(tenders, "notice_epNotificationEF2020_2025-11-06_epNotificationEF2020_0873500002325000460_1_"
                               "019A5815761B7737B2EBA543B114FF10.xml")
    # collectingStartDate 2025-11-06, maximum price 29752886 (<= 300 million): 7 calendar days (art. 49)
    assert ("TS-SHORT-PERIOD", P + "0873500002325000460") not in run([auction])  # to 2025-11-14: 8 days
    cut = auction.model_copy(update={"submission_deadline": auction.submission_deadline - timedelta(days=3)})
    flag = run([cut])[("TS-SHORT-PERIOD", P + "0873500002325000460")]
    assert (flag.evidence["period_days"], flag.threshold, flag.evidence["day_kind"]) == (5, 7, "calendar")


def test_legal_minimums_table():
    table = load(user=False)
    old = table.matching("44-FZ", "auction", date(2017, 5, 1), Decimal("5000000"), False)
    assert [(r.days, r.checked) for r in old] == [(15, True)]  # art. 63 part 3, checked against the text
    assert all(r.source and isinstance(r.checked, bool) for r in table.periods)
    assert count_days(date(2025, 10, 31), date(2025, 11, 5), "working") == 2  # 1 Nov worked, 3-4 Nov off


def test_user_minimums_override(tmp_path, tenders):
    own = tmp_path / "mine.toml"
    own.write_text('[[period]]\nlaw = "44-FZ"\nmethod = "quotations"\ndays = 30\nsource = "my rule"\n',
                   encoding="utf-8")
    notice = by_file(tenders, "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml")
    settings = parse_settings(f"[TS-SHORT-PERIOD]\nminimums = {own}\n")
    flag = run([notice], settings)[("TS-SHORT-PERIOD", P + "0362100022326000101")]
    assert (flag.threshold, flag.evidence["threshold_source"]) == (30, "my rule")


def test_contract_value_growth(tenders):
    contract = by_file(tenders, "44fz_contracts_export_contract_2366200608816001262_30400522.xml")
    # priceInfo/price 1207680.35; a second version made by the test at +10%
    v2 = contract.model_copy(update={"version": "2", "amount": Decimal("1328448.39"),
                                     "published": contract.published + timedelta(days=30)})
    flag = run([contract, v2])[("TS-VALUE-GROWTH", P + "0131200001016005027")]
    [hit] = flag.evidence["contracts"]
    assert (hit["first_price"], hit["price"]) == ("1207680.35", "1328448.39")
    assert Decimal(hit["ratio"]) == Decimal("1328448.39") / Decimal("1207680.35")
    assert ("TS-VALUE-GROWTH", P + "0131200001016005027") not in run([contract])


def test_payments_above_the_price(tenders):
    contract = by_file(tenders, "44fz_contracts_export_contract_3312601274715000015_25135446.xml")
    execution = by_file(tenders, "44fz_contracts_export_contractProcedure_2790102219315000001_78236879.xml")
    # the real execution (payments 5366.00) moved by the test onto the gas contract (price 65000.00), paid 70000
    paid = execution.model_copy(update={"contract_id": contract.id, "id": contract.id, "payments": [
        execution.payments[0].model_copy(update={"amount": Decimal("70000.00")})]})
    flag = run([contract, paid])[("TS-VALUE-GROWTH", P + "0126300015415000046")]
    [hit] = flag.evidence["contracts"]
    assert (hit["price"], hit["paid"], hit["payments"]) == ("65000.00", "70000.00", 1)


def test_possible_splitting(tenders):
    gas = by_file(tenders, "44fz_contracts_export_contract_3312601274715000015_25135446.xml")
    # signed 2015-12-30, supplier INN 3123050159, OKPD 40.21.10.216; 44-FZ small purchase limit 100 000
    copies = [gas.model_copy(update={"id": f"33126012747150000{n}", "notice_id": None, "amount": Decimal(a),
                                     "signed": date(2015, 12, 30) + timedelta(days=d)})
              for n, a, d in (("91", "95000.00", 0), ("92", "99000.00", 20), ("93", "98000.00", 200))]
    found = run(copies)
    flag = found[("TS-SPLITTING", "RU-INN-3126012747")]  # the buyer: customer/inn
    assert flag.value == 2.0 and flag.evidence["supplier"] == "RU-INN-3123050159"
    assert flag.evidence["code"] == "40.21"
    assert [c["value"] for c in flag.evidence["contracts"]] == ["95000.00", "99000.00"]
    assert flag.evidence["contracts"][0]["limit"] == "100000"


def test_winner_concentration(tenders):
    docs = [by_file(tenders, n) for n in ("223fz_contract_Adygeya_Resp_20191217_daily_001.xml",
                                          "223fz_contract_test2.xml")]
    settings = parse_settings("[TS-CONCENTRATION]\nthreshold = 0.1\nmin_processes = 2\n")
    flag = run(docs, settings)[("TS-CONCENTRATION", "RU-INN-0105018196")]
    # contracts of one customer: 1750000 (no supplier named) and 317962.72 (supplier INN 2310140001)
    assert flag.evidence["supplier"] == "RU-INN-2310140001"
    assert flag.evidence["buyer_total"] == "2067962.72"
    assert Decimal(flag.evidence["share"]) == Decimal("317962.72") / Decimal("2067962.72")
    assert not run(docs, parse_settings("[TS-CONCENTRATION]\nmin_processes = 2\n"))  # 15% < 50%


def test_unit_price_outlier_names_its_comparison_set(tenders):
    contract = by_file(tenders, "94fz_contract_2014_0303200051314000002.xml")
    settings = parse_settings("[TS-UNIT-PRICE]\nmin_processes = 1\n")
    flag = run([contract], settings)[("TS-UNIT-PRICE", P + "0303200051313000017")]
    hits = {h["description"]: h for h in flag.evidence["items"]}
    hit = hits["маркаин раствор для инъекций 5 мг/мл флаконы 20мл №5"]
    assert hit["unit_price"] == "1522.69"  # products/product/price
    s = hit["comparison_set"]
    same = [i.unit_price for i in contract.items if i.code == s["code"] and i.unit_code == s["unit"]]
    assert s["count"] == len(same) and Decimal(s["median"]) == median(same)
    assert len(s["members"]) == len(same)
    assert not run([contract])  or ("TS-UNIT-PRICE", P + "0303200051313000017") not in run([contract])


def test_by_customer_and_supplier(report):
    by_customer = report.rows(By.customer)
    assert any(r.key == "RU-INN-0105018196" and r.indicator == "TS-NON-COMPETITIVE" for r in by_customer)
    by_supplier = report.rows(By.supplier)
    assert any(r.key == "RU-INN-7723806652" and r.indicator == "R018" for r in by_supplier)
    flat = by_supplier[0].flat()
    assert isinstance(flat["evidence"], str) and json.loads(flat["evidence"])


def test_settings_accept_tenderscans_sections():
    s = parse_settings("[TS-PRICE-NEAR-MAX]\nthreshold = 0.95\n[R018]\n")
    assert s.enabled() == ["R018", "TS-PRICE-NEAR-MAX"]
    with pytest.raises(Exception, match="no setting"):
        parse_settings("[TS-PRICE-NEAR-MAX]\nratio = 1\n")


@pytest.mark.parametrize("path", INDICATOR_FIXTURES, ids=lambda p: p.stem)
def test_cardinal_fixtures_through_the_service(path):
    report = flags([str(path)], settings=parse_settings(settings_text(path.stem)))
    expected = json.loads(path.with_suffix(".expected").read_text(encoding="utf-8"))
    expected.pop("Meta", None)
    assert report.cardinal() == expected


@pytest.mark.parametrize("cls", TS_INDICATORS, ids=lambda c: c.code)
def test_every_tenderscan_indicator_explains_itself(cls):
    doc = cls.__doc__ if cls.__doc__ and cls.__doc__.startswith(cls.code) else \
        __import__(cls.__module__, fromlist=["_"]).__doc__
    assert doc.startswith(f"{cls.code} {cls.title}: ")
    assert "In plain words" in doc and "A question, not a verdict" in doc
    assert "Definition" in doc and "Threshold" in doc
    assert cls.code.startswith("TS-") and ALL_REGISTRY[cls.code] is cls
