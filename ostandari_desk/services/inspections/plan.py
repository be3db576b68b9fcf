"""The monthly unannounced plan of a county: every active centre due that month, on a random working day.

The days and the order come from domain/inspection_plan.py, seeded by an HMAC of the desk's own secret
(the ``inspection_plan_secret`` setting, made on first use) with the county and the month: the same plan
every time it is opened, but nobody without the desk's database can foresee it. Managers (``SEE_PLANS``)
see every county's plan; a county user sees only their own county's; nobody else sees one.

Each category's visit frequency is the ``inspection_interval_months`` setting ({category name: months});
a category it does not name is visited monthly.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select, update
from sqlmodel import col

from ostandari_desk import settings
from ostandari_desk.domain import inspection_plan as rules
from ostandari_desk.domain.jalali import MAX_YEAR, MIN_YEAR, format_jalali, month_name
from ostandari_desk.domain.roles import Permission
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.errors import PermissionDeniedError, ValidationError
from ostandari_desk.services import reference
from ostandari_desk.store.models import Centre, Inspection, ReferenceItem, Setting
from ostandari_desk.store.uow import UnitOfWork

SECRET_KEY = "inspection_plan_secret"
INTERVALS_KEY = "inspection_interval_months"
CATEGORY_KIND = "centre_category"
DONE_LABEL = "انجام‌شده"
PENDING_LABEL = "در انتظار"
NO_PLAN_RIGHT = "نقش «{role}» اجازه دیدن برنامه بازدیدهای سرزده را ندارد"
OTHER_COUNTY_PLAN = "برنامه بازدیدهای سرزده شهرستان دیگر در دسترس شما نیست"


@dataclass(frozen=True)
class PlanRow:
    centre_id: str
    code: str
    name: str
    category_id: str
    category_name: str
    planned_on: date
    visit_id: str | None  # the month's first visit to the centre, if any
    visited_on: date | None

    @property
    def done(self) -> bool:
        return self.visit_id is not None

    @property
    def status_label(self) -> str:
        return DONE_LABEL if self.done else PENDING_LABEL

    @property
    def planned_text(self) -> str:
        return format_jalali(self.planned_on)

    @property
    def weekday_label(self) -> str:
        return rules.WEEKDAY_LABELS[self.planned_on.weekday()]

    @property
    def visited_text(self) -> str:
        return format_jalali(self.visited_on)


@dataclass(frozen=True)
class Plan:
    county_id: str
    county_name: str
    jalali_year: int
    jalali_month: int
    rows: tuple[PlanRow, ...]  # by planned day; within a day in a random order

    @property
    def month_label(self) -> str:
        return f"{month_name(self.jalali_month)} {to_persian_digits(self.jalali_year)}"

    @property
    def done_count(self) -> int:
        return sum(1 for r in self.rows if r.done)

    @property
    def pending_count(self) -> int:
        return len(self.rows) - self.done_count


# --- the secret and the frequencies ---------------------------------------------------------------


def _plan_secret(uow: UnitOfWork) -> str:
    """The desk's plan key; made (and committed) on first use. Written below the session so the key itself
    never lands in the audit trail: the entry says only that it was made."""
    secret = settings.get_setting(uow, SECRET_KEY)
    if secret:
        return str(secret)
    with uow.writing():
        table = Setting.__table__
        conn = uow.s.connection()
        stored = conn.execute(select(table.c.value).where(table.c.key == SECRET_KEY)).scalar()
        if stored is not None and json.loads(stored):
            return str(json.loads(stored))  # another desk window made it meanwhile
        secret = secrets.token_hex(32)
        value = json.dumps(secret)
        if stored is None:
            conn.execute(insert(table).values(key=SECRET_KEY, value=value))
        else:
            conn.execute(update(table).where(table.c.key == SECRET_KEY).values(value=value))
        uow.audit("insert", "setting", SECRET_KEY, detail="کلید برنامه بازدیدهای سرزده ساخته شد")
        uow.commit()
        return secret


def category_intervals(uow: UnitOfWork) -> dict[str, int]:
    """{centre category id: months between visits} for every category (inactive ones too)."""
    with uow:
        intervals = settings.get_setting(uow, INTERVALS_KEY)
        stmt = select(ReferenceItem.id, ReferenceItem.name).where(ReferenceItem.kind == CATEGORY_KIND)
        return {cid: rules.interval_for(intervals, name) for cid, name in uow.s.execute(stmt)}


def due_categories(intervals: dict[str, int], jalali_year: int, jalali_month: int) -> set[str]:
    """The category ids whose centres are due in that month."""
    return {cid for cid, n in intervals.items() if rules.is_due(n, jalali_year, jalali_month)}


# --- the plan -------------------------------------------------------------------------------------


def check_plan_access(uow: UnitOfWork, county_id: str) -> None:
    """PermissionDeniedError (Persian) unless the actor may see ``county_id``'s plan."""
    actor = uow.actor
    if actor.may(Permission.SEE_PLANS):
        return
    if actor.county_scope is not None:
        if actor.county_scope == county_id:
            return
        raise PermissionDeniedError(OTHER_COUNTY_PLAN)
    raise PermissionDeniedError(NO_PLAN_RIGHT.format(role=actor.role_label))


