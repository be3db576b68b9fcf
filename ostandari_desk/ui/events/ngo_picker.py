"""NgoPicker: choose an NGO by typing part of its name or national ID (a line edit with a live completer).

The matches come from ``services.ngos.list_ngo_page`` (normalized full-text search in SQL), a few at
a time, so the picker works the same with ten NGOs or a hundred thousand. Empty means "none": the
caller decides what none stands for (the office as organizer, no NGO on a letter).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QWidget

from ostandari_desk.domain.text import clean, normalize, to_persian_digits

SEARCH_DELAY_MS = 150
MATCHES = 15


def ngo_label(name: str, national_id: str) -> str:
    return f"{name} — {to_persian_digits(national_id)}"


def default_search(uow_factory: Callable) -> Callable[[str], list[tuple[str, str]]]:
    """(label, id) pairs of the NGOs matching a query, through the NGO service."""

    def search(query: str) -> list[tuple[str, str]]:
        from ostandari_desk.services import ngos as ngo_service

        if not normalize(query):
            return []
        with uow_factory() as uow:
            rows = ngo_service.list_ngo_page(uow, ngo_service.NgoFilter(text=query), limit=MATCHES)
        return [(ngo_label(r.name, r.national_id), r.id) for r in rows]

    return search


class NgoPicker(QWidget):
    """``value() -> ngo id | None``, ``set_value(id, label)``, ``clear()``; signal ``value_changed(object)``."""

    value_changed = Signal(object)

    def __init__(self, uow_factory: Callable, parent: QWidget | None = None, placeholder: str = ""):
        super().__init__(parent)
        self._search = default_search(uow_factory)
        self._matches: dict[str, str] = {}
        self._id: str | None = None
        self._label = ""
        self.edit = QLineEdit(self)
        self.edit.setObjectName("ngoPickerEdit")
        self.edit.setClearButtonEnabled(True)
        self.edit.setPlaceholderText(placeholder or "نام یا شناسه ملی سمن را بنویسید…")
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.popup().setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.edit.setCompleter(self.completer)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.edit.textEdited.connect(self._on_edit_text_edited)
        self.timer.timeout.connect(self.run_search)
        self.completer.activated.connect(self._on_completer_activated)

    # --- API ------------------------------------------------------------------------------------

    def value(self) -> str | None:
        return self._id

    def label(self) -> str:
        return self._label

    def set_value(self, ngo_id: str | None, label: str = "") -> None:
        self._id, self._label = ngo_id, (label if ngo_id else "")
        self.edit.setText(self._label)
        self.value_changed.emit(self._id)

    def clear(self) -> None:
        self.set_value(None)

    def matches(self) -> list[str]:
        """The labels currently offered (after ``run_search``)."""
        return self.model.stringList()

    def run_search(self) -> list[str]:
        """Search for the typed text now and offer the matches."""
        self.timer.stop()
        found = self._search(self.edit.text())
        self._matches = dict(found)
        self.model.setStringList([label for label, _id in found])
        if found and self.edit.hasFocus():
            self.completer.complete()
        return self.matches()

    def choose(self, label: str) -> bool:
        """Take the offered match ``label``; False if it is not among the matches."""
        ngo_id = self._matches.get(label)
        if ngo_id is None:
            return False
        self.set_value(ngo_id, label)
        return True

    # --- slots ----------------------------------------------------------------------------------

    def _on_edit_text_edited(self, typed: str) -> None:
        if self._id is not None and clean(typed) != self._label:
            self._id, self._label = None, ""
            self.value_changed.emit(None)
        self.timer.start()

    def _on_completer_activated(self, label: str) -> None:
        self.choose(label)
