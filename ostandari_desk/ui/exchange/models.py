"""The exchange page's small tables: rows held whole (a desk has tens of files, not thousands), each column
declared once with its text and its sort value, sorted by a proxy (Persian collation for text)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QTableView, QWidget

from ostandari_desk.ui.widgets.paged_list import configure_table, select_row

__all__ = ["SORT_ROLE", "Column", "RowsModel", "RowsTable"]

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
_ROOT = QModelIndex()
_ATTENTION = QBrush(QColor("#fff3cd"))  # a row that waits for someone (an open conflict)


@dataclass(frozen=True)
class Column:
    """A column: header, the cell's text, its sort value (default: the text), width, left-to-right cells."""

    header: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None
    width: int = 110
    ltr: bool = False  # a fingerprint or a file name: shown left to right


class RowsModel(QAbstractTableModel):
    """Frozen service rows under declared columns; ``attention(row)`` tints rows that wait for a decision."""

    def __init__(
        self,
        columns: Sequence[Column],
        parent: QWidget | None = None,
        attention: Callable[[Any], bool] | None = None,
    ):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: list[Any] = []
        self._attention = attention

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            return (column.sort or column.text)(row)
        if role == ROW_ROLE:
            return index.row()
        if role == Qt.ItemDataRole.TextAlignmentRole and column.ltr:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self._attention is not None and self._attention(row):
            return _ATTENTION
        if role == Qt.ItemDataRole.FontRole and column.ltr:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.Monospace)
            return font
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        return None


class RowsTable:
    """A table view over a RowsModel behind a sorting proxy; the selected row as the service's value."""

    def __init__(self, view: QTableView, model: RowsModel, sort_column: int = 0, descending: bool = False):
        self.view = view
        self.model = model
        self.proxy = QSortFilterProxyModel(view)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setSortLocaleAware(True)  # Persian collation for text columns
        view.setModel(self.proxy)
        configure_table(view, tuple(c.width for c in model.columns))
        view.sortByColumn(
            sort_column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        )
        view.setTabKeyNavigation(False)  # Tab leaves the table: the buttons are reachable by keyboard

    def selected(self) -> Any | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row()):
            return None
        row = self.proxy.mapToSource(index).row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def select_where(self, matches: Callable[[Any], bool]) -> bool:
        for source_row, row in enumerate(self.model.rows):
            if matches(row):
                proxy_row = self.proxy.mapFromSource(self.model.index(source_row, 0)).row()
                if proxy_row >= 0:
                    select_row(self.view, proxy_row)
                    return True
        return False

    def shown(self, column: int) -> list[str]:
        """The texts of ``column`` in the order shown (tests)."""
        return [self.proxy.index(r, column).data() for r in range(self.proxy.rowCount())]
