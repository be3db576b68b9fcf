"""The File menu's «تبادل با استان / شهرستان…»: opens (or raises) the exchange window over the main window."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

__all__ = ["ACTION_TEXT", "add_exchange_action", "open_exchange_window"]

ACTION_TEXT = "تبادل با استان / شهرستان…"


def add_exchange_action(window: Any, menu: QMenu) -> QAction:
    """Add the action to ``menu`` (then a separator); every signed-in user may open the window (read-only
    without Permission.EXCHANGE)."""
    action = QAction(ACTION_TEXT, window)
    action.setObjectName("exchangeAction")
    action.setStatusTip("پرونده‌های امضاشده میان میز شهرستان و میز استان: ثبت میز، ارسال، دریافت، رسید")
    action.triggered.connect(lambda _checked=False: open_exchange_window(window))
    menu.addAction(action)
    menu.addSeparator()
    return action


def open_exchange_window(window: Any) -> QWidget | None:
    """Show the exchange window for the signed-in user (one at a time); None before a database is open."""
    context = getattr(window, "context", None)
    if context is None:
        return None
    from ostandari_desk.ui.exchange.page import ExchangeWindow

    current = getattr(window, "exchange_window", None)
    if current is not None:
        import shiboken6

        if shiboken6.isValid(current):
            if current.context is context:
                current.refresh()
                current.raise_()
                current.activateWindow()
                return current
            current.close()  # opened for the user signed in before
    page = ExchangeWindow(context, window)
    page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    page.changed.connect(lambda: _refresh_pages(window))
    window.exchange_window = page
    page.show()
    return page


def _refresh_pages(window: Any) -> list[str]:
    """Records came in (or a conflict was resolved): re-read every page built so far; their area keys."""
    from ostandari_desk.ui.transfer.menu import refresh_page

    done = []
    for key in window.visible_areas() if hasattr(window, "visible_areas") else ():
        page = window.page(key)
        if page is not None and refresh_page(page):
            done.append(key)
    return done
