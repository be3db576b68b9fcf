"""The letters page (مکاتبات): search as you type, direction/kind/year filters, a paged sortable table."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services import letters as letter_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.letters.dialog import LetterDialog
from ostandari_desk.ui.widgets.paged_list import (
    ALL,
    PagedColumn,
    PagedListPage,
    PagedTableModel,
    ask_yes_no,
    fill_years,
    set_tab_chain,
)

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


class LettersPage(PagedListPage):
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
        self._make_search("letterSearchEdit", "جستجو در شماره، طرف مکاتبه و موضوع…")
        self.direction_combo = self._combo("letterDirectionFilter")
        self.kind_combo = self._combo("letterKindFilter")
        self.year_combo = self._combo("letterYearFilter")
        filters = self._filter_bar(
            (("&جهت:", self.direction_combo), ("&نوع:", self.kind_combo), ("&سال:", self.year_combo))
        )
        self._make_table(
            "letterTable", (90, 90, 60, 120, 170, 240, 150, 80, 50), Qt.SortOrder.DescendingOrder
        )
        self.new_button = self._button("نامه جدید", "newLetterButton")
        self.new_button.setToolTip("Ctrl+N")
        self.edit_button = self._button("ویرایش", "editLetterButton")
        self.delete_button = self._button("حذف", "deleteLetterButton")
        buttons = self._button_row(
            (self.new_button, self.edit_button, self.delete_button), "letterCountLabel"
        )
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        set_tab_chain(
            (
                self.search_edit,
                self.direction_combo,
                self.kind_combo,
                self.year_combo,
                self.table,
                self.new_button,
                self.edit_button,
                self.delete_button,
            )
        )

    def _fill_filters(self) -> None:
        self.direction_combo.addItem(ALL, None)
        for key, label in letter_service.DIRECTION_LABELS.items():
            self.direction_combo.addItem(label, key)
        self.kind_combo.addItem(ALL, None)
        for key, label in letter_service.KIND_LABELS.items():
            self.kind_combo.addItem(label, key)
        with self.context.uow() as uow:
            fill_years(self.year_combo, letter_service.letter_years(uow))

    def _connect(self) -> None:
        self._connect_filters((self.direction_combo, self.kind_combo, self.year_combo))
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

    def current_filter(self) -> letter_service.LetterFilter:
        return letter_service.LetterFilter(
            text=self.search_edit.text(),
            direction=self.direction_combo.currentData(),
            kind=self.kind_combo.currentData(),
            year=self.year_combo.currentData(),
        )

    def _apply_widgets(self) -> None:
        selected = self.selected_id()
        super()._apply_widgets()
        if selected:
            self.select_letter(selected)

    # --- selection ------------------------------------------------------------------------------

    def select_letter(self, letter_id: str) -> bool:
        return self._select_id(letter_id)

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
            fill_years(self.year_combo, letter_service.letter_years(uow))
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
            letter_service.delete_letter(self.context.uow(), letter_id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
        self.reload()
