"""The licence lifecycle: which step may follow which, for an NGO's licence and for a case.

Services and imports ask these tables; the GUI only hides what they refuse. Persian labels live
here too so the timeline, the lists, the import sheets and the reports all say the same words.
Also the rules a case's end depends on: the four inquiries before an establishment is approved (an
unfavourable answer only with a manager's written override), the level and number a completed case
gives the licence, the sanctions ladder, and when a renewal comes early.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
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
    CREDENTIAL = "credential"  # صدور اعتبارنامه: issued like a licence (a Licence row), counted apart
    RENEWAL = "renewal"
    UPGRADE = "upgrade"
    CONFORMITY = "conformity"
    SUSPENSION = "suspension"
    LIFTING = "lifting"
    REVOCATION = "revocation"
    WITHDRAWAL = "withdrawal"  # an open case closed without completion (withdrawn, or its licence revoked)
    INQUIRY_OVERRIDE = "inquiry_override"  # a manager approves despite an unfavourable inquiry answer
    NOTICE = "notice"  # تذکر: the ladder's first rung
    WRITTEN_WARNING = "written_warning"  # اخطار کتبی
    DISSOLUTION_REQUEST = "dissolution_request"  # درخواست انحلال (to the judiciary): the last rung


class CaseType(StrEnum):
    ESTABLISHMENT = "establishment"
    RENEWAL = "renewal"
    UPGRADE = "upgrade"
    CONFORMITY = "conformity"


class CaseState(StrEnum):
    RECEIVED = "received"
    DOCUMENTS_CHECKED = "documents_checked"
    INQUIRING = "inquiring"
    INQUIRIES_ANSWERED = "inquiries_answered"  # every inquiry sent has its answer: the council's turn
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
    StepKind.CREDENTIAL: "صدور اعتبارنامه",
    StepKind.RENEWAL: "تمدید پروانه",
    StepKind.UPGRADE: "ارتقای سطح",
    StepKind.CONFORMITY: "تطبیق",
    StepKind.SUSPENSION: "تعلیق",
    StepKind.LIFTING: "رفع تعلیق",
    StepKind.REVOCATION: "لغو",
    StepKind.WITHDRAWAL: "مختومه شدن پرونده",
    StepKind.INQUIRY_OVERRIDE: "عدول از پاسخ منفی استعلام",
    StepKind.NOTICE: "تذکر",
    StepKind.WRITTEN_WARNING: "اخطار کتبی",
    StepKind.DISSOLUTION_REQUEST: "درخواست انحلال",
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
    CaseState.INQUIRIES_ANSWERED: "پاسخ استعلام‌ها رسید؛ در انتظار تصمیم شورا",
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
    StepKind.CREDENTIAL: {LicenceState.APPROVED: LicenceState.VALID},
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
    # The warnings leave the licence as it is; they are recorded steps (and punitive letters) all the same.
    StepKind.NOTICE: {LicenceState.VALID: LicenceState.VALID, LicenceState.SUSPENDED: LicenceState.SUSPENDED},
    StepKind.WRITTEN_WARNING: {
        LicenceState.VALID: LicenceState.VALID,
        LicenceState.SUSPENDED: LicenceState.SUSPENDED,
    },
    # A request to the judiciary: the licence stays as it is until the court rules.
    StepKind.DISSOLUTION_REQUEST: {
        LicenceState.VALID: LicenceState.VALID,
        LicenceState.SUSPENDED: LicenceState.SUSPENDED,
        LicenceState.REVOKED: LicenceState.REVOKED,
    },
}

# The sanctions ladder (تذکر، اخطار کتبی، تعلیق، توقیف پروانه، درخواست انحلال), mildest first: every
# sanction is one of these steps, with its legal basis, its reason and its (punitive) letter. The licence's
# revocation («لغو») is the ladder's «توقیف پروانه». A rung may be skipped for a grave violation.
SANCTION_LADDER: tuple[tuple[StepKind, str], ...] = (
    (StepKind.NOTICE, "تذکر"),
    (StepKind.WRITTEN_WARNING, "اخطار کتبی"),
    (StepKind.SUSPENSION, "تعلیق"),
    (StepKind.REVOCATION, "توقیف پروانه"),
    (StepKind.DISSOLUTION_REQUEST, "درخواست انحلال"),
)
SANCTIONS = tuple(kind for kind, _label in SANCTION_LADDER)

# The licence steps a clerk may take directly on an NGO (outside a case), in the panel's order.
DIRECT_STEPS = (
    StepKind.NOTICE,
    StepKind.WRITTEN_WARNING,
    StepKind.SUSPENSION,
    StepKind.LIFTING,
    StepKind.REVOCATION,
    StepKind.DISSOLUTION_REQUEST,
)
# What a direct step is called on the NGO's licence panel and its dialog.
DIRECT_STEP_LABELS = {
    StepKind.NOTICE: "تذکر",
    StepKind.WRITTEN_WARNING: "اخطار کتبی",
    StepKind.SUSPENSION: "تعلیق پروانه",
    StepKind.LIFTING: "رفع تعلیق",
    StepKind.REVOCATION: "لغو پروانه",
    StepKind.DISSOLUTION_REQUEST: "درخواست انحلال",
}
# A revocation before any licence was issued takes back the establishment's approval.
APPROVAL_REVOCATION_LABEL = "لغو موافقت تأسیس"


def next_licence_state(state: LicenceState | str, step: StepKind | str) -> LicenceState:
    """The NGO's licence state after `step`; TransitionError when the step is not allowed."""
    state, step = LicenceState(state), StepKind(step)
    table = _LICENCE_TRANSITIONS.get(step)
    if table is None:
        return state
    if state not in table:
        raise TransitionError(f"«{STEP_LABELS[step]}» در وضعیت «{LICENCE_STATE_LABELS[state]}» مجاز نیست.")
    return table[state]


