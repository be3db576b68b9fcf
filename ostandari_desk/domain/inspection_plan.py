"""The unannounced monthly plan's rules, without a database: visit frequency, due months, working days, the
seeded schedule, and the coverage state of a month (the county × month grid's cells).

A category visited every ``n`` months is due in the months whose absolute index (``year × 12 + month − 1``)
is a multiple of ``n``: monthly every month, every 3 months in فروردین، تیر، مهر and دی, every 12 in فروردین.
Working days are Saturday to Wednesday (Thursday and Friday are the office's weekend).

The schedule is drawn from a seed (the service makes it an HMAC of a per-desk secret with the county and the
month), one draw per centre: the same secret, county, month and centre always give the same day, a centre
added mid-month does not move the others, and without the secret the days cannot be foreseen.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from ostandari_desk.domain.jalali import month_range
from ostandari_desk.domain.text import normalize

DEFAULT_INTERVAL = 1  # months between two visits of a centre: monthly unless a setting says otherwise
MAX_INTERVAL = 12
# date.weekday(): Monday 0 … Sunday 6. The office works Saturday (5) to Wednesday (2).
WORKING_WEEKDAYS = frozenset({5, 6, 0, 1, 2})
WEEKDAY_LABELS: dict[int, str] = {
    5: "شنبه",
    6: "یکشنبه",
    0: "دوشنبه",
    1: "سه‌شنبه",
    2: "چهارشنبه",
    3: "پنجشنبه",
    4: "جمعه",
}

__all__ = [
    "COVERAGE_LABELS",
    "COVERED",
    "DEFAULT_INTERVAL",
    "MAX_INTERVAL",
    "NONE",
    "NOT_DUE",
    "PARTIAL",
    "WEEKDAY_LABELS",
    "WORKING_WEEKDAYS",
    "coverage_state",
    "due_months",
    "interval_for",
    "is_due",
    "is_future_month",
    "is_working_day",
    "month_seed",
    "planned_day",
    "schedule",
    "valid_interval",
    "working_days",
]


def valid_interval(value: object) -> bool:
    """Whether ``value`` is a frequency a setting may hold: a whole number of months, 1 to 12."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_INTERVAL


def interval_for(intervals: Mapping[str, object] | None, category_name: str) -> int:
    """Months between visits of ``category_name``'s centres; keys match by normalized name («ي»/«ی», ZWNJ).

    A missing or unusable value (not 1–12) gives the default, monthly.
    """
    if intervals:
        key = normalize(category_name)
        for name, value in intervals.items():
            if normalize(name) == key and valid_interval(value):
                return int(value)  # type: ignore[call-overload]
    return DEFAULT_INTERVAL


def is_due(interval: int, jalali_year: int, jalali_month: int) -> bool:
    """Whether a centre visited every ``interval`` months is due in that Jalali month."""
    n = interval if valid_interval(interval) else DEFAULT_INTERVAL
    return (jalali_year * 12 + jalali_month - 1) % n == 0


def due_months(interval: int, jalali_year: int) -> tuple[int, ...]:
    """The months (1–12) of ``jalali_year`` in which such a centre is due."""
    return tuple(m for m in range(1, 13) if is_due(interval, jalali_year, m))


def is_working_day(day: date) -> bool:
    """Saturday to Wednesday."""
    return day.weekday() in WORKING_WEEKDAYS


def working_days(jalali_year: int, jalali_month: int) -> list[date]:
    """Every Saturday–Wednesday of the Jalali month, in order."""
    first, last = month_range(jalali_year, jalali_month)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [d for d in days if is_working_day(d)]


def month_seed(secret: str | bytes, county_id: str, jalali_year: int, jalali_month: int) -> bytes:
    """HMAC-SHA256 of the county and the month under the desk's secret: the plan's seed."""
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"{county_id}|{jalali_year:04d}|{jalali_month:02d}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def _draw(seed: bytes, centre_id: str) -> int:
    """A 64-bit number for one centre under ``seed`` (uniform, independent of the other centres)."""
    digest = hmac.new(seed, centre_id.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def planned_day(seed: bytes, centre_id: str, days: list[date]) -> date:
    """The working day of ``days`` on which ``centre_id`` is to be visited."""
    if not days:
        raise ValueError("a month without working days")
    return days[_draw(seed, centre_id) % len(days)]


def schedule(seed: bytes, centre_ids: Iterable[str], days: list[date]) -> list[tuple[str, date]]:
    """Each centre once with its planned day, ordered by day and, within a day, in a random order."""
    planned = []
    for centre_id in dict.fromkeys(centre_ids):
        draw = _draw(seed, centre_id)
        planned.append((days[draw % len(days)], draw >> 8, centre_id))
    planned.sort()
    return [(centre_id, day) for day, _, centre_id in planned]


# --- coverage of a month: the county × month grid's cells -------------------------------------------

COVERED, PARTIAL, NONE, NOT_DUE = "covered", "partial", "none", "not_due"
COVERAGE_LABELS: dict[str, str] = {
    COVERED: "کامل",
    PARTIAL: "ناقص",
    NONE: "بدون بازدید",
    NOT_DUE: "هنوز موعد نیست",
}


def coverage_state(done: int, due: int, future: bool = False) -> str:
    """A cell's state: ``not_due`` for a month still ahead or with nothing due; else covered (every due centre
    visited), partial, or none (a missed month)."""
    if future or due <= 0:
        return NOT_DUE
    if done >= due:
        return COVERED
    return PARTIAL if done > 0 else NONE


def is_future_month(jalali_year: int, jalali_month: int, today_year: int, today_month: int) -> bool:
    """Whether the month comes after today's month."""
    return (jalali_year, jalali_month) > (today_year, today_month)
