"""The «پرداخت‌ها» sheet: import and export of the tranches paid on memoranda.

Each row is read into the PaymentInput the payment dialog gives and checked by THE payment validator
(``services.memoranda.payments.payment_errors``), release rule included: a payment that breaks it is a row
error with the rule's sentence («… (قاعده پرداخت: …)») on the column of its field. The memorandum must be
stored, and its progress reports too (import memoranda, then progress, then payments); tranches in the
file are checked against the stored ones and the rows above them (each good row is stored as it is
checked; see transfer/memorandum_rows.py).

The same memorandum and tranche is the same payment: with the same date and amount a re-import adds
nothing; with another amount (or date) it is an error (remove the stored tranche in the program first).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.memoranda.memoranda import NUMBER_MAX
from ostandari_desk.services.memoranda.payments import PaymentInput, payment_errors
from ostandari_desk.services.transfer.base import (
    ImportOptions,
    TransferKind,
    column_getter,
    with_rule_errors,
)
from ostandari_desk.services.transfer.memorandum_rows import MemorandumFinder, import_row_by_row, paged_rows
from ostandari_desk.services.transfer.sheets import (
    Column,
    ImportReport,
    RowError,
    Table,
    cell_date,
    cell_int,
    cell_text,
)
from ostandari_desk.store.models import Memorandum, Payment
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["COLUMNS", "KIND"]

H_NUMBER = "شماره تفاهم‌نامه"
H_DATE = "تاریخ پرداخت"
H_TRANCHE = "مرحله"
H_AMOUNT = "مبلغ (ریال)"

COLUMNS = (
    Column(H_NUMBER, "number", True, max_length=NUMBER_MAX + 40),
    Column(H_DATE, "paid_on", True, max_length=40),
    Column(H_TRANCHE, "tranche_no", True, max_length=20),
    Column(H_AMOUNT, "amount", True, max_length=60),
)

_FIELD_HEADERS = {
    "memorandum_id": H_NUMBER,
    "paid_on": H_DATE,
    "tranche_no": H_TRANCHE,
    "amount": H_AMOUNT,
}


def _read(
    number: int, values: tuple, get: dict, memoranda: MemorandumFinder
) -> tuple[PaymentInput | None, list[RowError]]:
    """The row as the PaymentInput the dialog would give (None: its memorandum is not known) and the
    errors of cells that could not be read."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    memorandum_id, why = memoranda.find(cell_text(get["number"](values)))
    if memorandum_id is None:
        fail(H_NUMBER, why)
    paid_on: date | None = None
    try:
        paid_on = cell_date(get["paid_on"](values))
    except ValidationError as exc:
        fail(H_DATE, exc.message)
    numbers: dict[str, int | None] = {}
    for key, header, what in (
        ("tranche_no", H_TRANCHE, "مرحله باید عددی درست (۱، ۲، ۳…) باشد"),
        ("amount", H_AMOUNT, "مبلغ باید عددی صحیح به ریال باشد"),
    ):
        try:
            numbers[key] = cell_int(get[key](values))
        except ValidationError as exc:
            fail(header, f"{what}: {exc.message}")
            numbers[key] = None
    if memorandum_id is None:
        return None, errors
    return PaymentInput(memorandum_id, paid_on, numbers["tranche_no"], numbers["amount"]), errors


def _stored_tranche(uow: UnitOfWork, data: PaymentInput) -> tuple[date, int] | None:
    """(date, amount) of the memorandum's stored payment of this tranche, if any."""
    t = Payment.__table__.c
    found = uow.s.execute(
        select(t.paid_on, t.amount).where(
            t.memorandum_id == data.memorandum_id, t.tranche_no == data.tranche_no
        )
    ).first()
    return (found[0], int(found[1])) if found is not None else None


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    get = {c.key: column_getter(table, c.key) for c in COLUMNS}

    def make_check():
        memoranda = MemorandumFinder(uow)
        seen: dict[tuple[str, int], int] = {}

        def check(number: int, values: tuple) -> tuple[tuple | None, list[RowError]]:
            data, errors = _read(number, values, get, memoranda)
            if data is None:
                return None, errors
            fa = text.to_persian_digits
            if not errors and isinstance(data.tranche_no, int):
                ident = (data.memorandum_id, data.tranche_no)
                if ident in seen:
                    return None, [
                        RowError(
                            number,
                            H_TRANCHE,
                            f"مرحله {fa(data.tranche_no)} این تفاهم‌نامه در ردیف {fa(seen[ident])} همین "
                            "پرونده هم آمده است",
                        )
                    ]
                stored = _stored_tranche(uow, data)
                if stored is not None:
                    if stored == (data.paid_on, data.amount):
                        report.unchanged += 1
                        return None, []
                    header = H_AMOUNT if stored[1] != data.amount else H_DATE
                    return None, [
                        RowError(
                            number,
                            header,
                            f"مرحله {fa(data.tranche_no)} این تفاهم‌نامه پیش‌تر به تاریخ "
                            f"{format_jalali(stored[0])} و مبلغ {text.format_rials(stored[1])} ثبت شده است؛ "
                            "برای اصلاح، آن پرداخت را در برنامه حذف و دوباره ثبت کنید",
                        )
                    ]
            errors = with_rule_errors(number, errors, payment_errors(uow, data), _FIELD_HEADERS, H_NUMBER)
            if errors:
                return None, errors
            uow.s.add(
                Payment(
                    **stamps(),
                    memorandum_id=data.memorandum_id,
                    paid_on=data.paid_on,
                    tranche_no=data.tranche_no,
                    amount=data.amount,
                )
            )
            uow.s.flush()  # the next row's validator sees it
            seen[(data.memorandum_id, data.tranche_no)] = number  # type: ignore[index]
            return (data.memorandum_id, data.tranche_no), []

        return check

    return import_row_by_row(uow, table, report, opts, make_check)


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    """Every payment of the memoranda in the actor's scope, by memorandum number, then tranche."""
    stmt = select(Payment.paid_on, Payment.amount, Memorandum.number, Payment.tranche_no).join(
        Memorandum, Memorandum.id == Payment.memorandum_id
    )
    yield from paged_rows(
        uow,
        stmt,
        (Memorandum.number, Payment.tranche_no),
        lambda r: (r[2], format_jalali(r[0]), r[3], int(r[1])),
    )


KIND = TransferKind(
    name="payments",
    title="پرداخت‌ها",
    unit="پرداخت",
    table="payment",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
