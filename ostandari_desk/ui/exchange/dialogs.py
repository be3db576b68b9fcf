"""The exchange's two dialogs: confirming another desk's fingerprint before registering it, and a conflict's
two versions side by side (field | this desk | the other desk) with the choice of which one stays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.text import rlm, to_persian_digits

__all__ = ["ConflictDialog", "RegisterDialog", "fingerprint_label", "value_text"]

CONFIRM_FINGERPRINT = "تأیید اثر انگشت"
KEEP_OURS = "نگه داشتن نسخه این میز"
TAKE_THEIRS = "پذیرفتن نسخه رسیده"
FINGERPRINT_QUESTION = "آیا اثر انگشت با آنچه روی میز دیگر نمایش داده شده یکسان است؟"
_CHANGED = QBrush(QColor("#fff3cd"))


def fingerprint_label(fingerprint: str, parent: QWidget | None = None) -> QLabel:
    """A fingerprint, left to right in a fixed-width font, selectable; marked as data (hex, not interface)."""
    label = QLabel(fingerprint, parent)
    label.setObjectName("fingerprintLabel")
    label.setProperty("data_text", "yes")
    label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSize(11)
    font.setBold(True)
    label.setFont(font)
    return label


def desk_text(province: str, county: str | None) -> str:
    return f"شهرستان {county} (استان {province})" if county else f"استان {province}"


def value_text(value: str | None) -> str:
    """A field's value (made readable by services.exchange.conflicts) with Persian digits, kept right to left;
    «—» if empty."""
    return rlm(to_persian_digits(value)) if value else "—"


class RegisterDialog(QDialog):
    """«ثبت میز»: the identity file's desk and fingerprint beside this desk's; «تأیید اثر انگشت» registers."""

    def __init__(self, mine: Any, peer: Any, replaced_fingerprint: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("ثبت میز")
        self.mine = mine
        self.peer = peer
        self.replaced_fingerprint = replaced_fingerprint
        layout = QVBoxLayout(self)
        intro = QLabel(
            "اثر انگشت زیر را با آنچه روی صفحه میز دیگر نمایش داده شده، گروه به گروه "
            "بسنجید. تنها اگر یکسان است تأیید کنید: پرونده‌های تبادل آن میز با همین کلید پذیرفته می‌شوند.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        sides = QHBoxLayout()
        # right to left: this desk first (on the right), then the file, as the command line prints them
        sides.addWidget(self._side("این میز", desk_text(mine.province, mine.county), mine.fingerprint))
        sides.addWidget(self._side("پرونده شناسه", desk_text(peer.province, peer.county), peer.fingerprint))
        layout.addLayout(sides)
        if replaced_fingerprint:
            warning = QLabel(
                f"{desk_text(peer.province, peer.county)} پیش‌تر با کلید دیگری ثبت شده است؛ با تأیید، کلید "
                "تازه جای آن را می‌گیرد و پرونده‌های کلید پیشین دیگر پذیرفته نمی‌شوند. اثر انگشت پیشین:",
                self,
            )
            warning.setObjectName("replaceWarning")
            warning.setWordWrap(True)
            warning.setStyleSheet("color: #b71c1c;")
            layout.addWidget(warning)
            layout.addWidget(fingerprint_label(replaced_fingerprint, self))
        question = QLabel(FINGERPRINT_QUESTION, self)
        question.setObjectName("fingerprintQuestion")
        layout.addWidget(question)
        buttons = QDialogButtonBox(self)
        self.confirm_button = buttons.addButton(CONFIRM_FINGERPRINT, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("confirmFingerprintButton")
        cancel = buttons.addButton("انصراف", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setDefault(True)  # Enter does not register a desk by accident
        cancel.setFocus()
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)  # no fixed width: the layout keeps both fingerprints whole

    def _side(self, title: str, desk: str, fingerprint: str) -> QGroupBox:
        box = QGroupBox(title, self)
        form = QVBoxLayout(box)
        name = QLabel(desk, box)
        name.setWordWrap(True)
        form.addWidget(name)
        form.addWidget(fingerprint_label(fingerprint, box))
        return box


class ConflictDialog(QDialog):
    """A record changed on both desks: its fields side by side, the ones that differ highlighted; a manager
    keeps this desk's version or takes the one that came. ``keep`` is "ours"/"theirs" after accept()."""

    HEADERS = ("فیلد", "این میز", "میز دیگر")

    def __init__(
        self,
        title: str,
        about: str,
        fields: Sequence[Any],
        may_resolve: bool,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("ناسازگاری دو نسخه")
        self.keep: str | None = None
        layout = QVBoxLayout(self)
        heading = QLabel(title, self)
        heading.setObjectName("pageTitle")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        note = QLabel(about, self)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.table = QTableWidget(len(fields), 3, self)
        self.table.setObjectName("conflictFields")
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.changed_rows: list[int] = []
        bold = QFont(self.font())
        bold.setBold(True)
        for row, diff in enumerate(fields):
            changed = diff.differs
            if changed:
                self.changed_rows.append(row)
            for column, text in enumerate((diff.label, value_text(diff.ours), value_text(diff.theirs))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if changed:
                    item.setBackground(_CHANGED)
                    item.setFont(bold)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        legend = QLabel(
            f"{to_persian_digits(len(self.changed_rows))} فیلد در دو میز یکی نیست (پررنگ و رنگی).", self
        )
        legend.setObjectName("changedLegend")
        layout.addWidget(legend)
        buttons = QDialogButtonBox(self)
        self.ours_button = QPushButton(KEEP_OURS, self)
        self.ours_button.setObjectName("keepOursButton")
        self.theirs_button = QPushButton(TAKE_THEIRS, self)
        self.theirs_button.setObjectName("takeTheirsButton")
        buttons.addButton(self.ours_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.theirs_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("بستن", QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.ours_button.clicked.connect(lambda: self._choose("ours"))
        self.theirs_button.clicked.connect(lambda: self._choose("theirs"))
        for button in (self.ours_button, self.theirs_button):
            button.setEnabled(may_resolve)
            if not may_resolve:
                button.setToolTip("تنها مدیر یا مدیر سامانه می‌تواند نسخه ماندنی را برگزیند.")
        layout.addWidget(buttons)
        self.resize(760, 520)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if (
            self.changed_rows
        ):  # the first difference in view (not selected: the selection would hide its tint)
            self.table.scrollToItem(self.table.item(self.changed_rows[0], 0))

    def _choose(self, keep: str) -> None:
        self.keep = keep
        self.accept()
