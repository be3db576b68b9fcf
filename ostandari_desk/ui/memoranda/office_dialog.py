"""The facilitation office dialog (forms/office_dialog.ui): name, county, neighbourhoods, operating NGO,
opening date, budget and state; ``office_errors`` are marked on their fields before saving (a name its
county already has, on the name). An office already stored gets a «پروژه‌ها» tab — the memoranda funding
it, each with its three-month clock («۱۲ روز مانده» / «۵ روز گذشته») and progress, «تفاهم‌نامه تازه برای
این دفتر» (M-UI-A's MemorandumDialog, imported when asked for) — and a «سابقه تغییرات» tab."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError, ValidationError
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import offices as office_service
from ostandari_desk.ui.events.ngo_picker import NgoPicker
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.inspections.common import fill_table
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.history import HistoryWidget, add_history_tab
from ostandari_desk.ui.widgets.numbers import RialEdit
from ostandari_desk.ui.widgets.paged_list import ask_yes_no

__all__ = ["PROJECT_HEADERS", "OfficeDialog", "clock_text"]

PROJECT_HEADERS = ("شماره", "عنوان", "طرف تفاهم‌نامه", "مبلغ (ریال)", "پیشرفت", "پایان", "مهلت", "وضعیت")
_OVERDUE = QBrush(QColor("#b71c1c"))


def clock_text(days_left: int) -> str:
    """A project's three-month clock: «۱۲ روز مانده», «امروز پایان می‌یابد», «۵ روز گذشته»."""
    if days_left > 0:
        return f"{format_number(days_left)} روز مانده"
    if days_left == 0:
        return "امروز پایان می‌یابد"
    return f"{format_number(-days_left)} روز گذشته"


def _project_cells(p: office_service.OfficeProject) -> list[str]:
    progress = "بدون گزارش" if p.latest_percent is None else f"{format_number(p.latest_percent)}٪"
    clock = clock_text(p.days_left) if p.state == "active" else "—"
    return [
        p.number,
        p.title,
        p.party_name,
        format_number(p.amount),
        progress,
        format_jalali(p.ends_on),
        clock,
        p.state_label,
    ]


def _host(host: QWidget, widget: QWidget) -> QWidget:
    layout = QVBoxLayout(host)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    return widget


