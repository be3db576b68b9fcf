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
from ostandari_desk.ui.reports.preview import PdfPreview, ZoomBar, print_pdf, render_pages
from ostandari_desk.ui.tasks import run_task

__all__ = ["PROVINCE_SCOPE", "ReportsPage", "prefer_licensed"]


def _produce_and_render(uow, request: ReportRequest) -> tuple[bytes, list]:
    """Worker side: the PDF and its preview images (QImages are safe to make off the UI thread)."""
    pdf = produce(uow, request)
    return pdf, render_pages(pdf)


def prefer_licensed(uow, ids: list[str], search: str) -> tuple[str, str] | None:
    """The NGO a certificate picker starts on, as (id, label): the first of ``ids`` whose licence is valid,
    else the first NGO matching ``search`` that has one (None when none has)."""
    from ostandari_desk.domain.lifecycle import LicenceState
    from ostandari_desk.services import ngos as ngo_service

    flt = ngo_service.NgoFilter(text=search, licence_state=LicenceState.VALID.value)
    valid = ngo_service.list_ngo_page(uow, flt, limit=max(len(ids), 1) * 4)
    by_id = {row.id: row for row in valid}
    row = next((by_id[i] for i in ids if i in by_id), valid[0] if valid else None)
    return (row.id, f"{row.name} ({to_persian_digits(row.national_id)})") if row is not None else None


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
        self.zoom_bar = ZoomBar(self.preview, host)
        layout.addWidget(self.zoom_bar)
        layout.addWidget(self.preview, 1)
        self.inputs: dict[str, ReportInput] = {}
        self._task = None
        self._pdf = b""
        self._making: ReportRequest | None = None  # the request of the report being made
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

        self._link_period_to_year()
        self.report_list.currentRowChanged.connect(self._on_report_list_current_row_changed)
        self.generate_button.clicked.connect(self.generate)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.report_list.setCurrentRow(0)

    def _link_period_to_year(self) -> None:
        """The annual comparison of the year still running is always to date (services.annual): its
        «same period» box shows so, checked and locked; a finished year gets back what the user chose."""
        year, period = self.inputs.get("year"), self.inputs.get("same_period")
        if year is None or period is None:
            return
        self._period_choice = period.widget.isChecked()
        period.widget.clicked.connect(self._on_same_period_check_clicked)
        year.widget.valueChanged.connect(self._on_year_spin_value_changed)
        self._on_year_spin_value_changed(year.widget.value())

    def _on_same_period_check_clicked(self, checked: bool) -> None:
        self._period_choice = checked

    def _on_year_spin_value_changed(self, value: int) -> None:
        from ostandari_desk.domain import jalali

        box = self.inputs["same_period"].widget
        running = value >= jalali.today_jalali_year()
        box.setChecked(True if running else self._period_choice)
        box.setEnabled(not running)
        box.setToolTip(
            "سال جاری هنوز تمام نشده است و همیشه از ۱ فروردین تا امروز با همان بازه سال قبل مقایسه می‌شود."
            if running
            else "کل سال با کل سال قبل مقایسه می‌شود، مگر این گزینه زده شود."
        )

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
        self.clear_output()  # the report made for the previous choice is not this one
        wanted = {p.key for p in self.current_spec().page_params()}
        for key, made in self.inputs.items():
            for _label, widget in made.rows:
                self.form.setRowVisible(widget, key in wanted)
            if key in wanted:
                made.shown()
        picker = self.inputs.get("ngo_id")
        if picker is not None:  # a certificate is printed for an NGO whose licence is valid
            picker.prefer = prefer_licensed if self.current_kind() == "certificate" else None
            if "ngo_id" in wanted:
                picker.apply_preference()

    def clear_output(self) -> None:
        """No report on screen: the preview's hint, nothing to save or print, no «گزارش آماده است»."""
        self._pdf = b""
        self.preview.clear()
        self.progress.setValue(0)
        self.status.setText("")
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)

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
        if "year" in self.inputs and "same_period" in self.inputs:  # the year still running: to date
            if filters.get("same_period") is not None:
                self._period_choice = bool(filters["same_period"])
            self._on_year_spin_value_changed(self.inputs["year"].widget.value())
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
        self.clear_output()
        self._making = request
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
        if self._making is None or self._making.kind != self.current_kind():
            self.status.setText("")  # made for a report no longer chosen: not shown, not saved
            self.progress.setValue(0)
            return
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
