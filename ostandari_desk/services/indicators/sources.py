"""Where the indicators count from: a :class:`Source` per table (or join), declared once in :data:`SOURCES`.

A source gives its date column, its county column and the dimensions indicators filter on, over plain
table columns (``Model.__table__.c``): the unit of work's automatic county scope applies to ORM statements
only, and on an outer join it would turn the join into an inner one, so the count adds
``uow.in_scope(county column)`` itself (services.indicators.counting). ``Source.order`` is the GROUP BY
that lets the database stream the groups off the index the query reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal, select

from ostandari_desk.store.models import (
    CorrectiveAction,
    Event,
    FacilitationOffice,
    Finding,
    Inquiry,
    Inspection,
    Letter,
    LicenceCase,
    LicenceStep,
    Memorandum,
    Payment,
)

__all__ = ["COUNTY", "DATE", "SOURCES", "Source"]

#: column names a Source.order may use besides its dimensions
DATE, COUNTY = "@date", "@county"


@dataclass(frozen=True)
class Source:
    """A table indicators count from.

    Attributes:
        key: the name indicators refer to.
        build: ``build(by_county)`` returns ``(from_clause, date_column, county_column, {dim: column},
            {measure: column})`` over plain table columns; built lazily. ``by_county`` False means only
            totals are needed, so a source may skip a join it needs only to find the county (and give
            None for the county column).
        prefilter_dim: the dimension that leads the table's (kind, date, county) index; the union of
            the values the indicators ask for goes into the WHERE so the index is used.
        order: the GROUP BY order, the order of the index the query reads (DATE and COUNTY stand for
            the date and county columns; the dimensions used and not named follow). With DATE in it the
            rows come back per day, grouped as the index streams them; without, the source is scanned
            and grouped by its dimensions (and county) alone.
        county_first: one county's count starts from the county's own rows (the index on its county
            column) rather than from the date range as the province's does: for a source whose rows need
            a join to find their county. On the 2 GB demo (ms, the date range against the county's rows):
            payments 115–140 against 9–41 (two years' 214,000 payments each probe a memorandum; the
            county's memoranda and their payments are read off indexes alone, revision 0013), closed
            actions 285–315 against 57–62 (106,000 actions each probe a finding and a visit; the county's
            visits, their findings and actions from indexes alone; the province's count, with no county,
            reads one index for 6). Referrals and inspections are the other way round (71 against 276, 36
            against 177).
        through: for a source whose rows find their county in another table by a key (an inquiry's
            case): ``through()`` gives (the source's key column, that table's key column, its county
            column). A count by county counts the rows per key, then finds each key's county once
            (services.indicators.counting._through), one county's too; ``build`` gives the source's own
            table only. Answers: 42,000 in two years, of 11,000 cases: 37 ms instead of 124 on the 2 GB
            demo; inquiries 39 instead of 104.
        weight: the source's share of the counting on a large database, about hundredths of a second (the
            2 GB demo, a fresh process: its rows in two years, read off its index and joined), to split the
            work between two connections.
        county_weight: the same for one county's count (its own plan: ``county_first``).
    """

    key: str
    build: Callable[[bool], tuple[Any, Any, Any, dict[str, Any], dict[str, Any]]]
    prefilter_dim: str | None = None
    order: tuple[str, ...] = (DATE, COUNTY)
    county_first: bool = False
    through: Callable[[], tuple[Any, Any, Any]] | None = None
    weight: int = 1
    county_weight: int = 1


_STEP = LicenceStep.__table__.c
_CASE = LicenceCase.__table__.c
_INQUIRY = Inquiry.__table__.c
_EVENT = Event.__table__.c
_LETTER = Letter.__table__.c
_MEMO = Memorandum.__table__.c
_PAYMENT = Payment.__table__.c
_INSPECTION = Inspection.__table__.c
_FINDING = Finding.__table__.c
_ACTION = CorrectiveAction.__table__.c


def _steps(by_county: bool):
    # Only the (kind, on_date, county_id) index is read: a covering scan in its order.
    return LicenceStep.__table__, _STEP.on_date, _STEP.county_id, {"kind": _STEP.kind}, {}


def _decisions(by_county: bool):
    # Council decisions by the type of their case, and the day the council met: the decided cases (a
    # decision and its date are on the case, set with its approval or rejection step), plus the approvals
    # and rejections imported without a case (imports may begin with an approval: an establishment's,
    # met on the day recorded). Scanning the cases costs a third of joining every decision step to its case.
    decided = select(
        case((_CASE.decision == "approved", literal("approval")), else_=literal("rejection")).label("kind"),
        _CASE.case_type.label("case_type"),
        func.coalesce(_CASE.meeting_on, _CASE.decided_on).label("day"),
        _CASE.decided_on.label("on_date"),
        _CASE.county_id.label("county_id"),
    ).where(_CASE.decision.is_not(None), _CASE.decided_on.is_not(None))
    uncased = select(
        _STEP.kind.label("kind"),
        literal("establishment").label("case_type"),
        _STEP.on_date.label("day"),
        _STEP.on_date.label("on_date"),
        _STEP.county_id.label("county_id"),
    ).where(_STEP.kind.in_(("approval", "rejection")), _STEP.case_id.is_(None))
    both = decided.union_all(uncased).subquery("decision")
    dims = {"kind": both.c.kind, "case_type": both.c.case_type, "day": both.c.day}
    return both, both.c.on_date, both.c.county_id, dims, {}


def _inquiries(by_county: bool):
    # the (sent_on, case_id) index alone answers; by county, each case's county is found (``through``)
    return Inquiry.__table__, _INQUIRY.sent_on, None, {}, {}


def _answers(by_county: bool):
    # answers are dated by answered_on: a range of ix_inquiry_answered_case (the answered ones only, revision
    # 0011), grouped without the date; by county, each case's county is found (``through``)
    return Inquiry.__table__, _INQUIRY.answered_on, None, {}, {}


def _case_county():
    """An inquiry's county: its case's."""
    return _INQUIRY.case_id, _CASE.id, _CASE.county_id


def _events(by_county: bool):
    measures = {"attendees": _EVENT.attendees, "hours": _EVENT.training_hours}
    return Event.__table__, _EVENT.starts_on, _EVENT.county_id, {"kind": _EVENT.kind}, measures


def _letters(by_county: bool):
    dims = {"kind": _LETTER.kind, "direction": _LETTER.direction}
    return Letter.__table__, _LETTER.dated_on, _LETTER.county_id, dims, {}


def _memoranda(by_county: bool):
    # a memorandum's progress is its highest (so latest) report's percent, kept in latest_progress by the
    # database's triggers (0 when none): (signed_on, county_id, party_kind, amount, …, latest_progress) covers it
    measures = {"amount": _MEMO.amount, "progress": _MEMO.latest_progress}
    dims = {"party": _MEMO.party_kind}
    return Memorandum.__table__, _MEMO.signed_on, _MEMO.county_id, dims, measures


def _payments(by_county: bool):
    # payments dated by paid_on (a range of ix_payment_paid_memorandum_amount, revision 0011), counted under
    # their memorandum's county
    if not by_county:
        return Payment.__table__, _PAYMENT.paid_on, None, {}, {"amount": _PAYMENT.amount}
    joined = Payment.__table__.join(Memorandum.__table__, _MEMO.id == _PAYMENT.memorandum_id)
    return joined, _PAYMENT.paid_on, _MEMO.county_id, {}, {"amount": _PAYMENT.amount}


def _offices(by_county: bool):
    office = FacilitationOffice.__table__.c
    return FacilitationOffice.__table__, office.opened_on, office.county_id, {}, {}


def _inspections(by_county: bool):
    # the (inspected_on, county_id, announced, result) index alone, in its order
    dims = {"announced": _INSPECTION.announced, "result": _INSPECTION.result}
    return Inspection.__table__, _INSPECTION.inspected_on, _INSPECTION.county_id, dims, {}


def _action_visits():
    """Corrective actions joined to their visit (whose county they count under)."""
    return CorrectiveAction.__table__.join(Finding.__table__, _FINDING.id == _ACTION.finding_id).join(
        Inspection.__table__, _INSPECTION.id == _FINDING.inspection_id
    )


def _referrals(by_county: bool):
    # A referral is a corrective action with its referral letter, dated by that letter (the inner join keeps
    # only the referred actions; a letter cannot be deleted while an action names it).
    if not by_county:
        joined = CorrectiveAction.__table__.join(Letter.__table__, _LETTER.id == _ACTION.referral_letter_id)
        return joined, _LETTER.dated_on, None, {}, {}
    joined = _action_visits().join(Letter.__table__, _LETTER.id == _ACTION.referral_letter_id)
    return joined, _LETTER.dated_on, _INSPECTION.county_id, {}, {}


def _actions_closed(by_county: bool):
    # Only the done ones have a done_on: the date range keeps the open ones out.
    if not by_county:  # the (done_on, deadline) index alone answers
        return CorrectiveAction.__table__, _ACTION.done_on, None, {}, {}
    return _action_visits(), _ACTION.done_on, _INSPECTION.county_id, {}, {}


_KIND_DATE_COUNTY = ("kind", DATE, COUNTY)

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source("steps", _steps, "kind", _KIND_DATE_COUNTY, weight=11, county_weight=5),
        Source("decisions", _decisions, order=(), weight=19, county_weight=7),
        Source("inquiries", _inquiries, through=_case_county, weight=12, county_weight=11),
        Source("answers", _answers, order=(), through=_case_county, weight=12, county_weight=11),
        Source("events", _events, "kind", _KIND_DATE_COUNTY),
        Source("letters", _letters, "kind", _KIND_DATE_COUNTY, weight=3),
        Source("memoranda", _memoranda, order=(DATE, COUNTY, "party"), weight=5, county_weight=2),
        Source("payments", _payments, order=(), county_first=True, weight=22, county_weight=19),
        Source("offices", _offices, order=()),
        Source(
            "inspections",
            _inspections,
            order=(DATE, COUNTY, "announced", "result"),
            weight=20,
            county_weight=12,
        ),
        Source("referrals", _referrals, order=(), weight=13, county_weight=24),
        Source("actions_closed", _actions_closed, county_first=True, weight=2, county_weight=24),
    )
}
