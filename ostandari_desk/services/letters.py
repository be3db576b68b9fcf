"""Letters (مکاتبات): numbers unique per series, direction and Jalali year; list pages, an NGO's letters.

A letter's attachments are kept by services/attachments.py (kind ``attachments.LETTER``).

Reads are scoped to a county user's county by the unit of work; a letter's NGO outside that county
shows as «سمن شهرستان دیگر» and saving the letter keeps it.

Numbering series (revision 0008): each county numbers its own letters (``county_id``, direction, Jalali
year) and the province its own (``county_id`` None), so two counties' letter «۱۰۰» of one year both
stand and the province, which sees every county, lists both with their county. A number is looked up in
one series (``find_letter_id``); ``resolve_letter`` picks the series when a caller may not know it (the
command line's ``report letter``) and says so in Persian when several counties hold the number.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali, jalali_year_of, year_range
from ostandari_desk.errors import (
    ConcurrentEditError,
    DuplicateError,
    NotFoundError,
    UserError,
    ValidationError,
)
from ostandari_desk.services import attachments, search
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.ordering import order_terms
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import (
    CorrectiveAction,
    County,
    Letter,
    LetterAttachment,
    LicenceStep,
    Ngo,
)
from ostandari_desk.store.uow import UnitOfWork

DIRECTION_LABELS: dict[str, str] = {"incoming": "وارده", "outgoing": "صادره"}
KIND_LABELS: dict[str, str] = {
    "support": "هماهنگی و حمایتی",
    "punitive": "توقیفی و توبیخی",
    "other": "سایر",
}
DIRECTIONS = tuple(DIRECTION_LABELS)
KINDS = tuple(KIND_LABELS)
PROVINCE_LABEL = "استان"
HIDDEN_NGO_LABEL = "سمن شهرستان دیگر"  # an NGO outside the actor's county
PROVINCE_ONLY = "__province__"  # LetterFilter.county_id value selecting the province's own letters

SORT_KEYS = ("dated_on", "number", "direction", "kind", "party", "subject", "county")
NUMBER_MAX = 60  # characters of a letter number


@dataclass(frozen=True)
class LetterInput:
    direction: str
    number: str
    dated_on: date
    party: str
    subject: str
    kind: str
    ngo_id: str | None = None
    licence_step_id: str | None = None
    county_id: str | None = None


@dataclass(frozen=True)
class LetterDetail:
    id: str
    direction: str
    number: str
    jalali_year: int
    dated_on: date
    party: str
    subject: str
    kind: str
    ngo_id: str | None
    ngo_name: str
    licence_step_id: str | None
    county_id: str | None
    row_version: int

    def to_input(self) -> LetterInput:
        return LetterInput(
            self.direction,
            self.number,
            self.dated_on,
            self.party,
            self.subject,
            self.kind,
            self.ngo_id,
            self.licence_step_id,
            self.county_id,
        )


@dataclass(frozen=True)
class LetterRow:
    id: str
    direction: str
    direction_label: str
    number: str
    dated_on: date
    party: str
    subject: str
    kind: str
    kind_label: str
    ngo_name: str
    county_name: str
    attachment_count: int

    @property
    def dated_text(self) -> str:
        return format_jalali(self.dated_on)


@dataclass(frozen=True)
class LetterFilter:
    text: str = ""
    direction: str | None = None
    kind: str | None = None
    year: int | None = None  # Jalali year of the letter
    ngo_id: str | None = None
    county_id: str | None = None  # a county id, or PROVINCE_ONLY


# --- validation -----------------------------------------------------------------------------------


def clean_number(number: str) -> str:
    """A letter number as stored: Latin digits, tidy spaces, Persian letters (``۱۲۳/ص`` → ``123/ص``)."""
    return text.digits_to_latin(text.clean(number or ""))


def letter_errors(
    uow: UnitOfWork, data: LetterInput, known: Collection[str] = frozenset()
) -> list[ValidationError]:
    """Every rule ``data`` breaks, in the form's order, each naming its LetterInput field ([] = none).

    THE rules of a letter: the dialog (through ``create_letter`` / ``update_letter``) and the «مکاتبات»
    sheet's importer both call this. ``known``: referenced ids accepted without a look-up (those the stored
    letter holds already; the NGO an import found by national ID). The number's uniqueness is apart
    (``_check_unique``; the importer compares with the stored letter instead).
    """
    errors: list[ValidationError] = []

    def fail(field: str, message: str) -> None:
        errors.append(ValidationError(message, field=field))

    if data.direction not in DIRECTION_LABELS:
        fail("direction", "جهت نامه (وارده یا صادره) را انتخاب کنید")
    if data.kind not in KIND_LABELS:
        fail("kind", "نوع نامه را انتخاب کنید")
    number = clean_number(data.number)
    if not number:
        fail("number", "شماره نامه وارد نشده است")
    elif len(number) > NUMBER_MAX:
        fail("number", "شماره نامه بیش از اندازه بلند است")
    if not isinstance(data.dated_on, date):
        fail("dated_on", "تاریخ نامه وارد نشده است")
    if not text.clean(data.party):
        fail("party", "طرف مکاتبه وارد نشده است")
    if not text.clean(data.subject):
        fail("subject", "موضوع نامه وارد نشده است")
    if data.ngo_id is not None and data.ngo_id not in known and uow.s.get(Ngo, data.ngo_id) is None:
        fail("ngo_id", "سمن پیدا نشد")
    if data.county_id is not None and uow.s.get(County, data.county_id) is None:
        fail("county_id", "شهرستان پیدا نشد")
    step = data.licence_step_id
    if step is not None and step not in known and uow.s.get(LicenceStep, step) is None:
        fail("licence_step_id", "مرحله پروانه پیدا نشد")
    return errors


def validate_letter(uow: UnitOfWork, data: LetterInput, known: Collection[str] = frozenset()) -> None:
    """Raise the first of ``letter_errors`` (a ValidationError naming the field), if any."""
    errors = letter_errors(uow, data, known)
    if errors:
        raise errors[0]


def _validate(uow: UnitOfWork, data: LetterInput, stored: Letter | None = None) -> dict:
    """The column values of ``data``; references ``stored`` already holds are kept without a look-up."""
    kept = (stored.ngo_id, stored.licence_step_id) if stored is not None else ()
    validate_letter(uow, data, {i for i in kept if i is not None})
    number = clean_number(data.number)
    party = text.clean(data.party)
    subject = text.clean(data.subject)
    return {
        "direction": data.direction,
        "number": number,
        "jalali_year": jalali_year_of(data.dated_on),
        "dated_on": data.dated_on,
        "party": party,
        "subject": subject,
        "kind": data.kind,
        "ngo_id": data.ngo_id,
        "licence_step_id": data.licence_step_id,
        "county_id": data.county_id,
        "search_text": search_text_of(number, party, subject),
    }


def search_text_of(number: str, party: str, subject: str) -> str:
    """A letter's ``search_text``: its number, party and subject as a search compares them (hamza forms
    folded, half-spaces joined: services/search.py); every writer of a letter stores this."""
    return text.search_key(f"{number} {party} {subject}")


def series_condition(county_id: str | None) -> Any:
    """The SQL condition selecting one numbering series: a county's own letters, or the province's."""
    column = Letter.__table__.c.county_id
    return column.is_(None) if county_id is None else column == county_id


def find_letter_id(
    uow: UnitOfWork, direction: str, jalali_year: int, number: str, county_id: str | None = None
) -> str | None:
    """The id of the letter with this number in one series (``county_id``'s; None: the province's own), that
    direction and Jalali year, if any, within the actor's scope (a county user finds nothing in another
    series, and writes in their own alone)."""
    with uow:
        stmt = select(Letter.id).where(
            series_condition(county_id),
            Letter.direction == direction,
            Letter.jalali_year == jalali_year,
            Letter.number == clean_number(number),
        )
        return uow.s.exec(stmt).first()


def series_label(county_name: str | None) -> str:
    """«دبیرخانه استان» or «دبیرخانه شهرستان آبیک»: the series in a message."""
    return f"دبیرخانه شهرستان {county_name}" if county_name else f"دبیرخانه {PROVINCE_LABEL}"


def series_name(uow: UnitOfWork, county_id: str | None) -> str:
    """``series_label`` of a county id (None: the province)."""
    if county_id is None:
        return series_label(None)
    county = uow.s.get(County, county_id)
    return series_label(county.name if county is not None else "")


def duplicate_message(direction: str, jalali_year: int, number: str, series: str = "") -> str:
    """«نامه صادره شماره «۱۰۰» سال ۱۴۰۱ در دبیرخانه شهرستان آبیک پیش‌تر ثبت شده است» (``series``: a
    ``series_label``; empty when the caller has no series to name)."""
    where = f" در {series}" if series else ""
    return (
        f"نامه {DIRECTION_LABELS.get(direction, '')} شماره «{text.to_persian_digits(number)}» "
        f"سال {text.to_persian_digits(jalali_year)}{where} پیش‌تر ثبت شده است"
    )


def _check_unique(uow: UnitOfWork, values: dict, except_id: str | None) -> None:
    """DuplicateError when the number is taken in the letter's series (its county's, or the province's):
    the partial unique indexes ``ux_letter_county_series`` / ``ux_letter_province_series`` say the same."""
    found = find_letter_id(
        uow, values["direction"], values["jalali_year"], values["number"], values["county_id"]
    )
    if found is not None and found != except_id:
        raise DuplicateError(
            duplicate_message(
                values["direction"],
                values["jalali_year"],
                values["number"],
                series_name(uow, values["county_id"]),
            ),
            field="number",
            record=found if uow.actor.sees_county(values["county_id"]) else None,
        )


def _series_holding(uow: UnitOfWork, direction: str, jalali_year: int, number: str) -> list[tuple[str, Any]]:
    """(id, county id) of the letters with this number, direction and year in the series the actor sees."""
    t = Letter.__table__.c
    rows = uow.s.execute(
        select(t.id, t.county_id).where(
            t.direction == direction,
            t.jalali_year == jalali_year,
            t.number == clean_number(number),
            uow.in_scope(t.county_id),
        )
    ).all()
    return [(r.id, r.county_id) for r in rows]


_UNSET: Any = object()


def resolve_letter(
    uow: UnitOfWork, direction: str, jalali_year: int, number: str, county_id: Any = _UNSET
) -> str:
    """The letter a person names by direction, Jalali year and number (``report letter``).

    ``county_id`` given (None: the province's own series): that series alone. Not given: the actor's own
    series first (the province's for a provincial user, the county's for a county user); else the one
    series the actor sees that holds the number. Several counties holding it is refused in Persian, naming
    them, so the caller names the county.

    Raises:
        NotFoundError: no such letter in the series (or in any series the actor sees).
        PermissionDeniedError: a county user asking for another county's (or the province's) series.
        UserError: several counties' letters carry the number and no county was given.
    """
    if direction not in DIRECTION_LABELS:
        raise ValidationError("جهت نامه باید وارده یا صادره باشد", field="direction")
    shown = (
        f"نامه {DIRECTION_LABELS[direction]} شماره «{text.to_persian_digits(clean_number(number))}» "
        f"سال {text.to_persian_digits(jalali_year)}"
    )
    with uow:
        if county_id is not _UNSET:
            uow.check_county(county_id)
            found = find_letter_id(uow, direction, jalali_year, number, county_id)
            if found is None:
                raise NotFoundError(f"{shown} در {series_name(uow, county_id)} ثبت نشده است")
            return found
        own = find_letter_id(uow, direction, jalali_year, number, uow.county_scope)
        if own is not None:
            return own
        holding = _series_holding(uow, direction, jalali_year, number)
        if not holding:
            raise NotFoundError(f"{shown} ثبت نشده است")
        if len(holding) == 1:
            return holding[0][0]
        names = sorted((series_name(uow, c) for _id, c in holding), key=text.persian_sort_key)
        raise UserError(
            f"{shown} در چند دبیرخانه ثبت شده است ({'، '.join(names)})؛ شهرستان نامه را هم نام ببرید"
        )


def _get(uow: UnitOfWork, letter_id: str) -> Letter:
    """The letter, or NotFoundError; PermissionDeniedError for another county's."""
    return uow.get(Letter, letter_id, missing="نامه پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است")


