"""Reading exchange sheets (.xlsx, .csv): header matching, cell parsing, row errors (writing: sheet_writer).

Headers are matched after Persian normalization with every space removed, so «شناسه‌ملی»,
«شناسه ملی» and «شناسه  ملي» are one header. Cells are read as openpyxl gives them
(read-only, values only): text, numbers, or datetimes for Excel date cells.

Hostile files: a sheet's real extent is checked before it is loaded (``sheet_limits``: at most
200,000 data rows and 100 columns), merged header cells are refused by name, a formula cell without a
cached value reads as ``FORMULA_WITHOUT_VALUE`` (a row error, not an empty cell) and every column's
``max_length`` is enforced (a row error naming the row and the column).

A cell that our CSV export neutralised («'=…») loses its apostrophe again on import, so an export
re-imports as it was.
"""

from __future__ import annotations

import csv
import datetime as _dt
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import UserError, ValidationError
from ostandari_desk.services.transfer import sheet_limits
from ostandari_desk.services.transfer.sheet_limits import MAX_COLUMNS, MAX_ROWS

ERROR_HEADER = "خطا"
SUPPORTED_SUFFIXES = (".xlsx", ".csv")
DEFAULT_MAX_LENGTH = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection
FORMULA_REASON = "فرمول بدون مقدار؛ پرونده را در اکسل باز کنید و دوباره ذخیره کنید تا مقدارش حساب شود"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header (the contract), whether the import demands it, and the most
    characters a cell of it may hold on import."""

    header: str
    key: str
    required: bool = False
    max_length: int = DEFAULT_MAX_LENGTH


class _FormulaWithoutValue:
    """A formula cell whose file holds no computed value (read as empty by every reader)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FORMULA_WITHOUT_VALUE"


FORMULA_WITHOUT_VALUE: Any = _FormulaWithoutValue()


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
    updated: int = 0  # stored records the rows changed (an NGO edited in the sheet: transfer/ngos.py)
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
        if self.updated:
            would = "به‌روز می‌شد" if self.dry_run else "به‌روز شد"
            parts.append(f"{fa(self.updated)} {self.label} {would}")
        if self.unchanged:
            parts.append(f"{fa(self.unchanged)} {self.label} پیش‌تر ثبت شده بود و تغییری نکرد")
        if self.errors:
            parts.append(f"{fa(self.bad_rows)} ردیف خطا داشت")
        if not self.added and not self.updated and self.unchanged and not self.errors:
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


Screen = Callable[[int, tuple[Any, ...]], tuple[tuple[Any, ...], list[RowError]]]


def _no_screen(number: int, values: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[RowError]]:
    return values, []


@dataclass
class Table:
    """An opened sheet: the original headers, where each known column sits, and its data rows.

    ``screen(number, values)`` gives the row with formula cells without a value made empty, and the
    row errors every kind shares: a text longer than its column's ``max_length``, a formula without a
    value (``read_rows`` applies it).
    """

    headers: list[str]
    positions: dict[str, int]  # column key -> index in a row
    warnings: list[str]
    total: int  # data rows expected (estimate for xlsx; progress only)
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (sheet row number, values)
    close: Callable[[], None] = lambda: None
    screen: Screen = _no_screen
    made_at: _dt.datetime | None = None  # when the sheet's data was made (``sheet_made_at``), UTC


_CREATED = re.compile(rb"<dcterms:created\b[^>]*>\s*([^<\s]{1,64})\s*</dcterms:created>")
_CORE_MAX = 1 << 20  # docProps/core.xml is a few hundred bytes


