"""The memorandum form's progress and payments tabs: the progress reports (with their scans, services/attachments
kind PROGRESS), the tranches paid, and the ledger — amount, paid, remaining, % paid against % progress, and
whether the next tranche may be paid today (``why_not_payable``). Reports and payments are stored at once
through their own dialogs; the form's typed fields stay as they are."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QWidget,
)

from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number, format_rials, rlm, to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.services import attachments
from ostandari_desk.services.memoranda import memoranda as memo_service
from ostandari_desk.services.memoranda import payments as payment_service
from ostandari_desk.services.memoranda import progress as progress_service
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.forms import child
from ostandari_desk.ui.inspections.common import fill_table
from ostandari_desk.ui.letters.dialog import size_text

__all__ = ["SCAN_FILTER", "MemorandumTabsMixin", "set_percent_bar"]

ATTACHMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SCAN_FILTER = "اسکن و عکس (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;همه فایل‌ها (*)"
SAVE_FIRST = "نخست تفاهم‌نامه را ذخیره کنید؛ گزارش پیشرفت و پرداخت پس از آن ثبت می‌شود."
PROGRESS_HEADERS = ("تاریخ گزارش", "پیشرفت", "توضیحات", "اسکن")
PAYMENT_HEADERS = ("مرحله", "تاریخ پرداخت", "مبلغ (ریال)")


def set_percent_bar(bar: QProgressBar, value: int) -> None:
    """A 0–100 bar whose text is the percentage in Persian digits («۵۰٪»)."""
    bar.setRange(0, 100)
    bar.setValue(max(0, min(100, value)))
    bar.setFormat(rules.percent(value))
    bar.setTextVisible(True)


class MemorandumTabsMixin:
    """Behaviour of MemorandumDialog's «گزارش‌های پیشرفت» and «پرداخت‌ها و حساب» tabs (the dialog provides
    ``context``, ``form``, ``tabs``, ``memorandum_id``, ``detail``, ``confirm``, ``choose_files``,
    ``open_file``, ``history_tab`` and ``last_dialog``)."""

    def _setup_tabs(self) -> None:
        f = self.form
        self.progress_tab = child(f, QWidget, "progressTab")
        self.payments_tab = child(f, QWidget, "paymentsTab")
        self.progress_table = child(f, QTableWidget, "progressTable")
        self.add_progress_button = child(f, QPushButton, "addProgressButton")
        self.remove_progress_button = child(f, QPushButton, "removeProgressButton")
        self.scans_group = child(f, QGroupBox, "scansGroup")
        self.scans_list = child(f, QListWidget, "scansList")
        self.add_scan_button = child(f, QPushButton, "addScanButton")
        self.open_scan_button = child(f, QPushButton, "openScanButton")
        self.remove_scan_button = child(f, QPushButton, "removeScanButton")
        self.ledger_amount_label = child(f, QLabel, "ledgerAmountLabel")
        self.ledger_paid_label = child(f, QLabel, "ledgerPaidLabel")
        self.ledger_remaining_label = child(f, QLabel, "ledgerRemainingLabel")
        self.paid_bar = child(f, QProgressBar, "paidBar")
        self.progress_bar = child(f, QProgressBar, "progressBar")
        self.ledger_note_label = child(f, QLabel, "ledgerNoteLabel")
        self.payments_table = child(f, QTableWidget, "paymentsTable")
        self.add_payment_button = child(f, QPushButton, "addPaymentButton")
        self.remove_payment_button = child(f, QPushButton, "removePaymentButton")
        for table, headers in (
            (self.progress_table, PROGRESS_HEADERS),
            (self.payments_table, PAYMENT_HEADERS),
        ):
            _read_only(table, headers)
        set_percent_bar(self.paid_bar, 0)
        set_percent_bar(self.progress_bar, 0)
        self.progress_table.itemSelectionChanged.connect(self._on_progress_selection_changed)
        self.scans_list.currentRowChanged.connect(lambda _r: self._update_tab_buttons())
        self.scans_list.itemActivated.connect(lambda _i: self.open_selected_scan())
        self.add_progress_button.clicked.connect(self.new_progress)
        self.remove_progress_button.clicked.connect(self.remove_latest_progress)
        self.add_scan_button.clicked.connect(self.add_scans)
        self.open_scan_button.clicked.connect(self.open_selected_scan)
        self.remove_scan_button.clicked.connect(self.remove_selected_scan)
        self.add_payment_button.clicked.connect(self.new_payment)
        self.remove_payment_button.clicked.connect(self.remove_last_payment)
        for tab in (self.progress_tab, self.payments_tab):
            index = self.tabs.indexOf(tab)
            self.tabs.setTabEnabled(index, False)
            self.tabs.setTabToolTip(index, SAVE_FIRST)
        self._update_tab_buttons()

    # --- showing ------------------------------------------------------------------------------------

    def record_ids(self) -> list[str]:
        """The memorandum with its reports and payments (its «سابقه تغییرات»)."""
        d = self.detail
        if d is None:
            return [self.memorandum_id] if self.memorandum_id else []
        return [d.id, *(p.id for p in d.progress), *(p.id for p in d.payments)]

    def show_detail(self, d: memo_service.MemorandumDetail) -> None:
        """Fill the tabs from a memorandum's detail."""
        self.detail = d
        for tab in (self.progress_tab, self.payments_tab):
            index = self.tabs.indexOf(tab)
            self.tabs.setTabEnabled(index, True)
            self.tabs.setTabToolTip(index, "")
        selected = self.selected_progress_id()
        fill_table(
            self.progress_table,
            [
                (format_jalali(p.reported_on), rules.percent(p.percent), p.note, format_number(p.scans))
                for p in reversed(d.progress)  # newest first
            ],
            [p.id for p in reversed(d.progress)],
        )
        fill_table(
            self.payments_table,
            [
                (to_persian_digits(p.tranche_no), format_jalali(p.paid_on), format_number(p.amount))
                for p in d.payments
            ],
            [p.id for p in d.payments],
        )
        self.tabs.setTabText(
            self.tabs.indexOf(self.progress_tab), f"گزارش‌های پیشرفت ({format_number(len(d.progress))})"
        )
        self.tabs.setTabText(
            self.tabs.indexOf(self.payments_tab), f"پرداخت‌ها و حساب ({format_number(len(d.payments))})"
        )
        ids = [p.id for p in reversed(d.progress)]
        if ids:
            self.progress_table.setCurrentCell(ids.index(selected) if selected in ids else 0, 0)
        self._show_ledger(d)
        self._reload_scans()

    def _show_ledger(self, d: memo_service.MemorandumDetail) -> None:
        ledger = d.ledger
        self.ledger_amount_label.setText(format_rials(ledger.amount))
        self.ledger_paid_label.setText(format_rials(ledger.paid))
        self.ledger_remaining_label.setText(format_rials(ledger.remaining))
        set_percent_bar(self.paid_bar, ledger.paid_percent)
        set_percent_bar(self.progress_bar, ledger.progress_percent)
        progress = (
            rules.percent(ledger.progress_percent)
            if ledger.latest_progress is not None
            else "هنوز گزارش نشده"
        )
        note = f"پرداخت: {rules.percent(ledger.paid_percent)} مبلغ؛ پیشرفت: {progress}."
        if ledger.remaining > 0 and d.state != rules.COMPLETED:
            with self.context.uow() as uow:
                why = payment_service.why_not_payable(uow, d.id, date.today())
            tranche = to_persian_digits(d.next_tranche_no)
            note += f"\nمرحله {tranche}: " + (why or "امروز پرداخت‌شدنی است.")
        elif ledger.remaining == 0:
            note += "\nهمه مبلغ تفاهم‌نامه پرداخت شده است."
        self.ledger_note_label.setText(rlm(note))

    def reload_detail(self) -> None:
        """Read the memorandum's reports, payments and ledger again (after a report or payment)."""
        if self.memorandum_id is None:
            return
        try:
            with self.context.uow() as uow:
                d = memo_service.get_memorandum(uow, self.memorandum_id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            return
        self.show_detail(d)
        if self.history_tab is not None:
            self.history_tab.set_records(self.record_ids())

    def selected_progress_id(self) -> str | None:
        row = self.progress_table.currentRow()
        item = self.progress_table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_progress_selection_changed(self) -> None:
        self._reload_scans()

    def _reload_scans(self) -> None:
        self.scans_list.clear()
        progress_id = self.selected_progress_id()
        if progress_id is not None:
            try:
                with self.context.uow() as uow:
                    rows = attachments.list_attachments(uow, attachments.PROGRESS, progress_id)
            except UserError:
                rows = []
            for att in rows:
                item = QListWidgetItem(rlm(f"{att.file_name} ({size_text(att.size)})"))
                item.setData(ATTACHMENT_ID_ROLE, att.id)
                self.scans_list.addItem(item)
        self._update_tab_buttons()

    def _update_tab_buttons(self) -> None:
        d = self.detail
        has_report = self.selected_progress_id() is not None
        self.remove_progress_button.setEnabled(bool(d and d.progress))
        self.add_scan_button.setEnabled(has_report)
        self.scans_group.setEnabled(has_report)
        has_scan = self.scans_list.currentItem() is not None
        self.open_scan_button.setEnabled(has_scan)
        self.remove_scan_button.setEnabled(has_scan)
        self.remove_payment_button.setEnabled(bool(d and d.payments))
        self.add_payment_button.setEnabled(d is not None)
        self.add_progress_button.setEnabled(d is not None)

    # --- progress reports ---------------------------------------------------------------------------

    def _open_child(self, dialog: QWidget) -> QWidget:
        self.last_dialog = dialog
        dialog.finished.connect(lambda _r: self.reload_detail())
        dialog.open()
        return dialog

    def new_progress(self) -> QWidget | None:
        if self.memorandum_id is None:
            return None
        from ostandari_desk.ui.memoranda.progress_dialog import ProgressDialog

        return self._open_child(ProgressDialog(self.context, self.memorandum_id, self))

    def remove_latest_progress(self) -> None:
        d = self.detail
        if d is None or not d.progress:
            return
        latest = d.progress[-1]
        question = (
            f"گزارش پیشرفت {format_jalali(latest.reported_on)} ({rules.percent(latest.percent)}) "
            "با اسکن‌هایش حذف شود؟"
        )
        if not self.confirm(self, "حذف گزارش پیشرفت", question):
            return
        try:
            progress_service.remove_progress(self.context.uow(), latest.id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "گزارش پیشرفت")
        self.reload_detail()

    def _choose_files(self) -> list[str]:
        files, _filter = QFileDialog.getOpenFileNames(self, "افزودن اسکن گزارش پیشرفت", "", SCAN_FILTER)
        return files

    def add_scans(self) -> None:
        progress_id = self.selected_progress_id()
        if progress_id is None:
            return
        failed = []
        for name in self.choose_files():
            try:
                attachments.add_attachment(self.context.uow(), attachments.PROGRESS, progress_id, Path(name))
            except UserError as exc:
                failed.append(f"{Path(name).name}: {exc.message}")
        self.reload_detail()
        if failed:
            ui_errors.show_user_error(
                self, UserError("این فایل‌ها افزوده نشدند:\n" + "\n".join(failed)), "اسکن"
            )

    def open_selected_scan(self) -> None:
        item = self.scans_list.currentItem()
        if item is None:
            return
        try:
            with self.context.uow() as uow:
                path = attachments.attachment_path(uow, attachments.PROGRESS, item.data(ATTACHMENT_ID_ROLE))
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "اسکن")
            return
        if not self.open_file(path):
            ui_errors.show_user_error(self, UserError("برنامه‌ای برای باز کردن این فایل پیدا نشد"), "اسکن")

    def remove_selected_scan(self) -> None:
        item = self.scans_list.currentItem()
        if item is None or not self.confirm(self, "حذف اسکن", f"اسکن «{item.text()}» حذف شود؟"):
            return
        try:
            attachments.remove_attachment(
                self.context.uow(), attachments.PROGRESS, item.data(ATTACHMENT_ID_ROLE)
            )
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "اسکن")
        self.reload_detail()

    # --- payments -----------------------------------------------------------------------------------

    def new_payment(self) -> QWidget | None:
        if self.memorandum_id is None:
            return None
        from ostandari_desk.ui.memoranda.payment_dialog import PaymentDialog

        return self._open_child(PaymentDialog(self.context, self.memorandum_id, self))

    def remove_last_payment(self) -> None:
        d = self.detail
        if d is None or not d.payments:
            return
        last = d.payments[-1]
        question = (
            f"پرداخت مرحله {to_persian_digits(last.tranche_no)} ({format_rials(last.amount)}، "
            f"{format_jalali(last.paid_on)}) حذف شود؟"
        )
        if not self.confirm(self, "حذف پرداخت", question):
            return
        try:
            payment_service.remove_payment(self.context.uow(), last.id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc, "پرداخت")
        self.reload_detail()


def _read_only(table: QTableWidget, headers: tuple[str, ...]) -> None:
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView

    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
