"""The centres register: add a centre through the dialog (an error is marked on its field), filter and sort
the list, select with the mouse, open the centre's file by double-click; the empty state and Ctrl+F."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ostandari_desk.services import reference
from ostandari_desk.services.inspections import centres as centre_service

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
SHOTS = os.environ.get("G_SCREENSHOTS")


def type_text(widget, value: str) -> None:
    for ch in value:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def shot(widget, name: str) -> None:
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        widget.grab().save(f"/tmp/g_{name}.png")


def add_centre(
    ctx, code: str, name: str, category: str = "کشتارگاه", agency: str = "اداره کل دامپزشکی"
) -> str:
    with ctx.uow() as uow:
        county = reference.counties_in_scope(uow)[0].id
        category_id = reference.item_id_by_name(uow, "centre_category", category)
    return centre_service.create_centre(
        ctx.uow(), centre_service.CentreInput(code, name, category_id, county, licensing_agency=agency)
    )


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        "ostandari_desk.ui.errors.show_user_error", lambda parent, exc, title="": shown.append(exc.message)
    )
    return shown


@pytest.fixture
def page(ctx, qtbot):
    from ostandari_desk.ui.inspections.centres_page import CentresPage

    widget = CentresPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 680)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click_row(qtbot, table, row: int, double: bool = False) -> None:
    rect = table.visualRect(table.model().index(row, 1))
    if double:
        QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    else:
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_empty_register_says_what_to_do_and_ctrl_f_focuses_search(page, qtbot):
    assert page.stack.currentWidget() is page.empty_label
    assert "افزودن" in page.empty_label.text()
    shot(page, "centres_empty")
    assert not page.edit_button.isEnabled() and not page.file_button.isEnabled()
    page.table.setFocus()
    QTest.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search_edit.hasFocus()


def test_add_centre_filter_sort_and_open_file(page, ctx, qtbot, errors, qtmodeltester):
    page.new_button.click()
    dialog = page.last_dialog
    qtbot.addWidget(dialog)
    QTest.keyClicks(dialog.code_edit, "KZ-7")
    type_text(dialog.name_edit, "کشتارگاه صنعتی البرز")
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findText("کشتارگاه"))
    dialog.county_combo.setCurrentIndex(1)
    type_text(dialog.agency_combo.lineEdit(), "اداره کل دامپزشکی")
    QTest.keyClicks(dialog.phone_edit, "12")
    shot(dialog, "centre_dialog")
    assert dialog.save() is False
    assert "تلفن" in errors[-1]
    assert dialog.phone_edit in dialog.errors.marked()  # the error sits on its field
    assert dialog.errors.label.isVisibleTo(dialog)
    dialog.phone_edit.setText("۰۲۸۳۳۳۳۴۴۴۴")
    assert dialog.save() is True
    assert dialog.errors.marked() == []

    add_centre(ctx, "A-1", "باشگاه ورزشی آزادی", "اماکن ورزشی", "اداره کل ورزش و جوانان")
    add_centre(ctx, "B-2", "پارک آبی", "اماکن ورزشی", "اداره کل ورزش و جوانان")
    page.reload()
    qtmodeltester.check(page.model)
    assert page.stack.currentWidget() is page.table
    assert page.model.total == 3
    assert page.agency_combo.findText("اداره کل دامپزشکی") > 0  # the agencies filter learnt the new one

    # filter by category, then by agency, in SQL
    page.category_combo.setCurrentIndex(page.category_combo.findText("اماکن ورزشی"))
    assert page.model.total == 2
    page.category_combo.setCurrentIndex(0)
    page.agency_combo.setCurrentIndex(page.agency_combo.findText("اداره کل دامپزشکی"))
    assert [page.model.row_at(r).code for r in range(page.model.loaded())] == ["KZ-7"]
    page.agency_combo.setCurrentIndex(0)
    # search
    type_text(page.search_edit, "پارک")
    page._apply_widgets()
    assert page.model.total == 1
    page.search_edit.clear()
    page._apply_widgets()

    # header click sorts by code (ascending, then descending)
    header = page.table.horizontalHeader()
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center())
    x = header.sectionViewportPosition(0) + header.sectionSize(0) // 2
    from PySide6.QtCore import QPoint

    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    codes = [page.model.row_at(r).code for r in range(3)]
    assert codes in (["A-1", "B-2", "KZ-7"], ["KZ-7", "B-2", "A-1"])
    assert page.model.columnCount() and page.model.sort_column == 0
    shot(page, "centres_list")

    # a mouse click selects a row and enables the buttons
    assert not page.file_button.isEnabled()
    row = [page.model.row_at(r).code for r in range(3)].index("KZ-7")
    click_row(qtbot, page.table, row)
    assert page.selected_row().code == "KZ-7"
    assert page.file_button.isEnabled() and page.visit_button.isEnabled() and page.edit_button.isEnabled()
    assert page.active_button.text() == "غیرفعال‌سازی"

    # double-click opens the centre's file
    click_row(qtbot, page.table, row, double=True)
    from ostandari_desk.ui.inspections.centre_file import CentreFileDialog

    file_dialog = page.last_dialog
    assert isinstance(file_dialog, CentreFileDialog)
    qtbot.addWidget(file_dialog)
    assert file_dialog.title_label.text().endswith("KZ-7".replace("7", "۷"))
    assert file_dialog.detail_labels["agency"].text().endswith("اداره کل دامپزشکی")
    assert file_dialog.visits_table.rowCount() == 0
    assert "ثبت بازدید تازه" in file_dialog.empty_label.text()
    shot(file_dialog, "centre_file_empty")
    file_dialog.reject()


def test_deactivate_and_edit(page, ctx, qtbot, errors):
    centre_id = add_centre(
        ctx, "C-3", "مرکز نگهداری سالمندان مهر", "مرکز نگهداری سالمندان", "اداره کل بهزیستی"
    )
    page.reload()
    page.select_centre(centre_id)
    page.confirm = lambda *_: True
    page.active_button.click()
    assert centre_service.get_centre(ctx.uow(), centre_id).active is False
    assert page.active_button.text() == "فعال‌سازی"
    page.active_combo.setCurrentIndex(page.active_combo.findData("active"))
    assert page.model.total == 0
    assert "پالایه" in page.empty_label.text()
    page.active_combo.setCurrentIndex(0)
    page.select_centre(centre_id)
    page.edit_button.click()
    dialog = page.last_dialog
    qtbot.addWidget(dialog)
    assert dialog.tabs.count() == 2  # «مشخصات» and «سابقه تغییرات»
    assert dialog.active_check.isChecked() is False
    dialog.name_edit.clear()
    assert dialog.save() is False
    assert dialog.name_edit in dialog.errors.marked()
    dialog.confirm = lambda *_: False
    dialog.reject()  # changes: asks, and «خیر» keeps the dialog
    assert dialog.result() == 0 and not dialog.isHidden()
