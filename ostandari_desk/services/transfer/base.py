"""What each kind of exchange sheet provides (headers, importer, exporter) and the import loop they share.

An importer reads every row with ``read_rows`` (progress, every error of a row, the bad rows kept for
the «ردیف‌های نادرست» file) and ends with ``finish_import`` (nothing stored on a dry run, or when a
row is wrong and the clerk did not ask to skip the bad ones).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ostandari_desk.services.transfer.sheets import Column, ImportReport, Progress, RowError, Table
from ostandari_desk.store.uow import UnitOfWork


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool
    skip_bad: bool
    clerk: str
    progress: Progress | None


# run(uow, table, report, options) -> {sheet row number: original values} of the bad rows.
Importer = Callable[[UnitOfWork, Table, ImportReport, ImportOptions], dict[int, tuple[Any, ...]]]
# rows(uow, flt) -> the data rows under the kind's headers.
Exporter = Callable[[UnitOfWork, Any], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class TransferKind:
    """One kind of exchange sheet."""

    name: str  # "ngos"
    title: str  # sheet name, e.g. «سمن‌ها»
    unit: str  # what one row is, for summaries: «سمن», «اقدام»
    columns: tuple[Column, ...]
    importer: Importer
    exporter: Exporter

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


# check(number, values) -> (a good row, []) or (None, the row's errors); (None, []) skips the row
# (a row the check counted as unchanged).
RowCheck = Callable[[int, tuple], tuple[Any, list[RowError]]]


def column_getter(table: Table, key: str) -> Callable[[tuple], Any]:
    """A function giving a row's cell of column ``key`` (None when the sheet lacks the column)."""
    index = table.positions.get(key)
    if index is None:
        return lambda values: None
    return lambda values: values[index] if index < len(values) else None


def read_rows(
    table: Table,
    report: ImportReport,
    check: RowCheck,
    progress: Progress | None = None,
    every: int = 1000,
) -> tuple[list[Any], dict[int, tuple]]:
    """Check every row of ``table``: (the good rows, {sheet row number: values} of the bad ones).

    Every error goes to ``report.errors``; ``report.rows_read`` is set; ``progress`` hears every
    ``every`` rows and once at the end.
    """
    good: list[Any] = []
    bad: dict[int, tuple] = {}
    count = 0
    for number, values in table.rows:
        count += 1
        if progress is not None and count % every == 0:
            progress(count, max(table.total, count))
        row, errors = check(number, values)
        if errors:
            report.errors.extend(errors)
            bad[number] = values
        elif row is not None:
            good.append(row)
    report.rows_read = count
    if progress is not None:
        progress(count, count)
    return good, bad


def finish_import(
    uow: UnitOfWork,
    report: ImportReport,
    opts: ImportOptions,
    good: list[Any],
    bad: dict[int, tuple],
    store: Callable[[list[Any]], None],
) -> dict[int, tuple]:
    """Store the good rows (``store``) and commit, unless this is a dry run or a bad row stops it."""
    if opts.dry_run or (report.errors and not opts.skip_bad):
        report.added = len(good) if opts.dry_run else 0
        return bad
    if good:
        store(good)
    uow.commit()
    report.added = len(good)
    report.stored = True
    return bad