# --- commands ------------------------------------------------------------------------------------


def create_letter(uow: UnitOfWork, data: LetterInput) -> str:
    """Store a new letter; returns its id (inside a caller's block, it joins that transaction).

    Raises:
        DuplicateError: the number is taken in the letter's series (its county's or the province's),
            direction and Jalali year.
        PermissionDeniedError: a county user's letter for another county or the province.
    """
    with uow.writing():
        uow.check_county(data.county_id)
        values = _validate(uow, data)
        _check_unique(uow, values, None)
        letter = Letter(**stamps(), **values)
        uow.s.add(letter)
        uow.s.flush()
        uow.commit()
        return letter.id


STALE_LETTER = "این نامه را کاربر دیگری پس از باز شدن ویرایش کرده است؛ آن را دوباره باز کنید"


def update_letter(uow: UnitOfWork, letter_id: str, data: LetterInput, expected_version: int) -> None:
    """Save changes to a letter opened at ``expected_version``.

    Raises:
        ConcurrentEditError: someone saved the letter since it was opened.
        PermissionDeniedError: another county's letter, or moving it out of a county user's county.
    """
    with uow.writing():
        letter = _get(uow, letter_id)
        if letter.row_version != expected_version:
            raise ConcurrentEditError(STALE_LETTER, record=letter_id)
        values = _validate(uow, data, letter)
        _check_unique(uow, values, letter_id)
        save_versioned(uow, letter, expected_version, values, STALE_LETTER)
        uow.commit()


