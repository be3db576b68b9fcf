"""The «سمن‌ها» sheet: import (fast path: pure-Python checks, Core inserts) and export of NGOs.

A 100,000-row workbook must import in at most twice the time a raw load of the same rows takes
(tests/bench/run.py: calamine's read and a bare ``executemany``), so each row's cells are fetched in
one call and checked against lookups loaded once (counties, fields, stored national IDs), repeated
cells (counties, CEOs, dates) are worked out once, and the rows are inserted by the database's bulk
loader (``uow.db``) in chunks, all inside one transaction, each row recorded in the audit by
``uow.audit_loaded`` (the loader writes below the session, which would not see them).

A row whose national ID is stored already is unchanged when its (non-empty) cells agree; otherwise the
NGO is updated when the sheet was made after its last change in the app, and the row is refused, naming
both values and dates, when the app's record is newer (transfer/ngo_changes.py); a county user's row for
another county's NGO is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import func, select

from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.lifecycle import LEVEL_LABELS, Level, LicenceState
from ostandari_desk.errors import ValidationError
from ostandari_desk.services import audit
from ostandari_desk.services.ngos import PROVINCE_ONLY, licence_state_condition
from ostandari_desk.services.ngos.rows import STATUS_LABELS, NgoInput
from ostandari_desk.services.ngos.validation import ngo_errors
from ostandari_desk.services.transfer.base import (
    ImportOptions,
    TransferKind,
    cells_getter,
    county_guard,
    finish_import,
    read_rows,
    with_rule_errors,
)
from ostandari_desk.services.transfer.ngo_changes import (
    OTHER_COUNTY,
    NgoChange,
    apply_changes,
    changed_since_error,
    note_changes,
    unchanged_since,
)
from ostandari_desk.services.transfer.sheets import (
    Column,
    ImportReport,
    RowError,
    Table,
    cell_date,
    cell_digits,
    cell_text,
)
from ostandari_desk.store.models import County, Ngo, NgoField, ReferenceItem, new_id
from ostandari_desk.store.uow import UnitOfWork

H_NATIONAL_ID = "شناسه ملی"
H_NAME = "نام سازمان"
H_COUNTY = "شهرستان"
H_LEVEL = "سطح فعالیت"
H_FIELDS = "حوزه فعالیت"
H_REG_NO = "شماره ثبت"
H_REG_ON = "تاریخ ثبت"
H_CEO = "مدیرعامل"
H_CEO_CODE = "کد ملی مدیرعامل"
H_PHONE = "تلفن"
H_ADDRESS = "نشانی"
H_STATUS = "وضعیت"

COLUMNS = (
    Column(H_NATIONAL_ID, "national_id", True, max_length=40),
    Column(H_NAME, "name", True, max_length=300),
    Column(H_COUNTY, "county", True, max_length=100),
    Column(H_LEVEL, "level", True, max_length=50),
    Column(H_FIELDS, "fields", max_length=2000),
    Column(H_REG_NO, "registration_no", max_length=50),
    Column(H_REG_ON, "registered_on", max_length=40),
    Column(H_CEO, "ceo_name", max_length=200),
    Column(H_CEO_CODE, "ceo_national_code", max_length=40),
    Column(H_PHONE, "phone", max_length=40),
    Column(H_ADDRESS, "address", max_length=1000),
    Column(H_STATUS, "status", max_length=20),
)

PROVINCE_WORD = "استان"  # the county cell of a province-wide NGO
_LIST_SPLIT = re.compile(r"[،,؛;\n]")
_CHUNK = 5000
_PROGRESS_EVERY = 1000

_FIELD_HEADERS = {
    "national_id": H_NATIONAL_ID,
    "name": H_NAME,
    "county_id": H_COUNTY,
    "level": H_LEVEL,
    "registration_no": H_REG_NO,
    "registered_on": H_REG_ON,
    "founded_on": H_REG_ON,
    "ceo_name": H_CEO,
    "ceo_national_code": H_CEO_CODE,
    "phone": H_PHONE,
    "address": H_ADDRESS,
    "status": H_STATUS,
}
_COLUMN_ORDER = {c.header: i for i, c in enumerate(COLUMNS)}
_LEVELS = {text.normalize(label): level.value for level, label in LEVEL_LABELS.items()} | {
    level.value: level.value for level in Level
}
# «فعال» / «غیرفعال» (the stored words too); an empty cell: active for a new NGO, the stored status kept
_STATUSES = {text.normalize(label): status for status, label in STATUS_LABELS.items()} | {
    status: status for status in STATUS_LABELS
}


def search_text(name: str, national_id: str, registration_no: str, ceo_name: str) -> str:
    """What the full-text index holds for an NGO (the same as services.ngos builds)."""
    return text.search_text(name, national_id, registration_no, ceo_name)


def _search_part(cell: str) -> str:
    """``text.search_text(cell)`` of a tidy cell (cleaned: no stray spaces): an ASCII one is its own search
    form once casefolded (no search fold touches ASCII), so only Persian text goes through the folds."""
    return cell.casefold() if cell.isascii() else text.search_text(cell)


def person_keys(name: str) -> tuple[str, str, str]:
    """A person's cleaned name: its search key (for comparing), sort key and search text."""
    return text.normalize(name), text.persian_sort_key(name), text.search_text(name)


