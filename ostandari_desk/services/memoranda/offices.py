"""The facilitation offices (دفاتر تسهیلگری): one input and one validator (the dialog's and the ``offices``
importer's), saving with versions, the list page, and an office's details with its projects (the memoranda
that fund it, each with its clock and progress).

Reads go through the unit of work's session, so a county user sees only their county's offices. An office's
name is unique within its county (compared normalized: «ي»/«ی», spaces and ZWNJ do not make a new name).
The operating NGO may be any NGO of the registry (a province NGO often runs a county's office), so it is
looked up beyond the county scope; only its name is shown.

Offices are few (tens per province), so the list is ordered in Python with the Persian sort key and then
sliced: the paging API is the centres list's (``offset``/``limit``) all the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, literal
from sqlmodel import col, select

from ostandari_desk import settings
from ostandari_desk.domain import memoranda, text
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.errors import ConcurrentEditError, DuplicateError, ValidationError
from ostandari_desk.services import reference, search
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import (
    County,
    FacilitationOffice,
    Memorandum,
    Ngo,
    Payment,
    ProgressReport,
)
from ostandari_desk.store.uow import UnitOfWork

NAME_MIN, NAME_MAX = 2, 200
NEIGHBOURHOOD_MAX = 100  # characters of one neighbourhood's name
NEIGHBOURHOODS_MAX = 2000  # characters of the whole stored list
BUDGET_MAX = 10**17  # far beyond any office's budget, well inside a 64-bit column
NEIGHBOURHOOD_SEPARATOR = "، "
STATE_LABELS: dict[str, str] = {"planned": "در دست راه‌اندازی", "open": "فعال", "closed": "بسته"}
STATES = tuple(STATE_LABELS)
SORT_KEYS = ("name", "county", "opened", "budget", "state")
STALE_OFFICE = "این دفتر را کاربر دیگری پس از باز شدن ویرایش کرده است؛ آن را دوباره باز کنید"
MISSING_OFFICE = "دفتر تسهیلگری پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است"
GOVERNORATE = "فرمانداری"

_SPLIT = re.compile(r"[،,]")


@dataclass(frozen=True)
class OfficeInput:
    """What the clerk types (or a sheet row brings) for a facilitation office."""

    name: str
    county_id: str | None
    neighbourhoods: str = ""  # names separated by «،» or «,»
    ngo_id: str | None = None
    opened_on: date | None = None
    budget: int = 0  # rials
    state: str = "open"  # planned | open | closed


@dataclass(frozen=True)
class OfficeProject:
    """A memorandum funding an office, with its clock (days left to its end; negative = overdue)."""

    id: str
    number: str
    title: str
    party_kind: str  # ngo | county
    party_name: str
    amount: int
    paid: int
    latest_percent: int | None  # None: no progress report yet
    starts_on: date
    ends_on: date
    days_left: int
    state: str  # active | completed | cancelled

    @property
    def remaining(self) -> int:
        return self.amount - self.paid

    @property
    def state_label(self) -> str:
        return memoranda.STATE_LABELS.get(self.state, self.state)

    @property
    def overdue(self) -> bool:
        """Past its end without 100% progress while still active."""
        return self.state == "active" and self.days_left < 0 and (self.latest_percent or 0) < 100


@dataclass(frozen=True)
class OfficeDetail:
    id: str
    name: str
    county_id: str
    county_name: str
    neighbourhoods: str  # «، »-joined
    ngo_id: str | None
    ngo_name: str
    opened_on: date | None
    budget: int
    state: str
    row_version: int
    projects: tuple[OfficeProject, ...] = ()

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def neighbourhood_list(self) -> list[str]:
        return split_neighbourhoods(self.neighbourhoods)

    @property
    def active_projects(self) -> int:
        return sum(1 for p in self.projects if p.state == "active")

    def to_input(self) -> OfficeInput:
        return OfficeInput(
            name=self.name,
            county_id=self.county_id,
            neighbourhoods=self.neighbourhoods,
            ngo_id=self.ngo_id,
            opened_on=self.opened_on,
            budget=self.budget,
            state=self.state,
        )


@dataclass(frozen=True)
class OfficeRow:
    """One line of the offices list."""

    id: str
    name: str
    county_name: str
    neighbourhoods: str
    ngo_name: str
    opened_on: date | None
    budget: int
    state: str
    projects: int  # memoranda funding it
    active_projects: int

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def opened_text(self) -> str:
        return format_jalali(self.opened_on)

    @property
    def budget_text(self) -> str:
        return text.format_number(self.budget)


@dataclass(frozen=True)
class OfficeFilter:
    search: str = ""  # words found in the name or the neighbourhoods
    county_id: str | None = None
    state: str | None = None
    ngo: str | None = None  # the operating NGO's id
    idle: bool = False  # open, without an active memorandum funding it (``idle_office_condition``)


# --- validation -----------------------------------------------------------------------------------


def split_neighbourhoods(value: str | None) -> list[str]:
    """The neighbourhood names in ``value`` (separated by «،» or «,»), cleaned, empties and repeats gone."""
    names: list[str] = []
    seen: set[str] = set()
    for part in _SPLIT.split(value or ""):
        name = text.clean(part)
        key = text.normalize(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return names


def state_from_label(label: str) -> str | None:
    """The state code of a Persian label (or of a code), None when it is neither («» = open)."""
    key = text.normalize(label)
    if not key:
        return "open"
    for code, shown in STATE_LABELS.items():
        if key in (code, text.normalize(shown)):
            return code
    return None


def _county_error(uow: UnitOfWork, county_id: str | None, stored: FacilitationOffice | None) -> str:
    """Why ``county_id`` is refused ("" = it is not)."""
    if not county_id:
        return "شهرستان دفتر انتخاب نشده است"
    county = uow.s.get(County, county_id)
    province_id = settings.get_setting(uow, "province_id")
    if county is None or (province_id and county.province_id != province_id):
        return "شهرستان دفتر در شهرستان‌های استان پیدا نشد"
    if not uow.actor.sees_county(county_id):
        return "کارشناس شهرستان فقط دفترهای شهرستان خود را ثبت می‌کند"
    kept = stored is not None and stored.county_id == county_id
    if not county.active and not kept:
        return f"شهرستان «{county.name}» غیرفعال شده است"
    return ""


def _ngo_name(uow: UnitOfWork, ngo_id: str | None) -> str | None:
    """The NGO's name, looked up beyond the county scope (None: no such NGO)."""
    if not ngo_id:
        return None
    t = Ngo.__table__.c
    return uow.s.execute(select(t.name).where(t.id == ngo_id)).scalar_one_or_none()


