"""Excel exchange dialogs: import (all or nothing, skip bad rows, dry run), export, template, the File menu."""

from __future__ import annotations

import openpyxl
import pytest
from ngo_sheets import HEADERS, good_row, write_xlsx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.services import transfer
from ostandari_desk.services.ngos import NgoFilter, count_ngos
from ostandari_desk.ui.transfer.dialogs import ExportDialog, ImportDialog, TemplateDialog
from ostandari_desk.ui.transfer.results import ERROR_HEADERS

from .test_no_latin_text import latin_texts

WAIT_MS = 60_000


def bad_file(tmp_path):
    """1,000 NGO rows, 20 of them broken in different ways; returns (path, the bad sheet row numbers)."""
    rows = [good_row(n) for n in range(1, 1001)]
    breakers = [
        lambda r, prev: r.__setitem__(0, r[0][:-1] + str((int(r[0][-1]) + 1) % 10)),  # check digit
        lambda r, prev: r.__setitem__(2, "شهرستان ناموجود"),
        lambda r, prev: r.__setitem__(3, "کشوری"),
        lambda r, prev: r.__setitem__(6, "1401/12/30"),  # not a leap year
        lambda r, prev: r.__setitem__(1, ""),
        lambda r, prev: r.__setitem__(0, prev[0]),  # the same national ID twice in the file
        lambda r, prev: r.__setitem__(8, "1234567890"),
    ]
    bad_numbers = []
    for k, index in enumerate(range(10, 1000, 50)):
        breakers[k % len(breakers)](rows[index], rows[index - 1])
        bad_numbers.append(index + 2)  # the header is row 1
    return write_xlsx(tmp_path / "سمن‌ها.xlsx", rows), bad_numbers


def ngo_total(ctx) -> int:
    return count_ngos(ctx.uow(), NgoFilter())


def make_dialog(qtbot, cls, ctx, **kwargs):
    dialog = cls(ctx, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def run(qtbot, dialog):
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.is_running() or dialog.summary_label.text()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=WAIT_MS)


def test_refused_import_lists_every_bad_row_and_stores_nothing(ctx, qtbot, tmp_path):
    path, bad_numbers = bad_file(tmp_path)
    dialog = make_dialog(qtbot, ImportDialog, ctx, kind="ngos")
    dialog.set_path(path)
    emitted = []
    dialog.imported.connect(emitted.append)
    run(qtbot, dialog)

    report = dialog.report
    assert report is not None and not report.stored
    model = dialog.error_model
    assert model.rowCount() == len(report.errors) >= 20
    assert (
        sorted({model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(model.rowCount())})
        == bad_numbers
    )
    shown_rows = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert shown_rows == {to_persian_digits(n) for n in bad_numbers}  # Persian digits: «۱۲»
    assert all(not any(c.isascii() and c.isdigit() for c in row) for row in shown_rows)
    first = model.index(0, 0)
    assert (first.data(), model.index(0, 1).data()) == ("۱۲", "شناسه ملی")
    assert "رقم کنترل" in model.index(0, 2).data()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == list(ERROR_HEADERS)
    assert dialog.error_table.isVisible()

    summary = dialog.summary_label.text()
    assert summary == "۹۸۰ ردیف سالم بود و ۲۰ ردیف خطا داشت؛ هیچ چیز ذخیره نشد"
    assert ngo_total(ctx) == 0
    assert emitted == []
    assert not dialog.open_file_button.isVisible()
    assert latin_texts(dialog) == []

    dialog.resize(900, 620)
    dialog.error_table.scrollToTop()
    shot = tmp_path / "import_refused.png"
    assert dialog.grab().save(str(shot)) and shot.stat().st_size > 0


