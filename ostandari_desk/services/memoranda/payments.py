"""Payments of a memorandum's credit in tranches, under the release rule (domain/memoranda.py) with its
thresholds from the settings. One validator for the dialog and the ``payments`` importer; ``why_not_payable``
gives the payment dialog its sentence before the clerk saves.

A payment belongs to its memorandum's county: the memorandum is read through the unit of work (scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ostandari_desk import settings
from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.errors import NotFoundError, PermissionDeniedError, ValidationError
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.memoranda.memoranda import get_stored
from ostandari_desk.store.models import Memorandum, Payment, ProgressReport
from ostandari_desk.store.uow import UnitOfWork

MISSING_PAYMENT = "پرداخت پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است"

# the field a broken release rule is reported on (PaymentInput's)
_RULE_FIELDS = {
    rules.RULE_CANCELLED: "memorandum_id",
    rules.RULE_ORDER: "tranche_no",
    rules.RULE_AMOUNT: "amount",
    rules.RULE_TOTAL: "amount",
    rules.RULE_FIRST: "amount",
    rules.RULE_PROGRESS: "paid_on",
}


@dataclass(frozen=True)
class PaymentInput:
    memorandum_id: str
    paid_on: date | None
    tranche_no: int | None
    amount: int | None


def release_rule(uow: UnitOfWork) -> rules.ReleaseRule:
    """The release rule's thresholds as set (settings ``release_first_tranche_max_percent`` and
    ``release_later_min_progress``)."""
    with uow:
        return rules.ReleaseRule(
            first_tranche_max_percent=int(settings.get_setting(uow, "release_first_tranche_max_percent")),
            later_tranche_min_progress=int(settings.get_setting(uow, "release_later_min_progress")),
        )


def progress_by(uow: UnitOfWork, memorandum_id: str, on: date) -> int | None:
    """The highest progress % reported on or before ``on`` (None: no report by then)."""
    with uow:
        return uow.s.execute(
            select(func.max(ProgressReport.percent)).where(
                ProgressReport.memorandum_id == memorandum_id, ProgressReport.reported_on <= on
            )
        ).scalar()


def _tranches(uow: UnitOfWork, memorandum_id: str) -> tuple[int, int, date | None]:
    """(tranches stored, what they add up to, the last one's date)."""
    count, paid = uow.s.execute(
        select(func.count(), func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.memorandum_id == memorandum_id
        )
    ).one()
    last_on = uow.s.execute(
        select(Payment.paid_on)
        .where(Payment.memorandum_id == memorandum_id)
        .order_by(Payment.tranche_no.desc())
        .limit(1)
    ).scalar()
    return int(count), int(paid), last_on


def next_tranche_no(uow: UnitOfWork, memorandum_id: str) -> int:
    """The tranche the memorandum's next payment is (1 when none is paid)."""
    with uow:
        get_stored(uow, memorandum_id)
        return _tranches(uow, memorandum_id)[0] + 1


def _memorandum(uow: UnitOfWork, memorandum_id: str | None) -> tuple[Memorandum | None, str]:
    """(the memorandum, "") within scope, or (None, why not)."""
    if not memorandum_id:
        return None, "تفاهم‌نامه پرداخت مشخص نشده است"
    try:
        return get_stored(uow, memorandum_id), ""
    except (NotFoundError, PermissionDeniedError) as exc:
        return None, exc.message


def _amount_error(amount: object) -> str:
    if amount is None:
        return "مبلغ پرداخت وارد نشده است"
    if isinstance(amount, bool) or not isinstance(amount, int):
        return "مبلغ پرداخت باید عددی درست به ریال باشد"
    if amount <= 0:
        return "مبلغ پرداخت باید بیشتر از صفر ریال باشد"
    if amount > rules.MAX_RIALS:
        return "مبلغ پرداخت بیش از اندازه بزرگ است"
    return ""


def _errors(uow: UnitOfWork, data: PaymentInput, *, check_amount: bool = True) -> list[ValidationError]:
    errors: list[ValidationError] = []

    def fail(field: str, message: str) -> None:
        errors.append(ValidationError(message, field=field, record=data.memorandum_id or None))

    memorandum, why = _memorandum(uow, data.memorandum_id)
    if memorandum is None:
        fail("memorandum_id", why)
        return errors
    count, paid, last_on = _tranches(uow, memorandum.id)
    paid_on = data.paid_on
    if not isinstance(paid_on, date):
        fail("paid_on", "تاریخ پرداخت وارد نشده است")
        paid_on = None
    elif paid_on < memorandum.signed_on:
        fail(
            "paid_on",
            f"تاریخ پرداخت ({format_jalali(paid_on)}) پیش از تاریخ انعقاد ({format_jalali(memorandum.signed_on)}) است",
        )
        paid_on = None
    elif last_on is not None and paid_on < last_on:
        fail(
            "paid_on",
            f"تاریخ پرداخت ({format_jalali(paid_on)}) پیش از پرداخت مرحله {text.to_persian_digits(count)} "
            f"({format_jalali(last_on)}) است (قاعده پرداخت: مرحله‌ها به ترتیب پرداخت می‌شوند)",
        )
        paid_on = None
    tranche_no = data.tranche_no
    if isinstance(tranche_no, bool) or not isinstance(tranche_no, int):
        fail("tranche_no", "مرحله پرداخت باید عددی درست (۱، ۲، ۳…) باشد")
        tranche_no = None
    if check_amount and (reason := _amount_error(data.amount)):
        fail("amount", reason)
    if tranche_no is None or any(e.field == "amount" for e in errors):
        return errors
    broken = rules.release_check(
        memorandum.amount,
        paid,
        tranche_no,
        data.amount if check_amount else 1,  # no amount typed yet: ask about the smallest payment
        progress_by(uow, memorandum.id, paid_on) if paid_on is not None else None,
        memorandum.state == rules.CANCELLED,
        release_rule(uow),
        next_tranche_no=count + 1,
    )
    if broken is not None and not (broken[0] == rules.RULE_PROGRESS and paid_on is None):
        fail(_RULE_FIELDS[broken[0]], broken[1])
    return errors


def payment_errors(uow: UnitOfWork, data: PaymentInput) -> list[ValidationError]:
    """Every rule ``data`` breaks, each naming its PaymentInput field ([] = none).

    THE rules of a payment (the dialog's, through ``add_payment``, and the «پرداخت‌ها» importer's): the
    memorandum in scope; paid_on a date not before signing nor before the previous tranche; amount whole
    rials > 0; then the release rule (domain/memoranda.py with the settings' thresholds): tranche_no the
    next one, no payment on a cancelled memorandum (field memorandum_id), never beyond the amount, the first
    tranche within its share (field amount), a later one only with enough progress on file by paid_on
    (field paid_on).
    """
    with uow:
        return _errors(uow, data)


def why_not_payable(
    uow: UnitOfWork, memorandum_id: str, paid_on: date | None, amount: int | None = None
) -> str | None:
    """The sentence the payment dialog shows when the memorandum's next tranche may not be paid on
    ``paid_on`` (of ``amount``, when typed), e.g. «گزارش پیشرفت ۵۰٪ ثبت نشده است…»; None when it may."""
    with uow:
        memorandum, why = _memorandum(uow, memorandum_id)
        if memorandum is None:
            return why
        data = PaymentInput(memorandum_id, paid_on, _tranches(uow, memorandum_id)[0] + 1, amount)
        errors = _errors(uow, data, check_amount=amount is not None)
        return errors[0].message if errors else None


def add_payment(uow: UnitOfWork, data: PaymentInput) -> str:
    """Store a tranche; returns its id.

    Raises:
        ValidationError: a field breaks a rule, or the release rule refuses (the error names the field
            and the rule).
        PermissionDeniedError: another county's memorandum.
    """
    with uow.writing():
        errors = _errors(uow, data)
        if errors:
            if errors[0].field == "memorandum_id" and data.memorandum_id:
                get_stored(uow, data.memorandum_id)  # NotFound / PermissionDenied as such
            raise errors[0]
        payment = Payment(
            **stamps(),
            memorandum_id=data.memorandum_id,
            paid_on=data.paid_on,
            tranche_no=data.tranche_no,
            amount=data.amount,
        )
        uow.s.add(payment)
        uow.s.flush()
        uow.commit()
        return payment.id


def remove_payment(uow: UnitOfWork, payment_id: str) -> None:
    """Delete a payment: only a memorandum's last tranche (the others would leave a gap)."""
    with uow.writing():
        payment = uow.s.get(Payment, payment_id)
        if payment is None:
            raise NotFoundError(MISSING_PAYMENT, record=payment_id)
        get_stored(uow, payment.memorandum_id)
        last = uow.s.execute(
            select(func.max(Payment.tranche_no)).where(Payment.memorandum_id == payment.memorandum_id)
        ).scalar()
        if payment.tranche_no != last:
            raise ValidationError(
                f"فقط آخرین مرحله پرداخت (مرحله {text.to_persian_digits(last)}) حذف می‌شود "
                "(قاعده پرداخت: مرحله‌ها بی‌فاصله می‌مانند)",
                field="tranche_no",
                record=payment_id,
            )
        uow.s.delete(payment)
        uow.commit()


__all__ = [
    "PaymentInput",
    "add_payment",
    "next_tranche_no",
    "payment_errors",
    "progress_by",
    "release_rule",
    "remove_payment",
    "why_not_payable",
]
