"""Excel/CSV exchange dialogs over services.transfer (forms/transfer_dialog.ui): import, export, template.

One form serves the three dialogs; each shows the parts it needs. The work runs in ``run_task`` off
the UI thread; the dialog shows an inline progress bar and, for an import, the summary, every row
error (row, column, reason) and the warnings. Native file dialogs are behind ``choose_path`` and the
system viewer behind ``open_file``, so tests set ``set_path()`` and never open either.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableView,
    QWidget,
)

from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services import transfer
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.tasks import TaskHandle, run_task
from ostandari_desk.ui.transfer.results import ErrorTableModel, import_summary, wrap_reasons

__all__ = ["ExportDialog", "ImportDialog", "TemplateDialog", "TransferDialog", "kind_choices"]

OPEN_FILTER = "پرونده‌های اکسل و سی‌اس‌وی (*.xlsx *.csv);;پرونده اکسل (*.xlsx);;پرونده سی‌اس‌وی (*.csv)"
SAVE_FILTER = "پرونده اکسل (*.xlsx);;پرونده سی‌اس‌وی (*.csv)"
_FOLDER_KEY = "transfer/folder"

# Modules the work imports lazily; imported here on the main thread (a first import on a pool
# thread goes through PySide6's import hook and can deadlock: see ui/tasks.py).
_PRELOAD = (
    "openpyxl",
    "openpyxl.cell",
    "openpyxl.styles",
    "openpyxl.utils",
    "openpyxl.reader.excel",
    "openpyxl.worksheet._read_only",
    "openpyxl.worksheet._write_only",
    "openpyxl.writer.excel",
    "ostandari_desk.services.licences",
    "ostandari_desk.services.licences.steps",
)


def preload() -> None:
    for name in _PRELOAD:
        importlib.import_module(name)


def kind_choices() -> list[tuple[str, str]]:
    """(kind name, Persian title) for every registered kind, in registry order."""
    return [(name, spec.title) for name, spec in transfer.KINDS.items()]


def _folder() -> str:
    from ostandari_desk.ui.main_window import ui_settings

    return str(ui_settings().value(_FOLDER_KEY, "") or Path.home())


def _remember_folder(path: Path) -> None:
    from ostandari_desk.ui.main_window import ui_settings

    settings = ui_settings()
    settings.setValue(_FOLDER_KEY, str(path.parent))
    settings.sync()


def open_with_system_viewer(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class _Relay(QObject):
    """Carries the worker's progress and end to the main thread (queued: it lives there)."""

    progressed = Signal(int, int)
    ended = Signal(object)  # the result, or None when the work raised (cancelled or failed)


