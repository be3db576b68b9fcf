"""Board terms: the day an NGO's board's term ends, and the worklist of NGOs whose board term has ended.

A board's term is its members' terms: it ends on the latest ``term_end`` any member has (members with no
term recorded are left out; an NGO with no term recorded at all is not listed). An active NGO whose board
term has ended must elect a new board, so the desk flags it on the NGO's view and lists it in the licence
worklists («هیئت‌مدیره با دوره پایان‌یافته»).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ostandari_desk.services.licences.worklists import SortKey, column_order, county_rank
from ostandari_desk.services.ngos.rows import PROVINCE_LABEL
from ostandari_desk.store.models import BoardMember, County, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "BOARD_SORTS",
    "EndedBoardRow",
    "board_term_end",
    "board_term_ended",
    "count_ended_boards",
    "ended_boards",
]

BOARD_SORTS = ("ngo", "county", "term_end", "days")


@dataclass(frozen=True)
class EndedBoardRow:
    """An active NGO whose board's term has ended."""

    ngo_id: str
    ngo_name: str
    county_name: str
    term_end: date
    days_past: int  # days since the term ended


def board_term_end(members: Iterable[Any]) -> date | None:
    """The day the board's term ends: the latest ``term_end`` of its members (None when none has one)."""
    ends = [m.term_end for m in members if getattr(m, "term_end", None) is not None]
    return max(ends) if ends else None


def board_term_ended(members: Iterable[Any], today: date) -> bool:
    """Whether the board's term (``board_term_end``) is over on ``today``."""
    end = board_term_end(members)
    return end is not None and end < today


def _ended(uow: UnitOfWork, today: date, county_id: str | None) -> tuple[Any, list[Any]]:
    """The subquery of (ngo_id, term_end) of ended boards and the conditions on the NGO."""
    member = BoardMember.__table__.c
    ngo = Ngo.__table__.c
    latest = (
        select(member.ngo_id, func.max(member.term_end).label("term_end"))
        .where(member.term_end.is_not(None))
        .group_by(member.ngo_id)
        .having(func.max(member.term_end) < today)
        .subquery("ended")
    )
    conds = [ngo.status == "active", uow.in_scope(ngo.county_id)]
    county_id = county_id if county_id is not None else uow.county_scope
    if county_id is not None:
        conds.append(ngo.county_id == county_id)
    return latest, conds


def ended_boards(
    uow: UnitOfWork,
    today: date,
    county_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: str | None = None,
    descending: bool = False,
) -> list[EndedBoardRow]:
    """Active NGOs whose board term ended before ``today``, the longest ended first (then by name), or by the
    column ``sort`` of BOARD_SORTS; ``limit``/``offset`` give one page. A county user sees their county's."""
    ngo = Ngo.__table__.c
    with uow:
        s = uow.s
        latest, conds = _ended(uow, today, county_id)
        sorts: dict[str, SortKey] = {
            "ngo": [(ngo.name_sort, False)],
            "county": [(county_rank(s, ngo.county_id), False)],
            "term_end": [(latest.c.term_end, False)],
            "days": [(latest.c.term_end, True)],
        }
        then = (latest.c.term_end, ngo.name_sort, ngo.id)
        stmt = (
            select(ngo.id, ngo.name, ngo.county_id, latest.c.term_end)
            .join(latest, latest.c.ngo_id == ngo.id)
            .where(*conds)
            .order_by(*column_order(sorts, sort, descending, then))
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        found = s.connection().execute(stmt).all()
        counties: dict[str | None, str] = {None: PROVINCE_LABEL}
        counties.update(s.execute(select(County.id, County.name)).all())
    return [
        EndedBoardRow(ngo_id, name, counties.get(county, PROVINCE_LABEL), end, (today - end).days)
        for ngo_id, name, county, end in found
    ]


def count_ended_boards(uow: UnitOfWork, today: date, county_id: str | None = None) -> int:
    """How many active NGOs (in the user's scope, or of ``county_id``) have a board whose term has ended."""
    ngo = Ngo.__table__.c
    with uow:
        latest, conds = _ended(uow, today, county_id)
        stmt = select(func.count()).select_from(latest).join(Ngo.__table__, ngo.id == latest.c.ngo_id)
        return int(uow.s.execute(stmt.where(*conds)).scalar() or 0)
