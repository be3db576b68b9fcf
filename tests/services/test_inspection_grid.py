"""The county × month grid: done against due, the four states (a missed month among them), county scope, the
cell's visits, the start page's figures, and the index that keeps a year of a million visits quick."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, text

from ostandari_desk import settings
from ostandari_desk.domain import jalali
from ostandari_desk.errors import PermissionDeniedError
from ostandari_desk.services import reference
from ostandari_desk.services.inspections import centres as cs
from ostandari_desk.services.inspections.grid import coverage_grid, inspection_summary, visits_in_cell

from .inspection_seed import add_visit, categories, make_centre

d = jalali.from_jalali
TODAY = d(1403, 7, 15)


@pytest.fixture
def seeded(desk):
    """قزوین: two slaughterhouses and a camp, visited in 1403 with a partial month (3), a missed one (5) and
    the current month (7) under way; آبیک: one slaughterhouse visited twice in month 1; an inactive centre."""
    cats = categories(desk.uow)
    qz, ab = desk.counties["قزوین"], desk.counties["آبیک"]
    s1 = make_centre(desk.uow, qz, cats["کشتارگاه"])
    s2 = make_centre(desk.uow, qz, cats["کشتارگاه"])
    camp = make_centre(desk.uow, qz, cats["کمپ ترک اعتیاد"])
    gone = make_centre(desk.uow, qz, cats["کشتارگاه"])
    cs.set_centre_active(desk.uow, gone, False, 1)
    ab1 = make_centre(desk.uow, ab, cats["کشتارگاه"])
    for month in (1, 2, 3, 4, 6):
        add_visit(desk.uow, s1, d(1403, month, 10))
        add_visit(desk.uow, s2, d(1403, month, 11), result="serious" if month == 6 else "good")
        if month != 3:
            add_visit(desk.uow, camp, d(1403, month, 12))
    add_visit(desk.uow, s1, d(1403, 7, 2), findings=(("دمای سردخانه بالا", "critical"),))
    add_visit(desk.uow, gone, d(1403, 2, 3))  # an inactive centre: done, never due
    add_visit(desk.uow, ab1, d(1403, 1, 5))
    add_visit(desk.uow, ab1, d(1403, 1, 25), announced=True)
    add_visit(desk.uow, s1, d(1402, 12, 5))  # last year: not in 1403's grid
    return {"qz": qz, "ab": ab, "cats": cats, "s1": s1, "s2": s2, "camp": camp, "gone": gone}


def _states(row):
    return [c.state for c in row.cells]


def test_states_of_a_county_and_its_categories(desk, seeded):
    grid = coverage_grid(desk.uow, 1403, TODAY, with_visits=True)
    assert grid.today_month == 7
    qz = grid.row(seeded["qz"])
    assert qz.name == "قزوین" and qz.category_id is None
    assert [(c.done, c.due) for c in qz.cells[:7]] == [(3, 3), (4, 3), (2, 3), (3, 3), (0, 3), (3, 3), (1, 3)]
    assert (
        _states(qz)
        == ["covered", "covered", "partial", "covered", "none", "covered", "partial"] + ["not_due"] * 5
    )
    assert qz.cells[4].missed and qz.cells[4].state_label == "بدون بازدید"
    slaughter, camp = qz.children
    assert (slaughter.name, camp.name) == ("کشتارگاه", "کمپ ترک اعتیاد")
    assert [(c.done, c.due) for c in slaughter.cells[:3]] == [
        (2, 2),
        (3, 2),
        (2, 2),
    ]  # month 2: the inactive one
    assert _states(camp)[:7] == ["covered", "covered", "none", "covered", "none", "covered", "none"]
    assert qz.cells[7].due == 3 and qz.cells[7].state == "not_due"  # due later, not yet
    # the year: months 1–7 counted
    assert (qz.total.done, qz.total.due, qz.total.visits) == (16, 21, 16)
    assert qz.total.state == "partial"


def test_a_county_is_covered_only_when_each_category_is(desk, seeded):
    """A visit too many to the slaughterhouses (the inactive one) does not make up for the camp missed in month 3."""
    add_visit(desk.uow, seeded["gone"], d(1403, 3, 20))
    qz = coverage_grid(desk.uow, 1403, TODAY).row(seeded["qz"])
    assert (qz.cells[2].done, qz.cells[2].due) == (3, 3)
    assert qz.cells[2].state == "partial"
    slaughter, camp = qz.children
    assert slaughter.cells[2].state == "covered" and camp.cells[2].state == "none"


def test_visits_count_every_visit_done_counts_each_centre_once(desk, seeded):
    assert coverage_grid(desk.uow, 1403, TODAY).total.visits is None  # not counted unless asked for
    grid = coverage_grid(desk.uow, 1403, TODAY, with_visits=True)
    ab = grid.row(seeded["ab"])
    assert (ab.cells[0].done, ab.cells[0].due, ab.cells[0].visits) == (1, 1, 2)
    assert _states(ab)[:7] == ["covered"] + ["none"] * 6
    assert [r.name for r in grid.rows][:3] == ["قزوین", "البرز", "آبیک"]  # every active county, in list order
    albors = grid.row(desk.counties["البرز"])
    assert albors.children == () and _states(albors) == ["not_due"] * 12
    assert [(c.done, c.due) for c in grid.month_totals[:2]] == [(4, 4), (4, 4)]
    assert grid.month_totals[4].state == "none"
    assert grid.total.due == 21 + 7


def test_past_and_future_years(desk, seeded):
    past = coverage_grid(desk.uow, 1403, d(1404, 2, 1))
    assert past.today_month == 0
    assert all(c.state != "not_due" for c in past.row(seeded["qz"]).cells)
    future = coverage_grid(desk.uow, 1404, TODAY)
    assert all(c.state == "not_due" for c in future.row(seeded["qz"]).cells)


def test_frequency_setting_changes_what_is_due(desk, seeded):
    settings.set_setting(desk.uow, "inspection_interval_months", {"کمپ ترک اعتیاد": 3})
    camp = coverage_grid(desk.uow, 1403, TODAY).row(seeded["qz"]).children[1]
    assert [c.due for c in camp.cells] == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0]
    assert camp.cells[1].state == "not_due" and camp.cells[1].done == 1  # visited though not due
    assert camp.cells[6].state == "none"


def test_a_county_user_sees_only_their_county(desk, seeded, uow_as):
    county_uow = uow_as("county", seeded["ab"])
    grid = coverage_grid(county_uow, 1403, TODAY, with_visits=True)
    assert [r.county_id for r in grid.rows] == [seeded["ab"]]
    assert grid.total.visits == 2
    with pytest.raises(PermissionDeniedError):
        visits_in_cell(county_uow, 1403, 1, seeded["qz"])
    assert len(visits_in_cell(county_uow, 1403, 1, seeded["ab"])) == 2


def test_visits_in_a_cell(desk, seeded):
    rows = visits_in_cell(desk.uow, 1403, 6, seeded["qz"])
    assert [r.inspected_on for r in rows] == [d(1403, 6, 12), d(1403, 6, 11), d(1403, 6, 10)]  # newest first
    assert rows[1].result_label == "تخلف جدی" and rows[1].kind_label == "سرزده"
    assert rows[0].category_name == "کمپ ترک اعتیاد" and rows[0].date_text == "۱۴۰۳/۰۶/۱۲"
    only = visits_in_cell(desk.uow, 1403, 6, seeded["qz"], seeded["cats"]["کمپ ترک اعتیاد"])
    assert [r.centre_id for r in only] == [seeded["camp"]]
    assert visits_in_cell(desk.uow, 1403, 5, seeded["qz"]) == []


def test_start_page_summary(desk, seeded, uow_as):
    qz_centre = seeded["s2"]
    add_visit(
        desk.uow,
        qz_centre,
        d(1403, 7, 3),
        result="needs_fix",
        findings=(("نبود کارت بهداشت", "major"),),
        action={"action": "اخذ کارت", "deadline": d(1403, 7, 10)},
    )
    add_visit(
        desk.uow,
        seeded["s1"],
        d(1403, 6, 1),
        findings=(("پسماند", "minor"),),
        action={"action": "جمع‌آوری", "deadline": d(1403, 6, 20), "done_on": d(1403, 6, 18)},
    )
    add_visit(desk.uow, seeded["camp"], d(1403, 7, 14), result="serious")
    summary = inspection_summary(desk.uow, TODAY)
    assert summary.overdue_actions == 1
    assert (summary.jalali_year, summary.jalali_month, summary.month_label) == (1403, 7, "مهر")
    # قزوین: both slaughterhouses and the camp; آبیک's one not yet
    assert (summary.month_done, summary.month_due) == (3, 4)
    assert summary.month_state == "partial"
    assert summary.critical_count == 2  # a critical finding, a serious result
    assert {v.inspected_on for v in summary.critical} == {d(1403, 7, 2), d(1403, 7, 14)}
    abyek = inspection_summary(uow_as("county", seeded["ab"]), TODAY)
    assert (abyek.overdue_actions, abyek.month_done, abyek.month_due, abyek.critical_count) == (0, 0, 1, 0)
    assert abyek.month_state == "none"


def _plans(desk, call) -> list[tuple[str, str]]:
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((" ".join(statement.split()), parameters))

    event.listen(desk.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(desk.engine, "before_cursor_execute", capture)
    with desk.engine.connect() as conn:
        return [
            (sql, " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)))
            for sql, params in seen
        ]


@pytest.mark.sqlite_only  # SQLite's query plans
def test_the_grid_reads_only_the_coverage_tables_primary_key(desk, seeded):
    """A year of a million visits stays under 100 ms because a cell's distinct centres are rows of
    inspectioncoverage, counted along its primary key, one range per county, in its order (no visit read,
    no sort, no DISTINCT); the paper's visit counts are summed in the same pass."""
    for with_visits in (False, True):
        seen = _plans(desk, lambda w=with_visits: coverage_grid(desk.uow, 1403, TODAY, with_visits=w))
        assert not [sql for sql, _ in seen if re.search(r"\bFROM inspection\b", sql)], seen
        [plan] = [p for sql, p in seen if "FROM inspectioncoverage" in sql]
        assert plan == "SEARCH inspectioncoverage USING PRIMARY KEY (county_id=? AND jalali_year=?)", plan
    summary = _plans(desk, lambda: inspection_summary(desk.uow, TODAY))
    [month] = [p for sql, p in summary if "FROM inspectioncoverage" in sql]
    assert (
        month
        == "SEARCH inspectioncoverage USING PRIMARY KEY (county_id=? AND jalali_year=? AND jalali_month=?)"
    )
    # the month's critical visits come by the period index; the newest few then by their ids
    visits = [p for sql, p in summary if re.search(r"\bFROM inspection\b", sql)]
    assert len(visits) == 2 and "ix_inspection_county_period" in visits[0], visits
    assert all("SCAN inspection" not in p for p in visits), visits