def new_values(
    row: dict[str, Any],
    seq: int,
    moment: datetime,
    ceo_keys: tuple[str, str, str] | None = None,
    ngo_id: str | None = None,
) -> dict[str, Any]:
    """The ``ngo`` columns of a checked, cleaned row (same as services.ngos.prepare_ngo_values,
    which a test holds it to) without checking everything a second time. ``ceo_keys``: the CEO's
    ``person_keys`` when known already (an import sees the same few thousand names again and again).

    The search text is made part by part, which ``text.search_text`` allows (joining parts with one
    space commutes with it): the CEO's from ``ceo_keys``, the codes' without the Persian folds.
    """
    name = row["name"]
    _ceo_key, ceo_sort, ceo_search = ceo_keys or person_keys(row["ceo_name"])
    codes = (_search_part(row["national_id"]), _search_part(row["registration_no"]))
    parts = (text.search_text(name), *codes, ceo_search)
    return {
        **row,
        "id": ngo_id or new_id(),
        "seq": seq,
        "name_key": text.normalize(name),
        "name_sort": text.persian_sort_key(name),
        "ceo_sort": ceo_sort,
        "founded_on": None,
        "search_text": " ".join(part for part in parts if part),
        "created_at": moment,
        "updated_at": moment,
        "row_version": 1,
        "status": row.get("status") or "active",
        "licence_state": LicenceState.NONE.value,
    }


def _county_reader(county_ids: dict[str, str]):
    """A county cell: (county id or None for the province, the reason it is refused or "", the cell as
    shown), remembered per cell (a sheet names a few counties again and again)."""
    province_key = text.normalize(PROVINCE_WORD)

    def read(cell: Any) -> tuple[str | None, str, str]:
        shown = cell_text(cell)
        key = text.normalize(shown)
        if not key:
            return None, "شهرستان وارد نشده است", shown
        if key == province_key:
            return None, "", shown
        county_id = county_ids.get(key)
        if county_id is None:
            return None, f"شهرستان «{shown}» در فهرست شهرستان‌های استان نیست", shown
        return county_id, "", shown

    return cache(read)


def _level_of(cell: Any) -> tuple[str | None, str]:
    shown = cell_text(cell)
    level = _LEVELS.get(text.normalize(shown))
    if level is not None:
        return level, ""
    if shown:
        return None, f"سطح «{shown}» نادرست است؛ شهرستانی، استانی یا ملی"
    return None, "سطح فعالیت وارد نشده است"


def _status_of(cell: Any) -> tuple[str, str]:
    """The stored status of a «وضعیت» cell ("" when empty) and the reason it is refused ("" when not)."""
    shown = cell_text(cell)
    if not shown:
        return "", ""
    status = _STATUSES.get(text.normalize(shown))
    if status is None:
        return "", f"وضعیت «{shown}» نادرست است؛ فعال یا غیرفعال"
    return status, ""


def _fields_reader(field_ids: dict[str, str]):
    def read(cell: Any) -> tuple[list[str], list[str]]:
        found: list[str] = []
        problems: list[str] = []
        if cell is None:
            return found, problems
        for part in _LIST_SPLIT.split(cell_text(cell)):
            key = text.normalize(part)
            if not key:
                continue
            fid = field_ids.get(key)
            if fid is None:
                problems.append(f"حوزه فعالیت «{text.clean(part)}» در فهرست حوزه‌ها نیست")
            elif fid not in found:
                found.append(fid)
        return found, problems

    return cache(read)


def _person_of(cell: Any) -> tuple[str, tuple[str, str, str]]:
    """A name cell: its display text and ``person_keys``."""
    shown = cell_text(cell)
    return shown, person_keys(shown)


def _date_cache():
    """cell_date with a memory: a sheet repeats the same few thousand dates."""
    cache: dict[Any, Any] = {}

    def parse(value: Any) -> date | None:
        if value is None or not isinstance(value, str):
            return cell_date(value)
        hit = cache.get(value)
        if hit is None:
            try:
                hit = cell_date(value)
            except ValidationError as exc:
                hit = exc
            cache[value] = hit
        if isinstance(hit, ValidationError):
            raise hit
        return hit

    return parse


