"""Column widths of the desk's tables: fitted to the view until the clerk sets their own, then remembered.

``ColumnFitter(table, key, widths)`` gives each column at least the width of its header (no header is cut
mid-word) and of its sample, the widest value it must show whole (a date, an amount), and shares the view's
width out: the widest declared column (the name or title) takes the room
the others leave, and when the view is too narrow the columns shrink towards their headers, the flexible
one no further than ``FLEXIBLE_MINIMUM``. Once the clerk drags a column edge, their widths are kept as they
are and stored in the window settings under ``columns/<key>`` (one entry per table), so the table opens
with them next time. ``RowTableView`` is a table of whole-row selection whose Home/End (with or without
Ctrl) change the row only, so Ctrl+End on a long list does not scroll the name column off screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

__all__ = ["CELL_MARGINS", "FLEXIBLE_MINIMUM", "ColumnFitter", "RowTableView", "fit_widths"]

FLEXIBLE_MINIMUM = 180  # the name/title column never shrinks below this (or its declared width)
CELL_MARGINS = 14  # a cell's text margins and the grid line, beside its sample's own width
_SETTINGS_GROUP = "columns"


def fit_widths(defaults: Sequence[int], minimums: Sequence[int], available: int, flexible: int) -> list[int]:
    """Widths summing to ``available`` when they can: ``defaults`` (never under ``minimums``) with the
    ``flexible`` column taking the spare room, or giving its room first and then the others in proportion
    to what they have above their minimum. Under the minimums' sum, the minimums (the view scrolls)."""
    widths = [max(d, m) for d, m in zip(defaults, minimums, strict=True)]
    if not widths:
        return widths
    total = sum(widths)
    if total <= available:
        widths[flexible] += available - total
        return widths
    excess = total - available
    slack = [w - m for w, m in zip(widths, minimums, strict=True)]
    take = min(excess, slack[flexible])
    widths[flexible] -= take
    slack[flexible] -= take
    excess -= take
    rest = sum(slack)
    if excess > 0 and rest > 0:
        ratio = min(1.0, excess / rest)
        for column, spare in enumerate(slack):
            cut = min(spare, round(spare * ratio))
            widths[column] -= cut
            excess -= cut
        for column, spare in enumerate(slack):  # rounding: the last few pixels from whoever has room
            if excess <= 0:
                break
            room = widths[column] - minimums[column]
            cut = min(room, excess)
            widths[column] -= cut
            excess -= cut
    return widths


def _settings() -> QSettings:
    from ostandari_desk.ui.main_window import ui_settings  # the one window-settings file

    return ui_settings()


def saved_widths(key: str) -> list[int] | None:
    """The widths the clerk set for table ``key`` (None when they set none)."""
    raw = _settings().value(f"{_SETTINGS_GROUP}/{key}")
    if not raw:
        return None
    try:
        values = [int(v) for v in (raw if isinstance(raw, list) else str(raw).split(","))]
    except ValueError:
        return None
    return values if values and all(v > 0 for v in values) else None


def save_widths(key: str, widths: Sequence[int] | None) -> None:
    settings = _settings()
    if widths:
        settings.setValue(f"{_SETTINGS_GROUP}/{key}", ",".join(str(int(w)) for w in widths))
    else:
        settings.remove(f"{_SETTINGS_GROUP}/{key}")
    settings.sync()


