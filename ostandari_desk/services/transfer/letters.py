"""The «مکاتبات» sheet: import and export of letters.

A letter is identified by its direction, Jalali year and number (the table's unique key). A row
matching a stored letter with the same details counts as unchanged, so a file imported twice adds
nothing; a row matching one with different details is an error (the number is taken).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import ValidationError
from ostandari_desk.services import audit
from ostandari_desk.services.letters import (
    DIRECTION_LABELS,
    KIND_LABELS,
    LetterFilter,
    clean_number,
    duplicate_message,
    filter_conditions,
)
from ostandari_desk.services.transfer.base import (
    ImportOptions,
    TransferKind,
    column_getter,
    county_guard,
    finish_import,
    read_rows,
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
from ostandari_desk.store.models import County, Letter, Ngo, new_id
from ostandari_desk.store.uow import UnitOfWork

H_NUMBER = "شماره نامه"
H_DATE = "تاریخ"
H_DIRECTION = "جهت"
H_KIND = "نوع"
H_PARTY = "طرف مکاتبه"
H_SUBJECT = "موضوع"
H_NGO = "شناسه ملی سمن"
H_COUNTY = "شهرستان"

COLUMNS = (
    Column(H_NUMBER, "number", True, max_length=60),
    Column(H_DATE, "dated_on", True, max_length=40),
    Column(H_DIRECTION, "direction", True, max_length=50),
    Column(H_KIND, "kind", True, max_length=100),
    Column(H_PARTY, "party", True, max_length=300),
    Column(H_SUBJECT, "subject", True, max_length=1000),
    Column(H_NGO, "ngo", max_length=40),
    Column(H_COUNTY, "county", max_length=100),
)

PROVINCE_WORD = "استان"
_DIRECTIONS = {text.normalize(label): d for d, label in DIRECTION_LABELS.items()} | {
    d: d for d in DIRECTION_LABELS
}
_KINDS = {text.normalize(label): k for k, label in KIND_LABELS.items()} | {k: k for k in KIND_LABELS}
# common spellings clerks use for the punitive kind
_KINDS[text.normalize("توقیفی/توبیخی")] = "punitive"
_KINDS[text.normalize("توقیفی")] = "punitive"
_KINDS[text.normalize("توبیخی")] = "punitive"
_KINDS[text.normalize("هماهنگی")] = "support"
_KINDS[text.normalize("حمایتی")] = "support"
_COMPARED = ("dated_on", "kind", "party_key", "subject_key", "ngo_id", "county_id")
_PROGRESS_EVERY = 1000


def _stored(uow: UnitOfWork) -> dict[tuple, dict[str, Any]]:
    t = Letter.__table__.c
    rows = uow.s.execute(
        select(
            t.direction,
            t.jalali_year,
            t.number,
            t.dated_on,
            t.kind,
            t.party,
            t.subject,
            t.ngo_id,
            t.county_id,
        )
    ).all()
    return {
        (r.direction, r.jalali_year, r.number): {
            "dated_on": r.dated_on,
            "kind": r.kind,
            "party_key": text.normalize(r.party),
            "subject_key": text.normalize(r.subject),
            "ngo_id": r.ngo_id,
            "county_id": r.county_id,
        }
        for r in rows
    }


def _parse(
    number: int, values: tuple, get: dict, counties: dict, ngos: dict, county_refused
) -> tuple[dict | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    letter_no = clean_number(cell_text(get["number"](values)))
    if not letter_no:
        fail(H_NUMBER, "شماره نامه وارد نشده است")
    elif len(letter_no) > 60:
        fail(H_NUMBER, "شماره نامه بیش از اندازه بلند است")

    dated_on = None
    try:
        dated_on = cell_date(get["dated_on"](values))
        if dated_on is None:
            fail(H_DATE, "تاریخ نامه وارد نشده است")
    except ValidationError as exc:
        fail(H_DATE, exc.message)

    direction_text = cell_text(get["direction"](values))
    direction = _DIRECTIONS.get(text.normalize(direction_text))
    if direction is None:
        fail(
            H_DIRECTION,
            f"جهت «{direction_text}» نادرست است؛ وارده یا صادره"
            if direction_text
            else "جهت نامه (وارده یا صادره) وارد نشده است",
        )

    kind_text = cell_text(get["kind"](values))
    kind = _KINDS.get(text.normalize(kind_text))
    if kind is None:
        fail(
            H_KIND,
            f"نوع «{kind_text}» نادرست است؛ هماهنگی و حمایتی، توقیفی و توبیخی یا سایر"
            if kind_text
            else "نوع نامه وارد نشده است",
        )

    party = cell_text(get["party"](values))
    if not party:
        fail(H_PARTY, "طرف مکاتبه وارد نشده است")
    subject = cell_text(get["subject"](values))
    if not subject:
        fail(H_SUBJECT, "موضوع نامه وارد نشده است")

    ngo_cell = get["ngo"](values)
    nid = cell_digits(ngo_cell)
    ngo_id = None
    if nid:
        ngo_id = ngos.get(nid)
        if ngo_id is None:
            fail(H_NGO, f"سمنی با شناسه ملی «{text.to_persian_digits(nid)}» ثبت نشده است")

    county_text = cell_text(get["county"](values))
    county_key = text.normalize(county_text)
    county_id = None
    if county_key and county_key != text.normalize(PROVINCE_WORD):
        county_id = counties.get(county_key)
        if county_id is None:
            fail(H_COUNTY, f"شهرستان «{county_text}» در فهرست شهرستان‌های استان نیست")
    known = county_id is not None or county_key in ("", text.normalize(PROVINCE_WORD))
    if known and (reason := county_refused(county_id, county_text)):
        fail(H_COUNTY, reason)

    if errors:
        return None, errors
    return {
        "direction": direction,
        "number": letter_no,
        "jalali_year": jalali.jalali_year_of(dated_on),
        "dated_on": dated_on,
        "party": party,
        "subject": subject,
        "kind": kind,
        "ngo_id": ngo_id,
        "county_id": county_id,
    }, []


def _comparable(row: dict) -> dict:
    return {
        "dated_on": row["dated_on"],
        "kind": row["kind"],
        "party_key": text.normalize(row["party"]),
        "subject_key": text.normalize(row["subject"]),
        "ngo_id": row["ngo_id"],
        "county_id": row["county_id"],
    }


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    with uow:
        counties = {key: cid for cid, key in uow.s.execute(select(County.id, County.name_key))}
        ngos = {nid: ngo_id for ngo_id, nid in uow.s.execute(select(Ngo.id, Ngo.national_id))}
        stored = _stored(uow)
        get = {c.key: column_getter(table, c.key) for c in COLUMNS}
        county_refused = county_guard(uow)
        seen: dict[tuple, int] = {}

        def check(number: int, values: tuple) -> tuple[dict | None, list[RowError]]:
            row, errors = _parse(number, values, get, counties, ngos, county_refused)
            if row is None:
                return None, errors
            ident = (row["direction"], row["jalali_year"], row["number"])
            if ident in seen:
                return None, [
                    RowError(
                        number,
                        H_NUMBER,
                        "این شماره نامه (همان جهت و سال) در ردیف "
                        f"{text.to_persian_digits(seen[ident])} همین پرونده هم آمده است",
                    )
                ]
            seen[ident] = number
            if ident in stored:
                old = stored[ident]
                new = _comparable(row)
                if not all(new[k] == old[k] for k in _COMPARED):
                    return None, [
                        RowError(number, H_NUMBER, duplicate_message(*ident) + " و با این ردیف یکی نیست")
                    ]
                report.unchanged += 1
                return None, []
            return row, []

        def store(good: list[dict[str, Any]]) -> None:
            moment = audit.now_utc()
            rows = [
                {
                    **row,
                    "id": new_id(),
                    "created_at": moment,
                    "updated_at": moment,
                    "row_version": 1,
                    "licence_step_id": None,
                    "search_text": text.normalize(f"{row['number']} {row['party']} {row['subject']}"),
                }
                for row in good
            ]
            uow.s.execute(insert(Letter.__table__), rows)  # through the session: audited row by row

        good, bad = read_rows(table, report, check, opts.progress, _PROGRESS_EVERY)
        return finish_import(uow, report, opts, good, bad, store)


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    with uow:
        county_names = dict(uow.s.execute(select(County.id, County.name)).all())
        national_ids = dict(uow.s.execute(select(Ngo.id, Ngo.national_id)).all())
        stmt = select(Letter).order_by(Letter.dated_on, Letter.direction, Letter.number)
        if isinstance(flt, LetterFilter):
            stmt = stmt.where(*filter_conditions(flt))
        rows = [
            (
                letter.number,
                jalali.format_jalali(letter.dated_on),
                DIRECTION_LABELS.get(letter.direction, letter.direction),
                KIND_LABELS.get(letter.kind, letter.kind),
                letter.party,
                letter.subject,
                national_ids.get(letter.ngo_id, "") if letter.ngo_id else "",
                county_names.get(letter.county_id, "") if letter.county_id else "",
            )
            for letter in uow.s.scalars(stmt)
        ]
    yield from rows


KIND = TransferKind(
    name="letters",
    title="مکاتبات",
    unit="نامه",
    table="letter",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
