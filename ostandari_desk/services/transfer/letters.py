"""The «مکاتبات» sheet: import and export of letters.

A letter is identified by its series (the «شهرستان» cell: a county's own numbering, or the province's
when empty or «استان»), direction, Jalali year and number: the table's unique keys, so two counties'
letter «۱۰۰» of one year are two letters. A row matching a stored letter of its series with the same
details counts as unchanged, so a file imported twice adds nothing; a row matching one with different
details is an error naming the number and the series (the number is taken there).
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
    NUMBER_MAX,
    LetterFilter,
    LetterInput,
    clean_number,
    duplicate_message,
    filter_conditions,
    letter_errors,
    search_text_of,
    series_label,
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
    Column(H_NUMBER, "number", True, max_length=NUMBER_MAX),
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
_COMPARED = ("dated_on", "kind", "party_key", "subject_key", "ngo_id")
_PROGRESS_EVERY = 1000


def _ident(row: Any) -> tuple:
    """A letter's key: (series, direction, Jalali year, number); the series is its county (None: the
    province's own)."""
    return (row["county_id"], row["direction"], row["jalali_year"], row["number"])


def _stored(uow: UnitOfWork) -> dict[tuple, dict[str, Any]]:
    """Every stored letter's compared values by ``_ident`` (a plain table: every series, so a county user's
    row is compared with what is stored whatever the scope)."""
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
        _ident(r._mapping): {
            "dated_on": r.dated_on,
            "kind": r.kind,
            "party_key": text.normalize(r.party),
            "subject_key": text.normalize(r.subject),
            "ngo_id": r.ngo_id,
        }
        for r in rows
    }


_FIELD_HEADERS = {
    "direction": H_DIRECTION,
    "kind": H_KIND,
    "number": H_NUMBER,
    "dated_on": H_DATE,
    "party": H_PARTY,
    "subject": H_SUBJECT,
    "ngo_id": H_NGO,
    "county_id": H_COUNTY,
    "licence_step_id": H_NUMBER,  # a sheet links no licence step
}


def _read(
    number: int, values: tuple, get: dict, counties: dict, ngos: dict, county_refused
) -> tuple[LetterInput, list[RowError]]:
    """The row as the LetterInput the dialog would give, and the errors of cells that could not be read."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    dated_on = None
    try:
        dated_on = cell_date(get["dated_on"](values))
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

    nid = cell_digits(get["ngo"](values))
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

    data = LetterInput(
        direction=direction or "",
        number=cell_text(get["number"](values)),
        dated_on=dated_on,  # type: ignore[arg-type]  # None: the rules say it is missing
        party=cell_text(get["party"](values)),
        subject=cell_text(get["subject"](values)),
        kind=kind or "",
        ngo_id=ngo_id,
        county_id=county_id,
    )
    return data, errors


def _parse(
    uow: UnitOfWork, number: int, values: tuple, get: dict, counties: dict, ngos: dict, county_refused
) -> tuple[dict | None, list[RowError]]:
    """Check one row; returns (letter values, []) or (None, every error of the row).

    The row is read into a LetterInput and checked by the same rules as the dialog (``letter_errors``);
    a rule's error goes to its field's column, unless reading that cell already failed.
    """
    data, errors = _read(number, values, get, counties, ngos, county_refused)
    errors = with_rule_errors(
        number, errors, letter_errors(uow, data, known={data.ngo_id} - {None}), _FIELD_HEADERS, H_NUMBER
    )
    if errors:
        return None, errors
    return {
        "direction": data.direction,
        "number": clean_number(data.number),
        "jalali_year": jalali.jalali_year_of(data.dated_on),
        "dated_on": data.dated_on,
        "party": data.party,
        "subject": data.subject,
        "kind": data.kind,
        "ngo_id": data.ngo_id,
        "county_id": data.county_id,
    }, []


def _comparable(row: dict) -> dict:
    return {
        "dated_on": row["dated_on"],
        "kind": row["kind"],
        "party_key": text.normalize(row["party"]),
        "subject_key": text.normalize(row["subject"]),
        "ngo_id": row["ngo_id"],
    }


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    with uow:
        county_rows = uow.s.execute(select(County.id, County.name_key, County.name)).all()
        counties = {key: cid for cid, key, _name in county_rows}
        county_names = {cid: name for cid, _key, name in county_rows}
        ngos = {nid: ngo_id for ngo_id, nid in uow.s.execute(select(Ngo.id, Ngo.national_id))}
        stored = _stored(uow)
        get = {c.key: column_getter(table, c.key) for c in COLUMNS}
        county_refused = county_guard(uow)
        seen: dict[tuple, int] = {}

        def check(number: int, values: tuple) -> tuple[dict | None, list[RowError]]:
            row, errors = _parse(uow, number, values, get, counties, ngos, county_refused)
            if row is None:
                return None, errors
            ident = _ident(row)
            if ident in seen:
                return None, [
                    RowError(
                        number,
                        H_NUMBER,
                        "این شماره نامه (همان دبیرخانه، جهت و سال) در ردیف "
                        f"{text.to_persian_digits(seen[ident])} همین پرونده هم آمده است",
                    )
                ]
            seen[ident] = number
            if ident in stored:
                old = stored[ident]
                new = _comparable(row)
                if not all(new[k] == old[k] for k in _COMPARED):
                    series = series_label(county_names.get(ident[0]) if ident[0] else None)
                    taken = duplicate_message(*ident[1:], series)
                    return None, [RowError(number, H_NUMBER, taken + " و با این ردیف یکی نیست")]
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
                    "search_text": search_text_of(row["number"], row["party"], row["subject"]),
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
