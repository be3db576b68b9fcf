"""The «تقویم» tab: a Jalali month grid (Friday red) with event days in bold, and that day's/month's events."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.services import events as event_service
from ostandari_desk.ui.widgets.dates import (
    JalaliCalendarWidget,
    from_qdate,
    jalali_calendar,
    persian_locale,
    to_qdate,
)

EVENT_ROLE = Qt.ItemDataRole.UserRole + 1
_MARK = QColor("#e3f2fd")


def jalali_month_title(jy: int, jm: int) -> str:
    """«اردیبهشت ۱۴۰۱», the month's name from Qt's Jalali calendar."""
    name = jalali_calendar().monthName(persian_locale(), jm, jy) or jalali.month_name(jm)
    return f"{name} {to_persian_digits(jy)}"


class EventCalendar(QWidget):
    """Month view. ``show_month(jy, jm)``, ``select_day(date)``; ``event_activated(id)`` on double-click/Enter."""

    event_activated = Signal(str)

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.county_id: str | None = None
        self._days: dict[_dt.date, list] = {}
        self._month_rows: list = []
        self._selected_day: _dt.date | None = None
        self.calendar = JalaliCalendarWidget(self)
        self.calendar.setObjectName("eventCalendar")
        self.calendar.setMinimumSize(420, 300)
        # In right-to-left the month button's menu arrow covers the month name: make room for it.
        self.calendar.setStyleSheet(
            "QToolButton#qt_calendar_monthbutton { padding-left: 18px; padding-right: 6px; min-width: 90px; }"
        )
        self.title_label = QLabel(self)
        self.title_label.setObjectName("calendarTitle")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.list = QListWidget(self)
        self.list.setObjectName("calendarEventList")
        self.list.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(self.title_label)
        side.addWidget(self.list, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.calendar, 3)
        layout.addLayout(side, 2)
        self.calendar.currentPageChanged.connect(self._on_calendar_current_page_changed)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        self.calendar.activated.connect(self._on_calendar_clicked)
        self.list.itemActivated.connect(lambda item: self.event_activated.emit(item.data(EVENT_ROLE)))
        self.refresh()

    # --- API ------------------------------------------------------------------------------------

    def current_month(self) -> tuple[int, int]:
        return self.calendar.yearShown(), self.calendar.monthShown()

    def show_month(self, jy: int, jm: int) -> None:
        self.calendar.setCurrentPage(jy, jm)
        self.refresh()

    def set_county(self, county_id: str | None) -> None:
        self.county_id = county_id
        self.refresh()

    def event_days(self) -> list[_dt.date]:
        return sorted(self._days)

    def listed_titles(self) -> list[str]:
        titles = (self.list.item(i).data(Qt.ItemDataRole.UserRole + 2) for i in range(self.list.count()))
        return [t for t in titles if t]

    def select_day(self, day: _dt.date) -> None:
        """Show ``day``'s month, select it and list its events."""
        jy, jm, _ = jalali.to_jalali(day)
        if (jy, jm) != self.current_month():
            self.calendar.setCurrentPage(jy, jm)
            self.refresh()
        self.calendar.setSelectedDate(to_qdate(day))
        self._selected_day = day
        self._fill_list()

    def refresh(self) -> None:
        """Query the shown month again and mark its event days."""
        jy, jm = self.current_month()
        with self.context.uow() as uow:
            self._month_rows = event_service.events_in_month(uow, jy, jm, self.county_id)
        self._days = event_service.event_days_in_month(self._month_rows, jy, jm)
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clear the old marks
        marked = QTextCharFormat()
        marked.setFontWeight(QFont.Weight.Bold)
        marked.setBackground(QBrush(_MARK))
        for day, rows in self._days.items():
            fmt = QTextCharFormat(marked)
            fmt.setToolTip("\n".join(f"{r.kind_label}: {r.title}" for r in rows))
            self.calendar.setDateTextFormat(to_qdate(day), fmt)
        first, last = jalali.month_range(jy, jm)
        if self._selected_day is not None and not first <= self._selected_day <= last:
            self._selected_day = None
        self._fill_list()

    # --- internals ------------------------------------------------------------------------------

    def _fill_list(self) -> None:
        jy, jm = self.current_month()
        if self._selected_day is not None:
            rows = self._days.get(self._selected_day, [])
            _y, _m, d = jalali.to_jalali(self._selected_day)
            name = jalali_month_title(jy, jm).split(" ")[0]
            title = f"رویدادهای {to_persian_digits(d)} {name} {to_persian_digits(jy)}"
        else:
            rows = self._month_rows
            title = f"رویدادهای {jalali_month_title(jy, jm)}"
        self.title_label.setText(f"{title} ({to_persian_digits(len(rows))})")
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(
                f"{row.dates_text} — {row.kind_label}: {row.title}\n{row.county_name} · {row.organizer_name}"
            )
            item.setData(EVENT_ROLE, row.id)
            item.setData(Qt.ItemDataRole.UserRole + 2, row.title)
            self.list.addItem(item)
        if not rows:
            item = QListWidgetItem("رویدادی ثبت نشده است")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)

    def _on_calendar_current_page_changed(self, _year: int, _month: int) -> None:
        self._selected_day = None
        self.refresh()

    def _on_calendar_clicked(self, qdate: QDate) -> None:
        self._selected_day = from_qdate(qdate)
        self._fill_list()
