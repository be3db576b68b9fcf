"""The licence desk's worklists: licences expiring soon, expired, overdue inquiries and open cases.

Each list is one service query capped at ``ROW_CAP`` rows in its urgency order (soonest expiry, longest
overdue, oldest case), so it loads in tens of milliseconds at 100,000 NGOs. When more match, the page says
«نمایش N از M»; M comes from ``desk_counts`` on a pool thread (``run_task``), «…» until it arrives.
A double-click opens the row's NGO on its licence tab.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QResizeEvent
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
from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services import licences as lic
from ostandari_desk.services import reference
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.licences.worklist_model import COLUMNS, ID_ROLE, SORT_ROLE, WorklistModel
from ostandari_desk.ui.tasks import run_task
from ostandari_desk.ui.widgets.dates import persian_locale

__all__ = ["ROW_CAP", "VIEWS", "ExpiringLicencesPage"]

ROW_CAP = 500  # rows a list shows; the rest are counted, not loaded
# view key (the start page's filter, a DeskCounts field) -> (radio label, what a row is)
VIEWS: dict[str, tuple[str, str]] = {
    "expiring": ("در آستانه انقضا", "پروانه"),
    "expired": ("منقضی‌شده", "پروانه"),
    "overdue_inquiries": ("استعلام‌های معوق", "استعلام"),
    "open_cases": ("پرونده‌های باز", "پرونده"),
}


class ExpiringLicencesPage(QWidget):
    """Four views (``VIEWS``); ``apply_filter({"view": ..., "within_days": n, "county_id": id})``."""

    def __init__(self, context, parent: QWidget | None = None, today: _dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("expiringLicencesPage")
        self.context = context
        self.today = today
        self.last_dialog = None
        self.total: int | None = 0  # rows matching the view (more than shown; None while counting)
        self._count_token = 0

        self.view_group = QButtonGroup(self)
        self.view_radios: dict[str, QRadioButton] = {}
        for key, (label, _noun) in VIEWS.items():
            radio = QRadioButton(label, self)
            head, *rest = key.split("_")
            radio.setObjectName(head + "".join(part.title() for part in rest) + "Radio")  # openCasesRadio
            self.view_group.addButton(radio)
            self.view_radios[key] = radio
        self.expiring_radio = self.view_radios["expiring"]
        self.expired_radio = self.view_radios["expired"]
        self.overdue_radio = self.view_radios["overdue_inquiries"]
        self.open_cases_radio = self.view_radios["open_cases"]
        self.expiring_radio.setChecked(True)
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
        self.count_label.setObjectName("countLabel")

        self.model = WorklistModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setObjectName("licenceTable")
        self.table.setModel(self.proxy)
        # no sort indicator: the rows keep the service's urgency order until a header is clicked
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.activated.connect(self._on_table_activated)
        self.table.horizontalHeader().sectionResized.connect(self._on_header_section_resized)

        top = QHBoxLayout()
        top.addWidget(self.expiring_radio)
        top.addWidget(self.days_spin)
        for key in ("expired", "overdue_inquiries", "open_cases"):
            top.addSpacing(12)
            top.addWidget(self.view_radios[key])
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("شهرستان:", self))
        bottom.addWidget(self.county_combo)
        bottom.addStretch(1)
        bottom.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bottom)
        layout.addWidget(self.table, 1)

        self.view_group.buttonToggled.connect(self._on_view_group_toggled)
        self.days_spin.valueChanged.connect(lambda _v: self.refresh())
        self.county_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self._shown_view: str | None = None
        self.refresh()

    @property
    def view(self) -> str:
        return next((key for key, radio in self.view_radios.items() if radio.isChecked()), "expiring")

    def focus_search(self) -> None:
        self.table.setFocus()

    def apply_filter(self, values: dict) -> None:
        """``{"view": one of VIEWS, "within_days": n, "county_id": id}`` — any subset."""
        widgets = (*self.view_radios.values(), self.view_group, self.days_spin, self.county_combo)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            radio = self.view_radios.get(values.get("view") or "")
            if radio is not None:
                radio.setChecked(True)
            if values.get("within_days"):
                self.days_spin.setValue(int(values["within_days"]))
            if "county_id" in values:
                self.county_combo.setCurrentIndex(max(0, self.county_combo.findData(values["county_id"])))
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.refresh()

    def _on_view_group_toggled(self, _button, checked: bool) -> None:
        if checked:  # the newly checked radio; the one unchecked also toggles
            self.refresh()

    def _load(self, uow, view: str, today: _dt.date, county_id: str | None, limit: int) -> list:
        if view == "expiring":
            return lic.expiring_licences(uow, today, self.days_spin.value(), county_id=county_id, limit=limit)
        if view == "expired":
            return lic.expired_licences(uow, today, county_id=county_id, limit=limit)
        if view == "overdue_inquiries":
            return lic.overdue_inquiries(uow, today, county_id=county_id, limit=limit)
        return lic.open_cases(uow, today, county_id=county_id, limit=limit)

    def refresh(self) -> None:
        today = self.today or _dt.date.today()
        county_id = self.county_combo.currentData()
        view = self.view
        within_days = self.days_spin.value()
        self.days_spin.setEnabled(view == "expiring")
        self._count_token += 1  # an answer to an earlier count is for another list
        with self.context.uow() as uow:
            rows = self._load(uow, view, today, county_id, ROW_CAP + 1)
        capped = len(rows) > ROW_CAP
        rows = rows[:ROW_CAP]
        self.total = None if capped else len(rows)
        if view != self._shown_view:
            # a new set of columns: back to the service's order, with that view's widths
            self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.set_rows(COLUMNS[view], rows)
        if view != self._shown_view:
            for column, spec in enumerate(self.model.columns):
                self.table.setColumnWidth(column, spec.width)
            self._fit_name_column()
            self._shown_view = view
        self._show_count()
        if capped:
            self._count_all(self._count_token, view, today, within_days, county_id)

    def _count_all(self, token: int, view: str, today: _dt.date, within_days: int, county_id) -> None:
        """Count every row of the list off the UI thread (a county's counts take a tenth of a second)."""
        context = self.context

        def count() -> int:
            with context.uow() as uow:
                return int(getattr(lic.desk_counts(uow, today, within_days, county_id=county_id), view))

        run_task(
            self,
            count,
            on_done=lambda total: self._on_counted(token, total),
            on_error=lambda error: self._on_count_failed(token, error),
            progress=False,
        )

    def _on_counted(self, token: int, total: int) -> None:
        if token == self._count_token:
            self.total = max(total, self.model.rowCount() + 1)
            self._show_count()

    def _on_count_failed(self, token: int, error: BaseException) -> None:
        if token != self._count_token:
            return
        self.count_label.setText(f"نمایش {format_number(self.model.rowCount())} {VIEWS[self.view][1]} نخست")
        ui_errors.show_error(self, error)

    def _show_count(self) -> None:
        shown, noun = self.model.rowCount(), VIEWS[self.view][1]
        if self.total is not None and self.total <= shown:
            self.count_label.setText(f"{format_number(shown)} {noun}")
            self.count_label.setToolTip("")
            return
        total = "…" if self.total is None else format_number(self.total)
        self.count_label.setText(f"نمایش {format_number(shown)} از {total} {noun}")
        self.count_label.setToolTip(
            f"{format_number(shown)} مورد نخست به ترتیب فوریت نمایش داده شده است و مرتب‌سازی ستون‌ها "
            "همین‌ها را مرتب می‌کند. برای فهرست کوتاه‌تر شهرستان را انتخاب کنید."
        )

    def _fit_name_column(self) -> None:
        """The NGO's name (column 0) takes the room the other columns leave, never under its own width."""
        others = sum(self.table.columnWidth(c) for c in range(1, self.model.columnCount()))
        room = self.table.viewport().width() - others
        self.table.setColumnWidth(0, max(self.model.columns[0].width, room))

    def _on_header_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column != 0:  # the clerk widened another column (column 0 is ours to set)
            self._fit_name_column()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_name_column()

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
