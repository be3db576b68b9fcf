"""Centres and visits for the centre, plan and grid tests: centres through the service, visits (with findings and
actions) inserted straight through the unit of work's session, as the visit service would store them."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time

from ostandari_desk.domain import jalali
from ostandari_desk.services import reference
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.inspections.centres import CentreInput, create_centre
from ostandari_desk.store.models import Centre, CorrectiveAction, Finding, Inspection
from ostandari_desk.store.uow import UnitOfWork

_CODES = itertools.count(1)


def categories(uow: UnitOfWork) -> dict[str, str]:
    """{category name: id} of the centre categories set up by initialize."""
    return {i.name: i.id for i in reference.list_items(uow, "centre_category", include_inactive=True)}


def make_centre(uow: UnitOfWork, county_id: str, category_id: str, **overrides) -> str:
    n = next(_CODES)
    values = {
        "code": f"C-{n}",
        "name": f"مرکز آزمایشی {n}",
        "category_id": category_id,
        "county_id": county_id,
        "licensing_agency": "اداره کل بهزیستی",
    }
    values.update(overrides)
    return create_centre(uow, CentreInput(**values))


def add_visit(
    uow: UnitOfWork,
    centre_id: str,
    on: date,
    *,
    at: time = time(10, 0),
    announced: bool = False,
    result: str = "good",
    findings: tuple[tuple[str, str], ...] = (),
    action: dict | None = None,
) -> str:
    """A closed visit of ``centre_id`` on ``on``; ``findings`` are (text, severity); ``action`` (keyword values of
    CorrectiveAction) is added to each finding. Returns the visit id."""
    with uow.writing():
        centre = uow.s.get(Centre, centre_id)
        jy, jm, _ = jalali.to_jalali(on)
        visit = Inspection(
            **stamps(),
            county_id=centre.county_id,
            centre_id=centre_id,
            category_id=centre.category_id,
            inspected_at=datetime.combine(on, at, tzinfo=UTC),  # the wall time, tagged as UTC columns need
            inspected_on=on,
            jalali_year=jy,
            jalali_month=jm,
            announced=announced,
            inspectors="بازرس یکم، بازرس دوم",
            score=90 if result == "good" else 50,
            result=result,
            state="closed",
        )
        uow.s.add(visit)
        uow.s.flush()
        for text, severity in findings:
            finding = Finding(**stamps(), inspection_id=visit.id, text=text, severity=severity)
            uow.s.add(finding)
            uow.s.flush()
            if action is not None:
                uow.s.add(CorrectiveAction(**stamps(), finding_id=finding.id, **action))
        uow.commit()
        return visit.id
