"""Payments in tranches under the release rule: every refusal names its field and the rule, nothing is
stored; the ledger's sums are exact ints; the thresholds are settings; county scope."""

from __future__ import annotations

import pytest

from ostandari_desk import settings
from ostandari_desk.errors import NotFoundError, PermissionDeniedError, ValidationError
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.services.memoranda import payments as pay
from ostandari_desk.services.memoranda import progress as pr
from ostandari_desk.services.memoranda.payments import PaymentInput

from .memorandum_fixtures import counts, j, make_memo

AMOUNT = 1_000_000_000
RULE = "قاعده پرداخت"


@pytest.fixture
def memo(desk) -> str:
    return make_memo(desk, amount=AMOUNT)


SECOND_MONTH, THIRD_MONTH = j(1403, 2, 1), j(1403, 3, 1)


def _pay(desk, memo_id, tranche, amount, on=SECOND_MONTH, uow=None) -> str:
    return pay.add_payment(uow or desk.uow, PaymentInput(memo_id, on, tranche, amount))


def _progress(desk, memo_id, percent, on=THIRD_MONTH) -> str:
    return pr.add_progress(desk.uow, pr.ProgressInput(memo_id, on, percent))


def _refused(desk, data: PaymentInput, field: str, *words: str, uow=None) -> str:
    before = counts(desk.engine)
    with pytest.raises(ValidationError) as caught:
        pay.add_payment(uow or desk.uow, data)
    assert caught.value.field == field, caught.value.message
    for word in words:
        assert word in caught.value.message, caught.value.message
    assert counts(desk.engine) == before
    assert pay.payment_errors(uow or desk.uow, data)[0].field == field
    return caught.value.message


