"""What the «گزارش‌های پیشرفت» and «پرداخت‌ها» sheets share: the memorandum a row names, the import loop
that stores each good row at once (so the next row's validator sees it), and the paged export.

A row's progress report or payment depends on the rows before it (progress never goes backwards, tranches
come in order, a later tranche needs a report of 50%), so each good row goes into the session as soon as it
is checked, inside a savepoint: a dry run, or a refused file (a bad row without the skip option), takes
every one of them back with its audit entries, also inside a caller's open unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import literal, select, tuple_

from ostandari_desk.domain import text
from ostandari_desk.services.memoranda.memoranda import clean_number
from ostandari_desk.services.transfer.base import (
    ImportOptions,
    RowCheck,
    audit_batch,
    county_guard,
    read_rows,
)
from ostandari_desk.services.transfer.sheets import ImportReport, Table
from ostandari_desk.store.models import County, Memorandum
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["MemorandumFinder", "import_row_by_row", "paged_rows"]

_PROGRESS_EVERY = 500


class MemorandumFinder:
    """The memorandum a row's «شماره تفاهم‌نامه» names: ``find(cell text) -> (id, "")`` or (None, the
    reason: not stored, or another county's for a county user)."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow
        self._refused = county_guard(uow)
        self._cache: dict[str, tuple[str, str | None] | None] = {}
        c = County.__table__.c
        self._county_names = dict(uow.s.execute(select(c.id, c.name)).all())

    def find(self, typed: str) -> tuple[str | None, str]:
        number = clean_number(typed)
        shown = text.to_persian_digits(typed)
        if not number:
            return None, "شماره تفاهم‌نامه وارد نشده است"
        if number not in self._cache:
            m = Memorandum.__table__.c  # every county's: another county's is named as such
            found = self._uow.s.execute(select(m.id, m.county_id).where(m.number == number)).first()
            self._cache[number] = (found[0], found[1]) if found is not None else None
        found = self._cache[number]
        if found is None:
            return None, f"تفاهم‌نامه‌ای با شماره «{shown}» ثبت نشده است؛ نخست تفاهم‌نامه‌ها را وارد کنید"
        memorandum_id, county_id = found
        if reason := self._refused(county_id, self._county_names.get(county_id, "") if county_id else ""):
            return None, f"تفاهم‌نامه «{shown}»: {reason}"
        return memorandum_id, ""


class _TakeBack(Exception):
    """Raised inside the import's savepoint to undo a dry run or a refused file."""


def import_row_by_row(
    uow: UnitOfWork,
    table: Table,
    report: ImportReport,
    opts: ImportOptions,
    make_check: Callable[[], RowCheck],
) -> dict[int, tuple]:
    """Check every row with the check ``make_check()`` gives (inside the import's block); a good row's
    check stores it right away. Everything is taken back on a dry run or when a row is bad and the bad
    ones are not to be skipped; otherwise the batch is logged and committed."""
    with uow:
        good: list[Any] = []
        try:
            with uow.savepoint():
                good, bad = read_rows(table, report, make_check(), opts.progress, _PROGRESS_EVERY)
                if opts.dry_run or (report.errors and not opts.skip_bad):
                    raise _TakeBack
        except _TakeBack:
            report.added = len(good) if opts.dry_run else 0
            return bad
        report.added = len(good)
        audit_batch(uow, opts, report)
        uow.commit()
        report.stored = True
        return bad


def paged_rows(
    uow: UnitOfWork,
    stmt: Any,
    keys: Sequence[Any],
    to_row: Callable[[Any], Sequence[Any]],
    page_size: int = 5000,
) -> Iterator[Sequence[Any]]:
    """The rows of ``stmt`` (ordered by ``keys``, which end with a unique column; the last ``len(keys)``
    selected values are those keys) a page at a time, each page in its own read."""
    after: tuple | None = None
    width = len(keys)
    while True:
        with uow:
            page_stmt = stmt.order_by(*keys).limit(page_size)
            if after is not None:
                bound = [literal(v, type_=getattr(k, "type", None)) for k, v in zip(keys, after, strict=True)]
                page_stmt = page_stmt.where(tuple_(*keys) > tuple_(*bound))
            page = uow.s.execute(page_stmt).all()
            rows = [to_row(r) for r in page]
            if page:
                after = tuple(page[-1][-width:])
        yield from rows
        if len(page) < page_size:
            return
