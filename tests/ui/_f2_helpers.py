"""Helpers for the NGO list, NGO dialog and licence flow UI tests: NGOs made through the services.

The ``ctx`` fixture (an AppContext on a desk initialized for قزوین) comes from tests/ui/conftest.py.
"""

from __future__ import annotations

import itertools

CLERK = "کارشناس آزمون"
_PREFIXES = itertools.count(1_050_000_000)


def next_national_id() -> str:
    from ostandari_desk.domain.ids import make_legal_national_id

    return make_legal_national_id(str(next(_PREFIXES)))


def national_code(n: int) -> str:
    from ostandari_desk.domain.ids import make_national_code

    return make_national_code(f"{n:09d}")


def counties(ctx) -> dict[str, str]:
    from ostandari_desk.services import reference

    return {c.name: c.id for c in reference.list_counties(ctx.uow())}


def make_ngo(ctx, name: str, county: str = "قزوین", level: str = "county", **overrides) -> str:
    from ostandari_desk.services.ngos import NgoInput, create_ngo

    values = {
        "national_id": next_national_id(),
        "name": name,
        "county_id": counties(ctx)[county] if county else None,
        "level": level,
        "ceo_name": "مدیر آزمایشی",
    }
    values.update(overrides)
    return create_ngo(ctx.uow(), NgoInput(**values), [])


def bulk_ngos(ctx, count: int, prefix: str = "انجمن") -> None:
    """Many NGOs quickly (the service path, one transaction each is fine for hundreds)."""
    for i in range(count):
        make_ngo(ctx, f"{prefix} {i:05d}")
