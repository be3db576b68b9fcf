"""Writing the «پروانه‌ها» sheet: every NGO's licence history as the rows that would import it again.

The rows come from what the desk holds: a case's request step (with the case's type; a case made by an
import's first decision has its decision instead, which makes it again), its documents step, each inquiry
sent and answered (from the inquiries themselves, with agency, letter number and result), a manager's
override, the council's decision (with the case type, the meeting date and the legal basis), the licence or
credential issued, renewed or upgraded, a conformity, a case closed by hand, and every rung of the sanctions
ladder and lifting. A case closed because its licence
was revoked is not written: the revocation closes it again. Rows go per NGO (in the list's order), by date;
on one day, a case's rows in its natural order (request, documents, inquiries, answers, decision, licence)
and the cases and the steps outside a case (sanctions) in the order they were recorded (a revocation before
the request of the next case); steps recorded at one moment (the demo's) in that natural order.

A step's letter number is its own ``letter_no``, or else the number of the outgoing letter filed for it
(``letter.licence_step_id``): a sanction recorded with its letter but without the number on the step (the
demo's, or an older desk's) exports that number, so the sheet re-imports into the same desk (the step is
known) and into a fresh one (the sanction has the letter number the rules require).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select

from ostandari_desk.domain import jalali
from ostandari_desk.domain.lifecycle import Agency, CaseType, StepKind
from ostandari_desk.services.licences.steps import REVOCATION_CLOSE_REASON
from ostandari_desk.services.ngos.rows import PROVINCE_ONLY
from ostandari_desk.services.transfer.licences_sheet import (
    AGENCY_WORDS,
    CASE_TYPE_WORDS,
    ISSUING,
    REASONED,
    RESULT_WORDS,
    action_label,
)
from ostandari_desk.store.models import Inquiry, Letter, Licence, LicenceCase, LicenceStep, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["export_rows", "letter_number"]

# Same-moment steps in a case's natural order (the demo stamps a whole history with one time).
_RANK = {
    kind: rank
    for rank, kind in enumerate(
        (
            StepKind.REQUEST,
            StepKind.DOCUMENTS,
            StepKind.INQUIRY_SENT,
            StepKind.INQUIRY_ANSWERED,
            StepKind.INQUIRY_OVERRIDE,
            StepKind.APPROVAL,
            StepKind.REJECTION,
            *ISSUING,
            StepKind.CONFORMITY,
            StepKind.WITHDRAWAL,
            StepKind.NOTICE,
            StepKind.WRITTEN_WARNING,
            StepKind.SUSPENSION,
            StepKind.LIFTING,
            StepKind.REVOCATION,
            StepKind.DISSOLUTION_REQUEST,
        )
    )
}
# Steps the sheet carries from the step table (requests, inquiries and answers come from the cases).
_FROM_STEPS = tuple(k for k in _RANK if k not in (StepKind.INQUIRY_SENT, StepKind.INQUIRY_ANSWERED))


def letter_number() -> Any:
    """A step's letter number as SQL: its own ``letter_no``, else its filed letter's number (or "")."""
    filed = (
        select(func.min(Letter.number))
        .where(Letter.licence_step_id == LicenceStep.id)
        .correlate(LicenceStep)
        .scalar_subquery()
    )
    return func.coalesce(func.nullif(LicenceStep.letter_no, ""), filed, "")


def _date(value: Any) -> str:
    return jalali.format_jalali(value) if value else ""


def export_rows(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    """The rows under the sheet's headers (see the module docstring), within the actor's scope."""
    county = getattr(flt, "county_id", None) if flt is not None else None
    with uow:
        ngos = select(Ngo.id, Ngo.national_id).order_by(Ngo.name_sort, Ngo.national_id)
        if county == PROVINCE_ONLY:
            ngos = ngos.where(Ngo.county_id.is_(None))
        elif county:
            ngos = ngos.where(Ngo.county_id == county)
        order = {ngo_id: (n, nid) for n, (ngo_id, nid) in enumerate(uow.s.execute(ngos))}
        rows: list[tuple] = []
        _step_rows(uow, order, rows)
        _inquiry_rows(uow, order, rows)
    rows.sort(key=lambda r: r[0])
    for _key, row in rows:
        yield row


def _row(
    nid: str, kind: StepKind, on_date: Any, *, case_type: Any = None, agency: str = "", result: str = "",
    meeting_on: Any = None, basis: str = "", number: str = "", expires_on: Any = None, letter_no: str = "",
    note: str = "",
) -> tuple:  # fmt: skip
    return (
        nid,
        action_label(kind, case_type),
        _date(on_date),
        CASE_TYPE_WORDS[CaseType(case_type)] if case_type and kind == StepKind.REQUEST else "",
        agency,
        result,
        _date(meeting_on),
        basis or "",
        number or "",
        _date(expires_on),
        letter_no or "",
        note or "",
    )


def _step_rows(uow: UnitOfWork, order: dict[str, tuple], rows: list[tuple]) -> None:
    stmt = (
        select(
            LicenceStep.ngo_id,
            LicenceStep.kind,
            LicenceStep.on_date,
            LicenceStep.created_at,
            letter_number().label("letter_no"),
            LicenceStep.legal_basis,
            LicenceStep.reason,
            LicenceStep.note,
            Licence.number,
            Licence.expires_on,
            LicenceCase.case_type,
            LicenceCase.meeting_on,
            LicenceCase.decided_on,
            LicenceCase.created_at.label("case_created"),
        )
        .outerjoin(Licence, Licence.id == LicenceStep.licence_id)
        .outerjoin(LicenceCase, LicenceCase.id == LicenceStep.case_id)
        .where(LicenceStep.kind.in_([k.value for k in _FROM_STEPS]))
    )
    found = uow.s.execute(stmt).all()
    revoked = {(r.ngo_id, r.on_date) for r in found if r.kind == StepKind.REVOCATION.value}
    for r in found:
        place = order.get(r.ngo_id)
        if place is None:
            continue
        kind = StepKind(r.kind)
        if (
            kind == StepKind.WITHDRAWAL
            and r.reason == REVOCATION_CLOSE_REASON
            and (r.ngo_id, r.on_date) in revoked
        ):
            continue  # closed by the revocation, which closes it again on import
        issuing = kind in ISSUING
        decision = kind in (StepKind.APPROVAL, StepKind.REJECTION)
        meeting = r.meeting_on if decision and r.decided_on == r.on_date else None
        row = _row(
            place[1],
            kind,
            r.on_date,
            case_type=r.case_type if kind in (StepKind.REQUEST, StepKind.APPROVAL) else None,
            meeting_on=meeting or (r.on_date if decision else None),
            basis=r.legal_basis,
            number=r.number if issuing else "",
            expires_on=r.expires_on if issuing else None,
            letter_no=r.letter_no,
            note=r.reason if kind in REASONED else r.note,
        )
        if kind == StepKind.REQUEST:
            row = (*row[:3], CASE_TYPE_WORDS[CaseType(r.case_type)] if r.case_type else "", *row[4:])
        rows.append(((place[0], r.on_date, r.case_created or r.created_at, _RANK[kind]), row))


def _inquiry_rows(uow: UnitOfWork, order: dict[str, tuple], rows: list[tuple]) -> None:
    stmt = select(
        LicenceCase.ngo_id,
        LicenceCase.created_at,
        Inquiry.agency,
        Inquiry.sent_on,
        Inquiry.letter_no,
        Inquiry.answered_on,
        Inquiry.answer,
        Inquiry.note,
    ).join(LicenceCase, LicenceCase.id == Inquiry.case_id)
    sent_rank, answer_rank = _RANK[StepKind.INQUIRY_SENT], _RANK[StepKind.INQUIRY_ANSWERED]
    agency_rank = {agency.value: n for n, agency in enumerate(Agency)}
    for r in uow.s.execute(stmt):
        place = order.get(r.ngo_id)
        if place is None:
            continue
        agency = AGENCY_WORDS[Agency(r.agency)]
        sent = _row(place[1], StepKind.INQUIRY_SENT, r.sent_on, agency=agency, letter_no=r.letter_no)
        rows.append(
            ((place[0], r.sent_on, r.created_at, sent_rank, agency_rank[r.agency]), sent)
        )  # the case's
        if r.answered_on is not None and r.answer:
            answered = _row(
                place[1],
                StepKind.INQUIRY_ANSWERED,
                r.answered_on,
                agency=agency,
                result=RESULT_WORDS.get(r.answer, r.answer),
                note=r.note,
            )
            rows.append(
                ((place[0], r.answered_on, r.created_at, answer_rank, agency_rank[r.agency]), answered)
            )
