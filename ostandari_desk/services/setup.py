"""First start: choose the province (and county, for a county installation) and seed the reference lists.

The provinces and their counties come from resources/reference/provinces_counties.csv (the office may edit
it: one line per county with its province and its position), read by ``read_provinces_file``.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from sqlmodel import select

from ostandari_desk import settings
from ostandari_desk.domain import reference_ids, text
from ostandari_desk.errors import UserError, ValidationError
from ostandari_desk.paths import resources_dir
from ostandari_desk.services.audit import stamps
from ostandari_desk.store.models import County, Province, ReferenceItem
from ostandari_desk.store.uow import UnitOfWork

DEFAULT_LISTS: dict[str, tuple[str, ...]] = {
    "field": (
        "آسیب‌های اجتماعی",
        "زنان و خانواده",
        "کودکان و نوجوانان",
        "محیط زیست",
        "سلامت",
        "فرهنگی و هنری",
        "ورزشی",
        "خیریه و امور حمایتی",
        "جوانان",
        "سالمندان",
        "معلولان",
        "حقوق شهروندی",
    ),
    "centre_category": (
        "کشتارگاه",
        "مرکز عرضه مواد غذایی",
        "اماکن ورزشی",
        "مرکز نگهداری کودکان",
        "مرکز نگهداری سالمندان",
        "مرکز ساماندهی متکدیان",
        "کمپ ترک اعتیاد",
        "مرکز توانبخشی",
    ),
    "social_harm": (
        "نزاع و درگیری",
        "خشونت",
        "اعتیاد (معتادان متجاهر)",
        "حاشیه‌نشینی و سکونتگاه غیررسمی",
        "تکدی‌گری",
        "طلاق",
        "خودکشی",
        "کودکان کار",
        "زباله‌گردی",
    ),
    "sanction": ("تذکر", "اخطار کتبی", "تعلیق", "توقیف پروانه", "درخواست انحلال"),
    "legal_basis": (
        "آیین‌نامه اجرایی تأسیس و فعالیت سازمان‌های غیردولتی (مصوب ۱۳۸۴)",
        "آیین‌نامه تأسیس و فعالیت سازمان‌های مردم‌نهاد (مصوبه ۶۷۷۳۵/ت۵۱۳۰۵هـ مورخ ۱۳۹۵/۰۶/۰۶)",
    ),
}


PROVINCES_FILE = ("reference", "provinces_counties.csv")
"""Where the provinces and their counties ship, under resources/: one line per county, the office may edit it."""

# the file's columns, by their header names (Persian, as the office writes them, or English)
_COLUMNS = {
    "province": ("استان", "province"),
    "county": ("شهرستان", "county"),
    "position": ("ردیف", "position"),
}


class ReferenceFileError(UserError):
    """The provinces file is broken: the message names its line and what is wrong there."""


def _reference_error(path: Path, line: int | None, why: str) -> ReferenceFileError:
    where = f"، سطر {text.to_persian_digits(line)}" if line else ""
    return ReferenceFileError(f"پرونده فهرست استان‌ها و شهرستان‌ها ({path.name}){where}: {why}")


def _header_indexes(path: Path, header: list[str]) -> dict[str, int]:
    names = [text.normalize(h) for h in header]
    found: dict[str, int] = {}
    for column, spellings in _COLUMNS.items():
        for spelling in spellings:
            if text.normalize(spelling) in names:
                found[column] = names.index(text.normalize(spelling))
                break
        else:
            raise _reference_error(
                path, 1, f"ستون «{spellings[0]}» در سطر عنوان نیست (ستون‌ها: استان، شهرستان، ردیف)"
            )
    return found


def _position(path: Path, line: int, value: str) -> int:
    digits = text.digits_to_latin(value.strip())
    if not digits.isdecimal() or int(digits) < 1:
        raise _reference_error(path, line, f"ردیف «{text.clean(value)}» یک عدد درست مثبت نیست")
    return int(digits)


def read_provinces_file(path: Path) -> dict[str, tuple[str, ...]]:
    """Province -> its counties in the order of their «ردیف» (position), provinces in the file's order.

    Every line names a province, one of its counties and the county's position within its province.
    Empty lines are skipped. Names are stored cleaned (domain/text.py) and compared normalized.

    Raises:
        ReferenceFileError: a line with a missing column, an empty name, a position that is not a positive
            whole number, or a county or position repeated within its province (named by line).
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise _reference_error(path, None, "پرونده خوانده نشد") from exc
    table: dict[str, dict[str, tuple[int, str]]] = {}  # province key -> county key -> (position, name)
    names: dict[str, str] = {}  # province key -> its name
    positions: dict[tuple[str, int], str] = {}
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise _reference_error(path, None, "پرونده خالی است")
        columns = _header_indexes(path, header)
        width = max(columns.values()) + 1
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < width:
                raise _reference_error(
                    path,
                    line,
                    f"{text.to_persian_digits(width)} ستون لازم است و این سطر {text.to_persian_digits(len(row))} ستون دارد",
                )
            province, county = text.clean(row[columns["province"]]), text.clean(row[columns["county"]])
            if not province:
                raise _reference_error(path, line, "نام استان خالی است")
            if not county:
                raise _reference_error(path, line, f"نام شهرستان استان {province} خالی است")
            position = _position(path, line, row[columns["position"]])
            province_key, county_key = text.normalize(province), text.normalize(county)
            counties = table.setdefault(province_key, {})
            names.setdefault(province_key, province)
            if county_key in counties:
                raise _reference_error(path, line, f"شهرستان {county} در استان {province} دو بار آمده است")
            taken = positions.get((province_key, position))
            if taken is not None:
                raise _reference_error(
                    path,
                    line,
                    f"ردیف {text.to_persian_digits(position)} استان {province} پیش‌تر به شهرستان {taken} داده شده است",
                )
            positions[(province_key, position)] = county
            counties[county_key] = (position, county)
    if not table:
        raise _reference_error(path, None, "هیچ استانی در پرونده نیست")
    return {
        names[key]: tuple(name for _position, name in sorted(counties.values()))
        for key, counties in table.items()
    }


