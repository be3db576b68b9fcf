"""The desk worklists' table model and the columns of each view (licences, overdue inquiries, open cases).

Each view is a tuple of ``Column``: a header, a width, how a frozen service row is shown and how it
sorts. The model holds one capped page of rows whole (the page caps them); a ``QSortFilterProxyModel``
sorts by ``SORT_ROLE``, whose keys are computed once per column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.lifecycle import LEVEL_LABELS
from ostandari_desk.domain.text import (
    format_number,
    persian_sort_key,
    protect_hyphenated_numbers,
    rlm,
    to_persian_digits,
)

__all__ = ["COLUMNS", "ID_ROLE", "SORT_ROLE", "Column", "WorklistModel"]

_ROOT = QModelIndex()  # the invisible root, as a default argument
ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's NGO id (double-click opens it)
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
EXPIRED_COLOUR = QColor("#c62828")
SOON_COLOUR = QColor("#b26a00")


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    show: Callable[[Any], str]
    sort: Callable[[Any], Any]
    colour: Callable[[Any], QColor | None] | None = None


def _number(text: str) -> str:
    """Licence / tracking numbers in Persian digits, kept in order inside right-to-left text."""
    return protect_hyphenated_numbers(to_persian_digits(text))


def _days_left_colour(row) -> QColor | None:
    return EXPIRED_COLOUR if row.days_left < 0 else (SOON_COLOUR if row.days_left <= 30 else None)


def _overdue(_row) -> QColor:
    return EXPIRED_COLOUR  # every row of that view is past its due day


_NGO = Column("نام سمن", 260, lambda r: rlm(r.ngo_name), lambda r: persian_sort_key(r.ngo_name))
_COUNTY = Column("شهرستان", 110, lambda r: r.county_name, lambda r: persian_sort_key(r.county_name))

_LICENCE_COLUMNS = (
    _NGO,
    _COUNTY,
    Column("شماره پروانه", 110, lambda r: _number(r.number), lambda r: r.number),
    Column("سطح", 80, lambda r: LEVEL_LABELS.get(r.level, r.level), lambda r: r.level),
    Column("تاریخ صدور", 100, lambda r: format_jalali(r.issued_on), lambda r: r.issued_on.isoformat()),
    Column("تاریخ انقضا", 100, lambda r: format_jalali(r.expires_on), lambda r: r.expires_on.isoformat()),
    Column("روز مانده", 90, lambda r: format_number(r.days_left), lambda r: r.days_left, _days_left_colour),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "expiring": _LICENCE_COLUMNS,
    "expired": _LICENCE_COLUMNS,
    "overdue_inquiries": (
        _NGO,
        _COUNTY,
        Column("مرجع استعلام", 150, lambda r: r.agency_label, lambda r: persian_sort_key(r.agency_label)),
        Column("تاریخ ارسال", 100, lambda r: format_jalali(r.sent_on), lambda r: r.sent_on.isoformat()),
        Column("مهلت پاسخ", 100, lambda r: format_jalali(r.due_on), lambda r: r.due_on.isoformat(), _overdue),
        Column("روز تأخیر", 90, lambda r: format_number(r.days_overdue), lambda r: r.days_overdue, _overdue),
    ),
    "open_cases": (
        _NGO,
        _COUNTY,
        Column("نوع پرونده", 150, lambda r: r.case_type_label, lambda r: persian_sort_key(r.case_type_label)),
        Column("وضعیت", 170, lambda r: r.state_label, lambda r: persian_sort_key(r.state_label)),
        Column("شماره پیگیری", 110, lambda r: _number(r.tracking_no), lambda r: r.tracking_no),
        Column(
            "تاریخ دریافت", 100, lambda r: format_jalali(r.received_on), lambda r: r.received_on.isoformat()
        ),
        Column("روز باز", 80, lambda r: format_number(r.days_open), lambda r: r.days_open),
    ),
}


class WorklistModel(QAbstractTableModel):
    """Rows of one view (at most the page's cap): held whole; a proxy sorts by ``SORT_ROLE``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._columns: tuple[Column, ...] = COLUMNS["expiring"]
        self._rows: list = []
        self._sort_keys: dict[int, list] = {}  # column -> every row's key, built on the first sort

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    def set_rows(self, columns: tuple[Column, ...], rows: Sequence) -> None:
        self.beginResetModel()
        self._columns = columns
        self._rows = list(rows)
        self._sort_keys = {}
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
        if role == SORT_ROLE:
            # a sort asks each row's key ~2·log2(n) times; Persian sort keys are worth computing once
            keys = self._sort_keys.get(index.column())
            if keys is None:
                keys = self._sort_keys[index.column()] = [column.sort(r) for r in self._rows]
            return keys[index.row()]
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
