"""44-FZ protocols of three generations (fcs types/1, ep EPtypes/1 with common/1 participants, pprf615):
applications with participant, price, admission, rating, and the winner, checked against the documents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from tenderscan import parse
from tenderscan.models import Kind

from .conftest import ZAKUPKI

MSK = timezone(timedelta(hours=3))


def one(name: str):
    [t] = parse(str(ZAKUPKI / name), stations=False)
    assert t.kind == Kind.protocol and t.law == "44-FZ" and t.notice_id == t.id
    return t


def rows(t):
    return [
        (a.number, a.participant.inn if a.participant else None, a.price, a.admitted, a.rating, a.winner)
        for a in t.applications
    ]


def test_fcs_first_parts_review():
    t = one("44fz_fcs_export_fcsProtocolEF1_0111100000217000017_15516465.xml")
    assert (t.id, t.version, t.source_format) == ("0111100000217000017", None, "zakupki44/fcsProtocolEF1")
    assert t.published == datetime(2017, 10, 14, 1, 15, 56, 88000, tzinfo=MSK)
    assert rows(t) == [("1", None, None, True, None, False), ("2", None, None, True, None, False)]
    assert t.applications[0].date == datetime(2017, 10, 10, 11, 59, 50, tzinfo=MSK)
    assert (t.winner, t.amount) == (None, None)
    assert (t.customer.reg_num, t.responsible_role) == ("01111000002", "CU")
    assert t.extra["protocol_number"] == "0111100000217000017-1"
    assert [a.size for a in t.attachments] == [0, 0, 0]  # "0 байт" as published by the platform


def test_fcs_auction_last_offers():
    t = one("44fz_fcs_export_fcsProtocolEF2_0111100000217000017_15528232.xml")
    assert rows(t) == [
        ("1", None, Decimal("190105.00"), None, None, False),
        ("2", None, Decimal("189140.00"), None, None, False),
    ]
    assert t.extra["foundation_protocol"] == "0111100000217000017-1"


def test_fcs_summary_with_participants_and_winner():
    t = one("44fz_fcs_export_fcsProtocolEF3_0111100000217000017_15585361.xml")
    assert rows(t) == [("2", "1660086239", None, True, 1, True), ("1", "1660075808", None, True, 2, False)]
    assert t.winner.name == 'Общество с ограниченной ответственностью "Информфинанссервис"'
    assert (t.winner.kpp, t.winner.country) == ("166001001", "RU")
    assert t.applications[1].participant.name == "ООО «Вершина»"


def test_fcs_2020_summary_with_common_participants():
    t = one("44fz_fcs_export_fcsProtocolEF3_2020_0873500000820003425_30311379.xml")
    assert (t.id, t.responsible_role, t.customer) == ("0873500000820003425", "AI", None)
    assert rows(t) == [
        ("1", "9729232422", Decimal("1960000.00"), True, 2, False),
        ("2", "613303041597", Decimal("1982840.78"), True, 4, False),
        ("3", "7727440800", Decimal("2138357.69"), True, 5, False),
        ("10", "401600167029", Decimal("1969880.00"), True, 3, False),
        ("4", "9703009483", Decimal("1840283.61"), True, 1, True),
        ("6", "524706440705", Decimal("2540109.69"), True, 6, False),
    ]
    assert t.winner.name == 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ТАРГЕТ"'
    assert t.amount == Decimal("1840283.61") == min(a.price for a in t.applications)
    assert t.applications[1].participant.name == "ЖУКОВ АЛЕКСАНДР АЛЕКСАНДРОВИЧ"  # an individual entrepreneur


def test_fcs_refusal_to_sign():
    t = one("44fz_fcs_export_fcsProtocolEvasion_0111300005118000098_18238618.xml")
    [a] = t.applications
    assert (a.number, a.admitted, a.winner) == ("4", False, False)
    assert a.reason.startswith("Приостановление деятельности участника закупки")
    assert (t.customer.reg_num, t.responsible_role) == ("03113004396", "RA")


def test_ep_quotation_protocol_with_winning_offer():
    t = one("44fz_ep_export_epProtocolEZK2_2020_0373200554120000039_30312504.xml")
    assert (t.id, t.version, t.source_format) == ("0373200554120000039", "1", "zakupki44/epProtocolEZK2")
    assert t.published == datetime(2020, 10, 1, 9, 31, 24, tzinfo=MSK)
    assert rows(t) == [
        ("108314388", "771917383159", Decimal(99900), True, None, False),
        ("108314489", "7718927411", Decimal(99550), True, None, True),
    ]
    # a person written into lastName with "-" as first name
    assert t.applications[0].participant.name == "Сельченков Сергей Александрович"
    assert (t.winner.name, t.winner.ogrn) == (
        'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ЛЕГИОН-СТРОЙ"',
        "1137746274930",
    )
    assert (t.customer.inn, t.customer.kpp) == ("7719788792", "771801001")
    assert t.amount == Decimal(99550)


def test_ep_contest_first_parts():
    t = one("44fz_ep_export_epProtocolEOK1_2020_2073400000720000002_30308863.xml")
    assert (t.id, t.version, t.responsible_role) == ("2073400000720000002", "2", "AU")
    assert (t.responsible.inn, t.responsible.kpp) == ("7723356562", "770301001")
    assert [a.number for a in t.applications] == ["201", "199", "39", "233"]
    assert all(a.admitted and not a.winner and a.participant is None for a in t.applications)
    assert t.extra["place"] == "г. Владивосток, Океанский проспект, д. 17, этаж 14"


def test_pprf615_auction_with_a_single_offer():
    t = one("44fz_pprf615_export_pprf615ProtocolEF2_2020_027300000012001473_30313173.xml")
    assert (t.id, t.version, t.source_format) == ("027300000012001473", "1", "zakupki44/pprf615ProtocolEF2")
    assert rows(t) == [("1", "7723806652", Decimal("16519417.98"), None, 1, True)]
    assert t.winner.name == 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ВЕК"'
    assert t.extra["max_price"] == Decimal("16602430.13")
    assert t.extra["abandoned_reason"].startswith(
        "Во время проведения электронного аукциона подано единственное"
    )
    assert (t.responsible.name, t.responsible_role) == (
        "ФОНД КАПИТАЛЬНОГО РЕМОНТА МНОГОКВАРТИРНЫХ ДОМОВ ГОРОДА МОСКВЫ",
        "RO",
    )
