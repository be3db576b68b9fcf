"""Desk worklists beside the licence lists: the cases still open (not rejected, not closed), oldest first.

The query filters with ``state IN (open states)`` so SQLite reads the open cases from the
``licencecase(state, county_id)`` index (revision 0003) instead of every case ever opened, and
reaches each case's NGO by primary key. It is a statement over the plain tables, which the session does
not scope: it carries ``uow.in_scope(county_id)`` itself, and a county user's list is their county's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from ostandari_desk.domain.lifecycle import CASE_STATE_LABELS, CASE_TYPE_LABELS, CaseState
from ostandari_desk.services.licences.cases import CLOSED_CASE_STATES
from ostandari_desk.services.licences.rows import PROVINCE_LABEL
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.models import County, LicenceCase, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["OPEN_CASE_STATES", "OpenCaseRow", "open_cases"]

# Listed rather than NOT IN (closed states): an IN on state can use the index, NOT IN cannot.
OPEN_CASE_STATES: tuple[str, ...] = tuple(s.value for s in CaseState if s.value not in CLOSED_CASE_STATES)


@dataclass(frozen=True)
class OpenCaseRow:
    """One open case on the desk's worklist."""

    case_id: str
    ngo_id: str
    ngo_name: str
    county_name: str
    case_type: str
    case_type_label: str
    state: str
    state_label: str
    tracking_no: str
    received_on: date
    days_open: int  # days since the request was received


def _unindexed(session: Session, column) -> ColumnElement:
    """``+table.column``: the planner may not use that column's index (to order, here)."""
    return adapters_for(session.get_bind()).unindexed(column)


def open_cases(
    uow: UnitOfWork, today: date, county_id: str | None = None, limit: int | None = None, offset: int = 0
) -> list[OpenCaseRow]:
    """Cases neither rejected nor closed, oldest request first (then tracking number, then id).

    ``limit``/``offset`` give one page of that order. The open cases are picked and sorted first (from
    the state index; ``+received_on`` keeps SQLite from walking the received_on index over every case
    ever opened instead) and only that page is joined to its NGOs. A county user sees only their county.
    """
    case = LicenceCase.__table__.c
    picked = select(
        case.id, case.ngo_id, case.county_id, case.case_type, case.state, case.tracking_no, case.received_on
    ).where(case.state.in_(OPEN_CASE_STATES), uow.in_scope(case.county_id))
    if county_id is not None:
        picked = picked.where(case.county_id == county_id)
    with uow:
        s = uow.s
        order = (_unindexed(s, case.received_on), case.tracking_no, case.id)
        picked = picked.order_by(*order)
        if limit is not None:
            picked = picked.limit(limit)
        if offset:
            picked = picked.offset(offset)
        page = picked.subquery("page")
        stmt = (
            select(page, Ngo.__table__.c.name)
            .join(Ngo.__table__, Ngo.__table__.c.id == page.c.ngo_id)
            .order_by(page.c.received_on, page.c.tracking_no, page.c.id)
        )
        counties: dict[str | None, str] = {None: PROVINCE_LABEL}
        counties.update(s.exec(select(County.id, County.name)).all())
        # Core rows: no ORM loading for what may be thousands of plain tuples
        found = s.connection().execute(stmt).all()
    return [
        OpenCaseRow(
            case_id=case_id,
            ngo_id=ngo_id,
            ngo_name=ngo_name,
            county_name=counties.get(case_county, PROVINCE_LABEL),
            case_type=case_type,
            case_type_label=CASE_TYPE_LABELS[case_type],  # StrEnum keys match their str values
            state=state,
            state_label=CASE_STATE_LABELS[state],
            tracking_no=tracking_no,
            received_on=received_on,
            days_open=(today - received_on).days,
        )
        for case_id, ngo_id, case_county, case_type, state, tracking_no, received_on, ngo_name in found
    ]
