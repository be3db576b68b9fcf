"""The base of the record dialogs (event, letter, NGO): Persian save/cancel buttons, save with error plumbing.

A subclass stores its record in a function handed to ``_save_guarded``; a ``UserError`` from it is
shown in a message box and the cursor goes to the widget of the error's field (``field_widgets()``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QWidget

from ostandari_desk.errors import ConcurrentEditError, UserError, ValidationError
from ostandari_desk.ui import errors as ui_errors


class EditDialog(QDialog):
    """Create or edit one record; ``saved_id`` holds its id after ``accept()``."""

    SELECT_TEXT_ON_ERROR = True  # select a line edit's text when the cursor goes there for an error

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
