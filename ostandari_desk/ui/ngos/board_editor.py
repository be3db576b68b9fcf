"""The board (هیئت مدیره) editor: a table of members with add/remove, giving BoardMemberInput values."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.text import clean, digits_to_latin, to_persian_digits
from ostandari_desk.services import ngos as ngo_service

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

HEADERS = ("نام و نام خانوادگی", "کد ملی", "سمت", "تخصص")
NAME, CODE, ROLE, EXPERTISE = range(4)
TERMS_ROLE = Qt.ItemDataRole.UserRole + 1  # (term_start, term_end) kept for members loaded from the store


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
        header.setSectionResizeMode(CODE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ROLE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EXPERTISE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(90)

        self.add_button = QPushButton("افزودن عضو", self)
        self.add_button.setObjectName("addMemberButton")
        self.remove_button = QPushButton("حذف عضو", self)
        self.remove_button.setObjectName("removeMemberButton")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.table.itemChanged.connect(lambda _item: self.changed.emit())

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
        """Append a row and return its index."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        name_item = QTableWidgetItem(full_name)
        name_item.setData(TERMS_ROLE, terms)
        self.table.setItem(row, NAME, name_item)
        self.table.setItem(row, CODE, QTableWidgetItem(to_persian_digits(national_code)))
        combo = QComboBox(self.table)
        for key, label in ROLE_LABELS.items():
            combo.addItem(label, key)
        index = combo.findData(role)
        combo.setCurrentIndex(index if index >= 0 else combo.findData("member"))
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.table.setCellWidget(row, ROLE, combo)
        self.table.setItem(row, EXPERTISE, QTableWidgetItem(expertise))
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
            item = self.table.item(row, NAME)
            term_start, term_end = (item.data(TERMS_ROLE) if item is not None else None) or (None, None)
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

    def set_cell(self, row: int, column: int, value: str) -> None:
        """Set a text cell (name, code, expertise) or the role (by key)."""
        if column == ROLE:
            combo = self.table.cellWidget(row, ROLE)
            combo.setCurrentIndex(combo.findData(value))
            return
        self.table.item(row, column).setText(value)

    def focus_row(self, row: int, column: int = NAME) -> None:
        self.table.setCurrentCell(row, column)
        self.table.setFocus()

    # --- slots ----------------------------------------------------------------------------------

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
