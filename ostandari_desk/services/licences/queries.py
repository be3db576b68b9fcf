"""Read queries over licences and cases; they return frozen rows, never live ORM objects.

The desk's counts and lists (expiring, expired, overdue inquiries) are Core selects answered by the
indexes of revision 0003: licence (state, expires_on, county_id), licencecase (state, county_id) and
the partial inquiry (due_on, case_id) WHERE answered_on IS NULL. The counts read those indexes alone;
the lists walk them in their display order, so a page (``limit``/``offset``) stops as soon as it is full.

County scope: the unit of work scopes every ORM read to a county user's county; the statements here
that name plain table columns also carry ``uow.in_scope(...)``, and a county user's lists and counts
default to their county (so they take the same county index path as a chosen county).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from ostandari_desk import settings
from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.lifecycle import (
    AGENCY_LABELS,
    CASE_STATE_LABELS,
    CASE_TYPE_LABELS,
    LICENCE_STATE_LABELS,
    STEP_LABELS,
    Agency,
    CaseState,
    CaseType,
    LicenceState,
    StepKind,
    allowed_case_actions,
    allowed_case_types,
    allowed_direct_steps,
    approval_refusal,
)
from ostandari_desk.services.licences.cases import (
    CLOSED_CASE_STATES,
    all_answered,
    case_inquiries,
    find_open_case,
    load_case,
    standing_of,
)
from ostandari_desk.services.licences.rows import (
    ANSWER_LABELS,
    PROVINCE_LABEL,
    CaseDetail,
    CaseSummary,
    DeskCounts,
    InquiryInfo,
    InquiryRow,
    LicenceInfo,
    LicenceRow,
    NgoActions,
    TimelineEntry,
)
from ostandari_desk.services.licences.steps import LICENCE_ISSUING_STEPS, current_licence, load_ngo
from ostandari_desk.services.licences.worklists import (
    SortKey,
    column_order,
    county_rank,
    label_rank,
    level_rank,
)
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.models import County, Inquiry, Licence, LicenceCase, LicenceStep, Ngo
from ostandari_desk.store.uow import UnitOfWork


def _summary(case: LicenceCase) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        case_type=case.case_type,
        case_type_label=CASE_TYPE_LABELS[CaseType(case.case_type)],
        tracking_no=case.tracking_no,
        received_on=case.received_on,
        state=case.state,
        state_label=CASE_STATE_LABELS[CaseState(case.state)],
    )


def _licence_info(licence: Licence) -> LicenceInfo:
    return LicenceInfo(
        id=licence.id,
        number=licence.number,
        level=licence.level,
        issued_on=licence.issued_on,
        expires_on=licence.expires_on,
        validity_years=licence.validity_years,
        state=licence.state,
        renewed_from_id=licence.renewed_from_id,
    )


# Open cases by listing the open states (an IN on state can use an index; NOT IN cannot).
OPEN_CASE_STATES = tuple(state.value for state in CaseState if state.value not in CLOSED_CASE_STATES)


def _unindexed(session: Session, column) -> ColumnElement:
    """`+table.column`: keeps the planner off that column's index when another one is better."""
    return adapters_for(session.get_bind()).unindexed(column)


def _county(uow: UnitOfWork, county_id: str | None) -> str | None:
    """The county a list is limited to: the one asked for, else a county user's own."""
    return county_id if county_id is not None else uow.county_scope


def _window(uow: UnitOfWork, within_days: int | None) -> int:
    if within_days is None:
        within_days = int(settings.get_setting(uow, "expiring_window_days"))
    return within_days


# --- one NGO / one case ----------------------------------------------------------------------------