def test_skip_bad_stores_good_rows_and_writes_the_bad_ones(ctx, qtbot, tmp_path):
    path, _bad = bad_file(tmp_path)
    dialog = make_dialog(qtbot, ImportDialog, ctx, kind="ngos")
    dialog.set_path(path)
    dialog.skip_bad_check.setChecked(True)
    opened = []

    def record_opened(p) -> bool:
        opened.append(p)
        return True  # the user agreed / the call succeeded

    dialog.open_file = record_opened
    with qtbot.waitSignal(dialog.imported, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["ngos"]
    qtbot.waitUntil(lambda: not dialog.is_running())

    assert ngo_total(ctx) == 980
    report = dialog.report
    assert report.stored and report.added == 980
    assert report.bad_rows_path is not None and report.bad_rows_path.is_file()
    assert dialog.summary_label.text() == (
        f"۹۸۰ سمن افزوده شد، ۲۰ ردیف خطا داشت و در پرونده «\u2066{report.bad_rows_path}\u2069» نوشته شد"
    )
    assert dialog.error_model.rowCount() == len(report.errors)
    assert dialog.open_file_button.isVisible()
    qtbot.mouseClick(dialog.open_file_button, Qt.MouseButton.LeftButton)
    assert opened == [report.bad_rows_path]
    sheet = openpyxl.load_workbook(report.bad_rows_path).active
    assert sheet.max_row == 21 and sheet.cell(1, len(HEADERS) + 1).value == "خطا"


def test_dry_run_stores_nothing_and_shows_warnings(ctx, qtbot, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADERS, "ستون اضافه"])
    for n in range(1, 6):
        sheet.append([*good_row(n), "x"])
    path = tmp_path / "extra.xlsx"
    book.save(path)
    dialog = make_dialog(qtbot, ImportDialog, ctx, kind="ngos")
    dialog.set_path(path)
    dialog.skip_bad_check.setChecked(True)
    dialog.dry_run_check.setChecked(True)
    assert not dialog.skip_bad_check.isEnabled()
    run(qtbot, dialog)
    assert dialog.report.dry_run and not dialog.report.stored
    assert ngo_total(ctx) == 0
    assert (
        dialog.summary_label.text() == "بررسی بدون ذخیره: ۵ ردیف سالم بود، ۵ سمن افزوده می‌شد؛ چیزی ذخیره نشد"
    )
    assert not dialog.error_table.isVisible()
    assert dialog.warning_list.isVisible() and "ستون اضافه" in dialog.warning_list.item(0).text()


def test_unreadable_file_is_said_in_the_dialog(ctx, qtbot, tmp_path):
    dialog = make_dialog(qtbot, ImportDialog, ctx, kind="ngos")
    run(qtbot, dialog)  # no file yet
    assert "پرونده را انتخاب کنید" in dialog.summary_label.text()
    dialog.set_path(tmp_path / "نیست.xlsx")
    run(qtbot, dialog)
    assert "پیدا نشد" in dialog.summary_label.text()
    headerless = tmp_path / "bad.csv"
    headerless.write_text("نام سازمان\nانجمن\n", encoding="utf-8")
    dialog.set_path(headerless)
    run(qtbot, dialog)
    assert "«شناسه ملی»" in dialog.summary_label.text()
    assert dialog.start_button.isEnabled() and dialog.close_button.isEnabled()


def test_export_writes_a_file_that_reimports_unchanged(ctx, qtbot, tmp_path):
    transfer.import_file(
        ctx.uow(), "ngos", write_xlsx(tmp_path / "in.xlsx", [good_row(n) for n in range(1, 31)])
    )
    export = make_dialog(qtbot, ExportDialog, ctx, kind="ngos")
    assert not export.options_group.isVisible()  # no NGO list filter offered
    out = tmp_path / "خروجی"
    export.set_path(out)  # no suffix: .xlsx is added
    run(qtbot, export)
    assert export.summary_label.text() == "۳۰ ردیف نوشته شد."
    assert (tmp_path / "خروجی.xlsx").is_file()
    assert export.open_file_button.isVisible()

    again = make_dialog(qtbot, ImportDialog, ctx, kind="ngos")
    again.set_path(tmp_path / "خروجی.xlsx")
    run(qtbot, again)
    report = again.report
    assert (report.added, report.unchanged, report.errors) == (0, 30, [])
    assert "این پرونده پیش‌تر وارد شده است" in again.summary_label.text()
    assert ngo_total(ctx) == 30


def test_export_may_take_the_ngo_list_filter(ctx, qtbot, tmp_path):
    transfer.import_file(
        ctx.uow(), "ngos", write_xlsx(tmp_path / "in.xlsx", [good_row(n) for n in range(1, 11)])
    )
    from ostandari_desk.services import reference

    with ctx.uow() as uow:
        abyek = next(c.id for c in reference.list_counties(uow) if c.name == "آبیک")
    dialog = make_dialog(qtbot, ExportDialog, ctx, kind="ngos", filters={"ngos": NgoFilter(county_id=abyek)})
    assert dialog.filter_check.isVisible() and dialog.filter_check.isEnabled()
    dialog.filter_check.setChecked(True)
    dialog.set_path(tmp_path / "abyek.xlsx")
    run(qtbot, dialog)
    assert dialog.summary_label.text() == "۵ ردیف نوشته شد."
    dialog.set_kind("letters")
    assert not dialog.filter_check.isEnabled() and not dialog.filter_check.isChecked()


