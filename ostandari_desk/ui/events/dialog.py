"""The event dialog (forms/event_dialog.ui): kind, title, Jalali dates, county, organizer, participants."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.services import events as event_service
from ostandari_desk.services import reference
from ostandari_desk.ui.events.ngo_picker import NgoPicker, ngo_label
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.history import HistoryWidget, add_history_tab

NGO_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _host(host: QWidget, widget: QWidget) -> QWidget:
    layout = QVBoxLayout(host)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    return widget


class EventDialog(EditDialog):
    """Create (``event_id=None``) or edit an event; after ``accept()`` ``saved_id`` holds its id. Ctrl+S saves."""

    SELECT_TEXT_ON_ERROR = False

    def __init__(
        self, context, event_id: str | None = None, parent: QWidget | None = None, *, starts_on=None
    ):
        super().__init__(parent)
        self.context = context
        self.event_id = event_id
        self.saved_id: str | None = None
        self._version = 1
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form = load_form("event_dialog", self)
        f = self.form
        self.kind_combo = child(f, QComboBox, "kindCombo")
        self.title_edit = child(f, QLineEdit, "titleEdit")
        self.county_combo = child(f, QComboBox, "countyCombo")
        self.attendees_spin = child(f, QSpinBox, "attendeesSpin")
        self.hours_spin = child(f, QSpinBox, "hoursSpin")
        self.note_edit = child(f, QPlainTextEdit, "noteEdit")
        self.ngo_list = child(f, QListWidget, "ngoList")
        self.add_ngo_button = child(f, QPushButton, "addNgoButton")
        self.remove_ngo_button = child(f, QPushButton, "removeNgoButton")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.starts_on_edit = _host(child(f, QWidget, "startsOnHost"), JalaliDateEdit(self))
        self.ends_on_edit = _host(child(f, QWidget, "endsOnHost"), JalaliDateEdit(self, allow_empty=True))
        self.organizer_picker = _host(
            child(f, QWidget, "organizerHost"),
            NgoPicker(context.uow, self, "اداره کل — برای سمن، نام یا شناسه ملی را بنویسید"),
        )
        self.participant_picker = _host(child(f, QWidget, "participantHost"), NgoPicker(context.uow, self))
        self.starts_on_edit.setObjectName("startsOnEdit")
        self.ends_on_edit.setObjectName("endsOnEdit")
        child(f, QLabel, "startsOnLabel").setBuddy(self.starts_on_edit)
        child(f, QLabel, "endsOnLabel").setBuddy(self.ends_on_edit)
        child(f, QLabel, "organizerLabel").setBuddy(self.organizer_picker.edit)
        self.attendees_spin.setRange(0, 1_000_000)
        self.hours_spin.setRange(0, 10_000)
        self._label_buttons(self.button_box).setToolTip("Ctrl+S")
        self._fill_choices()
        self._set_tab_order()
        self._connect()
        self.setWindowTitle("رویداد جدید" if event_id is None else "ویرایش رویداد")
        self.history_tab: HistoryWidget | None = None  # «سابقه تغییرات», for a record already stored
        if event_id is not None:
            self._load(event_id)
            self.tabs, self.history_tab = add_history_tab(self, self.form, self.button_box, context, event_id)
        elif starts_on is not None:
            self.starts_on_edit.set_value(starts_on)
        self._on_kind_changed()
        self._update_ngo_buttons()
        self.title_edit.setFocus()

    # --- construction ---------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        for kind, label in event_service.KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)  # a county user: their county alone
        if self.context.actor.county_scope is None:
            self.county_combo.addItem(event_service.PROVINCE_LABEL, None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)

    def _set_tab_order(self) -> None:
        chain = [
            self.kind_combo,
            self.title_edit,
            self.starts_on_edit,
            self.ends_on_edit,
            self.county_combo,
            self.organizer_picker.edit,
            self.attendees_spin,
            self.hours_spin,
            self.note_edit,
            self.participant_picker.edit,
            self.add_ngo_button,
            self.ngo_list,
            self.remove_ngo_button,
            self.button_box,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.add_ngo_button.clicked.connect(self._on_add_ngo_button_clicked)
        self.remove_ngo_button.clicked.connect(self.remove_selected_ngo)
        self.participant_picker.value_changed.connect(lambda _v: self._update_ngo_buttons())
        self.ngo_list.currentRowChanged.connect(lambda _r: self._update_ngo_buttons())
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)

    def _load(self, event_id: str) -> None:
        with self.context.uow() as uow:
            detail = event_service.get_event(uow, event_id)
        self._version = detail.row_version
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(detail.kind), 0))
        self.title_edit.setText(detail.title)
        self.starts_on_edit.set_value(detail.starts_on)
        self.ends_on_edit.set_value(detail.ends_on)
        self.county_combo.setCurrentIndex(max(self.county_combo.findData(detail.county_id), 0))
        if detail.organizer:
            self.organizer_picker.set_value(
                detail.organizer.id, ngo_label(detail.organizer.name, detail.organizer.national_id)
            )
        self.attendees_spin.setValue(detail.attendees)
        self.hours_spin.setValue(detail.training_hours)
        self.note_edit.setPlainText(detail.note)
        for ngo in detail.ngos:
            self.add_ngo(ngo.id, ngo_label(ngo.name, ngo.national_id))

    # --- participants ---------------------------------------------------------------------------

    def ngo_ids(self) -> tuple[str, ...]:
        return tuple(self.ngo_list.item(i).data(NGO_ID_ROLE) for i in range(self.ngo_list.count()))

    def add_ngo(self, ngo_id: str, label: str) -> bool:
        """Add a participating NGO (once)."""
        if ngo_id in self.ngo_ids():
            return False
        item = QListWidgetItem(label)
        item.setData(NGO_ID_ROLE, ngo_id)
        self.ngo_list.addItem(item)
        self._update_ngo_buttons()
        return True

    def remove_selected_ngo(self) -> None:
        row = self.ngo_list.currentRow()
        if row >= 0:
            self.ngo_list.takeItem(row)
        self._update_ngo_buttons()

    def _on_add_ngo_button_clicked(self) -> None:
        ngo_id = self.participant_picker.value()
        if ngo_id:
            self.add_ngo(ngo_id, self.participant_picker.label())
            self.participant_picker.clear()
            self.participant_picker.setFocus()

    def _update_ngo_buttons(self) -> None:
        self.add_ngo_button.setEnabled(self.participant_picker.value() is not None)
        self.remove_ngo_button.setEnabled(self.ngo_list.currentRow() >= 0)

    def _on_kind_changed(self, *_args) -> None:
        course = self.kind_combo.currentData() == "course"
        self.hours_spin.setEnabled(course)
        if not course:
            self.hours_spin.setValue(0)

    # --- saving ---------------------------------------------------------------------------------

    def event_input(self) -> event_service.EventInput:
        return event_service.EventInput(
            kind=self.kind_combo.currentData(),
            title=self.title_edit.text(),
            starts_on=self.starts_on_edit.value(),
            ends_on=self.ends_on_edit.value(),
            county_id=self.county_combo.currentData(),
            organizer_ngo_id=self.organizer_picker.value(),
            attendees=self.attendees_spin.value(),
            training_hours=self.hours_spin.value(),
            ngo_ids=self.ngo_ids(),
            note=self.note_edit.toPlainText(),
        )

    def save(self) -> bool:
        """Validate and store; True (and the dialog accepts) when saved."""
        data = self.event_input()

        def store() -> None:
            uow = self.context.uow()  # the service's own block commits
            if self.event_id is None:
                self.saved_id = event_service.create_event(uow, data)
            else:
                event_service.update_event(uow, self.event_id, data, self._version)
                self.saved_id = self.event_id

        if not self._save_guarded(store):
            return False
        self.accept()
        return True

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "kind": self.kind_combo,
            "title": self.title_edit,
            "starts_on": self.starts_on_edit,
            "ends_on": self.ends_on_edit,
            "county_id": self.county_combo,
            "organizer_ngo_id": self.organizer_picker,
            "attendees": self.attendees_spin,
            "training_hours": self.hours_spin,
            "ngo_ids": self.ngo_list,
        }
