"""JalaliDateEdit: a QDateEdit on Qt's Jalali calendar, Persian digits, Friday weekend, optional empty value.

Values are Gregorian ``datetime.date`` (what the store keeps); Qt shows and edits them on the Jalali
calendar. In a right-to-left layout QDateEdit reverses its sections, so the display format
``dd/MM/yyyy`` appears as ۱۴۰۳/۰۱/۱۵. The range stops at 1435/12/29 (``jalali.MAX_EDITABLE``): up to
there Qt's Jalali arithmetic and jdatetime agree. Latin and Arabic-Indic digits typed by the clerk are
turned into Persian digits before Qt's Persian locale parses them.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import QCalendarWidget, QDateEdit, QWidget

from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import to_persian_digits

__all__ = ["JalaliCalendarWidget", "JalaliDateEdit", "jalali_calendar", "persian_locale"]

EMPTY_TEXT = "—"
_WEEKEND_RED = QColor("#c62828")
_TODAY_BACKGROUND = QColor("#ffe9a8")


def jalali_calendar():
    from PySide6.QtCore import QCalendar

    return QCalendar(QCalendar.System.Jalali)


def persian_locale() -> QLocale:
    return QLocale(QLocale.Language.Persian, QLocale.Country.Iran)


def to_qdate(d: _dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def from_qdate(q: QDate) -> _dt.date:
    return _dt.date(q.year(), q.month(), q.day())


class JalaliCalendarWidget(QCalendarWidget):
    """The month grid on the Jalali calendar: week starts on Saturday, Friday is the (red) weekend, and
    today is marked (bold on a pale yellow, «امروز» as its tooltip). An editor's popup with no date yet
    (``empty_date`` selected) opens on today's month with today selected (taken only by a click or Enter)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.empty_date: QDate | None = None  # JalaliDateEdit(allow_empty=True): the date meaning "none"
        self._today: QDate | None = None
        self.setCalendar(jalali_calendar())
        self.setLocale(persian_locale())
        self.setFirstDayOfWeek(Qt.DayOfWeek.Saturday)
        self.setGridVisible(False)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        normal = QTextCharFormat()
        normal.setForeground(self.palette().text())
        weekend = QTextCharFormat()
        weekend.setForeground(_WEEKEND_RED)
        for day in Qt.DayOfWeek:
            self.setWeekdayTextFormat(day, weekend if day == Qt.DayOfWeek.Friday else normal)
        self.mark_today()

    def mark_today(self) -> None:
        """Mark today's cell (again after midnight: the mark moves to the new day)."""
        today = QDate.currentDate()
        if self._today == today:
            return
        if self._today is not None:
            self.setDateTextFormat(self._today, QTextCharFormat())
        marked = QTextCharFormat()
        marked.setFontWeight(QFont.Weight.Bold)
        marked.setBackground(_TODAY_BACKGROUND)
        marked.setToolTip("امروز")
        self.setDateTextFormat(today, marked)
        self._today = today

    def showEvent(self, event) -> None:
        self.mark_today()
        if self.empty_date is not None and self.selectedDate() == self.empty_date:
            # an empty editor: today's month, today ready to take; the editor keeps "no date" unless the
            # clerk clicks a day or presses Enter (the popup reports only those, not this selection)
            self.blockSignals(True)
            self.setSelectedDate(QDate.currentDate())
            self.blockSignals(False)
        super().showEvent(event)


class JalaliDateEdit(QDateEdit):
    """A date editor on the Jalali calendar.

    API: ``value() -> date | None``, ``set_value(date | None)``, signal ``value_changed(object)``
    (a ``datetime.date`` or None). With ``allow_empty=True`` the day before the first editable day
    stands for "no date" and shows «—».
    """

    value_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, allow_empty: bool = False):
        super().__init__(parent)
        self._allow_empty = allow_empty
        self.setCalendar(jalali_calendar())
        self.setLocale(persian_locale())
        self.setDisplayFormat("dd/MM/yyyy")
        self.setCalendarPopup(True)
        calendar = JalaliCalendarWidget(self)
        self.setCalendarWidget(calendar)
        self.setCorrectionMode(QDateEdit.CorrectionMode.CorrectToNearestValue)
        first = to_qdate(jalali.MIN_EDITABLE)
        self._empty_qdate = first.addDays(-1)
        if allow_empty:
            calendar.empty_date = self._empty_qdate
        self.setDateRange(self._empty_qdate if allow_empty else first, to_qdate(jalali.MAX_EDITABLE))
        if allow_empty:
            self.setSpecialValueText(EMPTY_TEXT)
            self.setDate(self._empty_qdate)
        else:
            self.setDate(to_qdate(_dt.date.today()))
        self.dateChanged.connect(self._on_date_changed)

    @property
    def allow_empty(self) -> bool:
        return self._allow_empty

    def value(self) -> _dt.date | None:
        """The Gregorian date shown (None when empty)."""
        q = self.date()
        if self._allow_empty and q == self._empty_qdate:
            return None
        return from_qdate(q)

    def set_value(self, value: _dt.date | None) -> None:
        """Show ``value`` (a Gregorian date); None clears it (only with ``allow_empty``).

        Raises:
            ValueError: None without allow_empty, or a date outside 1279/01/01–1435/12/29.
        """
        if value is None:
            if not self._allow_empty:
                raise ValueError("this date editor cannot be empty")
            self.setDate(self._empty_qdate)
            return
        if isinstance(value, _dt.datetime):
            value = value.date()
        if not jalali.MIN_EDITABLE <= value <= jalali.MAX_EDITABLE:
            raise ValueError(f"date outside the editable range: {value}")
        self.setDate(to_qdate(value))

    def clear_value(self) -> None:
        self.set_value(None)

    def _on_date_changed(self, _q: QDate) -> None:
        self.value_changed.emit(self.value())

    # --- typing: accept Latin and Arabic-Indic digits -----------------------------------------

    def validate(self, text: str, pos: int):
        return super().validate(to_persian_digits(text), pos)

    def fixup(self, text: str) -> str:
        return super().fixup(to_persian_digits(text))

    def dateTimeFromText(self, text: str):
        return super().dateTimeFromText(to_persian_digits(text))

    def keyPressEvent(self, event) -> None:
        """Turn a typed Latin/Arabic-Indic digit into a Persian one, and Delete/Backspace on all → empty."""
        text = event.text()
        if text and text.isdigit() and text != to_persian_digits(text):
            from PySide6.QtGui import QKeyEvent

            event = QKeyEvent(event.type(), event.key(), event.modifiers(), to_persian_digits(text))
        if (
            self._allow_empty
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self.lineEdit().selectedText() == self.text()
        ):
            self.set_value(None)
            return
        super().keyPressEvent(event)
