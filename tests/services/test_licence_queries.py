"""Read queries over licences: desk lists (expiring, expired, overdue inquiries), counts, timeline, actions."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from ostandari_desk.domain import jalali
from ostandari_desk.services import licences as lic

from .test_licences import CLERK, LEGAL, approved_case, insert_ngo, j


@pytest.fixture
def counties(desk) -> tuple[str, str]:
    return desk.counties["البرز"], desk.counties["تاکستان"]


def licensed_ngo(uow, county_id, issued: str, years: int = 4, name: str = "انجمن حامیان طبیعت") -> str:
    ngo_id = insert_ngo(uow, county_id, name=name)
    case_id = approved_case(
        uow, ngo_id, start=jalali.format_jalali(jalali.add_days(j(issued), -60), False), inquiries=False
    )
    lic.issue_licence(uow, case_id, j(issued), f"N-{issued}", CLERK, validity_years=years)
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
    lic.suspend_licence(uow, suspended, j("1402/01/01"), "5", "تخلف", CLERK)

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
    lic.renew_licence(uow, renewal, j("1405/02/20"), "R-1", CLERK)
    assert soon not in [r.ngo_id for r in lic.expiring_licences(uow, today, 60)]

    counts = lic.desk_counts(uow, today, 60)
    assert (counts.expiring, counts.expired, counts.ngos_active) == (1, 1, 5)
    assert lic.desk_counts(uow, today, 60, county_id=alborz).expired == 1
    assert lic.desk_counts(uow, today, 60, county_id=takestan).expired == 0


def test_overdue_inquiries_are_flagged(desk, counties):
    uow = desk.uow
    alborz, takestan = counties
    ngo_id = insert_ngo(uow, alborz)
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1402/01/10"), CLERK)
    lic.check_documents(uow, case_id, j("1402/01/11"), CLERK)
    inquiry_ids = lic.send_inquiries(uow, case_id, j("1402/01/15"), CLERK, due_days=60)
    lic.answer_inquiry(uow, inquiry_ids[0], j("1402/02/01"), "favourable", CLERK)
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
        lic.answer_inquiry(uow, inquiry_id, later, "unfavourable", CLERK)
    lic.decide_case(uow, case_id, False, later, later, LEGAL, CLERK)
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

    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"), CLERK)
    actions = lic.ngo_actions(uow, ngo_id)
    assert actions.case_types_allowed == ()  # one case at a time
    assert actions.open_case.tracking_no == "1401-000001"
    assert actions.open_case.case_type_label == "تأسیس"
    assert actions.case_actions == ("documents", "decide")
    lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL, CLERK)
    assert lic.ngo_actions(uow, ngo_id).direct_steps_allowed == ("revocation",)
    lic.issue_licence(uow, case_id, j("1401/03/01"), "12", CLERK)
    actions = lic.ngo_actions(uow, ngo_id)
    assert actions.direct_steps_allowed == ("suspension", "revocation")
    assert actions.case_types_allowed == ("renewal", "upgrade", "conformity")
    lic.suspend_licence(uow, ngo_id, j("1401/04/01"), "7", "گزارش مالی ارسال نشد", CLERK)
    assert lic.ngo_actions(uow, ngo_id).direct_steps_allowed == ("lifting", "revocation")
    assert lic.ngo_actions(uow, ngo_id).case_types_allowed == ()


def test_timeline_labels_and_details(desk, counties):
    uow = desk.uow
    ngo_id = insert_ngo(uow, counties[0])
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"), CLERK)
    lic.check_documents(uow, case_id, j("1401/01/12"), CLERK)
    [inquiry] = lic.send_inquiries(uow, case_id, j("1401/01/15"), CLERK, agencies=["police"])
    lic.answer_inquiry(uow, inquiry, j("1401/02/15"), "favourable", CLERK)
    lic.decide_case(uow, case_id, True, j("1401/03/01"), j("1401/02/28"), LEGAL, CLERK)
    lic.issue_licence(uow, case_id, j("1401/06/09"), "۴۵۶", CLERK)
    lic.suspend_licence(uow, ngo_id, j("1401/09/01"), "۹۹/الف", "عدم ارسال گزارش", CLERK)

    entries = lic.timeline(uow, ngo_id)
    assert [e.label for e in entries] == [
        "دریافت درخواست",
        "بررسی مدارک",
        "ارسال استعلام",
        "پاسخ استعلام",
        "موافقت شورا",
        "صدور پروانه",
        "تعلیق",
    ]
    assert [e.on_date for e in entries] == sorted(e.on_date for e in entries)
    assert "۱۴۰۱-۰۰۰۰۰۱" in entries[0].detail and "تأسیس" in entries[0].detail
    assert "فرماندهی انتظامی" in entries[2].detail
    assert "پاسخ مثبت" in entries[3].detail
    assert LEGAL in entries[4].detail
    assert "پروانه شماره ۴۵۶" in entries[5].detail and "۱۴۰۵/۰۶/۰۹" in entries[5].detail
    assert "۹۹/الف" in entries[6].detail and "عدم ارسال گزارش" in entries[6].detail
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


def test_desk_queries_use_the_indexes(desk):
    """At 100,000 NGOs the desk lists must not scan the NGO, licence or inquiry tables.

    (Licence cases are scanned for the open ones until licencecase.state gets an index.)
    """
    uow, today = desk.uow, j("1405/01/01")
    for run in (
        lambda: lic.expiring_licences(uow, today, 60),
        lambda: lic.expired_licences(uow, today),
        lambda: lic.overdue_inquiries(uow, today),
        lambda: lic.desk_counts(uow, today, 60),
    ):
        for plan in _plans_of(desk.engine, run):
            assert "SCAN ngo" not in plan, plan
            assert "SCAN licence " not in plan and not plan.endswith("SCAN licence"), plan
            assert "SCAN inquiry" not in plan, plan