@lru_cache(maxsize=1)
def _counties_table() -> dict[str, tuple[str, ...]]:
    """Province -> its counties, from the shipped resources/reference/provinces_counties.csv."""
    return read_provinces_file(resources_dir().joinpath(*PROVINCES_FILE))


def _find(names: tuple[str, ...] | list[str], wanted: str) -> str | None:
    key = text.normalize(wanted)
    return next((n for n in names if text.normalize(n) == key), None)


def available_provinces() -> list[str]:
    """The provinces whose counties ship with the app (all 31), in the file's order."""
    return list(_counties_table())


def counties_of(province: str) -> list[str]:
    """The shipped counties of ``province`` (matched normalized); [] for an unknown province."""
    found = _find(list(_counties_table()), province)
    return list(_counties_table()[found]) if found else []


def is_initialized(uow: UnitOfWork) -> bool:
    """Whether the database already has its province."""
    with uow:
        province_id = settings.get_setting(uow, "province_id")
        return bool(province_id) and uow.s.get(Province, province_id) is not None


def initialize(
    uow: UnitOfWork,
    province: str,
    county: str | None = None,
    office_name: str | None = None,
    logo_path: str | None = None,
) -> str:
    """Create the province, its counties, the default lists and the settings in one transaction.

    It takes the write lock first (``uow.writing()``). Inside a caller's block it joins that transaction:
    ``init`` and the set-up wizard call it with ``users.create_first_admin`` in one block, so a first
    start leaves the province and its first admin, or neither (the schema before it is one transaction
    too: store/schema.py).

    ``county`` None makes a provincial installation; a county name makes a county installation
    (installation_county_id is set). The province, its counties and the lists get ids made from their names
    (domain/reference_ids.py), so separately set-up desks of one province agree on them; the desk's exchange
    key pair is made too (services/exchange/keys.py). Returns the province id.

    Raises:
        UserError: the database is already initialized.
        ValidationError: unknown province or county.
    """
    with uow.writing():
        if is_initialized(uow) or uow.s.exec(select(Province.id)).first() is not None:
            raise UserError("این پایگاه داده پیش‌تر راه‌اندازی شده است")
        province_name = _find(available_provinces(), province)
        if province_name is None:
            raise ValidationError(f"استان «{text.clean(province)}» در فهرست استان‌ها نیست", field="province")
        county_names = _counties_table()[province_name]
        county_name = None
        if county is not None and text.normalize(county):
            county_name = _find(county_names, county)
            if county_name is None:
                raise ValidationError(
                    f"شهرستان «{text.clean(county)}» در فهرست شهرستان‌های استان {province_name} نیست",
                    field="county",
                )

        # ids from the natural keys: every desk set up for this province agrees on them (exchange files)
        prov = Province(**stamps(), id=reference_ids.province_id(province_name), name=province_name)
        uow.s.add(prov)
        uow.s.flush()  # no ORM relationships: parents are flushed before children by hand
        installation_county_id = None
        for position, name in enumerate(county_names, start=1):
            row = County(
                **stamps(),
                id=reference_ids.county_id(province_name, name),
                province_id=prov.id,
                name=name,
                name_key=text.normalize(name),
                position=position,
            )
            uow.s.add(row)
            if name == county_name:
                installation_county_id = row.id
        for kind, names in DEFAULT_LISTS.items():
            for position, name in enumerate(names, start=1):
                uow.s.add(
                    ReferenceItem(
                        **stamps(),
                        id=reference_ids.item_id(kind, text.normalize(name)),
                        kind=kind,
                        name=text.clean(name),
                        name_key=text.normalize(name),
                        position=position,
                    )
                )
        uow.s.flush()

        settings.set_setting(uow, "province_id", prov.id)
        settings.set_setting(uow, "installation_county_id", installation_county_id)
        if office_name is not None and text.clean(office_name):
            settings.set_setting(uow, "office_name", text.clean(office_name))
        if logo_path:
            settings.set_setting(uow, "logo_path", str(logo_path))
        # imported here: a command that only signs in (a report) needs neither (nor cryptography)
        from ostandari_desk.services.exchange import keys
        from ostandari_desk.services.inspections.templates import seed_default_templates

        seed_default_templates(uow)  # each centre category's shipped checklist, active
        keys.create_keys(uow)  # the desk's exchange id and key pair
        uow.commit()
        return prov.id
