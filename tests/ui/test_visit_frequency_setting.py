"""Each centre category's unannounced-visit frequency is edited on «اطلاعات پایه» › «تنظیمات» («هر N ماه یک
بار», 1–12), saved through the settings service; the monthly plan then skips the category's off months."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.services import reference
from ostandari_desk.services.inspections.plan import monthly_plan
from ostandari_desk.ui.context import AppContext
from tests.services.inspection_seed import categories, make_centre

YEAR = 1403  # (1403 × 12) is a multiple of 3: فروردین, تیر, مهر and دی are due every 3 months


@pytest.fixture
def page(ctx, qtbot, monkeypatch):
    from ostandari_desk.ui.reference_page import ReferencePage

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    page = ReferencePage(ctx)
    qtbot.addWidget(page)
    return page


def test_every_category_has_a_frequency_spin_box_monthly_by_default(ctx, page):
    cats = categories(ctx.uow())
    assert set(page.interval_spins) == set(cats)
    spin = page.interval_spins["کشتارگاه"]
    assert spin.value() == 1 and (spin.minimum(), spin.maximum()) == (1, 12)
    assert spin.text() == "هر ۱ ماه یک بار"
    assert spin.isEnabled()


def test_every_three_months_makes_the_plan_skip_the_off_months(ctx, page):
    uow = ctx.uow()
    county = reference.list_counties(uow)[0].id
    cats = categories(uow)
    slaughter = make_centre(uow, county, cats["کشتارگاه"], name="کشتارگاه صنعتی")
    camp = make_centre(ctx.uow(), county, cats["کمپ ترک اعتیاد"], name="کمپ امید")
    before = monthly_plan(ctx.uow(), county, YEAR, 2)
    assert {r.centre_id for r in before.rows} == {slaughter, camp}  # monthly by default

    page.interval_spins["کشتارگاه"].setValue(3)
    page.save_settings()
    assert ctx.setting("inspection_interval_months")["کشتارگاه"] == 3

    for month, expected in ((1, {slaughter, camp}), (2, {camp}), (3, {camp}), (4, {slaughter, camp})):
        plan = monthly_plan(ctx.uow(), county, YEAR, month)
        assert {r.centre_id for r in plan.rows} == expected, month

    again = type(page)(ctx)  # read back from the database
    assert again.interval_spins["کشتارگاه"].value() == 3
    assert again.interval_spins["کمپ ترک اعتیاد"].value() == 1
    again.deleteLater()


@pytest.mark.parametrize("role", ["manager", "clerk"])
def test_only_who_may_change_settings_edits_the_frequencies(ctx, qtbot, role):
    from ostandari_desk.ui.reference_page import NO_SETTINGS_TIP, ReferencePage

    other = AppContext(engine=ctx.engine, actor=Actor("u", "کاربر", Role(role)))
    page = ReferencePage(other)
    qtbot.addWidget(page)
    assert page.interval_spins
    for spin in page.interval_spins.values():
        assert not spin.isEnabled() and spin.toolTip() == NO_SETTINGS_TIP
