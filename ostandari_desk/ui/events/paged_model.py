"""A read-only table model that loads frozen rows page by page from a service (Anki browser pattern).

Events and letters both use it: the page hands it a ``count(uow, flt)`` and a
``page(uow, flt, sort, descending, offset, limit)`` service function and a column list; filtering
and sorting happen in SQL, the model only keeps the rows loaded so far.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ostandari_desk.domain.text import rlm, to_persian_digits

ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class PagedColumn:
    """One column: its Persian header, the service sort key and how a row shows in it."""

    header: str
    sort_key: str
    show: Callable[[Any], object]
    align_number: bool = False


class PagedTableModel(QAbstractTableModel):
    """Rows come ``PAGE`` at a time as the view scrolls (canFetchMore/fetchMore); sorting re-queries."""

    PAGE = 200
    total_changed = Signal(int)

    def __init__(
        self,
        uow_factory: Callable[[], Any],
        columns: Sequence[PagedColumn],
        count: Callable[[Any, Any], int],
        page: Callable[..., list],
        initial_filter: Any,
        sort_column: int = 0,
        descending: bool = True,
        parent=None,
    ):
        super().__init__(parent)
        self._uow_factory = uow_factory
        self._columns = tuple(columns)
        self._count = count
        self._page_fn = page
        self._filter = initial_filter
        self._sort_column = sort_column
        self._descending = descending
        self._rows: list = []
        self._total = 0

    # --- public API -----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def current_filter(self) -> Any:
        return self._filter

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def descending(self) -> bool:
        return self._descending

    def set_filter(self, flt: Any) -> None:
        self._filter = flt
        self.refresh()

    def update_filter(self, **changes) -> None:
        self.set_filter(replace(self._filter, **changes))

    def refresh(self) -> None:
        """Count again and load the first page."""
        with self._uow_factory() as uow:
            total = self._count(uow, self._filter)
            rows = self._load(uow, 0)
        self.beginResetModel()
        self._rows = rows
        self._total = max(total, len(rows))
        self.endResetModel()
        self.total_changed.emit(self._total)

    def row_at(self, row: int):
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def id_at(self, row: int) -> str | None:
        found = self.row_at(row)
        return found.id if found is not None else None

    def row_of_id(self, record_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == record_id), -1)

    def loaded(self) -> int:
        return len(self._rows)

    # --- Qt overrides ---------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = column.show(row)
            return rlm(to_persian_digits(value)) if value is not None else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_number:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].header if 0 <= section < len(self._columns) else None
        return to_persian_digits(section + 1)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or len(self._rows) >= self._total:
            return
        with self._uow_factory() as uow:
            more = self._load(uow, len(self._rows))
        if not more:
            self._total = len(self._rows)
            self.total_changed.emit(self._total)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()
        if len(more) < self.PAGE:
            self._total = len(self._rows)
            self.total_changed.emit(self._total)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    # --- internals ------------------------------------------------------------------------------

    def _load(self, uow, offset: int) -> list:
        return list(
            self._page_fn(
                uow,
                self._filter,
                sort=self._columns[self._sort_column].sort_key,
                descending=self._descending,
                offset=offset,
                limit=self.PAGE,
            )
        )
