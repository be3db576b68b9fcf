"""The «تفاهم‌نامه‌ها و اعتبارات» and «دفاتر تسهیلگری» areas: the credits view (an East Azerbaijan-like
year's totals, a far-below county highlighted, sorting with the totals kept last), the offices register and
dialog (added, edited, a name clash refused on the field, its projects with their clocks), the start page's
memoranda tiles, the population column of the reference page, and the main window's wiring."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from ostandari_desk.domain import jalali
from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import offices as office_service
from ostandari_desk.ui import reference_page as _reference_page  # noqa: F401 — imported before a test
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.tasks import wait_for_tasks
from ostandari_desk.ui.widgets.paged_list import select_row
from tests.services.memo_rows import add_memorandum, add_payment, add_progress

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

YEAR = 1403
AMOUNT = 140_000_000  # 76 of these and one of 160,000,000: 10,800,000,000 rials
SHOTS = os.environ.get("OSTANDARI_SHOTS")  # a folder: the tests save their screens there to be looked at


def _shot(widget, name: str) -> None:
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def _counties(ctx) -> dict[str, str]:
    return {c.name: c.id for c in reference.list_counties(ctx.uow())}


def _set_population(ctx, county_id: str, population: int | None) -> None:
    version = next(c.row_version for c in reference.list_counties(ctx.uow()) if c.id == county_id)
    reference.set_county_population(ctx.uow(), county_id, population, version)


@pytest.fixture
def east_azerbaijan_year(ctx):
    """77 memoranda signed in 1403: 46 with governorates, 31 with NGOs, 10,800,000,000 rials; قزوین 70 of
    them, تاکستان 6, آبیک 1 (the 160,000,000 one) — with آبیک's population far the largest, it is far below."""
    counties = _counties(ctx)
    plan = [counties["قزوین"]] * 70 + [counties["تاکستان"]] * 6 + [counties["آبیک"]]
    uow = ctx.uow()
    for n, county_id in enumerate(plan):
        add_memorandum(
            uow,
            county_id,
            jalali.from_jalali(YEAR, 1 + n % 12, 5),
            160_000_000 if n == 76 else AMOUNT,
            party_kind="county" if n < 46 else "ngo",
            number=f"EA-{n}",
        )
    _set_population(ctx, counties["قزوین"], 600_000)
    _set_population(ctx, counties["تاکستان"], 200_000)
    _set_population(ctx, counties["آبیک"], 2_000_000)
    return counties


def _credits_page(ctx, qtbot):
    from ostandari_desk.ui.memoranda.credits_page import CreditsPage

    page = CreditsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    wait_for_tasks()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.apply_filter({"year": YEAR})
    return page


# --- credits ----------------------------------------------------------------------------------------


def test_credits_view_shows_the_years_totals_and_highlights_a_far_below_county(
    ctx, east_azerbaijan_year, qtbot
):
    from ostandari_desk.ui.memoranda.credits_page import COLUMNS

    page = _credits_page(ctx, qtbot)
    total_row = page.table.rowCount() - 1
    headers = [c.header for c in COLUMNS]
    total = {h: page.cell_text(total_row, c) for c, h in enumerate(headers)}
    assert total["شهرستان"] == "جمع استان"
    assert (total["تفاهم‌نامه‌ها"], total["با فرمانداری"], total["با سمن"]) == ("۷۷", "۴۶", "۳۱")
    assert total["مبلغ (ریال)"] == "۱۰٬۸۰۰٬۰۰۰٬۰۰۰"
    assert total["مانده (ریال)"] == "۱۰٬۸۰۰٬۰۰۰٬۰۰۰"  # nothing paid yet
    assert "۱۰٬۸۰۰٬۰۰۰٬۰۰۰ ریال" in page.status_label.text()
    # آبیک: 160,000,000 over 2,000,000 people = 800,000 per 10,000; far under half the median
    assert page.far_below_rows() == ["آبیک"]
    row = next(r for r in range(total_row) if page.cell_text(r, 0) == "آبیک")
    assert page.cell_text(row, len(COLUMNS) - 1) == "۸۰۰٬۰۰۰"
    assert page.cell_text(row, len(COLUMNS) - 2) == "۲٬۰۰۰٬۰۰۰"
    assert "آبیک" in page.rule_label.text() and "میانه" in page.rule_label.text()
    # the chart: one bar per county, آبیک's highlighted
    assert page.chart.categories == [page.cell_text(r, 0) for r in range(total_row)]
    assert page.chart.highlighted == ["آبیک"]
    _shot(page, "credits_page")

    # a county's row opens its memoranda of the year
    with qtbot.waitSignal(page.open_area) as sent:
        page.open_memoranda(row)
    assert sent.args == [
        "memoranda",
        {"tab": "memoranda", "year": YEAR, "county": east_azerbaijan_year["آبیک"]},
    ]

    # sorting by amount (largest first) keeps the totals last
    page.sort_by(4, descending=True)
    assert page.cell_text(0, 0) == "قزوین"
    assert page.cell_text(page.table.rowCount() - 1, 0) == "جمع استان"
    assert page.chart.categories[:2] == ["قزوین", "تاکستان"]  # the bars follow the table
    page.sort_by(4, descending=False)
    assert page.cell_text(page.table.rowCount() - 2, 0) == "قزوین"
    assert page.cell_text(page.table.rowCount() - 1, 0) == "جمع استان"


