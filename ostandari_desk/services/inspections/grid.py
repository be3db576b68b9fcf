"""The county × month coverage grid of a Jalali year, the visits behind one cell, and the start page's figures.

A cell counts the distinct centres visited that month (done) against the active centres due that month (due,
by each category's visit frequency; see plan.py). The visits come from ONE grouped statement over the
``inspectioncoverage`` table (store/models.py: one row per county, year, month, category and centre with its
visits, kept by triggers on inspection): a cell's distinct centres are its rows, counted along the table's
primary key, one range per county, in its order (no sort, no DISTINCT: a ``count(DISTINCT centre_id)`` over
the half million visits of a year took as long again as reading them). The visits of each cell
(``with_visits``, for the paper) are the sum of the same rows. Centres are counted from their own table
(thousands of rows).

A county's cell is covered only when each of its categories is: its state is decided on the done figures
capped at each category's due (ten visits to one category do not make up for a missed other one). A county user
sees only their own county.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import col

from ostandari_desk.domain import inspection_plan as rules
from ostandari_desk.domain.inspections import RESULT_LABELS, VISIT_KIND_LABELS
from ostandari_desk.domain.jalali import format_jalali, jalali_month_of, month_name
from ostandari_desk.services import reference
from ostandari_desk.services.inspections.plan import category_intervals
from ostandari_desk.store.models import (
    Centre,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionCoverage,
    ReferenceItem,
)
from ostandari_desk.store.uow import UnitOfWork

CATEGORY_KIND = "centre_category"
MONTHS = tuple(range(1, 13))
CRITICAL_LIMIT = 20

_INSP = Inspection.__table__.c
_COVER = InspectionCoverage.__table__.c
_CENTRE = Centre.__table__.c
_ACTION = CorrectiveAction.__table__.c
_FINDING = Finding.__table__.c


@dataclass(frozen=True)
class GridCell:
    month: int  # 1–12; 0 for a year total
    done: int  # distinct centres visited
    due: int  # active centres due
    visits: int | None  # visits made (re-inspections included); None unless asked for (with_visits)
    state: str  # covered | partial | none | not_due

    @property
    def state_label(self) -> str:
        return rules.COVERAGE_LABELS[self.state]

    @property
    def missed(self) -> bool:
        return self.state == rules.NONE


@dataclass(frozen=True)
class GridRow:
    county_id: str
    category_id: str | None  # None: the county's own row
    name: str
    cells: tuple[GridCell, ...]  # the 12 months
    total: GridCell  # the year (months ahead of today left out of «due»)
    children: tuple[GridRow, ...] = ()  # a county's categories


@dataclass(frozen=True)
class Grid:
    jalali_year: int
    today_month: int  # today's month when the grid's year is the current one, else 0
    rows: tuple[GridRow, ...]
    month_totals: tuple[GridCell, ...]
    total: GridCell

    def row(self, county_id: str) -> GridRow:
        for r in self.rows:
            if r.county_id == county_id:
                return r
        raise KeyError(county_id)


@dataclass(frozen=True)
class CellVisit:
    """One visit of a clicked cell."""

    id: str
    centre_id: str
    centre_code: str
    centre_name: str
    category_name: str
    inspected_at: datetime
    inspected_on: date
    announced: bool
    inspectors: str
    score: int | None
    result: str
    state: str

    @property
    def date_text(self) -> str:
        return format_jalali(self.inspected_on)

    @property
    def kind_label(self) -> str:
        return VISIT_KIND_LABELS[bool(self.announced)]

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result)


@dataclass(frozen=True)
class InspectionSummary:
    """The start page's inspection figures."""

    overdue_actions: int
    jalali_year: int
    jalali_month: int
    month_done: int  # distinct due centres visited this month (capped per county and category)
    month_due: int
    month_state: str
    critical_count: int  # this month's visits with a critical finding or a serious result
    critical: tuple[CellVisit, ...]  # the newest of them

    @property
    def month_label(self) -> str:
        return month_name(self.jalali_month)

    @property
    def month_state_label(self) -> str:
        return rules.COVERAGE_LABELS[self.month_state]


# --- building blocks ------------------------------------------------------------------------------


def _counties(uow: UnitOfWork) -> list[reference.CountyRow]:
    """The counties in scope, hidden ones too (the grid drops those without centres or visits)."""
    scope = uow.county_scope
    counties = reference.list_counties(uow, include_inactive=True)
    return [c for c in counties if c.id == scope] if scope else counties


def _categories(uow: UnitOfWork) -> list[tuple[str, str]]:
    stmt = (
        select(ReferenceItem.id, ReferenceItem.name)
        .where(ReferenceItem.kind == CATEGORY_KIND)
        .order_by(ReferenceItem.position, ReferenceItem.name_key)
    )
    return [(cid, name) for cid, name in uow.s.execute(stmt)]


