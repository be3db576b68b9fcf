"""Applying the «پروانه‌ها» sheet: each row goes through the licence services, in the sheet's order.

A row is the step a clerk would take in the program, taken through the same service: ``open_case`` for a
request, ``check_documents``, ``send_inquiries`` (the same day's inquiries of one NGO in one call, as the
case page sends them), ``answer_inquiry``, ``decide_case`` (with a manager's override of an unfavourable
answer when the row before it is «عدول از پاسخ منفی استعلام»), ``complete_case`` for the issue, renewal,
upgrade or conformity that ends an approved case, ``withdraw_case``, ``impose_sanction`` for each rung of
the sanctions ladder (its letter filed as a punitive one) and ``lift_suspension``. So the lifecycle's rules,
the actor's permissions and county hold for imports as they do on screen, and a breach is the row's error in
the service's own words (an approval with unanswered inquiries, an answer to an inquiry never sent, …).

The exception for history kept before the desk (IMPORT_TEMPLATES.md): an NGO's first imported step may be a
council decision (its case is made with it, received that day) or the issue of a licence or credential; and
a renewal, upgrade or conformity of a valid licence with no case open is recorded as a step of its own. A
licence issued on a case that began with its decision (so made by that exception) does not ask for the four
inquiries the case's unknown history held.

Each row (or group of rows) runs in a savepoint: a refused row leaves nothing behind, and the later rows of
that NGO are refused with it (its history would be out of order). A row already stored (the same request,
inquiry, answer, decision, licence or letter on the same day) is skipped, so a file imported twice adds
nothing. The whole file runs inside one more savepoint, taken back on a trial run or a refused file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.domain.lifecycle import (
    AGENCY_LABELS,
    CASE_TYPE_LABELS,
    LICENCE_STATE_LABELS,
    CaseState,
    CaseType,
    LicenceState,
    StepKind,
    allowed_case_types,
    approval_refusal,
)
from ostandari_desk.errors import DatabaseUnavailableError, TransitionError, UserError
from ostandari_desk.services import licences as lic
from ostandari_desk.services import reference
from ostandari_desk.services.audit import now_utc, stamps
from ostandari_desk.services.licences.cases import (
    case_inquiries,
    find_open_case,
    next_tracking_no,
    standing_of,
)
from ostandari_desk.services.licences.steps import close_case, load_ngo
from ostandari_desk.services.transfer.base import ImportOptions, audit_batch, read_rows
from ostandari_desk.services.transfer.licences import (
    CREDENTIAL,
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
    action_label,
    parse_row,
)
from ostandari_desk.services.transfer.sheets import ImportReport, RowError, Table
from ostandari_desk.store.models import Inquiry, LicenceCase, LicenceStep, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["import_rows"]

_PROGRESS_EVERY = 500
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
    "override_reason": H_NOTE,
    "kind": H_ACTION,
}
# The steps that end an approved case, and the case type each ends.
_COMPLETES = {
    StepKind.ISSUE: CaseType.ESTABLISHMENT,
    StepKind.RENEWAL: CaseType.RENEWAL,
    StepKind.UPGRADE: CaseType.UPGRADE,
    StepKind.CONFORMITY: CaseType.CONFORMITY,
    **({CREDENTIAL: CaseType.ESTABLISHMENT} if CREDENTIAL is not None else {}),
}
_FIRST_ISSUES = (StepKind.ISSUE, *((CREDENTIAL,) if CREDENTIAL is not None else ()))


class _TakeBack(Exception):
    """Raised inside the import's savepoint to undo a trial run or a refused file."""


class _Refused(UserError):
    """A row the sheet's own rules refuse (before any service is asked)."""

    def __init__(self, message: str, header: str = H_ACTION):
        super().__init__(message)
        self.header = header


fa = text.to_persian_digits


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

    def has(self, ngo_id: str, row: Row) -> bool:
        if row.kind == StepKind.REQUEST:
            return (ngo_id, row.case_type, row.on_date) in self.cases
        if row.kind == StepKind.INQUIRY_SENT:
            return (ngo_id, row.agency, row.on_date) in self.sent
        if row.kind == StepKind.INQUIRY_ANSWERED:
            return (ngo_id, row.agency, row.on_date) in self.answered
        return (
            ngo_id,
            row.kind,
            row.on_date,
            _ident(row.kind, row.licence_number, row.letter_no),
        ) in self.steps

    def add(self, ngo_id: str, row: Row) -> None:
        self.started.add(ngo_id)
        if row.kind == StepKind.REQUEST:
            self.cases.add((ngo_id, row.case_type, row.on_date))
        elif row.kind == StepKind.INQUIRY_SENT:
            self.sent.add((ngo_id, row.agency, row.on_date))
        elif row.kind == StepKind.INQUIRY_ANSWERED:
            self.answered.add((ngo_id, row.agency, row.on_date))
        else:
            self.steps.add(
                (ngo_id, row.kind, row.on_date, _ident(row.kind, row.licence_number, row.letter_no))
            )


