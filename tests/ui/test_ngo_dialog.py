"""The NGO dialog: create with a board through the widgets, field errors, warnings, edit and concurrency."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from ._f2_helpers import make_ngo, national_code, next_national_id

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def type_text(widget, text: str) -> None:
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


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
def dialog(qtbot, ctx):
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog

    def _make(ngo_id=None):
        d = NgoDialog(ctx, ngo_id)
        qtbot.addWidget(d)
        return d

    return _make


def count(ctx) -> int:
    from ostandari_desk.services.ngos import NgoFilter, count_ngos

    return count_ngos(ctx.uow(), NgoFilter())


def fill_valid(qtbot, d, national_id: str, name: str = "انجمن حمایت از کودکان کار") -> None:
    d.nameEdit.setFocus()
    type_text(d.nameEdit, name)
    qtbot.keyClicks(d.nationalIdEdit, national_id)
    qtbot.keyClicks(d.registrationNoEdit, "4521")
    d.levelCombo.setCurrentIndex(d.levelCombo.findData("county"))
    d.countyCombo.setCurrentIndex(d.countyCombo.findText("تاکستان"))
    type_text(d.phoneEdit, "۰۲۸۳۳۳۴۴۵۵۶")


def test_create_with_two_board_members(qtbot, dialog, ctx, errors):
    from ostandari_desk.services.ngos import get_ngo

    d = dialog()
    national_id = next_national_id()
    fill_valid(qtbot, d, national_id)
    d.set_field_checked("کودکان و نوجوانان")
    d.set_field_checked("آسیب‌های اجتماعی")
    for n, (name, role, expertise) in enumerate(
        (("مریم احمدی", "ceo", "مددکاری اجتماعی"), ("علی رضایی", "treasurer", "حسابداری")), start=1
    ):
        qtbot.mouseClick(d.board.add_button, Qt.MouseButton.LeftButton)
        row = d.board.table.rowCount() - 1
        d.board.set_cell(row, 0, name)
        d.board.set_cell(row, 1, national_code(100 + n))
        d.board.set_cell(row, 2, role)
        d.board.set_cell(row, 3, expertise)
    assert d.board.table.rowCount() == 2
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)

    assert errors == []
    assert d.result() == QDialog.DialogCode.Accepted
    ngo = get_ngo(ctx.uow(), d.saved_id)
    assert ngo.name == "انجمن حمایت از کودکان کار"
    assert ngo.national_id == national_id
    assert ngo.registration_no == "4521"
    assert ngo.county_name == "تاکستان"
    assert ngo.phone == "02833344556"
    assert set(ngo.field_names) == {"کودکان و نوجوانان", "آسیب‌های اجتماعی"}
    assert {(m.full_name, m.role, m.expertise) for m in ngo.board} == {
        ("مریم احمدی", "ceo", "مددکاری اجتماعی"),
        ("علی رضایی", "treasurer", "حسابداری"),
    }
    assert ngo.ceo_name == "مریم احمدی"  # the CEO board member fills the CEO


def test_bad_national_id_names_the_field_and_stores_nothing(qtbot, dialog, ctx, errors):
    d = dialog()
    d.show()
    fill_valid(qtbot, d, "12345678901")
    d.save()
    assert len(errors) == 1
    _title, message, field = errors[0]
    assert "شناسه ملی" in message
    assert field == "national_id"
    assert d.focusWidget() is d.nationalIdEdit
    assert d.result() != QDialog.DialogCode.Accepted
    assert count(ctx) == 0


def test_missing_name_focuses_name(qtbot, dialog, ctx, errors):
    d = dialog()
    qtbot.keyClicks(d.nationalIdEdit, next_national_id())
    d.save()
    assert errors and "نام" in errors[0][1]
    assert d.focusWidget() is d.nameEdit
    assert count(ctx) == 0


def test_bad_board_code_is_refused(qtbot, dialog, ctx, errors):
    d = dialog()
    fill_valid(qtbot, d, next_national_id())
    d.board.add_member("مریم احمدی", "1234567890", "member")
    d.save()
    assert errors and "کد ملی" in errors[0][1]
    assert count(ctx) == 0


def test_similar_name_warns_and_asks(qtbot, dialog, ctx, errors):
    make_ngo(ctx, "انجمن حمایت از کودکان کار", county="تاکستان")
    asked: list[str] = []

    d = dialog()
    fill_valid(qtbot, d, next_national_id())
    d.confirm = lambda _parent, _title, text: asked.append(text) or False
    assert d.save() is False
    assert asked and "ادامه می‌دهید؟" in asked[0]
    assert count(ctx) == 1

    d.confirm = lambda *_args: True
    assert d.save() is True
    assert count(ctx) == 2


def test_edit_loads_values_and_saves_with_version(qtbot, dialog, ctx, errors):
    from ostandari_desk.services.ngos import get_ngo

    ngo_id = make_ngo(ctx, "کانون پرستو", county="آبیک", registration_no="77")
    d = dialog(ngo_id)
    assert d.nameEdit.text() == "کانون پرستو"
    assert d.countyCombo.currentText() == "آبیک"
    assert d.registrationNoEdit.text() == "۷۷"
    assert all(ch in "۰۱۲۳۴۵۶۷۸۹" for ch in d.nationalIdEdit.text())
    d.nameEdit.clear()
    type_text(d.nameEdit, "کانون پرستوی سپید")
    assert d.save()
    assert get_ngo(ctx.uow(), ngo_id).name == "کانون پرستوی سپید"


def test_concurrent_edit_is_reported(qtbot, dialog, ctx, errors):
    from ostandari_desk.services.ngos import set_ngo_active

    ngo_id = make_ngo(ctx, "کانون پرستو")
    d = dialog(ngo_id)
    set_ngo_active(ctx.uow(), ngo_id, False)  # someone else saves in between
    d.phoneEdit.setText("02812345678")
    assert d.save() is False
    assert errors and errors[0][0] == "ویرایش هم‌زمان"


def test_tab_order_runs_through_the_fields(dialog):
    from ostandari_desk.ui.widgets.dates import JalaliDateEdit

    d = dialog()
    order: list = []
    widget = d.nameEdit
    for _ in range(60):
        owner = widget.parent() if isinstance(widget.parent(), JalaliDateEdit) else widget
        tabbable = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget not in (
            d.registeredOnHolder,
            d.foundedOnHolder,
        )
        if tabbable and (not order or order[-1] is not owner):
            order.append(owner)
        widget = widget.nextInFocusChain()
    assert order[:12] == [
        d.nameEdit,
        d.nationalIdEdit,
        d.registrationNoEdit,
        d.registeredOnEdit,
        d.foundedOnEdit,
        d.levelCombo,
        d.countyCombo,
        d.ceoNameEdit,
        d.ceoCodeEdit,
        d.phoneEdit,
        d.addressEdit,
        d.fieldsList,
    ]


def test_ctrl_s_saves_and_escape_cancels(qtbot, dialog, ctx, errors):
    from PySide6.QtGui import QKeySequence, QShortcut

    d = dialog()
    fill_valid(qtbot, d, next_national_id())
    shortcut = next(s for s in d.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+S"))
    shortcut.activated.emit()
    assert d.result() == QDialog.DialogCode.Accepted and count(ctx) == 1

    d2 = dialog()
    d2.show()
    qtbot.keyClick(d2, Qt.Key.Key_Escape)
    assert d2.result() == QDialog.DialogCode.Rejected
    assert count(ctx) == 1
