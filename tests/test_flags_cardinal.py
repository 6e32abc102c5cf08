"""The flags engine against Open Contracting's Cardinal: its own fixtures, its documented settings, evidence.

Every `fixtures/cardinal/indicators/*.jsonl` (compiled releases) is run with the settings Cardinal's test
generator gives it (see `settings_text`) and must give the `.expected` object exactly: same groups, ids,
indicators, and numbers (floats, compared exactly, 1.0 not 1). The evidence tests check values read by hand
from the fixture lines (the JSON path of each value is in the comment).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tenderscan.flags import (
    CARDINAL_DEFAULT,
    INDICATORS,
    SETTINGS_FILE,
    Flag,
    FlagEngine,
    Group,
    SettingsError,
    cardinal_defaults,
    compute,
    format_float,
    iter_flags,
    parse_settings,
    prepare,
    read_settings,
    to_cardinal,
    to_cardinal_json,
)
from tenderscan.flags import indicators as indicator_modules

from .conftest import FIXTURES

CARDINAL = FIXTURES / "cardinal"
INDICATOR_FIXTURES = sorted((CARDINAL / "indicators").glob("*.jsonl"))


def read_jsonl(path: Path, **loads) -> list:
    return [
        json.loads(line, **loads) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def settings_text(stem: str) -> str:
    """The settings Cardinal's build.rs gives a fixture, as a settings file.

    `CODE` alone or `CODE-label`: `[CODE]` with defaults; `CODE-key-value`: `[CODE] key = value` (`+` is `|`);
    `CODE-table-k1-v1-k2-v2`: `[CODE.table] k1 = v1, k2 = v2`. Every fixture also runs with
    `no_price_comparison_procurement_methods = NPC` and `[exclusions] procurement_method_details = EXC`.
    """
    code, *rest = stem.replace("+", "|").split("-")
    lines = [
        "no_price_comparison_procurement_methods = NPC",
        "",
        "[exclusions]",
        "procurement_method_details = EXC",
    ]
    if len(rest) < 2:
        lines += [f"[{code}]"]
    elif len(rest) == 2:
        lines += [f"[{code}]", f"{rest[0]} = {rest[1]}"]
    else:
        table, *pairs = rest
        lines += [f"[{code}.{table}]"] + [f"{k} = {v}" for k, v in zip(pairs[::2], pairs[1::2], strict=True)]
    return "\n".join(lines) + "\n"


def strict_equal(a, b) -> bool:
    """Equal, with the same JSON types all the way down (1.0 is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    return a == b


def run_fixture(stem: str, **loads) -> tuple[list[Flag], FlagEngine]:
    engine = FlagEngine(parse_settings(settings_text(stem)))
    flags = []
    for release in read_jsonl(CARDINAL / "indicators" / f"{stem}.jsonl", **loads):
        flags.extend(engine.observe(release))
    flags.extend(engine.finish())
    return flags, engine


def by_key(flags: list[Flag]) -> dict[tuple[str, str, str], Flag]:
    return {(f.indicator, f.group.value, f.id): f for f in flags}


# --- Cardinal's fixtures --------------------------------------------------------------------------


def test_every_fixture_has_its_expected_output():
    assert len(INDICATOR_FIXTURES) == 15
    for path in INDICATOR_FIXTURES:
        assert path.with_suffix(".expected").exists(), path.name
    codes = {p.stem.split("-")[0] for p in INDICATOR_FIXTURES}
    assert codes == {cls.code for cls in INDICATORS}  # every implemented indicator has a Cardinal fixture


@pytest.mark.parametrize("path", INDICATOR_FIXTURES, ids=lambda p: p.stem)
def test_cardinal_fixture(path):
    expected = json.loads(path.with_suffix(".expected").read_text(encoding="utf-8"))
    releases = read_jsonl(path)
    flags = compute(releases, parse_settings(settings_text(path.stem)))
    assert strict_equal(to_cardinal(flags), expected)
    # the JSON text, parsed back, is the same object: floats written as Cardinal writes them
    assert strict_equal(json.loads(to_cardinal_json(flags)), expected)


@pytest.mark.parametrize("path", INDICATOR_FIXTURES, ids=lambda p: p.stem)
def test_cardinal_fixture_with_decimal_amounts(path):
    """Amounts parsed as Decimal (as tenderscan reads money) give the same results as floats."""
    expected = json.loads(path.with_suffix(".expected").read_text(encoding="utf-8"))
    releases = read_jsonl(path, parse_float=Decimal, parse_int=Decimal)
    flags = compute(releases, parse_settings(settings_text(path.stem)))
    assert strict_equal(to_cardinal(flags), expected)


def test_settings_from_fixture_names():
    s = parse_settings(settings_text("R003-procurement_method_details-x-5-y-10"))
    assert s.indicators["R003"].tables == {"procurement_method_details": {"x": 5, "y": 10}}
    assert s.no_price_comparison_procurement_methods == {"NPC"}
    assert s.exclusions.procurement_method_details == {"EXC"}
    s = parse_settings(settings_text("R003-procurement_methods-open+selective"))
    assert s.indicators["R003"].values == {"procurement_methods": {"open", "selective"}}
    assert parse_settings(settings_text("R048-minimum_contracting_processes-1")).indicators[
        "R048"
    ].values == {"minimum_contracting_processes": 1}
    assert parse_settings(settings_text("R038-tenderer")).indicators["R038"].values == {}  # a label only


def test_meta_matches_cardinals_documented_example():
    # docs/indicators_index.md shows this Meta for R024: {"q1": 66.6667, "q3": 100.0, "lower_fence": 16.6667};
    # R024.jsonl's differences are 0 ("F", "repeat tenderers") and 100 (seven processes)
    _, engine = run_fixture("R024")
    assert engine.meta() == {"R024": {"q1": 66.6667, "q3": 100.0, "lower_fence": 16.6667}}


# --- evidence -------------------------------------------------------------------------------------


def test_r018_evidence_names_number_of_tenderers():
    flags, _ = run_fixture("R018")
    flag = by_key(flags)[("R018", "OCID", "open")]
    # line 1: /tender/numberOfTenderers = 1, /tender/procurementMethod = "open"
    assert flag.value == 1.0 and flag.threshold == 1
    assert flag.evidence["numberOfTenderers"] == 1
    assert flag.evidence["procurementMethod"] == "open"
    assert flag.evidence["paths"]["numberOfTenderers"] == "/tender/numberOfTenderers"
    assert flag.evidence["competitive_methods"] == ["open", "selective"]
    assert flag.evidence["competitive_methods_source"] == CARDINAL_DEFAULT
    assert {f.id for f in flags} == {
        "open",
        "selective",
    }  # "limited", "direct", no method, 2, -1: not flagged


def test_r018_reads_only_integer_literals():
    def releases(number):
        return [{"ocid": "a", "tender": {"numberOfTenderers": number, "procurementMethod": "open"}}]

    settings = cardinal_defaults(["R018"])
    assert compute(releases(1), settings)
    assert not compute(releases(1.0), settings)  # serde_json's as_u64 refuses 1.0
    assert not compute(releases("1"), settings)
    assert not compute(releases(True), settings)
    assert compute(
        json.loads(
            '[{"ocid":"a","tender":{"numberOfTenderers":1,"procurementMethod":"open"}}]', parse_int=Decimal
        ),
        settings,
    )


def test_r003_evidence_dates_days_and_threshold_source():
    flags, _ = run_fixture("R003")
    flag = by_key(flags)[("R003", "OCID", "open")]
    # /tender/tenderPeriod: 2000-01-01T18:00:00Z .. 2000-01-16T17:59:59Z is 14 days 23:59:59 -> 14 whole days
    assert flag.evidence["startDate"] == "2000-01-01T18:00:00Z"
    assert flag.evidence["endDate"] == "2000-01-16T17:59:59Z"
    assert flag.evidence["submission_period_days"] == 14
    assert flag.threshold == 15 and flag.evidence["threshold_source"] == CARDINAL_DEFAULT
    assert "threshold_setting" not in flag.evidence
    assert ("R003", "OCID", "exact") not in by_key(flags)  # exactly 15 days is not short

    flags, _ = run_fixture("R003-threshold-10")
    flag = by_key(flags)[("R003", "OCID", "10")]  # 2000-01-10T18:00:00Z .. 2000-01-20T17:59:59Z: 9 days
    assert flag.evidence["submission_period_days"] == 9
    assert flag.threshold == 10
    assert flag.evidence["threshold_source"] == SETTINGS_FILE
    assert flag.evidence["threshold_setting"] == "[R003] threshold"

    flags, _ = run_fixture("R003-procurement_method_details-x-5-y-10")
    x = by_key(flags)[("R003", "OCID", "x")]  # /tender/procurementMethodDetails = "x": 4 days < 5
    assert x.threshold == 5 and x.evidence["submission_period_days"] == 4
    assert x.evidence["threshold_setting"] == "[R003.procurement_method_details] x"
    default = by_key(flags)[("R003", "OCID", "default")]  # details "z" has no entry: the default 15
    assert default.threshold == 15 and default.evidence["threshold_source"] == CARDINAL_DEFAULT


def test_r003_dates_as_cardinal_reads_them():
    def flagged(start, end):
        release = {"ocid": "a", "tender": {"tenderPeriod": {"startDate": start, "endDate": end}}}
        return bool(compute([release], cardinal_defaults(["R003"])))

    assert flagged("2000-01-01T00:00:00Z", "2000-01-15T23:59:59.999999999Z")  # 14 days and a bit
    assert not flagged("2000-01-01T00:00:00Z", "2000-01-16T00:00:00Z")
    assert not flagged("2000-01-01T00:00:00+03:00", "2000-01-16T00:00:00+03:00")
    # offsets compared as instants: 2000-01-01T00:00:00+03:00 is 1999-12-31T21:00:00Z
    assert flagged("2000-01-01T00:00:00+03:00", "2000-01-15T20:59:59Z")  # 14 days 23:59:59
    assert not flagged("2000-01-01T00:00:00+03:00", "2000-01-15T21:00:00Z")  # 15 days
    assert not flagged("2000-01-01", "2000-01-02")  # RFC 3339 needs a time and an offset
    assert not flagged("2000-01-01T00:00:00", "2000-01-02T00:00:00")
    assert flagged("2000-01-02T00:00:00Z", "2000-01-01T00:00:00Z")  # a negative period is shorter than 15


def test_r024_and_r058_evidence():
    flags, _ = run_fixture("R024")
    flag = by_key(flags)[("R024", "OCID", "F")]
    # line 1: W (the active award's supplier) bids 1 USD, L bids 1 USD: difference (1 - 1) / 1 = 0
    assert flag.value == 0.0
    assert flag.evidence["winning_bid"] == {
        "path": "/bids/details/0",
        "status": "valid",
        "tenderers": ["W"],
        "amount": 1,
        "currency": "USD",
    }
    assert flag.evidence["second_lowest_valid_bid"]["tenderers"] == ["L"]
    assert flag.evidence["award"] == "/awards/0"
    assert flag.evidence["q1"] == pytest.approx(66.66666666666667)
    assert flag.evidence["compared_with"] == 9
    assert flag.threshold == flag.evidence["lower_fence"] == pytest.approx(16.666666666666668)
    assert flag.evidence["threshold_source"] == CARDINAL_DEFAULT
    assert flag.evidence["main_currency"] == "USD"
    w = by_key(flags)[("R024", "Tenderer", "W")]
    assert w.value == 0.0
    assert w.evidence["processes"] == [
        {"ocid": "F", "role": "winner"},
        {"ocid": "repeat tenderers", "role": "winner"},
    ]

    flags, _ = run_fixture("R058")
    flag = by_key(flags)[("R058", "OCID", "F")]
    # line 1: W bids 1, L bids 101: (101 - 1) / 1 = 100; differences 100, 0, 0, 0, 0 give Q3 33.3, fence 83.3
    assert flag.value == 100.0
    assert flag.evidence["second_lowest_valid_bid"]["amount"] == 101
    assert flag.threshold == pytest.approx(83.33333333333333)
    assert by_key(flags)[("R058", "Tenderer", "W")].evidence["processes"] == [{"ocid": "F", "role": "winner"}]


def test_r024_threshold_from_settings():
    text = settings_text("R024").replace("[R024]", "[R024]\nthreshold = 0.5")
    flags = compute(read_jsonl(CARDINAL / "indicators" / "R024.jsonl"), parse_settings(text))
    flag = by_key(flags)[("R024", "OCID", "F")]
    assert flag.threshold == 0.5
    assert flag.evidence["threshold_source"] == SETTINGS_FILE
    assert flag.evidence["threshold_setting"] == "[R024] threshold"
    assert "q1" not in flag.evidence


def test_r025_evidence():
    flags, _ = run_fixture("R025")
    f = by_key(flags)[("R025", "Tenderer", "F")]
    # F bids validly in all 10 counted processes (ocids 0-8 and F; "cancelled tender" is left out);
    # /awards/0/suppliers/0/id is F in ocids 4 and F
    assert (f.evidence["winning_bids"], f.evidence["valid_bids"]) == (2, 10)
    assert f.value == 0.2
    assert f.evidence["valid_bids_fence"] == 1.0
    assert f.evidence["valid_bids_fence_source"] == CARDINAL_DEFAULT
    assert f.evidence["compared_with"] == 10


def test_r028_evidence():
    flags, _ = run_fixture("R028")
    flag = by_key(flags)[("R028", "OCID", "F")]
    [match] = flag.evidence["identical_prices"]
    # line 1: /bids/details/0 (V, valid) and /bids/details/1 (D, disqualified) both 1 USD
    assert (match["amount"], match["currency"]) == (1, "USD")
    assert [b["path"] for b in match["bids"]] == ["/bids/details/0", "/bids/details/1"]
    assert [b["tenderers"] for b in match["bids"]] == [["V"], ["D"]]
    assert by_key(flags)[("R028", "Tenderer", "D")].evidence["processes"] == [{"ocid": "F"}]


def test_r030_evidence():
    flags, _ = run_fixture("R030")
    flag = by_key(flags)[("R030", "OCID", "F")]
    # /tender/tenderPeriod/endDate 2000-03-15, /bids/details/0/date 2000-04-01 (W, the active award's
    # supplier)
    assert flag.evidence["endDate"] == "2000-03-15T00:00:00Z"
    [bid] = flag.evidence["late_winning_bids"]
    assert (
        bid["date"] == "2000-04-01T00:00:00Z" and bid["tenderers"] == ["W"] and bid["awards"] == ["/awards/0"]
    )
    assert by_key(flags)[("R030", "Tenderer", "W")].evidence["processes"] == [
        {"ocid": "F", "bid": "/bids/details/0", "date": "2000-04-01T00:00:00Z"}
    ]


def test_r035_evidence():
    flags, _ = run_fixture("R035")
    flag = by_key(flags)[("R035", "OCID", "F2")]
    # line 2: D and E disqualified (/bids/details/0, /1), V valid and the active award's supplier
    assert flag.value == 2.0
    assert flag.evidence["winner"] == "V"
    assert flag.evidence["disqualified_tenderers"] == [
        {"tenderer": "D", "bids": ["/bids/details/0"]},
        {"tenderer": "E", "bids": ["/bids/details/1"]},
    ]
    assert flag.threshold == 1 and flag.evidence["threshold_source"] == CARDINAL_DEFAULT
    v = by_key(flags)[("R035", "Tenderer", "V")]
    assert [p["ocid"] for p in v.evidence["processes"]] == ["F1", "F2", "repeat", "accept"]


def test_r036_evidence_and_tie_rule():
    flags, _ = run_fixture("R036")
    flag = by_key(flags)[("R036", "OCID", "invited")]
    # line 2: disqualified 10, valid 20, invited 1 (not submitted): the lowest submitted bid is disqualified
    assert flag.evidence["lowest_bid"]["amount"] == 10
    assert flag.evidence["lowest_bid"]["status"] == "disqualified"
    assert flag.evidence["lowest_valid_bid"]["amount"] == 20
    # "equal": disqualified 1 listed before valid 1 is flagged; the other order is not
    swapped = {
        "ocid": "swapped",
        "bids": {
            "details": [
                {"status": "valid", "value": {"amount": 1, "currency": "USD"}},
                {"status": "disqualified", "value": {"amount": 1, "currency": "USD"}},
            ]
        },
        "awards": [{"status": "active"}],
    }
    assert not compute([swapped], cardinal_defaults(["R036"]))


def test_r038_evidence():
    flags, _ = run_fixture("R038")
    buyer = by_key(flags)[("R038", "Buyer", "B")]
    # ocid "0": /buyer/id B, two submitted bids, one disqualified ("cancelled tender" is left out)
    assert (buyer.evidence["disqualified_bids"], buyer.evidence["submitted_bids"]) == (1, 2)
    assert buyer.evidence["processes_with_disqualified_bids"] == ["0"]
    assert buyer.evidence["minimum_contracting_processes"] == 2
    assert buyer.evidence["minimum_compared_with"] == "submitted_bids"
    assert buyer.evidence["compared_with"] == 1  # buyers "1".."4" have one bid each, below the minimum of 2
    flags, _ = run_fixture("R038-tenderer")
    d = by_key(flags)[("R038", "Tenderer", "D")]  # D: disqualified in ocid "0", valid in ocid "1"
    assert (d.evidence["disqualified_bids"], d.evidence["submitted_bids"], d.evidence["processes"]) == (
        1,
        2,
        2,
    )


def test_r048_evidence():
    flags, _ = run_fixture("R048-minimum_contracting_processes-1")
    f = by_key(flags)[("R048", "Tenderer", "F")]
    # /awards/0/items[]/classification/id 10000000 and 11000000: divisions 10 and 11
    assert f.evidence["classifications"] == ["10", "11"]
    assert f.evidence["contracting_processes"] == 1
    assert f.evidence["minimum_source"] == SETTINGS_FILE
    assert f.threshold == pytest.approx(1.8333333333333335)


# --- the engine -----------------------------------------------------------------------------------


def test_streaming_flags_come_out_before_the_next_release_is_read():
    read = []

    def releases():
        for i in range(3):
            read.append(i)
            yield {"ocid": f"p{i}", "tender": {"numberOfTenderers": 1, "procurementMethod": "open"}}

    stream = iter_flags(releases(), cardinal_defaults(["R018"]))
    first = next(stream)
    assert first.id == "p0" and read == [0]


def test_global_filters_and_counts():
    engine = FlagEngine(parse_settings("[exclusions]\nprocurement_method_details = EXC\n[R018]\n"))
    single = {"numberOfTenderers": 1, "procurementMethod": "open"}
    for release in [
        [],
        {"tender": single},
        {"ocid": 5, "tender": single},
        {"ocid": "c", "tender": {**single, "status": "cancelled"}},
        {"ocid": "e", "tender": {**single, "procurementMethodDetails": "EXC"}},
        {"ocid": "ok", "tender": single},
    ]:
        engine.observe(release)
    engine.finish()
    c = engine.counts
    assert (c.read, c.not_an_object, c.no_ocid, c.cancelled, c.excluded, c.used) == (6, 1, 2, 1, 1, 1)


def test_repeated_ocid_gives_one_flag():
    release = {"ocid": "a", "tender": {"numberOfTenderers": 1, "procurementMethod": "open"}}
    assert len(list(iter_flags([release, release], cardinal_defaults(["R018"])))) == 2
    assert len(compute([release, release], cardinal_defaults(["R018"]))) == 1


def test_main_currency_first_observed_or_from_settings():
    def process(ocid, currency):
        return {
            "ocid": ocid,
            "bids": {
                "details": [
                    {"status": "disqualified", "value": {"amount": 1, "currency": currency}},
                    {"status": "valid", "value": {"amount": 2, "currency": currency}},
                ]
            },
            "awards": [{"status": "active"}],
        }

    releases = [process("usd", "USD"), process("eur", "EUR")]
    assert {f.id for f in compute(releases, parse_settings("[R036]\n"))} == {"usd"}
    assert {f.id for f in compute(releases, parse_settings("currency = EUR\n[R036]\n"))} == {"eur"}
    [flag] = compute(releases, parse_settings("currency = EUR\n[R036]\n"))
    assert flag.evidence["main_currency_source"] == "settings file"


def test_no_settings_runs_every_indicator_and_empty_settings_none():
    release = {"ocid": "a", "tender": {"numberOfTenderers": 1, "procurementMethod": "open"}}
    assert [f.indicator for f in compute([release])] == ["R018"]
    assert compute([release], parse_settings("")) == []  # as Cardinal without a settings file


def test_cardinal_json_formatting():
    assert [
        format_float(v) for v in (1.0, 0.2, 1 / 6, 1e16, 1e15, 1e-5, 1e-7, 1.5e300, -0.0, float("nan"))
    ] == [
        "1.0",
        "0.2",
        "0.16666666666666666",
        "1e16",
        "1000000000000000.0",
        "0.00001",
        "1e-7",
        "1.5e300",
        "-0.0",
        "null",
    ]
    flags = [
        Flag("R024", Group.tenderer, "Ж", 0.0),
        Flag("R024", Group.ocid, 'a "b"', 0.012),
        Flag("R038", Group.buyer, "B", 0.5),
    ]
    assert (
        to_cardinal_json(flags)
        == '{"OCID":{"a \\"b\\"":{"R024":0.012}},"Buyer":{"B":{"R038":0.5}},"Tenderer":{"Ж":{"R024":0.0}}}'
    )


# --- settings -------------------------------------------------------------------------------------

DOCS = CARDINAL / "docs"


def ini_blocks() -> list[tuple[str, str]]:
    out = []
    for path in sorted(DOCS.glob("*.md")):
        for block in re.findall(r"```ini\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
            out.append((path.name, block))
    return out


@pytest.mark.parametrize(
    "name,block", ini_blocks(), ids=[f"{n}:{i}" for i, (n, _) in enumerate(ini_blocks())]
)
def test_every_settings_example_in_cardinals_docs_parses(name, block):
    parse_settings(block, source=name)


def test_settings_file_with_everything(tmp_path):
    path = tmp_path / "settings.ini"
    path.write_text(
        "currency = USD\n"
        "price_comparison_procurement_methods = Reverse Auction\n"
        "no_price_comparison_procurement_methods = Random Selection|Sorteo de Obras\n"
        "[exclusions]\nprocurement_method_details = Random Selection|Sorteo de Obras\n"
        "[R003]\nthreshold = 15 # default\nprocurement_methods = open|selective|limited\n"
        "[R003.procurement_method_details]\nCotización = 7\nLicitación de Seguros = 10\n"
        "; [R024]\n; threshold = 0.05\n"
        "[R025]\npercentile = 75\nthreshold = 0.05\n"
        "[R035]\nthreshold = 0\n"
        "[R038]\nminimum_submitted_bids = 3\n"
        "[redactions]\namount = 0|99999999|x\n"
        "[codelists.bid_status]\nQualified = valid\n"
        "[modifications]\nmove_auctions = true\n",
        encoding="utf-8",
    )
    s = read_settings(path)
    assert s.source == str(path)
    assert s.currency == "USD"
    assert s.price_comparison_procurement_methods == {"Reverse Auction"}
    assert s.no_price_comparison_procurement_methods == {"Random Selection", "Sorteo de Obras"}
    assert s.warnings  # Cardinal warns that the deny list has no effect with an allow list
    assert s.exclusions.procurement_method_details == {"Random Selection", "Sorteo de Obras"}
    assert s.enabled() == ["R003", "R025", "R035", "R038"]  # R024 is commented out
    r003 = s.indicators["R003"]
    assert r003.values == {"threshold": 15, "procurement_methods": {"open", "selective", "limited"}}
    assert r003.tables["procurement_method_details"] == {
        "Cotización": 7,
        "Licitación de Seguros": 10,
    }  # case kept
    assert s.indicators["R025"].values == {"percentile": 75, "threshold": 0.05}
    assert s.prepare.redactions.amount == {0.0, 99999999.0}  # "x" is dropped, as Cardinal does
    assert s.prepare.codelists == {"bid_status": {"Qualified": "valid"}}
    assert s.prepare.modifications.move_auctions is True
    engine = FlagEngine(s)
    [r035] = [i for i in engine.indicators if i.code == "R035"]
    assert r035.minimum == 1  # R035 threshold 0 is read as 1, as Cardinal does


def test_a_subsection_enables_its_indicator():
    s = parse_settings("[R003.procurement_method_details]\nx = 5\n")
    assert s.enabled() == ["R003"]


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "[R003]\ntreshold = 10\n",
            "[R003] has no setting 'treshold' (known: threshold, procurement_methods)",
        ),
        ("[R003]\nthreshold = ten\n", "[R003] threshold = 'ten' is not an integer"),
        ("[R035]\nthreshold = -1\n", "[R035] threshold = '-1' is not a natural number"),
        ("[R024]\nthreshold = 5%\n", "[R024] threshold = '5%' is not a decimal number"),
        ("[modifications]\nmove_auctions = maybe\n", "move_auctions = 'maybe' is not true or false"),
        ("[R003.methods]\nx = 1\n", "R003 has no subsection [R003.methods]"),
        ("[R055]\n", "tenderscan does not implement indicator R055"),
        ("[R003]\nthreshold\n", "line 2 is not `key = value`"),
        ("[paths]\n", "unknown section [paths]"),
        ("threshold = 3\n", "the top of the file has no setting 'threshold'"),
        ("[r003]\n", "unknown section [r003]"),  # section names are case-sensitive, as in Cardinal
    ],
)
def test_settings_errors_are_one_line_usage_errors(text, message):
    with pytest.raises(SettingsError) as info:
        parse_settings(text, source="s.ini")
    line = info.value.one_line()
    assert message in line and line.startswith("s.ini: ") and "\n" not in line
    assert info.value.exit_code == 2


