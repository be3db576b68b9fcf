"""The centres register: one input and one validator (the dialog's and the ``centres`` importer's), saving,
the list page, a centre's details and its file (visits, open findings, referrals).

Reads go through the unit of work's session, so a county user sees only their county's centres. Codes are
unique across every county, so the duplicate check looks beyond the scope (as letter numbers do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import col, select

from ostandari_desk import settings
from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.errors import ConcurrentEditError, DuplicateError, ValidationError
from ostandari_desk.services import reference, search
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.ordering import order_terms
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import (
    Centre,
    County,
    Inspection,
    ReferenceItem,
)
from ostandari_desk.store.uow import UnitOfWork

if TYPE_CHECKING:
    from ostandari_desk.services.inspections.centre_file import CentreFile

CATEGORY_KIND = "centre_category"
CODE_MAX = 40
NAME_MIN, NAME_MAX = 2, 200
AGENCY_MAX = 200
LICENCE_NUMBER_MAX = 60
OPERATOR_MAX = 200
ADDRESS_MAX = 500
PHONE_MIN, PHONE_MAX = 8, 11
ACTIVE_LABELS: dict[bool, str] = {True: "فعال", False: "غیرفعال"}
SORT_KEYS = ("name", "code", "category", "county", "agency")
STALE_CENTRE = "این مرکز را کاربر دیگری پس از باز شدن ویرایش کرده است؛ آن را دوباره باز کنید"
MISSING_CENTRE = "مرکز پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است"

# letters and digits of any script, joined by single «-»
_CODE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_PHONE_SEPARATORS = re.compile(r"[\s\-()./\u200c]")


@dataclass(frozen=True)
class CentreInput:
    """What the clerk types (or a sheet row brings) for a centre."""

    code: str
    name: str
    category_id: str | None
    county_id: str | None
    licensing_agency: str = ""
    licence_number: str = ""
    operator: str = ""
    address: str = ""
    phone: str = ""
    active: bool = True


@dataclass(frozen=True)
class CentreDetail:
    id: str
    code: str
    name: str
    category_id: str
    category_name: str
    county_id: str | None
    county_name: str
    licensing_agency: str
    licence_number: str
    operator: str
    address: str
    phone: str
    active: bool
    row_version: int

    def to_input(self) -> CentreInput:
        return CentreInput(
            code=self.code,
            name=self.name,
            category_id=self.category_id,
            county_id=self.county_id,
            licensing_agency=self.licensing_agency,
            licence_number=self.licence_number,
            operator=self.operator,
            address=self.address,
            phone=self.phone,
            active=self.active,
        )


@dataclass(frozen=True)
class CentreRow:
    """One line of the centres list."""

    id: str
    code: str
    name: str
    category_name: str
    county_name: str
    licensing_agency: str
    operator: str
    phone: str
    active: bool
    last_visit_on: date | None

    @property
    def active_label(self) -> str:
        return ACTIVE_LABELS[self.active]

    @property
    def last_visit_text(self) -> str:
        return format_jalali(self.last_visit_on)


@dataclass(frozen=True)
class CentreFilter:
    search: str = ""  # words found in the code, the name or the operator
    county_id: str | None = None
    category_id: str | None = None
    licensing_agency: str | None = None
    active: bool | None = None


# --- validation -----------------------------------------------------------------------------------


def clean_code(code: str) -> str:
    """A centre code as stored: Latin digits, Latin letters in capitals, no surrounding spaces."""
    return text.digits_to_latin(text.clean(code or "")).upper()


def clean_phone(phone: str) -> str:
    """A phone number as stored: Latin digits without spaces or dashes («۰۲۸-۳۳۳۳ ۴۴۴۴» → «02833334444»)."""
    return _PHONE_SEPARATORS.sub("", text.digits_to_latin(text.clean(phone or "")))


def _category_error(uow: UnitOfWork, category_id: str | None, stored: Centre | None) -> str:
    """Why ``category_id`` is refused ("" = it is not)."""
    if not category_id:
        return "نوع مرکز انتخاب نشده است"
    item = uow.s.get(ReferenceItem, category_id)
    if item is None or item.kind != CATEGORY_KIND:
        return "نوع مرکز در فهرست انواع مرکز پیدا نشد"
    kept = stored is not None and stored.category_id == category_id
    if not item.active and not kept:
        return f"نوع مرکز «{item.name}» غیرفعال شده است"
    return ""


def _county_error(uow: UnitOfWork, county_id: str | None, stored: Centre | None) -> str:
    """Why ``county_id`` is refused ("" = it is not)."""
    if not county_id:
        return "شهرستان مرکز انتخاب نشده است"
    county = uow.s.get(County, county_id)
    province_id = settings.get_setting(uow, "province_id")
    if county is None or (province_id and county.province_id != province_id):
        return "شهرستان مرکز در شهرستان‌های استان پیدا نشد"
    if not uow.actor.sees_county(county_id):
        return "کارشناس شهرستان فقط مراکز شهرستان خود را ثبت می‌کند"
    kept = stored is not None and stored.county_id == county_id
    if not county.active and not kept:
        return f"شهرستان «{county.name}» غیرفعال شده است"
    return ""


def _check_unique_code(uow: UnitOfWork, code: str, except_id: str | None) -> None:
    """DuplicateError when the code is taken, in any county (the unique key spans them all)."""
    t = Centre.__table__.c
    found = uow.s.execute(select(t.id, t.county_id, t.name).where(t.code == code)).first()
    if found is not None and found.id != except_id:
        visible = uow.actor.sees_county(found.county_id)
        owner = f" (مرکز «{found.name}»)" if visible else " در شهرستان دیگری"
        raise DuplicateError(
            f"کد مرکز «{text.to_persian_digits(code)}» پیش‌تر{owner} ثبت شده است",
            field="code",
            record=found.id if visible else None,
        )


# the free-text fields: CentreInput field -> (most characters, its label)
_LIMITS = {
    "licensing_agency": (AGENCY_MAX, "دستگاه صادرکننده مجوز"),
    "licence_number": (LICENCE_NUMBER_MAX, "شماره مجوز"),
    "operator": (OPERATOR_MAX, "نام بهره‌بردار"),
    "address": (ADDRESS_MAX, "نشانی"),
}


def _checked(uow: UnitOfWork, data: CentreInput, stored: Centre | None) -> tuple[dict, list[ValidationError]]:
    """The column values of ``data`` and every rule it breaks (the values are meaningless unless none)."""
    errors: list[ValidationError] = []

    def fail(field: str, message: str) -> None:
        errors.append(ValidationError(message, field=field))

    code = clean_code(data.code)
    if not code:
        fail("code", "کد مرکز وارد نشده است")
    elif len(code) > CODE_MAX or not _CODE.fullmatch(code):
        fail(
            "code",
            f"کد مرکز «{text.clean(data.code)}» فقط از حرف، رقم و «-» ساخته می‌شود "
            f"(حداکثر {text.to_persian_digits(CODE_MAX)} نویسه)",
        )
    name = text.clean(data.name)
    if not name:
        fail("name", "نام مرکز وارد نشده است")
    elif not NAME_MIN <= len(name) <= NAME_MAX:
        fail(
            "name",
            f"نام مرکز باید {text.to_persian_digits(NAME_MIN)} تا {text.to_persian_digits(NAME_MAX)} "
            "نویسه باشد",
        )
    if reason := _category_error(uow, data.category_id, stored):
        fail("category_id", reason)
    if reason := _county_error(uow, data.county_id, stored):
        fail("county_id", reason)
    phone = clean_phone(data.phone)
    if phone and not (phone.isascii() and phone.isdigit() and PHONE_MIN <= len(phone) <= PHONE_MAX):
        fail(
            "phone",
            f"تلفن «{text.clean(data.phone)}» باید {text.to_persian_digits(PHONE_MIN)} تا "
            f"{text.to_persian_digits(PHONE_MAX)} رقم باشد",
        )
    free: dict[str, str] = {}
    for key, (limit, label) in _LIMITS.items():
        free[key] = text.clean(getattr(data, key) or "")
        if len(free[key]) > limit:
            fail(key, f"{label} بیش از {text.to_persian_digits(limit)} نویسه است")
    values = {
        "code": code,
        "name": name,
        "name_sort": text.persian_sort_key(name),
        "search_text": search_text_of(code, name, free["operator"]),
        "category_id": data.category_id,
        "county_id": data.county_id,
        "licensing_agency": free["licensing_agency"],
        "licence_number": text.digits_to_latin(free["licence_number"]),
        "operator": free["operator"],
        "address": free["address"],
        "phone": phone,
        "active": bool(data.active),
    }
    return values, errors


def search_text_of(code: str, name: str, operator: str) -> str:
    """A centre's ``search_text``: its code, name and operator as the centres' and the visits' searches
    compare them (hamza forms folded, half-spaces joined: services/search.py); every writer of a centre
    stores this."""
    return text.search_key(f"{code} {name} {operator}")


def centre_errors(uow: UnitOfWork, data: CentreInput, stored: Centre | None = None) -> list[ValidationError]:
    """Every rule ``data`` breaks, in the dialog's order, each naming its CentreInput field ([] = none).

    THE rules of a centre: the dialog (through ``create_centre`` / ``update_centre``) and the «مراکز»
    sheet's importer both use them. ``stored`` is the centre being edited (an inactive category or county
    it already has may stay). Fields: code, name, category_id, county_id, phone, licensing_agency,
    licence_number, operator, address. The code's uniqueness is ``validate_centre``'s last check.
    """
    with uow:
        return _checked(uow, data, stored)[1]


def validate_centre(uow: UnitOfWork, data: CentreInput, stored: Centre | None = None) -> dict:
    """The column values of ``data``; raises the first of ``centre_errors`` (a ValidationError naming its
    field), then DuplicateError (field «code») when the code is taken in any county (``stored``, the
    centre being edited, keeps its own)."""
    with uow:
        values, errors = _checked(uow, data, stored)
        if errors:
            raise errors[0]
        _check_unique_code(uow, values["code"], stored.id if stored is not None else None)
        return values


def _get(uow: UnitOfWork, centre_id: str) -> Centre:
    """The centre, or NotFoundError; PermissionDeniedError for another county's."""
    return uow.get(Centre, centre_id, missing=MISSING_CENTRE)


