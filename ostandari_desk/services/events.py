"""Events (همایش، نشست، دوره آموزشی): create, edit, delete, list pages, the month calendar, an NGO's events.

Reads are scoped to a county user's county by the unit of work. An event of that county may name an
NGO of another county (a province clerk linked it): the county user sees it as «سمن شهرستان دیگر»
(HIDDEN_NGO_LABEL), and saving the event keeps the link.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, delete, func, or_
from sqlmodel import col, select

from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali, month_range, year_range
from ostandari_desk.errors import ConcurrentEditError, ValidationError
from ostandari_desk.services import search
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.ngos import NgoFilter, list_ngo_page
from ostandari_desk.services.ordering import order_terms
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import County, Event, EventNgo, Ngo
from ostandari_desk.store.uow import UnitOfWork

KIND_LABELS: dict[str, str] = {
    "conference": "همایش",
    "session": "نشست",
    "course": "دوره آموزشی",
}
KINDS = tuple(KIND_LABELS)
PROVINCE_LABEL = "استان"
OFFICE_LABEL = "اداره کل"
HIDDEN_NGO_LABEL = "سمن شهرستان دیگر"  # an NGO outside the actor's county
TITLE_MAX = 300

SORT_KEYS = ("starts_on", "title", "kind", "county", "attendees", "hours")


@dataclass(frozen=True)
class EventInput:
    """What the clerk enters for an event. county_id None = province-wide; organizer None = the office."""

    kind: str
    title: str
    starts_on: date
    ends_on: date | None = None
    county_id: str | None = None
    organizer_ngo_id: str | None = None
    attendees: int = 0
    training_hours: int = 0
    ngo_ids: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class NgoRef:
    id: str
    name: str
    national_id: str


@dataclass(frozen=True)
class EventDetail:
    """One event with everything the edit dialog shows."""

    id: str
    kind: str
    kind_label: str
    title: str
    starts_on: date
    ends_on: date | None
    county_id: str | None
    county_name: str
    organizer: NgoRef | None
    attendees: int
    training_hours: int
    ngos: tuple[NgoRef, ...]
    note: str
    row_version: int

    def to_input(self) -> EventInput:
        return EventInput(
            kind=self.kind,
            title=self.title,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            county_id=self.county_id,
            organizer_ngo_id=self.organizer.id if self.organizer else None,
            attendees=self.attendees,
            training_hours=self.training_hours,
            ngo_ids=tuple(n.id for n in self.ngos),
            note=self.note,
        )


@dataclass(frozen=True)
class EventRow:
    """One line of the events list."""

    id: str
    kind: str
    kind_label: str
    title: str
    starts_on: date
    ends_on: date | None
    county_name: str
    organizer_name: str
    attendees: int
    hours: int
    ngo_count: int

    @property
    def last_day(self) -> date:
        return self.ends_on or self.starts_on

    @property
    def dates_text(self) -> str:
        if self.ends_on and self.ends_on != self.starts_on:
            return f"{format_jalali(self.starts_on)} تا {format_jalali(self.ends_on)}"
        return format_jalali(self.starts_on)


@dataclass(frozen=True)
class EventFilter:
    text: str = ""
    kind: str | None = None
    county_id: str | None = None  # a county id; PROVINCE_ONLY for the province's own events
    year: int | None = None  # Jalali year of the start
    ngo_id: str | None = None  # organizer or participant


PROVINCE_ONLY = "__province__"  # EventFilter.county_id value selecting province-wide events


# --- validation -----------------------------------------------------------------------------------


def event_errors(
    uow: UnitOfWork, data: EventInput, known_ngos: Collection[str] = frozenset()
) -> list[ValidationError]:
    """Every rule ``data`` breaks, in the form's order, each naming its EventInput field ([] = none).

    THE rules of an event: the dialog (through ``create_event`` / ``update_event``) and the «رویدادها»
    sheet's importer both call this. ``known_ngos``: NGO ids accepted without a look-up (those the stored
    event names already, kept even outside the actor's county; those an import found by national ID).
    """
    errors: list[ValidationError] = []

    def fail(field: str, message: str) -> None:
        errors.append(ValidationError(message, field=field))

    if data.kind not in KIND_LABELS:
        fail("kind", "نوع رویداد را انتخاب کنید")
    title = text.clean(data.title)
    if not title:
        fail("title", "عنوان رویداد وارد نشده است")
    elif len(title) > TITLE_MAX:
        fail("title", f"عنوان رویداد بیش از {text.to_persian_digits(TITLE_MAX)} نویسه است")
    if not isinstance(data.starts_on, date):
        fail("starts_on", "تاریخ شروع وارد نشده است")
    elif data.ends_on is not None and data.ends_on < data.starts_on:
        fail("ends_on", "تاریخ پایان نمی‌تواند پیش از تاریخ شروع باشد")
    if data.attendees is None or int(data.attendees) < 0:
        fail("attendees", "تعداد شرکت‌کنندگان نمی‌تواند منفی باشد")
    if data.training_hours is None or int(data.training_hours) < 0:
        fail("training_hours", "ساعت آموزش نمی‌تواند منفی باشد")
    elif data.kind in KIND_LABELS and data.kind != "course" and int(data.training_hours) > 0:
        fail("training_hours", "ساعت آموزش فقط برای دوره آموزشی ثبت می‌شود")
    if data.county_id is not None and uow.s.get(County, data.county_id) is None:
        fail("county_id", "شهرستان پیدا نشد")
    organizer = data.organizer_ngo_id
    if organizer is not None and organizer not in known_ngos and not _visible_ngos(uow, [organizer]):
        fail("organizer_ngo_id", "سمن برگزارکننده پیدا نشد")
    new_ids = list(dict.fromkeys(i for i in data.ngo_ids if i not in known_ngos))
    if new_ids and len(_visible_ngos(uow, new_ids)) != len(new_ids):
        fail("ngo_ids", "یکی از سمن‌های شرکت‌کننده پیدا نشد")
    return errors


def validate_event(uow: UnitOfWork, data: EventInput, known_ngos: Collection[str] = frozenset()) -> None:
    """Raise the first of ``event_errors`` (a ValidationError naming the field), if any."""
    errors = event_errors(uow, data, known_ngos)
    if errors:
        raise errors[0]


def _visible_ngos(uow: UnitOfWork, ids: list[str]) -> set[str]:
    """Those of ``ids`` that exist within the actor's county scope."""
    return set(uow.s.exec(select(Ngo.id).where(col(Ngo.id).in_(ids))))


