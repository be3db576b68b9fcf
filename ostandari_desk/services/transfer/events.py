"""The «رویدادها» sheet: import and export of conferences, sessions and training courses.

An event is identified by its kind, normalized title, start date and county: a row matching a stored
event with the same details is counted as unchanged (so a file imported twice adds nothing); a row
matching one with different details is an error, to be fixed in the program.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import insert, select

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import ValidationError
from ostandari_desk.services import audit
from ostandari_desk.services.events import (
    KIND_LABELS,
    OFFICE_LABEL,
    PROVINCE_LABEL,
    TITLE_MAX,
    EventFilter,
    EventInput,
    event_errors,
    filter_conditions,
    title_key_of,
)
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
    cell_digits,
    cell_int,
    cell_text,
)
from ostandari_desk.store.models import County, Event, EventNgo, Ngo, new_id
from ostandari_desk.store.uow import UnitOfWork

H_TITLE = "عنوان"
H_KIND = "نوع"
H_STARTS = "تاریخ شروع"
H_ENDS = "تاریخ پایان"
H_COUNTY = "شهرستان"
H_ORGANIZER = "برگزارکننده"
H_ATTENDEES = "تعداد شرکت‌کنندگان"
H_HOURS = "ساعت آموزش"
H_NGOS = "سمن‌های شرکت‌کننده"

COLUMNS = (
    Column(H_TITLE, "title", True, max_length=TITLE_MAX),
    Column(H_KIND, "kind", True, max_length=100),
    Column(H_STARTS, "starts_on", True, max_length=40),
    Column(H_ENDS, "ends_on", max_length=40),
    Column(H_COUNTY, "county", True, max_length=100),
    Column(H_ORGANIZER, "organizer", max_length=300),
    Column(H_ATTENDEES, "attendees", max_length=40),
    Column(H_HOURS, "training_hours", max_length=40),
    Column(H_NGOS, "ngos", max_length=20000),  # national IDs of up to ~1,600 NGOs
)

_KINDS = {text.normalize(label): kind for kind, label in KIND_LABELS.items()} | {k: k for k in KIND_LABELS}
_LIST_SPLIT = re.compile(r"[،,؛;\n]")
_PROGRESS_EVERY = 500


def _lookups(uow: UnitOfWork) -> tuple[dict[str, str], dict[str, str]]:
    """county name_key -> id; NGO national id -> id."""
    counties = {key: cid for cid, key in uow.s.execute(select(County.id, County.name_key))}
    ngos = {nid: ngo_id for ngo_id, nid in uow.s.execute(select(Ngo.id, Ngo.national_id))}
    return counties, ngos


def _identity(kind: str, title_key: str, starts_on: date, county_id: str | None) -> tuple:
    return (kind, title_key, starts_on, county_id)


def _stored(uow: UnitOfWork) -> dict[tuple, dict[str, Any]]:
    """Every stored event's comparable details by identity."""
    e = Event.__table__.c
    participants: dict[str, frozenset[str]] = {}
    pairs: dict[str, set[str]] = {}
    for event_id, ngo_id in uow.s.execute(select(EventNgo.event_id, EventNgo.ngo_id)):
        pairs.setdefault(event_id, set()).add(ngo_id)
    participants = {k: frozenset(v) for k, v in pairs.items()}
    rows = uow.s.execute(
        select(
            e.id,
            e.kind,
            e.title_key,
            e.starts_on,
            e.county_id,
            e.ends_on,
            e.organizer_ngo_id,
            e.attendees,
            e.training_hours,
        )
    ).all()
    return {
        _identity(r.kind, r.title_key, r.starts_on, r.county_id): {
            "ends_on": r.ends_on,
            "organizer_ngo_id": r.organizer_ngo_id,
            "attendees": r.attendees,
            "training_hours": r.training_hours,
            "ngo_ids": participants.get(r.id, frozenset()),
        }
        for r in rows
    }


_FIELD_HEADERS = {
    "kind": H_KIND,
    "title": H_TITLE,
    "starts_on": H_STARTS,
    "ends_on": H_ENDS,
    "county_id": H_COUNTY,
    "organizer_ngo_id": H_ORGANIZER,
    "attendees": H_ATTENDEES,
    "training_hours": H_HOURS,
    "ngo_ids": H_NGOS,
}


