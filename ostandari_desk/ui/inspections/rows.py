"""A read-only table model over a short list of frozen rows, and the table view the inspection pages share.

The lists it serves are bounded by their service (a cell's visits, a month's plan, 500 overdue actions), so the
rows are held whole; the long lists (centres, visits) use ui/widgets/paged_list.py instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ostandari_desk.domain.text import print_form, to_persian_digits

__all__ = ["Column", "RowsModel", "code_text", "make_table", "selected_row"]

_ROOT = QModelIndex()


def code_text(code: str) -> str:
    """A centre code («۰۱-۱-۰۰۰۰۱») in Persian digits, kept left to right inside right-to-left text.

    An LTR isolate alone is not enough for Qt: a hyphen between Persian digits still flips, so each hyphen is
    held between LRMs; the RLM in front keeps a cell holding only the code right-aligned."""
    shown = to_persian_digits(code).replace("-", "\u200e-\u200e")
    return f"\u200f\u2066{shown}\u2069"


@dataclass(frozen=True)
class Column:
    """One column: its Persian title, the cell's text of a row, its starting width."""

    title: str
    text: Callable[[Any], str]
    width: int = 100


class RowsModel(QAbstractTableModel):
    """``RowsModel(columns, colour=None)``; ``set_rows(rows)``. ``colour(row) -> (hex, bold) | None`` paints a
    whole row's text (a done plan row green, a long-overdue action red)."""

    def __init__(
        self,
        columns: Sequence[Column],
        parent: QWidget | None = None,
        colour: Callable[[Any], tuple[str, bool] | None] | None = None,
    ):
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[Any] = []
        self._colour = colour

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            # Persian digits in free text too («پلاک 27»), as stored otherwise (domain.text.print_form)
            text = self.columns[index.column()].text(row)
            return print_form(text) if isinstance(text, str) else text
        if self._colour is not None and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole):
            painted = self._colour(row)
            if painted is None:
                return None
            colour, bold = painted
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(colour))
            if bold:
                font = QFont()
                font.setBold(True)
                return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None


def make_table(parent: QWidget, model: RowsModel, name: str) -> QTableView:
    """A read-only table over ``model``: whole rows selected one at a time, the last column stretched."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, spec in enumerate(model.columns):
        table.setColumnWidth(column, spec.width)
    return table


def selected_row(table: QTableView) -> Any:
    """The frozen row under the table's current index (None when nothing is selected)."""
    model = table.model()
    index = table.currentIndex()
    if not index.isValid() or not isinstance(model, RowsModel):
        return None
    if not table.selectionModel().isRowSelected(index.row(), QModelIndex()):
        return None
    return model.row_at(index.row())
