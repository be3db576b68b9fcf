"""Admin page «سابقه تغییرات»: the whole audit trail, filtered by user, Jalali dates, table and action.

One line per changed field (زمان، کاربر، نقش، اقدام، جدول، شناسه رکورد، فیلد، مقدار قبلی، مقدار جدید),
newest first, the latest ``SHOWN_ENTRIES`` entries on screen; «خروجی اکسل» writes every matching line
through ``services.audit_export.export_audit`` off the UI thread. Reading the trail needs READ_AUDIT
(the service checks it; the page is offered only to admins).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.audit_labels import ACTION_LABELS, TABLE_LABELS
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.tasks import TaskHandle, run_task
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.history import (
    AUDIT_COLUMNS,
    AuditLineModel,
    configure_audit_table,
    fit_columns,
)
from ostandari_desk.ui.widgets.history import user_text as _user_text

__all__ = ["AuditPage"]

ALL = "همه"
RECORD_ID_WIDTH = 120  # record ids are long hex strings; the cell's tooltip shows the whole id
SHOWN_ENTRIES = 2000  # entries read for the screen; the export writes all of them
SAVE_FILTER = "پرونده اکسل (*.xlsx);;پرونده سی‌اس‌وی (*.csv)"


def _host(host: QWidget, widget: QWidget) -> QWidget:
    layout = QVBoxLayout(host)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    return widget


def _inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


class AuditPage(QWidget):
    """``AuditPage(context)``: filters, the table of lines, refresh and export."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.choose_path: Callable[[], str] = self._choose_path
        self.inform: Callable[[QWidget | None, str, str], None] = _inform
        self.export_handle: TaskHandle | None = None
        self.ui = load_form("audit_page", self)
        self.user_combo = child(self.ui, QComboBox, "userCombo")
        self.table_combo = child(self.ui, QComboBox, "tableCombo")
        self.action_combo = child(self.ui, QComboBox, "actionCombo")
        self.since_edit = _host(child(self.ui, QWidget, "sinceHost"), JalaliDateEdit(self, allow_empty=True))
        self.until_edit = _host(child(self.ui, QWidget, "untilHost"), JalaliDateEdit(self, allow_empty=True))
        self.since_edit.setObjectName("sinceEdit")
        self.until_edit.setObjectName("untilEdit")
        child(self.ui, QLabel, "sinceLabel").setBuddy(self.since_edit)
        child(self.ui, QLabel, "untilLabel").setBuddy(self.until_edit)
        self.table = child(self.ui, QTableView, "auditTable")
        self.count_label = child(self.ui, QLabel, "auditCountLabel")
        self.refresh_button = child(self.ui, QPushButton, "refreshButton")
        self.export_button = child(self.ui, QPushButton, "exportButton")
        self.model = AuditLineModel(AUDIT_COLUMNS, self)
        self.table.setModel(self.model)
        configure_audit_table(self.table)
        self._fill_choices()
        for combo in (self.user_combo, self.table_combo, self.action_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.since_edit.value_changed.connect(lambda _v: self.refresh())
        self.until_edit.value_changed.connect(lambda _v: self.refresh())
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)
        self.export_button.clicked.connect(self.export)
        QShortcut(QKeySequence("F5"), self, activated=self._on_refresh_button_clicked)
        self.refresh()

    def _fill_choices(self) -> None:
        from ostandari_desk.services.audit import usernames

        for combo in (self.user_combo, self.table_combo, self.action_combo):
            combo.blockSignals(True)
            combo.addItem(ALL, None)
        try:
            names = usernames(self.context.uow())
        except UserError:
            names = []
        for name in names:
            self.user_combo.addItem(_user_text(name), name)
        for key, label in sorted(TABLE_LABELS.items(), key=lambda kv: kv[1]):
            self.table_combo.addItem(label, key)
        for key, label in ACTION_LABELS.items():
            self.action_combo.addItem(label, key)
        for combo in (self.user_combo, self.table_combo, self.action_combo):
            combo.blockSignals(False)

    # --- the filter and the lines ---------------------------------------------------------------

    def current_filter(self):
        from ostandari_desk.services.audit import AuditFilter

        return AuditFilter(
            username=self.user_combo.currentData(),
            since=self.since_edit.value(),
            until=self.until_edit.value(),
            table_name=self.table_combo.currentData(),
            action=self.action_combo.currentData(),
        )

    def apply_filter(self, filters: dict) -> None:
        """Set the filter widgets (keys: username, table_name, action, since, until) and refresh."""
        combos = {"username": self.user_combo, "table_name": self.table_combo, "action": self.action_combo}
        for key, combo in combos.items():
            if key in filters:
                combo.blockSignals(True)
                combo.setCurrentIndex(max(combo.findData(filters[key]), 0))
                combo.blockSignals(False)
        for key, edit in (("since", self.since_edit), ("until", self.until_edit)):
            if key in filters:
                edit.blockSignals(True)
                edit.set_value(filters[key])
                edit.blockSignals(False)
        self.refresh()

    def refresh(self, *_args) -> None:
        from ostandari_desk.services.audit import audit_lines

        flt = self.current_filter()
        if flt.since and flt.until and flt.since > flt.until:
            self.model.set_lines([])
            self.count_label.setText("تاریخ آغاز پس از تاریخ پایان است.")
            return
        try:
            lines = list(audit_lines(self.context.uow(), flt, limit=SHOWN_ENTRIES))
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            lines = []
        self.model.set_lines(lines)
        entries = len({(line.at, line.record_id, line.action) for line in lines})
        more = " (تازه‌ترین‌ها؛ همه در خروجی اکسل)" if entries >= SHOWN_ENTRIES else ""
        self.count_label.setText(f"{to_persian_digits(len(lines))} سطر{more}")
        fit_columns(self.table)
        record = AUDIT_COLUMNS.index("record")
        self.table.setColumnWidth(
            record, min(self.table.columnWidth(record), RECORD_ID_WIDTH)
        )  # tooltip: all

    def _on_refresh_button_clicked(self) -> None:
        self.refresh()

    def shown_users(self) -> set[str]:
        return {line.username for line in self.model.lines}

    # --- export ---------------------------------------------------------------------------------

    def _choose_path(self) -> str:
        start = str(Path.home() / "سابقه تغییرات.xlsx")
        chosen, _ = QFileDialog.getSaveFileName(self, "ذخیره سابقه تغییرات", start, SAVE_FILTER)
        return chosen

    def export(self) -> TaskHandle | None:
        """Write every line matching the filter to a chosen .xlsx/.csv file (off the UI thread)."""
        chosen = self.choose_path()
        if not chosen:
            return None
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".xlsx")
        import openpyxl  # noqa: F401 - imported on the main thread (see ui/tasks.py)

        from ostandari_desk.services.audit_export import export_audit

        flt = self.current_filter()
        uow = self.context.uow()
        self.export_button.setEnabled(False)

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            self.inform(
                self,
                "خروجی سابقه تغییرات",
                f"{to_persian_digits(count)} سطر در پرونده «{path.name}» نوشته شد.",
            )

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            ui_errors.show_error(self, error)

        self.export_handle = run_task(
            self,
            lambda: export_audit(uow, flt, path),
            on_done=done,
            on_error=failed,
            label="در حال نوشتن سابقه تغییرات…",
        )
        return self.export_handle
