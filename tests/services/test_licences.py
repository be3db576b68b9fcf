"""Licence lifecycle use cases over a real SQLite database: cases, steps, transitions, rollback."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from ostandari_desk.domain import ids, jalali, text
from ostandari_desk.domain.lifecycle import Agency, StepKind
from ostandari_desk.errors import NotFoundError, TransitionError, ValidationError
from ostandari_desk.services import licences as lic
from ostandari_desk.services.audit import stamps
from ostandari_desk.store.models import Inquiry, Licence, LicenceCase, LicenceStep, Ngo

CLERK = "کارشناس آزمون"
LEGAL = "آیین‌نامه ۱۳۹۵، ماده ۹"
_prefixes = itertools.count(2_050_000_000)


def j(s: str) -> date:
    return jalali.parse_jalali(s)


def insert_ngo(uow, county_id: str | None, *, level: str = "county", name: str = "انجمن حامیان طبیعت") -> str:
    """An NGO inserted directly (the licence services only need the row)."""
    with uow:
        seq = (uow.s.exec(select(func.max(Ngo.seq))).one() or 0) + 1
        full = f"{name} {seq}"
        ngo = Ngo(
            **stamps(),
            seq=seq,
            national_id=ids.make_legal_national_id(str(next(_prefixes))),
            name=full,
            name_key=text.normalize(full),
            name_sort=text.persian_sort_key(full),
            level=level,
            county_id=county_id,
            search_text=text.normalize(full),
        )
        uow.s.add(ngo)
        uow.commit()
        return ngo.id


@pytest.fixture
def county_id(desk) -> str:
    return desk.counties["البرز"]


@pytest.fixture
def ngo_id(desk, county_id) -> str:
    return insert_ngo(desk.uow, county_id)


def approved_case(uow, ngo_id, case_type="establishment", start="1401/02/01", inquiries=True) -> str:
    """Run a case from request to approval; the inquiries are answered within a month (an establishment's
    always: it is approved only once the four are answered)."""
    case_id = lic.open_case(uow, ngo_id, case_type, j(start))
    jy = jalali.jalali_year_of(j(start))
    jm = jalali.to_jalali(j(start))[1]
    lic.check_documents(uow, case_id, jalali.add_days(j(start), 3))
    if inquiries or case_type == "establishment":
        inquiry_ids = lic.send_inquiries(uow, case_id, jalali.add_days(j(start), 5))
        for n, inquiry_id in enumerate(inquiry_ids):
            lic.answer_inquiry(uow, inquiry_id, jalali.add_days(j(start), 10 + n), "favourable")
    on = jalali.add_days(j(start), 30)
    lic.decide_case(uow, case_id, True, on, on, LEGAL)
    assert jy and jm
    return case_id


def answer_all(uow, case_id, on: date, answer: str = "favourable") -> None:
    """Send the inquiries not yet asked (an establishment's four) and answer every open one five days on."""
    case = lic.get_case(uow, case_id)
    if case.missing_agencies or not case.inquiries:
        lic.send_inquiries(uow, case_id, on)
    for inquiry in lic.get_case(uow, case_id).inquiries:
        if inquiry.answer is None:
            lic.answer_inquiry(uow, inquiry.id, jalali.add_days(on, 5), answer)


def ngo_row(uow, ngo_id) -> Ngo:
    with uow:
        ngo = uow.s.get(Ngo, ngo_id)
        uow.s.expunge_all()  # keep the loaded values once the block rolls back
        return ngo


def licences_of(uow, ngo_id) -> list[Licence]:
    with uow:
        rows = list(uow.s.exec(select(Licence).where(Licence.ngo_id == ngo_id).order_by(Licence.issued_on)))
        uow.s.expunge_all()
        return rows


# --- the whole path ------------------------------------------------------------------------------


def test_full_path_from_request_to_revocation(desk, ngo_id):
    uow = desk.uow
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/02/01"), note="درخواست حضوری")
    detail = lic.get_case(uow, case_id)
    assert detail.state == "received"
    assert detail.tracking_no == "1401-000001"
    assert lic.ngo_actions(uow, ngo_id).open_case.id == case_id

    lic.check_documents(uow, case_id, j("1401/02/05"))
    inquiry_ids = lic.send_inquiries(uow, case_id, j("1401/02/10"), letter_nos={Agency.POLICE: "۱۲۳/ن"})
    assert len(inquiry_ids) == 4
    detail = lic.get_case(uow, case_id, today=j("1401/02/20"))
    assert detail.state == "inquiring"
    assert {q.agency for q in detail.inquiries} == set(Agency)
    police = next(q for q in detail.inquiries if q.agency == "police")
    assert police.letter_no == "123/ن"
    assert police.due_on == jalali.add_days(j("1401/02/10"), 60)  # the default inquiry_due_days
    assert detail.actions == ("answer", "withdraw")

    # answers may come in any order, but never before the inquiry was sent
    with pytest.raises(ValidationError):
        lic.answer_inquiry(uow, inquiry_ids[0], j("1401/02/09"), "favourable")
    for n, inquiry_id in enumerate(reversed(inquiry_ids)):
        lic.answer_inquiry(
            uow,
            inquiry_id,
            j("1401/03/20") - (jalali.add_days(j("1401/01/01"), n) - j("1401/01/01")),
            "favourable",
        )
    with pytest.raises(TransitionError):
        lic.answer_inquiry(uow, inquiry_ids[0], j("1401/03/21"), "unfavourable")

    with pytest.raises(ValidationError):  # the legal basis is required
        lic.decide_case(uow, case_id, True, j("1401/04/01"), j("1401/04/01"), "  ")
    lic.decide_case(uow, case_id, True, j("1401/04/01"), j("1401/03/30"), LEGAL)
    assert ngo_row(uow, ngo_id).licence_state == "approved"
    assert lic.get_case(uow, case_id).state == "approved"
    assert lic.ngo_actions(uow, ngo_id).case_actions == ("complete", "withdraw")

    with pytest.raises(ValidationError):  # licence number required
        lic.issue_licence(uow, case_id, j("1401/06/09"), "")
    licence_id = lic.issue_licence(uow, case_id, j("1401/06/09"), "۴۵۶/ق")
    [licence] = licences_of(uow, ngo_id)
    assert licence.id == licence_id
    assert licence.number == "456/ق"
    assert jalali.format_jalali(licence.expires_on, persian_digits=False) == "1405/06/09"
    assert licence.validity_years == 4
    assert licence.county_id == desk.counties["البرز"]
    assert ngo_row(uow, ngo_id).licence_state == "valid"
    assert lic.get_case(uow, case_id).state == "closed"
    assert lic.get_case(uow, case_id).licence_id == licence_id

    renewal = approved_case(uow, ngo_id, "renewal", start="1405/04/01")
    new_id = lic.renew_licence(uow, renewal, j("1405/06/01"), "789/ق")
    old, new = licences_of(uow, ngo_id)
    assert old.state == "renewed" and new.id == new_id and new.state == "valid"
    assert new.renewed_from_id == old.id
    assert jalali.format_jalali(new.expires_on, persian_digits=False) == "1409/06/01"

    with pytest.raises(ValidationError):  # letter number required
        lic.suspend_licence(uow, ngo_id, j("1406/01/10"), "", "تخلف مالی", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    with pytest.raises(ValidationError):  # reason required
        lic.suspend_licence(uow, ngo_id, j("1406/01/10"), "۱۰/۲", "", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    lic.suspend_licence(uow, ngo_id, j("1406/01/10"), "۱۰/۲", "تخلف مالی", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert ngo_row(uow, ngo_id).licence_state == "suspended"
    assert licences_of(uow, ngo_id)[-1].state == "suspended"
    lic.lift_suspension(uow, ngo_id, j("1406/03/10"), "۱۱/۲")
    assert ngo_row(uow, ngo_id).licence_state == "valid"
    assert licences_of(uow, ngo_id)[-1].state == "valid"
    lic.revoke_licence(uow, ngo_id, j("1406/05/10"), "۱۲/۲", "انحلال داوطلبانه", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert ngo_row(uow, ngo_id).licence_state == "revoked"
    assert licences_of(uow, ngo_id)[-1].state == "revoked"

    kinds = [entry.kind for entry in lic.timeline(uow, ngo_id)]
    assert kinds[:3] == ["request", "documents", "inquiry_sent"]
    assert kinds.count("inquiry_answered") == 8
    assert kinds[-4:] == ["renewal", "suspension", "lifting", "revocation"]
    with desk.uow:
        steps = desk.uow.s.exec(select(LicenceStep)).all()
        assert all(step.clerk == CLERK for step in steps)
        assert all(step.county_id == desk.counties["البرز"] for step in steps)

    # a revoked NGO may only start again with an establishment case
    assert lic.ngo_actions(uow, ngo_id).case_types_allowed == ("establishment",)


def test_open_case_rules(desk, ngo_id):
    uow = desk.uow
    with pytest.raises(TransitionError):  # nothing to renew yet
        lic.open_case(uow, ngo_id, "renewal", j("1401/01/10"))
    first = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    with pytest.raises(TransitionError):  # one open case at a time
        lic.open_case(uow, ngo_id, "establishment", j("1401/01/11"))
    other = insert_ngo(uow, desk.counties["تاکستان"])
    with pytest.raises(ValidationError):  # a tracking number is unique
        lic.open_case(uow, other, "establishment", j("1401/01/11"), tracking_no="1401-000001")
    second = lic.open_case(uow, other, "establishment", j("1401/01/11"))
    assert lic.get_case(uow, second).tracking_no == "1401-000002"
    assert lic.get_case(uow, first).county_id == desk.counties["البرز"]
    with pytest.raises(NotFoundError):
        lic.open_case(uow, "nope", "establishment", j("1401/01/11"))
    with pytest.raises(ValidationError):
        lic.open_case(uow, other, "adoption", j("1401/01/11"))


def test_rejection_closes_the_case_and_allows_a_new_one(desk, ngo_id):
    uow = desk.uow
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    lic.decide_case(uow, case_id, False, j("1401/02/10"), None, LEGAL, note="مدارک ناقص")
    assert lic.get_case(uow, case_id).state == "rejected"
    assert ngo_row(uow, ngo_id).licence_state == "none"
    assert lic.ngo_actions(uow, ngo_id).open_case is None
    lic.open_case(uow, ngo_id, "establishment", j("1401/03/10"))


def test_upgrade_and_conformity(desk, ngo_id):
    uow = desk.uow
    case_id = approved_case(uow, ngo_id, start="1400/01/10", inquiries=False)
    lic.issue_licence(uow, case_id, j("1400/03/01"), "100")
    assert lic.ngo_actions(uow, ngo_id).case_types_allowed == ("renewal", "upgrade", "conformity")
    conformity = approved_case(uow, ngo_id, "conformity", start="1400/05/01", inquiries=False)
    assert lic.complete_case(uow, conformity, j("1400/07/01")) is None
    assert len(licences_of(uow, ngo_id)) == 1

    upgrade = approved_case(uow, ngo_id, "upgrade", start="1401/01/10")
    new_id = lic.complete_case(uow, upgrade, j("1401/03/01"), licence_number="200")
    old, new = licences_of(uow, ngo_id)
    assert new.id == new_id and new.level == "province" and old.state == "renewed"
    ngo = ngo_row(uow, ngo_id)
    assert ngo.level == "province" and ngo.licence_state == "valid"
    assert ngo.row_version == 2  # the level changed: stale edit forms must reload
    assert "upgrade" not in lic.ngo_actions(uow, ngo_id).case_types_allowed


def test_validity_follows_settings_and_arguments(desk, county_id):
    from ostandari_desk.settings import set_setting

    uow = desk.uow
    set_setting(uow, "licence_validity_years_province", 3)
    ngo_id = insert_ngo(uow, county_id, level="province")
    case_id = approved_case(uow, ngo_id, inquiries=False)
    lic.issue_licence(uow, case_id, j("1401/06/09"), "1")
    assert jalali.format_jalali(licences_of(uow, ngo_id)[0].expires_on, False) == "1404/06/09"

    other = insert_ngo(uow, county_id)
    case_id = approved_case(uow, other, inquiries=False)
    with pytest.raises(ValidationError):  # expiry must follow the issue
        lic.issue_licence(uow, case_id, j("1401/06/09"), "2", expires_on=j("1401/06/01"))
    lic.issue_licence(uow, case_id, j("1401/06/09"), "2", validity_years=2)
    assert jalali.format_jalali(licences_of(uow, other)[0].expires_on, False) == "1403/06/09"


# --- illegal transitions ---------------------------------------------------------------------------


def test_decide_before_all_answers_is_refused(desk, ngo_id):
    uow = desk.uow
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    lic.check_documents(uow, case_id, j("1401/01/11"))
    inquiry_ids = lic.send_inquiries(uow, case_id, j("1401/01/12"), due_days=30)
    for inquiry_id in inquiry_ids[:3]:
        lic.answer_inquiry(uow, inquiry_id, j("1401/01/20"), "favourable")
    with pytest.raises(TransitionError, match="چهار استعلام"):
        lic.decide_case(uow, case_id, True, j("1401/02/10"), None, LEGAL)
    lic.answer_inquiry(uow, inquiry_ids[3], j("1401/02/01"), "unfavourable")
    lic.decide_case(uow, case_id, False, j("1401/02/10"), None, LEGAL)


def test_issue_without_approval_is_refused(desk, ngo_id):
    uow = desk.uow
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    with pytest.raises(TransitionError):
        lic.issue_licence(uow, case_id, j("1401/02/10"), "1")
    with desk.uow, pytest.raises(TransitionError):  # nor directly through the low-level step
        lic.apply_licence_step(desk.uow, ngo_id, StepKind.ISSUE, j("1401/02/10"), licence_number="1")
    assert licences_of(uow, ngo_id) == []


def test_renew_revoked_and_lift_unsuspended_are_refused(desk, ngo_id):
    uow = desk.uow
    case_id = approved_case(uow, ngo_id, inquiries=False)
    lic.issue_licence(uow, case_id, j("1401/06/09"), "1")
    with pytest.raises(TransitionError):  # never suspended
        lic.lift_suspension(uow, ngo_id, j("1401/07/01"), "5")
    renewal = approved_case(uow, ngo_id, "renewal", start="1401/08/01", inquiries=False)
    lic.revoke_licence(uow, ngo_id, j("1401/09/15"), "9", "حکم دادگاه", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    with pytest.raises(TransitionError):  # the approved renewal cannot be completed any more
        lic.renew_licence(uow, renewal, j("1401/10/01"), "2")
    with desk.uow, pytest.raises(TransitionError):
        lic.apply_licence_step(desk.uow, ngo_id, "renewal", j("1401/10/01"), licence_number="2")
    with pytest.raises(TransitionError):
        lic.open_case(uow, ngo_id, "renewal", j("1401/10/01"))
    with pytest.raises(TransitionError):
        lic.suspend_licence(uow, ngo_id, j("1401/10/01"), "10", "تکرار تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")


def test_wrong_wrapper_and_wrong_order_are_refused(desk, ngo_id):
    uow = desk.uow
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    with pytest.raises(TransitionError):  # inquiries before the documents
        lic.send_inquiries(uow, case_id, j("1401/01/12"))
    lic.check_documents(uow, case_id, j("1401/01/12"))
    with pytest.raises(TransitionError):
        lic.check_documents(uow, case_id, j("1401/01/13"))
    answer_all(uow, case_id, j("1401/01/13"))
    lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL)
    with pytest.raises(TransitionError):  # an establishment is issued, not renewed
        lic.renew_licence(uow, case_id, j("1401/03/01"), "1")
    with pytest.raises(ValidationError, match="ترتیب"):  # history must be in date order
        lic.issue_licence(uow, case_id, j("1401/01/20"), "1")


# --- the importer's low-level step ------------------------------------------------------------------


def test_imported_history_may_start_with_issue(desk, county_id):
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    with uow:
        step = lic.apply_licence_step(
            uow,
            ngo_id,
            "صدور پروانه",
            j("1398/05/01"),
            licence_number="۷۷",
            expires_on=j("1402/05/01"),
            imported=True,
        )
        lic.apply_licence_step(
            uow,
            ngo_id,
            StepKind.RENEWAL,
            j("1402/05/01"),
            licence_number="78",
            expires_on=j("1406/05/01"),
            imported=True,
        )
        lic.apply_licence_step(
            uow, ngo_id, StepKind.SUSPENSION, j("1403/01/01"), letter_no="3", imported=True
        )
        assert lic.step_exists(uow, ngo_id, "issue", j("1398/05/01"))
        uow.commit()
    assert step.licence_id is not None
    old, new = licences_of(uow, ngo_id)
    assert (old.number, old.state, old.validity_years) == ("77", "renewed", 4)
    assert (new.number, new.state) == ("78", "suspended")
    assert ngo_row(uow, ngo_id).licence_state == "suspended"

    # without imported=True the same start is refused
    other = insert_ngo(uow, county_id)
    with uow, pytest.raises(TransitionError):
        lic.apply_licence_step(
            uow, other, "issue", j("1398/05/01"), licence_number="1", expires_on=j("1402/05/01")
        )
    # a renewal is not an acceptable first step even for an import
    with uow, pytest.raises(TransitionError):
        lic.apply_licence_step(
            uow,
            other,
            "renewal",
            j("1398/05/01"),
            licence_number="1",
            expires_on=j("1402/05/01"),
            imported=True,
        )
    with uow, pytest.raises(ValidationError):
        lic.apply_licence_step(uow, other, "پرواز", j("1398/05/01"))
    # the import sheet's action names
    names = ["موافقت با تاسيس", "صدور پروانه", "تمدید پروانه", "تعلیق", "رفع تعلیق", "لغو"]
    assert [lic.step_kind(n) for n in names] == [
        "approval",
        "issue",
        "renewal",
        "suspension",
        "lifting",
        "revocation",
    ]


def test_import_rolls_back_entirely_on_a_bad_row(desk, county_id):
    uow = desk.uow
    first, second = insert_ngo(uow, county_id), insert_ngo(uow, county_id)
    with pytest.raises(TransitionError), uow:
        lic.apply_licence_step(
            uow,
            first,
            "issue",
            j("1399/01/10"),
            licence_number="1",
            expires_on=j("1403/01/10"),
            imported=True,
        )
        lic.apply_licence_step(uow, second, "approval", j("1399/01/10"), imported=True)
        lic.apply_licence_step(uow, second, "lifting", j("1399/02/10"), imported=True)  # bad row
        uow.commit()
    with uow:
        assert uow.s.exec(select(func.count()).select_from(LicenceStep)).one() == 0
        assert uow.s.exec(select(func.count()).select_from(Licence)).one() == 0
        states = set(uow.s.exec(select(Ngo.licence_state)).all())
    assert states == {"none"}


def test_a_failure_midway_in_a_service_leaves_nothing(desk, ngo_id, monkeypatch):
    uow = desk.uow
    case_id = approved_case(uow, ngo_id, inquiries=False)
    from ostandari_desk.services.licences import cases

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cases, "_touch", broken)  # fails after the licence and step were added
    with pytest.raises(RuntimeError):
        lic.issue_licence(uow, case_id, j("1401/06/09"), "1")
    assert licences_of(uow, ngo_id) == []
    assert ngo_row(uow, ngo_id).licence_state == "approved"
    assert lic.get_case(uow, case_id).state == "approved"
    with uow:
        assert (
            uow.s.exec(select(func.count()).select_from(LicenceStep).where(LicenceStep.kind == "issue")).one()
            == 0
        )


def test_send_inquiries_to_some_agencies_with_the_due_setting(desk, ngo_id):
    from ostandari_desk.settings import set_setting

    uow = desk.uow
    set_setting(uow, "inquiry_due_days", 45)
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    lic.check_documents(uow, case_id, j("1401/01/11"))
    ids_ = lic.send_inquiries(uow, case_id, j("1401/01/12"), agencies=["judiciary", Agency.POLICE])
    with uow:
        rows = uow.s.exec(select(Inquiry).where(Inquiry.case_id == case_id)).all()
        assert {r.id for r in rows} == set(ids_)
        assert {r.due_on for r in rows} == {jalali.add_days(j("1401/01/12"), 45)}
        assert uow.s.get(LicenceCase, case_id).state == "inquiring"
    with pytest.raises(ValidationError):
        lic.answer_inquiry(uow, ids_[0], j("1401/01/20"), "maybe")
