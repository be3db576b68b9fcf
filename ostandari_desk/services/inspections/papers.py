"""What the inspection papers print, read through the inspection services within the actor's county.

Each ``*_paper(uow, request)`` is a report's gather function (named in ``reports.registry``) and returns a
``services.reporting.Gathered``: the paper's frozen data and the words of its «report printed» entry.

- ``inspections_paper``: the year's county × month grid (``grid.coverage_grid`` with visit counts), the
  unannounced share and the results per county (ONE grouped statement over the year's visits), and the
  year's serious violations (the newest ``SERIOUS_LIMIT`` of them, with their findings);
- ``visit_paper``: one visit's form (a centre's visit on a date: the latest that day, or the one at
  ``--time``);
- ``centre_file_paper``: a centre's file (``centres.centre_file``);
- ``checklist_paper``: the active checklist of a category, blank, for field use;
- ``plan_paper``: the monthly unannounced plan (``plan.monthly_plan``), one county or every county the
  actor may see.

A county user's papers hold their own county; another county's centre, visit or grid is refused
(PermissionDeniedError), not reported as missing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import case, func, select
from sqlmodel import col

from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.inspections import RESULT_LABELS, Result, parse_time
from ostandari_desk.errors import NotFoundError, UserError, ValidationError
from ostandari_desk.services import reference
from ostandari_desk.services.inspections import centres as centre_service
from ostandari_desk.services.inspections import grid as grid_service
from ostandari_desk.services.inspections import plan as plan_service
from ostandari_desk.services.inspections import templates as template_service
from ostandari_desk.services.inspections import visits as visit_service
from ostandari_desk.services.inspections.centre_file import CentreFile
from ostandari_desk.services.reporting import Gathered, ReportRequest
from ostandari_desk.store.models import Centre, County, Finding, Inspection, ReferenceItem
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "SERIOUS_LIMIT",
    "ChecklistData",
    "CountyResults",
    "GridPaperData",
    "PlanPaperData",
    "SeriousVisit",
    "VisitPaperData",
    "category_id_by_name",
    "category_options",
    "centre_file_paper",
    "centre_id_by_code",
    "centre_picker",
    "checklist_paper",
    "grid_paper_data",
    "inspections_paper",
    "plan_data",
    "plan_paper",
    "visit_paper",
]

SERIOUS_LIMIT = 200  # the serious violations a grid paper lists (newest first); the rest are counted
PROVINCE_SCOPE = "کل استان"
CATEGORY_KIND = "centre_category"
RESULTS = (Result.GOOD, Result.NEEDS_FIX, Result.SERIOUS)

_INSP = Inspection.__table__.c
_CENTRE = Centre.__table__.c
_FINDING = Finding.__table__.c


# --- look-ups for the command line and the reports page's pickers ------------------------------------


def centre_id_by_code(uow: UnitOfWork, code: str) -> str:
    """The centre with this code (any digits); NotFoundError when there is none, PermissionDeniedError when
    it belongs to another county than the actor's."""
    key = centre_service.clean_code(code)
    with uow:  # a plain-table read: the scoped session would hide another county's centre, not refuse it
        found = uow.s.execute(select(_CENTRE.id, _CENTRE.county_id).where(_CENTRE.code == key)).first()
    if not key or found is None:
        shown = text.protect_hyphenated_numbers(text.to_persian_digits(text.clean(code)))
        raise NotFoundError(f"مرکزی با کد «{shown}» ثبت نشده است")
    uow.check_county(found[1], record=found[0])
    return found[0]


def centre_picker(uow: UnitOfWork, query: str) -> list[tuple[str, str]]:
    """(id, «name (code)») of the centres in scope matching ``query``, for the reports page."""
    rows = centre_service.list_centre_page(
        uow, centre_service.CentreFilter(search=query), "name", False, 0, 50
    )
    return [(r.id, f"{r.name} ({_code_text(r.code)})") for r in rows]


def category_id_by_name(uow: UnitOfWork, name: str) -> str:
    """The centre category named ``name`` (the reference list's spelling, letters normalized)."""
    with uow:
        found = reference.item_id_by_name(uow, CATEGORY_KIND, name)
        if found is None:
            names = "، ".join(c.name for c in centre_service.category_choices(uow))
            raise ValidationError(
                f"رده مرکز «{text.clean(name)}» در فهرست رده‌ها نیست؛ یکی از این‌ها: {names}", field="category"
            )
    return found


def category_options(uow: UnitOfWork) -> list[tuple[str, str]]:
    """(id, name) of the active centre categories, in the reference list's order."""
    with uow:
        return [(c.id, c.name) for c in centre_service.category_choices(uow)]


