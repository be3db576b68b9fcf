"""The visit form's photos and scans (services/attachments.py, kind INSPECTION): a new visit keeps chosen
files until it is saved; a stored open visit adds them at once, for itself or one of its findings; a closed
visit's attachments are only opened."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QListWidgetItem

from ostandari_desk.domain.text import format_number, rlm
from ostandari_desk.errors import UserError
from ostandari_desk.services import attachments
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.letters.dialog import size_text

ATTACHMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PENDING_PATH_ROLE = Qt.ItemDataRole.UserRole + 2


class VisitAttachmentsMixin:
    """Attachment list behaviour of VisitDialog (which provides the widgets, ``detail`` and ``visit_id``)."""

    # --- attachments ------------------------------------------------------------------------------

    def _reload_attachments(self) -> None:
        pending = self.pending_files()
        self.attachment_list.clear()
        d = self.detail
        if d is not None:
            texts = {f.id: f.text for f in d.findings}
            stored = list(d.attachments) + [a for f in d.findings for a in f.attachments]
            for att in stored:
                where = f" — یافته: {texts[att.finding_id][:40]}" if att.finding_id in texts else ""
                item = QListWidgetItem(rlm(f"{att.file_name} ({size_text(att.size)}){where}"))
                item.setData(ATTACHMENT_ID_ROLE, att.id)
                self.attachment_list.addItem(item)
        for path in pending:
            self.add_pending_file(path)
        self.tabs.setTabText(2, f"عکس‌ها و اسکن‌ها ({format_number(self.attachment_list.count())})")
        self._update_buttons()

    def pending_files(self) -> list[Path]:
        items = (self.attachment_list.item(i) for i in range(self.attachment_list.count()))
        return [Path(item.data(PENDING_PATH_ROLE)) for item in items if item.data(PENDING_PATH_ROLE)]

    def add_pending_file(self, path: Path | str) -> None:
        path = Path(path)
        if path in self.pending_files():
            return
        item = QListWidgetItem(f"{path.name} (ذخیره نشده)")
        item.setData(PENDING_PATH_ROLE, str(path))
        self.attachment_list.addItem(item)

    def _choose_files(self) -> list[str]:
        files, _filter = QFileDialog.getOpenFileNames(
            self,
            "افزودن عکس یا اسکن",
            "",
            "عکس و اسکن (*.jpg *.jpeg *.png *.heic *.pdf *.tif *.tiff);;همه فایل‌ها (*)",
        )
        return files

    def _on_add_attachment_button_clicked(self) -> None:
        chosen = self.choose_files()
        if self.visit_id is None:  # kept until the visit is saved
            for name in chosen:
                self.add_pending_file(name)
            self._update_buttons()
            return
        failed = []
        finding_id = self.attachment_finding_combo.currentData()
        for name in chosen:
            try:
                attachments.add_attachment(
                    self.context.uow(),
                    attachments.INSPECTION,
                    self.visit_id,
                    Path(name),
                    finding_id=finding_id,
                )
            except UserError as exc:
                failed.append(f"{Path(name).name}: {exc.message}")
        self._reload_stored()
        if failed:
            ui_errors.show_user_error(
                self, UserError("این فایل‌ها افزوده نشدند:\n" + "\n".join(failed)), "پیوست"
            )

    def _store_pending(self) -> list[str]:
        failed = []
        for path in self.pending_files():
            try:
                attachments.add_attachment(self.context.uow(), attachments.INSPECTION, self.visit_id, path)
            except UserError as exc:
                failed.append(f"{path.name}: {exc.message}")
                continue
            for i in range(self.attachment_list.count()):
                if self.attachment_list.item(i).data(PENDING_PATH_ROLE) == str(path):
                    self.attachment_list.takeItem(i)
                    break
        return failed

    def open_selected_attachment(self) -> None:
        item = self.attachment_list.currentItem()
        if item is None:
            return
        if item.data(PENDING_PATH_ROLE):
            self.open_file(Path(item.data(PENDING_PATH_ROLE)))
            return
        try:
            with self.context.uow() as uow:
                path = attachments.attachment_path(uow, attachments.INSPECTION, item.data(ATTACHMENT_ID_ROLE))
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "پیوست")
            return
        if not self.open_file(path):
            ui_errors.show_user_error(self, UserError("برنامه‌ای برای باز کردن این فایل پیدا نشد"), "پیوست")

    def remove_selected_attachment(self) -> None:
        row = self.attachment_list.currentRow()
        item = self.attachment_list.item(row)
        if item is None or self.closed:
            return
        if item.data(PENDING_PATH_ROLE):
            self.attachment_list.takeItem(row)
        elif self.confirm(self, "حذف پیوست", f"پیوست «{item.text()}» از این بازدید حذف شود؟"):
            try:
                attachments.remove_attachment(
                    self.context.uow(), attachments.INSPECTION, item.data(ATTACHMENT_ID_ROLE)
                )
            except UserError as exc:
                ui_errors.show_user_error(self, exc, "پیوست")
            self._reload_stored()
        self._update_buttons()
