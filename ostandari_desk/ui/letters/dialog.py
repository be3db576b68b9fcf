"""The letter dialog (forms/letter_dialog.ui): number, Jalali date, direction, kind, party, NGO, attachments.

A new letter's number starts as the next of its series (services/letter_numbers.py), re-proposed when the
direction, date or county changes until the clerk types one; the service still refuses a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from ostandari_desk.domain.jalali import jalali_year_of
from ostandari_desk.domain.text import clean, digits_to_latin, format_number, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services import attachments, reference
from ostandari_desk.services import letters as letter_service
from ostandari_desk.services.letter_numbers import next_letter_number
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.events.dialog import _host
from ostandari_desk.ui.events.ngo_picker import NgoPicker
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.history import HistoryWidget, add_history_tab
from ostandari_desk.ui.widgets.paged_list import ask_yes_no

ATTACHMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # stored attachment id
PENDING_PATH_ROLE = Qt.ItemDataRole.UserRole + 2  # a file chosen but not yet stored


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{format_number(size / (1024 * 1024), 1)} مگابایت"
    return f"{format_number(max(1, round(size / 1024)))} کیلوبایت"


def open_with_system_viewer(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class LetterDialog(EditDialog):
    """Create (``letter_id=None``) or edit a letter; ``saved_id`` after accept. Ctrl+S saves.

    Files added are kept as pending until the letter is saved, then copied into the attachments folder.
    """

    def __init__(self, context, letter_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.letter_id = letter_id
        self.saved_id: str | None = None
        self._version = 1
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.choose_files: Callable[[], list[str]] = self._choose_files
        self.open_file: Callable[[Path], bool] = open_with_system_viewer
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form = load_form("letter_dialog", self)
        f = self.form
        self.direction_combo = child(f, QComboBox, "directionCombo")
        self.number_edit = child(f, QLineEdit, "numberEdit")
        self.kind_combo = child(f, QComboBox, "kindCombo")
        self.party_edit = child(f, QLineEdit, "partyEdit")
        self.subject_edit = child(f, QLineEdit, "subjectEdit")
        self.county_combo = child(f, QComboBox, "countyCombo")
        self.attachment_list = child(f, QListWidget, "attachmentList")
        self.add_attachment_button = child(f, QPushButton, "addAttachmentButton")
        self.open_attachment_button = child(f, QPushButton, "openAttachmentButton")
        self.remove_attachment_button = child(f, QPushButton, "removeAttachmentButton")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.dated_on_edit = _host(child(f, QWidget, "datedOnHost"), JalaliDateEdit(self))
        self.dated_on_edit.setObjectName("datedOnEdit")
        self.ngo_picker = _host(
            child(f, QWidget, "ngoHost"),
            NgoPicker(context.uow, self, "بدون سمن — نام یا شناسه ملی را بنویسید"),
        )
        child(f, QLabel, "datedOnLabel").setBuddy(self.dated_on_edit)
        child(f, QLabel, "ngoLabel").setBuddy(self.ngo_picker.edit)
        self._label_buttons(self.button_box).setToolTip("Ctrl+S")
        self._proposed_number = ""  # the number last proposed (replaced on a change until the clerk types)
        self._fill_choices()
        self._set_tab_order()
        self._connect()
        self.setWindowTitle("نامه جدید" if letter_id is None else "ویرایش نامه")
        self.history_tab: HistoryWidget | None = None  # «سابقه تغییرات», for a record already stored
        if letter_id is not None:
            self._load(letter_id)
            self.tabs, self.history_tab = add_history_tab(
                self, self.form, self.button_box, context, letter_id
            )
        else:
            self.propose_number()
            for signal in (
                self.direction_combo.currentIndexChanged,
                self.county_combo.currentIndexChanged,
                self.dated_on_edit.value_changed,
            ):
                signal.connect(lambda *_args: self.propose_number())
        self._update_attachment_buttons()
        self.number_edit.setFocus()

    # --- construction ---------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        for key, label in letter_service.DIRECTION_LABELS.items():
            self.direction_combo.addItem(label, key)
        self.direction_combo.setCurrentIndex(self.direction_combo.findData("outgoing"))
        for key, label in letter_service.KIND_LABELS.items():
            self.kind_combo.addItem(label, key)
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)  # a county user: their county alone
        if self.context.actor.county_scope is None:
            self.county_combo.addItem(letter_service.PROVINCE_LABEL, None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)

    def _set_tab_order(self) -> None:
        chain = [
            self.direction_combo,
            self.number_edit,
            self.dated_on_edit,
            self.kind_combo,
            self.party_edit,
            self.subject_edit,
            self.ngo_picker.edit,
            self.county_combo,
            self.attachment_list,
            self.add_attachment_button,
            self.open_attachment_button,
            self.remove_attachment_button,
            self.button_box,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        self.add_attachment_button.clicked.connect(self._on_add_attachment_button_clicked)
        self.open_attachment_button.clicked.connect(self.open_selected_attachment)
        self.remove_attachment_button.clicked.connect(self.remove_selected_attachment)
        self.attachment_list.currentRowChanged.connect(lambda _r: self._update_attachment_buttons())
        self.attachment_list.itemActivated.connect(lambda _item: self.open_selected_attachment())
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)

    def _load(self, letter_id: str) -> None:
        with self.context.uow() as uow:
            detail = letter_service.get_letter(uow, letter_id)
        self._version = detail.row_version
        self._licence_step_id = detail.licence_step_id
        self.direction_combo.setCurrentIndex(max(self.direction_combo.findData(detail.direction), 0))
        self.number_edit.setText(to_persian_digits(detail.number))
        self.dated_on_edit.set_value(detail.dated_on)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(detail.kind), 0))
        self.party_edit.setText(detail.party)
        self.subject_edit.setText(detail.subject)
        if detail.ngo_id:
            self.ngo_picker.set_value(detail.ngo_id, detail.ngo_name)
        self.county_combo.setCurrentIndex(max(self.county_combo.findData(detail.county_id), 0))
        self._reload_attachments()

    def propose_number(self) -> None:
        """Fill the number with the next of the chosen series, unless the clerk typed one of their own."""
        typed = digits_to_latin(clean(self.number_edit.text()))
        dated_on = self.dated_on_edit.value()
        if (typed and typed != self._proposed_number) or dated_on is None:
            return
        with self.context.uow() as uow:
            proposed = next_letter_number(
                uow,
                self.direction_combo.currentData(),
                jalali_year_of(dated_on),
                self.county_combo.currentData(),
            )
        self._proposed_number = proposed
        self.number_edit.setText(to_persian_digits(proposed))
        self.number_edit.selectAll()  # typing replaces the proposal

    # --- attachments ----------------------------------------------------------------------------

    def _reload_attachments(self) -> None:
        pending = self.pending_files()
        self.attachment_list.clear()
        if self.letter_id is not None:
            with self.context.uow() as uow:
                stored = attachments.list_attachments(uow, attachments.LETTER, self.letter_id)
            for att in stored:
                item = QListWidgetItem(f"{att.file_name} ({size_text(att.size)})")
                item.setData(ATTACHMENT_ID_ROLE, att.id)
                self.attachment_list.addItem(item)
        for path in pending:
            self.add_pending_file(path)
        self._update_attachment_buttons()

    def pending_files(self) -> list[Path]:
        items = (self.attachment_list.item(i) for i in range(self.attachment_list.count()))
        return [Path(item.data(PENDING_PATH_ROLE)) for item in items if item.data(PENDING_PATH_ROLE)]

    def attachment_names(self) -> list[str]:
        return [self.attachment_list.item(i).text() for i in range(self.attachment_list.count())]

    def add_pending_file(self, path: Path | str) -> None:
        path = Path(path)
        if path in self.pending_files():
            return
        item = QListWidgetItem(f"{path.name} (ذخیره نشده)")
        item.setData(PENDING_PATH_ROLE, str(path))
        item.setToolTip(str(path))
        self.attachment_list.addItem(item)
        self._update_attachment_buttons()

    def _choose_files(self) -> list[str]:
        files, _filter = QFileDialog.getOpenFileNames(
            self,
            "افزودن پیوست",
            "",
            "اسکن و سند (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.doc *.docx);;همه فایل‌ها (*)",
        )
        return files

    def _on_add_attachment_button_clicked(self) -> None:
        for name in self.choose_files():
            self.add_pending_file(name)

    def open_selected_attachment(self) -> None:
        item = self.attachment_list.currentItem()
        if item is None:
            return
        pending = item.data(PENDING_PATH_ROLE)
        if pending:
            self.open_file(Path(pending))
            return
        try:
            with self.context.uow() as uow:
                path = attachments.attachment_path(uow, attachments.LETTER, item.data(ATTACHMENT_ID_ROLE))
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "پیوست")
            return
        if not self.open_file(path):
            ui_errors.show_user_error(self, UserError("برنامه‌ای برای باز کردن این فایل پیدا نشد"), "پیوست")

    def remove_selected_attachment(self) -> None:
        row = self.attachment_list.currentRow()
        item = self.attachment_list.item(row)
        if item is None:
            return
        if item.data(PENDING_PATH_ROLE):
            self.attachment_list.takeItem(row)
        elif self.confirm(self, "حذف پیوست", f"پیوست «{item.text()}» از این نامه حذف شود؟"):
            try:
                attachments.remove_attachment(
                    self.context.uow(), attachments.LETTER, item.data(ATTACHMENT_ID_ROLE)
                )
            except UserError as exc:
                ui_errors.show_user_error(self, exc, "پیوست")
            self._reload_attachments()
        self._update_attachment_buttons()

    def _update_attachment_buttons(self) -> None:
        selected = self.attachment_list.currentItem() is not None and bool(
            self.attachment_list.currentItem().flags() & Qt.ItemFlag.ItemIsEnabled
        )
        self.open_attachment_button.setEnabled(selected)
        self.remove_attachment_button.setEnabled(selected)

    # --- saving ---------------------------------------------------------------------------------

    def letter_input(self) -> letter_service.LetterInput:
        return letter_service.LetterInput(
            direction=self.direction_combo.currentData(),
            number=self.number_edit.text(),
            dated_on=self.dated_on_edit.value(),
            party=self.party_edit.text(),
            subject=self.subject_edit.text(),
            kind=self.kind_combo.currentData(),
            ngo_id=self.ngo_picker.value(),
            licence_step_id=getattr(self, "_licence_step_id", None),
            county_id=self.county_combo.currentData(),
        )

    def save(self) -> bool:
        """Store the letter, then its pending files; True (and accept) when the letter was saved."""
        data = self.letter_input()

        def store() -> None:
            uow = self.context.uow()  # the service's own block commits
            if self.letter_id is None:
                self.letter_id = letter_service.create_letter(uow, data)
                self._version = 1
            else:
                letter_service.update_letter(uow, self.letter_id, data, self._version)
                self._version += 1

        if not self._save_guarded(store):
            return False
        self.saved_id = self.letter_id
        failed = self._store_pending()
        if failed:
            self._reload_attachments()
            ui_errors.show_user_error(
                self, UserError("نامه ذخیره شد اما این پیوست‌ها نه:\n" + "\n".join(failed))
            )
            return False
        self.accept()
        return True

    def _store_pending(self) -> list[str]:
        failed = []
        for path in self.pending_files():
            try:
                attachments.add_attachment(self.context.uow(), attachments.LETTER, self.letter_id, path)
            except UserError as exc:
                failed.append(f"{path.name}: {exc.message}")
                continue
            for i in range(self.attachment_list.count()):
                if self.attachment_list.item(i).data(PENDING_PATH_ROLE) == str(path):
                    self.attachment_list.takeItem(i)
                    break
        return failed

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "direction": self.direction_combo,
            "number": self.number_edit,
            "dated_on": self.dated_on_edit,
            "kind": self.kind_combo,
            "party": self.party_edit,
            "subject": self.subject_edit,
            "ngo_id": self.ngo_picker,
            "county_id": self.county_combo,
        }
