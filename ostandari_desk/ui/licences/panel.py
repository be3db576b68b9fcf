"""The licence panel of one NGO: current licence, the open case with its inquiries, the legal next
actions (only those ``ngo_actions`` allows; those the signed-in role may not take are disabled, with a
tooltip saying why) and the timeline."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.lifecycle import CASE_TYPE_LABELS, LEVEL_LABELS, SANCTIONS, direct_step_label
from ostandari_desk.domain.roles import PERMISSION_LABELS, Permission
from ostandari_desk.domain.text import format_number, protect_hyphenated_numbers, to_persian_digits
from ostandari_desk.errors import PermissionDeniedError, UserError
from ostandari_desk.services import licences as lic
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.licences import step_dialogs
from ostandari_desk.ui.licences.timeline import TimelineView
from ostandari_desk.ui.widgets.history import HISTORY_TAB_TITLE, HistoryWidget

OVERDUE = QColor("#c62828")

CASE_ACTION_LABELS = {
    "documents": "ثبت بررسی مدارک",
    "inquiries": "ارسال استعلام‌ها",
    "answer": "ثبت پاسخ استعلام",
    "decide": "ثبت تصمیم شورا",
    "withdraw": "مختومه کردن پرونده",
}
COMPLETE_LABELS = {
    "establishment": "صدور پروانه",
    "renewal": "تمدید پروانه",
    "upgrade": "ثبت ارتقا و صدور پروانه",
    "conformity": "ثبت تطبیق",
}
OPEN_LABELS = {
    "establishment": "پرونده تأسیس",
    "renewal": "پرونده تمدید",
    "upgrade": "پرونده ارتقای سطح",
    "conformity": "پرونده تطبیق",
}
ACTION_COLUMNS = 4
# Actions a role needs a permission for (the services refuse them too): the council's decision, every
# rung of the sanctions ladder and the lifting of a suspension.
ACTION_PERMISSIONS = {
    "decide": Permission.DECIDE,
    "lifting": Permission.SANCTION,
    **{kind.value: Permission.SANCTION for kind in SANCTIONS},
}
INQUIRY_HEADERS = ("دستگاه", "شماره نامه", "تاریخ ارسال", "مهلت پاسخ", "پاسخ", "تاریخ پاسخ")


class LicencePanel(QWidget):
    """Everything about one NGO's licence. ``action_buttons`` maps action keys to the buttons shown:
    ``open:<case type>``, ``documents``, ``inquiries``, ``answer``, ``decide``, ``complete``,
    ``withdraw``, the rungs of the sanctions ladder (``notice``, ``written_warning``, ``suspension``,
    ``revocation``, ``dissolution_request``) and ``lifting``. ``run_action(key)`` opens that step's dialog.
    A revocation before any licence is offered as «لغو موافقت تأسیس», never «لغو پروانه»."""

    changed = Signal()

    def __init__(self, context, ngo_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("licencePanel")
        self.context = context
        self.ngo_id = ngo_id
        self.ngo_actions: lic.NgoActions | None = None
        self.case: lic.CaseDetail | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.last_dialog: step_dialogs.StepDialog | None = None

        self.licence_label = QLabel(self)
        self.licence_label.setObjectName("currentLicenceLabel")
        self.licence_label.setWordWrap(True)
        licence_box = QGroupBox("پروانه فعلی", self)
        QVBoxLayout(licence_box).addWidget(self.licence_label)

        self.case_box = QGroupBox("پرونده در جریان", self)
        self.case_label = QLabel(self.case_box)
        self.case_label.setObjectName("openCaseLabel")
        self.case_label.setWordWrap(True)
        self.inquiry_table = QTableWidget(0, len(INQUIRY_HEADERS), self.case_box)
        self.inquiry_table.setObjectName("inquiryTable")
        self.inquiry_table.setHorizontalHeaderLabels(list(INQUIRY_HEADERS))
        self.inquiry_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.inquiry_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.inquiry_table.verticalHeader().setVisible(False)
        self.inquiry_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.inquiry_table.setMaximumHeight(150)
        self.inquiry_table.doubleClicked.connect(self._on_inquiry_table_double_clicked)
        case_layout = QVBoxLayout(self.case_box)
        case_layout.addWidget(self.case_label)
        case_layout.addWidget(self.inquiry_table)

        self.actions_box = QGroupBox("اقدام‌های مجاز", self)
        self.actions_layout = QGridLayout(self.actions_box)
        self.no_action_label = QLabel("اقدامی در این وضعیت مجاز نیست.", self.actions_box)

        self.timeline = TimelineView(self)
        # the licence's steps, and who changed what on its current licence and open case
        self.history_tabs = QTabWidget(self)
        self.history_tabs.setObjectName("licenceHistoryTabs")
        self.history_tabs.addTab(self.timeline, "سابقه پروانه")
        self.history_tab = HistoryWidget(context, (), self.history_tabs, name_tables=True)
        self.history_tabs.addTab(self.history_tab, HISTORY_TAB_TITLE)

        top = QHBoxLayout()
        top.addWidget(licence_box, 1)
        top.addWidget(self.case_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.actions_box)
        layout.addWidget(self.history_tabs, 1)
        self.refresh()

    # --- refresh --------------------------------------------------------------------------------

    def refresh(self) -> None:
        with self.context.uow() as uow:
            self.ngo_actions = lic.ngo_actions(uow, self.ngo_id)
            current = lic.current_licence_info(uow, self.ngo_id)
            self.case = (
                lic.get_case(uow, self.ngo_actions.open_case.id) if self.ngo_actions.open_case else None
            )
            entries = lic.timeline(uow, self.ngo_id)
        self._show_licence(current)
        self._show_case()
        self._rebuild_actions()
        self.timeline.set_entries(entries)
        self.history_tab.set_records([current.id if current else None, self.case.id if self.case else None])

    def _show_licence(self, current) -> None:
        state = self.ngo_actions.licence_state_label if self.ngo_actions else ""
        if current is None:
            self.licence_label.setText(f"وضعیت: {state}\nپروانه‌ای صادر نشده است.")
            return
        days = (current.expires_on - _dt.date.today()).days
        left = (
            f"{format_number(days)} روز مانده" if days >= 0 else f"{format_number(-days)} روز از انقضا گذشته"
        )
        self.licence_label.setText(
            f"وضعیت: {state}\n"
            f"شماره پروانه: {protect_hyphenated_numbers(to_persian_digits(current.number))}\n"
            f"سطح: {LEVEL_LABELS.get(current.level, current.level)}\n"
            f"تاریخ صدور: {format_jalali(current.issued_on)}\n"
            f"تاریخ انقضا: {format_jalali(current.expires_on)} ({left})\n"
            f"مدت اعتبار: {format_number(current.validity_years)} سال"
        )

    def _show_case(self) -> None:
        case = self.case
        self.case_box.setVisible(case is not None)
        self.inquiry_table.setRowCount(0)
        if case is None:
            return
        self.case_label.setText(
            protect_hyphenated_numbers(
                f"پرونده {case.case_type_label} — شماره پیگیری {to_persian_digits(case.tracking_no)} — "
                f"دریافت {format_jalali(case.received_on)} — وضعیت: {case.state_label}"
            )
        )
        self.inquiry_table.setVisible(bool(case.inquiries))
        self.inquiry_table.setRowCount(len(case.inquiries))
        for row, q in enumerate(case.inquiries):
            cells = (
                q.agency_label,
                protect_hyphenated_numbers(to_persian_digits(q.letter_no)),
                format_jalali(q.sent_on),
                format_jalali(q.due_on) + (" (گذشته)" if q.overdue else ""),
                q.answer_label if q.answer else "بی‌پاسخ",
                format_jalali(q.answered_on),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, q.id)
                if q.overdue:
                    item.setForeground(OVERDUE)
                self.inquiry_table.setItem(row, column, item)

    def _rebuild_actions(self) -> None:
        while self.actions_layout.count():
            widget = self.actions_layout.takeAt(0).widget()
            if widget is not None and widget is not self.no_action_label:
                widget.hide()
                widget.deleteLater()
        self.action_buttons = {}
        actions = self.ngo_actions
        keys: list[tuple[str, str]] = []
        if actions is not None:
            keys += [
                (f"open:{t}", OPEN_LABELS.get(t, CASE_TYPE_LABELS.get(t, t)))
                for t in actions.case_types_allowed
            ]
            for action in actions.case_actions:
                if action == "answer" and self.case is not None and self.case.all_inquiries_answered:
                    continue  # every inquiry has its answer: nothing left to record
                if action == "complete":
                    case_type = self.case.case_type if self.case else ""
                    keys.append(("complete", COMPLETE_LABELS.get(case_type, "پایان پرونده")))
                else:
                    keys.append((action, CASE_ACTION_LABELS.get(action, action)))
            keys += [
                (step, direct_step_label(step, actions.licence_state))
                for step in actions.direct_steps_allowed
            ]
        for position, (key, label) in enumerate(keys):
            button = QPushButton(label, self.actions_box)
            button.setObjectName(f"action_{key.replace(':', '_')}")
            button.clicked.connect(lambda _checked=False, k=key: self.run_action(k))
            refused = self.refusal(key)
            if refused:
                button.setEnabled(False)
                button.setToolTip(refused)
            self.actions_layout.addWidget(button, *divmod(position, ACTION_COLUMNS))
            self.action_buttons[key] = button
        self.no_action_label.setVisible(not keys)
        if not keys:
            self.actions_layout.addWidget(self.no_action_label, 0, 0, 1, ACTION_COLUMNS)

    def refusal(self, key: str) -> str:
        """Why the signed-in user may not take action ``key`` (Persian), or "" when they may."""
        permission = ACTION_PERMISSIONS.get(key)
        actor = self.context.actor
        if permission is None or actor.may(permission):
            return ""
        return f"نقش شما («{actor.role_label}») اجازه «{PERMISSION_LABELS[permission]}» را ندارد."

    def action_labels(self) -> list[str]:
        return [button.text() for button in self.action_buttons.values()]

    # --- actions --------------------------------------------------------------------------------

    def make_dialog(self, key: str, inquiry_id: str | None = None) -> step_dialogs.StepDialog:
        """Build (not show) the dialog of action ``key`` (see the class docstring)."""
        case_id = self.case.id if self.case else None
        if key.startswith("open:"):
            return step_dialogs.open_case_dialog(self.context, self.ngo_id, (key.split(":", 1)[1],), self)
        if key == "documents":
            return step_dialogs.documents_dialog(self.context, case_id, self)
        if key == "inquiries":
            return step_dialogs.inquiries_dialog(self.context, case_id, self)
        if key == "answer":
            return step_dialogs.answer_dialog(self.context, case_id, self, inquiry_id)
        if key == "decide":
            return step_dialogs.decide_dialog(self.context, case_id, self)
        if key == "complete":
            return step_dialogs.complete_dialog(self.context, case_id, self)
        if key == "withdraw":
            return step_dialogs.withdraw_dialog(self.context, case_id, self)
        if key == "lifting":
            return step_dialogs.lifting_dialog(self.context, self.ngo_id, self)
        if key in {kind.value for kind in SANCTIONS}:
            return step_dialogs.sanction_dialog(self.context, self.ngo_id, key, self)
        raise KeyError(key)

    def run_action(self, key: str, inquiry_id: str | None = None) -> step_dialogs.StepDialog | None:
        """Open the dialog of ``key`` (window-modal, not blocking); the panel refreshes after it.

        An action the signed-in role may not take shows why instead (its button is disabled anyway).
        """
        refused = self.refusal(key)
        if refused:
            ui_errors.show_user_error(self, PermissionDeniedError(refused))
            return None
        try:
            dialog = self.make_dialog(key, inquiry_id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            return None
        dialog.accepted.connect(self._after_step)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def _after_step(self) -> None:
        self.refresh()
        self.changed.emit()

    def _on_inquiry_table_double_clicked(self, index) -> None:
        if "answer" not in self.action_buttons:
            return
        inquiry_id = self.inquiry_table.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        self.run_action("answer", inquiry_id)