def test_credits_print_button_follows_the_registry(ctx, qtbot, monkeypatch):
    from ostandari_desk.reports import registry
    from ostandari_desk.ui.memoranda import credits_page

    page = _credits_page(ctx, qtbot)
    assert page.print_button.isVisibleTo(page) == ("credits" in registry.REPORTS)
    monkeypatch.setattr(credits_page, "report_registered", lambda name="credits": True)
    with qtbot.waitSignal(page.open_area) as sent:
        page.print_credits()
    assert sent.args[0] == "reports"
    assert sent.args[1]["report"] == "credits" and sent.args[1]["year"] == YEAR


# --- offices ----------------------------------------------------------------------------------------


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        "ostandari_desk.ui.errors.show_user_error", lambda _p, e, *_a: shown.append(e.message)
    )
    return shown


def test_office_added_edited_name_clash_refused_on_the_field_and_projects_listed(ctx, qtbot, errors):
    from ostandari_desk.ui.memoranda.office_dialog import OfficeDialog
    from ostandari_desk.ui.memoranda.offices_page import OfficesPage

    counties = _counties(ctx)
    page = OfficesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    assert page.model.total == 0 and page.stack.currentWidget() is page.empty_label

    # added through the dialog
    dialog = page.make_dialog(None)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("دفتر تسهیلگری محله شهدا")
    dialog.county_combo.setCurrentIndex(dialog.county_combo.findData(counties["قزوین"]))
    dialog.neighbourhoods_edit.setText("شهرک امام, کوی فرهنگیان")
    dialog.budget_edit.setText("۲۵۰۰۰۰۰۰۰")
    dialog.opened_edit.set_value(date.today() - timedelta(days=30))
    assert dialog.save()
    office_id = dialog.saved_id
    detail = office_service.get_office(ctx.uow(), office_id)
    assert detail.name == "دفتر تسهیلگری محله شهدا" and detail.budget == 250_000_000
    assert detail.neighbourhoods == "شهرک امام، کوی فرهنگیان" and detail.state == "open"
    other = office_service.create_office(
        ctx.uow(), office_service.OfficeInput(name="دفتر کوی نور", county_id=counties["قزوین"])
    )
    page.reload()
    assert page.model.total == 2

    # a field rule broken: marked on its field, nothing stored
    bad = OfficeDialog(ctx, None, page)
    qtbot.addWidget(bad)
    bad.county_combo.setCurrentIndex(bad.county_combo.findData(counties["قزوین"]))
    bad.opened_edit.set_value(date.today() + timedelta(days=10))
    assert not bad.save()
    assert bad.name_edit in bad.errors.marked() and bad.opened_edit in bad.errors.marked()
    assert "نام دفتر وارد نشده است" in bad.errors.label.text()

    # edited: a name its county already has is refused on the name field
    select_row(page.table, next(r for r in range(page.model.rowCount()) if page.model.row_at(r).id == other))
    page.run_action("edit")
    edit = page.last_dialog
    qtbot.addWidget(edit)
    assert edit.tabs is not None and edit.tabs.count() == 3  # مشخصات، پروژه‌ها، سابقه تغییرات
    edit.name_edit.setText("دفتر تسهيلگري محله شهدا")  # Arabic ي: the same name
    assert not edit.save()
    assert edit.errors.marked() == [edit.name_edit]
    assert "پیش‌تر ثبت شده" in edit.errors.label.text()
    assert errors == []  # on the field, not in a message box
    edit.name_edit.setText("دفتر کوی نور ۲")
    edit.state_combo.setCurrentIndex(edit.state_combo.findData("planned"))
    assert edit.save()
    assert office_service.get_office(ctx.uow(), other).name == "دفتر کوی نور ۲"

    # its projects: a memorandum funding it, with its clock and progress
    today = date.today()
    running = add_memorandum(
        ctx.uow(),
        counties["قزوین"],
        today - timedelta(days=30),
        90_000_000,
        office_id=office_id,
        number="P-1",
    )
    add_progress(ctx.uow(), running, today - timedelta(days=2), 40)
    late = add_memorandum(
        ctx.uow(),
        counties["قزوین"],
        today - timedelta(days=200),
        50_000_000,
        office_id=office_id,
        number="P-2",
    )
    view = OfficeDialog(ctx, office_id, page)
    qtbot.addWidget(view)
    view.resize(900, 560)
    assert view.project_ids() == [running, late]  # newest start first
    ends = jalali.add_months(today - timedelta(days=30), 3)
    assert view.project_cell(0, 6) == f"{_fa((ends - today).days)} روز مانده"
    assert view.project_cell(0, 4) == "۴۰٪"
    late_end = jalali.add_months(today - timedelta(days=200), 3)
    assert view.project_cell(1, 6) == f"{_fa((today - late_end).days)} روز گذشته"
    assert view.project_cell(1, 4) == "بدون گزارش"
    assert view.tabs.tabText(1) == "پروژه‌ها (۲)"
    # «تفاهم‌نامه تازه برای این دفتر»: M-UI-A's memorandum form on this office
    memo = view.new_memorandum()
    if memo is not None:
        qtbot.addWidget(memo)
        assert type(memo).__name__ == "MemorandumDialog"
        memo.done(0)
    view.tabs.setCurrentIndex(1)
    view.show()
    _shot(view, "office_dialog_projects")
    view.tabs.setCurrentIndex(0)
    _shot(view, "office_dialog")
    page.reload()
    _shot(page, "offices_page")


