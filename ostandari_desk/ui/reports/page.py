"""The reports area: pick a report, set its options, make it in a worker, preview, save and print it."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.reports.jobs import REPORT_KINDS, ReportRequest, produce
from ostandari_desk.ui.reports.preview import PdfPreview, print_pdf, render_pages
from ostandari_desk.ui.tasks import run_task
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox

__all__ = ["ReportsPage"]

PROVINCE_SCOPE = "کل استان"
# which option rows each report shows
_OPTIONS = {
    "annual": {"year", "county", "same_period"},
    "register": {"county", "search"},
    "ngo_file": {"search", "ngo"},
    "certificate": {"search", "ngo"},
    "expiring": {"county", "days"},
}
_FILE_NAMES = {
    "annual": "گزارش-سالانه",
    "register": "دفتر-ثبت-سازمان‌ها",
    "ngo_file": "پرونده-سازمان",
    "certificate": "پروانه-فعالیت",
    "expiring": "پروانه‌های-رو-به-انقضا",
}


def _produce_and_render(uow, request: ReportRequest) -> tuple[bytes, list]:
    """Worker side: the PDF and its preview images (QImages are safe to make off the UI thread)."""
    pdf = produce(uow, request)
    return pdf, render_pages(pdf)


def _page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


class ReportsPage(QWidget):
    """``ReportsPage(context, parent=None)``. ``apply_filter({"report": "annual", "year": 1401, ...})``
    selects a report and its options (the start page's year summary uses it)."""

    open_area = Signal(str, dict)
    generated = Signal(int)  # page count of the report just previewed

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.ui = load_form("report_page", self)
        self.report_list = child(self.ui, QListWidget, "reportList")
        self.form = child(self.ui, QFormLayout, "optionsForm")
        self.year_spin = child(self.ui, PersianIntSpinBox, "yearSpin")
        self.county_combo = child(self.ui, QComboBox, "countyCombo")
        self.same_period_check = child(self.ui, QCheckBox, "samePeriodCheck")
        self.search_edit = child(self.ui, QLineEdit, "searchEdit")
        self.ngo_combo = child(self.ui, QComboBox, "ngoCombo")
        self.days_spin = child(self.ui, PersianIntSpinBox, "daysSpin")
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
        self._fields = {
            "year": self.year_spin,
            "county": self.county_combo,
            "same_period": self.same_period_check,
            "search": self.search_edit,
            "ngo": self.ngo_combo,
            "days": self.days_spin,
        }
        self._task = None
        self._pdf = b""
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._setup()

    # --- set-up -----------------------------------------------------------------------------------

    def _setup(self) -> None:
        from ostandari_desk.services import reference

        for kind, title in REPORT_KINDS.items():
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.report_list.addItem(item)
        this_year = jalali.today_jalali_year()
        self.year_spin.setRange(jalali.MIN_YEAR + 101, 1435)
        self.year_spin.setValue(this_year)
        actor = self.context.actor
        if actor.county_scope is None:  # a county user's reports cover their county alone
            self.county_combo.addItem(PROVINCE_SCOPE, None)
        for county in reference.list_counties(self.context.uow()):
            if actor.sees_county(county.id):
                self.county_combo.addItem(county.name, county.id)
        self.days_spin.setRange(1, 3650)
        self.days_spin.setValue(int(self.context.setting("expiring_window_days") or 60))
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)

        self.report_list.currentRowChanged.connect(self._on_report_list_current_row_changed)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self._search_timer.timeout.connect(self._refresh_ngos)
        self.generate_button.clicked.connect(self.generate)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.report_list.setCurrentRow(0)

    def current_kind(self) -> str:
        item = self.report_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else "annual"

    def _on_report_list_current_row_changed(self, _row: int) -> None:
        wanted = _OPTIONS[self.current_kind()]
        for name, widget in self._fields.items():
            self.form.setRowVisible(widget, name in wanted)
        self.search_edit.setPlaceholderText(
            "نام یا شناسه ملی سازمان" if "ngo" in wanted else "متن جست‌وجو در نام سازمان‌ها (اختیاری)"
        )
        if "ngo" in wanted and self.ngo_combo.count() == 0:
            self._refresh_ngos()

    def _on_search_edit_text_changed(self, _text: str) -> None:
        if "ngo" in _OPTIONS[self.current_kind()]:
            self._search_timer.start()

    def _refresh_ngos(self) -> None:
        from ostandari_desk.services.events import search_ngos

        self.ngo_combo.clear()
        for ngo in search_ngos(self.context.uow(), self.search_edit.text(), limit=50):
            self.ngo_combo.addItem(f"{ngo.name} ({to_persian_digits(ngo.national_id)})", ngo.id)

    def apply_filter(self, filters: dict) -> None:
        """Select a report and options: keys report, year, county_id, same_period, ngo_id, days, generate."""
        kind = filters.get("report")
        if kind in REPORT_KINDS:
            self.report_list.setCurrentRow(list(REPORT_KINDS).index(kind))
        if "year" in filters:
            self.year_spin.setValue(int(filters["year"]))
        if "county_id" in filters:
            index = self.county_combo.findData(filters["county_id"])
            self.county_combo.setCurrentIndex(max(index, 0))
        if "same_period" in filters:
            self.same_period_check.setChecked(bool(filters["same_period"]))
        if "days" in filters:
            self.days_spin.setValue(int(filters["days"]))
        if filters.get("ngo_id"):
            if self.ngo_combo.findData(filters["ngo_id"]) < 0:
                self.ngo_combo.addItem(str(filters.get("ngo_name", "")), filters["ngo_id"])
            self.ngo_combo.setCurrentIndex(self.ngo_combo.findData(filters["ngo_id"]))
        if filters.get("generate"):
            self.generate()

    # --- generating -------------------------------------------------------------------------------

    def request(self) -> ReportRequest:
        """The report and options as chosen on screen."""
        kind = self.current_kind()
        return ReportRequest(
            kind=kind,
            year=self.year_spin.value(),
            county_id=self.county_combo.currentData(),
            same_period=self.same_period_check.isChecked(),
            ngo_id=self.ngo_combo.currentData(),
            days=self.days_spin.value(),
            search=self.search_edit.text().strip() if kind == "register" else "",
        )

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
        kind = self.current_kind()
        suffix = f"-{self.year_spin.value()}" if kind == "annual" else ""
        return f"{_FILE_NAMES[kind]}{suffix}.pdf"

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
