"""All visits (بازدیدها): search by centre, filters county / category / result / kind / Jalali year and
month / state, a paged table sorted in SQL with the result coloured; open a visit or record a new one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from ostandari_desk.domain.inspections import RESULT_LABELS, VISIT_KIND_LABELS
from ostandari_desk.domain.jalali import month_name, today_jalali_year
from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services import reference
from ostandari_desk.services.inspections import centres as centre_service
from ostandari_desk.services.inspections import visits as visit_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.inspections.common import result_brushes
from ostandari_desk.ui.widgets.paged_list import (
    ALL,
    PagedColumn,
    PagedListPage,
    PagedTableModel,
    fill_years,
    set_tab_chain,
)

STATE_LABELS = {"open": "باز", "closed": "بسته"}
YEARS_BACK = 5
COLUMNS = (
    PagedColumn("تاریخ", "inspected_at", lambda r: r.date_text),
    PagedColumn("ساعت", "inspected_at", lambda r: r.time_text),
    PagedColumn("مرکز", "centre", lambda r: r.centre_name),
    PagedColumn("کد مرکز", "centre", lambda r: r.centre_code),
    PagedColumn("نوع مرکز", "category", lambda r: r.category_name),
    PagedColumn("شهرستان", "county", lambda r: r.county_name),
    PagedColumn("نوع بازدید", "inspected_at", lambda r: r.kind_label),
    PagedColumn("امتیاز", "score", lambda r: "—" if r.score is None else f"{r.score}٪", True),
    PagedColumn("نتیجه", "result", lambda r: r.result_label, True),
    PagedColumn("یافته‌ها", "inspected_at", lambda r: r.finding_count or "", True),
    PagedColumn("وضعیت", "inspected_at", lambda r: STATE_LABELS.get(r.state, r.state), True),
)
RESULT_COLUMN = 8
EMPTY_ALL = (
    "هنوز بازدیدی ثبت نشده است.\n"
    "با «بازدید جدید» بازدیدی را ثبت کنید، یا در فهرست مراکز مرکزی را برگزینید و «ثبت بازدید» را بزنید."
)
EMPTY_FILTERED = "بازدیدی با این جستجو و پالایه‌ها پیدا نشد؛ پالایه‌ها را روی «همه» بگذارید."


class VisitsModel(PagedTableModel):
    def extra_data(self, row, role: int):
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            brushes = result_brushes(row.result)
            if brushes is not None:
                return brushes[0] if role == Qt.ItemDataRole.BackgroundRole else brushes[1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if (
            role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)
            and index.isValid()
            and index.column() != RESULT_COLUMN
        ):
            return None
        return super().data(index, role)


class VisitsPage(PagedListPage):
    """بازدیدها. ``focus_search()`` serves the main window."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("visitsPage")
        self.context = context
        self.last_dialog = None
        self.model = VisitsModel(
            context.uow,
            COLUMNS,
            visit_service.count_visits,
            visit_service.list_visit_page,
            visit_service.VisitFilter(),
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
        self._make_search("visitSearchEdit", "جستجوی مرکز با کد یا نام… (Ctrl+F)")
        self.county_combo = self._combo("visitCountyFilter")
        self.category_combo = self._combo("visitCategoryFilter")
        self.result_combo = self._combo("visitResultFilter")
        self.kind_combo = self._combo("visitKindFilter")
        self.year_combo = self._combo("visitYearFilter")
        self.month_combo = self._combo("visitMonthFilter")
        self.state_combo = self._combo("visitStateFilter")
        filters = self._filter_bar(
            (
                ("ش&هرستان:", self.county_combo),
                ("&نوع مرکز:", self.category_combo),
                ("&نتیجه:", self.result_combo),
                ("نوع &بازدید:", self.kind_combo),
                ("&سال:", self.year_combo),
                ("&ماه:", self.month_combo),
                ("&وضعیت:", self.state_combo),
            )
        )
        self._make_table(
            "visitTable", (90, 50, 200, 80, 140, 100, 80, 60, 100, 60, 50), Qt.SortOrder.DescendingOrder
        )
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("visitsEmptyLabel")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #5a6470; font-size: 11pt;")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        self.new_button = self._button("بازدید جدید", "newVisitButton")
        self.new_button.setToolTip("Ctrl+N")
        self.open_button = self._button("باز کردن", "openVisitButton")
        self.file_button = self._button("پرونده مرکز", "visitCentreFileButton")
        buttons = self._button_row((self.new_button, self.open_button, self.file_button), "visitCountLabel")
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
                self.result_combo,
                self.kind_combo,
                self.year_combo,
                self.month_combo,
                self.state_combo,
                self.table,
                self.new_button,
                self.open_button,
                self.file_button,
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
            self.county_combo.setEnabled(False)
        self.category_combo.addItem(ALL, None)
        for item in categories:
            self.category_combo.addItem(item.name, item.id)
        self.result_combo.addItem(ALL, None)
        for key, label in RESULT_LABELS.items():
            self.result_combo.addItem(label, str(key))
        self.kind_combo.addItem(ALL, None)
        for announced, label in VISIT_KIND_LABELS.items():
            self.kind_combo.addItem(label, "announced" if announced else "unannounced")
        this_year = today_jalali_year()
        fill_years(self.year_combo, range(this_year - YEARS_BACK, this_year + 1))
        self.month_combo.addItem(ALL, None)
        for month in range(1, 13):
            self.month_combo.addItem(month_name(month), month)
        self.month_combo.setEnabled(False)
        self.state_combo.addItem(ALL, None)
        for key, label in STATE_LABELS.items():
            self.state_combo.addItem(label, key)

    def _connect(self) -> None:
        self._connect_filters(
            (
                self.county_combo,
                self.category_combo,
                self.result_combo,
                self.kind_combo,
                self.year_combo,
                self.month_combo,
                self.state_combo,
            )
        )
        self.year_combo.currentIndexChanged.connect(
            lambda _i: self.month_combo.setEnabled(self.year_combo.currentData() is not None)
        )
        self.model.total_changed.connect(self._on_model_total_changed)
        self.model.modelReset.connect(self._update_buttons)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(lambda *_: self._update_buttons())
        selection.currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table.activated.connect(lambda _index: self.open_selected())
        self.new_button.clicked.connect(self.new_visit)
        self.open_button.clicked.connect(self.open_selected)
        self.file_button.clicked.connect(self.open_centre_file)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_visit)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)

    # --- filter -------------------------------------------------------------------------------------

    def current_filter(self) -> visit_service.VisitFilter:
        kind = self.kind_combo.currentData()
        year = self.year_combo.currentData()
        return visit_service.VisitFilter(
            text=self.search_edit.text(),
            county_id=self.county_combo.currentData(),
            category_id=self.category_combo.currentData(),
            year=year,
            month=self.month_combo.currentData() if year else None,
            result=self.result_combo.currentData(),
            announced=None if kind is None else kind == "announced",
            state=self.state_combo.currentData(),
        )

    def _apply_widgets(self) -> None:
        selected = self.selected_id()
        super()._apply_widgets()
        if selected:
            self._select_id(selected)

    def _on_model_total_changed(self, total: int) -> None:
        self.count_label.setText(f"{format_number(total)} بازدید")
        filtered = self.current_filter() != visit_service.VisitFilter()
        self.empty_label.setText(EMPTY_FILTERED if filtered else EMPTY_ALL)
        self.stack.setCurrentWidget(self.empty_label if total == 0 else self.table)

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        self.open_button.setEnabled(has)
        self.file_button.setEnabled(has)

    # --- actions ------------------------------------------------------------------------------------

    def make_dialog(self, visit_id: str | None = None):
        from ostandari_desk.ui.inspections.visit_dialog import VisitDialog

        return VisitDialog(self.context, visit_id=visit_id, parent=self)

    def new_visit(self) -> None:
        self._open(lambda: self.make_dialog(None))

    def open_selected(self) -> None:
        visit_id = self.selected_id()
        if visit_id:
            self._open(lambda: self.make_dialog(visit_id))

    def open_centre_file(self) -> None:
        visit_id = self.selected_id()
        if not visit_id:
            return
        row = self.model.row_at(self.model.row_of_id(visit_id))
        from ostandari_desk.ui.inspections.centre_file import CentreFileDialog

        self._open(lambda: CentreFileDialog(self.context, row.centre_id, self))

    def _open(self, make) -> None:
        try:
            dialog = make()
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            self.model.refresh()
            return
        self.last_dialog = dialog
        selected = self.selected_id()

        def finished(_result: int) -> None:
            self.model.refresh()
            chosen = getattr(dialog, "saved_id", None) or selected
            if chosen:
                self._select_id(chosen)

        dialog.finished.connect(finished)
        dialog.open()

    def reload(self) -> None:
        self.model.refresh()
