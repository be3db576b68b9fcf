"""Read queries over licences: desk lists (expiring, expired, overdue inquiries), counts, timeline, actions."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from ostandari_desk.domain import jalali
from ostandari_desk.services import licences as lic

from .test_licences import CLERK, LEGAL, answer_all, approved_case, insert_ngo, j


@pytest.fixture
def counties(desk) -> tuple[str, str]:
    return desk.counties["البرز"], desk.counties["تاکستان"]


def licensed_ngo(
    uow, county_id, issued: str, years: int = 4, name: str = "انجمن حامیان طبیعت", number: str = ""
) -> str:
    ngo_id = insert_ngo(uow, county_id, name=name)
    case_id = approved_case(
        uow, ngo_id, start=jalali.format_jalali(jalali.add_days(j(issued), -60), False), inquiries=False
    )
    lic.issue_licence(uow, case_id, j(issued), number or f"N-{issued}", validity_years=years)
    return ngo_id


def test_expiring_and_expired_lists(desk, counties):
    uow = desk.uow
    alborz, takestan = counties
    today = j("1405/03/01")
    soon = licensed_ngo(uow, alborz, "1401/03/20")  # expires 1405/03/20: 19 days left
    later = licensed_ngo(uow, takestan, "1401/07/01")  # expires 1405/07/01: outside 60 days
    gone = licensed_ngo(uow, alborz, "1401/01/15")  # expired 1405/01/15
    province = licensed_ngo(uow, None, "1401/04/10")  # province NGO, expires in 40 days
    suspended = licensed_ngo(uow, alborz, "1401/03/25")
    lic.suspend_licence(uow, suspended, j("1402/01/01"), "5", "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")

    rows = lic.expiring_licences(uow, today, 60)
    assert [r.ngo_id for r in rows] == [soon, province]
    first = rows[0]
    assert first.days_left == 19 and first.county_name == "البرز" and first.number == "N-1401/03/20"
    assert rows[1].county_name == "استان"
    assert [r.ngo_id for r in lic.expiring_licences(uow, today, 60, county_id=alborz)] == [soon]
    assert [r.ngo_id for r in lic.expiring_licences(uow, today)] == [soon, province]  # the setting: 60 days
    assert later not in [r.ngo_id for r in lic.expiring_licences(uow, today, 30)]
    assert [r.ngo_id for r in lic.expiring_licences(uow, today, 200)][-1] == later

    [expired] = lic.expired_licences(uow, today)
    assert expired.ngo_id == gone and expired.days_left < 0
    assert lic.expired_licences(uow, today, county_id=takestan) == []

    # renewing takes the NGO off both lists: the old licence is 'renewed'
    renewal = approved_case(uow, soon, "renewal", start="1405/01/01", inquiries=False)
    lic.renew_licence(uow, renewal, j("1405/02/20"), "R-1")
    assert soon not in [r.ngo_id for r in lic.expiring_licences(uow, today, 60)]

    counts = lic.desk_counts(uow, today, 60)
    assert (counts.expiring, counts.expired, counts.ngos_active) == (1, 1, 5)
    assert lic.desk_counts(uow, today, 60, county_id=alborz).expired == 1
    assert lic.desk_counts(uow, today, 60, county_id=takestan).expired == 0


def test_overdue_inquiries_are_flagged(desk, counties):
    uow = desk.uow
    alborz, takestan = counties
    ngo_id = insert_ngo(uow, alborz)
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1402/01/10"))
    lic.check_documents(uow, case_id, j("1402/01/11"))
    inquiry_ids = lic.send_inquiries(uow, case_id, j("1402/01/15"), due_days=60)
    lic.answer_inquiry(uow, inquiry_ids[0], j("1402/02/01"), "favourable")
    due = jalali.add_days(j("1402/01/15"), 60)

    assert lic.overdue_inquiries(uow, due) == []  # due today is not overdue yet
    later = jalali.add_days(due, 5)
    rows = lic.overdue_inquiries(uow, later)
    assert len(rows) == 3
    assert all(r.days_overdue == 5 and r.county_name == "البرز" and r.case_id == case_id for r in rows)
    assert {r.agency_label for r in rows} == {"اداره اطلاعات", "فرماندهی انتظامی", "دستگاه تخصصی"}
    assert lic.overdue_inquiries(uow, later, county_id=takestan) == []

    detail = lic.get_case(uow, case_id, today=later)
    flags = {q.agency: q.overdue for q in detail.inquiries}
    assert flags == {"judiciary": False, "intelligence": True, "police": True, "specialist": True}
    counts = lic.desk_counts(uow, later, 60)
    assert (counts.overdue_inquiries, counts.open_cases) == (3, 1)

    # a decided case no longer counts: answer the rest, reject, and nothing is overdue
    for inquiry_id in inquiry_ids[1:]:
        lic.answer_inquiry(uow, inquiry_id, later, "unfavourable")
    lic.decide_case(uow, case_id, False, later, later, LEGAL)
    assert lic.overdue_inquiries(uow, jalali.add_days(later, 100)) == []
    assert lic.desk_counts(uow, later).open_cases == 0


def test_ngo_actions_follow_the_lifecycle(desk, counties):
    uow = desk.uow
    ngo_id = insert_ngo(uow, counties[0])
    actions = lic.ngo_actions(uow, ngo_id)
    assert actions.licence_state == "none" and actions.licence_state_label == "بدون پروانه"
    assert actions.case_types_allowed == ("establishment",)
    assert actions.direct_steps_allowed == ()
    assert actions.open_case is None and actions.case_actions == ()

    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    actions = lic.ngo_actions(uow, ngo_id)
    assert actions.case_types_allowed == ()  # one case at a time
    assert actions.open_case.tracking_no == "1401-000001"
    assert actions.open_case.case_type_label == "تأسیس"
    assert actions.case_actions == ("documents", "decide", "withdraw")
    lic.check_documents(uow, case_id, j("1401/01/11"))
    answer_all(uow, case_id, j("1401/01/12"))
    assert lic.ngo_actions(uow, ngo_id).case_actions == ("decide", "withdraw")
    lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL)
    assert lic.ngo_actions(uow, ngo_id).direct_steps_allowed == ("revocation",)
    lic.issue_licence(uow, case_id, j("1401/03/01"), "12")
    actions = lic.ngo_actions(uow, ngo_id)
    ladder = ("notice", "written_warning", "suspension", "revocation", "dissolution_request")
    assert actions.direct_steps_allowed == ladder
    assert actions.case_types_allowed == ("renewal", "upgrade", "conformity")
    lic.suspend_licence(uow, ngo_id, j("1401/04/01"), "7", "گزارش مالی ارسال نشد", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert lic.ngo_actions(uow, ngo_id).direct_steps_allowed == (
        "notice",
        "written_warning",
        "lifting",
        "revocation",
        "dissolution_request",
    )
    assert lic.ngo_actions(uow, ngo_id).case_types_allowed == ()


def test_timeline_labels_and_details(desk, counties):
    uow = desk.uow
    ngo_id = insert_ngo(uow, counties[0])
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    lic.check_documents(uow, case_id, j("1401/01/12"))
    [inquiry] = lic.send_inquiries(uow, case_id, j("1401/01/15"), agencies=["police"])
    lic.answer_inquiry(uow, inquiry, j("1401/02/15"), "favourable")
    # the police's answer alone does not let an establishment through: the other three are asked too
    assert lic.get_case(uow, case_id).missing_agencies == ("judiciary", "intelligence", "specialist")
    answer_all(uow, case_id, j("1401/02/16"))
    lic.decide_case(uow, case_id, True, j("1401/03/01"), j("1401/02/28"), LEGAL)
    lic.issue_licence(uow, case_id, j("1401/06/09"), "۴۵۶")
    lic.suspend_licence(uow, ngo_id, j("1401/09/01"), "۹۹/الف", "عدم ارسال گزارش", "آیین‌نامه ۱۳۹۵، ماده ۱۷")

    entries = lic.timeline(uow, ngo_id)
    assert [e.label for e in entries] == [
        "دریافت درخواست",
        "بررسی مدارک",
        "ارسال استعلام",
        "پاسخ استعلام",
        "ارسال استعلام",
        "پاسخ استعلام",
        "پاسخ استعلام",
        "پاسخ استعلام",
        "موافقت شورا",
        "صدور پروانه",
        "تعلیق",
    ]
    assert [e.on_date for e in entries] == sorted(e.on_date for e in entries)
    assert "۱۴۰۱-۰۰۰۰۰۱" in entries[0].detail and "تأسیس" in entries[0].detail
    assert "فرماندهی انتظامی" in entries[2].detail
    assert "پاسخ مثبت" in entries[3].detail
    assert LEGAL in entries[8].detail
    assert "پروانه شماره ۴۵۶" in entries[9].detail and "۱۴۰۵/۰۶/۰۹" in entries[9].detail
    assert "۹۹/الف" in entries[10].detail and "عدم ارسال گزارش" in entries[10].detail
    assert all(e.clerk == CLERK for e in entries)

    [licence] = lic.licence_history(uow, ngo_id)
    assert lic.current_licence_info(uow, ngo_id) == licence
    assert licence.state == "suspended"
    [case] = lic.list_cases(uow, ngo_id)
    assert case.state == "closed" and case.state_label == "مختومه"


def _plans_of(engine, run) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT `run` sends."""
    seen: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as conn:
        for statement, params in seen:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).fetchall()
            plans.append(" | ".join(str(row[-1]) for row in rows))
    return plans


