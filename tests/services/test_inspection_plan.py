"""The monthly unannounced plan: who sees it, which centres are in it, stable but keyed by the desk's secret."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ostandari_desk import settings
from ostandari_desk.domain import inspection_plan as rules
from ostandari_desk.domain import jalali
from ostandari_desk.errors import PermissionDeniedError, ValidationError
from ostandari_desk.services.inspections import centres as cs
from ostandari_desk.services.inspections.plan import monthly_plan
from ostandari_desk.store.models import AuditEntry, Setting

from .inspection_seed import add_visit, categories, make_centre

d = jalali.from_jalali


@pytest.fixture
def county(desk):
    """قزوین with 12 active slaughterhouses, 4 addiction camps, an inactive one and a centre of آبیک."""
    cats = categories(desk.uow)
    qz = desk.counties["قزوین"]
    slaughter = [make_centre(desk.uow, qz, cats["کشتارگاه"]) for _ in range(12)]
    camps = [make_centre(desk.uow, qz, cats["کمپ ترک اعتیاد"]) for _ in range(4)]
    inactive = make_centre(desk.uow, qz, cats["کشتارگاه"])
    cs.set_centre_active(desk.uow, inactive, False, 1)
    make_centre(desk.uow, desk.counties["آبیک"], cats["کشتارگاه"])
    return {"id": qz, "slaughter": slaughter, "camps": camps, "inactive": inactive}


def test_every_due_centre_once_on_working_days(desk, county):
    plan = monthly_plan(desk.uow, county["id"], 1403, 7)
    assert sorted(r.centre_id for r in plan.rows) == sorted(county["slaughter"] + county["camps"])
    first, last = jalali.month_range(1403, 7)
    days = rules.working_days(1403, 7)
    for row in plan.rows:
        assert first <= row.planned_on <= last
        assert row.planned_on in days and row.planned_on.weekday() not in (3, 4)
        assert row.weekday_label not in ("پنجشنبه", "جمعه")
        assert not row.done and row.status_label == "در انتظار"
    assert [r.planned_on for r in plan.rows] == sorted(r.planned_on for r in plan.rows)
    assert plan.county_name == "قزوین" and plan.month_label == "مهر ۱۴۰۳"
    assert plan.pending_count == 16 and plan.done_count == 0


def test_stable_across_calls_different_across_months(desk, county):
    first = monthly_plan(desk.uow, county["id"], 1403, 7)
    again = monthly_plan(desk.uow, county["id"], 1403, 7)
    assert first == again
    other_month = monthly_plan(desk.uow, county["id"], 1403, 8)
    assert [r.centre_id for r in other_month.rows] != [r.centre_id for r in first.rows]


def test_the_plan_is_keyed_by_the_desks_secret(desk, county):
    """The secret is made once, kept out of the audit trail, and another secret gives another plan."""
    before = monthly_plan(desk.uow, county["id"], 1403, 7)
    with desk.uow as uow:
        stored = uow.s.get(Setting, "inspection_plan_secret").value
        entries = uow.s.execute(
            select(AuditEntry.changes, AuditEntry.detail).where(
                AuditEntry.record_id == "inspection_plan_secret"
            )
        ).all()
    assert len(stored) > 60
    [(changes, detail)] = entries
    assert changes == "" and stored.strip('"') not in detail
    monthly_plan(desk.uow, county["id"], 1403, 8)
    with desk.uow as uow:
        assert uow.s.get(Setting, "inspection_plan_secret").value == stored  # made once
    settings.set_setting(desk.uow, "inspection_plan_secret", "another desk's secret")
    after = monthly_plan(desk.uow, county["id"], 1403, 7)
    assert sorted(r.centre_id for r in after.rows) == sorted(r.centre_id for r in before.rows)
    assert [(r.centre_id, r.planned_on) for r in after.rows] != [
        (r.centre_id, r.planned_on) for r in before.rows
    ]


def test_done_and_pending(desk, county):
    visited = county["slaughter"][0]
    first_visit = add_visit(desk.uow, visited, d(1403, 7, 3))
    add_visit(desk.uow, visited, d(1403, 7, 20))  # a second visit: the first one is shown
    add_visit(desk.uow, county["camps"][0], d(1403, 6, 31))  # the month before
    add_visit(desk.uow, county["inactive"], d(1403, 7, 5))  # not due: not in the plan
    plan = monthly_plan(desk.uow, county["id"], 1403, 7)
    rows = {r.centre_id: r for r in plan.rows}
    assert rows[visited].done and rows[visited].visit_id == first_visit
    assert rows[visited].visited_on == d(1403, 7, 3) and rows[visited].status_label == "انجام‌شده"
    assert not rows[county["camps"][0]].done
    assert county["inactive"] not in rows
    assert (plan.done_count, plan.pending_count) == (1, 15)


def test_frequency_setting_decides_the_due_months(desk, county):
    settings.set_setting(desk.uow, "inspection_interval_months", {"كمپ ترك اعتياد": 3})
    in_due_month = {r.centre_id for r in monthly_plan(desk.uow, county["id"], 1403, 7).rows}
    off_month = {r.centre_id for r in monthly_plan(desk.uow, county["id"], 1403, 8).rows}
    assert set(county["camps"]) <= in_due_month
    assert off_month == set(county["slaughter"])
    with pytest.raises(ValidationError):
        settings.set_setting(desk.uow, "inspection_interval_months", {"کشتارگاه": 0})
    with pytest.raises(ValidationError):
        settings.set_setting(desk.uow, "inspection_interval_months", {"کشتارگاه": "ماهانه"})


def test_who_may_see_a_plan(desk, county, uow_as):
    qz, abyek = county["id"], desk.counties["آبیک"]
    assert monthly_plan(uow_as("manager"), qz, 1403, 7).rows
    own = monthly_plan(uow_as("county", qz), qz, 1403, 7)
    assert own == monthly_plan(desk.uow, qz, 1403, 7)
    with pytest.raises(PermissionDeniedError) as err:
        monthly_plan(uow_as("county", abyek), qz, 1403, 7)
    assert "شهرستان دیگر" in err.value.message
    with pytest.raises(PermissionDeniedError) as err:
        monthly_plan(uow_as("clerk"), qz, 1403, 7)
    assert "کارشناس استان" in err.value.message


def test_a_refused_user_does_not_make_the_secret(desk, county, uow_as):
    with pytest.raises(PermissionDeniedError):
        monthly_plan(uow_as("clerk"), county["id"], 1403, 7)
    with desk.uow as uow:
        assert uow.s.get(Setting, "inspection_plan_secret") is None


@pytest.mark.parametrize(
    ("year", "month", "field"), [(1403, 13, "month"), (1403, 0, "month"), (999, 1, "year")]
)
def test_an_impossible_month_is_refused(desk, county, year, month, field):
    with pytest.raises(ValidationError) as err:
        monthly_plan(desk.uow, county["id"], year, month)
    assert err.value.field == field