def _check_month(jalali_year: int, jalali_month: int) -> None:
    if not MIN_YEAR <= int(jalali_year) <= MAX_YEAR:
        raise ValidationError("سال برنامه درست نیست", field="year")
    if not 1 <= int(jalali_month) <= 12:
        raise ValidationError("ماه برنامه باید از ۱ تا ۱۲ باشد", field="month")


def monthly_plan(uow: UnitOfWork, county_id: str, jalali_year: int, jalali_month: int) -> Plan:
    """Every active centre of the county due that month, each on its planned working day, done or pending.

    The first call on a desk makes its plan key (a committed write), so call it outside a reader's block.

    Raises:
        PermissionDeniedError: neither a manager nor the county's own user.
        ValidationError: an impossible year or month.
    """
    check_plan_access(uow, county_id)
    _check_month(jalali_year, jalali_month)
    secret = _plan_secret(uow)
    with uow:
        county_name = reference.county_name(uow, county_id)
        intervals = category_intervals(uow)
        due = due_categories(intervals, jalali_year, jalali_month)
        stmt = select(ReferenceItem.id, ReferenceItem.name).where(ReferenceItem.kind == CATEGORY_KIND)
        names = {cid: name for cid, name in uow.s.execute(stmt)}
        centres = {
            c.id: c
            for c in uow.s.execute(
                select(Centre.id, Centre.code, Centre.name, Centre.category_id).where(
                    Centre.county_id == county_id,
                    Centre.active == True,
                    col(Centre.category_id).in_(sorted(due)),
                )
            )
        }
        visits: dict[str, tuple[str, date]] = {}
        stmt = (
            select(Inspection.centre_id, Inspection.id, Inspection.inspected_on)
            .where(
                Inspection.county_id == county_id,
                Inspection.jalali_year == jalali_year,
                Inspection.jalali_month == jalali_month,
            )
            .order_by(Inspection.inspected_at, Inspection.id)
        )
        for centre_id, visit_id, on in uow.s.execute(stmt):
            visits.setdefault(centre_id, (visit_id, on))
    seed = rules.month_seed(secret, county_id, jalali_year, jalali_month)
    days = rules.working_days(jalali_year, jalali_month)
    rows = []
    for centre_id, day in rules.schedule(seed, centres, days):
        c = centres[centre_id]
        visit_id, visited_on = visits.get(centre_id, (None, None))
        rows.append(
            PlanRow(
                centre_id=centre_id,
                code=c.code,
                name=c.name,
                category_id=c.category_id,
                category_name=names.get(c.category_id, ""),
                planned_on=day,
                visit_id=visit_id,
                visited_on=visited_on,
            )
        )
    return Plan(county_id, county_name, int(jalali_year), int(jalali_month), tuple(rows))


__all__ = [
    "Plan",
    "PlanRow",
    "category_intervals",
    "check_plan_access",
    "due_categories",
    "monthly_plan",
]
