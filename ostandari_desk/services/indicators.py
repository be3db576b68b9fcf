"""The indicators the office compares year on year, declared once, and the grouped counting behind them.

An :class:`Indicator` names a *source* (a table with its date column, county column and the
dimensions indicators filter on), the dimension values it counts, and what it adds up (``count`` or
a summed column). Memoranda, credits or inspections join the annual report by adding a source
and a few definitions to :data:`INDICATORS`; nothing else changes.

Counting runs ONE grouped query per source for both periods and every county::

    SELECT kind, county_id, CASE WHEN d BETWEEN this THEN 1 WHEN d BETWEEN last THEN 0 END AS period,
           COUNT(*), SUM(...)
    FROM licencestep WHERE kind IN (...) AND d BETWEEN last_start AND this_end
    GROUP BY kind, county_id, period

which the (kind, date, county_id) indexes answer (for steps, as a covering scan); the indicators are
then picked out of the grouped rows in Python. Council decisions by case type are their own source
(steps joined to their cases, approvals and rejections only), so the big steps scan never touches the
table rows. Sources skip joins needed only for the county when no per-county figure is wanted.

County scope: the statements name plain table columns, which the unit of work does not scope, so a
county user's counts add ``uow.in_scope(<county column>)`` (and always join what finds the county).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, false, func, literal, select

from ostandari_desk.store.models import (
    CorrectiveAction,
    Event,
    FacilitationOffice,
    Finding,
    Inquiry,
    Inspection,
    Letter,
    LicenceCase,
    LicenceStep,
    Memorandum,
    Payment,
    ProgressReport,
)
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "INDICATORS",
    "KEY_INDICATORS",
    "SOURCES",
    "Counts",
    "Indicator",
    "Period",
    "Source",
    "count_indicators",
    "indicator",
]

UNIT_CASES = "مورد"
UNIT_PEOPLE = "نفر"
UNIT_HOURS = "ساعت"
UNIT_RIALS = "ریال"
UNIT_PERCENT = "درصد"

PROVINCE_KEY = ""  # the county key of records that belong to the province itself (county_id NULL)


@dataclass(frozen=True)
class Source:
    """A table indicators count from.

    Attributes:
        key: the name indicators refer to.
        build: ``build(by_county)`` returns ``(from_clause, date_column, county_column, {dim: column},
            {measure: column})`` over plain table columns; built lazily. ``by_county`` False means only
            totals are needed, so a source may skip a join it needs only to find the county (and give
            None for the county column).
        prefilter_dim: the dimension that leads the table's (kind, date, county) index; the union of
            the values the indicators ask for goes into the WHERE so the index is used.
    """

    key: str
    build: Callable[[bool], tuple[Any, Any, Any, dict[str, Any], dict[str, Any]]]
    prefilter_dim: str | None = None


@dataclass(frozen=True)
class Indicator:
    """One row of the annual comparison.

    ``where`` maps a dimension of the source to the values counted, e.g. ``(("kind", ("issue",)),)``.
    ``measure`` is ``"count"`` or the name of a summed column of the source.
    ``divide_by`` (``"count"`` or another measure) makes it an average: the measure's sum over that one's,
    rounded half up to a whole number, per county and for the totals alike.
    ``key`` indicators also appear per county, in the charts and on the start page.
    """

    key: str
    label: str
    unit: str
    source: str
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    measure: str = "count"
    short_label: str = ""
    is_key: bool = False
    divide_by: str | None = None

    @property
    def short(self) -> str:
        return self.short_label or self.label


# Sources name PLAIN table columns (``Model.__table__.c``): the unit of work's automatic county scope
# applies to ORM statements only, and on an outer join it would turn the join into an inner one. The
# count adds ``uow.in_scope(county column)`` itself (see _count_source).
_STEP = LicenceStep.__table__.c
_CASE = LicenceCase.__table__.c
_INQUIRY = Inquiry.__table__.c
_EVENT = Event.__table__.c
_LETTER = Letter.__table__.c
_MEMO = Memorandum.__table__.c
_PAYMENT = Payment.__table__.c
_PROGRESS = ProgressReport.__table__.c
_INSPECTION = Inspection.__table__.c
_FINDING = Finding.__table__.c
_ACTION = CorrectiveAction.__table__.c


def _steps(by_county: bool):
    # Only the (kind, on_date, county_id) index is read: a covering scan.
    return LicenceStep.__table__, _STEP.on_date, _STEP.county_id, {"kind": _STEP.kind}, {}


def _decisions(by_county: bool):
    # Council decisions by the type of their case. An approval imported without its case (imports may
    # begin with an approval) is an establishment's.
    case_type = func.coalesce(_CASE.case_type, literal("establishment"))
    joined = LicenceStep.__table__.outerjoin(LicenceCase.__table__, _CASE.id == _STEP.case_id)
    return joined, _STEP.on_date, _STEP.county_id, {"kind": _STEP.kind, "case_type": case_type}, {}


def _inquiries(by_county: bool):
    if not by_county:  # province totals: the sent_on index alone answers
        return Inquiry.__table__, _INQUIRY.sent_on, None, {}, {}
    joined = Inquiry.__table__.join(LicenceCase.__table__, _CASE.id == _INQUIRY.case_id)
    return joined, _INQUIRY.sent_on, _CASE.county_id, {}, {}


def _events(by_county: bool):
    measures = {"attendees": _EVENT.attendees, "hours": _EVENT.training_hours}
    return Event.__table__, _EVENT.starts_on, _EVENT.county_id, {"kind": _EVENT.kind}, measures


def _letters(by_county: bool):
    return Letter.__table__, _LETTER.dated_on, _LETTER.county_id, {"kind": _LETTER.kind}, {}


def _memoranda(by_county: bool):
    # a memorandum's progress is its latest report's percent (percent never goes down: the highest), 0 when none
    latest = (
        select(func.coalesce(func.max(_PROGRESS.percent), 0))
        .where(_PROGRESS.memorandum_id == _MEMO.id)
        .correlate(Memorandum.__table__)
        .scalar_subquery()
    )
    measures = {"amount": _MEMO.amount, "progress": latest}
    dims = {"party": _MEMO.party_kind}
    return Memorandum.__table__, _MEMO.signed_on, _MEMO.county_id, dims, measures


def _payments(by_county: bool):
    # payments dated by paid_on, counted under their memorandum's county
    if not by_county:
        return Payment.__table__, _PAYMENT.paid_on, None, {}, {"amount": _PAYMENT.amount}
    joined = Payment.__table__.join(Memorandum.__table__, _MEMO.id == _PAYMENT.memorandum_id)
    return joined, _PAYMENT.paid_on, _MEMO.county_id, {}, {"amount": _PAYMENT.amount}


def _offices(by_county: bool):
    office = FacilitationOffice.__table__.c
    return FacilitationOffice.__table__, office.opened_on, office.county_id, {}, {}


def _inspections(by_county: bool):
    kind = case((_INSPECTION.announced == false(), literal("unannounced")), else_=literal("announced"))
    dims = {"announced": kind, "result": _INSPECTION.result}
    return Inspection.__table__, _INSPECTION.inspected_on, _INSPECTION.county_id, dims, {}


def _action_visits():
    """Corrective actions joined to their visit (whose county they count under)."""
    return CorrectiveAction.__table__.join(Finding.__table__, _FINDING.id == _ACTION.finding_id).join(
        Inspection.__table__, _INSPECTION.id == _FINDING.inspection_id
    )


def _referrals(by_county: bool):
    # A referral is a corrective action with its referral letter, dated by that letter (the inner join keeps
    # only the referred actions; a letter cannot be deleted while an action names it).
    if not by_county:
        joined = CorrectiveAction.__table__.join(Letter.__table__, _LETTER.id == _ACTION.referral_letter_id)
        return joined, _LETTER.dated_on, None, {}, {}
    joined = _action_visits().join(Letter.__table__, _LETTER.id == _ACTION.referral_letter_id)
    return joined, _LETTER.dated_on, _INSPECTION.county_id, {}, {}


def _actions_closed(by_county: bool):
    # Only the done ones have a done_on: the date range keeps the open ones out.
    if not by_county:  # the (done_on, deadline) index alone answers
        return CorrectiveAction.__table__, _ACTION.done_on, None, {}, {}
    return _action_visits(), _ACTION.done_on, _INSPECTION.county_id, {}, {}


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source("steps", _steps, prefilter_dim="kind"),
        Source("decisions", _decisions, prefilter_dim="kind"),
        Source("inquiries", _inquiries),
        Source("events", _events, prefilter_dim="kind"),
        Source("letters", _letters, prefilter_dim="kind"),
        Source("memoranda", _memoranda),
        Source("payments", _payments),
        Source("offices", _offices),
        Source("inspections", _inspections),
        Source("referrals", _referrals),
        Source("actions_closed", _actions_closed),
    )
}

_EVENT_KINDS = ("conference", "session", "course")

#: The rows of the annual comparison, in the order the report prints them.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("requests", "درخواست‌های پروانه دریافت‌شده", UNIT_CASES, "steps", (("kind", ("request",)),)),
    Indicator("inquiries", "استعلام‌های ارسال‌شده", UNIT_CASES, "inquiries"),
    Indicator("decisions", "تصمیم‌های شورا", UNIT_CASES, "steps", (("kind", ("approval", "rejection")),)),
    Indicator(
        "approvals_establishment",
        "موافقت با تأسیس",
        UNIT_CASES,
        "decisions",
        (("kind", ("approval",)), ("case_type", ("establishment",))),
    ),
    Indicator(
        "approvals_renewal",
        "موافقت با تمدید",
        UNIT_CASES,
        "decisions",
        (("kind", ("approval",)), ("case_type", ("renewal",))),
    ),
    Indicator(
        "approvals",
        "موافقت با تأسیس و تمدید",
        UNIT_CASES,
        "decisions",
        (("kind", ("approval",)), ("case_type", ("establishment", "renewal"))),
        short_label="موافقت‌ها",
        is_key=True,
    ),
    Indicator(
        "issued",
        "صدور پروانه فعالیت",
        UNIT_CASES,
        "steps",
        (("kind", ("issue",)),),
        short_label="پروانه صادرشده",
        is_key=True,
    ),
    Indicator("renewals", "تمدید پروانه", UNIT_CASES, "steps", (("kind", ("renewal",)),)),
    Indicator("upgrades", "ارتقا و تطبیق", UNIT_CASES, "steps", (("kind", ("upgrade", "conformity")),)),
    Indicator(
        "sanctions", "تعلیق و لغو پروانه", UNIT_CASES, "steps", (("kind", ("suspension", "revocation")),)
    ),
    Indicator("conferences", "همایش", UNIT_CASES, "events", (("kind", ("conference",)),)),
    Indicator("sessions", "نشست", UNIT_CASES, "events", (("kind", ("session",)),)),
    Indicator("courses", "دوره آموزشی", UNIT_CASES, "events", (("kind", ("course",)),)),
    Indicator(
        "events",
        "همایش‌ها، نشست‌ها و دوره‌های آموزشی",
        UNIT_CASES,
        "events",
        (("kind", _EVENT_KINDS),),
        short_label="رویدادها",
        is_key=True,
    ),
    Indicator(
        "attendees",
        "شرکت‌کنندگان در رویدادها",
        UNIT_PEOPLE,
        "events",
        (("kind", _EVENT_KINDS),),
        measure="attendees",
    ),
    Indicator(
        "training_hours", "ساعات آموزش", UNIT_HOURS, "events", (("kind", ("course",)),), measure="hours"
    ),
    Indicator(
        "support_letters",
        "مکاتبات هماهنگی و حمایتی",
        UNIT_CASES,
        "letters",
        (("kind", ("support",)),),
        short_label="مکاتبات حمایتی",
        is_key=True,
    ),
    Indicator(
        "punitive_letters", "مکاتبات توقیفی و توبیخی", UNIT_CASES, "letters", (("kind", ("punitive",)),)
    ),
    Indicator("memoranda", "تفاهم‌نامه‌های منعقدشده", UNIT_CASES, "memoranda"),
    Indicator(
        "memoranda_governorates",
        "تفاهم‌نامه‌های منعقدشده با فرمانداری‌ها",
        UNIT_CASES,
        "memoranda",
        (("party", ("county",)),),
    ),
    Indicator(
        "memoranda_ngos", "تفاهم‌نامه‌های منعقدشده با سمن‌ها", UNIT_CASES, "memoranda", (("party", ("ngo",)),)
    ),
    Indicator("memoranda_amount", "مبلغ تفاهم‌نامه‌ها", UNIT_RIALS, "memoranda", measure="amount"),
    Indicator("memoranda_paid", "مبلغ پرداخت‌شده تفاهم‌نامه‌ها", UNIT_RIALS, "payments", measure="amount"),
    Indicator(
        "memoranda_progress",
        "میانگین پیشرفت تفاهم‌نامه‌ها",
        UNIT_PERCENT,
        "memoranda",
        measure="progress",
        divide_by="count",
    ),
    Indicator("offices_opened", "دفاتر تسهیلگری گشایش‌یافته", UNIT_CASES, "offices"),
    Indicator("visits", "بازدید از مراکز", UNIT_CASES, "inspections"),
    Indicator(
        "unannounced_visits", "بازدیدهای سرزده", UNIT_CASES, "inspections", (("announced", ("unannounced",)),)
    ),
    Indicator(
        "serious_visits", "بازدیدهای منجر به تخلف جدی", UNIT_CASES, "inspections", (("result", ("serious",)),)
    ),
    Indicator("referrals", "ارجاع به دستگاه صادرکننده مجوز", UNIT_CASES, "referrals"),
    Indicator("actions_closed", "اقدامات اصلاحی انجام‌شده", UNIT_CASES, "actions_closed"),
)

KEY_INDICATORS: tuple[Indicator, ...] = tuple(i for i in INDICATORS if i.is_key)


def indicator(key: str) -> Indicator:
    """The declared indicator ``key`` (KeyError for an unknown one)."""
    for ind in INDICATORS:
        if ind.key == key:
            return ind
    raise KeyError(f"unknown indicator: {key!r}")


@dataclass(frozen=True)
class Period:
    """Inclusive Gregorian date span."""

    start: date
    end: date


@dataclass
class Counts:
    """Indicator values: ``values[key][county_key] = (last, this)``; county_key "" is the province itself."""

    values: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # averaged indicators (``divide_by``): key -> county_key -> [numerator(last, this), denominator(last, this)]
    parts: dict[str, dict[str, list[list[int]]]] = field(default_factory=dict)

    def total(self, key: str) -> tuple[int, int]:
        if key in self.parts:
            by_part = self.parts[key].values()
            num = [sum(p[0][i] for p in by_part) for i in (0, 1)]
            den = [sum(p[1][i] for p in by_part) for i in (0, 1)]
            return _average(num[0], den[0]), _average(num[1], den[1])
        by_county = self.values.get(key, {})
        return (sum(v[0] for v in by_county.values()), sum(v[1] for v in by_county.values()))

    def of_county(self, key: str, county_key: str) -> tuple[int, int]:
        last, this = self.values.get(key, {}).get(county_key, (0, 0))
        return last, this


def _average(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (0 when nothing was counted), in integers."""
    return (2 * numerator + denominator) // (2 * denominator) if denominator else 0


