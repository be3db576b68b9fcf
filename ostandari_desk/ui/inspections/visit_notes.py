"""The visit form's closing and its corrections: closing a visit makes it read-only, after which a
correction is a note (signed by the clerk, kept in the history) on the «یادداشت‌های اصلاحی» tab."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number, print_form, rlm
from ostandari_desk.errors import UserError
from ostandari_desk.services.inspections import visits as visit_service
from ostandari_desk.ui import errors as ui_errors

__all__ = ["CLOSE_QUESTION", "VisitNotesMixin"]

CLOSE_QUESTION = (
    "پس از بستن، بازدید فقط‌خواندنی می‌شود: پاسخ‌ها، نتیجه و پیوست‌ها دیگر تغییر نمی‌کنند و "
    "اصلاح فقط با «یادداشت اصلاحی» ثبت می‌شود. بازدید بسته شود؟"
)

NOTES_TAB = 3


class VisitNotesMixin:
    """Closing and notes behaviour of VisitDialog (which provides the widgets, ``context``, ``detail``,
    ``visit_id``, ``confirm``, ``ask_note``, ``_store``, ``has_changes`` and ``_reload_stored``)."""

    def _fill_notes(self, d: visit_service.VisitDetail) -> None:
        self.notes_list.clear()
        for note in d.visit_notes:
            text = print_form(note.text)  # Persian digits in free text; stored as typed
            self.notes_list.addItem(rlm(f"{format_jalali(note.at.date())} — {note.author}: {text}"))
        if not d.visit_notes:
            self.notes_list.addItem(
                "یادداشتی نیست. اصلاح بازدید بسته‌شده با «افزودن یادداشت اصلاحی» ثبت و در سابقه نگه‌داری می‌شود."
            )
        self.tabs.setTabText(NOTES_TAB, f"یادداشت‌های اصلاحی ({format_number(len(d.visit_notes))})")

    def close_visit(self) -> bool:
        """Save what is typed, then close the visit (read-only from now on)."""
        if self.closed or not self.confirm(self, "بستن بازدید", CLOSE_QUESTION):
            return False
        if (self.detail is None or self.has_changes()) and not self._store():
            return False
        try:
            visit_service.close_visit(self.context.uow(), self.visit_id, self._version)
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "بستن بازدید")
            return False
        self._reload_stored()
        self._initial = self.visit_input()
        return True

    def _ask_note(self) -> str:
        text, ok = QInputDialog.getMultiLineText(
            self, "یادداشت اصلاحی", "متن یادداشت (با نام شما ثبت می‌شود):"
        )
        return text if ok else ""

    def add_note(self) -> None:
        if self.visit_id is None:
            return
        note = self.ask_note()
        if not note.strip():
            return
        try:
            visit_service.add_visit_note(self.context.uow(), self.visit_id, note)
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "یادداشت اصلاحی")
            return
        self._reload_stored()
        self.tabs.setCurrentIndex(NOTES_TAB)
