"""Issue 3, «Done when», through the GUI: a manager opens the reports area, generates the annual comparison
of 1401 for the seeds' Qazvin year in the worker, previews it, saves it («ذخیره», file dialog patched)
and prints it (print dialog patched to accept, the QPrinter writing a PDF into tmp_path). Also: the
NGO's file shows its events and letters («رویدادها و مکاتبات» in the NGO view).

The Qazvin year is entered as data by ``tests/services/seed_data.qazvin_seed`` (licence steps, events
and letters on their Jalali days, in three counties and the province).
"""

from __future__ import annotations

import pdfplumber
import pytest
from PySide6.QtCore import Qt
from reports.pdftext import assert_pdf_has, pdf_lines

from ._f2_helpers import make_ngo
from .test_no_latin_text import latin_texts

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

# indicator, unit, last year, this year, ratio — one row of the report's table each
ISSUED = "صدور پروانه فعالیت مورد ۵ ۱۲ ۲٫۴ برابر"
APPROVALS = "موافقت با تأسیس و تمدید مورد ۸ ۳۲ ۴ برابر"
EVENTS = "همایش‌ها، نشست‌ها و دوره‌های آموزشی مورد ۵ ۱۲ ۲٫۴ برابر"
TITLE = "گزارش مقایسه‌ای عملکرد سال ۱۴۰۱ نسبت به ۱۴۰۰"


@pytest.fixture
def seeded(ctx):
    from services.seed_data import Activity, qazvin_seed

    from ostandari_desk.services import reference

    counties = {c.name: c.id for c in reference.list_counties(ctx.uow())}
    qazvin_seed(Activity(ctx.engine), counties)
    return ctx


@pytest.fixture
def window(seeded, main_window):
    """The main window on the seeded database (seeded before the window opens)."""
    return main_window


@pytest.fixture
def shown_errors(monkeypatch):
    from ostandari_desk.ui import errors as ui_errors

    shown: list[str] = []
    monkeypatch.setattr(ui_errors, "show_user_error", lambda _p, exc, title="خطا": shown.append(exc.message))
    monkeypatch.setattr(ui_errors, "show_error", lambda _p, error: shown.append(repr(error)))
    return shown


def test_manager_generates_previews_saves_and_prints_the_annual_comparison(
    window, qtbot, tmp_path, monkeypatch, shown_errors
):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from ostandari_desk.ui.reports import ReportsPage
    from ostandari_desk.ui.reports import page as page_module

    # The reports area, the annual comparison, 1401, the whole province: generated in the worker.
    page = window.open_area("reports")
    assert isinstance(page, ReportsPage) and window.current_area() == "reports"
    page.report_list.setCurrentRow(0)
    assert page.current_kind() == "annual"
    page.year_spin.setValue(1401)
    assert page.year_spin.text() == "۱۴۰۱"
    assert page.county_combo.currentText() == "کل استان"
    assert not page.save_button.isEnabled() and not page.print_button.isEnabled()
    pages: list[int] = []
    page.generated.connect(pages.append)
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    assert page.is_busy() or pages  # the work went to a pool thread
    qtbot.waitUntil(lambda: bool(pages) and not page.is_busy(), timeout=30000)

    # The preview shows every page.
    assert pages[0] >= 2
    assert page.preview.page_count() == pages[0]
    assert page.save_button.isEnabled() and page.print_button.isEnabled()
    assert "آماده" in page.status.text()

    # «ذخیره» asks where (the file dialog, patched) and writes the PDF there.
    target = tmp_path / "گزارش سالانه ۱۴۰۱.pdf"
    asked: list[str] = []

    def fake_save_dialog(_parent, caption, suggested, _filter):
        asked.append(suggested)
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(page_module.QFileDialog, "getSaveFileName", staticmethod(fake_save_dialog))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert asked == ["گزارش-سالانه-1401.pdf"]
    assert target.read_bytes() == page.pdf_bytes() and target.stat().st_size > 0
    assert "ذخیره شد" in page.status.text()

    # What a Persian reader finds in the saved paper: 12 against 5 licences (2.4×), 32 against 8
    # approvals (4×), 12 against 5 events (2.4×).
    assert_pdf_has(target, TITLE, "کل استان", "سال قبل (۱۴۰۰)", "سال جاری (۱۴۰۱)", ISSUED, APPROVALS, EVENTS)
    lines = pdf_lines(target)
    assert sum(ISSUED in line for line in lines) == 1

    # «چاپ»: Qt's print dialog (patched to accept) then the QPrinter, set to write a PDF file.
    printed = tmp_path / "چاپ.pdf"
    dialogs: list[QPrintDialog] = []

    def accept_print_dialog(dialog):
        dialogs.append(dialog)
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        # The printer keeps its own HighResolution (1200 dpi for a PDF file): print_pdf must cap
        # the rendering (it once rasterized each A4 page to ~9600×13700 pixels: 19 s and 2 GB).
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept_print_dialog)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert len(dialogs) == 1 and dialogs[0].windowTitle() == "چاپ گزارش"
    assert printed.exists() and printed.stat().st_size > 0
    assert printed.read_bytes().startswith(b"%PDF")
    with pdfplumber.open(printed) as paper:
        assert len(paper.pages) == pages[0]
        drawn = paper.pages[0].images  # the rendered page went onto the paper, at about 300 dpi
        assert drawn and int(drawn[0]["srcsize"][0]) <= 2600
    assert "صفحه به چاپگر فرستاده شد" in page.status.text()
    assert page.status.text().startswith(_persian(pages[0]))

    assert shown_errors == []


