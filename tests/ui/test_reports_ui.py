"""The reports page: options per report, generation in the worker, the preview, saving; the year summary;
a county user's reports and year summary; the audit of a generated report."""

from __future__ import annotations

import pytest
from reports.pdftext import assert_pdf_has

# showing and hiding option rows resizes the window; the offscreen platform cannot pass that on
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def seeded_ctx(ctx):
    from services.seed_data import Activity, qazvin_seed

    from ostandari_desk.services import reference

    counties = {c.name: c.id for c in reference.list_counties(ctx.uow())}
    qazvin_seed(Activity(ctx.engine), counties)
    return ctx


@pytest.fixture
def page(seeded_ctx, qtbot):
    from ostandari_desk.ui.reports import ReportsPage

    widget = ReportsPage(seeded_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def test_options_follow_the_chosen_report(page):
    page.report_list.setCurrentRow(0)  # annual
    assert page.form.isRowVisible(page.year_spin) and page.form.isRowVisible(page.same_period_check)
    assert not page.form.isRowVisible(page.ngo_combo)
    assert page.county_combo.itemText(0) == "کل استان"
    assert page.county_combo.count() > 1
    page.report_list.setCurrentRow(3)  # certificate
    assert page.form.isRowVisible(page.ngo_combo) and not page.form.isRowVisible(page.year_spin)
    page.report_list.setCurrentRow(4)  # expiring
    assert page.form.isRowVisible(page.days_spin)


def test_annual_report_is_made_in_the_worker_and_previewed(page, qtbot, tmp_path):
    page.apply_filter({"report": "annual", "year": 1401, "county_id": None})
    assert page.year_spin.text() == "۱۴۰۱"
    with qtbot.waitSignal(page.generated, timeout=20000) as blocker:
        page.generate_button.click()
    assert blocker.args[0] >= 2
    qtbot.waitUntil(lambda: page.preview.page_count() == blocker.args[0])
    assert page.save_button.isEnabled() and page.print_button.isEnabled()
    assert "آماده" in page.status.text()
    assert_pdf_has(
        page.pdf_bytes(),
        "گزارش مقایسه‌ای عملکرد سال ۱۴۰۱ نسبت به ۱۴۰۰",
        "صدور پروانه فعالیت مورد ۵ ۱۲ ۲٫۴ برابر",
    )
    page.save_to(str(tmp_path / "annual"))
    assert (tmp_path / "annual.pdf").read_bytes() == page.pdf_bytes()


def test_a_user_error_from_the_worker_is_shown(page, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr("ostandari_desk.ui.errors.show_error", lambda parent, error: shown.append(error))
    page.apply_filter({"report": "certificate"})
    page.ngo_combo.clear()
    page.generate()
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=10000)
    qtbot.waitUntil(lambda: bool(shown))
    assert "سازمان را انتخاب کنید" in page.status.text()
    assert page.generate_button.isEnabled()


def test_ngo_picker_searches(page, qtbot):
    page.report_list.setCurrentRow(2)  # NGO file
    qtbot.waitUntil(lambda: page.ngo_combo.count() > 0)
    assert "انجمن نمونه" in page.ngo_combo.itemText(0)
    with qtbot.waitSignal(page.generated, timeout=20000):
        page.generate()
    assert_pdf_has(page.pdf_bytes(), "پرونده سازمان", "مشخصات")


def test_year_summary_shows_the_key_indicators_and_opens_areas(seeded_ctx, qtbot):
    from ostandari_desk.domain import jalali
    from ostandari_desk.ui.reports.year_summary import YearSummaryWidget

    today = jalali.from_jalali(1401, 12, 29)  # the whole of 1401 against the whole of 1400
    widget = YearSummaryWidget(seeded_ctx, today=today)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: len(widget.tiles) == 4, timeout=10000)
    issued = widget.tiles["issued"].text()
    assert "پروانه صادرشده" in issued and "۱۲" in issued and "۲٫۴ برابر" in issued
    assert "۶ برابر" in widget.tiles["support_letters"].text()
    with qtbot.waitSignal(widget.open_area) as blocker:
        widget.tiles["support_letters"].click()
    assert blocker.args == ["letters", {"kind": "support", "year": 1401}]
    assert len(widget.chart.series()) == 1