def delete_letter(uow: UnitOfWork, letter_id: str) -> None:
    """Delete a letter with its attachment records (stored files shared by no other letter are removed).

    Files are removed only when this call's block is the one that commits, so a caller's rollback never
    finds a file gone.
    """
    with uow.writing():
        letter = _get(uow, letter_id)
        referral = uow.s.exec(
            select(CorrectiveAction.id).where(CorrectiveAction.referral_letter_id == letter_id)
        ).first()
        if referral is not None:
            raise UserError("این نامه نامه ارجاع یک اقدام اصلاحی بازدید است و حذف نمی‌شود", record=letter_id)
        attachments.remove_owner_attachments(uow, attachments.LETTER, letter_id)
        uow.s.delete(letter)
        uow.commit()


# --- reads ---------------------------------------------------------------------------------------


def get_letter(uow: UnitOfWork, letter_id: str) -> LetterDetail:
    with uow:
        letter = _get(uow, letter_id)
        ngo = uow.s.get(Ngo, letter.ngo_id) if letter.ngo_id else None
        return LetterDetail(
            id=letter.id,
            direction=letter.direction,
            number=letter.number,
            jalali_year=letter.jalali_year,
            dated_on=letter.dated_on,
            party=letter.party,
            subject=letter.subject,
            kind=letter.kind,
            ngo_id=letter.ngo_id,
            ngo_name=ngo.name if ngo else (HIDDEN_NGO_LABEL if letter.ngo_id else ""),
            licence_step_id=letter.licence_step_id,
            county_id=letter.county_id,
            row_version=letter.row_version,
        )