def _active_centres(uow: UnitOfWork, county_ids: list[str]) -> dict[tuple[str, str], int]:
    """{(county, category): active centres} of ``county_ids``.

    Counted from ``ix_centre_active_county_category`` alone, in its order: grouping on the bare columns
    (not ``coalesce(county_id, '')``, which made SQLite sort: five times slower at 50,000 centres).
    """
    wanted = set(county_ids)
    scope = uow.county_scope
    stmt = select(_CENTRE.county_id, _CENTRE.category_id, func.count()).where(_CENTRE.active == True)
    if scope:
        stmt = stmt.where(_CENTRE.county_id == scope)
    stmt = stmt.group_by(_CENTRE.county_id, _CENTRE.category_id)
    return {(c, cat): int(n) for c, cat, n in uow.s.execute(stmt) if c in wanted}


def visited_statement(
    county_ids: list[str], jalali_year: int, month: int | None = None, *, with_visits: bool = False
):
    """(county, month, category, distinct centres[, visits]) of a year (or one month): the grid's statement,
    along the primary key of ``inspectioncoverage``."""
    conds = [col(_COVER.county_id).in_(county_ids), _COVER.jalali_year == jalali_year]
    if month is not None:
        conds.append(_COVER.jalali_month == month)
    figures = [func.count(), func.sum(_COVER.visits)] if with_visits else [func.count()]
    return (
        select(_COVER.county_id, _COVER.jalali_month, _COVER.category_id, *figures)
        .where(*conds)
        .group_by(_COVER.county_id, _COVER.jalali_month, _COVER.category_id)
    )


def _sum_visits(cells) -> int | None:
    counts = [c.visits for c in cells]
    return None if any(v is None for v in counts) else sum(counts)  # type: ignore[arg-type]


def _aggregate(cells: list[GridCell], month: int, future: bool) -> GridCell:
    """A parent's cell: done and due summed; the state from done capped at each child's due."""
    done = sum(c.done for c in cells)
    due = sum(c.due for c in cells)
    capped = sum(min(c.done, c.due) for c in cells)
    return GridCell(month, done, due, _sum_visits(cells), rules.coverage_state(capped, due, future))


def _year_total(cells: tuple[GridCell, ...]) -> GridCell:
    """The year: every visit counted, «due» only over the months that are due and not ahead of today; covered
    when each such month is, none when none of them had a visit."""
    eligible = [c for c in cells if c.state != rules.NOT_DUE]
    done = sum(c.done for c in cells)
    visits = _sum_visits(cells)
    due = sum(c.due for c in eligible)
    if not eligible:
        state = rules.NOT_DUE
    elif all(c.state == rules.COVERED for c in eligible):
        state = rules.COVERED
    elif all(c.state == rules.NONE for c in eligible):
        state = rules.NONE
    else:
        state = rules.PARTIAL
    return GridCell(0, done, due, visits, state)


# --- the grid -------------------------------------------------------------------------------------


def coverage_grid(uow: UnitOfWork, jalali_year: int, today: date, *, with_visits: bool = False) -> Grid:
    """The year's grid: a row per county (children per category), 12 monthly cells and the year's total.

    ``with_visits`` also counts the visits of each cell (summed in the same pass); otherwise a cell's
    ``visits`` is None.
    """
    ty, tm = jalali_month_of(today)
    with uow:
        counties = _counties(uow)
        county_ids = [c.id for c in counties]
        categories = _categories(uow)
        intervals = category_intervals(uow)
        centres = _active_centres(uow, county_ids)
        visited: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        counts: dict[tuple[str, str, int], int] | None = {} if with_visits else None
        stmt = visited_statement(county_ids, jalali_year, with_visits=with_visits)
        for county, month, cat, done, *visits in uow.s.execute(stmt):
            visited[(county, cat)][int(month)] = int(done)
            if counts is not None:
                counts[(county, cat, int(month))] = int(visits[0])
    future = {m: rules.is_future_month(jalali_year, m, ty, tm) for m in MONTHS}
    rows = []
    for county in counties:
        children = []
        for cat_id, cat_name in categories:
            active = centres.get((county.id, cat_id), 0)
            seen = visited.get((county.id, cat_id), {})
            if not active and not seen:
                continue
            interval = intervals.get(cat_id, rules.DEFAULT_INTERVAL)
            cells = []
            for m in MONTHS:
                due = active if rules.is_due(interval, jalali_year, m) else 0
                done = seen.get(m, 0)
                visits = counts.get((county.id, cat_id, m), 0) if counts is not None else None
                cells.append(GridCell(m, done, due, visits, rules.coverage_state(done, due, future[m])))
            cat_cells = tuple(cells)
            children.append(GridRow(county.id, cat_id, cat_name, cat_cells, _year_total(cat_cells)))
        if not county.active and not children:
            continue  # a county hidden since, with nothing to show
        county_cells = tuple(_aggregate([ch.cells[m - 1] for ch in children], m, future[m]) for m in MONTHS)
        rows.append(
            GridRow(county.id, None, county.name, county_cells, _year_total(county_cells), tuple(children))
        )
    leaves = [ch for r in rows for ch in r.children]
    month_totals = tuple(_aggregate([ch.cells[m - 1] for ch in leaves], m, future[m]) for m in MONTHS)
    return Grid(
        jalali_year=int(jalali_year),
        today_month=tm if ty == jalali_year else 0,
        rows=tuple(rows),
        month_totals=month_totals,
        total=_year_total(month_totals),
    )