def _checked(
    uow: UnitOfWork, data: OfficeInput, stored: FacilitationOffice | None, today: date
) -> tuple[dict, list[ValidationError]]:
    """The column values of ``data`` and every rule it breaks (the values are meaningless unless none)."""
    errors: list[ValidationError] = []

    def fail(field: str, message: str) -> None:
        errors.append(ValidationError(message, field=field))

    name = text.clean(data.name)
    if not name:
        fail("name", "نام دفتر وارد نشده است")
    elif not NAME_MIN <= len(name) <= NAME_MAX:
        fail(
            "name",
            f"نام دفتر باید {text.to_persian_digits(NAME_MIN)} تا {text.to_persian_digits(NAME_MAX)} "
            "نویسه باشد",
        )
    if reason := _county_error(uow, data.county_id, stored):
        fail("county_id", reason)
    names = split_neighbourhoods(data.neighbourhoods)
    neighbourhoods = NEIGHBOURHOOD_SEPARATOR.join(names)
    too_long = [n for n in names if len(n) > NEIGHBOURHOOD_MAX]
    if too_long:
        fail(
            "neighbourhoods",
            f"نام محله «{too_long[0][:30]}…» بیش از {text.to_persian_digits(NEIGHBOURHOOD_MAX)} نویسه است",
        )
    elif len(neighbourhoods) > NEIGHBOURHOODS_MAX:
        fail("neighbourhoods", f"فهرست محله‌ها بیش از {text.to_persian_digits(NEIGHBOURHOODS_MAX)} نویسه است")
    if data.ngo_id and _ngo_name(uow, data.ngo_id) is None:
        fail("ngo_id", "سمن مجری دفتر در فهرست سمن‌ها پیدا نشد")
    if data.opened_on is not None and data.opened_on > today:
        fail("opened_on", f"تاریخ گشایش ({format_jalali(data.opened_on)}) در آینده است")
    budget = 0 if data.budget is None else data.budget
    if isinstance(budget, bool) or not isinstance(budget, int):
        fail("budget", "اعتبار دفتر باید عددی صحیح به ریال باشد")
        budget = 0
    elif budget < 0:
        fail("budget", "اعتبار دفتر نمی‌تواند منفی باشد")
    elif budget > BUDGET_MAX:
        fail("budget", "اعتبار دفتر بیش از اندازه بزرگ است")
    state = data.state or "open"
    if state not in STATE_LABELS:
        fail("state", "وضعیت دفتر باید «در دست راه‌اندازی»، «فعال» یا «بسته» باشد")
    values = {
        "name": name,
        "name_key": text.normalize(name),
        "county_id": data.county_id,
        "neighbourhoods": neighbourhoods,
        "ngo_id": data.ngo_id or None,
        "opened_on": data.opened_on,
        "budget": budget,
        "state": state,
    }
    return values, errors


