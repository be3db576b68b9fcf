"""The board (هیئت مدیره) editor: a table of members with add/remove, giving BoardMemberInput values.

Each member's term (آغاز دوره / پایان دوره) is edited in its cell with a JalaliDateEdit (a delegate) and
shown as ۱۴۰۲/۰۱/۱۵; either may stay empty. Entering a start while the end is empty proposes the end
``term_years`` Jalali years later (the dialog sets it from the ``board_term_years`` setting).
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import clean, digits_to_latin, to_persian_digits
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.settings import SETTINGS
from ostandari_desk.ui.widgets.dates import JalaliDateEdit

ROLE_LABELS: dict[str, str] = dict(
    getattr(ngo_service, "ROLE_LABELS", None)
    or {
        "ceo": "مدیرعامل",
        "chair": "رئیس هیئت مدیره",
        "deputy": "نایب رئیس",
        "treasurer": "خزانه‌دار",
        "member": "عضو هیئت مدیره",
        "inspector": "بازرس",
        "founder": "مؤسس",
    }
)

HEADERS = ("نام و نام خانوادگی", "کد ملی", "سمت", "تخصص", "آغاز دوره", "پایان دوره")
NAME, CODE, ROLE, EXPERTISE, TERM_START, TERM_END = range(6)
DATE_COLUMNS = (TERM_START, TERM_END)
DATE_ROLE = Qt.ItemDataRole.UserRole + 1  # a date cell's value: ISO text ("" when empty)
# the setting's declared default, until the dialog sets the stored board_term_years
DEFAULT_TERM_YEARS: int = SETTINGS["board_term_years"].default


def _iso(value: _dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def _from_iso(value: object) -> _dt.date | None:
    return _dt.date.fromisoformat(value) if isinstance(value, str) and value else None


class JalaliDateDelegate(QStyledItemDelegate):
    """Edits a date cell with a JalaliDateEdit (empty allowed); the cell keeps ISO text in DATE_ROLE."""

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem, _index: QModelIndex) -> QWidget:
        editor = JalaliDateEdit(parent, allow_empty=True)
        editor.setObjectName("boardTermEdit")
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        value = _from_iso(index.data(DATE_ROLE))
        if value is not None and not jalali.MIN_EDITABLE <= value <= jalali.MAX_EDITABLE:
            value = None  # an old stored date outside the editor's range: the clerk retypes it
        editor.set_value(value)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex) -> None:
        value = editor.value()
        if _from_iso(index.data(DATE_ROLE)) == value:
            return
        model.setItemData(
            index, {DATE_ROLE: _iso(value), Qt.ItemDataRole.DisplayRole: jalali.format_jalali(value)}
        )

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, _index: QModelIndex
    ) -> None:
        rect = option.rect
        rect.setWidth(max(rect.width(), editor.sizeHint().width()))
        if editor.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            rect.moveRight(option.rect.right())
        editor.setGeometry(rect)


class BoardEditor(QWidget):
    """Rows of members; ``members()`` returns BoardMemberInput tuples, ``set_members`` loads them."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("boardTable")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(EXPERTISE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(90)
        self._fit_columns()
        self.term_years = DEFAULT_TERM_YEARS
        self.date_delegate = JalaliDateDelegate(self.table)
        for column in DATE_COLUMNS:
            self.table.setItemDelegateForColumn(column, self.date_delegate)

        self.add_button = QPushButton("افزودن عضو", self)
        self.add_button.setObjectName("addMemberButton")
        self.remove_button = QPushButton("حذف عضو", self)
        self.remove_button.setObjectName("removeMemberButton")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.table.itemChanged.connect(self._on_item_changed)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.setTabOrder(self.table, self.add_button)
        self.setTabOrder(self.add_button, self.remove_button)

    # --- public API -----------------------------------------------------------------------------

    def add_member(
        self,
        full_name: str = "",
        national_code: str = "",
        role: str = "member",
        expertise: str = "",
        terms: tuple = (None, None),
    ) -> int:
        """Append a row and return its index; ``terms`` is (term_start, term_end), dates or None."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, NAME, QTableWidgetItem(full_name))
        self.table.setItem(row, CODE, QTableWidgetItem(to_persian_digits(national_code)))
        combo = QComboBox(self.table)
        for key, label in ROLE_LABELS.items():
            combo.addItem(label, key)
        index = combo.findData(role)
        combo.setCurrentIndex(index if index >= 0 else combo.findData("member"))
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.table.setCellWidget(row, ROLE, combo)
        self.table.setItem(row, EXPERTISE, QTableWidgetItem(expertise))
        for column, value in zip(DATE_COLUMNS, terms, strict=True):
            item = QTableWidgetItem(jalali.format_jalali(value))
            item.setData(DATE_ROLE, _iso(value))
            self.table.setItem(row, column, item)
        self.changed.emit()
        return row

    def set_members(self, members) -> None:
        """Load members (objects with full_name, national_code, role, expertise, term_start, term_end)."""
        self.table.setRowCount(0)
        for m in members:
            self.add_member(
                m.full_name,
                m.national_code,
                m.role,
                getattr(m, "expertise", ""),
                (getattr(m, "term_start", None), getattr(m, "term_end", None)),
            )

    def members(self) -> list:
        """BoardMemberInput for every row that has a name or a code (blank rows are skipped)."""
        result = []
        for row in range(self.table.rowCount()):
            name = clean(self._text(row, NAME))
            code = digits_to_latin(self._text(row, CODE)).strip()
            if not name and not code:
                continue
            combo = self.table.cellWidget(row, ROLE)
            role = combo.currentData() if isinstance(combo, QComboBox) else "member"
            term_start, term_end = self.term(row, TERM_START), self.term(row, TERM_END)
            result.append(
                ngo_service.BoardMemberInput(
                    full_name=name,
                    national_code=code,
                    role=role,
                    expertise=clean(self._text(row, EXPERTISE)),
                    term_start=term_start,
                    term_end=term_end,
                )
            )
        return result

    def member_row(self, index: int) -> int:
        """The table row of ``members()[index]`` (blank rows are not members); -1 when there is none."""
        seen = -1
        for row in range(self.table.rowCount()):
            if clean(self._text(row, NAME)) or digits_to_latin(self._text(row, CODE)).strip():
                seen += 1
                if seen == index:
                    return row
        return -1

    def term(self, row: int, column: int) -> _dt.date | None:
        """The date in a term cell (TERM_START or TERM_END), None when empty."""
        item = self.table.item(row, column)
        return _from_iso(item.data(DATE_ROLE)) if item is not None else None

    def set_term(self, row: int, column: int, value: _dt.date | None) -> None:
        """Set a term cell as the cell editor would (a start may propose the end)."""
        self.table.model().setItemData(
            self.table.model().index(row, column),
            {DATE_ROLE: _iso(value), Qt.ItemDataRole.DisplayRole: jalali.format_jalali(value)},
        )

    def set_cell(self, row: int, column: int, value) -> None:
        """Set a text cell (name, code, expertise), the role (by key) or a term (a date or None)."""
        if column in DATE_COLUMNS:
            self.set_term(row, column, value)
            return
        if column == ROLE:
            combo = self.table.cellWidget(row, ROLE)
            combo.setCurrentIndex(combo.findData(value))
            return
        self.table.item(row, column).setText(value)

    def focus_row(self, row: int, column: int = NAME) -> None:
        self.table.setCurrentCell(row, column)
        self.table.setFocus()

    # --- layout ---------------------------------------------------------------------------------

    def _fit_columns(self) -> None:
        """Fixed widths for the code, role and date columns (a date cell fits its editor), and a
        minimum table width that shows every column without scrolling sideways."""
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        pad = 2 * metrics.averageCharWidth() + 8
        combo = QComboBox()
        combo.addItems(list(ROLE_LABELS.values()))
        date_width = JalaliDateEdit(allow_empty=True).sizeHint().width()
        fixed = {
            CODE: metrics.horizontalAdvance("۰" * 10) + pad,
            ROLE: combo.sizeHint().width(),
            TERM_START: date_width,
            TERM_END: date_width,
        }
        stretched = {
            NAME: metrics.horizontalAdvance("نام و نام خانوادگی") + pad,
            EXPERTISE: header.minimumSectionSize(),
        }
        total = 0
        for column, width in {**fixed, **stretched}.items():
            width = max(width, header.sectionSizeFromContents(column).width(), header.minimumSectionSize())
            if column in fixed:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, width)
            total += width
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(total + frame)

    # --- slots ----------------------------------------------------------------------------------

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        """A start entered while the end is empty proposes the end: start + term_years Jalali years."""
        row = item.row()
        if item.column() == TERM_START and self.term(row, TERM_END) is None:
            start = self.term(row, TERM_START)
            if start is not None and self.term_years > 0:
                end = jalali.add_years(start, self.term_years)
                if end <= jalali.MAX_EDITABLE:
                    self.set_term(row, TERM_END, end)  # emits itemChanged (and changed) again
                    return
        self.changed.emit()

    def _on_add_button_clicked(self) -> None:
        row = self.add_member()
        self.table.setCurrentCell(row, NAME)
        self.table.setFocus()
        self.table.editItem(self.table.item(row, NAME))

    def _on_remove_button_clicked(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""
