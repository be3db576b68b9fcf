"""Writing exchange sheets (.xlsx, .csv): exports, templates and the error workbook of bad rows.

Every file goes through ``services.files.atomic_path``: a temporary file in the same folder, fsynced,
then renamed, so a full disk or a failing writer leaves the old file or none, never a cut-off one.
Text that a spreadsheet would run as a formula (a leading ``= + - @``, TAB or CR, the OWASP list) gets a
leading apostrophe in CSV (``neutralise``, the one function every export uses); in .xlsx every text
cell is typed as text (openpyxl would make any «=…» string a live formula).

Excel keeps at most 32,767 characters in a cell. An .xlsx export with a longer text is refused, naming
the row, its record and the column, and pointing to CSV, which keeps the text whole: a silently cut
text would re-import cut. Input maximum lengths (``Column.max_length``) make it a matter of old data.
Only the error workbook cuts such a cell, with a visible mark: its «خطا» column already says the text
is too long, and the workbook must be written for the clerk to fix the row.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ostandari_desk.domain import text
from ostandari_desk.errors import UserError
from ostandari_desk.services import files
from ostandari_desk.services.transfer import sheet_limits
from ostandari_desk.services.transfer.sheets import (
    ERROR_HEADER,
    FORMULA_STARTS,
    FORMULA_WITHOUT_VALUE,
    RowError,
    cell_text,
    check_suffix,
    header_key,
)

__all__ = [
    "CUT_MARK",
    "FORMULA_STARTS",
    "MAX_XLSX_CELL",
    "bad_rows_path_for",
    "neutralise",
    "write_bad_rows",
    "write_rows",
    "write_table",
]

MAX_XLSX_CELL = 32_767  # Excel's limit on the characters of one cell
CUT_MARK = " … [ادامه متن بریده شد]"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters an .xlsx cannot hold


def neutralise(value: object) -> str:
    """``value`` as CSV text that no spreadsheet runs as a formula (OWASP: a leading apostrophe)."""
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_table(
    path: Path,
    sheet_name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    cut_long_text: bool = False,
) -> Path:
    """Write ``rows`` under ``headers`` as .xlsx (right-to-left sheet) or UTF-8 .csv with BOM, atomically.

    Raises:
        UserError: the file could not be written (open in Excel, disk full, read-only), or (.xlsx) a
            text is longer than a cell holds and ``cut_long_text`` is off; the old file is kept.
    """
    path = Path(path)
    suffix = check_suffix(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with files.atomic_path(path) as temp:
            write_rows(temp, suffix, sheet_name, headers, rows, cut_long_text=cut_long_text)
    except OSError as exc:
        raise files.unwritable(path, exc) from None
    return path


def write_rows(
    target: Path,
    suffix: str,
    sheet_name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
    cut_long_text: bool = False,
) -> int:
    """Write a sheet to ``target`` as it stands (the caller makes it atomic); returns the data rows."""
    if suffix == ".csv":
        return _write_csv(target, headers, rows)
    return _write_xlsx(target, sheet_name, headers, rows, widths, cut_long_text)


def _write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(h) for h in headers])
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
            count += 1
    return count


def _csv_value(value: Any) -> Any:
    if value is None or value is FORMULA_WITHOUT_VALUE:
        return ""
    if value.__class__ is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return value


def _write_xlsx(
    path: Path,
    sheet_name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None,
    cut_long_text: bool,
) -> int:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_name[:31])
    sheet.sheet_view.rightToLeft = True
    sheet.freeze_panes = "A2"
    if widths is None:
        widths = [max(12, min(40, len(h) + 6)) for h in headers]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    bold = Font(bold=True)
    count = 0
    try:
        sheet.append([_text_cell(sheet, h, bold) for h in headers])
        for number, row in enumerate(rows, start=2):
            sheet.append(
                [_xlsx_value(sheet, v, number, i, row, headers, cut_long_text) for i, v in enumerate(row)]
            )
            count += 1
        _save_book(book, path)
    except BaseException:
        _discard(sheet)
        raise
    return count


def _save_book(book, path: Path) -> None:
    """openpyxl's ``save_workbook``, but the zip is closed whatever happens: openpyxl leaves it open on
    an error (a full disk), and an open handle keeps Windows from removing the temporary file."""
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    book.properties.modified = _dt.datetime.now(tz=_dt.UTC).replace(tzinfo=None)
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(book, archive).write_data()
    except BaseException:
        with contextlib.suppress(OSError, ValueError):  # the first error is the one to report
            archive.close()
        if archive.fp is not None:  # close() refused: a member was still being written
            archive.fp.close()
        raise
    archive.close()


def _xlsx_value(sheet, value: Any, number: int, index: int, row, headers, cut_long_text: bool) -> Any:
    """A cell for openpyxl: text always typed as text (openpyxl makes any «=…» string a formula)."""
    if value.__class__ is not str:
        return None if value is FORMULA_WITHOUT_VALUE else value
    if not value.isprintable():
        value = _ILLEGAL_XML.sub("", value)  # control characters an .xlsx cannot hold
    if len(value) > MAX_XLSX_CELL:
        if not cut_long_text:
            raise _too_long_error(number, index, row, headers, len(value))
        value = value[: MAX_XLSX_CELL - len(CUT_MARK)] + CUT_MARK
    if value[:1] == "=":
        return _text_cell(sheet, value)
    return value


def _too_long_error(number: int, index: int, row, headers, size: int) -> UserError:
    fa = text.format_number
    header = headers[index] if index < len(headers) else sheet_limits.column_letters(index + 1)
    record = cell_text(row[0])[:60] if row and row[0] is not None and index != 0 else ""
    which = f"ردیف {fa(number)}" + (f" («{record}»)" if record else "")
    return UserError(
        f"متن ستون «{header}» در {which} {fa(size)} نویسه است و یک خانه اکسل حداکثر "
        f"{fa(MAX_XLSX_CELL)} نویسه نگه می‌دارد؛ خروجی نوشته نشد تا متنی بی‌صدا بریده نشود. "
        "خروجی را با پسوند ‎.csv‎ بگیرید (متن کامل می‌ماند) یا متن را کوتاه کنید.",
        field=header,
    )


def _text_cell(sheet, value: str, font=None):
    """A write-only cell typed as text whatever it holds."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _discard(sheet) -> None:
    """End a write-only sheet that failed half-way (its rows, or the save itself): the row stream closed
    (else it writes into a closed file when collected) and openpyxl's temporary file removed."""
    with contextlib.suppress(OSError, ValueError):  # the original error is the one to report
        if not getattr(sheet, "_WriteOnlyWorksheet__saved", False):
            sheet.close()
        writer = sheet._writer  # openpyxl keeps the rows in a temporary file until the book is saved
        if writer is not None and isinstance(writer.out, str) and os.path.exists(writer.out):
            writer.cleanup()


