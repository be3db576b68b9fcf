"""Jalali (Solar Hijri) dates over stored Gregorian ``datetime.date`` values, converted with jdatetime."""

from __future__ import annotations

import datetime as _dt
import re

import jdatetime

from ostandari_desk.domain.text import normalize, to_persian_digits
from ostandari_desk.errors import ValidationError

__all__ = [
    "MAX_EDITABLE",
    "MAX_YEAR",
    "MIN_EDITABLE",
    "MIN_YEAR",
    "MONTH_NAMES",
    "add_days",
    "add_years",
    "days_in_month",
    "format_jalali",
    "from_jalali",
    "is_leap_year",
    "jalali_month_of",
    "jalali_year_of",
    "month_name",
    "month_range",
    "parse_jalali",
    "same_period_range",
    "to_jalali",
    "today_jalali_year",
    "year_range",
]

MIN_YEAR = 1279
MAX_YEAR = 1499

MONTH_NAMES = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)

_DATE_PATTERN = re.compile(r"(\d{4}) ?[/\-.] ?(\d{1,2}) ?[/\-.] ?(\d{1,2})")


def from_jalali(jy: int, jm: int, jd: int) -> _dt.date:
    """Gregorian date of the Jalali day ``jy/jm/jd`` (no range checks beyond jdatetime's own)."""
    return jdatetime.date(jy, jm, jd).togregorian()


def to_jalali(d: _dt.date) -> tuple[int, int, int]:
    """Jalali (year, month, day) of a Gregorian date."""
    j = jdatetime.date.fromgregorian(date=_as_date(d))
    return j.year, j.month, j.day


def _as_date(d: _dt.date) -> _dt.date:
    return d.date() if isinstance(d, _dt.datetime) else d


def is_leap_year(jy: int) -> bool:
    """Whether Jalali year ``jy`` has 366 days (Esfand 30 exists), by jdatetime's rule."""
    return jdatetime.date(jy, 1, 1).isleap()


def days_in_month(jy: int, jm: int) -> int:
    """Number of days in Jalali month ``jm`` of ``jy``."""
    if not 1 <= jm <= 12:
        raise ValueError(f"month out of range: {jm}")
    if jm <= 6:
        return 31
    if jm <= 11:
        return 30
    return 30 if is_leap_year(jy) else 29


def _ymd_text(jy: int, jm: int, jd: int) -> str:
    return to_persian_digits(f"{jy:04d}/{jm:02d}/{jd:02d}")


def parse_jalali(text: str, field: str | None = None) -> _dt.date:
    """Parse a Jalali date such as ``1401/6/9``, ``۱۴۰۱/۰۶/۰۹`` or ``1401-06-09`` into a Gregorian date.

    Args:
        text: what the clerk typed.
        field: the field name carried on the error, for the form to highlight.

    Raises:
        ValidationError: with a Persian message for malformed text or a day that does not exist.
    """
    try:
        return _parse_jalali(text)
    except ValidationError as exc:
        if field is None:
            raise
        raise ValidationError(exc.message, field=field) from None


def _parse_jalali(text: str) -> _dt.date:
    key = normalize(text) if isinstance(text, str) else ""
    match = _DATE_PATTERN.fullmatch(key)
    if not match:
        shown = (text or "").strip() if isinstance(text, str) else ""
        if not shown:
            raise ValidationError("تاریخ وارد نشده است")
        raise ValidationError(f"تاریخ «{shown}» درست نیست؛ آن را به شکل ۱۴۰۱/۰۶/۰۹ وارد کنید")
    jy, jm, jd = (int(g) for g in match.groups())
    if not MIN_YEAR <= jy <= MAX_YEAR:
        raise ValidationError(
            f"سال {to_persian_digits(jy)} پذیرفته نیست؛ سال باید بین "
            f"{to_persian_digits(MIN_YEAR)} و {to_persian_digits(MAX_YEAR)} باشد"
        )
    if not 1 <= jm <= 12:
        raise ValidationError(f"ماه {to_persian_digits(jm)} وجود ندارد؛ ماه باید بین ۱ و ۱۲ باشد")
    if jd < 1 or jd > 31:
        raise ValidationError(f"روز {to_persian_digits(jd)} وجود ندارد؛ روز باید بین ۱ و ۳۱ باشد")
    if jm >= 7 and jd == 31:
        raise ValidationError(f"ماه ۷ تا ۱۲ سی روزه است: {_ymd_text(jy, jm, jd)} وجود ندارد")
    if jm == 12 and jd == 30 and not is_leap_year(jy):
        raise ValidationError(
            f"تاریخ {_ymd_text(jy, jm, jd)} وجود ندارد (سال {to_persian_digits(jy)} کبیسه نیست)"
        )
    return from_jalali(jy, jm, jd)


