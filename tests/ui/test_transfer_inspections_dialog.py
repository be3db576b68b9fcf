"""The import/export dialogs offer «مراکز» and «بازدیدها»: a centres sheet with a bad row (skip-bad), then
its visits, then the visits' export."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt

from ostandari_desk.services import transfer
from ostandari_desk.ui.transfer.dialogs import ExportDialog, ImportDialog, kind_choices
from ostandari_desk.ui.transfer.menu import AFFECTED_PAGES

WAIT_MS = 60_000


def make_dialog(qtbot, cls, ctx, **kwargs):
    dialog = cls(ctx, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def run(qtbot, dialog):
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=WAIT_MS)


def write_sheet(path, kind, rows):
    transfer.template(kind, path)
    book = openpyxl.load_workbook(path)
    for row in rows:
        book.worksheets[0].append(row)
    book.save(path)
    return path


def test_dialogs_import_and_export_centres_and_visits(ctx, qtbot, tmp_path):
    assert ("centres", "مراکز") in kind_choices() and ("inspections", "بازدیدها") in kind_choices()
    assert AFFECTED_PAGES["inspections"][0] == "centres"

    centres = write_sheet(
        tmp_path / "c.xlsx",
        "centres",
        [
            ["KSH-1", "کشتارگاه آبیک", "کشتارگاه", "آبیک", "", "", "", "", "", ""],
            ["KSH-2", "کشتارگاه دوم", "کارخانه", "آبیک", "", "", "", "", "", ""],
        ],
    )
    dialog = make_dialog(qtbot, ImportDialog, ctx, kind="centres")
    assert dialog.kind_combo.currentText() == "مراکز"
    dialog.set_path(centres)
    dialog.skip_bad_check.setChecked(True)
    run(qtbot, dialog)
    assert dialog.report.stored and dialog.report.added == 1
    model = dialog.error_model
    assert [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())] == [
        ("۳", "نوع مرکز")
    ]

    visits = write_sheet(
        tmp_path / "v.xlsx",
        "inspections",
        [["KSH-1", "1403/05/10", "10:00", "سرزده", "", "مطلوب", 90, "", "", "", ""]],
    )
    dialog = make_dialog(qtbot, ImportDialog, ctx, kind="inspections")
    dialog.set_path(visits)
    run(qtbot, dialog)
    assert dialog.report.stored and dialog.report.added == 1

    export = make_dialog(qtbot, ExportDialog, ctx, kind="inspections")
    export.set_path(tmp_path / "out.xlsx")
    run(qtbot, export)
    assert export.summary_label.text() == "۱ ردیف نوشته شد."
