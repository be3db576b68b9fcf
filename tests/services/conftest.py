"""Service-test fixtures shared by every helper's tests.

- ``desk``: the per-test database initialized for province قزوین (provincial installation) via
  services.setup.initialize. It is a ``Desk`` with ``uow`` (an un-entered UnitOfWork; service calls
  enter it themselves), ``engine``, ``province_id``, ``counties`` (name -> id, e.g. ``desk.counties["البرز"]``),
  ``fields`` (field-of-activity name -> id) and ``clerk`` ("کارشناس آزمون", the actor's full name; kept for
  tests that compare a stored clerk name). The uow acts as the ``actor`` fixture (an admin); use the
  ``uow_as(role, county_id)`` fixture for other roles.
- ``make_ngo``: a factory creating a valid NGO through services.ngos.create_ngo and returning its id.
  Every call gets a fresh valid national ID (check digit computed); pass any NgoInput field to override,
  ``county="آبیک"`` (a name) or ``county_id=...``/``None`` (the province), ``board=[BoardMemberInput...]``.
      ngo_id = make_ngo()
      ngo_id = make_ngo(name="انجمن حمایت از کودکان", county="البرز", level="province")
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine

from ostandari_desk.store.uow import UnitOfWork

TEST_CLERK = "کارشناس آزمون"


@dataclass
class Desk:
    uow: UnitOfWork
    engine: Engine
    province_id: str
    counties: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    clerk: str = TEST_CLERK


@pytest.fixture
def desk(engine, uow) -> Desk:
    """A database initialized for قزوین (province installation), ready for service calls."""
    from ostandari_desk.services import reference, setup

    province_id = setup.initialize(uow, "قزوین", office_name="اداره کل امور اجتماعی")
    counties = {c.name: c.id for c in reference.list_counties(uow)}
    fields = {i.name: i.id for i in reference.list_items(uow, "field")}
    return Desk(uow=uow, engine=engine, province_id=province_id, counties=counties, fields=fields)


_NATIONAL_ID_PREFIXES = itertools.count(1_040_000_000)


def next_national_id() -> str:
    """A fresh valid 11-digit legal national ID (unique within the test session)."""
    from ostandari_desk.domain.ids import make_legal_national_id

    return make_legal_national_id(str(next(_NATIONAL_ID_PREFIXES)))


@pytest.fixture
def make_ngo(desk):
    """Factory: ``make_ngo(**overrides) -> ngo id`` (see the module docstring)."""
    from ostandari_desk.services.ngos import NgoInput, create_ngo

    counter = itertools.count(1)

    def _make(*, county: str | None = "قزوین", board: list[Any] | tuple = (), **overrides: Any) -> str:
        n = next(counter)
        values: dict[str, Any] = {
            "national_id": next_national_id(),
            "name": f"انجمن آزمایشی شماره {n}",
            "county_id": desk.counties[county] if county else None,
            "level": "county",
            "registration_no": f"{1000 + n}",
            "ceo_name": "مدیر آزمایشی",
        }
        values.update(overrides)
        return create_ngo(desk.uow, NgoInput(**values), list(board))

    return _make