def _desk_runs(uow, today, county_id=None):
    return (
        lambda: lic.expiring_licences(uow, today, 60, county_id=county_id),
        lambda: lic.expiring_licences(uow, today, 60, county_id=county_id, limit=100, offset=100),
        lambda: lic.expired_licences(uow, today, county_id=county_id),
        lambda: lic.expired_licences(uow, today, county_id=county_id, limit=100),
        lambda: lic.overdue_inquiries(uow, today, county_id=county_id),
        lambda: lic.overdue_inquiries(uow, today, county_id=county_id, limit=100),
        lambda: lic.desk_counts(uow, today, 60, county_id=county_id),
    )


def _assert_no_table_scan(plan: str) -> None:
    for table in ("ngo", "licence", "licencecase", "inquiry"):
        assert f"SCAN {table} " not in plan and not plan.endswith(f"SCAN {table}"), plan


@pytest.mark.sqlite_only  # SQLite's query plans
@pytest.mark.parametrize("by_county", [False, True])
def test_desk_queries_use_the_indexes(desk, by_county):
    """At 100,000 NGOs the desk's counts and lists must not scan the NGO, licence, case or inquiry tables,
    and the lists must come out of an index in their order (only ties are sorted), so a page stops early."""
    uow, today = desk.uow, j("1405/01/01")
    county_id = desk.counties["البرز"] if by_county else None
    for run in _desk_runs(uow, today, county_id):
        for plan in _plans_of(desk.engine, run):
            _assert_no_table_scan(plan)
            assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan  # a whole sort: every row read first


