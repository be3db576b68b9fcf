"""The start page shows its indexed counts first and the slower figures after them; the year summary's chart
carries each bar's value in Persian digits and keeps its category names whole."""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest
from PySide6.QtCore import QLocale

from ostandari_desk.ui.start_page import TILES, StartPage
from ostandari_desk.ui.tasks import wait_for_tasks

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_the_counts_show_before_the_slow_figures_are_read(ctx, qtbot, monkeypatch):
    from ostandari_desk.services.inspections import grid

    release = threading.Event()
    original = grid.inspection_summary

    def slow_summary(uow, today):
        assert release.wait(10), "the test never released the inspection figures"
        return original(uow, today)

    monkeypatch.setattr(grid, "inspection_summary", slow_summary)
    page = StartPage(ctx)
    qtbot.addWidget(page)
    page.show()
    try:
        qtbot.waitUntil(lambda: page.counts is not None, timeout=5000)
        assert all(not page.tiles[t.key].number_label.text().endswith("…") for t in TILES)
        assert page.inspections is None and page.year_summary is None  # still waiting, after the counts
        assert page.tiles["overdue_actions"].number_label.text().endswith("…")
    finally:
        release.set()
    qtbot.waitUntil(lambda: page.inspections is not None and page.memoranda is not None, timeout=5000)
    qtbot.waitUntil(lambda: page.year_summary is not None, timeout=5000)  # the chart comes last
    qtbot.waitUntil(lambda: page.year_summary.data is not None, timeout=10000)
    wait_for_tasks()


def test_the_year_chart_shows_values_and_whole_labels(ctx, qtbot):
    from PySide6.QtCharts import QBarCategoryAxis, QBarSeries

    from ostandari_desk.ui.reports.year_summary import YearSummaryWidget

    widget = YearSummaryWidget(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.data is not None, timeout=10000)
    (series,) = widget.chart.series()
    assert isinstance(series, QBarSeries)
    assert series.isLabelsVisible() and "@value" in series.labelsFormat()
    assert series.labelsPosition() == QBarSeries.LabelsPosition.LabelsOutsideEnd
    # the values take their digits from the chart's locale, set before the series were drawn
    assert widget.chart.localizeNumbers() and widget.chart.locale().language() == QLocale.Language.Persian
    assert all(bar_set.labelColor().lightness() < 80 for bar_set in series.barSets())  # dark, on white
    (axis,) = [a for a in widget.chart.axes() if isinstance(a, QBarCategoryAxis)]
    assert not axis.truncateLabels()
    labels = axis.categories()
    assert len(labels) == 4 and all("…" not in label and "..." not in label for label in labels)
    assert any("<br>" in label for label in labels)  # two-word names wrap onto two lines


def test_a_short_window_scrolls_the_page_instead_of_squeezing_its_tiles(main_window, qtbot):
    """At 1280×720 the demo desk's tile rows touched (no gap between them): a page taller than its window
    scrolls instead (this desk's page is shorter than the demo's: a shorter window)."""
    from PySide6.QtWidgets import QGridLayout

    main_window.resize(1280, 600)
    page = main_window.page("start")
    qtbot.waitUntil(lambda: page.year_summary is not None, timeout=10000)  # the chart below the tiles
    qtbot.waitUntil(lambda: page.year_summary.data is not None, timeout=10000)
    qtbot.wait(50)  # the layout settles
    assert page.height() < page.ui.minimumSizeHint().height()  # the page is shorter than its contents
    grid = page.ui.findChild(QGridLayout, "tilesGrid")
    rows = sorted({(b.geometry().top(), b.geometry().bottom()) for b in page.tiles.values()})
    assert len(rows) >= 3
    for (_top, bottom), (next_top, _bottom) in pairwise(rows):
        assert next_top - bottom > grid.verticalSpacing() // 2, rows
    assert all(b.height() >= b.minimumHeight() for b in page.tiles.values())
    wait_for_tasks()