def _coverage(engine) -> tuple[list[tuple], list[tuple]]:
    """(the coverage table, what a GROUP BY over the visits says it should hold)."""
    with engine.connect() as conn:
        table = conn.exec_driver_sql("SELECT * FROM inspectioncoverage ORDER BY 1, 2, 3, 4, 5").fetchall()
        truth = conn.exec_driver_sql(
            "SELECT coalesce(county_id, ''), jalali_year, jalali_month, category_id, centre_id, count(*) "
            "FROM inspection GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
        ).fetchall()
    return table, truth


def test_the_coverage_table_follows_every_write_below_the_services(desk, seeded):
    """Triggers keep inspectioncoverage: a visit added, moved to another month, county or centre, deleted —
    by the services or by plain SQL (an import, a script) — and the grid counts it at once."""
    table, truth = _coverage(desk.engine)
    assert table == truth and len(table) == 18  # آبیک's two visits of one centre in month 1: one row
    qz, s1, s2 = seeded["qz"], seeded["s1"], seeded["s2"]
    with desk.engine.begin() as conn:
        # s2's month-6 visit moves to month 5 (the missed month is visited now)
        conn.execute(
            text(
                "UPDATE inspection SET jalali_month = 5 "
                "WHERE centre_id = :c AND jalali_year = 1403 AND jalali_month = 6"
            ),
            {"c": s2},
        )
        # s1's month-2 visit becomes a second visit of s2 in month 2 (s1 no longer visited in month 2)
        conn.execute(
            text(
                "UPDATE inspection SET centre_id = :to "
                "WHERE centre_id = :c AND jalali_year = 1403 AND jalali_month = 2"
            ),
            {"to": s2, "c": s1},
        )
        conn.execute(text("UPDATE inspection SET notes = 'بی‌اثر بر پوشش' WHERE centre_id = :c"), {"c": s1})
    table, truth = _coverage(desk.engine)
    assert table == truth
    grid = coverage_grid(desk.uow, 1403, TODAY, with_visits=True)
    slaughter = next(ch for ch in grid.row(qz).children if ch.category_id == seeded["cats"]["کشتارگاه"])
    assert [(c.done, c.visits) for c in slaughter.cells[1:6]] == [(2, 3), (2, 2), (2, 2), (1, 1), (1, 1)]
    with desk.engine.begin() as conn:  # deleting visits takes their rows away at zero
        conn.execute(
            text(
                "DELETE FROM finding WHERE inspection_id IN "
                "(SELECT id FROM inspection WHERE centre_id = :c AND jalali_month = 2)"
            ),
            {"c": s2},
        )
        conn.execute(text("DELETE FROM inspection WHERE centre_id = :c AND jalali_month = 2"), {"c": s2})
    table, truth = _coverage(desk.engine)
    assert table == truth
    assert not [r for r in table if r[4] == s2 and r[2] == 2]
    assert [r[5] for r in table if r[4] == s1 and r[2] == 1] == [1]
    add_visit(desk.uow, s2, d(1403, 2, 20))
    assert _coverage(desk.engine)[0] == _coverage(desk.engine)[1]
    assert coverage_grid(desk.uow, 1403, TODAY).row(qz).cells[1].done == 3  # s2, the inactive one, the camp


def test_a_hidden_county_stays_while_it_has_centres_or_visits(desk, seeded):
    reference.set_county_active(desk.uow, seeded["ab"], False)
    reference.set_county_active(desk.uow, desk.counties["آوج"], False)
    names = [r.name for r in coverage_grid(desk.uow, 1403, TODAY).rows]
    assert "آبیک" in names and "آوج" not in names
