"""The «پروانه‌ها» sheet: an NGO's licence history, one step a row, applied through the lifecycle.

Rows are checked cell by cell first; then, inside one transaction, each row goes through
``apply_licence_step(..., imported=True)`` so the lifecycle's rules (and the actor's permissions and
county) hold for imports too, and each step is audited by the unit of work. A step
already stored (same NGO, action, date and licence/letter number) is skipped, so a file imported
twice adds nothing the second time.

A step's letter number is its own ``letter_no``, or else the number of the outgoing letter filed for it
(``letter.licence_step_id``): a sanction recorded with its letter but without the number on the step (the
demo's, or an older desk's) exports that number, so the sheet re-imports into the same desk (the step is
known) and into a fresh one (the sanction has the letter number the rules require).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ostandari_desk.domain import ids, jalali, text
from ostandari_desk.domain.lifecycle import StepKind
from ostandari_desk.errors import DatabaseUnavailableError, UserError, ValidationError
from ostandari_desk.services.transfer.base import ImportOptions, TransferKind, audit_batch, read_rows
from ostandari_desk.services.transfer.sheets import (
    Column,
    ImportReport,
    RowError,
    Table,
    cell_date,
    cell_digits,
    cell_text,
)
from ostandari_desk.store.models import Letter, Licence, LicenceStep, Ngo
from ostandari_desk.store.uow import UnitOfWork

H_NATIONAL_ID = "شناسه ملی سمن"
H_ACTION = "اقدام"
H_DATE = "تاریخ"
H_LICENCE_NO = "شماره پروانه"
H_EXPIRES = "تاریخ انقضا"
H_LETTER_NO = "شماره نامه"
H_NOTE = "توضیحات"

COLUMNS = (
    Column(H_NATIONAL_ID, "national_id", True, max_length=40),
    Column(H_ACTION, "action", True, max_length=100),
    Column(H_DATE, "on_date", True, max_length=40),
    Column(H_LICENCE_NO, "licence_number", max_length=60),
    Column(H_EXPIRES, "expires_on", max_length=40),
    Column(H_LETTER_NO, "letter_no", max_length=60),
    Column(H_NOTE, "note", max_length=2000),
)

# The sheet's words for the steps it carries (IMPORT_TEMPLATES.md), in the lifecycle's order.
ACTION_LABELS: dict[StepKind, str] = {
    StepKind.APPROVAL: "موافقت با تأسیس",
    StepKind.ISSUE: "صدور پروانه",
    StepKind.RENEWAL: "تمدید پروانه",
    StepKind.SUSPENSION: "تعلیق",
    StepKind.LIFTING: "رفع تعلیق",
    StepKind.REVOCATION: "لغو",
}
_ACTIONS = {text.normalize(label): kind for kind, label in ACTION_LABELS.items()}
_NEEDS_LICENCE = (StepKind.ISSUE, StepKind.RENEWAL)
_NEEDS_LETTER = (StepKind.SUSPENSION, StepKind.REVOCATION)
_FIELD_HEADERS = {
    "on_date": H_DATE,
    "licence_number": H_LICENCE_NO,
    "expires_on": H_EXPIRES,
    "letter_no": H_LETTER_NO,
    "kind": H_ACTION,
}
_PROGRESS_EVERY = 1000


def _apply_licence_step():
    """C2's low-level step (imported late: the licences package is the services layer's, not ours)."""
    try:
        from ostandari_desk.services.licences import apply_licence_step
    except ImportError:  # the package's __init__ may not re-export it
        from ostandari_desk.services.licences.steps import apply_licence_step
    return apply_licence_step


def _letter_number() -> Any:
    """A step's letter number as SQL: its own ``letter_no``, else its filed letter's number (or "")."""
    filed = (
        select(func.min(Letter.number))
        .where(Letter.licence_step_id == LicenceStep.id)
        .correlate(LicenceStep)
        .scalar_subquery()
    )
    return func.coalesce(func.nullif(LicenceStep.letter_no, ""), filed, "")


def _ident(kind: str, licence_number: str | None, letter_no: str | None) -> str:
    """What tells two steps of one kind on one day apart: the licence number or the letter number."""
    value = licence_number if kind in _NEEDS_LICENCE else letter_no
    return text.normalize(value or "")


def _parse(number: int, values: tuple, get: dict[str, Any]) -> tuple[dict[str, Any] | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    def cell(key: str) -> Any:
        index = get.get(key)
        return values[index] if index is not None and index < len(values) else None

    nid = cell_digits(cell("national_id"))
    if not nid:
        fail(H_NATIONAL_ID, "شناسه ملی سمن وارد نشده است")
    elif not ids.is_valid_legal_national_id(nid):
        try:
            ids.validate_legal_national_id(nid)
        except ValidationError as exc:
            fail(H_NATIONAL_ID, exc.message)
    action_text = cell_text(cell("action"))
    kind = _ACTIONS.get(text.normalize(action_text))
    if kind is None:
        if action_text:
            allowed = "، ".join(ACTION_LABELS.values())
            fail(H_ACTION, f"اقدام «{action_text}» شناخته نیست؛ یکی از: {allowed}")
        else:
            fail(H_ACTION, "اقدام وارد نشده است")
    on_date: date | None = None
    try:
        on_date = cell_date(cell("on_date"))
        if on_date is None:
            fail(H_DATE, "تاریخ وارد نشده است")
    except ValidationError as exc:
        fail(H_DATE, exc.message)
    licence_number = text.digits_to_latin(cell_text(cell("licence_number")))
    expires_on: date | None = None
    try:
        expires_on = cell_date(cell("expires_on"))
    except ValidationError as exc:
        fail(H_EXPIRES, exc.message)
    letter_no = text.digits_to_latin(cell_text(cell("letter_no")))
    note = cell_text(cell("note"))
    if kind in _NEEDS_LICENCE:
        if not licence_number:
            fail(H_LICENCE_NO, f"برای «{ACTION_LABELS[kind]}» شماره پروانه لازم است")
        if expires_on is None and not any(e.column == H_EXPIRES for e in errors):
            fail(H_EXPIRES, f"برای «{ACTION_LABELS[kind]}» تاریخ انقضا لازم است")
        elif expires_on is not None and on_date is not None and expires_on <= on_date:
            fail(H_EXPIRES, "تاریخ انقضا باید پس از «تاریخ» باشد")
    if kind in _NEEDS_LETTER and not letter_no:
        fail(H_LETTER_NO, f"برای «{ACTION_LABELS[kind]}» شماره نامه لازم است")
    if errors:
        return None, errors
    return {
        "national_id": nid,
        "kind": kind,
        "on_date": on_date,
        "licence_number": licence_number,
        "expires_on": expires_on if kind in _NEEDS_LICENCE else None,
        "letter_no": letter_no,
        "note": note,
    }, errors


class _TakeBack(Exception):
    """Raised inside the import's savepoint to undo a trial run or a refused file."""


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    def check(number: int, values: tuple) -> tuple[tuple | None, list[RowError]]:
        row, errors = _parse(number, values, table.positions)
        return (None if row is None else (number, values, row)), errors

    parsed, bad = read_rows(table, report, check)
    with uow:
        try:
            # the steps go through the session; a savepoint takes them (and their audit) back on a
            # trial run or a refused file, also inside a caller's open unit of work
            with uow.savepoint():
                _apply_rows(uow, parsed, bad, report, opts)
                if opts.dry_run or (report.errors and not opts.skip_bad):
                    raise _TakeBack
        except _TakeBack:
            if not opts.dry_run:
                report.added = 0
            return bad
        audit_batch(uow, opts, report)
        uow.commit()
        report.stored = True
        return bad