def test_a_county_user_imports_and_exports_only_their_county(ctx, qtbot, tmp_path):
    """The dialogs act for the signed-in user: another county's row is a row error, the export is scoped."""
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.services import reference
    from ostandari_desk.ui.context import AppContext

    with ctx.uow() as uow:
        abyek = next(c.id for c in reference.list_counties(uow) if c.name == "آبیک")
    county_user = Actor(username="abyek", full_name="کارشناس آبیک", role=Role.COUNTY, county_id=abyek)
    county_ctx = AppContext(engine=ctx.engine, actor=county_user, db_path=None)
    path = write_xlsx(tmp_path / "in.xlsx", [good_row(n) for n in range(1, 5)])  # آبیک, البرز, ...

    dialog = make_dialog(qtbot, ImportDialog, county_ctx, kind="ngos")
    dialog.set_path(path)
    dialog.skip_bad_check.setChecked(True)
    run(qtbot, dialog)
    report = dialog.report
    assert report.stored and report.added == 2
    model = dialog.error_model
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["شهرستان", "شهرستان"]
    assert {model.index(r, 0).data() for r in range(model.rowCount())} == {"۳", "۵"}

    transfer.import_file(ctx.uow(), "ngos", path, skip_bad=True)  # the admin stores the other two
    export = make_dialog(qtbot, ExportDialog, county_ctx, kind="ngos")
    export.set_path(tmp_path / "out.xlsx")
    run(qtbot, export)
    assert export.summary_label.text() == "۲ ردیف نوشته شد."


def test_template_dialog_writes_the_headers(ctx, qtbot, tmp_path):
    dialog = make_dialog(qtbot, TemplateDialog, ctx, kind="ngos")
    assert latin_texts(dialog) == []
    dialog.set_path(tmp_path / "قالب.xlsx")
    run(qtbot, dialog)
    book = openpyxl.load_workbook(tmp_path / "قالب.xlsx")
    assert [c.value for c in next(book.active.iter_rows(max_row=1))] == HEADERS
    assert dialog.result_path == tmp_path / "قالب.xlsx"


def test_kinds_come_from_the_registry_in_persian(ctx, qtbot):
    dialog = make_dialog(qtbot, ImportDialog, ctx)
    items = [
        (dialog.kind_combo.itemData(i), dialog.kind_combo.itemText(i))
        for i in range(dialog.kind_combo.count())
    ]
    assert items == [(name, spec.title) for name, spec in transfer.KINDS.items()]
    assert ("ngos", "سمن‌ها") in items and ("licences", "پروانه‌ها") in items
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert not dialog.cancel_button.isVisible() and not dialog.progress_bar.isVisible()
    assert latin_texts(dialog) == []


@pytest.mark.parametrize("which", ["import", "export", "template"])
def test_dialogs_are_persian_and_keyboard_reachable(ctx, qtbot, which):
    cls = {"import": ImportDialog, "export": ExportDialog, "template": TemplateDialog}[which]
    dialog = make_dialog(qtbot, cls, ctx, kind="ngos")
    assert latin_texts(dialog) == []
    dialog.activateWindow()
    seen = set()
    for _ in range(20):  # Tab walks through the controls the clerk needs
        focus = dialog.focusWidget()
        if focus is not None:
            seen.add(focus.objectName())
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Tab)
    assert {"kindCombo", "fileEdit", "browseButton", "startButton"} <= seen


def test_file_menu_opens_the_dialogs_and_an_import_refreshes_the_ngo_list(main_window, qtbot, tmp_path):
    file_menu = next(a.menu() for a in main_window.menuBar().actions() if a.text() == "پرونده")
    assert isinstance(file_menu, QMenu)
    texts = [a.text() for a in file_menu.actions()]
    assert "ورود و خروج اطلاعات" in texts
    actions = main_window.transfer_actions
    assert actions["import"].text() == "ورود از اکسل…" and actions["import"].shortcut().toString() == "Ctrl+I"
    assert actions["export"].text() == "خروج به اکسل…" and actions["export"].shortcut().toString() == "Ctrl+E"
    assert actions["template"].text() == "دریافت قالب خالی…"
    assert texts.index("ورود از اکسل…") < texts.index("خروج")

    page = main_window.open_area("ngos")
    assert page.model.total == 0
    actions["import"].trigger()
    dialog = main_window.findChild(ImportDialog)
    assert dialog is not None and dialog.kind() == "ngos"  # the kind of the area on screen
    dialog.set_path(write_xlsx(tmp_path / "five.xlsx", [good_row(n) for n in range(1, 6)]))
    run(qtbot, dialog)
    qtbot.waitUntil(lambda: page.model.total == 5)
    dialog.close()

    page.search_edit.setText("شماره")
    qtbot.waitUntil(lambda: page.current_filter().text == "شماره")
    actions["export"].trigger()
    export = next(d for d in main_window.findChildren(ExportDialog) if d.isVisible())
    assert export.filter_check.isEnabled() and export.filters["ngos"].text == "شماره"
    export.close()


