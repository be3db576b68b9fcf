"""The memorandum form (forms/memorandum_dialog.ui): number, title, the party (the county's governorate or an
NGO from the registry), county, social harm, the facilitation office it funds, the amount in rials (with its
words), signing and start dates, the duration with the end date computed live, and the state. Every rule
``memorandum_errors`` finds is marked on its field. A stored memorandum also shows its progress reports (with
scans), its payments with the ledger (memorandum_tabs.py) and «سابقه تغییرات»."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTabWidget,
    QWidget,
)

from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain.jalali import add_months, format_jalali
from ostandari_desk.domain.text import rials_in_words, to_persian_digits
from ostandari_desk.errors import UserError, ValidationError
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import memoranda as memo_service
from ostandari_desk.services.memoranda import offices as office_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.events.ngo_picker import NgoPicker, ngo_label
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.letters.dialog import open_with_system_viewer
from ostandari_desk.ui.memoranda.memorandum_tabs import MemorandumTabsMixin
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.history import HISTORY_TAB_TITLE, HistoryWidget
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox, RialEdit
from ostandari_desk.ui.widgets.paged_list import ask_yes_no

__all__ = ["PROVINCE", "MemorandumDialog"]

PROVINCE = "استان"
NO_CHOICE = "—"
WORDS_LIMIT = 10**18  # rials_in_words' range


class MemorandumDialog(MemorandumTabsMixin, EditDialog):
    """Create (``memorandum_id=None``; ``office_id`` pre-chooses the office it funds, its county and its NGO)
    or edit a memorandum; ``saved_id`` after accept. Ctrl+S saves; Esc asks before throwing away changes.
    ``confirm``, ``choose_files`` and ``open_file`` may be replaced (tests)."""

    DISCARD_QUESTION = ("کنار گذاشتن تغییرات", "تغییرات ذخیره نشده کنار گذاشته شود؟")

    def __init__(
        self,
        context,
        memorandum_id: str | None = None,
        office_id: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.memorandum_id = memorandum_id
        self.saved_id: str | None = None
        self.detail: memo_service.MemorandumDetail | None = None
        self.last_dialog: QWidget | None = None
        self._version = 1
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.choose_files: Callable[[], list[str]] = self._choose_files
        self.open_file: Callable[[Path], bool] = open_with_system_viewer
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form = load_form("memorandum_dialog", self)
        self.layout().setContentsMargins(9, 9, 9, 9)
        f = self.form
        self.tabs = child(f, QTabWidget, "memorandumTabs")
        self.number_edit = child(f, QLineEdit, "numberEdit")
        self.title_edit = child(f, QLineEdit, "titleEdit")
        self.governorate_radio = child(f, QRadioButton, "governorateRadio")
        self.ngo_radio = child(f, QRadioButton, "ngoRadio")
        self.ngo_picker = NgoPicker(context.uow, child(f, QWidget, "ngoHost"))
        host_layout = QHBoxLayout(child(f, QWidget, "ngoHost"))
        host_layout.setContentsMargins(0, 0, 0, 0)
        host_layout.addWidget(self.ngo_picker)
        self.ngo_picker.setMinimumWidth(320)
        self.county_combo = child(f, QComboBox, "countyCombo")
        self.harm_combo = child(f, QComboBox, "harmCombo")
        self.office_combo = child(f, QComboBox, "officeCombo")
        self.amount_edit = child(f, RialEdit, "amountEdit")
        self.amount_words_label = child(f, QLabel, "amountWordsLabel")
        self.signed_edit = child(f, JalaliDateEdit, "signedEdit")
        self.starts_edit = child(f, JalaliDateEdit, "startsEdit")
        self.duration_spin = child(f, PersianIntSpinBox, "durationSpin")
        self.ends_label = child(f, QLabel, "endsLabel")
        self.state_combo = child(f, QComboBox, "stateCombo")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.errors = self._field_errors(child(f, QLabel, "errorLabel"))
        self.save_button = self._label_buttons(self.button_box)
        self.save_button.setToolTip("Ctrl+S")
        self.duration_spin.setRange(rules.DURATION_MIN, rules.DURATION_MAX)
        self.duration_spin.setValue(rules.DEFAULT_DURATION_MONTHS)
        self._setup_tabs()
        self._fill_choices()
        self._last_signed: date | None = self.signed_edit.value()
        self._connect()
        self.setWindowTitle("تفاهم‌نامه جدید" if memorandum_id is None else "تفاهم‌نامه")
        self.history_tab: HistoryWidget | None = None
        if memorandum_id is not None:
            self._load(memorandum_id)
            self.history_tab = HistoryWidget(context, self.record_ids(), self.tabs)
            self.tabs.addTab(self.history_tab, HISTORY_TAB_TITLE)
        elif office_id is not None:
            self._preset_office(office_id)
        self._on_party_toggled()
        self._update_words()
        self._update_ends()
        self._initial = self.memorandum_input()
        self.resize(920, 650)
        self.number_edit.setFocus()

    # --- construction -------------------------------------------------------------------------------

    def _connect(self) -> None:
        for first, second in pairwise(
            (
                self.number_edit,
                self.title_edit,
                self.governorate_radio,
                self.ngo_radio,
                self.ngo_picker.edit,
                self.county_combo,
                self.harm_combo,
                self.office_combo,
                self.amount_edit,
                self.signed_edit,
                self.starts_edit,
                self.duration_spin,
                self.state_combo,
                self.button_box,
            )
        ):
            QWidget.setTabOrder(first, second)
        self.ngo_radio.toggled.connect(self._on_party_toggled)
        self.ngo_picker.value_changed.connect(self._on_ngo_picker_value_changed)
        self.county_combo.currentIndexChanged.connect(self._on_county_combo_changed)
        self.amount_edit.value_changed.connect(self._update_words)
        self.signed_edit.value_changed.connect(self._on_signed_edit_value_changed)
        self.starts_edit.value_changed.connect(self._update_ends)
        self.duration_spin.valueChanged.connect(self._update_ends)
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)

    def _fill_choices(self) -> None:
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)  # a county user: their county alone
            harms = memo_service.social_harm_choices(uow)
        if self.context.actor.county_scope is None:
            self.county_combo.addItem(PROVINCE, None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        self.harm_combo.addItem(NO_CHOICE, None)
        for item in harms:
            self.harm_combo.addItem(item.name, item.id)
        for key, label in rules.STATE_LABELS.items():
            self.state_combo.addItem(label, key)
        self._fill_offices()

    def _fill_offices(self, keep: str | None = None, keep_label: str = "") -> None:
        """The offices of the chosen county (none for the province), keeping ``keep`` when given."""
        county_id = self.county_combo.currentData()
        current = keep if keep is not None else self.office_combo.currentData()
        choices: list[tuple[str, str]] = []
        if county_id is not None:
            with self.context.uow() as uow:
                choices = office_service.office_choices(uow, county_id)
        self.office_combo.blockSignals(True)
        self.office_combo.clear()
        self.office_combo.addItem(NO_CHOICE, None)
        for office_id, name in choices:
            self.office_combo.addItem(name, office_id)
        self.office_combo.blockSignals(False)
        self._choose(self.office_combo, current, keep_label)

    def _load(self, memorandum_id: str) -> None:
        with self.context.uow() as uow:
            d = memo_service.get_memorandum(uow, memorandum_id)
        self.detail = d
        self._version = d.row_version
        self.number_edit.setText(to_persian_digits(d.number))
        self.title_edit.setText(d.title)
        (self.ngo_radio if d.party_kind == rules.PARTY_NGO else self.governorate_radio).setChecked(True)
        if d.ngo_id:
            self.ngo_picker.set_value(d.ngo_id, ngo_label(d.ngo_name, d.ngo_national_id))
        self._choose(self.county_combo, d.county_id, d.county_name)
        self._choose(self.harm_combo, d.social_harm_id, d.social_harm_name)
        self._fill_offices(d.office_id, d.office_name)
        self.amount_edit.set_value(d.amount)
        self.signed_edit.set_value(d.signed_on)
        self._last_signed = d.signed_on
        self.starts_edit.set_value(d.starts_on)
        self.duration_spin.setValue(d.duration_months)
        self._choose(self.state_combo, d.state, d.state_label)
        self.setWindowTitle(f"تفاهم‌نامه {to_persian_digits(d.number)}")
        self.show_detail(d)

    def _preset_office(self, office_id: str) -> None:
        """A new memorandum for an office: its county, the office and (when it has one) its operating NGO."""
        with self.context.uow() as uow:
            office = office_service.get_office(uow, office_id)
        self._choose(self.county_combo, office.county_id, office.county_name)
        self._fill_offices(office.id, office.name)
        if office.ngo_id:
            self.ngo_radio.setChecked(True)
            self.ngo_picker.set_value(office.ngo_id, office.ngo_name)

    @staticmethod
    def _choose(combo: QComboBox, value: str | None, label: str) -> None:
        """Select ``value``; one the memorandum still has but the list lacks (inactive) is added."""
        index = combo.findData(value)
        if index < 0 and value:
            combo.addItem(label, value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    # --- live parts -----------------------------------------------------------------------------------

    def _on_party_toggled(self, *_args) -> None:
        self.ngo_picker.setEnabled(self.ngo_radio.isChecked())

    def _on_ngo_picker_value_changed(self, ngo_id) -> None:
        if ngo_id is not None and not self.ngo_radio.isChecked():
            self.ngo_radio.setChecked(True)

    def _on_county_combo_changed(self, _index: int) -> None:
        self._fill_offices()

    def _update_words(self, *_args) -> None:
        amount = self.amount_edit.value()
        if amount is None:
            self.amount_words_label.setText("")
        elif abs(amount) > WORDS_LIMIT:
            self.amount_words_label.setText("مبلغ بیش از اندازه بزرگ است")
        else:
            self.amount_words_label.setText(rials_in_words(amount))

    def _on_signed_edit_value_changed(self, signed: date | None) -> None:
        """The start follows the signing while the clerk has not set it apart."""
        starts = self.starts_edit.value()
        if signed is not None and (starts is None or starts == self._last_signed):
            self.starts_edit.set_value(signed)
        self._last_signed = signed

    def _update_ends(self, *_args) -> None:
        starts = self.starts_edit.value()
        if starts is None:
            self.ends_label.setText("")
            return
        ends = add_months(starts, self.duration_spin.value())
        self.ends_label.setText(f"پایان: {format_jalali(ends)}")

    # --- saving -----------------------------------------------------------------------------------

    def memorandum_input(self) -> memo_service.MemorandumInput:
        ngo = self.ngo_radio.isChecked()
        return memo_service.MemorandumInput(
            number=self.number_edit.text(),
            title=self.title_edit.text(),
            party_kind=rules.PARTY_NGO if ngo else rules.PARTY_COUNTY,
            ngo_id=self.ngo_picker.value() if ngo else None,
            county_id=self.county_combo.currentData(),
            social_harm_id=self.harm_combo.currentData(),
            office_id=self.office_combo.currentData(),
            amount=self.amount_edit.value(),
            signed_on=self.signed_edit.value(),
            starts_on=self.starts_edit.value(),
            duration_months=self.duration_spin.value(),
            state=self.state_combo.currentData(),
        )

    def field_errors(self, data: memo_service.MemorandumInput) -> list[ValidationError]:
        """Every rule ``data`` breaks (services.memoranda.memorandum_errors)."""
        with self.context.uow() as uow:
            stored = memo_service.get_stored(uow, self.memorandum_id) if self.memorandum_id else None
            return memo_service.memorandum_errors(uow, data, stored)

    def show_errors(self, found: list[ValidationError]) -> None:
        self._mark_errors(found)
        for index in range(self.tabs.count()):  # the form's tab, where the fields are
            if self.tabs.widget(index).isAncestorOf(self.number_edit):
                self.tabs.setCurrentIndex(index)
        self.focus_field(found[0].field)

    def save(self) -> bool:
        data = self.memorandum_input()
        self.errors.clear()
        try:
            found = self.field_errors(data)
        except UserError as exc:  # the memorandum is gone or out of scope
            ui_errors.show_user_error(self, exc)
            return False
        if found:
            self.show_errors(found)
            return False

        def store() -> None:
            self.memorandum_id = self._store_versioned(
                self.memorandum_id, memo_service.create_memorandum, memo_service.update_memorandum, data
            )

        if not self._save_marked(store):
            return False
        self.saved_id = self.memorandum_id
        return self._accept_saved(data)

    def has_changes(self) -> bool:
        return self.memorandum_input() != self._initial

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "number": self.number_edit,
            "title": self.title_edit,
            "party_kind": self.governorate_radio,
            "ngo_id": self.ngo_picker.edit,
            "county_id": self.county_combo,
            "social_harm_id": self.harm_combo,
            "office_id": self.office_combo,
            "amount": self.amount_edit,
            "signed_on": self.signed_edit,
            "starts_on": self.starts_edit,
            "duration_months": self.duration_spin,
            "state": self.state_combo,
        }
