"""The start page: tiles with the desk's counts; each tile opens the matching filtered list.

The counts come from ``services.licences.desk_counts`` on a pool thread (``run_task``), so the page
shows at once and fills its numbers a moment later. They are answered by indexes; the slower figures (the
inspection and memoranda tiles, then the year summary's chart) are loaded after them, one after the other,
so they never hold the first figures back. They are counted again each time the page is shown,
with a unit of work from ``context.uow()``: a county user's tiles count their county alone. A desk with no
NGO yet shows a welcome instead of empty figures: add the first NGO, or import them from Excel.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk import settings
from ostandari_desk.domain.text import RLM, format_number
from ostandari_desk.services.licences import desk_counts
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.tasks import run_task

__all__ = ["StartPage", "Tile"]


@dataclass(frozen=True)
class Tile:
    """One tile: the DeskCounts attribute it shows, its label, and where a click leads."""

    key: str
    label: str
    area: str
    filters: dict
    warn: bool = False


TILES: tuple[Tile, ...] = (
    Tile("ngos_active", "سمن فعال", "ngos", {"status": "active"}),
    Tile("expiring", "پروانه رو به انقضا", "licences", {"view": "expiring"}, warn=True),
    Tile("expired", "پروانه منقضی", "licences", {"view": "expired"}, warn=True),
    Tile(
        "overdue_inquiries", "استعلام بی‌پاسخ پس از مهلت", "licences", {"view": "overdue_inquiries"}, warn=True
    ),
    Tile("open_cases", "پرونده باز", "licences", {"view": "open_cases"}),
)
# the inspection figures (services.inspections.grid.inspection_summary); the month's are filled on click
INSPECTION_TILES: tuple[Tile, ...] = (
    Tile("overdue_actions", "اقدام اصلاحی معوق", "centres", {"tab": "actions"}, warn=True),
    Tile("month_coverage", "پوشش بازدید این ماه", "centres", {"tab": "grid"}),
    Tile("critical_month", "بازدید با یافته بحرانی در این ماه", "centres", {"tab": "visits"}, warn=True),
)
# the memoranda figures (services.memoranda.credits.memoranda_summary); their tooltips name the first ones
MEMORANDA_TILES: tuple[Tile, ...] = (
    Tile(
        "memo_waiting",
        "تفاهم‌نامه با قسط در انتظار گزارش پیشرفت",
        "memoranda",
        {"tab": "memoranda", "waiting": True},
        warn=True,
    ),
    Tile(
        "memo_overdue",
        "تفاهم‌نامه گذشته از پایان",
        "memoranda",
        {"tab": "memoranda", "overdue": True},
        warn=True,
    ),
    Tile("idle_offices", "دفتر تسهیلگری فعال بی‌پروژه جاری", "facilitation", {"idle": True}, warn=True),
)
_COLUMNS = 4
WELCOME_TEXT = (
    "هنوز سمنی در این میز ثبت نشده است. برای شروع، نخستین سمن را ثبت کنید، "
    "یا فهرست سمن‌های اداره را از پرونده اکسل وارد کنید (قالب خالی در «پرونده ← دریافت قالب خالی…»)."
)


class TileButton(QPushButton):
    """A tile: a big number over its label; the whole tile is one button."""

    def __init__(self, tile: Tile, parent: QWidget | None = None):
        super().__init__(parent)
        self.tile = tile
        self.setObjectName(f"tile_{tile.key}")
        self.setProperty("tile", "true")
        self.setToolTip("نمایش فهرست")
        self.setMinimumSize(200, 96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        self.number_label = QLabel(RLM + "…", self)
        self.number_label.setObjectName("tileNumber")
        font = self.number_label.font()
        font.setPointSize(20)
        font.setBold(True)
        self.number_label.setFont(font)
        self.caption_label = QLabel(tile.label, self)
        self.caption_label.setObjectName("tileCaption")
        self.caption_label.setWordWrap(True)
        for label in (self.number_label, self.caption_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        self.setAccessibleName(tile.label)

    def show_text(self, text: str, caption: str, warn: bool) -> None:
        """A figure that is not one count (the month's coverage «done/due»)."""
        self.number_label.setText(RLM + text)
        self.caption_label.setText(caption)
        self.setAccessibleName(caption)
        self.setProperty("tile", "warn" if warn else "true")
        self.style().unpolish(self)
        self.style().polish(self)

    def show_value(self, value: int | None, window_days: int | None = None) -> None:
        # RLM: digits alone are neutral and would be laid out (and aligned) left to right
        self.number_label.setText(RLM + ("…" if value is None else format_number(value)))
        caption = self.tile.label
        if self.tile.key == "expiring" and window_days:
            caption = f"{caption} (تا {format_number(window_days)} روز آینده)"
        self.caption_label.setText(caption)
        self.setAccessibleName(caption)
        warn = bool(self.tile.warn and value)
        self.setProperty("tile", "warn" if warn else "true")
        self.style().unpolish(self)
        self.style().polish(self)


def _count_desk(context: AppContext, today: _dt.date) -> tuple[object, int]:
    """The tiles' first figures: counts the indexes answer at once (services.licences.desk_counts)."""
    with context.uow() as uow:
        window = int(settings.get_setting(uow, "expiring_window_days"))
        # a county user's tiles count their county alone (the unit of work scopes it; naming the
        # county lets the counts use the county indexes)
        return desk_counts(uow, today, county_id=uow.county_scope), window


def _summarize_desk(context: AppContext, today: _dt.date) -> tuple[object, object]:
    """The secondary figures (inspections, memoranda): loaded after the first counts are on screen."""
    from ostandari_desk.services.inspections.grid import inspection_summary
    from ostandari_desk.services.memoranda.credits import memoranda_summary

    with context.uow() as uow:
        return inspection_summary(uow, today), memoranda_summary(uow, today)


class StartPage(QWidget):
    """``StartPage(context, parent=None)``; emits ``open_area(area_key, filters)`` when a tile is pressed."""

    open_area = Signal(str, dict)
    counts_ready = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        # scrolled, not squeezed, when the window is short (1280×720: the tiles' rows touched)
        scroll = QScrollArea(self)
        scroll.setObjectName("startScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget(scroll)
        content.setObjectName("startContent")
        scroll.setStyleSheet("#startScroll, #startContent { background: transparent; }")
        self.ui = load_form("start_page", content)
        scroll.setWidget(content)
        page_layout = QVBoxLayout(self)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(scroll)
        self.status_label = child(self.ui, QLabel, "statusLabel")
        office = child(self.ui, QLabel, "officeLabel")
        office.setText(context.office_name)
        # «no backup for more than seven days» (ui/backup_dialogs.py), under the office's name
        self.backup_warning = QLabel(self.ui)
        self.backup_warning.setObjectName("backupWarning")
        self.backup_warning.setWordWrap(True)
        self.backup_warning.hide()
        layout = self.ui.layout()
        layout.insertWidget(layout.indexOf(office) + 1, self.backup_warning)
        self.welcome = self._make_welcome()
        layout.insertWidget(layout.indexOf(self.backup_warning) + 1, self.welcome)
        grid = self.ui.findChild(QGridLayout, "tilesGrid")
        self.tiles: dict[str, TileButton] = {}
        for index, tile in enumerate(TILES):
            button = TileButton(tile, self.ui)
            button.clicked.connect(
                lambda _checked=False, t=tile: self.open_area.emit(t.area, dict(t.filters))
            )
            grid.addWidget(button, index // _COLUMNS, index % _COLUMNS)
            self.tiles[tile.key] = button
        for index, tile in enumerate(INSPECTION_TILES, start=len(TILES)):
            button = TileButton(tile, self.ui)
            button.clicked.connect(lambda _checked=False, t=tile: self._open_inspection_tile(t))
            grid.addWidget(button, index // _COLUMNS, index % _COLUMNS)
            self.tiles[tile.key] = button
        for index, tile in enumerate(MEMORANDA_TILES, start=len(TILES) + len(INSPECTION_TILES)):
            button = TileButton(tile, self.ui)
            button.clicked.connect(
                lambda _checked=False, t=tile: self.open_area.emit(t.area, dict(t.filters))
            )
            grid.addWidget(button, index // _COLUMNS, index % _COLUMNS)
            self.tiles[tile.key] = button
        self.inspections = None  # the last InspectionSummary
        self.memoranda = None  # the last MemorandaSummary
        self.counts = None
        self.year_summary: QWidget | None = None
        self._busy = False
        self._secondary_busy = False
        self._window_days: int | None = None

    def _make_welcome(self) -> QFrame:
        """The empty desk's guide: what to do first, as buttons (hidden once an NGO exists)."""
        frame = QFrame(self.ui)
        frame.setObjectName("welcomePanel")
        frame.setStyleSheet(
            "#welcomePanel { background: #eef4fb; border: 1px solid #9db8d9; border-radius: 6px; }"
        )
        title = QLabel("به میز استانداری خوش آمدید", frame)
        title.setObjectName("welcomeTitle")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        text = QLabel(WELCOME_TEXT, frame)
        text.setObjectName("welcomeLabel")
        text.setWordWrap(True)
        first = QPushButton("ثبت نخستین سمن", frame)
        first.setObjectName("firstNgoButton")
        first.clicked.connect(lambda: self.open_area.emit("ngos", {"action": "new"}))
        excel = QPushButton("ورود سمن‌ها از اکسل…", frame)
        excel.setObjectName("importNgosButton")
        excel.clicked.connect(lambda: self.open_area.emit("ngos", {"action": "import"}))
        buttons = QHBoxLayout()
        buttons.addWidget(first)
        buttons.addWidget(excel)
        buttons.addStretch(1)
        layout = QVBoxLayout(frame)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addLayout(buttons)
        frame.hide()
        return frame

    def _show_welcome(self, counts) -> None:
        """The welcome while the desk (in the user's scope) has no NGO at all; the figures otherwise."""
        empty = getattr(counts, "ngos_active", 1) == 0
        if empty:  # no active NGO: are there any at all? (a tiny table, or none)
            from ostandari_desk.services import ngos as ngo_service

            with self.context.uow() as uow:
                empty = ngo_service.count_ngos(uow, ngo_service.NgoFilter()) == 0
        self.welcome.setVisible(empty)
        if self.year_summary is not None:
            self.year_summary.setVisible(not empty)

    def refresh(self) -> None:
        """Count again off the UI thread: the indexed counts first, then the rest (``_load_secondary``)."""
        if self._busy:
            return
        self._busy = True
        self.status_label.setText("در حال شمارش…")
        today = _dt.date.today()
        run_task(
            self,
            lambda: _count_desk(self.context, today),
            on_done=self._on_counted,
            on_error=self._on_count_failed,
            progress=False,
        )

    def _load_secondary(self) -> None:
        """The inspection and memoranda tiles, then the year summary: after the first figures are shown,
        so their slower queries never hold the counts back (one after the other: two cores at most)."""
        if self._secondary_busy:
            return
        self._secondary_busy = True
        today = _dt.date.today()
        run_task(
            self,
            lambda: _summarize_desk(self.context, today),
            on_done=self._on_summarized,
            on_error=self._on_count_failed,
            progress=False,
        )

    def _on_summarized(self, result: tuple[object, object]) -> None:
        self._secondary_busy = False
        inspections, memoranda = result
        self._show_inspections(inspections)
        self._show_memoranda(memoranda)
        if self.year_summary is None:
            # QtCharts is slow to import: the year summary comes last, once the figures are on screen
            QTimer.singleShot(0, self, self._add_year_summary)  # dropped if the page is gone by then

    def _on_counted(self, result: tuple[object, int]) -> None:
        self._busy = False
        counts, window = result
        self.counts = counts
        self._window_days = window
        for tile in TILES:
            value = getattr(counts, tile.key, None)
            self.tiles[tile.key].show_value(value, window)
        self.status_label.setText("")
        self._show_welcome(counts)
        self.counts_ready.emit(counts)
        self._load_secondary()

    def _show_inspections(self, summary) -> None:
        from ostandari_desk.domain.text import to_persian_digits

        self.inspections = summary
        self.tiles["overdue_actions"].show_value(summary.overdue_actions)
        month = f"{summary.month_label} {to_persian_digits(summary.jalali_year)}"
        done, due = format_number(summary.month_done), format_number(summary.month_due)
        coverage = self.tiles["month_coverage"]
        coverage.show_text(
            f"{done}/{due}" if summary.month_due else "—",
            f"پوشش بازدید {month}: {summary.month_state_label}",
            summary.month_due > 0 and summary.month_done < summary.month_due,
        )
        coverage.setToolTip("مراکز بازدیدشده / مراکز موعددار این ماه؛ نمایش جدول پوشش")
        critical = self.tiles["critical_month"]
        critical.show_value(summary.critical_count)
        critical.caption_label.setText(f"بازدید با یافته بحرانی در {summary.month_label}")
        critical.setToolTip("بازدیدهای این ماه با یافته بحرانی یا نتیجه «تخلف جدی»")

    def _show_memoranda(self, summary) -> None:
        from ostandari_desk.domain.text import protect_hyphenated_numbers, to_persian_digits

        self.memoranda = summary
        waiting = self.tiles["memo_waiting"]
        waiting.show_value(summary.waiting_count)
        waiting.caption_label.setText(
            f"تفاهم‌نامه با قسط در انتظار گزارش پیشرفت {to_persian_digits(summary.threshold)}٪"
        )
        shown = (
            ("memo_waiting", [f"{m.number} — {m.title} ({m.county_name})" for m in summary.waiting]),
            ("memo_overdue", [f"{m.number} — {m.title} ({m.county_name})" for m in summary.overdue]),
            ("idle_offices", [f"{o.name} ({o.county_name})" for o in summary.idle_offices]),
        )
        self.tiles["memo_overdue"].show_value(summary.overdue_count)
        self.tiles["idle_offices"].show_value(summary.idle_offices_count)
        for key, lines in shown:
            self.tiles[key].setToolTip(
                "\n".join(protect_hyphenated_numbers(to_persian_digits(line)) for line in lines)
                if lines
                else "نمایش فهرست"
            )

    def _open_inspection_tile(self, tile: Tile) -> None:
        filters = dict(tile.filters)
        if self.inspections is not None and tile.key != "overdue_actions":
            filters.update(year=self.inspections.jalali_year, month=self.inspections.jalali_month)
        if tile.key == "critical_month":
            filters["critical"] = True
        self.open_area.emit(tile.area, filters)

    def _on_count_failed(self, error: BaseException) -> None:
        self._busy = self._secondary_busy = False
        from ostandari_desk.errors import UserError
        from ostandari_desk.ui.errors import show_error

        self.status_label.setText("شمارش انجام نشد.")
        if not isinstance(error, UserError):
            show_error(self, error)
        else:
            self.status_label.setText(error.message)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
        self.show_backup_warning()

    def show_backup_warning(self) -> None:
        """Warn when the last backup is older than seven days (one settings read)."""
        from ostandari_desk.ui.backup_dialogs import backup_warning_text

        text = backup_warning_text(self.context)
        self.backup_warning.setText(text)
        self.backup_warning.setVisible(bool(text))

    def _add_year_summary(self) -> None:
        if self.year_summary is not None:
            return
        from ostandari_desk.ui.reports.year_summary import YearSummaryWidget

        self.year_summary = YearSummaryWidget(self.context, self.ui)
        self.year_summary.setObjectName("yearSummary")
        self.year_summary.open_area.connect(self.open_area)
        layout = self.ui.layout()
        layout.insertWidget(layout.indexOf(self.status_label) + 1, self.year_summary)
        self.year_summary.setVisible(not self.welcome.isVisible())
