"""Visits to centres: create / update / close, notes on closed visits (the rules live in visit_rules.py,
the reads in visit_reads.py; the contract names them all here).

Failed items become findings by themselves; a finding input with action text gets a corrective action. A
re-inspection names the visit it follows (same centre) and completes the open actions it verifies: those
of items it finds passing now, and those it names. A closed visit is read-only: a correction is an
audited note.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import col, select

from ostandari_desk.domain import text
from ostandari_desk.domain.inspections import (
    RESULT_LABELS,
    SEVERITY_LABELS,
    VISIT_KIND_LABELS,
    failed_item_finding,
    finding_severity,
)
from ostandari_desk.errors import ConcurrentEditError, UserError, ValidationError
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.inspections.visit_rules import (
    INSPECTORS_SEPARATOR,
    TEXT_MAX,
    CheckedVisit,
    FindingInput,
    VisitInput,
    validate_visit,
    visit_errors,
    wall_clock,
)
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import (
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionNote,
)
from ostandari_desk.store.uow import UnitOfWork

STALE_VISIT = "این بازدید را کاربر دیگری پس از باز شدن ویرایش کرده است؛ آن را دوباره باز کنید"
CLOSED_VISIT = "این بازدید بسته شده است و ویرایش نمی‌شود؛ اصلاحیه را به صورت یادداشت ثبت کنید"

# re-exported for the screens and the importer, which read them here
__all__ = [
    "INSPECTORS_SEPARATOR",
    "RESULT_LABELS",
    "SEVERITY_LABELS",
    "TEXT_MAX",
    "VISIT_KIND_LABELS",
]


# --- commands ----------------------------------------------------------------------------------------


def _get(uow: UnitOfWork, visit_id: str) -> Inspection:
    return uow.get(Inspection, visit_id, missing="بازدید پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است")


def _add_finding(uow: UnitOfWork, visit_id: str, item_id: str | None, body: str, severity: str) -> Finding:
    finding = Finding(**stamps(), inspection_id=visit_id, item_id=item_id, text=body, severity=severity)
    uow.s.add(finding)
    return finding


def _write_findings(
    uow: UnitOfWork, visit_id: str, checked: CheckedVisit, existing: dict[str, Finding]
) -> None:
    """Findings of the failed items (``existing``: those the visit has, by item) and of the inputs, with
    the inputs' actions. A failed item's finding says what failed (``failed_item_finding``); a stored one
    still worded so follows a changed answer (e.g. a score of ۱ that is now ۰)."""
    items = {i.id: i for i in checked.items}
    by_item = dict(existing)
    for item_id in checked.failed:
        item = items[item_id]
        body = failed_item_finding(item, checked.answers.get(item_id))
        if item_id not in by_item:
            by_item[item_id] = _add_finding(uow, visit_id, item_id, body, finding_severity(item))
        elif by_item[item_id].text != body and by_item[item_id].text.startswith(f"{item.text} — "):
            by_item[item_id].text = body
    for given in checked.findings:
        if given.item_id and given.item_id in by_item:
            finding = by_item[given.item_id]
            finding.text, finding.severity = given.text, given.severity
        else:
            finding = _add_finding(uow, visit_id, given.item_id, given.text, given.severity)
            if given.item_id:
                by_item[given.item_id] = finding
        uow.s.flush()
        if given.action:
            uow.s.add(
                CorrectiveAction(
                    **stamps(),
                    finding_id=finding.id,
                    action=given.action,
                    deadline=given.deadline or checked.correction_deadline,
                )
            )


def _verify_actions(uow: UnitOfWork, visit_id: str, checked: CheckedVisit) -> None:
    """Complete the open actions of the re-inspected visit that this visit verifies: those it names, and
    those of items it answers as passing now (the same item, or the item of the same text in a newer
    version of the checklist)."""
    if not checked.reinspection_of_id:
        return
    rows = uow.s.exec(
        select(CorrectiveAction, Finding.item_id)
        .join(Finding, col(Finding.id) == CorrectiveAction.finding_id)
        .where(Finding.inspection_id == checked.reinspection_of_id, col(CorrectiveAction.done_on).is_(None))
    ).all()
    passing = {i.id for i in checked.items if i.id in checked.answers and i.id not in checked.failed}
    passing_texts = {text.normalize(i.text) for i in checked.items if i.id in passing}
    earlier_items: dict[str, str] = {}
    item_ids = [item_id for _, item_id in rows if item_id]
    if item_ids:
        from ostandari_desk.store.models import ChecklistItem

        earlier_items = {
            item_id: body
            for item_id, body in uow.s.exec(
                select(ChecklistItem.id, ChecklistItem.text).where(col(ChecklistItem.id).in_(item_ids))
            )
        }
    for action, item_id in rows:
        verified = action.id in checked.verified_action_ids or (
            item_id is not None
            and (item_id in passing or text.normalize(earlier_items.get(item_id, "")) in passing_texts)
        )
        if verified:
            action.done_on = checked.inspected_on
            action.verified_by_id = visit_id
            action.row_version += 1


def create_visit(
    uow: UnitOfWork, data: VisitInput, *, today: date | None = None, closed: bool = False
) -> str:
    """Store a new visit with its findings and actions; returns its id. ``closed``: store it closed
    (an imported visit); a visit made on the form stays open until ``close_visit``.

    Raises:
        ValidationError: see validate_visit.
        PermissionDeniedError: a centre outside a county user's county.
    """
    with uow.writing():
        checked = validate_visit(uow, data, today or date.today())
        visit = Inspection(**stamps(), **checked.columns(), state="closed" if closed else "open")
        uow.s.add(visit)
        uow.s.flush()
        _write_findings(uow, visit.id, checked, {})
        _verify_actions(uow, visit.id, checked)
        uow.commit()
        return visit.id


def _open(uow: UnitOfWork, visit_id: str) -> Inspection:
    visit = _get(uow, visit_id)
    if visit.state != "open":
        raise UserError(CLOSED_VISIT, record=visit_id)
    return visit


def update_visit(
    uow: UnitOfWork, visit_id: str, data: VisitInput, expected_version: int, *, today: date | None = None
) -> None:
    """Save changes to an open visit (its checklist version stays the one it was made with).

    Findings of items that no longer fail go, unless they have an action or a photo; ``data.findings``
    are added (or, naming an item, update that item's finding).

    Raises:
        UserError: the visit is closed.
        ConcurrentEditError: someone saved it since it was opened.
    """
    with uow.writing():
        visit = _open(uow, visit_id)
        if visit.row_version != expected_version:
            raise ConcurrentEditError(STALE_VISIT, record=visit_id)
        if data.centre_id != visit.centre_id:
            raise ValidationError("مرکز بازدید ثبت‌شده تغییر نمی‌کند", field="centre")
        checked = validate_visit(uow, data, today or date.today(), visit_id=visit_id)
        save_versioned(uow, visit, expected_version, checked.columns(), STALE_VISIT)
        existing = {
            f.item_id: f
            for f in uow.s.exec(
                select(Finding).where(Finding.inspection_id == visit_id, col(Finding.item_id).is_not(None))
            )
            if f.item_id
        }
        kept_by_input = {f.item_id for f in checked.findings if f.item_id}
        for item_id, finding in list(existing.items()):
            if (
                item_id not in checked.failed
                and item_id not in kept_by_input
                and not _has_followup(uow, finding.id)
            ):
                uow.s.delete(finding)
                del existing[item_id]
        uow.s.flush()
        _write_findings(uow, visit_id, checked, existing)
        _verify_actions(uow, visit_id, checked)
        uow.commit()


def _has_followup(uow: UnitOfWork, finding_id: str) -> bool:
    from ostandari_desk.store.models import InspectionAttachment

    action = uow.s.exec(select(CorrectiveAction.id).where(CorrectiveAction.finding_id == finding_id)).first()
    photo = uow.s.exec(
        select(InspectionAttachment.id).where(InspectionAttachment.finding_id == finding_id)
    ).first()
    return action is not None or photo is not None


def close_visit(uow: UnitOfWork, visit_id: str, expected_version: int) -> None:
    """Close an open visit: from now on it is read-only (corrections are notes)."""
    with uow.writing():
        visit = _open(uow, visit_id)
        save_versioned(uow, visit, expected_version, {"state": "closed"}, STALE_VISIT)
        uow.commit()


def add_visit_note(uow: UnitOfWork, visit_id: str, note: str) -> str:
    """Add a correction or remark to a visit (open or closed), signed by the acting user; returns its id."""
    with uow.writing():
        _get(uow, visit_id)
        body = text.clean(note)
        if not body:
            raise ValidationError("متن یادداشت وارد نشده است", field="text")
        if len(body) > TEXT_MAX:
            raise ValidationError("متن یادداشت بیش از اندازه بلند است", field="text")
        row = InspectionNote(**stamps(), inspection_id=visit_id, text=body, author=uow.actor.full_name)
        uow.s.add(row)
        uow.s.flush()
        uow.commit()
        return row.id


def find_visit(uow: UnitOfWork, centre_id: str, inspected_at: datetime) -> str | None:
    """The id of the visit of ``centre_id`` at exactly ``inspected_at`` (the importer's same-visit rule;
    a naive ``inspected_at`` is the wall-clock time, as wall_clock gives it)."""
    if inspected_at.tzinfo is None:
        inspected_at = inspected_at.replace(tzinfo=UTC)
    with uow:
        stmt = select(Inspection.id).where(
            Inspection.centre_id == centre_id, Inspection.inspected_at == inspected_at
        )
        return uow.s.exec(stmt).first()


# the reads live in visit_reads.py; the contract names them here
from ostandari_desk.services.inspections.visit_reads import (
    ActionRow,
    AnswerLine,
    AttachmentRef,
    FindingDetail,
    NoteRow,
    VisitDetail,
    VisitFilter,
    VisitRow,
    count_visits,
    get_visit,
    list_visit_page,
    visits_of_centre,
)

__all__ += [
    "ActionRow",
    "AnswerLine",
    "AttachmentRef",
    "CheckedVisit",
    "FindingDetail",
    "FindingInput",
    "NoteRow",
    "VisitDetail",
    "VisitFilter",
    "VisitInput",
    "VisitRow",
    "add_visit_note",
    "close_visit",
    "count_visits",
    "create_visit",
    "find_visit",
    "get_visit",
    "list_visit_page",
    "update_visit",
    "validate_visit",
    "visit_errors",
    "visits_of_centre",
    "wall_clock",
]