def _visit_rows(uow: UnitOfWork, conds: list, limit: int | None = None) -> list[CellVisit]:
    stmt = (
        select(Inspection, Centre.code, Centre.name, ReferenceItem.name)
        .join(Centre, Centre.id == Inspection.centre_id)
        .join(ReferenceItem, ReferenceItem.id == Inspection.category_id)
        .where(*conds)
        .order_by(col(Inspection.inspected_at).desc(), col(Inspection.id).desc())
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        CellVisit(
            id=v.id,
            centre_id=v.centre_id,
            centre_code=code,
            centre_name=name,
            category_name=category,
            inspected_at=v.inspected_at,
            inspected_on=v.inspected_on,
            announced=bool(v.announced),
            inspectors=v.inspectors,
            score=v.score,
            result=v.result,
            state=v.state,
        )
        for v, code, name, category in uow.s.execute(stmt)
    ]


def visits_in_cell(
    uow: UnitOfWork, jalali_year: int, jalali_month: int, county_id: str, category_id: str | None = None
) -> list[CellVisit]:
    """The visits of a clicked cell (a county's, or one of its categories'), newest first.

    Raises:
        PermissionDeniedError: a county user asking for another county.
    """
    with uow:
        uow.check_county(county_id)
        conds = [
            Inspection.county_id == county_id,
            Inspection.jalali_year == jalali_year,
            Inspection.jalali_month == jalali_month,
        ]
        if category_id is not None:
            conds.append(Inspection.category_id == category_id)
        return _visit_rows(uow, conds)


# --- the start page -------------------------------------------------------------------------------


def _overdue_actions(uow: UnitOfWork, today: date) -> int:
    conds = [_ACTION.done_on.is_(None), _ACTION.deadline < today]
    stmt = select(func.count()).select_from(CorrectiveAction.__table__)
    if uow.county_scope is not None:
        stmt = stmt.select_from(
            CorrectiveAction.__table__.join(Finding.__table__, _FINDING.id == _ACTION.finding_id).join(
                Inspection.__table__, _INSP.id == _FINDING.inspection_id
            )
        )
        conds.append(uow.in_scope(_INSP.county_id))
    return int(uow.s.execute(stmt.where(*conds)).scalar_one())


def _critical_conditions(county_ids: list[str], jy: int, jm: int) -> list:
    critical_finding = (
        select(Finding.id)
        .where(Finding.inspection_id == Inspection.id, Finding.severity == "critical")
        .correlate(Inspection)
        .exists()
    )
    return [
        col(Inspection.county_id).in_(county_ids),
        Inspection.jalali_year == jy,
        Inspection.jalali_month == jm,
        (Inspection.result == "serious") | critical_finding,
    ]


def inspection_summary(uow: UnitOfWork, today: date) -> InspectionSummary:
    """Overdue corrective actions, this month's coverage and this month's critical visits (in scope)."""
    jy, jm = jalali_month_of(today)
    with uow:
        county_ids = [c.id for c in _counties(uow)]
        intervals = category_intervals(uow)
        due_cats = {cid for cid, n in intervals.items() if rules.is_due(n, jy, jm)}
        centres = _active_centres(uow, county_ids)
        done_by = {
            (county, cat): int(done)
            for county, _, cat, done in uow.s.execute(visited_statement(county_ids, jy, jm))
        }
        cells = [
            GridCell(jm, done_by.get(key, 0), n if key[1] in due_cats else 0, None, "")
            for key, n in centres.items()
        ]
        done = sum(min(c.done, c.due) for c in cells)
        due = sum(c.due for c in cells)
        # one pass over the month's visits finds them all; only the newest few are read in full
        found = uow.s.execute(
            select(Inspection.id, Inspection.inspected_at).where(*_critical_conditions(county_ids, jy, jm))
        ).all()
        newest = sorted(found, key=lambda r: (r[1], r[0]), reverse=True)[:CRITICAL_LIMIT]
        critical = tuple(_visit_rows(uow, [col(Inspection.id).in_([r[0] for r in newest])])) if newest else ()
        return InspectionSummary(
            overdue_actions=_overdue_actions(uow, today),
            jalali_year=jy,
            jalali_month=jm,
            month_done=done,
            month_due=due,
            month_state=rules.coverage_state(done, due),
            critical_count=len(found),
            critical=critical,
        )


__all__ = [
    "CellVisit",
    "Grid",
    "GridCell",
    "GridRow",
    "InspectionSummary",
    "coverage_grid",
    "inspection_summary",
    "visited_statement",
    "visits_in_cell",
]
