"""Number editors that accept Persian, Arabic-Indic and Latin digits and any thousands separators.

A Persian QLocale rejects Arabic-Indic digits and «.», so these editors normalize what is typed
with ``domain.text`` before parsing. ``RialEdit`` is a line edit for amounts in rials (integers),
shown with Persian digits and «٬» between thousands; ``PersianIntSpinBox`` is a small-count spin box.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QSpinBox, QWidget

from ostandari_desk.domain.text import digits_to_latin, format_number, to_persian_digits
from ostandari_desk.ui.widgets.dates import persian_locale

__all__ = ["PersianIntSpinBox", "RialEdit", "parse_amount"]

_SEPARATORS = re.compile(r"[\s,٬،'._\u066b\u066c\u200c\u200f\u200e]")


def parse_amount(text: str) -> int | None:
    """The integer in ``text`` (any digits, any separators); None if empty; ValueError if not a number."""
    raw = _SEPARATORS.sub("", digits_to_latin(text or ""))
    if not raw:
        return None
    if not re.fullmatch(r"-?\d+", raw):
        raise ValueError(text)
    return int(raw)


class _AmountValidator(QValidator):
    def __init__(self, parent: QWidget, allow_negative: bool):
        super().__init__(parent)
        self._allow_negative = allow_negative

    def validate(self, text: str, pos: int):
        raw = _SEPARATORS.sub("", digits_to_latin(text))
        if raw in ("", "-") and (raw == "" or self._allow_negative):
            return QValidator.State.Intermediate, text, pos
        pattern = r"-?\d+" if self._allow_negative else r"\d+"
        if re.fullmatch(pattern, raw):
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Invalid, text, pos


class RialEdit(QLineEdit):
    """An amount in rials: ``value() -> int | None``, ``set_value(int | None)``, ``value_changed(object)``."""

    value_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, allow_negative: bool = False):
        super().__init__(parent)
        self.setValidator(_AmountValidator(self, allow_negative))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText("مبلغ به ریال")
        self.editingFinished.connect(self._reformat)
        self.textChanged.connect(lambda _t: self.value_changed.emit(self.value()))

    def value(self) -> int | None:
        try:
            return parse_amount(self.text())
        except ValueError:
            return None

    def set_value(self, value: int | None) -> None:
        self.setText("" if value is None else format_number(int(value)))

    def _reformat(self) -> None:
        value = self.value()
        if value is not None:
            shown = format_number(value)
            if shown != self.text():
                self.setText(shown)


class PersianIntSpinBox(QSpinBox):
    """A QSpinBox showing Persian digits that also accepts Latin and Arabic-Indic digits.

    It is as wide as its longest value (with prefix and suffix), not as wide as the form: a count of
    days or years in a settings form is a short box, not a 600-pixel bar.
    """

    def __init__(self, parent: QWidget | None = None, *, minimum: int = 0, maximum: int = 1_000_000):
        super().__init__(parent)
        self.setLocale(persian_locale())
        self.setRange(minimum, maximum)
        self.setGroupSeparatorShown(False)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, self.sizePolicy().verticalPolicy())

    def validate(self, text: str, pos: int):
        return super().validate(to_persian_digits(text), pos)

    def valueFromText(self, text: str) -> int:
        try:
            return int(_SEPARATORS.sub("", digits_to_latin(text)) or 0)
        except ValueError:
            return super().valueFromText(text)

    def textFromValue(self, value: int) -> str:
        return to_persian_digits(str(value))
