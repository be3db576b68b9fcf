"""Showing failures: UserError in a message box, anything else logged and shown in a crash dialog.

Expected failures (validation, not found, duplicate, schema) are ``UserError`` and carry a Persian
message that is shown as is. A database that cannot be used (``DatabaseUnavailableError``: locked, full,
read-only, corrupt, newer) gets its own box: what happened and what to do, the file's path, and for a
damaged file where the backups are, with a button that opens the latest one's folder. Everything else
is a bug: the traceback goes to ``data_dir()/logs/ostandari.log`` and the clerk sees a crash dialog
with «کپی جزئیات».
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ostandari_desk.errors import DatabaseUnavailableError, UserError
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
    """A warning box with the error's Persian message (a database error gets ``show_database_error``)."""
    if isinstance(error, DatabaseUnavailableError):
        show_database_error(parent, error)
        return
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, error.message, QMessageBox.StandardButton.Ok, _parent(parent)
    )
    box.exec()


DATABASE_TITLE = "پایگاه داده در دسترس نیست"
RESTORE_LATEST_BACKUP = "بازگردانی آخرین پشتیبان"
OPEN_BACKUPS_FOLDER = "باز کردن پوشه پشتیبان‌ها"
RESTORE_COMMAND = "ostandari-desk restore"
RESTORE_MENU = "منوی «پرونده ← بازگردانی پشتیبان…» (مدیر سامانه)"


def _ltr(value: object) -> str:
    """A path or a command inside Persian text, kept left to right (an isolate)."""
    return f"\u2066{value}\u2069"


def backups_folder() -> Path:
    """Where a damaged database's backups are looked for: the default backups folder (the folder chosen
    in the settings is inside the database that cannot be read)."""
    from ostandari_desk.services.backup import default_folder

    return default_folder()


def latest_backup(folder: Path) -> Path | None:
    """The newest backup (``*.zip``) in ``folder``; None when there is none (or no such folder)."""
    try:
        found = [path for path in folder.glob("*.zip") if path.is_file() and not path.name.startswith(".")]
    except OSError:
        return None
    return max(found, key=lambda path: path.stat().st_mtime, default=None)


def database_error_box(
    parent: QWidget | None, error: DatabaseUnavailableError, *, offer_restore: bool = False
) -> QMessageBox:
    """The box (not yet shown) for a database that cannot be used: what happened, what to do, where.

    For a damaged file it names the latest backup (or the backups folder) with a button that opens the
    folder; with ``offer_restore`` (at start-up, when nothing holds the file) also a button that restores
    the latest backup: ``box.restore_button`` (None without one) and ``box.latest_backup``.
    """
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        DATABASE_TITLE,
        error.message,
        QMessageBox.StandardButton.Close,
        _parent(parent),
    )
    box.setObjectName("databaseErrorBox")
    box.button(QMessageBox.StandardButton.Close).setText("بستن")
    box.restore_button = None  # type: ignore[attr-defined]
    box.latest_backup = None  # type: ignore[attr-defined]
    lines = [f"پرونده پایگاه داده: {_ltr(error.database)}"] if error.database else []
    if error.reason == DatabaseUnavailableError.CORRUPT:
        lines += _offer_backup(box, offer_restore)
    box.setInformativeText("\n".join(lines))
    return box


def _offer_backup(box: QMessageBox, offer_restore: bool) -> list[str]:
    folder = backups_folder()
    latest = latest_backup(folder)
    if folder.is_dir():
        reveal = box.addButton(OPEN_BACKUPS_FOLDER, QMessageBox.ButtonRole.ActionRole)
        reveal.clicked.disconnect()  # keep the box open
        reveal.clicked.connect(lambda: _reveal(folder))
    if latest is None:
        return [
            f"نسخه پشتیبانی در پوشه پشتیبان‌ها نیست: {_ltr(folder)}",
            "اگر پشتیبانی جای دیگری (مثلاً روی فلش) دارید، با این فرمان بازگردانید: "
            + _ltr(f"{RESTORE_COMMAND} FILE"),
        ]
    box.latest_backup = latest  # type: ignore[attr-defined]
    lines = [f"آخرین نسخه پشتیبان: {_ltr(latest)}"]
    if offer_restore:
        restore = box.addButton(RESTORE_LATEST_BACKUP, QMessageBox.ButtonRole.AcceptRole)
        box.restore_button = restore  # type: ignore[attr-defined]
        lines.append(
            f"«{RESTORE_LATEST_BACKUP}» پرونده آسیب‌دیده را کنار می‌گذارد (پاک نمی‌کند) و این پشتیبان را "
            "به جای آن می‌نشاند؛ سپس میز کار دوباره باز می‌شود."
        )
    else:
        command = f'{RESTORE_COMMAND} "{latest}"'
        lines.append(f"برای بازگردانی آن: {RESTORE_MENU} یا فرمان {_ltr(command)}")
    return lines


def _reveal(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def show_database_error(
    parent: QWidget | None, error: DatabaseUnavailableError, *, offer_restore: bool = False
) -> Path | None:
    """Show a database that cannot be used (locked, full, read-only, corrupt, newer) and what to do.

    Returns the backup to restore when ``offer_restore`` and the clerk chose «بازگردانی آخرین پشتیبان»,
    else None.
    """
    log.warning("database unavailable (%s): %r", error.reason, error.__cause__ or error.message)
    box = database_error_box(parent, error, offer_restore=offer_restore)
    box.exec()
    restore = box.restore_button  # type: ignore[attr-defined]
    if restore is not None and box.clickedButton() is restore:
        return box.latest_backup  # type: ignore[attr-defined]
    return None


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
    unavailable = _database_unavailable(error)
    if unavailable is not None:
        show_database_error(parent, unavailable)
        return
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    log.error("unexpected error\n%s", details)
    if QApplication.instance() is None:
        print(details, file=sys.stderr)
        return
    crash_dialog(parent, details).exec()


def _database_unavailable(error: BaseException) -> DatabaseUnavailableError | None:
    """A raw driver error (raised outside the store's engines) that means the database is unavailable."""
    if not type(error).__module__.startswith(("sqlite3", "sqlalchemy")):
        return None
    from ostandari_desk.services.session import database_unavailable

    return database_unavailable(error)


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
