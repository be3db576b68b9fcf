"""The reports page's option inputs, one per parameter key of ``reports.registry`` (shared by the reports
that declare the same key: one county combo, one year box).

``make_input(param, context, parent)`` gives a :class:`ReportInput`: its form ``rows`` (label, widget),
its main ``widget``, ``value()`` for the request and ``set_value(value, label="")`` for ``apply_filter``.
A new :class:`~ostandari_desk.reports.registry.Input` kind gets its class here and its line in ``_KINDS``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from ostandari_desk.domain import jalali
from ostandari_desk.reports.registry import Input, Param
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox

__all__ = ["PROVINCE_SCOPE", "ReportInput", "make_input"]

PROVINCE_SCOPE = "کل استان"


class ReportInput(ABC):
    """One parameter's input on the page; each input kind makes its widget and reads and sets its value."""

    def __init__(self, param: Param, context, parent: QWidget):
        self.param = param
        self.context = context
        self.widget: QWidget = self._make(parent)
        self.rows: list[tuple[str, QWidget]] = [(f"{param.label}:", self.widget)]
        if param.default is not None:
            self.set_value(param.default(context.uow()))

    @abstractmethod
    def _make(self, parent: QWidget) -> QWidget: ...

    @abstractmethod
    def value(self) -> Any: ...

    @abstractmethod
    def set_value(self, value: Any, label: str = "") -> None: ...

    def shown(self) -> None:
        """The input's rows were just shown (a picker fills itself then)."""


class _Year(ReportInput):
    def _make(self, parent):
        spin = PersianIntSpinBox(parent)
        spin.setRange(jalali.MIN_YEAR + 101, 1435)
        spin.setValue(jalali.today_jalali_year())
        return spin

    def value(self):
        return self.widget.value()

    def set_value(self, value, label=""):
        self.widget.setValue(int(value))


class _Number(_Year):
    def _make(self, parent):
        spin = PersianIntSpinBox(parent)
        if self.param.minimum < self.param.maximum:
            spin.setRange(self.param.minimum, self.param.maximum)
        return spin


class _Combo(ReportInput):
    def value(self):
        return self.widget.currentData()

    def set_value(self, value, label=""):
        index = self.widget.findData(value)
        if index < 0 and label:
            self.widget.addItem(label, value)
            index = self.widget.findData(value)
        self.widget.setCurrentIndex(max(index, 0))


class _County(_Combo):
    """The counties the user sees; a provincial user may also choose the whole province (None)."""

    def _make(self, parent):
        from ostandari_desk.services import reference

        combo = QComboBox(parent)
        actor = self.context.actor
        if actor.county_scope is None:  # a county user's reports cover their county alone
            combo.addItem(PROVINCE_SCOPE, None)
        for county in reference.list_counties(self.context.uow()):
            if actor.sees_county(county.id):
                combo.addItem(county.name, county.id)
        return combo


class _Choice(_Combo):
    def _make(self, parent):
        combo = QComboBox(parent)
        if not self.param.required:
            combo.addItem("همه", None)
        pairs = self.param.options(self.context.uow()) if self.param.options else self.param.choices
        for value, label in pairs:
            combo.addItem(label, value)
        return combo


class _Flag(ReportInput):
    def __init__(self, param, context, parent):
        super().__init__(param, context, parent)
        self.rows = [("", self.widget)]

    def _make(self, parent):
        return QCheckBox(self.param.label, parent)

    def value(self):
        return self.widget.isChecked()

    def set_value(self, value, label=""):
        self.widget.setChecked(bool(value))


class _Text(ReportInput):
    def _make(self, parent):
        edit = QLineEdit(parent)
        edit.setPlaceholderText(self.param.placeholder)
        return edit

    def value(self):
        return self.widget.text().strip()

    def set_value(self, value, label=""):
        self.widget.setText(str(value or ""))


class _Date(ReportInput):
    def _make(self, parent):
        return JalaliDateEdit(parent, allow_empty=not self.param.required)

    def value(self):
        return self.widget.value()

    def set_value(self, value, label=""):
        self.widget.set_value(value)


class _Record(_Combo):
    """A search box and a combo of the records it finds (``param.search(uow, text)``), searched as one types.

    ``prefer(uow, ids, search) -> (id, label) | None`` (set by the page for one report: the certificate's
    NGO with a valid licence) picks the record the combo starts on after each search.
    """

    def __init__(self, param, context, parent):
        self.prefer: Callable[[Any, list[str], str], tuple[str, str] | None] | None = None
        self.search_edit = QLineEdit(parent)
        self.search_edit.setPlaceholderText(param.placeholder)
        super().__init__(param, context, parent)
        self.rows = [("جست‌وجو:", self.search_edit), (f"{param.label}:", self.widget)]
        self._timer = QTimer(parent, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)

    def _make(self, parent):
        return QComboBox(parent)

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._timer.start()

    def refresh(self) -> None:
        self.widget.clear()
        for record_id, label in self.param.search(self.context.uow(), self.search_edit.text()):
            self.widget.addItem(label, record_id)
        self.apply_preference()

    def apply_preference(self) -> None:
        """Start on the record ``prefer`` picks (added at the top when the search did not list it)."""
        if self.prefer is None:
            return
        ids = [self.widget.itemData(i) for i in range(self.widget.count())]
        chosen = self.prefer(self.context.uow(), ids, self.search_edit.text())
        if chosen is None:
            return
        record_id, label = chosen
        if record_id not in ids:
            self.widget.insertItem(0, label, record_id)
        self.widget.setCurrentIndex(self.widget.findData(record_id))

    def shown(self) -> None:
        if self.widget.count() == 0:
            self.refresh()


_KINDS: dict[Input, Callable[..., ReportInput]] = {
    Input.YEAR: _Year,
    Input.COUNTY: _County,
    Input.FLAG: _Flag,
    Input.TEXT: _Text,
    Input.NUMBER: _Number,
    Input.DATE: _Date,
    Input.CHOICE: _Choice,
    Input.RECORD: _Record,
}


def make_input(param: Param, context, parent: QWidget) -> ReportInput:
    """The page's input for ``param``."""
    return _KINDS[param.input](param, context, parent)