# --- commands ------------------------------------------------------------------------------------


def create_centre(uow: UnitOfWork, data: CentreInput) -> str:
    """Store a new centre; returns its id (inside a caller's block, it joins that transaction).

    Raises:
        ValidationError: a field breaks a rule (the error names it).
        DuplicateError: the code is taken.
    """
    with uow.writing():
        values = validate_centre(uow, data)
        centre = Centre(**stamps(), **values)
        uow.s.add(centre)
        uow.s.flush()
        uow.commit()
        return centre.id


def update_centre(uow: UnitOfWork, centre_id: str, data: CentreInput, expected_version: int) -> None:
    """Save changes to a centre opened at ``expected_version``.

    Raises:
        ConcurrentEditError: someone saved the centre since it was opened.
        PermissionDeniedError: another county's centre.
    """
    with uow.writing():
        centre = _get(uow, centre_id)
        if centre.row_version != expected_version:
            raise ConcurrentEditError(STALE_CENTRE, record=centre_id)
        values = validate_centre(uow, data, centre)
        save_versioned(uow, centre, expected_version, values, STALE_CENTRE)
        uow.commit()


def set_centre_active(uow: UnitOfWork, centre_id: str, active: bool, expected_version: int) -> None:
    """Mark a centre active or inactive (an inactive centre leaves the plan and the grid's «due»)."""
    with uow.writing():
        centre = _get(uow, centre_id)
        if centre.row_version != expected_version:
            raise ConcurrentEditError(STALE_CENTRE, record=centre_id)
        save_versioned(uow, centre, expected_version, {"active": bool(active)}, STALE_CENTRE)
        uow.commit()


