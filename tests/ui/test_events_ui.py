"""Events page and dialog: create an event through the dialog, it shows in the list and on the calendar."""

from __future__ import annotations

import itertools
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest

from ostandari_desk.domain import text
from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.services import events as event_service
from ostandari_desk.services import reference

_prefix = itertools.count(1_053_000_000)
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
SHOTS = os.environ.get("G_SCREENSHOTS")  # set to save /tmp/g_*.png


def insert_ngo(ctx, name: str) -> tuple[str, str]:
    """An NGO through the NGO service (its search index is what the pickers query)."""
    from ostandari_desk.services.ngos import NgoInput, create_ngo

    national_id = make_legal_national_id(str(next(_prefix)))
    ngo_id = create_ngo(
        ctx.uow(), NgoInput(national_id=national_id, name=name, county_id=None, level="province"), []
    )
    return ngo_id, national_id


def type_text(widget, value: str) -> None:
    """Type (Persian) text one character at a time (keyClicks aborts on non-ASCII)."""
    for ch in value:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def press_ctrl_s(dialog) -> None:
    """Trigger the dialog's Ctrl+S shortcut (offscreen windows never become active, so keys can't reach it)."""
    from PySide6.QtGui import QKeySequence, QShortcut

    [shortcut] = [s for s in dialog.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+S")]
    shortcut.activated.emit()


def shot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(f"/tmp/g_{name}.png")


@pytest.fixture
def page(ctx, qtbot):
    from ostandari_desk.ui.events import EventsPage

    widget = EventsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 650)
    widget.show()
    return widget


def test_create_event_through_dialog(page, ctx, qtbot, qtmodeltester):
    ngo_id, nid = insert_ngo(ctx, "انجمن حمایت از کودکان")
    other_id, _ = insert_ngo(ctx, "کانون جوانان قزوین")
    dialog = page.make_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("course"))
    type_text(dialog.title_edit, "دوره آموزشی مهارت‌های زندگی")
    dialog.starts_on_edit.set_value(J(1401, 6, 9))
    dialog.ends_on_edit.set_value(J(1401, 6, 11))
    dialog.county_combo.setCurrentIndex(dialog.county_combo.findText("البرز"))
    dialog.organizer_picker.edit.setText("حمايت كودكان")  # Arabic letters: found anyway
    matches = dialog.organizer_picker.run_search()
    assert matches and dialog.organizer_picker.choose(matches[0])
    assert dialog.organizer_picker.value() == ngo_id
    dialog.participant_picker.edit.setText(text.to_persian_digits(nid))
    [label] = dialog.participant_picker.run_search()
    dialog.participant_picker.choose(label)
    QTest.mouseClick(dialog.add_ngo_button, Qt.MouseButton.LeftButton)
    dialog.add_ngo(other_id, "کانون جوانان قزوین")
    assert dialog.add_ngo(other_id, "دوباره") is False
    dialog.attendees_spin.setValue(40)
    dialog.hours_spin.setValue(12)
    shot(dialog, "event_dialog")
    press_ctrl_s(dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = dialog.saved_id
    page.after_save(saved)
    assert page.model.rowCount() == 1 and page.selected_id() == saved
    row = page.model.row_at(0)
    assert row.title == "دوره آموزشی مهارت‌های زندگی" and row.ngo_count == 2 and row.hours == 12
    shown = page.model.index(0, 0).data()
    assert "۱۴۰۱/۰۶/۰۹" in shown  # Jalali, Persian digits
    qtmodeltester.check(page.model)
    shot(page, "events_list")

    # the calendar marks the days of the event
    page.tabs.setCurrentIndex(1)
    page.calendar.select_day(J(1401, 6, 10))
    assert J(1401, 6, 9) in page.calendar.event_days() and J(1401, 6, 11) in page.calendar.event_days()
    from ostandari_desk.ui.widgets.dates import to_qdate

    fmt = page.calendar.calendar.dateTextFormat(to_qdate(J(1401, 6, 9)))
    assert fmt.fontWeight() == QFont.Weight.Bold
    assert page.calendar.calendar.dateTextFormat(to_qdate(J(1401, 6, 20))).fontWeight() != QFont.Weight.Bold
    assert page.calendar.listed_titles() == ["دوره آموزشی مهارت‌های زندگی"]
    assert "شهریور" in page.calendar.title_label.text()
    shot(page, "events_calendar")


def test_validation_error_keeps_dialog_open(page, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(
        "ostandari_desk.ui.errors.show_user_error",
        lambda parent, exc, title="": shown.append(exc.message),
    )
    dialog = page.make_dialog()
    qtbot.addWidget(dialog)
    assert dialog.save() is False
    assert shown and "عنوان" in shown[0]
    # the cursor is put in the title (the dialog is not on screen, so it holds the focus for when it is)
    assert dialog.focusWidget() is dialog.title_edit


def test_filters_edit_and_delete(page, ctx, qtbot):
    with ctx.uow() as uow:
        alborz = reference.county_id_by_name(uow, "البرز")
    first = event_service.create_event(
        ctx.uow(), event_service.EventInput("session", "نشست شورا", J(1401, 2, 1))
    )
    event_service.create_event(
        ctx.uow(), event_service.EventInput("conference", "همایش سمن‌ها", J(1402, 2, 1), county_id=alborz)
    )
    page.reload()
    assert page.model.rowCount() == 2
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("session"))
    assert page.model.rowCount() == 1
    page.kind_combo.setCurrentIndex(0)
    page.year_combo.setCurrentIndex(page.year_combo.findData(1402))
    assert page.model.rowCount() == 1 and page.model.row_at(0).title == "همایش سمن‌ها"
    page.year_combo.setCurrentIndex(0)
    type_text(page.search_edit, "شورا")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.select_event(first)
    dialog = page.make_dialog(first)
    qtbot.addWidget(dialog)
    dialog.title_edit.setText("نشست شورای سمن‌ها")
    assert dialog.save()
    page.after_save(first)
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.select_event(first)
    page.confirm = lambda *_: True
    page.delete_selected()
    assert page.model.rowCount() == 1


def test_page_sorts_and_pages(page, ctx, qtbot):
    page.model.PAGE = 5
    for day in range(1, 13):
        event_service.create_event(
            ctx.uow(), event_service.EventInput("session", f"نشست {day}", J(1401, 1, day))
        )
    page.reload()
    assert page.model.rowCount() == 5 and page.model.total == 12
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == 12
    page.model.sort(0, Qt.SortOrder.AscendingOrder)
    assert page.model.row_at(0).title == "نشست 1"


def test_a_county_users_event_dialog_offers_their_county_alone(ctx, qtbot):
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.ui.context import AppContext
    from ostandari_desk.ui.events.dialog import EventDialog

    with ctx.uow() as uow:
        abyek = reference.county_id_by_name(uow, "آبیک")
    county_ctx = AppContext(
        engine=ctx.engine, actor=Actor("abyek", "کارشناس آبیک", Role.COUNTY, county_id=abyek)
    )
    dialog = EventDialog(county_ctx)
    qtbot.addWidget(dialog)
    combo = dialog.county_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [abyek]
    dialog.title_edit.setText("نشست شهرستان")
    dialog.starts_on_edit.set_value(J(1402, 2, 1))
    assert dialog.save()
    assert event_service.get_event(county_ctx.uow(), dialog.saved_id).county_id == abyek
