"""Closing an open case without completing it (مختومه کردن پرونده), by hand or by a revocation."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ostandari_desk.domain.lifecycle import STEP_LABELS, StepKind
from ostandari_desk.errors import TransitionError, ValidationError
from ostandari_desk.services import licences as lic
from ostandari_desk.services.audit import history_of
from ostandari_desk.store.models import LicenceStep

from .test_licences import CLERK, approved_case, insert_ngo, j, ngo_row


@pytest.fixture
def county_id(desk) -> str:
    return desk.counties["البرز"]


def licensed(uow, county_id) -> str:
    ngo_id = insert_ngo(uow, county_id)
    case_id = approved_case(uow, ngo_id, inquiries=False)
    lic.issue_licence(uow, case_id, j("1401/06/09"), f"W-{ngo_id[:8]}")
    return ngo_id


def withdrawal_steps(uow, case_id) -> list[LicenceStep]:
    with uow:
        rows = list(
            uow.s.exec(
                select(LicenceStep).where(
                    LicenceStep.case_id == case_id, LicenceStep.kind == StepKind.WITHDRAWAL.value
                )
            )
        )
        uow.s.expunge_all()
        return rows


def test_label_and_actions():
    from ostandari_desk.domain.lifecycle import allowed_case_actions

    assert STEP_LABELS[StepKind.WITHDRAWAL] == "مختومه شدن پرونده"
    for state in ("received", "documents_checked", "approved"):
        assert "withdraw" in allowed_case_actions(state, False)
    assert allowed_case_actions("inquiring", False) == ["answer", "withdraw"]
    assert allowed_case_actions("closed", True) == [] and allowed_case_actions("rejected", True) == []


def test_withdraw_a_received_case_frees_the_ngo(desk, county_id):
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    case_id = lic.open_case(uow, ngo_id, "establishment", j("1401/01/10"))
    assert "withdraw" in lic.ngo_actions(uow, ngo_id).case_actions

    with pytest.raises(ValidationError) as err:  # the reason is required
        lic.withdraw_case(uow, case_id, j("1401/01/20"), "  ")
    assert err.value.field == "reason" and "دلیل" in err.value.message
    with pytest.raises(ValidationError):  # not before the case's request
        lic.withdraw_case(uow, case_id, j("1401/01/01"), "انصراف متقاضی")
    assert lic.get_case(uow, case_id).state == "received"

    step_id = lic.withdraw_case(uow, case_id, j("1401/01/20"), "انصراف کتبی متقاضی")
    detail = lic.get_case(uow, case_id)
    assert detail.state == "closed" and detail.actions == ()
    [step] = withdrawal_steps(uow, case_id)
    assert step.id == step_id and step.reason == "انصراف کتبی متقاضی" and step.clerk == CLERK
    assert ngo_row(uow, ngo_id).licence_state == "none"  # the licence state is untouched

    entry = lic.timeline(uow, ngo_id)[-1]
    assert entry.label == "مختومه شدن پرونده" and "انصراف کتبی متقاضی" in entry.detail

    actions = lic.ngo_actions(uow, ngo_id)
    assert actions.open_case is None and actions.case_types_allowed == ("establishment",)
    with pytest.raises(TransitionError):  # once closed, never again
        lic.withdraw_case(uow, case_id, j("1401/01/21"), "دوباره")
    lic.open_case(uow, ngo_id, "establishment", j("1401/02/01"))  # a new case may be opened
    changes = {(line.field, line.before, line.after) for line in history_of(uow, case_id)}
    assert ("state", "received", "closed") in changes  # the unit of work recorded the closing


def test_withdraw_an_approved_case_and_a_rejected_one_is_refused(desk, county_id):
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    case_id = approved_case(uow, ngo_id, inquiries=False)
    assert lic.ngo_actions(uow, ngo_id).case_actions == ("complete", "withdraw")
    lic.withdraw_case(uow, case_id, j("1401/04/01"), "عدم مراجعه برای دریافت پروانه")
    assert lic.get_case(uow, case_id).state == "closed"
    with pytest.raises(TransitionError):  # the closed case cannot issue a licence any more
        lic.issue_licence(uow, case_id, j("1401/04/02"), "X-1")
    assert ngo_row(uow, ngo_id).licence_state == "approved"

    other = insert_ngo(uow, county_id)
    rejected = lic.open_case(uow, other, "establishment", j("1401/01/10"))
    lic.decide_case(uow, rejected, False, j("1401/01/20"), None, "آیین‌نامه ۱۳۹۵، ماده ۹")
    with pytest.raises(TransitionError):
        lic.withdraw_case(uow, rejected, j("1401/01/25"), "بی‌مورد")
    assert withdrawal_steps(uow, rejected) == []


def test_renewal_left_open_after_a_suspension_can_be_closed(desk, county_id):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)
    renewal = lic.open_case(uow, ngo_id, "renewal", j("1405/01/10"))
    lic.suspend_licence(uow, ngo_id, j("1405/02/01"), "77", "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert lic.get_case(uow, renewal).state == "received"  # a suspension leaves the case open
    lic.withdraw_case(uow, renewal, j("1405/02/02"), "تعلیق پروانه")
    assert lic.ngo_actions(uow, ngo_id).open_case is None


def test_revocation_closes_the_open_case_in_the_same_transaction(desk, county_id):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)
    renewal = approved_case(uow, ngo_id, "renewal", start="1405/01/10", inquiries=False)
    lic.revoke_licence(uow, ngo_id, j("1405/03/01"), "90", "حکم دادگاه", "آیین‌نامه ۱۳۹۵، ماده ۱۷")

    assert lic.get_case(uow, renewal).state == "closed"
    [step] = withdrawal_steps(uow, renewal)
    assert step.reason == "لغو پروانه" and step.on_date == j("1405/03/01")
    labels = [entry.label for entry in lic.timeline(uow, ngo_id)]
    assert labels[-2:] == ["لغو", "مختومه شدن پرونده"]
    actions = lic.ngo_actions(uow, ngo_id)
    assert actions.open_case is None and actions.case_types_allowed == ("establishment",)
    lic.open_case(uow, ngo_id, "establishment", j("1405/04/01"))  # no longer blocked
    assert ("state", "approved", "closed") in {(x.field, x.before, x.after) for x in history_of(uow, renewal)}


def test_revoking_an_approval_closes_the_establishment_case(desk, county_id):
    uow = desk.uow
    ngo_id = insert_ngo(uow, county_id)
    case_id = approved_case(uow, ngo_id, inquiries=False)
    lic.revoke_licence(uow, ngo_id, j("1401/05/01"), "91", "عدم تکمیل مدارک", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert lic.get_case(uow, case_id).state == "closed"
    assert ngo_row(uow, ngo_id).licence_state == "revoked"


def test_a_failed_revocation_leaves_the_case_open(desk, county_id, monkeypatch):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)
    renewal = lic.open_case(uow, ngo_id, "renewal", j("1405/01/10"))
    with pytest.raises(ValidationError):  # no reason: nothing is stored
        lic.revoke_licence(uow, ngo_id, j("1405/03/01"), "90", "", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    from ostandari_desk.services.licences import sanctions

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sanctions, "_record_step_letter", broken)  # after the step closed the case
    with pytest.raises(RuntimeError):
        lic.revoke_licence(uow, ngo_id, j("1405/03/01"), "90", "حکم دادگاه", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert lic.get_case(uow, renewal).state == "received"
    assert withdrawal_steps(uow, renewal) == []
    assert ngo_row(uow, ngo_id).licence_state == "valid"


def test_imported_revocation_closes_an_open_case(desk, county_id):
    uow = desk.uow
    ngo_id = licensed(uow, county_id)
    renewal = lic.open_case(uow, ngo_id, "renewal", j("1405/01/10"))
    with uow:
        lic.apply_licence_step(uow, ngo_id, "لغو", j("1405/03/01"), letter_no="12", imported=True)
        uow.commit()
    assert lic.get_case(uow, renewal).state == "closed"
    assert [s.reason for s in withdrawal_steps(uow, renewal)] == ["لغو پروانه"]
