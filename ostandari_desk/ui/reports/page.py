"""The reports area: pick a report, set its options, make it in a worker, preview, save and print it.

The list of reports and each one's option inputs come from ``reports.registry`` (the command line's
``report`` sub-commands come from the same declarations, by the same names).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.reports.registry import REPORTS, ReportSpec
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.reports.inputs import PROVINCE_SCOPE, ReportInput, make_input
from ostandari_desk.ui.reports.jobs import ReportRequest, produce
from ostandari_desk.ui.reports.preview import PdfPreview, print_pdf, render_pages
from ostandari_desk.ui.tasks import run_task

__all__ = ["PROVINCE_SCOPE", "ReportsPage"]


def _produce_and_render(uow, request: ReportRequest) -> tuple[bytes, list]:
    """Worker side: the PDF and its preview images (QImages are safe to make off the UI thread)."""
    pdf = produce(uow, request)
    return pdf, render_pages(pdf)


def _page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


class ReportsPage(QWidget):
    """``ReportsPage(context, parent=None)``. ``apply_filter({"report": "annual", "year": 1401, ...})``
    selects a report (its registry name) and its options by parameter key (the start page's year
    summary uses it). ``inputs[key]`` is the input of a parameter (``year``, ``county_id``, ``ngo_id``…)."""

    open_area = Signal(str, dict)
    generated = Signal(int)  # page count of the report just previewed

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.ui = load_form("report_page", self)
        self.report_list = child(self.ui, QListWidget, "reportList")
        self.form = child(self.ui, QFormLayout, "optionsForm")
        self.generate_button = child(self.ui, QPushButton, "generateButton")
        self.save_button = child(self.ui, QPushButton, "saveButton")
        self.print_button = child(self.ui, QPushButton, "printButton")
        self.progress = child(self.ui, QProgressBar, "progressBar")
        self.status = child(self.ui, QLabel, "statusLabel")
        self.preview = PdfPreview(self)
        host = child(self.ui, QWidget, "previewHost")
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview)
        self.inputs: dict[str, ReportInput] = {}
        self._task = None
        self._pdf = b""
        self._setup()

    # the inputs of the first reports, by their former names
    year_spin = property(lambda self: self.inputs["year"].widget)
    county_combo = property(lambda self: self.inputs["county_id"].widget)
    same_period_check = property(lambda self: self.inputs["same_period"].widget)
    search_edit = property(lambda self: self.inputs["search"].widget)
    ngo_combo = property(lambda self: self.inputs["ngo_id"].widget)
    days_spin = property(lambda self: self.inputs["days"].widget)

    # --- set-up -----------------------------------------------------------------------------------

    def _setup(self) -> None:
        options_box = self.form.parentWidget()
        for spec in REPORTS.values():
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.name)
            self.report_list.addItem(item)
            for param in spec.page_params():
                if param.key not in self.inputs:
                    made = self.inputs[param.key] = make_input(param, self.context, options_box)
                    for label, widget in made.rows:
                        if label:
                            self.form.addRow(label, widget)
                        else:
                            self.form.addRow(widget)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)

        self.report_list.currentRowChanged.connect(self._on_report_list_current_row_changed)
        self.generate_button.clicked.connect(self.generate)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.report_list.setCurrentRow(0)

    def current_kind(self) -> str:
        item = self.report_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else next(iter(REPORTS))

    def current_spec(self) -> ReportSpec:
        return REPORTS[self.current_kind()]

    def offered_reports(self) -> list[str]:
        """The registry names of the reports in the list, in order."""
        items = (self.report_list.item(i) for i in range(self.report_list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    def _on_report_list_current_row_changed(self, _row: int) -> None:
        wanted = {p.key for p in self.current_spec().page_params()}
        for key, made in self.inputs.items():
            for _label, widget in made.rows:
                self.form.setRowVisible(widget, key in wanted)
            if key in wanted:
                made.shown()

    def apply_filter(self, filters: dict) -> None:
        """Select a report and options: ``report`` (a registry name), a value per parameter key (year,
        county_id, same_period, ngo_id with ngo_name, days…), and ``generate``."""
        kind = filters.get("report")
        if kind in REPORTS:
            self.report_list.setCurrentRow(self.offered_reports().index(kind))
        for key, made in self.inputs.items():
            if key in filters and (filters[key] is not None or key == "county_id"):
                label = str(filters.get(key.removesuffix("_id") + "_name", ""))
                made.set_value(filters[key], label)
        if filters.get("generate"):
            self.generate()

    # --- generating -------------------------------------------------------------------------------

    def request(self) -> ReportRequest:
        """The report and options as chosen on screen."""
        spec = self.current_spec()
        return ReportRequest(spec.name, **{p.key: self.inputs[p.key].value() for p in spec.page_params()})

    def is_busy(self) -> bool:
        return self._task is not None and not self._task.finished

    def generate(self) -> None:
        """Make the chosen report on a worker thread; the preview shows it when done."""
        if self.is_busy():
            return
        request = self.request()
        self.generate_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the worker answers
        self.status.setText("در حال تهیه گزارش…")
        self._task = run_task(
            self,
            partial(_produce_and_render, self.context.uow(), request),
            on_done=self._on_done,
            on_error=self._on_error,
            progress=False,
        )

    def _finish(self) -> None:
        self.generate_button.setEnabled(True)
        self.progress.setRange(0, 100)

    def _on_done(self, result: tuple[bytes, list]) -> None:
        self._finish()
        self._pdf, images = result
        pages = self.preview.show_images(images) or _page_count(self._pdf)
        self.progress.setValue(100)
        self.status.setText(f"گزارش آماده است: {to_persian_digits(pages)} صفحه.")
        self.save_button.setEnabled(bool(pages))
        self.print_button.setEnabled(bool(pages))
        self.generated.emit(pages)

    def _on_error(self, error: BaseException) -> None:
        from ostandari_desk.errors import UserError
        from ostandari_desk.ui.errors import show_error

        self._finish()
        self.progress.setValue(0)
        self.status.setText(error.message if isinstance(error, UserError) else "تهیه گزارش با خطا روبه‌رو شد.")
        show_error(self, error)

    # --- saving and printing ----------------------------------------------------------------------

    def pdf_bytes(self) -> bytes:
        return self._pdf

    def suggested_file_name(self) -> str:
        return self.current_spec().suggested_file_name(self.request())

    def ask_save_path(self) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "ذخیره PDF", self.suggested_file_name(), "PDF (*.pdf)")
        return path

    def save_to(self, path: str) -> None:
        from pathlib import Path

        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        from ostandari_desk.services.files import unwritable, write_bytes

        try:
            write_bytes(target, self._pdf)  # a temporary file beside it, fsynced, then renamed
        except OSError as exc:
            from ostandari_desk.ui.errors import show_user_error

            show_user_error(self, unwritable(target, exc))
            return
        self.status.setText(f"در «{target}» ذخیره شد.")

    def _on_save_button_clicked(self) -> None:
        if self._pdf:
            path = self.ask_save_path()
            if path:
                self.save_to(path)

    def _on_print_button_clicked(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        if not self._pdf:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("چاپ گزارش")
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            pages = print_pdf(self._pdf, printer)
            self.status.setText(f"{to_persian_digits(pages)} صفحه به چاپگر فرستاده شد.")
