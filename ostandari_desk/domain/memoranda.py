"""Memoranda (تفاهم‌نامه‌ها): labels, the release rule for paying a memorandum's credit in tranches, and the
overdue flag. Pure Python: the services bring the stored numbers, this module says yes or why not.

The release rule (IMPORT_TEMPLATES.md, «پرداخت‌ها»; thresholds are settings): tranches are paid in order
without gaps; the first at most 50% of the amount, any time after signing; any later one only once a
progress report of at least 50%, dated on or before the payment, is on file; payments never add up to more
than the amount; nothing is paid on a cancelled memorandum. Money is whole rials (int), never floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ostandari_desk.domain.text import format_rials, to_persian_digits

ACTIVE, COMPLETED, CANCELLED = "active", "completed", "cancelled"
STATE_LABELS: dict[str, str] = {ACTIVE: "جاری", COMPLETED: "خاتمه‌یافته", CANCELLED: "لغوشده"}
PARTY_NGO, PARTY_COUNTY = "ngo", "county"
PARTY_LABELS: dict[str, str] = {PARTY_COUNTY: "فرمانداری", PARTY_NGO: "سمن"}
DEFAULT_DURATION_MONTHS = 3
DURATION_MIN, DURATION_MAX = 1, 36
MAX_RIALS = 2**63 - 1  # a 64-bit column


@dataclass(frozen=True)
class ReleaseRule:
    """The thresholds of the release rule (percentages, whole numbers 1–100)."""

    first_tranche_max_percent: int = 50  # the first tranche: at most this share of the amount
    later_tranche_min_progress: int = 50  # a later tranche: progress at least this, on or before the payment


def percent(value: int) -> str:
    """«۵۰٪»: a whole percentage with Persian digits."""
    return f"{to_persian_digits(value)}٪"


def first_tranche_cap(amount: int, rule: ReleaseRule = ReleaseRule()) -> int:
    """The most the first tranche may be: ``first_tranche_max_percent`` of ``amount``, rounded down."""
    return amount * rule.first_tranche_max_percent // 100


RULE_CANCELLED, RULE_ORDER, RULE_AMOUNT, RULE_TOTAL, RULE_FIRST, RULE_PROGRESS = (
    "cancelled",
    "order",
    "amount",
    "total",
    "first",
    "progress",
)


def release_refusal(
    amount: int,
    paid_so_far: int,
    tranche_no: int,
    tranche_amount: int,
    progress_on_or_before_payment: int | None,
    cancelled: bool,
    rule: ReleaseRule = ReleaseRule(),
    *,
    next_tranche_no: int | None = None,
) -> str | None:
    """Why this tranche may not be paid (a Persian sentence naming the rule), or None when it may.

    Args:
        amount: the memorandum's amount (rials).
        paid_so_far: what its earlier tranches add up to (rials).
        tranche_no: the tranche asked for (1, 2, 3…).
        tranche_amount: the payment (rials).
        progress_on_or_before_payment: the highest progress % of the reports dated on or before the
            payment (None: no report by then).
        cancelled: the memorandum is cancelled.
        rule: the thresholds (settings).
        next_tranche_no: the tranche that comes next (the stored tranches' count + 1); when given, any
            other number is refused (tranches in order, without gaps).
    """
    broken = release_check(
        amount,
        paid_so_far,
        tranche_no,
        tranche_amount,
        progress_on_or_before_payment,
        cancelled,
        rule,
        next_tranche_no=next_tranche_no,
    )
    return None if broken is None else broken[1]


def release_check(
    amount: int,
    paid_so_far: int,
    tranche_no: int,
    tranche_amount: int,
    progress_on_or_before_payment: int | None,
    cancelled: bool,
    rule: ReleaseRule = ReleaseRule(),
    *,
    next_tranche_no: int | None = None,
) -> tuple[str, str] | None:
    """``release_refusal`` with the rule broken: (one of the RULE_* keys, the sentence), or None."""
    if cancelled:
        return RULE_CANCELLED, (
            "تفاهم‌نامه لغو شده است (قاعده پرداخت: به تفاهم‌نامه لغوشده هیچ پرداختی انجام نمی‌شود)"
        )
    if tranche_no < 1 or (next_tranche_no is not None and tranche_no != next_tranche_no):
        expected = f"؛ مرحله بعدی، مرحله {to_persian_digits(next_tranche_no)} است" if next_tranche_no else ""
        return RULE_ORDER, (
            f"مرحله {to_persian_digits(tranche_no)} به ترتیب نیست{expected} "
            "(قاعده پرداخت: مرحله‌ها به ترتیب و بی‌فاصله پرداخت می‌شوند)"
        )
    if tranche_amount <= 0:
        return RULE_AMOUNT, "مبلغ پرداخت باید بیشتر از صفر ریال باشد"
    remaining = amount - paid_so_far
    if tranche_amount > remaining:
        return RULE_TOTAL, (
            f"این پرداخت از مانده تفاهم‌نامه ({format_rials(max(remaining, 0))}) بیشتر است "
            "(قاعده پرداخت: جمع پرداخت‌ها هرگز از مبلغ تفاهم‌نامه بیشتر نمی‌شود)"
        )
    first_max = rule.first_tranche_max_percent
    if tranche_no == 1 and tranche_amount * 100 > amount * first_max:
        return RULE_FIRST, (
            f"مرحله نخست حداکثر {percent(first_max)} مبلغ تفاهم‌نامه، یعنی "
            f"{format_rials(first_tranche_cap(amount, rule))}، است "
            f"(قاعده پرداخت: مرحله نخست تا {percent(first_max)} مبلغ)"
        )
    needed = rule.later_tranche_min_progress
    progress = progress_on_or_before_payment
    if tranche_no > 1 and (progress is None or progress < needed):
        so_far = "" if progress is None else f"؛ پیشرفت ثبت‌شده تا تاریخ پرداخت {percent(progress)} است"
        return RULE_PROGRESS, (
            f"گزارش پیشرفت {percent(needed)} ثبت نشده است{so_far} "
            f"(قاعده پرداخت: مرحله‌های پس از نخست تنها پس از ثبت گزارش پیشرفت دست‌کم "
            f"{percent(needed)} با تاریخی تا روز پرداخت پرداخت می‌شوند)"
        )
    return None


def is_overdue(ends_on: date | None, latest_percent: int | None, state: str, today: date) -> bool:
    """A running memorandum past its end date without 100% progress."""
    return state == ACTIVE and ends_on is not None and ends_on < today and (latest_percent or 0) < 100


def paid_percent(amount: int, paid: int) -> int:
    """The share of ``amount`` paid, as a whole percentage rounded down (integer arithmetic)."""
    return paid * 100 // amount if amount > 0 else 0


__all__ = [
    "ACTIVE",
    "CANCELLED",
    "COMPLETED",
    "DEFAULT_DURATION_MONTHS",
    "DURATION_MAX",
    "DURATION_MIN",
    "MAX_RIALS",
    "PARTY_COUNTY",
    "PARTY_LABELS",
    "PARTY_NGO",
    "RULE_AMOUNT",
    "RULE_CANCELLED",
    "RULE_FIRST",
    "RULE_ORDER",
    "RULE_PROGRESS",
    "RULE_TOTAL",
    "STATE_LABELS",
    "ReleaseRule",
    "first_tranche_cap",
    "is_overdue",
    "paid_percent",
    "percent",
    "release_check",
    "release_refusal",
]
