"""The «مراکز و بازدیدها» area: the coverage grid (a missed month red, a covered one green, a cell's visits),
the monthly plan's access, the checklist draft flow for a manager (and not for a clerk), the overdue actions
and the start page's inspection tiles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from ostandari_desk.domain import jalali
from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.services import reference
from ostandari_desk.services.inspections import templates as template_service
from ostandari_desk.services.inspections.plan import OTHER_COUNTY_PLAN
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.tasks import wait_for_tasks
from ostandari_desk.ui.widgets.paged_list import select_row
from tests.services.inspection_seed import add_visit, categories, make_centre

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

YEAR = 1403  # a past year: every month is due


@pytest.fixture
def desk(ctx):
    """قزوین: a slaughterhouse visited in فروردین 1403 only; آبیک: a camp with an overdue corrective action (a
    visit last month) and a critical finding today."""
    uow = ctx.uow()
    counties = {c.name: c.id for c in reference.list_counties(uow)}
    cats = categories(uow)
    qz, ab = counties["قزوین"], counties["آبیک"]
    slaughter = make_centre(uow, qz, cats["کشتارگاه"], name="کشتارگاه صنعتی قزوین")
    visit = add_visit(uow, slaughter, jalali.from_jalali(YEAR, 1, 10))
    camp = make_centre(uow, ab, cats["کمپ ترک اعتیاد"], name="کمپ امید آبیک")
    on = date.today() - timedelta(days=40)  # last month, whatever today is
    deadline = date.today() - timedelta(days=12)
    add_visit(
        ctx.uow(),
        camp,
        on,
        result="serious",
        findings=(("نبود پزشک کشیک", "critical"),),
        action={"action": "به‌کارگیری پزشک کشیک", "deadline": deadline},
    )
    add_visit(
        ctx.uow(), camp, date.today(), result="serious", findings=(("انبار دارو قفل ندارد", "critical"),)
    )
    return {"qz": qz, "ab": ab, "cats": cats, "slaughter": slaughter, "camp": camp, "visit": visit}


def _as(ctx, role: str, county_id: str | None = None) -> AppContext:
    actor = Actor(username=f"u-{role}", full_name="کاربر آزمون", role=Role(role), county_id=county_id)
    return AppContext(engine=ctx.engine, actor=actor)


@pytest.fixture
def errors(monkeypatch):
    """The Persian messages that would have been shown in a message box."""
    shown: list[str] = []
    monkeypatch.setattr(
        "ostandari_desk.ui.errors.show_user_error", lambda _p, e, *_a: shown.append(e.message)
    )
    return shown


# --- the grid ---------------------------------------------------------------------------------------


def test_grid_paints_a_missed_month_red_a_covered_one_green_and_lists_a_cells_visits(ctx, desk, qtbot):
    from ostandari_desk.ui.inspections.grid_page import STATE_COLOURS, STATE_ROLE, GridPage

    page = GridPage(ctx)
    qtbot.addWidget(page)
    page.resize(1060, 690)
    page.show()
    wait_for_tasks()
    with qtbot.waitSignal(page.grid_loaded, timeout=5000):
        page.load(YEAR)
    covered = page.cell_item(desk["qz"], None, 1)
    missed = page.cell_item(desk["qz"], None, 2)
    assert covered.text() == "۱/۱" and covered.data(STATE_ROLE) == "covered"
    assert missed.text() == "۰/۱" and missed.data(STATE_ROLE) == "none"
    assert covered.background().color().name() == STATE_COLOURS["covered"][1]
    assert missed.background().color().name() == STATE_COLOURS["none"][1] == "#c62828"
    assert missed.font().bold()
    slaughter = page.cell_item(desk["qz"], desk["cats"]["کشتارگاه"], 1)
    assert slaughter is not None and slaughter.data(STATE_ROLE) == "covered"
    # month ۱ sits next to the names, on the right
    index = page.model.indexFromItem(covered)
    assert page.tree.visualRect(index).x() > page.tree.visualRect(page.model.indexFromItem(missed)).x()

    page.tree.scrollTo(index)
    with qtbot.waitSignal(page.visits_loaded, timeout=5000) as blocker:
        qtbot.mouseClick(
            page.tree.viewport(), Qt.MouseButton.LeftButton, pos=page.tree.visualRect(index).center()
        )
    assert [v.id for v in blocker.args[0]] == [desk["visit"]]
    assert page.visit_model.rowCount() == 1
    assert "کشتارگاه صنعتی قزوین" in page.visit_model.index(0, 2).data()
    assert "۱ بازدید" in page.visit_caption.text()


def test_a_month_not_yet_due_shows_a_dash_and_says_why(ctx, desk, qtbot):
    from ostandari_desk.ui.inspections.grid_page import NOT_YET_DUE_TIP, STATE_ROLE, GridPage

    page = GridPage(ctx)
    qtbot.addWidget(page)
    page.today = lambda: jalali.from_jalali(YEAR, 3, 15)  # خرداد: تیر onwards are still ahead
    with qtbot.waitSignal(page.grid_loaded, timeout=5000):
        page.load(YEAR)
    ahead = page.cell_item(desk["qz"], None, 4)
    assert ahead.text() == "—" and ahead.data(STATE_ROLE) == "not_due"
    assert NOT_YET_DUE_TIP in ahead.toolTip() and "۰/" not in ahead.toolTip()
    assert page.cell_item(desk["qz"], None, 2).text() == "۰/۱"  # a due month keeps its numbers
    year = page.cell_item(desk["qz"], None, 0)
    assert year.text() == "۱/۳"  # the year's total counts the due months so far


def test_a_county_user_sees_their_own_county_by_category(ctx, desk, qtbot):
    from ostandari_desk.ui.inspections.grid_page import GridPage

    page = GridPage(_as(ctx, "county", desk["ab"]))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.grid_loaded, timeout=5000):
        page.load(YEAR)
    assert [r.county_id for r in page.grid.rows] == [desk["ab"]]
    assert page.model.rowCount() == 1  # no province total for one county
    assert page.tree.isExpanded(page.model.index(0, 0))


# --- the plan ---------------------------------------------------------------------------------------


def test_plan_refused_for_another_countys_user_and_shown_to_a_manager(ctx, desk, qtbot):
    from ostandari_desk.ui.inspections.area import tabs_for
    from ostandari_desk.ui.inspections.plan_page import PlanPage

    jy, jm = jalali.jalali_month_of(date.today())
    county_user = _as(ctx, "county", desk["ab"])
    page = PlanPage(county_user)
    qtbot.addWidget(page)
    assert not page.county_combo.isEnabled()  # fixed to their own county
    assert page.show_plan(desk["qz"], jy, jm) is None
    assert page.status.text() == OTHER_COUNTY_PLAN and page.model.rowCount() == 0

    manager = PlanPage(_as(ctx, "manager"))
    qtbot.addWidget(manager)
    plan = manager.show_plan(desk["qz"], jy, jm)
    assert plan is not None and [r.centre_id for r in plan.rows] == [desk["slaughter"]]
    assert manager.model.index(0, 4).data() == "کشتارگاه صنعتی قزوین"
    assert manager.model.index(0, 6).data() == "در انتظار"
    select_row(manager.table, 0)
    assert manager.visit_button.isEnabled() and not manager.open_button.isEnabled()

    assert "plan" not in [t.key for t in tabs_for(_as(ctx, "clerk").actor)]
    assert "plan" in [t.key for t in tabs_for(county_user.actor)]


# --- checklists -------------------------------------------------------------------------------------


def test_a_manager_creates_edits_and_activates_a_draft(ctx, desk, qtbot, errors):
    from ostandari_desk.ui.inspections.templates_page import TemplatesPage

    page = TemplatesPage(_as(ctx, "manager"))
    qtbot.addWidget(page)
    page.confirm = lambda *_a: True
    page.category_combo.setCurrentIndex(page.category_combo.findData(desk["cats"]["کشتارگاه"]))
    active = page.selected()
    assert active.state == "active" and page.item_model.rowCount() == active.item_count
    assert page.new_button.isVisible() or not page.isVisible()

    draft_id = page.new_draft()
    dialog = page.last_dialog
    assert draft_id and dialog is not None
    dialog.confirm = lambda *_a: True
    count = dialog.table.rowCount()
    assert count == active.item_count
    dialog.select_item(0)
    dialog.add_item()  # a new empty item at row 1
    assert dialog.table.rowCount() == count + 1
    assert not dialog.save()
    assert errors and "بند ۲" in errors[-1]
    assert dialog.current_row() == 1  # the refused item is selected
    dialog.table.item(1, 1).setText("دماسنج سردخانه کالیبره است")
    dialog.move_item(-1)  # now first
    dialog.title_edit.setText("چک‌لیست بازدید کشتارگاه — ویرایش ۱۴۰۵")
    assert dialog.save()

    saved = template_service.get_template(ctx.uow(), draft_id)
    assert saved.items[0].text == "دماسنج سردخانه کالیبره است"
    # the draft's «سابقه تغییرات» tab tells the version's changes and its items'
    from ostandari_desk.ui.inspections.template_editor import TemplateDraftDialog
    from ostandari_desk.ui.widgets.history import HISTORY_TAB_TITLE

    reopened = TemplateDraftDialog(_as(ctx, "manager"), draft_id)
    qtbot.addWidget(reopened)
    assert reopened.tabs.tabText(1) == HISTORY_TAB_TITLE and reopened.history_tab.record_ids == (draft_id,)
    reopened.history_tab.refresh()
    actions = {
        reopened.history_tab.model.cell_text(r, 3) for r in range(reopened.history_tab.model.rowCount())
    }
    assert any("بند چک‌لیست" in a for a in actions), actions
    assert reopened.table.rowCount() == count + 1 and not reopened.is_dirty()
    assert saved.title.endswith("ویرایش ۱۴۰۵") and len(saved.items) == count + 1

    assert page.selected().id == draft_id
    assert page.activate_selected()
    states = {t.id: t.state for t in template_service.list_templates(ctx.uow(), desk["cats"]["کشتارگاه"])}
    assert states == {draft_id: "active", active.id: "retired"}


def test_a_clerk_reads_checklists_but_cannot_edit_them(ctx, desk, qtbot, errors):
    from ostandari_desk.ui.inspections.templates_page import READ_ONLY_NOTE, TemplatesPage

    page = TemplatesPage(_as(ctx, "clerk"))
    qtbot.addWidget(page)
    page.show()
    assert page.note.text() == READ_ONLY_NOTE
    assert not any(b.isVisible() for b in page.manager_buttons)
    assert page.item_model.rowCount() > 0
    assert page.new_draft() is None  # the service refuses even if asked
    assert errors and "اجازه" in errors[-1]


# --- overdue actions and the start page ---------------------------------------------------------------


def test_overdue_actions_list_and_mark_done(ctx, desk, qtbot):
    from ostandari_desk.ui.inspections.actions_page import OverdueActionsPage

    page = OverdueActionsPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 1
    texts = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
    assert "کمپ امید آبیک" in texts[0] and texts[1] == "آبیک"
    assert texts[2] == "نبود پزشک کشیک" and texts[-1] == "۱۲ روز گذشته"
    select_row(page.table, 0)
    page.ask_date = lambda *_a: date.today()
    assert page.complete_selected()
    assert page.model.rowCount() == 0 and "معوقی نیست" in page.count_label.text()


def test_start_page_tiles_count_inspections_and_open_the_tab(ctx, desk, qtbot):
    from ostandari_desk.ui.inspections.area import InspectionsArea
    from ostandari_desk.ui.start_page import StartPage

    start = StartPage(ctx)
    qtbot.addWidget(start)
    start.refresh()
    qtbot.waitUntil(lambda: start.inspections is not None, timeout=5000)
    assert start.tiles["overdue_actions"].number_label.text().endswith("۱")
    assert start.tiles["critical_month"].number_label.text().endswith("۱")
    summary = start.inspections
    assert (
        start.tiles["month_coverage"]
        .number_label.text()
        .endswith(f"{jalali_digits(summary.month_done)}/{jalali_digits(summary.month_due)}")
    )
    with qtbot.waitSignal(start.open_area) as blocker:
        start.tiles["overdue_actions"].click()
    assert blocker.args == ["centres", {"tab": "actions"}]

    area = InspectionsArea(ctx)
    qtbot.addWidget(area)
    area.apply_filter(blocker.args[1])
    assert area.current_key() == "actions" and area.page("actions").model.rowCount() == 1
    wait_for_tasks()


def jalali_digits(n: int) -> str:
    from ostandari_desk.domain.text import format_number

    return format_number(n)