def sheet_made_at(path: Path) -> _dt.datetime | None:
    """When a sheet's data was made (aware UTC), so an import can tell a stored record changed since.

    An .xlsx says when it was created (docProps/core.xml «dcterms:created»: our export's moment, which
    Excel and LibreOffice keep when the clerk edits and saves the file); a .csv (or an .xlsx without it)
    has only the file's modification time. None when neither can be read.
    """
    if path.suffix.lower() == ".xlsx":
        try:
            with zipfile.ZipFile(path) as book:
                info = book.getinfo("docProps/core.xml")
                found = _CREATED.search(book.read(info)) if info.file_size <= _CORE_MAX else None
            if found is not None:
                made = _dt.datetime.fromisoformat(found.group(1).decode("ascii"))
                if made.tzinfo is None:  # W3CDTF without a zone: UTC, as openpyxl and Excel write it
                    made = made.replace(tzinfo=_dt.UTC)
                return made.astimezone(_dt.UTC)
        except (KeyError, OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile):
            pass  # no readable creation time in the workbook: the file's own time, below
    try:
        return _dt.datetime.fromtimestamp(path.stat().st_mtime, _dt.UTC)
    except OSError:
        return None


def open_table(path: Path, sheet_name: str, columns: Sequence[Column]) -> Table:
    """Open ``path`` and match its header row to ``columns``.

    Raises:
        UserError: unknown suffix, missing file, empty sheet, a sheet beyond 200,000 rows or 100
            columns, merged header cells, or required headers missing (named).
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
    screen = _screen([(positions[c.key], c.header, c.max_length) for c in columns if c.key in positions])
    return Table(headers, positions, warnings, total, rows, close, screen, sheet_made_at(path))


def _screen(limits: list[tuple[int, str, int]]) -> Screen:
    """The shared row checks for the known columns at (index, header, max_length)."""
    fa = text.to_persian_digits

    def screen(number: int, values: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[RowError]]:
        errors: list[RowError] = []
        size = len(values)
        for index, header, limit in limits:
            if index < size:
                value = values[index]
                if value.__class__ is str:
                    if len(value) > limit:
                        errors.append(
                            RowError(
                                number,
                                header,
                                f"متن بیش از اندازه بلند است: {fa(len(value))} نویسه؛ "
                                f"این ستون حداکثر {fa(limit)} نویسه می‌پذیرد",
                            )
                        )
                elif value is FORMULA_WITHOUT_VALUE:
                    errors.append(RowError(number, header, FORMULA_REASON))
        if FORMULA_WITHOUT_VALUE in values:
            values = tuple(None if v is FORMULA_WITHOUT_VALUE else v for v in values)
        return values, errors

    return screen


def _header_text(value: object) -> str:
    if value is None or value is FORMULA_WITHOUT_VALUE:
        return ""
    return text.clean(str(value))


def _numbered(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Data rows with their sheet row numbers (header = 1); wholly empty rows are skipped."""
    for number, row in enumerate(rows, start=2):
        for value in row:
            if value is not None and (not isinstance(value, str) or value.strip()):
                yield number, tuple(row)
                break


