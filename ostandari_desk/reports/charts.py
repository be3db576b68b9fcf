"""Grouped bar charts for the reports (reportlab.graphics), right to left, Persian labels and digits.

Every string is shaped by :func:`persian.shape_line` and drawn in Vazirmatn; the value axis and the
bar labels print Persian digits through a ``labelTextFormat`` function. Categories run from right to
left so the first one sits where a Persian reader starts.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab import rl_config
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from ostandari_desk.domain.text import format_number
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, register_fonts
from ostandari_desk.reports.persian import shape_line

__all__ = ["LAST_COLOR", "THIS_COLOR", "grouped_bars", "speed_up_reportlab"]


def speed_up_reportlab() -> None:
    """ReportLab's documented speed switches, for the big reports.

    Attribute validation on every graphics assignment costs about half a chart's drawing time (the
    charts here are built from fixed code), and ASCII85 text encoding of the binary streams about a
    tenth of a 20-page table (binary streams are valid PDF and smaller).
    """
    rl_config.shapeChecking = 0
    rl_config.useA85 = 0


speed_up_reportlab()

LAST_COLOR = colors.HexColor("#9fb3c8")
THIS_COLOR = colors.HexColor("#1f5f99")


def _persian_number(value: float) -> str:
    return format_number(round(value)) if float(value).is_integer() else format_number(value, 1)


def _nice_step(top: float) -> float:
    """A value-axis step giving about five gridlines with round numbers."""
    if top <= 5:
        return 1
    raw = top / 5
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], colors.Color]],
    width: float,
    height: float = 210,
) -> Drawing:
    """A drawing with one group of bars per category and one bar per series, plus a legend.

    Args:
        title: the chart's Persian title (drawn centred at the top).
        categories: Persian category names in logical (reading) order.
        series: (legend label, values per category, colour) — e.g. last year then this year.
        width, height: drawing size in points.
    """
    register_fonts()
    drawing = Drawing(width, height)
    drawing.add(
        String(
            width / 2, height - 14, shape_line(title), fontName=FONT_BOLD, fontSize=11, textAnchor="middle"
        )
    )

    many = len(categories) > 6
    label_room = 58 if many else 34
    chart = VerticalBarChart()
    chart.x, chart.y = 40, label_room
    chart.width, chart.height = width - 60, height - label_room - 52
    # right to left: the first category on the right, the first series on the right of each group
    chart.data = [list(reversed(values)) for _, values, _ in reversed(series)]
    for i, (_, _, color) in enumerate(reversed(series)):
        chart.bars[i].fillColor = color
        chart.bars[i].strokeColor = None
    chart.categoryAxis.categoryNames = [shape_line(c) for c in reversed(categories)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    if many:
        chart.categoryAxis.labels.angle = 35
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dx, chart.categoryAxis.labels.dy = 4, -4
    else:
        chart.categoryAxis.labels.boxAnchor = "n"
        chart.categoryAxis.labels.dy = -4
    top = max((v for _, values, _ in series for v in values), default=0)
    step = _nice_step(top)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = max(step, (int(top / step) + 1) * step)
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = _persian_number
    chart.valueAxis.labels.dx = -3
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e7ec")
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.barLabelFormat = _persian_number
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.groupSpacing = 10 if many else 16
    chart.barSpacing = 1
    drawing.add(chart)

    legend = Legend()
    legend.x, legend.y = width - 20, height - 26
    legend.alignment = "left"  # swatch on the right, its text to the left of it
    legend.boxAnchor = "ne"
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.dxTextSpace = 6
    legend.fontName = FONT
    legend.fontSize = 8
    legend.colorNamePairs = [(color, shape_line(label)) for label, _, color in reversed(series)]
    drawing.add(legend)
    return drawing
