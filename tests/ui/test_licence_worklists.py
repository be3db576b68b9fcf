"""The licence desk's four worklists: expiring, expired, overdue inquiries and open cases — each view
through apply_filter (as the start page's tiles call it), the county filter, Persian digits and Jalali
dates, sorting, the «نمایش N از M» note over the row cap, and a double-click to the NGO."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from ._f2_helpers import counties, make_ngo

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")
LEGAL = "آیین‌نامه ۱۳۹۵"


def j(text: str) -> dt.date:
    from ostandari_desk.domain.jalali import parse_jalali

    return parse_jalali(text)


TODAY = j("1404/06/01")


@pytest.fixture
def desk(ctx):
    """Two licences (one expiring, one expired), an inquiring case with three overdue inquiries,
    a received case, and a rejected and a closed case that no list shows."""
    from ostandari_desk.domain.jalali import add_days
    from ostandari_desk.services import licences as lic

    uow = ctx.uow

    def licensed(name: str, issued: str, county: str) -> str:
        ngo_id = make_ngo(ctx, name, county=county)
        case_id = lic.open_case(uow(), ngo_id, "establishment", add_days(j(issued), -30))
        lic.check_documents(uow(), case_id, add_days(j(issued), -29))
        for inquiry_id in lic.send_inquiries(uow(), case_id, add_days(j(issued), -28)):  # the four first
            lic.answer_inquiry(uow(), inquiry_id, add_days(j(issued), -10), "favourable")
        lic.decide_case(uow(), case_id, True, j(issued), j(issued), LEGAL)
        lic.complete_case(uow(), case_id, j(issued), licence_number=f"{name[-1]}-12", validity_years=1)
        return ngo_id

    ids = {
        "soon": licensed("انجمن رو به انقضا", "1403/06/20", "البرز"),  # expires 1404/06/20
        "gone": licensed("انجمن منقضی", "1403/02/10", "قزوین"),  # expired 1404/02/10
    }
    ids["waiting"] = make_ngo(ctx, "انجمن چشم‌به‌راه", county="تاکستان")
    case_id = lic.open_case(uow(), ids["waiting"], "establishment", j("1404/02/01"))
    lic.check_documents(uow(), case_id, j("1404/02/05"))
    inquiries = lic.send_inquiries(uow(), case_id, j("1404/03/01"), due_days=30)
    lic.answer_inquiry(uow(), inquiries[0], j("1404/03/20"), "favourable")
    ids["fresh"] = make_ngo(ctx, "انجمن تازه‌وارد", county="البرز")
    lic.open_case(uow(), ids["fresh"], "establishment", j("1404/05/10"))
    ids["rejected"] = make_ngo(ctx, "انجمن ردشده", county="البرز")
    rejected = lic.open_case(uow(), ids["rejected"], "establishment", j("1404/01/10"))
    lic.decide_case(uow(), rejected, False, j("1404/02/10"), j("1404/02/10"), LEGAL)
    return ids


@pytest.fixture
def page(qtbot, ctx, desk):
    from ostandari_desk.ui.licences import ExpiringLicencesPage

    page = ExpiringLicencesPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1100, 420)
    return page


def cells(page, column: int) -> list[str]:
    return [page.model.index(r, column).data() for r in range(page.model.rowCount())]


def headers(page) -> list[str]:
    return [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]


def persian(text: str) -> bool:
    return not any(ch.isascii() and ch.isdigit() for ch in text) and any(ch in PERSIAN_DIGITS for ch in text)


def test_expiring_and_expired_views(page, desk):
    page.apply_filter({"view": "expiring"})
    assert page.expiring_radio.isChecked() and page.days_spin.isEnabled()
    assert cells(page, 0) == ["انجمن رو به انقضا"]
    assert headers(page)[-1] == "روز مانده"
    assert page.model.index(0, 5).data() == "۱۴۰۴/۰۶/۲۰" and page.model.index(0, 6).data() == "۱۹"
    assert page.count_label.text() == "۱ پروانه"

    page.apply_filter({"view": "expired"})
    assert page.expired_radio.isChecked() and not page.days_spin.isEnabled()
    assert cells(page, 0) == ["انجمن منقضی"]
    assert headers(page)[-1] == "گذشته از انقضا"
    assert page.model.index(0, 6).data() == "۱۱۵ روز گذشته"  # expired 1404/02/10, today 1404/06/01
    assert page.model.index(0, 6).data(Qt.ItemDataRole.ForegroundRole).name() == "#c62828"


def test_overdue_inquiries_view(page, desk):
    page.apply_filter({"view": "overdue_inquiries"})
    assert page.overdue_radio.isChecked()
    assert headers(page) == ["نام سمن", "شهرستان", "مرجع استعلام", "تاریخ ارسال", "مهلت پاسخ", "روز تأخیر"]
    assert page.model.rowCount() == 3  # the answered one is not overdue
    assert set(cells(page, 0)) == {"انجمن چشم‌به‌راه"} and set(cells(page, 1)) == {"تاکستان"}
    assert set(cells(page, 2)) == {"اداره اطلاعات", "فرماندهی انتظامی", "دستگاه تخصصی"}
    assert set(cells(page, 3)) == {"۱۴۰۴/۰۳/۰۱"} and set(cells(page, 4)) == {"۱۴۰۴/۰۳/۳۱"}
    assert set(cells(page, 5)) == {"۶۳"}  # 1404/03/31 → 1404/06/01 (months of 31 days)
    for column in (4, 5):
        assert page.model.index(0, column).data(Qt.ItemDataRole.ForegroundRole).name() == "#c62828"
    assert page.count_label.text() == "۳ استعلام"
    assert page.ngo_id_at(0) == desk["waiting"]

    page.apply_filter({"county_id": counties(page.context)["البرز"]})
    assert page.overdue_radio.isChecked() and page.model.rowCount() == 0
    assert page.count_label.text() == "۰ استعلام"


def test_open_cases_view(page, desk, ctx):
    page.apply_filter({"view": "open_cases"})
    assert page.open_cases_radio.isChecked()
    assert headers(page)[2:5] == ["نوع پرونده", "وضعیت", "شماره پیگیری"]
    # oldest first; the rejected and the closed (licensed) cases are not open
    assert cells(page, 0) == ["انجمن چشم‌به‌راه", "انجمن تازه‌وارد"]
    assert cells(page, 3) == ["در انتظار پاسخ استعلام‌ها", "درخواست دریافت شد"]
    assert cells(page, 2) == ["تأسیس", "تأسیس"]
    assert all(persian(text) for text in cells(page, 4))  # tracking numbers
    assert cells(page, 5) == ["۱۴۰۴/۰۲/۰۱", "۱۴۰۴/۰۵/۱۰"]
    assert cells(page, 6) == ["۱۲۴", "۲۲"]
    assert page.count_label.text() == "۲ پرونده"

    page.table.sortByColumn(6, Qt.SortOrder.AscendingOrder)  # fewest days open first
    assert cells(page, 0) == ["انجمن تازه‌وارد", "انجمن چشم‌به‌راه"]
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # Persian alphabetical: ت before چ
    assert cells(page, 0) == ["انجمن تازه‌وارد", "انجمن چشم‌به‌راه"]
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert cells(page, 0) == ["انجمن چشم‌به‌راه", "انجمن تازه‌وارد"]

    page.apply_filter({"view": "open_cases", "county_id": counties(ctx)["البرز"]})
    assert cells(page, 0) == ["انجمن تازه‌وارد"] and cells(page, 1) == ["البرز"]
    page.apply_filter({"county_id": None})
    assert page.model.rowCount() == 2


def test_switching_views_resets_columns_and_order(page, desk):
    page.apply_filter({"view": "open_cases"})
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    page.overdue_radio.click()  # the clerk's own click refreshes too
    assert page.model.columnCount() == 6 and page.model.rowCount() == 3
    assert page.table.horizontalHeader().sortIndicatorSection() == -1  # the service's order again
    assert page.table.columnWidth(2) == 150
    page.expiring_radio.click()
    assert page.model.columnCount() == 7 and cells(page, 0) == ["انجمن رو به انقضا"]


def test_more_rows_than_the_cap_say_so(page, desk, monkeypatch):
    from ostandari_desk.ui.licences import expiring_page
    from ostandari_desk.ui.tasks import wait_for_tasks

    monkeypatch.setattr(expiring_page, "ROW_CAP", 1)
    page.apply_filter({"view": "overdue_inquiries"})
    assert page.model.rowCount() == 1
    # the total is counted off the UI thread
    assert page.total is None and page.count_label.text() == "نمایش ۱ از … استعلام"
    assert wait_for_tasks()
    assert page.total == 3 and page.count_label.text() == "نمایش ۱ از ۳ استعلام"
    assert page.count_label.toolTip()
    page.apply_filter({"view": "open_cases"})
    assert wait_for_tasks()
    assert page.count_label.text() == "نمایش ۱ از ۲ پرونده"
    assert cells(page, 0) == ["انجمن چشم‌به‌راه"]  # the oldest one is the one shown

    # a count still running when the clerk moves to a short list is not shown over it
    page.apply_filter({"view": "overdue_inquiries"})
    page.apply_filter({"view": "expiring"})
    assert wait_for_tasks()
    assert page.total == 1 and page.count_label.text() == "۱ پروانه"


def test_double_click_opens_the_ngo(page, desk, qtbot):
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    page.apply_filter({"view": "open_cases"})
    page.show()
    qtbot.waitExposed(page)
    table = page.table
    rect = table.visualRect(page.model.index(1, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view = page.last_dialog
    assert isinstance(view, NgoView) and view.ngo_id == desk["fresh"]
    assert view.tabs.currentWidget() is view.licence_panel
    view.close()


def test_start_page_tiles_open_each_view(main_window):
    from ostandari_desk.ui.start_page import TILES

    for tile in (t for t in TILES if t.area == "licences"):
        page = main_window.open_area(tile.area, dict(tile.filters))
        assert page.view == tile.filters["view"]
        assert page.model.columnCount() == (6 if tile.key == "overdue_inquiries" else 7)
