"""Corrective actions on findings: add, complete (verified by a re-inspection), refer, and the overdue worklist.

A referral is an outgoing letter (services/letters.py) to the centre's licensing agency, numbered
«ارجاع/n» within its Jalali year, linked on the finding's action (one is made when the finding has none).
Actions follow a visit after it is closed, so they are open to change on closed visits too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from ostandari_desk.domain import text
from ostandari_desk.domain.inspections import SEVERITY_LABELS
from ostandari_desk.domain.jalali import format_jalali, jalali_year_of
from ostandari_desk.errors import NotFoundError, UserError, ValidationError
from ostandari_desk.services import letters
from ostandari_desk.services.audit import now_utc, stamps
from ostandari_desk.store.models import Centre, CorrectiveAction, County, Finding, Inspection, Letter
from ostandari_desk.store.uow import UnitOfWork

ACTION_MAX = 1000
REFERRAL_PREFIX = "ارجاع/"
REFERRAL_KIND = "punitive"  # a violation referred to the agency that can sanction it
_SUBJECT_MAX = 400


@dataclass(frozen=True)
class OverdueActionRow:
    action_id: str
    finding_id: str
    visit_id: str
    centre_id: str
    centre_code: str
    centre_name: str
    county_name: str
    finding_text: str
    severity: str
    action: str
    deadline: date
    days_overdue: int
    referral_letter_id: str | None

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def deadline_text(self) -> str:
        return format_jalali(self.deadline)


def _finding(uow: UnitOfWork, finding_id: str) -> tuple[Finding, Inspection]:
    """The finding and its visit, if the visit is within the actor's county (else NotFound/PermissionDenied)."""
    finding = uow.s.get(Finding, finding_id)
    if finding is None:
        raise NotFoundError("یافته پیدا نشد", record=finding_id)
    visit = uow.get(Inspection, finding.inspection_id, missing="بازدید این یافته پیدا نشد")
    return finding, visit


def _action(uow: UnitOfWork, action_id: str) -> tuple[CorrectiveAction, Finding, Inspection]:
    action = uow.s.get(CorrectiveAction, action_id)
    if action is None:
        raise NotFoundError("اقدام اصلاحی پیدا نشد", record=action_id)
    finding, visit = _finding(uow, action.finding_id)
    return action, finding, visit


def _clean_action(action: str) -> str:
    body = text.clean(action)
    if not body:
        raise ValidationError("شرح اقدام اصلاحی وارد نشده است", field="action")
    if len(body) > ACTION_MAX:
        raise ValidationError("شرح اقدام اصلاحی بیش از اندازه بلند است", field="action")
    return body


def add_action(uow: UnitOfWork, finding_id: str, action: str, deadline: date | None) -> str:
    """Give a finding a corrective action with a deadline (after the visit); returns its id."""
    with uow.writing():
        _, visit = _finding(uow, finding_id)
        body = _clean_action(action)
        if deadline is not None and deadline <= visit.inspected_on:
            raise ValidationError("مهلت اقدام باید پس از تاریخ بازدید باشد", field="deadline")
        row = CorrectiveAction(**stamps(), finding_id=finding_id, action=body, deadline=deadline)
        uow.s.add(row)
        uow.s.flush()
        uow.commit()
        return row.id


def complete_action(
    uow: UnitOfWork, action_id: str, done_on: date, verified_by_id: str | None = None
) -> None:
    """Record that an action was carried out on ``done_on``; ``verified_by_id``: the re-inspection of the
    finding's visit that saw it done."""
    with uow.writing():
        action, _, visit = _action(uow, action_id)
        if action.done_on is not None:
            raise UserError(
                f"این اقدام پیش‌تر در {format_jalali(action.done_on)} انجام‌شده ثبت شده است", record=action_id
            )
        if not isinstance(done_on, date) or done_on < visit.inspected_on:
            raise ValidationError("تاریخ انجام اقدام نمی‌تواند پیش از تاریخ بازدید باشد", field="done_on")
        if done_on > date.today():
            raise ValidationError("تاریخ انجام اقدام در آینده است", field="done_on")
        if verified_by_id is not None:
            check = uow.s.get(Inspection, verified_by_id)
            if check is None or check.reinspection_of_id != visit.id:
                raise ValidationError(
                    "تأییدکننده اقدام باید بازدید مجدد همان بازدید باشد", field="verified_by"
                )
        action.done_on = done_on
        action.verified_by_id = verified_by_id
        action.updated_at = now_utc()
        action.row_version += 1
        uow.commit()


_NUMBERED = re.compile(re.escape(REFERRAL_PREFIX) + r"(\d+)")


