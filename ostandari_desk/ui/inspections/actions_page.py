"""اقدامات اصلاحی معوق: open corrective actions whose deadline has passed, the most overdue first.

Each row names the centre, its county, the finding, the action, its deadline and how late it is («۱۲ روز
گذشته»). The visit opens in the visit form; «ثبت انجام اقدام» asks the day it was done and records it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services.inspections import actions as action_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.inspections.rows import Column, RowsModel, code_text, make_table, selected_row
from ostandari_desk.ui.widgets.dates import JalaliDateEdit

__all__ = ["OverdueActionsPage", "ask_done_date", "overdue_text"]

LONG_OVERDUE_DAYS = 30


def overdue_text(days: int) -> str:
    """«۱۲ روز گذشته»."""
    return f"{format_number(days)} روز گذشته"


COLUMNS = (
    Column("مرکز", lambda r: f"{r.centre_name} ({code_text(r.centre_code)})", 240),
    Column("شهرستان", lambda r: r.county_name, 100),
    Column("یافته", lambda r: r.finding_text, 230),
    Column("شدت", lambda r: r.severity_label, 60),
    Column("اقدام اصلاحی", lambda r: r.action, 220),
    Column("مهلت", lambda r: r.deadline_text, 90),
    Column("تأخیر", lambda r: overdue_text(r.days_overdue), 90),
)


def _colour(row: action_service.OverdueActionRow) -> tuple[str, bool] | None:
    if row.severity == "critical" or row.days_overdue > LONG_OVERDUE_DAYS:
        return "#b71c1c", row.severity == "critical"
    return None


def ask_done_date(parent: QWidget, row: action_service.OverdueActionRow) -> date | None:
    """A small dialog asking the day the action was carried out (today by default); None when cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("ثبت انجام اقدام اصلاحی")
    form = QFormLayout(dialog)
    about = QLabel(f"{row.action}\n{row.centre_name}", dialog)
    about.setWordWrap(True)
    form.addRow(about)
    edit = JalaliDateEdit(dialog)
    edit.set_value(date.today())
    form.addRow("تاریخ انجام:", edit)
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    box.button(QDialogButtonBox.StandardButton.Ok).setText("ثبت")
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("انصراف")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    form.addRow(box)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return edit.value()


class OverdueActionsPage(QWidget):
    """``OverdueActionsPage(context, parent=None)``; ``reload()`` reads the list again (also on show)."""

    open_area = Signal(str, dict)

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("overdueActionsPage")
        self.context = context
        self.today: Callable[[], date] = date.today
        self.ask_date: Callable[[QWidget, action_service.OverdueActionRow], date | None] = ask_done_date
        self.last_dialog: QWidget | None = None
        self.model = RowsModel(COLUMNS, self, _colour)
        self.table = make_table(self, self.model, "overdueActionTable")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("overdueCountLabel")
        self.open_button = QPushButton("نمایش بازدید", self)
        self.open_button.setObjectName("openActionVisitButton")
        self.done_button = QPushButton("ثبت انجام اقدام", self)
        self.done_button.setObjectName("completeActionButton")
        self.refresh_button = QPushButton("تازه‌سازی", self)
        self.refresh_button.setObjectName("refreshActionsButton")
        buttons = QHBoxLayout()
        for button in (self.open_button, self.done_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table.activated.connect(lambda _i: self.open_visit())
        self.open_button.clicked.connect(self.open_visit)
        self.done_button.clicked.connect(self.complete_selected)
        self.refresh_button.clicked.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        try:
            rows = action_service.overdue_actions(self.context.uow(), self.today())
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            rows = []
        self.model.set_rows(rows)
        limit = " (نخستین ۵۰۰)" if len(rows) >= 500 else ""
        self.count_label.setText(
            f"{format_number(len(rows))} اقدام معوق{limit}" if rows else "اقدام اصلاحی معوقی نیست."
        )
        self._update_buttons()

    def selected(self) -> action_service.OverdueActionRow | None:
        return selected_row(self.table)

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.open_button.setEnabled(has)
        self.done_button.setEnabled(has)

    def open_visit(self) -> QWidget | None:
        row = self.selected()
        if row is None:
            return None
        from ostandari_desk.ui.inspections.area import open_visit_dialog

        dialog = open_visit_dialog(self, self.context, visit_id=row.visit_id)
        if dialog is not None:
            self.last_dialog = dialog
            dialog.finished.connect(lambda _r: self.reload())
        return dialog

    def complete_selected(self) -> bool:
        """Ask the day the selected action was done and record it; True when recorded."""
        row = self.selected()
        if row is None:
            return False
        done_on = self.ask_date(self, row)
        if done_on is None:
            return False
        try:
            action_service.complete_action(self.context.uow(), row.action_id, done_on)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            return False
        self.reload()
        return True

    def apply_filter(self, _filters: dict) -> None:
        self.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reload()  # an action may have been completed in a visit meanwhile
