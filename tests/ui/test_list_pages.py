"""The pages built on ui/widgets/list_page.py: the visits list filtered to the critical visits of a month (the
start page's tile), the inspections area re-read after an import, and the shared behaviour on the letters and
events pages (a mouse click enables the buttons, Ctrl+F, Delete asks first, the empty state)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtTest import QTest

from ostandari_desk.domain import jalali
from ostandari_desk.services import letters as letter_service
from ostandari_desk.services import reference
from ostandari_desk.ui.tasks import wait_for_tasks
from tests.services.inspection_seed import add_visit, categories, make_centre

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
SHOTS = os.environ.get("G_SCREENSHOTS")
YEAR = 1403


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1280, 680)
    widget.show()
    return widget


def press(widget, keys: str) -> None:
    """Fire the shortcut bound to ``keys`` on ``widget`` (offscreen windows are not made active reliably)."""
    [shortcut] = [
        s for s in widget.findChildren(QShortcut) if s.parent() is widget and s.key() == QKeySequence(keys)
    ]
    shortcut.activated.emit()


def click_row(table, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 1))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def visits(ctx):
    """Four visits in مرداد 1403 (good, serious, good with a critical finding, needs fixing with a minor one)
    and a serious one in تیر."""
    uow = ctx.uow()
    county = reference.counties_in_scope(uow)[0].id
    centre = make_centre(uow, county, categories(uow)["کشتارگاه"], name="کشتارگاه صنعتی البرز")
    on = jalali.from_jalali(YEAR, 5, 10)
    ids = {
        "good": add_visit(ctx.uow(), centre, on),
        "serious": add_visit(ctx.uow(), centre, on, result="serious"),
        "critical": add_visit(ctx.uow(), centre, on, findings=(("خروجی اضطراری قفل بود", "critical"),)),
        "minor": add_visit(ctx.uow(), centre, on, result="needs_fix", findings=(("تابلو کهنه", "minor"),)),
    }
    add_visit(ctx.uow(), centre, jalali.from_jalali(YEAR, 4, 10), result="serious")
    return ids


def test_the_critical_tile_filters_visits_to_the_months_critical_ones(ctx, qtbot, visits):
    from ostandari_desk.ui.inspections.area import InspectionsArea

    area = shown(qtbot, InspectionsArea(ctx))
    area.apply_filter({"tab": "visits", "year": YEAR, "month": 5, "critical": True})  # the start page's tile
    page = area.page("visits")
    assert area.current_key() == "visits"
    assert page.month_combo.isEnabled() and page.month_combo.currentData() == 5
    assert page.result_combo.currentData() == "critical"
    assert {page.model.id_at(r) for r in range(page.model.loaded())} == {
        visits["serious"],
        visits["critical"],
    }
    assert page.count_label.text().startswith("۲")
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        area.grab().save("/tmp/g_visits_critical.png")

    page.result_combo.setCurrentIndex(0)  # «همه»: the month's four
    assert page.model.total == 4
    page.apply_filter({})  # everything back to «همه»
    assert page.model.total == 5 and not page.month_combo.isEnabled()
    wait_for_tasks()


def test_the_area_refresh_rereads_its_open_pages(ctx, qtbot, visits):
    from ostandari_desk.ui.inspections.area import InspectionsArea
    from ostandari_desk.ui.transfer.menu import refresh_page

    area = shown(qtbot, InspectionsArea(ctx))
    centres = area.show_tab("centres")
    listed = area.show_tab("visits")
    assert (centres.model.total, listed.model.total) == (1, 5)
    uow = ctx.uow()
    county = reference.counties_in_scope(uow)[0].id
    other = make_centre(uow, county, categories(uow)["کشتارگاه"], name="کشتارگاه دام سبک", code="K-2")
    add_visit(ctx.uow(), other, date.today())  # what an import adds
    assert refresh_page(area)  # what the File menu does after an import of centres or inspections
    assert (centres.model.total, listed.model.total) == (2, 6)
    wait_for_tasks()


def test_letters_a_click_enables_the_buttons_and_delete_asks(ctx, qtbot):
    from ostandari_desk.ui.letters import LettersPage

    page = shown(qtbot, LettersPage(ctx))
    assert page.stack.currentWidget() is page.empty_label and "نامه جدید" in page.empty_label.text()
    letter_service.create_letter(
        ctx.uow(),
        letter_service.LetterInput(
            direction="incoming",
            number="۱۲/۳۴",
            dated_on=date(2022, 8, 31),
            party="دادگستری",
            subject="استعلام",
            kind="other",
        ),
    )
    page.reload()
    assert page.stack.currentWidget() is page.table and page.count_label.text() == "۱ نامه"
    assert not page.edit_button.isEnabled() and not page.delete_button.isEnabled()
    click_row(page.table, 0)
    assert page.edit_button.isEnabled() and page.delete_button.isEnabled()
    asked: list[str] = []
    page.confirm = lambda _p, title, text: asked.append(text) or False
    press(page.table, "Delete")
    assert asked and "۱۲/۳۴" in asked[0] and page.model.total == 1  # «خیر» keeps it
    press(page, "Ctrl+F")
    assert page.focusWidget() is page.search_edit
    page.year_combo.setCurrentIndex(page.year_combo.findData(1390))  # not there: stays «همه»
    type_text = "ناموجود"
    page.search_edit.setText(type_text)
    page._apply_widgets()
    assert page.stack.currentWidget() is page.empty_label and "پالایه" in page.empty_label.text()


def test_events_ctrl_f_leaves_the_calendar_for_the_list(ctx, qtbot):
    from ostandari_desk.ui.events import EventsPage

    page = shown(qtbot, EventsPage(ctx))
    page.tabs.setCurrentIndex(1)
    press(page, "Ctrl+F")
    assert page.tabs.currentIndex() == 0 and page.focusWidget() is page.search_edit
    assert page.count_label.text() == "۰ رویداد" and not page.edit_button.isEnabled()