def _next_referral_number(uow: UnitOfWork, jalali_year: int, county_id: str | None) -> str:
    """«ارجاع/n», one past the highest of the year's outgoing letters in the series of ``county_id`` (the
    visit's county; None: the province's own), where the letter is numbered."""
    t = Letter.__table__.c
    numbers = uow.s.execute(
        select(t.number).where(
            letters.series_condition(county_id),
            t.direction == "outgoing",
            t.jalali_year == jalali_year,
            col(t.number).like(REFERRAL_PREFIX + "%"),
        )
    ).scalars()
    highest = max((int(m.group(1)) for n in numbers if (m := _NUMBERED.fullmatch(n))), default=0)
    return f"{REFERRAL_PREFIX}{highest + 1}"


def refer_finding(uow: UnitOfWork, finding_id: str, on: date, *, number: str | None = None) -> str:
    """Refer a finding to the centre's licensing agency by an outgoing letter dated ``on``; returns the
    letter's id. The letter is linked on the finding's open action (or its latest, or a new one).

    Raises:
        ValidationError: the centre names no licensing agency, or ``on`` is before the visit.
        UserError: the finding was referred already.
    """
    with uow.writing():
        finding, visit = _finding(uow, finding_id)
        centre = uow.s.get(Centre, visit.centre_id)
        agency = text.clean(centre.licensing_agency) if centre else ""
        if centre is None or not agency:
            raise ValidationError(
                "برای این مرکز دستگاه صادرکننده مجوز ثبت نشده است؛ نخست آن را در پرونده مرکز وارد کنید",
                field="licensing_agency",
            )
        if not isinstance(on, date) or on < visit.inspected_on:
            raise ValidationError("تاریخ نامه ارجاع نمی‌تواند پیش از تاریخ بازدید باشد", field="date")
        actions = list(
            uow.s.exec(
                select(CorrectiveAction)
                .where(CorrectiveAction.finding_id == finding_id)
                .order_by(CorrectiveAction.created_at, CorrectiveAction.id)
            )
        )
        referred = [a for a in actions if a.referral_letter_id]
        if referred:
            raise UserError("این یافته پیش‌تر به دستگاه صادرکننده مجوز ارجاع شده است", record=finding_id)
        subject = (
            f"ارجاع یافته بازدید {format_jalali(visit.inspected_on)} از {centre.name} "
            f"(کد {centre.code}): {finding.text}"
        )
        if len(subject) > _SUBJECT_MAX:
            subject = subject[: _SUBJECT_MAX - 1] + "…"
        letter_id = letters.create_letter(
            uow,
            letters.LetterInput(
                direction="outgoing",
                number=number or _next_referral_number(uow, jalali_year_of(on), visit.county_id),
                dated_on=on,
                party=agency,
                subject=subject,
                kind=REFERRAL_KIND,
                county_id=visit.county_id,
            ),
        )
        open_actions = [a for a in actions if a.done_on is None]
        target = open_actions[-1] if open_actions else (actions[-1] if actions else None)
        if target is None:
            target = CorrectiveAction(
                **stamps(),
                finding_id=finding_id,
                action=f"پیگیری ارجاع به {agency}",
                deadline=visit.correction_deadline,
            )
            uow.s.add(target)
        else:
            target.updated_at = now_utc()
            target.row_version += 1
        target.referral_letter_id = letter_id
        uow.commit()
        return letter_id


def overdue_actions(uow: UnitOfWork, today: date, limit: int = 500) -> list[OverdueActionRow]:
    """Open actions whose deadline has passed, the most overdue first (a county user's county only)."""
    with uow:
        stmt = (
            select(
                CorrectiveAction.id,
                Finding.id,
                Inspection.id,
                Centre.id,
                Centre.code,
                Centre.name,
                County.name,
                Finding.text,
                Finding.severity,
                CorrectiveAction.action,
                CorrectiveAction.deadline,
                CorrectiveAction.referral_letter_id,
            )
            .select_from(CorrectiveAction)
            .join(Finding, col(Finding.id) == CorrectiveAction.finding_id)
            .join(Inspection, col(Inspection.id) == Finding.inspection_id)
            .join(Centre, col(Centre.id) == Inspection.centre_id)
            .outerjoin(County, col(County.id) == Inspection.county_id)
            .where(col(CorrectiveAction.done_on).is_(None), col(CorrectiveAction.deadline) < today)
            .order_by(col(CorrectiveAction.deadline), col(CorrectiveAction.id))
            .limit(max(0, limit))
        )
        return [
            OverdueActionRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6] or "استان",
                r[7],
                r[8],
                r[9],
                r[10],
                (today - r[10]).days,
                r[11],
            )
            for r in uow.s.exec(stmt)
        ]
