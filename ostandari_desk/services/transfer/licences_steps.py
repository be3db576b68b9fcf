"""One row (or group of rows) of the «پروانه‌ها» sheet, taken through the licence service a clerk would use.

``apply_rows(uow, ngo_id, rows, started)`` runs inside the importer's savepoint for that row: ``open_case``
for a request, ``check_documents``, ``send_inquiries`` (the same day's rows of one NGO in one call, as the
case page sends them), ``answer_inquiry``, ``decide_case`` (with the manager's override given on the row
before the approval), ``complete_case`` for the issue, renewal, upgrade or conformity that ends an approved
case, ``withdraw_case``, ``impose_sanction`` for each rung of the ladder (its letter filed as a punitive one)
and ``lift_suspension``. A breach of the lifecycle is the service's own error, in its words.

The exception for history kept before the desk: an NGO's first imported step (``started`` False: it has no
licence history yet) may be a council decision, whose case is made with it, received that day, or the issue
of a licence or credential; and a renewal, upgrade or conformity of a valid licence with no case open is a
step of its own. A licence on a case that began with its decision (so made by that exception) does not ask
for the four inquiries of the case's unknown history.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from ostandari_desk.domain.lifecycle import (
    AGENCY_LABELS,
    CASE_TYPE_LABELS,
    LICENCE_STATE_LABELS,
    CaseState,
    CaseType,
    LicenceState,
    StepKind,
    allowed_case_types,
    approval_refusal,
)
from ostandari_desk.domain.text import to_persian_digits as fa
from ostandari_desk.errors import TransitionError, UserError
from ostandari_desk.services import licences as lic
from ostandari_desk.services.audit import now_utc, stamps
from ostandari_desk.services.licences.cases import (
    case_inquiries,
    find_open_case,
    next_tracking_no,
    standing_of,
)
from ostandari_desk.services.licences.steps import close_case, load_ngo
from ostandari_desk.services.transfer.licences_sheet import (
    CREDENTIAL,
    H_ACTION,
    H_AGENCY,
    H_CASE_TYPE,
    LADDER,
    Row,
    action_label,
)
from ostandari_desk.store.models import LicenceCase, LicenceStep
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["RowRefused", "apply_rows"]

# The steps that end an approved case, and the case type each ends.
COMPLETES = {
    StepKind.ISSUE: CaseType.ESTABLISHMENT,
    StepKind.RENEWAL: CaseType.RENEWAL,
    StepKind.UPGRADE: CaseType.UPGRADE,
    StepKind.CONFORMITY: CaseType.CONFORMITY,
    **({CREDENTIAL: CaseType.ESTABLISHMENT} if CREDENTIAL is not None else {}),
}
_FIRST_ISSUES = (StepKind.ISSUE, *((CREDENTIAL,) if CREDENTIAL is not None else ()))
_NO_CASE = "نخست ردیف «درخواست» پرونده"


class RowRefused(UserError):
    """A row the sheet's own rules refuse, on the column ``header``."""

    def __init__(self, message: str, header: str = H_ACTION):
        super().__init__(message)
        self.header = header


