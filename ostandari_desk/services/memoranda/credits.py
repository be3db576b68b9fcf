"""Credits by county (the fairness view) and the memoranda figures of the start page.

``credits_by_county`` aggregates in SQL, one grouped statement over the year's memoranda, read from
``ix_memorandum_signed_county`` (signed_on, county_id, party_kind, amount, paid_total, latest_progress)
alone: each memorandum's paid sum and latest progress are its derived columns, kept by database triggers on
payment and progressreport (migration 0007), so no payment or progress row is read. Money stays in whole rials (Python ints): amounts per 10,000 inhabitants are integer
divisions, the median of an even number of counties is kept doubled so the «far below» test is exact.

County scope: the statements name plain table columns (which the session does not scope), so a county
user's figures add ``uow.in_scope(county column)``: they see their own county alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ostandari_desk import settings
from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import ValidationError
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda.listing import waiting_condition
from ostandari_desk.services.memoranda.offices import idle_office_condition
from ostandari_desk.store.models import County, FacilitationOffice, Memorandum
from ostandari_desk.store.uow import UnitOfWork

PER_INHABITANTS = 10_000  # amounts are shown per this many inhabitants
#: A county is «far below» when its amount per 10,000 inhabitants is under this fraction of the median.
FAR_BELOW_NUMERATOR, FAR_BELOW_DENOMINATOR = 1, 2
FAR_BELOW_RULE = "کمتر از نصف میانه استان (مبلغ به ازای هر ده هزار نفر جمعیت)"
PROVINCE_NAME = "استان"
TOTAL_NAME = "جمع استان"
SUMMARY_LIMIT = 10  # items of each start-page list

_MEMO = Memorandum.__table__.c
_OFFICE = FacilitationOffice.__table__.c
_COUNTY = County.__table__.c


@dataclass(frozen=True)
class CountyCredits:
    """One county's memoranda of the year (or the province's own, county_id None; or the totals)."""

    county_id: str | None
    county_name: str
    memoranda: int
    with_governorates: int
    with_ngos: int
    amount: int
    paid: int
    progress_sum: int  # the sum of each memorandum's latest percent (0 when none)
    population: int | None = None
    per_10k: int | None = None  # whole rials of amount per 10,000 inhabitants (None: population unknown)
    far_below: bool = False

    @property
    def remaining(self) -> int:
        return self.amount - self.paid

    @property
    def average_progress(self) -> float:
        """The mean of the memoranda's latest progress, in percent (0 with no memoranda)."""
        return self.progress_sum / self.memoranda if self.memoranda else 0.0

    @property
    def average_progress_text(self) -> str:
        return text.format_number(self.average_progress, 1) + "٪"

    @property
    def paid_percent(self) -> int:
        """Paid as a whole percent of the amount (rounded down; 0 with no amount)."""
        return self.paid * 100 // self.amount if self.amount else 0


@dataclass(frozen=True)
class CreditsView:
    """A Jalali year's credits per county, with the province's totals.

    ``rows``: every county in scope in the list's order (those without memoranda too), then the province's
    own memoranda when there are any. ``median_per_10k``: the median of the counties' amounts per 10,000
    inhabitants over the counties whose population is known (None: none is); a county is ``far_below`` when
    its figure is under half that median (``far_below_rule`` says so in Persian).
    """

    jalali_year: int
    rows: tuple[CountyCredits, ...]
    total: CountyCredits
    median_per_10k: int | None
    far_below_rule: str = FAR_BELOW_RULE

    def row(self, county_id: str | None) -> CountyCredits:
        for r in self.rows:
            if r.county_id == county_id:
                return r
        raise KeyError(county_id)


def _year_statement(start: date, end: date, scope):
    """Per (county, party kind): count, amount, paid, sum of latest percents, over the year's memoranda."""
    return (
        select(
            _MEMO.county_id,
            _MEMO.party_kind,
            func.count(),
            func.coalesce(func.sum(_MEMO.amount), 0),
            func.coalesce(func.sum(_MEMO.paid_total), 0),
            func.coalesce(func.sum(_MEMO.latest_progress), 0),
        )
        .where(_MEMO.signed_on >= start, _MEMO.signed_on <= end, scope)
        .group_by(_MEMO.county_id, _MEMO.party_kind)
    )


