"""Issue 12, edit dialogs and settings: Esc, «انصراف» and the close button ask before typed changes are
lost (the shared EditDialog), nothing is asked when nothing changed, and the settings' number boxes are
short boxes, not bars across the form."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget

from ostandari_desk.domain.jalali import from_jalali as J

from ._f2_helpers import make_ngo

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

QUESTION = "تغییرات ذخیره نشده‌اند؛ کنار گذاشته شوند؟"


def type_text(widget, value: str) -> None:
    """Type Persian text one character at a time (keyClicks aborts on non-ASCII)."""
    widget.setFocus()
    for ch in value:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(20)  # anything the dialog fills in after it is shown
    return dialog


def recording(dialog, answer: bool) -> list[tuple[str, str]]:
    asked: list[tuple[str, str]] = []
    dialog.confirm = lambda _parent, title, question: asked.append((title, question)) or answer
    return asked


def dialogs(ctx):
    """One of each record dialog on the shared base, new and editing, by name."""
    from ostandari_desk.services import events as event_service
    from ostandari_desk.services import letters as letter_service
    from ostandari_desk.ui.events.dialog import EventDialog
    from ostandari_desk.ui.letters.dialog import LetterDialog
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog
    from ostandari_desk.ui.users_page import UserDialog

    ngo_id = make_ngo(ctx, "انجمن پرستو", registration_no="12")
    event_id = event_service.create_event(
        ctx.uow(), event_service.EventInput("session", "نشست شورا", J(1402, 2, 1), organizer_ngo_id=ngo_id)
    )
    letter_id = letter_service.create_letter(
        ctx.uow(),
        letter_service.LetterInput("outgoing", "55", J(1402, 2, 2), "اداره", "موضوع", "other", ngo_id=ngo_id),
    )
    return {
        "new ngo": lambda: NgoDialog(ctx, None),
        "ngo": lambda: NgoDialog(ctx, ngo_id),
        "new event": lambda: EventDialog(ctx, None),
        "event": lambda: EventDialog(ctx, event_id),
        "new letter": lambda: LetterDialog(ctx, None),
        "letter": lambda: LetterDialog(ctx, letter_id),
        "new user": lambda: UserDialog(ctx, None),
    }


def test_a_dialog_just_opened_has_no_changes(ctx, qtbot):
    for name, make in dialogs(ctx).items():
        dialog = shown(qtbot, make())
        assert not dialog.has_changes(), name
        QTest.keyClick(dialog, Qt.Key.Key_Escape)  # nothing to lose: closes without asking
        assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible(), name


@pytest.mark.parametrize("how", ["escape", "cancel", "close"])
def test_typed_changes_are_asked_about_before_they_are_dropped(ctx, qtbot, how):
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog

    ngo_id = make_ngo(ctx, "انجمن پرستو")
    dialog = shown(qtbot, NgoDialog(ctx, ngo_id))
    type_text(dialog.ceoNameEdit, "مریم")
    assert dialog.has_changes()

    def leave() -> None:
        if how == "escape":
            QTest.keyClick(dialog, Qt.Key.Key_Escape)
        elif how == "cancel":
            dialog.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).click()
        else:
            # the window's close button: a close event from the window system, to the dialog's window
            QGuiApplication.sendEvent(dialog.windowHandle(), QCloseEvent())

    asked = recording(dialog, answer=False)  # «ادامه ویرایش»
    leave()
    assert asked == [("تغییرات ذخیره نشده", QUESTION)]
    assert dialog.isVisible() and dialog.ceoNameEdit.text().endswith("مریم")
    asked = recording(dialog, answer=True)  # «کنار گذاشتن تغییرات»
    leave()
    assert len(asked) == 1 and not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_the_program_closing_a_dialog_asks_nothing(ctx, qtbot):
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog

    dialog = shown(qtbot, NgoDialog(ctx, None))
    type_text(dialog.nameEdit, "انجمن")
    asked = recording(dialog, answer=False)
    dialog.close()  # e.g. its window going away: not the clerk leaving it
    assert asked == [] and not dialog.isVisible()


def test_every_kind_of_input_counts_as_a_change(ctx, qtbot):
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog

    dialog = shown(qtbot, NgoDialog(ctx, None))
    changes = (
        lambda: dialog.levelCombo.setCurrentIndex(1),  # a choice
        lambda: dialog.registeredOnEdit.set_value(J(1400, 1, 1)),  # a date
        lambda: dialog.set_field_checked(dialog.fieldsList.item(0).text()),  # a tick in a list
        lambda: dialog.addressEdit.setPlainText("خیابان"),  # a text box
    )
    for change in changes:
        dialog.mark_clean()
        assert not dialog.has_changes()
        change()
        assert dialog.has_changes()


def test_saving_is_not_a_change_to_ask_about(ctx, qtbot):
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog

    ngo_id = make_ngo(ctx, "انجمن پرستو")
    dialog = shown(qtbot, NgoDialog(ctx, ngo_id))
    dialog.confirm = lambda *_: True  # warnings, if any, are accepted
    type_text(dialog.ceoNameEdit, " نو")
    assert dialog.save() and dialog.result() == QDialog.DialogCode.Accepted


def test_a_dialog_that_asks_itself_is_not_asked_twice(ctx, qtbot):
    from ostandari_desk.ui.inspections.template_editor import TemplateDraftDialog
    from ostandari_desk.ui.widgets.edit_dialog import EditDialog

    assert TemplateDraftDialog.DISCARD_QUESTION is None  # its reject() asks about the draft itself
    assert EditDialog.DISCARD_QUESTION == ("تغییرات ذخیره نشده", QUESTION)


def test_settings_spin_boxes_are_short(main_window, qtbot):
    from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox

    main_window.resize(1280, 720)
    page = main_window.open_area("reference")
    tabs = page.findChild(QTabWidget, "tabs")
    tabs.setCurrentIndex(tabs.count() - 1)  # «تنظیمات»
    spins = [s for s in page.findChildren(PersianIntSpinBox) if s.isVisible()]
    assert len(spins) >= 9
    for spin in spins:
        assert spin.width() <= max(spin.sizeHint().width(), 160), spin.objectName()
        assert spin.width() < 300