def _lookups(uow: UnitOfWork) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """county name_key -> id, county id -> name, field name_key -> id."""
    counties = uow.s.execute(select(County.id, County.name, County.name_key)).all()
    fields = uow.s.execute(
        select(ReferenceItem.id, ReferenceItem.name_key).where(ReferenceItem.kind == "field")
    ).all()
    return (
        {key: cid for cid, _name, key in counties},
        {cid: name for cid, name, _key in counties},
        {key: fid for fid, key in fields},
    )


_COMPARED = (
    ("name_key", H_NAME),
    ("county_id", H_COUNTY),
    ("level", H_LEVEL),
    ("registration_no", H_REG_NO),
    ("registered_on", H_REG_ON),
    ("ceo_key", H_CEO),
    ("ceo_national_code", H_CEO_CODE),
    ("phone", H_PHONE),
    ("address_key", H_ADDRESS),
    ("status", H_STATUS),
)


def _stored(uow: UnitOfWork) -> dict[str, dict[str, Any]]:
    """Every stored NGO's comparable values by national ID (one query).

    Over the whole province, also for a county user: a national ID is unique across counties, so a
    row repeating another county's NGO must be refused, not stored twice.
    """
    t = Ngo.__table__.c
    rows = uow.s.execute(
        select(
            t.national_id,
            t.id,
            t.updated_at,
            t.row_version,
            t.name_key,
            t.county_id,
            t.level,
            t.registration_no,
            t.registered_on,
            t.ceo_name,
            t.ceo_national_code,
            t.phone,
            t.address,
            t.status,
        )
    ).all()
    return {
        r.national_id: {
            "id": r.id,
            "updated_at": r.updated_at,
            "row_version": r.row_version,
            "name_key": r.name_key,
            "county_id": r.county_id,
            "level": r.level,
            "registration_no": r.registration_no,
            "registered_on": r.registered_on,
            "ceo_key": text.normalize(r.ceo_name),
            "ceo_national_code": r.ceo_national_code,
            "phone": r.phone,
            "address_key": text.normalize(r.address),
            "status": r.status,
        }
        for r in rows
    }


