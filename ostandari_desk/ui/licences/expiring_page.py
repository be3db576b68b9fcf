"""The licence desk's worklists: licences expiring soon, expired, overdue inquiries, open cases and boards
whose term has ended.

Each list is one service query capped at ``ROW_CAP`` rows in its urgency order (soonest expiry, longest
overdue, oldest case), so it loads in tens of milliseconds at 100,000 NGOs. A click on a column header
reads the list again sorted by that column in the query, so the rows shown are the first of the whole list
in that order. When more match, the page says «نمایش N از M»; M is counted on a pool thread (``run_task``),
«…» until it arrives. «باز کردن پرونده» (or a double-click) opens the row's NGO on its licence tab;
«تشکیل پرونده تمدید» opens it and starts the renewal case of the licence listed.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk import settings
from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services import licences as lic
from ostandari_desk.services import reference
from ostandari_desk.services.ngos import boards
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.licences.worklist_model import COLUMNS, ID_ROLE, WorklistModel
from ostandari_desk.ui.tasks import run_task
from ostandari_desk.ui.widgets.dates import persian_locale
from ostandari_desk.ui.widgets.empty_state import EmptyOverlay
from ostandari_desk.ui.widgets.table_columns import ColumnFitter, RowTableView

__all__ = ["ROW_CAP", "VIEWS", "ExpiringLicencesPage"]

ROW_CAP = 500  # rows a list shows; the rest are counted, not loaded
# view key (the start page's filter, a DeskCounts field) -> (radio label, what a row is)
VIEWS: dict[str, tuple[str, str]] = {
    "expiring": ("در آستانه انقضا", "پروانه"),
    "expired": ("منقضی‌شده", "پروانه"),
    "overdue_inquiries": ("استعلام‌های معوق", "استعلام"),
    "open_cases": ("پرونده‌های باز", "پرونده"),
    "ended_boards": ("هیئت‌مدیره با دوره پایان‌یافته", "سمن"),
}
LICENCE_VIEWS = ("expiring", "expired")  # a renewal case can be opened from their rows
EMPTY_TEXTS = {
    "expiring": "هیچ پروانه‌ای در این بازه منقضی نمی‌شود.",
    "expired": "پروانه منقضی‌شده‌ای نیست؛ همه تمدید شده‌اند.",
    "overdue_inquiries": "استعلامی از مهلت پاسخ نگذشته است.",
    "open_cases": "پرونده بازی نیست.",
    "ended_boards": "دوره هیئت‌مدیره هیچ سمن فعالی پایان نیافته است.",
}
HINTS = {
    "licence": "یک ردیف را برگزینید: «باز کردن پرونده» (یا دوبار کلیک) پرونده پروانه سمن را باز می‌کند و "
    "«تشکیل پرونده تمدید» درخواست تمدید همان پروانه را ثبت می‌کند.",
    "case": "یک ردیف را برگزینید و «باز کردن پرونده» را بزنید (یا دوبار کلیک کنید) تا پرونده و گام بعدی آن را "
    "ببینید.",
    "board": "یک ردیف را برگزینید و «باز کردن پرونده» را بزنید تا مشخصات و هیئت‌مدیره سمن را ببینید؛ "
    "هیئت‌مدیره تازه را در «ویرایش مشخصات» ثبت کنید.",
}
RENEWAL_KEY = "open:renewal"  # the licence panel's action that opens a renewal case


class ExpiringLicencesPage(QWidget):
    """Five views (``VIEWS``); ``apply_filter({"view": ..., "within_days": n, "county_id": id})``."""

    def __init__(self, context, parent: QWidget | None = None, today: _dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("expiringLicencesPage")
        self.context = context
        self.today = today
        self.last_dialog = None
        self.total: int | None = 0  # rows matching the view (more than shown; None while counting)
        self._count_token = 0
        self._sort: tuple[str, bool] | None = None  # (column key, descending); None: urgency order

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
        self.boards_radio = self.view_radios["ended_boards"]
        self.expiring_radio.setChecked(True)
        self.days_spin = QSpinBox(self)
        self.days_spin.setObjectName("windowDaysSpin")
        self.days_spin.setLocale(persian_locale())
        self.days_spin.setRange(1, 3650)
        self.days_spin.setSuffix(" روز آینده")
        with context.uow() as uow:
            self.days_spin.setValue(int(settings.get_setting(uow, "expiring_window_days")))
            counties = reference.list_counties(uow)
        self.county_combo = QComboBox(self)
        self.county_combo.setObjectName("countyFilter")
        self.county_combo.addItem("همه شهرستان‌ها", None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")

        self.model = WorklistModel(self)
        self.table = RowTableView(self)
        self.table.setObjectName("licenceTable")
        self.table.setModel(self.model)
        # no sort indicator: the rows keep the service's urgency order until a header is clicked
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._on_table_activated)
        self.columns = ColumnFitter(
            self.table, "licenceTable/expiring", [c.width for c in COLUMNS["expiring"]], 0
        )
        self.empty_state = EmptyOverlay(self.table)

        self.open_button = QPushButton("باز کردن پرونده", self)
        self.open_button.setObjectName("openCaseButton")
        self.renew_button = QPushButton("تشکیل پرونده تمدید", self)
        self.renew_button.setObjectName("renewalCaseButton")
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("worklistHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("color: #5a6470;")

        top = QHBoxLayout()
        top.addWidget(self.expiring_radio)
        top.addWidget(self.days_spin)
        for key in ("expired", "overdue_inquiries", "open_cases", "ended_boards"):
            top.addSpacing(12)
            top.addWidget(self.view_radios[key])
        top.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("شهرستان:", self))
        filters.addWidget(self.county_combo)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addWidget(self.renew_button)
        actions.addWidget(self.hint_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

        self.view_group.buttonToggled.connect(self._on_view_group_toggled)
        self.days_spin.valueChanged.connect(lambda _v: self.refresh())
        self.county_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.model.sort_requested.connect(self._on_model_sort_requested)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(lambda *_: self._update_buttons())
        selection.currentRowChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self.open_button.clicked.connect(self.open_selected)
        self.renew_button.clicked.connect(self.renew_selected)
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

    def _on_model_sort_requested(self, key: str, descending: bool) -> None:
        self._sort = (key, descending)
        self.refresh()

    # --- reading ----------------------------------------------------------------------------------

    def _load(self, uow, view: str, today: _dt.date, county_id: str | None, limit: int) -> list:
        sort, descending = self._sort if self._sort is not None else (None, False)
        order = {"limit": limit, "sort": sort, "descending": descending}
        if view == "expiring":
            return lic.expiring_licences(uow, today, self.days_spin.value(), county_id=county_id, **order)
        if view == "expired":
            return lic.expired_licences(uow, today, county_id=county_id, **order)
        if view == "overdue_inquiries":
            return lic.overdue_inquiries(uow, today, county_id=county_id, **order)
        if view == "ended_boards":
            return boards.ended_boards(uow, today, county_id=county_id, **order)
        return lic.open_cases(uow, today, county_id=county_id, **order)

    def refresh(self) -> None:
        today = self.today or _dt.date.today()
        county_id = self.county_combo.currentData()
        view = self.view
        within_days = self.days_spin.value()
        self.days_spin.setEnabled(view == "expiring")
        self._count_token += 1  # an answer to an earlier count is for another list
        if view != self._shown_view:
            # a new set of columns: back to the service's order, with that view's widths
            self._sort = None
            self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        with self.context.uow() as uow:
            rows = self._load(uow, view, today, county_id, ROW_CAP + 1)
        capped = len(rows) > ROW_CAP
        rows = rows[:ROW_CAP]
        self.total = None if capped else len(rows)
        self.empty_state.set_text(EMPTY_TEXTS[view])
        self.model.set_rows(COLUMNS[view], rows)
        if view != self._shown_view:
            self.columns.set_columns(f"licenceTable/{view}", [c.width for c in self.model.columns], 0)
            self._shown_view = view
            kind = "licence" if view in LICENCE_VIEWS else "board" if view == "ended_boards" else "case"
            self.hint_label.setText(HINTS[kind])
            self.renew_button.setVisible(view in LICENCE_VIEWS)
        self._show_count()
        self._update_buttons()
        if capped:
            self._count_all(self._count_token, view, today, within_days, county_id)

    def _count_all(self, token: int, view: str, today: _dt.date, within_days: int, county_id) -> None:
        """Count every row of the list off the UI thread (a county's counts take a tenth of a second)."""
        context = self.context

        def count() -> int:
            with context.uow() as uow:
                if view == "ended_boards":
                    return boards.count_ended_boards(uow, today, county_id)
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
            f"{format_number(shown)} مورد نخست به ترتیب فوریت، یا به ترتیب ستونی که برگزیده‌اید، نمایش داده "
            "شده است. برای فهرست کوتاه‌تر شهرستان را انتخاب کنید."
        )

    # --- the selected row ---------------------------------------------------------------------------

    def ngo_id_at(self, row: int) -> str | None:
        return self.model.index(row, 0).data(ID_ROLE)

    def selected_row(self):
        """The frozen service row selected (None when nothing is)."""
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.row_at(index.row())

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.open_button.setEnabled(row is not None)
        self.renew_button.setEnabled(row is not None and self.view in LICENCE_VIEWS)

    def _on_table_activated(self, index) -> None:
        ngo_id = index.data(ID_ROLE)
        if ngo_id:
            self.open_ngo(ngo_id)

    def open_selected(self) -> None:
        """«باز کردن پرونده»: the selected row's NGO (its board on the boards' list, else its licence)."""
        row = self.selected_row()
        if row is not None:
            self.open_ngo(row.ngo_id, licence_tab=self.view != "ended_boards")

    def renew_selected(self) -> None:
        """«تشکیل پرونده تمدید»: the NGO opened on its licence, and the renewal case's dialog over it; when
        a renewal may not be opened now (a case already open, the licence suspended…) the NGO's licence
        tab shows what may be done, and a message says why."""
        row = self.selected_row()
        if row is None or self.view not in LICENCE_VIEWS:
            return
        view = self.open_ngo(row.ngo_id)
        if view is None:
            return
        panel = view.licence_panel
        button = panel.action_buttons.get(RENEWAL_KEY)
        if button is None:
            ui_errors.show_user_error(view, UserError(_no_renewal_reason(panel)), "تشکیل پرونده تمدید")
            return
        panel.run_action(RENEWAL_KEY)

    def open_ngo(self, ngo_id: str, licence_tab: bool = True):
        """The NGO's view (on its licence tab), window-modal; the list is read again after a change."""
        from ostandari_desk.ui.ngos.ngo_view import NgoView

        try:
            view = NgoView(self.context, ngo_id, self)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            return None
        if licence_tab:
            view.show_licence_tab()
        view.changed.connect(self.refresh)
        self.last_dialog = view
        view.open()
        return view


def _no_renewal_reason(panel) -> str:
    """Why a renewal case may not be opened for the NGO on ``panel`` (Persian)."""
    actions = panel.ngo_actions
    if actions is not None and actions.open_case is not None:
        return (
            f"برای این سمن پرونده «{actions.open_case.case_type_label}» در جریان است؛ "
            "پرونده تمدید پس از پایان آن تشکیل می‌شود."
        )
    state = actions.licence_state_label if actions is not None else ""
    return f"در وضعیت «{state}» پرونده تمدید تشکیل نمی‌شود." if state else "پرونده تمدید اکنون مجاز نیست."
