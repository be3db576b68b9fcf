"""One NGO at a glance: details and board, the licence panel (case, actions, timeline), and the NGO's
events and letters (its file, oldest first). A board whose term has ended is flagged in red; an empty
table says what is missing instead of showing bare columns."""

from __future__ import annotations

import datetime as _dt

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
from ostandari_desk.domain.text import RLM, print_form, protect_hyphenated_numbers, rlm, to_persian_digits
from ostandari_desk.services import events as event_service
from ostandari_desk.services import letters as letter_service
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.services.ngos.boards import board_term_end
from ostandari_desk.ui.licences.panel import LicencePanel
from ostandari_desk.ui.widgets.empty_state import EmptyOverlay
from ostandari_desk.ui.widgets.history import HISTORY_TAB_TITLE, HistoryWidget

ENDED_COLOUR = "#c62828"

BOARD_HEADERS = ("نام و نام خانوادگی", "کد ملی", "سمت", "تخصص", "آغاز دوره", "پایان دوره")
EVENT_HEADERS = ("تاریخ", "نوع", "عنوان", "شهرستان", "نقش سازمان")
LETTER_HEADERS = ("تاریخ", "شماره", "وارده/صادره", "نوع", "طرف مکاتبه", "موضوع")


def _read_only_table(
    headers: tuple[str, ...], name: str, parent: QWidget, empty_text: str = ""
) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    if empty_text:
        EmptyOverlay(table, empty_text, hide_header=True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(row, column, item)


class ActivityTab(QWidget):
    """The NGO's events (organized or attended) and its letters, each oldest first, dates Jalali."""

    def __init__(self, context, ngo_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ngoActivityTab")
        self.context = context
        self.ngo_id = ngo_id
        self.events_label = QLabel(self)
        self.events_table = _read_only_table(
            EVENT_HEADERS, "ngoEventsTable", self, "این سازمان در رویدادی ثبت نشده است."
        )
        self.letters_label = QLabel(self)
        self.letters_table = _read_only_table(
            LETTER_HEADERS, "ngoLettersTable", self, "نامه‌ای برای این سازمان ثبت نشده است."
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.events_label)
        layout.addWidget(self.events_table, 1)
        layout.addWidget(self.letters_label)
        layout.addWidget(self.letters_table, 1)
        self.refresh()

    def refresh(self) -> None:
        with self.context.uow() as uow:
            events = event_service.events_of_ngo(uow, self.ngo_id)
        with self.context.uow() as uow:
            letters = letter_service.letters_of_ngo(uow, self.ngo_id)
        self.events_label.setText(f"رویدادها ({to_persian_digits(len(events))}):")
        self.letters_label.setText(f"مکاتبات ({to_persian_digits(len(letters))}):")
        _fill(
            self.events_table,
            [
                (
                    format_jalali(e.starts_on)
                    + (f" تا {format_jalali(e.ends_on)}" if e.ends_on and e.ends_on != e.starts_on else ""),
                    e.kind_label,
                    rlm(print_form(e.title)),
                    e.county_name,
                    print_form(e.role),
                )
                for e in events
            ],
        )
        _fill(
            self.letters_table,
            [
                (
                    format_jalali(m.dated_on),
                    protect_hyphenated_numbers(to_persian_digits(m.number)),
                    m.direction_label,
                    m.kind_label,
                    rlm(print_form(m.party)),
                    rlm(print_form(m.subject)),
                )
                for m in letters
            ],
        )

    def event_titles(self) -> list[str]:
        return [self.events_table.item(r, 2).text().lstrip(RLM) for r in range(self.events_table.rowCount())]

    def letter_subjects(self) -> list[str]:
        return [
            self.letters_table.item(r, 5).text().lstrip(RLM) for r in range(self.letters_table.rowCount())
        ]


class NgoView(QDialog):
    """Details, board, licence, events and letters of one NGO. ``changed`` fires after a licence step;
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
        EmptyOverlay(
            self.board_table, "اعضای هیئت‌مدیره ثبت نشده‌اند؛ با «ویرایش مشخصات» ثبت کنید.", hide_header=True
        )
        self.board_term_label = QLabel(details)
        self.board_term_label.setObjectName("boardTermLabel")
        self.board_term_label.setWordWrap(True)
        self.edit_button = QPushButton("ویرایش مشخصات", details)
        self.edit_button.setObjectName("editNgoButton")
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        details_layout = QVBoxLayout(details)
        details_layout.addLayout(self.details_form)
        details_layout.addWidget(QLabel("هیئت مدیره:", details))
        details_layout.addWidget(self.board_term_label)
        details_layout.addWidget(self.board_table, 1)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.edit_button)
        edit_row.addStretch(1)
        details_layout.addLayout(edit_row)

        self.licence_panel = LicencePanel(context, ngo_id, self.tabs)
        self.licence_panel.changed.connect(self._on_licence_changed)
        self.tabs.addTab(details, "مشخصات")
        self.tabs.addTab(self.licence_panel, "پروانه و سابقه")
        self.activity_tab = ActivityTab(context, ngo_id, self.tabs)
        self.tabs.addTab(self.activity_tab, "رویدادها و مکاتبات")
        self.history_tab = HistoryWidget(context, [ngo_id], self.tabs)  # the NGO, its board, its licences
        self.tabs.addTab(self.history_tab, HISTORY_TAB_TITLE)

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
        if self.history_tab.loaded:  # an edit or a licence step: show it in «سابقه تغییرات» too
            self.history_tab.refresh()
        self.setWindowTitle(f"سمن: {d.name}")
        while self.details_form.rowCount():
            self.details_form.removeRow(0)
        rows = (
            ("نام سازمان:", print_form(d.name)),
            ("شناسه ملی:", to_persian_digits(d.national_id)),
            ("شماره ثبت:", to_persian_digits(d.registration_no)),
            ("تاریخ ثبت:", format_jalali(d.registered_on)),
            ("تاریخ تأسیس:", format_jalali(d.founded_on)),
            ("سطح:", d.level_label),
            ("شهرستان:", d.county_name),
            ("حوزه‌های فعالیت:", "، ".join(d.field_names)),
            (
                "مدیرعامل:",
                print_form(d.ceo_name)
                + (f" (کد ملی {to_persian_digits(d.ceo_national_code)})" if d.ceo_national_code else ""),
            ),
            ("تلفن:", to_persian_digits(d.phone)),
            ("نشانی:", print_form(d.address)),  # Persian digits in free text; stored as typed
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
                print_form(m.full_name),
                to_persian_digits(m.national_code),
                m.role_label,
                print_form(m.expertise),
                format_jalali(m.term_start),
                format_jalali(m.term_end),
            )
            for column, text in enumerate(cells):
                self.board_table.setItem(row, column, QTableWidgetItem(text))
        self._show_board_term(d.board)

    def _show_board_term(self, board) -> None:
        """The board's term: when it ends, or in red that it has ended (a new board must be elected)."""
        end = board_term_end(board)
        self.board_term_ended = end is not None and end < _dt.date.today()
        if end is None:
            self.board_term_label.setText("پایان دوره هیئت‌مدیره ثبت نشده است.")
            self.board_term_label.setStyleSheet("color: #5a6470;")
        elif self.board_term_ended:
            self.board_term_label.setText(
                f"دوره هیئت‌مدیره در {format_jalali(end)} پایان یافته است؛ "
                "هیئت‌مدیره تازه را با «ویرایش مشخصات» ثبت کنید."
            )
            self.board_term_label.setStyleSheet(f"color: {ENDED_COLOUR}; font-weight: bold;")
        else:
            self.board_term_label.setText(f"دوره هیئت‌مدیره تا {format_jalali(end)}")
            self.board_term_label.setStyleSheet("")

    def show_activity_tab(self) -> None:
        self.tabs.setCurrentWidget(self.activity_tab)

    def show_history_tab(self) -> None:
        self.tabs.setCurrentWidget(self.history_tab)

    def _on_licence_changed(self) -> None:
        self.refresh_details()
        self.activity_tab.refresh()
        self.changed.emit()

    def _on_edit_button_clicked(self) -> None:
        self.edit_requested.emit(self.ngo_id)
