"""The one low-level licence step: check the lifecycle, write Licence rows and the LicenceStep.

`apply_licence_step` never commits: the case services call it inside their unit of work's block and
the importer calls it for every row of a sheet inside ONE block, rolling back on any bad row. The
step records the acting user (``uow.actor``); a council decision or a sanction needs its permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import col, select

from ostandari_desk import settings
from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.lifecycle import (
    COMPLETION_STEP,
    FIRST_ISSUES,
    LEVEL_LABELS,
    NEEDS_A_LICENCE,
    SANCTIONS,
    STEP_LABELS,
    CaseState,
    CaseType,
    Level,
    LicenceState,
    StepKind,
    first_imported_step_allowed,
    licence_level_after,
    next_licence_state,
)
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import TransitionError, ValidationError
from ostandari_desk.services.audit import now_utc, stamps
from ostandari_desk.store.models import Licence, LicenceCase, LicenceStep, Ngo
from ostandari_desk.store.uow import UnitOfWork

# Steps that produce a new Licence row.
# A credential (اعتبارنامه) is a Licence row too: its issuing step's kind (CREDENTIAL) tells it apart.
LICENCE_ISSUING_STEPS = (StepKind.ISSUE, StepKind.CREDENTIAL, StepKind.RENEWAL, StepKind.UPGRADE)
# The case whose completion each of them is (domain.lifecycle.COMPLETION_STEP the other way round); a
# credential ends an establishment case as an issue does.
COMPLETED_CASE_TYPE = {step: case_type for case_type, step in COMPLETION_STEP.items()} | {
    StepKind.CREDENTIAL: CaseType.ESTABLISHMENT
}

# A case in these states is finished; any other is open (an approved one awaits its completion).
CLOSED_CASE_STATES = (CaseState.REJECTED.value, CaseState.CLOSED.value)
# The reason recorded on a case closed because its NGO's licence (or approval) was revoked.
REVOCATION_CLOSE_REASON = "لغو پروانه"

# The licence's state after a direct step on it.
_SANCTIONED_STATES = {
    StepKind.SUSPENSION: "suspended",
    StepKind.LIFTING: "valid",
    StepKind.REVOCATION: "revoked",
}

# Steps only a role with the permission may record (a manager, an admin): the council's decision, the
# override of an unfavourable inquiry, the sanctions ladder and the lifting. Checked on every path, the
# importer's included.
STEP_PERMISSIONS: dict[StepKind, Permission] = {
    StepKind.APPROVAL: Permission.DECIDE,
    StepKind.REJECTION: Permission.DECIDE,
    StepKind.INQUIRY_OVERRIDE: Permission.DECIDE,
    StepKind.LIFTING: Permission.SANCTION,
    **{kind: Permission.SANCTION for kind in SANCTIONS},
}

# Values, screen labels, and the action names of the licences import sheet (IMPORT_TEMPLATES.md).
_STEP_BY_NAME = (
    {kind.value: kind for kind in StepKind}
    | {text.normalize(label): kind for kind, label in STEP_LABELS.items()}
    | {text.normalize("موافقت با تأسیس"): StepKind.APPROVAL}
)


def load_ngo(uow: UnitOfWork, ngo: Ngo | str) -> Ngo:
    """The NGO object for an id, or the object itself; inside the caller's block.

    Raises:
        NotFoundError: no such NGO.
        PermissionDeniedError: the NGO belongs to a county outside the actor's scope.
    """
    if isinstance(ngo, Ngo):
        return ngo
    return uow.get(Ngo, ngo, missing="سمن موردنظر پیدا نشد؛ شاید حذف شده باشد.")


def require_step_permission(uow: UnitOfWork, kind: StepKind) -> None:
    """PermissionDeniedError (Persian) when the actor may not record a step of ``kind``."""
    permission = STEP_PERMISSIONS.get(kind)
    if permission is not None:
        uow.require(permission)


def step_kind(value: StepKind | str) -> StepKind:
    """A StepKind from its value ('issue') or its Persian label ('صدور پروانه')."""
    if isinstance(value, StepKind):
        return value
    kind = _STEP_BY_NAME.get(value) or _STEP_BY_NAME.get(text.normalize(value))
    if kind is None:
        raise ValidationError(f"اقدام «{text.clean(str(value))}» شناخته نیست.", field="kind")
    return kind


def require_date(value: date | None, label: str, field: str) -> date:
    if value is None:
        raise ValidationError(f"{label} وارد نشده است.", field=field)
    if not isinstance(value, date):
        raise ValidationError(f"{label} نادرست است.", field=field)
    return value


def clean_code(value: str | None) -> str:
    """Letter and licence numbers: display-clean, digits stored Latin (screens show them Persian)."""
    return text.digits_to_latin(text.clean(value or ""))


def current_licence(uow: UnitOfWork, ngo_id: str) -> Licence | None:
    """The NGO's newest licence that a renewal or upgrade has not replaced (any state but 'renewed')."""
    stmt = (
        select(Licence)
        .where(Licence.ngo_id == ngo_id, Licence.state != "renewed")
        .order_by(col(Licence.issued_on).desc(), col(Licence.created_at).desc())
        .limit(1)
    )
    with uow:
        return uow.s.exec(stmt).first()