def office_errors(
    uow: UnitOfWork, data: OfficeInput, stored: FacilitationOffice | None = None, today: date | None = None
) -> list[ValidationError]:
    """Every rule ``data`` breaks, in the dialog's order, each naming its OfficeInput field ([] = none).

    THE rules of a facilitation office: the dialog (through ``create_office`` / ``update_office``) and the
    «دفاتر تسهیلگری» sheet's importer both use them. ``stored`` is the office being edited (an inactive
    county it already has may stay); ``today`` (default: the computer's date) bounds the opening date.
    Fields: name, county_id, neighbourhoods, ngo_id, opened_on, budget, state. The name's uniqueness
    within the county is ``validate_office``'s last check.
    """
    with uow:
        return _checked(uow, data, stored, today or date.today())[1]


def _check_unique_name(uow: UnitOfWork, values: dict, except_id: str | None) -> None:
    t = FacilitationOffice.__table__.c
    found = uow.s.execute(
        select(t.id).where(t.county_id == values["county_id"], t.name_key == values["name_key"])
    ).first()
    if found is not None and found.id != except_id:
        raise DuplicateError(
            f"دفتر «{values['name']}» در این شهرستان پیش‌تر ثبت شده است", field="name", record=found.id
        )


def validate_office(
    uow: UnitOfWork, data: OfficeInput, stored: FacilitationOffice | None = None, today: date | None = None
) -> dict:
    """The column values of ``data``; raises the first of ``office_errors`` (a ValidationError naming its
    field), then DuplicateError (field «name») when its county already has an office of that name
    (``stored``, the office being edited, keeps its own)."""
    with uow:
        values, errors = _checked(uow, data, stored, today or date.today())
        if errors:
            raise errors[0]
        _check_unique_name(uow, values, stored.id if stored is not None else None)
        return values


def _get(uow: UnitOfWork, office_id: str) -> FacilitationOffice:
    """The office, or NotFoundError; PermissionDeniedError for another county's."""
    return uow.get(FacilitationOffice, office_id, missing=MISSING_OFFICE)


# --- commands ------------------------------------------------------------------------------------


def create_office(uow: UnitOfWork, data: OfficeInput, today: date | None = None) -> str:
    """Store a new facilitation office; returns its id (inside a caller's block, it joins that transaction).

    Raises:
        ValidationError: a field breaks a rule (the error names it).
        DuplicateError: its county already has an office of that name.
    """
    with uow.writing():
        values = validate_office(uow, data, today=today)
        office = FacilitationOffice(**stamps(), **values)
        uow.s.add(office)
        uow.s.flush()
        uow.commit()
        return office.id


def update_office(
    uow: UnitOfWork, office_id: str, data: OfficeInput, expected_version: int, today: date | None = None
) -> None:
    """Save changes to an office opened at ``expected_version``.

    Raises:
        ConcurrentEditError: someone saved the office since it was opened.
        PermissionDeniedError: another county's office.
    """
    with uow.writing():
        office = _get(uow, office_id)
        if office.row_version != expected_version:
            raise ConcurrentEditError(STALE_OFFICE, record=office_id)
        values = validate_office(uow, data, office, today=today)
        save_versioned(uow, office, expected_version, values, STALE_OFFICE)
        uow.commit()