# --- reads ---------------------------------------------------------------------------------------


def find_centre_id(uow: UnitOfWork, code: str) -> str | None:
    """The id of the centre with this code (typed with any digits, any case), within the actor's scope."""
    key = clean_code(code)
    if not key:
        return None
    with uow:
        return uow.s.exec(select(Centre.id).where(Centre.code == key)).first()


def get_centre(uow: UnitOfWork, centre_id: str) -> CentreDetail:
    with uow:
        c = _get(uow, centre_id)
        category = uow.s.get(ReferenceItem, c.category_id)
        return CentreDetail(
            id=c.id,
            code=c.code,
            name=c.name,
            category_id=c.category_id,
            category_name=category.name if category else "",
            county_id=c.county_id,
            county_name=reference.county_name(uow, c.county_id),
            licensing_agency=c.licensing_agency,
            licence_number=c.licence_number,
            operator=c.operator,
            address=c.address,
            phone=c.phone,
            active=c.active,
            row_version=c.row_version,
        )


def category_choices(uow: UnitOfWork, include_inactive: bool = False) -> list[reference.ItemRow]:
    """The centre categories of the reference list, in its order."""
    return reference.list_items(uow, CATEGORY_KIND, include_inactive=include_inactive)


def licensing_agencies(uow: UnitOfWork) -> list[str]:
    """The distinct licensing agencies the centres in scope name, in Persian order (for the filter)."""
    with uow:
        stmt = select(Centre.licensing_agency).where(Centre.licensing_agency != "").distinct()
        return sorted(uow.s.exec(stmt), key=text.persian_sort_key)


