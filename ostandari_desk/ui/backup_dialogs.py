"""The File menu's «پشتیبان و سلامت»: backup, restore and the health check, each with a progress bar; the
automatic backup when the desk closes; the start page's warning when the last backup is old.

Only an admin (Permission.BACKUP) sees the actions, as ui/areas.py lists only the areas a role may open.
The work runs on a pool thread (ui/tasks.run_task) through services.backup, services.restore and
services.health; answers and questions are window-modal message boxes (the last one is
``window.last_dialog``, for the tests). The file choosers are module functions the tests replace.

A restore first verifies the file, then asks; on «بله» the window drops its pages and its database
connections (nothing in this process may hold the file), the data is replaced, and the database is opened
afresh with a new sign-in: the restored database has its own users. Kept light: the main window imports
this module at start-up, the services load when an action is first used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox, QWidget

from ostandari_desk.domain.roles import Actor, Permission
from ostandari_desk.domain.text import format_number, to_persian_digits

__all__ = [
    "add_backup_actions",
    "backup_before_close",
    "backup_warning_text",
    "start_backup",
    "start_check",
    "start_restore",
    "update_backup_actions",
]

SECTION_TITLE = "پشتیبان و سلامت"
_ACTIONS = (
    ("backup", "پشتیبان‌گیری…"),
    ("restore", "بازگردانی پشتیبان…"),
    ("check", "بررسی سلامت…"),
    ("folder", "پوشه پشتیبان‌های خودکار…"),
)
ZIP_FILTER = "پرونده پشتیبان (*.zip)"


# --- file choosers (replaced in the tests) --------------------------------------------------------------


def choose_backup_target(window: QWidget, suggested: Path) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(window, "ذخیره پشتیبان", str(suggested), ZIP_FILTER)
    return Path(chosen) if chosen else None


def choose_backup_file(window: QWidget, folder: Path) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(window, "انتخاب پرونده پشتیبان", str(folder), ZIP_FILTER)
    return Path(chosen) if chosen else None


def choose_backup_folder(window: QWidget, current: Path) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(window, "پوشه پشتیبان‌های خودکار", str(current))
    return Path(chosen) if chosen else None


# --- the menu -----------------------------------------------------------------------------------------


def add_backup_actions(window: Any, menu: QMenu) -> dict[str, QAction]:
    """Add the section to ``menu`` (then a separator); hidden until an admin signs in."""
    menu.addSection(SECTION_TITLE)
    starts = {
        "backup": start_backup,
        "restore": start_restore,
        "check": start_check,
        "folder": change_backup_folder,
    }
    actions: dict[str, QAction] = {}
    for key, text in _ACTIONS:
        action = QAction(text, window)
        action.setObjectName(f"{key}BackupAction")
        action.triggered.connect(lambda _checked=False, start=starts[key]: start(window))
        action.setVisible(False)
        menu.addAction(action)
        actions[key] = action
    menu.addSeparator()
    return actions


def update_backup_actions(actions: dict[str, QAction], actor: Actor | None) -> None:
    """Show the actions to an admin only (the services refuse anyone else anyway)."""
    allowed = actor is not None and actor.may(Permission.BACKUP)
    for action in actions.values():
        action.setVisible(allowed)
        action.setEnabled(allowed)


def _tell(window: Any, title: str, text: str, icon=QMessageBox.Icon.Information) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, window)
    window.last_dialog = box
    box.open()
    return box


def _megabytes(size: int) -> str:
    return format_number(size / 1e6, 1)


# --- backup -------------------------------------------------------------------------------------------


def start_backup(window: Any) -> None:
    """«پشتیبان‌گیری…»: choose the file (the backups folder, a Jalali name), then write it. A database on a
    server is backed up by the server: said so (services.backup.SERVER_BACKUP)."""
    context = window.context
    if context is None:
        return
    from datetime import datetime

    from ostandari_desk.services import backup
    from ostandari_desk.ui.tasks import run_task

    if backup.on_server(context.engine):
        _tell(window, "پشتیبان‌گیری", backup.SERVER_BACKUP)
        return
    if context.db_path is None:
        return

    suggested = backup.backups_folder(context.uow()) / backup.backup_name(context.db_path, datetime.now())
    target = choose_backup_target(window, suggested)
    if target is None:
        return
    db_path = context.db_path

    def done(result: Any) -> None:
        window.statusBar().showMessage(f"پشتیبان نوشته شد: {result.path}", 10_000)
        _tell(
            window,
            "پشتیبان‌گیری",
            f"پشتیبان نوشته شد:\n\u2066{result.path}\u2069\n{_megabytes(result.size)} مگابایت، "
            f"{to_persian_digits(result.members)} پرونده.",
        )

    run_task(
        window,
        lambda progress: backup.make_backup(context.uow(), db_path, target, progress=progress),
        on_done=done,
        label="پشتیبان‌گیری از پایگاه داده و پیوست‌ها…",
        delay_ms=0,
    )


def change_backup_folder(window: Any) -> None:
    """«پوشه پشتیبان‌های خودکار…»: the ``backup_folder`` setting (a USB drive, say)."""
    context = window.context
    if context is None:
        return
    from ostandari_desk.services import backup

    chosen = choose_backup_folder(window, backup.backups_folder(context.uow()))
    if chosen is None:
        return
    context.set_setting("backup_folder", str(chosen))
    window.statusBar().showMessage(f"پوشه پشتیبان‌ها: {chosen}", 10_000)


# --- the health check ---------------------------------------------------------------------------------


def start_check(window: Any, repair: bool = False) -> None:
    """«بررسی سلامت…»: the report in a box; «بازسازی» when the search index or sort keys need it."""
    context = window.context
    if context is None:
        return
    from ostandari_desk.services import health
    from ostandari_desk.ui.tasks import run_task

    def done(report: Any) -> None:
        icon = QMessageBox.Icon.Information if report.healthy else QMessageBox.Icon.Warning
        box = QMessageBox(
            icon,
            "بررسی سلامت",
            "\n".join(report.lines(command_line=False)),
            QMessageBox.StandardButton.Close,
            window,
        )
        box.setObjectName("healthReport")
        if report.repairable and not repair:
            rebuild = box.addButton("بازسازی نمایه و کلیدها", QMessageBox.ButtonRole.AcceptRole)
            rebuild.setObjectName("repairButton")
            rebuild.clicked.connect(lambda: start_check(window, repair=True))
        window.last_dialog = box
        box.open()

    run_task(
        window,
        lambda progress: health.check_health(context.uow(), repair=repair, progress=progress),
        on_done=done,
        label="بازسازی و بررسی سلامت پایگاه داده…" if repair else "بررسی سلامت پایگاه داده…",
        delay_ms=0,
    )


# --- restore ------------------------------------------------------------------------------------------


def start_restore(window: Any) -> None:
    """«بازگردانی پشتیبان…»: choose the file, verify it, ask, replace, open again and sign in. A database on a
    server is restored by the server's tools: said so (services.backup.SERVER_BACKUP)."""
    context = window.context
    if context is None:
        return
    from ostandari_desk.services import backup, restore
    from ostandari_desk.ui.tasks import run_task

    if backup.on_server(context.engine):
        _tell(window, "بازگردانی پشتیبان", backup.SERVER_BACKUP)
        return
    if context.db_path is None:
        return

    chosen = choose_backup_file(window, backup.backups_folder(context.uow()))
    if chosen is None:
        return
    db_path = context.db_path
    run_task(
        window,
        lambda progress: restore.prepare_restore(chosen, db_path, progress),
        on_done=lambda prepared: _confirm_restore(window, prepared),
        label="بررسی درستی پرونده پشتیبان…",
        delay_ms=0,
    )