def apply_rows(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    """Apply ``rows`` (one step, or a group one call takes) to the NGO; UserError when refused."""
    kind = rows[0].kind
    handlers: dict[StepKind, Callable[[UnitOfWork, str, list[Row], bool], None]] = {
        StepKind.REQUEST: _request,
        StepKind.DOCUMENTS: _documents,
        StepKind.INQUIRY_SENT: _inquiries,
        StepKind.INQUIRY_ANSWERED: _answer,
        StepKind.INQUIRY_OVERRIDE: _decision,
        StepKind.APPROVAL: _decision,
        StepKind.REJECTION: _decision,
        StepKind.WITHDRAWAL: _withdrawal,
        StepKind.LIFTING: _lifting,
        **dict.fromkeys(COMPLETES, _completion),
        **dict.fromkeys(LADDER, _sanction),
    }
    handler = handlers.get(kind)
    if handler is None:
        raise RowRefused(f"اقدام «{action_label(kind)}» از برگه وارد نمی‌شود")
    handler(uow, ngo_id, rows, started)


def _open_case(uow: UnitOfWork, ngo_id: str, why: str) -> LicenceCase:
    case = find_open_case(uow, ngo_id)
    if case is None:
        raise RowRefused(f"این سمن پرونده بازی ندارد؛ {why} ({_NO_CASE})")
    return case


def _request(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    row = rows[0]
    lic.open_case(uow, ngo_id, row.case_type, row.on_date, note=row.note)


def _documents(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    row = rows[0]
    case = _open_case(uow, ngo_id, "بررسی مدارک برای یک پرونده ثبت می‌شود")
    lic.check_documents(uow, case.id, row.on_date, note=row.note)


def _inquiries(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    case = _open_case(uow, ngo_id, "استعلام برای یک پرونده فرستاده می‌شود")
    seen: dict[object, int] = {}
    for row in rows:
        if row.agency in seen:
            label = AGENCY_LABELS[row.agency]
            raise RowRefused(
                f"استعلام «{label}» در ردیف {fa(seen[row.agency])} همین روز هم آمده است", H_AGENCY
            )
        seen[row.agency] = row.number
    lic.send_inquiries(
        uow,
        case.id,
        rows[0].on_date,
        agencies=[row.agency for row in rows],
        letter_nos={row.agency: row.letter_no for row in rows if row.letter_no},
        note=" ".join(row.note for row in rows if row.note),
    )


def _answer(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    row = rows[0]
    case = find_open_case(uow, ngo_id)
    asked = [q for q in case_inquiries(uow, case.id) if q.agency == row.agency] if case else []
    if not asked:
        raise RowRefused(
            "پاسخ استعلامی که فرستاده نشده ثبت نمی‌شود: برای پرونده باز این سمن از "
            f"«{AGENCY_LABELS[row.agency]}» استعلام نشده است",
            H_AGENCY,
        )
    lic.answer_inquiry(uow, asked[-1].id, row.on_date, row.answer, note=row.note)


def _decision(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    if rows[0].kind == StepKind.INQUIRY_OVERRIDE and len(rows) == 1:
        raise RowRefused(
            "عدول از پاسخ منفی استعلام فقط همراه موافقت شورا در همان روز (ردیف بعد همین سمن) ثبت می‌شود"
        )
    override = rows[0].note if rows[0].kind == StepKind.INQUIRY_OVERRIDE else ""
    row = rows[-1]
    approve = row.kind == StepKind.APPROVAL
    case = find_open_case(uow, ngo_id)
    if case is None:
        _first_decision(uow, ngo_id, row, approve, started)
        return
    if row.case_type is not None and case.case_type != row.case_type.value:
        raise RowRefused(
            f"پرونده باز این سمن «{CASE_TYPE_LABELS[CaseType(case.case_type)]}» است، نه "
            f"«{CASE_TYPE_LABELS[row.case_type]}»",
            H_CASE_TYPE if row.kind == StepKind.REJECTION else H_ACTION,
        )
    lic.decide_case(
        uow,
        case.id,
        approve,
        row.on_date,
        row.meeting_on,
        row.legal_basis,
        note=row.note,
        override_reason=override,
    )


def _first_decision(uow: UnitOfWork, ngo_id: str, row: Row, approve: bool, started: bool) -> None:
    """The exception: a council decision as an NGO's first imported step makes its case, received that day
    (what came before is unknown), with the decision, its meeting and its legal basis."""
    if started:
        raise RowRefused(
            f"تصمیم شورا برای پرونده‌ای گرفته می‌شود و این سمن پرونده بازی ندارد؛ {_NO_CASE} "
            "(فقط نخستین اقدام سابقه یک سمن می‌تواند تصمیم شورا بی درخواست باشد)"
        )
    ngo = load_ngo(uow, ngo_id)
    case_type = row.case_type or CaseType.ESTABLISHMENT
    state = LicenceState(ngo.licence_state)
    if case_type not in allowed_case_types(state, ngo.level):
        raise TransitionError(
            f"پرونده «{CASE_TYPE_LABELS[case_type]}» برای سمنی در وضعیت «{LICENCE_STATE_LABELS[state]}» "
            "قابل تشکیل نیست؛ سابقه را با صدور پروانه آغاز کنید"
        )
    case = LicenceCase(
        **stamps(),
        ngo_id=ngo.id,
        county_id=ngo.county_id,
        case_type=case_type.value,
        tracking_no=next_tracking_no(uow, row.on_date),
        received_on=row.on_date,
        state=CaseState.RECEIVED.value,
    )
    uow.s.add(case)
    uow.s.flush()
    kind = StepKind.APPROVAL if approve else StepKind.REJECTION
    lic.apply_licence_step(
        uow,
        ngo,
        kind,
        row.on_date,
        legal_basis=row.legal_basis,
        note=row.note,
        case_id=case.id,
        imported=True,
    )
    case.decision = "approved" if approve else "rejected"
    case.decided_on = row.on_date
    case.meeting_on = row.meeting_on
    case.legal_basis = row.legal_basis
    case.state = (CaseState.APPROVED if approve else CaseState.REJECTED).value
    case.updated_at = now_utc()
    uow.s.add(case)
    uow.s.flush()


def _completion(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    """An issue, credential, renewal, upgrade or conformity: it ends the NGO's approved case of its type; with
    no case open, it is a step of its own (history before the desk) that the lifecycle allows."""
    row = rows[0]
    wanted = COMPLETES[row.kind]
    label = action_label(row.kind)
    case = find_open_case(uow, ngo_id)
    if case is None:
        _direct_completion(uow, ngo_id, row, started)
        return
    if case.case_type != wanted.value:
        raise RowRefused(
            f"پرونده باز این سمن «{CASE_TYPE_LABELS[CaseType(case.case_type)]}» است؛ «{label}» پایان "
            f"پرونده «{CASE_TYPE_LABELS[wanted]}» است"
        )
    if case.state != CaseState.APPROVED.value:
        raise TransitionError(
            f"«{label}» پس از موافقت شورا با پرونده ممکن است؛ این پرونده هنوز موافقت نگرفته است"
        )
    began_with_decision = not _has_request(uow, case.id)
    if row.kind not in _FIRST_ISSUES or (row.kind == StepKind.ISSUE and not began_with_decision):
        lic.complete_case(
            uow,
            case.id,
            row.on_date,
            licence_number=row.licence_number or None,
            expires_on=row.expires_on,
            note=row.note,
        )
        _set_basis(uow, case.id, row)
        return
    if not began_with_decision:  # a credential ends the case as an issue does: by the same rule
        refused = approval_refusal(standing_of(uow, case))
        if refused:
            raise TransitionError(f"{label} ممکن نیست: {refused}")
    _issue(uow, ngo_id, row, case.id)
    close_case(case)
    uow.s.add(case)
    uow.s.flush()


def _direct_completion(uow: UnitOfWork, ngo_id: str, row: Row, started: bool) -> None:
    ngo = load_ngo(uow, ngo_id)
    if row.kind in _FIRST_ISSUES and ngo.licence_state == LicenceState.NONE.value and started:
        raise TransitionError(
            f"«{action_label(row.kind)}» پس از موافقت شورا با تأسیس ممکن است (فقط نخستین اقدام سابقه یک "
            "سمن می‌تواند صدور پروانه بی پرونده باشد)"
        )
    _issue(uow, ngo_id, row, None)


def _issue(uow: UnitOfWork, ngo_id: str, row: Row, case_id: str | None) -> None:
    lic.apply_licence_step(
        uow,
        ngo_id,
        row.kind,
        row.on_date,
        licence_number=row.licence_number or None,
        expires_on=row.expires_on,
        legal_basis=row.legal_basis,
        note=row.note,
        case_id=case_id,
        imported=True,
    )


def _has_request(uow: UnitOfWork, case_id: str) -> bool:
    stmt = select(LicenceStep.id).where(
        LicenceStep.case_id == case_id, LicenceStep.kind == StepKind.REQUEST.value
    )
    return uow.s.execute(stmt.limit(1)).first() is not None


def _set_basis(uow: UnitOfWork, case_id: str, row: Row) -> None:
    """The legal basis the sheet gives the step that ended a case (the completion services take none)."""
    if not row.legal_basis:
        return
    stmt = (
        select(LicenceStep)
        .where(LicenceStep.case_id == case_id, LicenceStep.kind == row.kind.value)
        .order_by(LicenceStep.created_at.desc())
        .limit(1)
    )
    step = uow.s.scalars(stmt).first()
    if step is not None and step.legal_basis != row.legal_basis:
        step.legal_basis = row.legal_basis
        uow.s.add(step)
        uow.s.flush()


def _withdrawal(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    row = rows[0]
    case = _open_case(uow, ngo_id, "«مختومه شدن پرونده» برای یک پرونده ثبت می‌شود")
    lic.withdraw_case(uow, case.id, row.on_date, reason=row.note)


def _sanction(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    row = rows[0]
    lic.impose_sanction(uow, ngo_id, row.kind, row.on_date, row.letter_no, row.note, row.legal_basis)


def _lifting(uow: UnitOfWork, ngo_id: str, rows: list[Row], started: bool) -> None:
    row = rows[0]
    lic.lift_suspension(uow, ngo_id, row.on_date, row.letter_no, note=row.note, legal_basis=row.legal_basis)