# --- reads ---------------------------------------------------------------------------------------


def find_office_id(uow: UnitOfWork, county_id: str | None, name: str) -> str | None:
    """The id of the office of this name (typed any way) in ``county_id``, within the actor's scope."""
    key = text.normalize(name)
    if not key or not county_id:
        return None
    with uow:
        stmt = select(FacilitationOffice.id).where(
            FacilitationOffice.county_id == county_id, FacilitationOffice.name_key == key
        )
        return uow.s.exec(stmt).first()


def office_choices(uow: UnitOfWork, county_id: str | None = None) -> list[tuple[str, str]]:
    """(id, name) of the offices in scope (of ``county_id`` when given), in Persian order (for pickers)."""
    with uow:
        stmt = select(FacilitationOffice.id, FacilitationOffice.name)
        if county_id:
            stmt = stmt.where(FacilitationOffice.county_id == county_id)
        return sorted(((r[0], r[1]) for r in uow.s.exec(stmt)), key=lambda r: text.persian_sort_key(r[1]))


def _latest_percent():
    """Correlated: the memorandum's latest progress (percent never goes down, so its highest)."""
    return (
        select(func.max(ProgressReport.percent))
        .where(ProgressReport.memorandum_id == Memorandum.id)
        .correlate(Memorandum)
        .scalar_subquery()
    )


def _paid():
    return (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(Payment.memorandum_id == Memorandum.id)
        .correlate(Memorandum)
        .scalar_subquery()
    )


def _projects(uow: UnitOfWork, office_id: str, today: date) -> tuple[OfficeProject, ...]:
    stmt = (
        select(
            Memorandum.id,
            Memorandum.number,
            Memorandum.title,
            Memorandum.party_kind,
            Memorandum.amount,
            _paid(),
            _latest_percent(),
            Memorandum.starts_on,
            Memorandum.ends_on,
            Memorandum.state,
            Memorandum.ngo_id,
            Memorandum.county_id,
        )
        .where(Memorandum.office_id == office_id)
        .order_by(col(Memorandum.starts_on).desc(), Memorandum.number)
    )
    rows = uow.s.exec(stmt).all()
    projects = []
    for r in rows:
        if r[3] == "ngo":
            party = _ngo_name(uow, r[10]) or ""
        else:
            party = f"{GOVERNORATE} {reference.county_name(uow, r[11])}" if r[11] else GOVERNORATE
        projects.append(
            OfficeProject(
                id=r[0],
                number=r[1],
                title=r[2],
                party_kind=r[3],
                party_name=party,
                amount=int(r[4]),
                paid=int(r[5] or 0),
                latest_percent=None if r[6] is None else int(r[6]),
                starts_on=r[7],
                ends_on=r[8],
                days_left=(r[8] - today).days,
                state=r[9],
            )
        )
    return tuple(projects)


def get_office(uow: UnitOfWork, office_id: str, today: date | None = None) -> OfficeDetail:
    """The office with its projects (newest start first); ``today`` (default: the computer's date) runs
    their clocks.

    Raises:
        NotFoundError: no such office. PermissionDeniedError: another county's.
    """
    today = today or date.today()
    with uow:
        o = _get(uow, office_id)
        return OfficeDetail(
            id=o.id,
            name=o.name,
            county_id=o.county_id,
            county_name=reference.county_name(uow, o.county_id),
            neighbourhoods=o.neighbourhoods,
            ngo_id=o.ngo_id,
            ngo_name=_ngo_name(uow, o.ngo_id) or "",
            opened_on=o.opened_on,
            budget=int(o.budget),
            state=o.state,
            row_version=o.row_version,
            projects=_projects(uow, o.id, today),
        )


def idle_office_condition():
    """THE rule of «an idle office» (the list's filter and the start page's count): open, and no active
    memorandum funds it (found through the memoranda's office index)."""
    office, memo = FacilitationOffice.__table__.c, Memorandum.__table__.c
    active_project = exists().where(memo.office_id == office.id, memo.state == literal(memoranda.ACTIVE))
    return and_(office.state == "open", ~active_project)


