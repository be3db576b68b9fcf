"""A start page closed right after it was shown must not build its year summary on a deleted widget
(bug: the deferred QtCharts summary ran after the window was gone and raised in the event loop).
A county user's start page counts their county alone."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent

from ostandari_desk.ui.start_page import StartPage
from ostandari_desk.ui.tasks import wait_for_tasks


def test_page_deleted_before_the_summary_is_added(ctx, qtbot, monkeypatch):
    import shiboken6

    added: list[StartPage] = []
    original = StartPage._add_year_summary

    def spy(self) -> None:
        added.append(self)
        original(self)

    monkeypatch.setattr(StartPage, "_add_year_summary", spy)
    kept = StartPage(ctx)  # the control: a page left on screen gets its summary
    qtbot.addWidget(kept)
    kept.show()
    page = StartPage(ctx)
    page.show()  # schedules the year summary for the next turn of the event loop
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(page)  # gone before its scheduled call came due
    qtbot.waitUntil(lambda: kept.year_summary is not None, timeout=10000)
    qtbot.wait(50)  # any call still scheduled comes due; pytest-qt fails the test on an exception
    assert wait_for_tasks(10000)  # the counts and the summary's figures are in before the pages go
    assert added == [kept]  # the deleted page's call was dropped, not run on a dead widget


def test_a_county_users_tiles_count_their_county_alone(ctx, qtbot):
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.ui.context import AppContext

    from ._f2_helpers import counties, make_ngo

    for name, county in (("انجمن آبیک یک", "آبیک"), ("انجمن آبیک دو", "آبیک"), ("انجمن قزوین", "قزوین")):
        make_ngo(ctx, name, county)
    abyek = Actor(
        username="abyek", full_name="کارشناس آبیک", role=Role.COUNTY, county_id=counties(ctx)["آبیک"]
    )
    counted = {}
    for who, context in (("admin", ctx), ("county", AppContext(engine=ctx.engine, actor=abyek))):
        page = StartPage(context)
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.counts_ready, timeout=10000) as blocker:
            page.refresh()
        counted[who] = blocker.args[0].ngos_active
        assert page.tiles["ngos_active"].number_label.text().endswith(str(counted[who]).translate(_PERSIAN))
    wait_for_tasks()
    assert counted == {"admin": 3, "county": 2}


_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
