"""The visit's checklist as a table grouped by section: one answer widget per item type (yes / no / n.a.,
a score 0..max, a number, text), critical items marked, failed items tinted, and the live evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ostandari_desk.domain.inspections import (
    ANSWER_LABELS,
    NO,
    NOT_APPLICABLE,
    YES,
    AnswerType,
    Evaluation,
    evaluate,
    item_failed,
    parse_answer,
)
from ostandari_desk.domain.text import format_number, rlm, to_persian_digits
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox

__all__ = ["ChecklistTable"]

HEADERS = ("ردیف", "بند چک‌لیست", "پاسخ", "وزن", "بحرانی")
CRITICAL_MARK = "● بحرانی"
_SECTION_BG = QBrush(QColor("#e8edf3"))
_FAILED_BG = QBrush(QColor("#fde4e4"))
_CRITICAL_FG = QBrush(QColor("#b71c1c"))
_NO_BRUSH = QBrush()
UNANSWERED = -1


class ChecklistTable(QTableWidget):
    """``set_items(items, answers)``; ``answers() -> {item id: raw}``; ``evaluation()``; ``changed`` when an
    answer changes; ``set_read_only``. Items are frozen rows (ChecklistItemRow / AnswerLine)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("checklistTable")
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(30)
        header = self.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 45), (2, 170), (3, 45), (4, 80)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(column, width)
        self.items: tuple = ()
        self.pass_score = 80
        self._rows: dict[str, int] = {}
        self._widgets: dict[str, QWidget] = {}
        self._invalid: dict[str, str] = {}

    # --- filling ----------------------------------------------------------------------------------------

    def set_items(self, items: Sequence, pass_score: int, answers: dict[str, Any] | None = None) -> None:
        answers = answers or {}
        self.items = tuple(items)
        self.pass_score = pass_score
        self._rows.clear()
        self._widgets.clear()
        self.clearSpans()
        sections: dict[str, list] = {}
        for item in self.items:
            sections.setdefault(item.section, []).append(item)
        self.setRowCount(len(self.items) + len(sections))
        row = 0
        for section, members in sections.items():
            head = QTableWidgetItem(rlm(section))
            bold = QFont(head.font())
            bold.setBold(True)
            head.setFont(bold)
            head.setBackground(_SECTION_BG)
            self.setItem(row, 0, head)
            self.setSpan(row, 0, 1, len(HEADERS))
            row += 1
            for item in members:
                self._add_item_row(row, item, answers.get(item.id))
                row += 1
        self._refresh_marks()

    def _add_item_row(self, row: int, item, value: Any) -> None:
        self._rows[item.id] = row
        cells = (
            to_persian_digits(item.position),
            rlm(to_persian_digits(item.text)),
            "",
            format_number(item.weight),
        )
        for column, text in enumerate(cells):
            cell = QTableWidgetItem(text)
            cell.setToolTip(text)
            if column in (0, 3):
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(row, column, cell)
        mark = QTableWidgetItem(CRITICAL_MARK if item.critical else "")
        mark.setForeground(_CRITICAL_FG)
        if item.critical:
            mark.setToolTip("پاسخ نادرست به این بند نتیجه بازدید را «تخلف جدی» می‌کند")
        self.setItem(row, 4, mark)
        widget = self._answer_widget(item, value)
        widget.setObjectName(f"answer_{item.position}")
        self._widgets[item.id] = widget
        self.setCellWidget(row, 2, widget)

    def _answer_widget(self, item, value: Any) -> QWidget:
        if item.answer_type == AnswerType.YES_NO:
            combo = QComboBox(self)
            combo.addItem("—", None)
            for key in (YES, NO, NOT_APPLICABLE):
                combo.addItem(ANSWER_LABELS[key], key)
            combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)
            combo.currentIndexChanged.connect(self._on_answer_changed)
            return combo
        if item.answer_type == AnswerType.SCORE:
            spin = PersianIntSpinBox(self, minimum=UNANSWERED, maximum=item.max_score)
            spin.setSpecialValueText("—")
            spin.setSuffix(f" از {to_persian_digits(item.max_score)}")
            spin.setValue(value if isinstance(value, int) and not isinstance(value, bool) else UNANSWERED)
            spin.valueChanged.connect(self._on_answer_changed)
            return spin
        edit = QLineEdit(self)
        edit.setPlaceholderText("عدد" if item.answer_type == AnswerType.NUMBER else "توضیح")
        if value is not None:
            edit.setText(to_persian_digits(value) if item.answer_type == AnswerType.NUMBER else str(value))
        edit.textChanged.connect(self._on_answer_changed)
        return edit

    # --- reading ----------------------------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        """The answers as typed (for VisitInput.answers), unanswered items left out."""
        found: dict[str, Any] = {}
        for item in self.items:
            raw = self.raw_answer(item.id)
            if raw not in (None, ""):
                found[item.id] = raw
        return found

    def raw_answer(self, item_id: str) -> Any:
        widget = self._widgets[item_id]
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, PersianIntSpinBox):
            return None if widget.value() == UNANSWERED else str(widget.value())
        return widget.text().strip()

    def parsed_answers(self) -> dict[str, Any]:
        """The answers parsed as the service will (an answer of the wrong type is left out and noted)."""
        parsed: dict[str, Any] = {}
        self._invalid.clear()
        for item in self.items:
            raw = self.raw_answer(item.id)
            try:
                value = parse_answer(item, raw)
            except ValueError as exc:
                self._invalid[item.id] = str(exc)
                continue
            if value is not None:
                parsed[item.id] = value
        return parsed

    def evaluation(self) -> Evaluation | None:
        answers = self.parsed_answers()
        if not answers:
            return None
        return evaluate(self.items, answers, self.pass_score)

    def failed_items(self) -> list:
        answers = self.parsed_answers()
        return [i for i in self.items if item_failed(i, answers.get(i.id))]

    def widget_of(self, item_id: str) -> QWidget | None:
        return self._widgets.get(item_id)

    def item_by_position(self, position: int):
        return next(i for i in self.items if i.position == position)

    # --- state ------------------------------------------------------------------------------------------

    def set_read_only(self, read_only: bool) -> None:
        for widget in self._widgets.values():
            if isinstance(widget, QLineEdit):
                widget.setReadOnly(read_only)
            else:
                widget.setEnabled(not read_only)

    def _on_answer_changed(self, *_args) -> None:
        self._refresh_marks()
        self.changed.emit()

    def _refresh_marks(self) -> None:
        answers = self.parsed_answers()
        for item in self.items:
            row = self._rows[item.id]
            failed = item_failed(item, answers.get(item.id))
            for column in (0, 1, 3):
                cell = self.item(row, column)
                if cell is not None:
                    cell.setBackground(_FAILED_BG if failed else _NO_BRUSH)
            widget = self._widgets[item.id]
            problem = self._invalid.get(item.id, "")
            widget.setStyleSheet("border: 1px solid #c62828;" if problem else "")
            widget.setToolTip(problem)
