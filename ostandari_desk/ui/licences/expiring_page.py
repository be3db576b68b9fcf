"""Licences expiring within N days, and licences already expired, with a double-click to the NGO."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk import settings
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.lifecycle import LEVEL_LABELS
from ostandari_desk.domain.text import (
    format_number,
    persian_sort_key,
    protect_hyphenated_numbers,
    rlm,
    to_persian_digits,
)
from ostandari_desk.errors import UserError
from ostandari_desk.services import licences as lic
from ostandari_desk.services import reference
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.widgets.dates import persian_locale

_ROOT = QModelIndex()  # the invisible root, as a default argument
HEADERS = ("نام سمن", "شهرستان", "شماره پروانه", "سطح", "تاریخ صدور", "تاریخ انقضا", "روز مانده")
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 1
EXPIRED_COLOUR = QColor("#c62828")
SOON_COLOUR = QColor("#b26a00")


class LicenceRowsModel(QAbstractTableModel):
    """A few hundred LicenceRow at most: held whole; a proxy sorts by ``SORT_ROLE``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                rlm(r.ngo_name),
                r.county_name,
                protect_hyphenated_numbers(to_persian_digits(r.number)),
                LEVEL_LABELS.get(r.level, r.level),
                format_jalali(r.issued_on),
                format_jalali(r.expires_on),
                format_number(r.days_left),
            )[column]
        if role == SORT_ROLE:
            return (
                persian_sort_key(r.ngo_name),
                persian_sort_key(r.county_name),
                r.number,
                r.level,
                r.issued_on.isoformat(),
                r.expires_on.isoformat(),
                r.days_left,
            )[column]
        if role == ID_ROLE:
            return r.ngo_id
        if role == Qt.ItemDataRole.ForegroundRole and column == 6:
            return EXPIRED_COLOUR if r.days_left < 0 else (SOON_COLOUR if r.days_left <= 30 else None)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


class ExpiringLicencesPage(QWidget):
    """Two views: ``expiring`` (within N days) and ``expired``. ``apply_filter({"view": ...})``."""

    def __init__(self, context, parent: QWidget | None = None, today: _dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("expiringLicencesPage")
        self.context = context
        self.today = today
        self.last_dialog = None

        self.expiring_radio = QRadioButton("در آستانه انقضا", self)
        self.expiring_radio.setObjectName("expiringRadio")
        self.expired_radio = QRadioButton("منقضی‌شده", self)
        self.expired_radio.setObjectName("expiredRadio")
        self.expiring_radio.setChecked(True)
        self.view_group = QButtonGroup(self)
        self.view_group.addButton(self.expiring_radio)
        self.view_group.addButton(self.expired_radio)
        self.days_spin = QSpinBox(self)
        self.days_spin.setObjectName("windowDaysSpin")
        self.days_spin.setLocale(persian_locale())
        self.days_spin.setRange(1, 3650)
        self.days_spin.setSuffix(" روز آینده")
        with context.uow() as uow:
            self.days_spin.setValue(int(settings.get_setting(uow, "expiring_window_days") or 60))
            counties = reference.list_counties(uow)
        self.county_combo = QComboBox(self)
        self.county_combo.setObjectName("countyFilter")
        self.county_combo.addItem("همه شهرستان‌ها", None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        self.count_label = QLabel(self)

        self.model = LicenceRowsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setObjectName("licenceTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((260, 110, 110, 80, 100, 100, 90)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._on_table_activated)

        top = QHBoxLayout()
        top.addWidget(self.expiring_radio)
        top.addWidget(self.days_spin)
        top.addSpacing(16)
        top.addWidget(self.expired_radio)
        top.addSpacing(16)
        top.addWidget(QLabel("شهرستان:", self))
        top.addWidget(self.county_combo)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

        self.expiring_radio.toggled.connect(lambda _on: self.refresh())
        self.days_spin.valueChanged.connect(lambda _v: self.refresh())
        self.county_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    @property
    def view(self) -> str:
        return "expiring" if self.expiring_radio.isChecked() else "expired"

    def focus_search(self) -> None:
        self.table.setFocus()

    def apply_filter(self, values: dict) -> None:
        """``{"view": "expired"|"expiring", "within_days": n, "county_id": id}`` — any subset."""
        for widget in (self.expiring_radio, self.expired_radio, self.days_spin, self.county_combo):
            widget.blockSignals(True)
        try:
            if values.get("view") == "expired":
                self.expired_radio.setChecked(True)
            elif values.get("view") == "expiring":
                self.expiring_radio.setChecked(True)
            if values.get("within_days"):
                self.days_spin.setValue(int(values["within_days"]))
            if "county_id" in values:
                self.county_combo.setCurrentIndex(max(0, self.county_combo.findData(values["county_id"])))
        finally:
            for widget in (self.expiring_radio, self.expired_radio, self.days_spin, self.county_combo):
                widget.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        today = self.today or _dt.date.today()
        county_id = self.county_combo.currentData()
        self.days_spin.setEnabled(self.view == "expiring")
        with self.context.uow() as uow:
            if self.view == "expiring":
                rows = lic.expiring_licences(uow, today, self.days_spin.value(), county_id=county_id)
            else:
                rows = lic.expired_licences(uow, today, county_id=county_id)
        self.model.set_rows(rows)
        self.count_label.setText(f"{format_number(len(rows))} پروانه")

    def ngo_id_at(self, proxy_row: int) -> str | None:
        return self.proxy.index(proxy_row, 0).data(ID_ROLE)

    def _on_table_activated(self, index) -> None:
        ngo_id = index.data(ID_ROLE)
        if ngo_id:
            self.open_ngo(ngo_id)

    def open_ngo(self, ngo_id: str) -> None:
        from ostandari_desk.ui.ngos.ngo_view import NgoView

        try:
            view = NgoView(self.context, ngo_id, self)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            return
        view.show_licence_tab()
        view.changed.connect(self.refresh)
        self.last_dialog = view
        view.open()
