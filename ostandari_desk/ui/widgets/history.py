"""«سابقه تغییرات»: who changed what on a record and when, field by field (services.audit.history_of).

``AuditLineModel`` shows ``AuditLine`` values in chosen columns (the record tab's seven, the admin audit
page's nine); ``HistoryWidget`` is the tab itself, loaded when it is first shown (or on ``refresh()``).
``add_history_tab`` turns a dialog whose Designer form sits directly in it into «مشخصات» and «سابقه
تغییرات» tabs, with the dialog's buttons kept below both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.roles import SYSTEM
from ostandari_desk.domain.text import rlm, to_persian_digits
from ostandari_desk.services.audit_values import coded_value_label
from ostandari_desk.ui.widgets.empty_state import EmptyOverlay
from ostandari_desk.ui.widgets.paged_list import configure_table

__all__ = [
    "AUDIT_COLUMNS",
    "HISTORY_COLUMNS",
    "HISTORY_TAB_TITLE",
    "AuditLineModel",
    "HistoryWidget",
    "add_history_tab",
    "configure_audit_table",
]

HISTORY_TAB_TITLE = "سابقه تغییرات"
EMPTY_TEXT = "هنوز تغییری از این رکورد ثبت نشده است."
NOTHING_TEXT = "هنوز رکوردی نیست که سابقه‌ای داشته باشد."
MAX_COLUMN_WIDTH = 320
_ROOT = QModelIndex()


def user_text(username: str) -> str:
    """The username as shown (the desk's own work is «سامانه»)."""
    return SYSTEM.full_name if username == SYSTEM.username else rlm(username)


_LATIN = re.compile("[A-Za-z]")


def value_text(value: str, table: str = "", field: str = "") -> str:
    """A before/after value as shown: a code by its Persian name, numbers in Persian digits (not inside
    an id or other Latin text), laid out right to left even when it starts with Latin."""
    named = coded_value_label(value, table, field)
    if named is not None:
        return named
    return rlm(value if _LATIN.search(value) else to_persian_digits(value))


@dataclass(frozen=True)
class AuditColumn:
    title: str
    text: Callable[..., str]  # (line, model) -> cell text


def _action(line, model: AuditLineModel) -> str:
    """«ویرایش»; on a record's tab a child's line (a board member, an inquiry) also names its table, and
    so does every line of a tab over records of several kinds (a licence and its case)."""
    if model.name_tables or (model.own_ids and line.record_id not in model.own_ids):
        return f"{line.action_label} ({line.table_label})"
    return line.action_label


def _after(line, _model: AuditLineModel) -> str:
    """The new value; for an entry without field changes (a login, an export) its detail, as the export
    (services.audit_export) writes it."""
    return value_text(line.after if line.field else (line.after or line.detail), line.table_name, line.field)


COLUMNS: dict[str, AuditColumn] = {
    "at": AuditColumn("زمان", lambda line, _m: line.at_text),
    "user": AuditColumn("کاربر", lambda line, _m: user_text(line.username)),
    "role": AuditColumn("نقش", lambda line, _m: line.role_label),
    "action": AuditColumn("اقدام", _action),
    "table": AuditColumn("جدول", lambda line, _m: line.table_label),
    "record": AuditColumn("شناسه رکورد", lambda line, _m: line.record_id),
    "field": AuditColumn("فیلد", lambda line, _m: line.field_label),
    "before": AuditColumn(
        "مقدار قبلی", lambda line, _m: value_text(line.before, line.table_name, line.field)
    ),
    "after": AuditColumn("مقدار جدید", _after),
}
HISTORY_COLUMNS = ("at", "user", "role", "action", "field", "before", "after")
AUDIT_COLUMNS = ("at", "user", "role", "action", "table", "record", "field", "before", "after")


class AuditLineModel(QAbstractTableModel):
    """Read-only rows of ``AuditLine`` (newest first, as the service returns them)."""

    def __init__(self, columns: Sequence[str], parent=None, *, name_tables: bool = False):
        super().__init__(parent)
        self.columns = [COLUMNS[key] for key in columns]
        self.lines: list = []
        self.own_ids: frozenset[str] = frozenset()  # a record tab's own records (not their children)
        self.name_tables = name_tables  # every line names its table in «اقدام», not only a child's

    def set_lines(self, lines: Sequence, own_ids: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.own_ids = frozenset(own_ids)
        self.endResetModel()

    def cell_text(self, row: int, column: int) -> str:
        return self.columns[column].text(self.lines[row], self)

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell_text(index.row(), index.column())
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return to_persian_digits(section + 1)


def configure_audit_table(table: QTableView) -> None:
    """The lists' table set-up (ui/widgets/paged_list.py), in the trail's own order (newest first): no sorting."""
    configure_table(table, ())
    table.setSortingEnabled(False)


def fit_columns(table: QTableView) -> None:
    """Columns as wide as their contents (the visible rows), none wider than MAX_COLUMN_WIDTH."""
    table.resizeColumnsToContents()
    for column in range(table.model().columnCount() - 1):
        if table.columnWidth(column) > MAX_COLUMN_WIDTH:
            table.setColumnWidth(column, MAX_COLUMN_WIDTH)


class HistoryWidget(QWidget):
    """The «سابقه تغییرات» tab of one record (or a few: a licence and its open case), newest first.

    ``set_records(ids)`` changes what it shows; it reads the trail on first show and on ``refresh()``.
    """

    def __init__(
        self,
        context,
        record_ids: Sequence[str | None] = (),
        parent: QWidget | None = None,
        *,
        name_tables: bool = False,
    ):
        super().__init__(parent)
        self.setObjectName("historyTab")
        self.context = context
        self.record_ids: tuple[str, ...] = tuple(i for i in record_ids if i)
        self.loaded = False
        self.model = AuditLineModel(HISTORY_COLUMNS, self, name_tables=name_tables)
        self.table = QTableView(self)
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        configure_audit_table(self.table)
        self.empty_state = EmptyOverlay(self.table, hide_header=True)  # «no change yet», not bare columns
        self.count_label = QLabel(self)
        self.count_label.setObjectName("historyCountLabel")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

    def set_records(self, record_ids: Sequence[str | None]) -> None:
        """Show these records' history (read again at once if the tab was already read)."""
        self.record_ids = tuple(i for i in record_ids if i)
        if self.loaded:
            self.refresh()

    def refresh(self) -> None:
        """Read the record's history again."""
        from ostandari_desk.services.audit import history_of

        lines = []
        for record_id in self.record_ids:
            lines += history_of(self.context.uow(), record_id)
        # a field created empty is no change to show
        lines = [line for line in lines if not line.field or line.before or line.after]
        if len(self.record_ids) > 1:
            lines.sort(key=lambda line: line.at, reverse=True)  # stable: an entry's fields stay together
        self.model.set_lines(lines, self.record_ids)
        self.loaded = True
        empty = EMPTY_TEXT if self.record_ids else NOTHING_TEXT
        self.count_label.setText(f"{to_persian_digits(len(lines))} تغییر" if lines else empty)
        self.empty_state.set_text(empty)
        fit_columns(self.table)

    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.ensure_loaded()


def add_history_tab(
    dialog: QWidget, form: QWidget, buttons: QWidget, context, record_id: str, title: str = "مشخصات"
) -> tuple[QTabWidget, HistoryWidget]:
    """Put ``form`` (loaded into ``dialog`` by ``load_form``) in a «مشخصات» tab beside a «سابقه تغییرات»
    tab for ``record_id``; ``buttons`` (a direct item of the form's top layout) move below the tabs."""
    outer = dialog.layout()
    outer.setContentsMargins(9, 9, 9, 9)
    form.layout().removeWidget(buttons)
    outer.removeWidget(form)
    tabs = QTabWidget(dialog)
    tabs.setObjectName("recordTabs")
    tabs.addTab(form, title)
    history = HistoryWidget(context, [record_id], tabs)
    tabs.addTab(history, HISTORY_TAB_TITLE)
    outer.addWidget(tabs, 1)
    outer.addWidget(buttons)
    return tabs, history