def ngo_actions(uow: UnitOfWork, ngo_id: str) -> NgoActions:
    """What may be done now on the NGO's licence: case types to open, direct steps, the open case."""
    with uow:
        ngo = load_ngo(uow, ngo_id)
        case = find_open_case(uow, ngo.id)
        actions: tuple[str, ...] = ()
        if case is not None:
            inquiries = case_inquiries(uow, case.id)
            missing = bool(standing_of(uow, case, inquiries).missing)
            actions = tuple(allowed_case_actions(case.state, all_answered(inquiries), missing))
        state = LicenceState(ngo.licence_state)
        return NgoActions(
            licence_state=state.value,
            licence_state_label=LICENCE_STATE_LABELS[state],
            level=ngo.level,
            case_types_allowed=()
            if case is not None
            else tuple(t.value for t in allowed_case_types(state, ngo.level)),
            direct_steps_allowed=tuple(
                step.value for step in allowed_direct_steps(state, current_licence(uow, ngo.id) is not None)
            ),
            open_case=_summary(case) if case is not None else None,
            case_actions=actions,
        )


def get_case(uow: UnitOfWork, case_id: str, today: date | None = None) -> CaseDetail:
    """A case with its inquiries; an unanswered inquiry past its due day is flagged overdue.

    Raises:
        NotFoundError: no such case.
        PermissionDeniedError: the case belongs to a county outside the actor's scope.
    """
    today = today or date.today()
    with uow:
        s = uow.s
        case = load_case(uow, case_id)
        ngo = load_ngo(uow, case.ngo_id)
        inquiries = case_inquiries(uow, case.id)
        answered = all_answered(inquiries)
        standing = standing_of(uow, case, inquiries)
        licence_id = s.exec(
            select(Licence.id).where(Licence.case_id == case.id).order_by(col(Licence.created_at).desc())
        ).first()
        return CaseDetail(
            id=case.id,
            ngo_id=ngo.id,
            ngo_name=ngo.name,
            county_id=case.county_id,
            case_type=case.case_type,
            case_type_label=CASE_TYPE_LABELS[CaseType(case.case_type)],
            tracking_no=case.tracking_no,
            received_on=case.received_on,
            state=case.state,
            state_label=CASE_STATE_LABELS[CaseState(case.state)],
            decision=case.decision,
            decided_on=case.decided_on,
            meeting_on=case.meeting_on,
            legal_basis=case.legal_basis,
            note=case.note,
            inquiries=tuple(
                InquiryInfo(
                    id=q.id,
                    agency=q.agency,
                    agency_label=AGENCY_LABELS[Agency(q.agency)],
                    letter_no=q.letter_no,
                    sent_on=q.sent_on,
                    due_on=q.due_on,
                    answered_on=q.answered_on,
                    answer=q.answer,
                    answer_label=ANSWER_LABELS.get(q.answer or "", ""),
                    note=q.note,
                    overdue=q.answer is None and today > q.due_on,
                )
                for q in inquiries
            ),
            all_inquiries_answered=answered,
            actions=tuple(allowed_case_actions(case.state, answered, bool(standing.missing))),
            licence_id=licence_id,
            row_version=case.row_version,
            missing_agencies=tuple(a.value for a in standing.missing),
            unfavourable_agencies=tuple(AGENCY_LABELS[a] for a in standing.unfavourable),
            overridden=standing.overridden,
            needs_override=bool(standing.unfavourable) and not standing.overridden,
            approval_refusal=approval_refusal(standing, override_given=True) or "",
        )


def list_cases(uow: UnitOfWork, ngo_id: str) -> list[CaseSummary]:
    """Every case of the NGO, newest first."""
    with uow:
        stmt = (
            select(LicenceCase)
            .where(LicenceCase.ngo_id == ngo_id)
            .order_by(col(LicenceCase.received_on).desc(), col(LicenceCase.created_at).desc())
        )
        return [_summary(case) for case in uow.s.exec(stmt)]


def licence_history(uow: UnitOfWork, ngo_id: str) -> list[LicenceInfo]:
    """Every licence the NGO has held, oldest first."""
    with uow:
        stmt = (
            select(Licence)
            .where(Licence.ngo_id == ngo_id)
            .order_by(col(Licence.issued_on), col(Licence.created_at))
        )
        return [_licence_info(licence) for licence in uow.s.exec(stmt)]


