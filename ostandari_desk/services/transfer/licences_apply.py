"""Importing the «پروانه‌ها» sheet: every row's cells checked, then the rows applied in the sheet's order.

Each row is the step a clerk would take in the program, taken through the same service (``licences_steps``),
so the lifecycle's rules, the actor's permissions and county hold for imports as they do on screen. Rows one
service call takes together are grouped: the same day's inquiries of one NGO (one «ارسال استعلام» step, as
the case page sends them), and a manager's override with the approval on the row after it.

Each row (or group) runs in a savepoint: a refused row leaves nothing behind, and the NGO's later rows are
refused with it (its history would be out of order), naming that row. A row already stored (the same
request, inquiry, answer, decision, licence or letter on the same day) is skipped, so a file imported twice
adds nothing. The whole file runs inside one more savepoint, taken back on a trial run or a refused file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.domain.lifecycle import Agency, CaseType, StepKind
from ostandari_desk.errors import DatabaseUnavailableError, UserError
from ostandari_desk.services import reference
from ostandari_desk.services.transfer.base import ImportOptions, audit_batch, read_rows
from ostandari_desk.services.transfer.licences_export import letter_number
from ostandari_desk.services.transfer.licences_sheet import (
    H_ACTION,
    H_AGENCY,
    H_BASIS,
    H_CASE_TYPE,
    H_DATE,
    H_EXPIRES,
    H_LETTER_NO,
    H_LICENCE_NO,
    H_MEETING,
    H_NATIONAL_ID,
    H_NOTE,
    H_RESULT,
    ISSUING,
    LADDER,
    Row,
    parse_row,
)
from ostandari_desk.services.transfer.licences_steps import RowRefused, apply_rows
from ostandari_desk.services.transfer.sheets import ImportReport, RowError, Table, cell_digits
from ostandari_desk.store.models import Inquiry, Licence, LicenceCase, LicenceStep, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["import_rows"]

_PROGRESS_EVERY = 500
_KINDS = frozenset(kind.value for kind in StepKind)
# A service's field -> the sheet's column its error belongs to.
_FIELD_HEADERS = {
    "on_date": H_DATE,
    "on": H_DATE,
    "received_on": H_DATE,
    "case_type": H_CASE_TYPE,
    "agencies": H_AGENCY,
    "answer": H_RESULT,
    "meeting_on": H_MEETING,
    "legal_basis": H_BASIS,
    "licence_number": H_LICENCE_NO,
    "expires_on": H_EXPIRES,
    "validity_years": H_EXPIRES,
    "letter_no": H_LETTER_NO,
    "reason": H_NOTE,
    "override_reason": H_ACTION,  # an unfavourable answer not overridden: the decision itself
    "kind": H_ACTION,
}


class _TakeBack(Exception):
    """Raised inside the import's savepoint to undo a trial run or a refused file."""


def _ident(kind: StepKind | str, licence_number: str | None, letter_no: str | None) -> str:
    """What tells two steps of one kind on one day apart: the licence number or the letter number."""
    kind = StepKind(kind)
    if kind in ISSUING:
        return text.normalize(text.digits_to_latin(licence_number or ""))
    if kind in (*LADDER, StepKind.LIFTING):
        return text.normalize(text.digits_to_latin(letter_no or ""))
    return ""


