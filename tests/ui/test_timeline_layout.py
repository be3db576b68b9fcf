"""The licence timeline's rows are one line high once the view has its width (bug: rows filled before
the layout were wrapped at a narrow width and stayed several lines tall)."""

from __future__ import annotations

from datetime import date

from ostandari_desk.services.licences.rows import TimelineEntry
from ostandari_desk.ui.licences.timeline import TimelineView


def test_rows_shrink_to_one_line_when_the_view_is_wide(qtbot):
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(260, 300)  # filled while still narrow, as in a dialog not yet laid out
    view.show()
    qtbot.waitExposed(view)
    view.set_entries(
        [
            TimelineEntry(
                id="a",
                on_date=date(2011, 10, 21),
                kind="issue",
                label="صدور پروانه",
                detail="پروانه شماره ۲۵۷/۱۳۹۰؛ معتبر تا ۱۳۹۴/۰۷/۲۹؛ مبنای قانونی: آیین‌نامه ۱۳۸۴، ماده ۶",
                clerk="مریم رضایی",
            )
        ]
    )
    view.resize(1000, 300)
    qtbot.wait(50)
    line = view.fontMetrics().height()
    assert view.rowHeight(0) < 2 * line + 12
