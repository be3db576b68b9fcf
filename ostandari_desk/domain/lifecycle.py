"""The licence lifecycle: which step may follow which, for an NGO's licence and for a case.

Services and imports ask these tables; the GUI only hides what they refuse. Persian labels live
here too so the timeline, the lists, the import sheets and the reports all say the same words.
"""

from __future__ import annotations

from enum import StrEnum

from ostandari_desk.errors import TransitionError


class LicenceState(StrEnum):
    """Where an NGO stands with its licence."""

    NONE = "none"
    APPROVED = "approved"  # establishment approved, licence not yet issued
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class StepKind(StrEnum):
    REQUEST = "request"
    DOCUMENTS = "documents"
    INQUIRY_SENT = "inquiry_sent"
    INQUIRY_ANSWERED = "inquiry_answered"
    APPROVAL = "approval"
    REJECTION = "rejection"
    ISSUE = "issue"
    RENEWAL = "renewal"
    UPGRADE = "upgrade"
    CONFORMITY = "conformity"
    SUSPENSION = "suspension"
    LIFTING = "lifting"
    REVOCATION = "revocation"
    WITHDRAWAL = "withdrawal"  # an open case closed without completion (withdrawn, or its licence revoked)


class CaseType(StrEnum):
    ESTABLISHMENT = "establishment"
    RENEWAL = "renewal"
    UPGRADE = "upgrade"
    CONFORMITY = "conformity"


class CaseState(StrEnum):
    RECEIVED = "received"
    DOCUMENTS_CHECKED = "documents_checked"
    INQUIRING = "inquiring"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLOSED = "closed"


class Level(StrEnum):
    COUNTY = "county"
    PROVINCE = "province"
    NATIONAL = "national"


class Agency(StrEnum):
    """The four inquiries (استعلامات چهارگانه)."""

    JUDICIARY = "judiciary"
    INTELLIGENCE = "intelligence"
    POLICE = "police"
    SPECIALIST = "specialist"


LEVEL_LABELS = {Level.COUNTY: "شهرستانی", Level.PROVINCE: "استانی", Level.NATIONAL: "ملی"}
LICENCE_STATE_LABELS = {
    LicenceState.NONE: "بدون پروانه",
    LicenceState.APPROVED: "موافقت با تأسیس",
    LicenceState.VALID: "دارای پروانه معتبر",
    LicenceState.SUSPENDED: "تعلیق",
    LicenceState.REVOKED: "لغو شده",
}
STEP_LABELS = {
    StepKind.REQUEST: "دریافت درخواست",
    StepKind.DOCUMENTS: "بررسی مدارک",
    StepKind.INQUIRY_SENT: "ارسال استعلام",
    StepKind.INQUIRY_ANSWERED: "پاسخ استعلام",
    StepKind.APPROVAL: "موافقت شورا",
    StepKind.REJECTION: "مخالفت شورا",
    StepKind.ISSUE: "صدور پروانه",
    StepKind.RENEWAL: "تمدید پروانه",
    StepKind.UPGRADE: "ارتقای سطح",
    StepKind.CONFORMITY: "تطبیق",
    StepKind.SUSPENSION: "تعلیق",
    StepKind.LIFTING: "رفع تعلیق",
    StepKind.REVOCATION: "لغو",
    StepKind.WITHDRAWAL: "مختومه شدن پرونده",
}
CASE_TYPE_LABELS = {
    CaseType.ESTABLISHMENT: "تأسیس",
    CaseType.RENEWAL: "تمدید",
    CaseType.UPGRADE: "ارتقای سطح (شهرستانی به استانی)",
    CaseType.CONFORMITY: "تطبیق",
}
CASE_STATE_LABELS = {
    CaseState.RECEIVED: "درخواست دریافت شد",
    CaseState.DOCUMENTS_CHECKED: "مدارک بررسی شد",
    CaseState.INQUIRING: "در انتظار پاسخ استعلام‌ها",
    CaseState.APPROVED: "موافقت شد",
    CaseState.REJECTED: "رد شد",
    CaseState.CLOSED: "مختومه",
}
AGENCY_LABELS = {
    Agency.JUDICIARY: "قوه قضاییه",
    Agency.INTELLIGENCE: "اداره اطلاعات",
    Agency.POLICE: "فرماندهی انتظامی",
    Agency.SPECIALIST: "دستگاه تخصصی",
}