def _fa(n: int) -> str:
    from ostandari_desk.domain.text import format_number

    return format_number(n)


def test_clock_text():
    from ostandari_desk.ui.memoranda.office_dialog import clock_text

    assert clock_text(12) == "۱۲ روز مانده"
    assert clock_text(-5) == "۵ روز گذشته"
    assert clock_text(0) == "امروز پایان می‌یابد"


def test_offices_page_filters_by_state_and_search(ctx, qtbot):
    from ostandari_desk.ui.memoranda.offices_page import OfficesPage

    counties = _counties(ctx)
    for name, county, state in (
        ("دفتر الف", "قزوین", "open"),
        ("دفتر ب", "آبیک", "planned"),
        ("دفتر ج", "آبیک", "closed"),
    ):
        office_service.create_office(
            ctx.uow(), office_service.OfficeInput(name=name, county_id=counties[county], state=state)
        )
    page = OfficesPage(ctx)
    qtbot.addWidget(page)
    assert page.model.total == 3
    page.apply_filter({"state": "planned"})
    assert page.model.total == 1 and page.model.row_at(0).name == "دفتر ب"
    page.apply_filter({"county": counties["آبیک"]})
    assert page.model.total == 2
    page.apply_filter({"text": "ج"})
    assert [page.model.row_at(r).name for r in range(page.model.rowCount())] == ["دفتر ج"]


# --- start page -------------------------------------------------------------------------------------


def test_start_page_memoranda_tiles_count_and_open_their_place(ctx, qtbot):
    from ostandari_desk.ui.start_page import StartPage

    counties = _counties(ctx)
    qz = counties["قزوین"]
    today = date.today()
    # past its end, a tranche paid, no progress: waiting for progress and overdue
    held = add_memorandum(ctx.uow(), qz, today - timedelta(days=200), 1_000_000, number="S-1")
    add_payment(ctx.uow(), held, today - timedelta(days=190), 1, 400_000)
    # running, progress reached: neither
    fine = add_memorandum(ctx.uow(), qz, today - timedelta(days=10), 1_000_000, number="S-2")
    add_progress(ctx.uow(), fine, today - timedelta(days=1), 60)
    idle = office_service.create_office(
        ctx.uow(), office_service.OfficeInput(name="دفتر بی‌پروژه", county_id=qz)
    )
    busy = office_service.create_office(
        ctx.uow(), office_service.OfficeInput(name="دفتر پرکار", county_id=qz)
    )
    add_memorandum(ctx.uow(), qz, today - timedelta(days=5), 1_000_000, office_id=busy, number="S-3")
    assert idle

    page = StartPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitUntil(lambda: page.memoranda is not None, timeout=5000)
    wait_for_tasks()
    number = lambda key: page.tiles[key].number_label.text().lstrip("\u200f")
    assert number("memo_waiting") == "۱"
    assert number("memo_overdue") == "۱"
    assert number("idle_offices") == "۱"
    assert "S-۱ — " in page.tiles["memo_overdue"].toolTip()
    assert "دفتر بی‌پروژه" in page.tiles["idle_offices"].toolTip()
    assert page.tiles["memo_waiting"].property("tile") == "warn"
    with qtbot.waitSignal(page.open_area) as sent:
        page.tiles["idle_offices"].click()
    assert sent.args == ["facilitation", {"idle": True}]
    with qtbot.waitSignal(page.open_area) as sent:
        page.tiles["memo_overdue"].click()
    assert sent.args == ["memoranda", {"tab": "memoranda", "overdue": True}]
    _shot(page, "start_page")


