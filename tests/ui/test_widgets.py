"""JalaliDateEdit and the number editors: Persian digits, Jalali order, range, typing any digits."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDateEdit

from ostandari_desk.domain import jalali
from ostandari_desk.ui.widgets.dates import JalaliCalendarWidget, JalaliDateEdit, jalali_calendar
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox, RialEdit, parse_amount


def _type(widget, text: str) -> None:
    """Type any (also non-ASCII) text: qtbot.keyClicks aborts the process on non-ASCII."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


@pytest.fixture
def date_edit(prepared_app, qtbot):
    edit = JalaliDateEdit()
    qtbot.addWidget(edit)
    edit.show()
    return edit


def test_shows_jalali_with_persian_digits_year_first(date_edit):
    date_edit.set_value(dt.date(2024, 4, 3))
    assert date_edit.text() == "۱۴۰۳/۰۱/۱۵"
    assert date_edit.value() == dt.date(2024, 4, 3)


@pytest.mark.parametrize(
    "day", [dt.date(1900, 3, 21), dt.date(2022, 8, 31), dt.date(2025, 3, 20), dt.date(2056, 3, 19)]
)
def test_round_trips_and_agrees_with_jdatetime(date_edit, day):
    date_edit.set_value(day)
    assert date_edit.value() == day
    assert date_edit.text() == jalali.format_jalali(day)


def test_range_is_1279_to_1435(date_edit):
    assert date_edit.minimumDate() == QDate(1279, 1, 1, jalali_calendar())
    assert date_edit.maximumDate() == QDate(1435, 12, 29, jalali_calendar())
    with pytest.raises(ValueError):
        date_edit.set_value(jalali.MAX_EDITABLE + dt.timedelta(days=1))


def test_rejects_esfand_30_of_a_common_year(date_edit):
    assert not QDate(1401, 12, 30, jalali_calendar()).isValid()
    date_edit.set_value(jalali.from_jalali(1401, 12, 1))
    date_edit.setSelectedSection(QDateEdit.Section.DaySection)
    _type(date_edit, "30")
    assert jalali.to_jalali(date_edit.value())[:2] == (1401, 12)
    assert jalali.to_jalali(date_edit.value())[2] <= 29
    # a leap year holds Esfand 30
    date_edit.set_value(jalali.from_jalali(1403, 12, 30))
    assert date_edit.text() == "۱۴۰۳/۱۲/۳۰"


def test_typing_latin_and_arabic_indic_digits(date_edit):
    date_edit.set_value(dt.date(2024, 4, 3))
    date_edit.setFocus()
    date_edit.setSelectedSection(QDateEdit.Section.YearSection)
    _type(date_edit, "1401")
    assert date_edit.text() == "۱۴۰۱/۰۱/۱۵"
    date_edit.setSelectedSection(QDateEdit.Section.YearSection)
    _type(date_edit, "١٤٠٢")
    assert date_edit.text() == "۱۴۰۲/۰۱/۱۵"
    assert date_edit.value() == jalali.from_jalali(1402, 1, 15)


def test_empty_state(prepared_app, qtbot):
    edit = JalaliDateEdit(allow_empty=True)
    qtbot.addWidget(edit)
    assert edit.value() is None
    assert edit.text() == "—"
    seen = []
    edit.value_changed.connect(seen.append)
    edit.set_value(dt.date(2024, 4, 3))
    edit.set_value(None)
    assert seen == [dt.date(2024, 4, 3), None]
    assert edit.text() == "—"
    with pytest.raises(ValueError):
        JalaliDateEdit().set_value(None)


def test_calendar_weekend_is_friday(date_edit):
    calendar = date_edit.calendarWidget()
    assert isinstance(calendar, JalaliCalendarWidget)
    assert calendar.calendar().name() == jalali_calendar().name()
    assert calendar.firstDayOfWeek() == Qt.DayOfWeek.Saturday
    friday = calendar.weekdayTextFormat(Qt.DayOfWeek.Friday).foreground().color()
    saturday = calendar.weekdayTextFormat(Qt.DayOfWeek.Saturday).foreground().color()
    sunday = calendar.weekdayTextFormat(Qt.DayOfWeek.Sunday).foreground().color()
    assert friday.red() > 150 and friday.green() < 100
    assert saturday != friday and sunday != friday
    assert saturday == sunday


def test_rial_edit_accepts_any_digits_and_separators(prepared_app, qtbot):
    edit = RialEdit()
    qtbot.addWidget(edit)
    edit.set_value(10_800_000_000)
    assert edit.text() == "۱۰٬۸۰۰٬۰۰۰٬۰۰۰"
    assert edit.value() == 10_800_000_000
    for typed in ("2,300,000,000", "۲٬۳۰۰٬۰۰۰٬۰۰۰", "٢٣٠٠٠٠٠٠٠٠", "2.300.000.000", "2 300 000 000"):
        edit.setText(typed)
        assert edit.value() == 2_300_000_000, typed
    assert parse_amount("") is None
    with pytest.raises(ValueError):
        parse_amount("دو میلیون")


def test_persian_spin_box(prepared_app, qtbot):
    spin = PersianIntSpinBox(maximum=100)
    qtbot.addWidget(spin)
    spin.setValue(60)
    assert spin.text() == "۶۰"
    assert spin.valueFromText("٤٥") == 45
    assert spin.valueFromText("45") == 45