class TransferDialog(QDialog):
    """The shared behaviour: kind, file, start/cancel, inline progress, summary, open the result file."""

    # What each kind of dialog (import, export, template) supplies: ``work()`` gives the function to run off
    # the UI thread (taking ``progress``), or None after telling why; ``show_result`` shows its answer.
    work: Callable[[], Callable[..., Any] | None]
    show_result: Callable[[Any], None]

    TITLE = ""
    START_TEXT = "&شروع"
    OPEN_TEXT = "باز کردن پرونده"
    SAVING = False  # the file is written (save dialog) rather than read

    def __init__(self, context, parent: QWidget | None = None, kind: str | None = None):
        super().__init__(parent)
        self.context = context
        self.handle: TaskHandle | None = None
        self.result_path: Path | None = None
        self.choose_path: Callable[[], str] = self._choose_path
        self.open_file: Callable[[Path], bool] = open_with_system_viewer
        self._cancel_requested = False
        self._relay = _Relay(self)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setWindowTitle(self.TITLE)
        self.form = load_form("transfer_dialog", self)
        f = self.form
        self.kind_combo = child(f, QComboBox, "kindCombo")
        self.file_edit = child(f, QLineEdit, "fileEdit")
        self.browse_button = child(f, QPushButton, "browseButton")
        self.options_group = child(f, QGroupBox, "optionsGroup")
        self.dry_run_check = child(f, QCheckBox, "dryRunCheck")
        self.skip_bad_check = child(f, QCheckBox, "skipBadCheck")
        self.filter_check = child(f, QCheckBox, "filterCheck")
        self.start_button = child(f, QPushButton, "startButton")
        self.progress_bar = child(f, QProgressBar, "progressBar")
        self.cancel_button = child(f, QPushButton, "cancelButton")
        self.summary_label = child(f, QLabel, "summaryLabel")
        self.errors_label = child(f, QLabel, "errorsLabel")
        self.error_table = child(f, QTableView, "errorTable")
        self.warnings_label = child(f, QLabel, "warningsLabel")
        self.warning_list = child(f, QListWidget, "warningList")
        self.open_file_button = child(f, QPushButton, "openFileButton")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        # a path reads left to right even inside the right-to-left dialog
        self.file_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.file_edit.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.close_button = self.button_box.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText("بستن")
        self.start_button.setText(self.START_TEXT)
        self.open_file_button.setText(self.OPEN_TEXT)
        for name, title in kind_choices():
            self.kind_combo.addItem(title, name)
        if kind is not None:
            self.set_kind(kind)
        self.open_file_button.setVisible(False)
        self._show_results(False)
        self._set_running(False)
        self._connect()
        self.kind_combo.setFocus()

    # --- construction ---------------------------------------------------------------------------

    def _connect(self) -> None:
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_file_button.clicked.connect(self._on_open_file_button_clicked)
        self.button_box.rejected.connect(self.reject)
        self._relay.progressed.connect(self._on_progress)
        self._relay.ended.connect(self._on_worker_ended)

    def _show_results(self, errors: bool) -> None:
        """Show the error table and warnings only when they have something (import fills them)."""
        for widget in (self.errors_label, self.error_table):
            widget.setVisible(errors)
        for widget in (self.warnings_label, self.warning_list):
            widget.setVisible(errors and self.warning_list.count() > 0)

    # --- values ---------------------------------------------------------------------------------

    def kind(self) -> str:
        return str(self.kind_combo.currentData() or "")

    def set_kind(self, kind: str) -> bool:
        index = self.kind_combo.findData(kind)
        if index >= 0:
            self.kind_combo.setCurrentIndex(index)
        return index >= 0

    def path(self) -> Path | None:
        value = self.file_edit.text().strip().strip('"')
        if not value:
            return None
        path = Path(value).expanduser()
        if self.SAVING and not path.suffix:
            path = path.with_suffix(".xlsx")
        return path

    def set_path(self, path: Path | str) -> None:
        self.file_edit.setText(str(path))

    def _choose_path(self) -> str:
        if self.SAVING:
            start = str(Path(_folder()) / f"{self.kind_combo.currentText()}.xlsx")
            chosen, _ = QFileDialog.getSaveFileName(self, "ذخیره پرونده", start, SAVE_FILTER)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, "انتخاب پرونده", _folder(), OPEN_FILTER)
        return chosen

    def _on_browse_button_clicked(self) -> None:
        chosen = self.choose_path()
        if chosen:
            self.set_path(chosen)
            _remember_folder(Path(chosen))
            self.start_button.setFocus()

    # --- running --------------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.handle is not None

    def _set_running(self, running: bool) -> None:
        for widget in (
            self.kind_combo,
            self.file_edit,
            self.browse_button,
            self.options_group,
            self.start_button,
        ):
            widget.setEnabled(not running)
        self.close_button.setEnabled(not running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.progress_bar.setVisible(running)
        if running:
            self.progress_bar.setRange(0, 0)  # busy until the first progress report

    def _say(self, text: str, problem: bool = False) -> None:
        self.summary_label.setText(text)
        self.summary_label.setProperty("problem", "yes" if problem else "no")
        self.summary_label.setStyleSheet("color: #b3261e;" if problem else "")

    def start(self) -> None:
        """Run the dialog's work in the background; the answer arrives in ``_on_done``/``_on_failed``."""
        if self.is_running():
            return
        path = self.path()
        if path is None:
            self._say("نخست پرونده را انتخاب کنید.", problem=True)
            self.file_edit.setFocus()
            return
        fn = self.work()
        if fn is None:
            return
        preload()
        relay = self._relay

        def run(progress: Callable[[int, int], None]) -> Any:
            def report(done: int, total: int) -> None:
                progress(done, total)  # raises TaskCancelled once the clerk cancelled
                relay.progressed.emit(done, total)

            result = None
            try:
                result = fn(report)
                return result
            finally:
                relay.ended.emit(result)

        self.result_path = None
        self._cancel_requested = False
        self._say("در حال کار…")
        self.open_file_button.setVisible(False)
        self._set_running(True)
        self.handle = run_task(
            self, run, on_done=self._on_done, on_error=self._on_failed, label="در حال کار…", progress=False
        )

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report; nothing is stored then."""
        if self.handle is None:
            return
        self._cancel_requested = True
        self.handle.cancel()
        self.cancel_button.setEnabled(False)
        self._say("در حال لغو…")

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))

    def _finish(self) -> None:
        self.handle = None
        self._set_running(False)

    def _on_done(self, result: Any) -> None:
        self._finish()
        self.show_result(result)

    def _on_failed(self, error: BaseException) -> None:
        self._finish()
        if isinstance(error, UserError):
            self._say(error.message, problem=True)
        else:
            self._say("کار به خطا خورد؛ چیزی ذخیره نشد.", problem=True)
            ui_errors.show_error(self, error)

    def _on_worker_ended(self, result: Any) -> None:
        """A cancelled task sends no answer through run_task: close the run here."""
        if not self._cancel_requested or self.handle is None:
            return
        self._finish()
        if result is None:
            self._say("کار لغو شد؛ چیزی ذخیره نشد.")
        else:  # it had already finished when the cancel arrived
            self.show_result(result)

    def _on_open_file_button_clicked(self) -> None:
        if self.result_path is not None:
            self.open_file(self.result_path)

    def reject(self) -> None:
        if self.is_running():  # the work is in a transaction: cancel it rather than abandon it
            self.cancel()
            return
        super().reject()


class ImportDialog(TransferDialog):
    """«ورود از اکسل»: check and store a sheet; every bad row listed; ``imported(kind)`` once stored."""

    TITLE = "ورود اطلاعات از اکسل"
    OPEN_TEXT = "باز کردن پرونده ردیف‌های خطادار"

    imported = Signal(str)

    def __init__(self, context, parent: QWidget | None = None, kind: str | None = None):
        super().__init__(context, parent, kind)
        self.report: transfer.ImportReport | None = None
        self.filter_check.setVisible(False)
        self.error_model = ErrorTableModel(self)
        table = self.error_table
        table.setModel(self.error_model)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        wrap_reasons(table)  # a long reason wraps in its row instead of ending in «…»
        self.dry_run_check.toggled.connect(self._on_dry_run_check_toggled)
        self.resize(760, 560)

    def _on_dry_run_check_toggled(self, checked: bool) -> None:
        self.skip_bad_check.setEnabled(not checked)  # a check stores nothing, so skipping means nothing

    def work(self) -> Callable[..., Any] | None:
        kind, path = self.kind(), self.path()
        dry_run = self.dry_run_check.isChecked()
        skip_bad = self.skip_bad_check.isChecked() and not dry_run
        uow = self.context.uow
        self.report = None
        self.error_model.set_errors(())
        self.warning_list.clear()
        self._show_results(False)

        def run(progress: Callable[[int, int], None]) -> transfer.ImportReport:
            return transfer.import_file(
                uow(), kind, path, dry_run=dry_run, skip_bad=skip_bad, progress=progress
            )

        return run

    def show_result(self, result: Any) -> None:
        report: transfer.ImportReport = result
        self.report = report
        self._say(import_summary(report), problem=bool(report.errors) and not report.stored)
        self.error_model.set_errors(report.errors)
        self.warning_list.clear()
        self.warning_list.addItems(report.warnings)
        self._show_results(bool(report.errors) or bool(report.warnings))
        self.errors_label.setVisible(bool(report.errors))
        self.error_table.setVisible(bool(report.errors))
        if report.errors:
            self.errors_label.setText(f"&خطاها ({format_number(len(report.errors))} مورد):")
        self.result_path = report.bad_rows_path
        self.open_file_button.setVisible(report.bad_rows_path is not None)
        if report.stored:
            self.imported.emit(report.kind)
        (self.error_table if report.errors else self.start_button).setFocus()


class ExportDialog(TransferDialog):
    """«خروج به اکسل»: every stored record of a kind (or the NGO list's current filter) to a sheet."""

    TITLE = "خروج اطلاعات به اکسل"
    SAVING = True

    def __init__(
        self,
        context,
        parent: QWidget | None = None,
        kind: str | None = None,
        filters: dict[str, Any] | None = None,
    ):
        super().__init__(context, parent, kind)
        self.filters = dict(filters or {})
        self._target: Path | None = None
        self.dry_run_check.setVisible(False)
        self.skip_bad_check.setVisible(False)
        self.options_group.setVisible(bool(self.filters))
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)
        self._on_kind_combo_current_index_changed()
        self.resize(620, 0)

    def _on_kind_combo_current_index_changed(self, _index: int = 0) -> None:
        offered = self.kind() in self.filters
        self.filter_check.setEnabled(offered)
        if not offered:
            self.filter_check.setChecked(False)

    def work(self) -> Callable[..., Any] | None:
        kind, path = self.kind(), self.path()
        flt = self.filters.get(kind) if self.filter_check.isChecked() else None
        uow = self.context.uow

        def run(progress: Callable[[int, int], None]) -> int:
            return transfer.export_file(uow(), kind, path, flt)

        self._target = path
        return run

    def show_result(self, result: Any) -> None:
        self._say(f"{format_number(int(result))} ردیف نوشته شد.")
        self.result_path = self._target
        self.open_file_button.setVisible(True)
        self.open_file_button.setFocus()


class TemplateDialog(TransferDialog):
    """«دریافت قالب خالی»: a sheet with exactly the kind's headers, ready to fill."""

    TITLE = "دریافت قالب خالی"
    START_TEXT = "&ساختن قالب"
    SAVING = True

    def __init__(self, context, parent: QWidget | None = None, kind: str | None = None):
        super().__init__(context, parent, kind)
        self.options_group.setVisible(False)
        self.resize(620, 0)

    def work(self) -> Callable[..., Any] | None:
        kind, path = self.kind(), self.path()

        def run(progress: Callable[[int, int], None]) -> Path:
            return transfer.template(kind, path)

        return run

    def show_result(self, result: Any) -> None:
        self.result_path = Path(result)
        self._say("قالب خالی نوشته شد؛ آن را پر کنید و با «ورود از اکسل» بیاورید.")
        self.open_file_button.setVisible(True)
        self.open_file_button.setFocus()
