"""What each kind of exchange sheet provides (headers, importer, exporter) and the import loop they share.

An importer reads every row with ``read_rows`` (progress, every error of a row, the bad rows kept for
the «ردیف‌های نادرست» file) and ends with ``finish_import`` (nothing stored on a dry run, or when a
row is wrong and the user did not ask to skip the bad ones). Imports act for ``uow.actor``: a county
user's row for another county (or the province) is a row error on the county column, and a stored
import writes one audit entry per row plus one for the batch (the file's name, SHA-256 and row count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from ostandari_desk.domain import text
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.transfer.sheets import Column, ImportReport, Progress, RowError, Table
from ostandari_desk.store.models import County
from ostandari_desk.store.uow import UnitOfWork


@dataclass(frozen=True)
class ImportSource:
    """The file an import reads, for the batch's audit entry."""

    table: str  # the table the rows go to: "ngo"
    file_name: str
    sha256: str

    def detail(self, report: ImportReport) -> str:
        fa = text.to_persian_digits
        updated = f"، {fa(report.updated)} {report.label} به‌روز شد" if report.updated else ""
        return (
            f"پرونده «{self.file_name}»، SHA-256: {self.sha256}، "
            f"{fa(report.rows_read)} ردیف خوانده شد، {fa(report.added)} {report.label} ثبت شد{updated}"
        )


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool
    skip_bad: bool
    progress: Progress | None = None
    source: ImportSource | None = None  # None: no batch entry (a caller feeding rows, not a file)


def audit_batch(uow: UnitOfWork, opts: ImportOptions, report: ImportReport) -> None:
    """The batch's audit entry, in the import's transaction (call it just before the commit)."""
    if opts.source is not None:
        uow.audit("import", opts.source.table, "", detail=opts.source.detail(report))


def county_guard(uow: UnitOfWork) -> Callable[[str | None, str], str]:
    """A check for a row's county: "" when the actor may write it, else the Persian reason.

    ``check(county_id, shown)``: ``county_id`` None is the province; ``shown`` is the cell as typed.
    """
    scope = uow.county_scope
    if scope is None:
        return lambda county_id, shown: ""
    own = uow.actor.county_name
    if not own:
        found = uow.s.get(County, scope)
        own = found.name if found is not None else ""

    def check(county_id: str | None, shown: str) -> str:
        if county_id == scope:
            return ""
        what = f"شهرستان «{shown}»" if shown else "ردیف بی‌شهرستان (استانی)"
        return f"{what} در حوزه شما نیست؛ شما فقط ردیف‌های شهرستان «{own}» را می‌توانید وارد کنید"

    return check


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
    table: str  # the table its rows are, for the audit: "ngo"
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


def cells_getter(table: Table, keys: Sequence[str]) -> Callable[[tuple], tuple]:
    """A function giving a row's cells of the columns ``keys``, in that order, in one call (None for a
    column the sheet lacks or past the row's end): ``column_getter`` for a whole row of a large sheet."""
    width = max(table.positions.values(), default=-1) + 1
    pad = (None,) * (width + 1)  # a short row reads None past its end; -1 (a column not there) too
    get = itemgetter(*(table.positions.get(key, -1) for key in keys))
    if len(keys) == 1:
        return lambda values: (get(values[:width] + pad),)
    return lambda values: get(values[:width] + pad)


def with_rule_errors(
    number: int,
    found: list[RowError],
    broken: Iterable[ValidationError],
    headers: Mapping[str, str],
    default: str,
) -> list[RowError]:
    """``found`` (the errors of cells that could not be read) and each rule of the kind's validator that
    the row breaks, on the column of its field (``headers``; ``default`` for a field the sheet lacks),
    unless that column already has its reason."""
    named = {e.column for e in found}
    errors = list(found)
    for exc in broken:
        header = headers.get(exc.field or "", default)
        if header not in named:
            named.add(header)
            errors.append(RowError(number, header, exc.message))
    return errors


def read_rows(
    table: Table,
    report: ImportReport,
    check: RowCheck,
    progress: Progress | None = None,
    every: int = 1000,
) -> tuple[list[Any], dict[int, tuple]]:
    """Check every row of ``table``: (the good rows, {sheet row number: values} of the bad ones).

    Every error goes to ``report.errors``; ``report.rows_read`` is set; ``progress`` hears every
    ``every`` rows and once at the end. The checks every kind shares come first (``table.screen``: a
    text over its column's maximum length, a formula without a value); the kind's own errors on a
    column they already named are dropped (one reason per cell).
    """
    good: list[Any] = []
    bad: dict[int, tuple] = {}
    count = 0
    screen = table.screen
    for number, values in table.rows:
        count += 1
        if progress is not None and count % every == 0:
            progress(count, max(table.total, count))
        values, shared = screen(number, values)
        row, errors = check(number, values)
        if shared:
            named = {e.column for e in shared}
            errors = shared + [e for e in errors if e.column not in named]
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
    changes: Sequence[Any] = (),
    apply_changes: Callable[[Sequence[Any]], None] | None = None,
) -> dict[int, tuple]:
    """Store the good rows (``store``) and apply ``changes`` to stored records (``apply_changes``: rows that
    update a record, counted as ``report.updated``), log the batch and commit, unless this is a dry run or a
    bad row stops it (then nothing is written, the audit included)."""
    if opts.dry_run or (report.errors and not opts.skip_bad):
        report.added = len(good) if opts.dry_run else 0
        report.updated = len(changes) if opts.dry_run else 0
        return bad
    if good:
        store(good)
    if changes and apply_changes is not None:
        apply_changes(changes)
    report.added = len(good)
    report.updated = len(changes)
    audit_batch(uow, opts, report)
    uow.commit()
    report.stored = True
    return bad
