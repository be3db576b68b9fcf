"""The desk worklists' table model and the columns of each view (licences, overdue inquiries, open cases,
boards whose term has ended).

Each view is a tuple of ``Column``: a header, a width, how a frozen service row is shown and the service's
sort key for it. The model holds one capped page of rows whole (the page caps them); a click on a header
asks the page (``sort_requested(key, descending)``) to read the list again in that order, so the sort
covers the whole list and not only the rows loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.lifecycle import LEVEL_LABELS
from ostandari_desk.domain.text import format_number, protect_hyphenated_numbers, rlm, to_persian_digits

__all__ = ["COLUMNS", "ID_ROLE", "Column", "WorklistModel", "days_text"]

_ROOT = QModelIndex()  # the invisible root, as a default argument
ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's NGO id (double-click opens it)
EXPIRED_COLOUR = QColor("#c62828")
SOON_COLOUR = QColor("#b26a00")


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    show: Callable[[Any], str]
    key: str  # the service's sort key for this column
    colour: Callable[[Any], QColor | None] | None = None


def _number(text: str) -> str:
    """Licence / tracking numbers in Persian digits, kept in order inside right-to-left text."""
    return protect_hyphenated_numbers(to_persian_digits(text))


def days_text(days: int) -> str:
    """Days left as a number; days past as «۹۷۹ روز گذشته» (never a minus sign)."""
    return format_number(days) if days >= 0 else f"{format_number(-days)} روز گذشته"


def _days_left_colour(row) -> QColor | None:
    return EXPIRED_COLOUR if row.days_left < 0 else (SOON_COLOUR if row.days_left <= 30 else None)


def _overdue(_row) -> QColor:
    return EXPIRED_COLOUR  # every row of that view is past its due day


_NGO = Column("نام سمن", 260, lambda r: rlm(r.ngo_name), "ngo")
_COUNTY = Column("شهرستان", 110, lambda r: r.county_name, "county")


def _licence_columns(days_header: str, days_key: str) -> tuple[Column, ...]:
    return (
        _NGO,
        _COUNTY,
        Column("شماره پروانه", 110, lambda r: _number(r.number), "number"),
        Column("سطح", 80, lambda r: LEVEL_LABELS.get(r.level, r.level), "level"),
        Column("تاریخ صدور", 100, lambda r: format_jalali(r.issued_on), "issued_on"),
        Column("تاریخ انقضا", 100, lambda r: format_jalali(r.expires_on), "expires_on"),
        Column(days_header, 110, lambda r: days_text(r.days_left), days_key, _days_left_colour),
    )


COLUMNS: dict[str, tuple[Column, ...]] = {
    "expiring": _licence_columns("روز مانده", "days"),
    "expired": _licence_columns("گذشته از انقضا", "days_past"),
    "overdue_inquiries": (
        _NGO,
        _COUNTY,
        Column("مرجع استعلام", 150, lambda r: r.agency_label, "agency"),
        Column("تاریخ ارسال", 100, lambda r: format_jalali(r.sent_on), "sent_on"),
        Column("مهلت پاسخ", 100, lambda r: format_jalali(r.due_on), "due_on", _overdue),
        Column("روز تأخیر", 90, lambda r: format_number(r.days_overdue), "days", _overdue),
    ),
    "open_cases": (
        _NGO,
        _COUNTY,
        Column("نوع پرونده", 150, lambda r: r.case_type_label, "case_type"),
        Column("وضعیت", 170, lambda r: r.state_label, "state"),
        Column("شماره پیگیری", 110, lambda r: _number(r.tracking_no), "tracking_no"),
        Column("تاریخ دریافت", 100, lambda r: format_jalali(r.received_on), "received_on"),
        Column("روز باز", 80, lambda r: format_number(r.days_open), "days"),
    ),
    "ended_boards": (
        _NGO,
        _COUNTY,
        Column("پایان دوره هیئت‌مدیره", 150, lambda r: format_jalali(r.term_end), "term_end", _overdue),
        Column("گذشته از پایان دوره", 130, lambda r: days_text(-r.days_past), "days", _overdue),
    ),
}


class WorklistModel(QAbstractTableModel):
    """Rows of one view (at most the page's cap), held whole; a header click asks for a sorted reading."""

    sort_requested = Signal(str, bool)  # (the column's service key, descending)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._columns: tuple[Column, ...] = COLUMNS["expiring"]
        self._rows: list = []

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    def set_rows(self, columns: tuple[Column, ...], rows: Sequence) -> None:
        self.beginResetModel()
        self._columns = columns
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.show(row)
        if role == ID_ROLE:
            return row.ngo_id
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            return column.colour(row)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].header
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """A header was clicked: the page reads the list again in that column's order (none for -1)."""
        if 0 <= column < len(self._columns):
            self.sort_requested.emit(self._columns[column].key, order == Qt.SortOrder.DescendingOrder)
