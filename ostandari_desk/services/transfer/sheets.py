"""Reading and writing exchange sheets (.xlsx, .csv): header matching, cell parsing, error rows.

Headers are matched after Persian normalization with every space removed, so «شناسه‌ملی»,
«شناسه ملی» and «شناسه  ملي» are one header. Cells are read as openpyxl gives them
(read-only, values only): text, numbers, or datetimes for Excel date cells.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import UserError, ValidationError

ERROR_HEADER = "خطا"
SUPPORTED_SUFFIXES = (".xlsx", ".csv")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header (the contract) and whether the import demands it."""

    header: str
    key: str
    required: bool = False


@dataclass(frozen=True)
class RowError:
    """One broken rule: the sheet's own row number (header = 1), the column header and the reason."""

    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or a refused file, would have done)."""

    kind: str
    rows_read: int = 0
    added: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bad_rows_path: Path | None = None
    dry_run: bool = False
    stored: bool = False
    label: str = "ردیف"

    @property
    def bad_rows(self) -> int:
        """How many distinct rows had at least one error."""
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One readable Persian line, e.g. «۹۸۰ سمن افزوده شد، ۲۰ ردیف خطا داشت»."""
        fa = text.to_persian_digits
        parts: list[str] = []
        if self.dry_run:
            parts.append(f"آزمایشی: {fa(self.added)} {self.label} افزوده می‌شد")
        elif self.errors and not self.stored:
            parts.append(f"هیچ {self.label}ی ثبت نشد")
        else:
            parts.append(f"{fa(self.added)} {self.label} افزوده شد")
        if self.unchanged:
            parts.append(f"{fa(self.unchanged)} {self.label} پیش‌تر ثبت شده بود و تغییری نکرد")
        if self.errors:
            parts.append(f"{fa(self.bad_rows)} ردیف خطا داشت")
        if not self.added and self.unchanged and not self.errors:
            parts.append("این پرونده پیش‌تر وارد شده است")
        return "، ".join(parts)


def header_key(value: object) -> str:
    """Match key of a header: normalized, without any spaces (ZWNJ variants become one)."""
    return text.normalize(str(value or "")).replace(" ", "")


def check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UserError(f"پرونده «{path.name}» پذیرفته نیست؛ فقط پرونده‌های ‎.xlsx‎ و ‎.csv‎ خوانده می‌شوند.")
    return suffix


# --- reading ------------------------------------------------------------------------------------


@dataclass
class Table:
    """An opened sheet: the original headers, where each known column sits, and its data rows."""

    headers: list[str]
    positions: dict[str, int]  # column key -> index in a row
    warnings: list[str]
    total: int  # data rows expected (estimate for xlsx; progress only)
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (sheet row number, values)
    close: Callable[[], None] = lambda: None


def open_table(path: Path, sheet_name: str, columns: Sequence[Column]) -> Table:
    """Open ``path`` and match its header row to ``columns``.

    Raises:
        UserError: unknown suffix, missing file, empty sheet, or required headers missing (named).
    """
    path = Path(path)
    suffix = check_suffix(path)
    if not path.is_file():
        raise UserError(f"پرونده «{path}» پیدا نشد.")
    if suffix == ".csv":
        header, rows, total, close = _open_csv(path)
    else:
        header, rows, total, close = _open_xlsx(path, sheet_name)
    if header is None:
        close()
        raise UserError(f"پرونده «{path.name}» خالی است؛ ردیف اول باید سرستون‌ها باشد.")
    headers = [_header_text(h) for h in header]
    by_key: dict[str, int] = {}
    for index, h in enumerate(headers):
        if h:
            by_key.setdefault(header_key(h), index)
    positions: dict[str, int] = {}
    missing: list[str] = []
    for col in columns:
        index = by_key.pop(header_key(col.header), None)
        if index is not None:
            positions[col.key] = index
        elif col.required:
            missing.append(col.header)
    by_key.pop(header_key(ERROR_HEADER), None)
    if missing:
        close()
        names = "، ".join(f"«{m}»" for m in missing)
        raise UserError(f"ستون {names} در پرونده «{path.name}» نیست؛ این ستون لازم است.")
    warnings = []
    extra = [headers[i] for i in sorted(by_key.values())]
    if extra:
        names = "، ".join(f"«{h}»" for h in extra)
        warnings.append(f"ستون‌های {names} شناخته نیستند و نادیده گرفته شدند.")
    return Table(headers, positions, warnings, total, rows, close)