# --- reference page: population ---------------------------------------------------------------------


def test_population_edited_on_the_reference_page(ctx, qtbot, errors):
    from ostandari_desk.ui.reference_page import ReferencePage

    counties = _counties(ctx)
    abyek = counties["آبیک"]
    page = ReferencePage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 640)
    page.show()
    table = page.population_table
    assert table.population_text(abyek) == ""  # unknown
    # typed in the cell, Persian digits and separators
    item = table.table.item(table.row_of(abyek), 1)
    item.setText("۱۲۳٬۴۵۶")
    qtbot.waitUntil(lambda: _population(ctx, abyek) == 123_456, timeout=3000)
    qtbot.waitUntil(lambda: table.population_text(abyek) == "۱۲۳٬۴۵۶", timeout=3000)
    _shot(page, "reference_population")
    # Latin digits, then cleared: unknown again
    assert table.set_population(abyek, "200,000")
    assert _population(ctx, abyek) == 200_000 and table.population_text(abyek) == "۲۰۰٬۰۰۰"
    assert table.set_population(abyek, "")
    assert _population(ctx, abyek) is None
    # not a number: refused, nothing stored
    assert not table.set_population(abyek, "بسیار")
    assert errors and "عددی صحیح" in errors[-1]
    assert _population(ctx, abyek) is None

    # a clerk reads it but may not edit it
    clerk = AppContext(engine=ctx.engine, actor=Actor(username="c", full_name="کارمند", role=Role("clerk")))
    read_only = ReferencePage(clerk)
    qtbot.addWidget(read_only)
    cell = read_only.population_table.table.item(0, 1)
    assert not cell.flags() & Qt.ItemFlag.ItemIsEditable


def _population(ctx, county_id: str) -> int | None:
    return next(c.population for c in reference.list_counties(ctx.uow()) if c.id == county_id)


# --- the main window --------------------------------------------------------------------------------


def test_main_window_opens_both_areas(main_window, qtbot, east_azerbaijan_year):
    from ostandari_desk.ui.memoranda.area import MemorandaArea
    from ostandari_desk.ui.memoranda.credits_page import CreditsPage
    from ostandari_desk.ui.memoranda.offices_page import OfficesPage
    from ostandari_desk.ui.transfer.menu import refresh_after_import

    area = main_window.open_area("memoranda")
    assert isinstance(area, MemorandaArea)
    assert area.tab_keys() == ("memoranda", "credits")
    assert area.page("memoranda") is not None  # M-UI-A's list, or the placeholder line until it lands
    area.apply_filter({"tab": "credits", "year": YEAR})
    credits = area.page("credits")
    assert isinstance(credits, CreditsPage)
    qtbot.waitUntil(lambda: credits.view is not None and credits.view.jalali_year == YEAR, timeout=5000)
    assert credits.view.total.memoranda == 77
    # a county row of the credits opens the memoranda list on that county and year (M-UI-A's page)
    credits.open_memoranda(0)
    assert area.current_key() == "memoranda"
    listing = area.page("memoranda")
    if hasattr(listing, "current_filter"):
        flt = listing.current_filter()
        assert (flt.county_id, flt.jalali_year) == (credits.view.rows[0].county_id, YEAR)
    offices = main_window.open_area("facilitation")
    assert isinstance(offices, OfficesPage)
    assert set(refresh_after_import(main_window, "offices")) >= {"facilitation", "memoranda"}
    wait_for_tasks()
