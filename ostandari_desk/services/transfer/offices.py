"""The «دفاتر تسهیلگری» sheet: import and export of facilitation offices.

An office is identified by its county and its name (compared normalized, as the register does). A row
matching a stored office with the same details counts as unchanged, so a file imported twice adds
nothing; a row matching one with other details is an error on «نام دفتر» (edit an office in the program).

Each row is read into the OfficeInput the office dialog gives and checked by THE office validator
(``services.memoranda.offices.validate_office``; ``office_errors`` lists every rule a bad row breaks).
Import the offices before the memoranda that name them (offices, memoranda, progress, payments).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.memoranda.offices import (
    NAME_MAX,
    NEIGHBOURHOODS_MAX,
    STATE_LABELS,
    OfficeFilter,
    OfficeInput,
    filter_conditions,
    office_errors,
    state_from_label,
    validate_office,
)
from ostandari_desk.services.transfer.base import (
    ImportOptions,
    TransferKind,
    column_getter,
    county_guard,
    finish_import,
    read_rows,
)
from ostandari_desk.services.transfer.record_rows import RecordRows, insert_new
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
from ostandari_desk.store.models import County, FacilitationOffice, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["COLUMNS", "KIND"]

H_NAME = "نام دفتر"
H_COUNTY = "شهرستان"
H_NEIGHBOURHOODS = "محله‌ها"
H_NGO = "سمن مجری"
H_OPENED = "تاریخ گشایش"
H_BUDGET = "اعتبار (ریال)"
H_STATE = "وضعیت"

COLUMNS = (
    Column(H_NAME, "name", True, max_length=NAME_MAX + 100),
    Column(H_COUNTY, "county", True, max_length=100),
    Column(H_NEIGHBOURHOODS, "neighbourhoods", max_length=NEIGHBOURHOODS_MAX + 500),
    Column(H_NGO, "ngo", max_length=40),
    Column(H_OPENED, "opened_on", max_length=40),
    Column(H_BUDGET, "budget", max_length=60),
    Column(H_STATE, "state", max_length=60),
)

_FIELD_HEADERS = {
    "name": H_NAME,
    "county_id": H_COUNTY,
    "neighbourhoods": H_NEIGHBOURHOODS,
    "ngo_id": H_NGO,
    "opened_on": H_OPENED,
    "budget": H_BUDGET,
    "state": H_STATE,
}
# the columns a re-imported row must match to count as the stored office
_COMPARED = ("neighbourhoods", "ngo_id", "opened_on", "budget", "state")
_PROGRESS_EVERY = 500


def _lookups(uow: UnitOfWork) -> tuple[dict[str, str], dict[str, str]]:
    """county name key -> id; NGO national id -> id (every NGO: a province NGO may run a county's office)."""
    c = County.__table__.c
    counties = {key: cid for cid, key in uow.s.execute(select(c.id, c.name_key))}
    n = Ngo.__table__.c
    ngos = {nid: ngo_id for ngo_id, nid in uow.s.execute(select(n.id, n.national_id))}
    return counties, ngos


def _read(
    number: int, values: tuple, get: dict, counties: dict, ngos: dict, county_refused
) -> tuple[OfficeInput, list[RowError]]:
    """The row as the OfficeInput the dialog would give, and the errors of cells that could not be read."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    county_text = cell_text(get["county"](values))
    county_id = counties.get(text.normalize(county_text))
    if county_id is None:
        fail(
            H_COUNTY,
            f"شهرستان «{county_text}» در فهرست شهرستان‌های استان نیست"
            if county_text
            else "شهرستان دفتر وارد نشده است",
        )
    elif reason := county_refused(county_id, county_text):
        fail(H_COUNTY, reason)

    ngo_cell = get["ngo"](values)
    ngo_id = None
    if cell_text(ngo_cell):
        nid = cell_digits(ngo_cell)
        ngo_id = ngos.get(nid)
        if ngo_id is None:
            fail(H_NGO, f"سمنی با شناسه ملی «{text.to_persian_digits(cell_text(ngo_cell))}» ثبت نشده است")

    opened_on = None
    try:
        opened_on = cell_date(get["opened_on"](values))
    except ValidationError as exc:
        fail(H_OPENED, exc.message)

    budget: int | None = 0
    try:
        budget = cell_int(get["budget"](values))
    except ValidationError as exc:
        fail(H_BUDGET, f"اعتبار باید عددی صحیح به ریال باشد: {exc.message}")

    state_text = cell_text(get["state"](values))
    state = state_from_label(state_text)
    if state is None:
        fail(H_STATE, f"وضعیت «{state_text}» نادرست است؛ در دست راه‌اندازی، فعال یا بسته (خالی = فعال)")

    data = OfficeInput(
        name=cell_text(get["name"](values)),
        county_id=county_id,
        neighbourhoods=cell_text(get["neighbourhoods"](values)),
        ngo_id=ngo_id,
        opened_on=opened_on,
        budget=0 if budget is None else budget,
        state=state or "open",
    )
    return data, errors


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    with uow:
        counties, ngos = _lookups(uow)
        get = {c.key: column_getter(table, c.key) for c in COLUMNS}
        county_refused = county_guard(uow)
        o = FacilitationOffice.__table__.c
        stored_ids = {
            (county_id, key): oid
            for oid, county_id, key in uow.s.execute(select(o.id, o.county_id, o.name_key))
        }
        rows = RecordRows(
            uow,
            report,
            validate=validate_office,
            rule_errors=office_errors,
            headers=_FIELD_HEADERS,
            key_header=H_NAME,
            key_field="name",
            compared=_COMPARED,
            repeated=lambda ident, row, first: (
                f"دفتر «{row['name']}» همین شهرستان در ردیف "
                f"{text.to_persian_digits(first)} همین پرونده هم آمده است"
            ),
            changed=lambda ident, stored: (
                f"دفتر «{stored.name}» در این شهرستان پیش‌تر با اطلاعات دیگری ثبت شده است؛ "
                "ویرایش آن را در برنامه انجام دهید"
            ),
        )

        def check(number: int, values: tuple) -> tuple[dict | None, list[RowError]]:
            data, errors = _read(number, values, get, counties, ngos, county_refused)
            ident = (data.county_id, text.normalize(text.clean(data.name)))
            stored_id = stored_ids.get(ident) if data.county_id else None
            stored = uow.s.get(FacilitationOffice, stored_id) if stored_id else None
            return rows.check(number, data, errors, ident, stored)

        def store(good: list[dict[str, Any]]) -> None:
            insert_new(uow, FacilitationOffice, good)  # through the session: audited

        good, bad = read_rows(table, report, check, opts.progress, _PROGRESS_EVERY)
        return finish_import(uow, report, opts, good, bad, store)


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    """Every office in the actor's scope (matching ``flt`` when it is an OfficeFilter), by county, then name."""
    with uow:
        county_rows = uow.s.execute(select(County.id, County.name, County.position)).all()
        county_names = {cid: name for cid, name, _ in county_rows}
        county_rank = {cid: (position or 0, name) for cid, name, position in county_rows}
        ngo = Ngo.__table__
        stmt = select(FacilitationOffice, ngo.c.national_id).outerjoin(
            ngo, ngo.c.id == FacilitationOffice.ngo_id
        )
        if isinstance(flt, OfficeFilter):
            stmt = stmt.where(*filter_conditions(flt))
        offices = uow.s.execute(stmt).all()
        offices.sort(
            key=lambda r: (county_rank.get(r[0].county_id, (0, "")), text.persian_sort_key(r[0].name))
        )
        rows = [
            (
                o.name,
                county_names.get(o.county_id, "") if o.county_id else "",
                o.neighbourhoods,
                national_id or "",
                format_jalali(o.opened_on),
                int(o.budget),
                STATE_LABELS.get(o.state, o.state),
            )
            for o, national_id in offices
        ]
    yield from rows


KIND = TransferKind(
    name="offices",
    title="دفاتر تسهیلگری",
    unit="دفتر",
    table="facilitationoffice",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
