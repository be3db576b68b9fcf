"""Helpers for the memoranda service tests: a valid input, a stored memorandum, an office put in directly."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ostandari_desk.domain import jalali
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.store.models import AuditEntry, FacilitationOffice, Memorandum, Payment, ProgressReport
from ostandari_desk.store.uow import UnitOfWork

_numbers = itertools.count(1)


def j(year: int, month: int, day: int) -> date:
    return jalali.from_jalali(year, month, day)


SIGNED = j(1403, 1, 15)


def harm_id(uow: UnitOfWork, name: str = "اعتیاد (معتادان متجاهر)") -> str:
    found = reference.item_id_by_name(uow, "social_harm", name)
    assert found
    return found


def memo_input(desk: Any, **changes: Any) -> ms.MemorandumInput:
    values: dict[str, Any] = {
        "number": f"ت-{next(_numbers)}",
        "title": "کاهش آسیب‌های اجتماعی در حاشیه شهر",
        "party_kind": "county",
        "county_id": desk.counties["قزوین"],
        "social_harm_id": harm_id(desk.uow),
        "amount": 1_000_000_000,
        "signed_on": SIGNED,
    }
    values.update(changes)
    return ms.MemorandumInput(**values)


def make_memo(desk: Any, uow: UnitOfWork | None = None, **changes: Any) -> str:
    return ms.create_memorandum(uow or desk.uow, memo_input(desk, **changes))


def insert_office(uow: UnitOfWork, county_id: str | None, name: str = "دفتر تسهیلگری محله") -> str:
    """An office row put in directly (the offices service belongs to another helper)."""
    with uow.writing():
        office = FacilitationOffice(name=name, name_key=name, county_id=county_id)
        uow.s.add(office)
        uow.commit()
        return office.id


def counts(engine) -> tuple[int, int, int, int]:
    """(memoranda, progress reports, payments, audit entries): to show that nothing was stored."""
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t.__table__)).scalar_one()
            for t in (Memorandum, ProgressReport, Payment, AuditEntry)
        )
