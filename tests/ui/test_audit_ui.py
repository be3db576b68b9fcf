"""The admin's «سابقه تغییرات» page: one line per changed field, filtered by user, dates, table and
action, exported to Excel."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ostandari_desk.services.audit import EXPORT_HEADERS
from ostandari_desk.ui.audit_page import AuditPage
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.tasks import wait_for_tasks
from tests.ui._f2_helpers import make_ngo

HEADERS = ["زمان", "کاربر", "نقش", "اقدام", "جدول", "شناسه رکورد", "فیلد", "مقدار قبلی", "مقدار جدید"]


@pytest.fixture
def page(ctx, admin, make_user, desk_as) -> AuditPage:
    reza = make_user("reza", "رضا کاظمی", "clerk")
    make_ngo(AppContext(ctx.engine, reza), "انجمن یاوران سلامت")  # reza's own work
    window = desk_as(admin)
    found = window.open_area("audit")
    assert isinstance(found, AuditPage)
    return found


def column(page: AuditPage, title: str) -> list[str]:
    c = HEADERS.index(title)
    return [page.model.index(r, c).data().lstrip("\u200f") for r in range(page.model.rowCount())]


def test_headers_and_lines(page):
    model = page.model
    assert [model.headerData(c, page.table.horizontalHeader().orientation()) for c in range(9)] == HEADERS
    assert tuple(HEADERS) == EXPORT_HEADERS
    assert {"boss", "reza", "tester"} <= page.shown_users()
    assert page.count_label.text().endswith("سطر")
    # the NGO's name, field by field, with the Persian field name and the new value
    names = [
        r
        for r in range(model.rowCount())
        if model.index(r, 6).data() == "نام" and model.index(r, 4).data() == "سمن"
    ]
    assert names and model.index(names[0], 8).data() == "انجمن یاوران سلامت"
    assert model.index(names[0], 3).data() == "ایجاد"
    assert (
        model.index(names[0], 1).data() == "\u200freza" and model.index(names[0], 2).data() == "کارشناس استان"
    )
    at = model.index(names[0], 0).data()
    assert at[:4].isdigit() and at[:2] == "۱۴"  # Jalali year, Persian digits


def test_filter_by_user(page):
    users_offered = [page.user_combo.itemData(i) for i in range(page.user_combo.count())]
    assert users_offered[0] is None and page.user_combo.itemText(0) == "همه"
    assert {"boss", "reza", "system"} <= set(users_offered)
    page.user_combo.setCurrentIndex(page.user_combo.findData("reza"))
    assert page.shown_users() == {"reza"}
    assert "ورود به سامانه" in column(page, "اقدام")  # reza's sign-in
    assert "سمن" in column(page, "جدول")
    page.user_combo.setCurrentIndex(page.user_combo.findData("boss"))
    assert page.shown_users() == {"boss"}
    assert "سمن" not in column(page, "جدول")


def test_filter_by_table_action_and_dates(page):
    page.apply_filter({"table_name": "ngo", "action": "insert"})
    assert set(column(page, "جدول")) == {"سمن"} and set(column(page, "اقدام")) == {"ایجاد"}
    assert "نام" in column(page, "فیلد")
    page.apply_filter({"table_name": None, "action": "login"})
    assert set(column(page, "اقدام")) == {"ورود به سامانه"}
    assert {"boss", "reza"} <= page.shown_users()
    today = dt.date.today()
    page.since_edit.set_value(today + dt.timedelta(days=1))  # nothing happened tomorrow
    assert page.model.rowCount() == 0 and page.count_label.text() == "۰ سطر"
    page.since_edit.set_value(today - dt.timedelta(days=1))
    page.until_edit.set_value(today)
    assert page.model.rowCount() > 0
    page.until_edit.set_value(today - dt.timedelta(days=2))
    assert page.model.rowCount() == 0 and "تاریخ آغاز پس از تاریخ پایان است" in page.count_label.text()


def test_export_to_excel(page, tmp_path):
    page.user_combo.setCurrentIndex(page.user_combo.findData("reza"))
    target = tmp_path / "سابقه.xlsx"
    told = []
    page.choose_path = lambda: str(target)
    page.inform = lambda _parent, title, text: told.append(text)
    assert page.export() is not None
    wait_for_tasks()
    assert told and told[0].endswith(f"سطر در پرونده «{target.name}» نوشته شد.")
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert {r[1] for r in rows[1:]} == {"reza"}
    assert len(rows) - 1 == page.model.rowCount()
    assert page.export_button.isEnabled()
