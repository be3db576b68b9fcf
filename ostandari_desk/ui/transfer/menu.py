"""The File menu's «ورود و خروج اطلاعات» section and what the main window does around the dialogs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QWidget

__all__ = ["AFFECTED_PAGES", "add_transfer_actions", "open_transfer_dialog", "refresh_after_import"]

SECTION_TITLE = "ورود و خروج اطلاعات"
_ACTIONS = (
    ("import", "ورود از اکسل…", "Ctrl+I"),
    ("export", "خروج به اکسل…", "Ctrl+E"),
    ("template", "دریافت قالب خالی…", ""),
)
# The pages whose lists show what an import of each kind adds (area keys of ui/areas.py).
AFFECTED_PAGES: dict[str, tuple[str, ...]] = {
    "ngos": ("ngos", "licences", "start"),
    "licences": ("ngos", "licences", "start"),
    "boards": ("ngos", "licences", "start"),  # the licences page lists boards whose term has ended
    "events": ("events", "start"),
    "letters": ("letters", "start"),
    "centres": ("centres", "start"),
    "inspections": ("centres", "start"),
    "memoranda": ("memoranda", "facilitation", "start"),
    "progress": ("memoranda", "facilitation", "start"),
    "payments": ("memoranda", "start"),
    "offices": ("facilitation", "memoranda", "start"),
}
# The kind an area's import/export starts on when the area's key is not itself a kind's name.
AREA_KINDS: dict[str, str] = {"facilitation": "offices"}


def add_transfer_actions(window: QWidget, menu: QMenu) -> dict[str, QAction]:
    """Add the section to ``menu`` (then a separator); returns the actions by "import"/"export"/"template"."""
    menu.addSection(SECTION_TITLE)
    actions: dict[str, QAction] = {}
    for key, text, shortcut in _ACTIONS:
        action = QAction(text, window)
        action.setObjectName(f"{key}TransferAction")
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False, which=key: open_transfer_dialog(window, which))
        menu.addAction(action)
        actions[key] = action
    menu.addSeparator()
    return actions


def open_transfer_dialog(window: Any, which: str) -> QDialog | None:
    """Open the import/export/template dialog over the main window (None before a database is open).

    The dialog starts on the kind of the area on screen; an export may take the NGO list's filter.
    """
    if getattr(window, "context", None) is None:
        return None
    from ostandari_desk.services.transfer import KINDS
    from ostandari_desk.ui.transfer.dialogs import ExportDialog, ImportDialog, TemplateDialog

    area = window.current_area() if hasattr(window, "current_area") else ""
    area = AREA_KINDS.get(area, area)
    kind = area if area in KINDS else None
    dialog: QDialog
    if which == "import":
        dialog = ImportDialog(window.context, window, kind)
        dialog.imported.connect(lambda imported_kind: refresh_after_import(window, imported_kind))
    elif which == "export":
        dialog = ExportDialog(window.context, window, kind, export_filters(window))
    elif which == "template":
        dialog = TemplateDialog(window.context, window, kind)
    else:
        raise ValueError(f"unknown transfer dialog {which!r}")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def export_filters(window: Any) -> dict[str, Any]:
    """{"ngos": NgoFilter} when the NGO list is open and narrowed by a search or a filter."""
    from ostandari_desk.services.ngos import NgoFilter

    page = window.page("ngos") if hasattr(window, "page") else None
    current = getattr(page, "current_filter", None)
    if not callable(current):
        return {}
    flt = current()
    return {"ngos": flt} if isinstance(flt, NgoFilter) and flt != NgoFilter() else {}


def refresh_page(page: QWidget) -> bool:
    """Re-read a page's list: its ``refresh()`` or ``reload()``, else its model's ``refresh()``."""
    for name in ("refresh", "reload"):
        method = getattr(page, name, None)
        if callable(method):
            method()
            return True
    model_refresh = getattr(getattr(page, "model", None), "refresh", None)
    if callable(model_refresh):
        model_refresh()  # NgoListPage: keeps its search and filters
        return True
    return False


def refresh_after_import(window: Any, kind: str) -> list[str]:
    """Refresh the built pages that show ``kind``; returns their area keys."""
    done = []
    for key in AFFECTED_PAGES.get(kind, (kind,)):
        page = window.page(key)
        if page is not None and refresh_page(page):
            done.append(key)
    return done
