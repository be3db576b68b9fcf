"""How big a worksheet really is, found before any reader allocates for it.

A reader builds the whole rectangle from A1 to the farthest cell: a 5 KB .xlsx whose one cell sits at
XFD1048576 asks calamine for 512 GiB and aborts the process. So the sheet's XML is looked at first:

1. its declared ``<dimension>`` (a few bytes at the top): beyond the limits, refused at once;
2. a streaming scan of ``<sheetData>`` (the declaration may lie), in chunks, so memory stays bounded.
   The fast path is two C-speed regex searches per chunk that only match a far cell reference or a
   formula without a cached value; a sheet whose cells lack ``r="A1"`` references (or use a namespace
   prefix) is walked exactly with expat instead.

The scan also finds formula cells without a cached value (a file written by a program, never
recalculated): a reader sees them as empty, the import reports «فرمول بدون مقدار».
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from ostandari_desk.domain import text
from ostandari_desk.errors import UserError

__all__ = ["MAX_COLUMNS", "MAX_ROWS", "SheetShape", "column_letters", "inspect_xlsx", "too_big"]

MAX_ROWS = 200_000  # data rows; the header row comes on top
MAX_COLUMNS = 100
MAX_FORMULA_GAPS = 100_000  # formula cells without a value we keep positions of; more refuses the file
_CHUNK = 4 << 20
_SMALL_PART = 20 << 20  # workbook.xml and its relationships: never this big in a real file

_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s[^>]*?ref="([^"]*)"')
# a cell reference beyond column CV (100) or row 199,999 (checked exactly afterwards)
_FAR = re.compile(
    rb' r="((?:[A-Za-z]{3,}|[D-Zd-z][A-Za-z]|[Cc][W-Zw-z])[0-9]+|[A-Za-z]{1,2}(?:[0-9]{7,}|[2-9][0-9]{5}))"'
)
_FORMULA_NO_VALUE = re.compile(rb"<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>|<v\s[^>]*/>)?\s*</c>")
_REF = re.compile(r"([A-Za-z]{1,4})([0-9]{1,9})")
_CELL_REF = re.compile(rb'<c r="([A-Za-z]{1,4})([0-9]{1,9})"')
_HAS_VALUE = re.compile(rb"<v>\s*[^<\s]|<is\b|<f\b")
_ODD_CELL = re.compile(rb"<c[>\t\r\n/]")  # a cell start that is not «<c r="» or «<c attr»
_FORMULA = re.compile(rb"<f[\s>/]")


@dataclass(frozen=True)
class SheetShape:
    """What the scan found: formula cells without a value, as (sheet row, 0-based column)."""

    formula_gaps: frozenset[tuple[int, int]]


class _TooBig(Exception):
    def __init__(self, row: int, column: int):
        super().__init__(row, column)
        self.row, self.column = row, column


def column_letters(index: int) -> str:
    """Excel's letters for a 1-based column number: 1 → A, 100 → CV, 16384 → XFD."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def too_big(file_name: str, row: int, column: int) -> UserError:
    """The refusal of a sheet reaching ``row`` or ``column`` (both 1-based), in Persian."""
    fa = text.format_number
    return UserError(
        f"پرونده «{file_name}» بزرگ‌تر از اندازه پذیرفته است: برگه تا خانه {column_letters(column)}{row} "
        f"(ردیف {fa(row)}، ستون {fa(column)}) می‌رسد، ولی یک برگه حداکثر {fa(MAX_ROWS)} ردیف داده و "
        f"{fa(MAX_COLUMNS)} ستون می‌تواند داشته باشد. ردیف‌ها و ستون‌های اضافی (حتی خالی) را پاک کنید یا "
        "داده‌ها را در چند پرونده بخش کنید."
    )