def current_licence_info(uow: UnitOfWork, ngo_id: str) -> LicenceInfo | None:
    """The NGO's current licence (not replaced by a renewal/upgrade), in any state; None if never issued.

    Inside a caller's block (get_ngo's) it joins that block.
    """
    with uow:
        licence = current_licence(uow, ngo_id)
        return _licence_info(licence) if licence else None


def _step_detail(
    step: LicenceStep, number: str | None, expires: date | None, case: LicenceCase | None
) -> str:
    kind = StepKind(step.kind)
    parts: list[str] = []
    if kind == StepKind.REQUEST and case is not None:
        parts.append(
            f"درخواست {CASE_TYPE_LABELS[CaseType(case.case_type)]}، شماره پیگیری "
            f"{text.to_persian_digits(case.tracking_no)}"
        )
    if kind in LICENCE_ISSUING_STEPS and number:
        parts.append(f"پروانه شماره {text.to_persian_digits(number)}")
        if expires is not None:
            parts.append(f"معتبر تا {jalali.format_jalali(expires)}")
    if step.letter_no:
        parts.append(f"نامه شماره {text.to_persian_digits(step.letter_no)}")
    if step.legal_basis:
        parts.append(f"مبنای قانونی: {step.legal_basis}")
    if step.reason:
        parts.append(f"دلیل: {step.reason}")
    if step.note:
        parts.append(step.note)
    return text.protect_hyphenated_numbers("؛ ".join(parts))


def timeline(uow: UnitOfWork, ngo_id: str) -> list[TimelineEntry]:
    """The NGO's whole licence history, by date then by entry order.

    Raises:
        NotFoundError: no such NGO.
        PermissionDeniedError: the NGO belongs to a county outside the actor's scope.
    """
    with uow:
        s = uow.s
        load_ngo(uow, ngo_id)
        stmt = (
            select(LicenceStep, Licence.number, Licence.expires_on, LicenceCase)
            .join(Licence, col(Licence.id) == col(LicenceStep.licence_id), isouter=True)
            .join(LicenceCase, col(LicenceCase.id) == col(LicenceStep.case_id), isouter=True)
            .where(LicenceStep.ngo_id == ngo_id)
            .order_by(col(LicenceStep.on_date), col(LicenceStep.created_at))
        )
        return [
            TimelineEntry(
                id=step.id,
                on_date=step.on_date,
                kind=step.kind,
                label=STEP_LABELS[StepKind(step.kind)],
                detail=_step_detail(step, number, expires, case),
                clerk=step.clerk,
                case_id=step.case_id,
                licence_id=step.licence_id,
            )
            for step, number, expires, case in s.exec(stmt)
        ]


# --- desk lists ------------------------------------------------------------------------------------


def _county_names(session: Session) -> dict[str | None, str]:
    """County id -> name (a few dozen rows), with None -> «استان»; cheaper than a join per row."""
    names: dict[str | None, str] = {None: PROVINCE_LABEL}
    names.update(session.exec(select(County.id, County.name)).all())
    return names


def _page(stmt, limit: int | None, offset: int):
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return stmt


def _valid_licences(where: tuple, county_id: str | None):
    """The WHERE of the expiring/expired count and list: a range of ix_licence_state_expiry."""
    conditions = [Licence.state == "valid", *where]
    if county_id is not None:
        conditions.append(Licence.county_id == county_id)
    return conditions


# The licence lists' columns the clerk may sort by (the worklist page's column keys).
LICENCE_SORTS = ("ngo", "county", "number", "level", "issued_on", "expires_on", "days", "days_past")
INQUIRY_SORTS = ("ngo", "county", "agency", "sent_on", "due_on", "days")


def _licence_sorts(session: Session) -> dict[str, SortKey]:
    return {
        "ngo": [(col(Ngo.name_sort), False)],
        "county": [(county_rank(session, col(Licence.county_id)), False)],
        "number": [(col(Licence.number), False)],
        "level": [(level_rank(col(Licence.level)), False)],
        "issued_on": [(col(Licence.issued_on), False)],
        "expires_on": [(col(Licence.expires_on), False)],
        "days": [(col(Licence.expires_on), False)],  # days left grow with the expiry date
        "days_past": [(col(Licence.expires_on), True)],  # days since expiry grow as it gets older
    }


