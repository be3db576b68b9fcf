"""Board members' terms in the NGO dialog: Jalali date cells, the proposed end, saving and reloading."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView

from ostandari_desk.domain.jalali import parse_jalali as j

from ._f2_helpers import counties, national_code, next_national_id

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

MEMBER = "مریم احمدی"


@pytest.fixture
def errors(monkeypatch):
    """Message boxes are recorded instead of shown: a list of (title, message, field)."""
    from ostandari_desk.ui import errors as ui_errors

    shown: list[tuple[str, str, str | None]] = []
    monkeypatch.setattr(
        ui_errors,
        "show_user_error",
        lambda _parent, exc, title="خطا": shown.append((title, exc.message, exc.field)),
    )
    return shown


@pytest.fixture
def ngo_id(ctx):
    """An NGO with two board members and no terms yet."""
    from ostandari_desk.services.ngos import BoardMemberInput, NgoInput, create_ngo

    data = NgoInput(
        next_national_id(), "کانون پرستو", counties(ctx)["آبیک"], "county", ceo_name="مدیر آزمایشی"
    )
    board = [
        BoardMemberInput("علی رضایی", national_code(201), "chair"),
        BoardMemberInput(MEMBER, national_code(202), "treasurer", "حسابداری"),
    ]
    return create_ngo(ctx.uow(), data, board)


@pytest.fixture
def dialog(qtbot, ctx):
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog

    def _make(ngo_id=None):
        d = NgoDialog(ctx, ngo_id)
        qtbot.addWidget(d)
        d.show()
        qtbot.waitExposed(d)
        return d

    return _make


def edit_date(qtbot, d, row: int, column: int, value) -> None:
    """Open the cell's editor as a double click would, set the date, press Enter."""
    from ostandari_desk.ui.widgets.dates import JalaliDateEdit

    table = d.board.table
    table.setCurrentCell(row, column)
    table.editItem(table.item(row, column))
    editor = table.viewport().findChild(JalaliDateEdit)
    assert editor is not None and editor.allow_empty
    editor.set_value(value)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    # the delegate commits and closes the editor on Enter (queued)
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
    qtbot.waitUntil(lambda: table.viewport().findChild(JalaliDateEdit) is None)  # deleteLater


def row_of(d, name: str) -> int:
    from ostandari_desk.ui.ngos.board_editor import NAME

    return next(r for r in range(d.board.table.rowCount()) if d.board.table.item(r, NAME).text() == name)


def test_term_dates_are_edited_saved_and_reloaded(qtbot, dialog, ctx, ngo_id, errors):
    from ostandari_desk.services.ngos import get_ngo
    from ostandari_desk.ui.ngos.board_editor import HEADERS, TERM_END, TERM_START

    d = dialog(ngo_id)
    assert HEADERS[TERM_START] == "آغاز دوره" and HEADERS[TERM_END] == "پایان دوره"
    row = row_of(d, MEMBER)
    assert d.board.table.item(row, TERM_START).text() == ""
    edit_date(qtbot, d, row, TERM_START, j("1402/01/15"))
    assert d.board.table.item(row, TERM_START).text() == "۱۴۰۲/۰۱/۱۵"
    # a board term is two Jalali years: the end is proposed
    assert d.board.table.item(row, TERM_END).text() == "۱۴۰۴/۰۱/۱۵"
    edit_date(qtbot, d, row, TERM_END, j("1404/01/14"))
    assert d.save(), errors
    assert errors == []

    board = {m.full_name: m for m in get_ngo(ctx.uow(), ngo_id).board}
    assert (board[MEMBER].term_start, board[MEMBER].term_end) == (j("1402/01/15"), j("1404/01/14"))
    assert (board["علی رضایی"].term_start, board["علی رضایی"].term_end) == (None, None)
    assert board[MEMBER].expertise == "حسابداری"

    again = dialog(ngo_id)
    row = row_of(again, MEMBER)
    assert again.board.table.item(row, TERM_START).text() == "۱۴۰۲/۰۱/۱۵"
    assert again.board.table.item(row, TERM_END).text() == "۱۴۰۴/۰۱/۱۴"
    # the editor opens on the stored date; clearing the end and saving stores no end
    edit_date(qtbot, again, row, TERM_END, None)
    assert again.board.table.item(row, TERM_END).text() == ""
    assert again.save() and errors == []
    board = {m.full_name: m for m in get_ngo(ctx.uow(), ngo_id).board}
    assert (board[MEMBER].term_start, board[MEMBER].term_end) == (j("1402/01/15"), None)


def test_an_entered_end_is_not_replaced(qtbot, dialog, ngo_id):
    from ostandari_desk.ui.ngos.board_editor import TERM_END, TERM_START

    d = dialog(ngo_id)
    row = row_of(d, MEMBER)
    edit_date(qtbot, d, row, TERM_END, j("1403/06/31"))
    edit_date(qtbot, d, row, TERM_START, j("1402/07/01"))
    assert d.board.term(row, TERM_END) == j("1403/06/31")


def test_the_proposed_term_follows_the_setting(qtbot, dialog, ctx, ngo_id):
    from ostandari_desk.ui.ngos.board_editor import TERM_END, TERM_START

    ctx.set_setting("board_term_years", 3)
    d = dialog(ngo_id)
    row = row_of(d, MEMBER)
    edit_date(qtbot, d, row, TERM_START, j("1403/12/30"))  # a leap Esfand 30
    assert d.board.term(row, TERM_END) == j("1406/12/29")


def test_end_before_start_is_refused_naming_the_member(qtbot, dialog, ctx, ngo_id, errors):
    from ostandari_desk.services.ngos import get_ngo
    from ostandari_desk.ui.ngos.board_editor import TERM_END, TERM_START

    d = dialog(ngo_id)
    row = row_of(d, MEMBER)
    edit_date(qtbot, d, row, TERM_END, j("1402/01/01"))
    edit_date(qtbot, d, row, TERM_START, j("1403/01/01"))
    assert d.save() is False
    assert len(errors) == 1
    _title, message, _field = errors[0]
    assert MEMBER in message and "پایان دوره" in message
    assert (d.board.table.currentRow(), d.board.table.currentColumn()) == (row, TERM_END)
    assert d.result() != d.DialogCode.Accepted
    board = {m.full_name: m for m in get_ngo(ctx.uow(), ngo_id).board}
    assert (board[MEMBER].term_start, board[MEMBER].term_end) == (None, None)


def test_a_new_member_gets_terms(qtbot, dialog, ctx, ngo_id, errors):
    from ostandari_desk.services.ngos import get_ngo
    from ostandari_desk.ui.ngos.board_editor import TERM_START

    d = dialog(ngo_id)
    qtbot.mouseClick(d.board.add_button, Qt.MouseButton.LeftButton)
    row = d.board.table.rowCount() - 1
    d.board.table.closePersistentEditor(d.board.table.item(row, 0))  # the add button opened the name
    d.board.set_cell(row, 0, "زهرا کریمی")
    d.board.set_cell(row, 1, national_code(203))
    edit_date(qtbot, d, row, TERM_START, j("1403/02/10"))
    assert d.save() and errors == []
    board = {m.full_name: m for m in get_ngo(ctx.uow(), ngo_id).board}
    assert (board["زهرا کریمی"].term_start, board["زهرا کریمی"].term_end) == (
        j("1403/02/10"),
        j("1405/02/10"),
    )