@dataclass
class _Known:
    """What the NGOs of the file already have, to skip rows stored before (and rows of this file applied)."""

    steps: set[tuple] = field(default_factory=set)  # (ngo, kind, date, ident)
    cases: set[tuple] = field(default_factory=set)  # (ngo, case type, received on)
    sent: set[tuple] = field(default_factory=set)  # (ngo, agency, sent on)
    answered: set[tuple] = field(default_factory=set)  # (ngo, agency, answered on)
    started: set[str] = field(default_factory=set)  # NGOs with any licence history

    def _key(self, ngo_id: str, row: Row) -> tuple[set[tuple], tuple]:
        if row.kind == StepKind.REQUEST:
            return self.cases, (ngo_id, row.case_type, row.on_date)
        if row.kind == StepKind.INQUIRY_SENT:
            return self.sent, (ngo_id, row.agency, row.on_date)
        if row.kind == StepKind.INQUIRY_ANSWERED:
            return self.answered, (ngo_id, row.agency, row.on_date)
        return self.steps, (
            ngo_id,
            row.kind,
            row.on_date,
            _ident(row.kind, row.licence_number, row.letter_no),
        )

    def has(self, ngo_id: str, row: Row) -> bool:
        where, key = self._key(ngo_id, row)
        return key in where

    def add(self, ngo_id: str, row: Row) -> None:
        where, key = self._key(ngo_id, row)
        where.add(key)
        self.started.add(ngo_id)


