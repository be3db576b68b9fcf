"""Pieces the centre and visit screens share: result colours, a centre picker, read-only tables, errors
marked on the field they name."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ostandari_desk.domain.text import normalize, rlm, to_persian_digits
from ostandari_desk.ui.events.ngo_picker import MATCHES, NgoPicker
from ostandari_desk.ui.widgets.field_errors import FieldErrors  # re-exported: it lives in ui/widgets

__all__ = [
    "RESULT_COLOURS",
    "CentrePicker",
    "FieldErrors",
    "centre_label",
    "fill_table",
    "read_only_table",
    "result_brushes",
]

# result -> (background, text): green, amber, red; the same on the list, the file and the form
RESULT_COLOURS: dict[str, tuple[str, str]] = {
    "good": ("#e5f4e8", "#1b5e20"),
    "needs_fix": ("#fff3dc", "#8a4b00"),
    "serious": ("#fde4e4", "#b71c1c"),
}


def result_brushes(result: str) -> tuple[QBrush, QBrush] | None:
    """(background, foreground) brushes of a visit result, or None for an unknown one."""
    colours = RESULT_COLOURS.get(result)
    if colours is None:
        return None
    return QBrush(QColor(colours[0])), QBrush(QColor(colours[1]))


def centre_label(code: str, name: str) -> str:
    return f"{name} — {to_persian_digits(code)}"


class CentrePicker(NgoPicker):
    """Choose a centre by typing part of its code or name (``value()`` is its id)."""

    def __init__(self, uow_factory: Callable, parent: QWidget | None = None, placeholder: str = ""):
        super().__init__(uow_factory, parent, placeholder or "کد یا نام مرکز را بنویسید…")
        self.edit.setObjectName("centrePickerEdit")
        self._search = self._centre_search(uow_factory)

    @staticmethod
    def _centre_search(uow_factory: Callable) -> Callable[[str], list[tuple[str, str]]]:
        def search(query: str) -> list[tuple[str, str]]:
            from ostandari_desk.services.inspections import centres

            if not normalize(query):
                return []
            with uow_factory() as uow:
                rows = centres.list_centre_page(uow, centres.CentreFilter(search=query), limit=MATCHES)
            return [(centre_label(r.code, r.name), r.id) for r in rows]

        return search


def read_only_table(headers: Sequence[str], name: str, parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table


def fill_table(
    table: QTableWidget,
    rows: Sequence[Sequence[str]],
    ids: Sequence[str | None] = (),
    results: Sequence[str | None] = (),
    result_column: int = -1,
) -> None:
    """Rows of texts (Persian digits); ``ids`` go to UserRole of the first cell; a row's ``results`` colour
    its result cell."""
    from PySide6.QtCore import Qt

    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            shown = rlm(to_persian_digits(value))
            item = QTableWidgetItem(shown)
            item.setToolTip(shown)
            if c == 0 and r < len(ids):
                item.setData(Qt.ItemDataRole.UserRole, ids[r])
            if c == result_column and r < len(results) and (brushes := result_brushes(results[r] or "")):
                item.setBackground(brushes[0])
                item.setForeground(brushes[1])
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    for c in range(table.columnCount()):
        table.setColumnWidth(c, min(table.columnWidth(c) + 12, 360))
