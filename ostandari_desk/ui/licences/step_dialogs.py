"""One small dialog per licence step (forms/licence_step.ui plus rows built for the step).

``StepDialog`` holds the form rows and a ``submit(values)`` callback that calls one service; a
UserError (TransitionError, ValidationError…) is shown in Persian and the dialog stays open; a
``warn(values)`` callback's warnings are confirmed first. The ``*_dialog`` factories build the dialog of
each step from the service's plain values: what a form starts from (a completion's level and number, a
sanction letter's next number) and what it warns about are the services' (services.licences.guidance),
never rules restated here.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ostandari_desk import settings
from ostandari_desk.domain import jalali
from ostandari_desk.domain.lifecycle import (
    AGENCY_LABELS,
    CASE_TYPE_LABELS,
    SANCTION_LADDER,
    Agency,
    LicenceState,
    StepKind,
    direct_step_label,
)
from ostandari_desk.domain.text import clean, digits_to_latin, protect_hyphenated_numbers, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services import licences as lic
from ostandari_desk.services import reference
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.widgets.dates import JalaliDateEdit, persian_locale
from ostandari_desk.ui.widgets.paged_list import ask_yes_no

FIELD_LABELS_FA = {
    "on": "تاریخ",
    "received_on": "تاریخ دریافت",
    "meeting_on": "تاریخ جلسه شورا",
    "legal_basis": "مبنای قانونی",
    "letter_no": "شماره نامه",
    "reason": "دلیل",
    "licence_number": "شماره پروانه",
    "validity_years": "مدت اعتبار",
    "expires_on": "تاریخ انقضا",
    "tracking_no": "شماره پیگیری",
    "override_reason": "دلیل عدول از پاسخ منفی استعلام",
}
WARNING_QUESTION = "ادامه می‌دهید؟"


class StepDialog(QDialog):
    """A titled form of rows; OK runs ``submit(values)``; success accepts, a UserError is shown."""

    def __init__(
        self,
        title: str,
        intro: str,
        submit: Callable[[dict[str, Any]], Any],
        parent=None,
        warn: Callable[[dict[str, Any]], list[str]] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form_widget = load_form("licence_step", self)
        self.intro_label = child(self.form_widget, QLabel, "introLabel")
        self.intro_label.setText(intro)
        self.intro_label.setVisible(bool(intro))
        self.form: QFormLayout = self.form_widget.findChild(QFormLayout, "stepForm")
        self.button_box = child(self.form_widget, QDialogButtonBox, "buttonBox")
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("ثبت")
        self.button_box.button(QDialogButtonBox.StandardButton.Cancel).setText("انصراف")
        self.button_box.accepted.connect(self.submit)
        self.button_box.rejected.connect(self.reject)
        self.widgets: dict[str, QWidget] = {}
        self._submit = submit
        self._warn = warn
        # asked to go on despite the service's warnings; tests replace it
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.result_value: Any = None
        self.setMinimumWidth(460)

    # --- rows -----------------------------------------------------------------------------------

    def _add(self, key: str, label: str, widget: QWidget) -> QWidget:
        widget.setObjectName(f"{key}Field")
        self.form.addRow(label, widget)
        self.widgets[key] = widget
        return widget

    def add_date(self, key: str, label: str, value: _dt.date | None = None, allow_empty: bool = False):
        editor = JalaliDateEdit(self, allow_empty=allow_empty)
        editor.set_value(value if value is not None or allow_empty else _dt.date.today())
        return self._add(key, label, editor)

    def add_line(self, key: str, label: str, value: str = "", placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(value, self)
        edit.setPlaceholderText(placeholder)
        return self._add(key, label, edit)

    def add_text(self, key: str, label: str, value: str = "") -> QPlainTextEdit:
        edit = QPlainTextEdit(value, self)
        edit.setTabChangesFocus(True)
        edit.setMaximumHeight(70)
        return self._add(key, label, edit)

    def add_combo(
        self, key: str, label: str, items: list[tuple[str, Any]], editable: bool = False
    ) -> QComboBox:
        combo = QComboBox(self)
        combo.setEditable(editable)
        for text, data in items:
            combo.addItem(text, data)
        if editable:
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        return self._add(key, label, combo)

    def add_spin(
        self, key: str, label: str, value: int, minimum: int, maximum: int, suffix: str = ""
    ) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setLocale(persian_locale())
        spin.setRange(minimum, maximum)
        spin.setValue(value)
        spin.setSuffix(suffix)
        return self._add(key, label, spin)

    def add_note(self, key: str, text: str) -> QLabel:
        """A one-line hint under the previous row (no label, no value)."""
        note = QLabel(text, self)
        note.setObjectName(f"{key}Note")
        note.setWordWrap(True)
        palette = note.palette()
        palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
        note.setPalette(palette)
        self.form.addRow("", note)
        return note

    def add_info(self, key: str, label: str, text: str = "") -> QLabel:
        info = QLabel(text, self)
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return self._add(key, label, info)

    # --- values ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """Each row's value: dates as date, line/text cleaned (digits Latin for codes), combos' data."""
        result: dict[str, Any] = {}
        for key, widget in self.widgets.items():
            if isinstance(widget, JalaliDateEdit):
                result[key] = widget.value()
            elif isinstance(widget, QLineEdit):
                result[key] = clean(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                result[key] = clean(widget.toPlainText())
            elif isinstance(widget, QComboBox):
                result[key] = clean(widget.currentText()) if widget.isEditable() else widget.currentData()
            elif isinstance(widget, QSpinBox):
                result[key] = widget.value()
        return result

    def set_value(self, key: str, value: Any) -> None:
        """Set a row's value (tests and callers): dates, text, combo data or text, numbers."""
        widget = self.widgets[key]
        if isinstance(widget, JalaliDateEdit):
            widget.set_value(value)
        elif isinstance(widget, (QLineEdit, QLabel)):
            widget.setText(value)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        elif isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index < 0:
                index = widget.findText(value)
            if index >= 0:
                widget.setCurrentIndex(index)
            elif widget.isEditable():
                widget.setEditText(value)
            else:
                raise KeyError(value)
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))

    def submit(self) -> bool:
        values = self.values()
        try:
            warnings = self._warn(values) if self._warn is not None else []
            if warnings and not self.confirm(
                self, self.windowTitle(), "\n".join(warnings) + "\n\n" + WARNING_QUESTION
            ):
                return False
            self.result_value = self._submit(values)
        except UserError as exc:
            ui_errors.show_user_error(self, exc, self.windowTitle())
            widget = self.widgets.get(exc.field or "")
            if widget is not None:
                widget.setFocus()
            return False
        self.accept()
        return True


