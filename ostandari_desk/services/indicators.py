"""The indicators the office compares year on year, declared once, and the grouped counting behind them.

An :class:`Indicator` names a *source* (a table with its date column, county column and the
dimensions indicators filter on), the dimension values it counts, and what it adds up (``count``, a
summed column, or ``days``: distinct dates). Memoranda, credits or inspections join the annual report
by adding a source and a few definitions to :data:`INDICATORS`; nothing else changes. Each indicator
belongs to a group of the report (:data:`GROUPS`); ``per_county`` ones are also broken down per county.

Counting runs ONE grouped query per source for both periods and every county::

    SELECT kind, county_id, SUM(CASE WHEN d BETWEEN this THEN 1 ELSE 0 END),
           SUM(CASE WHEN d BETWEEN last THEN 1 ELSE 0 END)
    FROM licencestep WHERE kind IN (...) AND d BETWEEN last_start AND this_end
    GROUP BY kind, d, county_id

The periods are conditional sums, never a grouping key, and a source with an index on its date groups
in that index's order (``Source.order``: here ``(kind, on_date, county_id)``), so the database streams
the groups off the index instead of sorting every row of two years; a row per day and county comes
back and is added up here. Sources without a date index (payments, referrals, answered inquiries) group
by their dimensions alone. The indicators are then picked out of the grouped rows in Python. Council
decisions by case type are their own source (steps joined to their cases, approvals and rejections
only), so the big steps scan never touches the table rows. Sources skip joins needed only for the
county when no per-county figure is wanted.

County scope: the statements name plain table columns, which the unit of work does not scope, so a
county user's counts add ``uow.in_scope(<county column>)`` (and always join what finds the county).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.pool import SingletonThreadPool, StaticPool

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
)
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "COUNTY_INDICATORS",
    "GROUPS",
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
UNIT_DAYS = "جلسه"
UNIT_PEOPLE = "نفر"
UNIT_HOURS = "ساعت"
UNIT_RIALS = "ریال"
UNIT_PERCENT = "درصد"

PROVINCE_KEY = ""  # the county key of records that belong to the province itself (county_id NULL)

COUNT = "count"
DAYS = "days"  # distinct values of the source's ``day`` dimension (a date), per county and period

#: column names a Source.order may use besides its dimensions
DATE, COUNTY = "@date", "@county"


@dataclass(frozen=True)
class Source:
    """A table indicators count from.

    Attributes:
        key: the name indicators refer to.
        build: ``build(by_county, unindexed)`` returns ``(from_clause, date_column, county_column,
            {dim: column}, {measure: column})`` over plain table columns; built lazily. ``by_county``
            False means only totals are needed, so a source may skip a join it needs only to find the
            county (and give None for the county column). ``unindexed(column)`` keeps the planner off that
            column's index (``+column`` on SQLite) where it would otherwise pick a worse plan.
        prefilter_dim: the dimension that leads the table's (kind, date, county) index; the union of
            the values the indicators ask for goes into the WHERE so the index is used.
        order: the GROUP BY order, the order of the index the query reads (DATE and COUNTY stand for
            the date and county columns; the dimensions used and not named follow). With DATE in it the
            rows come back per day, grouped as the index streams them; without, the source is scanned
            and grouped by its dimensions (and county) alone.
        weight: the source's rough share of the counting on a large database (its rows in two years,
            and whether they are scanned or joined), to split the work between two connections.
    """

    key: str
    build: Callable[[bool, Callable[[Any], Any]], tuple[Any, Any, Any, dict[str, Any], dict[str, Any]]]
    prefilter_dim: str | None = None
    order: tuple[str, ...] = (DATE, COUNTY)
    weight: int = 1


@dataclass(frozen=True)
class Indicator:
    """One row of the annual comparison.

    ``where`` maps a dimension of the source to the values counted, e.g. ``(("kind", ("issue",)),)``.
    ``measure`` is ``"count"``, ``"days"`` (distinct dates of the source's ``day`` dimension) or the name
    of a summed column of the source.
    ``divide_by`` (``"count"`` or another measure) makes it an average: the measure's sum over that one's,
    rounded half up to a whole number, per county and for the totals alike.
    ``is_key`` indicators head the report (its summary and main chart) and the start page;
    ``per_county`` ones (every key one too) are also shown per county. ``group`` is the report's section.
    """

    key: str
    label: str
    unit: str
    source: str
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    measure: str = COUNT
    short_label: str = ""
    is_key: bool = False
    divide_by: str | None = None
    per_county: bool = False
    group: str = ""

    @property
    def short(self) -> str:
        return self.short_label or self.label

    @property
    def by_county(self) -> bool:
        return self.per_county or self.is_key


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
_INSPECTION = Inspection.__table__.c
_FINDING = Finding.__table__.c
_ACTION = CorrectiveAction.__table__.c


def _steps(by_county: bool, unindexed: Callable[[Any], Any]):
    # Only the (kind, on_date, county_id) index is read: a covering scan in its order.
    return LicenceStep.__table__, _STEP.on_date, _STEP.county_id, {"kind": _STEP.kind}, {}


def _decisions(by_county: bool, unindexed: Callable[[Any], Any]):
    # Council decisions by the type of their case, and the day the council met: the decided cases (a
    # decision and its date are on the case, set with its approval or rejection step), plus the approvals
    # and rejections imported without a case (imports may begin with an approval: an establishment's,
    # met on the day recorded). Scanning the cases costs a third of joining every decision step to its case.
    decided = select(
        case((_CASE.decision == "approved", literal("approval")), else_=literal("rejection")).label("kind"),
        _CASE.case_type.label("case_type"),
        func.coalesce(_CASE.meeting_on, _CASE.decided_on).label("day"),
        _CASE.decided_on.label("on_date"),
        _CASE.county_id.label("county_id"),
    ).where(_CASE.decision.is_not(None), _CASE.decided_on.is_not(None))
    uncased = select(
        _STEP.kind.label("kind"),
        literal("establishment").label("case_type"),
        _STEP.on_date.label("day"),
        _STEP.on_date.label("on_date"),
        _STEP.county_id.label("county_id"),
    ).where(_STEP.kind.in_(("approval", "rejection")), _STEP.case_id.is_(None))
    both = decided.union_all(uncased).subquery("decision")
    dims = {"kind": both.c.kind, "case_type": both.c.case_type, "day": both.c.day}
    return both, both.c.on_date, both.c.county_id, dims, {}


def _inquiries(by_county: bool, unindexed: Callable[[Any], Any]):
    if not by_county:  # province totals: the (sent_on, case_id) index alone answers
        return Inquiry.__table__, _INQUIRY.sent_on, None, {}, {}
    joined = Inquiry.__table__.join(LicenceCase.__table__, _CASE.id == _INQUIRY.case_id)
    return joined, _INQUIRY.sent_on, _CASE.county_id, {}, {}


def _answers(by_county: bool, unindexed: Callable[[Any], Any]):
    # answers are dated by answered_on (no index: the table is scanned, grouped without the date)
    if not by_county:
        return Inquiry.__table__, _INQUIRY.answered_on, None, {}, {}
    # each answer's case by its key: not every case probed for its inquiries by ix_inquiry_case_id
    joined = Inquiry.__table__.join(LicenceCase.__table__, _CASE.id == unindexed(_INQUIRY.case_id))
    return joined, _INQUIRY.answered_on, _CASE.county_id, {}, {}


def _events(by_county: bool, unindexed: Callable[[Any], Any]):
    measures = {"attendees": _EVENT.attendees, "hours": _EVENT.training_hours}
    return Event.__table__, _EVENT.starts_on, _EVENT.county_id, {"kind": _EVENT.kind}, measures


def _letters(by_county: bool, unindexed: Callable[[Any], Any]):
    dims = {"kind": _LETTER.kind, "direction": _LETTER.direction}
    return Letter.__table__, _LETTER.dated_on, _LETTER.county_id, dims, {}


def _memoranda(by_county: bool, unindexed: Callable[[Any], Any]):
    # a memorandum's progress is its highest (so latest) report's percent, kept in latest_progress by the
    # database's triggers (0 when none): (signed_on, county_id, party_kind, amount, …, latest_progress) covers it
    measures = {"amount": _MEMO.amount, "progress": _MEMO.latest_progress}
    dims = {"party": _MEMO.party_kind}
    return Memorandum.__table__, _MEMO.signed_on, _MEMO.county_id, dims, measures


def _payments(by_county: bool, unindexed: Callable[[Any], Any]):
    # payments dated by paid_on, counted under their memorandum's county
    if not by_county:
        return Payment.__table__, _PAYMENT.paid_on, None, {}, {"amount": _PAYMENT.amount}
    joined = Payment.__table__.join(Memorandum.__table__, _MEMO.id == _PAYMENT.memorandum_id)
    return joined, _PAYMENT.paid_on, _MEMO.county_id, {}, {"amount": _PAYMENT.amount}


def _offices(by_county: bool, unindexed: Callable[[Any], Any]):
    office = FacilitationOffice.__table__.c
    return FacilitationOffice.__table__, office.opened_on, office.county_id, {}, {}


def _inspections(by_county: bool, unindexed: Callable[[Any], Any]):
    # the (inspected_on, county_id, announced, result) index alone, in its order
    dims = {"announced": _INSPECTION.announced, "result": _INSPECTION.result}
    return Inspection.__table__, _INSPECTION.inspected_on, _INSPECTION.county_id, dims, {}


def _action_visits():
    """Corrective actions joined to their visit (whose county they count under)."""
    return CorrectiveAction.__table__.join(Finding.__table__, _FINDING.id == _ACTION.finding_id).join(
        Inspection.__table__, _INSPECTION.id == _FINDING.inspection_id
    )


def _referrals(by_county: bool, unindexed: Callable[[Any], Any]):
    # A referral is a corrective action with its referral letter, dated by that letter (the inner join keeps
    # only the referred actions; a letter cannot be deleted while an action names it).
    if not by_county:
        joined = CorrectiveAction.__table__.join(Letter.__table__, _LETTER.id == _ACTION.referral_letter_id)
        return joined, _LETTER.dated_on, None, {}, {}
    joined = _action_visits().join(Letter.__table__, _LETTER.id == _ACTION.referral_letter_id)
    return joined, _LETTER.dated_on, _INSPECTION.county_id, {}, {}


def _actions_closed(by_county: bool, unindexed: Callable[[Any], Any]):
    # Only the done ones have a done_on: the date range keeps the open ones out.
    if not by_county:  # the (done_on, deadline) index alone answers
        return CorrectiveAction.__table__, _ACTION.done_on, None, {}, {}
    return _action_visits(), _ACTION.done_on, _INSPECTION.county_id, {}, {}


_KIND_DATE_COUNTY = ("kind", DATE, COUNTY)

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source("steps", _steps, "kind", _KIND_DATE_COUNTY, weight=5),
        Source("decisions", _decisions, order=(), weight=16),
        Source("inquiries", _inquiries, weight=6),
        Source("answers", _answers, order=(), weight=6),
        Source("events", _events, "kind", _KIND_DATE_COUNTY),
        Source("letters", _letters, "kind", _KIND_DATE_COUNTY, weight=4),
        Source("memoranda", _memoranda, order=(DATE, COUNTY, "party"), weight=3),
        Source("payments", _payments, order=(), weight=11),
        Source("offices", _offices, order=()),
        Source("inspections", _inspections, order=(DATE, COUNTY, "announced", "result"), weight=7),
        Source("referrals", _referrals, order=(), weight=3),
        Source("actions_closed", _actions_closed),
    )
}

# --- the indicators, by the report's sections ------------------------------------------------------

GROUP_LICENCES = "پروانه‌ها و شورا"
GROUP_EVENTS = "همایش‌ها، نشست‌ها و دوره‌های آموزشی"
GROUP_LETTERS = "مکاتبات"
GROUP_MEMORANDA = "تفاهم‌نامه‌ها و اعتبارات"
GROUP_VISITS = "بازدید از مراکز"

_EVENT_KINDS = ("conference", "session", "course")
_CASE_TYPES = (
    ("establishment", "تأسیس"),
    ("renewal", "تمدید"),
    ("upgrade", "ارتقا"),
    ("conformity", "تطبیق"),
)
_LETTER_KINDS = (("support", "هماهنگی و حمایتی"), ("punitive", "توقیفی و توبیخی"), ("other", "سایر"))
_DIRECTIONS = (("outgoing", "صادره"), ("incoming", "وارده"))


def _by_case_type(decision: str, verb: str) -> tuple[Indicator, ...]:
    """One row per case type for council approvals or rejections."""
    return tuple(
        Indicator(
            f"{decision}s_{case_type}",
            f"{verb} با {label}",
            UNIT_CASES,
            "decisions",
            (("kind", (decision,)), ("case_type", (case_type,))),
        )
        for case_type, label in _CASE_TYPES
    )


def _letters_by_direction() -> tuple[Indicator, ...]:
    """One row per direction and kind of letter, «سایر» included."""
    return tuple(
        Indicator(
            f"letters_{direction}_{kind}",
            f"نامه‌های {direction_label}: {kind_label}",
            UNIT_CASES,
            "letters",
            (("kind", (kind,)), ("direction", (direction,))),
        )
        for direction, direction_label in _DIRECTIONS
        for kind, kind_label in _LETTER_KINDS
    )


_LICENCES = (
    Indicator(
        "requests",
        "درخواست‌های پروانه دریافت‌شده",
        UNIT_CASES,
        "steps",
        (("kind", ("request",)),),
        short_label="درخواست‌ها",
        per_county=True,
    ),
    Indicator(
        "council_meetings",
        "جلسات شورا (روزهای تصمیم‌گیری)",
        UNIT_DAYS,
        "decisions",
        (("kind", ("approval", "rejection")),),
        measure=DAYS,
        short_label="جلسات شورا",
        per_county=True,
    ),
    Indicator(
        "inquiries",
        "استعلام‌های ارسال‌شده",
        UNIT_CASES,
        "inquiries",
        short_label="استعلام ارسالی",
        per_county=True,
    ),
    Indicator(
        "inquiries_answered",
        "استعلام‌های پاسخ‌داده‌شده",
        UNIT_CASES,
        "answers",
        short_label="استعلام پاسخ‌داده",
        per_county=True,
    ),
    Indicator("decisions", "تصمیم‌های شورا", UNIT_CASES, "steps", (("kind", ("approval", "rejection")),)),
    *_by_case_type("approval", "موافقت"),
    Indicator(
        "approvals",
        "موافقت با تأسیس و تمدید",
        UNIT_CASES,
        "decisions",
        (("kind", ("approval",)), ("case_type", ("establishment", "renewal"))),
        short_label="موافقت‌ها",
        is_key=True,
    ),
    *_by_case_type("rejection", "مخالفت"),
    Indicator(
        "rejections",
        "مخالفت‌های شورا",
        UNIT_CASES,
        "steps",
        (("kind", ("rejection",)),),
        short_label="مخالفت‌ها",
        per_county=True,
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
    Indicator(
        "renewals",
        "تمدید پروانه",
        UNIT_CASES,
        "steps",
        (("kind", ("renewal",)),),
        short_label="تمدید پروانه",
        per_county=True,
    ),
    Indicator("upgrades", "ارتقا و تطبیق", UNIT_CASES, "steps", (("kind", ("upgrade", "conformity")),)),
    Indicator(
        "sanctions",
        "تعلیق و لغو پروانه",
        UNIT_CASES,
        "steps",
        (("kind", ("suspension", "revocation")),),
        short_label="تعلیق و لغو",
        per_county=True,
    ),
)

_EVENTS = (
    Indicator("conferences", "همایش", UNIT_CASES, "events", (("kind", ("conference",)),), per_county=True),
    Indicator("sessions", "نشست", UNIT_CASES, "events", (("kind", ("session",)),), per_county=True),
    Indicator("courses", "دوره آموزشی", UNIT_CASES, "events", (("kind", ("course",)),), per_county=True),
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
)

_LETTERS = (
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
        "punitive_letters",
        "مکاتبات توقیفی و توبیخی",
        UNIT_CASES,
        "letters",
        (("kind", ("punitive",)),),
        short_label="مکاتبات توقیفی",
        per_county=True,
    ),
    Indicator(
        "other_letters",
        "سایر مکاتبات",
        UNIT_CASES,
        "letters",
        (("kind", ("other",)),),
        short_label="سایر مکاتبات",
        per_county=True,
    ),
    *_letters_by_direction(),
)

_MEMORANDA = (
    Indicator(
        "memoranda",
        "تفاهم‌نامه‌های منعقدشده",
        UNIT_CASES,
        "memoranda",
        short_label="تفاهم‌نامه‌ها",
        per_county=True,
    ),
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
    Indicator(
        "memoranda_amount",
        "مبلغ تفاهم‌نامه‌ها",
        UNIT_RIALS,
        "memoranda",
        measure="amount",
        short_label="اعتبار (ریال)",
        per_county=True,
    ),
    Indicator("memoranda_paid", "مبلغ پرداخت‌شده تفاهم‌نامه‌ها", UNIT_RIALS, "payments", measure="amount"),
    Indicator(
        "memoranda_progress",
        "میانگین پیشرفت تفاهم‌نامه‌ها",
        UNIT_PERCENT,
        "memoranda",
        measure="progress",
        divide_by=COUNT,
    ),
    Indicator(
        "offices_opened",
        "دفاتر تسهیلگری گشایش‌یافته",
        UNIT_CASES,
        "offices",
        short_label="دفاتر تسهیلگری",
        per_county=True,
    ),
)

_VISITS = (
    Indicator(
        "visits", "بازدید از مراکز", UNIT_CASES, "inspections", short_label="بازدیدها", per_county=True
    ),
    Indicator(
        "unannounced_visits",
        "بازدیدهای سرزده",
        UNIT_CASES,
        "inspections",
        (("announced", (False,)),),
        short_label="سرزده",
        per_county=True,
    ),
    Indicator(
        "serious_visits",
        "بازدیدهای منجر به تخلف جدی",
        UNIT_CASES,
        "inspections",
        (("result", ("serious",)),),
        short_label="تخلف جدی",
        per_county=True,
    ),
    Indicator("referrals", "ارجاع به دستگاه صادرکننده مجوز", UNIT_CASES, "referrals"),
    Indicator("actions_closed", "اقدامات اصلاحی انجام‌شده", UNIT_CASES, "actions_closed"),
)

#: The report's sections, in order, with their indicators.
GROUPS: tuple[tuple[str, tuple[Indicator, ...]], ...] = tuple(
    (name, tuple(replace(ind, group=name) for ind in members))
    for name, members in (
        (GROUP_LICENCES, _LICENCES),
        (GROUP_EVENTS, _EVENTS),
        (GROUP_LETTERS, _LETTERS),
        (GROUP_MEMORANDA, _MEMORANDA),
        (GROUP_VISITS, _VISITS),
    )
)

#: The rows of the annual comparison, in the order the report prints them.
INDICATORS: tuple[Indicator, ...] = tuple(ind for _name, members in GROUPS for ind in members)

#: The headline indicators (the summary, the main chart, the start page).
KEY_INDICATORS: tuple[Indicator, ...] = tuple(i for i in INDICATORS if i.is_key)

#: Every indicator also shown per county, in the report's order.
COUNTY_INDICATORS: tuple[Indicator, ...] = tuple(i for i in INDICATORS if i.by_county)


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


def _matches(where: tuple[tuple[str, tuple[Any, ...]], ...], dims: dict[str, Any]) -> bool:
    return all(dims.get(name) in values for name, values in where)


def _prefilter(source: Source, dims: dict[str, Any], indicators: Sequence[Indicator]) -> list[Any]:
    """``dim IN (...)`` for the dimension leading the source's index, when every indicator names its values."""
    if source.prefilter_dim is None:
        return []
    wanted: set[str] = set()
    for ind in indicators:
        values = dict(ind.where).get(source.prefilter_dim)
        if values is None:
            return []
        wanted.update(values)
    return [dims[source.prefilter_dim].in_(sorted(wanted))]


def _count_source(
    uow: UnitOfWork,
    source: Source,
    indicators: Sequence[Indicator],
    last: Period,
    this: Period,
    county_id: str | None,
    counts: Counts,
    execute: Callable[[Any], Sequence[Any]] | None = None,
) -> None:
    """Count ``indicators`` (all of ``source``) into ``counts``; ``execute(statement) -> rows`` runs the
    query (default: on the unit of work's session)."""
    # a county user's counts need the county column, to be limited to their county
    scoped = uow.county_scope is not None
    by_county = scoped or county_id is not None or any(ind.by_county for ind in indicators)
    from_clause, date_col, county_col, dims, measures = source.build(by_county, uow.db.unindexed)
    used_dims = sorted({name for ind in indicators for name, _ in ind.where})
    if any(ind.measure == DAYS for ind in indicators):
        used_dims = sorted({*used_dims, "day"})
    used_measures = sorted(
        {m for ind in indicators for m in (ind.measure, ind.divide_by) if m not in (None, COUNT, DAYS)}
    )
    by_date = DATE in source.order
    # the GROUP BY, in the order of the index the query reads (see Source.order)
    named = {DATE: date_col, COUNTY: county_col if by_county else None}
    grouped = [named[n] if n in named else dims[n] for n in source.order]
    grouped += [dims[name] for name in used_dims if name not in source.order]
    if COUNTY not in source.order:
        grouped.append(named[COUNTY])
    grouped = [c for c in grouped if c is not None]

    if by_date:  # a row per day: the period is told here (summing CASEs over every row costs more)
        values = [date_col, func.count(), *(func.sum(measures[m]) for m in used_measures)]
    else:  # grouped without the date: each period's figures are conditional sums
        values = []
        for span in (last, this):  # per period: the count, then each measure
            within = date_col.between(span.start, span.end)
            values.append(func.sum(case((within, 1), else_=0)))
            values += [func.sum(case((within, measures[m]), else_=0)) for m in used_measures]
    columns = [*(dims[name] for name in used_dims), county_col if by_county else literal(None), *values]
    lo, hi = min(last.start, this.start), max(last.end, this.end)
    conditions = [*_prefilter(source, dims, indicators), date_col >= lo, date_col <= hi]
    if county_id is not None:
        conditions.append(county_col == county_id)
    if scoped:  # plain tables: the session does not scope them
        conditions.append(uow.in_scope(county_col))
    stmt = select(*columns).select_from(from_clause).where(*conditions)
    if grouped:
        stmt = stmt.group_by(*grouped)
    rows = execute(stmt) if execute is not None else uow.s.execute(stmt).all()
    width = 1 + len(used_measures)
    if by_date:
        totals: dict[tuple, list[int]] = _by_period(rows, len(used_dims) + 1, width, last, this)
        days: dict[tuple, tuple[set, set]] = {}
    else:
        totals, days = _grouped(rows, used_dims, width)
    _add_totals(totals, days, used_dims, width, used_measures, indicators, counts)


def _by_period(rows: Sequence[Any], n: int, width: int, last: Period, this: Period) -> dict[tuple, list[int]]:
    """Rows of (key…, day, count, measures…) added up per key as [last figures…, this figures…]; days of
    neither period (between the two spans of a same-period comparison) are left out. A tight loop: the
    steps come back as some twenty thousand rows (one per kind, day and county)."""
    totals: dict[tuple, list[int]] = {}
    if not rows:
        return totals
    spans: tuple[Any, ...] = (this.start, this.end, last.start, last.end)
    if not isinstance(rows[0][n], date):  # ISO text, from a driver that leaves dates so
        spans = tuple(d.isoformat() for d in spans)
    this_start, this_end, last_start, last_end = spans
    for row in rows:
        day = row[n]
        if this_start <= day <= this_end:
            offset = width
        elif last_start <= day <= last_end:
            offset = 0
        else:
            continue
        key = row[:n]
        slot = totals.get(key)
        if slot is None:
            slot = totals[key] = [0] * (2 * width)
        for i in range(width):
            slot[offset + i] += row[n + 1 + i] or 0
    return totals


def _grouped(
    rows: Sequence[Any], used_dims: list[str], width: int
) -> tuple[dict[tuple, list[int]], dict[tuple, tuple[set, set]]]:
    """Rows of (dims…, county, last figures…, this figures…) per key; the ``day`` dimension (when used) is
    taken out of the key into the key's sets of days (last, this)."""
    n = len(used_dims)
    day_at = used_dims.index("day") if "day" in used_dims else None
    totals: dict[tuple, list[int]] = {}
    days: dict[tuple, tuple[set, set]] = {}
    for row in rows:
        values = [int(v or 0) for v in row[n + 1 :]]
        if not (values[0] or values[width]):  # nothing in either period
            continue
        key = tuple(row[: n + 1])
        if day_at is not None:
            day, key = key[day_at], (*key[:day_at], None, *key[day_at + 1 :])
            seen = days.setdefault(key, (set(), set()))
            for p in (0, 1):
                if values[p * width]:
                    seen[p].add(day)
        slot = totals.get(key)
        if slot is None:
            totals[key] = values
        else:
            for i, v in enumerate(values):
                slot[i] += v
    return totals, days


def _add_totals(
    totals: dict[tuple, list[int]],
    days: dict[tuple, tuple[set, set]],
    used_dims: list[str],
    width: int,
    used_measures: list[str],
    indicators: Sequence[Indicator],
    counts: Counts,
) -> None:
    """Add each group's figures ((dims…, county) -> [last figures…, this figures…]) to the indicators it
    matches; a ``days`` indicator counts the distinct days of the groups it matches."""
    n = len(used_dims)
    meetings: dict[tuple[str, str], tuple[set, set]] = {}
    for key, values in totals.items():
        dim_values = dict(zip(used_dims, key[:n]))
        county_key = key[n] or PROVINCE_KEY
        for ind in indicators:
            if not _matches(ind.where, dim_values):
                continue
            if ind.measure == DAYS:  # distinct days over every group the indicator matches
                union = meetings.setdefault((ind.key, county_key), (set(), set()))
                for p in (0, 1):
                    union[p].update(days[key][p])
                continue
            per_period = [
                {
                    COUNT: values[p * width],
                    **{m: values[p * width + 1 + i] for i, m in enumerate(used_measures)},
                }
                for p in (0, 1)
            ]
            if ind.divide_by is not None:
                part = counts.parts.setdefault(ind.key, {}).setdefault(county_key, [[0, 0], [0, 0]])
                for p in (0, 1):
                    part[0][p] += per_period[p][ind.measure]
                    part[1][p] += per_period[p][ind.divide_by]
            else:
                slot = counts.values.setdefault(ind.key, {}).setdefault(county_key, [0, 0])
                for p in (0, 1):
                    slot[p] += per_period[p][ind.measure]
    for (key, county_key), (last_days, this_days) in meetings.items():
        counts.values.setdefault(key, {})[county_key] = [len(last_days), len(this_days)]


def count_indicators(
    uow: UnitOfWork,
    last: Period,
    this: Period,
    county_id: str | None = None,
    indicators: Sequence[Indicator] = INDICATORS,
) -> Counts:
    """Every indicator for both periods, per county (or only ``county_id``): one query per source.

    A county user's counts hold only their own county's records. The sources are split in two halves of
    about equal work (``Source.weight``); the second half runs at the same time on a connection of its
    own (the database works outside Python's lock), so a large database is counted in about half the time.
    Each connection reads the database as committed when it starts; a report is not hurt by a record
    saved in between.
    """
    by_source: dict[str, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        by_source[ind.source].append(ind)
    counts = Counts({ind.key: {} for ind in indicators})
    mine, theirs = _halves(list(by_source))
    with uow:
        if not theirs or not _may_share(uow):
            mine, theirs = mine + theirs, []
        with ThreadPoolExecutor(max_workers=1) as pool:
            other = (
                [
                    pool.submit(
                        _count_apart, uow, [(key, by_source[key]) for key in theirs], last, this, county_id
                    )
                ]
                if theirs
                else []
            )
            for key in mine:
                _count_source(uow, SOURCES[key], by_source[key], last, this, county_id, counts)
            for future in other:
                theirs_counts = future.result()
                counts.values.update({k: v for k, v in theirs_counts.values.items() if v})
                counts.parts.update(theirs_counts.parts)
    for key, by_county in counts.parts.items():  # averages per county (the totals are Counts.total's)
        counts.values[key] = {c: [_average(n[i], d[i]) for i in (0, 1)] for c, (n, d) in by_county.items()}
    return counts


def _halves(keys: list[str]) -> tuple[list[str], list[str]]:
    """The sources in two lists of about equal weight, the heaviest first (greedy)."""
    halves: tuple[list[str], list[str]] = ([], [])
    loads = [0, 0]
    for key in sorted(keys, key=lambda k: -SOURCES[k].weight):
        side = 0 if loads[0] <= loads[1] else 1
        halves[side].append(key)
        loads[side] += SOURCES[key].weight
    return halves


def _may_share(uow: UnitOfWork) -> bool:
    """Whether a second connection reads the same database: not an in-memory one (a single connection)."""
    return not isinstance(uow.engine.pool, (StaticPool, SingletonThreadPool))


def _count_apart(
    uow: UnitOfWork,
    jobs: list[tuple[str, list[Indicator]]],
    last: Period,
    this: Period,
    county_id: str | None,
) -> Counts:
    """Count ``jobs`` on a connection of their own (in a worker thread): read only, rolled back."""
    counts = Counts()
    with uow.engine.connect() as conn:
        for key, inds in jobs:
            _count_source(
                uow, SOURCES[key], inds, last, this, county_id, counts, lambda stmt: conn.execute(stmt).all()
            )
        conn.rollback()
    return counts
