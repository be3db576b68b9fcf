"""Nothing the clerk reads is left in English: walk every screen and dialog and look for Latin letters.

Checked: window titles, labels, buttons, tool tips, status tips, placeholder texts, tab texts, group box
titles, menu and action texts, list items, combo items, header labels, spin box special texts and the
wizard's buttons. Values that are data, not interface (a file path in the status bar), carry the
widget property ``data_text`` and are skipped.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
    QWizard,
)

from ostandari_desk.ui.areas import AREAS
from ostandari_desk.ui.tasks import wait_for_tasks

LATIN = re.compile(r"[A-Za-z]")
# Key names as printed on the keyboard (Ctrl+N, Ctrl+Shift+F, F5) are allowed: clerks press those keys.
SHORTCUT = re.compile(
    r"\b(?:(?:Ctrl|Shift|Alt|Meta)\+)+(?:F\d{1,2}|[A-Za-z0-9]|Enter|Return|Del|Delete|Tab|Space)\b|\bF\d{1,2}\b"
)
# The wizard resizes itself on page changes; the offscreen platform cannot pass that on.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _texts(widget: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every user-visible string of ``widget`` itself."""
    name = f"{type(widget).__name__}#{widget.objectName()}"
    found = [(f"{name} title", widget.windowTitle()) if widget.isWindow() else ("", "")]
    found += [(f"{name} tooltip", widget.toolTip()), (f"{name} status tip", widget.statusTip())]
    if isinstance(widget, QLabel):
        found.append((f"{name} text", widget.text()))
    if isinstance(widget, QAbstractButton):
        found.append((f"{name} text", widget.text()))
    if isinstance(widget, QLineEdit):
        found.append((f"{name} placeholder", widget.placeholderText()))
    if isinstance(widget, QAbstractSpinBox):
        found.append((f"{name} special", widget.specialValueText()))
    if isinstance(widget, QGroupBox):
        found.append((f"{name} title", widget.title()))
    if isinstance(widget, QTabWidget):
        for i in range(widget.count()):
            found += [(f"{name} tab", widget.tabText(i)), (f"{name} tab tip", widget.tabToolTip(i))]
    if isinstance(widget, QComboBox):
        found += [(f"{name} item", widget.itemText(i)) for i in range(widget.count())]
    if isinstance(widget, QListWidget):
        for i in range(widget.count()):
            item = widget.item(i)
            found += [(f"{name} item", item.text()), (f"{name} item tip", item.toolTip())]
    if isinstance(widget, QHeaderView) and widget.model() is not None and not widget.isHidden():
        model = widget.model()
        for section in range(widget.count()):
            if widget.isSectionHidden(section):
                continue
            value = model.headerData(section, widget.orientation(), Qt.ItemDataRole.DisplayRole)
            if widget.orientation() == Qt.Orientation.Horizontal:  # row numbers are digits anyway
                found.append((f"{name} header", str(value or "")))
    if isinstance(widget, QMenu):
        found.append((f"{name} menu", widget.title()))
    for action in widget.actions():
        found += [(f"{name} action", action.text()), (f"{name} action tip", action.toolTip())]
        if action.menu() is not None:
            found += _texts(action.menu())
    return found


def latin_texts(root: QWidget) -> list[str]:
    """Every user-visible string under ``root`` (itself included) that contains a Latin letter."""
    bad = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.property("data_text") == "yes":
            continue
        for where, text in _texts(widget):
            if text and LATIN.search(SHORTCUT.sub("", text)):
                bad.append(f"{where}: {text!r}")
    return bad


def test_main_window_and_every_page(main_window):
    for a in AREAS:
        main_window.open_area(a.key)
        wait_for_tasks()
    assert latin_texts(main_window) == []


def test_sign_in_user_and_password_dialogs(ctx, qtbot):
    from ostandari_desk.ui import login
    from ostandari_desk.ui.users_page import UserDialog

    ctx.set_setting("demo_database", True)  # the demo hint names its user: data, marked as such
    for dialog in (
        login.LoginDialog(ctx.engine),
        login.FirstAdminDialog(ctx.engine),
        login.PasswordDialog(ctx),
        UserDialog(ctx),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        assert latin_texts(dialog) == [], type(dialog).__name__


def test_record_dialogs_with_their_history_tab(ctx, qtbot):
    import datetime as dt

    from ostandari_desk.services import events as event_service
    from ostandari_desk.ui.events.dialog import EventDialog

    data = event_service.EventInput(kind="session", title="نشست", starts_on=dt.date(2024, 5, 1))
    dialog = EventDialog(ctx, event_service.create_event(ctx.uow(), data))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.history_tab)
    assert latin_texts(dialog) == []


def test_wizard(engine, prepared_app, qtbot):
    from ostandari_desk.ui.wizard import SetupWizard

    wizard = SetupWizard(engine)
    qtbot.addWidget(wizard)
    wizard.show()
    assert latin_texts(wizard) == []
    wizard.next()
    assert latin_texts(wizard) == []
    for button in (
        QWizard.WizardButton.BackButton,
        QWizard.WizardButton.FinishButton,
        QWizard.WizardButton.CancelButton,
    ):
        assert not LATIN.search(wizard.buttonText(button))


def test_message_boxes(prepared_app, qtbot):
    from ostandari_desk.errors import UserError
    from ostandari_desk.ui.errors import crash_dialog

    crash = crash_dialog(None, "Traceback: RuntimeError")  # the details are the traceback itself
    qtbot.addWidget(crash)
    crash.show()
    visible = [b.text() for b in crash.buttons()]
    assert not [t for t in visible if LATIN.search(t)], visible
    assert not LATIN.search(crash.windowTitle() + crash.text() + crash.informativeText())
    box = QMessageBox(
        QMessageBox.Icon.Warning, "خطا", UserError("نشد").message, QMessageBox.StandardButton.Ok
    )
    qtbot.addWidget(box)
    box.show()
    assert [b.text() for b in box.buttons() if LATIN.search(b.text())] == []


def test_progress_dialog(prepared_app, qtbot):
    from ostandari_desk.ui.tasks import run_task

    handle = run_task(None, lambda: 1, on_done=lambda r: None, cancellable=True)
    dialog = handle.dialog
    assert dialog is not None
    assert latin_texts(dialog) == []
    wait_for_tasks()


def test_checker_finds_latin(prepared_app, qtbot):
    label = QLabel("Save")
    qtbot.addWidget(label)
    assert latin_texts(label) == ["QLabel# text: 'Save'"]
    label.setText("ذخیره (Ctrl+S)")
    assert latin_texts(label) == []
