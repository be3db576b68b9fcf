"""The rules of a visit: what the visit form and the «بازدیدها» importer give (VisitInput, FindingInput), THE
one validator (``validate_visit``) that checks it and computes its outcome (CheckedVisit), and
``visit_errors``, which lists every rule a sheet row breaks.

A visit copies its centre's category and county and freezes the id of the category's active checklist
version; its score and result come from the answers (``domain.inspections``), and an overridden result
keeps what the answers gave (``computed_result``) beside the reason. The checklist's items are read only
when the visit answers them or names one in a finding (an imported visit does neither).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import col, select

from ostandari_desk.domain import text
from ostandari_desk.domain.inspections import (
    RESULT_LABELS,
    SEVERITY_LABELS,
    AnswersMismatchError,
    Result,
    decode_answers,
    encode_answers,
    evaluate,
    failed_item_finding,
    finding_severity,
    item_failed,
    parse_answer,
    parse_result,
    parse_time,
)
from ostandari_desk.domain.jalali import MIN_EDITABLE, format_jalali, jalali_month_of
from ostandari_desk.errors import NotFoundError, ValidationError
from ostandari_desk.services.inspections.templates import ChecklistItemRow, checklist_items
from ostandari_desk.store.models import (
    Centre,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
)
from ostandari_desk.store.uow import UnitOfWork

INSPECTORS_SEPARATOR = "، "
TEXT_MAX = 2000


@dataclass(frozen=True)
class FindingInput:
    """A finding the inspector writes (or the one of a failed item, named by ``item_id``, with its action)."""

    text: str
    severity: str = ""  # "": the item's own (see domain.inspections.finding_severity), «جزئی» for free text
    item_id: str | None = None
    action: str = ""
    deadline: date | None = None


@dataclass(frozen=True)
class VisitInput:
    """What the visit form (or a sheet row) gives. ``answers``: checklist item id -> the answer as typed.

    ``score`` only for a visit without checklist answers (an imported one); ``result_override`` is a
    Result value or its Persian label; a visit without answers states its result there (no reason needed).
    ``at`` may be a ``time``, ``HH:MM`` text, or None when the time is not known.
    """

    centre_id: str
    on: date
    at: time | str | None = None
    announced: bool = False
    inspectors: tuple[str, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)
    result_override: str | None = None
    override_reason: str = ""
    correction_deadline: date | None = None
    score: int | None = None
    notes: str = ""
    reinspection_of_id: str | None = None
    findings: tuple[FindingInput, ...] = ()
    verified_action_ids: tuple[str, ...] = ()  # open actions of the re-inspected visit this one verifies


@dataclass(frozen=True)
class CheckedVisit:
    """A VisitInput that passed validate_visit: the column values, and what create/update add around them."""

    centre_id: str
    county_id: str | None
    category_id: str
    template_id: str | None
    inspected_at: datetime
    inspected_on: date
    announced: bool
    inspectors: str
    answers: dict[str, Any]  # parsed, {item id: value}; stored by encode_answers against ``items``
    score: int | None
    result: str
    computed_result: str
    override_reason: str
    correction_deadline: date | None
    notes: str
    reinspection_of_id: str | None
    items: tuple[ChecklistItemRow, ...]  # the checklist's, when answered or named by a finding; else ()
    failed: tuple[str, ...]
    findings: tuple[FindingInput, ...]
    verified_action_ids: tuple[str, ...]

    def columns(self) -> dict[str, Any]:
        jy, jm = jalali_month_of(self.inspected_on)
        return {
            "centre_id": self.centre_id,
            "county_id": self.county_id,
            "category_id": self.category_id,
            "template_id": self.template_id,
            "inspected_at": self.inspected_at,
            "inspected_on": self.inspected_on,
            "jalali_year": jy,
            "jalali_month": jm,
            "announced": self.announced,
            "inspectors": self.inspectors,
            "answers": encode_answers(self.items, self.answers) if self.answers else "",
            "score": self.score,
            "result": self.result,
            "computed_result": self.computed_result,
            "override_reason": self.override_reason,
            "correction_deadline": self.correction_deadline,
            "notes": self.notes,
            "reinspection_of_id": self.reinspection_of_id,
        }


def wall_clock(on: date, at: time | None) -> datetime:
    """``Inspection.inspected_at`` of a visit on ``on`` at ``at`` (None: not known, 00:00): the office's
    wall-clock time, labelled UTC because the column keeps aware datetimes (as the demo stores it)."""
    return datetime.combine(on, at or time(0, 0), tzinfo=UTC)


# --- validation ---------------------------------------------------------------------------------------


def _time_of(raw: time | str | None) -> time:
    if raw is None:
        return time(0, 0)
    if isinstance(raw, datetime) or not isinstance(raw, time | str):
        raise ValidationError("ساعت بازدید درست نیست؛ آن را به شکل ۱۰:۳۰ بنویسید", field="time")
    if isinstance(raw, str):
        try:
            parsed = parse_time(raw)
        except ValueError as exc:
            raise ValidationError(str(exc), field="time") from None
        return parsed or time(0, 0)
    if raw.second or raw.microsecond or raw.tzinfo is not None:
        raise ValidationError("ساعت بازدید فقط ساعت و دقیقه دارد", field="time")
    return raw


def _check_date(on: Any, today: date) -> date:
    if isinstance(on, datetime) or not isinstance(on, date):
        raise ValidationError("تاریخ بازدید وارد نشده یا درست نیست", field="date")
    if on > today:
        raise ValidationError(
            f"تاریخ بازدید ({format_jalali(on)}) در آینده است؛ بازدید انجام‌شده را ثبت کنید", field="date"
        )
    if on < MIN_EDITABLE:
        raise ValidationError(f"تاریخ بازدید ({format_jalali(on)}) پذیرفته نیست", field="date")
    return on


def _centre(uow: UnitOfWork, centre_id: str) -> Centre:
    centre = uow.s.get(Centre, centre_id) if centre_id else None
    if centre is None:
        raise ValidationError("مرکز بازدیدشده پیدا نشد", field="centre")
    uow.check_county(centre.county_id, record=centre_id)
    return centre


def _template_for(uow: UnitOfWork, category_id: str, stored: Inspection | None) -> ChecklistTemplate | None:
    """The stored visit's frozen version, or (a new visit) the category's active one."""
    if stored is not None:
        return uow.s.get(ChecklistTemplate, stored.template_id) if stored.template_id else None
    stmt = select(ChecklistTemplate).where(
        ChecklistTemplate.category_id == category_id, ChecklistTemplate.state == "active"
    )
    return uow.s.exec(stmt).first()


def _item_name(item: ChecklistItemRow) -> str:
    return f"بند {text.to_persian_digits(item.position)} («{item.text}»)"


def _parse_answers(items: tuple[ChecklistItemRow, ...], answers: Mapping[str, Any]) -> dict[str, Any]:
    by_id = {i.id: i for i in items}
    unknown = [key for key in answers if key not in by_id]
    if unknown:
        raise ValidationError(
            "پاسخی برای بندی که در چک‌لیست این بازدید نیست داده شده است", field="answers", record=unknown[0]
        )
    parsed: dict[str, Any] = {}
    for item in items:
        if item.id not in answers:
            continue
        try:
            value = parse_answer(item, answers[item.id])
        except ValueError as exc:
            raise ValidationError(
                f"پاسخ {_item_name(item)}: {exc}", field="answers", record=item.id
            ) from None
        if value is not None:
            parsed[item.id] = value
    return parsed


def _check_score(score: Any) -> int | None:
    if score is None or score == "":
        return None
    if isinstance(score, bool):
        raise ValidationError("امتیاز باید عدد درستی از ۰ تا ۱۰۰ باشد", field="score")
    try:
        value = int(text.digits_to_latin(str(score)).strip()) if isinstance(score, str) else int(score)
    except (TypeError, ValueError):
        raise ValidationError("امتیاز باید عدد درستی از ۰ تا ۱۰۰ باشد", field="score") from None
    if value != score and not isinstance(score, str):
        raise ValidationError("امتیاز باید عدد درستی از ۰ تا ۱۰۰ باشد", field="score")
    if not 0 <= value <= 100:
        raise ValidationError(
            f"امتیاز {text.to_persian_digits(value)} پذیرفته نیست؛ امتیاز از ۰ تا ۱۰۰ است", field="score"
        )
    return value


def _item_finding(item: ChecklistItemRow, answers: Mapping[str, Any]) -> str:
    """The text of a finding naming ``item`` without its own: what failed, or the item's wording."""
    value = answers.get(item.id)
    return failed_item_finding(item, value) if item_failed(item, value) else item.text


