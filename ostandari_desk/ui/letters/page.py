"""The letters page (مکاتبات): search as you type, direction/kind/year filters, a paged sortable table."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.jalali import today_jalali_year
from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services import letters as letter_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.events.page import ask_yes_no, configure_table, select_row
from ostandari_desk.ui.events.paged_model import PagedColumn, PagedTableModel
from ostandari_desk.ui.letters.dialog import LetterDialog

SEARCH_DELAY_MS = 150
ALL = "همه"

COLUMNS = (
    PagedColumn("تاریخ", "dated_on", lambda r: r.dated_text),
    PagedColumn("شماره", "number", lambda r: r.number),
    PagedColumn("جهت", "direction", lambda r: r.direction_label),
    PagedColumn("نوع", "kind", lambda r: r.kind_label),
    PagedColumn("طرف مکاتبه", "party", lambda r: r.party),
    PagedColumn("موضوع", "subject", lambda r: r.subject),
    PagedColumn("سمن", "dated_on", lambda r: r.ngo_name),
    PagedColumn("شهرستان", "county", lambda r: r.county_name),
    PagedColumn(
        "پیوست", "dated_on", lambda r: format_number(r.attachment_count) if r.attachment_count else "", True
    ),
)


class LettersPage(QWidget):
    """مکاتبات. ``focus_search()`` serves the main window."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lettersPage")
        self.context = context
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.last_dialog: LetterDialog | None = None
        self.model = PagedTableModel(
            context.uow,
            COLUMNS,
            letter_service.count_letters,
            letter_service.list_letter_page,
            letter_service.LetterFilter(),
            sort_column=0,
            descending=True,
            parent=self,
        )
        self._build()
        self._fill_filters()
        self._connect()
        self.model.refresh()
        self._update_buttons()

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("letterSearchEdit")
        self.search_edit.setPlaceholderText("جستجو در شماره، طرف مکاتبه و موضوع…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.direction_combo = self._combo("letterDirectionFilter")
        self.kind_combo = self._combo("letterKindFilter")
        self.year_combo = self._combo("letterYearFilter")
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        for text, combo in (
            ("&جهت:", self.direction_combo),
            ("&نوع:", self.kind_combo),
            ("&سال:", self.year_combo),
        ):
            caption = QLabel(text, self)
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo, 1)
        self.table = QTableView(self)
        self.table.setObjectName("letterTable")
        self.table.setModel(self.model)
        configure_table(self.table, (90, 90, 60, 120, 170, 240, 150, 80, 50))
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.new_button = QPushButton("نامه جدید", self)
        self.new_button.setObjectName("newLetterButton")
        self.new_button.setToolTip("Ctrl+N")
        self.edit_button = QPushButton("ویرایش", self)
        self.edit_button.setObjectName("editLetterButton")
        self.delete_button = QPushButton("حذف", self)
        self.delete_button.setObjectName("deleteLetterButton")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("letterCountLabel")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        chain = [
            self.search_edit,
            self.direction_combo,
            self.kind_combo,
            self.year_combo,
            self.table,
            self.new_button,
            self.edit_button,
            self.delete_button,
        ]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def _fill_filters(self) -> None:
        self.direction_combo.addItem(ALL, None)
        for key, label in letter_service.DIRECTION_LABELS.items():
            self.direction_combo.addItem(label, key)
        self.kind_combo.addItem(ALL, None)
        for key, label in letter_service.KIND_LABELS.items():
            self.kind_combo.addItem(label, key)
        with self.context.uow() as uow:
            self._fill_years(letter_service.letter_years(uow))

    def _fill_years(self, years: list[int]) -> None:
        current = self.year_combo.currentData()
        wanted = sorted(set(years) | {today_jalali_year()} | ({current} if current else set()), reverse=True)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        self.year_combo.addItem(ALL, None)
        for year in wanted:
            self.year_combo.addItem(to_persian_digits(year), year)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(current), 0) if current else 0)
        self.year_combo.blockSignals(False)

    def _connect(self) -> None:
        self.search_edit.textChanged.connect(lambda _t: self.search_timer.start())
        self.search_timer.timeout.connect(self._apply_widgets)
        for combo in (self.direction_combo, self.kind_combo, self.year_combo):
            combo.currentIndexChanged.connect(self._apply_widgets)
        self.model.total_changed.connect(
            lambda total: self.count_label.setText(f"{format_number(total)} نامه")
        )
        self.model.modelReset.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.new_button.clicked.connect(self.new_letter)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_letter)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, activated=self.delete_selected)

    # --- filter ---------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def current_filter(self) -> letter_service.LetterFilter:
        return letter_service.LetterFilter(
            text=self.search_edit.text(),
            direction=self.direction_combo.currentData(),
            kind=self.kind_combo.currentData(),
            year=self.year_combo.currentData(),
        )

    def _apply_widgets(self) -> None:
        self.search_timer.stop()
        selected = self.selected_id()
        self.model.set_filter(self.current_filter())
        if selected:
            self.select_letter(selected)

    # --- selection ------------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.id_at(index.row())

    def select_letter(self, letter_id: str) -> bool:
        row = self.model.row_of_id(letter_id)
        if row < 0:
            return False
        select_row(self.table, row)
        return True

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    # --- actions --------------------------------------------------------------------------------

    def make_dialog(self, letter_id: str | None = None) -> LetterDialog:
        return LetterDialog(self.context, letter_id, self)

    def new_letter(self) -> None:
        self._open(self.make_dialog(None))

    def edit_selected(self) -> None:
        letter_id = self.selected_id()
        if not letter_id:
            return
        try:
            dialog = self.make_dialog(letter_id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            self.reload()
            return
        self._open(dialog)

    def _open(self, dialog: LetterDialog) -> None:
        self.last_dialog = dialog
        dialog.accepted.connect(lambda: self.after_save(dialog.saved_id))
        dialog.finished.connect(lambda _r: self.reload() if dialog.saved_id else None)
        dialog.open()

    def after_save(self, letter_id: str | None) -> None:
        self.reload()
        if letter_id:
            self.select_letter(letter_id)

    def reload(self) -> None:
        with self.context.uow() as uow:
            self._fill_years(letter_service.letter_years(uow))
        self.model.refresh()

    def delete_selected(self) -> None:
        letter_id = self.selected_id()
        if not letter_id:
            return
        row = self.model.row_at(self.model.row_of_id(letter_id))
        if not self.confirm(
            self, "حذف نامه", f"نامه {row.direction_label} شماره «{to_persian_digits(row.number)}» حذف شود؟"
        ):
            return
        try:
            with self.context.uow() as uow:
                letter_service.delete_letter(uow, letter_id, self.context.clerk)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
        self.reload()
