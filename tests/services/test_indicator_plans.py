"""The annual counts read indexes, not tables: EXPLAIN QUERY PLAN of each source's count (revision 0011).

On the 2 GB demo a count that scans payments, inquiries or cases costs 0.1–0.3 s; these plans keep the
report's counting a set of index ranges (SQLite's plans; the database has no statistics, as the app's).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from ostandari_desk.services.indicators import INDICATORS, SOURCES, Period
from ostandari_desk.services.indicators.counting import Counts, _count_source

LAST, THIS = Period(date(2024, 3, 20), date(2025, 3, 20)), Period(date(2025, 3, 21), date(2026, 3, 20))

# source -> (table, index the count must read it through, covering)
EXPECTED = {
    "payments": ("payment", "ix_payment_paid_memorandum_amount", True),
    "answers": ("inquiry", "ix_inquiry_answered_case", True),
    "inquiries": ("inquiry", "ix_inquiry_sent_case", True),
    "decisions": ("licencecase", "ix_licencecase_decided", True),
    "steps": ("licencestep", "ix_step_kind_date_county", True),
    "letters": ("letter", "ix_letter_kind_date_county", True),
}


# tables of hundreds of thousands of rows on a large desk
LARGE = {"payment", "inquiry", "licencecase", "licencestep", "letter", "memorandum", "event", "inspection"}


def _plans(desk, county_id: str | None) -> dict[str, list[str]]:
    by_source = defaultdict(list)
    for ind in INDICATORS:
        by_source[ind.source].append(ind)
    plans: dict[str, list[str]] = {}
    with desk.uow as uow:
        conn = uow.s.connection()
        for key, inds in by_source.items():

            def explain(stmt, key=key):
                compiled = stmt.compile(desk.engine, compile_kwargs={"literal_binds": True})
                plans[key] = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
                return []

            _count_source(uow, SOURCES[key], inds, LAST, THIS, county_id, Counts(), explain)
    return plans


@pytest.mark.sqlite_only  # SQLite's query plans
@pytest.mark.parametrize("per_county", [False, True], ids=["province", "one county"])
def test_the_annual_counts_read_covering_indexes(desk, per_county):
    county_id = None
    if per_county:
        with desk.uow as uow:
            county_id = uow.s.connection().exec_driver_sql("SELECT id FROM county LIMIT 1").scalar()
    plans = _plans(desk, county_id)
    # one county's counts may start from the county's own rows (its memoranda, its cases) instead
    for key, (table, index, covering) in EXPECTED.items() if county_id is None else ():
        plan = plans[key]
        kind = "COVERING INDEX" if covering else "INDEX"
        assert any(step.startswith(f"SEARCH {table} USING {kind} {index} (") for step in plan), (key, plan)
    # the decisions' uncased steps come from their own small index, not every decision step's row
    assert any("ix_licencestep_uncased" in step for step in plans["decisions"]), plans["decisions"]
    # no count scans a large table (small ones, read once, may be: offices, corrective actions)
    for key, plan in plans.items():
        scanned = [step for step in plan if step.startswith("SCAN ") and step.split()[1] in LARGE]
        assert not scanned, (key, plan)


@pytest.mark.sqlite_only  # SQLite's query plans
def test_one_countys_counts_never_probe_a_date_range_per_row(desk):
    """A county's answers once read every answer of two years per case of the county (+case_id kept the
    planner off ix_inquiry_case_id): 107 s on the 2 GB demo. A date range may be a join's outer loop only, or
    follow a key's equality (a memorandum's payments of two years: ix_payment_memorandum_paid)."""
    by_source = defaultdict(list)
    for ind in INDICATORS:
        by_source[ind.source].append(ind)
    with desk.uow as uow:
        conn = uow.s.connection()
        county_id = conn.exec_driver_sql("SELECT id FROM county LIMIT 1").scalar()
        for key, inds in by_source.items():
            loops: dict[int, list[str]] = defaultdict(list)  # a join's tables under one parent, outer first

            def explain(stmt, loops=loops):
                compiled = stmt.compile(desk.engine, compile_kwargs={"literal_binds": True})
                for _id, parent, _, detail in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"):
                    if detail.startswith(("SEARCH ", "SCAN ")):
                        loops[parent].append(detail)
                return []

            _count_source(uow, SOURCES[key], inds, LAST, THIS, county_id, Counts(), explain)
            for steps in loops.values():
                inner = [s for s in steps[1:] if s.split()[1] in LARGE and ">" in _first_constraint(s)]
                assert not inner, (key, steps)


def _first_constraint(step: str) -> str:
    """«paid_on>?» of «SEARCH payment USING … (paid_on>? AND paid_on<?)»: what the probe seeks first."""
    return step.partition("(")[2].split(" AND ")[0]


def _outer(plan: list[str]) -> str:
    """The table and index a plan starts from (its first SEARCH or SCAN)."""
    return next(step for step in plan if step.startswith(("SEARCH ", "SCAN ")))


def _start(plan: list[str]) -> tuple[str, str]:
    """Where a plan starts: its first table and what it seeks there (a range of «done_on»), or the index it
    scans (covering or not: one county's rows need a column more)."""
    step = _outer(plan)
    table = step.split()[1]
    if step.startswith("SEARCH "):
        return table, _first_constraint(step).partition(">")[0]
    return table, step.replace("COVERING ", "")


@pytest.mark.sqlite_only  # SQLite's query plans
def test_one_countys_counts_start_where_the_provinces_do(desk):
    """One county's count reads the index the province's reads, the county a filter on each row found
    (started from the county's visits, its referrals and inspections read every visit of every year: 0.35 s
    and 0.2 s on the 2 GB demo). A ``county_first`` source starts from the county's own rows instead."""
    with desk.uow as uow:
        county_id = uow.s.connection().exec_driver_sql("SELECT id FROM county LIMIT 1").scalar()
    province, county = _plans(desk, None), _plans(desk, county_id)
    for key, plan in county.items():
        if SOURCES[key].county_first:
            assert "(county_id=?" in _outer(plan), (key, plan)
        else:
            assert _start(plan) == _start(province[key]), (key, plan, province[key])


@pytest.mark.sqlite_only  # SQLite's query plans
@pytest.mark.parametrize("per_county", [False, True], ids=["province", "one county"])
def test_inquiries_find_each_cases_county_once(desk, per_county):
    """Inquiries and answers are counted per case, then each case's county is found (Source.through): a
    probe per case, not one per inquiry (answers: 37 ms instead of 124 on the 2 GB demo)."""
    county_id = None
    if per_county:
        with desk.uow as uow:
            county_id = uow.s.connection().exec_driver_sql("SELECT id FROM county LIMIT 1").scalar()
    plans = _plans(desk, county_id)
    for key in ("inquiries", "answers"):
        plan = plans[key]
        probes = [i for i, step in enumerate(plan) if step.startswith("SEARCH licencecase")]
        assert probes and all(plan[i - 1] == "SCAN per_key" for i in probes), (key, plan)


@pytest.mark.sqlite_only  # SQLite's query plans
def test_one_countys_payments_and_closed_actions_read_indexes_alone(desk):
    """From the county's memoranda to their payments, from its visits to their findings and closed actions:
    every step an index holding the keys and dates it needs (revision 0013; one county of the 2 GB demo, a
    fresh process: payments 140 → 59 ms, closed actions 290 → 74, the visits' rows being the widest)."""
    with desk.uow as uow:
        county_id = uow.s.connection().exec_driver_sql("SELECT id FROM county LIMIT 1").scalar()
    plans = _plans(desk, county_id)
    for key in ("payments", "actions_closed"):
        steps = [
            step for step in plans[key] if step.startswith(("SEARCH ", "SCAN ")) and "per_day" not in step
        ]
        assert len(steps) > 1 and all(" USING COVERING INDEX " in step for step in steps), (key, steps)