def _code_text(code: str) -> str:
    return text.protect_hyphenated_numbers(text.to_persian_digits(code))


def _scoped_county(uow: UnitOfWork, county_id: str | None) -> str | None:
    """The county a paper covers: a county user's own when none is chosen; another one is refused."""
    if county_id is None:
        county_id = uow.county_scope
    uow.check_county(county_id)
    return county_id


# --- the year's grid ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountyResults:
    """A county's visits of the year: how many, how many unannounced, and per result."""

    county_id: str
    name: str
    visits: int
    unannounced: int
    by_result: tuple[int, int, int]  # مطلوب، نیازمند اصلاح، تخلف جدی

    @property
    def unannounced_percent(self) -> int | None:
        return round(100 * self.unannounced / self.visits) if self.visits else None


@dataclass(frozen=True)
class SeriousVisit:
    id: str
    centre_code: str
    centre_name: str
    category_name: str
    county_name: str
    inspected_on: date
    score: int | None
    findings: tuple[str, ...]


@dataclass(frozen=True)
class GridPaperData:
    jalali_year: int
    scope_name: str
    grid: grid_service.Grid  # the rows of the paper's counties only
    month_visits: tuple[int, ...]  # the 12 months' visits over the paper's counties
    results: tuple[CountyResults, ...]  # one per row of the grid, in its order
    total: CountyResults
    serious: tuple[SeriousVisit, ...]  # the newest SERIOUS_LIMIT
    serious_count: int

    @property
    def result_labels(self) -> tuple[str, ...]:
        return tuple(RESULT_LABELS[r] for r in RESULTS)


def _results(
    uow: UnitOfWork, county_ids: list[str], jalali_year: int
) -> dict[str, tuple[int, int, list[int]]]:
    """{county: (visits, unannounced, [per result])} of the year, in one statement grouped by county alone
    (conditional sums, no sort), over the grid's (county, year, …) index range.

    Read from that index alone once it carries ``result`` and ``announced`` (≈0.1 s for a year of 550,000
    visits); without them each visit's row is fetched too (≈0.7 s).
    """
    found: dict[str, tuple[int, int, list[int]]] = {}
    if not county_ids:
        return found

    def counted(condition) -> object:
        return func.sum(case((condition, 1), else_=0))

    stmt = (
        select(
            _INSP.county_id,
            func.count(),
            counted(_INSP.announced == False),
            *(counted(_INSP.result == r.value) for r in RESULTS),
        )
        .where(col(_INSP.county_id).in_(county_ids), _INSP.jalali_year == jalali_year)
        .group_by(_INSP.county_id)
    )
    for county, n, quiet, *by in uow.s.execute(stmt):
        found[county] = (int(n), int(quiet or 0), [int(x or 0) for x in by])
    return found


def _any_of(county_ids: list[str]):
    """``county_id IN (...)`` written so the planner does not walk the grid's county index for it: the
    statements here read columns that index lacks, and a scan (or the date index) is faster than a look-up
    of each row from it."""
    return func.coalesce(_INSP.county_id, "").in_(county_ids)


def _serious(uow: UnitOfWork, county_ids: list[str], jalali_year: int) -> tuple[SeriousVisit, ...]:
    """The newest SERIOUS_LIMIT serious visits of the year, with their findings: read backwards along the
    visit-date index, so a year of 40,000 serious visits costs as little as a few hundred."""
    if not county_ids:
        return ()
    first, last = jalali.year_range(jalali_year)
    county = County.__table__.c
    category = ReferenceItem.__table__.c
    stmt = (
        select(
            _INSP.id,
            _CENTRE.code,
            _CENTRE.name,
            category.name,
            county.name,
            _INSP.inspected_on,
            _INSP.score,
        )
        .select_from(
            Inspection.__table__.join(Centre.__table__, _CENTRE.id == _INSP.centre_id)
            .outerjoin(County.__table__, county.id == _INSP.county_id)
            .outerjoin(ReferenceItem.__table__, category.id == _INSP.category_id)
        )
        .where(
            _any_of(county_ids),
            _INSP.inspected_on.between(first, last),
            _INSP.result == Result.SERIOUS.value,
        )
        .order_by(_INSP.inspected_on.desc(), _INSP.inspected_at.desc(), _INSP.id.desc())
        .limit(SERIOUS_LIMIT)
    )
    rows = uow.s.execute(stmt).all()
    findings: dict[str, list[str]] = defaultdict(list)
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for visit_id, finding in uow.s.execute(
            select(_FINDING.inspection_id, _FINDING.text)
            .where(col(_FINDING.inspection_id).in_(chunk))
            .order_by(_FINDING.inspection_id, _FINDING.created_at, _FINDING.id)
        ):
            findings[visit_id].append(finding)
    return tuple(
        SeriousVisit(
            id=r[0],
            centre_code=r[1],
            centre_name=r[2],
            category_name=r[3] or "",
            county_name=r[4] or "استان",
            inspected_on=r[5],
            score=r[6],
            findings=tuple(findings.get(r[0], ())),
        )
        for r in rows
    )


