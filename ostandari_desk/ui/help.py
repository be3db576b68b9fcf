"""The user guide (resources/guide/guide.html with its screenshots) in a right-to-left window: F1 and «راهنما».

``add_guide_action(window, menu)`` puts «راهنمای کاربر» (F1) in the Help menu; F1 opens the guide at the
section of the area on screen (``AREA_SECTIONS``). One guide window per main window, reused and raised.
The screenshots are made from the real windows by installer/guide_screenshots.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QKeySequence, QTextOption
from PySide6.QtWidgets import QDialog, QHBoxLayout, QMenu, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ostandari_desk.paths import resources_dir

__all__ = ["AREA_SECTIONS", "GuideWindow", "add_guide_action", "guide_path", "show_guide"]

TITLE = "راهنمای کاربر"
# the guide's section (its <a name>) for each area of the main window (ui/areas.py)
AREA_SECTIONS = {
    "start": "start",
    "ngos": "ngo",
    "licences": "licence-issue",
    "events": "event",
    "letters": "letter",
    "memoranda": "memoranda",
    "facilitation": "memoranda",
    "centres": "visit",
    "reports": "report",
}


def guide_path() -> Path:
    """The guide's HTML file (its pictures are in img/ beside it)."""
    return resources_dir() / "guide" / "guide.html"


class GuideWindow(QDialog):
    """The guide in a QTextBrowser, right to left; «فهرست» goes to its top, «بازگشت» back, links inside work."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("guideWindow")
        self.setWindowTitle(TITLE)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.resize(860, 680)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("guideBrowser")
        self.browser.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        option = self.browser.document().defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.RightToLeft)
        option.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.browser.document().setDefaultTextOption(option)
        self.browser.setOpenExternalLinks(False)
        self.contents_button = QPushButton("فهرست", self)
        self.contents_button.setObjectName("guideContentsButton")
        self.contents_button.clicked.connect(lambda: self.show_section("top"))
        self.back_button = QPushButton("بازگشت", self)
        self.back_button.setObjectName("guideBackButton")
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        close = QPushButton("بستن", self)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.contents_button)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self._url = QUrl.fromLocalFile(str(guide_path()))
        if guide_path().is_file():
            self.browser.setSource(self._url)
        else:  # a broken installation: say so rather than show an empty window
            self.browser.setHtml("<p dir='rtl'>پرونده راهنما پیدا نشد. برنامه را دوباره نصب کنید.</p>")

    def show_section(self, section: str | None) -> None:
        """Go to the guide's ``section`` (an anchor name; None or unknown: the top)."""
        url = QUrl(self._url)
        url.setFragment(section or "top")
        self.browser.setSource(url)


def show_guide(window: Any, section: str | None = None) -> GuideWindow:
    """Show the guide over ``window`` at ``section`` (one window, reused); returns it."""
    guide = getattr(window, "guide_window", None)
    if not isinstance(guide, GuideWindow):
        guide = GuideWindow(window)
        window.guide_window = guide
    guide.show_section(section)
    guide.show()
    guide.raise_()
    guide.activateWindow()
    return guide


def _section_of(window: Any) -> str | None:
    area = window.current_area() if hasattr(window, "current_area") else ""
    return AREA_SECTIONS.get(area)


def add_guide_action(window: Any, menu: QMenu) -> QAction:
    """«راهنمای کاربر» (F1) in ``menu``: the guide at the section of the area on screen."""
    action = QAction(TITLE, window)
    action.setObjectName("guideAction")
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setStatusTip("راهنمای گام‌به‌گام کارهای میز، با تصویر")
    action.triggered.connect(lambda _checked=False: show_guide(window, _section_of(window)))
    menu.addAction(action)
    window.addAction(action)  # F1 also while the menu bar is hidden or another widget has the focus
    return action