# Steps that need a licence the NGO holds or held (a dissolution is asked of a licensed NGO).
NEEDS_A_LICENCE = (StepKind.DISSOLUTION_REQUEST,)


def allowed_direct_steps(state: LicenceState | str, ever_licensed: bool = True) -> list[StepKind]:
    """The sanctions and the lifting the clerk may take now, in the ladder's order. ``ever_licensed``:
    the NGO holds or held a licence (an approval revoked before any licence asks no dissolution)."""
    state = LicenceState(state)
    return [
        step
        for step in DIRECT_STEPS
        if state in _LICENCE_TRANSITIONS[step] and (ever_licensed or step not in NEEDS_A_LICENCE)
    ]


def direct_step_label(step: StepKind | str, state: LicenceState | str) -> str:
    """The name of a direct step on an NGO in ``state``: a revocation of an approval that never became a
    licence is «لغو موافقت تأسیس», never «لغو پروانه»."""
    step, state = StepKind(step), LicenceState(state)
    if step == StepKind.REVOCATION and state == LicenceState.APPROVED:
        return APPROVAL_REVOCATION_LABEL
    return DIRECT_STEP_LABELS.get(step, STEP_LABELS[step])


# The steps that issue an NGO's first licence: a licence (پروانه فعالیت) or a credential (اعتبارنامه). The
# Licence row is the same; the issuing step's kind tells the two apart.
FIRST_ISSUES = (StepKind.ISSUE, StepKind.CREDENTIAL)


def first_imported_step_allowed(step: StepKind | str) -> bool:
    """An imported history may begin with an approval, an issue or a credential: what came before is
    unknown."""
    return StepKind(step) in (StepKind.APPROVAL, *FIRST_ISSUES)


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


def allowed_case_actions(
    state: CaseState | str, all_inquiries_answered: bool, agencies_missing: bool = False
) -> list[str]:
    """The next actions on a case: 'documents', 'inquiries', 'answer', 'decide', 'complete', and
    'withdraw' (close it without completion) on any case not yet closed or rejected.

    'decide' is the council's turn in any open state before the inquiries are out and once they are all
    answered; whether it may APPROVE is ``approval_refusal``'s (an establishment needs the four
    inquiries). ``agencies_missing``: some of the four agencies were never asked (an inquiry may then be
    sent to them while the others' answers are awaited or in).
    """
    state = CaseState(state)
    more = ["inquiries"] if agencies_missing else []
    if state == CaseState.RECEIVED:
        return ["documents", "decide", "withdraw"]
    if state == CaseState.DOCUMENTS_CHECKED:
        return ["inquiries", "decide", "withdraw"]
    if state == CaseState.INQUIRING:
        # a case stored before INQUIRIES_ANSWERED existed may have every answer and still say INQUIRING
        return (
            ["answer", *more, "decide", "withdraw"]
            if all_inquiries_answered
            else ["answer", *more, "withdraw"]
        )
    if state == CaseState.INQUIRIES_ANSWERED:
        return [*more, "decide", "withdraw"]
    if state == CaseState.APPROVED:
        return ["complete", "withdraw"]
    return []