def _findings(
    data: VisitInput, items: tuple[ChecklistItemRow, ...], answers: Mapping[str, Any], on: date
) -> tuple[FindingInput, ...]:
    by_id = {i.id: i for i in items}
    cleaned = []
    for n, finding in enumerate(data.findings, start=1):
        where = f"یافته {text.to_persian_digits(n)}"
        item = by_id.get(finding.item_id) if finding.item_id else None
        if finding.item_id and item is None:
            raise ValidationError(f"{where}: بند چک‌لیست آن در این بازدید نیست", field="findings")
        body = text.clean(finding.text) or (_item_finding(item, answers) if item else "")
        if not body:
            raise ValidationError(f"متن {where} وارد نشده است", field="findings")
        if len(body) > TEXT_MAX:
            raise ValidationError(f"متن {where} بیش از اندازه بلند است", field="findings")
        severity = finding.severity or (finding_severity(item) if item else "minor")
        if severity not in SEVERITY_LABELS:
            raise ValidationError(f"شدت {where} درست نیست", field="findings")
        action = text.clean(finding.action)
        if finding.deadline is not None and (
            not isinstance(finding.deadline, date) or finding.deadline <= on
        ):
            raise ValidationError(f"مهلت اقدام {where} باید پس از تاریخ بازدید باشد", field="findings")
        cleaned.append(FindingInput(body, severity, finding.item_id, action, finding.deadline))
    return tuple(cleaned)


