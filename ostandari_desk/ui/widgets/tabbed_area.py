"""An area of tabs, each page built the first time it is shown (the inspections and memoranda areas).

A subclass declares its ``TABS`` (key, title, builder, who may see it) and the object names;
``apply_filter({"tab": key, ...})`` opens a tab (the start page's tiles) and hands the other keys to
that page's own ``apply_filter``; ``refresh()`` re-reads the pages built so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

__all__ = ["NOT_BUILT", "RELOADERS", "Tab", "TabbedArea"]

NOT_BUILT = "این بخش هنوز ساخته نشده است"
RELOADERS = ("reload", "refresh", "load")  # how a page re-reads its data (the inspections grid: load())


@dataclass(frozen=True)
class Tab:
    """One tab: ``build(context, parent)`` makes its page; ``allowed(actor)`` (None: everyone) says who sees it."""

    key: str
    title: str
    build: Callable[..., QWidget]
    allowed: Callable[[Any], bool] | None = None

    def visible_to(self, actor) -> bool:
        return self.allowed is None or self.allowed(actor)


class TabbedArea(QWidget):
    """``Area(context, parent=None)``: the tabs of the area; ``page(key)`` builds and returns one."""

    open_area = Signal(str, dict)

    TABS: tuple[Tab, ...] = ()
    AREA_NAME = ""  # the object name of the area
    TABS_NAME = ""  # the object name of its QTabWidget

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(self.AREA_NAME)
        self.context = context
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName(self.TABS_NAME)
        self.tabs.setDocumentMode(True)
        self._tabs = self._visible_tabs()
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

    def _visible_tabs(self) -> tuple[Tab, ...]:
        if all(t.allowed is None for t in self.TABS):
            return self.TABS
        return tuple(t for t in self.TABS if t.visible_to(self.context.actor))

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
            except ImportError:  # the page has not landed yet
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
        """Read every page built so far again (after an import; see ui/transfer/menu.py)."""
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
