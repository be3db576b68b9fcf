"""چک‌لیست‌ها: each centre category's checklist versions (draft, active, retired) and the items of one.

Everyone reads them. A manager (Permission.EDIT_CHECKLISTS) also makes a new draft (a copy of the active
version, or of the version selected), edits it (template_editor.py), activates it (the version active until
then retires: confirmed first), retires the active one or throws a draft away. Old versions stay read-only:
a visit keeps the version it was answered against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.roles import Permission
from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services.inspections import centres as centre_service
from ostandari_desk.services.inspections import templates as template_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.inspections.rows import Column, RowsModel, make_table, selected_row
from ostandari_desk.ui.widgets.paged_list import ask_yes_no, select_row

__all__ = ["TemplatesPage"]

T = TypeVar("T")

_STATE_COLOURS = {"active": ("#1b5e20", True), "draft": ("#0d47a1", False), "retired": ("#777777", False)}

VERSION_COLUMNS = (
    Column("نسخه", lambda t: to_persian_digits(t.version), 60),
    Column("وضعیت", lambda t: t.state_label, 90),
    Column("شمار بندها", lambda t: format_number(t.item_count), 80),
    Column("حد قبولی", lambda t: f"{format_number(t.pass_score)}٪", 70),
    Column("عنوان", lambda t: t.title, 300),
)
ITEM_COLUMNS = (
    Column("ردیف", lambda i: to_persian_digits(i.position), 50),
    Column("بخش", lambda i: i.section, 150),
    Column("متن بند", lambda i: i.text, 420),
    Column("نوع پاسخ", lambda i: i.answer_type_label, 150),
    Column("بیشینه امتیاز", lambda i: format_number(i.max_score) if i.answer_type == "score" else "", 90),
    Column("وزن", lambda i: format_number(i.weight) if i.weight else "", 50),
    Column("حیاتی", lambda i: "حیاتی" if i.critical else "", 60),
)
READ_ONLY_NOTE = "چک‌لیست‌ها را فقط مدیر ویرایش می‌کند؛ این صفحه برای شما فقط خواندنی است."
EDIT_NOTE = "فقط پیش‌نویس ویرایش می‌شود؛ نسخه‌های فعال و بایگانی‌شده برای بازدیدهای گذشته دست‌نخورده می‌مانند."


class TemplatesPage(QWidget):
    """``TemplatesPage(context, parent=None)``; ``can_edit`` says whether the manager's buttons show."""

    open_area = Signal(str, dict)

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("templatesPage")
        self.context = context
        self.can_edit = context.actor.may(Permission.EDIT_CHECKLISTS)
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.last_dialog: QWidget | None = None
        self.detail: template_service.TemplateDetail | None = None
        self._build()
        self._fill_categories()
        self.category_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.version_table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.new_button.clicked.connect(self.new_draft)
        self.edit_button.clicked.connect(self.edit_draft)
        self.activate_button.clicked.connect(self.activate_selected)
        self.retire_button.clicked.connect(self.retire_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.version_table.activated.connect(lambda _i: self.edit_draft())
        self.print_button.clicked.connect(self.print_checklist)
        self.reload()

    def _build(self) -> None:
        self.category_combo = QComboBox(self)
        self.category_combo.setObjectName("templateCategoryCombo")
        self.category_combo.setMinimumWidth(220)
        top = QHBoxLayout()
        caption = QLabel("&نوع مرکز:", self)
        caption.setBuddy(self.category_combo)
        top.addWidget(caption)
        top.addWidget(self.category_combo)
        self.note = QLabel(EDIT_NOTE if self.can_edit else READ_ONLY_NOTE, self)
        self.note.setObjectName("templateNote")
        self.note.setWordWrap(True)
        top.addWidget(self.note, 1)
        self.print_button = QPushButton("چاپ چک‌لیست خالی", self)
        self.print_button.setObjectName("printChecklistButton")
        from ostandari_desk.reports.registry import REPORTS

        self.print_button.setVisible("checklist" in REPORTS)
        top.addWidget(self.print_button)

        self.version_model = RowsModel(VERSION_COLUMNS, self, lambda t: _STATE_COLOURS.get(t.state))
        self.version_table = make_table(self, self.version_model, "templateVersionTable")
        self.item_caption = QLabel(self)
        self.item_caption.setObjectName("templateItemCaption")
        self.item_model = RowsModel(ITEM_COLUMNS, self, lambda i: ("#b71c1c", True) if i.critical else None)
        self.item_table = make_table(self, self.item_model, "templateItemTable")
        self.item_table.setWordWrap(True)

        self.new_button = QPushButton("پیش‌نویس تازه", self)
        self.new_button.setObjectName("newDraftButton")
        self.edit_button = QPushButton("ویرایش پیش‌نویس", self)
        self.edit_button.setObjectName("editDraftButton")
        self.activate_button = QPushButton("فعال‌سازی", self)
        self.activate_button.setObjectName("activateTemplateButton")
        self.retire_button = QPushButton("بایگانی", self)
        self.retire_button.setObjectName("retireTemplateButton")
        self.delete_button = QPushButton("حذف پیش‌نویس", self)
        self.delete_button.setObjectName("deleteDraftButton")
        self.manager_buttons = (
            self.new_button,
            self.edit_button,
            self.activate_button,
            self.retire_button,
            self.delete_button,
        )
        versions = QWidget(self)
        versions_layout = QVBoxLayout(versions)
        versions_layout.setContentsMargins(0, 0, 0, 0)
        versions_layout.addWidget(QLabel("نسخه‌ها:", versions))
        versions_layout.addWidget(self.version_table, 1)
        buttons = QHBoxLayout()
        for button in self.manager_buttons:
            button.setVisible(self.can_edit)
            buttons.addWidget(button)
        buttons.addStretch(1)
        versions_layout.addLayout(buttons)
        items = QWidget(self)
        items_layout = QVBoxLayout(items)
        items_layout.setContentsMargins(0, 0, 0, 0)
        items_layout.addWidget(self.item_caption)
        items_layout.addWidget(self.item_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(versions)
        splitter.addWidget(items)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _fill_categories(self) -> None:
        with self.context.uow() as uow:
            categories = centre_service.category_choices(uow, include_inactive=True)
        for category in categories:
            self.category_combo.addItem(category.name, category.id)

    # --- reading ----------------------------------------------------------------------------------

    def category_id(self) -> str | None:
        return self.category_combo.currentData()

    def reload(self, select_id: str | None = None) -> None:
        """The category's versions again; ``select_id`` (or the active version) selected."""
        category_id = self.category_id()
        rows = template_service.list_templates(self.context.uow(), category_id) if category_id else []
        self.version_model.set_rows(rows)
        wanted = select_id or next((t.id for t in rows if t.state == "active"), None)
        index = next((i for i, t in enumerate(rows) if t.id == wanted), 0 if rows else -1)
        if index >= 0:
            select_row(self.version_table, index)
        self._show_selected()

    def selected(self) -> template_service.TemplateRow | None:
        return selected_row(self.version_table)

    def _show_selected(self) -> None:
        row = self.selected()
        if row is None:
            self.detail = None
            self.item_model.set_rows([])
            self.item_caption.setText("این نوع مرکز هنوز چک‌لیستی ندارد." if self.category_id() else "")
        else:
            self.detail = template_service.get_template(self.context.uow(), row.id)
            self.item_model.set_rows(self.detail.items)
            self.item_table.resizeRowsToContents()
            self.item_caption.setText(
                f"بندهای نسخه {to_persian_digits(row.version)} ({row.state_label}) — «{self.detail.title}»، "
                f"{format_number(len(self.detail.items))} بند، حد قبولی {format_number(row.pass_score)}٪"
            )
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected()
        state = row.state if row else ""
        has_draft = any(t.state == "draft" for t in self.version_model.rows())
        self.new_button.setEnabled(bool(self.category_id()) and not has_draft)
        self.edit_button.setEnabled(state == "draft")
        self.activate_button.setEnabled(state == "draft")
        self.retire_button.setEnabled(state == "active")
        self.delete_button.setEnabled(state == "draft")

    # --- a manager's changes ----------------------------------------------------------------------

    def _run(self, change: Callable[[], T]) -> tuple[bool, T | None]:
        """(True, what ``change`` returned), or (False, None) after showing its UserError and reloading."""
        try:
            return True, change()
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            self.reload(self.selected().id if self.selected() else None)
            return False, None

    def new_draft(self) -> str | None:
        """A new draft copied from the selected version (the active one when none is selected)."""
        category_id = self.category_id()
        if not category_id:
            return None
        row = self.selected()
        source = row.id if row is not None and row.state != "draft" else None
        _ok, draft_id = self._run(
            lambda: template_service.create_draft(self.context.uow(), category_id, source)
        )
        if draft_id:
            self.reload(draft_id)
            self.edit_draft()
        return draft_id

    def make_editor(self, template_id: str) -> QWidget:
        from ostandari_desk.ui.inspections.template_editor import TemplateDraftDialog

        return TemplateDraftDialog(self.context, template_id, self)

    def edit_draft(self) -> QWidget | None:
        row = self.selected()
        if row is None or row.state != "draft" or not self.can_edit:
            return None
        try:
            dialog = self.make_editor(row.id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            self.reload()
            return None
        self.last_dialog = dialog
        dialog.finished.connect(lambda _r: self.reload(row.id))
        dialog.open()
        return dialog

    def activate_selected(self) -> bool:
        row = self.selected()
        if row is None or row.state != "draft":
            return False
        active = next((t for t in self.version_model.rows() if t.state == "active"), None)
        text = f"نسخه {to_persian_digits(row.version)} چک‌لیست «{row.category_name}» فعال شود؟"
        if active is not None:
            text += (
                f"\nنسخه فعال کنونی ({to_persian_digits(active.version)}) بایگانی می‌شود؛ "
                "بازدیدهای تازه با نسخه جدید ثبت می‌شوند و بازدیدهای گذشته نسخه خود را نگه می‌دارند."
            )
        if not self.confirm(self, "فعال‌سازی چک‌لیست", text):
            return False
        done, _ = self._run(lambda: template_service.activate_template(self.context.uow(), row.id))
        self.reload(row.id)
        return done

    def retire_selected(self) -> bool:
        row = self.selected()
        if row is None or row.state != "active":
            return False
        if not self.confirm(
            self,
            "بایگانی چک‌لیست",
            f"نسخه {to_persian_digits(row.version)} بایگانی شود؟ تا نسخه دیگری فعال نشود، بازدیدهای تازه "
            f"«{row.category_name}» چک‌لیست نخواهند داشت.",
        ):
            return False
        done, _ = self._run(lambda: template_service.retire_template(self.context.uow(), row.id))
        self.reload(row.id)
        return done

    def delete_selected(self) -> bool:
        row = self.selected()
        if row is None or row.state != "draft":
            return False
        if not self.confirm(self, "حذف پیش‌نویس", f"پیش‌نویس نسخه {to_persian_digits(row.version)} حذف شود؟"):
            return False
        done, _ = self._run(lambda: template_service.delete_draft(self.context.uow(), row.id))
        self.reload()
        return done

    def print_checklist(self) -> None:
        """The category's active checklist, blank, for paper use in the field (the ``checklist`` report)."""
        if self.category_id():
            self.open_area.emit(
                "reports", {"report": "checklist", "category_id": self.category_id(), "generate": True}
            )

    def apply_filter(self, filters: dict) -> None:
        if filters.get("category_id"):
            index = self.category_combo.findData(filters["category_id"])
            if index >= 0:
                self.category_combo.setCurrentIndex(index)
