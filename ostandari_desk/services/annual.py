"""The annual comparison: every indicator, this Jalali year against the last, for the province or a county.

``annual_comparison(uow, 1401)`` gives the frozen rows the annual report, the CLI, the reports page
and the start page's year summary all show. A county user's comparison is their county's alone. Ratios are
said the way offices say them («۲٫۴ برابر»), changes in percent («+۱۴۰٪»), a new activity as «جدید» and
nothing as «—».

Like with like: a year still running is compared from 1 Farvardin to today's day of the year in both years
(«۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۰۹/۱۰ در برابر ۱۴۰۴/۰۱/۰۱ تا ۱۴۰۴/۰۹/۱۰»), and the title says so; whole years are
compared only once the year is over (``same_period`` asks for the same span of a finished year too). A year
that has not begun is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import format_number, signed_percent, to_persian_digits
from ostandari_desk.errors import NotFoundError, ValidationError
from ostandari_desk.services import reference
from ostandari_desk.services.indicators import (
    COUNTY_INDICATORS,
    INDICATORS,
    PROVINCE_KEY,
    UNIT_RIALS,
    Indicator,
    Period,
    count_indicators,
)
from ostandari_desk.store.models import County
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "PROVINCE_SCOPE",
    "AnnualComparison",
    "CountyValues",
    "IndicatorRow",
    "KeyColumn",
    "annual_comparison",
    "change_text",
    "compares_to_date",
    "ratio_text",
]

PROVINCE_SCOPE = "کل استان"
PROVINCE_OWN = "اداره کل (استان)"
NEW = "جدید"
NOTHING = "—"


def _trim(text: str) -> str:
    return text.removesuffix("٫۰")


def ratio_text(last: int, this: int) -> str:
    """this / last as offices say it: «۲٫۴ برابر», «۴ برابر»; «جدید» from nothing; «—» for 0 and 0."""
    if last == 0:
        return NOTHING if this == 0 else NEW
    return f"{_trim(format_number(this / last, 1))} برابر"


def change_text(last: int, this: int) -> str:
    """Change in percent with its sign: «+۱۴۰٪», «−۲۰٪», «۰٪»; «جدید»/«—» when last is 0."""
    if last == 0:
        return NOTHING if this == 0 else NEW
    return signed_percent((this - last) * 100 / last)


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    label: str
    unit: str
    last: int
    this: int
    ratio_text: str
    change_text: str
    group: str = ""

    @property
    def last_text(self) -> str:
        return format_number(self.last)

    @property
    def this_text(self) -> str:
        return format_number(self.this)


@dataclass(frozen=True)
class KeyColumn:
    """An indicator shown per county or in a chart: its key, its short label, its group and whether it is
    an amount in rials (a wider column)."""

    key: str
    label: str
    group: str = ""
    money: bool = False


@dataclass(frozen=True)
class CountyValues:
    """One county's (last, this) per indicator, in the order of ``AnnualComparison.county_columns``."""

    county_id: str | None
    name: str
    values: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class AnnualComparison:
    year: int
    previous: int
    scope_name: str
    county_id: str | None
    same_period: bool
    this_label: str
    last_label: str
    this_range: tuple[date, date]
    last_range: tuple[date, date]
    rows: tuple[IndicatorRow, ...]
    key_columns: tuple[KeyColumn, ...]
    by_county: tuple[CountyValues, ...]
    county_totals: tuple[tuple[int, int], ...]
    county_columns: tuple[KeyColumn, ...] = ()

    @property
    def title(self) -> str:
        """The paper's title; a comparison of spans names both spans."""
        if self.same_period:
            return f"گزارش مقایسه‌ای عملکرد {self.this_label} در برابر {self.last_label}"
        return (
            f"گزارش مقایسه‌ای عملکرد سال {to_persian_digits(self.year)} "
            f"نسبت به {to_persian_digits(self.previous)}"
        )

    @property
    def period_note(self) -> str:
        if not self.same_period:
            return f"سال کامل {to_persian_digits(self.year)} در برابر سال کامل {to_persian_digits(self.previous)}"
        return f"{self.this_label} در برابر {self.last_label}"

    def row(self, key: str) -> IndicatorRow:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def groups(self) -> list[tuple[str, list[IndicatorRow]]]:
        """The rows by the report's section, in order."""
        grouped: dict[str, list[IndicatorRow]] = {}
        for r in self.rows:
            grouped.setdefault(r.group, []).append(r)
        return list(grouped.items())

    def county_value(self, county: CountyValues, key: str) -> tuple[int, int]:
        """``county``'s (last, this) of the per-county indicator ``key``."""
        for column, value in zip(self.county_columns, county.values):
            if column.key == key:
                return value
        raise KeyError(key)


