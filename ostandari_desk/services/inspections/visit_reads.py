"""Reading visits: one visit with its frozen checklist, findings, actions, photos and notes; list pages.

Reads are scoped to a county user's county by the unit of work; rows are frozen dataclasses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from ostandari_desk.domain import text
from ostandari_desk.domain.inspections import (
    RESULT_LABELS,
    SEVERITY_LABELS,
    VISIT_KIND_LABELS,
    AnswersMismatchError,
    answer_text,
    decode_answers,
    item_failed,
)
from ostandari_desk.domain.jalali import format_jalali, month_range, year_range
from ostandari_desk.services import search
from ostandari_desk.services.inspections.templates import checklist_items
from ostandari_desk.services.ordering import order_terms
from ostandari_desk.store.models import (
    Centre,
    ChecklistTemplate,
    CorrectiveAction,
    County,
    Finding,
    Inspection,
    InspectionAttachment,
    InspectionNote,
    Letter,
    ReferenceItem,
)
from ostandari_desk.store.uow import UnitOfWork

log = logging.getLogger(__name__)

PROVINCE_LABEL = "استان"
SORT_KEYS = ("inspected_at", "centre", "county", "category", "result", "score")
_SEPARATOR = "، "


def _time_text(at: datetime) -> str:
    """«۱۰:۳۰», or "" when the time is not known (stored as 00:00)."""
    return "" if at.time() == time(0, 0) else text.to_persian_digits(at.strftime("%H:%M"))


@dataclass(frozen=True)
class AnswerLine:
    """One item of the visit's frozen checklist version with its answer."""

    item_id: str
    position: int
    section: str
    text: str
    answer_type: str
    max_score: int
    weight: int
    critical: bool
    value: Any  # the stored answer (see domain.inspections), None when unanswered
    value_text: str
    failed: bool

    @property
    def id(self) -> str:  # domain.inspections.ItemLike
        return self.item_id


@dataclass(frozen=True)
class ActionRow:
    id: str
    finding_id: str
    action: str
    deadline: date | None
    done_on: date | None
    verified_by_id: str | None
    referral_letter_id: str | None
    referral_number: str
    row_version: int

    @property
    def is_open(self) -> bool:
        return self.done_on is None


@dataclass(frozen=True)
class AttachmentRef:
    id: str
    finding_id: str | None
    file_name: str
    size: int


@dataclass(frozen=True)
class FindingDetail:
    id: str
    item_id: str | None
    text: str
    severity: str
    actions: tuple[ActionRow, ...]
    attachments: tuple[AttachmentRef, ...]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass(frozen=True)
class NoteRow:
    id: str
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class VisitDetail:
    id: str
    centre_id: str
    centre_code: str
    centre_name: str
    licensing_agency: str
    category_id: str
    category_name: str
    county_id: str | None
    county_name: str
    inspected_at: datetime
    inspected_on: date
    announced: bool
    inspectors: tuple[str, ...]
    template_id: str | None
    template_version: int | None
    template_title: str
    pass_score: int | None
    answers: tuple[AnswerLine, ...]
    score: int | None
    result: str
    computed_result: str
    override_reason: str
    correction_deadline: date | None
    notes: str
    state: str
    reinspection_of_id: str | None
    reinspections: tuple[str, ...]  # later visits that follow this one up
    findings: tuple[FindingDetail, ...]
    attachments: tuple[AttachmentRef, ...]  # photos and scans of the visit itself (no finding)
    visit_notes: tuple[NoteRow, ...]
    row_version: int

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    @property
    def kind_label(self) -> str:
        return VISIT_KIND_LABELS[self.announced]

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result)

    @property
    def time_text(self) -> str:
        return _time_text(self.inspected_at)

    @property
    def time_known(self) -> bool:
        return self.inspected_at.time() != time(0, 0)

    def to_input(self):
        """The visit as the form edits it (findings are kept by update_visit, so none are repeated)."""
        from ostandari_desk.services.inspections.visits import VisitInput

        return VisitInput(
            centre_id=self.centre_id,
            on=self.inspected_on,
            at=self.inspected_at.time() if self.time_known else None,
            announced=self.announced,
            inspectors=self.inspectors,
            answers={a.item_id: a.value for a in self.answers if a.value is not None},
            result_override=self.result if self.computed_result else None,
            override_reason=self.override_reason,
            correction_deadline=self.correction_deadline,
            score=None if self.template_id and any(a.value is not None for a in self.answers) else self.score,
            notes=self.notes,
            reinspection_of_id=self.reinspection_of_id,
        )


@dataclass(frozen=True)
class VisitRow:
    id: str
    centre_id: str
    centre_code: str
    centre_name: str
    category_name: str
    county_name: str
    inspected_at: datetime
    announced: bool
    inspectors: str
    score: int | None
    result: str
    state: str
    finding_count: int

    @property
    def date_text(self) -> str:
        return format_jalali(self.inspected_at.date())

    @property
    def time_text(self) -> str:
        return _time_text(self.inspected_at)

    @property
    def kind_label(self) -> str:
        return VISIT_KIND_LABELS[self.announced]

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result)