def _distinct(ngo_ids: Collection[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ngo_ids))


def _get(uow: UnitOfWork, event_id: str) -> Event:
    """The event, or NotFoundError; PermissionDeniedError for another county's."""
    return uow.get(Event, event_id, missing="رویداد پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است")


def _linked_ngos(uow: UnitOfWork, event: Event) -> tuple[list[str], frozenset[str]]:
    """The stored participant ids, and every NGO id the event names (participants and organizer)."""
    participants = list(uow.s.exec(select(EventNgo.ngo_id).where(EventNgo.event_id == event.id)))
    organizer = [event.organizer_ngo_id] if event.organizer_ngo_id else []
    return participants, frozenset(participants + organizer)


def _set_participants(
    uow: UnitOfWork, event_id: str, ngo_ids: tuple[str, ...], stored: list[str] | None = None
) -> None:
    """Make the participant links equal ``ngo_ids`` (``stored``: the links there now)."""
    stored = stored or []
    gone = [i for i in stored if i not in ngo_ids]
    if gone:
        uow.s.exec(delete(EventNgo).where(EventNgo.event_id == event_id, col(EventNgo.ngo_id).in_(gone)))
    for ngo_id in ngo_ids:
        if ngo_id not in stored:
            uow.s.add(EventNgo(event_id=event_id, ngo_id=ngo_id))