def _where(flt: LetterFilter) -> list:
    conds: list = [search.contains(Letter.search_text, word) for word in search.words(flt.text)]
    if flt.direction:
        conds.append(Letter.direction == flt.direction)
    if flt.kind:
        conds.append(Letter.kind == flt.kind)
    if flt.year:
        # dated_on range (indexed with kind) rather than jalali_year, which has no index
        first, last = year_range(int(flt.year))
        conds.append(col(Letter.dated_on).between(first, last))
    if flt.ngo_id:
        conds.append(Letter.ngo_id == flt.ngo_id)
    if flt.county_id == PROVINCE_ONLY:
        conds.append(col(Letter.county_id).is_(None))
    elif flt.county_id:
        conds.append(Letter.county_id == flt.county_id)
    return conds


def filter_conditions(flt: LetterFilter) -> list:
    """The SQL conditions of ``flt`` over Letter (for the exchange sheet's export of a filtered list)."""
    return _where(flt)


def count_letters(uow: UnitOfWork, flt: LetterFilter = LetterFilter()) -> int:
    with uow:
        return int(uow.s.exec(select(func.count()).select_from(Letter).where(*_where(flt))).one())


def _row_statement():
    attachments = (
        select(func.count())
        .select_from(LetterAttachment)
        .where(LetterAttachment.letter_id == Letter.id)
        .correlate(Letter)
        .scalar_subquery()
    )
    return (
        select(
            Letter.id,
            Letter.direction,
            Letter.number,
            Letter.dated_on,
            Letter.party,
            Letter.subject,
            Letter.kind,
            Ngo.name,
            County.name,
            attachments,
            Letter.ngo_id,
        )
        .select_from(Letter)
        .outerjoin(Ngo, Ngo.id == Letter.ngo_id)
        .outerjoin(County, County.id == Letter.county_id)
    )


