"""The events page: a filtered, paged, sortable list and a Jalali month calendar, over services.events."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number
from ostandari_desk.services import events as event_service
from ostandari_desk.ui.events.calendar_view import EventCalendar
from ostandari_desk.ui.events.dialog import EventDialog
from ostandari_desk.ui.widgets.list_page import (
    ListAction,
    ListFilter,
    ListKind,
    ListPage,
    county_choices,
    delete_action,
    edit_action,
)
from ostandari_desk.ui.widgets.paged_list import PagedColumn

COLUMNS = (
    PagedColumn("تاریخ", "starts_on", lambda r: r.dates_text, width=170),
    PagedColumn("نوع", "kind", lambda r: r.kind_label, width=100),
    PagedColumn("عنوان", "title", lambda r: r.title, width=300),
    PagedColumn("شهرستان", "county", lambda r: r.county_name, width=100),
    PagedColumn("برگزارکننده", "starts_on", lambda r: r.organizer_name, width=160),
    PagedColumn("شرکت‌کنندگان", "attendees", lambda r: format_number(r.attendees), True, width=90),
    PagedColumn(
        "ساعت", "hours", lambda r: format_number(r.hours) if r.kind == "course" else "", True, width=60
    ),
    PagedColumn("سمن‌ها", "starts_on", lambda r: format_number(r.ngo_count), True, width=60),
)
EMPTY_ALL = (
    "هنوز رویدادی ثبت نشده است.\n"
    "با «رویداد جدید» نشست، دوره یا همایشی را ثبت کنید، یا رویدادها را از «پرونده ← ورود از اکسل» بیاورید."
)
EMPTY_FILTERED = "رویدادی با این جستجو و پالایه‌ها پیدا نشد؛ پالایه‌ها را روی «همه» بگذارید."


def _counties(context, uow) -> list[tuple[str, str]]:
    """The counties in scope, and «استان» (the province's own events) for a province user."""
    found = county_choices(context, uow)
    if context.actor.county_scope is None:
        found.append((event_service.PROVINCE_LABEL, event_service.PROVINCE_ONLY))
    return found


def _event_filter(v: dict[str, Any]) -> event_service.EventFilter:
    return event_service.EventFilter(text=v["text"], kind=v["kind"], county_id=v["county"], year=v["year"])


def _delete_question(row) -> tuple[str, str]:
    return "حذف رویداد", f"رویداد «{row.title}» ({format_jalali(row.starts_on)}) حذف شود؟"


KIND = ListKind(
    prefix="event",
    noun="رویداد",
    columns=COLUMNS,
    count=event_service.count_events,
    page=event_service.list_event_page,
    filter_type=event_service.EventFilter,
    make_filter=_event_filter,
    search_placeholder="جستجو در عنوان رویداد…",
    filters=(
        ListFilter(
            "kind",
            "&نوع:",
            "eventKindFilter",
            lambda _c, _u: [(label, kind) for kind, label in event_service.KIND_LABELS.items()],
        ),
        ListFilter("county", "&شهرستان:", "eventCountyFilter", _counties),
        ListFilter(
            "year",
            "&سال:",
            "eventYearFilter",
            lambda _c, uow: event_service.event_years(uow),
            years=True,
            refill=True,
        ),
    ),
    actions=(
        ListAction(
            "new",
            "رویداد جدید",
            "newEventButton",
            opens=lambda page, _row: page.make_dialog(None, page.calendar_day()),
            needs_selection=False,
            shortcut="Ctrl+N",
        ),
        edit_action("ویرایش", "editEventButton"),
        delete_action("deleteEventButton"),
    ),
    activate="edit",
    empty_all=EMPTY_ALL,
    empty_filtered=EMPTY_FILTERED,
    delete=event_service.delete_event,
    delete_question=_delete_question,
)


class EventsPage(ListPage):
    """رویدادها: list tab and calendar tab. ``make_dialog`` lets tests drive the event form."""

    KIND = KIND
    select_event = ListPage.select_id

    def _lay_out(self, filters: QHBoxLayout, view: QWidget, buttons: QHBoxLayout) -> None:
        list_tab = QWidget(self)
        list_layout = QVBoxLayout(list_tab)
        list_layout.addLayout(filters)
        list_layout.addWidget(view, 1)
        list_layout.addLayout(buttons)
        self.calendar = EventCalendar(self.context, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("eventTabs")
        self.tabs.addTab(list_tab, "فهرست")
        self.tabs.addTab(self.calendar, "تقویم")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def _connect(self) -> None:
        super()._connect()
        self.county_combo.currentIndexChanged.connect(
            lambda _i: self.calendar.set_county(self.county_combo.currentData())
        )
        self.calendar.event_activated.connect(self.edit_event)

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        super().focus_search()

    def reload(self) -> None:
        super().reload()
        self.calendar.refresh()

    # --- actions --------------------------------------------------------------------------------

    def make_dialog(self, event_id: str | None = None, starts_on=None) -> EventDialog:
        """Build (not show) the event dialog; tests drive it directly."""
        return EventDialog(self.context, event_id, self, starts_on=starts_on)

    def calendar_day(self):
        """The day chosen on the calendar tab (a new event starts on it), None on the list tab."""
        return self.calendar._selected_day if self.tabs.currentIndex() == 1 else None

    def edit_event(self, event_id: str) -> None:
        self.open_dialog(lambda: self.make_dialog(event_id))
