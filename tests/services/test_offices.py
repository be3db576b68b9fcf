"""The facilitation offices: the one validator, saving with versions, county scope, the list page and an
office's projects with their clocks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ostandari_desk.domain import jalali
from ostandari_desk.errors import (
    ConcurrentEditError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ostandari_desk.services.memoranda import offices as of
from ostandari_desk.services.memoranda.offices import OfficeFilter, OfficeInput

from .memo_rows import add_memorandum, add_payment, add_progress

d = jalali.from_jalali
TODAY = d(1403, 6, 1)


def _input(desk, **changes) -> OfficeInput:
    values = {
        "name": "دفتر تسهیلگری محله اسلام‌آباد",
        "county_id": desk.counties["قزوین"],
        "neighbourhoods": "اسلام‌آباد، مینودر,  پونک ",
        "opened_on": d(1402, 7, 1),
        "budget": 1_500_000_000,
        "state": "open",
    }
    values.update(changes)
    return OfficeInput(**values)


def test_create_cleans_and_get_returns_it(desk, make_ngo):
    ngo = make_ngo(name="انجمن یاری محله")
    office_id = of.create_office(
        desk.uow, _input(desk, name="دفتر  تسهیلگري مينودر", ngo_id=ngo), today=TODAY
    )
    got = of.get_office(desk.uow, office_id, today=TODAY)
    assert got.name == "دفتر تسهیلگری مینودر"
    assert got.neighbourhoods == "اسلام‌آباد، مینودر، پونک"
    assert got.neighbourhood_list == ["اسلام‌آباد", "مینودر", "پونک"]
    assert got.ngo_name == "انجمن یاری محله" and got.county_name == "قزوین"
    assert got.budget == 1_500_000_000 and got.state_label == "فعال" and got.row_version == 1
    assert got.projects == ()
    assert of.find_office_id(desk.uow, desk.counties["قزوین"], "دفتر تسهیلگری مینودر") == office_id
    assert of.find_office_id(desk.uow, desk.counties["آبیک"], "دفتر تسهیلگری مینودر") is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "د"}, "name", "۲ تا ۲۰۰"),
        ({"name": " "}, "name", "وارد نشده"),
        ({"county_id": None}, "county_id", "انتخاب نشده"),
        ({"county_id": "nope"}, "county_id", "پیدا نشد"),
        ({"ngo_id": "no-such-ngo"}, "ngo_id", "سمن مجری"),
        ({"opened_on": d(1403, 6, 2)}, "opened_on", "آینده"),
        ({"budget": -1}, "budget", "منفی"),
        ({"budget": 2.5}, "budget", "صحیح"),
        ({"state": "working"}, "state", "وضعیت"),
        ({"neighbourhoods": "م" * 101}, "neighbourhoods", "محله"),
    ],
)
def test_each_rule_names_its_field(desk, changes, field, words):
    data = _input(desk, **changes)
    errors = of.office_errors(desk.uow, data, today=TODAY)
    assert [e.field for e in errors] == [field]
    assert words in errors[0].message
    with pytest.raises(ValidationError) as caught:
        of.create_office(desk.uow, data, today=TODAY)
    assert caught.value.field == field
    assert of.count_offices(desk.uow) == 0  # nothing stored


def test_several_broken_rules_are_all_listed(desk):
    data = _input(desk, name="", budget=-5, state="x")
    assert [e.field for e in of.office_errors(desk.uow, data, today=TODAY)] == ["name", "budget", "state"]


def test_name_unique_within_its_county_only(desk):
    of.create_office(desk.uow, _input(desk), today=TODAY)
    with pytest.raises(DuplicateError) as caught:
        of.create_office(desk.uow, _input(desk, name="دفتر تسهيلگری محله اسلام آباد"), today=TODAY)
    assert caught.value.field == "name"
    of.create_office(desk.uow, _input(desk, county_id=desk.counties["آبیک"]), today=TODAY)
    assert of.count_offices(desk.uow) == 2


def test_update_with_version_and_keeps_its_own_name(desk):
    office_id = of.create_office(desk.uow, _input(desk), today=TODAY)
    stored = of.get_office(desk.uow, office_id, today=TODAY)
    of.update_office(
        desk.uow, office_id, replace(stored.to_input(), budget=0, state="closed"), 1, today=TODAY
    )
    got = of.get_office(desk.uow, office_id, today=TODAY)
    assert (got.budget, got.state, got.row_version) == (0, "closed", 2)
    with pytest.raises(ConcurrentEditError):
        of.update_office(desk.uow, office_id, stored.to_input(), 1, today=TODAY)


def test_county_user_sees_and_files_only_their_county(desk, uow_as):
    qz, ab = desk.counties["قزوین"], desk.counties["آبیک"]
    qz_office = of.create_office(desk.uow, _input(desk), today=TODAY)
    of.create_office(desk.uow, _input(desk, county_id=ab, name="دفتر آبیک"), today=TODAY)
    abyek = uow_as("county", ab)
    assert [r.name for r in of.list_office_page(abyek)] == ["دفتر آبیک"]
    assert of.count_offices(abyek) == 1
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        of.get_office(abyek, qz_office)
    errors = of.office_errors(abyek, _input(desk, county_id=qz), today=TODAY)
    assert [e.field for e in errors] == ["county_id"]
    assert of.find_office_id(abyek, qz, "دفتر تسهیلگری محله اسلام‌آباد") is None


def test_list_filters_sorts_and_pages(desk, make_ngo):
    ngo = make_ngo()
    qz, ab = desk.counties["قزوین"], desk.counties["آبیک"]
    of.create_office(desk.uow, _input(desk, name="دفتر ویژه", budget=30, neighbourhoods="پونک"), today=TODAY)
    of.create_office(
        desk.uow,
        _input(desk, name="دفتر پردیس", budget=10, state="planned", ngo_id=ngo, neighbourhoods=""),
        today=TODAY,
    )
    of.create_office(
        desk.uow,
        _input(desk, name="دفتر امید", county_id=ab, budget=20, opened_on=None, neighbourhoods=""),
        today=TODAY,
    )
    names = [r.name for r in of.list_office_page(desk.uow)]
    assert names == ["دفتر امید", "دفتر پردیس", "دفتر ویژه"]  # Persian order: پ before و
    assert [r.name for r in of.list_office_page(desk.uow, sort="budget", descending=True)] == [
        "دفتر ویژه",
        "دفتر امید",
        "دفتر پردیس",
    ]
    assert of.list_office_page(desk.uow, sort="opened")[0].name == "دفتر امید"
    assert of.list_office_page(desk.uow, sort="state")[0].name == "دفتر پردیس"
    assert [r.county_name for r in of.list_office_page(desk.uow, sort="county")] == ["قزوین", "قزوین", "آبیک"]
    assert [r.name for r in of.list_office_page(desk.uow, offset=1, limit=1)] == ["دفتر پردیس"]
    assert of.count_offices(desk.uow, OfficeFilter(county_id=qz)) == 2
    assert of.count_offices(desk.uow, OfficeFilter(state="planned")) == 1
    assert of.count_offices(desk.uow, OfficeFilter(ngo=ngo)) == 1
    assert [r.name for r in of.list_office_page(desk.uow, OfficeFilter(search="پونك"))] == ["دفتر ویژه"]
    assert [r.name for r in of.list_office_page(desk.uow, OfficeFilter(search="پرديس"))] == ["دفتر پردیس"]
    with pytest.raises(ValueError):
        of.list_office_page(desk.uow, sort="nope")


def test_projects_with_their_clocks_and_progress(desk, make_ngo):
    ngo = make_ngo(name="انجمن مهر")
    qz = desk.counties["قزوین"]
    office_id = of.create_office(desk.uow, _input(desk, ngo_id=ngo), today=TODAY)
    late = add_memorandum(desk.uow, qz, d(1403, 1, 10), 900, ngo_id=ngo, office_id=office_id, number="۱۰")
    add_payment(desk.uow, late, d(1403, 1, 15), 1, 400)
    add_progress(desk.uow, late, d(1403, 2, 1), 30)
    add_progress(desk.uow, late, d(1403, 3, 1), 60)
    running = add_memorandum(
        desk.uow, qz, d(1403, 5, 1), 500, party_kind="county", office_id=office_id, number="۱۱"
    )
    add_memorandum(desk.uow, qz, d(1403, 5, 1), 700, number="۱۲")  # funds no office
    got = of.get_office(desk.uow, office_id, today=TODAY)
    assert [p.id for p in got.projects] == [running, late]
    first, second = got.projects
    assert first.party_name == "فرمانداری قزوین" and first.latest_percent is None and first.paid == 0
    assert first.ends_on == d(1403, 8, 1) and first.days_left == (d(1403, 8, 1) - TODAY).days > 0
    assert not first.overdue and first.state_label == "جاری"
    assert second.party_name == "انجمن مهر" and (second.amount, second.paid, second.remaining) == (
        900,
        400,
        500,
    )
    assert second.latest_percent == 60
    assert second.days_left == (d(1403, 4, 10) - TODAY).days < 0 and second.overdue
    assert got.active_projects == 2
    row = of.list_office_page(desk.uow)[0]
    assert (row.projects, row.active_projects, row.ngo_name) == (2, 2, "انجمن مهر")


def test_state_labels_read_back():
    assert of.state_from_label("در دست راه‌اندازی") == "planned"
    assert of.state_from_label("") == "open"
    assert of.state_from_label("بسته") == "closed"
    assert of.state_from_label("نامعلوم") is None