def _span_label(start: date, end: date) -> str:
    return f"{jalali.format_jalali(start)} تا {jalali.format_jalali(end)}"


def compares_to_date(year: int, today: date | None = None) -> bool:
    """Whether ``year`` is still running on ``today``: then it is compared to date, like with like.

    A year that has not begun yet is refused (ValidationError).
    """
    current = jalali.jalali_year_of(today or date.today())
    if year > current:
        raise ValidationError(
            f"سال {to_persian_digits(year)} هنوز آغاز نشده است؛ سال جاری {to_persian_digits(current)} است",
            field="year",
        )
    return year == current


def annual_comparison(
    uow: UnitOfWork,
    year: int,
    county_id: str | None = None,
    same_period: bool = False,
    today: date | None = None,
    indicators: tuple[Indicator, ...] = INDICATORS,
) -> AnnualComparison:
    """Every indicator for Jalali ``year`` against ``year - 1``.

    Args:
        county_id: one county, or None for the whole province (then ``by_county`` lists every county).
            A county user sees only their own county: None means it, and another county is refused
            (PermissionDeniedError).
        same_period: compare 1 Farvardin to today's Jalali day of the year in both years
            (``jalali.same_period_range``) even for a finished year. The current year is always
            compared so: its whole is not known yet.
        today: the day "to date" means (default: the real today).
    """
    if not jalali.MIN_YEAR < year <= jalali.MAX_YEAR:
        raise ValidationError(f"سال {to_persian_digits(year)} پذیرفته نیست", field="year")
    today = today or date.today()
    same_period = compares_to_date(year, today) or same_period
    previous = year - 1
    if same_period:
        this_range = jalali.same_period_range(year, today)
        last_range = jalali.same_period_range(previous, today)
        this_label, last_label = _span_label(*this_range), _span_label(*last_range)
    else:
        this_range, last_range = jalali.year_range(year), jalali.year_range(previous)
        this_label, last_label = f"سال {to_persian_digits(year)}", f"سال {to_persian_digits(previous)}"

    with uow:
        if county_id is None:
            county_id = uow.county_scope
        uow.check_county(county_id)
        if county_id is not None:
            county = uow.s.get(County, county_id)
            if county is None:
                raise NotFoundError("شهرستان انتخاب‌شده پیدا نشد")
            scope_name = f"شهرستان {county.name}"
            counties = []
        else:
            scope_name = PROVINCE_SCOPE
            counties = reference.list_counties(uow, include_inactive=True)
        counts = count_indicators(uow, Period(*last_range), Period(*this_range), county_id, indicators)

    rows = []
    for ind in indicators:
        last, this = counts.total(ind.key)
        rows.append(
            IndicatorRow(
                ind.key,
                ind.label,
                ind.unit,
                last,
                this,
                ratio_text(last, this),
                change_text(last, this),
                ind.group,
            )
        )

    per_county = tuple(i for i in COUNTY_INDICATORS if i in indicators)
    by_county: list[CountyValues] = []
    if county_id is None:
        for c in counties:
            values = tuple(counts.of_county(k.key, c.id) for k in per_county)
            if c.active or any(a or b for a, b in values):
                by_county.append(CountyValues(c.id, c.name, values))
        own = tuple(counts.of_county(k.key, PROVINCE_KEY) for k in per_county)
        if any(a or b for a, b in own):
            by_county.append(CountyValues(None, PROVINCE_OWN, own))
    else:
        by_county.append(CountyValues(county_id, scope_name, tuple(counts.total(k.key) for k in per_county)))

    def column(ind: Indicator) -> KeyColumn:
        return KeyColumn(ind.key, ind.short, ind.group, ind.unit == UNIT_RIALS)

    return AnnualComparison(
        year=year,
        previous=previous,
        scope_name=scope_name,
        county_id=county_id,
        same_period=same_period,
        this_label=this_label,
        last_label=last_label,
        this_range=this_range,
        last_range=last_range,
        rows=tuple(rows),
        key_columns=tuple(column(i) for i in indicators if i.is_key),
        by_county=tuple(by_county),
        county_totals=tuple(counts.total(k.key) for k in per_county),
        county_columns=tuple(column(i) for i in per_county),
    )
