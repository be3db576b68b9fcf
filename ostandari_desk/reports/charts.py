"""Grouped bar charts for the reports (reportlab.graphics), right to left, Persian labels and digits.

Every string is shaped by :func:`persian.shape_line` for the font it is drawn in (Vazirmatn); the value
axis and the bar labels print Persian digits through a ``labelTextFormat`` function. Categories run from
right to left so the first one sits where a Persian reader starts, and the value axis stands on the right.

Nothing crosses a label: the value axis' ticks point away from their labels, the bar labels sit on a
white ground above the light gridlines, the top gridline leaves room for the tallest bar's label, and bar
labels wider than their bars are left out (the tables print the figures). Counts get whole
steps only («۲٫۵» is no count).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab import rl_config
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib import colors

from ostandari_desk.domain.text import format_number
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, register_fonts
from ostandari_desk.reports.persian import shape_line, text_width

__all__ = ["LAST_COLOR", "THIS_COLOR", "grouped_bars", "nice_step", "side_by_side", "speed_up_reportlab"]


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
GRID_COLOR = colors.HexColor("#e3e7ec")

TITLE_SIZE = 10.5
AXIS_SIZE = 7.5
BAR_LABEL_SIZE = 6.5
LEGEND_SIZE = 8
TICK = 3  # the value axis' ticks, pointing into the plot, away from their labels
LABEL_GAP = 4  # between the value axis and its labels
ANGLE = 35  # category names too long to stand level lean by this much


def _persian_number(value: float) -> str:
    return format_number(round(value)) if float(value).is_integer() else format_number(value, 1)


def nice_step(top: float, whole: bool = True) -> float:
    """A value-axis step giving about five gridlines with round numbers; a whole number for counts."""
    if top <= 5:
        return 1
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if raw <= step and (not whole or float(step).is_integer()):
            return step
    return 10 * magnitude


def _axis_top(top: float, step: float, plot_height: float) -> float:
    """The value axis' top: a whole number of steps, leaving room above the tallest bar for its label."""
    room = BAR_LABEL_SIZE + 6  # points above a bar for its label and its white ground
    value_max = max(step, math.ceil(top / step) * step)
    while top and (value_max - top) / value_max * plot_height < room:
        value_max += step
    return value_max


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
        categories: Persian category names in logical (reading) order: the first is drawn on the right.
        series: (legend label, values per category, colour) — e.g. last year then this year.
        width, height: drawing size in points.
    """
    register_fonts()
    drawing = Drawing(width, height)
    drawing.add(
        String(
            width / 2,
            height - TITLE_SIZE - 2,
            shape_line(title, FONT_BOLD),
            fontName=FONT_BOLD,
            fontSize=TITLE_SIZE,
            textAnchor="middle",
        )
    )

    top = max((v for _, values, _ in series for v in values), default=0)
    step = nice_step(top)
    widest_value = text_width(_persian_number(max(top, step) * 2), FONT, AXIS_SIZE)
    angled = any(
        text_width(c, FONT, AXIS_SIZE) > (width - 40) / max(len(categories), 1) - 4 for c in categories
    )
    label_room = (
        10 + max((text_width(c, FONT, AXIS_SIZE) for c in categories), default=0) * 0.6 if angled else 18
    )
    legend_room = 16

    chart = VerticalBarChart()
    right = widest_value + LABEL_GAP + 6  # the value axis' labels, outside the plot on the right
    chart.x, chart.y = 8, label_room
    if angled and categories:  # the last (leftmost) name leans left of its group: keep it in the drawing
        lean = text_width(categories[-1], FONT, AXIS_SIZE) * math.cos(math.radians(ANGLE)) + 4
        group = (width - chart.x - right) / len(categories)
        chart.x = max(chart.x, lean - group / 2)
    chart.width = width - chart.x - right
    chart.height = height - label_room - TITLE_SIZE - 8 - legend_room
    # right to left: the first category on the right, the first series on the right of each group
    chart.data = [list(reversed(values)) for _, values, _ in reversed(series)]
    for i, (_, _, color) in enumerate(reversed(series)):
        chart.bars[i].fillColor = color
        chart.bars[i].strokeColor = None
    chart.groupSpacing = 10 if len(categories) > 6 else 16
    chart.barSpacing = 1

    names = chart.categoryAxis
    names.categoryNames = [shape_line(c, FONT) for c in reversed(categories)]
    names.labels.fontName = FONT
    names.labels.fontSize = AXIS_SIZE
    names.tickDown = 0
    if angled:
        names.labels.angle = ANGLE
        names.labels.boxAnchor = "ne"
        names.labels.dx, names.labels.dy = 4, -4
    else:
        names.labels.boxAnchor = "n"
        names.labels.dy = -4

    values_axis = chart.valueAxis
    values_axis.valueMin = 0
    values_axis.valueStep = step
    values_axis.valueMax = _axis_top(top, step, chart.height)
    values_axis.joinAxis = names
    values_axis.joinAxisMode = "right"
    values_axis.tickLeft, values_axis.tickRight = TICK, 0  # into the plot: the labels are outside, right
    values_axis.labels.boxAnchor = "w"
    values_axis.labels.dx = LABEL_GAP
    values_axis.labels.fontName = FONT
    values_axis.labels.fontSize = AXIS_SIZE
    values_axis.labelTextFormat = _persian_number
    values_axis.visibleGrid = True
    values_axis.gridStrokeColor = GRID_COLOR
    values_axis.gridStrokeWidth = 0.4

    # the bars' width as the chart will lay them out (a group: its spacing, the bars and the gaps between)
    per_group = chart.groupSpacing + len(series) * chart.barWidth + (len(series) - 1) * chart.barSpacing
    bar_width = chart.width / max(len(categories), 1) * chart.barWidth / per_group
    widest_bar_label = max(
        (text_width(_persian_number(v), FONT, BAR_LABEL_SIZE) for _, vs, _ in series for v in vs), default=0
    )
    if widest_bar_label + 1 <= bar_width:  # labels side by side, never over each other
        chart.barLabelFormat = _persian_number
        chart.barLabels.fontName = FONT
        chart.barLabels.fontSize = BAR_LABEL_SIZE
        chart.barLabels.nudge = 5
        chart.barLabels.boxFillColor = colors.white  # the gridlines pass behind it, never through it
        chart.barLabels.leftPadding = chart.barLabels.rightPadding = 0.5
    drawing.add(chart)

    legend = Legend()
    legend.x, legend.y = chart.x + chart.width, height - TITLE_SIZE - 10
    legend.alignment = "left"  # swatch on the right, its text to the left of it
    legend.boxAnchor = "ne"
    legend.columnMaximum = 1
    legend.deltax = max(text_width(label, FONT, LEGEND_SIZE) for label, _, _ in series) + 26
    legend.dxTextSpace = 4
    legend.dx = legend.dy = 7
    legend.fontName = FONT
    legend.fontSize = LEGEND_SIZE
    # the first series on the right, as in each group of bars
    legend.colorNamePairs = [(color, shape_line(label, FONT)) for label, _, color in reversed(series)]
    drawing.add(legend)
    return drawing


def side_by_side(drawings: Sequence[Drawing], width: float, gap: float = 12) -> Drawing:
    """Charts in one row, right to left (the first on the right), in one drawing ``width`` wide."""
    height = max(d.height for d in drawings)
    row = Drawing(width, height)
    x = width
    for d in drawings:
        x -= d.width
        row.add(Group(*d.contents, transform=(1, 0, 0, 1, x, height - d.height)))
        x -= gap
    return row
