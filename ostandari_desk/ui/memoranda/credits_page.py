"""اعتبارات شهرستان‌ها — the fairness view: a Jalali year's memoranda and credits per county.

Per county (``services.memoranda.credits.credits_by_county``, read on a worker): memoranda all / with the
governorates / with NGOs, amount, paid, remaining, average progress, population and the amount per 10,000
inhabitants, in rials with Persian digits and separators; the province's totals stay the last row whatever
the sort (a header click sorts the counties). Counties far below the province's median are highlighted
and the rule is said in a sentence; a bar chart (QPainter, right to left) shows the amount per county, far
below counties in the highlight colour. «چاپ» opens the reports page on the ``credits`` paper when the
report registry has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import format_number, rlm, to_persian_digits
from ostandari_desk.services.memoranda.credits import PER_INHABITANTS, CountyCredits, CreditsView
from ostandari_desk.ui.tasks import run_task

__all__ = ["COLUMNS", "FAR_BELOW_COLOURS", "CreditsPage"]

CREDITS_REPORT = "credits"
YEARS_BACK = 10  # the year picker offers this year and the ten before it (and any year asked for)
FAR_BELOW_COLOURS = ("#fff3dc", "#8a4b00")  # background, text: the rows and the chart's bars
BAR_COLOUR = "#1f5f99"
FAR_BAR_COLOUR = "#e08a00"
UNKNOWN = "—"


@dataclass(frozen=True)
class Column:
    header: str
    show: Callable[[CountyCredits], str]
    sort: Callable[[CountyCredits], object]
    number: bool = True


def _rials(value: int | None) -> str:
    return UNKNOWN if value is None else format_number(value)


COLUMNS: tuple[Column, ...] = (
    Column("شهرستان", lambda r: r.county_name, lambda r: r.county_name, number=False),
    Column("تفاهم‌نامه‌ها", lambda r: format_number(r.memoranda), lambda r: r.memoranda),
    Column("با فرمانداری", lambda r: format_number(r.with_governorates), lambda r: r.with_governorates),
    Column("با سمن", lambda r: format_number(r.with_ngos), lambda r: r.with_ngos),
    Column("مبلغ (ریال)", lambda r: _rials(r.amount), lambda r: r.amount),
    Column("پرداخت‌شده (ریال)", lambda r: _rials(r.paid), lambda r: r.paid),
    Column("مانده (ریال)", lambda r: _rials(r.remaining), lambda r: r.remaining),
    Column(
        "میانگین پیشرفت",
        lambda r: r.average_progress_text if r.memoranda else UNKNOWN,
        lambda r: r.progress_sum * 1.0 / r.memoranda if r.memoranda else -1.0,
    ),
    Column("جمعیت", lambda r: _rials(r.population), lambda r: -1 if r.population is None else r.population),
    Column(
        f"مبلغ به ازای هر {format_number(PER_INHABITANTS)} نفر (ریال)",
        lambda r: _rials(r.per_10k),
        lambda r: -1 if r.per_10k is None else r.per_10k,
    ),
)


def _load(uow, year: int) -> CreditsView:
    """Worker side: the year's view, with a unit of work from ``context.uow()`` (the user's county)."""
    from ostandari_desk.services.memoranda.credits import credits_by_county

    return credits_by_county(uow, year)


def report_registered(name: str = CREDITS_REPORT) -> bool:
    from ostandari_desk.reports.registry import REPORTS

    return name in REPORTS


class CreditsChart(QWidget):
    """Horizontal bars of the amount per county, drawn with QPainter right to left: the names on the right,
    the bars growing leftwards, each bar's amount in rials at its end; far below counties in the highlight
    colour. One bar a line, so every county's name is readable however many there are (it sits in a
    scroll area). ``categories`` are the names in the order drawn, ``highlighted`` the far below ones."""

    ROW = 24  # pixels a bar's line takes
    TITLE = "مبلغ تفاهم‌نامه‌های هر شهرستان (ریال)"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("creditsChart")
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.rows: list[tuple[str, int, bool]] = []
        self.setMinimumHeight(80)

    @property
    def categories(self) -> list[str]:
        return [name for name, _amount, _far in self.rows]

    @property
    def highlighted(self) -> list[str]:
        return [name for name, _amount, far in self.rows if far]

    def show_rows(self, rows: list[CountyCredits]) -> None:
        self.rows = [(r.county_name, r.amount, r.far_below) for r in rows]
        self.setMinimumHeight(self._height())
        self.updateGeometry()
        self.update()

    def _height(self) -> int:
        return 40 + self.ROW * max(len(self.rows), 1) + 8

    def sizeHint(self) -> QSize:
        return QSize(600, self._height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        metrics = painter.fontMetrics()
        width = self.width()
        title = QFont(self.font())
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(QColor("#1f2a36"))
        painter.drawText(QRect(0, 6, width, 24), Qt.AlignmentFlag.AlignCenter, self.TITLE)
        painter.setFont(self.font())
        if not self.rows:
            return
        name_w = max(metrics.horizontalAdvance(name) for name, _a, _f in self.rows) + 16
        top_amount = max(amount for _n, amount, _f in self.rows) or 1
        value_w = metrics.horizontalAdvance(format_number(top_amount)) + 16
        right = width - 12 - name_w  # where every bar starts
        span = max(right - 12 - value_w, 10)
        colour, far_colour = QColor(BAR_COLOUR), QColor(FAR_BAR_COLOUR)
        for index, (name, amount, far) in enumerate(self.rows):
            y = 36 + index * self.ROW
            painter.setPen(QColor(FAR_BELOW_COLOURS[1] if far else "#1f2a36"))
            painter.drawText(
                QRect(right + 8, y, name_w - 8, self.ROW),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            length = round(span * amount / top_amount) if amount > 0 else 0
            if length:
                painter.fillRect(
                    QRect(right - length, y + 4, length, self.ROW - 8), far_colour if far else colour
                )
            painter.setPen(QColor("#5a6470"))
            painter.drawText(
                QRect(right - length - value_w, y, value_w - 6, self.ROW),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                format_number(amount),
            )
        painter.setPen(QColor("#9aa5b1"))
        painter.drawLine(right, 34, right, 36 + len(self.rows) * self.ROW)
        painter.end()


class CreditsPage(QWidget):
    """``CreditsPage(context, parent=None)``; ``load(year)`` reads a year (on a worker), ``loaded`` follows.

    ``apply_filter({"year": Y})`` shows that year; ``view`` is the CreditsView on screen.
    """

    open_area = Signal(str, dict)
    loaded = Signal(object)

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("creditsPage")
        self.context = context
        self.view: CreditsView | None = None
        self.year = jalali.today_jalali_year()
        self.sort_column = -1  # -1: the counties' own order
        self.descending = False
        self._token = 0
        # the bar: year, status, print
        self.year_combo = QComboBox(self)
        self.year_combo.setObjectName("creditsYearCombo")
        self._fill_years()
        self.year_combo.currentIndexChanged.connect(self._on_year_combo_current_index_changed)
        year_label = QLabel("&سال:", self)
        year_label.setBuddy(self.year_combo)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("creditsStatusLabel")
        self.print_button = QPushButton("چاپ گزارش اعتبارات…", self)
        self.print_button.setObjectName("printCreditsButton")
        self.print_button.clicked.connect(self.print_credits)
        self.print_button.setVisible(report_registered())
        bar = QHBoxLayout()
        bar.addWidget(year_label)
        bar.addWidget(self.year_combo)
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.print_button)
        # the rule sentence
        self.rule_label = QLabel(self)
        self.rule_label.setObjectName("creditsRuleLabel")
        self.rule_label.setWordWrap(True)
        # the table and the chart
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("creditsTable")
        self.table.setHorizontalHeaderLabels([c.header for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(False)
        header.sectionClicked.connect(self._on_header_section_clicked)
        header.setToolTip("برای مرتب کردن روی عنوان ستون کلیک کنید")
        self.table.doubleClicked.connect(lambda index: self.open_memoranda(index.row()))
        self.table.setToolTip("با دوبار کلیک، تفاهم‌نامه‌های آن شهرستان در این سال نمایش داده می‌شود")
        self.chart = CreditsChart(self)
        self.chart_scroll = QScrollArea(self)
        self.chart_scroll.setObjectName("creditsChartScroll")
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setWidget(self.chart)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("creditsSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart_scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.rule_label)
        layout.addWidget(splitter, 1)
        self.load(self.year)

    # --- the year ---------------------------------------------------------------------------------

    def _fill_years(self, extra: int | None = None) -> None:
        this = jalali.today_jalali_year()
        years = set(range(this - YEARS_BACK, this + 1)) | ({extra} if extra else set())
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in sorted(years, reverse=True):
            self.year_combo.addItem(to_persian_digits(year), year)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(extra or self.year), 0))
        self.year_combo.blockSignals(False)

    def _on_year_combo_current_index_changed(self, _index: int) -> None:
        year = self.year_combo.currentData()
        if year:
            self.load(int(year))

    def apply_filter(self, filters: dict) -> None:
        if filters.get("year"):
            year = int(filters["year"])
            if self.year_combo.findData(year) < 0:
                self._fill_years(year)
            self.year_combo.blockSignals(True)
            self.year_combo.setCurrentIndex(self.year_combo.findData(year))
            self.year_combo.blockSignals(False)
            self.load(year)

    # --- reading ----------------------------------------------------------------------------------

    def load(self, year: int | None = None) -> None:
        """Read the year's credits (``year``: default the one shown) off the UI thread."""
        self.year = int(year or self.year)
        self._token += 1
        token = self._token
        self.status_label.setText("در حال خواندن…")
        uow = self.context.uow()
        year_ = self.year
        run_task(
            self,
            lambda: _load(uow, year_),
            on_done=lambda view: self._on_loaded(token, view),
            on_error=lambda error: self._on_failed(token, error),
            progress=False,
        )

    def reload(self) -> None:
        self.load(self.year)

    def _on_failed(self, token: int, error: BaseException) -> None:
        if token != self._token:
            return
        from ostandari_desk.errors import UserError
        from ostandari_desk.ui.errors import show_error

        self.status_label.setText(error.message if isinstance(error, UserError) else "خواندن انجام نشد.")
        if not isinstance(error, UserError):
            show_error(self, error)

    def _on_loaded(self, token: int, view: CreditsView) -> None:
        if token != self._token:
            return  # a later year was asked for meanwhile
        self.show_view(view)
        self.loaded.emit(view)

    def show_view(self, view: CreditsView) -> None:
        self.view = view
        total = view.total
        self.status_label.setText(
            f"سال {to_persian_digits(view.jalali_year)}: {format_number(total.memoranda)} تفاهم‌نامه، "
            f"{format_number(total.amount)} ریال"
        )
        self.rule_label.setText(self.rule_text(view))
        self._fill_table()

    @staticmethod
    def rule_text(view: CreditsView) -> str:
        far = [r.county_name for r in view.rows if r.far_below]
        rule = f"شهرستان‌های رنگی: مبلغ به ازای هر {format_number(PER_INHABITANTS)} نفر {view.far_below_rule}"
        if view.median_per_10k is None:
            return rlm(
                "جمعیت هیچ شهرستانی ثبت نشده است؛ مبلغ سرانه و مقایسه با میانه پس از ثبت جمعیت شهرستان‌ها "
                "(اطلاعات پایه ← شهرستان‌ها) نمایش داده می‌شود."
            )
        median = f"میانه استان: {format_number(view.median_per_10k)} ریال."
        names = f" ({'، '.join(far)})" if far else " — امسال شهرستانی چنین نیست."
        return rlm(f"{rule}{names} {median}")

    # --- the table --------------------------------------------------------------------------------

    def rows(self) -> list[CountyCredits]:
        """The counties in the order shown (the totals row excluded)."""
        if self.view is None:
            return []
        rows = list(self.view.rows)
        if 0 <= self.sort_column < len(COLUMNS):
            key = COLUMNS[self.sort_column].sort
            if COLUMNS[self.sort_column].number:
                rows.sort(key=key, reverse=self.descending)
            else:
                from ostandari_desk.domain.text import persian_sort_key

                rows.sort(key=lambda r: persian_sort_key(str(key(r))), reverse=self.descending)
        return rows

    def _fill_table(self) -> None:
        if self.view is None:
            return
        rows = self.rows()
        self.chart.show_rows(rows)  # the bars in the table's order
        self.table.setRowCount(len(rows) + 1)
        far_bg, far_fg = (QBrush(QColor(c)) for c in FAR_BELOW_COLOURS)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, row in enumerate([*rows, self.view.total]):
            is_total = r == len(rows)
            for c, column in enumerate(COLUMNS):
                item = QTableWidgetItem(rlm(to_persian_digits(column.show(row))))
                if column.number:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, "total" if is_total else row.county_id)
                if is_total:
                    item.setFont(bold)
                elif row.far_below:
                    item.setBackground(far_bg)
                    item.setForeground(far_fg)
                    item.setToolTip(f"بسیار کمتر از میانه استان: {self.view.far_below_rule}")
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c) + 14, 260))

    def _on_header_section_clicked(self, column: int) -> None:
        if column == self.sort_column:
            self.descending = not self.descending
        else:
            self.sort_column, self.descending = column, COLUMNS[column].number  # numbers: largest first
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        order = Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(column, order)
        self._fill_table()

    def sort_by(self, column: int, descending: bool) -> None:
        """Sort the counties by ``column`` (the header click's effect, for tests and keyboard users)."""
        self.sort_column, self.descending = column, not descending
        self._on_header_section_clicked(column)

    def far_below_rows(self) -> list[str]:
        """The names of the highlighted rows, in the order shown."""
        names = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.background().color() == QColor(FAR_BELOW_COLOURS[0]):
                names.append(item.text().lstrip("\u200f"))
        return names

    def cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().lstrip("\u200f") if item is not None else ""

    def open_memoranda(self, row: int) -> None:
        """The memoranda list of the row's county (the totals row: the province's) signed in the year."""
        item = self.table.item(row, 0)
        if item is None:
            return
        filters: dict = {"tab": "memoranda", "year": self.year}
        county_id = item.data(Qt.ItemDataRole.UserRole)
        if county_id and county_id != "total":
            filters["county"] = county_id
        self.open_area.emit("memoranda", filters)

    # --- the paper --------------------------------------------------------------------------------

    def print_credits(self) -> None:
        """The reports page with the ``credits`` paper of the year shown (a county user's: their county)."""
        if not report_registered():
            return
        self.open_area.emit(
            "reports",
            {
                "report": CREDITS_REPORT,
                "year": self.year,
                "county_id": self.context.actor.county_scope,
                "generate": True,
            },
        )

    def focus_search(self) -> None:
        self.year_combo.setFocus()