# --- commands ------------------------------------------------------------------------------------


def create_event(uow: UnitOfWork, data: EventInput) -> str:
    """Store a new event and its participating NGOs; returns its id.

    Raises:
        PermissionDeniedError: a county user's event for another county or the province.
    """
    with uow.writing():
        uow.check_county(data.county_id)
        validate_event(uow, data)
        title = text.clean(data.title)
        event = Event(
            **stamps(),
            kind=data.kind,
            title=title,
            title_key=title_key_of(title),
            title_sort=text.persian_sort_key(title),
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            county_id=data.county_id,
            organizer_ngo_id=data.organizer_ngo_id,
            attendees=int(data.attendees),
            training_hours=int(data.training_hours),
            note=text.clean(data.note),
        )
        uow.s.add(event)
        uow.s.flush()
        _set_participants(uow, event.id, _distinct(data.ngo_ids))
        uow.commit()
        return event.id


STALE_EVENT = "این رویداد را کاربر دیگری پس از باز شدن ویرایش کرده است؛ آن را دوباره باز کنید"


def update_event(uow: UnitOfWork, event_id: str, data: EventInput, expected_version: int) -> None:
    """Save changes to an event opened at ``expected_version``.

    Raises:
        ConcurrentEditError: someone saved the event since it was opened.
        PermissionDeniedError: another county's event, or moving it out of a county user's county.
    """
    with uow.writing():
        event = _get(uow, event_id)
        if event.row_version != expected_version:
            raise ConcurrentEditError(STALE_EVENT, record=event_id)
        stored, linked = _linked_ngos(uow, event)
        validate_event(uow, data, linked)
        title = text.clean(data.title)
        values = {
            "kind": data.kind,
            "title": title,
            "title_key": title_key_of(title),
            "title_sort": text.persian_sort_key(title),
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
            "county_id": data.county_id,
            "organizer_ngo_id": data.organizer_ngo_id,
            "attendees": int(data.attendees),
            "training_hours": int(data.training_hours),
            "note": text.clean(data.note),
        }
        save_versioned(uow, event, expected_version, values, STALE_EVENT)
        _set_participants(uow, event_id, _distinct(data.ngo_ids), stored)
        uow.commit()


def delete_event(uow: UnitOfWork, event_id: str) -> None:
    """Delete an event and its participant links."""
    with uow.writing():
        event = _get(uow, event_id)
        uow.s.exec(delete(EventNgo).where(EventNgo.event_id == event_id))
        uow.s.delete(event)
        uow.commit()


# --- reads ---------------------------------------------------------------------------------------


def _ngo_refs(uow: UnitOfWork, ids: list[str]) -> dict[str, NgoRef]:
    """References to ``ids``; one the actor may not see is named HIDDEN_NGO_LABEL."""
    if not ids:
        return {}
    stmt = select(Ngo.id, Ngo.name, Ngo.national_id).where(col(Ngo.id).in_(ids))
    refs = {r[0]: NgoRef(r[0], r[1], r[2]) for r in uow.s.exec(stmt)}
    for ngo_id in ids:
        refs.setdefault(ngo_id, NgoRef(ngo_id, HIDDEN_NGO_LABEL, ""))
    return refs


def get_event(uow: UnitOfWork, event_id: str) -> EventDetail:
    with uow:
        event = _get(uow, event_id)
        ngo_ids, _linked = _linked_ngos(uow, event)
        refs = _ngo_refs(uow, ngo_ids + ([event.organizer_ngo_id] if event.organizer_ngo_id else []))
        county = uow.s.get(County, event.county_id) if event.county_id else None
        participants = sorted(
            (refs[i] for i in ngo_ids if i in refs), key=lambda r: text.persian_sort_key(r.name)
        )
        return EventDetail(
            id=event.id,
            kind=event.kind,
            kind_label=KIND_LABELS.get(event.kind, event.kind),
            title=event.title,
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            county_id=event.county_id,
            county_name=county.name if county else PROVINCE_LABEL,
            organizer=refs.get(event.organizer_ngo_id) if event.organizer_ngo_id else None,
            attendees=event.attendees,
            training_hours=event.training_hours,
            ngos=tuple(participants),
            note=event.note,
            row_version=event.row_version,
        )