def _header_text(value: object) -> str:
    return text.clean(str(value)) if value is not None else ""


def _numbered(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Data rows with their sheet row numbers (header = 1); wholly empty rows are skipped."""
    for number, row in enumerate(rows, start=2):
        for value in row:
            if value is not None and (not isinstance(value, str) or value.strip()):
                yield number, tuple(row)
                break


def _open_csv(path: Path):
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            data = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise UserError(
            f"پرونده «{path.name}» با کدگذاری UTF-8 ذخیره نشده است؛ آن را به شکل CSV UTF-8 ذخیره کنید."
        ) from None
    if not data:
        return None, iter(()), 0, lambda: None
    return data[0], _numbered(data[1:]), len(data) - 1, lambda: None


def _open_xlsx(path: Path, sheet_name: str):
    """Read with calamine (Rust): about twenty times faster than openpyxl's read-only pass.

    Its cells are mapped to what openpyxl gives: an empty cell is None and a whole number an int
    (calamine reads every number as a float); dates come as date/datetime either way. The grid is
    read from A1 (``skip_empty_area=False``) so row numbers and header positions are the sheet's own.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        wanted = header_key(sheet_name)
        names = book.sheet_names
        sheet = book.get_sheet_by_name(next((n for n in names if header_key(n) == wanted), names[0]))
    except (CalamineError, IndexError) as exc:
        raise UserError(
            f"پرونده «{path.name}» یک پرونده اکسل سالم نیست ({exc.__class__.__name__})."
        ) from None
    grid = sheet.to_python(skip_empty_area=False)
    rows = (tuple(_calamine_cell(value) for value in row) for row in grid)
    header = next(rows, None)
    return header, _numbered(rows), max(len(grid) - 1, 0), lambda: None


def _calamine_cell(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- cells --------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as display text: Persian letter forms, no stray spaces; whole numbers without «.0»."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value.isascii():
            return " ".join(value.split())
        return text.clean(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return jalali.format_jalali(value.date(), persian_digits=False)
    if isinstance(value, _dt.date):
        return jalali.format_jalali(value, persian_digits=False)
    return text.clean(str(value))


_CODE_SEPARATORS = re.compile(r"[\s\-_/.\u200c]")


def cell_digits(value: Any) -> str:
    """A code cell (IDs, phones) as Latin digits without separators; Excel numbers kept exact."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return value
    return _CODE_SEPARATORS.sub("", text.normalize(str(value)))


def cell_date(value: Any) -> _dt.date | None:
    """A date cell: Excel dates are Gregorian; text is Jalali. None for an empty cell.

    Raises:
        ValidationError: the text is not a Jalali date or the day does not exist.
    """
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValidationError(f"تاریخ «{cell_text(value)}» درست نیست؛ آن را به شکل ۱۴۰۱/۰۶/۰۹ وارد کنید")
    if not str(value).strip():
        return None
    return jalali.parse_jalali(str(value))


def cell_int(value: Any) -> int | None:
    """A whole-number cell (money, counts): separators ignored; None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return text.parse_int(str(value))
    except ValueError:
        raise ValidationError(f"«{cell_text(value)}» عدد صحیح نیست") from None


# --- writing ------------------------------------------------------------------------------------


def write_table(path: Path, sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write ``rows`` under ``headers`` as .xlsx (right-to-left sheet) or UTF-8 .csv with BOM."""
    path = Path(path)
    suffix = check_suffix(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if suffix == ".csv":
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers)
                for row in rows:
                    writer.writerow(["" if v is None else v for v in row])
            return path
        _write_xlsx(path, sheet_name, headers, rows)
    except PermissionError:
        raise UserError(f"پرونده «{path}» نوشته نشد؛ شاید در برنامه دیگری (اکسل) باز است.") from None
    return path


def _write_xlsx(path: Path, sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_name[:31])
    sheet.sheet_view.rightToLeft = True
    sheet.freeze_panes = "A2"
    widths = [max(12, min(40, len(h) + 6)) for h in headers]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = openpyxl.cell.WriteOnlyCell(sheet, value=h)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(list(row))
    book.save(path)


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

    return write_table(path, sheet_name, out_headers, rows())