def _confirm_restore(window: Any, prepared: Any) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "بازگردانی پشتیبان",
        "\n".join(
            [
                "پرونده پشتیبان درست است:",
                *prepared.info.describe(),
                "",
                (
                    "داده کنونی (پایگاه داده و پیوست‌ها) با این پشتیبان جایگزین شود؟ پیش از آن از داده کنونی "
                    "پشتیبان گرفته می‌شود. سپس پایگاه داده دوباره باز می‌شود و باید دوباره وارد شوید."
                ),
            ]
        ),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        window,
    )
    box.setObjectName("restoreQuestion")
    box.button(QMessageBox.StandardButton.Yes).setText("بله، بازگردانده شود")
    box.button(QMessageBox.StandardButton.No).setText("خیر")
    box.setDefaultButton(QMessageBox.StandardButton.No)

    def answered(button: int) -> None:
        if button == QMessageBox.StandardButton.Yes:
            _restore(window, prepared)
        else:
            prepared.close()

    box.finished.connect(answered)
    window.last_dialog = box
    box.open()


def _restore(window: Any, prepared: Any) -> None:
    from ostandari_desk.services import restore
    from ostandari_desk.ui.tasks import run_task, wait_for_tasks

    context = window.context
    window.close_pages()  # no page may query the database while it is replaced
    wait_for_tasks()
    context.engine.dispose()

    def failed(error: BaseException) -> None:
        prepared.close()
        from ostandari_desk.ui.errors import show_error

        window.set_context(context)  # the old database is still there: carry on with it
        show_error(window, error)

    run_task(
        window,
        lambda progress: restore.restore_backup(
            prepared, context.db_path, uow=context.uow(), progress=progress
        ),
        on_done=lambda result: _restored(window, context, prepared, result),
        on_error=failed,
        label="بازگردانی پشتیبان…",
        delay_ms=0,
    )


