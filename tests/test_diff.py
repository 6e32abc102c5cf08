"""diff on real notices: two versions of one notice (made from the real one by editing values in the XML)
and two different notices; the CLI's JSON and --exit-code."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from lxml import etree

from tenderscan import parse
from tenderscan.services.diff import diff

from .conftest import ZAKUPKI, run

EZK2020 = ZAKUPKI / "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml"
EZK_V3 = ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml"
FCS = ZAKUPKI / "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml"


def _drop_attachment(data: bytes, file_name: str) -> bytes:
    root = etree.fromstring(data)
    for el in root.iter("{*}attachmentInfo"):
        if el.findtext("{*}fileName") == file_name:
            el.getparent().remove(el)
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    raise AssertionError(f"no attachment {file_name}")


def ezk2020_version2() -> bytes:
    """Version 2 of the real EZK2020 notice: one more month of service (13 instead of 12) at the same monthly
    price, so the maximum price grows by 8,572.64; one attachment withdrawn."""
    data = EZK2020.read_bytes()
    for old, new in [(b"<versionNumber>1</versionNumber>", b"<versionNumber>2</versionNumber>"),
                     (b"<maxPrice>102871.68</maxPrice>", b"<maxPrice>111444.32</maxPrice>"),
                     (b"<ns3:value>12.00000000000</ns3:value>", b"<ns3:value>13.00000000000</ns3:value>"),
                     (b"<ns3:sum>102871.68</ns3:sum>", b"<ns3:sum>111444.32</ns3:sum>")]:
        assert old in data
        data = data.replace(old, new)
    return _drop_attachment(data, "требования к содержанию составу заявки.docx")


def ezk_v2_of_v3() -> bytes:
    """What version 2 of the real version-3 notice could have said: the second item named differently and
    cheaper (30,000 instead of 33,000 a set), so version 3 renames it and raises its price."""
    data = EZK_V3.read_bytes()
    for old, new in [(b"<versionNumber>3</versionNumber>", b"<versionNumber>2</versionNumber>"),
                     ("набор имитаторов запахов наркотических веществ".encode(),
                      "набор имитаторов запахов наркотических средств".encode()),
                     (b"<ns3:price>33000</ns3:price>", b"<ns3:price>30000</ns3:price>"),
                     (b"<ns3:sum>99000</ns3:sum>", b"<ns3:sum>90000</ns3:sum>"),
                     (b"<maxPrice>121600</maxPrice>", b"<maxPrice>112600</maxPrice>")]:
        assert old in data
        data = data.replace(old, new)
    return data


def test_two_versions_of_one_notice():
    [a] = parse(str(EZK2020))
    [b] = parse(ezk2020_version2())
    d = diff(a, b)
    assert (d.a, d.b) == ("0362100022326000101@1", "0362100022326000101@2")
    out = d.to_dict()
    assert out["changes"] == [{"field": "amount", "old": "102871.68", "new": "111444.32", "delta": "8572.64",
                               "change_pct": "8.33"}]
    assert out["items"]["added"] == [] and out["items"]["removed"] == []
    [changed] = out["items"]["changed"]
    assert changed["match"] == "code+name" and changed["score"] == 100
    assert changed["a"]["index"] == 1 and changed["b"]["index"] == 1
    assert changed["changes"] == [
        {"field": "quantity", "old": "12", "new": "13", "delta": "1", "change_pct": "8.33"},
        {"field": "amount", "old": "102871.68", "new": "111444.32", "delta": "8572.64", "change_pct": "8.33"},
    ]
    assert out["attachments"]["added"] == []
    assert [x["name"] for x in out["attachments"]["removed"]] == ["требования к содержанию составу заявки.docx"]
    assert out["stations"] == {"added": [], "removed": []}


def test_renamed_item_is_matched_fuzzily_with_its_score():
    [v2] = parse(ezk_v2_of_v3())
    [v3] = parse(str(EZK_V3))
    d = diff(v2, v3)
    assert (d.a, d.b) == ("0320100007621000014@2", "0320100007621000014@3")
    [amount] = d.changes
    assert (amount.field, amount.old, amount.new, amount.delta, amount.change_pct) == (
        "amount", Decimal("112600"), Decimal("121600"), Decimal("9000"), Decimal("7.99"))
    assert not d.items_added and not d.items_removed
    [ic] = d.items_changed
    assert ic.match == "fuzzy" and 60 <= ic.score < 100
    assert [(c.field, c.old, c.new) for c in ic.changes] == [
        ("name", "набор имитаторов запахов наркотических средств", "набор имитаторов запахов наркотических веществ"),
        ("unit_price", Decimal("30000"), Decimal("33000")),
        ("amount", Decimal("90000"), Decimal("99000")),
    ]
    assert [u.a.item.name for u in d.items_unchanged] == ["набор имитаторов запахов"]
    assert not d.attachments_added and not d.attachments_removed


def test_two_different_real_notices():
    [a] = parse(str(EZK2020))
    [b] = parse(str(FCS))
    d = diff(a, b)
    fields = {c.field: c for c in d.changes}
    assert {"title", "customer", "customer_inn", "amount", "published", "method"} <= set(fields)
    assert (fields["customer_inn"].old, fields["customer_inn"].new) == ("6661002456", "0278060411")
    amt = fields["amount"]
    assert (amt.old, amt.new, amt.delta, amt.change_pct) == (
        Decimal("102871.68"), Decimal("44648.67"), Decimal("-58223.01"), Decimal("-56.60"))
    assert [r.item.name for r in d.items_removed] == [a.items[0].name]
    assert [r.index for r in d.items_added] == list(range(1, 9))
    assert sum(r.item.amount for r in d.items_added) == Decimal("44648.67")
    assert len(d.attachments_removed) == 4 and len(d.attachments_added) == len(b.attachments)


def test_a_document_against_itself_is_empty():
    [a] = parse(str(FCS))
    d = diff(a, a)
    assert not d.differs
    assert d.to_dict()["items"] == {"added": [], "removed": [], "changed": []}
    assert len(d.items_unchanged) == 8  # the two ВОДОРОДА ПЕРОКСИД positions pair in order


def test_cli_json_exactly_the_documented_keys(tmp_path):
    v2 = tmp_path / "v2.xml"
    v2.write_bytes(ezk2020_version2())
    r = run("diff", str(EZK2020), str(v2), "--format", "json")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert list(out) == ["a", "b", "changes", "items", "stations", "attachments"]
    assert list(out["items"]) == ["added", "removed", "changed"]
    assert list(out["stations"]) == ["added", "removed"] and list(out["attachments"]) == ["added", "removed"]
    assert out["changes"][0]["field"] == "amount" and out["changes"][0]["new"] == "111444.32"


@pytest.mark.parametrize("same, code", [(True, 0), (False, 1)])
def test_exit_code_like_git_diff(tmp_path, same, code):
    other = EZK2020 if same else tmp_path / "v2.xml"
    if not same:
        other.write_bytes(ezk2020_version2())
    r = run("diff", "--exit-code", str(EZK2020), str(other), "--format", "json")
    assert r.exit_code == code, r.stderr
    assert run("diff", str(EZK2020), str(other), "--format", "json").exit_code == 0  # without the flag


def test_cli_table(tmp_path):
    v2 = tmp_path / "v2.xml"
    v2.write_bytes(ezk_v2_of_v3())
    r = run("diff", str(v2), str(EZK_V3), "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert "0320100007621000014@2 → 0320100007621000014@3" in r.stdout
    assert "fuzzy" in r.stdout and "+9\u202f000 (+7.99%)" in r.stdout
    same = run("diff", str(EZK_V3), str(EZK_V3), "--format", "table")
    assert "no differences" in same.stdout


def test_a_source_with_several_documents_is_refused(tmp_path):
    r = run("diff", str(ZAKUPKI), str(EZK2020), "--format", "json")
    assert r.exit_code == 2
    assert "holds" in r.stderr and "Traceback" not in r.stderr


def test_stored_versions_by_id(tmp_path):
    from tenderscan.store import Store

    v2 = ezk2020_version2()
    with Store.open(tmp_path / "st") as st:
        for data in (EZK2020.read_bytes(), v2):
            for t in parse(data):
                st.add(t, data)
    r = run("diff", "--store", str(tmp_path / "st"), "0362100022326000101@1", "0362100022326000101",
            "--format", "json")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["a"], out["b"]) == ("0362100022326000101@1", "0362100022326000101@2")
    assert out["changes"][0]["delta"] == "8572.64"
    missing = run("diff", "--store", str(tmp_path / "st"), "0362100022326000101@7", "0362100022326000101")
    assert missing.exit_code == 4 and "stored versions: 1, 2" in missing.stderr


def test_cli_table_shows_times_as_show_does():
    r = run("diff", str(EZK2020), str(EZK_V3), "--format", "table")
    assert r.exit_code == 0, r.stderr
    assert "2021-04-22 09:00+10:00" in r.stdout  # a deadline on the minute: minutes
    assert "2021-04-13 09:49:58+10:00" in r.stdout  # seconds when there are any
    assert ".162000" not in r.stdout and "T09:" not in r.stdout
    js = json.loads(run("diff", str(EZK2020), str(EZK_V3), "--format", "json").stdout)
    published = next(c for c in js["changes"] if c["field"] == "published")
    assert published["new"] == "2021-04-13T09:49:58.162000+10:00"  # JSON keeps the exact value


def test_money_changes_are_exact_beyond_28_digits():
    """The default decimal context rounded a difference past 28 digits and made the percentage of a huge
    change an internal error (quantize could not hold it)."""
    from decimal import Decimal

    from tenderscan.services.diff import change

    c = change("amount", Decimal("123456789012345678901234567890.12"), Decimal("123456789012345678901234567890.13"))
    assert c.delta == Decimal("0.01")
    c = change("amount", Decimal("0.01"), Decimal("1E+30"))
    assert c.delta == Decimal("999999999999999999999999999999.99")
    assert c.change_pct == Decimal("1E+34")
