"""Licensing rules that used to let wrong things through: the four inquiries before an establishment, the
manager's written override of an unfavourable answer, the legal basis of every sanction on the ladder, the
next letter number of a series, and what the forms start from (services.licences.guidance)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from ostandari_desk import settings
from ostandari_desk.domain import jalali
from ostandari_desk.domain.lifecycle import (
    SANCTION_LADDER,
    CaseState,
    LicenceState,
    StepKind,
    direct_step_label,
)
from ostandari_desk.errors import DuplicateError, PermissionDeniedError, TransitionError, ValidationError
from ostandari_desk.services import letters
from ostandari_desk.services import licences as lic
from ostandari_desk.services.letter_numbers import next_letter_number, propose_next
from ostandari_desk.store.models import AuditEntry, Letter, LicenceCase, LicenceStep

from .test_licences import LEGAL, answer_all, insert_ngo, j, ngo_row

BASIS = "آیین‌نامه ۱۳۹۵، ماده ۱۷"


@pytest.fixture
def county_id(desk) -> str:
    return desk.counties["البرز"]


def checked_case(uow, ngo_id, on: str = "1401/01/10") -> str:
    case_id = lic.open_case(uow, ngo_id, "establishment", j(on))
    lic.check_documents(uow, case_id, jalali.add_days(j(on), 2))
    return case_id


def steps_of(uow, ngo_id: str) -> list[LicenceStep]:
    with uow:
        rows = list(
            uow.s.exec(
                select(LicenceStep).where(LicenceStep.ngo_id == ngo_id).order_by(LicenceStep.created_at)
            )
        )
        uow.s.expunge_all()
        return rows


def letters_of(uow, ngo_id: str) -> list[Letter]:
    with uow:
        rows = list(uow.s.exec(select(Letter).where(Letter.ngo_id == ngo_id).order_by(Letter.created_at)))
        uow.s.expunge_all()
        return rows


def licensed(uow, county_id, number: str = "500") -> str:
    ngo_id = insert_ngo(uow, county_id)
    case_id = checked_case(uow, ngo_id)
    answer_all(uow, case_id, j("1401/01/15"))
    lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL)
    lic.issue_licence(uow, case_id, j("1401/02/10"), number)
    return ngo_id


# --- the four inquiries before an establishment -------------------------------------------------------


def test_an_establishment_is_not_approved_with_no_inquiry(desk, county_id):
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    case_id = checked_case(uow, ngo_id)
    with pytest.raises(TransitionError) as refused:
        lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL)
    assert "قوه قضاییه" in refused.value.message and "هر چهار استعلام" in refused.value.message
    assert lic.get_case(uow, case_id).state == CaseState.DOCUMENTS_CHECKED
    assert ngo_row(uow, ngo_id).licence_state == "none"
    assert lic.get_case(uow, case_id).approval_refusal  # the dialog offers «مخالفت» alone
    lic.decide_case(uow, case_id, False, j("1401/02/01"), None, LEGAL)  # a rejection needs no inquiry
    assert lic.get_case(uow, case_id).state == CaseState.REJECTED


def test_the_case_moves_on_once_every_inquiry_is_answered(desk, county_id):
    uow = desk.uow
    case_id = checked_case(uow, insert_ngo(uow, county_id))
    inquiry_ids = lic.send_inquiries(uow, case_id, j("1401/01/13"))
    for n, inquiry_id in enumerate(inquiry_ids):
        case = lic.get_case(uow, case_id)  # still waiting: n of the four answered
        assert case.state == "inquiring" and case.state_label == "در انتظار پاسخ استعلام‌ها"
        assert case.actions == ("answer", "withdraw")
        lic.answer_inquiry(uow, inquiry_id, jalali.add_days(j("1401/01/20"), n), "favourable")
    case = lic.get_case(uow, case_id)
    assert case.state == "inquiries_answered"
    assert case.state_label == "پاسخ استعلام‌ها رسید؛ در انتظار تصمیم شورا"
    assert case.actions == ("decide", "withdraw") and not case.approval_refusal
    [row] = [r for r in lic.open_cases(uow, j("1401/02/01")) if r.case_id == case_id]
    assert row.state_label == case.state_label  # the worklist says the same


def test_an_agency_left_out_is_asked_later_before_the_approval(desk, county_id):
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    case_id = checked_case(uow, ngo_id)
    [police] = lic.send_inquiries(uow, case_id, j("1401/01/13"), agencies=["police"])
    lic.answer_inquiry(uow, police, j("1401/01/20"), "favourable")
    case = lic.get_case(uow, case_id)
    assert case.missing_agencies == ("judiciary", "intelligence", "specialist")
    assert "inquiries" in case.actions and "دستگاه تخصصی" in case.approval_refusal
    with pytest.raises(TransitionError):
        lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL)
    with pytest.raises(ValidationError) as again:
        lic.send_inquiries(uow, case_id, j("1401/01/21"), agencies=["police"])
    assert again.value.field == "agencies" and "فرماندهی انتظامی" in again.value.message
    assert len(lic.send_inquiries(uow, case_id, j("1401/01/21"))) == 3  # the three not yet asked
    assert lic.get_case(uow, case_id).state == "inquiring"
    answer_all(uow, case_id, j("1401/01/22"))
    lic.decide_case(uow, case_id, True, j("1401/02/10"), None, LEGAL)
    assert ngo_row(uow, ngo_id).licence_state == "approved"


def test_an_unfavourable_answer_needs_a_managers_written_override(desk, county_id, uow_as):
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    case_id = checked_case(uow, ngo_id)
    inquiry_ids = lic.send_inquiries(uow, case_id, j("1401/01/13"))
    lic.answer_inquiry(uow, inquiry_ids[1], j("1401/01/20"), "unfavourable")
    answer_all(uow, case_id, j("1401/01/21"))
    case = lic.get_case(uow, case_id)
    assert case.needs_override and case.unfavourable_agencies == ("اداره اطلاعات",)

    with pytest.raises(ValidationError) as no_reason:
        lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL)
    assert no_reason.value.field == "override_reason" and "اداره اطلاعات" in no_reason.value.message
    with pytest.raises(PermissionDeniedError):  # a clerk may not decide, nor override
        lic.decide_case(uow_as("clerk"), case_id, True, j("1401/02/01"), None, LEGAL, override_reason="x")
    clerk = uow_as("clerk")
    with pytest.raises(PermissionDeniedError), clerk:  # nor record the override step itself
        lic.apply_licence_step(clerk, ngo_id, StepKind.INQUIRY_OVERRIDE, j("1401/02/01"), reason="x")
    assert [s.kind for s in steps_of(uow, ngo_id)][-1] == "inquiry_answered"  # nothing stored

    manager = uow_as("manager")
    reason = "پاسخ منفی به مدیرعامل پیشین مربوط است که برکنار شده"
    lic.decide_case(manager, case_id, True, j("1401/02/01"), None, LEGAL, override_reason=reason)
    override, approval = steps_of(uow, ngo_id)[-2:]
    assert (override.kind, override.reason, override.case_id) == ("inquiry_override", reason, case_id)
    assert "اداره اطلاعات" in override.note and override.clerk == manager.actor.full_name
    assert approval.kind == "approval"
    with uow:
        audited = uow.s.exec(
            select(AuditEntry.changes).where(
                AuditEntry.table_name == "licencestep", AuditEntry.record_id == override.id
            )
        ).all()
    assert [json.loads(changes)["reason"][1] for changes in audited] == [reason]  # in the audit trail
    assert lic.get_case(uow, case_id).overridden and not lic.get_case(uow, case_id).needs_override
    lic.issue_licence(uow, case_id, j("1401/02/10"), "OV-1")  # the override lets the licence be issued
    assert ngo_row(uow, ngo_id).licence_state == "valid"


def test_an_override_reason_without_an_unfavourable_answer_is_refused(desk, county_id):
    uow = desk.uow
    case_id = checked_case(uow, insert_ngo(uow, county_id))
    answer_all(uow, case_id, j("1401/01/13"))
    with pytest.raises(ValidationError) as refused:
        lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL, override_reason="بی‌مورد")
    assert refused.value.field == "override_reason"


def test_a_licence_is_not_issued_on_an_approval_made_without_the_inquiries(desk, county_id):
    """A case approved before the rule held (or by a sheet): its licence waits for the four answers."""
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    case_id = checked_case(uow, ngo_id)
    with uow.writing():
        lic.apply_licence_step(uow, ngo_id, "approval", j("1401/02/01"), case_id=case_id, imported=True)
        case = uow.s.get(LicenceCase, case_id)
        case.state = CaseState.APPROVED.value
        uow.s.add(case)
        uow.commit()
    with pytest.raises(TransitionError) as refused:
        lic.issue_licence(uow, case_id, j("1401/02/10"), "X-1")
    assert "پروانه صادر نمی‌شود" in refused.value.message
    assert lic.licence_history(uow, ngo_id) == []


# --- the sanctions ladder --------------------------------------------------------------------------


@pytest.mark.parametrize("sanction", [lic.suspend_licence, lic.revoke_licence])
def test_suspension_and_revocation_need_their_legal_basis(desk, county_id, sanction):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)
    before = len(steps_of(uow, ngo_id))
    with pytest.raises(ValidationError) as refused:
        sanction(uow, ngo_id, j("1402/01/10"), "70/1", "تخلف مالی")
    assert refused.value.field == "legal_basis" and "مبنای قانونی" in refused.value.message
    assert len(steps_of(uow, ngo_id)) == before and letters_of(uow, ngo_id) == []
    step_id = sanction(uow, ngo_id, j("1402/01/10"), "70/1", "تخلف مالی", BASIS)
    [step] = [s for s in steps_of(uow, ngo_id) if s.id == step_id]
    assert step.kind in ("suspension", "revocation") and step.legal_basis == BASIS


@pytest.mark.parametrize("kind", ["notice", "written_warning"])
def test_a_warning_is_a_step_of_the_ladder_and_a_punitive_letter(desk, county_id, kind, uow_as):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)
    with pytest.raises(PermissionDeniedError):
        lic.impose_sanction(uow_as("clerk"), ngo_id, kind, j("1402/01/10"), "71", "تأخیر در گزارش", BASIS)
    with pytest.raises(ValidationError) as no_basis:
        lic.impose_sanction(uow, ngo_id, kind, j("1402/01/10"), "71", "تأخیر در گزارش", "")
    assert no_basis.value.field == "legal_basis"
    step_id = lic.impose_sanction(uow, ngo_id, kind, j("1402/01/10"), "71", "تأخیر در گزارش", BASIS)
    step = steps_of(uow, ngo_id)[-1]
    assert (step.id, step.kind, step.legal_basis, step.letter_no) == (step_id, kind, BASIS, "71")
    assert ngo_row(uow, ngo_id).licence_state == "valid"  # a warning leaves the licence as it is
    [letter] = letters_of(uow, ngo_id)
    assert (letter.kind, letter.direction, letter.licence_step_id) == ("punitive", "outgoing", step_id)
    label = dict(SANCTION_LADDER)[StepKind(kind)]
    assert letter.subject.startswith(label)
    [record] = lic.sanctions_of(uow, ngo_id)
    assert (record.kind, record.label) == (kind, label)


def test_the_ladder_refuses_what_is_not_a_sanction_and_what_the_state_does_not_allow(desk, county_id):
    uow = desk.uow
    with pytest.raises(ValidationError) as not_a_rung:
        lic.impose_sanction(uow, licensed(uow, county_id), "lifting", j("1402/01/10"), "1", "x", BASIS)
    assert not_a_rung.value.field == "kind" and "تذکر" in not_a_rung.value.message
    unlicensed = insert_ngo(uow, county_id)
    with pytest.raises(TransitionError):  # a warning is for a licence
        lic.impose_sanction(uow, unlicensed, "notice", j("1402/01/10"), "2", "x", BASIS)


def test_the_ladder_climbs_to_a_dissolution_request(desk, county_id):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)
    on = j("1402/01/10")
    for n, (kind, _label) in enumerate(SANCTION_LADDER):
        lic.impose_sanction(uow, ngo_id, kind, jalali.add_days(on, n), f"80/{n}", "تکرار تخلف", BASIS)
    assert [r.label for r in lic.sanctions_of(uow, ngo_id)] == [label for _kind, label in SANCTION_LADDER]
    assert ngo_row(uow, ngo_id).licence_state == "revoked"  # the request leaves the revoked licence so
    assert {letter.kind for letter in letters_of(uow, ngo_id)} == {"punitive"}
    assert len(letters_of(uow, ngo_id)) == len(SANCTION_LADDER)


def test_revoking_an_approval_is_not_called_a_licence_revocation(desk, county_id):
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    case_id = checked_case(uow, ngo_id)
    answer_all(uow, case_id, j("1401/01/13"))
    lic.decide_case(uow, case_id, True, j("1401/02/01"), None, LEGAL)
    actions = lic.ngo_actions(uow, ngo_id)
    assert actions.direct_steps_allowed == ("revocation",)
    assert direct_step_label("revocation", actions.licence_state) == "لغو موافقت تأسیس"
    assert direct_step_label("revocation", LicenceState.VALID) == "لغو پروانه"
    lic.revoke_licence(uow, ngo_id, j("1401/03/01"), "90", "عدم تکمیل مدارک", BASIS)
    [letter] = letters_of(uow, ngo_id)
    assert letter.subject.startswith("لغو موافقت با تأسیس")
    assert lic.ngo_actions(uow, ngo_id).direct_steps_allowed == ()  # no dissolution of what never was
    with pytest.raises(TransitionError):
        lic.impose_sanction(uow, ngo_id, "dissolution_request", j("1401/03/05"), "91", "x", BASIS)


# --- the next letter number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([], "1"),
        (["12/ص", "13/ص"], "14/ص"),
        (["13/ص", "9/ص"], "14/ص"),  # the highest, not the newest
        (["1402/7"], "1402/8"),  # a year in the number stays
        (["7/1402"], "8/1402"),
        (["ص/0098", "ص/0099"], "ص/0100"),  # zeros kept
        (["5/الف/3", "5/الف/4"], "5/الف/5"),  # the part that runs
        (["الف"], "1"),
    ],
)
def test_the_proposal_follows_the_series_pattern(numbers, expected):
    assert propose_next(numbers, numbers[-1] if numbers else None, 1402) == expected


def test_the_next_number_is_per_county_series_direction_and_year(desk):
    uow = desk.uow
    abyek, takestan = desk.counties["آبیک"], desk.counties["تاکستان"]

    def letter(number: str, county: str | None, direction: str = "outgoing", on: str = "1402/03/01") -> None:
        data = letters.LetterInput(direction, number, j(on), "اداره", "موضوع", "other", county_id=county)
        letters.create_letter(uow, data)

    assert next_letter_number(uow, "outgoing", 1402, abyek) == "1"
    letter("۱۲/ص", abyek)
    letter("13/ص", abyek)
    letter("500", takestan)
    letter("40", None)
    letter("7", abyek, direction="incoming")
    letter("99/ص", abyek, on="1401/03/01")
    assert next_letter_number(uow, "outgoing", 1402, abyek) == "14/ص"
    assert next_letter_number(uow, "outgoing", 1402, takestan) == "501"
    assert next_letter_number(uow, "outgoing", 1402, None) == "41"
    assert next_letter_number(uow, "incoming", 1402, abyek) == "8"
    assert next_letter_number(uow, "outgoing", 1403, abyek) == "1"
    with pytest.raises(DuplicateError):  # the proposal is only a proposal: a duplicate is still refused
        letter("13/ص", abyek)
    letter(next_letter_number(uow, "outgoing", 1402, abyek), abyek)
    assert next_letter_number(uow, "outgoing", 1402, abyek) == "15/ص"


def test_a_sanction_letter_proposal_is_the_ngos_county_series(desk, county_id):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)
    on = j("1402/01/10")
    assert lic.next_step_letter_number(uow, ngo_id, on) == "1"
    lic.suspend_licence(uow, ngo_id, on, "60/ت", "تخلف", BASIS)
    assert lic.next_step_letter_number(uow, ngo_id, on) == "61/ت"


# --- what the forms start from and warn about ---------------------------------------------------------


def test_completion_form_renewal_keeps_the_number_upgrade_is_provincial(desk, county_id):
    uow = desk.uow
    ngo_id = licensed(uow, county_id, number="ق-۱۲")
    renewal = lic.open_case(uow, ngo_id, "renewal", j("1404/12/01"))
    form = lic.completion_form(uow, renewal)
    assert (form.issues_licence, form.level, form.licence_number) == (True, "county", "ق-12")  # as stored
    assert form.validity_years == 4
    lic.withdraw_case(uow, renewal, j("1404/12/02"), "انصراف")
    upgrade = lic.open_case(uow, ngo_id, "upgrade", j("1404/12/03"))
    settings.set_setting(uow, "licence_validity_years_province", 6)
    form = lic.completion_form(uow, upgrade)
    assert (form.level, form.level_label, form.licence_number, form.validity_years) == (
        "province",
        "استانی",
        "",
        6,
    )
    lic.withdraw_case(uow, upgrade, j("1404/12/04"), "انصراف")
    conformity = lic.open_case(uow, ngo_id, "conformity", j("1404/12/05"))
    assert not lic.completion_form(uow, conformity).issues_licence


def test_a_renewal_long_before_expiry_warns(desk, county_id):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)  # issued 1401/02/10, 4 years: expires 1405/02/10
    [warning] = lic.case_warnings(uow, ngo_id, "renewal", j("1401/02/10"))
    assert "امروز صادر شده" in warning and "۱۴۰۵/۰۲/۱۰" in warning and "۶۰ روز" in warning
    [early] = lic.case_warnings(uow, ngo_id, "renewal", j("1404/11/20"))  # 80 days before expiry
    assert "در ۱۴۰۱/۰۲/۱۰ صادر شده" in early and "۸۰ روز دیگر" in early
    assert lic.case_warnings(uow, ngo_id, "renewal", j("1404/12/20")) == []  # 50 days: inside the 60
    assert lic.case_warnings(uow, ngo_id, "renewal", j("1405/03/01")) == []  # expired: renew at once
    assert lic.case_warnings(uow, ngo_id, "conformity", j("1401/02/10")) == []
    settings.set_setting(uow, "expiring_window_days", 365)
    assert lic.case_warnings(uow, ngo_id, "renewal", j("1404/05/01")) == []  # the window is the setting's


@pytest.mark.parametrize(
    ("level", "county", "province", "expected"),
    [
        ("county", "آبیک", "قزوین", ("فرمانداری شهرستان آبیک", "فرماندار شهرستان آبیک")),
        ("province", "آبیک", "قزوین", ("استانداری قزوین", "استاندار قزوین")),
        ("national", "آبیک", "قزوین", ("وزارت کشور", "وزیر کشور")),
        ("county", None, "قزوین", ("استانداری قزوین", "استاندار قزوین")),  # an NGO of the province itself
    ],
)
def test_the_issuing_authority_signs_the_certificate(level, county, province, expected):
    assert lic.issuing_authority(level, county, province) == expected
