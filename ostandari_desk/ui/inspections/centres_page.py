"""The centres register (مراکز): search, county / category / licensing agency / active filters, a paged
table sorted in SQL, and the centre's dialog, file and a new visit from the selected row."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services import reference
from ostandari_desk.services.inspections import centres as centre_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.widgets.paged_list import (
    ALL,
    PagedColumn,
    PagedListPage,
    PagedTableModel,
    ask_yes_no,
    set_tab_chain,
)

COLUMNS = (
    PagedColumn("کد", "code", lambda r: r.code),
    PagedColumn("نام مرکز", "name", lambda r: r.name),
    PagedColumn("نوع", "category", lambda r: r.category_name),
    PagedColumn("شهرستان", "county", lambda r: r.county_name),
    PagedColumn("دستگاه صادرکننده مجوز", "agency", lambda r: r.licensing_agency),
    PagedColumn("بهره‌بردار", "name", lambda r: r.operator),
    PagedColumn("تلفن", "name", lambda r: r.phone),
    PagedColumn("وضعیت", "name", lambda r: r.active_label, True),
    PagedColumn("آخرین بازدید", "name", lambda r: r.last_visit_text or "—", True),
)
EMPTY_REGISTER = (
    "هنوز مرکزی ثبت نشده است.\n"
    "با دکمه «افزودن» نخستین مرکز را ثبت کنید، یا فهرست مراکز را از «پرونده ← درون‌برد از اکسل» بیاورید."
)
EMPTY_FILTERED = (
    "مرکزی با این جستجو و پالایه‌ها پیدا نشد.\nعبارت جستجو را کوتاه‌تر کنید یا پالایه‌ها را روی «همه» بگذارید."
)
_INACTIVE = QBrush(QColor("#8a8f98"))


class CentresModel(PagedTableModel):
    def extra_data(self, row, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            return _INACTIVE
        return None


class CentresPage(PagedListPage):
    """مراکز. ``focus_search()`` serves the main window; ``make_*`` hooks let tests see the dialogs."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("centresPage")
        self.context = context
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.last_dialog = None
        self.model = CentresModel(
            context.uow,
            COLUMNS,
            centre_service.count_centres,
            centre_service.list_centre_page,
            centre_service.CentreFilter(),
            sort_column=1,
            descending=False,
            parent=self,
        )
        self._build()
        self._fill_filters()
        self._connect()
        self.model.refresh()
        self._update_buttons()

    def _build(self) -> None:
        self._make_search("centreSearchEdit", "جستجو در کد، نام و بهره‌بردار مرکز… (Ctrl+F)")
        self.county_combo = self._combo("centreCountyFilter")
        self.category_combo = self._combo("centreCategoryFilter")
        self.agency_combo = self._combo("centreAgencyFilter")
        self.active_combo = self._combo("centreActiveFilter")
        filters = self._filter_bar(
            (
                ("ش&هرستان:", self.county_combo),
                ("&نوع:", self.category_combo),
                ("&دستگاه مجوز:", self.agency_combo),
                ("&وضعیت:", self.active_combo),
            )
        )
        self._make_table(
            "centreTable", (80, 220, 150, 100, 190, 150, 100, 70, 90), Qt.SortOrder.AscendingOrder
        )
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("centresEmptyLabel")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #5a6470; font-size: 11pt;")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        self.new_button = self._button("افزودن", "newCentreButton")
        self.new_button.setToolTip("Ctrl+N")
        self.edit_button = self._button("ویرایش", "editCentreButton")
        self.active_button = self._button("غیرفعال‌سازی", "toggleCentreActiveButton")
        self.file_button = self._button("پرونده مرکز", "centreFileButton")
        self.visit_button = self._button("ثبت بازدید", "newCentreVisitButton")
        buttons = self._button_row(
            (self.new_button, self.edit_button, self.active_button, self.file_button, self.visit_button),
            "centreCountLabel",
        )
        self.count_label.setMinimumWidth(110)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        set_tab_chain(
            (
                self.search_edit,
                self.county_combo,
                self.category_combo,
                self.agency_combo,
                self.active_combo,
                self.table,
                self.new_button,
                self.edit_button,
                self.active_button,
                self.file_button,
                self.visit_button,
            )
        )

    def _fill_filters(self) -> None:
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)
            categories = centre_service.category_choices(uow, include_inactive=True)
        self.county_combo.addItem(ALL, None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        if self.context.actor.county_scope is not None:
            self.county_combo.setEnabled(False)  # a county user sees their own county only
        self.category_combo.addItem(ALL, None)
        for item in categories:
            self.category_combo.addItem(item.name, item.id)
        self.active_combo.addItem(ALL, None)
        self.active_combo.addItem("فعال", "active")
        self.active_combo.addItem("غیرفعال", "inactive")
        self._fill_agencies()

    def _fill_agencies(self) -> None:
        current = self.agency_combo.currentData()
        with self.context.uow() as uow:
            agencies = centre_service.licensing_agencies(uow)
        self.agency_combo.blockSignals(True)
        self.agency_combo.clear()
        self.agency_combo.addItem(ALL, None)
        for agency in agencies:
            self.agency_combo.addItem(agency, agency)
        self.agency_combo.setCurrentIndex(max(self.agency_combo.findData(current), 0) if current else 0)
        self.agency_combo.blockSignals(False)

    def _connect(self) -> None:
        self._connect_filters((self.county_combo, self.category_combo, self.agency_combo, self.active_combo))
        self.model.total_changed.connect(self._on_model_total_changed)
        self.model.modelReset.connect(self._update_buttons)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(lambda *_: self._update_buttons())
        selection.currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table.activated.connect(lambda _index: self.open_file())
        self.new_button.clicked.connect(self.new_centre)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button.clicked.connect(self.toggle_active)
        self.file_button.clicked.connect(self.open_file)
        self.visit_button.clicked.connect(self.new_visit)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_centre)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)

    # --- filter -------------------------------------------------------------------------------------

    def current_filter(self) -> centre_service.CentreFilter:
        active = self.active_combo.currentData()
        return centre_service.CentreFilter(
            search=self.search_edit.text(),
            county_id=self.county_combo.currentData(),
            category_id=self.category_combo.currentData(),
            licensing_agency=self.agency_combo.currentData(),
            active=None if active is None else active == "active",
        )

    def _apply_widgets(self) -> None:
        selected = self.selected_id()
        super()._apply_widgets()
        if selected:
            self.select_centre(selected)

    def _on_model_total_changed(self, total: int) -> None:
        self.count_label.setText(f"{format_number(total)} مرکز")
        filtered = self.current_filter() != centre_service.CentreFilter()
        self.empty_label.setText(EMPTY_FILTERED if filtered else EMPTY_REGISTER)
        self.stack.setCurrentWidget(self.empty_label if total == 0 else self.table)

    # --- selection ----------------------------------------------------------------------------------

    def select_centre(self, centre_id: str) -> bool:
        return self._select_id(centre_id)

    def selected_row(self):
        centre_id = self.selected_id()
        return self.model.row_at(self.model.row_of_id(centre_id)) if centre_id else None

    def _update_buttons(self) -> None:
        row = self.selected_row()
        for button in (self.edit_button, self.active_button, self.file_button, self.visit_button):
            button.setEnabled(row is not None)
        self.active_button.setText("غیرفعال‌سازی" if row is None or row.active else "فعال‌سازی")

    # --- actions ------------------------------------------------------------------------------------

    def make_dialog(self, centre_id: str | None = None):
        from ostandari_desk.ui.inspections.centre_dialog import CentreDialog

        return CentreDialog(self.context, centre_id, self)

    def make_file(self, centre_id: str):
        from ostandari_desk.ui.inspections.centre_file import CentreFileDialog

        return CentreFileDialog(self.context, centre_id, self)

    def make_visit_dialog(self, centre_id: str):
        from ostandari_desk.ui.inspections.visit_dialog import VisitDialog

        return VisitDialog(self.context, centre_id=centre_id, parent=self)

    def new_centre(self) -> None:
        self._open(self.make_dialog(None))

    def edit_selected(self) -> None:
        centre_id = self.selected_id()
        if centre_id:
            self._guarded_open(lambda: self.make_dialog(centre_id))

    def open_file(self) -> None:
        centre_id = self.selected_id()
        if centre_id:
            self._guarded_open(lambda: self.make_file(centre_id))

    def new_visit(self) -> None:
        centre_id = self.selected_id()
        if centre_id:
            self._guarded_open(lambda: self.make_visit_dialog(centre_id))

    def _guarded_open(self, make: Callable) -> None:
        try:
            dialog = make()
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            self.reload()
            return
        self._open(dialog)

    def _open(self, dialog) -> None:
        self.last_dialog = dialog
        selected = self.selected_id()
        dialog.finished.connect(lambda _r: self.after_dialog(getattr(dialog, "saved_id", None) or selected))
        dialog.open()

    def after_dialog(self, centre_id: str | None) -> None:
        self.reload()
        if centre_id:
            self.select_centre(centre_id)

    def reload(self) -> None:
        self._fill_agencies()
        self.model.refresh()

    def toggle_active(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        verb = "غیرفعال" if row.active else "فعال"
        note = (
            " مرکز غیرفعال از برنامه بازدید ماهانه و «مراکز مقرر» جدول پوشش بیرون می‌رود."
            if row.active
            else ""
        )
        if not self.confirm(self, f"{verb}‌سازی مرکز", f"مرکز «{row.name}» {verb} شود؟{note}"):
            return
        try:
            with self.context.uow() as uow:
                version = centre_service.get_centre(uow, row.id).row_version
            centre_service.set_centre_active(self.context.uow(), row.id, not row.active, version)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
        self.after_dialog(row.id)