def _where(flt: CentreFilter) -> list:
    # the code, name and operator, in the key stored beside them (search_text_of; a scan of one column)
    conds: list = [search.contains(Centre.search_text, word) for word in search.words(flt.search)]
    if flt.county_id:
        conds.append(Centre.county_id == flt.county_id)
    if flt.category_id:
        conds.append(Centre.category_id == flt.category_id)
    if flt.licensing_agency:
        conds.append(Centre.licensing_agency == text.clean(flt.licensing_agency))
    if flt.active is not None:
        conds.append(Centre.active == bool(flt.active))
    return conds


def filter_conditions(flt: CentreFilter) -> list:
    """The SQL conditions of ``flt`` over Centre (for the sheet's export of a filtered list)."""
    return _where(flt)


def count_centres(uow: UnitOfWork, flt: CentreFilter = CentreFilter()) -> int:
    with uow:
        return int(uow.s.exec(select(func.count()).select_from(Centre).where(*_where(flt))).one())


def _order(sort: str, descending: bool) -> list:
    columns = {
        "name": [Centre.name_sort],
        "code": [Centre.code],
        "category": [ReferenceItem.position, ReferenceItem.name_key, Centre.name_sort],
        "county": [County.position, County.name_key, Centre.name_sort],
        "agency": [Centre.licensing_agency, Centre.name_sort],
    }
    if sort not in columns:
        raise ValueError(f"unknown sort key: {sort!r}")
    return order_terms([*columns[sort], Centre.id], descending, nullable=(County.position, County.name_key))


def list_centre_page(
    uow: UnitOfWork,
    flt: CentreFilter = CentreFilter(),
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[CentreRow]:
    """One page of centres matching ``flt`` (ties broken by id, so pages are stable)."""
    last_visit = (
        select(func.max(Inspection.inspected_on))
        .where(Inspection.centre_id == Centre.id)
        .correlate(Centre)
        .scalar_subquery()
    )
    with uow:
        stmt = (
            select(
                Centre.id,
                Centre.code,
                Centre.name,
                ReferenceItem.name,
                County.name,
                Centre.licensing_agency,
                Centre.operator,
                Centre.phone,
                Centre.active,
                last_visit,
            )
            .select_from(Centre)
            .join(ReferenceItem, ReferenceItem.id == Centre.category_id)
            .outerjoin(County, County.id == Centre.county_id)
            .where(*_where(flt))
            .order_by(*_order(sort, descending))
            .offset(max(0, offset))
            .limit(max(0, limit))
        )
        return [
            CentreRow(
                id=r[0],
                code=r[1],
                name=r[2],
                category_name=r[3],
                county_name=r[4] or "استان",
                licensing_agency=r[5],
                operator=r[6],
                phone=r[7],
                active=bool(r[8]),
                last_visit_on=r[9],
            )
            for r in uow.s.exec(stmt)
        ]


def centre_file(uow: UnitOfWork, centre_id: str) -> CentreFile:
    """A centre with its visits (newest first), its open findings with their actions, and its referrals
    (built in centre_file.py, which reads through this module)."""
    from ostandari_desk.services.inspections.centre_file import build_centre_file

    return build_centre_file(uow, centre_id)


def centre_ids_by_code(uow: UnitOfWork, codes: list[str]) -> dict[str, str]:
    """{stored code: id} of those of ``codes`` that name a centre in scope (the importer's look-up)."""
    keys = sorted({clean_code(c) for c in codes} - {""})
    found: dict[str, str] = {}
    with uow:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            stmt = select(Centre.code, Centre.id).where(col(Centre.code).in_(chunk))
            found.update({code: centre_id for code, centre_id in uow.s.exec(stmt)})
    return found


__all__ = [
    "ACTIVE_LABELS",
    "SORT_KEYS",
    "CentreDetail",
    "CentreFilter",
    "CentreInput",
    "CentreRow",
    "category_choices",
    "centre_errors",
    "centre_file",
    "centre_ids_by_code",
    "clean_code",
    "clean_phone",
    "count_centres",
    "create_centre",
    "filter_conditions",
    "find_centre_id",
    "get_centre",
    "licensing_agencies",
    "list_centre_page",
    "search_text_of",
    "set_centre_active",
    "update_centre",
    "validate_centre",
]