def _last_step_date(uow: UnitOfWork, ngo_id: str, *, skip_answers: bool = False) -> date | None:
    """Date of the NGO's latest step (optionally ignoring inquiry answers, which arrive in any order)."""
    stmt = select(func.max(LicenceStep.on_date)).where(LicenceStep.ngo_id == ngo_id)
    if skip_answers:
        stmt = stmt.where(LicenceStep.kind != StepKind.INQUIRY_ANSWERED.value)
    return uow.s.exec(stmt).one()


def _check_in_order(uow: UnitOfWork, ngo: Ngo, kind: StepKind, on_date: date) -> None:
    """History must stay in date order: no step before the NGO's previous one."""
    last = _last_step_date(uow, ngo.id, skip_answers=kind == StepKind.INQUIRY_ANSWERED)
    if last is not None and on_date < last:
        raise ValidationError(
            f"تاریخ «{STEP_LABELS[kind]}» ({jalali.format_jalali(on_date)}) پیش از آخرین اقدام ثبت‌شده "
            f"این سمن ({jalali.format_jalali(last)}) است؛ سابقه باید به ترتیب تاریخ ثبت شود.",
            field="on_date",
        )


def step_exists(uow: UnitOfWork, ngo_id: str, kind: StepKind | str, on_date: date) -> bool:
    """Whether this NGO already has this step on this day (lets an import skip rows it stored before)."""
    stmt = (
        select(LicenceStep.id)
        .where(
            LicenceStep.ngo_id == ngo_id,
            LicenceStep.kind == step_kind(kind).value,
            LicenceStep.on_date == on_date,
        )
        .limit(1)
    )
    with uow:
        return uow.s.exec(stmt).first() is not None


def licence_number_key(number: str | None) -> str:
    """The form licence numbers are compared in: digits Latin, letters and spaces normalized."""
    return text.normalize(text.digits_to_latin(number or ""))


@dataclass(frozen=True)
class NumberHolder:
    """The licence already carrying a number, and its NGO."""

    licence_id: str
    number: str
    ngo_id: str
    ngo_name: str
    county_id: str | None


