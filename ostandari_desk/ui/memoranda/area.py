"""The «تفاهم‌نامه‌ها و اعتبارات» area: two tabs, each page built the first time it is shown.

تفاهم‌نامه‌ها (``memoranda_page.MemorandaPage``, imported lazily: a placeholder line while it is not there)
and اعتبارات شهرستان‌ها (``credits_page.CreditsPage``, the fairness view). ``apply_filter({"tab": key, ...})``
opens a tab (the start page's tiles) and hands the other keys to that page's ``apply_filter``;
``refresh()`` re-reads the pages built so far (after an import; see ui/transfer/menu.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

__all__ = ["TABS", "MemorandaArea"]

NOT_BUILT = "این بخش هنوز ساخته نشده است"
RELOADERS = ("reload", "refresh", "load")  # how a page re-reads its data


def _memoranda(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.memoranda.memoranda_page import MemorandaPage

    return MemorandaPage(context, parent)


def _credits(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.memoranda.credits_page import CreditsPage

    return CreditsPage(context, parent)


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    build: Callable[..., QWidget]


TABS: tuple[Tab, ...] = (
    Tab("memoranda", "تفاهم‌نامه‌ها", _memoranda),
    Tab("credits", "اعتبارات شهرستان‌ها", _credits),
)


class MemorandaArea(QWidget):
    """``MemorandaArea(context, parent=None)``: the area's tabs; ``page(key)`` builds and returns one."""

    open_area = Signal(str, dict)

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("memorandaArea")
        self.context = context
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("memorandaTabs")
        self.tabs.setDocumentMode(True)
        self._pages: dict[str, QWidget] = {}
        self._hosts: dict[str, QWidget] = {}
        for tab in TABS:
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
        return tuple(t.key for t in TABS)

    def current_key(self) -> str:
        index = self.tabs.currentIndex()
        return TABS[index].key if 0 <= index < len(TABS) else ""

    def page(self, key: str) -> QWidget | None:
        """The page of tab ``key`` (built now if it was not yet); None for an unknown key."""
        if key not in self._hosts:
            return None
        if key not in self._pages:
            tab = next(t for t in TABS if t.key == key)
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
        if 0 <= index < len(TABS):
            self.page(TABS[index].key)

    def apply_filter(self, filters: dict) -> None:
        """``{"tab": key}`` opens a tab; the other keys go to that page's ``apply_filter``."""
        rest = dict(filters)
        key = rest.pop("tab", None) or self.current_key()
        page = self.show_tab(key)
        if rest and page is not None and hasattr(page, "apply_filter"):
            page.apply_filter(rest)

    def refresh(self) -> None:
        """Read every page built so far again (after an import of memoranda, progress or payments)."""
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
