"""The «بازدیدها» sheet: import and export of visits to centres (one row per visit: its outcome, not its
checklist, which is answered in the app).

Each row is read into the VisitInput the visit form gives and checked by THE visit validator
(``validate_visit``; ``visit_errors`` lists every rule a bad row breaks). An imported visit is stored
closed. «یافته‌ها» (separated by «؛») become free-text findings; when the row has a correction deadline
(or a referral letter) each finding gets a corrective action with that deadline; «شماره نامه ارجاع» names
an outgoing letter already stored (in the visit's Jalali year, or the next), linked on those actions.

The same centre, date and time is the same visit (``find_visit``): a row matching a stored visit adds
nothing (an error if it states another kind, result or score: a closed visit is corrected by a note).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select

from ostandari_desk.domain import text
from ostandari_desk.domain.inspections import RESULT_LABELS, VISIT_KIND_LABELS, parse_visit_kind
from ostandari_desk.domain.jalali import format_jalali, jalali_year_of
from ostandari_desk.errors import ValidationError
from ostandari_desk.services import audit
from ostandari_desk.services.inspections.centres import clean_code
from ostandari_desk.services.inspections.visit_reads import VisitFilter, filter_conditions
from ostandari_desk.services.inspections.visit_rules import (
    TEXT_MAX,
    CheckedVisit,
    FindingInput,
    VisitInput,
    validate_visit,
    visit_errors,
)
from ostandari_desk.services.inspections.visits import find_visit
from ostandari_desk.services.letters import NUMBER_MAX, clean_number, series_condition
from ostandari_desk.services.transfer.base import (
    ImportOptions,
    TransferKind,
    column_getter,
    county_guard,
    finish_import,
    read_rows,
    with_rule_errors,
)
from ostandari_desk.services.transfer.sheets import (
    Column,
    ImportReport,
    RowError,
    Table,
    cell_date,
    cell_int,
    cell_text,
)
from ostandari_desk.store.models import (
    Centre,
    CorrectiveAction,
    County,
    Finding,
    Inspection,
    Letter,
    new_id,
)
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["COLUMNS", "FINDINGS_SEPARATOR", "KIND"]

H_CENTRE = "کد مرکز"
H_DATE = "تاریخ بازدید"
H_TIME = "ساعت"
H_KIND = "نوع بازدید"
H_INSPECTORS = "بازرسان"
H_RESULT = "نتیجه"
H_SCORE = "امتیاز"
H_FINDINGS = "یافته‌ها"
H_DEADLINE = "مهلت اصلاح"
H_LETTER = "شماره نامه ارجاع"
H_NOTES = "توضیحات"

COLUMNS = (
    Column(H_CENTRE, "centre", True, max_length=100),
    Column(H_DATE, "date", True, max_length=40),
    Column(H_TIME, "time", max_length=20),
    Column(H_KIND, "kind", True, max_length=40),
    Column(H_INSPECTORS, "inspectors", max_length=500),
    Column(H_RESULT, "result", True, max_length=40),
    Column(H_SCORE, "score", max_length=20),
    Column(H_FINDINGS, "findings", max_length=20000),
    Column(H_DEADLINE, "deadline", max_length=40),
    Column(H_LETTER, "letter", max_length=NUMBER_MAX),
    Column(H_NOTES, "notes", max_length=TEXT_MAX),
)

FINDINGS_SEPARATOR = "؛ "
DEADLINE_ACTION = "رفع یافته تا پایان مهلت اصلاح"
REFERRAL_ACTION = "پیگیری ارجاع به دستگاه صادرکننده مجوز"
_FINDINGS_SPLIT = re.compile(r"[؛;]")
_NAMES_SPLIT = re.compile(r"[،,]")
_FIELD_HEADERS = {
    "centre": H_CENTRE,
    "date": H_DATE,
    "time": H_TIME,
    "kind": H_KIND,
    "inspectors": H_INSPECTORS,
    "score": H_SCORE,
    "result": H_RESULT,
    "override_reason": H_RESULT,
    "answers": H_RESULT,
    "deadline": H_DEADLINE,
    "notes": H_NOTES,
    "findings": H_FINDINGS,
}
_PROGRESS_EVERY = 500
_EXPORT_PAGE = 2000


@dataclass(frozen=True)
class _Row:
    """A good row: the checked visit and the referral letter its findings' actions name."""

    visit: CheckedVisit
    letter_id: str | None


