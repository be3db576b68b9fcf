"""The licence timeline of one NGO: date (Jalali), step, detail, clerk — newest at the bottom."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.lifecycle import StepKind
from ostandari_desk.domain.text import rlm

HEADERS = ("تاریخ", "مرحله", "شرح", "کارشناس")
_STEP_COLOURS = {
    StepKind.NOTICE: "#b26a00",
    StepKind.WRITTEN_WARNING: "#b26a00",
    StepKind.SUSPENSION: "#b26a00",
    StepKind.REVOCATION: "#c62828",
    StepKind.DISSOLUTION_REQUEST: "#c62828",
    StepKind.INQUIRY_OVERRIDE: "#b26a00",
    StepKind.REJECTION: "#c62828",
    StepKind.ISSUE: "#2e7d32",
    StepKind.CREDENTIAL: "#2e7d32",
    StepKind.RENEWAL: "#2e7d32",
    StepKind.APPROVAL: "#2e7d32",
    StepKind.WITHDRAWAL: "#616161",
}


class TimelineView(QTableWidget):
    """Read-only table of TimelineEntry rows; ``labels()`` lists the step labels shown (for tests)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("licenceTimeline")
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self._entries: list = []

    def resizeEvent(self, event) -> None:
        """Row heights follow the wrapped detail column's real width: measured before the view was
        laid out, rows came out several lines tall (the stretched column's growth emits no signal)."""
        super().resizeEvent(event)
        self.resizeRowsToContents()

    def set_entries(self, entries) -> None:
        self._entries = list(entries)
        self.setRowCount(len(self._entries))
        for row, entry in enumerate(self._entries):
            cells = (format_jalali(entry.on_date), entry.label, rlm(entry.detail), rlm(entry.clerk))
            colour = _STEP_COLOURS.get(entry.kind)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 1 and colour:
                    item.setForeground(QColor(colour))
                self.setItem(row, column, item)
        self.resizeRowsToContents()
        if self._entries:
            self.scrollToBottom()

    def labels(self) -> list[str]:
        return [entry.label for entry in self._entries]

    def kinds(self) -> list[str]:
        return [str(entry.kind) for entry in self._entries]
