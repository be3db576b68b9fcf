"""Excel/CSV exchange: templates, imports and exports for each kind of sheet (IMPORT_TEMPLATES.md).

Each kind lives in its own module that defines ``KIND`` (a TransferKind); adding «events» or
«letters» means adding a module and its name to ``services.sheet_kinds.SHEET_KINDS``.

    template("ngos", path)
    report = import_file(uow, "ngos", path, skip_bad=True)
    export_file(uow, "ngos", path)

Both act for ``uow.actor``: a county user imports only their county's rows (another county's row is a
row error) and exports only their county's records. An import writes one audit entry per stored row
and one for the batch (file name, SHA-256, row count); an export writes one entry (what, how many rows,
which file) once the file is written.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ostandari_desk.domain import text
from ostandari_desk.errors import UserError
from ostandari_desk.services.sheet_kinds import SHEET_KINDS
from ostandari_desk.services.transfer.base import ImportOptions, ImportSource, TransferKind
from ostandari_desk.services.transfer.sheet_writer import bad_rows_path_for, write_bad_rows, write_table
from ostandari_desk.services.transfer.sheets import (
    Column,
    ImportReport,
    Progress,
    RowError,
    check_suffix,
    open_table,
)
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "KINDS",
    "Column",
    "ImportReport",
    "RowError",
    "TransferKind",
    "export_file",
    "import_file",
    "kind_of",
    "template",
]


_MODULES = SHEET_KINDS  # one module per kind, named as the kind
KINDS: dict[str, TransferKind] = {}
for _name in _MODULES:
    _kind: TransferKind = importlib.import_module(f"{__name__}.{_name}").KIND
    KINDS[_kind.name] = _kind


def kind_of(name: str) -> TransferKind:
    """The TransferKind called ``name``; UserError listing the known kinds otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        known = "، ".join(KINDS)
        raise UserError(f"نوع «{name}» شناخته نیست؛ نوع‌های پذیرفته: {known}") from None


def template(kind: str, path: Path | str) -> Path:
    """Write an empty sheet with exactly the kind's headers, in order (.xlsx or .csv)."""
    spec = kind_of(kind)
    return write_table(Path(path), spec.title, spec.headers, ())


def import_file(
    uow: UnitOfWork,
    kind: str,
    path: Path | str,
    *,
    dry_run: bool = False,
    skip_bad: bool = False,
    progress: Progress | None = None,
    bad_rows_path: Path | str | None = None,
) -> ImportReport:
    """Import a sheet of ``kind``; every bad row is reported (row, column, reason).

    By default nothing is stored when any row is bad. With ``skip_bad`` the good rows are stored and
    the bad ones are written to ``bad_rows_path`` (default: beside the input, «<name>-خطا.xlsx») with a
    «خطا» column. ``dry_run`` checks everything and stores nothing (no audit entry either).

    Raises:
        UserError: unknown kind, unreadable file, or a required header missing (named).
    """
    spec = kind_of(kind)
    path = Path(path)
    table = open_table(path, spec.title, spec.columns)
    report = ImportReport(kind=spec.name, warnings=list(table.warnings), dry_run=dry_run, label=spec.unit)
    source = ImportSource(spec.table, path.name, _sha256(path))
    try:
        with uow if dry_run else uow.writing():  # the write lock before it reads keys and duplicates
            bad = spec.importer(uow, table, report, ImportOptions(dry_run, skip_bad, progress, source))
    finally:
        table.close()
    report.errors.sort(key=lambda e: e.row)
    if bad and skip_bad and not dry_run:
        target = Path(bad_rows_path) if bad_rows_path else bad_rows_path_for(path)
        report.bad_rows_path = write_bad_rows(target, spec.title, table.headers, bad, report.errors)
    return report


def export_file(uow: UnitOfWork, kind: str, path: Path | str, flt: Any = None) -> int:
    """Write the stored records of ``kind`` within the actor's scope under the import headers (so an
    export re-imports), then log the export (what, how many rows, which file).

    Returns the number of data rows written.
    """
    spec = kind_of(kind)
    path = Path(path)
    check_suffix(path)
    count = 0

    def counted(rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    write_table(path, spec.title, spec.headers, counted(spec.exporter(uow, flt)))
    with uow.writing():
        detail = f"{spec.title}: {text.to_persian_digits(count)} ردیف → {path.name}"
        uow.audit("export", spec.table, "", detail=detail)
        uow.commit()
    return count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