def _known(uow: UnitOfWork, ngo_ids: set[str]) -> _Known:
    """The stored licence history of ``ngo_ids`` (read 500 NGOs a statement)."""
    known = _Known()
    wanted = sorted(ngo_ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        numbers = dict(
            uow.s.execute(select(Licence.id, Licence.number).where(Licence.ngo_id.in_(chunk))).all()
        )
        steps = select(
            LicenceStep.ngo_id, LicenceStep.kind, LicenceStep.on_date, letter_number(), LicenceStep.licence_id
        ).where(LicenceStep.ngo_id.in_(chunk))
        for ngo_id, kind, on_date, letter_no, licence_id in uow.s.execute(steps):
            known.started.add(ngo_id)
            if kind in _KINDS:  # a kind this version does not know is never a sheet's row
                known.steps.add(
                    (ngo_id, StepKind(kind), on_date, _ident(kind, numbers.get(licence_id), letter_no))
                )
        cases = select(LicenceCase.id, LicenceCase.ngo_id, LicenceCase.case_type, LicenceCase.received_on)
        case_ngo: dict[str, str] = {}
        for case_id, ngo_id, case_type, received_on in uow.s.execute(
            cases.where(LicenceCase.ngo_id.in_(chunk))
        ):
            known.started.add(ngo_id)
            known.cases.add((ngo_id, CaseType(case_type), received_on))
            case_ngo[case_id] = ngo_id
        inquiries = (
            select(Inquiry.case_id, Inquiry.agency, Inquiry.sent_on, Inquiry.answered_on)
            .join(LicenceCase, LicenceCase.id == Inquiry.case_id)
            .where(LicenceCase.ngo_id.in_(chunk))
        )
        for case_id, agency, sent_on, answered_on in uow.s.execute(inquiries):
            ngo_id = case_ngo[case_id]
            known.sent.add((ngo_id, Agency(agency), sent_on))
            if answered_on is not None:
                known.answered.add((ngo_id, Agency(agency), answered_on))
    return known


def _together(unit: list[Row], row: Row) -> bool:
    """Whether ``row`` joins the group ``unit`` (see the module docstring)."""
    last = unit[-1]
    if (last.national_id, last.on_date) != (row.national_id, row.on_date):
        return False
    inquiries = row.kind == last.kind == StepKind.INQUIRY_SENT
    override = len(unit) == 1 and last.kind == StepKind.INQUIRY_OVERRIDE and row.kind == StepKind.APPROVAL
    return inquiries or override


def _units(rows: list[Row]) -> list[list[Row]]:
    """The rows in the order they are applied, grouped where one service call takes several."""
    units: list[list[Row]] = []
    for row in rows:
        if units and _together(units[-1], row):
            units[-1].append(row)
        else:
            units.append([row])
    return units


def import_rows(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    """The sheet's importer (TransferKind.importer): check every row's cells, then apply them in order."""
    with uow.writing():  # a trial run writes too (then takes it back): the write lock first, as a writer
        listed = reference.list_items(uow, "legal_basis", include_inactive=True)
        bases = {text.normalize(item.name): item.name for item in listed}
        unread: dict[str, int] = {}  # national ID -> the first row of it whose cells could not be read
        index = table.positions.get("national_id")

        def check(number: int, values: tuple) -> tuple[Row | None, list[RowError]]:
            row, errors = parse_row(number, values, table.positions, bases)
            if errors and index is not None and index < len(values) and cell_digits(values[index]):
                unread.setdefault(cell_digits(values[index]), number)
            return row, errors

        parsed, bad = read_rows(table, report, check)
        try:
            # a savepoint takes the steps (and their audit) back on a trial run or a refused file, also
            # inside a caller's open unit of work
            with uow.savepoint():
                _Applier(uow, report, bad, opts, unread).run(parsed)
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


class _Applier:
    """Applies the parsed rows of one sheet, in order (see the module docstring)."""

    def __init__(
        self,
        uow: UnitOfWork,
        report: ImportReport,
        bad: dict[int, tuple],
        opts: ImportOptions,
        unread: dict[str, int],
    ):
        self.uow, self.report, self.bad, self.opts = uow, report, bad, opts
        self.unread = unread  # national ID -> the first row of it whose cells could not be read
        self.refused: dict[str, int] = {}  # NGO id -> the first row of it refused
        self.known = _Known()

    def run(self, rows: list[Row]) -> None:
        uow = self.uow
        ngo_ids = dict(uow.s.execute(select(Ngo.national_id, Ngo.id)).all())  # the actor's scope only
        self.known = _known(uow, {ngo_ids[r.national_id] for r in rows if r.national_id in ngo_ids})
        where = " در شهرستان شما" if uow.county_scope is not None else ""
        total, done = self.report.rows_read, 0
        for unit in _units(rows):
            done += len(unit)
            if self.opts.progress is not None and done % _PROGRESS_EVERY < len(unit):
                self.opts.progress(done, total)
            first = unit[0]
            ngo_id = ngo_ids.get(first.national_id)
            if ngo_id is None:
                missing = f"سمنی با شناسه ملی {text.to_persian_digits(first.national_id)}{where} ثبت نشده است"
                self._fail(unit, H_NATIONAL_ID, f"{missing}؛ نخست پرونده سمن‌ها را وارد کنید")
                continue
            earlier = self.unread.get(first.national_id)
            if earlier is not None and earlier < first.number:
                self.refused.setdefault(ngo_id, earlier)
            if ngo_id in self.refused:
                shown = text.to_persian_digits(self.refused[ngo_id])
                self._fail(
                    unit, H_ACTION, f"ردیف {shown} همین سمن پذیرفته نشد؛ سابقه پس از آن به ترتیب ثبت نمی‌شود"
                )
                continue
            self._apply(ngo_id, unit)
        if self.opts.progress is not None:
            self.opts.progress(total, total)

    def _apply(self, ngo_id: str, unit: list[Row]) -> None:
        fresh = [row for row in unit if not self.known.has(ngo_id, row)]
        self.report.unchanged += len(unit) - len(fresh)
        if not fresh:
            return
        try:
            with self.uow.savepoint():  # a refused row leaves nothing behind
                apply_rows(self.uow, ngo_id, fresh, ngo_id in self.known.started)
        except DatabaseUnavailableError:
            raise  # not the row's fault: the whole import stops
        except RowRefused as exc:
            self._fail(fresh, exc.header, exc.message, ngo_id)
            return
        except UserError as exc:
            self._fail(
                fresh, _FIELD_HEADERS.get(getattr(exc, "field", None) or "", H_ACTION), exc.message, ngo_id
            )
            return
        for row in fresh:
            self.known.add(ngo_id, row)
        self.report.added += len(fresh)

    def _fail(self, rows: Iterable[Row], header: str, reason: str, ngo_id: str | None = None) -> None:
        for row in rows:
            self.report.errors.append(RowError(row.number, header, reason))
            self.bad[row.number] = row.values
            if ngo_id is not None:
                self.refused.setdefault(ngo_id, row.number)