def title_key_of(title: str) -> str:
    """An event's ``title_key``: its title as a search compares it (hamza forms folded, half-spaces joined:
    services/search.py); what the list searches and the sheet's import matches an event by. Every writer of
    an event stores this."""
    return text.search_key(title)


def _where(flt: EventFilter) -> list:
    conds: list = [search.contains(Event.title_key, word) for word in search.words(flt.text)]
    if flt.kind:
        conds.append(Event.kind == flt.kind)
    if flt.county_id == PROVINCE_ONLY:
        conds.append(col(Event.county_id).is_(None))
    elif flt.county_id:
        conds.append(Event.county_id == flt.county_id)
    if flt.year:
        first, last = year_range(int(flt.year))
        conds.append(col(Event.starts_on).between(first, last))
    if flt.ngo_id:
        participant = select(EventNgo.event_id).where(EventNgo.ngo_id == flt.ngo_id)
        conds.append(or_(Event.organizer_ngo_id == flt.ngo_id, col(Event.id).in_(participant)))
    return conds


def filter_conditions(flt: EventFilter) -> list:
    """The SQL conditions of ``flt`` over Event (for the exchange sheet's export of a filtered list)."""
    return _where(flt)


def count_events(uow: UnitOfWork, flt: EventFilter = EventFilter()) -> int:
    with uow:
        stmt = select(func.count()).select_from(Event).where(*_where(flt))
        return int(uow.s.exec(stmt).one())


def _ngo_count_subquery():
    return (
        select(func.count())
        .select_from(EventNgo)
        .where(EventNgo.event_id == Event.id)
        .correlate(Event)
        .scalar_subquery()
    )


def _row_statement():
    ngo_count = _ngo_count_subquery()
    return (
        select(
            Event.id,
            Event.kind,
            Event.title,
            Event.starts_on,
            Event.ends_on,
            County.name,
            Ngo.name,  # NULL for an organizer outside a county user's county (the join is scoped)
            Event.attendees,
            Event.training_hours,
            ngo_count,
            Event.organizer_ngo_id,
        )
        .select_from(Event)
        .outerjoin(County, County.id == Event.county_id)
        .outerjoin(Ngo, Ngo.id == Event.organizer_ngo_id)
    )


def _to_row(r) -> EventRow:
    return EventRow(
        id=r[0],
        kind=r[1],
        kind_label=KIND_LABELS.get(r[1], r[1]),
        title=r[2],
        starts_on=r[3],
        ends_on=r[4],
        county_name=r[5] or PROVINCE_LABEL,
        organizer_name=r[6] or (HIDDEN_NGO_LABEL if r[10] else OFFICE_LABEL),
        attendees=r[7],
        hours=r[8],
        ngo_count=int(r[9] or 0),
    )


def _order(sort: str, descending: bool) -> list:
    columns = {
        "starts_on": [Event.starts_on],
        "title": [Event.title_sort],  # Persian order; (title_sort, id) is indexed
        "kind": [Event.kind, Event.starts_on],
        "county": [County.name_key, Event.starts_on],
        "attendees": [Event.attendees],
        "hours": [Event.training_hours],
    }
    if sort not in columns:
        raise ValueError(f"unknown sort key: {sort!r}")
    return order_terms([*columns[sort], Event.id], descending, nullable=(County.name_key,))