def _to_row(r) -> LetterRow:
    return LetterRow(
        id=r[0],
        direction=r[1],
        direction_label=DIRECTION_LABELS.get(r[1], r[1]),
        number=r[2],
        dated_on=r[3],
        party=r[4],
        subject=r[5],
        kind=r[6],
        kind_label=KIND_LABELS.get(r[6], r[6]),
        ngo_name=r[7] or (HIDDEN_NGO_LABEL if r[10] else ""),
        county_name=r[8] or PROVINCE_LABEL,
        attachment_count=int(r[9] or 0),
    )


def _order(sort: str, descending: bool) -> list:
    columns = {
        "dated_on": [Letter.dated_on, Letter.number],
        "number": [Letter.jalali_year, Letter.number],
        "direction": [Letter.direction, Letter.dated_on],
        "kind": [Letter.kind, Letter.dated_on],
        "party": [Letter.party, Letter.dated_on],
        "subject": [Letter.subject, Letter.dated_on],
        "county": [County.name_key, Letter.dated_on],
    }
    if sort not in columns:
        raise ValueError(f"unknown sort key: {sort!r}")
    return order_terms([*columns[sort], Letter.id], descending, nullable=(County.name_key,))


def list_letter_page(
    uow: UnitOfWork,
    flt: LetterFilter = LetterFilter(),
    sort: str = "dated_on",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[LetterRow]:
    """One page of letters matching ``flt`` (ties broken by id, so pages are stable)."""
    with uow:
        stmt = _row_statement().where(*_where(flt)).order_by(*_order(sort, descending))
        stmt = stmt.offset(max(0, offset)).limit(max(0, limit))
        return [_to_row(r) for r in uow.s.exec(stmt)]


def letters_of_ngo(uow: UnitOfWork, ngo_id: str) -> list[LetterRow]:
    """Every letter concerning an NGO, oldest first (for its timeline)."""
    return list_letter_page(uow, LetterFilter(ngo_id=ngo_id), "dated_on", False, 0, 100_000)


def letter_years(uow: UnitOfWork) -> list[int]:
    """Jalali years that have letters, newest first (for the year filter)."""
    with uow:
        stmt = select(Letter.jalali_year).distinct().order_by(col(Letter.jalali_year).desc())
        return [int(y) for y in uow.s.exec(stmt)]


__all__ = [
    "DIRECTION_LABELS",
    "KIND_LABELS",
    "LetterDetail",
    "LetterFilter",
    "LetterInput",
    "LetterRow",
    "count_letters",
    "create_letter",
    "delete_letter",
    "duplicate_message",
    "filter_conditions",
    "find_letter_id",
    "get_letter",
    "letter_years",
    "letters_of_ngo",
    "list_letter_page",
    "resolve_letter",
    "series_condition",
    "series_label",
    "series_name",
    "update_letter",
]
