"""The visit's findings table: stored findings with their actions (one row per action), the findings the
failed items will make (not yet saved), and free-text findings the inspector adds; each unsaved row may
carry a corrective action and its deadline. VisitFindingsMixin is the visit form's behaviour around it:
adding and removing findings, corrective actions, referrals, «انجام شد», and the re-inspection that
verifies the earlier visit's open actions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ostandari_desk.domain.inspections import SEVERITY_LABELS, failed_item_finding, finding_severity
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import rlm, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services.inspections import actions as action_service
from ostandari_desk.services.inspections import visits as visit_service
from ostandari_desk.services.inspections.visits import FindingInput
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.forms import child
from ostandari_desk.ui.widgets.dates import JalaliDateEdit, to_qdate

__all__ = [
    "ACTION_ID_ROLE",
    "FindingRow",
    "FindingsTable",
    "VisitFindingsMixin",
    "ask_action_date",
    "stored_finding_rows",
]

ACTION_ID_ROLE = Qt.ItemDataRole.UserRole + 3

HEADERS = ("یافته", "شدت", "اقدام اصلاحی", "مهلت اقدام", "وضعیت")
_PENDING_FG = QBrush(QColor("#5a6470"))


@dataclass
class FindingRow:
    """One line: ``kind`` stored | item (a failed item's finding, not yet saved) | free (typed, unsaved)."""

    kind: str
    text: str
    severity: str
    finding_id: str | None = None
    item_id: str | None = None
    action_id: str | None = None
    action: str = ""
    deadline: date | None = None
    done_on: date | None = None
    referral_number: str = ""

    @property
    def pending(self) -> bool:
        return self.kind != "stored"

    @property
    def state_text(self) -> str:
        if self.kind != "stored":
            return "با ذخیره بازدید ثبت می‌شود"
        if not self.action_id:
            return "بدون اقدام"
        parts = [f"انجام شد {format_jalali(self.done_on)}" if self.done_on else "در انتظار"]
        if self.referral_number:
            parts.append(f"ارجاع: نامه {to_persian_digits(self.referral_number)}")
        return "؛ ".join(parts)


def ask_action_date(
    parent: QWidget, title: str, about: str, label: str, earliest: date | None, ok_text: str = "ثبت"
) -> date | None:
    """A small dialog asking a date on the Jalali calendar: today by default, never in the future nor
    before ``earliest`` (the visit's day); None when cancelled."""
    dialog = QDialog(parent)
    dialog.setObjectName("actionDateDialog")
    dialog.setWindowTitle(title)
    dialog.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    form = QFormLayout(dialog)
    text = QLabel(rlm(about), dialog)
    text.setWordWrap(True)
    form.addRow(text)
    edit = JalaliDateEdit(dialog)
    edit.setObjectName("actionDateEdit")
    today = date.today()
    low = earliest if earliest is not None and earliest <= today else today
    edit.setDateRange(to_qdate(low), to_qdate(today))
    edit.set_value(today)
    form.addRow(label, edit)
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("انصراف")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    form.addRow(box)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return edit.value()


class FindingsTable:
    """Drives the form's QTableWidget ``findingsTable``."""

    def __init__(self, table: QTableWidget, parent: QWidget):
        self.table = table
        self.parent = parent
        table.setColumnCount(len(HEADERS))
        table.setHorizontalHeaderLabels(list(HEADERS))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(30)
        table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((300, 80, 300, 130)):
            table.setColumnWidth(column, width)
        self.rows: list[FindingRow] = []
        self._typed: dict[str, tuple[str, date | None]] = {}  # item id -> action typed on its pending row
        self.read_only = False

    # --- filling ------------------------------------------------------------------------------------

    def set_rows(
        self,
        stored: list[FindingRow],
        failed_items: list,
        free: list[FindingRow],
        answers: Mapping[str, Any] | None = None,
    ) -> None:
        """Stored rows, then a pending row per failed item that has no stored finding (saying what failed,
        from the parsed ``answers``), then ``free``."""
        answers = answers or {}
        self._remember_typed()
        stored_items = {r.item_id for r in stored if r.item_id}
        pending = []
        for item in failed_items:
            if item.id in stored_items:
                continue
            action, deadline = self._typed.get(item.id, ("", None))
            pending.append(
                FindingRow(
                    "item",
                    failed_item_finding(item, answers.get(item.id)),
                    finding_severity(item),
                    item_id=item.id,
                    action=action,
                    deadline=deadline,
                )
            )
        self.rows = [*stored, *pending, *free]
        self._render()

    def _render(self) -> None:
        t = self.table
        t.clearContents()
        t.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            editable = row.pending or (row.kind == "stored" and not row.action_id)
            if row.kind == "free" and not self.read_only:
                edit = QLineEdit(row.text, t)
                edit.setPlaceholderText("شرح یافته")
                edit.setObjectName(f"findingText_{r}")
                edit.textChanged.connect(lambda value, row=row: setattr(row, "text", value))
                t.setCellWidget(r, 0, edit)
                combo = QComboBox(t)
                for key, label in SEVERITY_LABELS.items():
                    combo.addItem(label, key)
                combo.setCurrentIndex(max(combo.findData(row.severity), 0))
                combo.currentIndexChanged.connect(
                    lambda _i, row=row, combo=combo: setattr(row, "severity", combo.currentData())
                )
                t.setCellWidget(r, 1, combo)
            else:
                self._cell(r, 0, row.text, row.pending)
                self._cell(r, 1, SEVERITY_LABELS.get(row.severity, row.severity), row.pending)
            if editable and not (self.read_only and row.pending):
                action = QLineEdit(row.action, t)
                action.setObjectName(f"findingAction_{r}")
                action.setPlaceholderText("اقدام اصلاحی (اختیاری)")
                action.textChanged.connect(lambda value, row=row: setattr(row, "action", value))
                t.setCellWidget(r, 2, action)
                deadline = JalaliDateEdit(t, allow_empty=True)
                deadline.setObjectName(f"findingDeadline_{r}")
                deadline.set_value(row.deadline)
                deadline.value_changed.connect(lambda value, row=row: setattr(row, "deadline", value))
                t.setCellWidget(r, 3, deadline)
            else:
                self._cell(r, 2, row.action or "—", row.pending)
                self._cell(r, 3, format_jalali(row.deadline) if row.deadline else "—", row.pending)
            self._cell(r, 4, row.state_text, row.pending)

    def _cell(self, r: int, column: int, text: str, pending: bool) -> None:
        shown = rlm(to_persian_digits(text))
        item = QTableWidgetItem(shown)
        item.setToolTip(shown)
        if pending:
            item.setForeground(_PENDING_FG)
        item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
        self.table.setItem(r, column, item)

    def _remember_typed(self) -> None:
        for row in self.rows:
            if row.kind == "item" and row.item_id:
                self._typed[row.item_id] = (row.action, row.deadline)

    # --- reading ------------------------------------------------------------------------------------

    def free_rows(self) -> list[FindingRow]:
        return [r for r in self.rows if r.kind == "free"]

    def add_free(self) -> FindingRow:
        row = FindingRow("free", "", "minor")
        free = [*self.free_rows(), row]
        stored = [r for r in self.rows if r.kind == "stored"]
        pending_items = [r for r in self.rows if r.kind == "item"]
        self._remember_typed()
        self.rows = [*stored, *pending_items, *free]
        self._render()
        return row

    def remove(self, row: FindingRow) -> None:
        if row.kind == "free":
            self.rows.remove(row)
            self._render()

    def selected(self) -> FindingRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.rows[index.row()] if 0 <= index.row() < len(self.rows) else None

    def inputs(self) -> tuple[FindingInput, ...]:
        """The unsaved findings for VisitInput.findings: failed items' with an action typed, and free ones."""
        found = []
        for row in self.rows:
            if row.kind == "item" and row.action.strip():
                found.append(FindingInput(row.text, row.severity, row.item_id, row.action, row.deadline))
            elif row.kind == "free" and (row.text.strip() or row.action.strip()):
                found.append(FindingInput(row.text, row.severity, None, row.action, row.deadline))
        return tuple(found)


def stored_finding_rows(d: visit_service.VisitDetail) -> list[FindingRow]:
    """The stored visit's findings as table rows: one per corrective action (a finding without one: one)."""
    rows: list[FindingRow] = []
    for finding in d.findings:
        for action in finding.actions or (None,):
            rows.append(
                FindingRow(
                    "stored",
                    finding.text,
                    finding.severity,
                    finding_id=finding.id,
                    item_id=finding.item_id,
                    action_id=action.id if action else None,
                    action=action.action if action else "",
                    deadline=action.deadline if action else None,
                    done_on=action.done_on if action else None,
                    referral_number=action.referral_number if action else "",
                )
            )
    return rows


class VisitFindingsMixin:
    """Findings, actions and re-inspection behaviour of VisitDialog (which provides the widgets, ``context``,
    ``detail``, ``visit_id``, ``confirm``, ``inform``, ``_reload_stored`` and ``_update_buttons``)."""

    def _find_finding_widgets(self, form: QWidget) -> None:
        self.findings = FindingsTable(child(form, QTableWidget, "findingsTable"), self)
        self.add_finding_button = child(form, QPushButton, "addFindingButton")
        self.remove_finding_button = child(form, QPushButton, "removeFindingButton")
        self.add_action_button = child(form, QPushButton, "addActionButton")
        self.refer_button = child(form, QPushButton, "referButton")
        self.done_button = child(form, QPushButton, "doneButton")
        self.verify_group = child(form, QGroupBox, "verifyGroup")
        self.verify_list = child(form, QListWidget, "verifyList")

    def _connect_findings(self) -> None:
        self.findings.table.itemSelectionChanged.connect(self._update_buttons)
        self.findings.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.add_finding_button.clicked.connect(self.add_free_finding)
        self.remove_finding_button.clicked.connect(self.remove_free_finding)
        self.add_action_button.clicked.connect(self.add_action)
        self.refer_button.clicked.connect(self.refer_selected)
        self.done_button.clicked.connect(self.complete_selected)

    def _update_finding_buttons(self) -> None:
        row = self.findings.selected()
        self.add_finding_button.setEnabled(not self.closed)
        self.remove_finding_button.setEnabled(row is not None and row.kind == "free")
        self.add_action_button.setEnabled(row is not None and row.kind == "stored" and not row.action_id)
        self.refer_button.setEnabled(row is not None and row.kind == "stored" and not row.referral_number)
        self.done_button.setEnabled(row is not None and bool(row.action_id) and row.done_on is None)

    # --- findings and actions -------------------------------------------------------------------------

    def add_free_finding(self) -> None:
        self.findings.add_free()
        self.tabs.setCurrentIndex(1)
        self._update_buttons()

    def remove_free_finding(self) -> None:
        row = self.findings.selected()
        if row is not None:
            self.findings.remove(row)
        self._update_buttons()

    def add_action(self) -> None:
        row = self.findings.selected()
        if row is None or row.kind != "stored" or row.action_id:
            return
        try:
            action_service.add_action(self.context.uow(), row.finding_id, row.action, row.deadline)
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "اقدام اصلاحی")
            return
        self._reload_stored()

    def ask_date(self, title: str, about: str, label: str, ok_text: str = "ثبت") -> date | None:
        """The date of «انجام شد» or of a referral letter: today by default, not in the future, not before
        the visit; None when cancelled. (Tests replace it on the instance.)"""
        earliest = self.detail.inspected_on if self.detail is not None else None
        return ask_action_date(self, title, about, label, earliest, ok_text)

    def refer_selected(self) -> None:
        row = self.findings.selected()
        if row is None or row.kind != "stored":
            return
        agency = self.detail.licensing_agency if self.detail else ""
        on = self.ask_date(
            "ارجاع به دستگاه صادرکننده مجوز",
            f"برای یافته «{row.text}» نامه ارجاع به «{agency or 'دستگاه صادرکننده مجوز'}» صادر شود؟",
            "تاریخ نامه:",
            "صدور نامه",
        )
        if on is None:
            return
        try:
            letter_id = action_service.refer_finding(self.context.uow(), row.finding_id, on)
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "ارجاع")
            return
        self.referral_letter_id = letter_id
        self._reload_stored()
        self.inform("نامه ارجاع صادر شد و در «مکاتبات» ثبت شد.")

    def complete_selected(self) -> None:
        row = self.findings.selected()
        if row is None or not row.action_id or row.done_on is not None:
            return
        done_on = self.ask_date("ثبت انجام اقدام اصلاحی", row.action or row.text, "تاریخ انجام:")
        if done_on is None:
            return
        try:
            action_service.complete_action(self.context.uow(), row.action_id, done_on)
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "اقدام اصلاحی")
            return
        self._reload_stored()

    # --- re-inspection --------------------------------------------------------------------------------

    def _load_reinspected(self, visit_id: str) -> None:
        with self.context.uow() as uow:
            earlier = visit_service.get_visit(uow, visit_id)
        self.reinspection_label.setText(
            f"بازدید مجدد از بازدید {format_jalali(earlier.inspected_on)} ({earlier.result_label})"
        )
        self.verify_list.clear()
        for finding in earlier.findings:
            for action in finding.actions:
                if action.is_open:
                    item = QListWidgetItem(rlm(f"{finding.text} — {action.action}"))
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked)
                    item.setData(ACTION_ID_ROLE, action.id)
                    self.verify_list.addItem(item)
        if not self.verify_list.count():
            self.verify_list.addItem("اقدام بازی از بازدید پیشین نمانده است.")

    def verified_action_ids(self) -> tuple[str, ...]:
        """The earlier visit's open actions the inspector ticked as verified by this re-inspection."""
        items = [self.verify_list.item(i) for i in range(self.verify_list.count())]
        return tuple(
            item.data(ACTION_ID_ROLE)
            for item in items
            if item.data(ACTION_ID_ROLE) and item.checkState() == Qt.CheckState.Checked
        )

    def make_reinspection_dialog(self):
        """The form of a re-inspection of this visit (the VisitDialog class itself)."""
        return type(self)(
            self.context, centre_id=self.detail.centre_id, reinspection_of_id=self.visit_id, parent=self
        )

    def reinspect(self) -> None:
        if self.detail is None:
            return
        dialog = self.make_reinspection_dialog()
        self.last_dialog = dialog
        dialog.finished.connect(lambda _r: self._reload_stored())
        dialog.open()