def list_event_page(
    uow: UnitOfWork,
    flt: EventFilter = EventFilter(),
    sort: str = "starts_on",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[EventRow]:
    """One page of events matching ``flt`` in the order asked (ties broken by id, so pages are stable)."""
    with uow:
        stmt = _row_statement().where(*_where(flt)).order_by(*_order(sort, descending))
        stmt = stmt.offset(max(0, offset)).limit(max(0, limit))
        return [_to_row(r) for r in uow.s.exec(stmt)]


def events_in_month(uow: UnitOfWork, jy: int, jm: int, county_id: str | None = None) -> list[EventRow]:
    """Events touching Jalali month ``jm`` of ``jy`` (an event spanning months shows in each), by start.

    ``county_id`` None gives every event; a county id gives that county's; PROVINCE_ONLY the province's own.
    """
    first, last = month_range(jy, jm)
    with uow:
        overlaps = and_(
            Event.starts_on <= last,
            or_(
                and_(col(Event.ends_on).is_(None), Event.starts_on >= first),
                Event.ends_on >= first,
            ),
        )
        conds = [overlaps]
        if county_id == PROVINCE_ONLY:
            conds.append(col(Event.county_id).is_(None))
        elif county_id:
            conds.append(Event.county_id == county_id)
        stmt = _row_statement().where(*conds).order_by(col(Event.starts_on), col(Event.title_key))
        return [_to_row(r) for r in uow.s.exec(stmt)]


def event_days_in_month(rows: list[EventRow], jy: int, jm: int) -> dict[date, list[EventRow]]:
    """Map each Gregorian day of the Jalali month to the events held on it (multi-day events on each day)."""
    first, last = month_range(jy, jm)
    days: dict[date, list[EventRow]] = {}
    for row in rows:
        day = max(row.starts_on, first)
        end = min(row.last_day, last)
        while day <= end:
            days.setdefault(day, []).append(row)
            day = date.fromordinal(day.toordinal() + 1)
    return days


@dataclass(frozen=True)
class NgoEventRow:
    """An event on an NGO's timeline; ``role`` is «برگزارکننده» or «شرکت‌کننده»."""

    id: str
    kind: str
    kind_label: str
    title: str
    starts_on: date
    ends_on: date | None
    county_name: str
    role: str


def events_of_ngo(uow: UnitOfWork, ngo_id: str) -> list[NgoEventRow]:
    """The events an NGO organized or took part in, oldest first (for its timeline)."""
    rows = list_event_page(uow, EventFilter(ngo_id=ngo_id), "starts_on", False, 0, 100_000)
    with uow:
        organized = set(uow.s.exec(select(Event.id).where(Event.organizer_ngo_id == ngo_id)))
    return [
        NgoEventRow(
            r.id,
            r.kind,
            r.kind_label,
            r.title,
            r.starts_on,
            r.ends_on,
            r.county_name,
            "برگزارکننده" if r.id in organized else "شرکت‌کننده",
        )
        for r in rows
    ]


def event_years(uow: UnitOfWork) -> list[int]:
    """Jalali years that have at least one event, newest first (for the year filter)."""
    from ostandari_desk.domain.jalali import jalali_year_of

    with uow:
        lo, hi = uow.s.exec(select(func.min(Event.starts_on), func.max(Event.starts_on))).one()
    if lo is None:
        return []
    if isinstance(lo, str):
        lo, hi = date.fromisoformat(lo), date.fromisoformat(hi)
    return list(range(jalali_year_of(hi), jalali_year_of(lo) - 1, -1))


def search_ngos(uow: UnitOfWork, query: str, limit: int = 20) -> list[NgoRef]:
    """NGOs the NGO list finds by ``query`` (name, national id, registration number, CEO; hamza forms and
    half-spaces folded), first ``limit`` by name, for the pickers of events, letters and reports."""
    return [
        NgoRef(r.id, r.name, r.national_id) for r in list_ngo_page(uow, NgoFilter(text=query), limit=limit)
    ]
