"""The events page: a filtered, paged, sortable list and a Jalali month calendar, over services.events."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.jalali import format_jalali, today_jalali_year
from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services import events as event_service
from ostandari_desk.services import reference
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.events.calendar_view import EventCalendar
from ostandari_desk.ui.events.dialog import EventDialog
from ostandari_desk.ui.events.paged_model import PagedColumn, PagedTableModel

SEARCH_DELAY_MS = 150
ALL = "همه"

COLUMNS = (
    PagedColumn("تاریخ", "starts_on", lambda r: r.dates_text),
    PagedColumn("نوع", "kind", lambda r: r.kind_label),
    PagedColumn("عنوان", "title", lambda r: r.title),
    PagedColumn("شهرستان", "county", lambda r: r.county_name),
    PagedColumn("برگزارکننده", "starts_on", lambda r: r.organizer_name),
    PagedColumn("شرکت‌کنندگان", "attendees", lambda r: format_number(r.attendees), True),
    PagedColumn("ساعت", "hours", lambda r: format_number(r.hours) if r.kind == "course" else "", True),
    PagedColumn("سمن‌ها", "starts_on", lambda r: format_number(r.ngo_count), True),
)


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """A Persian yes/no question (tests replace ``page.confirm``)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton("بله", QMessageBox.ButtonRole.YesRole)
    no = box.addButton("خیر", QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no)
    box.exec()
    return box.clickedButton() is yes


def configure_table(table: QTableView, widths: tuple[int, ...]) -> None:
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)


def select_row(table: QTableView, row: int) -> None:
    """Select a whole row through the selection model (selectRow can fail in right-to-left)."""
    model = table.model()
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().setCurrentIndex(model.index(row, 0), flags)
    table.scrollTo(model.index(row, 0))


class EventsPage(QWidget):
    """رویدادها: list tab and calendar tab. ``focus_search()`` serves the main window."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("eventsPage")
        self.context = context
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.last_dialog: EventDialog | None = None
        self.model = PagedTableModel(
            context.uow,
            COLUMNS,
            event_service.count_events,
            event_service.list_event_page,
            event_service.EventFilter(),
            sort_column=0,
            descending=True,
            parent=self,
        )
        self._build()
        self._fill_filters()
        self._connect()
        self.model.refresh()
        self._update_buttons()

    # --- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("eventSearchEdit")
        self.search_edit.setPlaceholderText("جستجو در عنوان رویداد…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.kind_combo = self._combo("eventKindFilter")
        self.county_combo = self._combo("eventCountyFilter")
        self.year_combo = self._combo("eventYearFilter")
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        for text, combo in (
            ("&نوع:", self.kind_combo),
            ("&شهرستان:", self.county_combo),
            ("&سال:", self.year_combo),
        ):
            caption = QLabel(text, self)
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo, 1)

        self.table = QTableView(self)
        self.table.setObjectName("eventTable")
        self.table.setModel(self.model)
        configure_table(self.table, (170, 100, 300, 100, 160, 90, 60, 60))
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)

        self.new_button = QPushButton("رویداد جدید", self)
        self.new_button.setObjectName("newEventButton")
        self.new_button.setToolTip("Ctrl+N")
        self.edit_button = QPushButton("ویرایش", self)
        self.edit_button.setObjectName("editEventButton")
        self.delete_button = QPushButton("حذف", self)
        self.delete_button.setObjectName("deleteEventButton")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("eventCountLabel")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)

        list_tab = QWidget(self)
        list_layout = QVBoxLayout(list_tab)
        list_layout.addLayout(filters)
        list_layout.addWidget(self.table, 1)
        list_layout.addLayout(buttons)

        self.calendar = EventCalendar(self.context, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("eventTabs")
        self.tabs.addTab(list_tab, "فهرست")
        self.tabs.addTab(self.calendar, "تقویم")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

        chain = [
            self.search_edit,
            self.kind_combo,
            self.county_combo,
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
        with self.context.uow() as uow:
            counties = reference.list_counties(uow)
            years = event_service.event_years(uow)
        self.kind_combo.addItem(ALL, None)
        for kind, label in event_service.KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.county_combo.addItem(ALL, None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        self.county_combo.addItem(event_service.PROVINCE_LABEL, event_service.PROVINCE_ONLY)
        self._fill_years(years)

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
        for combo in (self.kind_combo, self.county_combo, self.year_combo):
            combo.currentIndexChanged.connect(self._apply_widgets)
        self.county_combo.currentIndexChanged.connect(
            lambda _i: self.calendar.set_county(self.county_combo.currentData())
        )
        self.model.total_changed.connect(
            lambda total: self.count_label.setText(f"{format_number(total)} رویداد")
        )
        self.model.modelReset.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.new_button.clicked.connect(self.new_event)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.calendar.event_activated.connect(self.edit_event)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_event)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, activated=self.delete_selected)

    # --- filter ---------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def current_filter(self) -> event_service.EventFilter:
        return event_service.EventFilter(
            text=self.search_edit.text(),
            kind=self.kind_combo.currentData(),
            county_id=self.county_combo.currentData(),
            year=self.year_combo.currentData(),
        )

    def _apply_widgets(self) -> None:
        self.search_timer.stop()
        selected = self.selected_id()
        self.model.set_filter(self.current_filter())
        if selected:
            self.select_event(selected)

    # --- selection ------------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.id_at(index.row())

    def select_event(self, event_id: str) -> bool:
        row = self.model.row_of_id(event_id)
        if row < 0:
            return False
        select_row(self.table, row)
        return True

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    # --- actions --------------------------------------------------------------------------------

    def make_dialog(self, event_id: str | None = None, starts_on=None) -> EventDialog:
        """Build (not show) the event dialog; tests drive it directly."""
        return EventDialog(self.context, event_id, self, starts_on=starts_on)

    def new_event(self) -> None:
        starts_on = self.calendar._selected_day if self.tabs.currentIndex() == 1 else None
        self._open(self.make_dialog(None, starts_on))

    def edit_selected(self) -> None:
        event_id = self.selected_id()
        if event_id:
            self.edit_event(event_id)

    def edit_event(self, event_id: str) -> None:
        try:
            dialog = self.make_dialog(event_id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            self.reload()
            return
        self._open(dialog)

    def _open(self, dialog: EventDialog) -> None:
        self.last_dialog = dialog
        dialog.accepted.connect(lambda: self.after_save(dialog.saved_id))
        dialog.open()

    def after_save(self, event_id: str | None) -> None:
        self.reload()
        if event_id:
            self.select_event(event_id)

    def reload(self) -> None:
        with self.context.uow() as uow:
            years = event_service.event_years(uow)
        self._fill_years(years)
        self.model.refresh()
        self.calendar.refresh()

    def delete_selected(self) -> None:
        event_id = self.selected_id()
        if not event_id:
            return
        row = self.model.row_at(self.model.row_of_id(event_id))
        if not self.confirm(
            self, "حذف رویداد", f"رویداد «{row.title}» ({format_jalali(row.starts_on)}) حذف شود؟"
        ):
            return
        try:
            with self.context.uow() as uow:
                event_service.delete_event(uow, event_id, self.context.clerk)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
        self.reload()
