"""Editable reference lists: counties and ReferenceItem kinds."""

from __future__ import annotations

import pytest

from ostandari_desk.errors import DuplicateError, PermissionDeniedError, ValidationError
from ostandari_desk.services import reference


def test_county_lookup_is_normalized(desk):
    assert reference.county_id_by_name(desk.uow, "بوئين زهرا") == desk.counties["بوئین‌زهرا"]
    assert reference.county_id_by_name(desk.uow, "تبریز") is None
    assert reference.county_name(desk.uow, None) == "استان"


def test_add_rename_and_deactivate_a_county(desk):
    uow = desk.uow
    new_id = reference.add_county(uow, "  محمدیه ")
    assert reference.list_counties(uow)[-1].name == "محمدیه"
    with pytest.raises(DuplicateError):
        reference.add_county(uow, "محمديه")
    with pytest.raises(ValidationError):
        reference.add_county(uow, "   ")
    reference.rename_county(uow, new_id, "محمدیه جدید")
    with pytest.raises(DuplicateError):
        reference.rename_county(uow, new_id, "البرز")
    reference.set_county_active(uow, new_id, False)
    assert new_id not in [c.id for c in reference.list_counties(uow)]
    hidden = [c for c in reference.list_counties(uow, include_inactive=True) if c.id == new_id]
    assert hidden[0].name == "محمدیه جدید" and not hidden[0].active


def test_items_add_rename_hide_and_move(desk):
    uow = desk.uow
    harm_id = reference.add_item(uow, "social_harm", "فقر")
    assert reference.item_id_by_name(uow, "social_harm", "فقر") == harm_id
    with pytest.raises(DuplicateError):
        reference.add_item(uow, "social_harm", "طلاق")
    reference.add_item(uow, "field", "طلاق")  # same name in another list is fine
    reference.rename_item(uow, harm_id, "فقر و بیکاری")
    reference.move_item(uow, harm_id, -100)
    assert reference.list_items(uow, "social_harm")[0].name == "فقر و بیکاری"
    reference.move_item(uow, harm_id, 1)
    assert [i.name for i in reference.list_items(uow, "social_harm")][:2] == ["نزاع و درگیری", "فقر و بیکاری"]
    reference.set_item_active(uow, harm_id, False)
    assert harm_id not in [i.id for i in reference.list_items(uow, "social_harm")]
    assert harm_id in [i.id for i in reference.list_items(uow, "social_harm", include_inactive=True)]
    with pytest.raises(KeyError):
        reference.list_items(uow, "colour")


@pytest.mark.parametrize("role", ["manager", "clerk", "county"])
def test_only_an_admin_edits_reference_lists_and_counties(desk, uow_as, role):
    uow = uow_as(role, county_id=desk.counties["آبیک"] if role == "county" else None)
    county_id = desk.counties["آبیک"]
    item_id = desk.fields["ورزشی"]
    before = (reference.list_counties(desk.uow, True), reference.list_items(desk.uow, "field", True))
    attempts = [
        lambda: reference.add_county(uow, "محمدیه"),
        lambda: reference.rename_county(uow, county_id, "آبیک نو"),
        lambda: reference.set_county_active(uow, county_id, False),
        lambda: reference.move_county(uow, county_id, 1),
        lambda: reference.add_item(uow, "field", "گردشگری"),
        lambda: reference.rename_item(uow, item_id, "ورزش"),
        lambda: reference.set_item_active(uow, item_id, False),
        lambda: reference.move_item(uow, item_id, 1),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError, match="ویرایش فهرست‌های پایه"):
            attempt()
    assert (reference.list_counties(uow, True), reference.list_items(uow, "field", True)) == before
    assert reference.add_item(desk.uow, "field", "گردشگری")  # the admin may


def test_a_county_user_files_records_under_their_county_alone(desk, uow_as):
    own = desk.counties["آبیک"]
    assert [c.id for c in reference.counties_in_scope(uow_as("county", county_id=own))] == [own]
    reference.set_county_active(desk.uow, own, False)  # hidden since: still their county
    assert [c.id for c in reference.counties_in_scope(uow_as("county", county_id=own))] == [own]
    assert own not in [c.id for c in reference.counties_in_scope(uow_as("clerk"))]
    assert len(reference.counties_in_scope(uow_as("clerk"))) == len(desk.counties) - 1
