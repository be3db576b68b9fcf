"""The «مراکز» sheet: import and export of supervised centres.

A centre is identified by its code (unique across every county). A row whose code is stored with the same
details counts as unchanged, so a file imported twice adds nothing; a row whose code is stored with other
details, or in a county the actor does not see, is an error on «کد مرکز» (edit a centre in the program).

Each row is read into the CentreInput the centre dialog gives and checked by THE centre validator
(``services.inspections.centres.validate_centre``; ``centre_errors`` lists every rule a bad row breaks).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.services.inspections.centres import (
    ACTIVE_LABELS,
    ADDRESS_MAX,
    AGENCY_MAX,
    CATEGORY_KIND,
    LICENCE_NUMBER_MAX,
    NAME_MAX,
    OPERATOR_MAX,
    CentreFilter,
    CentreInput,
    centre_errors,
    clean_code,
    filter_conditions,
    validate_centre,
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
from ostandari_desk.services.transfer.sheets import Column, ImportReport, RowError, Table, cell_text
from ostandari_desk.store.models import Centre, County, ReferenceItem
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["COLUMNS", "KIND"]

H_CODE = "کد مرکز"
H_NAME = "نام مرکز"
H_CATEGORY = "نوع مرکز"
H_COUNTY = "شهرستان"
H_AGENCY = "دستگاه صادرکننده مجوز"
H_LICENCE = "شماره مجوز"
H_OPERATOR = "بهره‌بردار"
H_ADDRESS = "نشانی"
H_PHONE = "تلفن"
H_STATUS = "وضعیت"

COLUMNS = (
    Column(H_CODE, "code", True, max_length=100),
    Column(H_NAME, "name", True, max_length=NAME_MAX + 100),
    Column(H_CATEGORY, "category", True, max_length=200),
    Column(H_COUNTY, "county", True, max_length=100),
    Column(H_AGENCY, "licensing_agency", max_length=AGENCY_MAX),
    Column(H_LICENCE, "licence_number", max_length=LICENCE_NUMBER_MAX),
    Column(H_OPERATOR, "operator", max_length=OPERATOR_MAX),
    Column(H_ADDRESS, "address", max_length=ADDRESS_MAX),
    Column(H_PHONE, "phone", max_length=60),
    Column(H_STATUS, "status", max_length=40),
)

_FIELD_HEADERS = {
    "code": H_CODE,
    "name": H_NAME,
    "category_id": H_CATEGORY,
    "county_id": H_COUNTY,
    "licensing_agency": H_AGENCY,
    "licence_number": H_LICENCE,
    "operator": H_OPERATOR,
    "address": H_ADDRESS,
    "phone": H_PHONE,
    "active": H_STATUS,
}
_STATUS = {text.normalize(label).replace(" ", ""): active for active, label in ACTIVE_LABELS.items()}
# the columns a re-imported row must match to count as the stored centre
_COMPARED = (
    "name",
    "category_id",
    "county_id",
    "licensing_agency",
    "licence_number",
    "operator",
    "address",
    "phone",
    "active",
)
_PROGRESS_EVERY = 500


def _lookups(uow: UnitOfWork) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """category name key -> id; county name key -> id; stored code -> centre id (every county)."""
    r = ReferenceItem.__table__.c
    categories = {
        text.normalize(name): item_id
        for item_id, name in uow.s.execute(select(r.id, r.name).where(r.kind == CATEGORY_KIND))
    }
    c = County.__table__.c
    counties = {key: cid for cid, key in uow.s.execute(select(c.id, c.name_key))}
    t = Centre.__table__.c
    codes = {code: centre_id for centre_id, code in uow.s.execute(select(t.id, t.code))}
    return categories, counties, codes


def _read(
    number: int, values: tuple, get: dict, categories: dict, counties: dict, county_refused
) -> tuple[CentreInput, list[RowError]]:
    """The row as the CentreInput the dialog would give, and the errors of cells that could not be read."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    category_text = cell_text(get["category"](values))
    category_id = categories.get(text.normalize(category_text))
    if category_id is None:
        fail(
            H_CATEGORY,
            f"نوع مرکز «{category_text}» در فهرست انواع مرکز نیست"
            if category_text
            else "نوع مرکز وارد نشده است",
        )

    county_text = cell_text(get["county"](values))
    county_id = counties.get(text.normalize(county_text))
    if county_id is None:
        fail(
            H_COUNTY,
            f"شهرستان «{county_text}» در فهرست شهرستان‌های استان نیست"
            if county_text
            else "شهرستان مرکز وارد نشده است",
        )
    elif reason := county_refused(county_id, county_text):
        fail(H_COUNTY, reason)

    status_text = cell_text(get["status"](values))
    active = True
    if status_text:
        found = _STATUS.get(text.normalize(status_text).replace(" ", ""))
        if found is None:
            fail(H_STATUS, f"وضعیت «{status_text}» نادرست است؛ فعال یا غیرفعال (خالی = فعال)")
        else:
            active = found

    data = CentreInput(
        code=cell_text(get["code"](values)),
        name=cell_text(get["name"](values)),
        category_id=category_id,
        county_id=county_id,
        licensing_agency=cell_text(get["licensing_agency"](values)),
        licence_number=cell_text(get["licence_number"](values)),
        operator=cell_text(get["operator"](values)),
        address=cell_text(get["address"](values)),
        phone=cell_text(get["phone"](values)),
        active=active,
    )
    return data, errors


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    with uow:
        categories, counties, codes = _lookups(uow)
        get = {c.key: column_getter(table, c.key) for c in COLUMNS}
        county_refused = county_guard(uow)
        rows = RecordRows(
            uow,
            report,
            validate=validate_centre,
            rule_errors=centre_errors,
            headers=_FIELD_HEADERS,
            key_header=H_CODE,
            key_field="code",
            compared=_COMPARED,
            repeated=lambda code, row, first: (
                f"کد مرکز «{text.to_persian_digits(code)}» در ردیف "
                f"{text.to_persian_digits(first)} همین پرونده هم آمده است"
            ),
            changed=lambda code, stored: (
                f"کد مرکز «{text.to_persian_digits(code)}» پیش‌تر (مرکز «{stored.name}») با "
                "اطلاعات دیگری ثبت شده است؛ ویرایش آن را در برنامه انجام دهید"
            ),
        )

        def check(number: int, values: tuple) -> tuple[dict | None, list[RowError]]:
            data, errors = _read(number, values, get, categories, counties, county_refused)
            code = clean_code(data.code)
            stored_id = codes.get(code)
            stored = uow.s.get(Centre, stored_id) if stored_id else None  # None: another county's
            return rows.check(number, data, errors, code, stored)

        def store(good: list[dict[str, Any]]) -> None:
            insert_new(uow, Centre, good)  # through the session: audited row by row

        good, bad = read_rows(table, report, check, opts.progress, _PROGRESS_EVERY)
        return finish_import(uow, report, opts, good, bad, store)


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    with uow:
        county_names = dict(uow.s.execute(select(County.id, County.name)).all())
        r = ReferenceItem.__table__.c
        category_names = dict(uow.s.execute(select(r.id, r.name).where(r.kind == CATEGORY_KIND)).all())
        stmt = select(Centre).order_by(Centre.code)
        if isinstance(flt, CentreFilter):
            stmt = stmt.where(*filter_conditions(flt))
        rows = [
            (
                c.code,
                c.name,
                category_names.get(c.category_id, ""),
                county_names.get(c.county_id, "") if c.county_id else "",
                c.licensing_agency,
                c.licence_number,
                c.operator,
                c.address,
                c.phone,
                ACTIVE_LABELS[bool(c.active)],
            )
            for c in uow.s.scalars(stmt)
        ]
    yield from rows


KIND = TransferKind(
    name="centres",
    title="مراکز",
    unit="مرکز",
    table="centre",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