def _differences(row: dict[str, Any], stored: dict[str, Any], present: set[str]) -> list[str]:
    """Headers whose (non-empty) cell disagrees with the stored NGO."""
    diffs = []
    for key, header in _COMPARED:
        if header not in present:
            continue
        value = row[key]
        if value in ("", None) and key not in ("county_id",):
            continue
        if value != stored[key]:
            diffs.append(header)
    return diffs


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    with uow:
        county_ids, _names, field_ids = _lookups(uow)
        stored = _stored(uow)
        stored_fields: dict[str, set[str]] | None = None
        pos = table.positions
        present = {c.header for c in COLUMNS if c.key in pos}

        cells_of = cells_getter(table, [c.key for c in COLUMNS])  # a row's cells in COLUMNS' order

        seq = (uow.s.execute(select(func.max(Ngo.seq))).scalar() or 0) + 1
        moment = audit.now_utc()
        today = date.today()
        parse_date = _date_cache()
        county_of, level_of, fields_of = (
            _county_reader(county_ids),
            cache(_level_of),
            _fields_reader(field_ids),
        )
        person_of = cache(_person_of)
        status_of = cache(_status_of)
        county_refused = county_guard(uow)
        # The new NGOs' ids share a random prefix and end in their seq: unique like a UUID, and in
        # order, so the id indexes (the NGO's, its fields', the audit's) grow at their end.
        id_prefix = new_id()[:20]
        seen: dict[str, int] = {}
        changes: list[NgoChange] = []

        def check(number: int, values: tuple) -> tuple[tuple | None, list[RowError]]:
            nonlocal seq, stored_fields
            row_errors: list[RowError] = []

            def fail(header: str, reason: str) -> None:
                row_errors.append(RowError(number, header, reason))

            (
                nid_cell,
                name_cell,
                county_cell,
                level_cell,
                fields_cell,
                regno_cell,
                regon_cell,
                ceo_cell,
                ceo_code_cell,
                phone_cell,
                address_cell,
                status_cell,
            ) = cells_of(values)
            # the cells the sheet spells its own way (county and level by name, fields as a list)
            county_id, county_error, county_shown = county_of(county_cell)
            if county_error:
                fail(H_COUNTY, county_error)
            elif reason := county_refused(county_id, county_shown):
                fail(H_COUNTY, reason)
            level, level_error = level_of(level_cell)
            if level_error:
                fail(H_LEVEL, level_error)
            ngo_fields, field_errors = fields_of(fields_cell)
            for reason in field_errors:
                fail(H_FIELDS, reason)
            status, status_error = status_of(status_cell)
            if status_error:
                fail(H_STATUS, status_error)
            registered_on: date | None = None
            try:
                registered_on = parse_date(regon_cell)
            except ValidationError as exc:
                fail(H_REG_ON, exc.message)

            # then the NGO's own rules, the same the dialog keeps (ngo_errors)
            nid = cell_digits(nid_cell)
            name = cell_text(name_cell)
            ceo_name, ceo_keys = person_of(ceo_cell)
            ceo_code = cell_digits(ceo_code_cell)
            phone = cell_digits(phone_cell)
            data = NgoInput(
                national_id=nid,
                name=name,
                county_id=county_id,
                level=level or "",
                registered_on=registered_on,
                ceo_name=ceo_name,
                ceo_national_code=ceo_code,
                phone=phone,
            )
            row_errors = with_rule_errors(number, row_errors, ngo_errors(data, today), _FIELD_HEADERS, H_NAME)
            if not row_errors or all(e.column != H_NATIONAL_ID for e in row_errors):
                if nid in seen:
                    fail(
                        H_NATIONAL_ID,
                        f"این شناسه ملی در ردیف {text.to_persian_digits(seen[nid])} همین پرونده هم آمده است",
                    )
                else:
                    seen[nid] = number
            registration_no = text.digits_to_latin(cell_text(regno_cell))
            address = cell_text(address_cell)

            if row_errors:
                row_errors.sort(key=lambda e: _COLUMN_ORDER[e.column])
                return None, row_errors

            row = {
                "national_id": nid,
                "name": name,
                "county_id": county_id,
                "level": level,
                "registration_no": registration_no,
                "registered_on": registered_on,
                "ceo_name": ceo_name,
                "ceo_national_code": ceo_code,
                "phone": phone,
                "address": address,
                "status": status,
            }
            old = stored.get(nid)
            if old is not None:
                compare = {
                    **row,
                    "name_key": text.normalize(name),
                    "ceo_key": ceo_keys[0],
                    "address_key": text.normalize(address),
                }
                diffs = _differences(compare, old, present)
                new_fields = None
                if ngo_fields:
                    if stored_fields is None:
                        stored_fields = _stored_field_sets(uow)
                    if set(ngo_fields) != stored_fields.get(old["id"], set()):
                        diffs.append(H_FIELDS)
                        new_fields = tuple(ngo_fields)
                if not diffs:
                    report.unchanged += 1
                    return None, []
                if not uow.actor.sees_county(old["county_id"]):
                    return None, [RowError(number, H_NATIONAL_ID, OTHER_COUNTY)]
                if not unchanged_since(old["updated_at"], table.made_at):
                    shown = _cells(table, values, diffs)
                    return None, [changed_since_error(uow, number, old["id"], shown, table.made_at)]
                change = NgoChange(number, old["id"], old["row_version"], row, new_fields, tuple(diffs))
                changes.append(change)
                return None, []
            ngo_id = f"{id_prefix}{seq:012x}"
            good_row = (new_values(row, seq, moment, ceo_keys, ngo_id), tuple(ngo_fields))
            seq += 1
            return good_row, []

        good, bad = read_rows(table, report, check, opts.progress, _PROGRESS_EVERY)
        note_changes(report, changes, opts.dry_run)
        return finish_import(
            uow,
            report,
            opts,
            good,
            bad,
            lambda rows: _insert(uow, rows),
            changes,
            lambda rows: apply_changes(uow, rows, new_values),
        )


# the stored ngo column each compared header shows (the fields of activity: None)
_HEADER_KEYS = {
    H_NAME: "name",
    H_COUNTY: "county_id",
    H_LEVEL: "level",
    H_REG_NO: "registration_no",
    H_REG_ON: "registered_on",
    H_CEO: "ceo_name",
    H_CEO_CODE: "ceo_national_code",
    H_PHONE: "phone",
    H_ADDRESS: "address",
    H_STATUS: "status",
}


def _cells(table: Table, values: tuple, headers: list[str]) -> list[tuple[str, str | None, str]]:
    """(header, stored column, the cell as typed) of each differing column, for the row's error."""
    found = []
    for header in headers:
        index = table.positions.get(COLUMNS[_COLUMN_ORDER[header]].key)
        cell = cell_text(values[index]) if index is not None and index < len(values) else ""
        found.append((header, _HEADER_KEYS.get(header), cell))
    return found