def licence_number_holder(
    uow: UnitOfWork, number: str | None, *, except_ngo_id: str | None = None
) -> NumberHolder | None:
    """The licence (and its NGO) already carrying `number`, compared normalized; None if it is free.

    ``except_ngo_id``: that NGO's own licences do not count (a renewal may keep its licence's number).
    Numbers are unique across the province, so this looks at every county's licences, whatever the
    actor's scope (a statement over the plain tables, which the session does not scope).
    """
    key = licence_number_key(number)
    if not key:
        return None
    lic, ngo = Licence.__table__.c, Ngo.__table__.c
    stmt = core_select(lic.id, lic.number, ngo.id, ngo.name, ngo.county_id).join_from(
        Licence.__table__, Ngo.__table__, ngo.id == lic.ngo_id
    )
    digits = [ch for ch in key if "0" <= ch <= "9"]
    if digits:  # stored numbers keep their digits Latin, so equal keys share this digit sequence
        stmt = stmt.where(lic.number.like("%" + "%".join(digits) + "%"))
    if except_ngo_id is not None:
        stmt = stmt.where(lic.ngo_id != except_ngo_id)
    with uow:
        for row in uow.s.connection().execute(stmt.order_by(lic.created_at)):
            if licence_number_key(row[1]) == key:
                return NumberHolder(*row)
    return None


def check_licence_number_free(
    uow: UnitOfWork, number: str | None, *, except_ngo_id: str | None = None
) -> None:
    """ValidationError (field licence_number) when another licence already carries `number`.

    The holder is named when the actor may see it, else only said to be of another county.
    """
    found = licence_number_holder(uow, number, except_ngo_id=except_ngo_id)
    if found is not None:
        shown = text.protect_hyphenated_numbers(text.to_persian_digits(text.clean(number)))
        holder = (
            f"سمن «{found.ngo_name}»" if uow.actor.sees_county(found.county_id) else "سمنی از شهرستان دیگر"
        )
        raise ValidationError(
            f"شماره پروانه «{shown}» پیش‌تر برای {holder} ثبت شده است.", field="licence_number"
        )


def open_cases_of(uow: UnitOfWork, ngo_id: str) -> list[LicenceCase]:
    """The NGO's cases not rejected or closed, oldest first (live objects: inside the caller's block)."""
    stmt = (
        select(LicenceCase)
        .where(LicenceCase.ngo_id == ngo_id, col(LicenceCase.state).not_in(CLOSED_CASE_STATES))
        .order_by(col(LicenceCase.received_on), col(LicenceCase.created_at))
    )
    return list(uow.s.exec(stmt))


def close_case(case: LicenceCase) -> None:
    """Mark the case closed (its WITHDRAWAL or completion step is the caller's)."""
    case.state = CaseState.CLOSED.value
    case.updated_at = now_utc()
    case.row_version += 1


def _validity(
    uow: UnitOfWork, level: str, on_date: date, validity_years: int | None, expires_on: date | None
) -> tuple[int, date]:
    if expires_on is not None:
        if not isinstance(expires_on, date):
            raise ValidationError("تاریخ انقضا نادرست است.", field="expires_on")
        if expires_on <= on_date:
            raise ValidationError("تاریخ انقضای پروانه باید پس از تاریخ صدور باشد.", field="expires_on")
        years = validity_years or max(jalali.jalali_year_of(expires_on) - jalali.jalali_year_of(on_date), 1)
        return years, expires_on
    if validity_years is None:
        # from the settings, never a constant in code
        validity_years = int(settings.validity_years_for(uow, level))
    if isinstance(validity_years, bool) or not isinstance(validity_years, int) or validity_years <= 0:
        raise ValidationError("مدت اعتبار پروانه باید عدد صحیح مثبت (سال) باشد.", field="validity_years")
    return validity_years, jalali.add_years(on_date, validity_years)