def _time_cell(value: Any) -> time | str | None:
    """A «ساعت» cell as the VisitInput takes it: an Excel time (or a fraction of a day) as a time, text as
    typed (the validator reads «HH:MM»)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, timedelta):
        value = value.total_seconds() / 86400
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 1440)
        if minutes < 1440:
            return time(minutes // 60, minutes % 60)
    return cell_text(value)


class _Letters:
    """Outgoing letters by number, in the visit's Jalali year or the next (within the actor's scope), in
    the centre's county's series first, then the province's own (letter numbers are per series)."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow
        self._cache: dict[tuple[str, int, str | None], tuple[str, date] | None] = {}

    def find(self, number: str, year: int, county_id: str | None) -> tuple[str, date] | None:
        series = (county_id, None) if county_id is not None else (None,)
        for jy in (year, year + 1):
            for county in series:
                key = (number, jy, county)
                if key not in self._cache:
                    stmt = select(Letter.id, Letter.dated_on).where(
                        series_condition(county),
                        Letter.direction == "outgoing",
                        Letter.jalali_year == jy,
                        Letter.number == number,
                    )
                    found = self._uow.s.execute(stmt).first()
                    self._cache[key] = (found[0], found[1]) if found is not None else None
                if self._cache[key] is not None:
                    return self._cache[key]
        return None


