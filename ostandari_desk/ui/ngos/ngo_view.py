"""One NGO at a glance: details and board on one tab, the licence panel (case, actions, timeline) on the other."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import RLM, protect_hyphenated_numbers, to_persian_digits
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.ui.licences.panel import LicencePanel

BOARD_HEADERS = ("نام و نام خانوادگی", "کد ملی", "سمت", "تخصص", "آغاز دوره", "پایان دوره")


class NgoView(QDialog):
    """Details, board and licence of one NGO. ``changed`` fires after a licence step;
    ``edit_requested(ngo_id)`` when the clerk asks to edit the NGO."""

    changed = Signal()
    edit_requested = Signal(str)

    def __init__(self, context, ngo_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ngoView")
        self.context = context
        self.ngo_id = ngo_id
        self.resize(1000, 680)

        self.tabs = QTabWidget(self)
        details = QWidget(self.tabs)
        self.details_form = QFormLayout()
        self.details_form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading)
        self.board_table = QTableWidget(0, len(BOARD_HEADERS), details)
        self.board_table.setObjectName("boardView")
        self.board_table.setHorizontalHeaderLabels(list(BOARD_HEADERS))
        self.board_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.board_table.verticalHeader().setVisible(False)
        self.board_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.edit_button = QPushButton("ویرایش مشخصات", details)
        self.edit_button.setObjectName("editNgoButton")
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        details_layout = QVBoxLayout(details)
        details_layout.addLayout(self.details_form)
        details_layout.addWidget(QLabel("هیئت مدیره:", details))
        details_layout.addWidget(self.board_table, 1)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.edit_button)
        edit_row.addStretch(1)
        details_layout.addLayout(edit_row)

        self.licence_panel = LicencePanel(context, ngo_id, self.tabs)
        self.licence_panel.changed.connect(self._on_licence_changed)
        self.tabs.addTab(details, "مشخصات")
        self.tabs.addTab(self.licence_panel, "پروانه و سابقه")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("بستن")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.refresh_details()

    def show_licence_tab(self) -> None:
        self.tabs.setCurrentWidget(self.licence_panel)

    def refresh_details(self) -> None:
        with self.context.uow() as uow:
            d = ngo_service.get_ngo(uow, self.ngo_id)
        self.detail = d
        self.setWindowTitle(f"سمن: {d.name}")
        while self.details_form.rowCount():
            self.details_form.removeRow(0)
        rows = (
            ("نام سازمان:", d.name),
            ("شناسه ملی:", to_persian_digits(d.national_id)),
            ("شماره ثبت:", to_persian_digits(d.registration_no)),
            ("تاریخ ثبت:", format_jalali(d.registered_on)),
            ("تاریخ تأسیس:", format_jalali(d.founded_on)),
            ("سطح:", d.level_label),
            ("شهرستان:", d.county_name),
            ("حوزه‌های فعالیت:", "، ".join(d.field_names)),
            (
                "مدیرعامل:",
                d.ceo_name
                + (f" (کد ملی {to_persian_digits(d.ceo_national_code)})" if d.ceo_national_code else ""),
            ),
            ("تلفن:", to_persian_digits(d.phone)),
            ("نشانی:", d.address),
            ("وضعیت:", d.status_label),
            ("وضعیت پروانه:", d.licence_state_label),
        )
        for label, value in rows:
            # RLM first: a value that starts with digits or «—» would otherwise be laid out left to right.
            shown = QLabel(RLM + (protect_hyphenated_numbers(value) or "—"))
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details_form.addRow(label, shown)
        self.board_table.setRowCount(len(d.board))
        for row, m in enumerate(d.board):
            cells = (
                m.full_name,
                to_persian_digits(m.national_code),
                m.role_label,
                m.expertise,
                format_jalali(m.term_start),
                format_jalali(m.term_end),
            )
            for column, text in enumerate(cells):
                self.board_table.setItem(row, column, QTableWidgetItem(text))

    def _on_licence_changed(self) -> None:
        self.refresh_details()
        self.changed.emit()

    def _on_edit_button_clicked(self) -> None:
        self.edit_requested.emit(self.ngo_id)
