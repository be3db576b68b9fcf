"""Admin page «اطلاعات پایه»: the counties, the reference lists and the office settings (among them each
centre category's unannounced-visit frequency, «هر N ماه یک بار»).

Everything goes through ``services.reference`` and ``settings``; rows come back as frozen values.
Every actor may read the page; the edit buttons and the settings editor are disabled (with a tooltip
saying why) for an actor without EDIT_REFERENCE / EDIT_SETTINGS — the services refuse them anyway.
Names may be typed with Arabic ي/ك or stray spaces: the services normalize and refuse duplicates.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QWidget,
)

from ostandari_desk import settings
from ostandari_desk.domain.roles import PERMISSION_LABELS, Permission
from ostandari_desk.errors import UserError
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.errors import show_user_error
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox

__all__ = ["ReferencePage"]

INACTIVE_SUFFIX = " (غیرفعال)"
NO_REFERENCE_TIP = f"نقش شما اجازه «{PERMISSION_LABELS[Permission.EDIT_REFERENCE]}» را ندارد"
NO_SETTINGS_TIP = f"نقش شما اجازه «{PERMISSION_LABELS[Permission.EDIT_SETTINGS]}» را ندارد"
_GREY = QBrush(QColor("#8a8f96"))

# setting key -> spin box name in forms/reference_page.ui (its range is the setting's: settings.SETTINGS)
SETTING_SPINS: dict[str, str] = {
    "licence_validity_years_county": "validityCountySpin",
    "licence_validity_years_province": "validityProvinceSpin",
    "licence_validity_years_national": "validityNationalSpin",
    "inquiry_due_days": "inquiryDaysSpin",
    "board_term_years": "boardTermSpin",
    "expiring_window_days": "expiringWindowSpin",
    "release_first_tranche_max_percent": "releaseFirstSpin",
    "release_later_min_progress": "releaseLaterSpin",
}


INTERVAL_KEY = "inspection_interval_months"
INTERVAL_PREFIX = "هر "
INTERVAL_SUFFIX = " ماه یک بار"


def _fill(widget: QListWidget, rows: list, current_id: str | None) -> None:
    widget.clear()
    for row in rows:
        item = QListWidgetItem(row.name + ("" if row.active else INACTIVE_SUFFIX), widget)
        item.setData(Qt.ItemDataRole.UserRole, row.id)
        item.setData(Qt.ItemDataRole.UserRole + 1, int(row.active))  # int: see style.py
        if not row.active:
            item.setForeground(_GREY)
        if row.id == current_id:
            widget.setCurrentItem(item)


def _current(widget: QListWidget) -> tuple[str | None, bool]:
    item = widget.currentItem()
    if item is None:
        return None, False
    return item.data(Qt.ItemDataRole.UserRole), bool(item.data(Qt.ItemDataRole.UserRole + 1))


def _plain_name(widget: QListWidget) -> str:
    item = widget.currentItem()
    text = item.text() if item else ""
    return text.removesuffix(INACTIVE_SUFFIX)


class ReferencePage(QWidget):
    """``ReferencePage(context, parent=None)``: counties, reference lists, settings."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        from ostandari_desk.services.reference import KIND_LABELS

        self.context = context
        self.may_edit_reference = context.actor.may(Permission.EDIT_REFERENCE)
        self.may_edit_settings = context.actor.may(Permission.EDIT_SETTINGS)
        self.ui = load_form("reference_page", self)
        self.ui.layout().setContentsMargins(24, 20, 24, 20)
        # counties
        self.county_list = child(self.ui, QListWidget, "countyList")
        self.show_inactive_counties = child(self.ui, QCheckBox, "showInactiveCounties")
        self.toggle_county_button = child(self.ui, QPushButton, "toggleCountyButton")
        child(self.ui, QPushButton, "addCountyButton").clicked.connect(self.add_county)
        child(self.ui, QPushButton, "renameCountyButton").clicked.connect(self.rename_county)
        child(self.ui, QPushButton, "upCountyButton").clicked.connect(lambda: self.move_county(-1))
        child(self.ui, QPushButton, "downCountyButton").clicked.connect(lambda: self.move_county(1))
        self.toggle_county_button.clicked.connect(self.toggle_county)
        self.show_inactive_counties.setChecked(True)
        self.show_inactive_counties.toggled.connect(lambda _c: self.load_counties())
        self.county_list.currentItemChanged.connect(
            lambda *_: self._update_toggle(self.county_list, self.toggle_county_button)
        )
        # lists
        self.kind_combo = child(self.ui, QComboBox, "kindCombo")
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.item_list = child(self.ui, QListWidget, "itemList")
        self.show_inactive_items = child(self.ui, QCheckBox, "showInactiveItems")
        self.toggle_item_button = child(self.ui, QPushButton, "toggleItemButton")
        child(self.ui, QPushButton, "addItemButton").clicked.connect(self.add_item)
        child(self.ui, QPushButton, "renameItemButton").clicked.connect(self.rename_item)
        child(self.ui, QPushButton, "upItemButton").clicked.connect(lambda: self.move_item(-1))
        child(self.ui, QPushButton, "downItemButton").clicked.connect(lambda: self.move_item(1))
        self.toggle_item_button.clicked.connect(self.toggle_item)
        self.show_inactive_items.setChecked(True)
        self.show_inactive_items.toggled.connect(lambda _c: self.load_items())
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.load_items())
        self.item_list.currentItemChanged.connect(
            lambda *_: self._update_toggle(self.item_list, self.toggle_item_button)
        )
        # settings
        self.office_edit = child(self.ui, QLineEdit, "officeNameEdit")
        self.setting_spins: dict[str, PersianIntSpinBox] = {}
        for key, name in SETTING_SPINS.items():
            spin = child(self.ui, PersianIntSpinBox, name)
            spec = settings.SETTINGS[key]
            spin.setRange(spec.minimum, spec.maximum)
            self.setting_spins[key] = spin
        # each centre category's visit frequency (inspection_interval_months): one spin box per category
        self.interval_group = child(self.ui, QGroupBox, "intervalGroup")
        self.interval_spins: dict[str, PersianIntSpinBox] = {}  # category name -> spin box
        self._build_interval_spins()
        self.save_settings_button = child(self.ui, QPushButton, "saveSettingsButton")
        self.save_settings_button.clicked.connect(self.save_settings)
        # each county's population (credits per 10,000 inhabitants), beside the counties: admins edit it
        from PySide6.QtWidgets import QHBoxLayout

        from ostandari_desk.ui.memoranda.population import CountyPopulationTable

        self.population_table = CountyPopulationTable(context, self.may_edit_reference, self.ui)
        self.ui.findChild(QHBoxLayout, "countiesLayout").addWidget(self.population_table, 1)
        self._apply_permissions()
        self.load_counties()
        self.load_items()
        self.load_settings()

    # --- helpers --------------------------------------------------------------------------------

    def _run(self, action: Callable[[], object]) -> bool:
        """Call a service; show a refusal (UserError) in Persian. True when it went through."""
        try:
            action()
        except UserError as exc:
            show_user_error(self, exc)
            return False
        return True

    def _ask_name(self, title: str, label: str, text: str = "") -> str | None:
        name, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, text)
        return name if ok and name.strip() else None

    def _apply_permissions(self) -> None:
        """Disable what the actor may not change, with a tooltip saying why."""
        if not self.may_edit_reference:
            for name in (
                "addCountyButton",
                "renameCountyButton",
                "toggleCountyButton",
                "upCountyButton",
                "downCountyButton",
                "addItemButton",
                "renameItemButton",
                "toggleItemButton",
                "upItemButton",
                "downItemButton",
            ):
                button = child(self.ui, QPushButton, name)
                button.setEnabled(False)
                button.setToolTip(NO_REFERENCE_TIP)
        if not self.may_edit_settings:
            for widget in (
                self.office_edit,
                *self.setting_spins.values(),
                *self.interval_spins.values(),
                self.save_settings_button,
            ):
                widget.setEnabled(False)
                widget.setToolTip(NO_SETTINGS_TIP)

    def _update_toggle(self, widget: QListWidget, button: QPushButton) -> None:
        item_id, active = _current(widget)
        button.setEnabled(item_id is not None and self.may_edit_reference)
        button.setText("غیرفعال کردن" if active or item_id is None else "فعال کردن")

    # --- counties -------------------------------------------------------------------------------

    def load_counties(self, current_id: str | None = None) -> None:
        from ostandari_desk.services.reference import list_counties

        rows = list_counties(self.context.uow(), include_inactive=self.show_inactive_counties.isChecked())
        _fill(self.county_list, rows, current_id or _current(self.county_list)[0])
        self._update_toggle(self.county_list, self.toggle_county_button)
        if hasattr(self, "population_table"):
            self.population_table.load()  # a county added, renamed or moved

    def add_county(self) -> None:
        from ostandari_desk.services.reference import add_county

        name = self._ask_name("افزودن شهرستان", "نام شهرستان تازه:")
        if name:
            new_id: list[str] = []
            if self._run(lambda: new_id.append(add_county(self.context.uow(), name))):
                self.load_counties(new_id[0])

    def rename_county(self) -> None:
        from ostandari_desk.services.reference import rename_county

        county_id, _ = _current(self.county_list)
        if county_id is None:
            return
        name = self._ask_name("تغییر نام شهرستان", "نام تازه:", _plain_name(self.county_list))
        if name and self._run(lambda: rename_county(self.context.uow(), county_id, name)):
            self.load_counties(county_id)

    def toggle_county(self) -> None:
        from ostandari_desk.services.reference import set_county_active

        county_id, active = _current(self.county_list)
        if county_id is None:
            return
        if self._run(lambda: set_county_active(self.context.uow(), county_id, not active)):
            self.load_counties(county_id)

    def move_county(self, delta: int) -> None:
        from ostandari_desk.services.reference import move_county

        county_id, _ = _current(self.county_list)
        if county_id is None:
            return
        if self._run(lambda: move_county(self.context.uow(), county_id, delta)):
            self.load_counties(county_id)

    # --- reference lists ------------------------------------------------------------------------

    def current_kind(self) -> str:
        return self.kind_combo.currentData()

    def load_items(self, current_id: str | None = None) -> None:
        from ostandari_desk.services.reference import list_items

        rows = list_items(
            self.context.uow(), self.current_kind(), include_inactive=self.show_inactive_items.isChecked()
        )
        _fill(self.item_list, rows, current_id)
        self._update_toggle(self.item_list, self.toggle_item_button)

    def add_item(self) -> None:
        from ostandari_desk.services.reference import add_item

        label = self.kind_combo.currentText()
        name = self._ask_name(f"افزودن به فهرست «{label}»", "نام مورد تازه:")
        if name:
            new_id: list[str] = []
            kind = self.current_kind()
            if self._run(lambda: new_id.append(add_item(self.context.uow(), kind, name))):
                self.load_items(new_id[0])

    def rename_item(self) -> None:
        from ostandari_desk.services.reference import rename_item

        item_id, _ = _current(self.item_list)
        if item_id is None:
            return
        name = self._ask_name("تغییر نام", "نام تازه:", _plain_name(self.item_list))
        if name and self._run(lambda: rename_item(self.context.uow(), item_id, name)):
            self.load_items(item_id)

    def toggle_item(self) -> None:
        from ostandari_desk.services.reference import set_item_active

        item_id, active = _current(self.item_list)
        if item_id is None:
            return
        if self._run(lambda: set_item_active(self.context.uow(), item_id, not active)):
            self.load_items(item_id)

    def move_item(self, delta: int) -> None:
        from ostandari_desk.services.reference import move_item

        item_id, _ = _current(self.item_list)
        if item_id is None:
            return
        if self._run(lambda: move_item(self.context.uow(), item_id, delta)):
            self.load_items(item_id)

    # --- settings -------------------------------------------------------------------------------

    def _build_interval_spins(self) -> None:
        """«هر N ماه یک بار» (1–12) for every centre category, inactive ones too (their centres keep one)."""
        from ostandari_desk.domain.inspection_plan import MAX_INTERVAL
        from ostandari_desk.services.reference import list_items

        form = self.interval_group.layout()
        assert isinstance(form, QFormLayout)
        categories = list_items(self.context.uow(), "centre_category", include_inactive=True)
        for n, category in enumerate(categories):
            spin = PersianIntSpinBox(self.interval_group, minimum=1, maximum=MAX_INTERVAL)
            spin.setObjectName(f"intervalSpin_{n}")
            spin.setPrefix(INTERVAL_PREFIX)
            spin.setSuffix(INTERVAL_SUFFIX)
            label = category.name + ("" if category.active else INACTIVE_SUFFIX)
            form.addRow(f"{label}:", spin)
            self.interval_spins[category.name] = spin
        self.interval_group.setVisible(bool(categories))

    def load_settings(self) -> None:
        from ostandari_desk.domain.inspection_plan import interval_for

        values = self.context.all_settings()
        self.office_edit.setText(str(values.get("office_name") or ""))
        for key, spin in self.setting_spins.items():
            spin.setValue(int(values[key]))
        intervals = values.get(INTERVAL_KEY) or {}
        for name, spin in self.interval_spins.items():
            spin.setValue(interval_for(intervals, name))

    def interval_values(self) -> dict[str, int]:
        """The ``inspection_interval_months`` setting as the editor holds it: the stored value with every
        category shown set to its spin box (a key naming no category shown is kept as it was)."""
        from ostandari_desk.domain.text import normalize

        stored = self.context.setting(INTERVAL_KEY)
        shown = {normalize(name) for name in self.interval_spins}
        values = {k: v for k, v in stored.items() if normalize(k) not in shown}
        values.update({name: int(spin.value()) for name, spin in self.interval_spins.items()})
        return values

    def save_settings(self) -> None:
        from ostandari_desk.domain.text import clean

        office = clean(self.office_edit.text())
        if not office:
            show_user_error(self, UserError("نام اداره را وارد کنید.", field="office_name"))
            return

        intervals = self.interval_values()

        def save() -> None:
            with self.context.uow() as uow:
                settings.set_setting(uow, "office_name", office)
                for key, spin in self.setting_spins.items():
                    settings.set_setting(uow, key, int(spin.value()))
                if self.interval_spins:
                    settings.set_setting(uow, INTERVAL_KEY, intervals)
                uow.commit()

        if self._run(save):
            window = self.window()
            if hasattr(window, "set_office_title"):
                window.set_office_title(office)
            QMessageBox.information(self, "تنظیمات", "تنظیمات ذخیره شد.")
