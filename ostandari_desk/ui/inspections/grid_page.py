"""پوشش ماهانه: the county × month grid of a Jalali year, and the visits behind a clicked cell.

Counties are the tree's rows, each expandable by centre category; the 12 months are its columns (month ۱ next
to the names, on the right) and the year's total the last. A cell says «done/due» in Persian digits on its
state's colour: covered green, partial amber, none red and bold (a missed month must jump out); a month not
due shows «—» on grey (its tooltip says why), so only due months carry numbers; the year's total always does. The grid is read on a pool thread (ui/tasks.py) while a busy bar runs; a county user's grid is their own
county, opened by category. Clicking a month lists its visits below; a visit opens in the visit form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain import inspection_plan as rules
from ostandari_desk.domain.jalali import MAX_EDITABLE, jalali_month_of, month_name
from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services.inspections import grid as grid_service
from ostandari_desk.ui.inspections.rows import Column, RowsModel, code_text, make_table, selected_row
from ostandari_desk.ui.tasks import run_task
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox

__all__ = ["NOT_YET_DUE_TIP", "STATE_COLOURS", "GridPage", "cell_text"]

# state -> (text, background, bold)
STATE_COLOURS: dict[str, tuple[str, str, bool]] = {
    rules.COVERED: ("#1b5e20", "#d7efd9", False),
    rules.PARTIAL: ("#7a4a00", "#ffe7b3", False),
    rules.NONE: ("#ffffff", "#c62828", True),
    rules.NOT_DUE: ("#8a8a8a", "#f1f1f1", False),
}
STATE_ROLE = Qt.ItemDataRole.UserRole + 1  # a cell's state
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # (county_id, category_id | None, month) of a cell
NAME_COLUMN, TOTAL_COLUMN = 0, 13
PROVINCE_ROW = "جمع استان"
LOADING = "در حال بارگذاری جدول پوشش…"
PICK_CELL = "برای دیدن بازدیدهای یک ماه، روی خانه آن بزنید."
NOT_YET_DUE_TIP = "هنوز موعد این ماه نرسیده است"
NOTHING_DUE_TIP = "در این ماه بازدیدی از این مراکز موعد نیست"

VISIT_COLUMNS = (
    Column("تاریخ", lambda v: v.date_text, 90),
    Column("کد مرکز", lambda v: code_text(v.centre_code), 110),
    Column("نام مرکز", lambda v: v.centre_name, 220),
    Column("نوع مرکز", lambda v: v.category_name, 140),
    Column("نوع بازدید", lambda v: v.kind_label, 80),
    Column("امتیاز", lambda v: "" if v.score is None else format_number(v.score), 60),
    Column("نتیجه", lambda v: v.result_label, 100),
    Column("بازرسان", lambda v: v.inspectors, 200),
)
_RESULT_TEXT = {"good": ("#1b5e20", False), "needs_fix": ("#8a4b00", False), "serious": ("#b71c1c", True)}


def cell_text(cell: grid_service.GridCell) -> str:
    """«done/due» in Persian digits (no thousands separator: the cells are narrow); «—» for a month not
    due (still ahead, or nothing due in it): only due months carry numbers. A year total always does."""
    if (cell.month and cell.state == rules.NOT_DUE) or (not cell.due and not cell.done):
        return "—"
    return f"{to_persian_digits(cell.done)}/{to_persian_digits(cell.due)}"


def _cell_tip(cell: grid_service.GridCell, where: str, future: bool = False) -> str:
    if cell.month and cell.state == rules.NOT_DUE:
        lines = [where, NOT_YET_DUE_TIP if future else NOTHING_DUE_TIP]
        if cell.done:
            lines.append(f"مراکز بازدیدشده: {format_number(cell.done)}")
        return "\n".join(lines)
    lines = [where, f"وضعیت: {cell.state_label}"]
    lines.append(f"مراکز بازدیدشده: {format_number(cell.done)} از {format_number(cell.due)} مرکز موعددار")
    if cell.visits is not None:
        lines.append(f"شمار بازدیدها: {format_number(cell.visits)}")
    return "\n".join(lines)


def _paint(item: QStandardItem, state: str, font: QFont, bold: bool) -> None:
    """A cell's colours by its state; bold for a county's row and always for a missed month."""
    fg, bg, missed = STATE_COLOURS[state]
    item.setForeground(QBrush(QColor(fg)))
    item.setBackground(QBrush(QColor(bg)))
    cell_font = QFont(font)
    cell_font.setBold(bold or missed)
    item.setFont(cell_font)


def _legend(parent: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(QLabel("راهنما:", parent))
    for state in (rules.COVERED, rules.PARTIAL, rules.NONE, rules.NOT_DUE):
        fg, bg, bold = STATE_COLOURS[state]
        swatch = QLabel(rules.COVERAGE_LABELS[state], parent)
        swatch.setObjectName(f"legend_{state}")
        weight = "bold" if bold else "normal"
        swatch.setStyleSheet(
            f"color: {fg}; background: {bg}; font-weight: {weight}; padding: 2px 10px; border-radius: 3px;"
        )
        row.addWidget(swatch)
    note = QLabel("هر خانه: مراکز بازدیدشده / مراکز موعددار آن ماه؛ «—»: ماهِ بی‌موعد", parent)
    note.setObjectName("legendNote")
    row.addSpacing(12)
    row.addWidget(note)
    row.addStretch(1)
    return row


def _load_grid(uow, year: int, today: date) -> grid_service.Grid:
    return grid_service.coverage_grid(uow, year, today)


class GridPage(QWidget):
    """``GridPage(context, parent=None)``. ``load(year)`` reads the grid off the UI thread (``grid_loaded``
    follows); ``show_cell(county_id, category_id, month)`` lists a cell's visits (``visits_loaded``)."""

    open_area = Signal(str, dict)
    grid_loaded = Signal(object)
    visits_loaded = Signal(object)

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gridPage")
        self.context = context
        self.today: Callable[[], date] = date.today
        self.grid: grid_service.Grid | None = None
        self.last_dialog: QWidget | None = None
        self._task = None
        self._cell_task = None
        self._pending_year: int | None = None
        self._build()
        self.year_spin.setValue(jalali_month_of(self.today())[0])
        self.year_spin.valueChanged.connect(lambda _v: self.load())
        self.tree.clicked.connect(self._on_tree_clicked)
        self.visit_table.activated.connect(lambda _i: self.open_selected_visit())
        self.open_button.clicked.connect(self.open_selected_visit)
        self.print_button.clicked.connect(self.print_grid)
        self.visit_table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()
        self.load()

    # --- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.year_spin = PersianIntSpinBox(self, minimum=1380, maximum=jalali_month_of(MAX_EDITABLE)[0])
        self.year_spin.setObjectName("gridYearSpin")
        self.busy = QProgressBar(self)
        self.busy.setObjectName("gridBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.status = QLabel(self)
        self.status.setObjectName("gridStatus")
        self.print_button = QPushButton("چاپ جدول پوشش", self)
        self.print_button.setObjectName("gridPrintButton")
        from ostandari_desk.reports.registry import REPORTS

        self.print_button.setVisible("inspections" in REPORTS)
        top = QHBoxLayout()
        caption = QLabel("&سال:", self)
        caption.setBuddy(self.year_spin)
        top.addWidget(caption)
        top.addWidget(self.year_spin)
        top.addWidget(self.busy)
        top.addWidget(self.status, 1)
        top.addWidget(self.print_button)

        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(
            ["شهرستان / نوع مرکز", *(month_name(m) for m in range(1, 13)), "جمع سال"]
        )
        self.tree = QTreeView(self)
        self.tree.setObjectName("coverageTree")
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(56)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TOTAL_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setColumnWidth(NAME_COLUMN, 140)
        self._cell_font = QFont(self.tree.font())  # a little smaller: four-digit counts fit a month
        self._cell_font.setPointSizeF(self._cell_font.pointSizeF() * 0.9)

        self.visit_caption = QLabel(PICK_CELL, self)
        self.visit_caption.setObjectName("cellCaption")
        self.visit_model = RowsModel(VISIT_COLUMNS, self, lambda v: _RESULT_TEXT.get(v.result))
        self.visit_table = make_table(self, self.visit_model, "cellVisitTable")
        self.open_button = QPushButton("نمایش بازدید", self)
        self.open_button.setObjectName("openVisitButton")
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        caption_row = QHBoxLayout()
        caption_row.addWidget(self.visit_caption, 1)
        caption_row.addWidget(self.open_button)
        lower_layout.addLayout(caption_row)
        lower_layout.addWidget(self.visit_table, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("gridSplitter")
        splitter.addWidget(self.tree)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(_legend(self))
        layout.addWidget(splitter, 1)

    # --- the grid ---------------------------------------------------------------------------------

    @property
    def year(self) -> int:
        return int(self.year_spin.value())

    def is_busy(self) -> bool:
        return self._task is not None and not self._task.finished

    def load(self, year: int | None = None) -> None:
        """Read the grid of ``year`` (the spin box's by default) on a pool thread."""
        if year is not None and year != self.year:
            self.year_spin.setValue(year)  # -> load()
            return
        if self.is_busy():
            self._pending_year = self.year
            return
        self.busy.show()
        self.status.setText(LOADING)
        self._task = run_task(
            self,
            partial(_load_grid, self.context.uow(), self.year, self.today()),
            on_done=self._on_grid,
            on_error=self._on_grid_error,
            progress=False,
        )

    def _after_load(self) -> bool:
        self.busy.hide()
        if self._pending_year is not None:
            self._pending_year = None
            self.load()
            return False
        return True

    def _on_grid_error(self, error: BaseException) -> None:
        if not self._after_load():
            return
        self.status.setText(error.message if isinstance(error, UserError) else "خواندن جدول پوشش انجام نشد.")
        if not isinstance(error, UserError):
            from ostandari_desk.ui.errors import show_error

            show_error(self, error)

    def _on_grid(self, grid: grid_service.Grid) -> None:
        if not self._after_load():
            return
        self.grid = grid
        self._fill(grid)
        missed = sum(1 for r in grid.rows for c in r.cells if c.missed)
        total = grid.total
        summary = f"سال {to_persian_digits(grid.jalali_year)}: {cell_text(total)} ({total.state_label})"
        if missed:
            summary += f" — {format_number(missed)} ماهِ بی‌بازدید"
        if not grid.rows:
            summary = "هنوز مرکزی ثبت نشده است."
        self.status.setText(summary)
        self.grid_loaded.emit(grid)

    def _fill(self, grid: grid_service.Grid) -> None:
        self.model.removeRows(0, self.model.rowCount())
        root = self.model.invisibleRootItem()
        for row in grid.rows:
            items = self._row_items(row, bold=True)
            for child in row.children:
                items[0].appendRow(self._row_items(child, bold=False, county_name=row.name))
            root.appendRow(items)
        if len(grid.rows) > 1:
            totals = grid_service.GridRow("", None, PROVINCE_ROW, grid.month_totals, grid.total)
            root.appendRow(self._row_items(totals, bold=False, clickable=False))
            root.child(root.rowCount() - 1, NAME_COLUMN).setFont(self._bold_name_font())
        if len(grid.rows) == 1:  # a county user: their county by category
            self.tree.expandAll()
        self._mark_current_month(grid)
        self._fit_months()

    def _bold_name_font(self) -> QFont:
        font = QFont(self.tree.font())
        font.setBold(True)
        return font

    def _cell_items(self) -> list[QStandardItem]:
        """Every count cell of the tree (months and the year), rows and their children."""
        root = self.model.invisibleRootItem()
        parents = [root] + [root.child(r, 0) for r in range(root.rowCount())]
        return [
            item
            for parent in parents
            for r in range(parent.rowCount())
            for column in range(1, TOTAL_COLUMN + 1)
            if (item := parent.child(r, column)) is not None
        ]

    def _fit_months(self) -> None:
        """Make every «done/due» fit: months as wide as their widest count; when the page is too narrow for
        that, the counts' font shrinks (down to three quarters), and only then does the tree scroll sideways."""
        items = self._cell_items()

        def widest(column_items) -> int:
            return max((QFontMetrics(i.font()).horizontalAdvance(i.text()) for i in column_items), default=0)

        months = [i for i in items if i.column() != TOTAL_COLUMN]
        totals = [i for i in items if i.column() == TOTAL_COLUMN]
        pad = 12
        room = self.tree.viewport().width() - self.tree.columnWidth(NAME_COLUMN) - 24
        needed = 12 * (widest(months) + pad) + widest(totals) + pad
        if needed > room > 0:
            scale = max(0.75, (room - 13 * pad) / (needed - 13 * pad))
            for item in items:
                font = item.font()
                font.setPointSizeF(font.pointSizeF() * scale)
                item.setFont(font)
        self.tree.header().setMinimumSectionSize(max(48, widest(months) + pad))

    def _row_items(
        self, row: grid_service.GridRow, bold: bool, clickable: bool = True, county_name: str = ""
    ) -> list[QStandardItem]:
        name = QStandardItem(row.name)
        if bold:
            font = name.font()
            font.setBold(True)
            name.setFont(font)
        where = f"{county_name} — {row.name}" if county_name else row.name
        items = [name]
        for cell in (*row.cells, row.total):
            item = QStandardItem(cell_text(cell))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            _paint(item, cell.state, self._cell_font, bold)
            period = month_name(cell.month) if cell.month else "کل سال"
            item.setToolTip(_cell_tip(cell, f"{where} — {period}", self._is_future(cell.month)))
            item.setData(cell.state, STATE_ROLE)
            if clickable and cell.month:
                item.setData((row.county_id, row.category_id, cell.month), KEY_ROLE)
            items.append(item)
        return items

    def _is_future(self, month: int) -> bool:
        """Whether ``month`` of the grid's year is still ahead of today."""
        if not month or self.grid is None:
            return False
        return rules.is_future_month(self.grid.jalali_year, month, *jalali_month_of(self.today()))

    def _mark_current_month(self, grid: grid_service.Grid) -> None:
        for m in range(1, 13):
            label = month_name(m) + (" ◂" if m == grid.today_month else "")
            self.model.setHeaderData(m, Qt.Orientation.Horizontal, label)

    # --- reading cells (tests and the click) ------------------------------------------------------

    def cell_item(self, county_id: str, category_id: str | None, month: int) -> QStandardItem | None:
        """The grid's item of a county's (or one of its categories') month; ``month`` 0 for the year."""
        for r in range(self.model.rowCount()):
            county = self.model.item(r, 1)
            key = county.data(KEY_ROLE) if county is not None else None
            if not key or key[0] != county_id:
                continue
            column = month or TOTAL_COLUMN
            if category_id is None:
                return self.model.item(r, column)
            parent = self.model.item(r, NAME_COLUMN)
            for c in range(parent.rowCount()):
                child_key = parent.child(c, 1).data(KEY_ROLE)
                if child_key and child_key[1] == category_id:
                    return parent.child(c, column)
        return None

    def _on_tree_clicked(self, index: QModelIndex) -> None:
        key = index.data(KEY_ROLE)
        if key:
            self.show_cell(*key)

    def show_cell(self, county_id: str, category_id: str | None, month: int) -> None:
        """List the visits of a county's (or category's) month in the panel below, read off the UI thread."""
        uow = self.context.uow()
        year = self.year
        self.visit_caption.setText("در حال خواندن بازدیدها…")
        self._cell_task = run_task(
            self,
            lambda: grid_service.visits_in_cell(uow, year, month, county_id, category_id),
            on_done=lambda rows: self._on_visits(rows, county_id, category_id, month, year),
            on_error=self._on_visits_error,
            progress=False,
        )

    def _cell_name(self, county_id: str, category_id: str | None) -> str:
        if self.grid is None:
            return ""
        for row in self.grid.rows:
            if row.county_id == county_id:
                if category_id is None:
                    return row.name
                child = next((c for c in row.children if c.category_id == category_id), None)
                return f"{row.name} — {child.name}" if child else row.name
        return ""

    def _on_visits(self, rows: list, county_id: str, category_id: str | None, month: int, year: int) -> None:
        self.visit_model.set_rows(rows)
        where = self._cell_name(county_id, category_id)
        period = f"{month_name(month)} {to_persian_digits(year)}"
        count = f"{format_number(len(rows))} بازدید" if rows else "بی‌بازدید"
        self.visit_caption.setText(f"بازدیدهای {where} در {period}: {count}")
        self._update_buttons()
        self.visits_loaded.emit(rows)

    def _on_visits_error(self, error: BaseException) -> None:
        from ostandari_desk.ui.errors import show_error

        self.visit_caption.setText(error.message if isinstance(error, UserError) else PICK_CELL)
        show_error(self, error)

    # --- visits and printing ----------------------------------------------------------------------

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(selected_row(self.visit_table) is not None)

    def open_selected_visit(self) -> None:
        row = selected_row(self.visit_table)
        if row is not None:
            self.open_visit(row.id)

    def open_visit(self, visit_id: str) -> QWidget | None:
        """The visit in UI-A's visit form; the grid is read again when it was saved."""
        from ostandari_desk.ui.inspections.area import open_visit_dialog

        dialog = open_visit_dialog(self, self.context, visit_id=visit_id)
        if dialog is not None:
            self.last_dialog = dialog
            dialog.accepted.connect(lambda: self.load())
        return dialog

    def print_grid(self) -> None:
        """The year's grid on paper: the reports page, with the ``inspections`` report of this year."""
        scope = (
            self.context.actor.county_scope
        )  # a county user's paper is their county's; else the province's
        self.open_area.emit(
            "reports", {"report": "inspections", "year": self.year, "county_id": scope, "generate": True}
        )

    def apply_filter(self, filters: dict) -> None:
        if filters.get("year"):
            self.load(int(filters["year"]))

    def focus_search(self) -> None:
        self.tree.setFocus()