def _restored(window: Any, old: Any, prepared: Any, result: Any) -> None:
    """Open the restored database and ask who signs in (its users are the backup's); then say what was done."""
    prepared.close()
    from ostandari_desk.services.session import open_desk
    from ostandari_desk.ui.context import AppContext

    engine = open_desk(old.db_path)
    window.statusBar().showMessage("پشتیبان بازگردانده شد؛ دوباره وارد شوید.")
    actor = window.sign_in(engine, window)
    if actor is None:
        engine.dispose()
        window.close()
        QApplication.quit()
        return
    window.set_context(AppContext.open(engine, actor, old.db_path))
    safety = ""
    if result.safety_backup is not None:
        safety = f"\nداده پیشین پیش از آن پشتیبان‌گیری شد در:\n\u2066{result.safety_backup}\u2069"
    _tell(window, "بازگردانی پشتیبان", f"پشتیبان بازگردانده شد.{safety}")


# --- the automatic backup and the start page's warning ----------------------------------------------------


def backup_before_close(window: Any) -> bool:
    """When the desk closes: the day's automatic backup (services.backup.make_automatic_backup, acting as the
    desk itself). True while it runs: the close waits and happens when it is done. A failure (a USB drive
    not plugged in) is said, and the desk closes all the same."""
    state = getattr(window, "_auto_backup_state", None)
    if state == "running":
        return True
    context = window.context
    if (
        state == "done"
        or not getattr(window, "auto_backup", False)
        or context is None
        or context.db_path is None
        or getattr(window, "_signed_out", False)
    ):
        return False
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.errors import UserError
    from ostandari_desk.services import backup
    from ostandari_desk.services.session import unit_of_work
    from ostandari_desk.ui.tasks import run_task

    try:
        if not backup.backup_status(unit_of_work(context.engine, SYSTEM)).due:
            return False
    except UserError:
        return False
    window._auto_backup_state = "running"
    db_path = context.db_path

    def finished(_result: Any) -> None:
        window._auto_backup_state = "done"
        QTimer.singleShot(0, window.close)

    def failed(error: BaseException) -> None:
        window._auto_backup_state = "done"
        message = getattr(error, "message", None) or str(error)
        box = _tell(
            window,
            "پشتیبان‌گیری خودکار انجام نشد",
            f"پشتیبان خودکار امروز گرفته نشد:\n{message}\nبرنامه بسته می‌شود.",
            QMessageBox.Icon.Warning,
        )
        box.finished.connect(lambda _button: window.close())

    run_task(
        window,
        lambda progress: backup.make_automatic_backup(
            unit_of_work(context.engine, SYSTEM), db_path, progress=progress
        ),
        on_done=finished,
        on_error=failed,
        label="پشتیبان‌گیری خودکار پیش از بستن برنامه…",
        delay_ms=0,
    )
    return True


def backup_warning_text(context: Any) -> str:
    """The start page's warning: no backup for more than seven days (never for a demo database); ""."""
    from ostandari_desk.errors import UserError
    from ostandari_desk.services import backup

    try:
        status = backup.backup_status(context.uow())
    except UserError:
        return ""
    if not status.stale:
        return ""
    if status.last_at is None:
        text = "هنوز از این پایگاه داده پشتیبان گرفته نشده است."
    else:
        text = f"آخرین پشتیبان‌گیری {to_persian_digits(status.days_since)} روز پیش بوده است."
    if context.actor.may(Permission.BACKUP):
        return text + " از منوی «پرونده ← پشتیبان‌گیری…» پشتیبان بگیرید."
    return text + " برنامه هنگام بسته شدن پشتیبان می‌گیرد؛ اگر خطایی دیدید به مدیر سامانه خبر دهید."