def _check_kind(announced: Any) -> None:
    if not isinstance(announced, bool):
        raise ValidationError("نوع بازدید (سرزده یا اعلام‌شده) را تعیین کنید", field="kind")


def _override(raw: str | None) -> Result | None:
    if not raw:
        return None
    try:
        return parse_result(raw)
    except ValueError as exc:
        raise ValidationError(str(exc), field="result") from None


def _check_reinspection(
    uow: UnitOfWork, data: VisitInput, centre_id: str, at: datetime, visit_id: str | None
) -> None:
    if not data.reinspection_of_id:
        if data.verified_action_ids:
            raise ValidationError("فقط بازدید مجدد اقدامی را تأیید می‌کند", field="reinspection_of")
        return
    earlier = uow.s.get(Inspection, data.reinspection_of_id)
    if earlier is None or earlier.id == visit_id:
        raise ValidationError("بازدیدی که این بازدید مجدد پیگیری می‌کند پیدا نشد", field="reinspection_of")
    if earlier.centre_id != centre_id:
        raise ValidationError("بازدید مجدد باید از همان مرکز بازدید پیشین باشد", field="reinspection_of")
    if earlier.inspected_at >= at:
        raise ValidationError("بازدید مجدد باید پس از بازدید پیشین باشد", field="reinspection_of")
    if data.verified_action_ids:
        found = uow.s.exec(
            select(CorrectiveAction.id)
            .join(Finding, col(Finding.id) == CorrectiveAction.finding_id)
            .where(
                col(CorrectiveAction.id).in_(data.verified_action_ids),
                Finding.inspection_id == earlier.id,
            )
        ).all()
        if len(set(found)) != len(set(data.verified_action_ids)):
            raise ValidationError("اقدام تأییدشده از یافته‌های بازدید پیشین نیست", field="verified_actions")


