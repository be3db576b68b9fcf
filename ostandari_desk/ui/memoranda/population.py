"""The counties' population column on the reference page (اطلاعات پایه ← شهرستان‌ها), for the credits per
10,000 inhabitants: an admin (EDIT_REFERENCE) types a number in Persian, Arabic-Indic or Latin digits, with
or without separators, or clears the cell (unknown); it is saved at once through
``services.reference.set_county_population`` with the version read, and shown with Persian digits."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError, ValidationError
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.widgets.numbers import parse_amount

__all__ = ["CountyPopulationTable"]

UNKNOWN = ""
_GREY = QBrush(QColor("#8a8f96"))
HINT = (
    "جمعیت هر شهرستان برای «مبلغ به ازای هر ده هزار نفر» در اعتبارات شهرستان‌ها؛ "
    "خانه خالی یعنی جمعیت نامعلوم است."
)


class CountyPopulationTable(QGroupBox):
    """``CountyPopulationTable(context, editable, parent)``: county | population; ``load()`` reads again,
    ``set_population(county_id, text)`` does what typing in the cell does."""

    def __init__(self, context, editable: bool, parent: QWidget | None = None):
        super().__init__("جمعیت شهرستان‌ها", parent)
        self.setObjectName("populationGroup")
        self.context = context
        self.editable = editable
        self._versions: dict[str, int] = {}
        self._loading = False
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("populationTable")
        self.table.setHorizontalHeaderLabels(["شهرستان", "جمعیت (نفر)"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hint = QLabel(HINT if editable else HINT + " (ثبت آن با مدیر سامانه است.)", self)
        hint.setObjectName("populationHint")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.load()

    def load(self) -> None:
        from ostandari_desk.services.reference import list_counties

        rows = list_counties(self.context.uow(), include_inactive=True)
        self._loading = True
        try:
            self.table.setRowCount(len(rows))
            self._versions = {}
            for r, county in enumerate(rows):
                self._versions[county.id] = county.row_version
                name = QTableWidgetItem(county.name)
                name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
                name.setData(Qt.ItemDataRole.UserRole, county.id)
                population = QTableWidgetItem(
                    UNKNOWN if county.population is None else format_number(county.population)
                )
                population.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                population.setData(Qt.ItemDataRole.UserRole, county.population)
                if not self.editable:
                    population.setFlags(population.flags() & ~Qt.ItemFlag.ItemIsEditable)
                else:
                    population.setToolTip("عدد جمعیت را بنویسید؛ خالی یعنی نامعلوم")
                if not county.active:
                    name.setForeground(_GREY)
                    population.setForeground(_GREY)
                self.table.setItem(r, 0, name)
                self.table.setItem(r, 1, population)
        finally:
            self._loading = False

    def row_of(self, county_id: str) -> int:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == county_id:
                return r
        return -1

    def population_text(self, county_id: str) -> str:
        row = self.row_of(county_id)
        return self.table.item(row, 1).text() if row >= 0 else ""

    def set_population(self, county_id: str, text: str) -> bool:
        """Save ``text`` (digits of any script, separators allowed; "" = unknown) as the county's population;
        False (and the error shown) when refused."""
        try:
            value = parse_amount(text)
        except ValueError:
            ui_errors.show_user_error(
                self,
                ValidationError("جمعیت شهرستان باید عددی صحیح باشد", field="population", record=county_id),
            )
            self.load()
            return False
        from ostandari_desk.services.reference import set_county_population

        try:
            set_county_population(self.context.uow(), county_id, value, self._versions.get(county_id, 1))
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            self.load()
            return False
        self.load()
        return True

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() != 1:
            return
        county_id = self.table.item(item.row(), 0).data(Qt.ItemDataRole.UserRole)
        stored = item.data(Qt.ItemDataRole.UserRole)
        try:
            typed = parse_amount(item.text())
        except ValueError:
            typed = -1  # not a number: set_population says so
        # after the editor has let go of the item: reading the table again replaces the items
        if typed == stored:
            QTimer.singleShot(0, self, self.load)  # nothing changed (the digits are shown Persian again)
            return
        text = item.text()
        QTimer.singleShot(0, self, lambda: self.set_population(county_id, text))
