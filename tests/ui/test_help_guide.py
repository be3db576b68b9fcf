"""The user guide: F1 and «راهنمای کاربر» open it right to left at the page's section; its pictures ship."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ostandari_desk.ui.help import AREA_SECTIONS, GuideWindow, guide_path

pytestmark = pytest.mark.qt_log_ignore("does not support")  # the offscreen platform: raise, activateWindow

LATIN = re.compile(r"[A-Za-z]")
# the main tasks the guide walks through, by their sections
TASK_SECTIONS = (
    "start", "ngo", "licence", "licence-issue", "event", "letter", "import", "report", "visit", "memoranda",
    "exchange", "backup", "keys",
)  # fmt: skip


class _Guide(HTMLParser):
    """The guide's headings, pictures, anchors and internal links."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.images: list[str] = []
        self.anchors: set[str] = set()
        self.links: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self._heading = []
        elif tag == "img":
            self.images.append(values["src"])
        elif tag == "a" and values.get("name"):
            self.anchors.add(values["name"])
        elif tag == "a" and values.get("href", "").startswith("#"):
            self.links.append(values["href"][1:])

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


@pytest.fixture(scope="module")
def guide() -> _Guide:
    parser = _Guide()
    parser.feed(guide_path().read_text(encoding="utf-8"))
    return parser


def test_every_picture_the_guide_shows_ships_and_none_is_left_over(guide):
    folder = guide_path().parent
    assert len(guide.images) >= 10
    missing = [src for src in guide.images if not (folder / src).is_file()]
    assert not missing, missing
    shipped = {p.relative_to(folder).as_posix() for p in (folder / "img").glob("*.png")}
    assert shipped == set(guide.images)  # no picture is shipped that the guide does not show
    for src in guide.images:
        assert (folder / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src


def test_headings_are_persian_and_every_task_has_its_section(guide):
    assert len(guide.headings) > len(TASK_SECTIONS)
    latin = [h for h in guide.headings if LATIN.search(h)]
    assert not latin, latin
    assert set(TASK_SECTIONS) <= guide.anchors
    assert set(guide.links) <= guide.anchors  # every link inside the guide lands somewhere
    assert set(AREA_SECTIONS.values()) <= guide.anchors


def test_f1_opens_the_guide_right_to_left_at_the_pages_section(main_window, qtbot):
    main_window.open_area("ngos")
    main_window.activateWindow()
    qtbot.keyClick(main_window, Qt.Key.Key_F1)
    guide = main_window.guide_window
    assert isinstance(guide, GuideWindow)
    qtbot.waitUntil(guide.isVisible, timeout=2000)
    assert guide.isRightToLeft() and guide.browser.isRightToLeft()
    assert guide.browser.document().defaultTextOption().textDirection() == Qt.LayoutDirection.RightToLeft
    source = guide.browser.source()
    assert Path(source.toLocalFile()) == guide_path() and source.fragment() == "ngo"
    text = guide.browser.toPlainText()
    assert "ثبت سمن تازه" in text and "پرونده پروانه" in text
    images = guide.browser.document().toHtml().count("<img")
    assert images >= 10

    main_window.open_area("reports")
    qtbot.keyClick(main_window, Qt.Key.Key_F1)
    assert main_window.guide_window is guide  # one guide window, reused
    assert guide.browser.source().fragment() == "report"
    guide.contents_button.click()
    assert guide.browser.source().fragment() == "top"
    assert guide.back_button.isEnabled()
    guide.close()


def test_the_help_menu_offers_the_guide_beside_about(main_window):
    (help_menu,) = [a.menu() for a in main_window.menuBar().actions() if a.text() == "راهنما"]
    texts = [a.text() for a in help_menu.actions() if not a.isSeparator()]
    assert texts == ["راهنمای کاربر", "درباره"]
    assert main_window.guide_action.shortcut().toString() == "F1"
    main_window.open_area("start")
    main_window.guide_action.trigger()
    assert main_window.guide_window.isVisible()
    assert main_window.guide_window.browser.source().fragment() == "start"
    main_window.guide_window.close()
