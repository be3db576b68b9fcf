"""The date editor's calendar opens on today (or on the editor's own date) and marks today."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTableView

from ostandari_desk.domain import jalali
from ostandari_desk.ui.widgets.dates import JalaliDateEdit

pytestmark = pytest.mark.qt_log_ignore("does not support")  # the offscreen platform and popups


def _open_popup(qtbot, edit: JalaliDateEdit):
    """Click the editor's arrow (on the left in a right-to-left layout) and wait for the month grid."""
    arrow = (
        QPoint(8, edit.height() // 2)
        if edit.isRightToLeft()
        else QPoint(edit.width() - 8, edit.height() // 2)
    )
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=arrow)
    calendar = edit.calendarWidget()
    qtbot.waitUntil(calendar.isVisible, timeout=2000)
    return calendar


def _shown_page(calendar) -> tuple[int, int]:
    return calendar.yearShown(), calendar.monthShown()


def _today_page() -> tuple[int, int]:
    year, month, _day = jalali.to_jalali(dt.date.today())
    return year, month


def _marked(calendar, day: QDate) -> bool:
    fmt = calendar.dateTextFormat(day)
    return fmt.fontWeight() == QFont.Weight.Bold and fmt.background().style() != Qt.BrushStyle.NoBrush


@pytest.fixture
def editor(prepared_app, qtbot):
    def make(**kwargs) -> JalaliDateEdit:
        edit = JalaliDateEdit(**kwargs)
        qtbot.addWidget(edit)
        edit.resize(220, 32)
        edit.show()
        qtbot.waitExposed(edit)
        return edit

    return make


def test_a_new_editor_opens_on_today_with_today_marked(editor, qtbot):
    edit = editor()
    calendar = _open_popup(qtbot, edit)
    assert calendar.selectedDate() == QDate.currentDate()
    assert _shown_page(calendar) == _today_page()
    assert _marked(calendar, QDate.currentDate())
    assert calendar.dateTextFormat(QDate.currentDate()).toolTip() == "امروز"
    assert not _marked(calendar, QDate.currentDate().addDays(-7))


def test_an_editor_with_a_date_opens_on_it_and_still_marks_today(editor, qtbot):
    week_ago = dt.date.today() - dt.timedelta(days=7)
    edit = editor()
    edit.set_value(week_ago)
    calendar = _open_popup(qtbot, edit)
    assert calendar.selectedDate() == QDate(week_ago.year, week_ago.month, week_ago.day)
    assert _marked(calendar, QDate.currentDate())  # the clerk sees where today is


def test_an_empty_editor_opens_on_today_and_stays_empty_until_a_day_is_taken(editor, qtbot):
    edit = editor(allow_empty=True)
    assert edit.value() is None
    calendar = _open_popup(qtbot, edit)
    assert _shown_page(calendar) == _today_page()  # not Esfand 1278, the day before the first editable one
    assert calendar.selectedDate() == QDate.currentDate()
    assert edit.value() is None  # opening chose nothing
    qtbot.keyClick(calendar, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not calendar.isVisible(), timeout=2000)
    assert edit.value() is None

    calendar = _open_popup(qtbot, edit)  # again: today is ready, Enter takes it
    qtbot.keyClick(calendar.findChild(QTableView), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible(), timeout=2000)
    assert edit.value() == dt.date.today()


def test_the_mark_moves_to_the_new_day(editor):
    edit = editor()
    calendar = edit.calendarWidget()
    yesterday = QDate.currentDate().addDays(-1)
    calendar.setDateTextFormat(QDate.currentDate(), calendar.dateTextFormat(QDate(2000, 1, 1)))
    calendar.setDateTextFormat(yesterday, calendar.dateTextFormat(QDate.currentDate()))
    calendar._today = yesterday  # as if the editor was made yesterday
    calendar.mark_today()
    assert _marked(calendar, QDate.currentDate())
    assert not _marked(calendar, yesterday)