def grid_paper_data(
    uow: UnitOfWork, jalali_year: int, county_id: str | None = None, today: date | None = None
) -> GridPaperData:
    """The year's grid of every county in scope (or of ``county_id``), with results and serious violations."""
    today = today or date.today()
    county_id = _scoped_county(uow, county_id)
    grid = grid_service.coverage_grid(uow, jalali_year, today, with_visits=True)
    rows = tuple(r for r in grid.rows if county_id is None or r.county_id == county_id)
    if county_id is not None and not rows:
        with uow:
            name = reference.county_name(uow, county_id)
        rows = (
            grid_service.GridRow(
                county_id,
                None,
                name,
                tuple(grid_service.GridCell(m, 0, 0, 0, "not_due") for m in grid_service.MONTHS),
                grid_service.GridCell(0, 0, 0, 0, "not_due"),
            ),
        )
    if county_id is not None:
        # the paper's totals are its county's: its own row's cells
        only = rows[0]
        grid = grid_service.Grid(grid.jalali_year, grid.today_month, rows, only.cells, only.total)
        scope_name = f"شهرستان {only.name}"
    else:
        scope_name = PROVINCE_SCOPE
    county_ids = [r.county_id for r in rows]
    with uow:
        by_county = _results(uow, county_ids, jalali_year)
        serious = _serious(uow, county_ids, jalali_year)
    results = []
    for r in rows:
        visits, quiet, by = by_county.get(r.county_id, (0, 0, [0, 0, 0]))
        results.append(CountyResults(r.county_id, r.name, visits, quiet, (by[0], by[1], by[2])))
    total = CountyResults(
        "",
        "جمع",
        sum(r.visits for r in results),
        sum(r.unannounced for r in results),
        (
            sum(r.by_result[0] for r in results),
            sum(r.by_result[1] for r in results),
            sum(r.by_result[2] for r in results),
        ),
    )
    month_visits = tuple(sum(r.cells[m - 1].visits or 0 for r in rows) for m in grid_service.MONTHS)
    return GridPaperData(
        jalali_year=int(jalali_year),
        scope_name=scope_name,
        grid=grid,
        month_visits=month_visits,
        results=tuple(results),
        total=total,
        serious=serious,
        serious_count=total.by_result[2],
    )


def inspections_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """The year's county × month grid (options year, county_id, today)."""
    today = request.get("today") or date.today()
    year = request.get("year") or jalali.to_jalali(today)[0]
    data = grid_paper_data(uow, year, request.get("county_id"), today)
    return Gathered(data, (f"سال {text.to_persian_digits(year)}", data.scope_name))


# --- one visit's form -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitPaperData:
    visit: visit_service.VisitDetail
    same_day: int  # the centre's visits that day
    note: str  # which of them this is, when there are several


def _pick_visit(uow: UnitOfWork, centre_id: str, on: date, at: time | None) -> tuple[str, int, str]:
    with uow:
        found = list(
            uow.s.execute(
                select(Inspection.id, Inspection.inspected_at)
                .where(Inspection.centre_id == centre_id, Inspection.inspected_on == on)
                .order_by(col(Inspection.inspected_at).desc(), col(Inspection.id).desc())
            )
        )
    day = jalali.format_jalali(on)
    if not found:
        raise NotFoundError(f"این مرکز در تاریخ {day} بازدیدی ندارد")
    if at is not None:
        chosen = [(v, when) for v, when in found if when.time() == at]
        if not chosen:
            hours = "، ".join(_clock(when) for _v, when in found)
            raise NotFoundError(
                f"این مرکز در تاریخ {day} ساعت {_clock_of(at)} بازدیدی ندارد؛ بازدیدهای آن روز: {hours}"
            )
        return chosen[0][0], len(found), ""
    note = ""
    if len(found) > 1:
        note = (
            f"این مرکز در تاریخ {day} {text.format_number(len(found))} بازدید دارد "
            f"(ساعت {'، '.join(_clock(when) for _v, when in reversed(found))})؛ آخرین آن چاپ شده است. "
            "برای بازدیدی دیگر ساعت آن را بدهید."
        )
    return found[0][0], len(found), note