def year_statement(uow: UnitOfWork, jalali_year: int):
    """The grouped statement behind ``credits_by_county`` (for the query-plan test)."""
    return _year_statement(*jalali.year_range(jalali_year), uow.in_scope(_MEMO.county_id))


def _per_10k(amount: int, population: int | None) -> int | None:
    if not population:
        return None
    return amount * PER_INHABITANTS // population


def _far_below(value: int | None, doubled_median: int | None) -> bool:
    """value < median × 1/2, with the median given doubled (exact for an even count)."""
    if value is None or doubled_median is None:
        return False
    return value * 2 * FAR_BELOW_DENOMINATOR < doubled_median * FAR_BELOW_NUMERATOR


def _doubled_median(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] * 2 if len(ordered) % 2 else ordered[mid - 1] + ordered[mid]


def credits_by_county(uow: UnitOfWork, jalali_year: int, county_id: str | None = None) -> CreditsView:
    """The memoranda signed in Jalali ``jalali_year`` per county (see CreditsView).

    ``county_id``: only that county's row (the median is still the province's, within the actor's scope).
    A county user sees their own county alone.

    Raises:
        ValidationError: a year outside the calendar's range.
        PermissionDeniedError: a county user asking for another county.
    """
    if not jalali.MIN_YEAR < jalali_year <= jalali.MAX_YEAR:
        raise ValidationError(f"سال {text.to_persian_digits(jalali_year)} پذیرفته نیست", field="year")
    start, end = jalali.year_range(jalali_year)
    with uow:
        if county_id is not None:
            uow.check_county(county_id)
        grouped: dict[str | None, list[int]] = {}
        for cid, party, n, amount, paid, progress in uow.s.execute(
            _year_statement(start, end, uow.in_scope(_MEMO.county_id))
        ):
            slot = grouped.setdefault(cid, [0, 0, 0, 0, 0, 0])
            slot[0] += int(n)
            slot[1 if party == "county" else 2] += int(n)
            slot[3] += int(amount)
            slot[4] += int(paid)
            slot[5] += int(progress)
        stmt = select(_COUNTY.id, _COUNTY.name, _COUNTY.active, _COUNTY.population).order_by(
            _COUNTY.position, _COUNTY.name_key
        )
        province_id = settings.get_setting(uow, "province_id")
        if province_id:
            stmt = stmt.where(_COUNTY.province_id == province_id)
        stmt = stmt.where(uow.in_scope(_COUNTY.id))
        counties = [r for r in uow.s.execute(stmt) if r.active or r.id in grouped]

    def build(cid: str | None, name: str, population: int | None, doubled: int | None) -> CountyCredits:
        n, gov, ngo, amount, paid, progress = grouped.get(cid, [0, 0, 0, 0, 0, 0])
        per = _per_10k(amount, population)
        return CountyCredits(
            cid, name, n, gov, ngo, amount, paid, progress, population, per, _far_below(per, doubled)
        )

    per_values = [
        p for c in counties if (p := _per_10k(grouped.get(c.id, [0] * 6)[3], c.population)) is not None
    ]
    doubled = _doubled_median(per_values)
    rows = [build(c.id, c.name, c.population, doubled) for c in counties]
    if None in grouped and uow.county_scope is None:
        rows.append(build(None, PROVINCE_NAME, None, None))
    if county_id is not None:
        rows = [r for r in rows if r.county_id == county_id]
    population = sum(r.population or 0 for r in rows if r.county_id is not None)
    amount = sum(r.amount for r in rows)
    total = CountyCredits(
        None,
        TOTAL_NAME if county_id is None and uow.county_scope is None else rows[0].county_name if rows else "",
        sum(r.memoranda for r in rows),
        sum(r.with_governorates for r in rows),
        sum(r.with_ngos for r in rows),
        amount,
        sum(r.paid for r in rows),
        sum(r.progress_sum for r in rows),
        population or None,
        _per_10k(amount, population),
    )
    return CreditsView(
        jalali_year=jalali_year,
        rows=tuple(rows),
        total=total,
        median_per_10k=None if doubled is None else doubled // 2,
    )


# --- the start page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryMemorandum:
    id: str
    number: str
    title: str
    county_name: str
    amount: int
    paid: int
    latest_percent: int  # 0 when no report yet
    ends_on: date


@dataclass(frozen=True)
class IdleOffice:
    id: str
    name: str
    county_name: str


