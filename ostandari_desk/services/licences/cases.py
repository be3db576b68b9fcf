"""Licence cases: establishment, renewal, upgrade, conformity, from the request to their end.

Every function takes the unit of work (which carries the acting user) and plain values, works in
its block and commits (a call inside a caller's block joins the caller's transaction). The actor's
name is recorded on each LicenceStep; the unit of work records every changed field in the audit.
A council decision needs Permission.DECIDE. An establishment is approved, and its licence issued, only
once the four inquiries are answered favourably, or an unfavourable answer is overridden by the manager
deciding, with a written reason (an INQUIRY_OVERRIDE step). The direct steps on a licence (the sanctions
ladder, the lifting of a suspension) are in sanctions.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import col, select

from ostandari_desk import settings
from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.lifecycle import (
    AGENCY_LABELS,
    CASE_TYPE_LABELS,
    COMPLETION_STEP,
    LICENCE_STATE_LABELS,
    Agency,
    CaseState,
    CaseType,
    InquiryStanding,
    LicenceState,
    StepKind,
    allowed_case_types,
    approval_refusal,
    check_case_action,
    inquiry_standing,
    state_after_answer,
)
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import NotFoundError, TransitionError, ValidationError
from ostandari_desk.services.audit import now_utc, stamps
from ostandari_desk.services.licences.rows import ANSWER_LABELS
from ostandari_desk.services.licences.steps import (
    CLOSED_CASE_STATES,
    apply_licence_step,
    clean_code,
    close_case,
    load_ngo,
    require_date,
)
from ostandari_desk.store.models import Inquiry, LicenceCase, LicenceStep
from ostandari_desk.store.uow import UnitOfWork

ANSWERS = ("favourable", "unfavourable")


# --- helpers --------------------------------------------------------------------------------------


def load_case(uow: UnitOfWork, case_id: str) -> LicenceCase:
    """The case (inside the caller's block); NotFoundError, or PermissionDeniedError out of scope."""
    return uow.get(LicenceCase, case_id, missing="پرونده موردنظر پیدا نشد.")


def find_open_case(uow: UnitOfWork, ngo_id: str) -> LicenceCase | None:
    """The NGO's case that is not rejected or closed (an approved one awaiting completion is open)."""
    stmt = (
        select(LicenceCase)
        .where(LicenceCase.ngo_id == ngo_id, col(LicenceCase.state).not_in(CLOSED_CASE_STATES))
        .order_by(col(LicenceCase.received_on).desc())
        .limit(1)
    )
    with uow:
        return uow.s.exec(stmt).first()


def case_inquiries(uow: UnitOfWork, case_id: str) -> list[Inquiry]:
    stmt = select(Inquiry).where(Inquiry.case_id == case_id).order_by(col(Inquiry.created_at))
    with uow:
        return list(uow.s.exec(stmt))


def all_answered(inquiries: Iterable[Inquiry]) -> bool:
    return all(inquiry.answer is not None for inquiry in inquiries)


def overridden(uow: UnitOfWork, case_id: str) -> bool:
    """Whether a manager overrode the case's unfavourable inquiry answers (an INQUIRY_OVERRIDE step)."""
    stmt = (
        select(LicenceStep.id)
        .where(LicenceStep.case_id == case_id, LicenceStep.kind == StepKind.INQUIRY_OVERRIDE.value)
        .limit(1)
    )
    with uow:
        return uow.s.exec(stmt).first() is not None


def standing_of(
    uow: UnitOfWork, case: LicenceCase, inquiries: Iterable[Inquiry] | None = None
) -> InquiryStanding:
    """Where the case's inquiries stand (domain.lifecycle.inquiry_standing) and whether it was overridden."""
    if inquiries is None:
        inquiries = case_inquiries(uow, case.id)
    answers = {inquiry.agency: inquiry.answer for inquiry in inquiries}
    return inquiry_standing(case.case_type, answers, overridden(uow, case.id))


def _touch(case: LicenceCase, state: CaseState | None = None) -> None:
    if state is not None:
        case.state = state.value
    case.updated_at = now_utc()
    case.row_version += 1


def _tracking_no_taken(uow: UnitOfWork, tracking_no: str) -> bool:
    """Whether any case of any county carries ``tracking_no`` (numbers are the province's, not a county's:
    plain-table statements, which the session does not scope to a county user's county)."""
    case = LicenceCase.__table__.c
    stmt = core_select(case.id).where(case.tracking_no == tracking_no).limit(1)
    return uow.s.connection().execute(stmt).first() is not None


def next_tracking_no(uow: UnitOfWork, received_on: date) -> str:
    """'1402-000123': the Jalali year of receipt and a running number within that year (province-wide)."""
    year = jalali.jalali_year_of(received_on)
    prefix = f"{year}-"
    case = LicenceCase.__table__.c
    stmt = core_select(func.max(case.tracking_no)).where(
        case.tracking_no >= prefix, case.tracking_no < f"{year}."
    )
    with uow:
        last = uow.s.connection().execute(stmt).scalar()
        number = 1
        if last:
            digits = "".join(ch for ch in last[len(prefix) :] if ch.isdigit())
            number = int(digits) + 1 if digits else 1
        while _tracking_no_taken(uow, f"{prefix}{number:06d}"):
            number += 1
    return f"{prefix}{number:06d}"


# --- cases ------------------------------------------------------------------------------------------


def open_case(
    uow: UnitOfWork,
    ngo_id: str,
    case_type: CaseType | str,
    received_on: date,
    tracking_no: str | None = None,
    note: str = "",
) -> str:
    """Open a case on a request (step REQUEST); returns the case id.

    Raises:
        TransitionError: the NGO's licence state does not allow this case type, or a case is open.
        ValidationError: a given tracking number is already taken.
    """
    received_on = require_date(received_on, "تاریخ دریافت درخواست", "received_on")
    try:
        case_type = CaseType(case_type)
    except ValueError:
        raise ValidationError("نوع پرونده نادرست است.", field="case_type") from None
    with uow.writing():
        s = uow.s
        ngo = load_ngo(uow, ngo_id)
        allowed = allowed_case_types(ngo.licence_state, ngo.level)
        if case_type not in allowed:
            raise TransitionError(
                f"پرونده «{CASE_TYPE_LABELS[case_type]}» برای سمنی در وضعیت "
                f"«{LICENCE_STATE_LABELS[LicenceState(ngo.licence_state)]}» قابل تشکیل نیست."
            )
        existing = find_open_case(uow, ngo.id)
        if existing is not None:
            raise TransitionError(
                f"این سمن پرونده باز دیگری دارد (شماره پیگیری {text.to_persian_digits(existing.tracking_no)}); "
                "نخست آن را به پایان برسانید."
            )
        if tracking_no is None or not text.clean(tracking_no):
            tracking_no = next_tracking_no(uow, received_on)
        else:
            tracking_no = clean_code(tracking_no)
            if _tracking_no_taken(uow, tracking_no):
                raise ValidationError(
                    f"شماره پیگیری {text.to_persian_digits(tracking_no)} پیش‌تر ثبت شده است.",
                    field="tracking_no",
                )
        case = LicenceCase(
            **stamps(),
            ngo_id=ngo.id,
            county_id=ngo.county_id,
            case_type=case_type.value,
            tracking_no=tracking_no,
            received_on=received_on,
            state=CaseState.RECEIVED.value,
            note=text.clean(note),
        )
        s.add(case)
        s.flush()
        apply_licence_step(uow, ngo, StepKind.REQUEST, received_on, note=note, case_id=case.id)
        uow.commit()
        return case.id


def check_documents(uow: UnitOfWork, case_id: str, on: date, note: str = "") -> None:
    """Record that the case's documents were checked (step DOCUMENTS)."""
    on = require_date(on, "تاریخ بررسی مدارک", "on")
    with uow.writing():
        case = load_case(uow, case_id)
        check_case_action(case.state, "documents", True)
        apply_licence_step(uow, case.ngo_id, StepKind.DOCUMENTS, on, note=note, case_id=case.id)
        _touch(case, CaseState.DOCUMENTS_CHECKED)
        uow.commit()


def send_inquiries(
    uow: UnitOfWork,
    case_id: str,
    on: date,
    due_days: int | None = None,
    agencies: Iterable[Agency | str] | None = None,
    letter_nos: Mapping[Agency | str, str] | None = None,
    note: str = "",
) -> list[str]:
    """Send the inquiries; returns the inquiry ids.

    ``agencies``: those of the four not yet asked on this case unless told otherwise (a case whose
    inquiries went to some agencies only may ask the others later); an agency is asked once.
    """
    on = require_date(on, "تاریخ ارسال استعلام", "on")
    try:
        wanted = None if agencies is None else list(dict.fromkeys(Agency(a) for a in agencies))
    except ValueError:
        raise ValidationError("دستگاه استعلام‌شونده نادرست است.", field="agencies") from None
    letters = {Agency(k): clean_code(v) for k, v in (letter_nos or {}).items()}
    with uow.writing():
        s = uow.s
        if due_days is None:
            due_days = int(settings.get_setting(uow, "inquiry_due_days"))
        if isinstance(due_days, bool) or not isinstance(due_days, int) or due_days <= 0:
            raise ValidationError("مهلت پاسخ استعلام باید عدد صحیح مثبت (روز) باشد.", field="due_days")
        case = load_case(uow, case_id)
        asked = {Agency(q.agency) for q in case_inquiries(uow, case.id)}
        check_case_action(case.state, "inquiries", True, agencies_missing=len(asked) < len(Agency))
        again = [a for a in (wanted or ()) if a in asked]
        if again:
            raise ValidationError(
                f"از «{AGENCY_LABELS[again[0]]}» پیش‌تر برای این پرونده استعلام شده است.", field="agencies"
            )
        chosen = wanted if wanted is not None else [a for a in Agency if a not in asked]
        if not chosen:
            raise ValidationError("دست‌کم یک دستگاه را برای استعلام انتخاب کنید.", field="agencies")
        due_on = jalali.add_days(on, due_days)
        ids = []
        for agency in chosen:
            inquiry = Inquiry(
                **stamps(),
                case_id=case.id,
                agency=agency.value,
                sent_on=on,
                due_on=due_on,
                letter_no=letters.get(agency, ""),
            )
            s.add(inquiry)
            ids.append(inquiry.id)
        detail = "، ".join(AGENCY_LABELS[a] for a in chosen)
        apply_licence_step(
            uow,
            case.ngo_id,
            StepKind.INQUIRY_SENT,
            on,
            note=text.clean(f"{detail} {note}"),
            case_id=case.id,
        )
        _touch(case, CaseState.INQUIRING)
        uow.commit()
        return ids


def answer_inquiry(uow: UnitOfWork, inquiry_id: str, on: date, answer: str, note: str = "") -> None:
    """Record an agency's answer (step INQUIRY_ANSWERED); once only, not before it was sent."""
    on = require_date(on, "تاریخ پاسخ استعلام", "on")
    if answer not in ANSWERS:
        raise ValidationError("پاسخ استعلام باید مثبت یا منفی باشد.", field="answer")
    with uow.writing():
        s = uow.s
        inquiry = s.get(Inquiry, inquiry_id)
        if inquiry is None:
            raise NotFoundError("استعلام موردنظر پیدا نشد.", record=str(inquiry_id))
        case = load_case(uow, inquiry.case_id)
        label = AGENCY_LABELS[Agency(inquiry.agency)]
        if inquiry.answer is not None:
            raise TransitionError(f"پاسخ استعلام «{label}» پیش‌تر ثبت شده است.")
        check_case_action(case.state, "answer", False)
        if on < inquiry.sent_on:
            raise ValidationError(
                f"تاریخ پاسخ ({jalali.format_jalali(on)}) پیش از تاریخ ارسال استعلام "
                f"({jalali.format_jalali(inquiry.sent_on)}) است.",
                field="on",
            )
        inquiry.answer = answer
        inquiry.answered_on = on
        inquiry.note = text.clean(note)
        inquiry.updated_at = now_utc()
        inquiry.row_version += 1
        s.add(inquiry)
        apply_licence_step(
            uow,
            case.ngo_id,
            StepKind.INQUIRY_ANSWERED,
            on,
            note=text.clean(f"{label}: {ANSWER_LABELS[answer]} {note}"),
            case_id=case.id,
        )
        _touch(case, state_after_answer(all_answered(case_inquiries(uow, case.id))))
        uow.commit()


def decide_case(
    uow: UnitOfWork,
    case_id: str,
    approve: bool,
    on: date,
    meeting_on: date | None,
    legal_basis: str,
    note: str = "",
    override_reason: str = "",
) -> None:
    """The council's decision (step APPROVAL or REJECTION), with its legal basis.

    An approval needs the inquiries answered (all four for an establishment); an unfavourable answer is
    overridden only with ``override_reason`` (the manager's written reason, stored as an
    INQUIRY_OVERRIDE step before the approval, in the same transaction and audit).

    Raises:
        PermissionDeniedError: the actor's role may not record council decisions (Permission.DECIDE).
        TransitionError: the case may not be decided now, or not approved (inquiries missing or unanswered).
        ValidationError: no legal basis; an unfavourable answer and no override reason (field
            ``override_reason``), or an override reason with no unfavourable answer to override.
    """
    uow.require(Permission.DECIDE)
    on = require_date(on, "تاریخ تصمیم", "on")
    legal_basis = text.clean(legal_basis)
    override_reason = text.clean(override_reason)
    if not legal_basis:
        raise ValidationError("مبنای قانونی تصمیم شورا (آیین‌نامه و ماده) را وارد کنید.", field="legal_basis")
    if meeting_on is not None and meeting_on > on:
        raise ValidationError("تاریخ جلسه شورا نمی‌تواند پس از تاریخ ثبت تصمیم باشد.", field="meeting_on")
    with uow.writing():
        case = load_case(uow, case_id)
        inquiries = case_inquiries(uow, case.id)
        check_case_action(case.state, "decide", all_answered(inquiries))
        ngo = load_ngo(uow, case.ngo_id)
        if approve and CaseType(case.case_type) not in allowed_case_types(ngo.licence_state, ngo.level):
            raise TransitionError(
                f"وضعیت پروانه سمن («{LICENCE_STATE_LABELS[LicenceState(ngo.licence_state)]}») با پرونده "
                f"«{CASE_TYPE_LABELS[CaseType(case.case_type)]}» سازگار نیست؛ موافقت ممکن نیست."
            )
        if approve:
            _approval_override(uow, case, standing_of(uow, case, inquiries), on, override_reason)
        elif override_reason:
            raise ValidationError(
                "دلیل عدول از پاسخ منفی استعلام فقط با موافقت ثبت می‌شود.", field="override_reason"
            )
        kind = StepKind.APPROVAL if approve else StepKind.REJECTION
        apply_licence_step(uow, ngo, kind, on, legal_basis=legal_basis, note=note, case_id=case.id)
        case.decision = "approved" if approve else "rejected"
        case.decided_on = on
        case.meeting_on = meeting_on
        case.legal_basis = legal_basis
        _touch(case, CaseState.APPROVED if approve else CaseState.REJECTED)
        uow.commit()


def _approval_override(
    uow: UnitOfWork, case: LicenceCase, standing: InquiryStanding, on: date, reason: str
) -> None:
    """Refuse an approval the inquiries do not allow; record the override an unfavourable answer needs."""
    refused = approval_refusal(standing, override_given=True)  # nothing overrides a missing answer
    if refused:
        raise TransitionError(refused)
    if not standing.unfavourable or standing.overridden:
        if reason:
            raise ValidationError(
                "پاسخ منفی‌ای نمانده که از آن عدول شود؛ دلیل عدول را خالی بگذارید.", field="override_reason"
            )
        return
    if not reason:
        raise ValidationError(approval_refusal(standing) or "", field="override_reason")
    agencies = "، ".join(AGENCY_LABELS[a] for a in standing.unfavourable)
    apply_licence_step(
        uow,
        case.ngo_id,
        StepKind.INQUIRY_OVERRIDE,
        on,
        reason=reason,
        note=f"پاسخ منفی: {agencies}",
        case_id=case.id,
    )


def complete_case(
    uow: UnitOfWork,
    case_id: str,
    on: date,
    licence_number: str | None = None,
    validity_years: int | None = None,
    expires_on: date | None = None,
    note: str = "",
    credential: bool = False,
) -> str | None:
    """Finish an approved case: issue, renew, upgrade or conform; the case is closed.

    ``credential``: an establishment case ends in a credential (اعتبارنامه), not a licence: the same
    Licence row and rules, its step «صدور اعتبارنامه», counted apart in the reports.
    Returns the id of the licence the case produced (None for conformity).
    """
    on = require_date(on, "تاریخ", "on")
    with uow.writing():
        case = load_case(uow, case_id)
        check_case_action(case.state, "complete", True)
        if case.case_type == CaseType.ESTABLISHMENT.value:
            # approved before the rule held (or by a sheet): the licence waits for the four answers all the same
            refused = approval_refusal(standing_of(uow, case))
            if refused:
                raise TransitionError(f"پروانه صادر نمی‌شود: {refused}")
        kind = COMPLETION_STEP[CaseType(case.case_type)]
        if credential:
            if kind != StepKind.ISSUE:
                raise TransitionError(
                    "اعتبارنامه فقط در پایان پرونده «تأسیس» صادر می‌شود؛ این پرونده "
                    f"«{CASE_TYPE_LABELS[CaseType(case.case_type)]}» است."
                )
            kind = StepKind.CREDENTIAL
        step = apply_licence_step(
            uow,
            case.ngo_id,
            kind,
            on,
            licence_number=licence_number,
            validity_years=validity_years,
            expires_on=expires_on,
            note=note,
            case_id=case.id,
        )
        _touch(case, CaseState.CLOSED)
        uow.commit()
        return step.licence_id if kind != StepKind.CONFORMITY else None


def withdraw_case(uow: UnitOfWork, case_id: str, on: date, reason: str, note: str = "") -> str:
    """Close an open case without completing it (withdrawn by the NGO, overtaken by events…).

    Allowed for any case not yet closed or rejected, an approved one included; records a WITHDRAWAL
    step with its reason (required) and frees the NGO for a new case. Returns the step id.
    """
    on = require_date(on, "تاریخ مختومه شدن پرونده", "on")
    reason = text.clean(reason)
    if not reason:
        raise ValidationError("دلیل مختومه شدن پرونده را وارد کنید.", field="reason")
    with uow.writing():
        case = load_case(uow, case_id)
        check_case_action(case.state, "withdraw", True)
        step = apply_licence_step(
            uow, case.ngo_id, StepKind.WITHDRAWAL, on, reason=reason, note=note, case_id=case.id
        )
        close_case(case)
        uow.s.add(case)
        uow.commit()
        return step.id


def _complete_typed(uow: UnitOfWork, case_id: str, expected: CaseType, **kwargs) -> str | None:
    with uow.writing():
        case = load_case(uow, case_id)
        if case.case_type != expected.value:
            raise TransitionError(
                f"این پرونده «{CASE_TYPE_LABELS[CaseType(case.case_type)]}» است، نه «{CASE_TYPE_LABELS[expected]}»."
            )
    return complete_case(uow, case_id, **kwargs)


def issue_licence(
    uow: UnitOfWork,
    case_id: str,
    on: date,
    licence_number: str,
    validity_years: int | None = None,
    expires_on: date | None = None,
    note: str = "",
    credential: bool = False,
) -> str:
    """Issue the licence of an approved establishment case; returns the licence id.

    ``credential``: issue a credential (اعتبارنامه) instead, by the same rules (see :func:`complete_case`).
    """
    licence_id = _complete_typed(
        uow,
        case_id,
        CaseType.ESTABLISHMENT,
        on=on,
        licence_number=licence_number,
        validity_years=validity_years,
        expires_on=expires_on,
        note=note,
        credential=credential,
    )
    assert licence_id is not None
    return licence_id


def renew_licence(
    uow: UnitOfWork,
    case_id: str,
    on: date,
    licence_number: str,
    validity_years: int | None = None,
    expires_on: date | None = None,
    note: str = "",
) -> str:
    """Renew after an approved renewal case: a new licence, the previous one marked 'renewed'."""
    licence_id = _complete_typed(
        uow,
        case_id,
        CaseType.RENEWAL,
        on=on,
        licence_number=licence_number,
        validity_years=validity_years,
        expires_on=expires_on,
        note=note,
    )
    assert licence_id is not None
    return licence_id
