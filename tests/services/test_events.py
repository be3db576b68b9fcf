"""Events service: validation, create/update/delete, filters and sorting, month calendar, NGO timeline."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from ostandari_desk.domain import text
from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.domain.jalali import from_jalali
from ostandari_desk.errors import ConcurrentEditError, NotFoundError, ValidationError
from ostandari_desk.services import events as ev
from ostandari_desk.services.audit import stamps
from ostandari_desk.store.models import Ngo

from .conftest import next_national_id

_seq = itertools.count(9_000)
_prefix = itertools.count(1_050_000_000)


def insert_ngo(uow, name: str, county_id: str | None = None) -> tuple[str, str]:
    """Insert an NGO straight into the store (these tests need NGOs, not the NGO service's rules).

    Returns (id, national id).
    """
    national_id = make_legal_national_id(str(next(_prefix)))
    with uow:
        ngo = Ngo(
            **stamps(),
            seq=next(_seq),
            national_id=national_id,
            name=name,
            name_key=text.normalize(name),
            name_sort=text.persian_sort_key(name),
            level="county",
            county_id=county_id,
        )
        uow.s.add(ngo)
        uow.commit()
        return ngo.id, national_id


def J(y, m, d) -> date:
    return from_jalali(y, m, d)


def _course(**kw) -> ev.EventInput:
    values = {
        "kind": "course",
        "title": "دوره آموزشی مهارت‌های زندگی",
        "starts_on": J(1401, 6, 9),
        "ends_on": J(1401, 6, 11),
        "attendees": 40,
        "training_hours": 12,
    }
    values.update(kw)
    return ev.EventInput(**values)


def test_create_and_get_event(desk):
    ngo_a, _ = insert_ngo(desk.uow, "انجمن حمایت از کودکان")
    ngo_b, _ = insert_ngo(desk.uow, "کانون جوانان")
    event_id = ev.create_event(
        desk.uow,
        _course(county_id=desk.counties["البرز"], organizer_ngo_id=ngo_a, ngo_ids=(ngo_b, ngo_a, ngo_b)),
    )
    detail = ev.get_event(desk.uow, event_id)
    assert detail.kind_label == "دوره آموزشی"
    assert detail.county_name == "البرز"
    assert detail.organizer.name == "انجمن حمایت از کودکان"
    assert {n.id for n in detail.ngos} == {ngo_a, ngo_b}
    assert detail.training_hours == 12
    assert detail.to_input().ngo_ids and detail.row_version == 1


def test_title_is_cleaned_and_normalized(desk):
    event_id = ev.create_event(desk.uow, _course(title="  نشست  تشكل‌هاي  استان "))
    detail = ev.get_event(desk.uow, event_id)
    assert detail.title == "نشست تشکل‌های استان"
    rows = ev.list_event_page(desk.uow, ev.EventFilter(text="تشکل های"))
    assert [r.id for r in rows] == [event_id]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "party"}, "kind"),
        ({"title": "  "}, "title"),
        ({"ends_on": J(1401, 6, 8)}, "ends_on"),
        ({"attendees": -1}, "attendees"),
        ({"training_hours": -2}, "training_hours"),
        ({"kind": "session", "training_hours": 4}, "training_hours"),
        ({"county_id": "nope"}, "county_id"),
        ({"organizer_ngo_id": "nope"}, "organizer_ngo_id"),
        ({"ngo_ids": ("nope",)}, "ngo_ids"),
    ],
)
def test_validation(desk, change, field):
    with pytest.raises(ValidationError) as info:
        ev.create_event(desk.uow, _course(**change))
    assert info.value.field == field
    assert info.value.message  # Persian text for the screen
    assert ev.count_events(desk.uow) == 0


def test_session_without_hours_and_single_day_is_fine(desk):
    event_id = ev.create_event(
        desk.uow, ev.EventInput(kind="session", title="نشست هم‌اندیشی", starts_on=J(1401, 1, 1))
    )
    row = ev.list_event_page(desk.uow)[0]
    assert row.id == event_id
    assert row.county_name == "استان" and row.organizer_name == "اداره کل"
    assert row.ends_on is None and row.dates_text == "۱۴۰۱/۰۱/۰۱"


def test_update_with_version_and_delete(desk):
    ngo_a, _ = insert_ngo(desk.uow, "انجمن الف")
    event_id = ev.create_event(desk.uow, _course(ngo_ids=(ngo_a,)))
    ev.update_event(desk.uow, event_id, _course(title="دوره دوم", ngo_ids=()), 1)
    detail = ev.get_event(desk.uow, event_id)
    assert detail.title == "دوره دوم" and detail.ngos == () and detail.row_version == 2
    with pytest.raises(ConcurrentEditError):
        ev.update_event(desk.uow, event_id, _course(title="کهنه"), 1)
    ev.delete_event(desk.uow, event_id)
    with pytest.raises(NotFoundError):
        ev.get_event(desk.uow, event_id)
    assert ev.count_events(desk.uow) == 0


def test_filters_sort_and_pages(desk):
    ngo_a, _ = insert_ngo(desk.uow, "انجمن الف")
    alborz = desk.counties["البرز"]
    made = [
        ev.create_event(desk.uow, _course(title="دوره یک", starts_on=J(1400, 12, 1), ends_on=None)),
        ev.create_event(
            desk.uow,
            ev.EventInput("conference", "همایش سمن‌ها", J(1401, 2, 1), county_id=alborz, ngo_ids=(ngo_a,)),
        ),
        ev.create_event(
            desk.uow, ev.EventInput("session", "نشست شورا", J(1401, 3, 1), organizer_ngo_id=ngo_a)
        ),
    ]
    assert ev.count_events(desk.uow) == 3
    assert ev.count_events(desk.uow, ev.EventFilter(year=1401)) == 2
    assert ev.count_events(desk.uow, ev.EventFilter(kind="conference")) == 1
    assert ev.count_events(desk.uow, ev.EventFilter(county_id=alborz)) == 1
    assert ev.count_events(desk.uow, ev.EventFilter(county_id=ev.PROVINCE_ONLY)) == 2
    assert ev.count_events(desk.uow, ev.EventFilter(ngo_id=ngo_a)) == 2
    newest = ev.list_event_page(desk.uow, sort="starts_on", descending=True)
    assert [r.id for r in newest] == made[::-1]
    page = ev.list_event_page(desk.uow, sort="starts_on", descending=False, offset=1, limit=1)
    assert [r.id for r in page] == [made[1]]
    conference = ev.list_event_page(desk.uow, ev.EventFilter(kind="conference"))[0]
    assert conference.ngo_count == 1 and conference.county_name == "البرز"
    assert ev.list_event_page(desk.uow, sort="attendees", descending=True)[0].id == made[0]
    for key in ev.SORT_KEYS:
        assert len(ev.list_event_page(desk.uow, sort=key)) == 3
    assert ev.event_years(desk.uow) == [1401, 1400]


def test_month_calendar(desk):
    # a course from 29 Farvardin to 2 Ordibehesht touches both months
    spanning = ev.create_event(desk.uow, _course(starts_on=J(1401, 1, 29), ends_on=J(1401, 2, 2)))
    in_may = ev.create_event(desk.uow, ev.EventInput("session", "نشست", J(1401, 2, 15)))
    ev.create_event(desk.uow, ev.EventInput("session", "نشست بعدی", J(1401, 3, 1)))
    farvardin = ev.events_in_month(desk.uow, 1401, 1)
    ordibehesht = ev.events_in_month(desk.uow, 1401, 2)
    assert [r.id for r in farvardin] == [spanning]
    assert [r.id for r in ordibehesht] == [spanning, in_may]
    days = ev.event_days_in_month(ordibehesht, 1401, 2)
    assert sorted(days) == [J(1401, 2, 1), J(1401, 2, 2), J(1401, 2, 15)]
    assert ev.events_in_month(desk.uow, 1401, 2, county_id=desk.counties["البرز"]) == []


def test_events_of_ngo(desk):
    ngo_a, _ = insert_ngo(desk.uow, "انجمن الف")
    organized = ev.create_event(
        desk.uow, ev.EventInput("session", "نشست", J(1401, 3, 1), organizer_ngo_id=ngo_a)
    )
    joined = ev.create_event(desk.uow, ev.EventInput("conference", "همایش", J(1401, 2, 1), ngo_ids=(ngo_a,)))
    ev.create_event(desk.uow, ev.EventInput("conference", "دیگر", J(1401, 2, 1)))
    rows = ev.events_of_ngo(desk.uow, ngo_a)
    assert [(r.id, r.role) for r in rows] == [(joined, "شرکت‌کننده"), (organized, "برگزارکننده")]


def test_search_ngos(desk, make_ngo):
    """The pickers find NGOs as the NGO list does (its full-text index: NGOs saved by the NGO service)."""
    nid = next_national_id()
    ngo_a = make_ngo(name="انجمن حمايت از كودكان", national_id=nid)
    make_ngo(name="کانون جوانان")
    assert [r.id for r in ev.search_ngos(desk.uow, "حمایت کودکان")] == [ngo_a]
    assert [r.id for r in ev.search_ngos(desk.uow, text.to_persian_digits(nid))] == [ngo_a]
    assert len(ev.search_ngos(desk.uow, "")) == 2
