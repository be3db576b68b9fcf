"""Who may do what on the licence desk: council decisions need DECIDE, sanctions SANCTION, a county user
sees and counts only their county's cases, and a decision leaves field-by-field audit lines."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.errors import NotFoundError, PermissionDeniedError, ValidationError
from ostandari_desk.services import licences as lic
from ostandari_desk.services.audit import history_of
from ostandari_desk.store.models import AuditEntry, Letter, LicenceStep
from ostandari_desk.store.uow import UnitOfWork

from .test_licences import LEGAL, answer_all, approved_case, insert_ngo, j, licences_of, ngo_row

MANAGER_NAME = "مدیر آزمون"
HIDDEN = (NotFoundError, PermissionDeniedError)  # another county's record is neither shown nor confirmed


@pytest.fixture
def alborz(desk) -> str:
    return desk.counties["البرز"]


@pytest.fixture
def takestan(desk) -> str:
    return desk.counties["تاکستان"]


@pytest.fixture
def manager(desk) -> UnitOfWork:
    return UnitOfWork(desk.engine, Actor(username="manager", full_name=MANAGER_NAME, role=Role.MANAGER))


def received_case(desk, county_id: str) -> tuple[str, str]:
    ngo_id = insert_ngo(desk.uow, county_id)
    case_id = lic.open_case(desk.uow, ngo_id, "establishment", j("1401/01/10"))
    lic.check_documents(desk.uow, case_id, j("1401/01/12"))
    return ngo_id, case_id


def licensed(desk, county_id: str, number: str = "100") -> str:
    ngo_id = insert_ngo(desk.uow, county_id)
    case_id = approved_case(desk.uow, ngo_id, inquiries=False)
    lic.issue_licence(desk.uow, case_id, j("1401/03/01"), number)
    return ngo_id


def audit_count(desk) -> int:
    with desk.uow as uow:
        return uow.s.exec(select(func.count()).select_from(AuditEntry)).one()


def step_kinds(desk, ngo_id: str) -> list[str]:
    with desk.uow as uow:
        return list(uow.s.exec(select(LicenceStep.kind).where(LicenceStep.ngo_id == ngo_id)))


# --- council decisions and sanctions ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "county"])
def test_a_clerk_or_county_user_cannot_record_a_decision(desk, uow_as, alborz, role):
    ngo_id, case_id = received_case(desk, alborz)
    uow = uow_as(role, alborz if role == "county" else None)
    entries = audit_count(desk)
    for approve in (True, False):
        with pytest.raises(PermissionDeniedError) as refused:
            lic.decide_case(uow, case_id, approve, j("1401/02/01"), None, LEGAL)
        assert "ثبت تصمیم شورا" in refused.value.message  # Persian, naming what is not allowed
    assert lic.get_case(desk.uow, case_id).state == "documents_checked"
    assert ngo_row(desk.uow, ngo_id).licence_state == "none"
    assert step_kinds(desk, ngo_id) == ["request", "documents"]
    assert audit_count(desk) == entries  # nothing stored, nothing logged
    # what a clerk may do on the same case still works
    lic.withdraw_case(uow, case_id, j("1401/02/01"), "انصراف متقاضی")
    assert lic.get_case(desk.uow, case_id).state == "closed"


@pytest.mark.parametrize("role", ["clerk", "county"])
def test_a_clerk_or_county_user_cannot_sanction(desk, uow_as, alborz, role):
    ngo_id = licensed(desk, alborz)
    uow = uow_as(role, alborz if role == "county" else None)
    entries = audit_count(desk)
    refused = (
        lambda: lic.suspend_licence(
            uow, ngo_id, j("1401/05/01"), "8/1", "تخلف مالی", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
        ),
        lambda: lic.revoke_licence(
            uow, ngo_id, j("1401/05/01"), "8/2", "حکم دادگاه", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
        ),
    )
    for attempt in refused:
        with pytest.raises(PermissionDeniedError) as err:
            attempt()
        assert "تعلیق، لغو و رفع تعلیق پروانه" in err.value.message
    assert audit_count(desk) == entries and ngo_row(desk.uow, ngo_id).licence_state == "valid"
    lic.suspend_licence(
        desk.uow, ngo_id, j("1401/05/01"), "8/1", "تخلف مالی", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
    )  # an admin may
    entries = audit_count(desk)
    with pytest.raises(PermissionDeniedError):
        lic.lift_suspension(uow, ngo_id, j("1401/06/01"), "8/3")
    assert ngo_row(desk.uow, ngo_id).licence_state == "suspended"
    assert licences_of(desk.uow, ngo_id)[-1].state == "suspended"
    with desk.uow as u:
        assert u.s.exec(select(Letter.number)).all() == ["8/1"]  # no letter filed for the refused steps
    assert audit_count(desk) == entries


def test_the_importers_step_needs_the_same_permissions(desk, uow_as, alborz):
    ngo_id = insert_ngo(desk.uow, alborz)
    clerk = uow_as("clerk")
    with clerk, pytest.raises(PermissionDeniedError):
        lic.apply_licence_step(clerk, ngo_id, "approval", j("1399/01/10"), imported=True)
    with clerk:  # an issue (no council decision, no sanction) is a clerk's to import
        lic.apply_licence_step(
            clerk,
            ngo_id,
            "issue",
            j("1399/01/10"),
            licence_number="5",
            expires_on=j("1403/01/10"),
            imported=True,
        )
        with pytest.raises(PermissionDeniedError):
            lic.apply_licence_step(clerk, ngo_id, "تعلیق", j("1400/01/10"), letter_no="3", imported=True)
        clerk.commit()
    assert step_kinds(desk, ngo_id) == ["issue"]


def test_a_manager_decides_and_sanctions_under_their_own_name(desk, manager, uow_as, alborz):
    ngo_id, case_id = received_case(desk, alborz)
    answer_all(desk.uow, case_id, j("1401/01/13"))
    lic.decide_case(manager, case_id, True, j("1401/02/01"), j("1401/01/30"), LEGAL)
    clerk = uow_as("clerk")
    lic.issue_licence(clerk, case_id, j("1401/03/01"), "77")  # completing the case is a clerk's work
    lic.suspend_licence(manager, ngo_id, j("1401/05/01"), "9/1", "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    lic.lift_suspension(manager, ngo_id, j("1401/06/01"), "9/2")
    lic.revoke_licence(manager, ngo_id, j("1401/07/01"), "9/3", "انحلال", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert ngo_row(desk.uow, ngo_id).licence_state == "revoked"
    by_kind = {entry.kind: entry.clerk for entry in lic.timeline(desk.uow, ngo_id)}
    assert by_kind["approval"] == by_kind["suspension"] == by_kind["revocation"] == MANAGER_NAME
    assert by_kind["issue"] == clerk.actor.full_name


def test_a_decision_writes_its_before_and_after_in_the_audit(desk, manager, alborz):
    _ngo_id, case_id = received_case(desk, alborz)
    lic.decide_case(manager, case_id, False, j("1401/02/01"), None, LEGAL)
    lines = [line for line in history_of(desk.uow, case_id) if line.table_name == "licencecase"]
    decided = {line.field: (line.before, line.after) for line in lines if line.username == "manager"}
    assert decided["state"] == ("documents_checked", "rejected")
    assert decided["decision"] == ("", "rejected")
    assert decided["legal_basis"] == ("", LEGAL)
    assert all(
        line.action == "update" and line.role == "manager" for line in lines if line.username == "manager"
    )
    # the case's earlier states are in its history too, by the admin who moved it
    assert ("state", "received", "documents_checked") in {(x.field, x.before, x.after) for x in lines}


# --- county scope -----------------------------------------------------------------------------------


def test_a_county_user_cannot_open_another_countys_case(desk, uow_as, alborz, takestan):
    ngo_id, case_id = received_case(desk, alborz)
    county = uow_as("county", takestan)
    with pytest.raises(HIDDEN):
        lic.get_case(county, case_id)
    with pytest.raises(HIDDEN):
        lic.timeline(county, ngo_id)
    with pytest.raises(HIDDEN):
        lic.ngo_actions(county, ngo_id)
    with pytest.raises(HIDDEN):
        lic.withdraw_case(county, case_id, j("1401/02/01"), "بی‌مورد")
    with pytest.raises(HIDDEN):
        lic.open_case(county, insert_ngo(desk.uow, alborz), "establishment", j("1401/02/01"))
    assert lic.list_cases(county, ngo_id) == [] and lic.current_licence_info(county, ngo_id) is None
    assert lic.get_case(desk.uow, case_id).state == "documents_checked"
    own = uow_as("county", alborz)  # the case's own county sees it
    assert lic.get_case(own, case_id).ngo_id == ngo_id
    assert [e.kind for e in lic.timeline(own, ngo_id)] == ["request", "documents"]


def test_a_county_users_worklists_and_counts_are_their_countys(desk, uow_as, alborz, takestan):
    today = j("1405/04/01")
    for county_id in (alborz, takestan, None):
        insert_ngo(desk.uow, county_id)  # an active NGO without a case in each
        received_case(desk, county_id)  # an open case with inquiries long overdue
    for county_id, number in ((alborz, "A-1"), (takestan, "T-1")):
        licensed(desk, county_id, number)  # valid until 1405/03/01: expired by ``today``
    for n, case in enumerate(lic.open_cases(desk.uow, today)):
        inquiry_ids = lic.send_inquiries(desk.uow, case.case_id, j("1401/01/20"), due_days=30)
        assert inquiry_ids and n < 3

    everything = lic.desk_counts(desk.uow, today)
    assert (everything.open_cases, everything.overdue_inquiries, everything.expired) == (3, 12, 2)
    county = uow_as("county", takestan)
    counts = lic.desk_counts(county, today)
    assert (counts.open_cases, counts.overdue_inquiries, counts.expired, counts.ngos_active) == (1, 4, 1, 3)
    assert lic.desk_counts(county, today, county_id=alborz).open_cases == 0  # asking for another county
    assert {row.county_name for row in lic.open_cases(county, today)} == {"تاکستان"}
    assert lic.open_cases(county, today, county_id=alborz) == []
    assert {row.county_name for row in lic.overdue_inquiries(county, today)} == {"تاکستان"}
    assert [row.number for row in lic.expired_licences(county, today)] == ["T-1"]
    assert [row.number for row in lic.expiring_licences(county, j("1405/02/15"), 30)] == ["T-1"]
    assert len(lic.expiring_licences(desk.uow, j("1405/02/15"), 30)) == 2


def test_numbers_stay_unique_across_counties_for_a_county_user(desk, uow_as, alborz, takestan):
    licensed(desk, alborz, "ق-۷۷")
    taken_tracking = lic.get_case(desk.uow, received_case(desk, alborz)[1]).tracking_no
    county = uow_as("county", takestan)
    ngo_id = insert_ngo(desk.uow, takestan)
    case_id = lic.open_case(county, ngo_id, "establishment", j("1401/01/10"))
    tracking = lic.get_case(county, case_id).tracking_no
    assert tracking > taken_tracking  # the province's running number, not the county's own
    with pytest.raises(ValidationError) as taken:
        lic.open_case(
            county, insert_ngo(desk.uow, takestan), "establishment", j("1401/01/10"), taken_tracking
        )
    assert taken.value.field == "tracking_no"

    lic.check_documents(county, case_id, j("1401/01/12"))
    answer_all(county, case_id, j("1401/01/13"))
    lic.decide_case(desk.uow, case_id, True, j("1401/02/01"), None, LEGAL)
    with pytest.raises(ValidationError) as clash:
        lic.issue_licence(county, case_id, j("1401/03/01"), "ق-77")
    assert "سمنی از شهرستان دیگر" in clash.value.message  # the other county's NGO is not named
    assert "انجمن" not in clash.value.message
    lic.issue_licence(county, case_id, j("1401/03/01"), "ق-78")
    assert [x.number for x in licences_of(desk.uow, ngo_id)] == ["ق-78"]