def _stored_field_sets(uow: UnitOfWork) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for ngo_id, field_id in uow.s.execute(select(NgoField.ngo_id, NgoField.field_id)):
        result.setdefault(ngo_id, set()).add(field_id)
    return result


def _insert(uow: UnitOfWork, good: list[tuple[dict[str, Any], tuple[str, ...]]]) -> None:
    """The new NGOs and their fields through the bulk loader, in chunks, in the caller's transaction.

    The full-text index is set aside meanwhile and filled once at the end (``uow.db``); every row,
    NGO and field alike, gets its audit entry (the loader writes below the session, which would not
    see them).
    """
    conn = uow.s.connection()
    db = uow.db
    ngo_table, field_table = Ngo.__table__, NgoField.__table__
    first, last = good[0][0]["seq"], good[-1][0]["seq"]
    with db.ngo_search_set_aside(conn, first, len(good)):
        for start in range(0, len(good), _CHUNK):
            chunk = good[start : start + _CHUNK]
            db.bulk_insert(conn, ngo_table, [values for values, _fields in chunk])
            field_rows = [{"ngo_id": values["id"], "field_id": f} for values, fields in chunk for f in fields]
            db.bulk_insert(conn, field_table, field_rows)
    # one entry per new NGO and per field row, built by the database from the rows just written
    new_ngos = ngo_table.c.seq.between(first, last)
    uow.audit_loaded(ngo_table, new_ngos)
    uow.audit_loaded(field_table, field_table.c.ngo_id.in_(select(ngo_table.c.id).where(new_ngos)))


# --- export -------------------------------------------------------------------------------------


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    with uow:
        _keys, county_names, _fields = _lookups(uow)
        field_names = dict(
            uow.s.execute(
                select(ReferenceItem.id, ReferenceItem.name).where(ReferenceItem.kind == "field")
            ).all()
        )
        t = Ngo.__table__.c
        stmt = select(
            t.id,
            t.national_id,
            t.name,
            t.county_id,
            t.level,
            t.registration_no,
            t.registered_on,
            t.ceo_name,
            t.ceo_national_code,
            t.phone,
            t.address,
            t.status,
        ).order_by(t.name_sort, t.national_id)
        stmt = stmt.where(uow.in_scope(t.county_id))  # a plain table: not scoped by the session
        if flt is not None:
            stmt = _apply_filter(uow, stmt, flt)
        rows = uow.s.execute(stmt).all()
        fields: dict[str, list[str]] = {}
        for ngo_id, field_id in uow.s.execute(select(NgoField.ngo_id, NgoField.field_id)):
            if field_id in field_names:
                fields.setdefault(ngo_id, []).append(field_names[field_id])
    for r in rows:
        yield (
            r.national_id,
            r.name,
            county_names.get(r.county_id, "") if r.county_id else PROVINCE_WORD,
            LEVEL_LABELS.get(Level(r.level), r.level) if r.level in Level._value2member_map_ else r.level,
            "، ".join(sorted(fields.get(r.id, []), key=text.persian_sort_key)),
            r.registration_no,
            jalali.format_jalali(r.registered_on),
            r.ceo_name,
            r.ceo_national_code,
            r.phone,
            r.address,
            STATUS_LABELS.get(r.status, r.status),
        )


def _apply_filter(uow: UnitOfWork, stmt, flt: Any):
    """Apply an NgoFilter-like object (text, county_id, level, field_id, status, licence_state)."""
    t = Ngo.__table__.c
    words = getattr(flt, "text", "") or ""
    if text.normalize(words):
        match = uow.db.ngo_match(words)
        if not match:  # nothing searchable: nothing matches
            return stmt.where(t.seq.is_(None))
        stmt = stmt.where(t.seq.in_(uow.db.ngo_match_seqs(match)))
    if getattr(flt, "county_id", None) == PROVINCE_ONLY:
        stmt = stmt.where(t.county_id.is_(None))
    elif getattr(flt, "county_id", None):
        stmt = stmt.where(t.county_id == flt.county_id)
    for attr in ("level", "status"):
        value = getattr(flt, attr, None)
        if value:
            stmt = stmt.where(getattr(t, attr) == str(value))
    if getattr(flt, "licence_state", None):
        stmt = stmt.where(licence_state_condition(t, str(flt.licence_state)))
    if getattr(flt, "field_id", None):
        stmt = stmt.where(t.id.in_(select(NgoField.ngo_id).where(NgoField.field_id == flt.field_id)))
    return stmt


KIND = TransferKind(
    name="ngos",
    title="سمن‌ها",
    unit="سمن",
    table="ngo",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