def test_cancel_stores_nothing_and_frees_the_dialog(ctx, qtbot, tmp_path):
    path = write_xlsx(tmp_path / "many.xlsx", [good_row(n) for n in range(1, 1201)])
    dialog = make_dialog(qtbot, ImportDialog, ctx, kind="ngos")
    dialog.set_path(path)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.is_running() and dialog.cancel_button.isVisible()
    assert not dialog.close_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc while running cancels instead of leaving
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=WAIT_MS)
    assert dialog.summary_label.text() == "کار لغو شد؛ چیزی ذخیره نشد."
    assert ngo_total(ctx) == 0
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isVisible()


def _memo_sheet(path, kind, rows):
    transfer.template(kind, path)
    book = openpyxl.load_workbook(path)
    for row in rows:
        book.worksheets[0].append(row)
    book.save(path)
    return path


def test_dialogs_offer_and_carry_the_memoranda_sheets(ctx, qtbot, tmp_path):
    """Offices, memoranda, progress and payments: offered in Persian; a payment the release rule refuses is
    listed with its row, column and rule; the export and the template write the sheets' headers."""
    from ostandari_desk.ui.transfer.menu import AFFECTED_PAGES, AREA_KINDS

    dialog = make_dialog(qtbot, ImportDialog, ctx)
    items = [
        (dialog.kind_combo.itemData(i), dialog.kind_combo.itemText(i))
        for i in range(dialog.kind_combo.count())
    ]
    for pair in (
        ("memoranda", "تفاهم‌نامه‌ها"),
        ("progress", "گزارش‌های پیشرفت"),
        ("payments", "پرداخت‌ها"),
        ("offices", "دفاتر تسهیلگری"),
    ):
        assert pair in items
    assert AREA_KINDS["facilitation"] == "offices" and "memoranda" in AFFECTED_PAGES["payments"]

    sheets = {
        "offices": [["دفتر تسهیلگری پونک", "قزوین", "پونک", "", "", "", ""]],
        "memoranda": [
            ["ت-1", "کاهش اعتیاد", "فرمانداری", "قزوین", "", "دفتر تسهیلگری پونک", "1000", "1403/01/15"]
        ],
        "progress": [["ت-1", "1403/02/01", 20, ""]],
        "payments": [["ت-1", "1403/01/20", 1, 500], ["ت-1", "1403/02/02", 2, 100]],
    }
    for kind, rows in sheets.items():
        dialog = make_dialog(qtbot, ImportDialog, ctx, kind=kind)
        assert dialog.kind() == kind
        dialog.set_path(_memo_sheet(tmp_path / f"{kind}.xlsx", kind, rows))
        run(qtbot, dialog)
        if kind != "payments":
            assert dialog.report.stored and dialog.report.added == len(rows), (kind, dialog.report.errors)
    assert not dialog.report.stored
    model = dialog.error_model
    assert [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())] == [
        ("۳", "تاریخ پرداخت")
    ]
    assert "قاعده پرداخت" in model.index(0, 2).data()
    assert dialog.summary_label.text().endswith("هیچ چیز ذخیره نشد")

    export = make_dialog(qtbot, ExportDialog, ctx, kind="memoranda")
    export.set_path(tmp_path / "out.xlsx")
    run(qtbot, export)
    assert export.summary_label.text() == "۱ ردیف نوشته شد."
    template = make_dialog(qtbot, TemplateDialog, ctx, kind="payments")
    assert latin_texts(template) == []
    template.set_path(tmp_path / "قالب پرداخت.xlsx")
    run(qtbot, template)
    book = openpyxl.load_workbook(tmp_path / "قالب پرداخت.xlsx")
    assert [c.value for c in next(book.active.iter_rows(max_row=1))] == transfer.kind_of("payments").headers
