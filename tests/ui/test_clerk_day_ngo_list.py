"""Issue 12, the NGO list as a new clerk meets it: a mouse click enables the row's buttons, the «منقضی» and
«پاک کردن فیلترها» filters, the empty desk's guide, columns that fit 1280×720 and are remembered, Ctrl+End
that keeps the name column in sight, and the paged list's default filter."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ._f2_helpers import make_ngo

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def issue(ctx, ngo_id: str, on: dt.date, years: int, number: str) -> None:
    """A licence from the imported history (no case: the list only needs the licence's dates)."""
    from ostandari_desk.services.licences import apply_licence_step

    uow = ctx.uow()
    with uow.writing():
        apply_licence_step(
            uow, ngo_id, "issue", on, licence_number=number, validity_years=years, imported=True
        )
        uow.commit()


@pytest.fixture
def page(qtbot, ctx):
    from ostandari_desk.ui.ngos import NgoListPage

    def make(width: int = 1200):
        widget = NgoListPage(ctx)
        qtbot.addWidget(widget)
        widget.resize(width, 500)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return make


def click_row(table, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def row_buttons(p) -> list[bool]:
    return [b.isEnabled() for b in (p.view_button, p.edit_button, p.active_button, p.licence_button)]


def test_a_mouse_click_on_a_row_enables_its_buttons(page, ctx, qtbot):
    for name in ("انجمن پرستو", "کانون چکاوک", "خیریه امید"):
        make_ngo(ctx, name)
    p = page()
    p.table.setFocus()  # the view makes row 0 current without selecting it: a click there moves no row
    qtbot.waitUntil(lambda: p.table.currentIndex().isValid())
    assert p.table.currentIndex().row() == 0 and p.selected_id() is None
    assert row_buttons(p) == [False] * 4
    click_row(p.table, 0)
    assert p.selected_id() == p.model.id_at(0)
    assert row_buttons(p) == [True] * 4
    click_row(p.table, 2)
    assert p.selected_id() == p.model.id_at(2) and row_buttons(p) == [True] * 4
    p.table.clearSelection()
    assert row_buttons(p) == [False] * 4


def test_expired_filter_and_clear_filters(page, ctx):
    from ostandari_desk.services import ngos as ngo_service

    today = dt.date.today()
    expired = make_ngo(ctx, "انجمن منقضی")
    issue(ctx, expired, today - dt.timedelta(days=800), 2, "11")
    valid = make_ngo(ctx, "انجمن معتبر")
    issue(ctx, valid, today - dt.timedelta(days=30), 4, "12")
    make_ngo(ctx, "انجمن بی‌پروانه")
    p = page()
    combo = p.licence_combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels.index("منقضی") == labels.index("دارای پروانه معتبر") + 1
    assert not p.clear_filters_button.isEnabled()  # nothing to clear

    combo.setCurrentIndex(combo.findData(ngo_service.LICENCE_EXPIRED))
    assert [p.model.row_at(r).id for r in range(p.model.rowCount())] == [expired]
    assert p.count_label.text() == "۱ سمن"
    # the service's own filter, as the export and the register take it
    flt = ngo_service.NgoFilter(licence_state=ngo_service.LICENCE_EXPIRED)
    assert ngo_service.count_ngos(ctx.uow(), flt) == 1
    combo.setCurrentIndex(combo.findData("valid"))  # «دارای پروانه معتبر» still lists both, as stored
    assert p.model.rowCount() == 2

    p.search_edit.setText("انجمن")
    p.level_combo.setCurrentIndex(1)
    assert p.clear_filters_button.isEnabled()
    p.clear_filters_button.click()
    assert p.search_edit.text() == "" and p.current_filter() == ngo_service.NgoFilter()
    assert all(c.currentIndex() == 0 for c in (p.county_combo, p.level_combo, combo, p.status_combo))
    assert p.model.rowCount() == 3 and not p.clear_filters_button.isEnabled()


def test_an_empty_desk_guides_the_clerk(page, ctx, qtbot):
    from ostandari_desk.ui.ngos.list_page import EMPTY_DESK_TEXT, NOTHING_FOUND_TEXT
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog

    p = page()
    overlay = p.empty_state
    assert overlay.isVisible() and overlay.label.text() == EMPTY_DESK_TEXT
    assert [b.text() for b in overlay.buttons.values()] == ["ثبت نخستین سمن", "ورود از اکسل…"]
    assert overlay.geometry() == p.table.viewport().rect()  # over the list, not squeezed into a corner
    overlay.buttons["firstNgoButton"].click()
    assert isinstance(p.last_dialog, NgoDialog) and p.last_dialog.ngo_id is None
    p.last_dialog.reject()
    overlay.buttons["importNgosButton"].click()
    assert type(p.last_dialog).__name__ == "ImportDialog" and p.last_dialog.kind() == "ngos"
    p.last_dialog.close()

    make_ngo(ctx, "انجمن پرستو")
    p.model.refresh()
    assert not overlay.isVisible()
    p.search_edit.setText("ناموجود")
    p._apply_widgets()
    assert overlay.isVisible() and overlay.label.text() == NOTHING_FOUND_TEXT
    overlay.buttons["emptyClearFiltersButton"].click()
    assert p.model.rowCount() == 1 and not overlay.isVisible()


def test_columns_fit_1280_by_720_and_headers_are_whole(main_window, ctx, qtbot):
    make_ngo(ctx, "انجمن پرستو")
    main_window.resize(1280, 720)
    p = main_window.open_area("ngos")
    qtbot.waitUntil(lambda: p.table.viewport().width() > 600)
    table, header = p.table, p.table.horizontalHeader()
    columns = p.model.columnCount()
    total = sum(table.columnWidth(c) for c in range(columns))
    assert total <= table.viewport().width() + 1  # no sideways scrolling
    assert not table.horizontalScrollBar().isVisible()
    for column in range(columns):  # no header cut mid-word («وضعیت پروانه» whole and in sight)
        assert table.columnWidth(column) >= header.sectionSizeHint(column)
        left = table.columnViewportPosition(column)
        assert 0 <= left and left + table.columnWidth(column) <= table.viewport().width() + 1
    assert p.model.headerData(7, Qt.Orientation.Horizontal) == "وضعیت پروانه"


def test_column_widths_are_remembered_per_table(page, ctx, qtbot):
    from ostandari_desk.ui.widgets.table_columns import saved_widths

    make_ngo(ctx, "انجمن پرستو")
    p = page()
    assert not p.columns.customized
    p.table.horizontalHeader().resizeSection(5, 222)  # the clerk drags «مدیرعامل» wider
    assert p.columns.customized
    qtbot.waitUntil(lambda: saved_widths("ngoTable") is not None)  # stored once the drag rests
    widths = [p.table.columnWidth(c) for c in range(8)]
    again = page()
    assert again.columns.customized and [again.table.columnWidth(c) for c in range(8)][:7] == widths[:7]
    again.resize(900, 500)  # the clerk's widths are kept as they are, not refitted
    assert again.table.columnWidth(5) == 222
    again.columns.reset()
    assert not again.columns.customized and not page().columns.customized


def test_ctrl_end_keeps_the_name_column_on_screen(page, ctx, qtbot):
    from ostandari_desk.ui.widgets.paged_list import select_row

    from ._f2_helpers import bulk_ngos

    bulk_ngos(ctx, 60)
    p = page()
    table = p.table
    table.horizontalHeader().resizeSection(5, 900)  # a column dragged wide: the list scrolls sideways
    bar = table.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    select_row(table, 0)  # the first NGO, its name in sight
    start = bar.value()
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert table.currentIndex().row() > 0 and table.currentIndex().column() == 0
    assert bar.value() == start  # no sideways jump to the last column
    left = table.columnViewportPosition(0)
    assert left < table.viewport().width() and left + table.columnWidth(0) > 0  # the names are in sight
    QTest.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert table.currentIndex().row() == 0 and table.currentIndex().column() == 0


def test_a_paged_page_without_its_own_filter_keeps_the_models(ctx, qtbot):
    """``PagedListPage.current_filter()`` reads the model's filter (a property), so a page that does not
    override it searches and refreshes instead of raising TypeError."""
    from ostandari_desk.services import ngos as ngo_service
    from ostandari_desk.ui.ngos.list_model import NgoTableModel
    from ostandari_desk.ui.widgets.paged_list import PagedListPage

    make_ngo(ctx, "انجمن پرستو")
    make_ngo(ctx, "کانون چکاوک")

    class Bare(PagedListPage):
        def __init__(self):
            super().__init__()
            self.model = NgoTableModel(ctx.uow, self)
            self._make_search("bareSearch", "")
            self._make_table("bareTable", (200, 100), Qt.SortOrder.AscendingOrder)
            self._connect_filters(())

    bare = Bare()
    qtbot.addWidget(bare)
    wanted = ngo_service.NgoFilter(text="چکاوک")
    bare.model.set_filter(wanted)
    assert bare.current_filter() == wanted
    bare._apply_widgets()  # what the search timer runs
    assert bare.model.current_filter == wanted and bare.model.rowCount() == 1
    assert bare.model.row_at(0).name == "کانون چکاوک"
