"""«تبادل با استان / شهرستان»: this desk's identity, the registered desks, the files sent and received and the
conflicts waiting; registering a desk, writing an exchange file or a receipt, taking a file in.

Everything goes through services/exchange (desks, export, imports, receipts, conflicts, history). Only a
manager or an admin (Permission.EXCHANGE) may act; a clerk sees the same page read-only. Writing and taking
files runs on a pool thread (ui/tasks.run_task) with a progress bar. The file choosers are module functions
the tests replace; dialogs opened last are ``window.last_dialog``; errors go to ``window.show_error``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.roles import Permission
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.errors import UserError
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.exchange.columns import (
    conflict_columns,
    conflict_state,
    count,
    desk_columns,
    file_columns,
)
from ostandari_desk.ui.exchange.dialogs import ConflictDialog, RegisterDialog, desk_text, fingerprint_label
from ostandari_desk.ui.exchange.models import RowsModel, RowsTable

__all__ = ["ExchangeWindow"]

WINDOW_TITLE = "تبادل با استان / شهرستان"
READ_ONLY_NOTE = (
    "تنها مدیر و مدیر سامانه می‌توانند میز ثبت کنند، پرونده تبادل و رسید بسازند یا پرونده دریافت کنند؛ "
    "این صفحه برای شما فقط‌خواندنی است."
)
EXCHANGE_FILTER = "پرونده تبادل یا رسید (*.exchange *.receipt);;همه پرونده‌ها (*)"
IDENTITY_FILTER = "پرونده شناسه میز (*.json);;همه پرونده‌ها (*)"


# --- file choosers (replaced in the tests) --------------------------------------------------------------


def choose_save(parent: QWidget, title: str, suggested: Path, file_filter: str) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    return Path(chosen) if chosen else None


def choose_open(parent: QWidget, title: str, file_filter: str) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), file_filter)
    return Path(chosen) if chosen else None


def _stamp() -> str:
    from ostandari_desk.services.backup import jalali_stamp

    return jalali_stamp(datetime.now().astimezone())


class ExchangeWindow(QDialog):
    """``ExchangeWindow(context)``: the exchange's page in its own window (opened from «پرونده»)."""

    changed = Signal()  # records came in (or a conflict was resolved): the main window's lists are stale

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.may_exchange = context.actor.may(Permission.EXCHANGE)
        self.last_dialog: QWidget | None = None
        self.show_error: Callable[[QWidget | None, BaseException], None] = ui_errors.show_error
        self.identity: Any = None
        self.summary: Any = None
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("exchangeWindow")
        layout = QVBoxLayout(self)
        layout.addWidget(self._identity_box())
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("exchangeSummary")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        layout.addLayout(self._action_row())
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._desks_tab(), "میزهای ثبت‌شده")
        self.tabs.addTab(self._history_tab(), "سابقه پرونده‌ها")
        self.tabs.addTab(self._conflicts_tab(), "ناسازگاری‌ها")
        layout.addWidget(self.tabs, 1)
        if not self.may_exchange:
            note = QLabel(READ_ONLY_NOTE, self)
            note.setObjectName("readOnlyNote")
            note.setWordWrap(True)
            layout.addWidget(note)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        close = QPushButton("بستن", self)
        close.clicked.connect(self.close)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.refresh)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in a table opens its row; it must not press a button too
        for button in self._acting_buttons():
            button.setEnabled(self.may_exchange)
            if not self.may_exchange:
                button.setToolTip(READ_ONLY_NOTE)
        self.resize(1180, 720)
        self.refresh()

    # --- layout -----------------------------------------------------------------------------------------

    def _identity_box(self) -> QGroupBox:
        box = QGroupBox("این میز", self)
        row = QHBoxLayout(box)
        texts = QVBoxLayout()
        self.desk_label = QLabel(box)
        self.desk_label.setObjectName("deskLabel")
        texts.addWidget(self.desk_label)
        line = QHBoxLayout()
        line.addWidget(QLabel("اثر انگشت:", box))
        self.fingerprint_label = fingerprint_label("", box)
        line.addWidget(self.fingerprint_label, 1)
        texts.addLayout(line)
        row.addLayout(texts, 1)
        self.save_identity_button = QPushButton("ذخیره پرونده شناسه…", box)
        self.save_identity_button.setObjectName("saveIdentityButton")
        self.save_identity_button.setToolTip("پرونده‌ای با کلید عمومی این میز، برای ثبت در میز دیگر")
        self.save_identity_button.clicked.connect(self.save_identity)
        row.addWidget(self.save_identity_button)
        return box

    def _action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("میز طرف تبادل:", self))
        self.peer_combo = QComboBox(self)
        self.peer_combo.setObjectName("peerCombo")
        self.peer_combo.setMinimumWidth(180)
        row.addWidget(self.peer_combo)
        self.export_button = QPushButton("ساخت پرونده تبادل…", self)
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip("تغییرات از آخرین تبادل تأییدشده، امضاشده، برای میز برگزیده")
        self.export_button.clicked.connect(self.export_changes)
        self.import_button = QPushButton("دریافت پرونده…", self)
        self.import_button.setObjectName("importButton")
        self.import_button.setToolTip("پرونده تبادل یا رسید میز دیگر")
        self.import_button.clicked.connect(self.import_file)
        self.receipt_button = QPushButton("ساخت رسید…", self)
        self.receipt_button.setObjectName("receiptButton")
        self.receipt_button.setToolTip("رسید آنچه این میز از پرونده‌های میز برگزیده پذیرفته است")
        self.receipt_button.clicked.connect(self.write_receipt)
        for button in (self.export_button, self.import_button, self.receipt_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _desks_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        self.desks_view = QTableView(tab)
        self.desks_view.setObjectName("desksTable")
        self.desks = RowsTable(
            self.desks_view, RowsModel(desk_columns(), tab, lambda d: d.open_conflicts > 0)
        )
        layout.addWidget(self.desks_view, 1)
        row = QHBoxLayout()
        self.register_button = QPushButton("ثبت میز…", tab)
        self.register_button.setObjectName("registerButton")
        self.register_button.setToolTip("پرونده شناسه میز دیگر را برگزینید و اثر انگشت آن را بسنجید")
        self.register_button.clicked.connect(self.register_desk)
        row.addWidget(self.register_button)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    def _history_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        self.files_view = QTableView(tab)
        self.files_view.setObjectName("filesTable")
        self.files = RowsTable(
            self.files_view, RowsModel(file_columns(), tab, lambda f: f.open_conflicts > 0), descending=True
        )
        layout.addWidget(self.files_view)
        return tab

    def _conflicts_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        self.conflicts_view = QTableView(tab)
        self.conflicts_view.setObjectName("conflictsTable")
        self.conflicts = RowsTable(self.conflicts_view, RowsModel(conflict_columns(), tab))
        # Enter and a double-click both "activate" a row (the buttons are not auto-default: see __init__)
        self.conflicts_view.activated.connect(lambda _index: self.open_conflict())
        layout.addWidget(self.conflicts_view, 1)
        row = QHBoxLayout()
        self.open_conflict_button = QPushButton("بررسی دو نسخه…", tab)
        self.open_conflict_button.setObjectName("openConflictButton")
        self.open_conflict_button.clicked.connect(self.open_conflict)
        row.addWidget(self.open_conflict_button)
        hint = QLabel("هر رکوردی که در هر دو میز تغییر کرده، تا تصمیم مدیر اینجا می‌ماند.", tab)
        hint.setWordWrap(True)
        row.addWidget(hint, 1)
        layout.addLayout(row)
        return tab

    def _acting_buttons(self) -> tuple[QPushButton, ...]:
        return (
            self.save_identity_button,
            self.register_button,
            self.export_button,
            self.import_button,
            self.receipt_button,
        )

    # --- reading ----------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the identity, the desks, the files and the open conflicts again."""
        from ostandari_desk.services.exchange import conflicts, history, keys

        try:
            self.identity = keys.desk_identity(self.context.uow())
            self.summary = history.exchange_summary(self.context.uow())
            files = history.list_files(self.context.uow())
            waiting = conflicts.list_conflicts(self.context.uow(), open_only=True)
        except UserError as error:
            self.show_error(self, error)
            return
        mine = self.identity
        self.desk_label.setText(f"میز {desk_text(mine.province, mine.county)}")
        self.fingerprint_label.setText(mine.fingerprint)
        self.desks.model.set_rows(self.summary.desks)
        self.files.model.set_rows(files)
        self.conflicts.model.set_rows(waiting)
        self._fill_peers()
        self._update_summary()
        self.tabs.setTabText(
            2, f"ناسازگاری‌ها ({to_persian_digits(len(waiting))})" if waiting else "ناسازگاری‌ها"
        )

    def _fill_peers(self) -> None:
        current = self.peer_combo.currentData()
        self.peer_combo.clear()
        for desk in self.summary.desks:
            if desk.active:
                self.peer_combo.addItem(desk.peer, desk.desk_id)
        if self.peer_combo.count() == 0:
            self.peer_combo.addItem("هنوز میزی ثبت نشده است", None)
        index = self.peer_combo.findData(current)
        self.peer_combo.setCurrentIndex(max(index, 0))
        has_peer = self.peer_combo.currentData() is not None
        self.export_button.setEnabled(self.may_exchange and has_peer)
        self.receipt_button.setEnabled(self.may_exchange and has_peer)

    def _update_summary(self) -> None:
        summary = self.summary
        if not summary.desks:
            where = "میز شهرستان" if self.identity.county_id is None else "میز استان"
            self.summary_label.setText(
                f"هنوز میزی ثبت نشده است. پرونده شناسه این میز را ذخیره کنید و به {where} بدهید؛ پرونده شناسه "
                "آن میز را هم با «ثبت میز…» ثبت کنید."
            )
            return
        lines = []
        for desk in summary.desks:
            if not desk.active:
                continue
            sent = f"شماره {count(desk.sent_seq)}" if desk.sent_seq else "هنوز نه"
            received = f"شماره {count(desk.received_seq)}" if desk.received_seq else "هنوز نه"
            lines.append(
                f"{desk.peer} — آخرین پرونده فرستاده: {sent}؛ آخرین پرونده رسیده: {received}؛ "
                f"در انتظار رسید: {count(desk.unacked)}"
            )
        if summary.open_conflicts:
            lines.append(f"ناسازگاری در انتظار تصمیم: {count(summary.open_conflicts)}")
        else:
            lines.append("ناسازگاری در انتظاری نیست.")
        self.summary_label.setText("\n".join(lines))

    def selected_peer(self) -> Any | None:
        desk_id = self.peer_combo.currentData()
        if desk_id is None or self.summary is None:
            return None
        return next((d for d in self.summary.desks if d.desk_id == desk_id), None)

    def _county_of(self, desk: Any) -> str | None:
        """What the services take to name the other desk: a county's name at the province, None at a county."""
        return desk.county if self.identity is not None and self.identity.county_id is None else None

    # --- acting -----------------------------------------------------------------------------------------

    def _tell(self, title: str, text: str, icon=QMessageBox.Icon.Information) -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("exchangeAnswer")
        self.last_dialog = box
        box.open()
        return box

    def _run(self, work: Callable[..., Any], label: str, done: Callable[[Any], None]) -> None:
        from ostandari_desk.ui.tasks import run_task

        run_task(self, work, on_done=done, on_error=lambda error: self.show_error(self, error), label=label)

    def save_identity(self) -> None:
        """«ذخیره پرونده شناسه…»: this desk's identity file for the other desk to register."""
        from ostandari_desk.services.exchange import desks

        target = choose_save(self, "ذخیره پرونده شناسه", Path.home() / "desk-identity.json", IDENTITY_FILTER)
        if target is None:
            return
        try:
            mine = desks.write_identity(self.context.uow(), target)
        except UserError as error:
            self.show_error(self, error)
            return
        self._tell(
            "پرونده شناسه",
            f"پرونده شناسه این میز نوشته شد:\n\u2066{target}\u2069\n"
            f"هنگام ثبت در میز دیگر، این اثر انگشت باید نمایش داده شود:\n\u2066{mine.fingerprint}\u2069",
        )

    def register_desk(self) -> RegisterDialog | None:
        """«ثبت میز…»: choose the other desk's identity file, compare the fingerprints, confirm."""
        from ostandari_desk.services.exchange import desks

        if self.identity is None:  # this desk's own identity could not be read (said when it was tried)
            return None
        chosen = choose_open(self, "پرونده شناسه میز دیگر", IDENTITY_FILTER)
        if chosen is None:
            return None
        try:
            peer = desks.read_identity(chosen)
            registered = desks.list_desks(self.context.uow())
        except UserError as error:
            self.show_error(self, error)
            return None
        replaced = next(
            (
                d.fingerprint
                for d in registered
                if d.county_id == peer.county_id and d.fingerprint != peer.fingerprint
            ),
            "",
        )
        dialog = RegisterDialog(self.identity, peer, replaced, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def confirmed() -> None:
            try:
                desks.register_desk(self.context.uow(), peer, replace=bool(replaced))
            except UserError as error:
                self.show_error(self, error)
                return
            self.refresh()
            self.desks.select_where(lambda d: d.desk_id == peer.desk_id)
            self._tell("ثبت میز", f"میز {desk_text(peer.province, peer.county)} ثبت شد.")

        dialog.accepted.connect(confirmed)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def export_changes(self) -> None:
        """«ساخت پرونده تبادل…»: the changes for the chosen desk, signed, on a pool thread."""
        from ostandari_desk.services.exchange import export

        desk = self.selected_peer()
        if desk is None:
            return
        target = choose_save(
            self, "ذخیره پرونده تبادل", Path.home() / f"exchange-{_stamp()}.exchange", EXCHANGE_FILTER
        )
        if target is None:
            return
        county = self._county_of(desk)
        uow = self.context.uow()

        def done(result: Any) -> None:
            self.refresh()
            self._tell(
                "پرونده تبادل",
                f"پرونده تبادل شماره {count(result.seq)} برای {desk.peer} نوشته شد:\n\u2066{target}\u2069\n"
                f"{count(result.records)} رکورد، {count(result.deletions)} حذف، "
                f"{count(result.attachments)} پیوست.\nپس از دریافت در آن میز، رسیدش را اینجا دریافت کنید.",
            )

        self._run(
            lambda progress: export.export_changes(uow, target, county=county, progress=progress),
            "ساخت پرونده تبادل…",
            done,
        )

    def import_file(self) -> None:
        """«دریافت پرونده…»: an exchange file or a receipt, checked and applied on a pool thread."""
        from ostandari_desk.services.exchange import history, imports

        chosen = choose_open(self, "دریافت پرونده تبادل یا رسید", EXCHANGE_FILTER)
        if chosen is None:
            return
        uow = self.context.uow()

        def done(result: Any) -> None:
            self.refresh()
            lines = history.describe_import(result)
            if result.kind == "changes" and not result.already_received:
                if result.conflicts:
                    self.tabs.setCurrentIndex(2)
                    lines.append("ناسازگاری‌ها را در بخش «ناسازگاری‌ها» بررسی کنید.")
                lines.append("سپس برای آن میز «ساخت رسید…» را بزنید.")
            if result.applied or getattr(result, "deleted", 0):
                self.changed.emit()
            self._tell("دریافت پرونده", "\n".join(lines))

        self._run(
            lambda progress: imports.import_file(uow, chosen, progress=progress), "دریافت پرونده تبادل…", done
        )

    def write_receipt(self) -> None:
        """«ساخت رسید…»: what this desk accepted from the chosen desk's files."""
        from ostandari_desk.services.exchange import receipts

        desk = self.selected_peer()
        if desk is None:
            return
        target = choose_save(self, "ذخیره رسید", Path.home() / f"receipt-{_stamp()}.receipt", EXCHANGE_FILTER)
        if target is None:
            return
        county = self._county_of(desk)
        uow = self.context.uow()

        def done(result: Any) -> None:
            self.refresh()
            self._tell(
                "رسید",
                f"رسید برای {desk.peer} نوشته شد:\n\u2066{target}\u2069\n"
                f"{count(result.records)} رکورد پذیرفته‌شده در آن آمده است.",
            )

        self._run(lambda: receipts.write_receipt(uow, target, county=county), "ساخت رسید…", done)

    # --- conflicts --------------------------------------------------------------------------------------

    def open_conflict(self) -> ConflictDialog | None:
        """The selected conflict's two versions; the manager's choice resolves it."""
        from ostandari_desk.services.exchange import conflicts

        view = self.conflicts.selected()
        if view is None:
            return None
        try:
            fields = conflicts.conflict_fields(self.context.uow(), view.id)
        except UserError as error:
            self.show_error(self, error)
            return None
        dialog = ConflictDialog(
            view.record,
            f"میز دیگر: {view.county}. این {view.table_label} از آخرین تبادل {conflict_state(view)} است. "
            "فیلدهای ناهمسان پررنگ و رنگی‌اند. نسخه کدام میز بماند؟",
            fields,
            self.may_exchange,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen() -> None:
            if dialog.keep is None:
                return
            try:
                conflicts.resolve_conflict(self.context.uow(), view.id, dialog.keep)
            except UserError as error:
                self.show_error(self, error)
                return
            self.refresh()
            self.changed.emit()

        dialog.accepted.connect(chosen)
        self.last_dialog = dialog
        dialog.open()
        return dialog