def apply_licence_step(
    uow: UnitOfWork,
    ngo: Ngo | str,
    kind: StepKind | str,
    on_date: date,
    *,
    licence_number: str | None = None,
    expires_on: date | None = None,
    validity_years: int | None = None,
    letter_no: str = "",
    reason: str = "",
    note: str = "",
    legal_basis: str = "",
    case_id: str | None = None,
    imported: bool = False,
) -> LicenceStep:
    """Validate and apply one step of an NGO's licence history, without committing.

    Call it inside the unit of work's block (``uow.s`` must be open); the caller commits. The step
    records ``uow.actor.full_name`` as its clerk.

    Args:
        uow: the caller's unit of work, inside its block.
        ngo: the Ngo object or its id.
        kind: a StepKind, its value or its Persian label.
        imported: history brought from a sheet; an NGO without a licence may start with an issue,
            and reasons / legal bases are not demanded (old sheets rarely carry them).

    A revocation also closes the NGO's open case (a WITHDRAWAL step, reason «لغو پروانه»).

    Returns:
        The new LicenceStep (flushed, so its id and the licence's are set).

    Raises:
        PermissionDeniedError: a council decision without DECIDE, a sanction without SANCTION, or an
            NGO outside the actor's county.
        TransitionError: the lifecycle does not allow the step now.
        ValidationError: a missing licence/letter number, reason or legal basis, a bad expiry,
            a licence number another NGO's licence already carries (compared normalized; a renewal
            or upgrade may keep its own NGO's number), or a date earlier than the NGO's previous step.
    """
    session = uow.s
    kind = step_kind(kind)
    require_step_permission(uow, kind)
    ngo = load_ngo(uow, ngo)
    on_date = require_date(on_date, "تاریخ اقدام", "on_date")
    licence_number = clean_code(licence_number)
    letter_no = clean_code(letter_no)
    reason, note, legal_basis = text.clean(reason), text.clean(note), text.clean(legal_basis)

    state = LicenceState(ngo.licence_state)
    if imported and state == LicenceState.NONE and kind in FIRST_ISSUES and first_imported_step_allowed(kind):
        new_state = LicenceState.VALID
    else:
        new_state = next_licence_state(state, kind)
    _check_in_order(uow, ngo, kind, on_date)
    _check_step_fields(kind, letter_no, reason, legal_basis, case_id, imported)

    current = current_licence(uow, ngo.id)
    if kind in NEEDS_A_LICENCE and current is None:
        raise TransitionError(f"«{STEP_LABELS[kind]}» برای سمنی که پروانه‌ای نگرفته است ممکن نیست.")
    licence_id = current.id if current is not None else None
    now = now_utc()
    if kind in LICENCE_ISSUING_STEPS:
        licence_id = _new_licence(
            uow, ngo, kind, current, on_date, licence_number, validity_years, expires_on, case_id
        ).id
    elif kind in _SANCTIONED_STATES and current is not None and current.state in ("valid", "suspended"):
        current.state = _SANCTIONED_STATES[kind]
        current.updated_at = now
        current.row_version += 1
        session.add(current)

    step = LicenceStep(
        **stamps(),
        ngo_id=ngo.id,
        county_id=ngo.county_id,
        case_id=case_id,
        licence_id=licence_id,
        kind=kind.value,
        on_date=on_date,
        clerk=text.clean(uow.actor.full_name),
        letter_no=letter_no,
        legal_basis=legal_basis,
        reason=reason,
        note=note,
    )
    session.add(step)
    if ngo.licence_state != new_state.value:
        ngo.licence_state = new_state.value
    ngo.updated_at = now
    session.add(ngo)
    session.flush()
    if kind == StepKind.REVOCATION:
        # A revoked NGO's open case (a renewal, an approved establishment…) can never be completed.
        for case in open_cases_of(uow, ngo.id):
            apply_licence_step(
                uow,
                ngo,
                StepKind.WITHDRAWAL,
                on_date,
                reason=REVOCATION_CLOSE_REASON,
                case_id=case.id,
                imported=imported,
            )
            close_case(case)
            session.add(case)
        session.flush()
    return step