def bad_rows_path_for(source: Path) -> Path:
    """Where the bad rows of ``source`` go by default: beside it, «<name>-خطا.xlsx»."""
    source = Path(source)
    return source.with_name(f"{source.stem}-{ERROR_HEADER}.xlsx")


def write_bad_rows(
    path: Path,
    sheet_name: str,
    headers: Sequence[str],
    bad: dict[int, tuple[Any, ...]],
    errors: Sequence[RowError],
) -> Path:
    """The bad rows as they came, plus a «خطا» column with every reason, ready to fix and re-import."""
    reasons: dict[int, list[str]] = {}
    for error in errors:
        reasons.setdefault(error.row, []).append(f"{error.column}: {error.reason}")
    keep = [i for i, h in enumerate(headers) if header_key(h) != header_key(ERROR_HEADER)]
    out_headers = [headers[i] for i in keep] + [ERROR_HEADER]

    def rows() -> Iterator[list[Any]]:
        for number in sorted(bad):
            values = bad[number]
            cells = [values[i] if i < len(values) else None for i in keep]
            yield cells + ["؛ ".join(reasons.get(number, []))]

    # the «خطا» column says why a cell is too long; cutting it (marked) lets the workbook be written
    return write_table(path, sheet_name, out_headers, rows(), cut_long_text=True)