def _outside(row: int, column: int) -> bool:
    return row > MAX_ROWS + 1 or column > MAX_COLUMNS


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """(row, column), both 1-based, of «B12»; None when it is not a cell reference."""
    found = _REF.fullmatch(ref.replace("$", ""))
    if found is None:
        return None
    return int(found.group(2)), _column_number(found.group(1))


def inspect_xlsx(path: Path, sheet_name: str) -> SheetShape:
    """Check the extent of ``sheet_name`` in the workbook at ``path`` without loading it.

    Raises:
        UserError: not a workbook, or the sheet reaches beyond MAX_ROWS data rows or MAX_COLUMNS
            columns (declared or real), or has more formula cells without a value than we keep.
    """
    try:
        with zipfile.ZipFile(path) as book:
            member = _sheet_member(book, sheet_name)
            gaps = _scan_fast(book, member)
            if gaps is None:
                gaps = _scan_exact(book, member)
    except _TooBig as far:
        raise too_big(path.name, far.row, far.column) from None
    except (zipfile.BadZipFile, ElementTree.ParseError, expat.ExpatError, KeyError, EOFError):
        raise UserError(f"پرونده «{path.name}» یک پرونده اکسل سالم نیست.") from None
    if len(gaps) > MAX_FORMULA_GAPS:
        raise UserError(
            f"در پرونده «{path.name}» بیش از {text.format_number(MAX_FORMULA_GAPS)} خانه فرمول بدون مقدار "
            "است؛ پرونده را در اکسل باز کنید و دوباره ذخیره کنید تا مقدار فرمول‌ها حساب شود."
        )
    return SheetShape(frozenset(gaps))


