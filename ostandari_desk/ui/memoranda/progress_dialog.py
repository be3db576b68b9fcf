"""A progress report of a memorandum (forms/progress_dialog.ui): its date, the percentage (never below the latest
report: the spin box starts there), a note and scans (kept until the report is saved, then attached through
services/attachments, kind PROGRESS). ``progress_errors``' refusals are marked on their field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services import attachments
from ostandari_desk.services.memoranda import memoranda as memo_service
from ostandari_desk.services.memoranda import progress as progress_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.letters.dialog import open_with_system_viewer
from ostandari_desk.ui.memoranda.memorandum_tabs import SCAN_FILTER
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox
from ostandari_desk.ui.widgets.paged_list import ask_yes_no

__all__ = ["ProgressDialog"]

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class ProgressDialog(EditDialog):
    """``ProgressDialog(context, memorandum_id, parent=None)``: a new progress report; ``saved_id`` after accept.
    ``confirm``, ``choose_files`` and ``open_file`` may be replaced (tests)."""

    DISCARD_QUESTION = ("کنار گذاشتن گزارش", "گزارش پیشرفت ذخیره نشده کنار گذاشته شود؟")

    def __init__(self, context, memorandum_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.memorandum_id = memorandum_id
        self.saved_id: str | None = None
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.choose_files: Callable[[], list[str]] = self._choose_files
        self.open_file: Callable[[Path], bool] = open_with_system_viewer
        with context.uow() as uow:
            self.detail = memo_service.get_memorandum(uow, memorandum_id)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form = load_form("progress_dialog", self)
        self.layout().setContentsMargins(9, 9, 9, 9)
        f = self.form
        self.memorandum_label = child(f, QLabel, "memorandumLabel")
        self.date_edit = child(f, JalaliDateEdit, "dateEdit")
        self.percent_spin = child(f, PersianIntSpinBox, "percentSpin")
        self.latest_label = child(f, QLabel, "latestLabel")
        self.note_edit = child(f, QPlainTextEdit, "noteEdit")
        self.scans_list = child(f, QListWidget, "scansList")
        self.add_scan_button = child(f, QPushButton, "addScanButton")
        self.open_scan_button = child(f, QPushButton, "openScanButton")
        self.remove_scan_button = child(f, QPushButton, "removeScanButton")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.errors = self._field_errors(child(f, QLabel, "errorLabel"))
        self.save_button = self._label_buttons(self.button_box)
        self.save_button.setToolTip("Ctrl+S")
        d = self.detail
        self.memorandum_label.setText(f"تفاهم‌نامه {to_persian_digits(d.number)} — {d.title}")
        latest = d.ledger.latest_progress
        self.percent_spin.setRange(latest or 0, 100)
        self.percent_spin.setValue(latest or 0)
        self.percent_spin.setSuffix("٪")
        if d.progress:
            last = d.progress[-1]
            self.latest_label.setText(
                f"آخرین گزارش: {rules.percent(last.percent)} در {format_jalali(last.reported_on)}"
            )
        else:
            self.latest_label.setText("نخستین گزارش پیشرفت این تفاهم‌نامه")
        self.date_edit.set_value(max(date.today(), d.signed_on))
        self.add_scan_button.clicked.connect(self.add_scans)
        self.open_scan_button.clicked.connect(self.open_selected_scan)
        self.remove_scan_button.clicked.connect(self.remove_selected_scan)
        self.scans_list.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self.setWindowTitle("گزارش پیشرفت جدید")
        self._initial = self._state()
        self._update_buttons()
        self.resize(600, 460)
        self.percent_spin.setFocus()

    # --- scans ------------------------------------------------------------------------------------

    def pending_files(self) -> list[Path]:
        return [Path(self.scans_list.item(i).data(PATH_ROLE)) for i in range(self.scans_list.count())]

    def add_pending_file(self, path: Path | str) -> None:
        path = Path(path)
        if path in self.pending_files():
            return
        item = QListWidgetItem(f"{path.name} (با گزارش ذخیره می‌شود)")
        item.setData(PATH_ROLE, str(path))
        self.scans_list.addItem(item)
        self._update_buttons()

    def _choose_files(self) -> list[str]:
        files, _filter = QFileDialog.getOpenFileNames(self, "افزودن اسکن گزارش پیشرفت", "", SCAN_FILTER)
        return files

    def add_scans(self) -> None:
        for name in self.choose_files():
            self.add_pending_file(name)

    def open_selected_scan(self) -> None:
        item = self.scans_list.currentItem()
        if item is not None and not self.open_file(Path(item.data(PATH_ROLE))):
            ui_errors.show_user_error(self, UserError("برنامه‌ای برای باز کردن این فایل پیدا نشد"), "اسکن")

    def remove_selected_scan(self) -> None:
        row = self.scans_list.currentRow()
        if row >= 0:
            self.scans_list.takeItem(row)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_scan = self.scans_list.currentItem() is not None
        self.open_scan_button.setEnabled(has_scan)
        self.remove_scan_button.setEnabled(has_scan)

    # --- saving -----------------------------------------------------------------------------------

    def progress_input(self) -> progress_service.ProgressInput:
        return progress_service.ProgressInput(
            memorandum_id=self.memorandum_id,
            reported_on=self.date_edit.value(),
            percent=self.percent_spin.value(),
            note=self.note_edit.toPlainText(),
        )

    def _state(self) -> tuple:
        return self.progress_input(), tuple(self.pending_files())

    def save(self) -> bool:
        data = self.progress_input()
        if not self._add_checked(progress_service.progress_errors, progress_service.add_progress, data):
            return False
        failed = []
        for path in self.pending_files():
            try:
                attachments.add_attachment(self.context.uow(), attachments.PROGRESS, self.saved_id, path)
            except UserError as exc:
                failed.append(f"{path.name}: {exc.message}")
        if failed:
            ui_errors.show_user_error(
                self,
                UserError("گزارش ذخیره شد، ولی این اسکن‌ها افزوده نشدند:\n" + "\n".join(failed)),
                "اسکن",
            )
        return self._accept_saved(self._state())

    def has_changes(self) -> bool:
        return self._state() != self._initial

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "reported_on": self.date_edit,
            "percent": self.percent_spin,
            "note": self.note_edit,
        }