def _check_step_fields(
    kind: StepKind, letter_no: str, reason: str, legal_basis: str, case_id: str | None, imported: bool
) -> None:
    """The fields a step of ``kind`` cannot go without (an import is spared reasons and legal bases).

    Every rung of the sanctions ladder carries its letter (filed as a punitive letter), its reason and
    its legal basis.
    """
    if kind in (StepKind.APPROVAL, StepKind.REJECTION) and not legal_basis and not imported:
        raise ValidationError("مبنای قانونی تصمیم شورا (آیین‌نامه و ماده) را وارد کنید.", field="legal_basis")
    if kind in SANCTIONS:
        if not letter_no:
            raise ValidationError(f"شماره نامه «{STEP_LABELS[kind]}» را وارد کنید.", field="letter_no")
        if not reason and not imported:
            raise ValidationError(f"دلیل «{STEP_LABELS[kind]}» را وارد کنید.", field="reason")
        if not legal_basis and not imported:
            raise ValidationError(
                f"مبنای قانونی «{STEP_LABELS[kind]}» (آیین‌نامه و ماده) را وارد کنید.", field="legal_basis"
            )
    if kind == StepKind.INQUIRY_OVERRIDE:
        if case_id is None:
            raise ValidationError("عدول از پاسخ استعلام فقط برای یک پرونده ثبت می‌شود.", field="case_id")
        if not reason:
            raise ValidationError(
                "دلیل مکتوب عدول از پاسخ منفی استعلام را وارد کنید.", field="override_reason"
            )
    if kind == StepKind.WITHDRAWAL:
        if case_id is None:
            raise ValidationError("«مختومه شدن پرونده» فقط برای یک پرونده ثبت می‌شود.", field="case_id")
        if not reason and not imported:
            raise ValidationError("دلیل مختومه شدن پرونده را وارد کنید.", field="reason")


def _new_licence(
    uow: UnitOfWork,
    ngo: Ngo,
    kind: StepKind,
    current: Licence | None,
    on_date: date,
    licence_number: str,
    validity_years: int | None,
    expires_on: date | None,
    case_id: str | None,
) -> Licence:
    """The Licence an issue, renewal or upgrade produces (a renewed one is marked 'renewed')."""
    if not licence_number:
        raise ValidationError("شماره پروانه را وارد کنید.", field="licence_number")
    level = licence_level_after(COMPLETED_CASE_TYPE.get(kind, "establishment"), ngo.level).value
    renewed_from: str | None = None
    if kind in (StepKind.RENEWAL, StepKind.UPGRADE):
        if current is None or current.state != "valid":
            raise TransitionError(f"«{STEP_LABELS[kind]}» بدون پروانه معتبر ممکن نیست.")
        renewed_from = current.id
    if kind == StepKind.UPGRADE and ngo.level != Level.COUNTY:
        raise TransitionError(
            f"فقط سمن شهرستانی ارتقا می‌یابد؛ سطح این سمن «{LEVEL_LABELS[Level(ngo.level)]}» است."
        )
    # Numbers are unique across all NGOs; a renewal or upgrade may keep its own licence's number.
    check_licence_number_free(uow, licence_number, except_ngo_id=ngo.id if renewed_from is not None else None)
    years, expiry = _validity(uow, level, on_date, validity_years, expires_on)
    # Everything is checked: from here on the session changes.
    if current is not None and renewed_from is not None:
        current.state = "renewed"
        current.updated_at = now_utc()
        current.row_version += 1
        uow.s.add(current)
    if kind == StepKind.UPGRADE:
        ngo.level = level
        ngo.row_version += 1  # a real field of the NGO changed: stale edit forms must reload
    licence = Licence(
        **stamps(),
        ngo_id=ngo.id,
        county_id=ngo.county_id,
        case_id=case_id,
        number=licence_number,
        level=level,
        issued_on=on_date,
        expires_on=expiry,
        validity_years=years,
        state="valid",
        renewed_from_id=renewed_from,
    )
    uow.s.add(licence)
    return licence