LETTER_FILED_NOTE = "این نامه در مکاتبات صادره نیز ثبت می‌شود."


def _code(value: str) -> str:
    return digits_to_latin(value).strip()


# --- the dialogs of each step -------------------------------------------------------------------


def open_case_dialog(context, ngo_id: str, case_types: tuple[str, ...], parent=None) -> StepDialog:
    def submit(v):
        return lic.open_case(
            context.uow(),
            ngo_id,
            v["case_type"],
            v["received_on"],
            tracking_no=_code(v["tracking_no"]) or None,
            note=v["note"],
        )

    def warn(v) -> list[str]:
        return lic.case_warnings(context.uow(), ngo_id, v["case_type"], v["received_on"])

    dialog = StepDialog("تشکیل پرونده", "درخواست سمن را ثبت کنید.", submit, parent, warn=warn)
    dialog.add_combo("case_type", "نوع پرونده:", [(CASE_TYPE_LABELS[t], str(t)) for t in case_types])
    dialog.add_date("received_on", "تاریخ دریافت درخواست:")
    dialog.add_line("tracking_no", "شماره پیگیری:", placeholder="خالی: شماره خودکار")
    dialog.add_text("note", "یادداشت:")
    return dialog


def documents_dialog(context, case_id: str, parent=None) -> StepDialog:
    def submit(v):
        lic.check_documents(context.uow(), case_id, v["on"], note=v["note"])

    dialog = StepDialog("بررسی مدارک", "مدارک پرونده بررسی و کامل شد.", submit, parent)
    dialog.add_date("on", "تاریخ بررسی:")
    dialog.add_text("note", "یادداشت:")
    return dialog


def inquiries_dialog(context, case_id: str, parent=None) -> StepDialog:
    with context.uow() as uow:
        due_days = int(settings.get_setting(uow, "inquiry_due_days"))
        case = lic.get_case(uow, case_id)
    # the four, or those a case that asked only some of them has still to ask
    agencies = [Agency(a) for a in case.missing_agencies] if case.inquiries else list(Agency)

    def submit(v):
        letters = {a: _code(v[f"letter_{a.value}"]) for a in agencies if _code(v[f"letter_{a.value}"])}
        return lic.send_inquiries(
            context.uow(),
            case_id,
            v["on"],
            due_days=v["due_days"],
            agencies=agencies,
            letter_nos=letters,
            note=v["note"],
        )

    intro = (
        "استعلامات چهارگانه به دستگاه‌های زیر فرستاده می‌شود."
        if len(agencies) == len(Agency)
        else "از این دستگاه‌ها هنوز استعلام نشده است؛ موافقت با تأسیس پاسخ هر چهار استعلام را می‌خواهد."
    )
    dialog = StepDialog("ارسال استعلام‌ها", intro, submit, parent)
    dialog.add_date("on", "تاریخ ارسال:")
    dialog.add_spin("due_days", "مهلت پاسخ:", due_days, 1, 365, " روز")
    for agency in agencies:
        dialog.add_line(f"letter_{agency.value}", f"شماره نامه {AGENCY_LABELS[agency]}:")
    dialog.add_text("note", "یادداشت:")
    return dialog


def answer_dialog(context, case_id: str, parent=None, inquiry_id: str | None = None) -> StepDialog:
    case = lic.get_case(context.uow(), case_id)
    open_items = [
        (
            f"{q.agency_label} — مهلت {jalali.format_jalali(q.due_on)}" + (" (گذشته)" if q.overdue else ""),
            q.id,
        )
        for q in case.inquiries
        if q.answer is None
    ]

    def submit(v):
        if not v["inquiry_id"]:
            raise UserError("استعلام بی‌پاسخی باقی نمانده است.")
        lic.answer_inquiry(context.uow(), v["inquiry_id"], v["on"], v["answer"], note=v["note"])

    dialog = StepDialog("ثبت پاسخ استعلام", "", submit, parent)
    combo = dialog.add_combo("inquiry_id", "استعلام:", open_items)
    if inquiry_id is not None and combo.findData(inquiry_id) >= 0:
        combo.setCurrentIndex(combo.findData(inquiry_id))
    dialog.add_combo("answer", "پاسخ:", [(lic.ANSWER_LABELS[a], a) for a in ("favourable", "unfavourable")])
    dialog.add_date("on", "تاریخ پاسخ:")
    dialog.add_text("note", "یادداشت:")
    return dialog


def _legal_bases(context) -> list[str]:
    return [item.name for item in reference.list_items(context.uow(), "legal_basis")]


def _add_legal_basis(dialog: StepDialog, bases: list[str]) -> QComboBox:
    combo = dialog.add_combo("legal_basis", "مبنای قانونی:", [(b, b) for b in bases], editable=True)
    combo.setToolTip("آیین‌نامه و ماده را از فهرست برگزینید یا بنویسید.")
    combo.setMinimumContentsLength(30)
    return combo


def decide_dialog(context, case_id: str, parent=None) -> StepDialog:
    """The council's decision. An approval the inquiries do not allow is not offered (the reason is
    shown); an unfavourable answer asks for the manager's written override reason."""
    bases = _legal_bases(context)
    case = lic.get_case(context.uow(), case_id)
    can_approve = not case.approval_refusal

    def submit(v):
        approve = v["decision"] == "approve"
        lic.decide_case(
            context.uow(),
            case_id,
            approve,
            v["on"],
            v["meeting_on"],
            v["legal_basis"],
            note=v["note"],
            override_reason=v.get("override_reason", "") if approve else "",
        )

    dialog = StepDialog("تصمیم شورا", "تصمیم شورای توسعه و حمایت از تشکل‌ها (یا هیئت نظارت).", submit, parent)
    choices = [("موافقت", "approve"), ("مخالفت", "reject")] if can_approve else [("مخالفت", "reject")]
    dialog.add_combo("decision", "تصمیم:", choices)
    if not can_approve:
        dialog.add_note("approval", case.approval_refusal)
    dialog.add_date("meeting_on", "تاریخ جلسه:", allow_empty=True)
    dialog.widgets["meeting_on"].set_value(_dt.date.today())
    dialog.add_date("on", "تاریخ ثبت تصمیم:")
    _add_legal_basis(dialog, bases)
    if can_approve and case.needs_override:
        agencies = "، ".join(f"«{label}»" for label in case.unfavourable_agencies)
        dialog.add_text("override_reason", "دلیل عدول:")
        dialog.add_note(
            "override_reason",
            f"پاسخ استعلام {agencies} منفی است؛ موافقت فقط با عدول مدیر، با دلیل مکتوب، ثبت می‌شود.",
        )

        def follow_decision(_index: int = 0) -> None:
            dialog.widgets["override_reason"].setEnabled(
                dialog.widgets["decision"].currentData() == "approve"
            )

        dialog.widgets["decision"].currentIndexChanged.connect(follow_decision)
        follow_decision()
    dialog.add_text("note", "یادداشت:")
    return dialog


COMPLETE_TITLES = {
    "establishment": "صدور پروانه فعالیت",
    "renewal": "تمدید پروانه",
    "upgrade": "ارتقای سطح و صدور پروانه",
    "conformity": "ثبت تطبیق",
}


def complete_dialog(context, case_id: str, parent=None) -> StepDialog:
    with context.uow() as uow:
        case = lic.get_case(uow, case_id)
        start = lic.completion_form(uow, case_id)  # the level, number and years the service proposes

    def submit(v):
        if not start.issues_licence:
            return lic.complete_case(context.uow(), case_id, v["on"], note=v["note"])
        return lic.complete_case(
            context.uow(),
            case_id,
            v["on"],
            licence_number=_code(v["licence_number"]),
            validity_years=v["validity_years"],
            note=v["note"],
            credential=v.get("document") == "credential",
        )

    intro = protect_hyphenated_numbers(
        f"پرونده «{case.case_type_label}» با شماره پیگیری {to_persian_digits(case.tracking_no)}"
    )
    dialog = StepDialog(COMPLETE_TITLES.get(case.case_type, "پایان پرونده"), intro, submit, parent)
    if start.issues_licence:
        if case.case_type == "establishment":  # an establishment ends in a licence or a credential
            dialog.add_combo(
                "document", "سند صادرشده:", [("پروانه فعالیت", "licence"), ("اعتبارنامه", "credential")]
            )
        dialog.add_line("licence_number", "شماره پروانه:", to_persian_digits(start.licence_number))
        dialog.add_info("level", "سطح:", start.level_label)
        dialog.add_date("on", "تاریخ صدور:")
        dialog.add_spin("validity_years", "مدت اعتبار:", start.validity_years, 1, 20, " سال")
        expiry = dialog.add_info("expires", "تاریخ انقضا:")

        def update_expiry(*_args) -> None:
            on = dialog.widgets["on"].value()
            span = dialog.widgets["validity_years"].value()
            expiry.setText(jalali.format_jalali(jalali.add_years(on, span)) if on else "")

        dialog.widgets["on"].value_changed.connect(update_expiry)
        dialog.widgets["validity_years"].valueChanged.connect(update_expiry)
        update_expiry()
    else:
        dialog.add_date("on", "تاریخ تطبیق:")
    dialog.add_text("note", "یادداشت:")
    return dialog


