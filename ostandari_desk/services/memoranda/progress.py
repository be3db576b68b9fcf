"""Progress reports of a memorandum: a date, a percentage that never goes backwards, a note, and scans
(services/attachments, kind PROGRESS). One validator for the dialog and the ``progress`` importer.

"Never backwards" holds in date order: a report may not be below one dated on or before it, nor above one
dated after it. So a memorandum's highest percentage is its latest, and a payment's progress "on or before"
its date is the highest percentage by then. A report belongs to its memorandum's county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.errors import NotFoundError, PermissionDeniedError, ValidationError
from ostandari_desk.services import attachments
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.memoranda.memoranda import get_stored
from ostandari_desk.services.memoranda.payments import release_rule
from ostandari_desk.store.models import Payment, ProgressReport
from ostandari_desk.store.uow import UnitOfWork

NOTE_MAX = 2000
MISSING_PROGRESS = "گزارش پیشرفت پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است"


@dataclass(frozen=True)
class ProgressInput:
    memorandum_id: str
    reported_on: date | None
    percent: int | None
    note: str = ""


def _errors(uow: UnitOfWork, data: ProgressInput) -> list[ValidationError]:
    errors: list[ValidationError] = []

    def fail(field: str, message: str) -> None:
        errors.append(ValidationError(message, field=field, record=data.memorandum_id or None))

    if not data.memorandum_id:
        fail("memorandum_id", "تفاهم‌نامه گزارش پیشرفت مشخص نشده است")
        return errors
    try:
        memorandum = get_stored(uow, data.memorandum_id)
    except (NotFoundError, PermissionDeniedError) as exc:
        fail("memorandum_id", exc.message)
        return errors
    on = data.reported_on
    if not isinstance(on, date):
        fail("reported_on", "تاریخ گزارش پیشرفت وارد نشده است")
        on = None
    elif on < memorandum.signed_on:
        fail(
            "reported_on",
            f"تاریخ گزارش ({format_jalali(on)}) پیش از تاریخ انعقاد ({format_jalali(memorandum.signed_on)}) است",
        )
        on = None
    pct = data.percent
    if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 100:
        fail("percent", "درصد پیشرفت باید عددی درست از ۰ تا ۱۰۰ باشد")
    elif on is not None and (reason := _backwards(uow, memorandum.id, on, pct)):
        fail("percent", reason)
    if len(text.clean(data.note)) > NOTE_MAX:
        fail("note", f"توضیحات گزارش بیش از {text.to_persian_digits(NOTE_MAX)} نویسه است")
    return errors


def _backwards(uow: UnitOfWork, memorandum_id: str, on: date, pct: int) -> str:
    """Why ``pct`` on ``on`` would make the memorandum's progress go backwards ("" = it would not)."""
    of = ProgressReport.memorandum_id == memorandum_id
    before = uow.s.execute(
        select(ProgressReport.percent, ProgressReport.reported_on)
        .where(of, ProgressReport.reported_on <= on)
        .order_by(ProgressReport.percent.desc())
        .limit(1)
    ).first()
    if before is not None and before.percent > pct:
        return (
            f"پیشرفت به عقب برنمی‌گردد: گزارش {format_jalali(before.reported_on)} "
            f"{rules.percent(before.percent)} بوده است و این گزارش {rules.percent(pct)} است"
        )
    after = uow.s.execute(
        select(ProgressReport.percent, ProgressReport.reported_on)
        .where(of, ProgressReport.reported_on > on)
        .order_by(ProgressReport.percent.asc())
        .limit(1)
    ).first()
    if after is not None and after.percent < pct:
        return (
            f"پیشرفت به عقب برنمی‌گردد: گزارش بعدی ({format_jalali(after.reported_on)}) "
            f"{rules.percent(after.percent)} است و این گزارش پیش از آن {rules.percent(pct)} نمی‌شود"
        )
    return ""


def progress_errors(uow: UnitOfWork, data: ProgressInput) -> list[ValidationError]:
    """Every rule ``data`` breaks, each naming its ProgressInput field ([] = none): the memorandum in scope,
    reported_on not before its signing, percent a whole number 0–100 that does not go backwards (see the
    module docstring), the note's length. THE rules of a progress report (dialog and importer)."""
    with uow:
        return _errors(uow, data)


def add_progress(uow: UnitOfWork, data: ProgressInput) -> str:
    """Store a progress report; returns its id.

    Raises:
        ValidationError: a field breaks a rule (the error names it).
        PermissionDeniedError: another county's memorandum.
    """
    with uow.writing():
        errors = _errors(uow, data)
        if errors:
            if errors[0].field == "memorandum_id" and data.memorandum_id:
                get_stored(uow, data.memorandum_id)  # NotFound / PermissionDenied as such
            raise errors[0]
        report = ProgressReport(
            **stamps(),
            memorandum_id=data.memorandum_id,
            reported_on=data.reported_on,
            percent=data.percent,
            note=text.clean(data.note),
        )
        uow.s.add(report)
        uow.s.flush()
        uow.commit()
        return report.id


def _latest(uow: UnitOfWork, memorandum_id: str) -> ProgressReport | None:
    return uow.s.scalars(
        select(ProgressReport)
        .where(ProgressReport.memorandum_id == memorandum_id)
        .order_by(
            ProgressReport.reported_on.desc(), ProgressReport.percent.desc(), ProgressReport.created_at.desc()
        )
        .limit(1)
    ).first()


def _relying_tranche(uow: UnitOfWork, report: ProgressReport) -> int | None:
    """The first later tranche (≥ 2) that the release rule would refuse without ``report``."""
    needed = release_rule(uow).later_tranche_min_progress
    payments = uow.s.execute(
        select(Payment.tranche_no, Payment.paid_on)
        .where(Payment.memorandum_id == report.memorandum_id, Payment.tranche_no > 1)
        .order_by(Payment.tranche_no)
    ).all()
    for tranche_no, paid_on in payments:
        if paid_on < report.reported_on:
            continue
        others = uow.s.execute(
            select(func.max(ProgressReport.percent)).where(
                ProgressReport.memorandum_id == report.memorandum_id,
                ProgressReport.reported_on <= paid_on,
                ProgressReport.id != report.id,
            )
        ).scalar()
        if others is None or others < needed:
            return tranche_no
    return None


def remove_progress(uow: UnitOfWork, progress_id: str) -> None:
    """Delete a progress report with its scans: only the memorandum's latest, and only if no payment relies
    on it (a later tranche the release rule would refuse without it)."""
    with uow.writing():
        report = uow.s.get(ProgressReport, progress_id)
        if report is None:
            raise NotFoundError(MISSING_PROGRESS, record=progress_id)
        get_stored(uow, report.memorandum_id)
        latest = _latest(uow, report.memorandum_id)
        if latest is None or latest.id != report.id:
            raise ValidationError(
                "فقط آخرین گزارش پیشرفت تفاهم‌نامه حذف می‌شود", field="reported_on", record=progress_id
            )
        if (tranche := _relying_tranche(uow, report)) is not None:
            raise ValidationError(
                f"پرداخت مرحله {text.to_persian_digits(tranche)} به این گزارش پیشرفت تکیه دارد؛ "
                "نخست آن پرداخت را حذف کنید",
                field="percent",
                record=progress_id,
            )
        attachments.remove_owner_attachments(uow, attachments.PROGRESS, progress_id)
        uow.s.delete(report)
        uow.commit()


__all__ = ["ProgressInput", "add_progress", "progress_errors", "remove_progress"]
