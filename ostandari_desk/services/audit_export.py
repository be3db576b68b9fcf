"""The audit trail to a spreadsheet (.xlsx or .csv): one row per changed field, streamed, safe to open.

Every cell is written as text, and text that a spreadsheet would take for a formula (a leading
``= + - @``, TAB or CR: the OWASP CSV-injection list) gets a leading apostrophe. The file is written
beside the target under a temporary name and renamed at the end, so a failure leaves no half file.
An entry without field changes (a sign-in, an import batch, an export) gives one row, its detail in
the «مقدار جدید» column.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import UserError
from ostandari_desk.services.audit import EXPORT_HEADERS, AuditFilter, AuditLine, audit_lines
from ostandari_desk.store.uow import UnitOfWork

SHEET_TITLE = "سابقه تغییرات"
SUFFIXES = (".xlsx", ".csv")
MAX_XLSX_CELL = 32_767  # Excel's limit; longer text would be cut silently by Excel itself
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = (20, 14, 16, 18, 16, 38, 20, 30, 30)


def neutralise(value: object) -> str:
    """``value`` as cell text that no spreadsheet runs as a formula."""
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def line_cells(line: AuditLine) -> list[str]:
    """One line of the trail under EXPORT_HEADERS, every cell neutralised."""
    after = line.after if line.field else (line.after or line.detail)
    values = (
        line.at_text,
        line.username,
        line.role_label,
        line.action_label,
        line.table_label,
        line.record_id,
        line.field_label,
        line.before,
        after,
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
    with uow:
        uow.require(Permission.READ_AUDIT)
        folder = path.parent if str(path.parent) else Path(".")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=folder)
            os.close(handle)
        except OSError as exc:
            raise _unwritable(path, exc) from None
        temp = Path(temp_name)
        try:
            with closing(audit_lines(uow, flt)) as lines:
                rows = (line_cells(line) for line in lines)
                count = _write_csv(temp, rows) if suffix == ".csv" else _write_xlsx(temp, rows)
            uow.audit("export", "auditentry", "", detail=_detail(flt, count, path))
            uow.commit()
            os.replace(temp, path)
        except OSError as exc:
            raise _unwritable(path, exc) from None
        finally:
            temp.unlink(missing_ok=True)
        return count


def _unwritable(path: Path, exc: OSError) -> UserError:
    if isinstance(exc, PermissionError):
        return UserError(f"پرونده «{path}» نوشته نشد؛ شاید در برنامه دیگری (اکسل) باز است.")
    return UserError(f"پرونده «{path}» نوشته نشد ({exc.strerror or exc}).")


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


def _write_csv(path: Path, rows: Iterable[list[str]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADERS)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _write_xlsx(path: Path, rows: Iterable[list[str]]) -> int:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=SHEET_TITLE)
    sheet.sheet_view.rightToLeft = True
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, h, bold) for h in EXPORT_HEADERS])
    count = 0

    def cells(row: list[str]) -> Iterator[object]:
        for value in row:
            value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_XLSX_CELL]
            yield _text_cell(sheet, value)

    try:
        for row in rows:
            sheet.append(list(cells(row)))
            count += 1
    except BaseException:
        _discard(sheet)
        raise
    book.save(path)
    return count


def _discard(sheet) -> None:
    """End a write-only sheet that failed half-way: its row stream closed, its temporary file removed."""
    sheet.close()
    writer = sheet._writer  # openpyxl keeps the rows in a temporary file until the book is saved
    if writer is not None and isinstance(writer.out, str):
        writer.cleanup()


def _text_cell(sheet, value: str, font=None):
    """A write-only cell typed as text whatever it holds (openpyxl types a leading «=» as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell
