"""A memorandum's next tranche (forms/payment_dialog.ui): its number (read-only), date and amount. Before saving,
a live line says why the tranche may not be paid yet (``why_not_payable``, e.g. «گزارش پیشرفت ۵۰٪ ثبت نشده
است…») and «ذخیره» stays disabled while it may not; the amount starts at the most the release rule allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain.text import format_rials, rials_in_words, to_persian_digits
from ostandari_desk.services.memoranda import memoranda as memo_service
from ostandari_desk.services.memoranda import payments as payment_service
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.widgets.dates import JalaliDateEdit
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.numbers import RialEdit
from ostandari_desk.ui.widgets.paged_list import ask_yes_no

__all__ = ["PaymentDialog", "allowed_maximum"]

ALLOWED_STYLE = "color: #1b5e20;"
REFUSED_STYLE = "color: #b71c1c; font-weight: bold;"
WORDS_LIMIT = 10**18


def allowed_maximum(detail: memo_service.MemorandumDetail, rule: rules.ReleaseRule) -> int:
    """The most the next tranche may be: the remaining amount, and for the first tranche its share."""
    remaining = max(detail.ledger.remaining, 0)
    if detail.next_tranche_no == 1:
        return min(remaining, rules.first_tranche_cap(detail.amount, rule))
    return remaining


class PaymentDialog(EditDialog):
    """``PaymentDialog(context, memorandum_id, parent=None)``: pay the memorandum's next tranche; ``saved_id``
    after accept. ``refusal()`` is the live line's sentence (None: the tranche may be paid)."""

    DISCARD_QUESTION = ("کنار گذاشتن پرداخت", "پرداخت ذخیره نشده کنار گذاشته شود؟")

    def __init__(self, context, memorandum_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.memorandum_id = memorandum_id
        self.saved_id: str | None = None
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        with context.uow() as uow:
            self.detail = memo_service.get_memorandum(uow, memorandum_id)
            self.rule = payment_service.release_rule(uow)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.form = load_form("payment_dialog", self)
        self.layout().setContentsMargins(9, 9, 9, 9)
        f = self.form
        self.memorandum_label = child(f, QLabel, "memorandumLabel")
        self.ledger_label = child(f, QLabel, "ledgerLabel")
        self.tranche_label = child(f, QLabel, "trancheLabel")
        self.date_edit = child(f, JalaliDateEdit, "dateEdit")
        self.amount_edit = child(f, RialEdit, "amountEdit")
        self.amount_words_label = child(f, QLabel, "amountWordsLabel")
        self.rule_label = child(f, QLabel, "ruleLabel")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.errors = self._field_errors(child(f, QLabel, "errorLabel"))
        self.save_button = self._label_buttons(self.button_box)
        self.save_button.setToolTip("Ctrl+S")
        d = self.detail
        self.tranche_no = d.next_tranche_no
        self.memorandum_label.setText(f"تفاهم‌نامه {to_persian_digits(d.number)} — {d.title}")
        ledger = d.ledger
        self.ledger_label.setText(
            f"مبلغ {format_rials(ledger.amount)}؛ پرداخت‌شده {format_rials(ledger.paid)} "
            f"({rules.percent(ledger.paid_percent)})؛ مانده {format_rials(ledger.remaining)}؛ "
            f"پیشرفت {rules.percent(ledger.progress_percent)}"
        )
        self.tranche_label.setText(f"مرحله {to_persian_digits(self.tranche_no)}")
        self.date_edit.set_value(max(date.today(), d.signed_on))
        maximum = allowed_maximum(d, self.rule)
        if maximum > 0:
            self.amount_edit.set_value(maximum)
        self.date_edit.value_changed.connect(self.update_rule_line)
        self.amount_edit.value_changed.connect(self.update_rule_line)
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self.setWindowTitle(f"پرداخت مرحله {to_persian_digits(self.tranche_no)}")
        self.update_rule_line()
        self._initial = self.payment_input()
        self.resize(620, 360)
        self.amount_edit.setFocus()

    # --- the live line --------------------------------------------------------------------------------

    def refusal(self) -> str | None:
        """Why the tranche may not be paid as typed (service ``why_not_payable``); None when it may."""
        amount = self.amount_edit.value()
        with self.context.uow() as uow:
            return payment_service.why_not_payable(uow, self.memorandum_id, self.date_edit.value(), amount)

    def update_rule_line(self, *_args) -> None:
        amount = self.amount_edit.value()
        if amount is None:
            self.amount_words_label.setText("")
        elif abs(amount) <= WORDS_LIMIT:
            self.amount_words_label.setText(rials_in_words(amount))
        why = self.refusal()
        if why is None and amount is None:
            why = "مبلغ پرداخت را بنویسید"
        if why is None:
            self.rule_label.setText(f"این مرحله پرداخت‌شدنی است (حداکثر {format_rials(self._cap())}).")
            self.rule_label.setStyleSheet(ALLOWED_STYLE)
        else:
            self.rule_label.setText(f"هنوز پرداخت نمی‌شود: {why}")
            self.rule_label.setStyleSheet(REFUSED_STYLE)
        self.save_button.setEnabled(why is None)

    def _cap(self) -> int:
        return allowed_maximum(self.detail, self.rule)

    # --- saving -----------------------------------------------------------------------------------

    def payment_input(self) -> payment_service.PaymentInput:
        return payment_service.PaymentInput(
            memorandum_id=self.memorandum_id,
            paid_on=self.date_edit.value(),
            tranche_no=self.tranche_no,
            amount=self.amount_edit.value(),
        )

    def save(self) -> bool:
        data = self.payment_input()
        if not self._add_checked(payment_service.payment_errors, payment_service.add_payment, data):
            return False
        return self._accept_saved(data)

    def has_changes(self) -> bool:
        return self.payment_input() != self._initial

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "memorandum_id": self.rule_label,
            "tranche_no": self.tranche_label,
            "paid_on": self.date_edit,
            "amount": self.amount_edit,
        }
