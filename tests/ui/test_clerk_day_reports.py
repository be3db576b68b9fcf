"""Issue 12, the reports page: the preview fits its pane and zooms, switching the report type clears the
old report (preview, «گزارش آماده است», Save and Print), and the certificate starts on a valid licence."""

from __future__ import annotations

import datetime as dt

import pytest

from ._f2_helpers import make_ngo

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


def licensed(ctx, name: str, number: str, suspended: bool = False) -> str:
    """An NGO with a licence from the imported history (suspended when asked)."""
    from ostandari_desk.services.licences import apply_licence_step

    ngo_id = make_ngo(ctx, name)
    issued = dt.date.today() - dt.timedelta(days=100)
    uow = ctx.uow()
    with uow.writing():
        apply_licence_step(
            uow, ngo_id, "issue", issued, licence_number=number, validity_years=4, imported=True
        )
        if suspended:
            apply_licence_step(
                uow, ngo_id, "suspension", issued + dt.timedelta(days=10), letter_no="۱۲", imported=True
            )
        uow.commit()
    return ngo_id


@pytest.fixture
def page(ctx, qtbot):
    from ostandari_desk.ui.reports import ReportsPage

    make_ngo(ctx, "انجمن پرستو")
    make_ngo(ctx, "کانون چکاوک")
    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def make_register(page, qtbot) -> int:
    page.apply_filter({"report": "register"})
    with qtbot.waitSignal(page.generated, timeout=20000) as blocker:
        page.generate_button.click()
    qtbot.waitUntil(lambda: page.preview.page_count() == blocker.args[0])
    return blocker.args[0]


def page_widths(preview) -> list[int]:
    return [label.pixmap().width() for label in preview.findChildren(type(preview._empty), "previewPage")]


def test_the_preview_fits_its_pane_and_zooms(page, qtbot):
    preview, bar = page.preview, page.zoom_bar
    assert make_register(page, qtbot) >= 1
    assert preview.zoom is None and bar.fit_button.isChecked()  # fitted by default
    viewport = preview.viewport().width()
    assert all(width <= viewport for width in page_widths(preview))  # never wider than its pane
    assert not preview.horizontalScrollBar().isVisible()
    shown = bar.scale_label.text()
    assert shown.endswith("٪") and set(shown[:-1]) <= PERSIAN_DIGITS

    fitted = page_widths(preview)[0]
    bar.in_button.click()
    assert preview.zoom is not None and not bar.fit_button.isChecked()
    assert page_widths(preview)[0] > fitted and bar.scale_label.text() != shown
    bar.out_button.click()
    bar.out_button.click()
    assert page_widths(preview)[0] < fitted
    bar.fit_button.click()
    assert preview.zoom is None and page_widths(preview)[0] == fitted

    page.resize(820, 700)  # a narrower pane: the page follows it
    qtbot.waitUntil(lambda: page_widths(preview)[0] < fitted)
    assert all(width <= preview.viewport().width() for width in page_widths(preview))


def test_switching_the_report_type_clears_the_old_report(page, qtbot):
    make_register(page, qtbot)
    assert page.save_button.isEnabled() and page.print_button.isEnabled() and "آماده" in page.status.text()
    page.report_list.setCurrentRow(page.offered_reports().index("expiring"))
    assert page.preview.page_count() == 0 and page.pdf_bytes() == b""
    assert not page.save_button.isEnabled() and not page.print_button.isEnabled()
    assert "آماده" not in page.status.text()


def test_a_report_made_for_the_previous_choice_is_not_shown(page, qtbot):
    from ostandari_desk.ui.tasks import wait_for_tasks

    page.apply_filter({"report": "register"})
    page.generate()
    page.report_list.setCurrentRow(page.offered_reports().index("expiring"))  # before it is done
    assert wait_for_tasks(20000)
    assert page.preview.page_count() == 0 and page.pdf_bytes() == b""
    assert not page.save_button.isEnabled() and page.generate_button.isEnabled()


def test_the_certificate_starts_on_an_ngo_with_a_valid_licence(ctx, page):
    from ostandari_desk.services.ngos import get_ngo

    suspended = licensed(ctx, "انجمن الف", "۱۰", suspended=True)  # first by name
    valid = licensed(ctx, "انجمن ب", "۱۱")
    assert get_ngo(ctx.uow(), suspended).licence_state == "suspended"
    page.apply_filter({"report": "certificate"})
    picker = page.inputs["ngo_id"]
    picker.refresh()  # the NGOs made after the page was built
    assert page.ngo_combo.currentData() == valid
    assert page.ngo_combo.itemData(0) != valid  # the list keeps its order; the choice is what moved
    page.apply_filter({"report": "ngo-file"})  # an NGO's file may be of any NGO: the list's first
    picker.refresh()
    assert page.ngo_combo.currentIndex() == 0
