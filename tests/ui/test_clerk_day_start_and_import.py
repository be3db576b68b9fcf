"""Issue 12, the first minutes on a new desk and an import with bad rows: the start page's welcome on an
empty desk leads to the first NGO or an import, the import's summary says where the bad rows were
written, and long reasons wrap in their rows instead of ending in «…»."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from ostandari_desk.ui.tasks import wait_for_tasks

from ._f2_helpers import make_ngo

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_an_empty_desk_welcomes_the_clerk(main_window, ctx, qtbot):
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog
    from ostandari_desk.ui.start_page import WELCOME_TEXT

    start = main_window.open_area("start")
    qtbot.waitUntil(lambda: start.counts is not None)
    assert start.welcome.isVisible()
    assert start.findChild(QLabel, "welcomeLabel").text() == WELCOME_TEXT
    qtbot.waitUntil(lambda: start.year_summary is not None)
    assert not start.year_summary.isVisible()  # no empty chart on an empty desk

    first = start.welcome.findChild(QPushButton, "firstNgoButton")
    first.click()  # «ثبت نخستین سمن»: the NGO list, with the new NGO's dialog open
    ngos = main_window.page("ngos")
    assert main_window.current_area() == "ngos"
    assert isinstance(ngos.last_dialog, NgoDialog) and ngos.last_dialog.ngo_id is None
    ngos.last_dialog.close()

    main_window.open_area("start")
    excel = start.welcome.findChild(QPushButton, "importNgosButton")
    excel.click()  # «ورود سمن‌ها از اکسل…»: the import, on NGOs
    assert main_window.current_area() == "ngos"
    dialog = ngos.last_dialog
    assert type(dialog).__name__ == "ImportDialog" and dialog.kind() == "ngos"
    dialog.close()

    make_ngo(ctx, "انجمن پرستو")
    main_window.open_area("start")
    start.refresh()
    wait_for_tasks()
    qtbot.waitUntil(lambda: not start.welcome.isVisible())
    assert start.year_summary.isVisible()


def test_the_summary_says_where_the_bad_rows_went(ctx, qtbot, tmp_path):
    from ostandari_desk.services.transfer import ImportReport, RowError
    from ostandari_desk.ui.transfer.results import import_summary

    target = tmp_path / "سمن‌ها-خطا.xlsx"
    errors = [RowError(3, "نام", "خالی است"), RowError(7, "شناسه ملی", "تکراری است")]
    report = ImportReport("ngos", rows_read=10, added=8, errors=errors, bad_rows_path=target, stored=True)
    report.label = "سمن"
    text = import_summary(report)
    assert text == f"۸ سمن افزوده شد، ۲ ردیف خطا داشت و در پرونده «\u2066{target}\u2069» نوشته شد"
    refused = ImportReport("ngos", rows_read=10, errors=list(errors))
    assert import_summary(refused) == "۸ ردیف سالم بود و ۲ ردیف خطا داشت؛ هیچ چیز ذخیره نشد"


def test_long_reasons_wrap_in_their_rows(ctx, qtbot):
    from ostandari_desk.services.transfer import RowError
    from ostandari_desk.ui.transfer.dialogs import ImportDialog

    dialog = ImportDialog(ctx, None, "ngos")
    qtbot.addWidget(dialog)
    dialog.resize(760, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.error_table
    table.setVisible(True)
    long = "شناسه ملی «۱۲۳» یازده رقم نیست و رقم کنترل آن با شناسه‌های ثبت‌شده در سازمان ثبت نمی‌خواند؛ " * 3
    dialog.error_model.set_errors([RowError(2, "شناسه ملی", long), RowError(3, "نام", "خالی است")])
    qtbot.waitUntil(lambda: table.rowHeight(0) > 2 * table.fontMetrics().height())
    assert table.wordWrap() and table.textElideMode() == Qt.TextElideMode.ElideNone
    assert table.rowHeight(1) < table.rowHeight(0)  # a short reason keeps one line
    width = table.columnWidth(2)
    lines = table.rowHeight(0) // table.fontMetrics().lineSpacing()
    assert lines * width >= table.fontMetrics().horizontalAdvance(long) * 0.9  # the whole reason has room
