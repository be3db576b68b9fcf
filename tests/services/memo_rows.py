"""Memoranda, payments and progress reports written straight through the unit of work's session (for the
credits, offices, summary and indicator tests; the memoranda services have their own tests)."""

from __future__ import annotations

import itertools
from datetime import date

from ostandari_desk.domain import jalali
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.memoranda.memoranda import search_text_of
from ostandari_desk.store.models import Memorandum, Payment, ProgressReport
from ostandari_desk.store.uow import UnitOfWork

_NUMBERS = itertools.count(1)


def add_memorandum(
    uow: UnitOfWork,
    county_id: str | None,
    signed_on: date,
    amount: int,
    *,
    party_kind: str = "ngo",
    ngo_id: str | None = None,
    office_id: str | None = None,
    months: int = 3,
    state: str = "active",
    title: str = "کاهش آسیب‌های اجتماعی",
    number: str | None = None,
) -> str:
    number = number or f"ت-{next(_NUMBERS)}"
    with uow.writing():
        memo = Memorandum(
            **stamps(),
            number=number,
            title=title,
            search_text=search_text_of(number, title),
            party_kind=party_kind,
            ngo_id=ngo_id,
            county_id=county_id,
            office_id=office_id,
            amount=amount,
            signed_on=signed_on,
            starts_on=signed_on,
            duration_months=months,
            ends_on=jalali.add_months(signed_on, months),
            state=state,
        )
        uow.s.add(memo)
        uow.s.flush()
        uow.commit()
        return memo.id


def add_payment(uow: UnitOfWork, memorandum_id: str, paid_on: date, tranche_no: int, amount: int) -> str:
    with uow.writing():
        pay = Payment(
            **stamps(), memorandum_id=memorandum_id, paid_on=paid_on, tranche_no=tranche_no, amount=amount
        )
        uow.s.add(pay)
        uow.s.flush()
        uow.commit()
        return pay.id


def add_progress(uow: UnitOfWork, memorandum_id: str, reported_on: date, percent: int) -> str:
    with uow.writing():
        report = ProgressReport(
            **stamps(), memorandum_id=memorandum_id, reported_on=reported_on, percent=percent
        )
        uow.s.add(report)
        uow.s.flush()
        uow.commit()
        return report.id