def test_the_release_rule_in_full(desk, memo):
    _pay(desk, memo, 1, AMOUNT // 2)  # the first half, any time after signing
    message = _refused(desk, PaymentInput(memo, j(1403, 4, 1), 2, 100_000_000), "paid_on", RULE)
    assert message.startswith("گزارش پیشرفت ۵۰٪ ثبت نشده است")
    _progress(desk, memo, 50, on=j(1403, 4, 1))
    _pay(desk, memo, 2, 300_000_000, on=j(1403, 4, 1))  # a report dated the same day counts
    _pay(desk, memo, 3, 200_000_000, on=j(1403, 5, 1))
    d = ms.get_memorandum(desk.uow, memo)
    assert [p.tranche_no for p in d.payments] == [1, 2, 3]
    assert (d.ledger.paid, d.ledger.remaining, d.ledger.paid_percent, d.ledger.progress_percent) == (
        AMOUNT,
        0,
        100,
        50,
    )
    _refused(desk, PaymentInput(memo, j(1403, 5, 2), 4, 1), "amount", "مانده", RULE)


@pytest.mark.parametrize("amount", [0, -1, -AMOUNT])
def test_amount_zero_or_negative(desk, memo, amount):
    _refused(desk, PaymentInput(memo, j(1403, 2, 1), 1, amount), "amount", "بیشتر از صفر")


@pytest.mark.parametrize("amount", [None, 1.5, True])
def test_amount_not_whole_rials(desk, memo, amount):
    _refused(desk, PaymentInput(memo, j(1403, 2, 1), 1, amount), "amount")


def test_first_tranche_over_half(desk, memo):
    _refused(desk, PaymentInput(memo, j(1403, 2, 1), 1, AMOUNT // 2 + 1), "amount", "مرحله نخست", "۵۰٪", RULE)


def test_payment_beyond_the_amount(desk, memo):
    _pay(desk, memo, 1, AMOUNT // 2)
    _progress(desk, memo, 80)
    _refused(desk, PaymentInput(memo, j(1403, 3, 2), 2, AMOUNT // 2 + 1), "amount", "مانده", RULE)


@pytest.mark.parametrize("tranche", [0, 2, 3])
def test_tranche_out_of_order(desk, memo, tranche):
    _refused(desk, PaymentInput(memo, j(1403, 2, 1), tranche, 1_000), "tranche_no", "به ترتیب", RULE)


def test_a_tranche_twice_and_a_gap(desk, memo):
    _pay(desk, memo, 1, 1_000)
    _progress(desk, memo, 60)
    _refused(desk, PaymentInput(memo, j(1403, 3, 2), 1, 1_000), "tranche_no", "مرحله ۲")
    _refused(desk, PaymentInput(memo, j(1403, 3, 2), 3, 1_000), "tranche_no", "مرحله ۲")
    _refused(desk, PaymentInput(memo, j(1403, 1, 20), 2, 1_000), "paid_on", "پیش از پرداخت مرحله ۱")


def test_second_tranche_without_a_fifty_percent_report(desk, memo):
    _pay(desk, memo, 1, 1_000)
    _progress(desk, memo, 49, on=j(1403, 3, 1))
    _progress(desk, memo, 70, on=j(1403, 6, 1))  # on file, but dated after the payment
    message = _refused(desk, PaymentInput(memo, j(1403, 4, 1), 2, 1_000), "paid_on", RULE, "۴۹٪")
    assert message.startswith("گزارش پیشرفت ۵۰٪ ثبت نشده است")
    _pay(desk, memo, 2, 1_000, on=j(1403, 6, 1))


def test_payment_on_a_cancelled_memorandum(desk, memo):
    ms.set_memorandum_state(desk.uow, memo, "cancelled", 1)
    _refused(desk, PaymentInput(memo, j(1403, 2, 1), 1, 1_000), "memorandum_id", "لغو", RULE)


def test_payment_before_signing_and_unknown_memorandum(desk, memo):
    _refused(desk, PaymentInput(memo, j(1403, 1, 14), 1, 1_000), "paid_on", "پیش از تاریخ انعقاد")
    before = counts(desk.engine)
    with pytest.raises(NotFoundError):
        pay.add_payment(desk.uow, PaymentInput("no-such-memo", j(1403, 2, 1), 1, 1_000))
    assert pay.payment_errors(desk.uow, PaymentInput("no-such-memo", j(1403, 2, 1), 1, 1_000))[0].field == (
        "memorandum_id"
    )
    assert counts(desk.engine) == before


def test_ledger_sums_are_exact_ints(desk):
    amount = 9_000_000_000_000_000_003  # beyond a float's exact integers, within 64 bits
    assert amount < 2**63
    memo = make_memo(desk, amount=amount)
    first = amount // 2
    _pay(desk, memo, 1, first)
    _progress(desk, memo, 50)
    _pay(desk, memo, 2, 7, on=j(1403, 3, 2))
    _pay(desk, memo, 3, amount - first - 7, on=j(1403, 3, 3))
    d = ms.get_memorandum(desk.uow, memo)
    assert d.ledger.paid == amount and d.ledger.remaining == 0
    assert all(isinstance(p.amount, int) for p in d.payments)
    [row] = ms.list_memorandum_page(desk.uow)
    assert row.paid == amount and row.remaining == 0 and isinstance(row.paid, int)
    half = ms.get_memorandum(desk.uow, make_memo(desk, amount=3))
    assert half.ledger.paid_percent == 0


def test_thresholds_are_settings(desk, memo, uow_as):
    settings.set_setting(desk.uow, "release_first_tranche_max_percent", 30)
    settings.set_setting(desk.uow, "release_later_min_progress", 70)
    _refused(desk, PaymentInput(memo, j(1403, 2, 1), 1, AMOUNT * 30 // 100 + 1), "amount", "۳۰٪")
    _pay(desk, memo, 1, AMOUNT * 30 // 100)
    _progress(desk, memo, 60)
    message = _refused(desk, PaymentInput(memo, j(1403, 3, 2), 2, 1), "paid_on")
    assert message.startswith("گزارش پیشرفت ۷۰٪ ثبت نشده است")
    with pytest.raises(ValidationError):
        settings.set_setting(desk.uow, "release_later_min_progress", 101)
    with pytest.raises(PermissionDeniedError):
        settings.set_setting(uow_as("clerk"), "release_later_min_progress", 10)


def test_why_not_payable_gives_the_dialog_its_sentence(desk, memo):
    assert pay.why_not_payable(desk.uow, memo, j(1403, 2, 1)) is None
    assert pay.why_not_payable(desk.uow, memo, j(1403, 2, 1), AMOUNT) is not None  # over half
    _pay(desk, memo, 1, AMOUNT // 2)
    assert pay.next_tranche_no(desk.uow, memo) == 2
    sentence = pay.why_not_payable(desk.uow, memo, j(1403, 2, 1))
    assert sentence is not None and sentence.startswith("گزارش پیشرفت ۵۰٪ ثبت نشده است")
    _progress(desk, memo, 55)
    assert pay.why_not_payable(desk.uow, memo, j(1403, 3, 1)) is None
    assert "مانده" in pay.why_not_payable(desk.uow, memo, j(1403, 3, 1), AMOUNT)
    assert "پیدا نشد" in pay.why_not_payable(desk.uow, "no-such-memo", j(1403, 3, 1))


def test_only_the_last_tranche_is_removed(desk, memo):
    first = _pay(desk, memo, 1, 1_000)
    _progress(desk, memo, 50)
    second = _pay(desk, memo, 2, 1_000, on=j(1403, 3, 1))
    with pytest.raises(ValidationError) as caught:
        pay.remove_payment(desk.uow, first)
    assert caught.value.field == "tranche_no"
    pay.remove_payment(desk.uow, second)
    pay.remove_payment(desk.uow, first)
    assert ms.get_memorandum(desk.uow, memo).payments == ()


def test_county_scope(desk, uow_as):
    abyek = desk.counties["آبیک"]
    county_uow = uow_as("county", abyek)
    own = make_memo(desk, county_id=abyek)
    other = make_memo(desk)
    _pay(desk, own, 1, 1_000, uow=county_uow)  # a county user pays their own county's memoranda
    before = counts(desk.engine)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        _pay(desk, other, 1, 1_000, uow=county_uow)
    paid = _pay(desk, other, 1, 1_000)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        pay.remove_payment(county_uow, paid)
    assert counts(desk.engine)[2] == before[2] + 1


def test_a_clerk_records_payments(desk, memo, uow_as):
    _pay(desk, memo, 1, 1_000, uow=uow_as("clerk"))
    assert ms.get_memorandum(desk.uow, memo).ledger.paid == 1_000
