"""Desk worklists: the open cases (not rejected, not closed), oldest first, by county, with a limit."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from ostandari_desk.services import licences as lic
from ostandari_desk.services.licences.worklists import OPEN_CASE_STATES, OpenCaseRow, open_cases

from .test_licences import LEGAL, approved_case, insert_ngo, j


def test_open_states_are_listed_not_negated():
    assert OPEN_CASE_STATES == (
        "received",
        "documents_checked",
        "inquiring",
        "inquiries_answered",
        "approved",
    )


def test_open_cases_leave_out_closed_and_rejected(desk):
    uow = desk.uow
    alborz, takestan = desk.counties["البرز"], desk.counties["تاکستان"]
    received = insert_ngo(uow, alborz, name="انجمن دریافت")
    inquiring = insert_ngo(uow, takestan, name="انجمن استعلام")
    approved = insert_ngo(uow, None, name="انجمن استانی")
    rejected = insert_ngo(uow, alborz, name="انجمن ردشده")
    closed = insert_ngo(uow, alborz, name="انجمن مختومه")

    lic.open_case(uow, received, "establishment", j("1404/05/01"))
    inquiring_case = lic.open_case(uow, inquiring, "establishment", j("1404/02/10"))
    lic.check_documents(uow, inquiring_case, j("1404/02/12"))
    lic.send_inquiries(uow, inquiring_case, j("1404/02/15"))
    approved_case(uow, approved, start="1404/03/01", inquiries=False)
    rejected_case = lic.open_case(uow, rejected, "establishment", j("1404/01/05"))
    lic.decide_case(uow, rejected_case, False, j("1404/02/01"), j("1404/02/01"), LEGAL)
    closed_case = approved_case(uow, closed, start="1404/01/01", inquiries=False)
    lic.issue_licence(uow, closed_case, j("1404/02/15"), "C-1")

    today = j("1404/06/01")
    rows = open_cases(uow, today)
    assert [r.ngo_id for r in rows] == [inquiring, approved, received]  # oldest request first
    assert all(isinstance(r, OpenCaseRow) for r in rows)
    first = rows[0]
    assert first.county_name == "تاکستان" and first.case_type == "establishment"
    assert first.case_type_label == "تأسیس"
    assert (first.state, first.state_label) == ("inquiring", "در انتظار پاسخ استعلام‌ها")
    assert first.received_on == j("1404/02/10") and first.days_open == (today - j("1404/02/10")).days
    assert first.tracking_no.startswith("1404-") and first.ngo_name.startswith("انجمن استعلام")
    assert rows[1].county_name == "استان" and rows[1].state_label == "موافقت شد"
    assert rows[2].state_label == "درخواست دریافت شد"

    # the desk's tile counts the same cases
    assert lic.desk_counts(uow, today).open_cases == len(rows)


def test_open_cases_by_county_and_limit(desk):
    uow = desk.uow
    alborz, takestan = desk.counties["البرز"], desk.counties["تاکستان"]
    a1 = insert_ngo(uow, alborz)
    a2 = insert_ngo(uow, alborz)
    t1 = insert_ngo(uow, takestan)
    lic.open_case(uow, a1, "establishment", j("1404/03/01"))
    lic.open_case(uow, a2, "establishment", j("1404/01/01"))
    lic.open_case(uow, t1, "establishment", j("1404/02/01"))
    today = j("1404/04/01")

    assert [r.ngo_id for r in open_cases(uow, today, county_id=alborz)] == [a2, a1]
    assert [r.ngo_id for r in open_cases(uow, today, county_id=takestan)] == [t1]
    assert open_cases(uow, today, county_id=desk.counties["آبیک"]) == []
    assert [r.ngo_id for r in open_cases(uow, today, limit=2)] == [a2, t1]
    assert [r.ngo_id for r in open_cases(uow, today, limit=2, offset=2)] == [a1]
    assert lic.open_cases is open_cases  # re-exported by the package


def test_open_cases_filter_by_state_in(desk):
    """The statement says ``state IN (...)`` (the index can serve it), never NOT IN."""
    uow = desk.uow
    lic.open_case(uow, insert_ngo(uow, desk.counties["البرز"]), "establishment", j("1404/01/01"))
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):
        if "licencecase" in statement.lower():
            statements.append(statement.lower())

    event.listen(desk.engine, "before_cursor_execute", remember)
    try:
        assert len(open_cases(uow, j("1404/02/01"))) == 1
    finally:
        event.remove(desk.engine, "before_cursor_execute", remember)
    [stmt] = statements
    assert "licencecase.state in" in stmt and "not in" not in stmt


@pytest.mark.sqlite_only  # SQLite's query plans
def test_open_cases_plan_reads_the_state_index(desk):
    """With ix_licencecase_state_county (revision 0003) SQLite starts from the open cases, never from
    the received_on index (every case ever opened) to save the sort."""
    uow = desk.uow
    lic.open_case(uow, insert_ngo(uow, desk.counties["البرز"]), "establishment", j("1404/01/01"))
    with desk.engine.connect() as conn:
        names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'")}
    if "ix_licencecase_state_county" not in names:
        pytest.skip("revision 0003 (the state index) is not in this schema")
    captured: list[tuple] = []

    def remember(conn, cursor, statement, parameters, *args):
        if "licencecase" in statement.lower():
            captured.append((statement, parameters))

    event.listen(desk.engine, "before_cursor_execute", remember)
    try:
        open_cases(uow, j("1404/02/01"), limit=50)
    finally:
        event.remove(desk.engine, "before_cursor_execute", remember)
    [(statement, parameters)] = captured
    with desk.engine.connect() as conn:
        plan = " | ".join(
            row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        )
    assert "ix_licencecase_state_county" in plan, plan
    assert "received_on" not in plan and "SCAN licencecase" not in plan, plan
