"""The plan's pure rules: frequencies, due months, working days, the seeded schedule, a cell's state."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date

import pytest

from ostandari_desk.domain import inspection_plan as rules
from ostandari_desk.domain.jalali import from_jalali, month_range


def test_monthly_is_every_month_and_longer_intervals_keep_to_the_calendar():
    assert rules.due_months(1, 1403) == tuple(range(1, 13))
    assert rules.due_months(3, 1403) == (1, 4, 7, 10)
    assert rules.due_months(6, 1404) == (1, 7)
    assert rules.due_months(12, 1402) == (1,)
    # an interval that does not divide the year runs on across years
    assert rules.due_months(5, 1403) != rules.due_months(5, 1404)
    due = [(y, m) for y in (1403, 1404, 1405) for m in rules.due_months(5, y)]
    gaps = {(b[0] * 12 + b[1]) - (a[0] * 12 + a[1]) for a, b in itertools.pairwise(due)}
    assert gaps == {5}


@pytest.mark.parametrize("bad", [0, 13, -1, "3", 2.5, True, None])
def test_an_unusable_interval_means_monthly(bad):
    assert not rules.valid_interval(bad)
    assert rules.interval_for({"کشتارگاه": bad}, "کشتارگاه") == 1
    assert rules.is_due(bad, 1403, 5)  # type: ignore[arg-type]


def test_interval_is_looked_up_by_normalized_name():
    intervals = {"كمپ ترك اعتياد": 3, "اماکن\u200cورزشی": 2}
    assert rules.interval_for(intervals, "کمپ ترک اعتیاد") == 3  # Arabic ك/ي in the setting
    assert rules.interval_for(intervals, "اماکن ورزشی") == 2  # ZWNJ or space
    assert rules.interval_for(intervals, "کشتارگاه") == 1
    assert rules.interval_for(None, "کشتارگاه") == 1


def test_working_days_are_saturday_to_wednesday_of_the_month():
    days = rules.working_days(1403, 1)
    first, last = month_range(1403, 1)
    assert days[0] >= first and days[-1] <= last
    assert all(d.weekday() not in (3, 4) for d in days)  # never Thursday or Friday
    every_day = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    assert len(days) == sum(1 for d in every_day if d.weekday() not in (3, 4))
    assert from_jalali(1403, 1, 1).weekday() == 2 and days[0] == from_jalali(1403, 1, 1)  # a Wednesday
    assert from_jalali(1403, 1, 2) not in days  # Thursday
    assert from_jalali(1403, 1, 4) in days  # Saturday
    assert rules.WEEKDAY_LABELS[from_jalali(1403, 1, 4).weekday()] == "شنبه"


def test_the_schedule_is_seeded_stable_and_each_centre_once():
    days = rules.working_days(1403, 7)
    seed = rules.month_seed("secret", "county-1", 1403, 7)
    centres = [f"c{n}" for n in range(200)]
    planned = rules.schedule(seed, centres + ["c1"], days)
    assert sorted(c for c, _ in planned) == sorted(centres)
    assert [d for _, d in planned] == sorted(d for _, d in planned)
    assert all(d in days for _, d in planned)
    assert planned == rules.schedule(seed, list(reversed(centres)), days)  # order given does not matter
    # a centre keeps its day when another centre joins the plan
    fewer = dict(rules.schedule(seed, centres[:50], days))
    assert all(fewer[c] == d for c, d in planned if c in fewer)
    assert all(rules.planned_day(seed, c, days) == d for c, d in planned)
    # spread over the month, in an order that is not the ids'
    assert len(Counter(d for _, d in planned)) > len(days) // 2
    assert [c for c, _ in planned] != sorted(centres)


def test_the_seed_depends_on_the_secret_the_county_and_the_month():
    days = rules.working_days(1403, 7)
    centres = [f"c{n}" for n in range(40)]
    seeds = {
        rules.month_seed("secret", "county-1", 1403, 7),
        rules.month_seed("other", "county-1", 1403, 7),
        rules.month_seed("secret", "county-2", 1403, 7),
        rules.month_seed("secret", "county-1", 1403, 8),
        rules.month_seed(b"secret", "county-1", 1404, 7),
    }
    assert len(seeds) == 5
    plans = {tuple(rules.schedule(seed, centres, days)) for seed in seeds}
    assert len(plans) == 5


@pytest.mark.parametrize(
    ("done", "due", "future", "state"),
    [
        (5, 5, False, rules.COVERED),
        (6, 5, False, rules.COVERED),
        (3, 5, False, rules.PARTIAL),
        (0, 5, False, rules.NONE),
        (0, 0, False, rules.NOT_DUE),
        (2, 0, False, rules.NOT_DUE),
        (0, 5, True, rules.NOT_DUE),
    ],
)
def test_coverage_state(done, due, future, state):
    assert rules.coverage_state(done, due, future) == state
    assert rules.COVERAGE_LABELS[state]


def test_future_months():
    assert rules.is_future_month(1403, 8, 1403, 7)
    assert not rules.is_future_month(1403, 7, 1403, 7)
    assert rules.is_future_month(1404, 1, 1403, 12)
    assert not rules.is_future_month(1402, 12, 1403, 1)
