"""The «گزارش‌های پیشرفت» sheet: import and export of memoranda's progress reports.

Each row is read into the ProgressInput the progress dialog gives and checked by THE progress validator
(``services.memoranda.progress.progress_errors``): the memorandum must be stored (import the memoranda
first), the date not before its signing, the percentage a whole number 0–100 that never goes backwards —
in date order, against the stored reports and the rows above it (each good row is stored as it is
checked; see transfer/memorandum_rows.py). The same memorandum, date and percentage is the same report: a
re-import adds nothing; the same report twice in one file is an error on the later row.
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
from ostandari_desk.services.memoranda.progress import NOTE_MAX, ProgressInput, progress_errors
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
from ostandari_desk.store.models import Memorandum, ProgressReport
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["COLUMNS", "KIND", "percent_cell"]

H_NUMBER = "شماره تفاهم‌نامه"
H_DATE = "تاریخ گزارش"
H_PERCENT = "درصد پیشرفت"
H_NOTE = "توضیحات"

COLUMNS = (
    Column(H_NUMBER, "number", True, max_length=NUMBER_MAX + 40),
    Column(H_DATE, "reported_on", True, max_length=40),
    Column(H_PERCENT, "percent", True, max_length=20),
    Column(H_NOTE, "note", max_length=NOTE_MAX + 100),
)

_FIELD_HEADERS = {
    "memorandum_id": H_NUMBER,
    "reported_on": H_DATE,
    "percent": H_PERCENT,
    "note": H_NOTE,
}


def percent_cell(value: Any) -> int | None:
    """A percentage cell: a whole number, «۵۰٪» and «50%» too; None when empty.

    Raises:
        ValidationError: not a whole number.
    """
    if isinstance(value, str):
        value = value.strip().rstrip("%٪").strip()
    return cell_int(value)


def _read(
    number: int, values: tuple, get: dict, memoranda: MemorandumFinder
) -> tuple[ProgressInput | None, list[RowError]]:
    """The row as the ProgressInput the dialog would give (None: its memorandum is not known) and the
    errors of cells that could not be read."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    memorandum_id, why = memoranda.find(cell_text(get["number"](values)))
    if memorandum_id is None:
        fail(H_NUMBER, why)
    reported_on: date | None = None
    try:
        reported_on = cell_date(get["reported_on"](values))
    except ValidationError as exc:
        fail(H_DATE, exc.message)
    pct: int | None = None
    try:
        pct = percent_cell(get["percent"](values))
    except ValidationError as exc:
        fail(H_PERCENT, f"درصد پیشرفت باید عددی درست از ۰ تا ۱۰۰ باشد: {exc.message}")
    if memorandum_id is None:
        return None, errors
    return ProgressInput(memorandum_id, reported_on, pct, cell_text(get["note"](values))), errors


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    get = {c.key: column_getter(table, c.key) for c in COLUMNS}

    def make_check():
        memoranda = MemorandumFinder(uow)
        seen: dict[tuple, int] = {}

        def check(number: int, values: tuple) -> tuple[tuple | None, list[RowError]]:
            data, errors = _read(number, values, get, memoranda)
            if data is None:
                return None, errors
            ident = (data.memorandum_id, data.reported_on, data.percent)
            if not errors and ident in seen:
                return None, [
                    RowError(
                        number,
                        H_PERCENT,
                        "همین گزارش (همان تاریخ و درصد) در ردیف "
                        f"{text.to_persian_digits(seen[ident])} همین پرونده هم آمده است",
                    )
                ]
            if not errors and _stored(uow, data):
                report.unchanged += 1
                return None, []
            errors = with_rule_errors(number, errors, progress_errors(uow, data), _FIELD_HEADERS, H_NUMBER)
            if errors:
                return None, errors
            uow.s.add(
                ProgressReport(
                    **stamps(),
                    memorandum_id=data.memorandum_id,
                    reported_on=data.reported_on,
                    percent=data.percent,
                    note=text.clean(data.note),
                )
            )
            uow.s.flush()  # the next row's validator sees it
            seen[ident] = number
            return ident, []

        return check

    return import_row_by_row(uow, table, report, opts, make_check)


def _stored(uow: UnitOfWork, data: ProgressInput) -> bool:
    """Whether the memorandum has a report of this date and percentage already."""
    t = ProgressReport.__table__.c
    found = uow.s.execute(
        select(t.id).where(
            t.memorandum_id == data.memorandum_id,
            t.reported_on == data.reported_on,
            t.percent == data.percent,
        )
    ).first()
    return found is not None


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    """Every progress report of the memoranda in the actor's scope, by memorandum number, then date."""
    stmt = select(
        ProgressReport.note,
        Memorandum.number,
        ProgressReport.reported_on,
        ProgressReport.percent,
        ProgressReport.id,
    ).join(Memorandum, Memorandum.id == ProgressReport.memorandum_id)
    keys = (Memorandum.number, ProgressReport.reported_on, ProgressReport.percent, ProgressReport.id)
    yield from paged_rows(
        uow,
        stmt,
        keys,
        lambda r: (r[1], format_jalali(r[2]), r[3], r[0]),
    )


KIND = TransferKind(
    name="progress",
    title="گزارش‌های پیشرفت",
    unit="گزارش پیشرفت",
    table="progressreport",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
