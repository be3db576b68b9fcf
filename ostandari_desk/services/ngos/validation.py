"""Cleaning and checking an NGO and its board; the column values of a new row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ostandari_desk.domain import ids, text
from ostandari_desk.domain.lifecycle import Level, LicenceState
from ostandari_desk.errors import DuplicateError, ValidationError
from ostandari_desk.services.audit import now_utc
from ostandari_desk.services.ngos.rows import (
    ROLE_LABELS,
    BoardMemberInput,
    NgoInput,
)
from ostandari_desk.store.models import County, Ngo, ReferenceItem, new_id
from ostandari_desk.store.uow import UnitOfWork

fa = text.to_persian_digits
_LEVELS = frozenset(lv.value for lv in Level)

# --- validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clean:
    """An NgoInput after cleaning and format checks (no database needed)."""

    values: dict[str, Any]
    field_ids: tuple[str, ...]
    board: tuple[BoardMemberInput, ...] = field(default=())


def _clean_board(
    board: list[BoardMemberInput] | tuple[BoardMemberInput, ...],
) -> tuple[BoardMemberInput, ...]:
    cleaned: list[BoardMemberInput] = []
    seen: dict[str, str] = {}
    for position, member in enumerate(board, start=1):
        name = text.clean(member.full_name)
        if not name:
            raise ValidationError(
                f"نام عضو شماره {text.to_persian_digits(position)} هیئت مدیره وارد نشده است", field="board"
            )
        code = text.digits_to_latin(text.clean(member.national_code)).replace(" ", "").replace("-", "")
        if not ids.is_valid_national_code(code):
            raise ValidationError(f"کد ملی عضو هیئت مدیره «{name}» معتبر نیست", field="board")
        if code in seen:
            raise ValidationError(f"کد ملی «{seen[code]}» و «{name}» در هیئت مدیره یکسان است", field="board")
        seen[code] = name
        if member.role not in ROLE_LABELS:
            raise ValidationError(f"سمت عضو هیئت مدیره «{name}» نامعتبر است", field="board")
        if member.term_start and member.term_end and member.term_end < member.term_start:
            raise ValidationError(
                f"پایان دوره عضو هیئت مدیره «{name}» پیش از آغاز آن است",
                field=f"board.{position - 1}.term_end",
            )
        cleaned.append(
            BoardMemberInput(
                name, code, member.role, text.clean(member.expertise), member.term_start, member.term_end
            )
        )
    return tuple(cleaned)


NAME_LENGTH = (2, 200)  # characters of an NGO's name
PHONE_DIGITS = (8, 11)  # digits of a phone number
_PHONE_SEPARATORS = re.compile(r"[\s\-_/.\u200c]")  # what a phone may carry between its digits


def phone_digits(phone: str) -> str:
    """A phone as typed, as Latin digits without separators (``۰۲۸-۳۳۳۳۴۴۴۴`` → ``02833334444``)."""
    return _PHONE_SEPARATORS.sub("", text.digits_to_latin(phone or ""))


def ngo_errors(data: NgoInput, today: date | None = None) -> list[ValidationError]:
    """Every rule ``data`` breaks that needs no database, in the form's order, each naming its NgoInput
    field ([] = none).

    THE rules of an NGO: the dialog (through ``validate_ngo`` / ``create_ngo`` / ``update_ngo``) and the
    «سمن‌ها» sheet's importer both call this. The checks against stored rows (county exists, national
    ID unique) are ``_check_against_database``; the importer does those with its own look-ups.
    """
    errors: list[ValidationError] = []

    def fail(field_name: str, message: str) -> None:
        errors.append(ValidationError(message, field=field_name))

    name = text.clean(data.name)
    low, high = NAME_LENGTH
    if not (name[:1].isalpha() or text.normalize(name)):  # a leading letter: no need to normalize
        fail("name", "نام سازمان وارد نشده است")
    elif not low <= len(name) <= high:
        fail("name", f"نام سازمان باید بین {fa(low)} تا {fa(high)} نویسه باشد")
    if not ids.is_valid_legal_national_id(data.national_id):
        _id_error(fail, data.national_id, ids.validate_legal_national_id, "شناسه ملی", "national_id")
    if data.level not in _LEVELS:
        fail("level", "سطح فعالیت سازمان انتخاب نشده است")
    elif data.level == Level.COUNTY and not data.county_id:
        fail("county_id", "سمن شهرستانی باید شهرستان داشته باشد؛ «استان» برای سمن استانی یا ملی است")
    ceo_code = data.ceo_national_code.strip()  # the check reads Persian digits, spaces and hyphens
    if ceo_code and not ids.is_valid_national_code(ceo_code):
        _id_error(fail, ceo_code, ids.validate_national_code, "کد ملی مدیرعامل", "ceo_national_code")
    elif ceo_code and not text.clean(data.ceo_name):
        fail("ceo_name", "کد ملی مدیرعامل آمده ولی نام مدیرعامل وارد نشده است")
    today = today or date.today()
    for value, label, field_name in (
        (data.founded_on, "تاریخ تأسیس", "founded_on"),
        (data.registered_on, "تاریخ ثبت", "registered_on"),
    ):
        if value is not None and value > today:
            fail(field_name, f"{label} نمی‌تواند پس از امروز باشد")
    if data.founded_on and data.registered_on and data.registered_on < data.founded_on:
        fail("registered_on", "تاریخ ثبت نمی‌تواند پیش از تاریخ تأسیس باشد")
    if data.phone:
        digits = phone_digits(data.phone)
        if not (digits.isascii() and digits.isdigit() and PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]):
            shown = text.to_persian_digits(text.clean(data.phone))
            fail("phone", f"تلفن «{shown}» باید {fa(PHONE_DIGITS[0])} تا {fa(PHONE_DIGITS[1])} رقم باشد")
    return errors


def _id_error(fail, value: str, check, label: str, field_name: str) -> None:
    try:
        check(value, field=label)
    except ValidationError as exc:
        fail(field_name, exc.message)


def _clean_input(data: NgoInput, board=(), today: date | None = None) -> _Clean:
    """Check ``data`` (``ngo_errors``, raising the first) and clean it into column values."""
    errors = ngo_errors(data, today)
    if errors:
        raise errors[0]
    name = text.clean(data.name)
    national_id = ids.validate_legal_national_id(data.national_id)
    ceo_name = text.clean(data.ceo_name)
    ceo_code = text.digits_to_latin(text.clean(data.ceo_national_code))
    if ceo_code:
        ceo_code = ids.validate_national_code(ceo_code)
    registration_no = text.digits_to_latin(text.clean(data.registration_no))
    board_clean = _clean_board(board)
    if not ceo_name:  # a board member with the CEO role fills an empty CEO
        ceo = next((m for m in board_clean if m.role == "ceo"), None)
        if ceo is not None:
            ceo_name, ceo_code = ceo.full_name, ceo.national_code
    values = {
        "national_id": national_id,
        "registration_no": registration_no,
        "name": name,
        "name_key": text.normalize(name),
        "name_sort": text.persian_sort_key(name),
        "level": str(data.level),
        "county_id": data.county_id or None,
        "address": text.clean(data.address),
        "phone": text.digits_to_latin(text.clean(data.phone)),
        "founded_on": data.founded_on,
        "registered_on": data.registered_on,
        "ceo_name": ceo_name,
        "ceo_national_code": ceo_code,
        "ceo_sort": text.persian_sort_key(ceo_name),
        "search_text": search_text(name, national_id, registration_no, ceo_name),
    }
    field_ids = tuple(dict.fromkeys(f for f in data.field_ids if f))
    return _Clean(values, field_ids, board_clean)


def search_text(name: str, national_id: str, registration_no: str, ceo_name: str) -> str:
    """The NGO's ``search_text``: its name, national ID, registration number and CEO as the full-text
    index holds them (text.search_text: hamza folded, half-spaced words also joined and in halves)."""
    return text.search_text(name, national_id, registration_no, ceo_name)


def _squeezed(key: str) -> str:
    return key.replace(" ", "")


def _check_against_database(uow: UnitOfWork, clean: _Clean, ngo_id: str | None) -> list[str]:
    """Errors that need the database (raised) and warnings (returned)."""
    v = clean.values
    s = uow.s
    if v["county_id"] is not None and s.get(County, v["county_id"]) is None:
        raise ValidationError("شهرستان انتخاب‌شده پیدا نشد", field="county_id")
    if clean.field_ids:
        found = set(
            s.execute(
                select(ReferenceItem.id).where(
                    ReferenceItem.kind == "field", ReferenceItem.id.in_(clean.field_ids)
                )
            ).scalars()
        )
        if len(found) != len(clean.field_ids):
            raise ValidationError("یکی از حوزه‌های فعالیت انتخاب‌شده پیدا نشد", field="field_ids")
    # The national ID is unique in the whole database, so this looks beyond a county user's scope
    # (plain table, unscoped) but names the other NGO only when the actor may see it.
    t = Ngo.__table__.c
    other = s.execute(
        select(t.id, t.name, t.county_id).where(t.national_id == v["national_id"], t.id != (ngo_id or ""))
    ).first()
    if other is not None:
        digits = text.to_persian_digits(v["national_id"])
        if uow.actor.sees_county(other.county_id):
            raise DuplicateError(
                f"شناسه ملی {digits} پیش‌تر برای «{other.name}» ثبت شده است",
                field="national_id",
                record=other.id,
            )
        raise DuplicateError(
            f"شناسه ملی {digits} پیش‌تر برای سازمانی در شهرستان دیگری ثبت شده است", field="national_id"
        )
    warnings: list[str] = []
    county_cond = Ngo.county_id.is_(None) if v["county_id"] is None else Ngo.county_id == v["county_id"]
    similar = s.execute(
        select(Ngo.name, Ngo.national_id)
        .where(
            county_cond,
            func.replace(Ngo.name_key, " ", "") == _squeezed(v["name_key"]),
            Ngo.id != (ngo_id or ""),
        )
        .limit(3)
    ).all()
    place = "همین شهرستان" if v["county_id"] is not None else "سطح استان"
    for row in similar:
        warnings.append(
            f"سازمان دیگری با نام مشابه «{row.name}» (شناسه ملی {text.to_persian_digits(row.national_id)}) "
            f"در {place} ثبت شده است"
        )
    if v["registration_no"]:
        same_reg = s.execute(
            select(Ngo.name)
            .where(Ngo.registration_no == v["registration_no"], Ngo.id != (ngo_id or ""))
            .limit(1)
        ).first()
        if same_reg is not None:
            warnings.append(
                f"شماره ثبت {text.to_persian_digits(v['registration_no'])} برای «{same_reg.name}» هم ثبت شده است"
            )
    return warnings


def validate_ngo(
    uow: UnitOfWork,
    data: NgoInput,
    ngo_id: str | None = None,
    board: list[BoardMemberInput] | tuple[BoardMemberInput, ...] = (),
) -> list[str]:
    """Check ``data`` (and ``board``); return Persian warnings the clerk may accept.

    Raises:
        ValidationError: a field breaks a rule (message names the field; ``.field`` is the NgoInput name).
        DuplicateError: another NGO has the same national ID.
    """
    clean = _clean_input(data, board)
    with uow:
        return _check_against_database(uow, clean, ngo_id)


def prepare_ngo_values(data: NgoInput, seq: int) -> dict[str, Any]:
    """Column values of a new ``ngo`` row (cleaned, keys computed) for bulk Core inserts.

    Format checks run (ValidationError); database checks (duplicates, county exists) are the caller's.
    Fields of activity and the board are not included: insert NgoField/BoardMember rows separately.
    """
    values = _clean_input(data).values
    moment = now_utc()
    values.update(
        id=new_id(),
        seq=seq,
        created_at=moment,
        updated_at=moment,
        row_version=1,
        status="active",
        licence_state=LicenceState.NONE.value,
    )
    return values


def next_seq(uow: UnitOfWork) -> int:
    """The next free ngo.seq (the full-text index key), over every county whoever asks.

    Read under the write lock (a writer's block, begun IMMEDIATE), so no other program can take the
    same number before this transaction inserts it; asking from a block that began as a reader is a
    mistake the tests catch (store/uow.py).
    """
    with uow.writing():
        return (uow.s.execute(select(func.max(Ngo.__table__.c.seq))).scalar() or 0) + 1
