"""A failed upgrade at start-up: say so, name the before-upgrade copy and offer to put it back.

The upgrade ran in one transaction, so the file is as it was; the copy is the state from before the
first attempt. Restoring copies it back with SQLite's backup API and keeps the current file aside
(services.session.restore_before_upgrade).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["RESTORE_BUTTON", "offer_restore"]

TITLE = "به‌روزرسانی پایگاه داده انجام نشد"
RESTORE_BUTTON = "بازگرداندن رونوشت پیش از به‌روزرسانی"


def offer_restore(parent: QWidget | None, error: Any) -> Path | None:
    """Show ``error`` (an UpgradeFailedError) with a button that restores its copy. Returns where the
    current file was kept when the clerk restored it, else None."""
    box = QMessageBox(
        QMessageBox.Icon.Critical, TITLE, error.message, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("upgradeFailedBox")
    restore = box.addButton(RESTORE_BUTTON, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("بستن", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not restore:
        return None
    from ostandari_desk.services.session import restore_before_upgrade
    from ostandari_desk.ui.errors import show_error

    try:
        aside = restore_before_upgrade(error.database, error.copy)
    except Exception as exc:  # noqa: BLE001 - shown to the clerk, never swallowed
        show_error(parent, exc)
        return None
    QMessageBox.information(
        parent,
        TITLE,
        f"رونوشت پیش از به‌روزرسانی بازگردانده شد: {error.copy}\n"
        f"پرونده‌ای که به‌روز نشد کنار گذاشته شد: {aside}\n"
        "این نسخه برنامه باز هم نمی‌تواند آن را به‌روز کند؛ با پشتیبانی تماس بگیرید.",
    )
    return aside