def _licence_rows(
    uow: UnitOfWork,
    today: date,
    where: tuple,
    descending: bool,
    county_id: str | None,
    limit: int | None,
    offset: int,
    sort: str | None = None,
    sort_descending: bool = False,
) -> list[LicenceRow]:
    """Valid licences matching `where`, by expiry (then Persian name, then id); or by the column ``sort``
    (LICENCE_SORTS) with that order breaking ties.

    SQLite walks ix_licence_state_expiry in expiry order (sorting only the NGO names within one day),
    reaching each NGO by its key, and stops when the page is full.
    """
    expiry = col(Licence.expires_on).desc() if descending else col(Licence.expires_on)
    county_id = _county(uow, county_id)
    stmt = (
        select(
            Licence.id,
            Licence.ngo_id,
            Ngo.name,
            Licence.county_id,
            Licence.number,
            Licence.level,
            Licence.issued_on,
            Licence.expires_on,
        )
        .select_from(Licence)
        .join(Ngo, col(Ngo.id) == col(Licence.ngo_id))
        .where(*_valid_licences(where, county_id))
    )
    with uow:
        then = (expiry, col(Ngo.name_sort), col(Licence.id))
        stmt = stmt.order_by(*column_order(_licence_sorts(uow.s), sort, sort_descending, then))
        counties = _county_names(uow.s)
        found = uow.s.exec(_page(stmt, limit, offset)).all()
    return [
        LicenceRow(
            licence_id=lid,
            ngo_id=ngo_id,
            ngo_name=ngo_name,
            county_name=counties.get(lic_county, PROVINCE_LABEL),
            number=number,
            level=level,
            issued_on=issued_on,
            expires_on=expires_on,
            days_left=(expires_on - today).days,
        )
        for lid, ngo_id, ngo_name, lic_county, number, level, issued_on, expires_on in found
    ]


def _expiring_where(today: date, until: date) -> tuple:
    return (Licence.expires_on >= today, Licence.expires_on <= until)


def _expired_where(today: date) -> tuple:
    return (Licence.expires_on < today,)


def expiring_licences(
    uow: UnitOfWork,
    today: date,
    within_days: int | None = None,
    county_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: str | None = None,
    descending: bool = False,
) -> list[LicenceRow]:
    """Valid licences expiring from today to today + within_days (setting expiring_window_days), soonest first
    (or by the column ``sort`` of LICENCE_SORTS).

    ``limit``/``offset`` give one page of that order.
    """
    with uow:
        until = jalali.add_days(today, _window(uow, within_days))
    where = _expiring_where(today, until)
    return _licence_rows(uow, today, where, False, county_id, limit, offset, sort, descending)


def expired_licences(
    uow: UnitOfWork,
    today: date,
    county_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: str | None = None,
    descending: bool = False,
) -> list[LicenceRow]:
    """Licences still marked valid whose expiry has passed (nobody renewed them), most recently expired first
    (or by the column ``sort`` of LICENCE_SORTS).

    ``limit``/``offset`` give one page of that order.
    """
    return _licence_rows(uow, today, _expired_where(today), True, county_id, limit, offset, sort, descending)


def _overdue_from(uow: UnitOfWork, stmt, today: date, county_id: str | None):
    """Unanswered inquiries past due, of open cases, driven from ix_inquiry_unanswered_due.

    The partial index holds only the unanswered inquiries, so its due_on range is small; each one's case
    is reached by its key. `+licencecase.state` / `+licencecase.county_id` keep SQLite from starting at
    the (many more) open cases of ix_licencecase_state_county and probing their inquiries instead.
    """
    session = uow.s
    case = LicenceCase.__table__.c
    conditions = [
        col(Inquiry.answered_on).is_(None),
        col(Inquiry.due_on) < today,
        _unindexed(session, case.state).in_(OPEN_CASE_STATES),
        uow.in_scope(_unindexed(session, case.county_id)),
    ]
    county_id = _county(uow, county_id)
    if county_id is not None:
        conditions.append(_unindexed(session, case.county_id) == county_id)
    return (
        stmt.select_from(Inquiry)
        .join(LicenceCase, col(LicenceCase.id) == col(Inquiry.case_id))
        .where(*conditions)
    )