def _known_steps(uow: UnitOfWork, ngo_ids: set[str]) -> set[tuple[str, str, date, str]]:
    """(NGO, kind, date, licence/letter number) of the steps the NGOs already have."""
    known: set[tuple[str, str, date, str]] = set()
    if not ngo_ids:
        return known
    stmt = (
        select(LicenceStep.ngo_id, LicenceStep.kind, LicenceStep.on_date, _letter_number(), Licence.number)
        .outerjoin(Licence, Licence.id == LicenceStep.licence_id)
        .where(LicenceStep.ngo_id.in_(ngo_ids))
    )
    for ngo_id, kind, on_date, letter_no, number in uow.s.execute(stmt):
        known.add((ngo_id, kind, on_date, _ident(kind, number, letter_no)))
    return known


def _apply_rows(
    uow: UnitOfWork, parsed: list[tuple], bad: dict[int, tuple], report: ImportReport, opts: ImportOptions
) -> None:
    """Apply each parsed row's step in sheet order; a refused row becomes a row error."""
    apply_step = _apply_licence_step()
    total = report.rows_read
    ngo_ids = dict(uow.s.execute(select(Ngo.national_id, Ngo.id)).all())  # within the actor's scope
    where = " در شهرستان شما" if uow.county_scope is not None else ""
    known = _known_steps(
        uow, {ngo_ids[r["national_id"]] for _n, _v, r in parsed if r["national_id"] in ngo_ids}
    )
    for done, (number, values, row) in enumerate(parsed, start=1):
        if opts.progress is not None and done % _PROGRESS_EVERY == 0:
            opts.progress(done, total)
        ngo_id = ngo_ids.get(row["national_id"])
        if ngo_id is None:
            nid = text.to_persian_digits(row["national_id"])
            reason = f"سمنی با شناسه ملی {nid}{where} ثبت نشده است؛ نخست پرونده سمن‌ها را وارد کنید"
            report.errors.append(RowError(number, H_NATIONAL_ID, reason))
            bad[number] = values
            continue
        kind: StepKind = row["kind"]
        key = (ngo_id, kind.value, row["on_date"], _ident(kind, row["licence_number"], row["letter_no"]))
        if key in known:
            report.unchanged += 1
            continue
        try:
            # apply_licence_step checks everything (the actor's permission and county included)
            # before it changes anything, so a refused row leaves the session as it was.
            apply_step(
                uow,
                ngo_id,
                kind,
                row["on_date"],
                licence_number=row["licence_number"] or None,
                expires_on=row["expires_on"],
                letter_no=row["letter_no"],
                note=row["note"],
                imported=True,
            )
        except DatabaseUnavailableError:
            raise  # not the row's fault: the whole import stops
        except UserError as exc:
            header = _FIELD_HEADERS.get(exc.field or "", H_ACTION)
            report.errors.append(RowError(number, header, exc.message))
            bad[number] = values
            continue
        known.add(key)
        report.added += 1
    if opts.progress is not None:
        opts.progress(total, total)


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    kinds = [k.value for k in ACTION_LABELS]
    with uow:
        stmt = (
            select(
                Ngo.national_id,
                LicenceStep.kind,
                LicenceStep.on_date,
                _letter_number(),
                LicenceStep.note,
                Licence.number,
                Licence.expires_on,
            )
            .join(Ngo, Ngo.id == LicenceStep.ngo_id)
            .outerjoin(Licence, Licence.id == LicenceStep.licence_id)
            .where(LicenceStep.kind.in_(kinds))
            .order_by(Ngo.name_sort, Ngo.national_id, LicenceStep.on_date, LicenceStep.created_at)
        )
        if flt is not None and getattr(flt, "county_id", None):
            stmt = stmt.where(Ngo.county_id == flt.county_id)
        rows = uow.s.execute(stmt).all()
    for nid, kind, on_date, letter_no, note, number, expires_on in rows:
        step = StepKind(kind)
        issuing = step in _NEEDS_LICENCE
        yield (
            nid,
            ACTION_LABELS[step],
            jalali.format_jalali(on_date),
            (number or "") if issuing else "",
            jalali.format_jalali(expires_on) if issuing else "",
            letter_no,
            note,
        )


KIND = TransferKind(
    name="licences",
    title="پروانه‌ها",
    unit="اقدام",
    table="licencestep",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