def test_settings_file_errors(tmp_path):
    with pytest.raises(SettingsError, match="no such settings file"):
        read_settings(tmp_path / "missing.ini")
    with pytest.raises(SettingsError, match="directory"):
        read_settings(tmp_path)


# --- prepare --------------------------------------------------------------------------------------


def test_prepare_fills_redacts_prefixes_and_reports():
    settings = parse_settings(
        "[defaults]\nbid_status = valid\nparty_roles = true\n"
        "[redactions]\namount = 0\norganization_id = placeholder\n"
        "[modifications]\nprefix_tenderer_or_supplier_id = DO-RPE-\nsplit_procurement_method_details = -\n"
        "[codelists.award_status]\nActive = active\n"
    )
    release = {
        "ocid": "p",
        "parties": [{"id": "DO-RPE-1", "roles": ["enquirer"]}],
        "tender": {"procurementMethodDetails": "Licitación - Nacional"},
        "bids": {
            "details": [
                {"tenderers": {"id": 1}, "value": {"amount": 0}},
                {
                    "status": "qualified",
                    "tenderers": [{"id": "placeholder"}],
                    "value": {"amount": 5, "currency": "USD"},
                },
            ]
        },
        "awards": [{"status": "Active", "suppliers": [{"id": "DO-RPE-1"}]}],
    }
    out = prepare(release, settings)
    r = out.release
    assert release["bids"]["details"][0]["tenderers"] == {"id": 1}  # the input is not modified
    assert r["tender"]["procurementMethodDetails"] == "Licitación"
    first, second = r["bids"]["details"]
    assert first == {"tenderers": [{"id": "DO-RPE-1"}], "value": {}, "status": "valid"}  # 0 redacted
    assert second["tenderers"] == [{}]  # placeholder id removed
    assert r["awards"][0]["status"] == "active"
    assert r["parties"][0]["roles"] == ["enquirer", "supplier", "tenderer"]
    issues = {(i.path, i.indexes, i.value, i.description) for i in out.issues}
    assert issues == {
        ("/bids/details[]/value/currency", "0", "", "not set"),
        ("/bids/details[]/status", "1", "qualified", "invalid"),
    }


def test_prepare_reports_zero_amounts_without_redaction():
    out = prepare(
        {"ocid": "p", "bids": {"details": [{"status": "valid", "value": {"amount": 0, "currency": "X"}}]}},
        parse_settings(""),
    )
    assert [(i.path, i.description) for i in out.issues] == [("/bids/details[]/value/amount", "is zero")]


# --- documentation in the code --------------------------------------------------------------------


@pytest.mark.parametrize("cls", INDICATORS, ids=lambda c: c.code)
def test_every_indicator_module_explains_itself(cls):
    doc = __import__(cls.__module__, fromlist=["_"]).__doc__
    assert doc.startswith(f"{cls.code} {cls.title}: ")
    assert "In plain words" in doc and "A question, not a verdict" in doc
    assert "Cardinal's definition" in doc
    assert "Cardinal default" in doc or "(fixed)" in doc or "no settings" in doc
    assert cls.code in indicator_modules.REGISTRY
