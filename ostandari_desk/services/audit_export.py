"""The audit trail to a spreadsheet (.xlsx or .csv): one row per changed field, streamed, safe to open.

Every cell is written as text, and text that a spreadsheet would take for a formula (a leading
``= + - @``, TAB or CR: the OWASP CSV-injection list) gets a leading apostrophe, in .xlsx too (this
sheet is read, never re-imported). The neutralising function, the sheet writer and the atomic write
(temporary file in the same folder, fsync, rename) are the ones every export shares
(``services.transfer.sheet_writer``, ``services.files``), so a failure leaves the old file or none.
An entry without field changes (a sign-in, an import batch, an export) gives one row, its detail in
the «مقدار جدید» column.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import UserError
from ostandari_desk.services import files
from ostandari_desk.services.audit import EXPORT_HEADERS, AuditFilter, AuditLine, audit_lines
from ostandari_desk.services.audit_values import readable_value
from ostandari_desk.services.transfer.sheet_writer import (
    FORMULA_STARTS,
    MAX_XLSX_CELL,
    neutralise,
    write_rows,
)
from ostandari_desk.store.uow import UnitOfWork

SHEET_TITLE = "سابقه تغییرات"
SUFFIXES = (".xlsx", ".csv")
_WIDTHS = (20, 14, 16, 18, 16, 38, 20, 30, 30)

__all__ = ["FORMULA_STARTS", "MAX_XLSX_CELL", "export_audit", "line_cells", "neutralise"]


def line_cells(line: AuditLine) -> list[str]:
    """One line of the trail under EXPORT_HEADERS, coded values by their Persian names, every cell
    neutralised."""
    after = line.after if line.field else (line.after or line.detail)
    values = (
        line.at_text,
        line.username,
        line.role_label,
        line.action_label,
        line.table_label,
        line.record_id,
        line.field_label,
        readable_value(line.before, line.table_name, line.field),
        readable_value(after, line.table_name, line.field) if line.field else after,
    )
    return [neutralise(v) for v in values]


def export_audit(uow: UnitOfWork, flt: AuditFilter, path: Path | str) -> int:
    """Write the entries matching ``flt`` (newest first) to ``path``; returns the rows written.

    Needs READ_AUDIT (an admin). The export itself is logged, in the same transaction that read the trail.

    Raises:
        PermissionDeniedError: the actor may not read the whole trail.
        UserError: an unsupported suffix, or the file could not be written (open in Excel, no space).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(f"پرونده «{path.name}» پذیرفته نیست؛ خروجی فقط ‎.xlsx‎ یا ‎.csv‎ است.")
    with uow.writing():
        uow.require(Permission.READ_AUDIT)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with files.atomic_path(path) as temp:
                with closing(audit_lines(uow, flt)) as lines:
                    rows = (line_cells(line) for line in lines)
                    count = write_rows(temp, suffix, SHEET_TITLE, EXPORT_HEADERS, rows, widths=_WIDTHS)
                # logged before the rename: a refused commit leaves the old file, never an unlogged one
                uow.audit("export", "auditentry", "", detail=_detail(flt, count, path))
                uow.commit()
        except OSError as exc:
            raise files.unwritable(path, exc) from None
        return count


def _detail(flt: AuditFilter, count: int, path: Path) -> str:
    """What was exported, for the export's own entry: rows, file and the filter."""
    parts = [f"{text.to_persian_digits(count)} ردیف سابقه تغییرات در «{path.name}»"]
    if flt.username:
        parts.append(f"کاربر {flt.username}")
    if flt.since:
        parts.append(f"از {jalali.format_jalali(flt.since)}")
    if flt.until:
        parts.append(f"تا {jalali.format_jalali(flt.until)}")
    if flt.record_id:
        parts.append(f"رکورد {flt.record_id}")
    if flt.table_name:
        parts.append(f"جدول {flt.table_name}")
    if flt.action:
        parts.append(f"اقدام {flt.action}")
    return "، ".join(parts)
