"""Errors marked on the field they name: a red border, the message as the field's tool tip and in the
dialog's error label (the record dialogs: centre, visit, memorandum, office, payment, progress)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QWidget

from ostandari_desk.errors import UserError

__all__ = ["ERROR_STYLE", "FieldErrors"]

ERROR_STYLE = "border: 1px solid #c62828; border-radius: 2px; padding: 1px 4px;"


class FieldErrors:
    """Shows a service error on the widget of its field: a red border, the message as its tool tip and in
    the dialog's error label; cleared on the next save."""

    def __init__(self, label: QLabel, lookup: Callable[[UserError], QWidget | None]):
        self.label = label
        self._lookup = lookup
        self._marked: dict[QWidget, tuple[str, str]] = {}
        label.setStyleSheet("color: #b71c1c;")
        label.setWordWrap(True)
        label.hide()

    def clear(self) -> None:
        for widget, (style, tip) in self._marked.items():
            widget.setStyleSheet(style)
            widget.setToolTip(tip)
        self._marked.clear()
        self.label.clear()
        self.label.hide()

    def show(self, error: UserError) -> None:
        self.label.setText(error.message)
        self.label.show()
        widget = self._lookup(error)
        if widget is None:
            return
        if widget not in self._marked:
            self._marked[widget] = (widget.styleSheet(), widget.toolTip())
        widget.setStyleSheet(ERROR_STYLE)
        widget.setToolTip(error.message)

    def show_all(self, errors: list[UserError], *, unique: bool = True) -> None:
        """Mark every error on its field; the error label lists their messages (each once if ``unique``)."""
        for error in errors:
            self.show(error)
        messages = [e.message for e in errors]
        self.label.setText("\n".join(dict.fromkeys(messages) if unique else messages))

    def marked(self) -> list[QWidget]:
        return list(self._marked)