class ColumnFitter(QObject):
    """Keeps ``table``'s columns fitted to its width (see the module docstring); ``key`` names the table
    in the settings; ``widths`` are the declared widths; ``flexible`` the column that takes the spare room
    (default: the widest declared one); ``samples``: per column, the widest value it shows whole ("" none)."""

    def __init__(
        self,
        table: QTableView,
        key: str,
        widths: Sequence[int],
        flexible: int | None = None,
        samples: Sequence[str] = (),
    ):
        super().__init__(table)
        self._table = table
        self._samples = tuple(samples)
        self._busy = False
        self._key = ""
        self._defaults: tuple[int, ...] = ()
        self._flexible = 0
        self._own: list[int] | None = None
        self._save_timer = QTimer(self, singleShot=True, interval=400)  # a drag is saved once it rests
        self._save_timer.timeout.connect(self._save)
        table.horizontalHeader().sectionResized.connect(self._on_header_section_resized)
        table.viewport().installEventFilter(self)
        self.set_columns(key, widths, flexible)

    @property
    def customized(self) -> bool:
        """The clerk set their own widths for this table."""
        return self._own is not None

    def set_columns(self, key: str, widths: Sequence[int], flexible: int | None = None) -> None:
        """Another set of columns (a worklist's view): their declared widths and settings key."""
        if self._save_timer.isActive():  # the widths just dragged belong to the columns shown until now
            self._save_timer.stop()
            self._save()
        self._key = key
        self._defaults = tuple(widths)
        if flexible is None:
            flexible = max(range(len(self._defaults)), key=lambda c: self._defaults[c], default=0)
        self._flexible = flexible
        own = saved_widths(key)
        self._own = own if own is not None and len(own) == len(self._defaults) else None
        self.apply()

    def reset(self) -> None:
        """Forget the clerk's widths: fitted again."""
        self._save_timer.stop()
        self._own = None
        save_widths(self._key, None)
        self.apply()

    def minimum(self, column: int) -> int:
        """The header's own width (text, margins, sort arrow) or the column's sample's, whichever is wider;
        the flexible column keeps a little more."""
        hint = self._table.horizontalHeader().sectionSizeHint(column)
        sample = self._samples[column] if column < len(self._samples) else ""
        if sample:
            hint = max(hint, self._table.fontMetrics().horizontalAdvance(sample) + CELL_MARGINS)
        if column == self._flexible and column < len(self._defaults):
            return max(hint, min(self._defaults[column], FLEXIBLE_MINIMUM))
        return hint

    def apply(self) -> None:
        model = self._table.model()
        count = model.columnCount() if model is not None else 0
        if count == 0 or count != len(self._defaults):
            return
        minimums = [self.minimum(c) for c in range(count)]
        if self._own is not None:
            widths = list(self._own)
        elif not self._table.isVisible():  # no width to share out yet: the declared ones (fitted when shown)
            widths = [max(d, m) for d, m in zip(self._defaults, minimums, strict=True)]
        else:
            flexible = min(self._flexible, count - 1)
            widths = fit_widths(self._defaults, minimums, self._table.viewport().width(), flexible)
        self._busy = True
        try:
            for column, width in enumerate(widths):
                if self._table.columnWidth(column) != width:
                    self._table.setColumnWidth(column, width)
        finally:
            self._busy = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and self._own is None:
            self.apply()
        return False

    def _on_header_section_resized(self, column: int, _old: int, _new: int) -> None:
        model = self._table.model()
        count = model.columnCount() if model is not None else 0
        if self._busy or count != len(self._defaults) or column == count - 1:
            return  # our own fitting, another set of columns, or the last column's stretch
        self._own = [self._table.columnWidth(c) for c in range(count)]
        self._save_timer.start()

    def _save(self) -> None:
        if self._own is not None:
            save_widths(self._key, self._own)


class RowTableView(QTableView):
    """A table whose rows are selected whole: Home and End (with or without Ctrl) go to the first and last
    row and keep the current column, so the view does not scroll sideways to the last column."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

    def moveCursor(self, cursorAction, modifiers) -> QModelIndex:  # a Qt override
        moves = (QAbstractItemView.CursorAction.MoveHome, QAbstractItemView.CursorAction.MoveEnd)
        rows_only = self.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
        if not (rows_only and cursorAction in moves):
            return super().moveCursor(cursorAction, modifiers)
        index = super().moveCursor(cursorAction, modifiers | Qt.KeyboardModifier.ControlModifier)
        current = self.currentIndex()
        return (
            index.siblingAtColumn(current.column() if current.isValid() else 0) if index.isValid() else index
        )
