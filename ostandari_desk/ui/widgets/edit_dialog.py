"""The base of the record dialogs (event, letter, NGO): Persian save/cancel buttons, save with error plumbing.

A subclass stores its record in a function handed to ``_save_guarded``; a ``UserError`` from it is
shown in a message box and the cursor goes to the widget of the error's field (``field_widgets()``).
Dialogs with an error label mark errors on their fields too (``_field_errors``, ``show_errors``,
``_save_marked``).

Esc, «انصراف» and the window's close button all come to ``reject()``, which asks «تغییرات ذخیره
نشده‌اند؛ کنار گذاشته شوند؟» (``DISCARD_QUESTION``) before dropping typed changes (a close the program
makes itself, ``close()`` from code, is not asked about). What counts as a change:
the dialog's own ``has_changes()`` if it defines one, else any difference in its input widgets (text,
choices, ticks, dates, numbers, list and table items; not password fields) from what they held when the
dialog was first shown (``mark_clean()`` takes that picture again, e.g. after loading more).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTextEdit,
    QWidget,
)

from ostandari_desk.errors import ConcurrentEditError, UserError, ValidationError
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.widgets.field_errors import FieldErrors

DISCARD_TITLE = "تغییرات ذخیره نشده"
DISCARD_TEXT = "تغییرات ذخیره نشده‌اند؛ کنار گذاشته شوند؟"


def ask_discard(parent: QWidget | None, title: str, text: str) -> bool:
    """«کنار گذاشتن تغییرات» or «ادامه ویرایش» (the default: Enter keeps what was typed)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    discard = box.addButton("کنار گذاشتن تغییرات", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("ادامه ویرایش", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


def widget_state(root: QWidget) -> tuple:
    """What the input widgets under ``root`` hold, in a comparable form (password fields left out)."""
    state: list[object] = []
    for widget in root.findChildren(QWidget):
        parent = widget.parentWidget()
        if isinstance(parent, (QAbstractSpinBox, QComboBox)):
            continue  # the editor inside a spin box or combo: the outer widget is read
        if isinstance(widget, QLineEdit):
            if widget.echoMode() == QLineEdit.EchoMode.Normal:
                state.append(widget.text())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            state.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            state.append((widget.currentIndex(), widget.currentText()))
        elif isinstance(widget, QAbstractSpinBox):
            state.append(widget.text())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            state.append(widget.isChecked())
        elif isinstance(widget, QListWidget):
            items = (widget.item(i) for i in range(widget.count()))
            state.append(tuple((item.text(), item.checkState().value) for item in items))
        elif isinstance(widget, QTableWidget):
            cells = (widget.item(r, c) for r in range(widget.rowCount()) for c in range(widget.columnCount()))
            state.append(tuple((item.text(), item.checkState().value) if item else None for item in cells))
    return tuple(state)


class EditDialog(QDialog):
    """Create or edit one record; ``saved_id`` holds its id after ``accept()``."""

    SELECT_TEXT_ON_ERROR = True  # select a line edit's text when the cursor goes there for an error
    # (title, question) asked by reject() when has_changes(); None: never asked (or asked by the dialog)
    DISCARD_QUESTION: tuple[str, str] | None = (DISCARD_TITLE, DISCARD_TEXT)
    UNIQUE_ERROR_MESSAGES = True  # the error label lists each message once
    _clean_state: tuple | None = None  # the input widgets as first shown (widget_state)
    _quiet_close = False  # closing because the program closes the window: nothing is asked

    errors: FieldErrors  # set by _field_errors()

    def _label_buttons(self, box: QDialogButtonBox) -> QPushButton:
        """Persian «ذخیره» and «انصراف»; returns the save button."""
        save = box.button(QDialogButtonBox.StandardButton.Save)
        save.setText("ذخیره")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("انصراف")
        return save

    def _save_guarded(self, store: Callable[[], bool | None]) -> bool:
        """Run ``store``; False when it raised a ``UserError`` (shown) or returned False itself."""
        try:
            if store() is False:
                return False
        except ConcurrentEditError as exc:
            ui_errors.show_user_error(self, exc, "ویرایش هم‌زمان")
            return False
        except ValidationError as exc:
            ui_errors.show_user_error(self, exc, "اطلاعات نادرست")
            self.focus_field(exc.field)
            return False
        except UserError as exc:  # DuplicateError, NotFoundError...
            ui_errors.show_user_error(self, exc)
            self.focus_field(exc.field)
            return False
        return True

    def field_widgets(self) -> dict[str, QWidget]:
        """The widget of each service field name."""
        return {}

    def focus_field(self, field: str | None) -> bool:
        """Put the cursor in the widget of a service field name; False when there is none."""
        widget = self.field_widgets().get(field or "")
        if widget is None:
            return False
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.SELECT_TEXT_ON_ERROR and isinstance(widget, QLineEdit):
            widget.selectAll()
        return True

    def _field_errors(self, label: QLabel) -> FieldErrors:
        """Errors marked on the widget of their field (``field_widgets()``), listed in ``label``."""
        return FieldErrors(label, lambda error: self.field_widgets().get(error.field or ""))

    def _mark_errors(self, found: list[UserError]) -> None:
        self.errors.show_all(found, unique=self.UNIQUE_ERROR_MESSAGES)

    def show_errors(self, found: list[UserError]) -> None:
        """Mark every error on its field; the dialog's error line lists them all; the cursor goes to the first."""
        self._mark_errors(found)
        self.focus_field(found[0].field)

    def _passes(self, check: Callable, data) -> bool:
        """``check(uow, data)`` finds no error; otherwise they are shown and this is False."""
        with self.context.uow() as uow:
            found = check(uow, data)
        if found:
            self.show_errors(found)
            return False
        return True

    def _save_marked(self, store: Callable[[], bool | None]) -> bool:
        """``_save_guarded``, with a ``UserError`` of ``store`` also marked on its field."""

        def marked() -> bool | None:
            try:
                return store()
            except UserError as exc:
                self.errors.show(exc)
                raise

        return self._save_guarded(marked)

    # --- unsaved changes ------------------------------------------------------------------------

    def mark_clean(self) -> None:
        """What the input widgets hold now is what ``has_changes()`` compares with."""
        self._clean_state = widget_state(self)

    def has_changes(self) -> bool:
        """Anything typed or chosen since the dialog was first shown (or ``mark_clean()``)."""
        return self._clean_state is not None and widget_state(self) != self._clean_state

    def confirm_discard(self, title: str, question: str) -> bool:
        """Ask before dropping changes: the dialog's ``confirm`` (tests replace it), else ``ask_discard``."""
        confirm = getattr(self, "confirm", None) or ask_discard
        return bool(confirm(self, title, question))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._clean_state is None:
            self.mark_clean()  # the record is loaded by now: this is the starting point

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's close button asks like «انصراف» (QDialog turns it into ``reject()``); a close from
        the program itself (its window closing, a test's clean-up) does not."""
        self._quiet_close = not event.spontaneous()
        try:
            super().closeEvent(event)
        finally:
            self._quiet_close = False

    def reject(self) -> None:
        """Esc, «انصراف» and the close button: ask first when something typed would be lost."""
        if self.DISCARD_QUESTION is not None and not self._quiet_close and self.has_changes():
            title, question = self.DISCARD_QUESTION
            if not self.confirm_discard(title, question):
                return
        super().reject()

    def _add_checked(self, check: Callable, add: Callable, data) -> bool:
        """A new record: ``check(uow, data)`` finds no error, then ``saved_id = add(uow, data)``; errors are
        shown and marked on their fields."""
        self.errors.clear()
        if not self._passes(check, data):
            return False

        def store() -> None:
            self.saved_id = add(self.context.uow(), data)

        return self._save_marked(store)

    def _store_versioned(self, record_id: str | None, create: Callable, update: Callable, data) -> str:
        """``create(uow, data)`` a new record (version 1) or ``update(uow, record_id, data, version)`` it; its id."""
        uow = self.context.uow()
        if record_id is None:
            record_id = create(uow, data)
            self._version = 1
        else:
            update(uow, record_id, data, self._version)
            self._version += 1
        return record_id

    def _accept_saved(self, initial) -> bool:
        """Close after a save: ``initial`` is what ``has_changes()`` compares with from now on."""
        self._initial = initial
        self.accept()
        return True
