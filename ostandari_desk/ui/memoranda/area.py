"""The «تفاهم‌نامه‌ها و اعتبارات» area: two tabs, each page built the first time it is shown.

تفاهم‌نامه‌ها (``memoranda_page.MemorandaPage``, imported lazily: a placeholder line while it is not there)
and اعتبارات شهرستان‌ها (``credits_page.CreditsPage``, the fairness view). ``apply_filter({"tab": key, ...})``
opens a tab (the start page's tiles) and hands the other keys to that page's ``apply_filter``;
``refresh()`` re-reads the pages built so far (after an import; see ui/transfer/menu.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ostandari_desk.ui.widgets.tabbed_area import Tab, TabbedArea

__all__ = ["TABS", "MemorandaArea", "Tab"]


def _memoranda(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.memoranda.memoranda_page import MemorandaPage

    return MemorandaPage(context, parent)


def _credits(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.memoranda.credits_page import CreditsPage

    return CreditsPage(context, parent)


TABS: tuple[Tab, ...] = (
    Tab("memoranda", "تفاهم‌نامه‌ها", _memoranda),
    Tab("credits", "اعتبارات شهرستان‌ها", _credits),
)


class MemorandaArea(TabbedArea):
    """``MemorandaArea(context, parent=None)``: the area's tabs; ``page(key)`` builds and returns one.
    ``refresh()`` follows an import of memoranda, progress or payments."""

    TABS = TABS
    AREA_NAME = "memorandaArea"
    TABS_NAME = "memorandaTabs"
