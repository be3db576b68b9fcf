"""The NGO list's table model: pages of frozen NgoRow, filtered and sorted in SQL (Anki browser pattern)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ostandari_desk.domain.lifecycle import LEVEL_LABELS, LICENCE_STATE_LABELS
from ostandari_desk.domain.text import protect_hyphenated_numbers, rlm, to_persian_digits
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.store.uow import UnitOfWork

_ROOT = QModelIndex()  # the invisible root, as a default argument
STATUS_LABELS = ngo_service.STATUS_LABELS

# (attribute of NgoRow, Persian header, service sort key)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "نام سازمان", "name"),
    ("national_id", "شناسه ملی", "national_id"),
    ("registration_no", "شماره ثبت", "registration_no"),
    ("county_name", "شهرستان", "county"),
    ("level", "سطح", "level"),
    ("ceo_name", "مدیرعامل", "ceo"),
    ("status", "وضعیت", "status"),
    ("licence_state", "وضعیت پروانه", "licence_state"),
)
COLUMN_OF = {attr: i for i, (attr, _h, _k) in enumerate(COLUMNS)}

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _sort_key_for(column: int) -> str:
    """The service sort key (``NGO_SORT_KEYS``) of ``column``."""
    key = COLUMNS[column][2]
    return key if key in ngo_service.NGO_SORT_KEYS else "name"


def display_value(attr: str, value: object) -> str:
    """What a cell shows: labels for codes, Persian digits for numbers."""
    if value is None:
        return ""
    if attr == "level":
        return LEVEL_LABELS.get(value, str(value))
    if attr == "licence_state":
        return LICENCE_STATE_LABELS.get(value, str(value))
    if attr == "status":
        return STATUS_LABELS.get(value, str(value))
    return rlm(protect_hyphenated_numbers(to_persian_digits(value)))


class NgoTableModel(QAbstractTableModel):
    """Rows come page by page (``PAGE`` at a time) as the view scrolls; sorting re-queries."""

    PAGE = 200
    total_changed = Signal(int)

    def __init__(self, uow_factory: Callable[[], UnitOfWork], parent=None):
        super().__init__(parent)
        self._uow_factory = uow_factory
        self._filter = ngo_service.NgoFilter()
        self._sort_column = 0
        self._descending = False
        self._rows: list = []
        self._total = 0

    # --- public API -----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        """How many NGOs match the filter (not how many rows are loaded)."""
        return self._total

    @property
    def current_filter(self):
        return self._filter

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def descending(self) -> bool:
        return self._descending

    def set_filter(self, flt) -> None:
        """Replace the filter (an ``NgoFilter``) and reload from the first page."""
        self._filter = flt
        self.refresh()

    def update_filter(self, **changes) -> None:
        self.set_filter(replace(self._filter, **changes))

    def refresh(self) -> None:
        """Run the query again (first page and the count)."""
        with self._uow_factory() as uow:
            total = ngo_service.count_ngos(uow, self._filter)
            rows = self._page(uow, 0)
        self.beginResetModel()
        self._rows = rows
        self._total = max(total, len(rows)) if len(rows) == self.PAGE else len(rows)
        self.endResetModel()
        self.total_changed.emit(self._total)

    def row_at(self, row: int):
        """The frozen NgoRow shown on ``row`` (None when out of range)."""
        if 0 <= row < len(self._rows):
            return self._rows[row]
        return None

    def id_at(self, row: int) -> str | None:
        found = self.row_at(row)
        return found.id if found is not None else None

    def row_of_id(self, ngo_id: str) -> int:
        """The row index of an NGO among the loaded rows, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == ngo_id), -1)

    # --- Qt overrides ---------------------------------------------------------------------------

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(COLUMNS):
            return None
        row = self._rows[index.row()]
        attr = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return display_value(attr, getattr(row, attr))
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole and row.status == "inactive":
            from PySide6.QtGui import QColor

            return QColor("#8a8a8a")
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1] if 0 <= section < len(COLUMNS) else None
        return to_persian_digits(section + 1)

    def canFetchMore(self, parent=_ROOT) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=_ROOT) -> None:
        if parent.isValid() or len(self._rows) >= self._total:
            return
        with self._uow_factory() as uow:
            more = self._page(uow, len(self._rows))
        if not more:
            self._total = len(self._rows)
            self.total_changed.emit(self._total)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()
        if len(more) < self.PAGE and len(self._rows) < self._total:
            self._total = len(self._rows)
            self.total_changed.emit(self._total)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    # --- internals ------------------------------------------------------------------------------

    def _page(self, uow: UnitOfWork, offset: int, limit: int | None = None) -> list:
        return list(
            ngo_service.list_ngo_page(
                uow,
                self._filter,
                sort=_sort_key_for(self._sort_column),
                descending=self._descending,
                offset=offset,
                limit=limit or self.PAGE,
            )
        )