@pytest.mark.sqlite_only  # SQLite's query plans
def test_desk_counts_read_the_desk_indexes(desk):
    """Revision 0003's indexes answer the tiles: the licence and case counts from the index alone, the
    overdue count from the unanswered inquiries' partial index (not from the open cases)."""
    uow, today = desk.uow, j("1405/01/01")
    for county_id in (None, desk.counties["البرز"]):
        plans = _plans_of(desk.engine, lambda c=county_id: lic.desk_counts(uow, today, 60, county_id=c))
        plans = [p for p in plans if "setting" not in p]  # the expiring window's setting, by its key
        expiring, expired, overdue, open_cases, _active = plans
        for plan in (expiring, expired):
            assert plan.startswith(
                "SEARCH licence USING COVERING INDEX ix_licence_state_expiry (state=? AND"
            ), plan
        assert overdue.startswith("SEARCH inquiry USING INDEX ix_inquiry_unanswered_due (due_on<?)"), overdue
        assert "SEARCH licencecase USING INDEX sqlite_autoindex_licencecase_1 (id=?)" in overdue, overdue
        assert open_cases.startswith("SEARCH licencecase USING COVERING INDEX ix_licencecase_state_county"), (
            open_cases
        )


def _base(name: str) -> str:
    """insert_ngo's name without the number it appends."""
    return name.rsplit(" ", 1)[0]


def test_desk_lists_page_in_their_order(desk, counties):
    uow = desk.uow
    alborz, _takestan = counties
    today = j("1405/03/01")
    # three NGOs expiring on each of two days, inserted out of Persian order (چ sorts before ح in
    # Persian, after it by code point)
    names = ["انجمن یاوران", "انجمن حامی", "انجمن چکاد"]
    for issued in ("1401/01/10", "1401/02/10"):  # expired on 1405/01/10 and 1405/02/10
        for n, name in enumerate(names):
            # licence numbers are unique across NGOs: same-day issues need their own
            licensed_ngo(uow, alborz if n % 2 else None, issued, name=name, number=f"N-{issued}-{n}")
    for issued in ("1401/03/10", "1401/03/20"):  # expiring on 1405/03/10 and 1405/03/20
        for n, name in enumerate(names):
            licensed_ngo(uow, alborz, issued, name=name, number=f"N-{issued}-{n}")
    for rows_of in (
        lambda **page: lic.expired_licences(uow, today, **page),
        lambda **page: lic.expiring_licences(uow, today, 90, **page),
    ):
        everything = rows_of()
        assert len(everything) == 6
        assert rows_of(limit=4) + rows_of(limit=4, offset=4) == everything
        assert rows_of(limit=2, offset=1) == everything[1:3]
        assert [_base(r.ngo_name) for r in everything[:3]] == ["انجمن چکاد", "انجمن حامی", "انجمن یاوران"]
    assert [r.expires_on for r in lic.expired_licences(uow, today)] == [j("1405/02/10")] * 3 + [
        j("1405/01/10")
    ] * 3
    assert [r.expires_on for r in lic.expiring_licences(uow, today, 90)] == [j("1405/03/10")] * 3 + [
        j("1405/03/20")
    ] * 3
    assert [_base(r.ngo_name) for r in lic.expired_licences(uow, today, county_id=alborz)] == [
        "انجمن حامی"
    ] * 2

    ngo_id = insert_ngo(uow, alborz)
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1405/01/10"))
    lic.check_documents(uow, case_id, j("1405/01/11"))
    lic.send_inquiries(uow, case_id, j("1405/01/15"), due_days=30)
    later = j("1405/04/01")
    overdue = lic.overdue_inquiries(uow, later)
    assert len(overdue) == 4
    assert (
        lic.overdue_inquiries(uow, later, limit=3) + lic.overdue_inquiries(uow, later, limit=3, offset=3)
        == overdue
    )
    assert lic.desk_counts(uow, later).overdue_inquiries == 4
