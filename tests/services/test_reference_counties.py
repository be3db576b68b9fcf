"""Counties are reordered with move_county; the order drives the NGO list's county sort."""

from __future__ import annotations

from ostandari_desk.services import audit, reference
from ostandari_desk.services.ngos import NgoFilter, list_ngo_page


def _names(uow) -> list[str]:
    return [c.name for c in reference.list_counties(uow, include_inactive=True)]


def test_move_county_changes_the_list_order(desk):
    uow = desk.uow
    before = _names(uow)
    last = before[-1]
    reference.move_county(uow, desk.counties[last], -100)  # clipped to the top
    assert _names(uow) == [last, *before[:-1]]
    reference.move_county(uow, desk.counties[last], 1)
    assert _names(uow) == [before[0], last, *before[1:-1]]
    positions = [c.position for c in reference.list_counties(uow, include_inactive=True)]
    assert positions == list(range(1, len(before) + 1))  # renumbered 1..n


def test_moving_past_either_end_changes_nothing(desk):
    uow = desk.uow
    before = _names(uow)
    reference.move_county(uow, desk.counties[before[0]], -1)
    reference.move_county(uow, desk.counties[before[-1]], 5)
    assert _names(uow) == before


def test_an_inactive_county_keeps_its_place(desk):
    uow = desk.uow
    first, second = _names(uow)[:2]
    reference.set_county_active(uow, desk.counties[first], False)
    reference.move_county(uow, desk.counties[second], -1)
    assert _names(uow)[:2] == [second, first]
    assert first not in [c.name for c in reference.list_counties(uow)]


def test_move_county_is_audited(desk):
    uow = desk.uow
    name = _names(uow)[2]
    reference.move_county(uow, desk.counties[name], -1)
    moved = [
        (line.action, line.field, line.username)
        for line in audit.history_of(uow, desk.counties[name])
        if line.action == "update"
    ]
    assert moved == [("update", "position", uow.actor.username)]


def test_the_ngo_list_sorts_counties_in_their_list_order(desk, make_ngo):
    uow = desk.uow
    for county in ("آبیک", "البرز", "تاکستان"):
        make_ngo(county=county, name=f"انجمن {county}")
    make_ngo(county=None, level="province", name="انجمن استانی")

    def county_order() -> list[str]:
        rows = list_ngo_page(uow, NgoFilter(), sort="county")
        return list(dict.fromkeys(r.county_name for r in rows))

    before = county_order()
    assert before[0] == "استان"  # the province itself first
    expected = [n for n in _names(uow) if n in before]
    assert before[1:] == expected

    reference.move_county(uow, desk.counties["تاکستان"], -100)
    after = county_order()
    assert after[:2] == ["استان", "تاکستان"]
    assert after[1:] == [n for n in _names(uow) if n in after]
    descending = list(dict.fromkeys(r.county_name for r in list_ngo_page(uow, NgoFilter(), "county", True)))
    assert descending == after[::-1]
    filtered = list_ngo_page(uow, NgoFilter(status="active"), sort="county")  # sorted whole, one statement
    assert list(dict.fromkeys(r.county_name for r in filtered)) == after
