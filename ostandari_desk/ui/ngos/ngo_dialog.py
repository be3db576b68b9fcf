"""The NGO dialog (forms/ngo_dialog.ui): create or edit one NGO with its fields of activity and board."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.lifecycle import LEVEL_LABELS
from ostandari_desk.domain.text import clean, digits_to_latin, to_persian_digits
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.services import reference
from ostandari_desk.services.licences.rows import PROVINCE_LABEL
from ostandari_desk.ui.forms import load_form
from ostandari_desk.ui.ngos.board_editor import CODE, NAME, TERM_END, BoardEditor
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.edit_dialog import EditDialog

WARNING_QUESTION = "ادامه می‌دهید؟"


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """A Persian yes/no question; tests replace this function."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton("بله، ادامه", QMessageBox.ButtonRole.YesRole)
    box.addButton("خیر", QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(yes)
    box.exec()
    return box.clickedButton() is yes


class NgoDialog(EditDialog):
    """Create (``ngo_id=None``) or edit an NGO. After ``accept()``, ``saved_id`` holds its id."""

    def __init__(self, context, ngo_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.ngo_id = ngo_id
        self.saved_id: str | None = None
        self._version: int | None = None
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no

        self.form = load_form("ngo_dialog", self)
        self._find_widgets()
        self._add_date_editors()
        self._add_board_editor()
        self._fill_choices()
        self._set_tab_order()
        self._connect()
        self.setWindowTitle("سمن جدید" if ngo_id is None else "ویرایش سمن")
        if ngo_id is not None:
            self._load(ngo_id)
        self.nameEdit.setFocus()

    # --- construction ---------------------------------------------------------------------------

    def _find_widgets(self) -> None:
        find = self.form.findChild if self.form is not None else self.findChild
        for cls, name in (
            (QLineEdit, "nameEdit"),
            (QLineEdit, "nationalIdEdit"),
            (QLineEdit, "registrationNoEdit"),
            (QWidget, "registeredOnHolder"),
            (QWidget, "foundedOnHolder"),
            (QComboBox, "levelCombo"),
            (QComboBox, "countyCombo"),
            (QLineEdit, "ceoNameEdit"),
            (QLineEdit, "ceoCodeEdit"),
            (QLineEdit, "phoneEdit"),
            (QPlainTextEdit, "addressEdit"),
            (QListWidget, "fieldsList"),
            (QWidget, "boardGroup"),
            (QDialogButtonBox, "buttonBox"),
        ):
            widget = find(cls, name)
            if widget is None:
                raise RuntimeError(f"forms/ngo_dialog.ui lacks {name}")
            setattr(self, name, widget)
        self.save_button = self._label_buttons(self.buttonBox)
        self.cancel_button = self.buttonBox.button(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)

    def _add_date_editors(self) -> None:
        self.registeredOnEdit = JalaliDateEdit(self.registeredOnHolder, allow_empty=True)
        self.registeredOnEdit.setObjectName("registeredOnEdit")
        self.foundedOnEdit = JalaliDateEdit(self.foundedOnHolder, allow_empty=True)
        self.foundedOnEdit.setObjectName("foundedOnEdit")
        for holder, editor in (
            (self.registeredOnHolder, self.registeredOnEdit),
            (self.foundedOnHolder, self.foundedOnEdit),
        ):
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(editor)
            holder.setFocusProxy(editor)
        self.registeredOnEdit.set_value(None)
        self.foundedOnEdit.set_value(None)

    def _add_board_editor(self) -> None:
        self.board = BoardEditor(self.boardGroup)
        self.board.term_years = int(self.context.setting("board_term_years"))
        layout = self.boardGroup.layout() or QVBoxLayout(self.boardGroup)
        layout.addWidget(self.board)

    def _fill_choices(self) -> None:
        for key, label in LEVEL_LABELS.items():
            self.levelCombo.addItem(label, str(key))
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)  # a county user: their county alone
            fields = reference.list_items(uow, "field")
        for county in counties:
            self.countyCombo.addItem(county.name, county.id)
        if self.context.actor.county_scope is None:
            self.countyCombo.addItem(PROVINCE_LABEL, None)
        for item in fields:
            entry = QListWidgetItem(item.name, self.fieldsList)
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Unchecked)

    def _set_tab_order(self) -> None:
        chain = [
            self.nameEdit,
            self.nationalIdEdit,
            self.registrationNoEdit,
            self.registeredOnEdit,
            self.foundedOnEdit,
            self.levelCombo,
            self.countyCombo,
            self.ceoNameEdit,
            self.ceoCodeEdit,
            self.phoneEdit,
            self.addressEdit,
            self.fieldsList,
            self.board.table,
            self.board.add_button,
            self.board.remove_button,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.buttonBox.accepted.connect(self.save)
        self.buttonBox.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)

    # --- loading and reading --------------------------------------------------------------------

    def _load(self, ngo_id: str) -> None:
        with self.context.uow() as uow:
            detail = ngo_service.get_ngo(uow, ngo_id)
        self._version = detail.row_version  # NgoDetail's optimistic-locking version (update_ngo checks it)
        self.nameEdit.setText(detail.name)
        self.nationalIdEdit.setText(to_persian_digits(detail.national_id))
        self.registrationNoEdit.setText(to_persian_digits(detail.registration_no or ""))
        self.registeredOnEdit.set_value(detail.registered_on)
        self.foundedOnEdit.set_value(detail.founded_on)
        self.levelCombo.setCurrentIndex(max(0, self.levelCombo.findData(str(detail.level))))
        county_index = self._county_index(detail.county_id)
        if county_index < 0 and detail.county_id is not None:
            # An inactive county: keep it selectable for this record.
            self.countyCombo.addItem(getattr(detail, "county_name", "") or "؟", detail.county_id)
            county_index = self.countyCombo.count() - 1
        self.countyCombo.setCurrentIndex(county_index)
        self.ceoNameEdit.setText(detail.ceo_name or "")
        self.ceoCodeEdit.setText(to_persian_digits(detail.ceo_national_code or ""))
        self.phoneEdit.setText(to_persian_digits(detail.phone or ""))
        self.addressEdit.setPlainText(detail.address or "")
        chosen = set(_field_ids_of(detail))
        for i in range(self.fieldsList.count()):
            item = self.fieldsList.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.board.set_members(getattr(detail, "board", ()) or ())

    def _county_index(self, county_id: str | None) -> int:
        for i in range(self.countyCombo.count()):
            if self.countyCombo.itemData(i) == county_id:
                return i
        return -1

    def field_ids(self) -> tuple[str, ...]:
        return tuple(
            self.fieldsList.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.fieldsList.count())
            if self.fieldsList.item(i).checkState() == Qt.CheckState.Checked
        )

    def set_field_checked(self, name: str, checked: bool = True) -> None:
        for i in range(self.fieldsList.count()):
            item = self.fieldsList.item(i)
            if item.text() == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def ngo_input(self):
        """The NgoInput the widgets describe (text cleaned, digits made Latin)."""
        return ngo_service.NgoInput(
            national_id=digits_to_latin(self.nationalIdEdit.text()).strip(),
            name=clean(self.nameEdit.text()),
            county_id=self.countyCombo.currentData(),
            level=self.levelCombo.currentData(),
            registration_no=digits_to_latin(clean(self.registrationNoEdit.text())),
            registered_on=self.registeredOnEdit.value(),
            founded_on=self.foundedOnEdit.value(),
            ceo_name=clean(self.ceoNameEdit.text()),
            ceo_national_code=digits_to_latin(self.ceoCodeEdit.text()).strip(),
            phone=digits_to_latin(clean(self.phoneEdit.text())),
            address=clean(self.addressEdit.toPlainText()),
            field_ids=self.field_ids(),
        )

    # --- saving ---------------------------------------------------------------------------------

    def save(self) -> bool:
        """Validate, confirm warnings, store. Returns True (and accepts) when the NGO was saved."""
        data = self.ngo_input()
        board = self.board.members()

        def store() -> bool:
            with self.context.uow() as uow:
                warnings = ngo_service.validate_ngo(uow, data, ngo_id=self.ngo_id, board=board)
            if warnings and not self.confirm(self, "هشدار", "\n".join(warnings) + "\n\n" + WARNING_QUESTION):
                return False
            uow = self.context.uow()  # the service's own block commits
            if self.ngo_id is None:
                self.saved_id = ngo_service.create_ngo(uow, data, board)
            else:
                ngo_service.update_ngo(uow, self.ngo_id, data, board, self._version)
                self.saved_id = self.ngo_id
            return True

        if not self._save_guarded(store):
            return False
        self.accept()
        return True

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "name": self.nameEdit,
            "national_id": self.nationalIdEdit,
            "registration_no": self.registrationNoEdit,
            "registered_on": self.registeredOnEdit,
            "founded_on": self.foundedOnEdit,
            "level": self.levelCombo,
            "county_id": self.countyCombo,
            "county": self.countyCombo,
            "ceo_name": self.ceoNameEdit,
            "ceo_national_code": self.ceoCodeEdit,
            "phone": self.phoneEdit,
            "address": self.addressEdit,
            "field_ids": self.fieldsList,
            "fields": self.fieldsList,
        }

    def focus_field(self, field: str | None) -> bool:
        """Put the cursor in the widget of a service field name (``national_id``, ``board.1.national_code``...)."""
        if super().focus_field(field):
            return True
        if not field or not field.startswith("board"):
            return False
        digits = "".join(ch if ch.isdigit() else " " for ch in field).split()
        row = self.board.member_row(int(digits[0])) if digits else 0
        column = TERM_END if "term" in field else CODE if "code" in field else NAME
        if 0 <= row < self.board.table.rowCount():
            self.board.focus_row(row, column)
        else:
            self.board.table.setFocus()
        return True


def _field_ids_of(detail) -> tuple:
    ids = getattr(detail, "field_ids", None)
    if ids is not None:
        return tuple(ids)
    fields = getattr(detail, "fields", ()) or ()
    return tuple(getattr(f, "id", f) for f in fields)