def _where(flt: OfficeFilter) -> list:
    # the name and the neighbourhoods as stored, folded in SQL (a scan of a few hundred offices)
    haystack = FacilitationOffice.name + literal(" ") + FacilitationOffice.neighbourhoods
    conds: list = [search.folded_contains(haystack, word) for word in search.words(flt.search)]
    if flt.county_id:
        conds.append(FacilitationOffice.county_id == flt.county_id)
    if flt.state:
        conds.append(FacilitationOffice.state == flt.state)
    if flt.ngo:
        conds.append(FacilitationOffice.ngo_id == flt.ngo)
    if flt.idle:
        conds.append(idle_office_condition())
    return conds


def filter_conditions(flt: OfficeFilter) -> list:
    """The SQL conditions of ``flt`` over FacilitationOffice (for the sheet's export of a filtered list)."""
    return _where(flt)


def count_offices(uow: UnitOfWork, flt: OfficeFilter = OfficeFilter()) -> int:
    with uow:
        stmt = select(func.count()).select_from(FacilitationOffice).where(*_where(flt))
        return int(uow.s.exec(stmt).one())


def _row_key(sort: str, row: OfficeRow, county_rank: tuple) -> tuple:
    name = text.persian_sort_key(row.name)
    state_rank = STATES.index(row.state) if row.state in STATES else len(STATES)
    keys = {
        "name": (name,),
        "county": (*county_rank, name),
        "opened": (row.opened_on is not None, row.opened_on or date.min, name),
        "budget": (row.budget, name),
        "state": (state_rank, name),
    }
    return (*keys[sort], row.id)


def list_office_page(
    uow: UnitOfWork,
    flt: OfficeFilter = OfficeFilter(),
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[OfficeRow]:
    """One page of offices matching ``flt``, ordered by ``sort`` (one of SORT_KEYS; ties by name, then id,
    so pages are stable). An office without an opening date sorts first by «opened»."""
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key: {sort!r}")
    memo = Memorandum.__table__.c  # counted per office: the office itself is already in scope
    projects = (
        select(func.count())
        .where(memo.office_id == FacilitationOffice.id)
        .correlate(FacilitationOffice)
        .scalar_subquery()
    )
    active = (
        select(func.count())
        .where(memo.office_id == FacilitationOffice.id, memo.state == literal("active"))
        .correlate(FacilitationOffice)
        .scalar_subquery()
    )
    ngo = Ngo.__table__.c
    ngo_name = select(ngo.name).where(ngo.id == FacilitationOffice.ngo_id).correlate(FacilitationOffice)
    with uow:
        stmt = (
            select(
                FacilitationOffice.id,
                FacilitationOffice.name,
                County.name,
                FacilitationOffice.neighbourhoods,
                ngo_name.scalar_subquery(),
                FacilitationOffice.opened_on,
                FacilitationOffice.budget,
                FacilitationOffice.state,
                projects,
                active,
                County.position,
                County.name_key,
            )
            .select_from(FacilitationOffice)
            .outerjoin(County, County.id == FacilitationOffice.county_id)
            .where(*_where(flt))
        )
        ranked = []
        for r in uow.s.exec(stmt):
            row = OfficeRow(
                id=r[0],
                name=r[1],
                county_name=r[2] or "استان",
                neighbourhoods=r[3],
                ngo_name=r[4] or "",
                opened_on=r[5],
                budget=int(r[6]),
                state=r[7],
                projects=int(r[8]),
                active_projects=int(r[9]),
            )
            ranked.append((_row_key(sort, row, (r[10] or 0, r[11] or "")), row))
    ranked.sort(key=lambda pair: pair[0], reverse=descending)
    start = max(0, offset)
    return [row for _, row in ranked[start : start + max(0, limit)]]


__all__ = [
    "SORT_KEYS",
    "STATES",
    "STATE_LABELS",
    "OfficeDetail",
    "OfficeFilter",
    "OfficeInput",
    "OfficeProject",
    "OfficeRow",
    "count_offices",
    "create_office",
    "filter_conditions",
    "find_office_id",
    "get_office",
    "idle_office_condition",
    "list_office_page",
    "office_choices",
    "office_errors",
    "split_neighbourhoods",
    "state_from_label",
    "update_office",
    "validate_office",
]
