"""The centre dialog (forms/centre_dialog.ui): code, name, category, county, licensing agency and licence
number, operator, address, phone, active; the service's errors are marked on their field."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.services import reference
from ostandari_desk.services.inspections import centres as centre_service
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.history import HistoryWidget, add_history_tab
from ostandari_desk.ui.widgets.paged_list import ask_yes_no


class CentreDialog(EditDialog):
    """Create (``centre_id=None``) or edit a centre; ``saved_id`` after accept. Ctrl+S saves; Esc asks
    before throwing away changes."""

    DISCARD_QUESTION = ("کنار گذاشتن تغییرات", "تغییرات ذخیره نشده کنار گذاشته شود؟")

    def __init__(self, context, centre_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.centre_id = centre_id
        self.saved_id: str | None = None
        self._version = 1
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form = load_form("centre_dialog", self)
        f = self.form
        self.code_edit = child(f, QLineEdit, "codeEdit")
        self.name_edit = child(f, QLineEdit, "nameEdit")
        self.category_combo = child(f, QComboBox, "categoryCombo")
        self.county_combo = child(f, QComboBox, "countyCombo")
        self.agency_combo = child(f, QComboBox, "agencyCombo")
        self.licence_number_edit = child(f, QLineEdit, "licenceNumberEdit")
        self.operator_edit = child(f, QLineEdit, "operatorEdit")
        self.address_edit = child(f, QPlainTextEdit, "addressEdit")
        self.phone_edit = child(f, QLineEdit, "phoneEdit")
        self.active_check = child(f, QCheckBox, "activeCheck")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.errors = self._field_errors(child(f, QLabel, "errorLabel"))
        self.agency_combo.lineEdit().setPlaceholderText("مانند اداره کل دامپزشکی استان")
        self._label_buttons(self.button_box).setToolTip("Ctrl+S")
        self._fill_choices()
        for first, second in pairwise(
            (
                self.code_edit,
                self.name_edit,
                self.category_combo,
                self.county_combo,
                self.agency_combo,
                self.licence_number_edit,
                self.operator_edit,
                self.address_edit,
                self.phone_edit,
                self.active_check,
                self.button_box,
            )
        ):
            QWidget.setTabOrder(first, second)
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self.setWindowTitle("مرکز جدید" if centre_id is None else "ویرایش مرکز")
        self.history_tab: HistoryWidget | None = None
        if centre_id is not None:
            self._load(centre_id)
            self.tabs, self.history_tab = add_history_tab(
                self, self.form, self.button_box, context, centre_id
            )
        self._initial = self.centre_input()
        self.resize(640, 520)
        self.code_edit.setFocus()

    def _fill_choices(self) -> None:
        with self.context.uow() as uow:
            categories = centre_service.category_choices(uow)
            counties = reference.counties_in_scope(uow)  # a county user: their county alone
            agencies = centre_service.licensing_agencies(uow)
        self.category_combo.addItem("— انتخاب کنید —", None)
        for item in categories:
            self.category_combo.addItem(item.name, item.id)
        if self.context.actor.county_scope is None:
            self.county_combo.addItem("— انتخاب کنید —", None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        self.agency_combo.addItem("")
        self.agency_combo.addItems(agencies)
        self.agency_combo.setCurrentIndex(0)

    def _load(self, centre_id: str) -> None:
        with self.context.uow() as uow:
            detail = centre_service.get_centre(uow, centre_id)
        self._version = detail.row_version
        self.code_edit.setText(to_persian_digits(detail.code))
        self.name_edit.setText(detail.name)
        self._choose(self.category_combo, detail.category_id, detail.category_name)
        self._choose(self.county_combo, detail.county_id, detail.county_name)
        self.agency_combo.setCurrentText(detail.licensing_agency)
        self.licence_number_edit.setText(to_persian_digits(detail.licence_number))
        self.operator_edit.setText(detail.operator)
        self.address_edit.setPlainText(detail.address)
        self.phone_edit.setText(to_persian_digits(detail.phone))
        self.active_check.setChecked(detail.active)

    @staticmethod
    def _choose(combo: QComboBox, value: str | None, label: str) -> None:
        """Select ``value``; an inactive category or county the centre still has is added to the list."""
        index = combo.findData(value)
        if index < 0 and value:
            combo.addItem(label, value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    # --- saving -----------------------------------------------------------------------------------

    def centre_input(self) -> centre_service.CentreInput:
        return centre_service.CentreInput(
            code=self.code_edit.text(),
            name=self.name_edit.text(),
            category_id=self.category_combo.currentData(),
            county_id=self.county_combo.currentData(),
            licensing_agency=self.agency_combo.currentText(),
            licence_number=self.licence_number_edit.text(),
            operator=self.operator_edit.text(),
            address=self.address_edit.toPlainText(),
            phone=self.phone_edit.text(),
            active=self.active_check.isChecked(),
        )

    def save(self) -> bool:
        data = self.centre_input()

        def store() -> None:
            self.centre_id = self._store_versioned(
                self.centre_id, centre_service.create_centre, centre_service.update_centre, data
            )

        self.errors.clear()
        if not self._save_marked(store):
            return False
        self.saved_id = self.centre_id
        return self._accept_saved(data)

    def has_changes(self) -> bool:
        return self.centre_input() != self._initial

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "code": self.code_edit,
            "name": self.name_edit,
            "category_id": self.category_combo,
            "county_id": self.county_combo,
            "licensing_agency": self.agency_combo,
            "licence_number": self.licence_number_edit,
            "operator": self.operator_edit,
            "address": self.address_edit,
            "phone": self.phone_edit,
        }