@dataclass(frozen=True)
class VisitFilter:
    text: str = ""  # centre code or name
    centre_id: str | None = None
    county_id: str | None = None
    category_id: str | None = None
    year: int | None = None  # Jalali
    month: int | None = None  # Jalali, with year
    result: str | None = None
    announced: bool | None = None
    state: str | None = None
    critical: bool = False  # only visits with a serious result or a critical finding (the start page's tile)


# --- one visit --------------------------------------------------------------------------------------


def _get(uow: UnitOfWork, visit_id: str) -> Inspection:
    return uow.get(Inspection, visit_id, missing="بازدید پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است")


def _answers(uow: UnitOfWork, visit: Inspection) -> tuple[AnswerLine, ...]:
    if not visit.template_id:
        return ()
    items = checklist_items(uow, visit.template_id)
    try:
        stored = decode_answers(items, visit.answers)
    except AnswersMismatchError as exc:
        # never guess which answer is whose: the visit shows unanswered, and the log says why
        log.warning("visit %s: stored answers not read: %s", visit.id, exc)
        stored = {}
    lines = []
    for item in items:
        value = stored.get(item.id)
        lines.append(
            AnswerLine(
                item.id,
                item.position,
                item.section,
                item.text,
                item.answer_type,
                item.max_score,
                item.weight,
                item.critical,
                value,
                answer_text(item, value),
                item_failed(item, value),
            )
        )
    return tuple(lines)


def _actions(uow: UnitOfWork, finding_ids: list[str]) -> dict[str, list[ActionRow]]:
    found: dict[str, list[ActionRow]] = {}
    if not finding_ids:
        return found
    stmt = (
        select(CorrectiveAction, Letter.number)
        .outerjoin(Letter, Letter.id == CorrectiveAction.referral_letter_id)
        .where(col(CorrectiveAction.finding_id).in_(finding_ids))
        .order_by(CorrectiveAction.created_at, CorrectiveAction.id)
    )
    for a, number in uow.s.exec(stmt):
        found.setdefault(a.finding_id, []).append(
            ActionRow(
                a.id,
                a.finding_id,
                a.action,
                a.deadline,
                a.done_on,
                a.verified_by_id,
                a.referral_letter_id,
                number or "",
                a.row_version,
            )
        )
    return found


def get_visit(uow: UnitOfWork, visit_id: str) -> VisitDetail:
    with uow:
        visit = _get(uow, visit_id)
        centre = uow.s.get(Centre, visit.centre_id)
        category = uow.s.get(ReferenceItem, visit.category_id)
        county = uow.s.get(County, visit.county_id) if visit.county_id else None
        template = uow.s.get(ChecklistTemplate, visit.template_id) if visit.template_id else None
        findings = list(
            uow.s.exec(
                select(Finding)
                .where(Finding.inspection_id == visit_id)
                .order_by(Finding.created_at, Finding.id)
            )
        )
        actions = _actions(uow, [f.id for f in findings])
        attachments = [
            AttachmentRef(a.id, a.finding_id, a.file_name, a.size)
            for a in uow.s.exec(
                select(InspectionAttachment)
                .where(InspectionAttachment.inspection_id == visit_id)
                .order_by(InspectionAttachment.created_at, InspectionAttachment.id)
            )
        ]
        notes = tuple(
            NoteRow(n.id, n.created_at, n.author, n.text)
            for n in uow.s.exec(
                select(InspectionNote)
                .where(InspectionNote.inspection_id == visit_id)
                .order_by(InspectionNote.created_at, InspectionNote.id)
            )
        )
        followed = tuple(
            uow.s.exec(
                select(Inspection.id)
                .where(Inspection.reinspection_of_id == visit_id)
                .order_by(Inspection.inspected_at)
            )
        )
        return VisitDetail(
            id=visit.id,
            centre_id=visit.centre_id,
            centre_code=centre.code if centre else "",
            centre_name=centre.name if centre else "",
            licensing_agency=centre.licensing_agency if centre else "",
            category_id=visit.category_id,
            category_name=category.name if category else "",
            county_id=visit.county_id,
            county_name=county.name if county else PROVINCE_LABEL,
            inspected_at=visit.inspected_at,
            inspected_on=visit.inspected_on,
            announced=bool(visit.announced),
            inspectors=tuple(n for n in visit.inspectors.split(_SEPARATOR) if n) if visit.inspectors else (),
            template_id=visit.template_id,
            template_version=template.version if template else None,
            template_title=template.title if template else "",
            pass_score=template.pass_score if template else None,
            answers=_answers(uow, visit),
            score=visit.score,
            result=visit.result,
            computed_result=visit.computed_result,
            override_reason=visit.override_reason,
            correction_deadline=visit.correction_deadline,
            notes=visit.notes,
            state=visit.state,
            reinspection_of_id=visit.reinspection_of_id,
            reinspections=followed,
            findings=tuple(
                FindingDetail(
                    f.id,
                    f.item_id,
                    f.text,
                    f.severity,
                    tuple(actions.get(f.id, ())),
                    tuple(a for a in attachments if a.finding_id == f.id),
                )
                for f in findings
            ),
            attachments=tuple(a for a in attachments if a.finding_id is None),
            visit_notes=notes,
            row_version=visit.row_version,
        )


