"""Paged lists: a lazy table model over a count/page service pair and the pieces of a list page.

The model follows Anki's browser: the page hands it a ``count(uow, flt)`` and a
``page(uow, flt, sort, descending, offset, limit)`` service function and a column list; filtering
and sorting happen in SQL, the model only keeps the rows loaded so far. ``PagedListPage`` holds the
pieces of a list page: the search box with its debounce timer, the filter combos, the table set-up,
the button row with its count label and the selection helpers; ui/widgets/list_page.py builds whole
pages from them and a declaration of the kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from ostandari_desk.domain.jalali import today_jalali_year
from ostandari_desk.domain.text import print_form, rlm, to_persian_digits
from ostandari_desk.ui.widgets.empty_state import EmptyOverlay
from ostandari_desk.ui.widgets.table_columns import ColumnFitter, RowTableView

SEARCH_DELAY_MS = 150
ALL = "همه"
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

_ROOT = QModelIndex()  # the invisible root, as a default argument


@dataclass(frozen=True)
class PagedColumn:
    """One column: its Persian header, the service sort key, how a row shows in it and its first width;
    ``sample``: the widest value it must show whole (a date, an amount, a number: never cut to «…»), the
    least its fitted width may be."""

    header: str
    sort_key: str
    show: Callable[[Any], object]
    align_number: bool = False
    width: int = 100
    sample: str = ""


class PagedTableModel(QAbstractTableModel):
    """Rows come ``PAGE`` at a time as the view scrolls (canFetchMore/fetchMore); sorting re-queries.

    ``STRICT_TOTAL``: a first page shorter than ``PAGE`` ends the list even when the count says more,
    and a short later page only ever lowers the total.
    """

    PAGE = 200
    STRICT_TOTAL = False
    total_changed = Signal(int)

    def __init__(
        self,
        uow_factory: Callable[[], Any],
        columns: Sequence[PagedColumn],
        count: Callable[[Any, Any], int],
        page: Callable[..., list],
        initial_filter: Any,
        sort_column: int = 0,
        descending: bool = True,
        parent=None,
    ):
        super().__init__(parent)
        self._uow_factory = uow_factory
        self._columns = tuple(columns)
        self._count = count
        self._page_fn = page
        self._filter = initial_filter
        self._sort_column = sort_column
        self._descending = descending
        self._rows: list = []
        self._total = 0

    # --- public API -----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        """How many records match the filter (not how many rows are loaded)."""
        return self._total

    @property
    def current_filter(self) -> Any:
        return self._filter

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def descending(self) -> bool:
        return self._descending

    def set_filter(self, flt: Any) -> None:
        """Replace the filter and reload from the first page."""
        self._filter = flt
        self.refresh()

    def update_filter(self, **changes) -> None:
        self.set_filter(replace(self._filter, **changes))

    def refresh(self) -> None:
        """Count again and load the first page."""
        with self._uow_factory() as uow:
            total = self._count(uow, self._filter)
            rows = self._load(uow, 0)
        self.beginResetModel()
        self._rows = rows
        if self.STRICT_TOTAL and len(rows) != self.PAGE:
            self._total = len(rows)
        else:
            self._total = max(total, len(rows))
        self.endResetModel()
        self.total_changed.emit(self._total)

    def row_at(self, row: int):
        """The frozen row shown on ``row`` (None when out of range)."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def id_at(self, row: int) -> str | None:
        found = self.row_at(row)
        return found.id if found is not None else None

    def row_of_id(self, record_id: str) -> int:
        """The row index of a record among the loaded rows, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == record_id), -1)

    def loaded(self) -> int:
        return len(self._rows)

    # --- hooks for subclasses -------------------------------------------------------------------

    def cell_text(self, row: Any, column: int) -> str:
        """What a cell shows (display and tooltip): Persian digits, also in free text as typed («پلاک 27»
        shows «پلاک ۲۷»; the paper's rule, domain.text.print_form: «45-B» keeps its digits)."""
        value = self._columns[column].show(row)
        if value is None:
            return ""
        return rlm(print_form(value) if isinstance(value, str) else to_persian_digits(value))

    def extra_data(self, row: Any, role: int) -> Any:
        """Data for roles the base model does not answer (colours, fonts)."""
        return None

    # --- Qt overrides ---------------------------------------------------------------------------

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell_text(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and self._columns[index.column()].align_number:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        return self.extra_data(row, role)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].header if 0 <= section < len(self._columns) else None
        return to_persian_digits(section + 1)

    def canFetchMore(self, parent=_ROOT) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=_ROOT) -> None:
        if parent.isValid() or len(self._rows) >= self._total:
            return
        with self._uow_factory() as uow:
            more = self._load(uow, len(self._rows))
        if not more:
            self._total = len(self._rows)
            self.total_changed.emit(self._total)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()
        if len(more) < self.PAGE and not (self.STRICT_TOTAL and len(self._rows) >= self._total):
            self._total = len(self._rows)
            self.total_changed.emit(self._total)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    # --- internals ------------------------------------------------------------------------------

    def _load(self, uow, offset: int) -> list:
        return list(
            self._page_fn(
                uow,
                self._filter,
                sort=self._columns[self._sort_column].sort_key,
                descending=self._descending,
                offset=offset,
                limit=self.PAGE,
            )
        )