def _known(uow: UnitOfWork, ngo_ids: set[str]) -> _Known:
    from ostandari_desk.services.transfer.licences_export import letter_number

    known = _Known()
    if not ngo_ids:
        return known
    wanted = sorted(ngo_ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        steps = (
            select(LicenceStep.ngo_id, LicenceStep.kind, LicenceStep.on_date, letter_number(), LicenceStep.licence_id)
            .where(LicenceStep.ngo_id.in_(chunk))
        )  # fmt: skip
        licence_numbers = _licence_numbers(uow, chunk)
        for ngo_id, kind, on_date, letter_no, licence_id in uow.s.execute(steps):
            known.started.add(ngo_id)
            try:
                ident = _ident(kind, licence_numbers.get(licence_id), letter_no)
            except ValueError:  # a step kind this version does not know: never a sheet's row
                continue
            known.steps.add((ngo_id, StepKind(kind), on_date, ident))
        cases = select(LicenceCase.id, LicenceCase.ngo_id, LicenceCase.case_type, LicenceCase.received_on)
        case_ngo: dict[str, str] = {}
        for case_id, ngo_id, case_type, received_on in uow.s.execute(
            cases.where(LicenceCase.ngo_id.in_(chunk))
        ):
            known.started.add(ngo_id)
            known.cases.add((ngo_id, CaseType(case_type), received_on))
            case_ngo[case_id] = ngo_id
        inquiries = select(Inquiry.case_id, Inquiry.agency, Inquiry.sent_on, Inquiry.answered_on).join(
            LicenceCase, LicenceCase.id == Inquiry.case_id
        )
        for case_id, agency, sent_on, answered_on in uow.s.execute(
            inquiries.where(LicenceCase.ngo_id.in_(chunk))
        ):
            ngo_id = case_ngo[case_id]
            known.sent.add((ngo_id, _agency(agency), sent_on))
            if answered_on is not None:
                known.answered.add((ngo_id, _agency(agency), answered_on))
    return known


def _agency(value: str) -> Any:
    from ostandari_desk.domain.lifecycle import Agency

    return Agency(value)


def _licence_numbers(uow: UnitOfWork, ngo_ids: list[str]) -> dict[str, str]:
    from ostandari_desk.store.models import Licence

    stmt = select(Licence.id, Licence.number).where(Licence.ngo_id.in_(ngo_ids))
    return dict(uow.s.execute(stmt).all())


def _units(rows: list[Row]) -> list[list[Row]]:
    """The rows in the order they are applied, grouped where one service call takes several: the same day's
    inquiries of one NGO (one «ارسال استعلام» step, as the case page sends them), and a manager's override
    with the approval on the row after it."""
    units: list[list[Row]] = []
    for row in rows:
        last = units[-1] if units else None
        if (
            last is not None
            and row.kind == StepKind.INQUIRY_SENT
            and last[-1].kind == StepKind.INQUIRY_SENT
            and (last[-1].national_id, last[-1].on_date) == (row.national_id, row.on_date)
        ) or (
            last is not None
            and len(last) == 1
            and last[0].kind == StepKind.INQUIRY_OVERRIDE
            and row.kind == StepKind.APPROVAL
            and (last[0].national_id, last[0].on_date) == (row.national_id, row.on_date)
        ):
            last.append(row)
        else:
            units.append([row])
    return units


def import_rows(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    """The sheet's importer (TransferKind.importer): check every row's cells, then apply them in order."""
    with uow.writing():  # a trial run writes too (then takes it back): the write lock first, as a writer
        bases = {
            text.normalize(item.name): item.name for item in reference.list_items(uow, "legal_basis", True)
        }

        def check(number: int, values: tuple) -> tuple[Row | None, list[RowError]]:
            return parse_row(number, values, table.positions, bases)

        parsed, bad = read_rows(table, report, check)
        try:
            # a savepoint takes the steps (and their audit) back on a trial run or a refused file, also
            # inside a caller's open unit of work
            with uow.savepoint():
                _Applier(uow, report, bad, opts).run(parsed)
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
    """Applies the parsed rows of one sheet (see the module docstring)."""

    def __init__(self, uow: UnitOfWork, report: ImportReport, bad: dict[int, tuple], opts: ImportOptions):
        self.uow, self.report, self.bad, self.opts = uow, report, bad, opts
        self.refused: dict[str, int] = {}  # NGO id -> the first row of it refused
        self.ngo_ids: dict[str, str] = {}
        self.known = _Known()

    def run(self, rows: list[Row]) -> None:
        uow = self.uow
        self.ngo_ids = dict(uow.s.execute(select(Ngo.national_id, Ngo.id)).all())  # the actor's scope only
        self.known = _known(uow, {self.ngo_ids[r.national_id] for r in rows if r.national_id in self.ngo_ids})
        where = " در شهرستان شما" if uow.county_scope is not None else ""
        total, done = self.report.rows_read, 0
        for unit in _units(rows):
            done += len(unit)
            if self.opts.progress is not None and done % _PROGRESS_EVERY < len(unit):
                self.opts.progress(done, total)
            ngo_id = self.ngo_ids.get(unit[0].national_id)
            if ngo_id is None:
                nid = fa(unit[0].national_id)
                self._fail(
                    unit,
                    H_NATIONAL_ID,
                    f"سمنی با شناسه ملی {nid}{where} ثبت نشده است؛ نخست پرونده سمن‌ها را وارد کنید",
                )
                continue
            if ngo_id in self.refused:
                first = fa(self.refused[ngo_id])
                self._fail(
                    unit, H_ACTION, f"ردیف {first} همین سمن پذیرفته نشد؛ سابقه پس از آن به ترتیب ثبت نمی‌شود"
                )
                continue
            fresh = [row for row in unit if not self.known.has(ngo_id, row)]
            self.report.unchanged += len(unit) - len(fresh)
            if not fresh:
                continue
            try:
                with uow.savepoint():  # a refused row leaves nothing behind
                    self._apply(ngo_id, fresh)
            except DatabaseUnavailableError:
                raise  # not the row's fault: the whole import stops
            except _Refused as exc:
                self._fail(fresh, exc.header, exc.message, ngo_id)
                continue
            except UserError as exc:
                header = _FIELD_HEADERS.get(getattr(exc, "field", None) or "", H_ACTION)
                self._fail(fresh, header, exc.message, ngo_id)
                continue
            for row in fresh:
                self.known.add(ngo_id, row)
            self.report.added += len(fresh)
        if self.opts.progress is not None:
            self.opts.progress(total, total)

    def _fail(self, rows: Iterable[Row], header: str, reason: str, ngo_id: str | None = None) -> None:
        for row in rows:
            self.report.errors.append(RowError(row.number, header, reason))
            self.bad[row.number] = row.values
            if ngo_id is not None:
                self.refused.setdefault(ngo_id, row.number)

    # --- one row (or group) ------------------------------------------------------------------------

    def _apply(self, ngo_id: str, rows: list[Row]) -> None:
        row = rows[-1]
        kind = rows[0].kind
        handler: Callable[[str, list[Row]], None] = {
            StepKind.REQUEST: self._request,
            StepKind.DOCUMENTS: self._documents,
            StepKind.INQUIRY_SENT: self._inquiries,
            StepKind.INQUIRY_ANSWERED: self._answer,
            StepKind.INQUIRY_OVERRIDE: self._decision,
            StepKind.APPROVAL: self._decision,
            StepKind.REJECTION: self._decision,
            StepKind.WITHDRAWAL: self._withdrawal,
            StepKind.LIFTING: self._lifting,
        }.get(kind) or (
            self._completion if kind in _COMPLETES else self._sanction if kind in LADDER else None
        )
        if handler is None:
            raise _Refused(f"اقدام «{action_label(row.kind)}» از برگه وارد نمی‌شود")
        handler(ngo_id, rows)

    def _open_case(self, ngo_id: str, row: Row, why: str) -> LicenceCase:
        case = find_open_case(self.uow, ngo_id)
        if case is None:
            raise _Refused(f"این سمن پرونده بازی ندارد؛ {why} (نخست ردیف «درخواست» پرونده)")
        return case

    def _request(self, ngo_id: str, rows: list[Row]) -> None:
        row = rows[0]
        lic.open_case(self.uow, ngo_id, row.case_type, row.on_date, note=row.note)

    def _documents(self, ngo_id: str, rows: list[Row]) -> None:
        row = rows[0]
        case = self._open_case(ngo_id, row, "بررسی مدارک برای یک پرونده ثبت می‌شود")
        lic.check_documents(self.uow, case.id, row.on_date, note=row.note)

    def _inquiries(self, ngo_id: str, rows: list[Row]) -> None:
        first = rows[0]
        case = self._open_case(ngo_id, first, "استعلام برای یک پرونده فرستاده می‌شود")
        seen: dict[Any, int] = {}
        for row in rows:
            if row.agency in seen:
                raise _Refused(
                    f"استعلام «{AGENCY_LABELS[row.agency]}» در ردیف {fa(seen[row.agency])} همین روز هم آمده است",
                    H_AGENCY,
                )
            seen[row.agency] = row.number
        lic.send_inquiries(
            self.uow,
            case.id,
            first.on_date,
            agencies=[row.agency for row in rows],
            letter_nos={row.agency: row.letter_no for row in rows if row.letter_no},
            note=" ".join(row.note for row in rows if row.note),
        )

    def _answer(self, ngo_id: str, rows: list[Row]) -> None:
        row = rows[0]
        label = AGENCY_LABELS[row.agency]
        never_sent = (
            f"پاسخ استعلامی که فرستاده نشده ثبت نمی‌شود: برای پرونده باز این سمن از «{label}» استعلام نشده است"
        )
        case = find_open_case(self.uow, ngo_id)
        asked = [q for q in case_inquiries(self.uow, case.id) if q.agency == row.agency] if case else []
        if not asked:
            raise _Refused(never_sent, H_AGENCY)
        lic.answer_inquiry(self.uow, asked[-1].id, row.on_date, row.answer, note=row.note)

    def _decision(self, ngo_id: str, rows: list[Row]) -> None:
        if rows[0].kind == StepKind.INQUIRY_OVERRIDE and len(rows) == 1:
            raise _Refused(
                "عدول از پاسخ منفی استعلام فقط همراه موافقت شورا در همان روز (ردیف بعد همین سمن) ثبت می‌شود"
            )
        override = rows[0].note if rows[0].kind == StepKind.INQUIRY_OVERRIDE else ""
        row = rows[-1]
        approve = row.kind == StepKind.APPROVAL
        case = find_open_case(self.uow, ngo_id)
        if case is None:
            self._first_decision(ngo_id, row, approve)
            return
        if row.case_type is not None and case.case_type != row.case_type.value:
            raise _Refused(
                f"پرونده باز این سمن «{CASE_TYPE_LABELS[CaseType(case.case_type)]}» است، نه "
                f"«{CASE_TYPE_LABELS[row.case_type]}»",
                H_CASE_TYPE if row.kind == StepKind.REJECTION else H_ACTION,
            )
        lic.decide_case(
            self.uow, case.id, approve, row.on_date, row.meeting_on, row.legal_basis, note=row.note,
            override_reason=override,
        )  # fmt: skip

    def _first_decision(self, ngo_id: str, row: Row, approve: bool) -> None:
        """The exception: a council decision as an NGO's first imported step makes its case, received that
        day (what came before is unknown), with the decision, its meeting and its legal basis."""
        if ngo_id in self.known.started:
            raise _Refused(
                "تصمیم شورا برای پرونده‌ای گرفته می‌شود و این سمن پرونده بازی ندارد؛ نخست ردیف «درخواست» پرونده "
                "(فقط نخستین اقدام سابقه یک سمن می‌تواند تصمیم شورا بی درخواست باشد)"
            )
        uow = self.uow
        ngo = load_ngo(uow, ngo_id)
        case_type = row.case_type or CaseType.ESTABLISHMENT
        state = LicenceState(ngo.licence_state)
        if case_type not in allowed_case_types(state, ngo.level):
            raise TransitionError(
                f"پرونده «{CASE_TYPE_LABELS[case_type]}» برای سمنی در وضعیت «{LICENCE_STATE_LABELS[state]}» "
                "قابل تشکیل نیست؛ سابقه را با صدور پروانه آغاز کنید"
            )
        case = LicenceCase(
            **stamps(),
            ngo_id=ngo.id,
            county_id=ngo.county_id,
            case_type=case_type.value,
            tracking_no=next_tracking_no(uow, row.on_date),
            received_on=row.on_date,
            state=CaseState.RECEIVED.value,
        )
        uow.s.add(case)
        uow.s.flush()
        kind = StepKind.APPROVAL if approve else StepKind.REJECTION
        lic.apply_licence_step(
            uow,
            ngo,
            kind,
            row.on_date,
            legal_basis=row.legal_basis,
            note=row.note,
            case_id=case.id,
            imported=True,
        )
        case.decision = "approved" if approve else "rejected"
        case.decided_on = row.on_date
        case.meeting_on = row.meeting_on
        case.legal_basis = row.legal_basis
        case.state = (CaseState.APPROVED if approve else CaseState.REJECTED).value
        case.updated_at = now_utc()
        uow.s.add(case)
        uow.s.flush()

    def _completion(self, ngo_id: str, rows: list[Row]) -> None:
        """An issue, credential, renewal, upgrade or conformity: it ends the NGO's approved case of its type;
        with no case open, it is a step of its own (history before the desk) that the lifecycle allows."""
        row = rows[0]
        uow = self.uow
        wanted = _COMPLETES[row.kind]
        label = action_label(row.kind)
        case = find_open_case(uow, ngo_id)
        if case is None:
            self._direct_completion(ngo_id, row)
            return
        if case.case_type != wanted.value:
            raise _Refused(
                f"پرونده باز این سمن «{CASE_TYPE_LABELS[CaseType(case.case_type)]}» است؛ «{label}» پایان پرونده "
                f"«{CASE_TYPE_LABELS[wanted]}» است"
            )
        if case.state != CaseState.APPROVED.value:
            raise TransitionError(
                f"«{label}» پس از موافقت شورا با پرونده ممکن است؛ این پرونده هنوز موافقت نگرفته است"
            )
        began_with_decision = not self._has_request(case.id)
        if row.kind == StepKind.ISSUE and not began_with_decision:
            lic.complete_case(
                uow,
                case.id,
                row.on_date,
                licence_number=row.licence_number,
                expires_on=row.expires_on,
                note=row.note,
            )
            self._set_basis(case.id, row)
            return
        if row.kind in _FIRST_ISSUES:
            if not began_with_decision:  # a credential ends the case as an issue does: the same rule
                refused = approval_refusal(standing_of(uow, case))
                if refused:
                    raise TransitionError(f"{label} ممکن نیست: {refused}")
            lic.apply_licence_step(
                uow, ngo_id, row.kind, row.on_date, licence_number=row.licence_number, expires_on=row.expires_on,
                legal_basis=row.legal_basis, note=row.note, case_id=case.id, imported=True,
            )  # fmt: skip
            close_case(case)
            uow.s.add(case)
            uow.s.flush()
            return
        lic.complete_case(
            uow, case.id, row.on_date, licence_number=row.licence_number or None, expires_on=row.expires_on,
            note=row.note,
        )  # fmt: skip
        self._set_basis(case.id, row)

    def _direct_completion(self, ngo_id: str, row: Row) -> None:
        uow = self.uow
        ngo = load_ngo(uow, ngo_id)
        if (
            row.kind in _FIRST_ISSUES
            and ngo.licence_state == LicenceState.NONE.value
            and ngo_id in self.known.started
        ):
            raise TransitionError(
                f"«{action_label(row.kind)}» پس از موافقت شورا با تأسیس ممکن است (فقط نخستین اقدام سابقه یک سمن "
                "می‌تواند صدور پروانه بی پرونده باشد)"
            )
        lic.apply_licence_step(
            uow, ngo, row.kind, row.on_date, licence_number=row.licence_number or None, expires_on=row.expires_on,
            legal_basis=row.legal_basis, note=row.note, imported=True,
        )  # fmt: skip

    def _has_request(self, case_id: str) -> bool:
        stmt = select(LicenceStep.id).where(
            LicenceStep.case_id == case_id, LicenceStep.kind == StepKind.REQUEST.value
        )
        return self.uow.s.execute(stmt.limit(1)).first() is not None

    def _set_basis(self, case_id: str, row: Row) -> None:
        """The legal basis the sheet gives a case's last step (the completion services take none)."""
        if not row.legal_basis:
            return
        stmt = (
            select(LicenceStep)
            .where(LicenceStep.case_id == case_id, LicenceStep.kind == row.kind.value)
            .order_by(LicenceStep.created_at.desc())
            .limit(1)
        )
        step = self.uow.s.scalars(stmt).first()
        if step is not None and step.legal_basis != row.legal_basis:
            step.legal_basis = row.legal_basis
            self.uow.s.add(step)
            self.uow.s.flush()

    def _withdrawal(self, ngo_id: str, rows: list[Row]) -> None:
        row = rows[0]
        case = self._open_case(ngo_id, row, "«مختومه شدن پرونده» برای یک پرونده ثبت می‌شود")
        lic.withdraw_case(self.uow, case.id, row.on_date, reason=row.note)

    def _sanction(self, ngo_id: str, rows: list[Row]) -> None:
        row = rows[0]
        lic.impose_sanction(self.uow, ngo_id, row.kind, row.on_date, row.letter_no, row.note, row.legal_basis)

    def _lifting(self, ngo_id: str, rows: list[Row]) -> None:
        row = rows[0]
        lic.lift_suspension(
            self.uow, ngo_id, row.on_date, row.letter_no, note=row.note, legal_basis=row.legal_basis
        )
