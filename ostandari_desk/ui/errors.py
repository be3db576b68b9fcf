"""Showing failures: UserError in a message box, anything else logged and shown in a crash dialog.

Expected failures (validation, not found, duplicate, schema) are ``UserError`` and carry a Persian
message that is shown as is. Everything else is a bug: the traceback goes to
``data_dir()/logs/ostandari.log`` and the clerk sees a crash dialog with «کپی جزئیات».
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ostandari_desk.errors import UserError
from ostandari_desk.paths import data_dir

log = logging.getLogger("ostandari_desk")

_CRASH_TEXT = "خطایی پیش‌بینی‌نشده رخ داد. جزئیات در پرونده گزارش برنامه ثبت شد."
_CRASH_INFO = "اگر خطا تکرار شد، جزئیات را کپی کنید و برای پشتیبانی بفرستید."


def setup_logging() -> None:
    """Send the application's log to ``logs/ostandari.log`` in the data folder (idempotent)."""
    folder = data_dir() / "logs"
    target = folder / "ostandari.log"
    for old in [h for h in log.handlers if getattr(h, "_ostandari", None)]:
        if old._ostandari == target:  # type: ignore[attr-defined]
            return
        log.removeHandler(old)  # the data folder moved (tests, portable use)
        old.close()
    folder.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(target, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler._ostandari = target  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def _parent(parent: QWidget | None) -> QWidget | None:
    return parent if parent is not None else QApplication.activeWindow()


def show_user_error(parent: QWidget | None, error: UserError, title: str = "خطا") -> None:
    """A warning box with the error's Persian message."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, error.message, QMessageBox.StandardButton.Ok, _parent(parent)
    )
    box.exec()


def crash_dialog(parent: QWidget | None, details: str) -> QMessageBox:
    """The crash dialog (not yet shown): the message, the details, and a «کپی جزئیات» button."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "خطای برنامه",
        _CRASH_TEXT,
        QMessageBox.StandardButton.Close,
        _parent(parent),
    )
    box.setInformativeText(_CRASH_INFO)
    box.setDetailedText(details)
    copy = box.addButton("کپی جزئیات", QMessageBox.ButtonRole.ActionRole)
    copy.clicked.disconnect()  # keep the box open after copying
    copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    _translate_details_button(box)
    return box


def _translate_details_button(box: QMessageBox) -> None:
    """Qt's «Show Details...» button may stay English without a translator: name it in Persian."""
    for button in box.buttons():
        if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole and button.text() != "کپی جزئیات":
            button.setText("نمایش جزئیات…")


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """Show any exception: a UserError's message, or log a bug and show the crash dialog."""
    if isinstance(error, UserError):
        show_user_error(parent, error)
        return
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    log.error("unexpected error\n%s", details)
    if QApplication.instance() is None:
        print(details, file=sys.stderr)
        return
    crash_dialog(parent, details).exec()


_reentered = False


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    global _reentered
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    if _reentered:  # an error while showing an error: do not loop
        sys.__excepthook__(exc_type, exc, tb)
        return
    _reentered = True
    try:
        show_error(None, exc)
    finally:
        _reentered = False


def install_excepthook() -> None:
    """Route uncaught exceptions (also those raised in Qt slots) to show_error."""
    setup_logging()
    sys.excepthook = _excepthook