def _sheet_member(book: zipfile.ZipFile, sheet_name: str) -> str:
    """The zip member holding the worksheet called ``sheet_name``: package relationships → workbook →
    its relationships.

    Elements and attributes are matched by local name (transitional and strict OOXML differ only in
    namespaces). A sheet that cannot be found is an unsound file: it is never read unchecked.
    """
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in book.namelist():
        for rel in _small_xml(book, "_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook = posixpath.normpath(rel.get("Target", workbook).lstrip("/"))
    folder, name = posixpath.split(workbook)
    rel_id = None
    for element in _small_xml(book, workbook).iter():
        if _local(element.tag) == "sheet" and element.get("name") == sheet_name:
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            break
    for rel in _small_xml(book, posixpath.join(folder, "_rels", f"{name}.rels")):
        if rel_id is not None and rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            return posixpath.normpath(member)
    raise KeyError(sheet_name)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _small_xml(book: zipfile.ZipFile, name: str) -> ElementTree.Element:
    info = book.getinfo(name)
    if info.file_size > _SMALL_PART:
        raise zipfile.BadZipFile(name)
    return ElementTree.fromstring(book.read(info))


def _scan_fast(book: zipfile.ZipFile, member: str) -> set[tuple[int, int]] | None:
    """Far cells and formula gaps by regex; None when the sheet needs the exact walk instead."""
    gaps: set[tuple[int, int]] = set()
    with book.open(member) as stream:
        head = b""
        while b"sheetData" not in head:
            chunk = stream.read(_CHUNK)
            if not chunk:
                return gaps
            head += chunk
            if len(head) > 4 * _CHUNK:
                return None
        start = head.find(b"<sheetData")
        if start < 0:  # a namespace prefix (<x:sheetData>): walk it exactly
            return None
        _check_declared(head[:start])
        buffer = head[start:]
        while True:
            end = buffer.find(b"</sheetData>")
            if end >= 0:
                return gaps if _scan_part(buffer[:end], gaps) else None
            chunk = stream.read(_CHUNK)
            if not chunk:
                return gaps if _scan_part(buffer, gaps) else None
            buffer += chunk
            if b"</sheetData>" in buffer:
                continue
            # cut before the last cell (or row) so that no cell is split between two parts
            cut = max(buffer.rfind(b"<c "), buffer.rfind(b"<row"))
            if cut <= 0:
                cut = len(buffer)
            if not _scan_part(buffer[:cut], gaps):
                return None
            buffer = buffer[cut:]


def _scan_part(data: bytes, gaps: set[tuple[int, int]]) -> bool:
    """Check one run of whole cells; False when a cell lacks a plain ``<c r="..."`` start."""
    if _ODD_CELL.search(data) or data.count(b"<c ") != data.count(b'<c r="'):
        return False
    _check_far(data)
    if _FORMULA.search(data):
        _collect_gaps(data, gaps)
    return True


def _check_declared(head: bytes) -> None:
    found = _DIMENSION.search(head)
    if found is None:
        return
    last = found.group(1).decode("ascii", "replace").split(":")[-1]
    parsed = _parse_ref(last)
    if parsed is not None and _outside(*parsed):
        raise _TooBig(*parsed)


def _check_far(data: bytes) -> None:
    for match in _FAR.finditer(data):
        tag_start = data.rfind(b"<", 0, match.start())
        tag_end = data.find(b">", match.end())
        if not data.startswith(b"<c ", tag_start) or tag_end < 0:
            continue  # text that merely looks like a reference
        if data[tag_end - 1 : tag_end] == b"/":
            continue  # <c r="XFD9" s="3"/>: formatting only, no value
        close = data.find(b"</c>", tag_end)
        if close >= 0 and not _HAS_VALUE.search(data, tag_end, close):
            continue  # an empty cell (a cell cut off by the chunk counts as full: the safe side)
        parsed = _parse_ref(match.group(1).decode("ascii"))
        if parsed is not None and _outside(*parsed):
            raise _TooBig(*parsed)


def _collect_gaps(data: bytes, gaps: set[tuple[int, int]]) -> None:
    for match in _FORMULA_NO_VALUE.finditer(data):
        begin = data.rfind(b"<c ", 0, match.start())
        cell = _CELL_REF.match(data, begin) if begin >= 0 else None
        if cell is None:
            continue
        row = int(cell.group(2))
        gaps.add((row, _column_number(cell.group(1).decode("ascii")) - 1))
        if len(gaps) > MAX_FORMULA_GAPS:
            return


def _scan_exact(book: zipfile.ZipFile, member: str) -> set[tuple[int, int]]:
    """Walk every row and cell with expat (references may be missing: then a cell is the next one)."""
    walker = _Walker()
    parser = expat.ParserCreate()
    parser.StartElementHandler = walker.start
    parser.EndElementHandler = walker.end
    parser.CharacterDataHandler = walker.chars
    with book.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return walker.gaps


class _Walker:
    """expat handlers tracking the current row and cell, the declared dimension and formula gaps."""

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.in_value = False
        self.has_value = False
        self.has_formula = False
        self.gaps: set[tuple[int, int]] = set()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "c":
            parsed = _parse_ref(attrs.get("r", ""))
            if parsed is None:
                self.column += 1
            else:
                self.row, self.column = parsed
            self.has_value = self.has_formula = False
        elif local == "row":
            ref = attrs.get("r", "")
            self.row = int(ref) if ref.isdigit() else self.row + 1
            self.column = 0
        elif local == "v":
            self.in_value = True
        elif local == "f":
            self.has_formula = True
        elif local == "is":
            self.has_value = True
        elif local == "dimension":
            parsed = _parse_ref(attrs.get("ref", "").split(":")[-1])
            if parsed is not None and _outside(*parsed):
                raise _TooBig(*parsed)

    def chars(self, data: str) -> None:
        if self.in_value and data.strip():
            self.has_value = True

    def end(self, name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "v":
            self.in_value = False
        elif local == "c":
            if (self.has_value or self.has_formula) and _outside(self.row, self.column):
                raise _TooBig(self.row, self.column)
            if self.has_formula and not self.has_value and len(self.gaps) <= MAX_FORMULA_GAPS:
                self.gaps.add((self.row, self.column - 1))
