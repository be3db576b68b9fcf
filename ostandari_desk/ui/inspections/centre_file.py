"""A centre's file: its details, its visits (newest first, result coloured), its open findings with their
actions and deadlines, and its referrals; open a visit, record a new one, print the file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number, print_form, rlm, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services.inspections import centres as centre_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.inspections.common import fill_table, read_only_table

VISIT_HEADERS = ("تاریخ", "ساعت", "نوع", "بازرسان", "امتیاز", "نتیجه", "یافته‌ها", "وضعیت")
FINDING_HEADERS = ("تاریخ بازدید", "یافته", "شدت", "اقدام اصلاحی", "مهلت", "وضعیت اقدام")
REFERRAL_HEADERS = ("شماره نامه", "تاریخ نامه", "دستگاه", "یافته", "تاریخ بازدید", "انجام")
STATE_LABELS = {"open": "باز", "closed": "بسته"}
CENTRE_FILE_REPORT = "centre-file"


def _time_text(at) -> str:
    return "" if at.time() == time(0, 0) else to_persian_digits(at.strftime("%H:%M"))


def _score_text(score: int | None) -> str:
    return "—" if score is None else f"{format_number(score)}٪"


def _action_state(action, today: date) -> str:
    if action.done_on is not None:
        return f"انجام شد {format_jalali(action.done_on)}"
    if action.deadline is not None and action.deadline < today:
        return "گذشته از مهلت"
    return "در انتظار"


def centre_file_printable() -> bool:
    """Whether the «پرونده مرکز» paper is in the report registry."""
    from ostandari_desk.reports import registry

    return CENTRE_FILE_REPORT in registry.REPORTS


class CentreFileDialog(QDialog):
    """پرونده مرکز. ``visit_opened(visit_id)`` hooks (``make_visit_dialog``) let tests see the visit forms."""

    def __init__(self, context, centre_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("centreFileDialog")
        self.context = context
        self.centre_id = centre_id
        self.last_dialog = None
        self.choose_pdf_path: Callable[[str], str] = self._choose_pdf_path
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self._build()
        self.reload()
        self.resize(1000, 620)

    # --- construction ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title_label = QLabel(self)
        self.title_label.setObjectName("centreFileTitle")
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold; color: #1f3550;")
        self.detail_labels: dict[str, QLabel] = {}
        columns = QHBoxLayout()
        for keys in (
            ("category", "county", "active"),
            ("agency", "licence", "operator"),
            ("phone", "address"),
        ):
            form = QFormLayout()
            for key in keys:
                value = QLabel(self)
                value.setObjectName(f"centreFile_{key}")
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setWordWrap(True)
                self.detail_labels[key] = value
                form.addRow(_DETAIL_CAPTIONS[key], value)
            columns.addLayout(form, 1)
        self.visits_table = read_only_table(VISIT_HEADERS, "centreVisitsTable", self)
        self.findings_table = read_only_table(FINDING_HEADERS, "centreFindingsTable", self)
        self.referrals_table = read_only_table(REFERRAL_HEADERS, "centreReferralsTable", self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("centreFileTabs")
        self.tabs.addTab(self.visits_table, "بازدیدها")
        self.tabs.addTab(self.findings_table, "یافته‌های باز")
        self.tabs.addTab(self.referrals_table, "ارجاع‌ها")
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("centreFileEmptyLabel")
        self.empty_label.setStyleSheet("color: #5a6470;")
        self.open_visit_button = QPushButton("باز کردن بازدید", self)
        self.open_visit_button.setObjectName("openVisitButton")
        self.new_visit_button = QPushButton("ثبت بازدید تازه", self)
        self.new_visit_button.setObjectName("newVisitButton")
        self.print_button: QPushButton | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_visit_button)
        buttons.addWidget(self.new_visit_button)
        if centre_file_printable():
            self.print_button = QPushButton("چاپ پرونده مرکز…", self)
            self.print_button.setObjectName("printCentreFileButton")
            self.print_button.clicked.connect(self.print_file)
            buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText("بستن")
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addLayout(columns)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        self.open_visit_button.clicked.connect(self.open_selected_visit)
        self.new_visit_button.clicked.connect(self.new_visit)
        for table in (self.visits_table, self.findings_table, self.referrals_table):
            table.itemSelectionChanged.connect(self._update_buttons)
        self.visits_table.itemActivated.connect(lambda _i: self.open_selected_visit())
        self.findings_table.itemActivated.connect(lambda _i: self.open_selected_visit())
        self.tabs.currentChanged.connect(lambda _i: self._update_buttons())

    # --- data -----------------------------------------------------------------------------------------

    def reload(self) -> None:
        with self.context.uow() as uow:
            self.file = centre_service.centre_file(uow, self.centre_id)
        c = self.file.centre
        self.setWindowTitle(f"پرونده مرکز «{c.name}»")
        self.title_label.setText(rlm(f"{c.name} — کد {to_persian_digits(c.code)}"))
        values = {
            "category": c.category_name,
            "county": c.county_name,
            "active": centre_service.ACTIVE_LABELS[c.active],
            "agency": c.licensing_agency or "—",
            "licence": to_persian_digits(c.licence_number) or "—",
            "operator": print_form(c.operator) or "—",
            "phone": to_persian_digits(c.phone) or "—",
            "address": print_form(c.address) or "—",  # Persian digits in free text; stored as typed
        }
        for key, value in values.items():
            self.detail_labels[key].setText(rlm(value))
        visits = self.file.visits
        fill_table(
            self.visits_table,
            [
                (
                    v.date_text,
                    _time_text(v.inspected_at),
                    v.kind_label,
                    v.inspectors,
                    _score_text(v.score),
                    v.result_label,
                    format_number(v.finding_count),
                    STATE_LABELS.get(v.state, v.state),
                )
                for v in visits
            ],
            ids=[v.id for v in visits],
            results=[v.result for v in visits],
            result_column=5,
        )
        today = date.today()
        rows, ids = [], []
        for finding in self.file.open_findings:
            for action in finding.actions or (None,):
                rows.append(
                    (
                        format_jalali(finding.inspected_on),
                        finding.text,
                        finding.severity_label,
                        action.action if action else "— (اقدامی تعیین نشده)",
                        format_jalali(action.deadline) if action and action.deadline else "—",
                        _action_state(action, today) if action else "",
                    )
                )
                ids.append(finding.inspection_id)
        fill_table(self.findings_table, rows, ids)
        referrals = self.file.referrals
        fill_table(
            self.referrals_table,
            [
                (
                    r.letter_number,
                    format_jalali(r.letter_dated_on),
                    r.party,
                    r.finding_text,
                    format_jalali(r.inspected_on),
                    format_jalali(r.done_on) if r.done_on else "در انتظار",
                )
                for r in referrals
            ],
        )
        self.tabs.setTabText(0, f"بازدیدها ({format_number(len(visits))})")
        self.tabs.setTabText(1, f"یافته‌های باز ({format_number(len(self.file.open_findings))})")
        self.tabs.setTabText(2, f"ارجاع‌ها ({format_number(len(referrals))})")
        self.empty_label.setText(
            ""
            if visits
            else "هنوز بازدیدی از این مرکز ثبت نشده است؛ با «ثبت بازدید تازه» نخستین بازدید را ثبت کنید."
        )
        self.empty_label.setVisible(not visits)
        self._update_buttons()

    def selected_visit_id(self) -> str | None:
        table: QTableWidget | None = {0: self.visits_table, 1: self.findings_table}.get(
            self.tabs.currentIndex()
        )
        if table is None:
            return None
        rows = table.selectionModel().selectedRows()
        if not rows:
            return None
        item = table.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _update_buttons(self) -> None:
        self.open_visit_button.setEnabled(self.selected_visit_id() is not None)
        self.new_visit_button.setEnabled(self.file.centre.active)
        self.new_visit_button.setToolTip("" if self.file.centre.active else "مرکز غیرفعال است")

    # --- actions --------------------------------------------------------------------------------------

    def make_visit_dialog(self, visit_id: str | None):
        from ostandari_desk.ui.inspections.visit_dialog import VisitDialog

        if visit_id is None:
            return VisitDialog(self.context, centre_id=self.centre_id, parent=self)
        return VisitDialog(self.context, visit_id=visit_id, parent=self)

    def open_selected_visit(self) -> None:
        visit_id = self.selected_visit_id()
        if visit_id:
            self._open(visit_id)

    def new_visit(self) -> None:
        self._open(None)

    def _open(self, visit_id: str | None) -> None:
        try:
            dialog = self.make_visit_dialog(visit_id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            return
        self.last_dialog = dialog
        dialog.finished.connect(lambda _r: self.reload())
        dialog.open()

    def _choose_pdf_path(self, suggested: str) -> str:
        name, _filter = QFileDialog.getSaveFileName(self, "ذخیره پرونده مرکز", suggested, "PDF (*.pdf)")
        return name

    def print_request(self):
        from ostandari_desk.reports import registry
        from ostandari_desk.services.reporting import ReportRequest

        spec = registry.spec_of(CENTRE_FILE_REPORT)
        key = next(p.key for p in spec.params if p.input is registry.Input.RECORD)
        return ReportRequest(CENTRE_FILE_REPORT, **{key: self.centre_id})

    def print_file(self) -> None:
        """Make the «پرونده مرکز» paper in a worker, save it where the clerk says and open it."""
        from ostandari_desk.reports import registry
        from ostandari_desk.ui.letters.dialog import open_with_system_viewer
        from ostandari_desk.ui.reports.jobs import produce
        from ostandari_desk.ui.tasks import run_task

        request = self.print_request()
        suggested = registry.spec_of(CENTRE_FILE_REPORT).suggested_file_name(request)
        target = self.choose_pdf_path(suggested)
        if not target:
            return
        uow = self.context.uow()

        def done(pdf: bytes) -> None:
            Path(target).write_bytes(pdf)
            self.printed_path = Path(target)
            open_with_system_viewer(self.printed_path)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                ui_errors.show_user_error(self, exc, "چاپ پرونده مرکز")
            else:
                ui_errors.show_error(self, exc)

        run_task(
            self, lambda: produce(uow, request), on_done=done, on_error=failed, label="ساخت پرونده مرکز…"
        )


_DETAIL_CAPTIONS = {
    "category": "نوع:",
    "county": "شهرستان:",
    "active": "وضعیت:",
    "agency": "دستگاه صادرکننده مجوز:",
    "licence": "شماره مجوز:",
    "operator": "بهره‌بردار:",
    "phone": "تلفن:",
    "address": "نشانی:",
}
