"""Qt's Jalali QCalendar and jdatetime must agree on every day the date editors allow (1279–1435).

The UI edits dates with Qt's calendar and the domain converts them with jdatetime; this test is why
``MAX_EDITABLE`` is 1435/12/29.
"""

from datetime import date, timedelta

import jdatetime
import pytest

QtCore = pytest.importorskip("PySide6.QtCore")
QCalendar, QDate = QtCore.QCalendar, QtCore.QDate

from ostandari_desk.domain.jalali import MAX_EDITABLE, MIN_EDITABLE, from_jalali


@pytest.fixture(scope="module")
def cal():
    return QCalendar(QCalendar.System.Jalali)


def test_every_day_1279_to_1435_agrees(cal):
    start = QDate(1279, 1, 1, cal)
    assert start.toPython() == MIN_EDITABLE
    end = QDate(1435, 12, 29, cal)
    assert end.toPython() == MAX_EDITABLE

    total = start.daysTo(end) + 1
    assert total > 57_000
    qdate = start
    gregorian = MIN_EDITABLE
    one_day = timedelta(days=1)
    mismatches = []
    for _ in range(total):
        parts = cal.partsFromDate(qdate)
        j = jdatetime.date.fromgregorian(date=gregorian)
        if (parts.year, parts.month, parts.day) != (j.year, j.month, j.day):
            mismatches.append((gregorian, (parts.year, parts.month, parts.day), (j.year, j.month, j.day)))
        qdate = qdate.addDays(1)
        gregorian += one_day
    assert qdate.toPython() == MAX_EDITABLE + one_day
    assert mismatches == []


def test_month_starts_agree(cal):
    # a cheaper cross-check through the other direction: Jalali parts -> Gregorian
    for jy in range(1279, 1436):
        for jm in range(1, 13):
            assert QDate(jy, jm, 1, cal).toPython() == from_jalali(jy, jm, 1)
        assert cal.isLeapYear(jy) == jdatetime.date(jy, 1, 1).isleap()


def test_they_disagree_from_1436(cal):
    # jdatetime (33-year rule) makes 1436 leap; Qt (2820-year cycle) makes 1437 leap instead.
    assert jdatetime.date(1436, 1, 1).isleap()
    assert not cal.isLeapYear(1436)
    esfand_30_1436 = from_jalali(1436, 12, 30)
    assert esfand_30_1436 == date(2058, 3, 20)
    parts = cal.partsFromDate(QDate(esfand_30_1436))
    assert (parts.year, parts.month, parts.day) == (1437, 1, 1)
    # and the day before, the last one the editors could ever reach, still agrees
    parts = cal.partsFromDate(QDate(esfand_30_1436 - timedelta(days=1)))
    assert (parts.year, parts.month, parts.day) == (1436, 12, 29)