def _read(
    number: int, values: tuple, get: dict, counties: dict, ngos: dict, county_refused
) -> tuple[EventInput, list[RowError]]:
    """The row as the EventInput the dialog would give, and the errors of cells that could not be read."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    kind_text = cell_text(get["kind"](values))
    kind = _KINDS.get(text.normalize(kind_text))
    if kind is None:
        if kind_text:
            fail(H_KIND, f"نوع «{kind_text}» نادرست است؛ همایش، نشست یا دوره آموزشی")
        else:
            fail(H_KIND, "نوع رویداد وارد نشده است")

    dates: dict[str, date | None] = {}
    for key, header in (("starts_on", H_STARTS), ("ends_on", H_ENDS)):
        try:
            dates[key] = cell_date(get[key](values))
        except ValidationError as exc:
            fail(header, exc.message)
            dates[key] = None

    county_text = cell_text(get["county"](values))
    county_key = text.normalize(county_text)
    county_id = None
    if not county_key:
        fail(H_COUNTY, "شهرستان وارد نشده است؛ برای رویداد استانی «استان» بنویسید")
    elif county_key != text.normalize(PROVINCE_LABEL):
        county_id = counties.get(county_key)
        if county_id is None:
            fail(H_COUNTY, f"شهرستان «{county_text}» در فهرست شهرستان‌های استان نیست")
    known = county_id is not None or county_key == text.normalize(PROVINCE_LABEL)
    if known and (reason := county_refused(county_id, county_text)):
        fail(H_COUNTY, reason)

    organizer_cell = get["organizer"](values)
    organizer_text = cell_text(organizer_cell)
    organizer_id = None
    if organizer_text and text.normalize(organizer_text) != text.normalize(OFFICE_LABEL):
        organizer_id = ngos.get(cell_digits(organizer_cell))
        if organizer_id is None:
            fail(H_ORGANIZER, f"برگزارکننده «{organizer_text}» نه «اداره کل» است و نه شناسه ملی سمنی ثبت‌شده")

    counts: dict[str, int] = {}
    for key, header in (("attendees", H_ATTENDEES), ("training_hours", H_HOURS)):
        try:
            counts[key] = cell_int(get[key](values)) or 0
        except ValidationError as exc:
            fail(header, exc.message)
            counts[key] = 0

    ngo_ids: list[str] = []
    ngos_cell = get["ngos"](values)
    if ngos_cell is not None:
        for part in _LIST_SPLIT.split(ngos_cell if isinstance(ngos_cell, str) else cell_text(ngos_cell)):
            nid = cell_digits(part)
            if not nid:
                continue
            ngo_id = ngos.get(nid)
            if ngo_id is None:
                fail(H_NGOS, f"سمنی با شناسه ملی «{text.to_persian_digits(nid)}» ثبت نشده است")
            elif ngo_id not in ngo_ids:
                ngo_ids.append(ngo_id)

    data = EventInput(
        kind=kind or "",
        title=cell_text(get["title"](values)),
        starts_on=dates["starts_on"],  # type: ignore[arg-type]  # None: the rules say it is missing
        ends_on=dates["ends_on"],
        county_id=county_id,
        organizer_ngo_id=organizer_id,
        attendees=counts["attendees"],
        training_hours=counts["training_hours"],
        ngo_ids=tuple(ngo_ids),
    )
    return data, errors


def _parse(
    uow: UnitOfWork, number: int, values: tuple, get: dict, counties: dict, ngos: dict, county_refused
) -> tuple[dict | None, list[RowError]]:
    """Check one row; returns (event values, []) or (None, every error of the row).

    The row is read into an EventInput and checked by the same rules as the dialog (``event_errors``);
    a rule's error goes to its field's column, unless reading that cell already failed.
    """
    data, errors = _read(number, values, get, counties, ngos, county_refused)
    known = {data.organizer_ngo_id, *data.ngo_ids} - {None}
    errors = with_rule_errors(
        number, errors, event_errors(uow, data, known_ngos=known), _FIELD_HEADERS, H_TITLE
    )
    if errors:
        return None, errors
    return {
        "kind": data.kind,
        "title": data.title,
        "title_key": title_key_of(data.title),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "county_id": data.county_id,
        "organizer_ngo_id": data.organizer_ngo_id,
        "attendees": data.attendees,
        "training_hours": data.training_hours,
        "ngo_ids": frozenset(data.ngo_ids),
    }, []


def _same(row: dict, old: dict) -> bool:
    return all(
        row[k] == old[k] for k in ("ends_on", "organizer_ngo_id", "attendees", "training_hours", "ngo_ids")
    )


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    with uow:
        counties, ngos = _lookups(uow)
        stored = _stored(uow)
        get = {c.key: column_getter(table, c.key) for c in COLUMNS}
        county_refused = county_guard(uow)
        seen: dict[tuple, int] = {}

        def check(number: int, values: tuple) -> tuple[dict | None, list[RowError]]:
            row, errors = _parse(uow, number, values, get, counties, ngos, county_refused)
            if row is None:
                return None, errors
            ident = _identity(row["kind"], row["title_key"], row["starts_on"], row["county_id"])
            if ident in seen:
                return None, [
                    RowError(
                        number,
                        H_TITLE,
                        "همین رویداد (نوع، عنوان، تاریخ و شهرستان) در ردیف "
                        f"{text.to_persian_digits(seen[ident])} همین پرونده هم آمده است",
                    )
                ]
            if ident in stored:
                if not _same(row, stored[ident]):
                    return None, [
                        RowError(
                            number,
                            H_TITLE,
                            "این رویداد (همان نوع، عنوان، تاریخ و شهرستان) پیش‌تر "
                            "با اطلاعات دیگری ثبت شده است؛ ویرایش آن را در برنامه انجام دهید",
                        )
                    ]
                report.unchanged += 1
                seen[ident] = number
                return None, []
            seen[ident] = number
            return row, []

        good, bad = read_rows(table, report, check, opts.progress, _PROGRESS_EVERY)
        return finish_import(uow, report, opts, good, bad, lambda rows: _insert(uow, rows))


def _insert(uow: UnitOfWork, good: list[dict[str, Any]]) -> None:
    """Through the session, so each event and each participant link gets its audit entry."""
    moment = audit.now_utc()
    event_rows, link_rows = [], []
    for row in good:
        event_id = new_id()
        values = {k: v for k, v in row.items() if k != "ngo_ids"}
        values.update(id=event_id, created_at=moment, updated_at=moment, row_version=1, note="")
        event_rows.append(values)
        link_rows.extend({"event_id": event_id, "ngo_id": ngo_id} for ngo_id in row["ngo_ids"])
    uow.s.execute(insert(Event.__table__), event_rows)
    if link_rows:
        uow.s.execute(insert(EventNgo.__table__), link_rows)


# --- export -------------------------------------------------------------------------------------


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    with uow:
        county_names = dict(uow.s.execute(select(County.id, County.name)).all())
        national_ids = dict(uow.s.execute(select(Ngo.id, Ngo.national_id)).all())
        links: dict[str, list[str]] = {}
        for event_id, ngo_id in uow.s.execute(select(EventNgo.event_id, EventNgo.ngo_id)):
            links.setdefault(event_id, []).append(national_ids.get(ngo_id, ""))
        stmt = select(Event).order_by(Event.starts_on, Event.title_key)
        if isinstance(flt, EventFilter):
            stmt = stmt.where(*filter_conditions(flt))
        rows = [
            (
                e.title,
                KIND_LABELS.get(e.kind, e.kind),
                jalali.format_jalali(e.starts_on),
                jalali.format_jalali(e.ends_on),
                county_names.get(e.county_id, "") if e.county_id else PROVINCE_LABEL,
                national_ids.get(e.organizer_ngo_id, "") if e.organizer_ngo_id else OFFICE_LABEL,
                e.attendees,
                e.training_hours if e.kind == "course" else None,
                "، ".join(sorted(links.get(e.id, []))),
            )
            for e in uow.s.scalars(stmt)
        ]
    yield from rows


KIND = TransferKind(
    name="events",
    title="رویدادها",
    unit="رویداد",
    table="event",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