def check_case_action(
    state: CaseState | str, action: str, all_inquiries_answered: bool, agencies_missing: bool = False
) -> None:
    if action not in allowed_case_actions(state, all_inquiries_answered, agencies_missing):
        if action == "decide" and CaseState(state) == CaseState.INQUIRING:
            raise TransitionError("پیش از تصمیم شورا باید پاسخ هر چهار استعلام ثبت شود.")
        raise TransitionError(f"این اقدام در وضعیت «{CASE_STATE_LABELS[CaseState(state)]}» پرونده مجاز نیست.")


def state_after_answer(all_answered: bool) -> CaseState:
    """A case's state once an inquiry's answer is recorded: the council's turn when none is left."""
    return CaseState.INQUIRIES_ANSWERED if all_answered else CaseState.INQUIRING


# --- the four inquiries and the council's approval ---------------------------------------------------

FAVOURABLE = "favourable"
UNFAVOURABLE = "unfavourable"


@dataclass(frozen=True)
class InquiryStanding:
    """Where a case's inquiries stand: agencies never asked (of the four an establishment needs),
    asked and not answered, and answered unfavourably; ``overridden``: a manager's written override of
    the unfavourable answers is on the case."""

    missing: tuple[Agency, ...] = ()
    unanswered: tuple[Agency, ...] = ()
    unfavourable: tuple[Agency, ...] = ()
    overridden: bool = False


def inquiry_standing(
    case_type: CaseType | str, answers: Mapping[Agency | str, str | None], overridden: bool = False
) -> InquiryStanding:
    """``answers``: each asked agency's answer (None while awaited). An establishment must ask all four."""
    asked = {Agency(a): answer for a, answer in answers.items()}
    needed = tuple(Agency) if CaseType(case_type) == CaseType.ESTABLISHMENT else ()
    return InquiryStanding(
        missing=tuple(a for a in needed if a not in asked),
        unanswered=tuple(a for a in Agency if a in asked and asked[a] is None),
        unfavourable=tuple(a for a in Agency if asked.get(a) == UNFAVOURABLE),
        overridden=overridden,
    )


def _agencies(agencies: tuple[Agency, ...]) -> str:
    return "، ".join(f"«{AGENCY_LABELS[a]}»" for a in agencies)


def approval_refusal(standing: InquiryStanding, *, override_given: bool = False) -> str | None:
    """Why the case may not be approved (or its licence issued) now, in Persian; None when it may.

    Every inquiry asked must be answered, an establishment must have asked all four agencies, and an
    unfavourable answer stands in the way unless overridden (``override_given``: the override is being
    written with this decision).
    """
    if standing.missing:
        return (
            f"استعلام از {_agencies(standing.missing)} فرستاده نشده است؛ موافقت با تأسیس فقط پس از پاسخ "
            "هر چهار استعلام ممکن است."
        )
    if standing.unanswered:
        return f"پاسخ استعلام {_agencies(standing.unanswered)} هنوز نرسیده است؛ پیش از تصمیم شورا ثبتش کنید."
    if standing.unfavourable and not (standing.overridden or override_given):
        return (
            f"پاسخ استعلام {_agencies(standing.unfavourable)} منفی است؛ موافقت فقط با عدول مدیر از آن، "
            "با دلیل مکتوب، ممکن است."
        )
    return None


# --- what a completed case gives the licence ----------------------------------------------------------


def licence_level_after(case_type: CaseType | str, level: Level | str) -> Level:
    """The level of the licence a completed case issues: an upgrade makes a county NGO provincial."""
    return Level.PROVINCE if CaseType(case_type) == CaseType.UPGRADE else Level(level)


def keeps_licence_number(case_type: CaseType | str) -> bool:
    """Whether the licence a completed case issues carries on the current licence's number (a renewal)."""
    return CaseType(case_type) == CaseType.RENEWAL


def issues_licence(case_type: CaseType | str) -> bool:
    """Whether completing the case issues a licence (all but a conformity)."""
    return CaseType(case_type) != CaseType.CONFORMITY


def renewal_days_early(expires_on: date, on: date, window_days: int) -> int:
    """How many days before the renewal window (``window_days`` before expiry) a renewal asked ``on``
    comes; 0 when it is inside the window (or the licence has expired)."""
    return max((expires_on - on).days - window_days, 0)


# The step a completed approved case produces on the licence.
COMPLETION_STEP = {
    CaseType.ESTABLISHMENT: StepKind.ISSUE,
    CaseType.RENEWAL: StepKind.RENEWAL,
    CaseType.UPGRADE: StepKind.UPGRADE,
    CaseType.CONFORMITY: StepKind.CONFORMITY,
}