def validate_visit(
    uow: UnitOfWork, data: VisitInput, today: date, *, visit_id: str | None = None
) -> CheckedVisit:
    """Check ``data`` for a new visit (or for the stored visit ``visit_id``) and compute its outcome.

    The one validator of a visit: the form and the ``inspections`` importer both call it, row by row.

    Raises:
        ValidationError: the first rule broken; ``field`` is one of centre, date, time, kind, inspectors,
            answers (``record``: the item's id), score, result, override_reason, deadline, notes,
            reinspection_of, verified_actions, findings.
        PermissionDeniedError: a centre outside a county user's county.
    """
    with uow:
        stored = uow.s.get(Inspection, visit_id) if visit_id else None
        if visit_id and stored is None:
            raise NotFoundError("بازدید پیدا نشد", record=visit_id)
        centre = _centre(uow, data.centre_id)
        on = _check_date(data.on, today)
        at = wall_clock(on, _time_of(data.at))
        _check_kind(data.announced)
        inspectors = [text.clean(n) for n in data.inspectors if text.clean(n)]
        joined = INSPECTORS_SEPARATOR.join(dict.fromkeys(inspectors))
        if len(joined) > 500:
            raise ValidationError("نام بازرسان بیش از اندازه بلند است", field="inspectors")

        category_id = stored.category_id if stored is not None else centre.category_id
        template = _template_for(uow, category_id, stored)
        # the items only when something refers to them (an imported visit answers none and names none)
        needs_items = bool(data.answers) or any(f.item_id for f in data.findings)
        items = checklist_items(uow, template.id) if template is not None and needs_items else ()
        if data.answers and template is None:
            raise ValidationError("این نوع مرکز چک‌لیست فعالی ندارد و پاسخی نمی‌پذیرد", field="answers")
        if stored is not None and stored.answers and template is not None:
            # stored answers that do not fit the frozen items are refused, not overwritten unseen
            try:
                decode_answers(items or checklist_items(uow, template.id), stored.answers)
            except AnswersMismatchError as exc:
                raise ValidationError(str(exc), field="answers", record=visit_id) from None
        answers = _parse_answers(items, data.answers)
        given_score = _check_score(data.score)

        override = _override(data.result_override)
        failed: tuple[str, ...] = ()
        computed = ""
        if answers:
            outcome = evaluate(items, answers, template.pass_score if template else 80)
            if given_score is not None and given_score != outcome.score:
                raise ValidationError(
                    "امتیاز بازدیدی که چک‌لیست دارد از پاسخ‌ها حساب می‌شود و جداگانه وارد نمی‌شود", field="score"
                )
            score, failed = outcome.score, outcome.failed
            result = override or outcome.result
            if result != outcome.result:
                computed = str(outcome.result)
        else:
            score = given_score
            if override is None and score is None:
                raise ValidationError(
                    "نتیجه بازدید (مطلوب، نیازمند اصلاح یا تخلف جدی) را تعیین کنید", field="result"
                )
            result = override or (
                Result.NEEDS_FIX if score < (template.pass_score if template else 80) else Result.GOOD
            )
        reason = text.clean(data.override_reason)
        if computed and not reason:
            raise ValidationError(
                f"نتیجه پاسخ‌ها «{RESULT_LABELS[computed]}» است؛ برای تغییر آن علت را بنویسید",
                field="override_reason",
            )
        if len(reason) > TEXT_MAX:
            raise ValidationError("علت تغییر نتیجه بیش از اندازه بلند است", field="override_reason")

        deadline = data.correction_deadline
        if deadline is not None and (isinstance(deadline, datetime) or not isinstance(deadline, date)):
            raise ValidationError("مهلت اصلاح درست نیست", field="deadline")
        if result != Result.GOOD and deadline is None:
            raise ValidationError(
                f"برای نتیجه «{RESULT_LABELS[result]}» مهلت اصلاح را تعیین کنید", field="deadline"
            )
        if deadline is not None and deadline <= on:
            raise ValidationError("مهلت اصلاح باید پس از تاریخ بازدید باشد", field="deadline")
        notes = text.clean(data.notes)
        if len(notes) > TEXT_MAX:
            raise ValidationError("توضیحات بیش از اندازه بلند است", field="notes")
        _check_reinspection(uow, data, centre.id, at, visit_id)
        return CheckedVisit(
            centre_id=centre.id,
            county_id=centre.county_id if stored is None else stored.county_id,
            category_id=category_id,
            template_id=template.id if template is not None else None,
            inspected_at=at,
            inspected_on=on,
            announced=data.announced,
            inspectors=joined,
            answers=answers,
            score=score,
            result=str(result),
            computed_result=computed,
            override_reason=reason if computed or override is not None else "",
            correction_deadline=deadline,
            notes=notes,
            reinspection_of_id=data.reinspection_of_id or None,
            items=items,
            failed=failed,
            findings=_findings(data, items, answers, on),
            verified_action_ids=tuple(dict.fromkeys(data.verified_action_ids)),
        )


def visit_errors(
    uow: UnitOfWork, data: VisitInput, today: date, *, visit_id: str | None = None
) -> list[ValidationError]:
    """The rules ``data`` breaks, each naming its field ([] = none), for a sheet row's error list: every
    field checked on its own (centre, date, time, kind, score, result), then, when those hold, the rules
    between fields (validate_visit's first error: answers, override reason, deadline, re-inspection)."""
    errors: list[ValidationError] = []
    checks = (
        lambda: _centre(uow, data.centre_id),
        lambda: _check_date(data.on, today),
        lambda: _time_of(data.at),
        lambda: _check_kind(data.announced),
        lambda: _check_score(data.score),
        lambda: _override(data.result_override),
    )
    with uow:
        for check in checks:
            try:
                check()
            except ValidationError as exc:
                errors.append(exc)
        if not errors:
            try:
                validate_visit(uow, data, today, visit_id=visit_id)
            except ValidationError as exc:
                errors.append(exc)
    return errors


__all__ = [
    "INSPECTORS_SEPARATOR",
    "TEXT_MAX",
    "CheckedVisit",
    "FindingInput",
    "VisitInput",
    "validate_visit",
    "visit_errors",
    "wall_clock",
]