def _clock_of(at: time) -> str:
    return text.to_persian_digits(at.strftime("%H:%M"))


def _clock(when: datetime) -> str:
    return "نامعلوم" if when.time() == time(0, 0) else _clock_of(when.time())


def visit_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """One visit's form (options centre_id, on, time), audited on the visit."""
    centre_id = request.get("centre_id")
    if not centre_id:
        raise ValidationError("نخست مرکز را انتخاب کنید", field="centre")
    on = request.get("on")
    if on is None:
        raise ValidationError("تاریخ بازدید را بدهید", field="date")
    raw_time = request.get("time")
    try:
        at = parse_time(raw_time) if isinstance(raw_time, str) else raw_time
    except ValueError as exc:
        raise ValidationError(str(exc), field="time") from None
    with uow:
        # the centre's county is checked before anything of it is read
        county = uow.s.execute(select(_CENTRE.county_id).where(_CENTRE.id == centre_id)).first()
        if county is None:
            raise NotFoundError("مرکز پیدا نشد؛ شاید حذف شده باشد", record=centre_id)
        uow.check_county(county[0], record=centre_id)
    visit_id, same_day, note = _pick_visit(uow, centre_id, on, at)
    visit = visit_service.get_visit(uow, visit_id)
    words = (f"«{visit.centre_name}»", f"کد {_code_text(visit.centre_code)}", jalali.format_jalali(on))
    return Gathered(VisitPaperData(visit, same_day, note), words, "inspection", visit_id)


# --- a centre's file ---------------------------------------------------------------------------------------


def centre_file_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """A centre's file (option centre_id), audited on the centre."""
    centre_id = request.get("centre_id")
    if not centre_id:
        raise ValidationError("نخست مرکز را انتخاب کنید", field="centre")
    with uow:
        county = uow.s.execute(select(_CENTRE.county_id).where(_CENTRE.id == centre_id)).first()
        if county is None:
            raise NotFoundError("مرکز پیدا نشد؛ شاید حذف شده باشد", record=centre_id)
        uow.check_county(county[0], record=centre_id)
    data: CentreFile = centre_service.centre_file(uow, centre_id)
    words = (f"«{data.centre.name}»", f"کد {_code_text(data.centre.code)}")
    return Gathered(data, words, "centre", centre_id)


# --- a blank checklist ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistData:
    template: template_service.TemplateDetail


def checklist_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """The category's active checklist, blank (option category_id)."""
    category_id = request.get("category_id")
    if not category_id:
        raise ValidationError("نخست رده مرکز را انتخاب کنید", field="category")
    template = template_service.active_template(uow, category_id)
    if template is None:
        with uow:
            item = uow.s.get(ReferenceItem, category_id)
        name = item.name if item is not None else "انتخاب‌شده"
        raise UserError(f"رده «{name}» چک‌لیست فعالی ندارد؛ نخست یک نسخه را فعال کنید")
    words = (f"رده «{template.category_name}»", f"نسخه {text.to_persian_digits(template.version)}")
    return Gathered(ChecklistData(template), words, "checklisttemplate", template.id)


# --- the monthly plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanPaperData:
    jalali_year: int
    jalali_month: int
    plans: tuple[plan_service.Plan, ...]

    @property
    def month_label(self) -> str:
        return f"{jalali.month_name(self.jalali_month)} {text.to_persian_digits(self.jalali_year)}"


def plan_data(
    uow: UnitOfWork, jalali_year: int, jalali_month: int, county_id: str | None = None
) -> PlanPaperData:
    """The month's plan of ``county_id``; without one, a county user's own, or (a manager) every county's.

    Raises:
        PermissionDeniedError: neither a manager nor the county's own user (plan.check_plan_access).
    """
    if county_id is None and uow.county_scope is not None:
        county_id = uow.county_scope
    if county_id is not None:
        ids = [county_id]
    else:
        with uow:
            ids = [c.id for c in reference.list_counties(uow)]
        for cid in ids[:1]:  # refused before any plan is made when the actor may see none
            plan_service.check_plan_access(uow, cid)
    plans = tuple(plan_service.monthly_plan(uow, cid, jalali_year, jalali_month) for cid in ids)
    return PlanPaperData(int(jalali_year), int(jalali_month), plans)


def plan_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """The monthly unannounced plan (options year, month, county_id)."""
    data = plan_data(uow, request.get("year"), request.get("month"), request.get("county_id"))
    scope = data.plans[0].county_name if len(data.plans) == 1 else PROVINCE_SCOPE
    if not data.plans:
        raise UserError("شهرستانی برای برنامه بازدید ثبت نشده است")
    return Gathered(data, (data.month_label, scope))
