"""A county's population (for the credits per 10,000 inhabitants): set, cleared, checked, versioned, and an
admin's (EDIT_REFERENCE) right only."""

from __future__ import annotations

import pytest

from ostandari_desk.errors import ConcurrentEditError, PermissionDeniedError, ValidationError
from ostandari_desk.services import reference


def _row(uow, county_id):
    return next(c for c in reference.list_counties(uow, include_inactive=True) if c.id == county_id)


def test_set_and_clear_population(desk):
    cid = desk.counties["آبیک"]
    row = _row(desk.uow, cid)
    assert row.population is None
    reference.set_county_population(desk.uow, cid, 154_000, row.row_version)
    row = _row(desk.uow, cid)
    assert (row.population, row.row_version) == (154_000, 2)
    reference.set_county_population(desk.uow, cid, 0, 2)
    assert _row(desk.uow, cid).population == 0
    reference.set_county_population(desk.uow, cid, None, 3)
    assert _row(desk.uow, cid).population is None


@pytest.mark.parametrize("bad", [-1, 2.5, "۱۰۰", True])
def test_population_must_be_a_whole_number_not_below_zero(desk, bad):
    cid = desk.counties["آبیک"]
    with pytest.raises(ValidationError) as caught:
        reference.set_county_population(desk.uow, cid, bad, 1)
    assert caught.value.field == "population" and "جمعیت" in caught.value.message
    assert _row(desk.uow, cid).population is None


def test_stale_version_and_rights(desk, uow_as):
    cid = desk.counties["آبیک"]
    reference.set_county_population(desk.uow, cid, 10, 1)
    with pytest.raises(ConcurrentEditError):
        reference.set_county_population(desk.uow, cid, 20, 1)
    with pytest.raises(PermissionDeniedError):
        reference.set_county_population(uow_as("clerk"), cid, 20, 2)
    assert _row(desk.uow, cid).population == 10