def _matches(where: tuple[tuple[str, tuple[str, ...]], ...], dims: dict[str, Any]) -> bool:
    return all(dims.get(name) in values for name, values in where)


def _count_source(
    uow: UnitOfWork,
    source: Source,
    indicators: Sequence[Indicator],
    last: Period,
    this: Period,
    county_id: str | None,
    counts: Counts,
) -> None:
    # a county user's counts need the county column, to be limited to their county
    scoped = uow.county_scope is not None
    by_county = scoped or county_id is not None or any(ind.is_key for ind in indicators)
    from_clause, date_col, county_col, dims, measures = source.build(by_county)
    used_dims = sorted({name for ind in indicators for name, _ in ind.where})
    used_measures = sorted(
        {m for ind in indicators for m in (ind.measure, ind.divide_by) if m is not None and m != "count"}
    )
    period = case(
        (date_col.between(this.start, this.end), literal(1)),
        (date_col.between(last.start, last.end), literal(0)),
        else_=literal(None),
    ).label("period")
    lo, hi = min(last.start, this.start), max(last.end, this.end)
    conditions = [date_col >= lo, date_col <= hi]
    prefilter = source.prefilter_dim
    if prefilter is not None:
        wanted: set[str] = set()
        for ind in indicators:
            values = dict(ind.where).get(prefilter)
            if values is None:
                wanted = set()
                break
            wanted.update(values)
        if wanted:
            conditions.insert(0, dims[prefilter].in_(sorted(wanted)))
    if county_id is not None:
        conditions.append(county_col == county_id)
    if scoped:  # plain tables: the session does not scope them
        conditions.append(uow.in_scope(county_col))
    group_cols = [dims[name] for name in used_dims] + ([county_col] if by_county else []) + [period]
    columns = [*group_cols, func.count(), *(func.coalesce(func.sum(measures[m]), 0) for m in used_measures)]
    stmt = select(*columns).select_from(from_clause).where(*conditions).group_by(*group_cols)
    rows = uow.s.execute(stmt).all()
    n = len(used_dims)
    for row in rows:
        row = (
            tuple(row[:n]) + ((row[n],) if by_county else (None,)) + tuple(row[n + (1 if by_county else 0) :])
        )
        row_period = row[n + 1]
        if row_period is None:
            continue
        dim_values = dict(zip(used_dims, row[:n]))
        county_key = row[n] or PROVINCE_KEY
        totals = {"count": int(row[n + 2]), **{m: int(v or 0) for m, v in zip(used_measures, row[n + 3 :])}}
        for ind in indicators:
            if not _matches(ind.where, dim_values):
                continue
            if ind.divide_by is not None:
                part = counts.parts.setdefault(ind.key, {}).setdefault(county_key, [[0, 0], [0, 0]])
                part[0][int(row_period)] += totals[ind.measure]
                part[1][int(row_period)] += totals[ind.divide_by]
            else:
                slot = counts.values.setdefault(ind.key, {}).setdefault(county_key, [0, 0])
                slot[int(row_period)] += totals[ind.measure]


def count_indicators(
    uow: UnitOfWork,
    last: Period,
    this: Period,
    county_id: str | None = None,
    indicators: Sequence[Indicator] = INDICATORS,
) -> Counts:
    """Every indicator for both periods, per county (or only ``county_id``): one query per source.

    A county user's counts hold only their own county's records.
    """
    by_source: dict[str, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        by_source[ind.source].append(ind)
    counts = Counts({ind.key: {} for ind in indicators})
    with uow:
        for key, inds in by_source.items():
            _count_source(uow, SOURCES[key], inds, last, this, county_id, counts)
    for key, by_county in counts.parts.items():  # averages per county (the totals are Counts.total's)
        counts.values[key] = {c: [_average(n[i], d[i]) for i in (0, 1)] for c, (n, d) in by_county.items()}
    return counts