# Steps that change the NGO's licence state: step -> {from state: to state}.
_LICENCE_TRANSITIONS: dict[StepKind, dict[LicenceState, LicenceState]] = {
    # An establishment approval moves NONE/REVOKED on; approving a renewal, upgrade or conformity
    # leaves a valid licence valid.
    StepKind.APPROVAL: {
        LicenceState.NONE: LicenceState.APPROVED,
        LicenceState.REVOKED: LicenceState.APPROVED,
        LicenceState.VALID: LicenceState.VALID,
    },
    StepKind.ISSUE: {LicenceState.APPROVED: LicenceState.VALID},
    StepKind.RENEWAL: {LicenceState.VALID: LicenceState.VALID},
    StepKind.UPGRADE: {LicenceState.VALID: LicenceState.VALID},
    StepKind.CONFORMITY: {LicenceState.VALID: LicenceState.VALID},
    StepKind.SUSPENSION: {LicenceState.VALID: LicenceState.SUSPENDED},
    StepKind.LIFTING: {LicenceState.SUSPENDED: LicenceState.VALID},
    StepKind.REVOCATION: {
        LicenceState.APPROVED: LicenceState.REVOKED,
        LicenceState.VALID: LicenceState.REVOKED,
        LicenceState.SUSPENDED: LicenceState.REVOKED,
    },
}

# The licence steps a clerk may take directly on an NGO (outside a case).
DIRECT_STEPS = (StepKind.SUSPENSION, StepKind.LIFTING, StepKind.REVOCATION)


def next_licence_state(state: LicenceState | str, step: StepKind | str) -> LicenceState:
    """The NGO's licence state after `step`; TransitionError when the step is not allowed."""
    state, step = LicenceState(state), StepKind(step)
    table = _LICENCE_TRANSITIONS.get(step)
    if table is None:
        return state
    if state not in table:
        raise TransitionError(f"«{STEP_LABELS[step]}» در وضعیت «{LICENCE_STATE_LABELS[state]}» مجاز نیست.")
    return table[state]


def allowed_direct_steps(state: LicenceState | str) -> list[StepKind]:
    """Suspension, lifting and revocation the clerk may take now, in the ladder's order."""
    state = LicenceState(state)
    return [step for step in DIRECT_STEPS if state in _LICENCE_TRANSITIONS[step]]


def first_imported_step_allowed(step: StepKind | str) -> bool:
    """An imported history may begin with an approval or an issue: what came before is unknown."""
    return StepKind(step) in (StepKind.APPROVAL, StepKind.ISSUE)


def allowed_case_types(state: LicenceState | str, level: Level | str) -> list[CaseType]:
    """Which cases may be opened for an NGO in this state and at this level."""
    state, level = LicenceState(state), Level(level)
    if state in (LicenceState.NONE, LicenceState.REVOKED):
        return [CaseType.ESTABLISHMENT]
    if state == LicenceState.VALID:
        types = [CaseType.RENEWAL, CaseType.CONFORMITY]
        if level == Level.COUNTY:
            types.insert(1, CaseType.UPGRADE)
        return types
    return []


def allowed_case_actions(state: CaseState | str, all_inquiries_answered: bool) -> list[str]:
    """The next actions on a case: 'documents', 'inquiries', 'answer', 'decide', 'complete', and
    'withdraw' (close it without completion) on any case not yet closed or rejected."""
    state = CaseState(state)
    if state == CaseState.RECEIVED:
        return ["documents", "decide", "withdraw"]
    if state == CaseState.DOCUMENTS_CHECKED:
        return ["inquiries", "decide", "withdraw"]
    if state == CaseState.INQUIRING:
        return ["answer", "decide", "withdraw"] if all_inquiries_answered else ["answer", "withdraw"]
    if state == CaseState.APPROVED:
        return ["complete", "withdraw"]
    return []


def check_case_action(state: CaseState | str, action: str, all_inquiries_answered: bool) -> None:
    if action not in allowed_case_actions(state, all_inquiries_answered):
        if action == "decide" and CaseState(state) == CaseState.INQUIRING:
            raise TransitionError("پیش از تصمیم شورا باید پاسخ هر چهار استعلام ثبت شود.")
        raise TransitionError(f"این اقدام در وضعیت «{CASE_STATE_LABELS[CaseState(state)]}» پرونده مجاز نیست.")


# The step a completed approved case produces on the licence.
COMPLETION_STEP = {
    CaseType.ESTABLISHMENT: StepKind.ISSUE,
    CaseType.RENEWAL: StepKind.RENEWAL,
    CaseType.UPGRADE: StepKind.UPGRADE,
    CaseType.CONFORMITY: StepKind.CONFORMITY,
}
