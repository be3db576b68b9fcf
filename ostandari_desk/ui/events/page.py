"""The events page: a filtered, paged, sortable list and a Jalali month calendar, over services.events."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services import events as event_service
from ostandari_desk.services import reference
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.events.calendar_view import EventCalendar
from ostandari_desk.ui.events.dialog import EventDialog
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
    PagedColumn("تاریخ", "starts_on", lambda r: r.dates_text),
    PagedColumn("نوع", "kind", lambda r: r.kind_label),
    PagedColumn("عنوان", "title", lambda r: r.title),
    PagedColumn("شهرستان", "county", lambda r: r.county_name),
    PagedColumn("برگزارکننده", "starts_on", lambda r: r.organizer_name),
    PagedColumn("شرکت‌کنندگان", "attendees", lambda r: format_number(r.attendees), True),
    PagedColumn("ساعت", "hours", lambda r: format_number(r.hours) if r.kind == "course" else "", True),
    PagedColumn("سمن‌ها", "starts_on", lambda r: format_number(r.ngo_count), True),
)


class EventsPage(PagedListPage):
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
        self._make_search("eventSearchEdit", "جستجو در عنوان رویداد…")
        self.kind_combo = self._combo("eventKindFilter")
        self.county_combo = self._combo("eventCountyFilter")
        self.year_combo = self._combo("eventYearFilter")
        filters = self._filter_bar(
            (("&نوع:", self.kind_combo), ("&شهرستان:", self.county_combo), ("&سال:", self.year_combo))
        )
        self._make_table("eventTable", (170, 100, 300, 100, 160, 90, 60, 60), Qt.SortOrder.DescendingOrder)

        self.new_button = self._button("رویداد جدید", "newEventButton")
        self.new_button.setToolTip("Ctrl+N")
        self.edit_button = self._button("ویرایش", "editEventButton")
        self.delete_button = self._button("حذف", "deleteEventButton")
        buttons = self._button_row((self.new_button, self.edit_button, self.delete_button), "eventCountLabel")

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

        set_tab_chain(
            (
                self.search_edit,
                self.kind_combo,
                self.county_combo,
                self.year_combo,
                self.table,
                self.new_button,
                self.edit_button,
                self.delete_button,
            )
        )

    def _fill_filters(self) -> None:
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)  # a county user: their county alone
            years = event_service.event_years(uow)
        self.kind_combo.addItem(ALL, None)
        for kind, label in event_service.KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.county_combo.addItem(ALL, None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        if self.context.actor.county_scope is None:
            self.county_combo.addItem(event_service.PROVINCE_LABEL, event_service.PROVINCE_ONLY)
        fill_years(self.year_combo, years)

    def _connect(self) -> None:
        self._connect_filters((self.kind_combo, self.county_combo, self.year_combo))
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
        super().focus_search()

    def current_filter(self) -> event_service.EventFilter:
        return event_service.EventFilter(
            text=self.search_edit.text(),
            kind=self.kind_combo.currentData(),
            county_id=self.county_combo.currentData(),
            year=self.year_combo.currentData(),
        )

    def _apply_widgets(self) -> None:
        selected = self.selected_id()
        super()._apply_widgets()
        if selected:
            self.select_event(selected)

    # --- selection ------------------------------------------------------------------------------

    def select_event(self, event_id: str) -> bool:
        return self._select_id(event_id)

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
        fill_years(self.year_combo, years)
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
            event_service.delete_event(self.context.uow(), event_id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
        self.reload()