def overdue_inquiries(
    uow: UnitOfWork,
    today: date,
    county_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: str | None = None,
    descending: bool = False,
) -> list[InquiryRow]:
    """Unanswered inquiries of open cases past their due day, longest overdue first (then by NGO name), or
    by the column ``sort`` of INQUIRY_SORTS.

    ``limit``/``offset`` give one page of that order.
    """
    stmt = select(
        Inquiry.id,
        Inquiry.case_id,
        Ngo.id,
        Ngo.name,
        LicenceCase.county_id,
        LicenceCase.tracking_no,
        Inquiry.agency,
        Inquiry.letter_no,
        Inquiry.sent_on,
        Inquiry.due_on,
    )
    with uow:
        sorts: dict[str, SortKey] = {
            "ngo": [(col(Ngo.name_sort), False)],
            "county": [(county_rank(uow.s, col(LicenceCase.county_id)), False)],
            "agency": [(label_rank(col(Inquiry.agency), AGENCY_LABELS), False)],
            "sent_on": [(col(Inquiry.sent_on), False)],
            "due_on": [(col(Inquiry.due_on), False)],
            "days": [(col(Inquiry.due_on), True)],  # days overdue grow as the due day gets older
        }
        then = (col(Inquiry.due_on), col(Ngo.name_sort), col(Inquiry.id))
        stmt = (
            _overdue_from(uow, stmt, today, county_id)
            .join(Ngo, col(Ngo.id) == col(LicenceCase.ngo_id))
            .order_by(*column_order(sorts, sort, descending, then))
        )
        counties = _county_names(uow.s)
        found = uow.s.exec(_page(stmt, limit, offset)).all()
    return [
        InquiryRow(
            inquiry_id=iid,
            case_id=case_id,
            ngo_id=ngo_id,
            ngo_name=ngo_name,
            county_name=counties.get(case_county, PROVINCE_LABEL),
            tracking_no=tracking_no,
            agency=agency,
            agency_label=AGENCY_LABELS[Agency(agency)],
            letter_no=letter_no,
            sent_on=sent_on,
            due_on=due_on,
            days_overdue=(today - due_on).days,
        )
        for iid, case_id, ngo_id, ngo_name, case_county, tracking_no, agency, letter_no, sent_on, due_on in found
    ]


def desk_counts(
    uow: UnitOfWork, today: date, within_days: int | None = None, county_id: str | None = None
) -> DeskCounts:
    """The numbers on the desk's tiles, one COUNT each over an index (≈ 15 ms at 100,000 NGOs)."""
    with uow:
        s = uow.s
        until = jalali.add_days(today, _window(uow, within_days))
        county_id = _county(uow, county_id)

        def count(stmt) -> int:
            return int(s.exec(stmt).one())

        def licences(where: tuple) -> int:
            return count(select(func.count()).select_from(Licence).where(*_valid_licences(where, county_id)))

        open_stmt = (
            select(func.count()).select_from(LicenceCase).where(col(LicenceCase.state).in_(OPEN_CASE_STATES))
        )
        active_stmt = select(func.count()).select_from(Ngo)
        if county_id is None:
            active_stmt = active_stmt.where(Ngo.status == "active")
        else:
            open_stmt = open_stmt.where(LicenceCase.county_id == county_id)
            # a county's NGOs by ix_ngo_county_sort, not every active NGO by the status index
            active_stmt = active_stmt.where(
                Ngo.county_id == county_id,
                _unindexed(s, Ngo.__table__.c.status) == "active",
                uow.in_scope(Ngo.__table__.c.county_id),
            )
        return DeskCounts(
            expiring=licences(_expiring_where(today, until)),
            expired=licences(_expired_where(today)),
            overdue_inquiries=count(_overdue_from(uow, select(func.count()), today, county_id)),
            open_cases=count(open_stmt),
            ngos_active=count(active_stmt),
        )