# --- the user's county, the audit, no store below the page ------------------------------------------


@pytest.fixture
def county_ctx(seeded_ctx):
    """The seeded desk as a county user of آبیک."""
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.services import reference
    from ostandari_desk.ui.context import AppContext

    counties = {c.name: c.id for c in reference.list_counties(seeded_ctx.uow())}
    actor = Actor(username="abyek", full_name="کارشناس آبیک", role=Role.COUNTY, county_id=counties["آبیک"])
    return AppContext(engine=seeded_ctx.engine, actor=actor)


def test_a_county_user_reports_on_their_county_and_the_report_is_audited(county_ctx, seeded_ctx, qtbot):
    from ostandari_desk.services.audit import AuditFilter, audit_lines
    from ostandari_desk.ui.reports import ReportsPage

    page = ReportsPage(county_ctx)
    qtbot.addWidget(page)
    page.show()
    assert [page.county_combo.itemText(i) for i in range(page.county_combo.count())] == ["آبیک"]
    page.apply_filter({"report": "annual", "year": 1401})
    with qtbot.waitSignal(page.generated, timeout=20000):
        page.generate()
    # آبیک's own figures (2 -> 4 licences, 0 -> 8 support letters), not the province's (5 -> 12)
    assert_pdf_has(page.pdf_bytes(), "شهرستان آبیک", "صدور پروانه فعالیت مورد ۲ ۴ ۲ برابر")
    [line] = list(audit_lines(seeded_ctx.uow(), AuditFilter(action="report")))
    assert line.username == "abyek" and line.detail == "گزارش مقایسه‌ای سالانه؛ سال ۱۴۰۱؛ شهرستان آبیک"


def test_a_county_users_year_summary_counts_their_county(county_ctx, qtbot):
    from ostandari_desk.domain import jalali
    from ostandari_desk.ui.reports.year_summary import YearSummaryWidget

    widget = YearSummaryWidget(county_ctx, today=jalali.from_jalali(1401, 12, 29))
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: len(widget.tiles) == 4, timeout=10000)
    assert widget.data.scope_name == "شهرستان آبیک"
    issued = widget.data.row("issued")
    assert (issued.last, issued.this) == (2, 4)


def test_the_report_pages_take_their_unit_of_work_from_the_context():
    import ast
    from pathlib import Path

    from ostandari_desk import ui

    root = Path(ui.__file__).parent
    files = [*sorted((root / "reports").glob("*.py")), root / "start_page.py"]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            assert not any(n.startswith("ostandari_desk.store") for n in names), path.name
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"UnitOfWork", "create_engine", "open_database"}, path.name


def test_the_year_running_is_compared_to_date_and_a_finished_one_whole_by_default(page, qtbot):
    """Issue 11: the annual form's period follows the year; the year still running has no whole-year choice."""
    from ostandari_desk.domain import jalali

    current = jalali.today_jalali_year()
    page.report_list.setCurrentRow(0)  # annual, this year by default
    assert page.year_spin.value() == current
    assert page.same_period_check.isChecked() and not page.same_period_check.isEnabled()
    assert page.request().same_period
    page.year_spin.setValue(current - 1)  # a finished year: whole by default, the clerk may ask otherwise
    assert page.same_period_check.isEnabled() and not page.same_period_check.isChecked()
    page.same_period_check.click()
    assert page.request().same_period
    page.year_spin.setValue(current)
    assert page.same_period_check.isChecked() and not page.same_period_check.isEnabled()
    page.year_spin.setValue(current - 1)  # back to a finished year: the clerk's choice again
    assert page.same_period_check.isChecked()
    page.apply_filter({"report": "annual", "year": current - 2, "same_period": False})
    assert not page.same_period_check.isChecked() and page.same_period_check.isEnabled()
