"""A start page closed right after it was shown must not build its year summary on a deleted widget
(bug: the deferred QtCharts summary ran after the window was gone and raised in the event loop)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent

from ostandari_desk.ui.start_page import StartPage
from ostandari_desk.ui.tasks import wait_for_tasks


def test_page_deleted_before_the_summary_is_added(ctx, qtbot):
    page = StartPage(ctx)
    page.show()  # schedules the year summary for the next turn of the event loop
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.wait(100)  # the scheduled call comes due; pytest-qt fails the test on an exception
    wait_for_tasks()
