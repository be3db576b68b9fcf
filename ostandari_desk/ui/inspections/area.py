"""The «مراکز و بازدیدها» area: its pages as tabs, each built the first time it is shown.

پوشش ماهانه (the county × month grid), مراکز, بازدیدها, برنامه ماهانه سرزده (managers and county users only),
اقدامات اصلاحی معوق, چک‌لیست‌ها. ``apply_filter({"tab": key, ...})`` opens a tab (the start page's tiles) and
hands the other keys to that page's own ``apply_filter``; ``refresh()`` re-reads the pages built so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from ostandari_desk.domain.roles import Actor, Permission
from ostandari_desk.errors import UserError

__all__ = ["TABS", "InspectionsArea", "open_visit_dialog", "tabs_for"]

NOT_BUILT = "این بخش هنوز ساخته نشده است"
RELOADERS = ("reload", "refresh", "load")  # how the pages re-read their data (the grid: load())


def _grid(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.grid_page import GridPage

    return GridPage(context, parent)


def _centres(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.centres_page import CentresPage

    return CentresPage(context, parent)


def _visits(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.visits_page import VisitsPage

    return VisitsPage(context, parent)


def _plan(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.plan_page import PlanPage

    return PlanPage(context, parent)


def _actions(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.actions_page import OverdueActionsPage

    return OverdueActionsPage(context, parent)


def _templates(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.templates_page import TemplatesPage

    return TemplatesPage(context, parent)


def _sees_plans(actor: Actor) -> bool:
    return actor.may(Permission.SEE_PLANS) or actor.county_scope is not None


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    build: Callable[..., QWidget]
    allowed: Callable[[Actor], bool] = lambda _actor: True


TABS: tuple[Tab, ...] = (
    Tab("grid", "پوشش ماهانه", _grid),
    Tab("centres", "مراکز", _centres),
    Tab("visits", "بازدیدها", _visits),
    Tab("plan", "برنامه ماهانه سرزده", _plan, _sees_plans),
    Tab("actions", "اقدامات اصلاحی معوق", _actions),
    Tab("templates", "چک‌لیست‌ها", _templates),
)


def tabs_for(actor: Actor) -> tuple[Tab, ...]:
    """The tabs ``actor`` sees, in order."""
    return tuple(t for t in TABS if t.allowed(actor))


def open_visit_dialog(
    parent: QWidget, context, *, visit_id: str | None = None, centre_id: str | None = None
) -> QWidget | None:
    """Open a visit (or a new one for ``centre_id``) in the visit form; None when it could not open."""
    try:
        from ostandari_desk.ui.inspections.visit_dialog import VisitDialog
    except ImportError:
        QMessageBox.information(parent, "بازدید", "فرم بازدید هنوز در دسترس نیست.")
        return None
    try:
        dialog = VisitDialog(context, visit_id=visit_id, centre_id=centre_id, parent=parent)
    except UserError as exc:
        from ostandari_desk.ui.errors import show_user_error

        show_user_error(parent, exc)
        return None
    dialog.open()
    return dialog


class InspectionsArea(QWidget):
    """``InspectionsArea(context, parent=None)``: the tabs of the area; ``page(key)`` builds and returns one."""

    open_area = Signal(str, dict)

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspectionsArea")
        self.context = context
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("inspectionTabs")
        self.tabs.setDocumentMode(True)
        self._tabs = tabs_for(context.actor)
        self._pages: dict[str, QWidget] = {}
        self._hosts: dict[str, QWidget] = {}
        for tab in self._tabs:
            host = QWidget(self.tabs)
            host.setObjectName(f"tab_{tab.key}")
            layout = QVBoxLayout(host)
            layout.setContentsMargins(0, 4, 0, 0)
            self._hosts[tab.key] = host
            self.tabs.addTab(host, tab.title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._on_tabs_current_changed(self.tabs.currentIndex())

    def tab_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self._tabs)

    def current_key(self) -> str:
        index = self.tabs.currentIndex()
        return self._tabs[index].key if 0 <= index < len(self._tabs) else ""

    def page(self, key: str) -> QWidget | None:
        """The page of tab ``key`` (built now if it was not yet); None for a tab this user does not have."""
        if key not in self._hosts:
            return None
        if key not in self._pages:
            tab = next(t for t in self._tabs if t.key == key)
            host = self._hosts[key]
            try:
                page = tab.build(self.context, host)
            except ImportError:  # the other helper's page has not landed yet
                page = QLabel(NOT_BUILT, host)
                page.setObjectName("placeholderText")
            if hasattr(page, "open_area"):
                page.open_area.connect(self.open_area)
            host.layout().addWidget(page)
            self._pages[key] = page
        return self._pages[key]

    def show_tab(self, key: str) -> QWidget | None:
        if key not in self._hosts:
            return None
        self.tabs.setCurrentWidget(self._hosts[key])
        return self.page(key)

    def _on_tabs_current_changed(self, index: int) -> None:
        if 0 <= index < len(self._tabs):
            self.page(self._tabs[index].key)

    def apply_filter(self, filters: dict) -> None:
        """``{"tab": key}`` opens a tab; the other keys go to that page's ``apply_filter``."""
        rest = dict(filters)
        key = rest.pop("tab", None) or self.current_key()
        page = self.show_tab(key)
        if rest and page is not None and hasattr(page, "apply_filter"):
            page.apply_filter(rest)

    def refresh(self) -> None:
        """Read every page built so far again (after an import of centres or visits; see ui/transfer/menu.py)."""
        for page in self._pages.values():
            for name in RELOADERS:
                method = getattr(page, name, None)
                if callable(method):
                    method()
                    break

    def focus_search(self) -> None:
        page = self._pages.get(self.current_key())
        if page is not None and hasattr(page, "focus_search"):
            page.focus_search()
