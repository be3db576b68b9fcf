"""A centre's file: its visits (newest first), its open findings with their actions, and its referrals.

A finding is open while one of its corrective actions is not done; a finding without any action is open when its
visit found fault (a result other than «مطلوب»): a remark on a good visit asks for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select

from ostandari_desk.domain.inspections import RESULT_LABELS, SEVERITY_LABELS, VISIT_KIND_LABELS
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.services.inspections.centres import CentreDetail, get_centre
from ostandari_desk.store.models import CorrectiveAction, Finding, Inspection, Letter
from ostandari_desk.store.uow import UnitOfWork


@dataclass(frozen=True)
class CentreVisit:
    """One visit in a centre's file."""

    id: str
    inspected_at: datetime
    inspected_on: date
    announced: bool
    inspectors: str
    score: int | None
    result: str
    state: str
    finding_count: int
    reinspection_of_id: str | None

    @property
    def kind_label(self) -> str:
        return VISIT_KIND_LABELS[bool(self.announced)]

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result)

    @property
    def date_text(self) -> str:
        return format_jalali(self.inspected_on)


@dataclass(frozen=True)
class ActionRow:
    id: str
    action: str
    deadline: date | None
    done_on: date | None
    referral_letter_id: str | None

    @property
    def done(self) -> bool:
        return self.done_on is not None


@dataclass(frozen=True)
class OpenFinding:
    """A finding not yet put right: an action of it is not done, or it has none and its visit found fault."""

    id: str
    inspection_id: str
    inspected_on: date
    text: str
    severity: str
    actions: tuple[ActionRow, ...]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass(frozen=True)
class ReferralRow:
    """A corrective action referred to the centre's licensing agency by an outgoing letter."""

    action_id: str
    finding_text: str
    inspected_on: date
    letter_id: str
    letter_number: str
    letter_dated_on: date
    party: str
    subject: str
    done_on: date | None


@dataclass(frozen=True)
class CentreFile:
    centre: CentreDetail
    visits: tuple[CentreVisit, ...]  # newest first
    open_findings: tuple[OpenFinding, ...]  # newest visit first
    referrals: tuple[ReferralRow, ...]  # newest letter first


def _visits(uow: UnitOfWork, centre_id: str) -> tuple[CentreVisit, ...]:
    findings = (
        select(func.count())
        .select_from(Finding)
        .where(Finding.inspection_id == Inspection.id)
        .correlate(Inspection)
        .scalar_subquery()
    )
    stmt = (
        select(Inspection, findings)
        .where(Inspection.centre_id == centre_id)
        .order_by(col(Inspection.inspected_at).desc(), col(Inspection.id).desc())
    )
    return tuple(
        CentreVisit(
            id=v.id,
            inspected_at=v.inspected_at,
            inspected_on=v.inspected_on,
            announced=bool(v.announced),
            inspectors=v.inspectors,
            score=v.score,
            result=v.result,
            state=v.state,
            finding_count=int(n or 0),
            reinspection_of_id=v.reinspection_of_id,
        )
        for v, n in uow.s.exec(stmt)
    )


def _open_findings(uow: UnitOfWork, centre_id: str) -> tuple[OpenFinding, ...]:
    stmt = (
        select(Finding, Inspection.inspected_on, Inspection.result, CorrectiveAction)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .outerjoin(CorrectiveAction, CorrectiveAction.finding_id == Finding.id)
        .where(Inspection.centre_id == centre_id)
        .order_by(
            col(Inspection.inspected_at).desc(), Finding.created_at, Finding.id, CorrectiveAction.created_at
        )
    )
    found: dict[str, tuple[Finding, date, str, list[ActionRow]]] = {}
    for finding, inspected_on, result, action in uow.s.exec(stmt):
        entry = found.setdefault(finding.id, (finding, inspected_on, result, []))
        if action is not None:
            entry[3].append(
                ActionRow(
                    action.id, action.action, action.deadline, action.done_on, action.referral_letter_id
                )
            )
    rows = []
    for finding, inspected_on, result, actions in found.values():
        still_open = any(not a.done for a in actions) if actions else result != "good"
        if still_open:
            rows.append(
                OpenFinding(
                    finding.id,
                    finding.inspection_id,
                    inspected_on,
                    finding.text,
                    finding.severity,
                    tuple(actions),
                )
            )
    return tuple(rows)


def _referrals(uow: UnitOfWork, centre_id: str) -> tuple[ReferralRow, ...]:
    stmt = (
        select(CorrectiveAction, Finding.text, Inspection.inspected_on, Letter)
        .join(Finding, Finding.id == CorrectiveAction.finding_id)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Letter, Letter.id == CorrectiveAction.referral_letter_id)
        .where(Inspection.centre_id == centre_id)
        .order_by(col(Letter.dated_on).desc(), col(Letter.number).desc())
    )
    return tuple(
        ReferralRow(
            action_id=action.id,
            finding_text=finding_text,
            inspected_on=inspected_on,
            letter_id=letter.id,
            letter_number=letter.number,
            letter_dated_on=letter.dated_on,
            party=letter.party,
            subject=letter.subject,
            done_on=action.done_on,
        )
        for action, finding_text, inspected_on, letter in uow.s.exec(stmt)
    )


def build_centre_file(uow: UnitOfWork, centre_id: str) -> CentreFile:
    """A centre with its visits (newest first), its open findings with their actions, and its referrals."""
    with uow:
        centre = get_centre(uow, centre_id)
        return CentreFile(
            centre=centre,
            visits=_visits(uow, centre_id),
            open_findings=_open_findings(uow, centre_id),
            referrals=_referrals(uow, centre_id),
        )


__all__ = ["ActionRow", "CentreFile", "CentreVisit", "OpenFinding", "ReferralRow", "build_centre_file"]
