"""Desk worklists beside the licence lists: the cases still open (not rejected, not closed), oldest first;
and the ORDER BY every worklist uses when the clerk sorts it by a column.

The query filters with ``state IN (open states)`` so SQLite reads the open cases from the
``licencecase(state, county_id)`` index (revision 0003) instead of every case ever opened, and
reaches each case's NGO by primary key. It is a statement over the plain tables, which the session does
not scope: it carries ``uow.in_scope(county_id)`` itself, and a county user's list is their county's.

Sorting by a column happens in the query (``column_order``), so a list capped at a few hundred rows shows
the first rows of the whole list in that order, not its first rows re-sorted. Names sort by their stored
Persian key; counties and coded values (level, agency, case type, state) by their Persian names, through a
CASE of ranks (a few dozen values); a count of days sorts as the date it counts from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import literal
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from ostandari_desk.domain.lifecycle import CASE_STATE_LABELS, CASE_TYPE_LABELS, LEVEL_LABELS, CaseState
from ostandari_desk.domain.text import persian_sort_key
from ostandari_desk.services.licences.cases import CLOSED_CASE_STATES
from ostandari_desk.services.licences.rows import PROVINCE_LABEL
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.models import County, LicenceCase, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "OPEN_CASE_STATES",
    "OpenCaseRow",
    "SortKey",
    "column_order",
    "county_rank",
    "label_rank",
    "level_rank",
    "open_cases",
]

# A sort column: (expression, reversed) pairs, most significant first; ``reversed`` for a count of days
# that grows as its date gets older (days open: the older the request, the more days).
SortKey = Sequence[tuple[Any, bool]]

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


def _rank(column: Any, ranks: Mapping[Any, int], null_rank: int | None = None) -> Any:
    """CASE column WHEN value THEN rank … (unknown values last; NULL at ``null_rank`` when given)."""
    whens: list[tuple[Any, Any]] = []
    if null_rank is not None:
        whens.append((column.is_(None), literal(null_rank)))
    whens += [(column == value, literal(rank)) for value, rank in ranks.items()]
    if not whens:
        return literal(0)
    return sql_case(*whens, else_=literal(len(ranks)))


def label_rank(column: Any, labels: Mapping[Any, str]) -> Any:
    """Codes ordered by their Persian labels (case types, states, agencies)."""
    ordered = sorted(labels, key=lambda code: persian_sort_key(labels[code]))
    return _rank(column, {str(code): rank for rank, code in enumerate(ordered)})


def level_rank(column: Any) -> Any:
    """Levels in their own order: county, province, national."""
    return _rank(column, {str(level): rank for rank, level in enumerate(LEVEL_LABELS)})


def county_rank(session: Session, column: Any) -> Any:
    """Counties in Persian alphabetical order of their names, the province itself (NULL) first."""
    names = session.exec(select(County.id, County.name)).all()
    ordered = sorted(names, key=lambda pair: persian_sort_key(pair[1]))
    return _rank(column, {county_id: rank for rank, (county_id, _name) in enumerate(ordered)}, null_rank=-1)


def column_order(
    columns: Mapping[str, SortKey], sort: str | None, descending: bool, then: Sequence[Any]
) -> list[Any]:
    """ORDER BY the column ``sort`` (a key of ``columns``) in the direction asked, then ``then`` (the
    list's own order, which also breaks ties); only ``then`` when ``sort`` is None.

    Raises:
        KeyError: an unknown column.
    """
    if sort is None:
        return list(then)
    order = []
    for expression, reverse in columns[sort]:
        order.append(expression.desc() if descending != reverse else expression.asc())
    return [*order, *then]


# The open-case list's columns the clerk may sort by (the page's column keys).
OPEN_CASE_SORTS = ("ngo", "county", "case_type", "state", "tracking_no", "received_on", "days")


def _open_case_sorts(session: Session) -> dict[str, SortKey]:
    case, ngo = LicenceCase.__table__.c, Ngo.__table__.c
    return {
        "ngo": [(ngo.name_sort, False)],
        "county": [(county_rank(session, case.county_id), False)],
        "case_type": [(label_rank(case.case_type, CASE_TYPE_LABELS), False)],
        "state": [(label_rank(case.state, CASE_STATE_LABELS), False)],
        "tracking_no": [(case.tracking_no, False)],
        "received_on": [(case.received_on, False)],
        "days": [(case.received_on, True)],
    }


def open_cases(
    uow: UnitOfWork,
    today: date,
    county_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: str | None = None,
    descending: bool = False,
) -> list[OpenCaseRow]:
    """Cases neither rejected nor closed, oldest request first (then tracking number, then id), or by the
    column ``sort`` (one of OPEN_CASE_SORTS, ``descending`` or not) with that order breaking ties.

    ``limit``/``offset`` give one page of that order. In the oldest-first order the open cases are picked
    and sorted first (from the state index; ``+received_on`` keeps SQLite from walking the received_on
    index over every case ever opened instead) and only that page is joined to its NGOs. A county user
    sees only their county.
    """
    case, ngo = LicenceCase.__table__.c, Ngo.__table__.c
    columns = (
        case.id,
        case.ngo_id,
        case.county_id,
        case.case_type,
        case.state,
        case.tracking_no,
        case.received_on,
    )
    where = [case.state.in_(OPEN_CASE_STATES), uow.in_scope(case.county_id)]
    if county_id is not None:
        where.append(case.county_id == county_id)
    with uow:
        s = uow.s
        if sort is None:
            order = (_unindexed(s, case.received_on), case.tracking_no, case.id)
            page = _page(select(*columns).where(*where).order_by(*order), limit, offset).subquery("page")
            stmt = (
                select(page, ngo.name)
                .join(Ngo.__table__, ngo.id == page.c.ngo_id)
                .order_by(page.c.received_on, page.c.tracking_no, page.c.id)
            )
        else:  # a column's order needs the NGO's name (or a rank) for every open case: one statement
            then = (case.received_on, case.tracking_no, case.id)
            order = column_order(_open_case_sorts(s), sort, descending, then)
            stmt = _page(
                select(*columns, ngo.name)
                .join(Ngo.__table__, ngo.id == case.ngo_id)
                .where(*where)
                .order_by(*order),
                limit,
                offset,
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


def _page(stmt: Any, limit: int | None, offset: int) -> Any:
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return stmt
