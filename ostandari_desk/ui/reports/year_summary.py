"""The start page's year summary: four key indicators, this year to date against the same span last year.

``YearSummaryWidget(context)`` loads ``services.annual.annual_comparison(same_period=True)`` on a worker,
shows one clickable tile per key indicator and a small QtCharts bar chart with each bar's value above it
(Persian digits) and the indicators' names under them, wrapped rather than cut. A tile emits
``open_area(area_key, filters)``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.ui.tasks import run_task
from ostandari_desk.ui.widgets.dates import persian_locale

__all__ = ["YearSummaryWidget"]

# key indicator -> (area it opens, filters)
_TARGETS = {
    "approvals": ("licences", {}),
    "issued": ("licences", {}),
    "events": ("events", {}),
    "support_letters": ("letters", {"kind": "support"}),
}


def _load(uow, year: int, today: date):
    """Worker side: the comparison, with a unit of work from ``context.uow()`` (the user's county)."""
    from ostandari_desk.services.annual import annual_comparison

    return annual_comparison(uow, year, same_period=True, today=today)


class YearSummaryWidget(QWidget):
    open_area = Signal(str, dict)
    loaded = Signal()

    def __init__(self, context, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.context = context
        self.today = today or date.today()
        self.year = jalali.jalali_year_of(self.today)
        self.data = None
        layout = QVBoxLayout(self)
        self.title = QLabel(
            f"عملکرد امسال تا امروز در برابر همین بازه سال {to_persian_digits(self.year - 1)}"
        )
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        body = QHBoxLayout()
        self.tiles_box = QGridLayout()
        body.addLayout(self.tiles_box, 1)
        self.chart = QChart()
        # before any series: the values on the bars take Persian digits only from a locale set first
        self.chart.setLocale(persian_locale())
        self.chart.setLocalizeNumbers(True)
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumSize(360, 250)
        body.addWidget(self.chart_view, 1)
        layout.addLayout(body)
        self.tiles: dict[str, QPushButton] = {}
        self.refresh()

    def refresh(self) -> None:
        uow = self.context.uow()
        run_task(
            self,
            lambda: _load(uow, self.year, self.today),
            on_done=self._show,
            progress=False,
        )

    def _show(self, data) -> None:
        self.data = data
        for tile in self.tiles.values():
            self.tiles_box.removeWidget(tile)
            tile.deleteLater()
        self.tiles = {}
        for index, key in enumerate(data.key_columns):
            row = data.row(key.key)
            tile = QPushButton(
                f"{key.label}\n{format_number(row.this)}  (سال قبل: {format_number(row.last)})\n"
                f"{row.ratio_text}"
            )
            tile.setObjectName(f"tile_{key.key}")
            tile.setMinimumHeight(74)
            tile.setToolTip(f"{row.label}: {data.this_label} در برابر {data.last_label}")
            area, filters = _TARGETS.get(key.key, ("reports", {}))
            filters = {**filters, "year": self.year}
            tile.clicked.connect(lambda _checked=False, a=area, f=filters: self.open_area.emit(a, dict(f)))
            self.tiles_box.addWidget(tile, index // 2, index % 2)
            self.tiles[key.key] = tile
        self._draw_chart(data)
        self.loaded.emit()

    def _draw_chart(self, data) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        last = QBarSet(f"سال {to_persian_digits(data.previous)}")
        this = QBarSet(f"سال {to_persian_digits(data.year)}")
        last.setColor(QColor("#9fb3c8"))
        this.setColor(QColor("#1f5f99"))
        for bar_set in (last, this):
            bar_set.setLabelColor(QColor("#202124"))  # the values stand above the bars, on white
        # right to left: the first indicator on the right
        keys = list(reversed(data.key_columns))
        for key in keys:
            row = data.row(key.key)
            last.append(row.last)
            this.append(row.this)
        series = QBarSeries()
        series.append(this)
        series.append(last)
        series.setLabelsVisible(True)  # each bar's value above it, in Persian digits (the chart's locale)
        series.setLabelsFormat("@value")
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsPrecision(12)
        self.chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([k.label.replace(" ", "<br>", 1) for k in keys])  # the labels are rich text
        axis_x.setTruncateLabels(False)  # a long label wraps onto two lines instead of «…»
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        axis_y = QValueAxis()
        top = max([data.row(k.key).this for k in keys] + [data.row(k.key).last for k in keys] + [1])
        axis_y.setRange(0, top * 1.45)  # room above the tallest bar for its value
        axis_y.setLabelFormat("%d")
        axis_y.setTickCount(5)
        axis_y.setLabelsVisible(False)  # each bar carries its value
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignRight)
        series.attachAxis(axis_y)
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() - 1, 7))
        axis_x.setLabelsFont(small)
        axis_y.setLabelsFont(small)
        self.chart.legend().setFont(small)
