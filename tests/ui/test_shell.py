"""The main window: right to left, Vazirmatn, every area opens (placeholders for unbuilt ones), shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QLabel

from ostandari_desk.ui.areas import AREAS
from ostandari_desk.ui.main_window import PLACEHOLDER_TEXT, PlaceholderPage
from ostandari_desk.ui.tasks import wait_for_tasks

BUILT_HERE = {"start", "reference", "users", "audit"}
BUILT_BY_OTHERS = {"ngos", "licences", "events", "letters", "reports", "centres", "memoranda", "facilitation"}


def test_window_is_rtl_persian_with_vazirmatn(main_window):
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert main_window.isRightToLeft()
    assert QFontInfo(main_window.font()).family() == "Vazirmatn"
    assert main_window.windowTitle().startswith("میز استانداری — ")
    assert "اداره کل امور اجتماعی و فرهنگی" in main_window.windowTitle()
    # navigation sits on the right of the pages
    assert main_window.navigation.geometry().x() > main_window.pages.geometry().x()
    assert main_window.current_area() == "start"


def test_every_area_opens(main_window, qtbot):
    titles = [main_window.navigation.item(i).text() for i in range(main_window.navigation.count())]
    assert titles == [a.title for a in AREAS]
    for row, a in enumerate(AREAS):
        main_window.navigation.setCurrentRow(row)
        wait_for_tasks()
        page = main_window.pages.currentWidget()
        assert page is main_window.page(a.key)
        if isinstance(page, PlaceholderPage):
            texts = [label.text() for label in page.findChildren(QLabel)]
            assert PLACEHOLDER_TEXT in texts
            assert a.title in texts
            assert any(a.description in t for t in texts)
        else:
            assert a.key in BUILT_HERE | BUILT_BY_OTHERS


def test_pages_are_built_lazily(main_window):
    assert main_window.page("memoranda") is None
    assert main_window.page("events") is None
    main_window.open_area("memoranda")
    assert main_window.page("memoranda") is not None and main_window.page("facilitation") is None
    assert main_window.page("events") is None


@pytest.mark.parametrize("index", range(1, 10))
def test_ctrl_number_opens_area(main_window, qtbot, index):
    qtbot.keyClick(main_window, Qt.Key(Qt.Key.Key_0 + index), Qt.KeyboardModifier.ControlModifier)
    wait_for_tasks()
    assert main_window.current_area() == AREAS[index - 1].key


def test_ctrl_zero_opens_reference(main_window, qtbot):
    qtbot.keyClick(main_window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_area() == "reference"


def test_start_tiles_count_and_navigate(main_window, qtbot):
    start = main_window.page("start")
    qtbot.waitUntil(lambda: start.counts is not None)
    assert start.counts.ngos_active == 0
    assert start.tiles["ngos_active"].number_label.text().endswith("۰")
    with qtbot.waitSignal(start.open_area) as blocker:
        qtbot.mouseClick(start.tiles["ngos_active"], Qt.MouseButton.LeftButton)
    assert blocker.args == ["ngos", {"status": "active"}]
    wait_for_tasks()
    assert main_window.current_area() == "ngos"


def test_status_bar_shows_the_signed_in_user_and_database(main_window, db_path):
    texts = [label.text() for label in main_window.statusBar().findChildren(QLabel)]
    assert "کارشناس آزمون — مدیر سامانه" in texts  # name — role
    assert main_window.actor_label.text() == "کارشناس آزمون — مدیر سامانه"
    assert any(str(db_path) in t for t in texts)


def test_status_bar_names_a_county_users_county(ctx, qtbot, db_path):
    from ostandari_desk.app import create_main_window
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.services import reference

    abyek = reference.county_id_by_name(ctx.uow(), "آبیک")
    actor = Actor("sara", "سارا نوری", Role.COUNTY, county_id=abyek, county_name="آبیک")
    window = create_main_window(ctx.engine, actor, db_path)
    qtbot.addWidget(window)
    assert window.actor_label.text() == "سارا نوری — کارشناس شهرستان (آبیک)"
    wait_for_tasks()


def test_geometry_and_area_are_remembered(ctx, qtbot, db_path):
    from ostandari_desk.app import create_main_window

    first = create_main_window(ctx.engine, ctx.actor, db_path)
    qtbot.addWidget(first)
    first.resize(1000, 700)
    first.show()
    first.open_area("reference")
    first.close()
    from ostandari_desk.ui.main_window import ui_settings

    assert not ui_settings().value("main/geometry").isEmpty()  # restored by restoreGeometry (the
    # offscreen screen is smaller than the window, so the size itself is clamped there)
    second = create_main_window(ctx.engine, ctx.actor, db_path)
    qtbot.addWidget(second)
    assert second.current_area() == "reference"
    second.close()
    wait_for_tasks()


def test_reference_page_edits_lists(main_window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    page = main_window.open_area("reference")
    kinds = [page.kind_combo.itemData(i) for i in range(page.kind_combo.count())]
    page.kind_combo.setCurrentIndex(kinds.index("social_harm"))
    before = page.item_list.count()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("بی‌خانمانی", True))
    page.add_item()
    assert page.item_list.count() == before + 1
    assert page.item_list.currentItem().text() == "بی‌خانمانی"
    page.move_item(-1)
    assert page.item_list.item(before - 1).text() == "بی‌خانمانی"
    page.toggle_item()
    assert page.item_list.currentItem().text().endswith("(غیرفعال)")
    # counties
    count = page.county_list.count()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("محمدیه", True))
    page.add_county()
    assert page.county_list.count() == count + 1


def test_reference_page_saves_settings(main_window, ctx, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    page = main_window.open_area("reference")
    page.office_edit.setText("اداره کل امور اجتماعی استانداری قزوین")
    page.setting_spins["expiring_window_days"].setValue(90)
    page.save_settings()
    assert ctx.setting("expiring_window_days") == 90
    assert ctx.office_name == "اداره کل امور اجتماعی استانداری قزوین"
    assert main_window.windowTitle() == "میز استانداری — اداره کل امور اجتماعی استانداری قزوین"


def test_duplicate_county_is_refused_in_persian(main_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from ostandari_desk.ui import reference_page

    shown = []
    monkeypatch.setattr(reference_page, "show_user_error", lambda parent, exc: shown.append(exc.message))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("آبيك", True))  # Arabic ي/ك
    page = main_window.open_area("reference")
    page.add_county()
    assert shown and "پیش‌تر ثبت شده است" in shown[0]


def test_reference_page_moves_counties(main_window, ctx, qtbot):
    from PySide6.QtWidgets import QPushButton

    from ostandari_desk.services import reference

    page = main_window.open_area("reference")
    names = [page.county_list.item(i).text() for i in range(page.county_list.count())]
    page.county_list.setCurrentRow(2)
    qtbot.mouseClick(page.findChild(QPushButton, "upCountyButton"), Qt.MouseButton.LeftButton)
    moved = [names[0], names[2], names[1], *names[3:]]
    assert [page.county_list.item(i).text() for i in range(page.county_list.count())] == moved
    assert page.county_list.currentItem().text() == names[2]  # the moved county stays selected
    assert [c.name for c in reference.list_counties(ctx.uow(), include_inactive=True)] == moved
    qtbot.mouseClick(page.findChild(QPushButton, "downCountyButton"), Qt.MouseButton.LeftButton)
    assert [page.county_list.item(i).text() for i in range(page.county_list.count())] == names


@pytest.mark.parametrize("role", ["manager", "clerk"])
def test_reference_page_is_read_only_without_the_permissions(ctx, qtbot, role):
    from PySide6.QtWidgets import QPushButton

    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.ui.context import AppContext
    from ostandari_desk.ui.reference_page import NO_REFERENCE_TIP, NO_SETTINGS_TIP, ReferencePage

    reader = AppContext(engine=ctx.engine, actor=Actor("reader", "خواننده", Role(role)))
    page = ReferencePage(reader)
    qtbot.addWidget(page)
    page.county_list.setCurrentRow(0)
    page.item_list.setCurrentRow(0)
    buttons = [b for b in page.findChildren(QPushButton) if b is not page.save_settings_button]
    assert buttons and not [b.objectName() for b in buttons if b.isEnabled()]
    assert {b.toolTip() for b in buttons} == {NO_REFERENCE_TIP}
    assert "اجازه" in NO_REFERENCE_TIP
    for widget in (page.office_edit, *page.setting_spins.values(), page.save_settings_button):
        assert not widget.isEnabled() and widget.toolTip() == NO_SETTINGS_TIP
    assert page.county_list.count() > 0  # still readable
    admin = ReferencePage(ctx)
    qtbot.addWidget(admin)
    admin.county_list.setCurrentRow(0)
    admin.item_list.setCurrentRow(0)
    assert all(b.isEnabled() for b in admin.findChildren(QPushButton))