def _persian(n: int) -> str:
    from ostandari_desk.domain.text import to_persian_digits

    return to_persian_digits(n)


def test_the_ngo_view_shows_its_events_and_letters(ctx, qtbot, shown_errors):
    from ostandari_desk.domain.jalali import from_jalali
    from ostandari_desk.services import events as ev
    from ostandari_desk.services import letters as lt
    from ostandari_desk.services import reference
    from ostandari_desk.ui.ngos import NgoListPage
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    counties = {c.name: c.id for c in reference.list_counties(ctx.uow())}
    ngo_id = make_ngo(ctx, "انجمن پرستوهای علی‌آباد")
    other = make_ngo(ctx, "کانون دیگر")
    ev.create_event(
        ctx.uow(),
        ev.EventInput(
            kind="course",
            title="دوره آموزشی مددکاری",
            starts_on=from_jalali(1401, 6, 9),
            ends_on=from_jalali(1401, 6, 10),
            county_id=counties["قزوین"],
            organizer_ngo_id=ngo_id,
            attendees=25,
            training_hours=12,
        ),
    )
    ev.create_event(
        ctx.uow(),
        ev.EventInput(
            kind="conference",
            title="همایش سمن‌های استان",
            starts_on=from_jalali(1401, 2, 3),
            ngo_ids=(ngo_id, other),
        ),
    )
    ev.create_event(  # not this NGO's
        ctx.uow(),
        ev.EventInput(kind="session", title="نشست دیگران", starts_on=from_jalali(1401, 3, 1)),
    )
    lt.create_letter(
        ctx.uow(),
        lt.LetterInput(
            "outgoing",
            "1401-245",
            from_jalali(1401, 7, 1),
            "فرمانداری قزوین",
            "حمایت از طرح",
            "support",
            ngo_id=ngo_id,
        ),
    )
    lt.create_letter(
        ctx.uow(),
        lt.LetterInput(
            "incoming", "88/12", from_jalali(1401, 1, 20), "انجمن", "درخواست جلسه", "other", ngo_id=ngo_id
        ),
    )
    lt.create_letter(  # not this NGO's
        ctx.uow(),
        lt.LetterInput(
            "outgoing", "99", from_jalali(1401, 1, 21), "اداره", "موضوع دیگر", "other", ngo_id=other
        ),
    )

    # The clerk opens the NGO from the list («نمایش») and goes to the tab.
    page = NgoListPage(ctx)
    qtbot.addWidget(page)
    assert page.select_ngo(ngo_id)
    qtbot.mouseClick(page.view_button, Qt.MouseButton.LeftButton)
    view = page.last_dialog
    assert isinstance(view, NgoView) and view.ngo_id == ngo_id
    titles = [view.tabs.tabText(i) for i in range(view.tabs.count())]
    assert titles == ["مشخصات", "پروانه و سابقه", "رویدادها و مکاتبات", "سابقه تغییرات"]
    view.show_activity_tab()
    tab = view.activity_tab
    assert view.tabs.currentWidget() is tab and tab.isRightToLeft()

    # events, oldest first, with the NGO's role; Jalali dates in Persian digits
    assert tab.event_titles() == ["همایش سمن‌های استان", "دوره آموزشی مددکاری"]
    assert tab.events_label.text() == "رویدادها (۲):"
    events = tab.events_table
    assert events.item(0, 0).text() == "۱۴۰۱/۰۲/۰۳"
    assert events.item(1, 0).text() == "۱۴۰۱/۰۶/۰۹ تا ۱۴۰۱/۰۶/۱۰"
    assert [events.item(r, 1).text() for r in range(2)] == ["همایش", "دوره آموزشی"]
    assert [events.item(r, 3).text() for r in range(2)] == ["استان", "قزوین"]
    assert [events.item(r, 4).text() for r in range(2)] == ["شرکت‌کننده", "برگزارکننده"]

    # letters, oldest first; numbers in Persian digits
    assert tab.letter_subjects() == ["درخواست جلسه", "حمایت از طرح"]
    assert tab.letters_label.text() == "مکاتبات (۲):"
    letters = tab.letters_table
    assert letters.item(0, 0).text() == "۱۴۰۱/۰۱/۲۰"
    assert letters.item(0, 1).text() == "۸۸/۱۲"
    assert "۱۴۰۱-۲۴۵" in letters.item(1, 1).text()
    assert [letters.item(r, 2).text() for r in range(2)] == ["وارده", "صادره"]
    assert [letters.item(r, 3).text() for r in range(2)] == ["سایر", "هماهنگی و حمایتی"]
    headers = [letters.horizontalHeaderItem(c).text() for c in range(letters.columnCount())]
    assert headers == ["تاریخ", "شماره", "وارده/صادره", "نوع", "طرف مکاتبه", "موضوع"]

    assert latin_texts(view) == []

    # The other NGO's view shows only its own.
    view.reject()
    other_view = NgoView(ctx, other, page)
    qtbot.addWidget(other_view)
    assert other_view.activity_tab.event_titles() == ["همایش سمن‌های استان"]
    assert other_view.activity_tab.letter_subjects() == ["موضوع دیگر"]
    assert shown_errors == []