def withdraw_dialog(context, case_id: str, parent=None) -> StepDialog:
    def submit(v):
        return lic.withdraw_case(context.uow(), case_id, v["on"], v["reason"], note=v["note"])

    case = lic.get_case(context.uow(), case_id)
    intro = protect_hyphenated_numbers(
        f"پرونده {case.case_type_label} (شماره پیگیری {to_persian_digits(case.tracking_no)}) بدون تکمیل "
        "مختومه می‌شود و سمن می‌تواند پرونده تازه‌ای تشکیل دهد. این اقدام در سابقه می‌ماند."
    )
    dialog = StepDialog("مختومه کردن پرونده", intro, submit, parent)
    dialog.add_date("on", "تاریخ:")
    dialog.add_text("reason", "دلیل:")
    dialog.add_text("note", "یادداشت:")
    return dialog


# The intro of each rung's dialog: what the step does to the licence.
SANCTION_INTROS = {
    StepKind.NOTICE: "تذکر به سمن ثبت می‌شود؛ پروانه همچنان معتبر می‌ماند.",
    StepKind.WRITTEN_WARNING: "اخطار کتبی به سمن ثبت می‌شود؛ پروانه همچنان معتبر می‌ماند.",
    StepKind.SUSPENSION: "پروانه فعالیت سمن تعلیق می‌شود.",
    StepKind.REVOCATION: "پروانه (یا موافقت) سمن لغو می‌شود. این اقدام در سابقه می‌ماند.",
    StepKind.DISSOLUTION_REQUEST: "درخواست انحلال سمن به مرجع قضایی ثبت می‌شود؛ پروانه تا رأی دادگاه دست نمی‌خورد.",
}
_RUNGS = dict(SANCTION_LADDER)


def sanction_dialog(context, ngo_id: str, kind: StepKind | str, parent=None) -> StepDialog:
    """One rung of the sanctions ladder: date, letter number (the series' next proposed), legal basis,
    reason. The intro says where the NGO stands on the ladder."""
    kind = StepKind(kind)
    today = _dt.date.today()
    with context.uow() as uow:
        state = lic.ngo_actions(uow, ngo_id).licence_state
        before = lic.sanctions_of(uow, ngo_id)
        proposed = lic.next_step_letter_number(uow, ngo_id, today)
    bases = _legal_bases(context)
    label = direct_step_label(kind, state)

    def submit(v):
        return lic.impose_sanction(
            context.uow(),
            ngo_id,
            kind,
            v["on"],
            _code(v["letter_no"]),
            v["reason"],
            v["legal_basis"],
            v["note"],
        )

    intro = SANCTION_INTROS[kind]
    if kind == StepKind.REVOCATION and state == LicenceState.APPROVED:
        intro = "موافقت با تأسیس سمن، که هنوز پروانه‌ای از آن صادر نشده، لغو می‌شود. این اقدام در سابقه می‌ماند."
    if before:
        last = before[-1]
        intro += f"\nآخرین مجازات: {last.label} ({jalali.format_jalali(last.on_date)})."
    dialog = StepDialog(label, f"{intro}\nپله نردبان مجازات: {_RUNGS[kind]}", submit, parent)
    dialog.add_date("on", "تاریخ:", today)
    dialog.add_line("letter_no", "شماره نامه:", to_persian_digits(proposed))
    dialog.add_note("letter_no", LETTER_FILED_NOTE)
    _add_legal_basis(dialog, bases)
    dialog.add_text("reason", "دلیل:")
    dialog.add_text("note", "یادداشت:")
    return dialog


def suspension_dialog(context, ngo_id: str, parent=None) -> StepDialog:
    return sanction_dialog(context, ngo_id, StepKind.SUSPENSION, parent)


def revocation_dialog(context, ngo_id: str, parent=None) -> StepDialog:
    return sanction_dialog(context, ngo_id, StepKind.REVOCATION, parent)


def lifting_dialog(context, ngo_id: str, parent=None) -> StepDialog:
    def submit(v):
        return lic.lift_suspension(context.uow(), ngo_id, v["on"], _code(v["letter_no"]), note=v["note"])

    dialog = StepDialog("رفع تعلیق", "تعلیق پروانه برداشته می‌شود و پروانه دوباره معتبر است.", submit, parent)
    dialog.add_date("on", "تاریخ رفع تعلیق:")
    dialog.add_line("letter_no", "شماره نامه:")
    dialog.add_note("letter_no", LETTER_FILED_NOTE)
    dialog.add_text("note", "یادداشت:")
    return dialog
