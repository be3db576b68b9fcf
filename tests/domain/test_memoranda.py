"""The release rule exactly as IMPORT_TEMPLATES.md states it, and the overdue flag."""

from __future__ import annotations

from datetime import date

import pytest

from ostandari_desk.domain import memoranda as m
from ostandari_desk.domain.memoranda import ReleaseRule, is_overdue, release_check, release_refusal

AMOUNT = 10_800_000_000  # the East Azerbaijan year's total, as one amount: exact in ints
RULE = "قاعده پرداخت"


def refusal(tranche_no=1, tranche_amount=1_000, paid=0, progress=None, cancelled=False, amount=10_000, **kw):
    return release_refusal(amount, paid, tranche_no, tranche_amount, progress, cancelled, **kw)


def test_first_tranche_up_to_half_at_any_time_after_signing():
    assert refusal(1, 5_000) is None  # exactly 50%
    assert refusal(1, 1) is None
    assert refusal(1, AMOUNT // 2, amount=AMOUNT) is None
    message = refusal(1, 5_001)
    assert message is not None and "مرحله نخست" in message and "۵۰٪" in message and RULE in message
    assert "۵٬۰۰۰ ریال" in message  # the ceiling, in rials with Persian digits and separators
    assert refusal(1, AMOUNT // 2 + 1, amount=AMOUNT) is not None


def test_first_tranche_share_is_integer_arithmetic():
    # 50% of 10,001 rials is 5,000.5: 5,000 may be paid, 5,001 may not (no float rounding)
    assert refusal(1, 5_000, amount=10_001) is None
    assert refusal(1, 5_001, amount=10_001) is not None
    assert m.first_tranche_cap(10_001) == 5_000
    huge = 2**62 + 1
    assert refusal(1, huge // 2, amount=huge) is None and refusal(1, huge // 2 + 1, amount=huge) is not None


def test_later_tranche_needs_a_fifty_percent_report_on_or_before_the_payment():
    message = refusal(2, 1_000, paid=5_000, progress=None)
    assert message is not None and message.startswith("گزارش پیشرفت ۵۰٪ ثبت نشده است") and RULE in message
    below = refusal(2, 1_000, paid=5_000, progress=49)
    assert below is not None and "۴۹٪" in below
    assert refusal(2, 1_000, paid=5_000, progress=50) is None
    assert refusal(3, 1_000, paid=6_000, progress=100, next_tranche_no=3) is None


def test_a_later_tranche_is_not_capped_at_half():
    assert refusal(2, 5_000, paid=5_000, progress=50) is None  # the whole rest, once progress is on file


def test_never_more_than_the_amount_in_total():
    message = refusal(2, 5_001, paid=5_000, progress=100)
    assert message is not None and "مانده" in message and "۵٬۰۰۰ ریال" in message and RULE in message
    assert refusal(3, 1, paid=10_000, progress=100) is not None
    assert refusal(2, AMOUNT - 1, paid=1, progress=60, amount=AMOUNT) is None


def test_nothing_on_a_cancelled_memorandum():
    message = refusal(1, 1_000, cancelled=True)
    assert message is not None and "لغو" in message and RULE in message
    assert release_check(10_000, 0, 1, 1_000, None, True)[0] == m.RULE_CANCELLED


@pytest.mark.parametrize("asked, expected", [(3, 2), (1, 2), (0, 1), (2, 1)])
def test_tranches_in_order_without_gaps(asked, expected):
    message = refusal(asked, 100, paid=1_000 * (expected - 1), progress=60, next_tranche_no=expected)
    assert message is not None and "به ترتیب" in message and RULE in message
    assert release_check(10_000, 0, asked, 100, 60, False, next_tranche_no=expected)[0] == m.RULE_ORDER


def test_each_rule_is_named_by_its_key():
    assert release_check(10_000, 0, 1, 6_000, None, False)[0] == m.RULE_FIRST
    assert release_check(10_000, 5_000, 2, 100, 10, False)[0] == m.RULE_PROGRESS
    assert release_check(10_000, 5_000, 2, 6_000, 90, False)[0] == m.RULE_TOTAL
    assert release_check(10_000, 0, 1, 0, None, False)[0] == m.RULE_AMOUNT
    assert release_check(10_000, 0, 1, -5, None, False)[0] == m.RULE_AMOUNT
    assert release_check(10_000, 0, 1, 100, None, False) is None


def test_thresholds_come_from_the_rule():
    strict = ReleaseRule(first_tranche_max_percent=30, later_tranche_min_progress=70)
    assert refusal(1, 3_000, rule=strict) is None
    first = refusal(1, 3_001, rule=strict)
    assert first is not None and "۳۰٪" in first
    later = refusal(2, 100, paid=3_000, progress=60, rule=strict)
    assert later is not None and later.startswith("گزارش پیشرفت ۷۰٪ ثبت نشده است")
    assert refusal(2, 100, paid=3_000, progress=70, rule=strict) is None


def test_overdue_is_a_running_memorandum_past_its_end_without_full_progress():
    end, after = date(2024, 5, 1), date(2024, 5, 2)
    assert is_overdue(end, 60, m.ACTIVE, after)
    assert is_overdue(end, None, m.ACTIVE, after)
    assert not is_overdue(end, 60, m.ACTIVE, end)  # the end day itself is still within it
    assert not is_overdue(end, 100, m.ACTIVE, after)
    assert not is_overdue(end, 60, m.COMPLETED, after)
    assert not is_overdue(end, 60, m.CANCELLED, after)


def test_labels_and_paid_percent():
    assert m.STATE_LABELS == {"active": "جاری", "completed": "خاتمه‌یافته", "cancelled": "لغوشده"}
    assert m.PARTY_LABELS["county"] == "فرمانداری"
    assert m.paid_percent(10_000, 4_999) == 49  # rounded down: never overstates what is paid
    assert m.paid_percent(AMOUNT, AMOUNT) == 100
    assert m.paid_percent(0, 0) == 0
