"""The visit form (forms/visit_dialog.ui): centre, Jalali date, time, kind, inspectors; the checklist of
the category's active version (or the visit's frozen one) with the live score and result; the result's
override with its reason and the correction deadline; findings with corrective actions, referrals and
«انجام شد»; photos and scans; notes on a closed visit; closing, re-inspection and the history tab."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QWidget,
)

from ostandari_desk.domain.inspections import RESULT_LABELS, VISIT_KIND_LABELS
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number, rlm, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services.inspections import centres as centre_service
from ostandari_desk.services.inspections import templates as template_service
from ostandari_desk.services.inspections import visits as visit_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.events.dialog import _host
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.inspections.common import RESULT_COLOURS, CentrePicker, FieldErrors, centre_label
from ostandari_desk.ui.inspections.visit_attachments import VisitAttachmentsMixin
from ostandari_desk.ui.inspections.visit_checklist import ChecklistTable
from ostandari_desk.ui.inspections.visit_findings import VisitFindingsMixin, stored_finding_rows
from ostandari_desk.ui.inspections.visit_notes import VisitNotesMixin
from ostandari_desk.ui.letters.dialog import open_with_system_viewer
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.history import HISTORY_TAB_TITLE, HistoryWidget
from ostandari_desk.ui.widgets.paged_list import ask_yes_no


def _split_names(raw: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in raw.replace(",", "،").split("،") if n.strip())


class VisitDialog(VisitFindingsMixin, VisitNotesMixin, VisitAttachmentsMixin, EditDialog):
    """Record a visit (``visit_id=None``; ``centre_id`` chosen beforehand or in the picker;
    ``reinspection_of_id``: the visit it follows up) or open a stored one. ``saved_id`` after saving."""

    SELECT_TEXT_ON_ERROR = False
    DISCARD_QUESTION = None  # reject() asks about the visit itself

    def __init__(
        self,
        context,
        visit_id: str | None = None,
        centre_id: str | None = None,
        reinspection_of_id: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.visit_id = visit_id
        self.reinspection_of_id = reinspection_of_id
        self.saved_id: str | None = None
        self.detail: visit_service.VisitDetail | None = None
        self.last_dialog: VisitDialog | None = None
        self._version = 1
        self._template_label = ""
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.choose_files: Callable[[], list[str]] = self._choose_files
        self.open_file: Callable[[Path], bool] = open_with_system_viewer
        self.ask_note: Callable[[], str] = self._ask_note
        self.inform: Callable[[str], None] = self._inform
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form = load_form("visit_dialog", self)
        self._find_children()
        self._fill_choices()
        self._connect()
        self.history_tab: HistoryWidget | None = None
        if visit_id is not None:
            self._load(visit_id)
        else:
            self.setWindowTitle("ثبت بازدید")
            if centre_id:
                self._set_centre(centre_id)
            else:
                self._show_template(None)
            if reinspection_of_id:
                self._load_reinspected(reinspection_of_id)
        self.verify_group.setVisible(bool(reinspection_of_id) and visit_id is None)
        self.reinspection_label.setVisible(bool(self.reinspection_label.text()))
        self._apply_state()
        self._refresh_live()
        self._update_buttons()
        self._initial = self.visit_input()
        self.resize(1100, 680)

    # --- construction -------------------------------------------------------------------------------

    def _find_children(self) -> None:
        f = self.form
        self.centre_picker = _host(child(f, QWidget, "centreHost"), CentrePicker(self.context.uow, self))
        self.date_edit = _host(child(f, QWidget, "dateHost"), JalaliDateEdit(self))
        self.date_edit.setObjectName("visitDateEdit")
        self.deadline_edit = _host(child(f, QWidget, "deadlineHost"), JalaliDateEdit(self, allow_empty=True))
        self.deadline_edit.setObjectName("deadlineEdit")
        self.time_edit = child(f, QLineEdit, "timeEdit")
        self.kind_combo = child(f, QComboBox, "kindCombo")
        self.inspectors_edit = child(f, QLineEdit, "inspectorsEdit")
        self.state_label = child(f, QLabel, "stateLabel")
        self.reinspection_label = child(f, QLabel, "reinspectionLabel")
        self.tabs = child(f, QTabWidget, "visitTabs")
        self.template_label = child(f, QLabel, "templateLabel")
        self.checklist = _host(child(f, QWidget, "checklistHost"), ChecklistTable(self))
        self.score_label = child(f, QLabel, "scoreLabel")
        self.computed_label = child(f, QLabel, "computedLabel")
        self.result_combo = child(f, QComboBox, "resultCombo")
        self.reason_edit = child(f, QLineEdit, "reasonEdit")
        self.deadline_label = child(f, QLabel, "deadlineLabel")
        self.notes_edit = child(f, QLineEdit, "notesEdit")
        self._find_finding_widgets(f)
        self.attachment_list = child(f, QListWidget, "attachmentList")
        self.attachment_finding_combo = child(f, QComboBox, "attachmentFindingCombo")
        self.add_attachment_button = child(f, QPushButton, "addAttachmentButton")
        self.open_attachment_button = child(f, QPushButton, "openAttachmentButton")
        self.remove_attachment_button = child(f, QPushButton, "removeAttachmentButton")
        self.notes_list = child(f, QListWidget, "notesList")
        self.add_note_button = child(f, QPushButton, "addNoteButton")
        self.close_visit_button = child(f, QPushButton, "closeVisitButton")
        self.reinspect_button = child(f, QPushButton, "reinspectButton")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.save_button = self._label_buttons(self.button_box)
        self.save_button.setToolTip("Ctrl+S")
        self.errors = FieldErrors(child(f, QLabel, "errorLabel"), self._error_widget)
        child(f, QLabel, "centreLabel").setBuddy(self.centre_picker.edit)
        child(f, QLabel, "dateLabel").setBuddy(self.date_edit)
        self.deadline_label.setBuddy(self.deadline_edit)
        self.notes_list.setWordWrap(True)
        self.computed_label.setMinimumWidth(260)

    def _fill_choices(self) -> None:
        for announced, label in VISIT_KIND_LABELS.items():
            self.kind_combo.addItem(label, announced)
        self.result_combo.addItem("همان نتیجه پاسخ‌ها", None)
        for key, label in RESULT_LABELS.items():
            self.result_combo.addItem(label, str(key))

    def _connect(self) -> None:
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        self.checklist.changed.connect(self._refresh_live)
        self.result_combo.currentIndexChanged.connect(lambda _i: self._refresh_live())
        self.centre_picker.value_changed.connect(self._on_centre_picker_value_changed)
        self._connect_findings()
        self.add_attachment_button.clicked.connect(self._on_add_attachment_button_clicked)
        self.open_attachment_button.clicked.connect(self.open_selected_attachment)
        self.remove_attachment_button.clicked.connect(self.remove_selected_attachment)
        self.attachment_list.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.attachment_list.itemActivated.connect(lambda _i: self.open_selected_attachment())
        self.add_note_button.clicked.connect(self.add_note)
        self.close_visit_button.clicked.connect(self.close_visit)
        self.reinspect_button.clicked.connect(self.reinspect)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)

    # --- loading ------------------------------------------------------------------------------------

    def _set_centre(self, centre_id: str) -> None:
        with self.context.uow() as uow:
            centre = centre_service.get_centre(uow, centre_id)
            template = template_service.active_template(uow, centre.category_id)
        self.centre_picker.blockSignals(True)
        self.centre_picker.set_value(centre.id, centre_label(centre.code, centre.name))
        self.centre_picker.blockSignals(False)
        self._show_template(template)

    def _show_template(self, template) -> None:
        if template is None:
            self.checklist.set_items((), 80)
            self._template_label = (
                "نخست مرکز را برگزینید تا چک‌لیست نوع آن بیاید."
                if not self.centre_picker.value()
                else "این نوع مرکز چک‌لیست فعالی ندارد؛ نتیجه بازدید را در زبانه «نتیجه و یافته‌ها» تعیین کنید."
            )
        else:
            self.checklist.set_items(template.items, template.pass_score)
            self._template_label = (
                f"{template.title} — نسخه {to_persian_digits(template.version)}، "
                f"{format_number(len(template.items))} بند، حد قبولی {format_number(template.pass_score)}٪"
            )
        self.template_label.setText(rlm(self._template_label))

    def _on_centre_picker_value_changed(self, centre_id) -> None:
        if self.visit_id is None and centre_id:
            self._set_centre(centre_id)
            self._refresh_live()

    def _load(self, visit_id: str) -> None:
        with self.context.uow() as uow:
            d = visit_service.get_visit(uow, visit_id)
        self.detail = d
        self._version = d.row_version
        self.setWindowTitle(f"بازدید {format_jalali(d.inspected_on)} — {d.centre_name}")
        self.centre_picker.set_value(d.centre_id, centre_label(d.centre_code, d.centre_name))
        self.centre_picker.setEnabled(False)
        self.date_edit.set_value(d.inspected_on)
        self.time_edit.setText(d.time_text)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(d.announced), 0))
        self.inspectors_edit.setText("، ".join(d.inspectors))
        if d.template_id:
            self.checklist.set_items(d.answers, d.pass_score or 80, {a.item_id: a.value for a in d.answers})
            self._template_label = (
                f"{d.template_title} — نسخه {to_persian_digits(d.template_version)} "
                "(نسخه‌ای که بازدید با آن ثبت شد)"
            )
        else:
            self.checklist.set_items((), 80)
            self._template_label = "این بازدید بدون چک‌لیست ثبت شده است."
        self.template_label.setText(rlm(self._template_label))
        self.result_combo.setCurrentIndex(
            max(self.result_combo.findData(d.result), 0) if (d.computed_result or not d.template_id) else 0
        )
        self.reason_edit.setText(d.override_reason)
        self.deadline_edit.set_value(d.correction_deadline)
        self.notes_edit.setText(d.notes)
        if d.reinspection_of_id:
            self.reinspection_label.setText("این بازدید، بازدید مجدد یک بازدید پیشین است.")
        self._fill_stored(d)
        self.history_tab = HistoryWidget(self.context, self._record_ids(d), self.tabs, name_tables=True)
        self.tabs.addTab(self.history_tab, HISTORY_TAB_TITLE)
        self._apply_state()

    def _record_ids(self, d: visit_service.VisitDetail) -> list[str]:
        ids = [d.id, *(n.id for n in d.visit_notes)]
        for finding in d.findings:
            ids += [finding.id, *(a.id for a in finding.actions)]
        return ids

    def _fill_stored(self, d: visit_service.VisitDetail) -> None:
        """Findings, photos and notes of the stored visit (the inputs are left as the clerk has them)."""
        self._stored_rows = stored_finding_rows(d)
        self.attachment_finding_combo.clear()
        self.attachment_finding_combo.addItem("خود بازدید", None)
        for finding in d.findings:
            self.attachment_finding_combo.addItem(rlm(f"یافته: {finding.text[:60]}"), finding.id)
        self._reload_attachments()
        self._fill_notes(d)

    def _reload_stored(self) -> None:
        with self.context.uow() as uow:
            d = visit_service.get_visit(uow, self.visit_id)
        self.detail = d
        self._version = d.row_version
        self._fill_stored(d)
        if self.history_tab is not None:
            self.history_tab.set_records(self._record_ids(d))
        self._refresh_live()
        self._apply_state()

    # --- live evaluation ------------------------------------------------------------------------------

    def _refresh_live(self) -> None:
        evaluation = self.checklist.evaluation()
        override = self.result_combo.currentData()
        if evaluation is None:
            self.score_label.setText("امتیاز: — (هنوز پاسخی داده نشده)" if self.checklist.items else "")
            computed = None
        else:
            score = "—" if evaluation.score is None else f"{format_number(evaluation.score)}٪"
            self.score_label.setText(
                f"امتیاز: {score} (حد قبولی {format_number(self.checklist.pass_score)}٪)"
            )
            computed = str(evaluation.result)
        final = override or computed
        if final:
            text = f"نتیجه: {RESULT_LABELS[final]}"
            if override and computed and override != computed:
                text += f" (پاسخ‌ها: {RESULT_LABELS[computed]}؛ علت تغییر را بنویسید)"
            background, foreground = RESULT_COLOURS[final]
            self.computed_label.setStyleSheet(
                f"background: {background}; color: {foreground}; padding: 2px 8px; font-weight: bold;"
            )
        else:
            text = ""
            self.computed_label.setStyleSheet("")
        self.computed_label.setText(text)
        self.computed_result = computed
        self.final_result = final
        needs_deadline = final in ("needs_fix", "serious")
        self.deadline_label.setText("مهلت اصلاح (لازم):" if needs_deadline else "مهلت اصلاح:")
        self.deadline_label.setStyleSheet("color: #b71c1c; font-weight: bold;" if needs_deadline else "")
        self.reason_edit.setEnabled(bool(override and computed and override != computed) and not self.closed)
        stored = getattr(self, "_stored_rows", [])
        self.findings.set_rows(
            stored, self.checklist.failed_items(), self.findings.free_rows(), self.checklist.parsed_answers()
        )
        self._update_buttons()

    # --- state ----------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.detail is not None and self.detail.closed

    def _apply_state(self) -> None:
        closed = self.closed
        self.state_label.setText("بسته — فقط‌خواندنی" if closed else ("باز" if self.detail else "ثبت نشده"))
        self.state_label.setStyleSheet("color: #b71c1c; font-weight: bold;" if closed else "color: #1b5e20;")
        for widget in (self.date_edit, self.kind_combo, self.result_combo, self.deadline_edit):
            widget.setEnabled(not closed)
        for edit in (self.time_edit, self.inspectors_edit, self.notes_edit, self.reason_edit):
            edit.setReadOnly(closed)
        self.checklist.set_read_only(closed)
        if self.findings.read_only != closed:
            self.findings.read_only = closed
            self._refresh_live()
        self.save_button.setVisible(not closed)
        self.button_box.button(QDialogButtonBox.StandardButton.Cancel).setText("بستن" if closed else "انصراف")
        self._update_buttons()

    def _update_buttons(self) -> None:
        stored = self.detail is not None
        closed = self.closed
        self._update_finding_buttons()
        self.close_visit_button.setEnabled(not closed)
        self.reinspect_button.setEnabled(stored)
        self.add_note_button.setEnabled(stored)
        item = self.attachment_list.currentItem()
        self.add_attachment_button.setEnabled(not closed)
        self.attachment_finding_combo.setEnabled(stored and not closed)
        self.open_attachment_button.setEnabled(item is not None)
        self.remove_attachment_button.setEnabled(item is not None and not closed)

    # --- saving ---------------------------------------------------------------------------------------

    def visit_input(self) -> visit_service.VisitInput:
        reinspection = self.detail.reinspection_of_id if self.detail else self.reinspection_of_id
        return visit_service.VisitInput(
            centre_id=self.centre_picker.value() or "",
            on=self.date_edit.value(),
            at=self.time_edit.text().strip() or None,
            announced=bool(self.kind_combo.currentData()),
            inspectors=_split_names(self.inspectors_edit.text()),
            answers=self.checklist.answers(),
            result_override=self.result_combo.currentData(),
            override_reason=self.reason_edit.text(),
            correction_deadline=self.deadline_edit.value(),
            notes=self.notes_edit.text(),
            reinspection_of_id=reinspection,
            findings=self.findings.inputs(),
            verified_action_ids=self.verified_action_ids(),
        )

    def has_changes(self) -> bool:
        return not self.closed and (self.visit_input() != self._initial or bool(self.pending_files()))

    def _store(self) -> bool:
        """Save the visit (and a new visit's pending photos); True when it was saved."""
        data = self.visit_input()

        def store() -> None:
            try:
                uow = self.context.uow()
                if self.visit_id is None:
                    self.visit_id = visit_service.create_visit(uow, data)
                else:
                    visit_service.update_visit(uow, self.visit_id, data, self._version)
            except UserError as exc:
                self.errors.show(exc)
                raise

        self.errors.clear()
        if not self._save_guarded(store):
            return False
        self.saved_id = self.visit_id
        failed = self._store_pending()
        with self.context.uow() as uow:
            self.detail = visit_service.get_visit(uow, self.visit_id)
        self._version = self.detail.row_version
        self._initial = self.visit_input()
        if failed:
            self._reload_stored()
            ui_errors.show_user_error(
                self, UserError("بازدید ذخیره شد اما این پیوست‌ها نه:\n" + "\n".join(failed))
            )
            return False
        return True

    def save(self) -> bool:
        if self.closed:
            return False
        if not self._store():
            return False
        self.accept()
        return True

    def reject(self) -> None:
        if self.has_changes() and not self.confirm(
            self, "کنار گذاشتن تغییرات", "تغییرات ذخیره نشده این بازدید کنار گذاشته شود؟"
        ):
            return
        super().reject()

    def _error_widget(self, error: UserError) -> QWidget | None:
        if error.field == "answers" and error.record:
            widget = self.checklist.widget_of(error.record)
        else:
            widget = self.field_widgets().get(error.field or "")
        if widget is not None:
            for index in range(self.tabs.count()):
                if self.tabs.widget(index).isAncestorOf(widget):
                    self.tabs.setCurrentIndex(index)
        return widget

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "centre": self.centre_picker,
            "date": self.date_edit,
            "time": self.time_edit,
            "kind": self.kind_combo,
            "inspectors": self.inspectors_edit,
            "answers": self.checklist,
            "result": self.result_combo,
            "score": self.result_combo,
            "override_reason": self.reason_edit,
            "deadline": self.deadline_edit,
            "notes": self.notes_edit,
            "findings": self.findings.table,
            "verified_actions": self.verify_list,
        }

    def focus_field(self, field: str | None) -> bool:
        if field == "reinspection_of":
            return False
        return super().focus_field(field)

    def _inform(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, "بازدید", message)