def format_jalali(d: _dt.date | None, persian_digits: bool = True) -> str:
    """Show a Gregorian date as Jalali ``۱۴۰۱/۰۶/۰۹`` (or ``1401/06/09``); None gives ""."""
    if d is None:
        return ""
    jy, jm, jd = to_jalali(d)
    text = f"{jy:04d}/{jm:02d}/{jd:02d}"
    return to_persian_digits(text) if persian_digits else text


def jalali_year_of(d: _dt.date) -> int:
    """Jalali year of a Gregorian date."""
    return to_jalali(d)[0]


def jalali_month_of(d: _dt.date) -> tuple[int, int]:
    """Jalali (year, month) of a Gregorian date."""
    jy, jm, _ = to_jalali(d)
    return jy, jm


def year_range(jy: int) -> tuple[_dt.date, _dt.date]:
    """First and last Gregorian day (inclusive) of Jalali year ``jy``."""
    return from_jalali(jy, 1, 1), from_jalali(jy + 1, 1, 1) - _dt.timedelta(days=1)


def month_range(jy: int, jm: int) -> tuple[_dt.date, _dt.date]:
    """First and last Gregorian day (inclusive) of Jalali month ``jm`` of ``jy``."""
    return from_jalali(jy, jm, 1), from_jalali(jy, jm, days_in_month(jy, jm))


def same_period_range(jy: int, today: _dt.date) -> tuple[_dt.date, _dt.date]:
    """From 1 Farvardin ``jy`` to the same Jalali day of the year as ``today`` (clipped to year end).

    ``same_period_range(this_year, today)`` is "this year to date"; ``same_period_range(this_year - 1,
    today)`` is the same span of last year.
    """
    today = _as_date(today)
    day_of_year = (today - year_range(jalali_year_of(today))[0]).days
    start, end = year_range(jy)
    return start, min(start + _dt.timedelta(days=day_of_year), end)


def month_name(jm: int) -> str:
    """Persian name of Jalali month ``jm`` (1 = فروردین … 12 = اسفند)."""
    if not 1 <= jm <= 12:
        raise ValueError(f"month out of range: {jm}")
    return MONTH_NAMES[jm - 1]


def today_jalali_year() -> int:
    """The current Jalali year."""
    return jdatetime.date.today().year


def add_years(d: _dt.date, years: int) -> _dt.date:
    """Add whole Jalali years; Esfand 30 becomes Esfand 29 in a common year.

    A licence issued 1401/06/09 for 4 years expires 1405/06/09.
    """
    jy, jm, jd = to_jalali(d)
    jy += years
    return from_jalali(jy, jm, min(jd, days_in_month(jy, jm)))


def add_months(d: _dt.date, months: int) -> _dt.date:
    """Add whole Jalali months; a day past the target month's end becomes its last day.

    A three-month memorandum starting 1403/11/30 ends 1404/02/30; one starting 1403/06/31 ends 1403/09/30.
    """
    jy, jm, jd = to_jalali(d)
    index = jy * 12 + (jm - 1) + months
    jy, jm = divmod(index, 12)
    jm += 1
    return from_jalali(jy, jm, min(jd, days_in_month(jy, jm)))


def add_days(d: _dt.date, days: int) -> _dt.date:
    """Add (or subtract) calendar days."""
    return _as_date(d) + _dt.timedelta(days=days)


MIN_EDITABLE: _dt.date = from_jalali(MIN_YEAR, 1, 1)
# Qt's Jalali calendar and jdatetime agree on every day up to here; date editors stop at this day.
MAX_EDITABLE: _dt.date = from_jalali(1435, 12, 29)