def _open_csv(path: Path):
    """Read a UTF-8 CSV (at most MAX_ROWS data rows and MAX_COLUMNS columns).

    A cell that our own CSV export neutralised («'=…», see ``neutralise``) loses its apostrophe again,
    so an export re-imports as it was.
    """
    data: list[list[str]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            for row in reader:
                if len(row) > MAX_COLUMNS:
                    while row and not row[-1].strip():
                        row.pop()
                    if len(row) > MAX_COLUMNS:
                        raise sheet_limits.too_big(path.name, reader.line_num, len(row))
                if len(data) > MAX_ROWS:
                    raise sheet_limits.too_big(path.name, reader.line_num, len(row))
                if "'" in "".join(row):
                    row = [_unquote(cell) for cell in row]
                data.append(row)
    except UnicodeDecodeError:
        raise UserError(
            f"پرونده «{path.name}» با کدگذاری UTF-8 ذخیره نشده است؛ آن را به شکل CSV UTF-8 ذخیره کنید."
        ) from None
    except csv.Error as exc:
        raise UserError(f"پرونده «{path.name}» یک پرونده CSV درست نیست ({exc}).") from None
    if not data:
        return None, iter(()), 0, lambda: None
    return data[0], _numbered(data[1:]), len(data) - 1, lambda: None


def _unquote(cell: str) -> str:
    """«'=…» (as ``neutralise`` writes it) back to «=…»; any other text as it is."""
    return cell[1:] if cell[:1] == "'" and cell[1:].startswith(FORMULA_STARTS) else cell


def _open_xlsx(path: Path, sheet_name: str):
    """Read with calamine (Rust): about twenty times faster than openpyxl's read-only pass.

    The sheet's extent is checked first (``sheet_limits.inspect_xlsx``): calamine allocates the whole
    rectangle up to the farthest cell. Its cells are mapped to what openpyxl gives: an empty cell is
    None and a whole number an int (calamine reads every number as a float); dates come as
    date/datetime either way. Rows and columns count from A1, so row numbers and header positions are
    the sheet's own.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        wanted = header_key(sheet_name)
        names = book.sheet_names
        name = next((n for n in names if header_key(n) == wanted), names[0])
    except (CalamineError, IndexError) as exc:
        raise UserError(
            f"پرونده «{path.name}» یک پرونده اکسل سالم نیست ({exc.__class__.__name__})."
        ) from None
    shape = sheet_limits.inspect_xlsx(path, name)
    try:
        sheet = book.get_sheet_by_name(name)
    except CalamineError as exc:
        raise UserError(
            f"پرونده «{path.name}» یک پرونده اکسل سالم نیست ({exc.__class__.__name__})."
        ) from None
    if sheet.start is None:
        return None, iter(()), 0, lambda: None
    merged = [r for r in sheet.merged_cell_ranges or () if r[0][0] == 0]
    rows = _calamine_rows(sheet, shape.formula_gaps)
    header = next(rows, None)
    if merged:
        raise _merged_header_error(path, header or (), merged)
    return header, _numbered(rows), max(sheet.end[0], 0), lambda: None


def _merged_header_error(path: Path, header: Sequence[Any], merged) -> UserError:
    parts = []
    for (r0, c0), (r1, c1) in merged:
        cells = f"{sheet_limits.column_letters(c0 + 1)}{r0 + 1}:{sheet_limits.column_letters(c1 + 1)}{r1 + 1}"
        shown = "، ".join(
            f"«{_header_text(header[i])}»" for i in range(c0, c1 + 1) if i < len(header) and header[i]
        )
        parts.append(f"{cells} ({shown})" if shown else cells)
    return UserError(
        f"سرستون‌های پرونده «{path.name}» خانه ادغام‌شده دارند: {'، '.join(parts)}. ادغام را بردارید و "
        "برای هر ستون سرستون جداگانه بنویسید؛ وگرنه ستونی بی‌سرستون می‌ماند و داده‌اش خوانده نمی‌شود."
    )


def _calamine_rows(sheet, gaps: frozenset[tuple[int, int]]) -> Iterator[tuple[Any, ...]]:
    """Every row from row 1, each from column A; formula cells without a value marked."""
    start_row, start_col = sheet.start
    pad = (None,) * start_col
    gap_rows: dict[int, list[int]] = {}
    for row_number, col in gaps:
        gap_rows.setdefault(row_number, []).append(col)
    source = iter(sheet.iter_rows())
    first = next(source, None)
    if first is None:
        return
    index = 0
    if start_row and any(v != "" for v in first):
        # this calamine starts at the first used row: fill the rows above it
        for _ in range(start_row):
            yield ()
        index = start_row
    for raw in itertools.chain((first,), source):
        index += 1
        row = tuple(map(_EMPTY_TO_NONE, raw, raw))  # each cell as it is, an empty one None
        if float in map(type, row):  # only numbers need a closer look
            row = tuple(map(_whole_number, row))
        if pad:
            row = pad + row
        if index in gap_rows:
            row = _mark_gaps(row, gap_rows[index])
        yield row


def _mark_gaps(row: tuple[Any, ...], columns: list[int]) -> tuple[Any, ...]:
    cells = list(row) + [None] * (max(columns) + 1 - len(row))
    for col in columns:
        if cells[col] is None:
            cells[col] = FORMULA_WITHOUT_VALUE
    return tuple(cells)


# {"": None}.get(cell, cell): an empty cell None, any other as it is (mapped over a row in C)
_EMPTY_TO_NONE = {"": None}.get


def _whole_number(value: Any) -> Any:
    """A float that holds a whole number as an int (calamine reads every number as a float)."""
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