# --- lists ------------------------------------------------------------------------------------------------


def _where(flt: VisitFilter) -> list:
    conds: list = []
    words = search.words(flt.text)
    if words:  # the visited centre's code, name and operator (its stored key), looked up once per centre
        found = select(Centre.id).where(*(search.contains(Centre.search_text, word) for word in words))
        conds.append(col(Inspection.centre_id).in_(found))
    if flt.centre_id:
        conds.append(Inspection.centre_id == flt.centre_id)
    if flt.county_id:
        conds.append(Inspection.county_id == flt.county_id)
    if flt.category_id:
        conds.append(Inspection.category_id == flt.category_id)
    if flt.year:
        first, last = month_range(flt.year, flt.month) if flt.month else year_range(flt.year)
        conds.append(col(Inspection.inspected_on).between(first, last))
    if flt.result:
        conds.append(Inspection.result == flt.result)
    if flt.announced is not None:
        conds.append(Inspection.announced == flt.announced)
    if flt.state:
        conds.append(Inspection.state == flt.state)
    if flt.critical:
        critical_finding = (
            select(Finding.id)
            .where(Finding.inspection_id == Inspection.id, Finding.severity == "critical")
            .correlate(Inspection)
            .exists()
        )
        conds.append((Inspection.result == "serious") | critical_finding)
    return conds


def filter_conditions(flt: VisitFilter) -> list:
    """The SQL conditions of ``flt`` over Inspection (for the sheet's export of a filtered list); a ``text``
    filter picks the visited centres in a subquery, so the statement needs no join."""
    return _where(flt)


def count_visits(uow: UnitOfWork, flt: VisitFilter = VisitFilter()) -> int:
    with uow:
        stmt = select(func.count()).select_from(Inspection)
        return int(uow.s.exec(stmt.where(*_where(flt))).one())


def _order(sort: str, descending: bool) -> list:
    columns = {
        "inspected_at": [Inspection.inspected_at],
        "centre": [Centre.name_sort, Inspection.inspected_at],
        "county": [County.position, Inspection.inspected_at],
        "category": [ReferenceItem.position, Inspection.inspected_at],
        "result": [Inspection.result, Inspection.inspected_at],
        "score": [Inspection.score, Inspection.inspected_at],
    }
    if sort not in columns:
        raise ValueError(f"unknown sort key: {sort!r}")
    return order_terms(
        [*columns[sort], Inspection.id], descending, nullable=(County.position, Inspection.score)
    )


def list_visit_page(
    uow: UnitOfWork,
    flt: VisitFilter = VisitFilter(),
    sort: str = "inspected_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[VisitRow]:
    """One page of visits matching ``flt`` (ties broken by id, so pages are stable)."""
    with uow:
        findings = (
            select(func.count())
            .select_from(Finding)
            .where(Finding.inspection_id == Inspection.id)
            .correlate(Inspection)
            .scalar_subquery()
        )
        stmt = (
            select(
                Inspection.id,
                Inspection.centre_id,
                Centre.code,
                Centre.name,
                ReferenceItem.name,
                County.name,
                Inspection.inspected_at,
                Inspection.announced,
                Inspection.inspectors,
                Inspection.score,
                Inspection.result,
                Inspection.state,
                findings,
            )
            .select_from(Inspection)
            .join(Centre, Centre.id == Inspection.centre_id)
            .outerjoin(ReferenceItem, ReferenceItem.id == Inspection.category_id)
            .outerjoin(County, County.id == Inspection.county_id)
            .where(*_where(flt))
            .order_by(*_order(sort, descending))
            .offset(max(0, offset))
            .limit(max(0, limit))
        )
        return [
            VisitRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4] or "",
                r[5] or PROVINCE_LABEL,
                r[6],
                bool(r[7]),
                r[8],
                r[9],
                r[10],
                r[11],
                int(r[12] or 0),
            )
            for r in uow.s.exec(stmt)
        ]


def visits_of_centre(uow: UnitOfWork, centre_id: str) -> list[VisitRow]:
    """Every visit of a centre, newest first (its file)."""
    return list_visit_page(uow, VisitFilter(centre_id=centre_id), "inspected_at", True, 0, 100_000)