class OfficeDialog(EditDialog):
    """Create (``office_id=None``) or edit an office; ``saved_id`` after accept. Ctrl+S saves; Esc asks
    before throwing away changes. ``today`` runs the projects' clocks (default: the computer's date)."""

    SELECT_TEXT_ON_ERROR = False
    DISCARD_QUESTION = ("کنار گذاشتن تغییرات", "تغییرات ذخیره نشده کنار گذاشته شود؟")
    UNIQUE_ERROR_MESSAGES = False

    def __init__(
        self,
        context,
        office_id: str | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.office_id = office_id
        self.saved_id: str | None = None
        self.today = today or date.today()
        self._version = 1
        self._county_id: str | None = None  # the stored county (an inactive one may stay)
        self.detail: office_service.OfficeDetail | None = None
        self.last_dialog: QWidget | None = None
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form = load_form("office_dialog", self)
        f = self.form
        self.name_edit = child(f, QLineEdit, "nameEdit")
        self.county_combo = child(f, QComboBox, "countyCombo")
        self.neighbourhoods_edit = child(f, QLineEdit, "neighbourhoodsEdit")
        self.ngo_picker = _host(
            child(f, QWidget, "ngoHost"),
            NgoPicker(context.uow, self, "سمن مجری — نام یا شناسه ملی را بنویسید"),
        )
        child(f, QLabel, "ngoLabel").setBuddy(self.ngo_picker.edit)
        self.opened_edit = _host(child(f, QWidget, "openedHost"), JalaliDateEdit(self, allow_empty=True))
        self.opened_edit.setObjectName("openedEdit")
        child(f, QLabel, "openedLabel").setBuddy(self.opened_edit)
        self.budget_edit = child(f, RialEdit, "budgetEdit")
        self.state_combo = child(f, QComboBox, "stateCombo")
        self.projects_group = child(f, QGroupBox, "projectsGroup")
        self.projects_table = child(f, QTableWidget, "projectsTable")
        self.projects_count = child(f, QLabel, "projectsCountLabel")
        self.new_memorandum_button = child(f, QPushButton, "newMemorandumButton")
        self.open_memorandum_button = child(f, QPushButton, "openMemorandumButton")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.errors = self._field_errors(child(f, QLabel, "errorLabel"))
        self._label_buttons(self.button_box).setToolTip("Ctrl+S")
        self._setup_projects_table()
        self._fill_choices()
        for first, second in pairwise(
            (
                self.name_edit,
                self.county_combo,
                self.neighbourhoods_edit,
                self.ngo_picker.edit,
                self.opened_edit,
                self.budget_edit,
                self.state_combo,
                self.button_box,
            )
        ):
            QWidget.setTabOrder(first, second)
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        self.new_memorandum_button.clicked.connect(self.new_memorandum)
        self.open_memorandum_button.clicked.connect(self.open_selected_memorandum)
        self.projects_table.doubleClicked.connect(lambda _i: self.open_selected_memorandum())
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self.setWindowTitle("دفتر تسهیلگری جدید" if office_id is None else "ویرایش دفتر تسهیلگری")
        self.tabs = None
        self.history_tab: HistoryWidget | None = None
        if office_id is None:
            self.projects_group.hide()
        else:
            self._load(office_id)
            self.tabs, self.history_tab = add_history_tab(
                self, self.form, self.button_box, context, office_id
            )
            self.form.layout().removeWidget(self.projects_group)
            self.projects_group.setTitle("")
            self.tabs.insertTab(1, self.projects_group, self._projects_title())
        self._initial = self.office_input()
        self.resize(760, 560)
        self.name_edit.setFocus()

    # --- construction ---------------------------------------------------------------------------

    def _setup_projects_table(self) -> None:
        from PySide6.QtWidgets import QAbstractItemView, QHeaderView

        table = self.projects_table
        table.setColumnCount(len(PROJECT_HEADERS))
        table.setHorizontalHeaderLabels(list(PROJECT_HEADERS))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)

    def _fill_choices(self) -> None:
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)  # a county user: their county alone
        if self.context.actor.county_scope is None:
            self.county_combo.addItem("— انتخاب کنید —", None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        for code, label in office_service.STATE_LABELS.items():
            self.state_combo.addItem(label, code)
        self.state_combo.setCurrentIndex(self.state_combo.findData("open"))

    def _load(self, office_id: str) -> None:
        with self.context.uow() as uow:
            detail = office_service.get_office(uow, office_id, today=self.today)
        self.detail = detail
        self._version = detail.row_version
        self._county_id = detail.county_id
        self.name_edit.setText(detail.name)
        index = self.county_combo.findData(detail.county_id)
        if index < 0:  # an inactive county the office still has
            self.county_combo.addItem(detail.county_name, detail.county_id)
            index = self.county_combo.count() - 1
        self.county_combo.setCurrentIndex(index)
        self.neighbourhoods_edit.setText(detail.neighbourhoods)
        self.ngo_picker.set_value(detail.ngo_id, detail.ngo_name)
        self.opened_edit.set_value(detail.opened_on)
        self.budget_edit.set_value(detail.budget)
        self.state_combo.setCurrentIndex(max(self.state_combo.findData(detail.state), 0))
        self._show_projects(detail.projects)

    # --- projects -------------------------------------------------------------------------------

    def _projects_title(self) -> str:
        count = len(self.detail.projects) if self.detail else 0
        return f"پروژه‌ها ({format_number(count)})"

    def _show_projects(self, projects: tuple[office_service.OfficeProject, ...]) -> None:
        fill_table(self.projects_table, [_project_cells(p) for p in projects], [p.id for p in projects])
        for r, p in enumerate(projects):
            if p.overdue:
                for c in range(self.projects_table.columnCount()):
                    item = self.projects_table.item(r, c)
                    item.setForeground(_OVERDUE)
                    item.setToolTip("پایان تفاهم‌نامه گذشته و پیشرفت به ۱۰۰٪ نرسیده است")
        active = sum(1 for p in projects if p.state == "active")
        self.projects_count.setText(
            f"{format_number(len(projects))} تفاهم‌نامه، {format_number(active)} جاری"
            if projects
            else "هنوز تفاهم‌نامه‌ای این دفتر را تأمین نمی‌کند."
        )
        self.open_memorandum_button.setEnabled(bool(projects))

    def project_ids(self) -> list[str]:
        ids = []
        for r in range(self.projects_table.rowCount()):
            ids.append(self.projects_table.item(r, 0).data(Qt.ItemDataRole.UserRole))
        return ids

    def project_cell(self, row: int, column: int) -> str:
        item = self.projects_table.item(row, column)
        return item.text().lstrip("\u200f") if item is not None else ""

    def reload_projects(self) -> None:
        if self.office_id is None:
            return
        with self.context.uow() as uow:
            self.detail = office_service.get_office(uow, self.office_id, today=self.today)
        self._show_projects(self.detail.projects)
        if self.tabs is not None:
            self.tabs.setTabText(self.tabs.indexOf(self.projects_group), self._projects_title())

    def _memorandum_dialog(self, **kwargs) -> QWidget | None:
        try:
            from ostandari_desk.ui.memoranda.memorandum_dialog import MemorandumDialog
        except ImportError:
            QMessageBox.information(self, "تفاهم‌نامه", "فرم تفاهم‌نامه هنوز در دسترس نیست.")
            return None
        try:
            dialog = MemorandumDialog(self.context, parent=self, **kwargs)
        except UserError as exc:
            from ostandari_desk.ui import errors as ui_errors

            ui_errors.show_user_error(self, exc)
            return None
        self.last_dialog = dialog
        dialog.finished.connect(lambda _r: self.reload_projects())
        dialog.open()
        return dialog

    def new_memorandum(self) -> QWidget | None:
        """«تفاهم‌نامه تازه برای این دفتر»: the memorandum form with this office chosen."""
        if self.office_id is None:
            return None
        return self._memorandum_dialog(office_id=self.office_id)

    def open_selected_memorandum(self) -> QWidget | None:
        row = self.projects_table.currentRow()
        ids = self.project_ids()
        if not 0 <= row < len(ids):
            return None
        return self._memorandum_dialog(memorandum_id=ids[row])

    # --- saving -----------------------------------------------------------------------------------

    def office_input(self) -> office_service.OfficeInput:
        budget = self.budget_edit.value()
        return office_service.OfficeInput(
            name=self.name_edit.text(),
            county_id=self.county_combo.currentData(),
            neighbourhoods=self.neighbourhoods_edit.text(),
            ngo_id=self.ngo_picker.value(),
            opened_on=self.opened_edit.value(),
            budget=0 if budget is None else budget,
            state=self.state_combo.currentData() or "open",
        )

    def field_errors(self, data: office_service.OfficeInput) -> list[ValidationError]:
        """``office_errors`` of ``data`` (an inactive county the office already has is no error)."""
        found = office_service.office_errors(self.context.uow(), data, today=self.today)
        if self.office_id is not None:
            found = [e for e in found if not (e.field == "county_id" and data.county_id == self._county_id)]
        return found

    def save(self) -> bool:
        data = self.office_input()
        self.errors.clear()
        if self.budget_edit.text().strip() and self.budget_edit.value() is None:
            self.show_errors([ValidationError("بودجه دفتر باید عددی صحیح به ریال باشد", field="budget")])
            return False
        errors = self.field_errors(data)
        if errors:
            self.show_errors(list(errors))
            return False

        def store() -> bool:
            try:
                uow = self.context.uow()
                if self.office_id is None:
                    self.office_id = office_service.create_office(uow, data, today=self.today)
                    self._version = 1
                else:
                    office_service.update_office(uow, self.office_id, data, self._version, today=self.today)
                    self._version += 1
            except UserError as exc:
                if exc.field in self.field_widgets():  # the name its county already has, on the name
                    self.show_errors([exc])
                    return False
                raise
            return True

        if not self._save_guarded(store):
            return False
        self.saved_id = self.office_id
        return self._accept_saved(data)

    def has_changes(self) -> bool:
        return self.office_input() != self._initial

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "name": self.name_edit,
            "county_id": self.county_combo,
            "neighbourhoods": self.neighbourhoods_edit,
            "ngo_id": self.ngo_picker.edit,
            "opened_on": self.opened_edit,
            "budget": self.budget_edit,
            "state": self.state_combo,
        }
