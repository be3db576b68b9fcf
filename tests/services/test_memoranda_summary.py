"""The start page's memoranda figures: tranches waiting for progress, memoranda past their end, and open
facilitation offices without an active project — within the actor's scope."""

from __future__ import annotations

from ostandari_desk.domain import jalali
from ostandari_desk.services.memoranda import credits
from ostandari_desk.services.memoranda import offices as of

from .memo_rows import add_memorandum, add_payment, add_progress

d = jalali.from_jalali
TODAY = d(1403, 6, 1)


def _office(desk, name: str, county: str = "قزوین", state: str = "open") -> str:
    data = of.OfficeInput(name=name, county_id=desk.counties[county], state=state)
    return of.create_office(desk.uow, data, today=TODAY)


def test_summary_lists(desk, uow_as):
    uow = desk.uow
    qz, ab = desk.counties["قزوین"], desk.counties["آبیک"]
    busy = _office(desk, "دفتر فعال")
    _office(desk, "دفتر بی‌پروژه")
    _office(desk, "دفتر در راه", state="planned")  # not open: not listed
    _office(desk, "دفتر آبیک", county="آبیک")
    ended = _office(desk, "دفتر با پروژه پایان‌یافته")
    add_memorandum(uow, qz, d(1402, 1, 1), 100, office_id=ended, state="completed")

    # held: first tranche paid, progress 30% < 50%, money left; ends in the future
    held = add_memorandum(uow, qz, d(1403, 5, 1), 1_000, office_id=busy, number="۱")
    add_payment(uow, held, d(1403, 5, 2), 1, 500)
    add_progress(uow, held, d(1403, 5, 20), 30)
    # not held: progress reached 50%
    free = add_memorandum(uow, qz, d(1403, 5, 1), 1_000, number="۲")
    add_payment(uow, free, d(1403, 5, 2), 1, 500)
    add_progress(uow, free, d(1403, 5, 20), 50)
    # not held: nothing paid yet; but past its end at 90%: overdue
    late = add_memorandum(uow, ab, d(1403, 1, 1), 1_000, number="۳")
    add_progress(uow, late, d(1403, 3, 1), 90)
    # held and overdue: paid, no report, ended 1403/04/10
    both = add_memorandum(uow, qz, d(1403, 1, 10), 1_000, number="۴")
    add_payment(uow, both, d(1403, 1, 12), 1, 400)
    # past the end but done (100%), or cancelled, or fully paid: none of the lists
    done = add_memorandum(uow, qz, d(1403, 1, 1), 1_000, number="۵")
    add_progress(uow, done, d(1403, 3, 1), 100)
    add_memorandum(uow, qz, d(1403, 1, 1), 1_000, number="۶", state="cancelled")
    paid_up = add_memorandum(uow, qz, d(1403, 5, 1), 1_000, number="۷")
    add_payment(uow, paid_up, d(1403, 5, 2), 1, 1_000)

    s = credits.memoranda_summary(uow, TODAY)
    assert s.threshold == 50
    assert (s.waiting_count, [m.number for m in s.waiting]) == (2, ["۴", "۱"])  # earliest end first
    assert (s.overdue_count, [m.number for m in s.overdue]) == (2, ["۳", "۴"])
    assert s.overdue[0].county_name == "آبیک" and s.overdue[0].latest_percent == 90
    assert (s.waiting[1].paid, s.waiting[1].latest_percent) == (500, 30)
    assert s.idle_offices_count == 3
    assert [o.name for o in s.idle_offices] == ["دفتر آبیک", "دفتر با پروژه پایان‌یافته", "دفتر بی‌پروژه"]

    county_user = credits.memoranda_summary(uow_as("county", ab), TODAY)
    assert (county_user.waiting_count, county_user.overdue_count, county_user.idle_offices_count) == (0, 1, 1)
    assert [o.name for o in county_user.idle_offices] == ["دفتر آبیک"]


def test_empty_summary(desk):
    s = credits.memoranda_summary(desk.uow, TODAY)
    assert (s.waiting_count, s.overdue_count, s.idle_offices_count) == (0, 0, 0)
    assert s.waiting == s.overdue == () and s.idle_offices == ()


def test_the_lists_filters_find_what_the_summary_counts(desk, uow_as):
    """«waiting» on the memoranda list and «idle» on the offices list are the summary's own conditions: the
    same memoranda and offices, for the province and for a county user, at any release threshold."""
    from ostandari_desk import settings
    from ostandari_desk.services.memoranda import memoranda as ms

    uow = desk.uow
    qz, ab = desk.counties["قزوین"], desk.counties["آبیک"]
    busy = _office(desk, "دفتر فعال")
    _office(desk, "دفتر بی‌پروژه")
    _office(desk, "دفتر بسته", state="closed")
    _office(desk, "دفتر آبیک", county="آبیک")
    add_memorandum(uow, qz, d(1403, 5, 1), 1_000, office_id=busy, number="۰")
    for number, county, paid, progress in (
        ("۱", qz, 500, 30),
        ("۲", qz, 500, 50),
        ("۳", ab, 400, None),
        ("۴", qz, 0, None),
        ("۵", qz, 1_000, 10),
        ("۶", ab, 300, 70),
    ):
        memo_id = add_memorandum(uow, county, d(1403, 5, 1), 1_000, number=number)
        if paid:
            add_payment(uow, memo_id, d(1403, 5, 2), 1, paid)
        if progress is not None:
            add_progress(uow, memo_id, d(1403, 5, 20), progress)

    def listed(u) -> tuple[list[str], list[str]]:
        waiting = sorted(r.number for r in ms.list_memorandum_page(u, ms.MemorandumFilter(waiting=True)))
        assert ms.count_memoranda(u, ms.MemorandumFilter(waiting=True)) == len(waiting)
        idle = sorted(r.name for r in of.list_office_page(u, of.OfficeFilter(idle=True)))
        assert of.count_offices(u, of.OfficeFilter(idle=True)) == len(idle)
        return waiting, idle

    def summarised(u) -> tuple[list[str], list[str]]:
        s = credits.memoranda_summary(u, TODAY)
        assert (s.waiting_count, s.idle_offices_count) == (len(s.waiting), len(s.idle_offices))
        return sorted(m.number for m in s.waiting), sorted(o.name for o in s.idle_offices)

    assert listed(uow) == summarised(uow) == (["۱", "۳"], sorted(["دفتر بی‌پروژه", "دفتر آبیک"]))
    county_user = uow_as("county", ab)
    assert listed(county_user) == summarised(county_user) == (["۳"], ["دفتر آبیک"])
    settings.set_setting(uow, "release_later_min_progress", 80)  # read by the list's SQL as well
    assert listed(uow) == summarised(uow)
    assert listed(uow)[0] == ["۱", "۲", "۳", "۶"]
