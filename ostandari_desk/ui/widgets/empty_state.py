"""A message over an empty list: «nothing here yet» and what to do, instead of bare, squeezed columns.

``EmptyOverlay(view, text)`` sits on the view's viewport and shows while the view's model has no rows:
the text, and buttons for what the clerk can do next (``set_actions``: the first NGO, an import from
Excel, clearing the filters). ``hide_header`` hides the column headers while the list is empty (a tab
whose table is only a record of something). The overlay follows the model's resets, inserts and removals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

__all__ = ["EMPTY_STYLE", "EmptyOverlay"]

EMPTY_STYLE = "color: #5a6470; font-size: 11pt;"


class EmptyOverlay(QWidget):
    """The empty state of ``view``: ``label`` (its text) and ``buttons`` (by object name)."""

    def __init__(self, view: QAbstractItemView, text: str = "", *, name: str = "", hide_header: bool = False):
        super().__init__(view.viewport())
        self.setObjectName(name or f"{view.objectName() or 'list'}EmptyState")
        self._view = view
        self._hide_header = hide_header
        self._model: QAbstractItemModel | None = None
        self.setAutoFillBackground(False)
        self.label = QLabel(text, self)
        self.label.setObjectName("emptyStateLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setStyleSheet(EMPTY_STYLE)
        self.buttons: dict[str, QPushButton] = {}
        self._button_row = QHBoxLayout()
        self._button_row.addStretch(1)
        self._button_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addLayout(self._button_row)
        layout.addStretch(2)
        view.viewport().installEventFilter(self)
        for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):  # scrolling moves the children
            bar.valueChanged.connect(lambda _v: self.setGeometry(self._view.viewport().rect()))
        self.watch(view.model())
        self.refresh()

    def watch(self, model: QAbstractItemModel | None) -> None:
        """Follow ``model`` (the view's, unless it was replaced)."""
        if model is self._model:
            return
        if self._model is not None:
            for signal in self._signals(self._model):
                signal.disconnect(self.refresh)
        self._model = model
        if model is not None:
            for signal in self._signals(model):
                signal.connect(self.refresh)

    @staticmethod
    def _signals(model: QAbstractItemModel):
        return (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.refresh()

    def set_actions(self, actions: Sequence[tuple[str, str, Callable[[], object]]]) -> None:
        """Buttons (text, object name, what it does) under the text, in order; () for none."""
        for button in self.buttons.values():
            self._button_row.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for position, (text, name, run) in enumerate(actions, start=1):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.clicked.connect(lambda _checked=False, run=run: run())
            self._button_row.insertWidget(position, button)
            self.buttons[name] = button

    def is_empty(self) -> bool:
        model = self._view.model()
        return model is None or model.rowCount() == 0

    def refresh(self, *_args) -> None:
        self.watch(self._view.model())
        empty = self.is_empty() and bool(self.label.text())
        self.setGeometry(self._view.viewport().rect())
        self.setVisible(empty)
        if empty:
            self.raise_()
        header = getattr(self._view, "horizontalHeader", None)  # a table's column headers
        if self._hide_header and header is not None:
            header().setVisible(not self.is_empty())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self._view.viewport().rect())
        return False