@dataclass(frozen=True)
class MemorandaSummary:
    """The start page's memoranda figures (each list holds at most SUMMARY_LIMIT items; the counts all).

    ``waiting``: active memoranda with a tranche paid and money left whose latest progress is below the
    release rule's threshold (``threshold``%), so their next tranche waits for a progress report.
    ``overdue``: active memoranda past their end date without 100% progress (oldest end first).
    ``idle_offices``: open facilitation offices without an active memorandum funding them.
    """

    threshold: int
    waiting_count: int
    waiting: tuple[SummaryMemorandum, ...]
    overdue_count: int
    overdue: tuple[SummaryMemorandum, ...]
    idle_offices_count: int
    idle_offices: tuple[IdleOffice, ...]


def _later_min_progress(uow: UnitOfWork) -> int:
    return int(settings.get_setting(uow, "release_later_min_progress"))


def _county_names(uow: UnitOfWork) -> dict[str | None, str]:
    names: dict[str | None, str] = {c.id: c.name for c in reference.list_counties(uow, include_inactive=True)}
    names[None] = PROVINCE_NAME
    return names


def _counted(uow: UnitOfWork, stmt, order: list) -> tuple[int, list]:
    """How many rows ``stmt`` gives, and its first SUMMARY_LIMIT in ``order``."""
    inner = stmt.subquery()
    count = int(uow.s.execute(select(func.count()).select_from(inner)).scalar_one())
    first = uow.s.execute(select(*inner.c).order_by(*(inner.c[c] for c in order)).limit(SUMMARY_LIMIT)).all()
    return count, first


def memoranda_summary(uow: UnitOfWork, today: date | None = None) -> MemorandaSummary:
    """Tranches waiting for progress, memoranda past their end, and open offices without an active project,
    within the actor's scope (see MemorandaSummary)."""
    today = today or date.today()
    paid, latest = _MEMO.paid_total, _MEMO.latest_progress  # derived by triggers (0 when none)
    with uow:
        threshold = _later_min_progress(uow)
        names = _county_names(uow)
        scope = uow.in_scope(_MEMO.county_id)
        columns = (
            _MEMO.id,
            _MEMO.number,
            _MEMO.title,
            _MEMO.county_id,
            _MEMO.amount,
            paid.label("paid"),
            latest.label("latest"),
            _MEMO.ends_on,
        )
        # overdue: the (state, ends_on) index finds the candidates; their progress decides
        overdue = select(*columns).where(_MEMO.state == "active", _MEMO.ends_on < today, scope, latest < 100)
        overdue_count, overdue_rows = _counted(uow, overdue, ["ends_on", "number"])
        # waiting: the memoranda list's «waiting» filter (one rule), at the threshold shown on the tile
        waiting = select(*columns).where(waiting_condition(threshold), scope)
        waiting_count, waiting_rows = _counted(uow, waiting, ["ends_on", "number"])
        # idle: the offices list's «idle» filter (one rule)
        idle = uow.s.execute(
            select(_OFFICE.id, _OFFICE.name, _OFFICE.county_id).where(
                idle_office_condition(), uow.in_scope(_OFFICE.county_id)
            )
        ).all()

    def item(r) -> SummaryMemorandum:
        return SummaryMemorandum(r[0], r[1], r[2], names.get(r[3], ""), int(r[4]), int(r[5]), int(r[6]), r[7])

    idle_sorted = sorted(
        idle, key=lambda r: (text.persian_sort_key(names.get(r[2], "")), text.persian_sort_key(r[1]))
    )
    return MemorandaSummary(
        threshold=threshold,
        waiting_count=waiting_count,
        waiting=tuple(item(r) for r in waiting_rows),
        overdue_count=overdue_count,
        overdue=tuple(item(r) for r in overdue_rows),
        idle_offices_count=len(idle),
        idle_offices=tuple(IdleOffice(r[0], r[1], names.get(r[2], "")) for r in idle_sorted[:SUMMARY_LIMIT]),
    )


__all__ = [
    "FAR_BELOW_RULE",
    "PER_INHABITANTS",
    "CountyCredits",
    "CreditsView",
    "IdleOffice",
    "MemorandaSummary",
    "SummaryMemorandum",
    "credits_by_county",
    "memoranda_summary",
    "year_statement",
]