def _read(
    number: int,
    values: tuple,
    get: dict,
    centres: dict,
    county_names: dict,
    county_refused,
    letters: _Letters,
) -> tuple[VisitInput, str | None, list[RowError]]:
    """The row as the VisitInput the form would give, the referral letter's id, and the errors of the
    cells that could not be read."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    code_text = cell_text(get["centre"](values))
    code = clean_code(code_text)
    centre_id = ""
    centre_county: str | None = None
    if not code:
        fail(H_CENTRE, "کد مرکز وارد نشده است")
    elif code not in centres:
        fail(
            H_CENTRE,
            f"مرکزی با کد «{text.to_persian_digits(code_text)}» ثبت نشده است؛ نخست مراکز را وارد کنید",
        )
    else:
        found_id, county_id = centres[code]
        reason = county_refused(county_id, county_names.get(county_id, ""))
        if reason:
            fail(H_CENTRE, f"مرکز «{text.to_persian_digits(code_text)}»: {reason}")
        else:
            centre_id, centre_county = found_id, county_id

    on = deadline = None
    for key, header in (("date", H_DATE), ("deadline", H_DEADLINE)):
        try:
            parsed = cell_date(get[key](values))
        except ValidationError as exc:
            fail(header, exc.message)
            continue
        if key == "date":
            on = parsed
            if on is None:
                fail(H_DATE, "تاریخ بازدید وارد نشده است")
        else:
            deadline = parsed

    kind_text = cell_text(get["kind"](values))
    announced: bool | None = None
    if not kind_text:
        fail(H_KIND, "نوع بازدید (سرزده یا اعلام‌شده) وارد نشده است")
    else:
        try:
            announced = parse_visit_kind(kind_text)
        except ValueError as exc:
            fail(H_KIND, str(exc))

    result_text = cell_text(get["result"](values))
    if not result_text:
        fail(H_RESULT, "نتیجه بازدید (مطلوب، نیازمند اصلاح یا تخلف جدی) وارد نشده است")

    score: int | str | None = None
    try:
        score = cell_int(get["score"](values))
    except ValidationError as exc:
        fail(H_SCORE, f"امتیاز باید عدد درستی از ۰ تا ۱۰۰ باشد: {exc.message}")

    letter_text = cell_text(get["letter"](values))
    letter_id = None
    bodies = [
        part for part in map(text.clean, _FINDINGS_SPLIT.split(cell_text(get["findings"](values)))) if part
    ]
    if letter_text:
        letter_number = clean_number(letter_text)
        shown = text.to_persian_digits(letter_text)
        if not bodies:
            fail(H_LETTER, "نامه ارجاع به یافته‌های بازدید پیوند می‌خورد؛ یافته‌ها را بنویسید")
        elif isinstance(on, date):
            year = jalali_year_of(on)
            letter = letters.find(letter_number, year, centre_county)
            if letter is None:
                fail(
                    H_LETTER,
                    f"نامه صادره‌ای با شماره «{shown}» در سال {text.to_persian_digits(year)} "
                    f"(یا {text.to_persian_digits(year + 1)}) ثبت نشده است",
                )
            elif letter[1] < on:
                fail(H_LETTER, f"نامه ارجاع «{shown}» پیش از تاریخ بازدید نوشته شده است")
            else:
                letter_id = letter[0]

    action = DEADLINE_ACTION if deadline is not None else (REFERRAL_ACTION if letter_text else "")
    findings = tuple(FindingInput(body, action=action, deadline=deadline) for body in bodies)
    names = tuple(
        n for n in (text.clean(p) for p in _NAMES_SPLIT.split(cell_text(get["inspectors"](values)))) if n
    )
    data = VisitInput(
        centre_id=centre_id,
        on=on,  # type: ignore[arg-type]  # None: the rules say it is missing
        at=_time_cell(get["time"](values)),
        announced=announced,  # type: ignore[arg-type]  # None: the rules say the kind is missing
        inspectors=names,
        result_override=result_text or None,
        correction_deadline=deadline,
        score=score,
        notes=cell_text(get["notes"](values)),
        findings=findings,
    )
    return data, letter_id, errors


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    today = date.today()
    with uow:
        t = Centre.__table__.c  # every county's codes: another county's centre is named as such
        centres = {
            code: (cid, county_id)
            for cid, code, county_id in uow.s.execute(select(t.id, t.code, t.county_id))
        }
        county_names = dict(uow.s.execute(select(County.__table__.c.id, County.__table__.c.name)).all())
        get = {c.key: column_getter(table, c.key) for c in COLUMNS}
        county_refused = county_guard(uow)
        letters = _Letters(uow)
        seen: dict[tuple[str, datetime], int] = {}

        def check(number: int, values: tuple) -> tuple[_Row | None, list[RowError]]:
            data, letter_id, errors = _read(
                number, values, get, centres, county_names, county_refused, letters
            )
            checked = None
            if not errors:
                try:
                    checked = validate_visit(uow, data, today)
                except ValidationError:
                    pass
            if checked is None:
                broken = visit_errors(uow, data, today)
                errors = with_rule_errors(number, errors, broken, _FIELD_HEADERS, H_CENTRE)
                return None, errors
            ident = (checked.centre_id, checked.inspected_at)
            if ident in seen:
                return None, [
                    RowError(
                        number,
                        H_CENTRE,
                        "بازدید همین مرکز در همین تاریخ و ساعت در ردیف "
                        f"{text.to_persian_digits(seen[ident])} همین پرونده هم آمده است",
                    )
                ]
            seen[ident] = number
            stored_id = find_visit(uow, checked.centre_id, checked.inspected_at)
            if stored_id is not None:
                stored = uow.s.get(Inspection, stored_id)
                if stored is not None and (
                    stored.announced != checked.announced
                    or stored.result != checked.result
                    or stored.score != checked.score
                ):
                    return None, [
                        RowError(
                            number,
                            H_RESULT,
                            "بازدید همین مرکز در همین تاریخ و ساعت پیش‌تر با نوع، نتیجه یا امتیاز دیگری "
                            "ثبت شده است؛ اصلاح آن را به صورت یادداشت در برنامه ثبت کنید",
                        )
                    ]
                report.unchanged += 1
                return None, []
            return _Row(checked, letter_id), []

        good, bad = read_rows(table, report, check, opts.progress, _PROGRESS_EVERY)
        return finish_import(uow, report, opts, good, bad, lambda rows: _insert(uow, rows))


def _insert(uow: UnitOfWork, good: list[_Row]) -> None:
    """Through the session, so each visit, finding and action gets its audit entry."""
    moment = audit.now_utc()
    base = {"updated_at": moment, "row_version": 1}
    visits, findings, actions = [], [], []
    for row in good:
        checked = row.visit
        visit_id = new_id()
        visits.append({**checked.columns(), **base, "id": visit_id, "created_at": moment, "state": "closed"})
        for n, given in enumerate(checked.findings):
            finding_id = new_id()
            findings.append(
                {
                    **base,
                    "id": finding_id,
                    "created_at": moment + timedelta(microseconds=n),  # keeps the sheet's order
                    "inspection_id": visit_id,
                    "item_id": None,
                    "text": given.text,
                    "severity": given.severity,
                }
            )
            if given.action:
                actions.append(
                    {
                        **base,
                        "id": new_id(),
                        "created_at": moment,
                        "finding_id": finding_id,
                        "action": given.action,
                        "deadline": given.deadline or checked.correction_deadline,
                        "done_on": None,
                        "verified_by_id": None,
                        "referral_letter_id": row.letter_id,
                    }
                )
    uow.s.execute(insert(Inspection.__table__), visits)
    if findings:
        uow.s.execute(insert(Finding.__table__), findings)
    if actions:
        uow.s.execute(insert(CorrectiveAction.__table__), actions)


# --- export -------------------------------------------------------------------------------------


def _findings_text(bodies: list[str]) -> str:
    """The findings joined by «؛ » (a «؛» inside one becomes «،», so it re-imports as one finding)."""
    return FINDINGS_SEPARATOR.join(_FINDINGS_SPLIT.sub("،", body) for body in bodies)


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    """Every visit in the actor's scope (matching ``flt`` when it is a VisitFilter, as the visits list
    shows them), oldest first, a page at a time (the large demo keeps a million)."""
    conditions = filter_conditions(flt) if isinstance(flt, VisitFilter) else []
    after: tuple[datetime, str] | None = None
    while True:
        with uow:
            stmt = (
                select(Inspection, Centre.code)
                .join(Centre, Centre.id == Inspection.centre_id)
                .where(*conditions)
                .order_by(Inspection.inspected_at, Inspection.id)
                .limit(_EXPORT_PAGE)
            )
            if after is not None:
                at, last_id = after
                stmt = stmt.where(
                    or_(
                        Inspection.inspected_at > at,
                        and_(Inspection.inspected_at == at, Inspection.id > last_id),
                    )
                )
            page = uow.s.execute(stmt).all()
            if not page:
                return
            ids = [visit.id for visit, _ in page]
            bodies: dict[str, list[str]] = {}
            for visit_id, body in uow.s.execute(
                select(Finding.inspection_id, Finding.text)
                .where(Finding.inspection_id.in_(ids))  # type: ignore[attr-defined]
                .order_by(Finding.created_at, Finding.id)
            ):
                bodies.setdefault(visit_id, []).append(body)
            referrals: dict[str, str] = {}
            for visit_id, number in uow.s.execute(
                select(Finding.inspection_id, Letter.number)
                .join(CorrectiveAction, CorrectiveAction.finding_id == Finding.id)
                .join(Letter, Letter.id == CorrectiveAction.referral_letter_id)
                .where(Finding.inspection_id.in_(ids))  # type: ignore[attr-defined]
                .order_by(Letter.dated_on, Letter.number)
            ):
                referrals.setdefault(visit_id, number)
            rows = [
                (
                    code,
                    format_jalali(v.inspected_on),
                    "" if v.inspected_at.time() == time(0, 0) else v.inspected_at.strftime("%H:%M"),
                    VISIT_KIND_LABELS[bool(v.announced)],
                    v.inspectors,
                    RESULT_LABELS.get(v.result, v.result),
                    v.score,
                    _findings_text(bodies.get(v.id, [])),
                    format_jalali(v.correction_deadline),
                    referrals.get(v.id, ""),
                    v.notes,
                )
                for v, code in page
            ]
            last = page[-1][0]
            after = (last.inspected_at, last.id)
        yield from rows
        if len(page) < _EXPORT_PAGE:
            return


KIND = TransferKind(
    name="inspections",
    title="بازدیدها",
    unit="بازدید",
    table="inspection",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