# --- page pieces --------------------------------------------------------------------------------


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """A Persian yes/no question, «خیر» by default (tests replace ``page.confirm``)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton("بله", QMessageBox.ButtonRole.YesRole)
    no = box.addButton("خیر", QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no)
    box.exec()
    return box.clickedButton() is yes


def configure_table(table: QTableView, widths: tuple[int, ...]) -> None:
    """Sortable, one whole row selected at a time, read-only, with the given column widths."""
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)


def select_row(table: QTableView, row: int) -> None:
    """Select a whole row through the selection model.

    QTableView.selectRow silently fails in right-to-left when the header does not reach the
    viewport's left edge; setting the current row through the selection model always works.
    """
    model = table.model()
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().setCurrentIndex(model.index(row, 0), flags)
    table.scrollTo(model.index(row, 0))


def fill_years(combo: QComboBox, years: Iterable[int]) -> None:
    """«همه» and the given Jalali years (plus this year and the chosen one), newest first."""
    current = combo.currentData()
    wanted = sorted(set(years) | {today_jalali_year()} | ({current} if current else set()), reverse=True)
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(ALL, None)
    for year in wanted:
        combo.addItem(to_persian_digits(year), year)
    combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
    combo.blockSignals(False)


def set_tab_chain(widgets: Sequence[QWidget]) -> None:
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)


class PagedListPage(QWidget):
    """Base of a list page over a ``PagedTableModel``: search, filters, table, buttons, selection.

    A subclass sets ``self.model`` before calling the ``_make_*`` builders, turns its search box and
    filter widgets into a filter in ``current_filter()`` and wires ``_connect_filters()``; filter
    changes land in ``_apply_widgets``. The table's columns fit its width until the clerk sets their
    own (remembered per table: ``self.columns``), and ``self.empty_state`` says so when nothing is listed.
    """

    model: PagedTableModel

    def _make_search(self, name: str, placeholder: str) -> None:
        """The search box and the timer that waits for a pause in typing."""
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName(name)
        self.search_edit.setPlaceholderText(placeholder)
        self.search_edit.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def _filter_bar(self, captioned: Sequence[tuple[str, QComboBox]]) -> QHBoxLayout:
        """The search box, then each combo after its caption (the caption's buddy)."""
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        for text, combo in captioned:
            caption = QLabel(text, self)
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo, 1)
        return filters

    def _make_table(
        self, name: str, widths: tuple[int, ...], order: Qt.SortOrder, samples: tuple[str, ...] = ()
    ) -> None:
        self.table = RowTableView(self)
        self.table.setObjectName(name)
        self.table.setModel(self.model)
        configure_table(self.table, widths)
        self.table.horizontalHeader().setSortIndicator(self.model.sort_column, order)
        self.columns = ColumnFitter(self.table, name, widths, samples=samples)
        self.empty_state = EmptyOverlay(self.table)

    def _connect_selection(self) -> None:
        """The selection-dependent buttons follow a mouse click as well as the keyboard."""
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(lambda *_: self._update_buttons())
        selection.currentRowChanged.connect(lambda *_: self._update_buttons())

    def _update_buttons(self) -> None:
        """Enable the buttons that need a selected row (pages override)."""

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        return button

    def _button_row(self, buttons: Sequence[QPushButton], count_name: str) -> QHBoxLayout:
        """The buttons, a stretch and the count label (``self.count_label``)."""
        self.count_label = QLabel(self)
        self.count_label.setObjectName(count_name)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.count_label)
        return row

    def _connect_filters(self, combos: Sequence[QComboBox]) -> None:
        """Typing restarts the timer; the timer and every combo apply the filter."""
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_timer.timeout.connect(self._apply_widgets)
        for combo in combos:
            combo.currentIndexChanged.connect(self._apply_widgets)

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self.search_timer.start()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def current_filter(self) -> Any:
        """The filter the widgets show; a page without filter widgets keeps the model's own."""
        return self.model.current_filter

    def _apply_widgets(self) -> None:
        self.search_timer.stop()
        self.model.set_filter(self.current_filter())

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.id_at(index.row())

    def _select_id(self, record_id: str) -> bool:
        row = self.model.row_of_id(record_id)
        if row < 0:
            return False
        select_row(self.table, row)
        return True
